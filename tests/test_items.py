"""Crawl records as Scrapy items: each class to its staging file, fetch records riding on requests,
queued council records after the callback's output, counters from crawler.stats to spider.json."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
import scrapy
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.test import get_crawler

from kommunalmonitor.crawler.items import (
    CouncilObject,
    CrawlError,
    FileDownload,
    LayoutCheck,
    PageFetch,
    PendingItems,
    UrlForm,
    UrlForms,
    pending_items,
    record_fetch,
)
from kommunalmonitor.crawler.loglevel import RootLogLevel
from kommunalmonitor.crawler.pipelines import IdentityPipeline, StagingRoute
from kommunalmonitor.crawler.summary import COUNTS, DECISIONS, SpiderSummary


class QueueingSpider(scrapy.Spider):
    name = "queueing"

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.pending: list = []

    def summary_extras(self, reason: str) -> dict:
        return {"complete": reason == "finished"}


def _crawler(staging: Path | None):
    crawler = get_crawler(QueueingSpider, {"KOMO_STAGING_DIR": str(staging) if staging else None})
    crawler._apply_settings()
    crawler.spider = QueueingSpider.from_crawler(crawler)
    return crawler


def _lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_every_item_class_goes_to_the_staging_file_of_its_kind(tmp_path: Path):
    route = StagingRoute.from_crawler(_crawler(tmp_path))
    items = [
        {"source": "s", "native_id": "1", "title": "Ein Artikel"},
        UrlForm("s", "1", "http://127.0.0.1/a?id=1", "f00"),
        CrawlError("s", "http://127.0.0.1/b", None, "listing", 503, "HTTP 503", True, "2026-01-02T03:04:05"),
        PageFetch("s", "http://127.0.0.1/b", "listing", "listing", 503, None, "", "2026-01-02T03:04:05"),
        FileDownload("s", "file/1", "http://127.0.0.1/f.pdf", 200, "raw/ab/x.pdf.gz", "x", 3, "application/pdf",
                     None, None, "2026-01-02T03:04:05"),
        CouncilObject({"source": "s", "id": "paper/1", "type": "Paper"}),
        LayoutCheck({"source": "s", "native_id": "1", "parsed": True}),
        UrlForms([UrlForm("s", "2", "http://127.0.0.1/a?id=2", None),
                  UrlForm("s", "3", "http://127.0.0.1/a?id=3", "f03")]),
    ]
    for item in items:
        assert route.process_item(item) is item
    route.close_spider()
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "downloads.jsonl", "errors.jsonl", "forms.jsonl", "items.jsonl", "layout.jsonl", "objects.jsonl",
        "pages.jsonl"]
    assert _lines(tmp_path / "items.jsonl") == [items[0]]
    assert _lines(tmp_path / "forms.jsonl") == [  # one line per form, a page's forms in their order
        {"source": "s", "native_id": "1", "url": "http://127.0.0.1/a?id=1", "fingerprint": "f00"},
        {"source": "s", "native_id": "2", "url": "http://127.0.0.1/a?id=2", "fingerprint": None},
        {"source": "s", "native_id": "3", "url": "http://127.0.0.1/a?id=3", "fingerprint": "f03"}]
    assert _lines(tmp_path / "errors.jsonl") == [
        {"source": "s", "url": "http://127.0.0.1/b", "native_id": None, "kind": "listing", "status": 503,
         "reason": "HTTP 503", "transient": True, "failed_at": "2026-01-02T03:04:05"}]
    assert _lines(tmp_path / "pages.jsonl")[0]["status"] == 503
    assert _lines(tmp_path / "downloads.jsonl")[0]["mime_type"] == "application/pdf"
    assert _lines(tmp_path / "objects.jsonl") == [{"source": "s", "id": "paper/1", "type": "Paper"}]
    assert _lines(tmp_path / "layout.jsonl") == [{"source": "s", "native_id": "1", "parsed": True}]


def test_an_object_that_is_no_crawl_record_is_refused(tmp_path: Path):
    route = StagingRoute.from_crawler(_crawler(tmp_path))
    with pytest.raises(TypeError, match="no staging file"):
        route.process_item(object())


def test_without_a_staging_folder_the_route_and_the_summary_are_off():
    crawler = _crawler(None)
    with pytest.raises(NotConfigured):
        StagingRoute.from_crawler(crawler)
    with pytest.raises(NotConfigured):
        SpiderSummary.from_crawler(crawler)


def test_identity_pipeline_drops_a_second_document_and_passes_other_items():
    pipeline = IdentityPipeline()
    pipeline.open_spider()
    form = UrlForm("s", "1", "http://127.0.0.1/a", None)
    assert pipeline.process_item({"source": "s", "native_id": "1"})["native_id"] == "1"
    assert pipeline.process_item(form) is form
    assert pipeline.process_item(form) is form
    with pytest.raises(scrapy.exceptions.DropItem):
        pipeline.process_item({"source": "s", "native_id": "1"})


def test_fetch_records_survive_a_retry_copy_and_are_taken_once():
    request = scrapy.Request("http://127.0.0.1/a")
    first = PageFetch("s", request.url, "article", "new", 503, None, "")
    record_fetch(request, first)
    retried = request.copy()  # what Scrapy's retry and redirect do: the meta goes along
    second = PageFetch("s", request.url, "article", "new", 200, "raw/ab/c.html.gz", "")
    record_fetch(retried, second)
    # A retry on a shared frontier goes through Redis as JSON, records and all.
    travelled = scrapy.Request(retried.url, meta=json.loads(json.dumps(retried.meta)))
    assert pending_items(None, travelled) == [first, second]
    assert pending_items(None, retried) == [first, second]
    assert pending_items(None, retried) == []


def test_queued_items_follow_the_callback_output_once():
    crawler = _crawler(None)
    spider = crawler.spider
    middleware = PendingItems.from_crawler(crawler)
    request = scrapy.Request("http://127.0.0.1/list")
    fetch = PageFetch("s", request.url, "listing", "listing", 200, None, "")
    record_fetch(request, fetch)
    response = HtmlResponse(request.url, body=b"<html></html>", request=request)
    error = CrawlError("s", "http://127.0.0.1/x", None, "listing", None, "list URL off the hosts", False)
    follow = scrapy.Request("http://127.0.0.1/next")

    def callback():
        spider.pending.append(error)  # what a helper below the callback does
        yield follow

    assert list(middleware.process_spider_output(response, callback())) == [follow, fetch, error]
    assert spider.pending == [] and list(middleware.process_spider_output(response, iter(()))) == []


def test_the_summary_writes_counters_decisions_and_extras(tmp_path: Path):
    crawler = _crawler(tmp_path)
    summary = SpiderSummary.from_crawler(crawler)
    crawler.stats.inc_value(COUNTS + "papers", 3)
    crawler.stats.inc_value(DECISIONS + "fetch:new")
    crawler.stats.inc_value("downloader/request_count", 9)  # Scrapy's own: not in the summary
    summary.spider_closed(crawler.spider, "finished")
    assert json.loads((tmp_path / "spider.json").read_text()) == {
        "finish_reason": "finished", "decisions": {"fetch:new": 1}, "papers": 3, "complete": True}


def test_log_records_below_the_log_level_are_not_made():
    crawler = get_crawler(QueueingSpider, {"LOG_LEVEL": "INFO"})
    extension = RootLogLevel.from_crawler(crawler)
    root = logging.getLogger()
    before = root.level
    try:
        root.setLevel(logging.NOTSET)  # as Scrapy leaves it
        extension.spider_opened()
        assert not logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.DEBUG)
        assert logging.getLogger("scrapy.core.scraper").isEnabledFor(logging.INFO)
    finally:
        root.setLevel(before)


def test_no_spider_callback_is_a_generator_that_returns_a_value():
    """Scrapy's own check of this is off (WARN_ON_GENERATOR_RETURN_VALUE: it re-read the source of a
    callback on most responses); a value returned from a generator callback would be lost."""
    from scrapy.utils.misc import is_generator_with_return_value

    from kommunalmonitor.crawler.spiders.oparl import OParlSpider
    from kommunalmonitor.crawler.spiders.press import PressArchiveSpider
    from kommunalmonitor.crawler.spiders.sessionnet import SessionNetSpider

    checked = 0
    for spider in (PressArchiveSpider, OParlSpider, SessionNetSpider):
        for name in dir(spider):
            if name.startswith(("parse", "on_", "errback")) and callable(getattr(spider, name)):
                assert not is_generator_with_return_value(getattr(spider, name)), f"{spider.__name__}.{name}"
                checked += 1
    assert checked >= 6
