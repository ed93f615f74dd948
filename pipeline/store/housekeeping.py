"""What `komo gc` asks the store: which kept pages only superseded versions still point to."""

from __future__ import annotations

from datetime import datetime

import duckdb


def _raw_ref_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [t for (t,) in con.execute(
        "SELECT DISTINCT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, "
        "schema_name, table_name) WHERE c.database_name = current_database() AND c.schema_name = 'main' "
        "AND c.column_name = 'raw_ref' ORDER BY 1").fetchall()]


def superseded_raw_refs(con: duckdb.DuckDBPyConnection, replaced_before: datetime) -> list[str]:
    """Kept pages nothing current points to any more, older than `replaced_before`: pages of document
    versions a newer version replaced before then, and pages only the fetch log names, fetched
    before then (listing pages, which change whenever a release is added; earlier fetches of an
    article, kept again when its bytes differ, e.g. a visitor counter). Never a page a document, a
    version not so replaced, an OParl object or a council file (any table with a raw_ref column
    but the fetch log `pages`) points to, nor a page a layout alarm holds, nor one fetched again since."""
    tables = _raw_ref_tables(con)
    others = [t for t in tables if t not in ("document_versions", "pages", "layout_checks")]
    protected = "".join(f' UNION SELECT raw_ref FROM "{t}" WHERE raw_ref IS NOT NULL' for t in others)  # noqa: S608
    if "layout_checks" in tables:  # pages a layout alarm holds: `komo reparse` reads them again
        protected += " UNION SELECT raw_ref FROM layout_checks WHERE held AND raw_ref IS NOT NULL"
    rows = con.execute(
        f"""
        WITH versions AS (
            SELECT v.raw_ref, v.content_hash = d.content_hash AS current,
                   (SELECT min(n.first_seen) FROM document_versions n
                    WHERE n.source = v.source AND n.native_id = v.native_id
                      AND n.first_seen > v.first_seen) AS replaced_at
            FROM document_versions v JOIN documents d USING (source, native_id)
            WHERE v.raw_ref IS NOT NULL
        ),
        candidates AS (
            SELECT raw_ref FROM versions WHERE NOT current AND replaced_at < ?
            UNION SELECT raw_ref FROM pages WHERE raw_ref IS NOT NULL AND fetched_at < ?
        ),
        kept AS (
            SELECT raw_ref FROM versions WHERE current OR replaced_at IS NULL OR replaced_at >= ?
            UNION SELECT raw_ref FROM pages WHERE raw_ref IS NOT NULL AND fetched_at >= ?
            {protected}
        )
        SELECT raw_ref FROM candidates WHERE raw_ref NOT IN (SELECT raw_ref FROM kept) ORDER BY 1
        """,  # noqa: S608  (table names come from the catalog)
        [replaced_before] * 4).fetchall()
    return [r for (r,) in rows]


def forget_raw_refs(con: duckdb.DuckDBPyConnection, refs: list[str]) -> None:
    """The versions and fetch-log rows of removed pages point nowhere (NULL), not at a missing file."""
    for table in ("document_versions", "pages"):
        con.execute(f"UPDATE {table} SET raw_ref = NULL WHERE list_contains(?, raw_ref)", [refs])  # noqa: S608
