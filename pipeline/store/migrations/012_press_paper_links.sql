-- Kommunalmonitor store, version 12: press releases linked to the council papers they are about
-- (pipeline/store/links.py), and the researcher views that join press, papers, committees, action
-- fields and votes.

CREATE TABLE press_paper_links (
    press_source    VARCHAR NOT NULL,   -- the press source (documents.source of the release)
    press_id        VARCHAR NOT NULL,   -- documents.native_id of the release
    council_source  VARCHAR NOT NULL,   -- the council source of the paper
    paper_id        VARCHAR NOT NULL,   -- the paper's OParl id (council_papers.id = documents.native_id)
    method          VARCHAR NOT NULL,   -- reference (the release names the paper's number) | similarity (title and bodies, in the date window)
    score           DOUBLE NOT NULL,    -- 1 for a reference; else the similarity (data/config/links.toml: threshold)
    evidence        VARCHAR NOT NULL,   -- the sentence of the release that links it
    linker_version  VARCHAR NOT NULL,
    run_id          INTEGER,
    PRIMARY KEY (press_source, press_id, council_source, paper_id)
);
COMMENT ON TABLE press_paper_links IS 'Press release ↔ council paper: by the paper''s reference number named in the release, else by a scored similarity of title and named bodies within a date window; each link keeps its evidence sentence.';

CREATE TABLE press_link_reads (
    press_source    VARCHAR NOT NULL,
    press_id        VARCHAR NOT NULL,
    content_hash    VARCHAR NOT NULL,   -- the version of the release linked
    linker_version  VARCHAR NOT NULL,   -- code and settings (links.toml) it was linked with
    links           INTEGER NOT NULL,
    read_at         TIMESTAMP NOT NULL,
    run_id          INTEGER,
    PRIMARY KEY (press_source, press_id)
);
COMMENT ON TABLE press_link_reads IS 'Which version of each press release the linker read last, and with which settings: what the next incremental link run need not read again.';

CREATE VIEW press_release_papers AS
    SELECT l.press_source, l.press_id, d.title AS press_title, d.published AS press_published,
           d.canonical_url AS press_url, l.council_source, l.paper_id, p.reference AS paper_reference,
           p.name AS paper_name, p.paper_type, p.date AS paper_date, p.web AS paper_web, l.method, l.score, l.evidence
    FROM press_paper_links l
    JOIN documents d ON d.source = l.press_source AND d.native_id = l.press_id
    JOIN council_papers p ON p.source = l.council_source AND p.id = l.paper_id;
COMMENT ON VIEW press_release_papers IS 'One row per press release and the council paper it is about: how it was linked (method, score) and the sentence that says so.';

-- The consultations of a paper in order: the meeting, the committee that held it, the role.
CREATE VIEW council_paper_consultations AS
    SELECT c.source, c.paper, c.id AS consultation, c.role, c.authoritative,
           coalesce(m.id, a.meeting) AS meeting, TRY_CAST(coalesce(m.start, am.start) AS DATE) AS meeting_date,
           coalesce(o.name, mo.name) AS committee, c.agenda_item, a.number AS item_number, a.result AS item_result,
           row_number() OVER (PARTITION BY c.source, c.paper
                              ORDER BY coalesce(m.start, am.start) NULLS LAST, c.id) AS position
    FROM council_consultations c
    LEFT JOIN council_meetings m ON m.source = c.source AND m.id = c.meeting
    LEFT JOIN council_agenda_items a ON a.source = c.source AND a.id = c.agenda_item
    LEFT JOIN council_meetings am ON am.source = c.source AND am.id = a.meeting
    LEFT JOIN council_organizations o ON o.source = c.source AND o.id = c.organizations[1]
    LEFT JOIN council_organizations mo ON mo.source = c.source AND mo.id = coalesce(m.organizations, am.organizations)[1]
    WHERE NOT c.deleted AND c.paper IS NOT NULL;
COMMENT ON VIEW council_paper_consultations IS 'One row per consultation of a paper, in the order of its meetings (position 1, 2, …): meeting date, committee, role, the agenda item and its result.';

-- A paper's action fields and integration flag: what extraction found in its own document, in
-- the text of any of its files (documents.kind = file, parent_id = the paper), or in a press
-- release linked to it (a paper's title alone is short; the release that announces it says more).
CREATE VIEW council_paper_texts AS
    SELECT p.source, p.id AS paper, d.source AS doc_source, d.native_id AS doc_id, 'own' AS via
    FROM council_papers p
    JOIN documents d ON d.source = p.source AND (d.native_id = p.id OR (d.kind = 'file' AND d.parent_id = p.id))
    WHERE NOT p.deleted
    UNION ALL
    SELECT l.council_source, l.paper_id, l.press_source, l.press_id, 'press' FROM press_paper_links l;
COMMENT ON VIEW council_paper_texts IS 'The documents that say what a council paper is about: its own, its files, and the press releases linked to it (via).';

CREATE VIEW council_paper_fields AS
    SELECT DISTINCT t.source, t.paper, f.action_field
    FROM council_paper_texts t
    JOIN extractions e ON e.source = t.doc_source AND e.native_id = t.doc_id,
    unnest(e.action_fields) AS f(action_field);
COMMENT ON VIEW council_paper_fields IS 'One row per council paper and action field that extraction found in the paper, its files or a press release linked to it.';

CREATE VIEW council_integration_papers AS
    SELECT DISTINCT p.source, p.id AS paper, p.reference, p.name, p.date, p.paper_type
    FROM council_papers p
    JOIN council_paper_texts t ON t.source = p.source AND t.paper = p.id
    JOIN extractions e ON e.source = t.doc_source AND e.native_id = t.doc_id
    WHERE NOT p.deleted AND (e.integration OR len(e.action_fields) > 0);
COMMENT ON VIEW council_integration_papers IS 'Council papers about migration / integration: extraction marked the paper, one of its files or a press release linked to it as integration, or found an action field there.';

CREATE VIEW council_papers_by_committee_field_year AS
    SELECT c.source, c.committee, f.action_field, year(p.date) AS year, count(DISTINCT p.id) AS papers
    FROM council_papers p
    JOIN council_paper_fields f ON f.source = p.source AND f.paper = p.id
    JOIN (SELECT DISTINCT source, paper, committee FROM council_paper_consultations WHERE committee IS NOT NULL) c
      ON c.source = p.source AND c.paper = p.id
    WHERE NOT p.deleted
    GROUP BY ALL;
COMMENT ON VIEW council_papers_by_committee_field_year IS 'Papers per committee that handled them (any consultation), action field and year of the paper.';

CREATE VIEW council_integration_votes_by_faction AS
    SELECT v.source, v.paper, v.paper_reference, v.paper_name, v.meeting_date, v.committee, v.vote, v.main,
           v.result, v.faction, v.position, v.yes, v.no, v.abstain, v.sentence
    FROM council_vote_factions v
    JOIN council_integration_papers i ON i.source = v.source AND i.paper = v.paper;
COMMENT ON VIEW council_integration_votes_by_faction IS 'How each faction voted on integration papers (council_integration_papers), per vote, meeting and committee.';
