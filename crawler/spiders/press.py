"""The one generic press-archive spider; a source is a TOML file, not a subclass.

Incremental by default: listing pages are always read; a detail page is fetched only when its
article is new, its listing entry changed, it is in the re-check window of recent articles, or
a transient failure is due for retry. `full=True` refetches everything.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date
from http import HTTPStatus
from pathlib import Path
from typing import Any

import redis
import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from kommunalmonitor.core.crawljob import CrawlJob, CrawlState
from kommunalmonitor.core.faults import killpoint
from kommunalmonitor.core.german import numeric_date

from ..frontier import LEASE_META, SharedCrawlState, frontier_for
from ..items import CrawlError, LayoutCheck, UrlForm, UrlForms, now, pending_items
from ..layout import LayoutError, LayoutMatch, normalize_space, parse_text
from ..middlewares import OffsiteRedirect
from ..render import decode_page, parse_document, render_text
from ..sources import Source
from ..staging import read_raw_page
from ..summary import DECISIONS


class PressArchiveSpider(scrapy.Spider):
    name = "press"

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        self.source = Source.load(Path(job.source_file), base_url=job.base_url)
        self.allowed_domains = [self.source.host]
        self.full = bool(job.full)
        self.since = date.fromisoformat(job.since) if job.since else None
        self.shared: SharedCrawlState | None = None
        if job.frontier:
            # One of several workers: the loader has seeded the shared frontier and the state in Redis.
            self.shared = SharedCrawlState(redis.Redis.from_url(job.frontier["redis_url"]),
                                           job.frontier["prefix"])
            self.known, self.requested = self.shared.known, self.shared.requested
            self.retry_due, self.failed_hold = self.shared.retry_due, self.shared.failed_hold
            self.recheck: list[str] = []
        else:
            state = job.state or CrawlState()
            self.known = state.known
            self.recheck = state.recheck
            self.retry_due = set(state.retry_due)
            self.failed_hold = set(state.failed_hold)
            self.requested = set()
        self.listings_requested: set[str] = set()
        # Root-relative hrefs known to lead to listing pages: every listing page links every other
        # one, and resolving each of those links on each page costs pages² urljoins.
        self.listing_hrefs: dict[str, str] = {}  # href → absolute URL
        # --budget N: at most N requests this run (listing pages, articles, re-checks). Listing
        # pages are then read one after another, so the budget goes to the newest articles first
        # and the next run resumes with the oldest it has not stored.
        self.budget: int | None = int(job.budget) if job.budget else None
        self.spent = 0
        self.budget_exhausted = False
        self.listing_seen: list[str] = []  # listing pages known, in the order they were linked
        self.listing_pages_read = 0
        self.listing_entries: set[str] = set()

    # -- requests ------------------------------------------------------------------------------

    async def start(self):
        if self.shared is not None:
            return  # the loader queued the start requests (crawler/frontier.py: seed)
        for url in self.source.start_urls:
            request = self._listing_request(url)
            if request is not None:
                yield request
        if not self.full:
            for native_id in self.recheck:
                request = self._article_request(native_id, "recheck")
                if request is not None:
                    yield request

    def _listing_request(self, url: str) -> scrapy.Request | None:
        # Every listing page links every other one; skip them here rather than in the
        # dupefilter, which would cost pages² requests through the middlewares.
        if url in self.listings_requested or not self._spend():
            return None
        self.listings_requested.add(url)
        return scrapy.Request(
            url,
            callback=self.parse_listing,
            errback=self.on_error,
            meta={"kind": "listing", "reason": "listing"},
        )

    def _article_request(self, native_id: str, reason: str, found_as: str | None = None):
        if self.budget is not None and native_id in self.requested:
            return None  # no budget spent on an article already asked for (a budget needs no shared frontier)
        if not self._spend() or not self._claim(native_id):
            return None
        self._decided(f"fetch:{reason}")
        return scrapy.Request(
            self.source.canonical_url(native_id),
            callback=self.parse_article,
            errback=self.on_error,
            meta={
                "kind": "article",
                "reason": reason,
                "native_id": native_id,
                "found_as": found_as,
            },
        )

    def _spend(self) -> bool:
        """Count one request against the run's budget; False once it is used up."""
        if self.budget is None:
            return True
        if self.spent >= self.budget:
            self.budget_exhausted = True
            return False
        self.spent += 1
        return True

    def _claim(self, native_id: str) -> bool:
        """Mark an article as requested in this crawl; False when it already was (by any worker)."""
        if isinstance(self.requested, set):
            if native_id in self.requested:
                return False
            self.requested.add(native_id)
            return True
        return self.requested.add(native_id)

    def _decide(
        self, native_id: str, fingerprint: str | None, entry_date: date | None
    ) -> str | None:
        """Why to fetch this article now, or None to leave it alone."""
        if self.since and entry_date and entry_date < self.since:
            return None
        if self.full:
            return "full"
        if native_id in self.requested:
            return None
        if native_id in self.known:
            stored = self.known[native_id]
            if fingerprint is not None and stored is not None and fingerprint != stored:
                return "listing-changed"
            self._decided("skip:unchanged")
            return None
        if native_id in self.failed_hold:
            self._decided("skip:failed-before")
            return None
        return "retry-failed" if native_id in self.retry_due else "new"

    # -- callbacks ----------------------------------------------------------------------------

    def parse_listing(self, response: Response):
        killpoint("listing_page")
        if not isinstance(response, TextResponse) or not response.body.strip():
            yield self._error(response.url, response.status, "listing page is empty", transient=True, kind="listing")
            return
        root = parse_document(response.text)
        entries = self._article_links(response, root)
        self.listing_pages_read += 1
        self.listing_entries.update(native_id for _, native_id, _, _ in entries)
        oldest_entry: date | None = None
        if self.shared is not None:
            self.shared.prefetch([native_id for _, native_id, _, _ in entries])
        if entries:
            yield UrlForms([UrlForm(self.source.name, native_id, url, fingerprint)
                            for url, native_id, fingerprint, _ in entries])
        for url, native_id, fingerprint, entry_date in entries:
            if entry_date:
                oldest_entry = min(oldest_entry or entry_date, entry_date)
            reason = self._decide(native_id, fingerprint, entry_date)
            if reason:
                request = self._article_request(native_id, reason, found_as=url)
                if request is not None:
                    yield request
        if self.since and oldest_entry and oldest_entry < self.since:
            return  # listings run newest first: later pages hold only older articles
        linked = []
        for href in self._hrefs(root):
            if href in self.listing_hrefs:
                if self.budget is not None:  # page order matters with a budget: keep known ones in it
                    linked.append(self.listing_hrefs[href])
                continue
            url = response.urljoin(href)
            if self.source.is_listing(url):
                if href.startswith(("/", "http://", "https://")):
                    self.listing_hrefs[href] = url
                linked.append(url)
        if self.budget is not None:
            if request := self._next_listing(linked):
                yield request
            return
        for url in linked:
            if request := self._listing_request(url):
                yield request

    def _next_listing(self, linked: list[str]) -> scrapy.Request | None:
        """With a budget: the one listing page to read next, the first this page links that was not
        read yet (pagination runs newest first), else the first known one."""
        known = set(self.listing_seen)
        self.listing_seen += [url for url in dict.fromkeys(linked) if url not in known]
        for url in [*linked, *self.listing_seen]:
            if url not in self.listings_requested:
                return self._listing_request(url)
        return None

    @staticmethod
    def _hrefs(root) -> list[str]:
        # The tree parsed for the entries, not response.xpath, which would parse the page again.
        return [] if root is None else [href.strip() for href in root.xpath("//a/@href")]

    def parse_article(self, response: Response):
        killpoint("article_page")
        native_id = response.meta["native_id"]
        if not response.body.strip():
            yield self._error(self._origin_url(response), response.status, "empty page", transient=True)
            return
        if not isinstance(response, TextResponse):
            yield self._error(
                self._origin_url(response),
                response.status,
                f"not a text page ({response.headers.get('Content-Type', b'?').decode()})",
                transient=False,
            )
            return
        read = read_article(response.body, response.text, self.source)
        if read.repaired:
            self.logger.info("%s: %s", response.url, read.repaired)
        yield LayoutCheck(layout_check(self.source.name, native_id, self._origin_url(response),
                                       response.meta.get("raw_ref"), read))
        if read.layout_error is not None:
            yield self._error(
                self._origin_url(response), response.status, f"layout: {read.layout_error}", transient=False
            )
            return
        forms = {response.url, *response.meta.get("redirect_urls", [])}
        if response.meta.get("found_as"):
            forms.add(response.meta["found_as"])
        # Teasers on the page link other articles: remember those URL forms too.
        linked = self._linked_articles(response, read.hrefs)
        if linked:
            yield UrlForms([UrlForm(self.source.name, other_id, url, None) for url, other_id in linked])
        for url, other_id in linked:
            if other_id not in self.known and not self.full and other_id not in self.failed_hold:
                request = self._article_request(other_id, "discovered", found_as=url)
                if request is not None:
                    yield request
        yield article_item(self.source, native_id, forms, read, response.meta.get("raw_ref"))

    # -- links --------------------------------------------------------------------------------

    def _linked_articles(self, response: TextResponse, hrefs: list[str]) -> list[tuple[str, str]]:
        """(url, native id) of every article link among a page's hrefs, in page order."""
        found = []
        for href in hrefs:
            if href in self.listing_hrefs:
                continue
            url = response.urljoin(href)
            native_id = self.source.article_id(url)
            if native_id is not None:
                found.append((url, native_id))
        return found

    def _article_links(self, response: TextResponse, root, fingerprints: bool = True):
        """(url, native id, listing-entry fingerprint, entry date) for each article link.

        The entry is the largest element around a link that holds no other article: its text
        (date, headline, sender, "aktualisiert") changes when the article does.
        """
        if root is None:
            return []
        ids_below: dict[Any, set[str]] = {}
        links: list[tuple[Any, str, str]] = []
        for element in root.iter("a"):
            href = element.get("href")
            if not href or href.strip() in self.listing_hrefs:
                continue
            url = response.urljoin(href.strip())
            native_id = self.source.article_id(url)
            if native_id is None:
                continue
            links.append((element, url, native_id))
            node = element
            while node is not None:
                ids_below.setdefault(node, set()).add(native_id)
                node = node.getparent()
        found = []
        for element, url, native_id in links:
            entry = element
            parent = entry.getparent()
            while parent is not None and len(ids_below.get(parent, ())) == 1:
                entry = parent
                parent = entry.getparent()
            text = normalize_space(entry.text_content()) if fingerprints else ""
            fingerprint = _fingerprint(text) if fingerprints else None
            found.append((url, native_id, fingerprint, numeric_date(text)))
        return found

    # -- failures -----------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> list[Any]:
        """The failure as an error item, with the request's fetch records (crawler/items.py)."""
        try:
            output: list[Any] = [self._on_error(failure), *pending_items(self, failure.request)]
        finally:
            self._acknowledge(failure.request)
        if self.budget is not None and failure.request.meta.get("kind") == "listing":
            # Listing pages are read one after another with a budget: a failed one must not end the run.
            request = self._next_listing([])
            if request is not None:
                output.append(request)
        return output

    def _on_error(self, failure: Failure) -> CrawlError:
        request = failure.request
        kind = request.meta.get("kind", "other")
        url = (request.meta.get("redirect_urls") or [request.url])[0]
        attempts = request.meta.get("retry_times", 0) + 1
        suffix = f" after {attempts} attempts" if attempts > 1 else ""
        if failure.check(HttpError):
            response = failure.value.response
            status = response.status
            reason = f"HTTP {status} {_status_phrase(status)}{suffix}"
            if request.meta.get("komo_gave_up"):
                reason += f" ({request.meta['komo_gave_up']})"
            transient = status >= 500 or status in (408, 429)
            return self._error(url, status, reason, transient, kind)
        if failure.check(OffsiteRedirect):
            return self._error(url, failure.value.status, str(failure.value), False, kind)
        if failure.check(IgnoreRequest):
            message = str(failure.value)
            reason = "forbidden by robots.txt" if "robots.txt" in message else f"ignored: {message}"
            return self._error(url, None, reason, False, kind)
        reason, transient = _describe_exception(failure.value, self.crawler.settings)
        return self._error(url, None, reason + suffix, transient, kind)

    def _acknowledge(self, request: scrapy.Request) -> None:
        """A failed request's error is staged: its lease on the shared frontier ends."""
        frontier = frontier_for(self.crawler) if self.shared is not None else None
        if frontier is not None and request.meta.get(LEASE_META):
            frontier.ack(request.meta[LEASE_META])

    def _error(
        self, url: str, status: int | None, reason: str, transient: bool, kind: str = "article"
    ) -> CrawlError:
        """The error item of a failed page, for the callback or errback to yield."""
        self.logger.warning("failed %s: %s", url, reason)
        native_id = self.source.article_id(url) if kind == "article" else None
        return CrawlError(self.source.name, url, native_id, kind, status, reason, transient)

    @staticmethod
    def _origin_url(response: Response) -> str:
        return (response.meta.get("redirect_urls") or [response.url])[0]

    def _decided(self, decision: str) -> None:
        self.crawler.stats.inc_value(DECISIONS + decision)

    def summary_extras(self, reason: str) -> dict[str, Any]:
        """What the run summary (crawler/summary.py) adds to the decision counters."""
        if self.budget is None:
            return {}
        return {"budget": {"budget": self.budget, "spent": self.spent, "exhausted": self.budget_exhausted,
                           "listing_pages_read": self.listing_pages_read,
                           "listing_pages_known": len(set(self.listing_seen) | self.listings_requested),
                           "listing_entries": len(self.listing_entries),
                           "recheck": len(self.recheck) if not self.full else 0}}


