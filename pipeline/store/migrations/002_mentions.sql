-- Kommunalmonitor store, version 2: what the nlp pipeline found in each document.

CREATE TABLE extractions (
    source             VARCHAR NOT NULL,
    native_id          VARCHAR NOT NULL,
    content_hash       VARCHAR NOT NULL,   -- the document version that was read
    extractor_version  VARCHAR NOT NULL,   -- code + config + lexicon files
    integration        BOOLEAN NOT NULL,
    action_fields      VARCHAR[] NOT NULL,
    mention_count      INTEGER NOT NULL,
    extracted_at       TIMESTAMP NOT NULL,
    run_id             INTEGER,
    PRIMARY KEY (source, native_id)
);
COMMENT ON TABLE extractions IS 'One row per document: which version of it was read by which extractor.';

CREATE TABLE mentions (
    source             VARCHAR NOT NULL,
    native_id          VARCHAR NOT NULL,
    kind               VARCHAR NOT NULL,   -- date | body | address | person | action_field | integration
    text               VARCHAR NOT NULL,   -- as written in the body
    value              VARCHAR,            -- ISO date, canonical body, normalised street, person name, field id
    role               VARCHAR,            -- persons: public role in nominative singular
    number             VARCHAR,            -- addresses: house number (NULL for a street as a place)
    inferred           BOOLEAN,            -- dates: year taken from the publication date
    range_part         VARCHAR,            -- dates: start | end of a range
    start_char         INTEGER NOT NULL,   -- offsets into documents.body
    end_char           INTEGER NOT NULL,
    sentence_start     INTEGER NOT NULL,
    sentence_end       INTEGER NOT NULL,
    sentence           VARCHAR NOT NULL,
    extractor_version  VARCHAR NOT NULL
);
COMMENT ON TABLE mentions IS 'Every mention with offsets into documents.body and its sentence: any figure traces back here.';

CREATE VIEW mention_dates AS
    SELECT source, native_id, text, value, inferred, range_part, start_char, end_char, sentence
    FROM mentions WHERE kind = 'date';
CREATE VIEW mention_bodies AS
    SELECT source, native_id, text, value AS body, start_char, end_char, sentence
    FROM mentions WHERE kind = 'body';
CREATE VIEW mention_addresses AS
    SELECT source, native_id, text, value AS street, number, start_char, end_char, sentence
    FROM mentions WHERE kind = 'address';
CREATE VIEW mention_persons AS
    SELECT source, native_id, text, value AS person, role, start_char, end_char, sentence
    FROM mentions WHERE kind = 'person';
CREATE VIEW mention_action_fields AS
    SELECT source, native_id, text, value AS action_field, start_char, end_char, sentence
    FROM mentions WHERE kind = 'action_field';
COMMENT ON VIEW mention_persons IS 'Persons with roles; one identity across documents is name + role.';

-- Across documents a person is identified by name + role ("Uwe Richrath, Oberbürgermeister").
CREATE VIEW person_identities AS
    SELECT m.value AS person, m.role, count(DISTINCT (m.source, m.native_id)) AS documents,
           min(d.published) AS first_published, max(d.published) AS last_published
    FROM mentions m JOIN documents d USING (source, native_id)
    WHERE m.kind = 'person'
    GROUP BY m.value, m.role;
COMMENT ON VIEW person_identities IS 'One row per person identity (name + role) with how many documents name them.';
