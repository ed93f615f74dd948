"""Votes of council agenda items in the store: which items the vote parser still has to read, and
replacing an item's votes with what it found (pipeline/council_votes.py does the reading)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import duckdb


def items_to_read(con: duckdb.DuckDBPyConnection, sources: list[str],
                  version: str) -> list[tuple[str, str, str, str | None, str | None, str | None]]:
    """Live agenda items of `sources` whose current version this parser version has not read:
    (source, id, content_hash, result, vote field, minutes text)."""
    return con.execute(
        """
        SELECT o.source, o.id, o.content_hash, o.json->>'result', o.json->>'$.sessionnet.vote',
               o.json->>'resolutionText'
        FROM council_objects o
        LEFT JOIN council_vote_reads r ON r.source = o.source AND r.agenda_item = o.id
        WHERE list_contains(?, o.source) AND o.type = 'AgendaItem' AND NOT o.deleted
          AND (r.agenda_item IS NULL OR r.item_hash <> o.content_hash OR r.parser_version <> ?)
        ORDER BY o.source, o.id
        """,
        [sources, version]).fetchall()


def replace_votes(con: duckdb.DuckDBPyConnection, reads: list[tuple[str, str, str, int]],
                  votes: list[dict[str, Any]], version: str, run_id: int | None) -> None:
    """Swap in the votes of the items read (source, id, content_hash, votes found), in one
    transaction of the caller's: a re-read replaces, never duplicates."""
    import pyarrow as pa

    if not reads:
        return
    now = datetime.now(UTC).replace(tzinfo=None)
    read_table = pa.table({
        "source": [r[0] for r in reads], "agenda_item": [r[1] for r in reads], "item_hash": [r[2] for r in reads],
        "votes": pa.array([r[3] for r in reads], pa.int32())})
    faction = pa.struct([("name", pa.string()), ("position", pa.string()), ("yes", pa.int32()), ("no", pa.int32()),
                         ("abstain", pa.int32())])
    vote_table = pa.table({
        "source": pa.array([v["source"] for v in votes], pa.string()),
        "agenda_item": pa.array([v["agenda_item"] for v in votes], pa.string()),
        "position": pa.array([v["position"] for v in votes], pa.int32()),
        "main": pa.array([v["main"] for v in votes], pa.bool_()),
        "motion": pa.array([v["motion"] for v in votes], pa.string()),
        "result": pa.array([v["result"] for v in votes], pa.string()),
        "unanimous": pa.array([v["unanimous"] for v in votes], pa.bool_()),
        "yes": pa.array([v["yes"] for v in votes], pa.int32()),
        "no": pa.array([v["no"] for v in votes], pa.int32()),
        "abstain": pa.array([v["abstain"] for v in votes], pa.int32()),
        "factions": pa.array([v["factions"] for v in votes], pa.list_(faction)),
        "sentence": pa.array([v["sentence"] for v in votes], pa.string()),
        "item_hash": pa.array([v["item_hash"] for v in votes], pa.string()),
    })
    con.register("vote_reads_batch", read_table)
    con.register("vote_records_batch", vote_table)
    try:
        con.execute("DELETE FROM council_vote_records WHERE (source, agenda_item) IN "
                    "(SELECT source, agenda_item FROM vote_reads_batch)")
        con.execute(
            "INSERT INTO council_vote_records SELECT source, agenda_item, position, main, motion, result, unanimous, "
            "yes, no, abstain, factions, sentence, item_hash, ?, ? FROM vote_records_batch", [version, run_id])
        con.execute(
            "INSERT OR REPLACE INTO council_vote_reads SELECT source, agenda_item, item_hash, ?, votes, ?, ? "
            "FROM vote_reads_batch", [version, now, run_id])
    finally:
        con.unregister("vote_reads_batch")
        con.unregister("vote_records_batch")


def vote_counts(con: duckdb.DuckDBPyConnection, source: str) -> dict[str, int]:
    """Votes stored for one council: all, main ones, and agenda items with a vote."""
    votes, main, items = con.execute(
        "SELECT count(*), count(*) FILTER (WHERE main), count(DISTINCT agenda_item) FROM council_vote_records "
        "WHERE source = ?", [source]).fetchone()
    return {"votes": votes, "main_votes": main, "items_with_votes": items}
