"""What the next SessionNet crawl starts from, out of the store: the calendar cursor, the row hashes
of stored meetings and agenda items (their listing changes tell what to fetch again), the ids
already stored, the files settled or still to download, and pages that failed and are worth another try."""

from __future__ import annotations

from typing import Any

import duckdb

from .council import crawl_state as council_crawl_state


def crawl_state(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, Any]:
    base = council_crawl_state(con, source)
    rows = dict(con.execute(
        "SELECT id, json->>'$.sessionnet.row' FROM council_objects WHERE source = ? "
        "AND type IN ('Meeting', 'AgendaItem') AND NOT deleted", [source]).fetchall())
    settled = [r[0] for r in con.execute(
        "SELECT file_id FROM council_downloads WHERE source = ? "
        "AND (raw_ref IS NOT NULL OR NOT coalesce(transient, true))",
        [source]).fetchall()]
    # A page whose last word was a failure (its object missing, or older than the failure).
    retry = [list(r) for r in con.execute(
        """
        SELECT e.kind, e.native_id, arg_max(e.url, e.failed_at)
        FROM crawl_errors e LEFT JOIN council_objects o ON o.source = e.source AND o.id = e.native_id
        WHERE e.source = ? AND e.kind IN ('meeting', 'agenda_item', 'paper') AND e.native_id IS NOT NULL
          AND e.transient
        GROUP BY e.kind, e.native_id, o.last_seen
        HAVING o.last_seen IS NULL OR max(e.failed_at) >= o.last_seen
        ORDER BY 1, 2
        """, [source]).fetchall()]
    # A crawl killed between a meeting page and its agenda items (or an item and its paper) left
    # a meeting whose items, or an item whose paper, the store lacks: read them again.
    retry += [list(r) for r in con.execute(
        """
        SELECT DISTINCT 'meeting', m.id, m.json->>'web'
        FROM council_objects m JOIN council_relations r ON r.source = m.source AND r.subject = m.id
             AND r.relation = 'agendaItem'
        LEFT JOIN council_objects i ON i.source = r.source AND i.id = r.object
        WHERE m.source = ? AND m.type = 'Meeting' AND NOT m.deleted AND i.id IS NULL AND (m.json->>'web') IS NOT NULL
        UNION
        SELECT DISTINCT 'paper', 'paper/' || (i.json->>'$.sessionnet.paper'), NULL
        FROM council_objects i LEFT JOIN council_objects p
             ON p.source = i.source AND p.id = 'paper/' || (i.json->>'$.sessionnet.paper')
        WHERE i.source = ? AND i.type = 'AgendaItem' AND NOT i.deleted
          AND (i.json->>'$.sessionnet.paper') IS NOT NULL
          AND p.id IS NULL
        ORDER BY 1, 2
        """, [source, source]).fetchall() if list(r) not in retry]
    # What the calendar said of each stored meeting, for a meeting read again without its calendar.
    entries = {r[0]: {"row_hash": r[1], "cancelled": bool(r[2])} for r in con.execute(
        "SELECT id, json->>'$.sessionnet.row', TRY_CAST(json->>'cancelled' AS BOOLEAN) FROM council_objects "
        "WHERE source = ? AND type = 'Meeting' AND NOT deleted", [source]).fetchall()}
    return {"cursor": base["modified_since"], "known": base["known"], "rows": rows, "entries": entries,
            "settled_files": settled, "pending_files": base["pending_files"], "retry": retry}
