"""Compare two komo stores table by table, leaving out what differs by when and in which run a row
was written: run ids, timestamps, and the few values a page changes on every visit."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import duckdb

# Columns that record when or in which run, not what: left out of every table that has them.
RUN_AND_TIME_COLUMNS = frozenset({"run_id", "resolved_by"})
# The sample site counts its visitors on the page itself, so a page fetched again is other bytes:
# another visitor count and another content-addressed copy (raw_ref). doc_id is the search index's
# sequence number, given in the order documents arrived.
PER_VISIT_COLUMNS = frozenset({"visitor_count", "raw_ref", "doc_id"})
# The fetch log and the layout checks have a row per request; a backfill over nights re-reads listing
# pages and re-checks recent articles, so they are compared as sets of distinct rows.
AS_SETS = frozenset({"pages", "layout_checks", "crawl_errors"})
# Why a page was requested (new, recheck, listing) depends on the night it was fetched in.
PER_TABLE = {"pages": frozenset({"reason"})}
# One row per run by definition.
SKIP = frozenset({"runs", "schema_migrations"})


def _tables(con: duckdb.DuckDBPyConnection, catalog: str) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_catalog = ? AND table_schema = 'main' "
        "AND table_type = 'BASE TABLE'", [catalog]).fetchall()}


def _columns(con: duckdb.DuckDBPyConnection, catalog: str, table: str, ignore: Iterable[str]) -> list[str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_catalog = ? "
        "AND table_schema = 'main' AND table_name = ? ORDER BY ordinal_position", [catalog, table]).fetchall()
    # Timestamps and durations (build_seconds) say when and how fast, not what.
    return [name for name, kind in rows
            if name not in ignore and not kind.startswith("TIMESTAMP") and not name.endswith("_seconds")]


def store_differences(first: Path, second: Path, ignore: Iterable[str] = ()) -> dict[str, str]:
    """{table: what differs} between two store files; empty when they hold the same."""
    ignored = RUN_AND_TIME_COLUMNS | PER_VISIT_COLUMNS | set(ignore)
    found: dict[str, str] = {}
    with duckdb.connect() as con:
        for alias, path in (("a", first), ("b", second)):  # ATTACH takes no parameters: a quoted literal
            literal = "'" + str(path).replace("'", "''") + "'"
            con.execute(f"ATTACH {literal} AS {alias} (READ_ONLY)")
        tables_a, tables_b = _tables(con, "a") - SKIP, _tables(con, "b") - SKIP
        for table in sorted(tables_a ^ tables_b):
            found[table] = "only in " + ("the first" if table in tables_a else "the second")
        for table in sorted(tables_a & tables_b):
            skip = ignored | PER_TABLE.get(table, frozenset())
            columns = _columns(con, "a", table, skip)
            if columns != _columns(con, "b", table, skip):
                found[table] = "columns differ"
                continue
            select = ", ".join(f'"{c}"' for c in columns)
            distinct = "DISTINCT " if table in AS_SETS else ""
            op = "EXCEPT" if table in AS_SETS else "EXCEPT ALL"
            # Table and column names come from the stores' own catalogs, quoted.
            only_a = con.execute(f'SELECT {distinct}{select} FROM a."{table}" {op} '  # noqa: S608
                                 f'SELECT {distinct}{select} FROM b."{table}"').fetchall()
            only_b = con.execute(f'SELECT {distinct}{select} FROM b."{table}" {op} '  # noqa: S608
                                 f'SELECT {distinct}{select} FROM a."{table}"').fetchall()
            if only_a or only_b:
                found[table] = (f"{len(only_a)} rows only in the first, {len(only_b)} only in the second; "
                                f"e.g. {(only_a or only_b)[0]!r}"[:600])
    return found
