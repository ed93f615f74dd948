-- Kommunalmonitor store, version 1: documents, their versions, fetch log, crawl errors, runs.

CREATE SEQUENCE run_ids START 1;

CREATE TABLE runs (
    run_id        INTEGER PRIMARY KEY DEFAULT nextval('run_ids'),
    command       VARCHAR NOT NULL,
    source        VARCHAR,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP,
    status        VARCHAR NOT NULL,      -- running | ok | partial | failed | aborted
    staging_loaded BOOLEAN NOT NULL DEFAULT false,
    stats         JSON,
    message       VARCHAR
);
COMMENT ON TABLE runs IS 'One row per writing command (crawl, update, ...): what it did and how it ended.';

CREATE TABLE documents (
    source              VARCHAR NOT NULL,
    native_id           VARCHAR NOT NULL,
    canonical_url       VARCHAR NOT NULL,
    url_forms           VARCHAR[] NOT NULL,
    title               VARCHAR,
    published           DATE,
    sender              VARCHAR,
    category            VARCHAR,
    body                VARCHAR NOT NULL,
    archive_year        INTEGER,
    footer_addresses    VARCHAR[],
    visitor_count       INTEGER,
    listing_fingerprint VARCHAR,
    content_hash        VARCHAR NOT NULL,
    duplicate_of        VARCHAR,
    first_seen          TIMESTAMP NOT NULL,
    last_seen           TIMESTAMP NOT NULL,
    last_changed        TIMESTAMP NOT NULL,
    raw_ref             VARCHAR,
    run_id              INTEGER,
    PRIMARY KEY (source, native_id)
);
COMMENT ON TABLE documents IS 'One row per article identity (source + native id), its newest parsed fields.';
COMMENT ON COLUMN documents.sender IS 'Who issued the release: the page''s "Quelle".';
COMMENT ON COLUMN documents.url_forms IS 'Every URL under which the article was seen.';
COMMENT ON COLUMN documents.content_hash IS 'sha256 of the parsed fields (not the page bytes, whose visitor count changes).';
COMMENT ON COLUMN documents.duplicate_of IS 'native_id of the original when this is a republished near-duplicate; count trends WHERE duplicate_of IS NULL.';
COMMENT ON COLUMN documents.footer_addresses IS 'The "Anschriften aus dem Artikel" footer: site furniture, never body mentions.';
COMMENT ON COLUMN documents.raw_ref IS 'Path under the komo home of the gzip-compressed page as fetched.';

CREATE TABLE document_versions (
    source        VARCHAR NOT NULL,
    native_id     VARCHAR NOT NULL,
    content_hash  VARCHAR NOT NULL,
    title         VARCHAR,
    published     DATE,
    sender        VARCHAR,
    category      VARCHAR,
    body          VARCHAR NOT NULL,
    raw_ref       VARCHAR,
    first_seen    TIMESTAMP NOT NULL,
    run_id        INTEGER,
    PRIMARY KEY (source, native_id, content_hash)
);
COMMENT ON TABLE document_versions IS 'Every distinct parsed version of an article, oldest first by first_seen.';

CREATE TABLE pages (
    run_id      INTEGER NOT NULL,
    source      VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    kind        VARCHAR NOT NULL,    -- listing | article | other
    reason      VARCHAR NOT NULL,    -- why it was requested: listing, new, recheck, listing-changed, ...
    status      INTEGER,             -- NULL when no response arrived
    raw_ref     VARCHAR,
    note        VARCHAR,
    fetched_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE pages IS 'Every HTTP request a crawl made (retries included), with why it was made.';

CREATE TABLE crawl_errors (
    run_id     INTEGER NOT NULL,
    source     VARCHAR NOT NULL,
    url        VARCHAR NOT NULL,
    native_id  VARCHAR,
    kind       VARCHAR NOT NULL,
    status     INTEGER,
    reason     VARCHAR NOT NULL,
    transient  BOOLEAN NOT NULL,
    failed_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE crawl_errors IS 'Pages a crawl could not turn into documents, and why. Transient ones are retried later.';
