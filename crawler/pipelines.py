"""Item pipelines: one document per identity per run, then hand it to the store via staging."""

from __future__ import annotations

from scrapy import Spider
from scrapy.exceptions import DropItem


class IdentityPipeline:
    """Drops a second item for an identity already emitted in this run (the same article
    reached under another URL form after all); its URL forms are kept as form records."""

    def open_spider(self, spider: Spider | None = None) -> None:
        self.seen: set[tuple[str, str]] = set()

    def process_item(self, item: dict, spider: Spider | None = None) -> dict:
        key = (item["source"], item["native_id"])
        if key in self.seen:
            raise DropItem(f"article {key[1]} already stored in this run")
        self.seen.add(key)
        return item


class StagingPipeline:
    """Appends each document to the run's staging file for the store writer."""

    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler) -> StagingPipeline:
        return cls(crawler)

    def process_item(self, item: dict, spider: Spider | None = None) -> dict:
        self.crawler.spider.staging.write("items", item)
        return item
