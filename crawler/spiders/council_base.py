"""What the two council spiders (OParl, SessionNet) share: the job's source and hosts, the kept-copy
folder and incremental state (settings read in `from_crawler`), a thread pool for files, how a failed
request is described, and the items an object, a failure or a file download becomes.

A council spider's records are made in helpers below callbacks that return requests; they queue in
`pending`, which the `PendingItems` spider middleware (crawler/items.py) adds to the output of the
callback running, and an errback returns with its own output. Counters go to `crawler.stats`
(`count`); crawler/summary.py writes them with `summary_extras()` to spider.json."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from http import HTTPStatus
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from kommunalmonitor.core.crawljob import CrawlJob

from ..items import CouncilObject, CrawlError, FileDownload, now, pending_items
from ..middlewares import OffsiteRedirect
from ..summary import COUNTS


class CouncilSpider(scrapy.Spider):
    """Base of the council spiders; a subclass names its source class in `source_class`."""

    source_class: Any = None

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        self.source = self.source_class.load(Path(job.source_file), base_url=job.base_url)
        self.policy = self.source.host_policy()
        self.allowed_domains = self.policy.hostnames
        self.started_at = now()
        self.requested_files: set[str] = set()
        self.pending: list[Any] = []  # items made below the callbacks (see the module's docstring)
        # Hashing and compressing council files off the reactor thread (zlib and hashlib let go
        # of the GIL on large buffers).
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="komo-files")

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> CouncilSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.raw_dir = Path(settings["KOMO_RAW_DIR"])
        state_file = settings.get("KOMO_STATE_FILE")
        spider.use_state(json.loads(Path(state_file).read_text(encoding="utf-8")) if state_file else {})
        return spider

    def use_state(self, state: dict[str, Any]) -> None:
        """Take the incremental state the store handed over (KOMO_STATE_FILE); a subclass's."""

    def count(self, name: str, n: int = 1) -> None:
        """Add to one of this crawl's counters (in spider.json, then the run's stats)."""
        self.crawler.stats.inc_value(COUNTS + name, n)

    def error_items(self, failure: Failure) -> list[Any]:
        """What an errback returns: the items its handling queued and the request's fetch records."""
        return pending_items(self, failure.request)

    @staticmethod
    def describe_failure(failure: Failure, default_limit_mb: float) -> tuple[int | None, str, bool]:
        """(HTTP status, one-line reason, transient?) of a failed request."""
        request = failure.request
        attempts = request.meta.get("retry_times", 0) + 1
        suffix = f" after {attempts} attempts" if attempts > 1 else ""
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status} {phrase(status)}{suffix}"
            if request.meta.get("komo_gave_up"):
                reason += f" ({request.meta['komo_gave_up']})"
            return status, reason, status >= 500 or status in (408, 429)
        if failure.check(OffsiteRedirect):
            return failure.value.status, str(failure.value), False
        if failure.check(IgnoreRequest):
            message = str(failure.value)
            return None, "forbidden by robots.txt" if "robots.txt" in message else f"ignored: {message}", False
        name = type(failure.value).__name__
        if name in ("DownloadCancelledError", "CancelledError") or "maxsize" in str(failure.value).lower():
            limit = request.meta.get("download_maxsize", default_limit_mb * 1024 * 1024) / (1024 * 1024)
            return None, f"larger than the {limit:g} MB download limit", False
        if "Timeout" in name or "TimedOut" in name:
            return None, "timeout" + suffix, True
        return None, f"{name}: {str(failure.value)[:200]}{suffix}", True

    def _error(self, url: str, status: int | None, reason: str, transient: bool, kind: str,
               object_id: str | None = None) -> None:
        self.logger.warning("failed %s: %s", url, reason)
        self.count(f"errors_{kind}")
        self.pending.append(CrawlError(self.source.name, url, object_id, kind, status, reason, transient))

    def _download(self, file_id: str, url: str, status: int | None, raw_ref: str | None, error: str | None,
                  transient: bool | None, mime: str | None, sha256: str | None = None,
                  size: int | None = None) -> None:
        self.pending.append(FileDownload(self.source.name, file_id, url, status, raw_ref, sha256, size, mime, error,
                                         transient))

    def _object(self, row: dict[str, Any]) -> None:
        self.pending.append(CouncilObject(row))

    def closed(self, reason: str) -> None:
        self.pool.shutdown(wait=True)


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
