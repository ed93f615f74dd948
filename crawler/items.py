"""What a crawl hands to the store writer, as Scrapy items: one small class per staging file.

Spiders yield these (a press document stays a plain dict: `items`); the item pipeline
`StagingRoute` (crawler/pipelines.py) writes each to the staging file its class names. Two kinds of
record are made where nothing can yield: a downloader middleware's fetch log and a council spider's
helper deep below its callbacks. Both wait in a queue until the `PendingItems` spider middleware
adds them to the output of the callback that comes next (see its docstring).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar

from scrapy import Request, Spider
from scrapy.http import Response

# Where a downloader middleware leaves its records for the request's callback or errback.
FETCHES_META = "komo_fetches"


def now() -> str:
    """Now in UTC, naive, ISO: how staged records carry their time."""
    return datetime.now(UTC).replace(tzinfo=None).isoformat()


@dataclass
class UrlForm:
    """A URL under which an article was linked (a listing entry or a teaser on another article)."""

    staging_kind: ClassVar[str] = "forms"
    source: str
    native_id: str
    url: str
    fingerprint: str | None


@dataclass
class UrlForms:
    """The URL forms one page showed (a listing's entries, an article's teasers): one item per page,
    not per link, since every item costs a pass through Scrapy's item machinery; staged line by line."""

    staging_kind: ClassVar[str] = "forms"
    forms: list[UrlForm]


@dataclass
class CrawlError:
    """A request or page that failed, with why and whether a later run should try again."""

    staging_kind: ClassVar[str] = "errors"
    source: str
    url: str
    native_id: str | None
    kind: str
    status: int | None
    reason: str
    transient: bool
    failed_at: str = field(default_factory=now)


@dataclass
class PageFetch:
    """One request made (a retried attempt is one more), with why, and its kept raw page."""

    staging_kind: ClassVar[str] = "pages"
    source: str
    url: str
    kind: str
    reason: str
    status: int | None
    raw_ref: str | None
    note: str
    fetched_at: str = field(default_factory=now)


@dataclass
class FileDownload:
    """A council file fetched (or not, with the error) for its File object."""

    staging_kind: ClassVar[str] = "downloads"
    source: str
    file_id: str
    url: str
    status: int | None
    raw_ref: str | None
    sha256: str | None
    size: int | None
    mime_type: str | None
    error: str | None
    transient: bool | None
    fetched_at: str = field(default_factory=now)


@dataclass
class CouncilObject:
    """One council object in the OParl model (crawler/oparl.py: ObjectRecord.staging)."""

    staging_kind: ClassVar[str] = "objects"
    row: dict[str, Any] = field(default_factory=dict)


@dataclass
class LayoutCheck:
    """Which of a press source's layout rules held on one page (crawler/spiders/press.py: layout_check)."""

    staging_kind: ClassVar[str] = "layout"
    row: dict[str, Any] = field(default_factory=dict)


def staging_records(item: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(staging kind, JSON record) of each line an item stages; a plain dict is a press document."""
    if isinstance(item, dict):
        yield "items", item
        return
    kind = getattr(item, "staging_kind", None)
    if kind is None:
        raise TypeError(f"no staging file for a {type(item).__name__}")
    if isinstance(item, UrlForms):
        for form in item.forms:
            yield kind, flat_record(form)
        return
    row = getattr(item, "row", None)
    yield kind, row if isinstance(row, dict) else flat_record(item)


def flat_record(item: Any) -> dict[str, Any]:
    """A record class's fields as a dict: `dataclasses.asdict` without its recursive copy, which
    these classes of plain values do not need."""
    return dict(vars(item))


def record_fetch(request: Request, fetch: PageFetch) -> None:
    """Leave a fetch record on the request; retries and redirects copy the meta, so every attempt's
    record reaches the final callback or errback. Kept as plain data: a retry on a shared frontier
    travels through Redis as JSON (crawler/frontier.py)."""
    request.meta.setdefault(FETCHES_META, []).append(flat_record(fetch))


def pending_items(spider: Spider | None, request: Request | None) -> list[Any]:
    """Take what waits for output: the request's fetch records and the spider's queued items.
    An errback calls this itself (Scrapy hands a download error's errback output to the engine
    without the spider middlewares); taking empties, so nothing is staged twice."""
    found: list[Any] = ([PageFetch(**fetch) for fetch in request.meta.pop(FETCHES_META, ())]
                         if request is not None else [])
    queued = getattr(spider, "pending", None)
    if queued:
        found += queued
        queued.clear()
    return found


class PendingItems:
    """Spider middleware: after a callback's own output, the records waiting for it.

    A downloader middleware cannot yield items, and a council spider's helpers (a list URL off the
    source's hosts, a file request refused) run below callbacks that return requests. They leave
    their records on the request's meta or in `spider.pending`; this passes them on, so every record
    goes through the item pipelines like any scraped item."""

    def __init__(self, spider_getter: Any):
        self._spider = spider_getter

    @classmethod
    def from_crawler(cls, crawler: Any) -> PendingItems:
        return cls(lambda: crawler.spider)

    def process_spider_output(self, response: Response, result: Iterable[Any],
                              spider: Spider | None = None) -> Iterator[Any]:
        yield from result
        yield from pending_items(self._spider(), response.request)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any],
                                          spider: Spider | None = None) -> AsyncIterator[Any]:
        async for output in result:
            yield output
        for item in pending_items(self._spider(), response.request):
            yield item
