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
    return {"cursor": base["modified_since"], "known": base["known"], "rows": rows, "settled_files": settled,
            "pending_files": base["pending_files"], "retry": retry}