@dataclass
class ArticleRead:
    """What a detail page says: its fields (or why the layout rules found no article) and its links."""

    release: dict[str, Any]
    content_hash: str | None
    hrefs: list[str]
    repaired: str | None = None
    layout_error: str | None = None
    matched: LayoutMatch = LayoutMatch()


def article_item(source: Source, native_id: str, forms: set[str], read: ArticleRead,
                 raw_ref: str | None, fetched_at: str | None = None) -> dict[str, Any]:
    """The staged document of a parsed detail page (the crawl's and `komo reparse`'s)."""
    return {
        "source": source.name,
        "native_id": native_id,
        "canonical_url": source.canonical_url(native_id),
        "url_forms": sorted(forms),
        **read.release,
        "content_hash": read.content_hash,
        "raw_ref": raw_ref,
        "fetched_at": fetched_at or now(),
    }


def layout_check(source: str, native_id: str, url: str, raw_ref: str | None, read: ArticleRead) -> dict[str, Any]:
    """Which of the source's own layout rules held on a parsed page (staged as `layout`, kept in
    `layout_checks` for the layout alarm); a page the rules could not read matched none."""
    return {"source": source, "native_id": native_id, "url": url, "raw_ref": raw_ref,
            "anchor": read.matched.anchor, "headline": read.matched.headline, "body_end": read.matched.body_end,
            "parsed": read.layout_error is None, "checked_at": now()}


