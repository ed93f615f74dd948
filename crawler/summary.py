"""A Scrapy extension that writes a crawl's summary when its spider closes.

Spiders count in `crawler.stats`: the press spider its decisions (fetch:…, skip:…) under
`komo/decisions/`, the council spiders their figures (objects, pages, errors, …) under
`komo/counts/`. This extension writes them, the finish reason and what the spider adds
(`summary_extras(reason)`) to `spider.json` in KOMO_STAGING_DIR, which the loader
(pipeline/crawl.py, pipeline/council.py) merges into the run's stats."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from scrapy import Spider, signals
from scrapy.crawler import Crawler

from .staging import staging_dir

DECISIONS = "komo/decisions/"
COUNTS = "komo/counts/"


class SpiderSummary:
    def __init__(self, crawler: Crawler, directory: Path):
        self.crawler = crawler
        self.directory = directory
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SpiderSummary:
        return cls(crawler, staging_dir(crawler.settings, "the crawl summary"))

    def spider_closed(self, spider: Spider, reason: str) -> None:
        stats = self.crawler.stats.get_stats() if self.crawler.stats else {}
        summary: dict[str, Any] = {"finish_reason": reason}
        decisions = {key[len(DECISIONS):]: n for key, n in stats.items() if key.startswith(DECISIONS)}
        if decisions:
            summary["decisions"] = decisions
        summary.update({key[len(COUNTS):]: n for key, n in stats.items() if key.startswith(COUNTS)})
        extras = getattr(spider, "summary_extras", None)
        if extras is not None:
            summary.update(extras(reason))
        self.directory.mkdir(parents=True, exist_ok=True)
        (self.directory / "spider.json").write_text(json.dumps(summary))
