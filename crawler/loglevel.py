"""A Scrapy extension that stops log records below LOG_LEVEL from being made at all.

Scrapy sets the root logger to NOTSET and filters at its handler, so every DEBUG message (one
per scraped item and per response) is made into a record and then dropped: a few per cent
of a crawl's time on a fast local archive. Raising the root logger's level when the spider opens
(after Scrapy has installed its handler) keeps exactly the same lines in the log."""

from __future__ import annotations

import logging

from scrapy import signals
from scrapy.crawler import Crawler


class RootLogLevel:
    def __init__(self, level: int | str):
        self.level = level

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RootLogLevel:
        extension = cls(crawler.settings.get("LOG_LEVEL", "DEBUG"))
        crawler.signals.connect(extension.spider_opened, signal=signals.spider_opened)
        return extension

    def spider_opened(self) -> None:
        logging.getLogger().setLevel(self.level)
