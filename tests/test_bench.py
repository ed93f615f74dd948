"""The crawl benchmark runs end to end on a tiny archive; no timing is asserted."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from benchmarks.bench_crawl import SITE_TOML, site_toml_without_bad_pages, synthetic_articles

from .conftest import run_bench


def test_synthetic_archive_is_deterministic_with_unique_ids() -> None:
    first = list(synthetic_articles(50))
    assert first == list(synthetic_articles(50))
    assert len({article["id"] for article in first}) == 50
    assert all("2000-01-01" <= article["published"] <= "2023-12-31" for article in first)


def test_bench_site_has_no_bad_pages() -> None:
    config = tomllib.loads(site_toml_without_bad_pages(SITE_TOML.read_text("utf-8")))
    assert "faults" not in config and "republished" not in config
    assert config["site"]["page_size"] > 0


@pytest.mark.slow
def test_bench_runs_and_reports_ratios(tmp_path: Path) -> None:
    done = run_bench("bench_crawl", "--articles", "30", "--scrapy-bench-seconds", "1", cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio ours/fetch-only:" in done.stdout
    assert "ratio ours/scrapy-bench:" in done.stdout
    results = json.loads((tmp_path / "bench-results" / "crawl.json").read_text("utf-8"))
    assert results["ours"]["documents_stored"] == 30
    assert results["ours"]["pages"] == results["fetch_only"]["pages"]


def test_growth_archive_plants_republished_copies_and_paginates_with_a_window(tmp_path: Path) -> None:
    from benchmarks.bench_growth import PAGINATION_WINDOW, REPUBLISH_EVERY, write_growth_archive
    from kommunalmonitor.pipeline.demo.sample_site import SampleSite, render_listing

    counts = write_growth_archive(tmp_path, 450)
    assert counts == {"articles": 450, "republished": 450 // REPUBLISH_EVERY, "served": 450 + 450 // REPUBLISH_EVERY}
    site = SampleSite.load(tmp_path)
    originals = {str(a["id"]) for a in synthetic_articles(450)}
    assert {str(r["original"]) for r in site.config.republished} <= originals
    listing = render_listing(site.snapshot(), 12)
    assert listing is not None
    linked = {int(n) for n in re.findall(r"liste\.php\?seite=(\d+)\"", listing)}
    pages = len(site.listing_urls())
    assert linked == {1, pages, *range(12 - PAGINATION_WINDOW, min(pages, 12 + PAGINATION_WINDOW) + 1)}
