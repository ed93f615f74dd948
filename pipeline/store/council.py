"""Council objects (OParl) in the store: loading what the OParl spider staged, the state the next
crawl starts from, papers and agenda items as documents, and the figures of `komo council summary`.

Loads are merges by primary key: an object replaces the stored one when its `modified` is not
older (a deleted object always wins, and keeps the last full JSON), so a rerun, a run after a
kill, or a server that sends everything again converges to the same rows. All of it is set-based
SQL over the staged batch: no statement per object.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

logger = logging.getLogger(__name__)

DOCUMENT_KINDS = ("paper", "agenda_item")

_OBJECT_COLUMNS = {
    "source": "VARCHAR", "id": "VARCHAR", "type": "VARCHAR", "modified": "TIMESTAMP", "deleted": "BOOLEAN",
    "tombstone": "BOOLEAN", "json": "JSON", "hash": "VARCHAR",
    "refs": "STRUCT(rel VARCHAR, target VARCHAR, pos INTEGER)[]", "repairs": "VARCHAR[]", "via": "VARCHAR",
    "embedded_in": "VARCHAR", "raw_ref": "VARCHAR", "fetched_at": "TIMESTAMP",
}
_DOWNLOAD_COLUMNS = {
    "source": "VARCHAR", "file_id": "VARCHAR", "url": "VARCHAR", "status": "INTEGER", "raw_ref": "VARCHAR",
    "sha256": "VARCHAR", "size": "BIGINT", "mime_type": "VARCHAR", "error": "VARCHAR", "transient": "BOOLEAN",
    "fetched_at": "TIMESTAMP",
}


@dataclass
class CouncilLoad:
    """What one load of council staging files changed."""

    objects_new: int = 0
    objects_changed: int = 0
    objects_unchanged: int = 0
    objects_deleted: int = 0      # became deleted in this load
    objects_stale: int = 0        # older than the stored version: ignored
    downloads: int = 0
    downloads_failed: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_removed: int = 0
    cursor: str | None = None     # the modified_since the next run starts from (None: run incomplete)
    by_type: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _columns(columns: dict[str, str]) -> str:
    # read_json takes its column spec as a literal; names and types are this module's constants.
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


def _stage(con: duckdb.DuckDBPyConnection, table: str, path: Path, columns: dict[str, str], required: str) -> None:
    # Torn last lines (a killed spider) read as all-NULL rows and are dropped by `required`.
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_json(?, "  # noqa: S608
        f"format = 'newline_delimited', columns = {_columns(columns)}, ignore_errors = true, "
        f"maximum_object_size = 268435456) WHERE {required}",
        [str(path)],
    )


def load_council_staging(con: duckdb.DuckDBPyConnection, directory: Path, run_id: int,
                         now: datetime) -> CouncilLoad | None:
    """Merge a council crawl's staging files (objects, downloads, spider.json) into the store.

    Runs inside the caller's transaction (Store.load_staging). None when the directory holds no
    council files.
    """
    objects, downloads = directory / "objects.jsonl", directory / "downloads.jsonl"
    if not objects.exists() and not downloads.exists():
        return None
    result = CouncilLoad()
    sources: set[str] = set()
    if objects.exists():
        _stage(con, "staged_objects", objects, _OBJECT_COLUMNS,
               "id IS NOT NULL AND source IS NOT NULL AND json IS NOT NULL AND fetched_at IS NOT NULL")
        sources |= {r[0] for r in con.execute("SELECT DISTINCT source FROM staged_objects").fetchall()}
        _merge_objects(con, run_id, result)
    if downloads.exists():
        _stage(con, "staged_downloads", downloads, _DOWNLOAD_COLUMNS,
               "file_id IS NOT NULL AND source IS NOT NULL AND fetched_at IS NOT NULL")
        sources |= {r[0] for r in con.execute("SELECT DISTINCT source FROM staged_downloads").fetchall()}
        _merge_downloads(con, run_id, result)
    if sources:
        _refresh_documents(con, sorted(sources), run_id, now, result)
    spider = directory / "spider.json"
    summary = json.loads(spider.read_text(encoding="utf-8")) if spider.exists() else {}
    if summary.get("complete") and summary.get("started_at") and len(sources) == 1:
        overlap = float(summary.get("overlap_hours", 24))
        cursor = datetime.fromisoformat(summary["started_at"]) - timedelta(hours=overlap)
        con.execute("INSERT OR REPLACE INTO council_crawl_state VALUES (?, ?, ?, ?)",
                    [next(iter(sources)), cursor, run_id, now])
        result.cursor = cursor.isoformat()
    for name in ("staged_objects", "staged_downloads", "council_batch", "council_merge", "council_docs",
                 "council_gone"):
        con.execute(f"DROP TABLE IF EXISTS {name}")
    return result


def _merge_objects(con: duckdb.DuckDBPyConnection, run_id: int, result: CouncilLoad) -> None:
    # One version per id: the newest; a deletion before a live copy of the same instant; a copy
    # from a list or fetched itself before an embedded one (embedded copies may lack fields).
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE council_batch AS SELECT * FROM staged_objects
        QUALIFY row_number() OVER (PARTITION BY source, id ORDER BY modified DESC NULLS LAST, deleted DESC,
                                   (via = 'embedded'), fetched_at DESC) = 1
        """
    )
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE council_merge AS
        WITH b AS (
            -- A deletion notice carries no content: the stored version's hash stays.
            SELECT b.* REPLACE (CASE WHEN b.tombstone AND o.id IS NOT NULL THEN o.content_hash ELSE b.hash END AS hash)
            FROM council_batch b LEFT JOIN council_objects o USING (source, id)
        )
        SELECT b.source, b.id, coalesce(b.type, o.type) AS type, b.modified, b.deleted,
               CASE WHEN b.tombstone AND o.id IS NOT NULL THEN o.json ELSE b.json END AS json,
               b.hash AS content_hash,
               CASE WHEN b.tombstone AND o.id IS NOT NULL THEN list_distinct(list_concat(o.repairs, b.repairs))
                    ELSE b.repairs END AS repairs,
               CASE WHEN b.tombstone AND o.id IS NOT NULL THEN o.embedded_in ELSE b.embedded_in END AS embedded_in,
               CASE WHEN b.tombstone AND o.id IS NOT NULL THEN o.raw_ref ELSE b.raw_ref END AS raw_ref,
               coalesce(o.first_seen, b.fetched_at) AS first_seen, b.fetched_at AS last_seen,
               CASE WHEN o.id IS NULL OR o.content_hash <> b.hash OR o.deleted <> b.deleted
                    THEN b.fetched_at ELSE o.last_changed END AS last_changed,
               o.id IS NULL AS is_new,
               o.id IS NOT NULL AND (o.content_hash <> b.hash OR o.deleted <> b.deleted) AS is_changed,
               b.deleted AND NOT coalesce(o.deleted, false) AS is_newly_deleted,
               NOT b.tombstone AS replaces_relations, b.refs
        FROM b LEFT JOIN council_objects o USING (source, id)
        WHERE o.id IS NULL OR b.modified IS NULL OR o.modified IS NULL OR b.modified >= o.modified
           OR (b.deleted AND NOT o.deleted)
        """
    )
    batch = con.execute("SELECT count(*) FROM council_batch").fetchone()[0]
    new, changed, deleted, merged = con.execute(
        "SELECT count(*) FILTER (WHERE is_new), count(*) FILTER (WHERE is_changed), "
        "count(*) FILTER (WHERE is_newly_deleted), count(*) FROM council_merge").fetchone()
    result.objects_new += new
    result.objects_changed += changed
    result.objects_deleted += deleted
    result.objects_unchanged += merged - new - changed
    result.objects_stale += batch - merged
    result.by_type = dict(con.execute(
        "SELECT coalesce(type, '?'), count(*) FROM council_merge WHERE is_new OR is_changed GROUP BY ALL "
        "ORDER BY ALL").fetchall())
    con.execute(
        """
        INSERT OR REPLACE INTO council_objects
        SELECT source, id, type, modified, deleted, json, content_hash, repairs, embedded_in, raw_ref,
               first_seen, last_seen, last_changed, ?
        FROM council_merge
        """,
        [run_id],
    )
    # What came embedded in a deleted object (a meeting's agenda items, a paper's files and
    # consultations) goes with it, unless this load saw it alive on its own.
    con.execute("CREATE OR REPLACE TEMP TABLE council_gone AS "
                "SELECT source, id FROM council_merge WHERE is_newly_deleted")
    for _ in range(3):  # meeting → agenda item → file
        cascaded = con.execute(
            """
            UPDATE council_objects o SET deleted = true, last_changed = g.at, run_id = ?,
                   repairs = list_append(coalesce(o.repairs, []), 'deleted with ' || o.embedded_in)
            FROM (SELECT source, id, current_timestamp::TIMESTAMP AS at FROM council_gone) g
            WHERE o.source = g.source AND o.embedded_in = g.id AND NOT o.deleted
              AND NOT EXISTS (SELECT 1 FROM council_merge m WHERE m.source = o.source AND m.id = o.id
                              AND NOT m.deleted)
            RETURNING o.source, o.id
            """, [run_id]).fetchall()
        if not cascaded:
            break
        result.objects_deleted += len(cascaded)
        con.execute("CREATE OR REPLACE TEMP TABLE council_gone AS SELECT unnest(?) AS source, unnest(?) AS id",
                    [[c[0] for c in cascaded], [c[1] for c in cascaded]])
    con.execute(
        "DELETE FROM council_relations WHERE (source, subject) IN "
        "(SELECT source, id FROM council_merge WHERE replaces_relations)")
    con.execute(
        """
        INSERT INTO council_relations
        SELECT source, id, type, r.rel, r.target, r.pos, ?
        FROM (SELECT source, id, type, unnest(refs) AS r FROM council_merge WHERE replaces_relations)
        WHERE r.rel IS NOT NULL AND r.target IS NOT NULL
        """,
        [run_id],
    )


def _merge_downloads(con: duckdb.DuckDBPyConnection, run_id: int, result: CouncilLoad) -> None:
    # The last attempt per file decides status and error; a failed attempt keeps the last good copy.
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE council_batch AS SELECT * FROM staged_downloads
        QUALIFY row_number() OVER (PARTITION BY source, file_id ORDER BY (raw_ref IS NOT NULL) DESC,
                                   fetched_at DESC) = 1
        """
    )
    result.downloads, result.downloads_failed = con.execute(
        "SELECT count(*) FILTER (WHERE raw_ref IS NOT NULL), count(*) FILTER (WHERE raw_ref IS NULL) "
        "FROM council_batch").fetchone()
    con.execute(
        """
        INSERT OR REPLACE INTO council_downloads
        SELECT b.source, b.file_id, b.url, b.status,
               coalesce(b.raw_ref, d.raw_ref), CASE WHEN b.raw_ref IS NULL THEN d.sha256 ELSE b.sha256 END,
               CASE WHEN b.raw_ref IS NULL THEN d.size ELSE b.size END,
               CASE WHEN b.raw_ref IS NULL THEN d.mime_type ELSE b.mime_type END,
               CASE WHEN b.raw_ref IS NULL THEN d.file_modified ELSE coalesce(f.modified, TIMESTAMP '1970-01-01') END,
               b.error, b.transient, b.fetched_at, ?
        FROM council_batch b
        LEFT JOIN council_downloads d ON d.source = b.source AND d.file_id = b.file_id
        LEFT JOIN council_objects f ON f.source = b.source AND f.id = b.file_id
        """,
        [run_id],
    )


