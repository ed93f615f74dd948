"""The layout alarm's SQL: per-page rule checks in, per-run shares against their history out.

A crawl stages one `layout` record per parsed detail page (crawler/spiders/press.py: which of the
source's own rules held). Loading them compares, per source, the share of this run's pages on which
each rule held with the median share of the source's earlier runs; a share below `drop_below` times
that median is an alarm. The pages of an alarmed source stay out of `documents` (held) — readers keep
yesterday's parse — until `komo reparse` reads them again from their kept raw pages.
"""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

RULES = ("anchor", "headline", "body_end")
RULE_NAMES = {"anchor": "publication line (anchor)", "headline": "headline above the publication line",
              "body_end": "footer lines ending the body"}

_STAGE_LAYOUT = (
    "CREATE OR REPLACE TEMP TABLE staged_layout AS SELECT * FROM read_json(?, format = 'newline_delimited', "
    "columns = {'source': 'VARCHAR', 'native_id': 'VARCHAR', 'url': 'VARCHAR', 'raw_ref': 'VARCHAR', "
    "'anchor': 'BOOLEAN', 'headline': 'BOOLEAN', 'body_end': 'BOOLEAN', 'parsed': 'BOOLEAN', "
    "'checked_at': 'TIMESTAMP'}, ignore_errors = true) "
    "WHERE native_id IS NOT NULL AND url IS NOT NULL AND checked_at IS NOT NULL")


@dataclass(frozen=True)
class AlarmRules:
    """When a rule counts as having stopped matching (data/config/layout-alarm.toml)."""

    drop_below: float = 0.5   # of the trailing median
    history_runs: int = 7     # earlier runs whose median is the yardstick
    min_pages: int = 5        # a run with fewer newly parsed pages of a source gives no verdict


@dataclass(frozen=True)
class LayoutAlarm:
    run_id: int
    source: str
    rule: str
    share: float
    median: float
    pages: int

    def line(self) -> str:
        return (f"layout alarm: source {self.source}: rule {self.rule} ({RULE_NAMES.get(self.rule, self.rule)}) "
                f"held on {self.share:.0%} of {self.pages} newly parsed pages, the median of earlier runs is "
                f"{self.median:.0%}; their parses are held out of the snapshot — fix the layout file, then "
                f"`komo reparse --source {self.source}`")

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def load_layout_checks(con: duckdb.DuckDBPyConnection, files: list[Path], run_id: int, now: datetime,
                       rules: AlarmRules) -> list[LayoutAlarm]:
    """Stage a run's layout records, decide its alarms, and keep the records (held when alarmed).
    Runs inside the caller's transaction, before documents are written; returns the alarms."""
    if not files:
        return []
    con.execute(_STAGE_LAYOUT, [[str(p) for p in files]])
    # A page parsed twice in one run (several URL forms) counts once, as it was read last.
    con.execute("CREATE OR REPLACE TEMP TABLE staged_layout_last AS SELECT * FROM staged_layout "
                "QUALIFY row_number() OVER (PARTITION BY source, native_id ORDER BY checked_at DESC) = 1")
    current = con.execute(
        "SELECT source, count(*), avg(coalesce(anchor, false)::INTEGER), avg(coalesce(headline, false)::INTEGER), "
        "avg(coalesce(body_end, false)::INTEGER) FROM staged_layout_last GROUP BY source ORDER BY source").fetchall()
    alarms: list[LayoutAlarm] = []
    for source, pages, *shares in current:
        if pages < rules.min_pages:
            continue
        history = con.execute(
            "SELECT anchor, headline, body_end FROM layout_shares s WHERE source = ? AND pages >= ? "
            "AND NOT EXISTS (SELECT 1 FROM layout_alarms a WHERE a.run_id = s.run_id AND a.source = s.source) "
            "ORDER BY run_id DESC LIMIT ?", [source, rules.min_pages, rules.history_runs]).fetchall()
        if not history:
            continue
        for index, rule in enumerate(RULES):
            median = statistics.median(row[index] for row in history)
            if shares[index] < rules.drop_below * median:
                alarms.append(LayoutAlarm(run_id, source, rule, round(shares[index], 4), round(median, 4), pages))
    held = sorted({alarm.source for alarm in alarms})
    con.execute(
        "INSERT INTO layout_checks SELECT ?, source, native_id, url, raw_ref, coalesce(anchor, false), "
        "coalesce(headline, false), coalesce(body_end, false), coalesce(parsed, false), list_contains(?, source), "
        "checked_at FROM staged_layout_last", [run_id, held])
    for alarm in alarms:
        con.execute("INSERT INTO layout_alarms (run_id, source, rule, share, median, pages, raised_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING",
                    [alarm.run_id, alarm.source, alarm.rule, alarm.share, alarm.median, alarm.pages, now])
    staged_items = con.execute("SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = 'staged_items'"
                               ).fetchone()[0]
    if held and staged_items:  # no items at all when no page showed the source's publication line
        # The alarmed sources' parses of this run stay out of documents: readers keep yesterday's.
        con.execute("DELETE FROM staged_items WHERE list_contains(?, source)", [held])
    con.execute("DROP TABLE IF EXISTS staged_layout")
    con.execute("DROP TABLE IF EXISTS staged_layout_last")
    return alarms


def held_pages(con: duckdb.DuckDBPyConnection, source: str) -> list[tuple[str, str, str | None, datetime]]:
    """(native_id, url, raw_ref, checked_at) of the source's held pages, each as read last."""
    # Only where the page's latest check is held: a later good parse (the site fixed itself) wins.
    return con.execute(
        "SELECT native_id, url, raw_ref, checked_at FROM (SELECT *, row_number() OVER "
        "(PARTITION BY native_id ORDER BY checked_at DESC, run_id DESC) AS latest FROM layout_checks WHERE source = ?) "
        "WHERE latest = 1 AND held ORDER BY native_id", [source]).fetchall()


def release_held(con: duckdb.DuckDBPyConnection, source: str, run_id: int) -> int:
    """After a re-parse whose rules held again: the source's held pages are released and its alarms
    resolved by run `run_id`; returns the pages released."""
    released = con.execute("UPDATE layout_checks SET held = false WHERE source = ? AND held AND run_id < ?",
                           [source, run_id]).fetchone()[0]
    con.execute("UPDATE layout_alarms SET resolved_by = ? WHERE source = ? AND resolved_by IS NULL AND run_id < ?",
                [run_id, source, run_id])
    return int(released)


def open_alarms(con: duckdb.DuckDBPyConnection, source: str | None = None) -> list[LayoutAlarm]:
    """Alarms no re-parse has resolved yet (of one source, or all)."""
    rows = con.execute(
        "SELECT run_id, source, rule, share, median, pages FROM layout_alarms WHERE resolved_by IS NULL "
        "AND (? IS NULL OR source = ?) ORDER BY run_id, source, rule", [source, source]).fetchall()
    return [LayoutAlarm(*row) for row in rows]
