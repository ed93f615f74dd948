"""A real Scrapy crawl of the served sample archive, compared with the labelled truth."""

from __future__ import annotations

import gzip
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from kommunalmonitor.crawler.layout import normalize_space
from kommunalmonitor.pipeline.demo.sample_site import listing_href

from .conftest import query

pytestmark = pytest.mark.slow

FIELDS = ("title", "published", "sender", "category", "body")


def _stored(home: Path) -> dict[str, dict]:
    rows = query(home / "published" / "komo.duckdb",
                 "SELECT native_id, title, strftime(published, '%Y-%m-%d'), sender, category, body, "
                 "url_forms, raw_ref, duplicate_of, footer_addresses, visitor_count FROM documents")
    keys = ("native_id", *FIELDS, "url_forms", "raw_ref", "duplicate_of", "footer_addresses",
            "visitor_count")
    return {row[0]: dict(zip(keys, row, strict=True)) for row in rows}


def _local(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def test_every_good_article_is_stored_exactly_as_labelled(clean_crawl, sample_site):
    home, _ = clean_crawl
    expected = {str(a["id"]): a for a in sample_site.expected_articles()}
    stored = _stored(home)
    assert set(stored) == set(expected), "document count must equal the distinct articles"
    wrong = []
    for native_id, truth in expected.items():
        for field in FIELDS:
            want = truth[field]
            got = stored[native_id][field]
            if field == "body":
                want, got = normalize_space(want), normalize_space(got)
            if want != got:
                wrong.append(f"{native_id}.{field}: want {str(want)[:60]!r} got {str(got)[:60]!r}")
    assert not wrong, f"{len(wrong)} field mismatches, e.g. {wrong[:5]}"


def test_furniture_never_leaks_into_bodies_and_is_kept_as_metadata(clean_crawl):
    home, _ = clean_crawl
    stored = _stored(home)
    furniture = ("Anschriften aus dem Artikel", "Bisherige Besucher", "Meldungen Blättern",
                 "Weitere Nachrichten der Quelle", "Kurz zusammengefasst", "Leverkusen.com –")
    leaks = [(n, f) for n, doc in stored.items() for f in furniture if f in doc["body"]]
    assert not leaks
    assert all(doc["visitor_count"] for doc in stored.values())
    with_footer = [d for d in stored.values() if d["footer_addresses"]]
    assert with_footer and all(d["footer_addresses"] == ["Alte Landstr 129", "Albert-Einstein-Str 58"]
                               for d in with_footer)


def test_every_url_form_in_the_listing_maps_to_its_one_document(clean_crawl, sample_site):
    home, _ = clean_crawl
    stored = _stored(home)
    archive = sample_site.snapshot()
    missing = []
    for release in archive.articles:
        if str(release.id) in stored:
            forms = {_local(u) for u in stored[str(release.id)]["url_forms"]}
            if listing_href(release) not in forms:
                missing.append(release.id)
    assert not missing
    assert max(len(d["url_forms"]) for d in stored.values()) >= 2


def test_republished_release_is_linked_to_its_original(clean_crawl, sample_site):
    home, _ = clean_crawl
    stored = _stored(home)
    republished = {str(r["id"]): str(r["original"]) for r in sample_site.config.republished}
    assert republished
    for copy, original in republished.items():
        assert stored[copy]["duplicate_of"] == original
        assert stored[original]["duplicate_of"] is None
    assert sum(1 for d in stored.values() if d["duplicate_of"]) == len(republished)


def test_every_bad_page_is_recorded_with_its_reason(clean_crawl, sample_site):
    home, _ = clean_crawl
    faults = sample_site.fault_ids()
    rows = query(home / "komo.duckdb", "SELECT native_id, status, reason FROM crawl_errors")
    errors = {native_id: (status, reason) for native_id, status, reason in rows}
    expectations = {
        "not_found": (404, "Not Found"),
        "server_error": (500, "after 3 attempts"),
        "too_many_always": (429, "Too Many Requests"),
        "redirect_offsite": (302, "redirect off the domain to http://presse.example.invalid/"),
        "truncated": (None, "cut off"),
        "empty": (200, "empty page"),
        "huge": (None, "download limit"),
    }
    for fault, (status, words) in expectations.items():
        native_id = str(faults[fault])
        assert native_id in errors, f"{fault} page missing from crawl_errors"
        assert errors[native_id][0] == status, (fault, errors[native_id])
        assert words in errors[native_id][1], (fault, errors[native_id])
    stored = _stored(home)
    for good in ("too_many_once", "broken_html"):
        assert str(faults[good]) in stored and str(faults[good]) not in errors


def test_retry_after_429_waited_at_least_retry_after(clean_crawl, sample_site):
    _, server = clean_crawl
    native_id = sample_site.fault_ids()["too_many_once"]
    hits = [r for r in server.requests if sample_site.article_path(native_id) == r["path"]]
    assert [h["status"] for h in hits[:2]] == [429, 200]
    assert hits[1]["t"] - hits[0]["t"] >= 1.0  # the fast server sends Retry-After: 1


def test_offsite_redirect_and_robots_disallowed_pages_are_not_followed(clean_crawl):
    home, server = clean_crawl
    assert not [r for r in server.requests if r["path"].startswith("/presse/intern/")]
    fetched = [u for (u,) in query(home / "komo.duckdb", "SELECT url FROM pages")]
    assert fetched and not [u for u in fetched if "example.invalid" in u]


def test_raw_pages_are_kept_compressed(clean_crawl):
    home, _ = clean_crawl
    stored = _stored(home)
    doc = next(d for d in stored.values() if d["title"])
    raw = gzip.decompress((home / doc["raw_ref"]).read_bytes())
    assert b"<" in raw and len(raw) > 500
    listing_raw = query(home / "komo.duckdb", "SELECT count(*) FROM pages WHERE kind = 'listing' "
                        "AND raw_ref IS NOT NULL")[0][0]
    assert listing_raw >= 1


def test_run_is_recorded_with_request_counts_by_reason(clean_crawl, sample_site):
    home, _ = clean_crawl
    status, stats = query(home / "komo.duckdb",
                          "SELECT status, stats FROM runs WHERE command = 'crawl' ORDER BY run_id LIMIT 1")[0]
    assert status == "ok"
    import json

    stats = json.loads(stats)
    assert stats["requests_by_reason"]["listing"] == len(sample_site.listing_urls())
    assert stats["documents_new"] == len(sample_site.expected_articles())
