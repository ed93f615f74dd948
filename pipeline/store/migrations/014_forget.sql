-- Kommunalmonitor store, version 14: persons forgotten on request (GDPR Art. 17), `komo forget`.
-- Never the name itself: the name and each of its forms only as keyed hashes (HMAC-SHA256 with
-- the home's secret, $KOMO_HOME/forget.key), so the name cannot be recovered from the store by
-- hashing a list of names, yet a page a re-crawl brings back is masked as it loads.

CREATE SEQUENCE forget_ids START 1;

CREATE TABLE forgotten_persons (
    forget_id     INTEGER PRIMARY KEY DEFAULT nextval('forget_ids'),
    name_hash     VARCHAR NOT NULL,    -- keyed hash of the normalised full name (tokens joined by a space)
    forgotten_at  TIMESTAMP NOT NULL,
    run_id        INTEGER,             -- the forget run (runs.stats says what was removed and masked)
    removed       JSON                 -- counts: mentions, identities, texts masked per table, raw pages rewritten
);
COMMENT ON TABLE forgotten_persons IS 'One row per `komo forget`: when, and what it removed; the name only as a keyed hash.';

CREATE TABLE forgotten_forms (
    forget_id  INTEGER NOT NULL,
    tokens     VARCHAR[] NOT NULL,     -- keyed hashes of the normalised tokens of one form, in order
    anchored   BOOLEAN NOT NULL        -- true: the bare surname, masked only where the full name is too
);
COMMENT ON TABLE forgotten_forms IS 'The forms of each forgotten name (full name, surname, spelled-out umlauts, genitive) as sequences of keyed token hashes; every crawl masks them in what it loads (anchored forms only in rows that also hold the full name).';
