"""The store on its own: migrations, idempotent loads, torn staging lines, near-duplicates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunalmonitor.core.crawljob import CrawlJob
from kommunalmonitor.pipeline.store import Store


def _item(native_id: str, body: str, title: str = "Titel", published: str = "2020-01-02",
          url: str | None = None) -> dict:
    return {
        "source": "test", "native_id": native_id,
        "canonical_url": f"http://h/presse.php?view={native_id}",
        "url_forms": [url or f"http://h/presse.php?view={native_id}"], "title": title,
        "published": published, "sender": "Stadtverwaltung", "category": "Politik", "body": body,
        "archive_year": None, "footer_addresses": [], "visitor_count": 5,
        "content_hash": str(abs(hash((title, body, published)))), "raw_ref": None,
        "fetched_at": "2026-01-01T00:00:00",
    }


def _write(directory: Path, kind: str, records: list[dict], torn: str = "") -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / f"{kind}.jsonl", "a", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.write(torn)


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "komo.duckdb") as opened:
        yield opened


def test_migrations_apply_once(store: Store):
    assert store.schema_version() >= 1
    assert store.migrate() == []


def test_load_skips_a_torn_last_line_and_repeats_idempotently(store: Store, tmp_path: Path):
    staging = tmp_path / "run-1"
    _write(staging, "items", [_item("1", "Erster Text."), _item("2", "Zweiter Text.")],
           torn='{"source": "test", "native_id": "3", "bo')
    _write(staging, "forms", [{"source": "test", "native_id": "1", "url": "http://h/a-00000001.html",
                               "fingerprint": "abc"}])
    run = store.start_run("crawl", "test")
    first = store.load_staging(staging, run)
    assert (first.documents_new, first.documents_changed) == (2, 0)
    again = store.load_staging(staging, run)
    assert (again.documents_new, again.documents_unchanged) == (0, 2)
    rows = store.query("SELECT native_id, url_forms, listing_fingerprint FROM documents ORDER BY 1")[1]
    assert rows[0] == ("1", ["http://h/a-00000001.html", "http://h/presse.php?view=1"], "abc")
    assert len(rows) == 2


def test_changed_content_keeps_old_version(store: Store, tmp_path: Path):
    run = store.start_run("crawl", "test")
    _write(tmp_path / "a", "items", [_item("1", "Alt.")])
    store.load_staging(tmp_path / "a", run)
    _write(tmp_path / "b", "items", [_item("1", "Neu.")])
    result = store.load_staging(tmp_path / "b", run)
    assert result.documents_changed == 1
    assert store.query("SELECT body FROM documents")[1] == [("Neu.",)]
    assert store.query("SELECT count(*) FROM document_versions")[1] == [(2,)]


BODY = " ".join(f"Satz Nummer {i} über den Integrationsrat und die Stadt." for i in range(30))


@pytest.mark.parametrize("order", [("10", "20"), ("20", "10")])
def test_republished_copy_links_to_earliest_whatever_the_load_order(store, tmp_path, order):
    items = {"10": _item("10", BODY, published="2019-01-01"),
             "20": _item("20", BODY + " Nachtrag.", published="2019-03-01"),
             "30": _item("30", "Etwas ganz anderes.", published="2019-02-01")}
    run = store.start_run("crawl", "test")
    for step, native_id in enumerate(order):
        _write(tmp_path / f"s{step}", "items", [items[native_id]])
        store.load_staging(tmp_path / f"s{step}", run)
    _write(tmp_path / "s9", "items", [items["30"]])
    store.load_staging(tmp_path / "s9", run)
    links = dict(store.query("SELECT native_id, duplicate_of FROM documents")[1])
    assert links == {"10": None, "20": "10", "30": None}


def test_crawl_state_holds_permanent_failures_and_recent_window(store: Store, tmp_path: Path):
    run = store.start_run("crawl", "test")
    _write(tmp_path / "a", "items", [_item(str(i), f"Text {i}.", published=f"2020-01-{i:02d}")
                                     for i in range(1, 6)])
    _write(tmp_path / "a", "errors", [
        {"source": "test", "url": "http://h/x", "native_id": "99", "kind": "article",
         "status": 404, "reason": "HTTP 404 Not Found", "transient": False,
         "failed_at": "2026-01-01T00:00:00"},
        {"source": "test", "url": "http://h/y", "native_id": "98", "kind": "article",
         "status": 500, "reason": "HTTP 500", "transient": True, "failed_at": "2000-01-01T00:00:00"},
    ])
    store.load_staging(tmp_path / "a", run)
    from datetime import timedelta

    state = store.crawl_state("test", 2, timedelta(hours=6))
    assert state.recheck == ["5", "4"]
    assert state.failed_hold == ["99"]
    assert state.retry_due == ["98"]
    assert set(state.known) == {"1", "2", "3", "4", "5"}
    # The state travels to the spider in a JSON job file and comes back the same.
    job = CrawlJob(source_file="s.toml", staging_dir=str(tmp_path), raw_dir=str(tmp_path), state=state)
    assert CrawlJob.read(job.write(tmp_path / "job.json")) == job


def test_publish_writes_a_readable_snapshot(store: Store, tmp_path: Path):
    run = store.start_run("crawl", "test")
    _write(tmp_path / "a", "items", [_item("1", "Text.")])
    store.load_staging(tmp_path / "a", run)
    target = tmp_path / "published" / "komo.duckdb"
    store.publish(target)
    with Store.open(target, read_only=True) as snapshot:
        assert snapshot.query("SELECT count(*) FROM documents")[1] == [(1,)]
    assert not list(target.parent.glob(".*tmp"))


def test_a_run_block_records_ok_its_own_finish_or_failed(store: Store):
    with store.run("classify") as run:
        run.stats = lambda: {"documents": 3}
    with store.run("update", "beispielstadt") as finished:
        finished.finish("partial", {"crawls": 1}, "one source failed")
    with pytest.raises(ValueError), store.run("extract") as failed:
        failed.stats = lambda: {"documents": 1}
        raise ValueError("kaputt")
    rows = store.con.execute("SELECT run_id, command, source, status, stats::JSON, message FROM runs "
                             "ORDER BY run_id").fetchall()
    assert [(r[0], r[1], r[2], r[3], json.loads(r[4]), r[5]) for r in rows] == [
        (run.run_id, "classify", None, "ok", {"documents": 3}, ""),
        (finished.run_id, "update", "beispielstadt", "partial", {"crawls": 1}, "one source failed"),
        (failed.run_id, "extract", None, "failed", {"documents": 1}, "ValueError: kaputt")]


def test_a_document_staged_twice_keeps_its_latest_fetch(store: Store, tmp_path: Path):
    # The later fetch first in the file: the load picks by fetched_at, not by line order.
    staging = tmp_path / "run-1"
    later = _item("1", "Zweite Fassung.") | {"fetched_at": "2026-01-02T00:00:00"}
    _write(staging, "items", [later, _item("1", "Erste Fassung."), _item("2", "Anderer Text.")])
    result = store.load_staging(staging, store.start_run("crawl", "test"))
    assert result.documents_new == 2
    assert store.query("SELECT native_id, body FROM documents ORDER BY 1")[1] == [
        ("1", "Zweite Fassung."), ("2", "Anderer Text.")]
    assert store.query("SELECT count(*) FROM document_versions WHERE native_id = '1'")[1] == [(1,)]
    assert store.query("SELECT count(*) FROM duckdb_tables() WHERE temporary")[1] == [(0,)]
