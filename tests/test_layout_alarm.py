"""The layout alarm's verdict on a real store: a rule's share of a run's pages against the trailing
median of earlier runs; and the backfill's progress figures."""

from __future__ import annotations

import json
from pathlib import Path

from kommunalmonitor.pipeline.backfill import backfill_progress, progress_text
from kommunalmonitor.pipeline.store import Store
from kommunalmonitor.pipeline.store.layout_checks import AlarmRules, held_pages, open_alarms, release_held


def _load_run(store: Store, staging: Path, pages: int, body_end: int, source: str = "lev") -> list:
    """One crawl run whose first `body_end` of `pages` pages showed the source's footer lines."""
    run_id = store.start_run("crawl", source)
    folder = staging / f"run-{run_id}"
    folder.mkdir(parents=True)
    with open(folder / "layout.jsonl", "w", encoding="utf-8") as handle:
        for n in range(pages):
            handle.write(json.dumps({"source": source, "native_id": str(n), "url": f"http://x/{n}",
                                     "raw_ref": f"raw/ab/{run_id}-{n}.html.gz", "anchor": True, "headline": True,
                                     "body_end": n < body_end, "parsed": True,
                                     "checked_at": f"2026-01-{run_id:02d}T02:00:00"}) + "\n")
    return store.load_staging(folder, run_id, AlarmRules()).layout_alarms or []


def test_a_rule_below_half_of_the_trailing_median_raises_an_alarm_and_holds_the_pages(tmp_path):
    with Store.open(tmp_path / "komo.duckdb") as store:
        assert _load_run(store, tmp_path, 10, 10) == [], "no history, no verdict"
        assert _load_run(store, tmp_path, 10, 9) == []
        assert _load_run(store, tmp_path, 10, 5) == [], "0.5 is not below half of the median 0.95"
        assert _load_run(store, tmp_path, 3, 0) == [], "fewer than min_pages pages give no verdict"
        alarms = _load_run(store, tmp_path, 10, 2)
        assert [(a["source"], a["rule"], a["share"]) for a in alarms] == [("lev", "body_end", 0.2)]
        assert alarms[0]["median"] == 0.9  # runs 1–3 (run 4 had too few pages)
        assert len(held_pages(store.con, "lev")) == 10
        # The alarmed run is no yardstick: the next broken run is measured against the good ones.
        again = _load_run(store, tmp_path, 10, 1)
        assert [a["rule"] for a in again] == ["body_end"] and again[0]["median"] == 0.9
        assert len(open_alarms(store.con, "lev")) == 2
        fixed_run = store.start_run("reparse", "lev")
        assert release_held(store.con, "lev", fixed_run) == 20
        assert held_pages(store.con, "lev") == [] and open_alarms(store.con) == []


def test_a_later_good_parse_of_a_page_is_not_replaced_by_its_held_one(tmp_path):
    with Store.open(tmp_path / "komo.duckdb") as store:
        for _ in range(2):
            _load_run(store, tmp_path, 10, 10)
        assert _load_run(store, tmp_path, 10, 0)
        _load_run(store, tmp_path, 6, 6)  # pages 0–5 read well again: the site fixed itself
        assert [row[0] for row in held_pages(store.con, "lev")] == [str(n) for n in range(6, 10)]


def test_backfill_progress_estimates_the_archive_and_the_nights_left():
    night = {"budget": 120, "exhausted": True, "listing_pages_read": 6, "listing_pages_known": 13,
             "listing_entries": 120, "recheck": 10}
    progress = backfill_progress(night, stored=107)
    assert progress["estimated_total"] == 260 and progress["nights_to_go"] == 2 and not progress["complete"]
    assert progress_text(progress) == "107 of ~260 articles, 2 nights to go at this budget"
    done = backfill_progress({**night, "exhausted": False, "listing_pages_read": 13, "listing_entries": 242}, 235)
    assert done["complete"] and done["nights_to_go"] == 0 and progress_text(done) == "backfill complete: 235 articles"
    tiny = backfill_progress({**night, "budget": 20}, stored=5)
    assert tiny["nights_to_go"] is None and "raise --budget" in progress_text(tiny)
    big = backfill_progress({**night, "budget": 5000, "listing_pages_read": 600, "listing_pages_known": 2250,
                             "listing_entries": 12000}, stored=12400)
    assert progress_text(big) == "12,400 of ~45,000 articles, 12 nights to go at this budget"
