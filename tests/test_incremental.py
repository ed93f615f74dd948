"""Incremental crawls: a rerun over an unchanged archive fetches only listings and the
re-check window; edits and back-dated additions are picked up."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunalmonitor.crawler.layout import normalize_space

from .conftest import crawl_args, query, run_komo

pytestmark = pytest.mark.slow
RECHECK = 10  # data/sources/leverkusen-com.toml: [incremental] recheck_recent


def _requested_paths(server, since: int) -> list[str]:
    return [r["path"] for r in server.requests[since:] if r["path"] != "/robots.txt"]


def _recent_window(site_truth: list[dict], n: int) -> list[int]:
    newest_first = sorted(site_truth, key=lambda a: (a["published"], a["id"]), reverse=True)
    return [a["id"] for a in newest_first[:n]]


def test_second_run_fetches_only_listings_and_recheck_window_then_picks_up_changes(
        site, archive_copy: Path, tmp_path: Path):
    from kommunalmonitor.pipeline.demo.sample_site import SampleSite

    truth_site = SampleSite.load(archive_copy)
    home = tmp_path / "home"
    first = run_komo(*crawl_args(site), home=home)
    assert first.returncode == 0, first.stderr

    mark = len(site.requests)
    second = run_komo(*crawl_args(site), home=home)
    assert second.returncode == 0, second.stderr
    window = _recent_window(truth_site.expected_articles(), RECHECK)
    expected = set(truth_site.listing_urls()) | {truth_site.article_path(i) for i in window}
    requested = _requested_paths(site, mark)
    assert sorted(requested) == sorted(expected)
    assert "0 new, 0 changed" in second.stdout
    # The spider's decision counters (crawler.stats, written out by crawler/summary.py) reach the run row.
    stats = json.loads(query(home / "komo.duckdb", "SELECT stats FROM runs ORDER BY run_id DESC LIMIT 1")[0][0])
    assert stats["decisions"]["fetch:recheck"] == RECHECK
    assert stats["decisions"]["skip:unchanged"] > 0

    # Edit an old article (not in the window) and add a back-dated one deep in the listing.
    articles_file = archive_copy / "articles.jsonl"
    records = [json.loads(line) for line in articles_file.read_text(encoding="utf-8").splitlines()]
    old = min((r for r in records if r["title"] and r["published"] < "2010-01-01"),
              key=lambda r: r["published"])
    old["title"] = old["title"] + " (korrigiert)"
    old["blocks"][0]["text"] = "Korrektur: " + old["blocks"][0]["text"]
    old["updated"] = "2023-03-10"
    used = {r["id"] for r in records}
    backdated_id = next(i for i in range(5000, 6000) if i not in used)
    records.append({
        "id": backdated_id, "published": "2006-05-04", "sender": "Stadtverwaltung",
        "title": "Nachgetragen: Ausländerbeirat tagt im Rathaus", "category": "Politik",
        "blocks": [{"type": "p", "text": "Der Ausländerbeirat tagt am Dienstag im Rathaus."}],
        "topic": "rat", "integration": True, "action_fields": ["dialog"], "stadtteil": None,
    })
    articles_file.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records),
                             encoding="utf-8")

    mark = len(site.requests)
    third = run_komo(*crawl_args(site), home=home)
    assert third.returncode == 0, third.stderr
    requested = set(_requested_paths(site, mark))
    assert truth_site.article_path(old["id"]) in requested
    assert truth_site.article_path(backdated_id) in requested
    assert "1 new, 1 changed" in third.stdout
    truth = {a["id"]: a for a in truth_site.expected_articles()}
    rows = query(home / "published" / "komo.duckdb",
                 "SELECT native_id, title, body FROM documents WHERE native_id IN (?, ?)",
                 [str(old["id"]), str(backdated_id)])
    for native_id, title, body in rows:
        assert title == truth[int(native_id)]["title"]
        assert normalize_space(body) == normalize_space(truth[int(native_id)]["body"])
    versions = query(home / "komo.duckdb",
                     "SELECT count(*) FROM document_versions WHERE native_id = ?", [str(old["id"])])
    assert versions[0][0] == 2


def test_full_flag_refetches_every_article(site, tmp_path: Path):
    home = tmp_path / "home"
    assert run_komo(*crawl_args(site), home=home).returncode == 0
    mark = len(site.requests)
    full = run_komo(*crawl_args(site, "--full"), home=home)
    assert full.returncode == 0, full.stderr
    articles = {p for p in _requested_paths(site, mark) if "presse.php" in p}
    stored = query(home / "komo.duckdb", "SELECT count(*) FROM documents")[0][0]
    assert len(articles) >= stored