def _refresh_documents(con: duckdb.DuckDBPyConnection, sources: list[str], run_id: int, now: datetime,
                       result: CouncilLoad) -> None:
    """Papers and live agenda items of `sources` as documents: recomputed from the objects, written
    only where new or changed, removed where the object is deleted or gone."""
    con.execute(
        r"""
        CREATE OR REPLACE TEMP TABLE council_docs AS
        WITH objects AS (
            SELECT * FROM council_objects WHERE list_contains($sources, source)
        ), relations AS (
            SELECT * FROM council_relations WHERE list_contains($sources, source)
        ), org_names AS (
            SELECT source, id, json->>'name' AS name FROM objects WHERE type = 'Organization'
        ), paper_sender AS (
            SELECT r.source, r.subject AS id,
                   arg_min(n.name, (r.relation <> 'originatorOrganization')::INTEGER * 100000 + r.position) AS sender
            FROM relations r JOIN org_names n ON n.source = r.source AND n.id = r.object
            WHERE r.subject_type = 'Paper' AND r.relation IN ('originatorOrganization', 'underDirectionOf')
            GROUP BY ALL
        ), item_meeting AS (
            SELECT source, id, min(meeting) AS meeting FROM (
                SELECT source, subject AS id, object AS meeting FROM relations
                WHERE subject_type = 'AgendaItem' AND relation = 'meeting'
                UNION ALL
                SELECT source, object, subject FROM relations WHERE subject_type = 'Meeting' AND relation = 'agendaItem'
            ) GROUP BY ALL
        ), meeting_org AS (
            SELECT r.source, r.subject AS id, arg_min(n.name, r.position) AS committee
            FROM relations r JOIN org_names n ON n.source = r.source AND n.id = r.object
            WHERE r.subject_type = 'Meeting' AND r.relation = 'organization' GROUP BY ALL
        ), papers AS (
            SELECT o.source, o.id AS native_id, 'paper' AS kind, o.json->>'web' AS web, o.json->>'name' AS title,
                   TRY_CAST(left(o.json->>'date', 10) AS DATE) AS published, s.sender,
                   o.json->>'paperType' AS category,
                   -- `text`: a paper's own wording where the source serves it (SessionNet's vo0050 pages)
                   concat_ws(chr(10), o.json->>'name', o.json->>'reference', o.json->>'paperType', o.json->>'text')
                       AS body,
                   o.raw_ref, o.last_seen
            FROM objects o LEFT JOIN paper_sender s USING (source, id)
            WHERE o.type = 'Paper' AND NOT o.deleted
        ), items AS (
            SELECT o.source, o.id AS native_id, 'agenda_item' AS kind, o.json->>'web' AS web,
                   o.json->>'name' AS title,
                   coalesce(TRY_CAST(left(m.json->>'start', 10) AS DATE), TRY_CAST(left(o.json->>'start', 10) AS DATE))
                       AS published,
                   c.committee AS sender, 'Tagesordnungspunkt' AS category,
                   concat_ws(chr(10), o.json->>'name', 'TOP ' || (o.json->>'number'), o.json->>'result',
                             o.json->>'resolutionText') AS body,
                   o.raw_ref, o.last_seen
            FROM objects o LEFT JOIN item_meeting im USING (source, id)
            LEFT JOIN objects m ON m.source = o.source AND m.id = im.meeting
            LEFT JOIN meeting_org c ON c.source = o.source AND c.id = im.meeting
            WHERE o.type = 'AgendaItem' AND NOT o.deleted
        )
        SELECT source, native_id, kind, coalesce(web, native_id) AS canonical_url,
               list_distinct(list_filter([native_id, web], u -> u IS NOT NULL)) AS url_forms, title, published,
               sender, category, body,
               sha256(concat_ws(chr(31), kind, coalesce(web, native_id), coalesce(title, ''),
                                coalesce(published::VARCHAR, ''), coalesce(sender, ''), coalesce(category, ''), body))
                   AS content_hash, raw_ref, last_seen
        FROM (SELECT * FROM papers UNION ALL SELECT * FROM items)
        """,
        {"sources": sources},
    )
    gone = """
        SELECT d.source, d.native_id FROM documents d
        WHERE list_contains($sources, d.source) AND d.kind IN ('paper', 'agenda_item')
          AND NOT EXISTS (SELECT 1 FROM council_docs c WHERE c.source = d.source AND c.native_id = d.native_id)
    """
    result.documents_removed = con.execute(f"SELECT count(*) FROM ({gone})", {"sources": sources}).fetchone()[0]  # noqa: S608
    if result.documents_removed:
        for table in ("mentions", "extractions", "topics", "documents"):
            con.execute(f"DELETE FROM {table} WHERE (source, native_id) IN ({gone})", {"sources": sources})  # noqa: S608
    result.documents_new, result.documents_changed = con.execute(
        "SELECT count(*) FILTER (WHERE d.native_id IS NULL), count(*) FILTER (WHERE d.content_hash <> c.content_hash) "
        "FROM council_docs c LEFT JOIN documents d USING (source, native_id)").fetchone()
    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE council_docs AS
        SELECT c.* FROM council_docs c LEFT JOIN documents d USING (source, native_id)
        WHERE d.native_id IS NULL OR d.content_hash <> c.content_hash
        """
    )
    con.execute(
        "INSERT INTO document_versions SELECT source, native_id, content_hash, title, published, sender, category, "
        "body, raw_ref, ?, ? FROM council_docs ON CONFLICT DO NOTHING", [now, run_id])
    con.execute(
        """
        INSERT INTO documents (source, native_id, canonical_url, url_forms, title, published, sender, category, body,
            content_hash, first_seen, last_seen, last_changed, raw_ref, run_id, kind)
        SELECT source, native_id, canonical_url, url_forms, title, published, sender, category, body, content_hash,
               $now, $now, $now, raw_ref, $run, kind
        FROM council_docs
        ON CONFLICT (source, native_id) DO UPDATE SET
            canonical_url = excluded.canonical_url, url_forms = excluded.url_forms, title = excluded.title,
            published = excluded.published, sender = excluded.sender, category = excluded.category,
            body = excluded.body, content_hash = excluded.content_hash, last_seen = excluded.last_seen,
            last_changed = excluded.last_changed, raw_ref = excluded.raw_ref, run_id = excluded.run_id,
            kind = excluded.kind
        """,
        {"now": now, "run": run_id},
    )


# -- what the next crawl needs -----------------------------------------------------------------


def crawl_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    """The spider's starting point, as plain data: the cursor, the ids already stored (referred-to
    objects among them are not fetched again), referred-to objects the server did not have, files
    settled (downloaded, or failed for good, at their modified), and files still to download."""
    row = con.execute("SELECT modified_since FROM council_crawl_state WHERE source = ?", [source]).fetchone()
    known = [r[0] for r in con.execute("SELECT id FROM council_objects WHERE source = ?", [source]).fetchall()]
    settled = dict(con.execute(
        "SELECT file_id, strftime(file_modified, '%Y-%m-%dT%H:%M:%S') FROM council_downloads "
        "WHERE source = ? AND file_modified IS NOT NULL AND (raw_ref IS NOT NULL OR NOT coalesce(transient, true))",
        [source]).fetchall())
    pending = con.execute(
        """
        SELECT o.id, coalesce(o.json->>'downloadUrl', o.json->>'accessUrl') AS url
        FROM council_objects o LEFT JOIN council_downloads d ON d.source = o.source AND d.file_id = o.id
        -- (not `url IS NOT NULL`: council_downloads.url would shadow the alias, and files never tried have none)
        WHERE o.source = ? AND o.type = 'File' AND NOT o.deleted
          AND coalesce(o.json->>'downloadUrl', o.json->>'accessUrl') IS NOT NULL
          AND (d.file_id IS NULL OR (d.raw_ref IS NULL AND coalesce(d.transient, true))
               OR (o.modified IS NOT NULL AND d.file_modified < o.modified))
        ORDER BY o.id
        """,
        [source]).fetchall()
    unresolvable = [r[0] for r in con.execute(
        "SELECT DISTINCT url FROM crawl_errors WHERE source = ? AND kind = 'reference' AND NOT transient",
        [source]).fetchall()]
    return {"modified_since": row[0].isoformat() if row else None, "known": known, "unresolvable": unresolvable,
            "settled_files": settled, "pending_files": [list(p) for p in pending]}


def counts(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """Live objects per type of one council (deleted ones apart), for run summaries."""
    rows = con.execute(
        "SELECT type, count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE deleted) FROM council_objects "
        "WHERE source = ? GROUP BY type ORDER BY type", [source]).fetchall()
    out = {f"{t or '?'}": live for t, live, _ in rows}
    out["deleted"] = sum(d for _, _, d in rows)
    out["files_downloaded"] = con.execute(
        "SELECT count(*) FROM council_downloads WHERE source = ? AND raw_ref IS NOT NULL", [source]).fetchone()[0]
    return out


# -- `komo council summary` --------------------------------------------------------------------


@dataclass
class CouncilSummary:
    source: str
    totals: dict[str, Any]
    paper_types: list[tuple[str, int]]
    committees: list[tuple[str, int, int, int]]                # committee, papers, integration, meetings
    fields: list[tuple[str, int]]                               # action field, papers
    committee_fields: list[tuple[str, str, int]]               # committee, action field, papers
    topics: list[tuple[str, int]]                               # classifier topic, papers
    classified: bool


def summary(con: duckdb.DuckDBPyConnection, source: str, top: int = 12) -> CouncilSummary:
    """What the pipeline found for one council, from a store (the published snapshot)."""
    one = con.execute
    exists = one("SELECT count(*) FROM council_objects WHERE source = ?", [source]).fetchone()[0]
    if not exists:
        return CouncilSummary(source, {}, [], [], [], [], [], False)
    totals = dict(zip(
        ["papers", "papers deleted", "meetings", "agenda items", "consultations", "organizations", "persons",
         "memberships", "files", "files downloaded", "first paper", "last paper"],
        one(
            """
            SELECT count(*) FILTER (WHERE type = 'Paper' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'Paper' AND deleted),
                   count(*) FILTER (WHERE type = 'Meeting' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'AgendaItem' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'Consultation' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'Organization' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'Person' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'Membership' AND NOT deleted),
                   count(*) FILTER (WHERE type = 'File' AND NOT deleted),
                   (SELECT count(*) FROM council_downloads WHERE source = $s AND raw_ref IS NOT NULL),
                   (SELECT min(date) FROM council_papers WHERE source = $s AND NOT deleted),
                   (SELECT max(date) FROM council_papers WHERE source = $s AND NOT deleted)
            FROM council_objects WHERE source = $s
            """, {"s": source}).fetchone(), strict=True))
    paper_types = one(
        "SELECT coalesce(paper_type, '(none)'), count(*) AS n FROM council_papers WHERE source = ? AND NOT deleted "
        "GROUP BY ALL ORDER BY n DESC, 1 LIMIT ?", [source, top]).fetchall()
    classified = one(
        "SELECT count(*) FROM topics t JOIN documents d USING (source, native_id) "
        "WHERE d.source = ? AND d.kind = 'paper'", [source]).fetchone()[0] > 0
    # A paper belongs to every committee it was consulted in (its consultations' organizations).
    base = """
        WITH paper_committee AS (
            SELECT DISTINCT c.source, c.paper, o.name AS committee
            FROM council_consultations c, unnest(c.organizations) AS u(org)
            JOIN council_organizations o ON o.source = c.source AND o.id = u.org
            WHERE c.source = $s AND c.paper IS NOT NULL AND NOT c.deleted
        ), labels AS (
            SELECT source, native_id AS paper, label_set, label FROM current_topics
            WHERE source = $s AND assigned
        ), papers AS (
            SELECT source, id AS paper FROM council_papers WHERE source = $s AND NOT deleted
        )
    """
    # `base` is this function's constant text; only parameters vary.
    committees = one(base + """
        SELECT pc.committee, count(DISTINCT pc.paper) AS papers,
               count(DISTINCT pc.paper) FILTER (WHERE l.label_set = 'integration') AS integration,
               (SELECT count(*) FROM council_meetings m, unnest(m.organizations) AS u(org)
                JOIN council_organizations o2 ON o2.source = m.source AND o2.id = u.org
                WHERE m.source = $s AND NOT m.deleted AND o2.name = pc.committee) AS meetings
        FROM paper_committee pc JOIN papers USING (source, paper) LEFT JOIN labels l USING (source, paper)
        GROUP BY pc.committee ORDER BY papers DESC, pc.committee LIMIT $top
        """, {"s": source, "top": top}).fetchall()  # noqa: S608
    fields = one(base + """
        SELECT l.label, count(DISTINCT paper) AS n FROM labels l JOIN papers USING (source, paper)
        WHERE l.label_set = 'action_field' GROUP BY ALL ORDER BY n DESC, 1
        """, {"s": source}).fetchall()  # noqa: S608
    committee_fields = one(base + """
        SELECT pc.committee, l.label, count(DISTINCT pc.paper) AS n
        FROM paper_committee pc JOIN papers USING (source, paper) JOIN labels l USING (source, paper)
        WHERE l.label_set = 'action_field' GROUP BY ALL ORDER BY n DESC, 1, 2 LIMIT $top
        """, {"s": source, "top": top}).fetchall()  # noqa: S608
    topics = one(base + """
        SELECT l.label, count(DISTINCT paper) AS n FROM labels l JOIN papers USING (source, paper)
        WHERE l.label_set IN ('topic', 'integration') GROUP BY ALL ORDER BY n DESC, 1
        """, {"s": source}).fetchall()  # noqa: S608
    return CouncilSummary(source, totals, paper_types, committees, fields, committee_fields, topics, classified)
