-- Kommunalmonitor store, version 6: council documents from OParl servers (crawler/spiders/oparl.py,
-- loaded by pipeline/store/council.py). One row per OParl object as served, keyed by the source and
-- the object's id exactly as the server wrote it; relations between objects; file downloads; the
-- incremental cursor. Typed views (council_*) read them.

-- Papers and agenda items become documents too, so extraction, classification and search see them.
ALTER TABLE documents ADD COLUMN kind VARCHAR DEFAULT 'press';
COMMENT ON COLUMN documents.kind IS 'press (a press release), paper (an OParl Paper, Vorlage) or agenda_item (an OParl AgendaItem); council documents have the OParl id as native_id.';

-- Trend figures are about press releases: a council paper is not an article, and counting the
-- thousands of agenda items of a council among them would swamp every share.
CREATE OR REPLACE VIEW articles AS
    SELECT * FROM documents WHERE duplicate_of IS NULL AND kind = 'press';
COMMENT ON VIEW articles IS 'Press releases without republished copies: count trends here. Council papers and agenda items (documents.kind) are in documents and the council_* views.';

CREATE TABLE council_objects (
    source        VARCHAR NOT NULL,
    id            VARCHAR NOT NULL,      -- the OParl id exactly as served (a URL; never parsed)
    type          VARCHAR,               -- Paper, Meeting, AgendaItem, ... (from `type`, else from where it was found)
    modified      TIMESTAMP,             -- the object's `modified`, in UTC
    deleted       BOOLEAN NOT NULL,
    json          JSON NOT NULL,         -- the object as served, repaired (see repairs), embedded objects replaced by their ids
    content_hash  VARCHAR NOT NULL,      -- sha1 of json
    repairs       VARCHAR[],             -- what komo repaired or found missing
    embedded_in   VARCHAR,               -- id of the object it came embedded in (NULL: from a list or fetched itself)
    raw_ref       VARCHAR,               -- the JSON as served under the komo home (gzip, content-addressed)
    first_seen    TIMESTAMP NOT NULL,
    last_seen     TIMESTAMP NOT NULL,
    last_changed  TIMESTAMP NOT NULL,
    run_id        INTEGER,
    PRIMARY KEY (source, id)
);
COMMENT ON TABLE council_objects IS 'One row per OParl object (any type) of each council source: the newest version seen (by modified), deleted ones marked and their last full JSON kept.';

CREATE TABLE council_relations (
    source        VARCHAR NOT NULL,
    subject       VARCHAR NOT NULL,      -- id of the object whose field holds the reference
    subject_type  VARCHAR,
    relation      VARCHAR NOT NULL,      -- the field: consultation, auxiliaryFile, organization, membership, ...
    object        VARCHAR NOT NULL,      -- id referred to (embedded objects by their id)
    position      INTEGER NOT NULL,      -- order within the field
    run_id        INTEGER
);
COMMENT ON TABLE council_relations IS 'Every reference between OParl objects as served (one row per subject, field and target); replaced whenever the subject is loaded again.';

CREATE TABLE council_downloads (
    source        VARCHAR NOT NULL,
    file_id       VARCHAR NOT NULL,      -- the OParl File id
    url           VARCHAR NOT NULL,      -- downloadUrl (else accessUrl) as served
    status        INTEGER,               -- HTTP status of the last attempt (NULL: no answer or not attempted)
    raw_ref       VARCHAR,               -- the downloaded bytes (gzip, content-addressed); NULL: never downloaded
    sha256        VARCHAR,               -- of the downloaded bytes
    size          BIGINT,                -- bytes downloaded
    mime_type     VARCHAR,               -- Content-Type of the download
    file_modified TIMESTAMP,             -- the File's modified when it was downloaded
    error         VARCHAR,               -- why the last attempt failed (NULL: it worked)
    transient     BOOLEAN,               -- worth retrying
    fetched_at    TIMESTAMP NOT NULL,
    run_id        INTEGER,
    PRIMARY KEY (source, file_id)
);
COMMENT ON TABLE council_downloads IS 'Council files (PDFs) downloaded from the source''s hosts: what a text-extraction step reads (raw_ref, mime_type, size, sha256); a failed retry keeps the last good copy.';

