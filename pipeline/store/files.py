"""Council files' text in the store (migration 007): which downloaded files need reading, the
outcome of reading each (`file_texts`), file documents (`documents.kind = 'file'`) with their
pages (`document_pages`), and the read side (summary, errors, pages of search hits).

A file document's metadata comes from the council objects (the File's name and date, the paper,
agenda item or meeting that lists it); its body from the files step. `content_hash` is made of
both — the text by its hash (`file_texts.text_sha256`) — so a crawl that renames a paper changes
its files' documents without any file being read again.

Every function runs inside the caller's transaction where it writes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import duckdb

# Sources as a bound list; NULL means every source.
_IN_SOURCES = "($sources::VARCHAR[] IS NULL OR list_contains($sources::VARCHAR[], {}))"

# The relations through which a paper, agenda item or meeting lists its files, and what the file
# is to it (documents.category of the file document).
_FILE_RELATIONS = {"mainFile": "Hauptdokument", "auxiliaryFile": "Anlage", "invitation": "Einladung",
                   "resultsProtocol": "Ergebnisprotokoll", "verbatimProtocol": "Wortprotokoll",
                   "resolutionFile": "Beschluss"}


def files_to_read(con: duckdb.DuckDBPyConnection, sources: list[str] | None, version: str, limits: str,
                  ocr_available: bool, everything: bool = False) -> list[tuple[Any, ...]]:
    """(source, file_id, raw_ref, sha256, mime_type, declared_type, file_name) of every downloaded,
    live file that was never read, or read from other bytes or by another reader version; also
    files whose outcome would change: a limit hit under other limits, pages that needed OCR now
    that Tesseract is there, a text whose document is missing. `everything`: all of them."""
    return con.execute(
        f"""
        SELECT d.source, d.file_id, d.raw_ref, d.sha256, d.mime_type, o.json->>'mimeType', o.json->>'fileName'
        FROM council_downloads d
        JOIN council_objects o ON o.source = d.source AND o.id = d.file_id AND o.type = 'File' AND NOT o.deleted
        LEFT JOIN file_texts t ON t.source = d.source AND t.file_id = d.file_id
        WHERE d.raw_ref IS NOT NULL AND d.sha256 IS NOT NULL AND {_IN_SOURCES.format('d.source')}
          AND ($everything OR t.file_id IS NULL OR t.sha256 <> d.sha256 OR t.reader_version <> $version
               OR (t.limits <> $limits AND (t.reason IN ('too_large', 'timeout') OR t.truncated_pages))
               OR (t.ocr_needed_pages > 0 AND NOT t.ocr_available AND $ocr)
               OR (t.status = 'ok' AND NOT EXISTS (SELECT 1 FROM documents x WHERE x.source = t.source
                                                   AND x.native_id = t.file_id AND x.kind = 'file')))
        ORDER BY d.source, d.file_id
        """,  # noqa: S608 - the format fills in a column name of ours
        {"sources": sources, "version": version, "limits": limits, "ocr": ocr_available, "everything": everything},
    ).fetchall()


def downloaded_files(con: duckdb.DuckDBPyConnection, sources: list[str] | None) -> int:
    """Live files with a kept download: what the step looks at."""
    return con.execute(
        f"""
        SELECT count(*) FROM council_downloads d
        JOIN council_objects o ON o.source = d.source AND o.id = d.file_id AND o.type = 'File' AND NOT o.deleted
        WHERE d.raw_ref IS NOT NULL AND d.sha256 IS NOT NULL AND {_IN_SOURCES.format('d.source')}
        """,  # noqa: S608 - a column name of ours
        {"sources": sources}).fetchone()[0]


@dataclass
class DocumentChanges:
    new: int = 0
    changed: int = 0
    removed: int = 0

    def add(self, other: DocumentChanges) -> None:
        self.new += other.new
        self.changed += other.changed
        self.removed += other.removed


def save_texts(con: duckdb.DuckDBPyConnection, texts: Any, pages: Any, bodies: Any, run_id: int,
               now: datetime) -> DocumentChanges:
    """Store one batch of reading outcomes (Arrow tables: file_texts rows without run and time,
    document_pages rows, and (source, file_id, body) of the files read): the outcome rows, the
    pages, and the file documents — new or changed ones written, failed ones removed."""
    con.register("new_texts", texts)
    con.register("new_pages", pages)
    con.register("new_bodies", bodies)
    try:
        con.execute(
            """
            INSERT OR REPLACE INTO file_texts BY NAME
            SELECT *, $now AS read_at, $run AS run_id FROM new_texts
            """, {"now": now, "run": run_id})
        con.execute("DELETE FROM document_pages WHERE (source, native_id) IN (SELECT source, file_id FROM new_texts)")
        con.execute("INSERT INTO document_pages BY NAME SELECT * FROM new_pages")
        con.execute("CREATE OR REPLACE TEMP TABLE file_scope AS SELECT source, file_id FROM new_bodies")
        _file_metadata(con)
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE file_docs AS
            SELECT m.*, b.body FROM file_meta m JOIN new_bodies b ON b.source = m.source AND b.file_id = m.native_id
            """)
        changes = DocumentChanges(*con.execute(
            "SELECT count(*) FILTER (WHERE d.native_id IS NULL), "
            "count(*) FILTER (WHERE d.content_hash <> f.content_hash OR d.kind <> 'file') "
            "FROM file_docs f LEFT JOIN documents d USING (source, native_id)").fetchone())
        con.execute(
            "INSERT INTO document_versions SELECT source, native_id, content_hash, title, published, sender, category, "
            "body, raw_ref, ?, ? FROM file_docs ON CONFLICT DO NOTHING", [now, run_id])
        con.execute(
            """
            INSERT INTO documents (source, native_id, canonical_url, url_forms, title, published, sender, category,
                body, content_hash, first_seen, last_seen, last_changed, raw_ref, run_id, kind, parent_kind, parent_id)
            SELECT source, native_id, canonical_url, url_forms, title, published, sender, category, body, content_hash,
                   $now, $now, $now, raw_ref, $run, 'file', parent_kind, parent_id
            FROM file_docs
            ON CONFLICT (source, native_id) DO UPDATE SET
                canonical_url = excluded.canonical_url, url_forms = excluded.url_forms, title = excluded.title,
                published = excluded.published, sender = excluded.sender, category = excluded.category,
                body = excluded.body, last_seen = excluded.last_seen,
                last_changed = CASE WHEN documents.content_hash <> excluded.content_hash
                                    THEN excluded.last_changed ELSE documents.last_changed END,
                content_hash = excluded.content_hash, raw_ref = excluded.raw_ref, run_id = excluded.run_id,
                kind = excluded.kind, parent_kind = excluded.parent_kind, parent_id = excluded.parent_id
            """, {"now": now, "run": run_id})
        changes.removed = _remove_documents(
            con, "SELECT source, file_id FROM new_texts WHERE status <> 'ok'", None)
    finally:
        for name in ("new_texts", "new_pages", "new_bodies"):
            con.unregister(name)
        for name in ("file_scope", "file_meta", "file_docs"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return changes


def refresh_documents(con: duckdb.DuckDBPyConnection, sources: list[str] | None, run_id: int,
                      now: datetime) -> DocumentChanges:
    """After a crawl: file documents whose metadata changed (a renamed paper, a file moved to
    another paper) get it, bodies untouched; documents, texts and pages of files that are deleted
    or gone are removed."""
    changes = DocumentChanges()
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE file_scope AS
        SELECT source, file_id FROM file_texts WHERE status = 'ok' AND {_IN_SOURCES.format('source')}
        """,  # noqa: S608 - a column name of ours
        {"sources": sources})
    try:
        _file_metadata(con)
        con.execute(
            """
            CREATE OR REPLACE TEMP TABLE file_docs AS
            SELECT m.* FROM file_meta m JOIN documents d USING (source, native_id)
            WHERE d.content_hash <> m.content_hash
            """)
        changes.changed = con.execute("SELECT count(*) FROM file_docs").fetchone()[0]
        if changes.changed:
            con.execute(
                "INSERT INTO document_versions SELECT f.source, f.native_id, f.content_hash, f.title, f.published, "
                "f.sender, f.category, d.body, f.raw_ref, ?, ? FROM file_docs f JOIN documents d USING "
                "(source, native_id) ON CONFLICT DO NOTHING", [now, run_id])
            con.execute(
                """
                UPDATE documents SET canonical_url = f.canonical_url, url_forms = f.url_forms, title = f.title,
                    published = f.published, sender = f.sender, category = f.category, content_hash = f.content_hash,
                    raw_ref = f.raw_ref, parent_kind = f.parent_kind, parent_id = f.parent_id, last_seen = $now,
                    last_changed = $now, run_id = $run
                FROM file_docs f WHERE documents.source = f.source AND documents.native_id = f.native_id
                """, {"now": now, "run": run_id})
        live = """
            SELECT 1 FROM council_objects o WHERE o.source = {0}.source AND o.id = {0}.{1} AND o.type = 'File'
            AND NOT o.deleted
        """
        changes.removed = _remove_documents(
            con,
            f"""
            SELECT d.source, d.native_id FROM documents d
            WHERE d.kind = 'file' AND {_IN_SOURCES.format('d.source')}
              AND NOT (EXISTS ({live.format('d', 'native_id')})
                       AND EXISTS (SELECT 1 FROM file_texts t WHERE t.source = d.source AND t.file_id = d.native_id
                                   AND t.status = 'ok'))
            """,  # noqa: S608 - fixed text of this module
            {"sources": sources})
        con.execute(
            f"DELETE FROM file_texts WHERE {_IN_SOURCES.format('file_texts.source')} "  # noqa: S608 - fixed text
            f"AND NOT EXISTS ({live.format('file_texts', 'file_id')})", {"sources": sources})
        con.execute("DELETE FROM document_pages WHERE NOT EXISTS (SELECT 1 FROM documents d "
                    "WHERE d.source = document_pages.source AND d.native_id = document_pages.native_id "
                    "AND d.kind = 'file')")
    finally:
        for name in ("file_scope", "file_meta", "file_docs"):
            con.execute(f"DROP TABLE IF EXISTS {name}")
    return changes


def _remove_documents(con: duckdb.DuckDBPyConnection, keys_sql: str, params: dict[str, Any] | None) -> int:
    """Delete the documents `keys_sql` selects (source, native_id) with everything derived from them."""
    con.execute(f"CREATE OR REPLACE TEMP TABLE file_gone AS SELECT DISTINCT d.source, d.native_id FROM documents d "  # noqa: S608
                f"WHERE d.kind = 'file' AND (d.source, d.native_id) IN ({keys_sql})", params)
    try:
        gone = con.execute("SELECT count(*) FROM file_gone").fetchone()[0]
        if gone:
            for table in ("mentions", "extractions", "topics", "document_pages", "documents"):
                con.execute(f"DELETE FROM {table} WHERE (source, native_id) IN "  # noqa: S608 - our table names
                            "(SELECT source, native_id FROM file_gone)")
        return gone
    finally:
        con.execute("DROP TABLE file_gone")


def _file_metadata(con: duckdb.DuckDBPyConnection) -> None:
    """TEMP TABLE file_meta: the document metadata and content hash of every file in file_scope
    that is live and read (file_texts ok), from the council objects."""
    relations = ", ".join(f"'{name}'" for name in _FILE_RELATIONS)  # constants of this module
    category = " ".join(f"WHEN '{name}' THEN '{label}'" for name, label in _FILE_RELATIONS.items())
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE file_meta AS
        WITH files AS (
            SELECT o.source, o.id, o.json, t.text_sha256, dl.raw_ref
            FROM file_scope s
            JOIN council_objects o ON o.source = s.source AND o.id = s.file_id AND o.type = 'File' AND NOT o.deleted
            JOIN file_texts t ON t.source = s.source AND t.file_id = s.file_id AND t.status = 'ok'
            LEFT JOIN council_downloads dl ON dl.source = s.source AND dl.file_id = s.file_id
        ), holders AS (
            -- Who lists the file: the parent's own field, or (OParl 1.1) the File's back-reference.
            SELECT r.source, r.object AS file_id, r.subject AS holder, r.subject_type, r.relation, r.position
            FROM council_relations r JOIN file_scope s ON s.source = r.source AND s.file_id = r.object
            WHERE r.relation IN ({relations}) AND r.subject_type IN ('Paper', 'AgendaItem', 'Meeting')
            UNION ALL
            SELECT r.source, r.subject, r.object,
                   CASE r.relation WHEN 'paper' THEN 'Paper' WHEN 'meeting' THEN 'Meeting' ELSE 'AgendaItem' END,
                   NULL, r.position
            FROM council_relations r JOIN file_scope s ON s.source = r.source AND s.file_id = r.subject
            WHERE r.subject_type = 'File' AND r.relation IN ('paper', 'meeting', 'agendaItem')
        ), parent AS (
            -- One parent per file, the same on every run: a paper before an agenda item before a
            -- meeting, the main file before attachments, then by id.
            SELECT h.* FROM holders h
            JOIN council_objects p ON p.source = h.source AND p.id = h.holder AND NOT p.deleted
            QUALIFY row_number() OVER (
                PARTITION BY h.source, h.file_id
                ORDER BY CASE h.subject_type WHEN 'Paper' THEN 0 WHEN 'AgendaItem' THEN 1 ELSE 2 END,
                         h.relation IS NULL, h.relation <> 'mainFile', h.holder, h.position) = 1
        ), meeting AS (
            SELECT p.source, p.file_id, TRY_CAST(left(m.json->>'start', 10) AS DATE) AS published,
                   (SELECT arg_min(org.json->>'name', r.position) FROM council_relations r
                    JOIN council_objects org ON org.source = r.source AND org.id = r.object
                    WHERE r.source = p.source AND r.subject = p.holder AND r.relation = 'organization') AS sender
            FROM parent p JOIN council_objects m ON m.source = p.source AND m.id = p.holder
            WHERE p.subject_type = 'Meeting'
        ), meta AS (
            SELECT f.source, f.id AS native_id,
                   coalesce(f.json->>'accessUrl', f.json->>'downloadUrl', f.id) AS canonical_url,
                   list_distinct(list_filter([f.id, f.json->>'accessUrl', f.json->>'downloadUrl'],
                                             u -> u IS NOT NULL)) AS url_forms,
                   coalesce(f.json->>'name', f.json->>'fileName', 'Datei') AS title,
                   coalesce(TRY_CAST(left(f.json->>'date', 10) AS DATE), pd.published, m.published) AS published,
                   coalesce(pd.sender, m.sender) AS sender,
                   CASE p.relation {category} ELSE 'Datei' END AS category,
                   CASE p.subject_type WHEN 'Paper' THEN 'paper' WHEN 'AgendaItem' THEN 'agenda_item'
                                       WHEN 'Meeting' THEN 'meeting' END AS parent_kind,
                   p.holder AS parent_id, f.raw_ref, f.text_sha256
            FROM files f
            LEFT JOIN parent p ON p.source = f.source AND p.file_id = f.id
            LEFT JOIN documents pd ON pd.source = p.source AND pd.native_id = p.holder
            LEFT JOIN meeting m ON m.source = f.source AND m.file_id = f.id
        )
        SELECT *, sha256(concat_ws(chr(31), 'file', canonical_url, title, coalesce(published::VARCHAR, ''),
                                   coalesce(sender, ''), category, coalesce(parent_id, ''), text_sha256))
                  AS content_hash
        FROM meta
        """  # noqa: S608 - relation names and labels are constants of this module
    )


