"""Item pipelines: one document per identity per run, then every item to its staging file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem

from .items import pending_items, staging_records
from .staging import StagingWriter, staging_dir


class IdentityPipeline:
    """Drops a second document for an identity already emitted in this run (the same article
    reached under another URL form after all); its URL forms are kept as form records."""

    def open_spider(self, spider: Spider | None = None) -> None:
        self.seen: set[tuple[str, str]] = set()

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        if not isinstance(item, dict):
            return item  # not a document: a form, an error, a fetch, …
        key = (item["source"], item["native_id"])
        if key in self.seen:
            raise DropItem(f"article {key[1]} already stored in this run")
        self.seen.add(key)
        return item


class StagingRoute:
    """Appends each item to the staging file of its kind (crawler/items.py) in KOMO_STAGING_DIR,
    the folder the store writer loads when the crawl has ended."""

    def __init__(self, crawler: Crawler, directory: Path):
        self.crawler = crawler
        self.writer = StagingWriter(directory)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StagingRoute:
        return cls(crawler, staging_dir(crawler.settings, "staging"))

    def process_item(self, item: Any, spider: Spider | None = None) -> Any:
        for kind, record in staging_records(item):
            self.writer.write(kind, record)
        return item

    def close_spider(self, spider: Spider | None = None) -> None:
        # What a spider queued after its last callback (none does today) is staged all the same.
        for item in pending_items(self.crawler.spider, None):
            for kind, record in staging_records(item):
                self.writer.write(kind, record)
        self.writer.close()
