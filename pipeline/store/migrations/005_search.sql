-- Kommunalmonitor store, version 5: full-text search (`komo search`, pipeline/store/search.py).
-- The DuckDB fts index itself (schema fts_main_search_input) is built by the publisher, not here:
-- it is rebuilt whenever the searchable documents change.

CREATE SEQUENCE search_doc_ids START 1;   -- never reused, so an old index never names a new document

CREATE TABLE search_corpus (
    doc_id          BIGINT NOT NULL DEFAULT nextval('search_doc_ids'),   -- the fts document id
    source          VARCHAR NOT NULL,
    native_id       VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,   -- the document version indexed
    compound_terms  VARCHAR NOT NULL    -- parts of the long compounds in title and body, space-separated
);
COMMENT ON TABLE search_corpus IS 'The documents in the full-text index (those without republished copies: duplicate_of IS NULL), with the parts of their compounds; title and body are read from documents when the index is built.';

CREATE TABLE search_compounds (
    word   VARCHAR NOT NULL,     -- lower-cased long capitalised word as it occurred
    stem   VARCHAR NOT NULL,     -- its index term (German Snowball stem), to find other inflections
    parts  VARCHAR[] NOT NULL    -- its parts (empty: not a compound)
);
COMMENT ON TABLE search_compounds IS 'How the compound splitter split each long word of the corpus; queries are split the same way.';

CREATE TABLE search_stopwords (
    sw  VARCHAR NOT NULL
);
COMMENT ON TABLE search_stopwords IS 'German function words left out of the index (data/lexicons/stopwords-de.txt, lower-cased, accents stripped).';

CREATE TABLE search_index_state (
    fingerprint    VARCHAR NOT NULL,   -- md5 over the indexed (source, native_id, content_hash) and the config
    config         VARCHAR NOT NULL,   -- stemmer, tokenizer, stopword file, splitter version
    documents      INTEGER NOT NULL,
    built_at       TIMESTAMP NOT NULL,
    build_seconds  DOUBLE NOT NULL
);
COMMENT ON TABLE search_index_state IS 'The full-text index in fts_main_search_input: what it was built from and when; one row.';