def read_kept_article(home_root: Path, raw_ref: str, url: str, source: Source) -> ArticleRead:
    """A kept raw page (raw/…html.gz) read again as the crawl read it, without a request (`komo reparse`)."""
    if not (home_root / raw_ref).resolve().is_relative_to((home_root / "raw").resolve()):
        raise OSError(f"kept page {raw_ref} is not under raw/")
    response = HtmlResponse(url=url, body=read_raw_page(home_root, raw_ref))
    return read_article(response.body, response.text, source)


def read_article(body: bytes, text: str, source: Source) -> ArticleRead:
    """Decode, render and parse one detail page (crawler/render.py, crawler/layout.py)."""
    html, repaired = decode_page(body, text)
    root = parse_document(html)
    hrefs = [] if root is None else [href.strip() for href in root.xpath("//a/@href") if href]
    rendered = render_text(root, source.content_css) if root is not None else ""
    try:
        release = parse_text(rendered, source.layout)
    except LayoutError as problem:
        return ArticleRead({}, None, hrefs, repaired, str(problem))
    return ArticleRead(release.to_dict(), release.content_hash(), hrefs, repaired, matched=release.matched)


def _describe_exception(exception: BaseException, settings) -> tuple[str, bool]:
    """A failure without an HTTP answer → (reason for crawl_errors, worth retrying later)."""
    name = type(exception).__name__
    if "DataLoss" in name:
        return "transfer cut off before the whole page arrived", True
    if name in ("DownloadCancelledError", "CancelledError"):
        limit = settings.getint("DOWNLOAD_MAXSIZE") / (1024 * 1024)
        return f"page larger than the {limit:g} MB download limit", False
    if "Timeout" in name or "TimedOut" in name:
        return "timeout", True
    if "ConnectionRefused" in name or "DNSLookup" in name or "ConnectError" in name:
        return f"cannot connect ({name})", True
    return f"{name}: {str(exception)[:200]}", True


def _fingerprint(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _status_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
