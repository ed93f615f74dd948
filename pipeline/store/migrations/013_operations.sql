-- Kommunalmonitor store, version 13: operating the nightly job — which of a source's own layout
-- rules held on each parsed page (the layout alarm), the alarms raised, the URL forms of articles
-- seen before they were stored (a budgeted backfill), and backfill progress.

CREATE TABLE layout_checks (
    run_id      INTEGER NOT NULL,
    source      VARCHAR NOT NULL,
    native_id   VARCHAR NOT NULL,
    url         VARCHAR NOT NULL,
    raw_ref     VARCHAR,
    anchor      BOOLEAN NOT NULL,     -- the source's publication line was found
    headline    BOOLEAN NOT NULL,     -- the headline stood where the source's layout puts it
    body_end    BOOLEAN NOT NULL,     -- one of the source's footer lines ended the body
    parsed      BOOLEAN NOT NULL,     -- false: the source's rules read no article (a crawl error)
    held        BOOLEAN NOT NULL DEFAULT false,
    checked_at  TIMESTAMP NOT NULL
);
COMMENT ON TABLE layout_checks IS 'One row per detail page a crawl (or komo reparse) parsed: which of the source''s own layout rules held. held: an alarm kept the parse out of documents until `komo reparse`.';

CREATE TABLE layout_alarms (
    run_id       INTEGER NOT NULL,
    source       VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,    -- anchor | headline | body_end
    share        DOUBLE NOT NULL,     -- of this run's newly parsed pages of the source
    median       DOUBLE NOT NULL,     -- the trailing median of earlier runs
    pages        INTEGER NOT NULL,
    raised_at    TIMESTAMP NOT NULL,
    resolved_by  INTEGER,             -- the `komo reparse` run after which the rule matched again
    PRIMARY KEY (run_id, source, rule)
);
COMMENT ON TABLE layout_alarms IS 'A rule of a source''s layout that stopped matching: its share of a run''s pages fell below half of the trailing median.';

CREATE TABLE pending_url_forms (
    source       VARCHAR NOT NULL,
    native_id    VARCHAR NOT NULL,
    url          VARCHAR NOT NULL,
    PRIMARY KEY (source, native_id, url)
);
COMMENT ON TABLE pending_url_forms IS 'URL forms seen of articles not stored yet (a backfill that stopped at its budget); merged into documents.url_forms when the article arrives.';

CREATE VIEW layout_shares AS
    SELECT run_id, source, count(*) AS pages,
           avg(anchor::INTEGER) AS anchor, avg(headline::INTEGER) AS headline, avg(body_end::INTEGER) AS body_end,
           bool_or(held) AS held
    FROM layout_checks GROUP BY run_id, source;
COMMENT ON VIEW layout_shares IS 'Per run and source: the share of newly parsed pages on which each of the source''s layout rules held.';

CREATE VIEW backfill_progress AS
    SELECT run_id, source, started_at, status,
           (stats->>'$.backfill.stored')::INTEGER AS stored,
           (stats->>'$.backfill.estimated_total')::INTEGER AS estimated_total,
           (stats->>'$.backfill.nights_to_go')::INTEGER AS nights_to_go,
           (stats->>'$.backfill.budget')::INTEGER AS budget,
           (stats->>'$.backfill.complete')::BOOLEAN AS complete
    FROM runs WHERE command = 'crawl' AND json_exists(stats, '$.backfill');
COMMENT ON VIEW backfill_progress IS 'Each budgeted crawl run: articles stored of the estimated archive, and nights to go at its budget.';