CREATE TABLE council_crawl_state (
    source          VARCHAR PRIMARY KEY,
    modified_since  TIMESTAMP NOT NULL,  -- UTC; the next run asks every list for objects modified since then
    run_id          INTEGER NOT NULL,    -- the last complete run
    completed_at    TIMESTAMP NOT NULL
);
COMMENT ON TABLE council_crawl_state IS 'Incremental crawl cursor per council: start of the last complete run minus the source''s overlap.';

-- Reverse references: the parent an embedded object came in often is the only link (a
-- Consultation embedded in its Paper need not name the Paper).
CREATE VIEW council_papers AS
    WITH r AS (
        SELECT source, subject AS id,
               list(object ORDER BY position) FILTER (WHERE relation = 'underDirectionOf') AS under_direction_of,
               list(object ORDER BY position) FILTER (WHERE relation = 'originatorOrganization') AS originator_organizations,
               list(object ORDER BY position) FILTER (WHERE relation = 'originatorPerson') AS originator_persons,
               any_value(object) FILTER (WHERE relation = 'mainFile') AS main_file,
               list(object ORDER BY position) FILTER (WHERE relation = 'auxiliaryFile') AS auxiliary_files,
               list(object ORDER BY position) FILTER (WHERE relation = 'consultation') AS consultations,
               list(object ORDER BY position) FILTER (WHERE relation = 'relatedPaper') AS related_papers,
               list(object ORDER BY position) FILTER (WHERE relation = 'superordinatedPaper') AS superordinated_papers,
               list(object ORDER BY position) FILTER (WHERE relation = 'subordinatedPaper') AS subordinated_papers
        FROM council_relations WHERE subject_type = 'Paper' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, o.json->>'name' AS name, o.json->>'reference' AS reference,
           TRY_CAST(left(o.json->>'date', 10) AS DATE) AS date, o.json->>'paperType' AS paper_type,
           r.under_direction_of, r.originator_organizations, r.originator_persons, r.main_file, r.auxiliary_files,
           r.consultations, r.related_papers, r.superordinated_papers, r.subordinated_papers,
           o.json->>'web' AS web, o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN r USING (source, id) WHERE o.type = 'Paper';
COMMENT ON VIEW council_papers IS 'One row per council paper (Vorlage: Beschlussvorlage, Antrag, Anfrage, ...) with its files, consultations and the organizations behind it.';

CREATE VIEW council_meetings AS
    WITH r AS (
        SELECT source, subject AS id,
               list(object ORDER BY position) FILTER (WHERE relation = 'organization') AS organizations,
               list(object ORDER BY position) FILTER (WHERE relation = 'participant') AS participants,
               any_value(object) FILTER (WHERE relation = 'location') AS location_id,
               any_value(object) FILTER (WHERE relation = 'invitation') AS invitation,
               any_value(object) FILTER (WHERE relation = 'resultsProtocol') AS results_protocol,
               any_value(object) FILTER (WHERE relation = 'verbatimProtocol') AS verbatim_protocol,
               list(object ORDER BY position) FILTER (WHERE relation = 'auxiliaryFile') AS auxiliary_files,
               list(object ORDER BY position) FILTER (WHERE relation = 'agendaItem') AS agenda_items
        FROM council_relations WHERE subject_type = 'Meeting' GROUP BY ALL
    ), point AS (
        SELECT source, id, json->>'description' AS description,
               coalesce(json->'$.geojson.geometry.coordinates', json->'$.geojson.coordinates') AS xy
        FROM council_objects WHERE type = 'Location'
    )
    SELECT o.source, o.id, o.deleted, o.json->>'name' AS name, o.json->>'meetingState' AS meeting_state,
           TRY_CAST(o.json->>'cancelled' AS BOOLEAN) AS cancelled,
           TRY_CAST(left(o.json->>'start', 19) AS TIMESTAMP) AS start, TRY_CAST(left(o.json->>'end', 19) AS TIMESTAMP) AS "end",
           r.organizations, r.participants, p.description AS location,
           TRY_CAST(p.xy->>1 AS DOUBLE) AS latitude, TRY_CAST(p.xy->>0 AS DOUBLE) AS longitude,
           r.invitation, r.results_protocol, r.verbatim_protocol, r.auxiliary_files, r.agenda_items,
           o.json->>'web' AS web, o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN r USING (source, id)
    LEFT JOIN point p ON p.source = o.source AND p.id = r.location_id
    WHERE o.type = 'Meeting';
COMMENT ON VIEW council_meetings IS 'One row per council meeting (Sitzung): start and end as local time written by the server, organizations, place (coordinates repaired when swapped), files and agenda items.';

CREATE VIEW council_agenda_items AS
    WITH fwd AS (
        SELECT source, subject AS id,
               any_value(object) FILTER (WHERE relation = 'meeting') AS meeting,
               any_value(object) FILTER (WHERE relation = 'consultation') AS consultation,
               any_value(object) FILTER (WHERE relation = 'resolutionFile') AS resolution_file,
               list(object ORDER BY position) FILTER (WHERE relation = 'auxiliaryFile') AS auxiliary_files
        FROM council_relations WHERE subject_type = 'AgendaItem' GROUP BY ALL
    ), from_meeting AS (
        SELECT source, object AS id, min(subject) AS meeting FROM council_relations
        WHERE subject_type = 'Meeting' AND relation = 'agendaItem' GROUP BY ALL
    ), from_consultation AS (
        SELECT source, object AS id, min(subject) AS consultation FROM council_relations
        WHERE subject_type = 'Consultation' AND relation = 'agendaItem' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, coalesce(f.meeting, m.meeting) AS meeting, o.json->>'number' AS number,
           TRY_CAST(o.json->>'order' AS INTEGER) AS "order", o.json->>'name' AS name,
           TRY_CAST(o.json->>'public' AS BOOLEAN) AS public, o.json->>'result' AS result,
           o.json->>'resolutionText' AS resolution_text, coalesce(f.consultation, c.consultation) AS consultation,
           f.resolution_file, f.auxiliary_files, o.json->>'web' AS web, o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN fwd f USING (source, id) LEFT JOIN from_meeting m USING (source, id)
    LEFT JOIN from_consultation c USING (source, id)
    WHERE o.type = 'AgendaItem';
COMMENT ON VIEW council_agenda_items IS 'One row per agenda item (Tagesordnungspunkt) with its meeting, consultation (the paper it treats), result and resolution.';

CREATE VIEW council_consultations AS
    WITH fwd AS (
        SELECT source, subject AS id,
               any_value(object) FILTER (WHERE relation = 'paper') AS paper,
               any_value(object) FILTER (WHERE relation = 'meeting') AS meeting,
               any_value(object) FILTER (WHERE relation = 'agendaItem') AS agenda_item,
               list(object ORDER BY position) FILTER (WHERE relation = 'organization') AS organizations
        FROM council_relations WHERE subject_type = 'Consultation' GROUP BY ALL
    ), from_paper AS (
        SELECT source, object AS id, min(subject) AS paper FROM council_relations
        WHERE subject_type = 'Paper' AND relation = 'consultation' GROUP BY ALL
    ), from_item AS (
        SELECT source, object AS id, min(subject) AS agenda_item FROM council_relations
        WHERE subject_type = 'AgendaItem' AND relation = 'consultation' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, coalesce(f.paper, p.paper) AS paper, f.meeting,
           coalesce(f.agenda_item, i.agenda_item) AS agenda_item, f.organizations, o.json->>'role' AS role,
           TRY_CAST(o.json->>'authoritative' AS BOOLEAN) AS authoritative, o.json->>'web' AS web, o.modified,
           o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN fwd f USING (source, id) LEFT JOIN from_paper p USING (source, id)
    LEFT JOIN from_item i USING (source, id)
    WHERE o.type = 'Consultation';
COMMENT ON VIEW council_consultations IS 'One row per consultation (Beratung): which paper went to which organization, meeting and agenda item, in which role (Vorberatung, Entscheidung, ...).';

CREATE VIEW council_organizations AS
    WITH r AS (
        SELECT source, subject AS id,
               list(object ORDER BY position) FILTER (WHERE relation = 'membership') AS memberships,
               any_value(object) FILTER (WHERE relation = 'subOrganizationOf') AS sub_organization_of,
               any_value(object) FILTER (WHERE relation = 'body') AS body
        FROM council_relations WHERE subject_type = 'Organization' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, o.json->>'name' AS name, o.json->>'shortName' AS short_name,
           o.json->>'organizationType' AS organization_type, o.json->>'classification' AS classification,
           TRY_CAST(o.json->>'startDate' AS DATE) AS start_date, TRY_CAST(o.json->>'endDate' AS DATE) AS end_date,
           r.body, r.sub_organization_of, r.memberships, o.json->>'web' AS web, o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN r USING (source, id) WHERE o.type = 'Organization';
COMMENT ON VIEW council_organizations IS 'One row per organization: council, committees (Gremien), factions, administrative units.';

CREATE VIEW council_persons AS
    WITH r AS (
        SELECT source, subject AS id, list(object ORDER BY position) FILTER (WHERE relation = 'membership') AS memberships
        FROM council_relations WHERE subject_type = 'Person' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, o.json->>'name' AS name, o.json->>'familyName' AS family_name,
           o.json->>'givenName' AS given_name, o.json->>'formOfAddress' AS form_of_address,
           json_extract_string(o.json, '$.title[*]') AS title, o.json->>'gender' AS gender,
           json_extract_string(o.json, '$.status[*]') AS status, r.memberships, o.json->>'web' AS web,
           o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN r USING (source, id) WHERE o.type = 'Person';
COMMENT ON VIEW council_persons IS 'One row per person of the council information system (members, officials): public office holders.';

CREATE VIEW council_memberships AS
    WITH fwd AS (
        SELECT source, subject AS id,
               any_value(object) FILTER (WHERE relation = 'person') AS person,
               any_value(object) FILTER (WHERE relation = 'organization') AS organization,
               any_value(object) FILTER (WHERE relation = 'onBehalfOf') AS on_behalf_of
        FROM council_relations WHERE subject_type = 'Membership' GROUP BY ALL
    ), from_person AS (
        SELECT source, object AS id, min(subject) AS person FROM council_relations
        WHERE subject_type = 'Person' AND relation = 'membership' GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, coalesce(f.person, p.person) AS person, f.organization,
           o.json->>'role' AS role, TRY_CAST(o.json->>'votingRight' AS BOOLEAN) AS voting_right,
           TRY_CAST(o.json->>'startDate' AS DATE) AS start_date, TRY_CAST(o.json->>'endDate' AS DATE) AS end_date,
           f.on_behalf_of, o.json->>'web' AS web, o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN fwd f USING (source, id) LEFT JOIN from_person p USING (source, id)
    WHERE o.type = 'Membership';
COMMENT ON VIEW council_memberships IS 'One row per membership: which person sat in which organization, in which role, from when to when.';

CREATE VIEW council_files AS
    WITH holders AS (
        SELECT source, object AS id,
               list(DISTINCT subject) FILTER (WHERE subject_type = 'Paper') AS papers,
               list(DISTINCT subject) FILTER (WHERE subject_type = 'Meeting') AS meetings,
               list(DISTINCT subject) FILTER (WHERE subject_type = 'AgendaItem') AS agenda_items
        FROM (
            SELECT source, object, subject, subject_type FROM council_relations
            WHERE relation IN ('mainFile', 'auxiliaryFile', 'invitation', 'resultsProtocol', 'verbatimProtocol',
                               'resolutionFile')
            UNION ALL
            SELECT source, subject, object, CASE relation WHEN 'paper' THEN 'Paper' WHEN 'meeting' THEN 'Meeting'
                   ELSE 'AgendaItem' END
            FROM council_relations WHERE subject_type = 'File' AND relation IN ('paper', 'meeting', 'agendaItem')
        ) GROUP BY ALL
    )
    SELECT o.source, o.id, o.deleted, o.json->>'name' AS name, o.json->>'fileName' AS file_name,
           o.json->>'mimeType' AS mime_type, TRY_CAST(left(o.json->>'date', 10) AS DATE) AS date,
           TRY_CAST(o.json->>'size' AS BIGINT) AS size, o.json->>'sha1Checksum' AS sha1_checksum,
           o.json->>'accessUrl' AS access_url, o.json->>'downloadUrl' AS download_url,
           h.papers, h.meetings, h.agenda_items,
           d.raw_ref IS NOT NULL AS downloaded, d.raw_ref AS download_ref, d.sha256, d.size AS downloaded_size,
           d.mime_type AS downloaded_mime_type, d.error AS download_error,
           o.modified, o.repairs, o.raw_ref, o.json
    FROM council_objects o LEFT JOIN holders h USING (source, id)
    LEFT JOIN council_downloads d ON d.source = o.source AND d.file_id = o.id
    WHERE o.type = 'File';
COMMENT ON VIEW council_files IS 'One row per council file (PDF) with the papers, meetings and agenda items it belongs to and its download (download_ref: the bytes under the komo home).';