# -- reading ------------------------------------------------------------------------------------


def has_file_tables(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the store has migration 007 (a snapshot written by an older komo has not)."""
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'document_pages'").fetchone()[0])


def hit_pages(con: duckdb.DuckDBPyConnection, hits: list[tuple[str, str, int]]) -> dict[tuple[str, str], int]:
    """The page each (source, native_id, body offset) lies on, for the file documents among them."""
    if not hits or not has_file_tables(con):
        return {}
    rows = con.execute(
        """
        SELECT h.source, h.native_id, p.page
        FROM (SELECT unnest($sources) AS source, unnest($ids) AS native_id, unnest($offsets) AS offset) h
        JOIN document_pages p ON p.source = h.source AND p.native_id = h.native_id
         AND h.offset >= p.start_char AND h.offset < p.end_char
        """,
        {"sources": [h[0] for h in hits], "ids": [h[1] for h in hits], "offsets": [h[2] for h in hits]}).fetchall()
    return {(source, native_id): page for source, native_id, page in rows}


@dataclass
class FileSummary:
    """How reading one council's files went, for `komo council summary`."""

    downloaded: int = 0
    read: int = 0            # with a file_texts row (any outcome)
    documents: int = 0
    pages: int = 0
    ocr_pages: int = 0
    ocr_needed_pages: int = 0
    truncated: int = 0
    by_type: list[tuple[str, int]] = field(default_factory=list)
    failed: list[tuple[str, int]] = field(default_factory=list)      # reason, files
    unsupported: list[tuple[str, int]] = field(default_factory=list)  # mime type, files


def file_summary(con: duckdb.DuckDBPyConnection, source: str) -> FileSummary | None:
    """Outcomes of reading one council's files; None for a store without migration 007."""
    if not has_file_tables(con):
        return None
    found = FileSummary()
    found.downloaded = downloaded_files(con, [source])
    (found.read, found.documents, found.pages, found.ocr_pages, found.ocr_needed_pages,
     found.truncated) = con.execute(
        """
        SELECT count(*), count(*) FILTER (WHERE status = 'ok'), coalesce(sum(pages_read), 0),
               coalesce(sum(ocr_pages), 0), coalesce(sum(ocr_needed_pages), 0),
               count(*) FILTER (WHERE truncated_pages)
        FROM file_texts WHERE source = ?
        """, [source]).fetchone()
    found.by_type = con.execute(
        "SELECT file_type, count(*) AS n FROM file_texts WHERE source = ? AND status = 'ok' GROUP BY ALL "
        "ORDER BY n DESC, 1", [source]).fetchall()
    found.failed = con.execute(
        "SELECT reason, count(*) AS n FROM file_texts WHERE source = ? AND status = 'failed' GROUP BY ALL "
        "ORDER BY n DESC, 1", [source]).fetchall()
    found.unsupported = con.execute(
        "SELECT coalesce(mime_type, '(no type)'), count(*) AS n FROM file_texts WHERE source = ? "
        "AND status = 'unsupported' GROUP BY ALL ORDER BY n DESC, 1", [source]).fetchall()
    return found


ERROR_COLUMNS = ("source", "file_id", "name", "status", "reason", "message", "mime_type", "size", "url", "papers",
                 "read_at")


def file_errors(con: duckdb.DuckDBPyConnection, source: str | None) -> list[tuple[Any, ...]]:
    """The rows of the file_errors view (of one source), newest first."""
    return con.execute(
        f"SELECT {', '.join(ERROR_COLUMNS)} FROM file_errors WHERE $source IS NULL OR source = $source "  # noqa: S608
        "ORDER BY read_at DESC, source, file_id", {"source": source}).fetchall()
