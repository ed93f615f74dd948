"""A Scrapy extension that writes a press crawl's summary when its spider closes.

The spider counts its decisions (fetch:…, skip:…) in `crawler.stats` under `komo/decisions/`;
this extension writes them with the finish reason and what the spider adds (`summary_extras()`)
to `spider.json` beside the spider's staging files, which pipeline/crawl.py merges into the run's
stats."""

from __future__ import annotations

import json
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

DECISIONS = "komo/decisions/"


class SpiderSummary:
    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderSummary:
        return cls(crawler)

    def spider_closed(self, spider: Spider, reason: str) -> None:
        extras = getattr(spider, "summary_extras", None)
        if extras is None:  # the council spiders write their own summaries
            return
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary: dict[str, Any] = {
            "decisions": {key[len(DECISIONS):]: n for key, n in stats.items() if key.startswith(DECISIONS)},
            "finish_reason": reason, **extras()}
        (spider.staging_dir / "spider.json").write_text(json.dumps(summary))
