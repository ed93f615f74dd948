-- Kommunalmonitor store, version 8: SessionNet councils and the votes of council minutes.
--
-- A SessionNet council (crawler/spiders/sessionnet.py) is stored like an OParl one: its meetings,
-- agenda items, papers, consultations, committees and files are council_objects in the OParl model,
-- with ids from their URL parameters (meeting/123 from __ksinr=123, agenda-item/4567, paper/89,
-- file/1011), so the council_* views and documents need nothing new. What is new: the votes read
-- from every agenda item's result fields and minutes text (crawler/votes.py), for OParl and
-- SessionNet councils alike.

CREATE TABLE council_vote_records (
    source          VARCHAR NOT NULL,
    agenda_item     VARCHAR NOT NULL,      -- council_objects id of the agenda item the vote is in
    position        INTEGER NOT NULL,      -- 1, 2, …: the votes of the item in the order of its text
    main            BOOLEAN NOT NULL,      -- the vote on the matter itself (not on an amendment or a motion)
    motion          VARCHAR,               -- NULL (the matter) or 'subsidiary' (amendment, procedural motion)
    result          VARCHAR,               -- angenommen, abgelehnt, zur Kenntnis genommen, vertagt, zurückgezogen, verwiesen, ohne Beschluss
    unanimous       BOOLEAN,               -- all votes cast one way (abstentions do not count); NULL: not said
    yes             INTEGER,               -- totals only as written; NULL: not said (never summed from factions)
    no              INTEGER,
    abstain         INTEGER,
    factions        STRUCT(name VARCHAR, position VARCHAR, yes INTEGER, no INTEGER, abstain INTEGER)[],
    sentence        VARCHAR NOT NULL,      -- the passage the vote was read from, as written
    item_hash       VARCHAR NOT NULL,      -- content_hash of the agenda item version read
    parser_version  VARCHAR NOT NULL,
    run_id          INTEGER,
    PRIMARY KEY (source, agenda_item, position)
);
COMMENT ON TABLE council_vote_records IS 'Votes read from agenda items (result fields and minutes text) by crawler/votes.py: one row per decision, the main one marked; re-read when the item or the parser changes.';

CREATE TABLE council_vote_reads (
    source          VARCHAR NOT NULL,
    agenda_item     VARCHAR NOT NULL,
    item_hash       VARCHAR NOT NULL,      -- the item version read
    parser_version  VARCHAR NOT NULL,
    votes           INTEGER NOT NULL,      -- votes found (0: the item reports none)
    read_at         TIMESTAMP NOT NULL,
    run_id          INTEGER,
    PRIMARY KEY (source, agenda_item)
);
COMMENT ON TABLE council_vote_reads IS 'Which version of each agenda item the vote parser read last, and with which parser: what the next crawl need not read again.';

CREATE VIEW council_votes AS
    SELECT v.source, v.agenda_item, v.position AS vote, v.main, v.motion, v.result, v.unanimous,
           v.yes, v.no, v.abstain, v.factions, v.sentence,
           a.meeting, TRY_CAST(m.start AS DATE) AS meeting_date, o.name AS committee,
           a.number AS item_number, a.name AS item_name,
           coalesce(c.paper, 'paper/' || (a.json->>'$.sessionnet.paper')) AS paper,
           p.reference AS paper_reference, p.name AS paper_name, p.paper_type, v.parser_version
    FROM council_vote_records v
    JOIN council_agenda_items a ON a.source = v.source AND a.id = v.agenda_item
    LEFT JOIN council_meetings m ON m.source = a.source AND m.id = a.meeting
    LEFT JOIN council_organizations o ON o.source = m.source AND o.id = m.organizations[1]
    LEFT JOIN council_consultations c ON c.source = a.source AND c.id = a.consultation
    LEFT JOIN council_papers p ON p.source = a.source
         AND p.id = coalesce(c.paper, 'paper/' || (a.json->>'$.sessionnet.paper'))
    WHERE NOT a.deleted;
COMMENT ON VIEW council_votes IS 'One row per vote (decision) of a council agenda item: result, unanimity, totals, factions, the sentence it was read from, with meeting, committee and paper. main = the vote on the matter itself.';

CREATE VIEW council_vote_factions AS
    SELECT v.source, v.agenda_item, v.vote, v.main, v.result, v.meeting_date, v.committee, v.paper,
           v.paper_reference, v.paper_name, u.f.name AS faction, u.f.position AS position,
           u.f.yes AS yes, u.f.no AS no, u.f.abstain AS abstain, v.sentence
    FROM council_votes v, unnest(v.factions) AS u(f);
COMMENT ON VIEW council_vote_factions IS 'One row per vote and voting group (faction, party, list, person): its position on the proposal (yes, no, abstain, split) and its counts when the minutes give them.';
