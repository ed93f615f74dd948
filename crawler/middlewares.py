"""Downloader middlewares for what Scrapy lacks: Retry-After, and keeping every raw page."""

from __future__ import annotations

import asyncio
import email.utils
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.settings import BaseSettings
from scrapy.utils.python import global_object_name
from scrapy.utils.response import response_status_message

from .items import PageFetch, record_fetch
from .staging import save_raw_page

logger = logging.getLogger(__name__)


def retry_after_seconds(value: bytes | str | None, now: float | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date)."""
    if not value:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, when.timestamp() - (now if now is not None else time.time()))


class RetryAfterMiddleware(RetryMiddleware):
    """Scrapy's retry, but it waits before retrying: Retry-After if the server sent one,
    else exponential backoff. A wait longer than KOMO_RETRY_MAX_WAIT gives up instead.

    Scrapy reads RETRY_TIMES, RETRY_HTTP_CODES, RETRY_EXCEPTIONS and the `max_retry_times` /
    `dont_retry` meta keys (an OParl list page asks for more attempts: it carries every later
    page of its list); this adds only the wait."""

    def __init__(self, settings: BaseSettings):
        super().__init__(settings)
        self.backoff_base = settings.getfloat("KOMO_RETRY_BACKOFF_BASE")
        self.max_wait = settings.getfloat("KOMO_RETRY_MAX_WAIT")

    def _backoff(self, request: Request) -> float:
        return self.backoff_base * 2 ** request.meta.get("retry_times", 0)

    async def process_response(  # type: ignore[override]  # Scrapy awaits a coroutine here
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Request | Response:
        if request.meta.get("dont_retry") or response.status not in self.retry_http_codes:
            return response
        if request.meta.get("retry_times", 0) >= request.meta.get("max_retry_times", self.max_retry_times):
            return response  # give up: the spider's errback records the failure
        wait = retry_after_seconds(response.headers.get("Retry-After"))
        if wait is None:
            wait = self._backoff(request)
        elif wait > self.max_wait:
            request.meta["komo_gave_up"] = (
                f"Retry-After {wait:.0f} s exceeds the {self.max_wait:.0f} s limit"
            )
            return response
        reason = response_status_message(response.status)
        retry = self._retry(request, reason)
        if retry is None:
            return response
        retry.meta["komo_waited"] = wait
        logger.info("waiting %.1f s before retrying %s (%s)", wait, request.url, reason)
        await asyncio.sleep(wait)
        return retry

    async def process_exception(  # type: ignore[override]
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> Request | None:
        retry = super().process_exception(request, exception)
        if isinstance(retry, Request):
            await asyncio.sleep(self._backoff(request))
            return retry
        return None


class OffsiteRedirect(IgnoreRequest):
    """A redirect that leaves the source's domain; the errback records it as a failure."""

    def __init__(self, location: str, status: int):
        super().__init__(f"redirect off the domain to {location}")
        self.location = location
        self.status = status


class OffsiteRedirectGuard:
    """Refuses redirects to other hosts before Scrapy's RedirectMiddleware follows them.

    Scrapy would drop such a request silently at scheduling; we want it in crawl_errors.
    """

    def __init__(self, crawler: Crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> OffsiteRedirectGuard:
        return cls(crawler)

    def process_response(self, request: Request, response: Response,
                         spider: Spider | None = None) -> Response:
        if response.status not in (301, 302, 303, 307, 308) or b"Location" not in response.headers:
            return response
        location = urljoin(request.url, response.headers["Location"].decode("latin-1"))
        host = urlsplit(location).hostname or ""
        allowed = getattr(self.crawler.spider, "allowed_domains", None) or []
        if allowed and not any(host == d or host.endswith("." + d) for d in allowed):
            raise OffsiteRedirect(location, response.status)
        return response


class RawPageArchive:
    """Keeps every fetched body (compressed, content-addressed) and logs every request made,
    with why it was made (a `PageFetch` item), so the run summary can say what a crawl cost.

    Hashing, compressing and creating the file happen on a small thread pool: they release the GIL,
    so they run beside Scrapy's own work (one core) instead of taking a sixth of it. The response
    moves on only once its page is kept, so a staging line never names a page that is not on disk."""

    def __init__(self, crawler: Crawler):
        self.crawler = crawler
        # Where kept pages go: the job's raw folder (crawler/run.py); unset, nothing is kept.
        raw_dir = crawler.settings.get("KOMO_RAW_DIR")
        self.raw_dir = Path(raw_dir) if raw_dir else None
        self.executor = ThreadPoolExecutor(max_workers=crawler.settings.getint("KOMO_RAW_PAGE_THREADS", 2),
                                           thread_name_prefix="raw-pages")
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RawPageArchive:
        return cls(crawler)

    def spider_closed(self) -> None:
        self.executor.shutdown(wait=True)

    def _log(
        self, request: Request, status: int | None, raw_ref: str | None, note: str = ""
    ) -> None:
        # A middleware cannot yield items: the record rides on the request to its callback or
        # errback, whose output carries it to the item pipelines (crawler/items.py).
        record_fetch(request, PageFetch(
            source=self.crawler.spider.source.name, url=request.url, kind=request.meta.get("kind", "other"),
            reason=request.meta.get("reason", "other"), status=status, raw_ref=raw_ref, note=note))

    async def process_response(
        self, request: Request, response: Response, spider: Spider | None = None
    ) -> Response:
        if request.url.endswith("/robots.txt"):
            return response
        raw_dir = self.raw_dir
        # `keep_raw: False`: the spider keeps the body itself (council files, off the reactor thread).
        keep = raw_dir and response.body and request.meta.get("keep_raw", True)
        raw_ref = None
        if keep:
            raw_ref = await asyncio.get_running_loop().run_in_executor(
                self.executor, save_raw_page, raw_dir, response.body, request.meta.get("raw_suffix", ".html.gz"))
        request.meta["raw_ref"] = raw_ref
        self._log(request, response.status, raw_ref)
        return response

    def process_exception(
        self, request: Request, exception: Exception, spider: Spider | None = None
    ) -> None:
        self._log(request, None, None, note=global_object_name(exception.__class__))
        return None
