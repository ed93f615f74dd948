"""The store side of `komo forget`: a person's mentions removed, their name masked in every text
column of every table, the search index invalidated, and the forgetting recorded as keyed hashes.

Masking itself (which spans are the name) is a function handed in by the caller
(core/namemask.py): this module only knows where text is stored. Masks keep the text's length,
so every offset into a body (mentions, pages, search) stays valid.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any, Protocol

import duckdb


class Masker(Protocol):
    """What masks a name (core/namemask.NameMatcher)."""

    def mask(self, text: str, anchored: bool = False) -> str: ...

    def names_in_full(self, text: str) -> bool: ...

# Tables that hold no stored text of the corpus: the forget records themselves, and the full-text
# index (rebuilt from the masked documents at the next publish).
_NOT_TEXT = {"forgotten_persons", "forgotten_forms", "schema_migrations"}
_TEXT_TYPES = ("VARCHAR", "VARCHAR[]", "JSON")


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def text_columns(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple[str, str]]]:
    """Every base table of the main schema with its text columns (VARCHAR, VARCHAR[], JSON)."""
    rows = con.execute(
        "SELECT c.table_name, c.column_name, c.data_type FROM duckdb_columns() c "
        "JOIN duckdb_tables() t ON t.database_name = c.database_name AND t.schema_name = c.schema_name "
        "AND t.table_name = c.table_name "
        "WHERE c.database_name = current_database() AND c.schema_name = 'main' AND NOT t.temporary "
        "AND c.data_type IN (SELECT unnest(?::VARCHAR[])) ORDER BY c.table_name, c.column_index",
        [list(_TEXT_TYPES)]).fetchall()
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, kind in rows:
        if table not in _NOT_TEXT:
            found.setdefault(table, []).append((column, kind))
    return found


def _has_column(con: duckdb.DuckDBPyConnection, table: str, column: str) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_columns() WHERE database_name = current_database() AND schema_name = 'main' "
        "AND table_name = ? AND column_name = ?", [table, column]).fetchone()[0])


def _strings(value: Any) -> Iterable[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, list):
        for v in value:
            yield from _strings(v)
    elif isinstance(value, dict):
        for v in value.values():
            yield from _strings(v)


def _mask_json(value: Any, masker: Masker, anchored: bool) -> Any:
    if isinstance(value, str):
        return masker.mask(value, anchored)
    if isinstance(value, list):
        return [_mask_json(v, masker, anchored) for v in value]
    if isinstance(value, dict):
        return {k: _mask_json(v, masker, anchored) for k, v in value.items()}
    return value


def _parsed(value: Any, kind: str) -> Any:
    if kind == "JSON" and value is not None:
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def _masked(value: Any, parsed: Any, kind: str, masker: Masker, anchored: bool) -> Any:
    if value is None:
        return None
    if kind == "JSON" and not isinstance(parsed, str):
        masked = _mask_json(parsed, masker, anchored)
        return value if masked == parsed else json.dumps(masked, ensure_ascii=False)
    return _mask_json(value, masker, anchored)


def _key_columns(_columns: list[tuple[str, str]], con: duckdb.DuckDBPyConnection, table: str) -> bool:
    return _has_column(con, table, "source") and _has_column(con, table, "native_id")


def mask_texts(con: duckdb.DuckDBPyConnection, masker: Masker, prefilter: str | None = None,
               run_id: int | None = None, write: bool = True) -> dict[str, int]:
    """Mask every text column of every table; returns rows changed per `table.column`.

    The full name is masked everywhere; the bare surname in rows that hold the full name and in
    every row of a document (source, native_id) whose title or body does. `prefilter` (an RE2
    pattern, bound) keeps the scan to rows that may hold the name; `run_id` to rows a run wrote
    (tables with a run_id column). write=False only counts."""
    changed: dict[str, int] = {}
    naming = naming_documents(con, masker, prefilter, run_id)
    for table, columns in text_columns(con).items():
        conditions, parameters = [], []
        if run_id is not None:
            if not _has_column(con, table, "run_id"):
                continue
            conditions.append("run_id = ?")
            parameters.append(run_id)
        if prefilter is not None:
            conditions.append("(" + " OR ".join(
                f"regexp_matches(CAST({_identifier(c)} AS VARCHAR), ?)" for c, _ in columns) + ")")
            parameters += [prefilter] * len(columns)
        keyed = _key_columns(columns, con, table)
        names = ", ".join(_identifier(c) for c, _ in columns)
        key = "source, native_id" if keyed else "NULL, NULL"
        where = " AND ".join(conditions) or "true"
        rows = con.execute(f"SELECT rowid, {key}, {names} FROM {_identifier(table)} WHERE {where}",  # noqa: S608
                           parameters).fetchall()
        updates: dict[tuple[str, ...], list[list[Any]]] = {}
        for rowid, source, native_id, *values in rows:
            parsed = [_parsed(v, kind) for v, (_, kind) in zip(values, columns, strict=True)]
            anchored = (source, native_id) in naming or any(
                masker.names_in_full(text) for p in parsed for text in _strings(p))
            new = {}
            for (column, kind), value, parse in zip(columns, values, parsed, strict=True):
                masked = _masked(value, parse, kind, masker, anchored)
                if masked != value:
                    new[column] = masked
                    changed[f"{table}.{column}"] = changed.get(f"{table}.{column}", 0) + 1
            if new:
                updates.setdefault(tuple(new), []).append([*new.values(), rowid])
        if write:
            for cols, params in updates.items():
                assignments = ", ".join(f"{_identifier(c)} = ?" for c in cols)
                con.executemany(f"UPDATE {_identifier(table)} SET {assignments} WHERE rowid = ?",  # noqa: S608
                                params)
    return changed


def naming_documents(con: duckdb.DuckDBPyConnection, masker: Masker, prefilter: str | None,
                      run_id: int | None) -> set[tuple[str, str]]:
    """Documents whose current or any older title or body names a forgotten person in full."""
    found: set[tuple[str, str]] = set()
    for table in ("documents", "document_versions"):
        conditions, parameters = [], []
        if prefilter is not None:
            conditions.append("(regexp_matches(coalesce(title, ''), ?) OR regexp_matches(body, ?))")
            parameters += [prefilter, prefilter]
        if run_id is not None:
            conditions.append("run_id = ?")
            parameters.append(run_id)
        where = " AND ".join(conditions) or "true"
        for source, native_id, title, body in con.execute(
                f"SELECT source, native_id, title, body FROM {table} WHERE {where}", parameters).fetchall():  # noqa: S608
            if masker.names_in_full(title or "") or masker.names_in_full(body or ""):
                found.add((source, native_id))
    return found


def person_mentions(con: duckdb.DuckDBPyConnection, prefilter: str) -> list[tuple[Any, ...]]:
    """Person mentions that may name the person: (rowid, source, native_id, value, role, role_of, text)."""
    return con.execute(
        "SELECT rowid, source, native_id, value, role, role_of, text FROM mentions WHERE kind = 'person' "
        "AND (regexp_matches(coalesce(value, ''), ?) OR regexp_matches(text, ?))",
        [prefilter, prefilter]).fetchall()


def remove_mentions(con: duckdb.DuckDBPyConnection, rowids: list[int]) -> int:
    """Delete these mentions and keep extractions.mention_count equal to what is left."""
    if not rowids:
        return 0
    con.execute("CREATE OR REPLACE TEMP TABLE forget_gone AS SELECT source, native_id, count(*) AS n "
                "FROM mentions WHERE list_contains(?, rowid) GROUP BY ALL", [rowids])
    removed = con.execute("DELETE FROM mentions WHERE list_contains(?, rowid)", [rowids]).fetchone()[0]
    con.execute("UPDATE extractions SET mention_count = greatest(extractions.mention_count - g.n, 0) "
                "FROM forget_gone g WHERE extractions.source = g.source AND extractions.native_id = g.native_id")
    con.execute("DROP TABLE forget_gone")
    return int(removed)


def invalidate_search(con: duckdb.DuckDBPyConnection) -> None:
    """Make the next publish rebuild the full-text index from the masked texts: its dictionary and
    postings hold the words of the old ones."""
    con.execute("DELETE FROM search_index_state")


def raw_refs(con: duckdb.DuckDBPyConnection, run_id: int | None = None) -> list[str]:
    """Every kept file a table names (columns called raw_ref), or only those a run wrote."""
    tables = [t for (t,) in con.execute(
        "SELECT DISTINCT c.table_name FROM duckdb_columns() c JOIN duckdb_tables() t USING (database_name, "
        "schema_name, table_name) WHERE c.database_name = current_database() AND c.schema_name = 'main' "
        "AND c.column_name = 'raw_ref' ORDER BY 1").fetchall()]
    refs: set[str] = set()
    for table in tables:
        if run_id is not None and not _has_column(con, table, "run_id"):
            continue
        where = "raw_ref IS NOT NULL" + (" AND run_id = ?" if run_id is not None else "")
        refs |= {r for (r,) in con.execute(f"SELECT DISTINCT raw_ref FROM {_identifier(table)} WHERE {where}",  # noqa: S608
                                           [run_id] if run_id is not None else []).fetchall()}
    return sorted(refs)


def record(con: duckdb.DuckDBPyConnection, name_hash: str, forms: Iterable[tuple[str, ...]],
           anchored: Iterable[tuple[str, ...]], run_id: int, removed: dict[str, Any]) -> int:
    """Keep that a person was forgotten: the name and its forms as keyed hashes only."""
    forget_id = con.execute(
        "INSERT INTO forgotten_persons (name_hash, forgotten_at, run_id, removed) VALUES (?, ?, ?, ?) "
        "RETURNING forget_id",
        [name_hash, datetime.now(UTC).replace(tzinfo=None), run_id, json.dumps(removed)]).fetchone()[0]
    known = {(tuple(t), a) for t, a in con.execute("SELECT tokens, anchored FROM forgotten_forms").fetchall()}
    wanted = {(tuple(f), False) for f in forms} | {(tuple(f), True) for f in anchored}
    new = [[forget_id, list(form), flag] for form, flag in sorted(wanted - known)]
    if new:
        con.executemany("INSERT INTO forgotten_forms VALUES (?, ?, ?)", new)
    return int(forget_id)


def forgotten_forms(con: duckdb.DuckDBPyConnection) -> list[tuple[tuple[str, ...], bool]]:
    """Every recorded form (token hashes, anchored) of every forgotten person; empty in most stores."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                       "AND table_name = 'forgotten_forms'").fetchone()[0]:
        return []
    return [(tuple(t), a) for t, a in con.execute("SELECT DISTINCT tokens, anchored FROM forgotten_forms").fetchall()]
