"""The OParl 1.0/1.1 spider: System → Body → every list of the Body, page by page along
`links.next`; each object with its embedded objects and relations to staging; every File
downloaded from the source's hosts; objects that are referred to but came in no list fetched
one by one at the end.

Incremental: with a cursor (the start of the last complete run) every list is asked for
`modified_since`. Servers that ignore the filter send everything again; what they sent
needlessly is counted (`sent_needlessly`) and the store's merge keeps it from changing anything.
A run is complete only when every required list was read to its end: only then may the next
run start from its cursor.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import DontCloseSpider
from scrapy.http import Response
from twisted.python.failure import Failure

from kommunalmonitor.core.crawljob import CrawlJob
from kommunalmonitor.core.faults import killpoint

from ..oparl import BODY_LISTS, REQUIRED_LISTS, ObjectRecord, OParlSource, normalize, type_name
from ..staging import save_raw_page
from .council_base import CouncilSpider, now

# JSON pages with many embedded objects are large; the press limit (4 MB) is for HTML pages.
API_MAXSIZE = 64 * 1024 * 1024
# How often objects that were only referred to are fetched (their references may refer further).
REFERENCE_ROUNDS = 3
_FILE_SUFFIX = {"application/pdf": ".pdf.gz", "text/html": ".html.gz", "application/json": ".json.gz"}


class OParlSpider(CouncilSpider):
    name = "oparl"
    source_class = OParlSource

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(job, **kwargs)
        self.seen: set[str] = set()
        self.referenced: dict[str, str] = {}
        self.requested_refs: set[str] = set()
        self.off_host: set[str] = set()
        self.lists: dict[str, str] = {}       # list key → running | done | failed | missing
        self.list_pages: dict[str, set[str]] = {}
        self.entry_ok = False
        self.reference_rounds = 0
        self._file_queue: list[tuple[str, str]] = []

    @classmethod
    def from_crawler(cls, crawler, *args: Any, **kwargs: Any) -> OParlSpider:
        spider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.on_idle, signal=signals.spider_idle)
        return spider

    def use_state(self, state: dict[str, Any]) -> None:
        self.cursor: str | None = None if self.job.full else (self.job.since or state.get("modified_since"))
        self.known: set[str] = set(state.get("known", []))
        # Referred-to objects the server answered 404 (or the like) for before: not asked again.
        self.unresolvable: set[str] = set(state.get("unresolvable", []))
        self.settled_files: dict[str, str] = state.get("settled_files", {})  # file id → modified at download
        self.pending_files: list[list[str]] = state.get("pending_files", [])  # [file id, url]

    # -- requests ------------------------------------------------------------------------------

    def _api_request(self, url: str, callback, kind: str, **meta: Any) -> scrapy.Request:
        meta.update({"kind": kind, "reason": kind, "download_maxsize": API_MAXSIZE, "raw_suffix": ".json.gz"})
        if kind in ("listing", "entry", "reference"):
            # A list page holds up the rest of its list; a referred-to object may come nowhere else.
            meta["max_retry_times"] = self.source.list_retries
        # Pages and objects before files: a file waits, a list's next page holds up the list.
        priority = {"entry": 30, "listing": 20, "reference": 10}.get(kind, 0)
        return scrapy.Request(url, callback=callback, errback=self.on_error, meta=meta, priority=priority,
                              dont_filter=kind == "listing")

    async def start(self):
        yield self._api_request(self.source.start_url, self.parse_entry, "entry")
        for file_id, url in self.pending_files:
            request = self._file_request(file_id, url, "retry")
            if request is not None:
                yield request

    def _list_request(self, key: str, list_type: str, url: Any, filtered: bool = True):
        fetch = self.policy.fetch_url(url)
        if fetch is None:
            self.lists[key] = "failed" if key.rsplit("#", 1)[-1] in REQUIRED_LISTS else "missing"
            self._error(str(url), None, "list URL is not on the source's hosts", False, "listing")
            return None
        if self.cursor and filtered:
            parts = urlsplit(fetch)
            query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "modified_since"]
            query.append(("modified_since", self.cursor + "+00:00"))
            fetch = urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), ""))
        self.lists[key] = "running"
        self.list_pages[key] = {fetch}
        return self._api_request(fetch, self.parse_list, "listing", list_key=key, list_type=list_type, page=1,
                                 list_url=url, filtered=bool(self.cursor and filtered))

    def _file_request(self, file_id: str, url: Any, reason: str = "file"):
        if file_id in self.requested_files or not self.source.download_files:
            return None
        fetch = self.policy.fetch_url(url)
        if fetch is None:
            host = urlsplit(url).hostname if isinstance(url, str) else None
            self._download(file_id, str(url), None, None, f"host {host} is not among the source's hosts "
                           "(add it with `komo sources add oparl … --file-host`)", False, None)
            if host not in self.off_host:
                self.off_host.add(host)
                self._error(str(url), None, f"file host {host} is not among the source's hosts", False, "file")
            return None
        self.requested_files.add(file_id)
        return scrapy.Request(
            fetch, callback=self.parse_file, errback=self.on_error, priority=-10, dont_filter=True,
            meta={"kind": "file", "reason": reason, "file_id": file_id, "keep_raw": False, "max_retry_times": 4,
                  "download_maxsize": int(self.source.max_file_mb * 1024 * 1024)},
        )

    # -- callbacks ----------------------------------------------------------------------------

    def parse_entry(self, response: Response):
        data = self._json(response, "entry")
        if data is None:
            return
        if isinstance(data.get("data"), list):  # the URL of a body list
            self.entry_ok = True
            yield from self._list_page(response, data, "system#body", "Body")
            return
        kind = type_name(data.get("type")) or ("System" if "oparlVersion" in data else
                                                "Body" if "paper" in data and "meeting" in data else None)
        if kind in ("System", "Body") and isinstance(data.get("id"), str):
            alias = self.policy.alias(data["id"], response.url)
            if alias:
                self.count("host_aliases")
                self.logger.warning("the server calls itself %s: fetching its URLs from %s", alias, response.url)
        if kind == "System":
            self.entry_ok = True
            self._take(normalize(data, "System", "entry"), response, data)
            # Bodies are read whole every time: an unchanged Body still leads to its changed papers.
            bodies = data.get("body")
            bodies = response.urljoin(bodies) if isinstance(bodies, str) and bodies.strip() else bodies
            request = self._list_request("system#body", "Body", bodies, filtered=False)
            if request is not None:
                yield request
        elif kind == "Body":
            self.entry_ok = True
            yield from self._body(data, response, "entry")
        else:
            self._error(response.url, response.status, "not an OParl System or Body (no type, no oparlVersion)",
                        False, "entry")

    def _body(self, body: dict[str, Any], response: Response, via: str):
        records = normalize(body, "Body", via)
        if not records:
            self._error(response.url, response.status, "a Body without id", False, "listing")
            return
        self._take(records, response, body)
        for field_name, list_type in BODY_LISTS.items():
            url = body.get(field_name)
            url = response.urljoin(url) if isinstance(url, str) and url.strip() else None
            key = f"{records[0].id}#{field_name}"
            if not url:
                if field_name in REQUIRED_LISTS:
                    self.count(f"body_without_{field_name}_list")
                continue
            request = self._list_request(key, list_type, url)
            if request is not None:
                yield request

    def parse_list(self, response: Response):
        killpoint("listing_page")
        key = response.meta["list_key"]
        data = self._json(response, "listing", key)
        if data is None:
            return
        yield from self._list_page(response, data, key, response.meta["list_type"])

    def _list_page(self, response: Response, data: dict[str, Any], key: str, list_type: str):
        items = data.get("data")
        if not isinstance(items, list):
            self._list_failed(key, response.url, response.status, "list page without a `data` list")
            return
        self.count("list_pages")
        for item in items:
            if not isinstance(item, dict):
                self._error(response.url, response.status, f"a list item that is not an object: {str(item)[:80]}",
                            False, "object")
                continue
            if list_type == "Body" and not item.get("deleted"):
                yield from self._body(item, response, "list")
                continue
            records = normalize(item, list_type, "list")
            if not records:
                self._error(response.url, response.status, f"a {list_type} without id in the list", False, "object")
                continue
            if self.cursor and records[0].modified and records[0].modified < self.cursor:
                # The server ignored modified_since (the store's merge leaves such objects as they are).
                self.count("sent_needlessly")
            self._take(records, response, item)
        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        next_url = links.get("next") or data.get("nextPage")  # nextPage: servers of the 1.0 drafts
        if not next_url or not isinstance(next_url, str):
            self.lists[key] = "done"
            return
        fetch = self.policy.fetch_url(response.urljoin(next_url))  # some servers write it relative
        if fetch is None:
            self._list_failed(key, str(next_url), None, "next page is not on the source's hosts")
            return
        if fetch in self.list_pages.setdefault(key, set()):
            self._error(fetch, None, "pagination loops back to a page already read", False, "listing")
            self.lists[key] = "done"
            return
        self.list_pages[key].add(fetch)
        yield self._api_request(fetch, self.parse_list, "listing", list_key=key, list_type=list_type,
                                page=response.meta.get("page", 1) + 1)

    def parse_object(self, response: Response):
        data = self._json(response, "reference")
        if data is None:
            return
        records = normalize(data, response.meta["object_type"], "reference")
        if not records:
            self._error(response.url, response.status, "object without id", False, "reference")
            return
        self._take(records, response, data)

    async def parse_file(self, response: Response):
        killpoint("file_download")
        file_id = response.meta["file_id"]
        body = response.body
        mime = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip() or None
        suffix = _FILE_SUFFIX.get(mime or "", ".bin.gz")
        loop = asyncio.get_running_loop()
        try:
            # PDFs are compressed already: the fastest gzip level keeps the same bytes for less CPU.
            raw_ref = await loop.run_in_executor(self.pool, save_raw_page, self.raw_dir, body, suffix, 1)
        except OSError as problem:
            self._download(file_id, self._origin_url(response), response.status, None,
                           f"cannot keep the file: {problem}", True, mime)
            self._error(self._origin_url(response), response.status, f"cannot keep the file: {problem}", True, "file")
            return
        digest = Path(raw_ref).name.split(".", 1)[0]
        self._download(file_id, self._origin_url(response), response.status, raw_ref, None, None, mime,
                       sha256=digest, size=len(body))
        self.count("files_downloaded")

    # -- what every object goes through -------------------------------------------------------

    def _take(self, records: list[ObjectRecord], response: Response, served: dict[str, Any]) -> None:
        # The object's JSON as served, content-addressed like raw pages; embedded objects live
        # inside their parent's copy.
        text = json.dumps(served, ensure_ascii=False).encode()
        raw_ref = save_raw_page(self.raw_dir, text, ".json.gz")
        fetched_at = now()
        for record in records:
            record.raw_ref = raw_ref
            self._object(record.staging(self.source.name, fetched_at))
            self.seen.add(record.id)
            self.count(f"objects_{record.via}")
            if record.repairs:
                self.count("objects_repaired")
            for target, target_type in record.wanted():
                if target not in self.known:
                    self.referenced.setdefault(target, target_type)
            if record.type == "File" and not record.deleted:
                self._maybe_download(record)
        self._pending_file_requests()

    def _maybe_download(self, record: ObjectRecord) -> None:
        settled = self.settled_files.get(record.id)
        if settled is not None and (record.modified or "") <= settled:
            return
        url = record.json.get("downloadUrl") or record.json.get("accessUrl")
        if not url:
            return
        self._file_queue.append((record.id, url))

    def _pending_file_requests(self) -> None:
        # Callbacks that yield only list pages hand file requests to the engine directly.
        while self._file_queue:
            file_id, url = self._file_queue.pop()
            request = self._file_request(file_id, url)
            if request is not None:
                self.crawler.engine.crawl(request)

    def on_idle(self) -> None:
        """Every list is read: fetch what was referred to but came in no list (a few rounds)."""
        if self.reference_rounds >= REFERENCE_ROUNDS or not self.entry_ok:
            return
        missing = {i: t for i, t in self.referenced.items()
                   if i not in self.seen and i not in self.known and i not in self.requested_refs}
        self.referenced.clear()
        requests = []
        for object_id, object_type in sorted(missing.items()):
            fetch = self.policy.fetch_url(object_id)
            if fetch is None:
                self.count("references_off_host")
                continue
            if fetch in self.unresolvable:
                self.count("references_unresolvable")
                continue
            self.requested_refs.add(object_id)
            requests.append(self._api_request(fetch, self.parse_object, "reference", object_type=object_type,
                                              object_id=object_id))
        if not requests:
            return
        self.reference_rounds += 1
        self.count("references_fetched", len(requests))
        for request in requests:
            self.crawler.engine.crawl(request)
        raise DontCloseSpider

    # -- failures -----------------------------------------------------------------------------

    def _json(self, response: Response, kind: str, list_key: str | None = None) -> dict[str, Any] | None:
        try:
            data = json.loads(response.body.decode("utf-8-sig"))
        except (UnicodeDecodeError, ValueError) as problem:
            reason = f"not JSON: {str(problem)[:120]}"
            if list_key:
                self._list_failed(list_key, response.url, response.status, reason)
            else:
                self._error(response.url, response.status, reason, True, kind)
            return None
        if isinstance(data, list) and list_key:
            return {"data": data}  # a bare array: one page, no pagination
        if not isinstance(data, dict):
            reason = "JSON but not an object"
            if list_key:
                self._list_failed(list_key, response.url, response.status, reason)
            else:
                self._error(response.url, response.status, reason, False, kind)
            return None
        return data

    def _list_failed(self, key: str, url: str, status: int | None, reason: str, transient: bool = True) -> None:
        field_name = key.rsplit("#", 1)[-1]
        first_page_404 = status == 404 and len(self.list_pages.get(key, ())) <= 1
        # An optional list (1.1 only) that does not exist loses nothing: its objects come embedded.
        self.lists[key] = "missing" if first_page_404 and field_name not in REQUIRED_LISTS else "failed"
        self._error(url, status, reason + ("" if self.lists[key] == "failed" else
                                           "; optional list, its objects come embedded"), transient, "listing")

    def on_error(self, failure: Failure) -> list[Any]:
        self._on_error(failure)
        return self.error_items(failure)

    def _on_error(self, failure: Failure) -> None:
        request = failure.request
        kind = request.meta.get("kind", "other")
        url = self._origin_url(request)
        status, reason, transient = self.describe_failure(failure, API_MAXSIZE / (1024 * 1024))
        if kind == "listing":
            meta = request.meta
            if meta.get("page") == 1 and meta.get("filtered") and status in (400, 404, 405, 422, 501):
                # A server that rejects modified_since still has the list: read it whole.
                self.count("lists_read_without_filter")
                self._error(url, status, reason + "; read again without modified_since", False, "listing")
                retry = self._list_request(meta["list_key"], meta["list_type"], meta["list_url"], filtered=False)
                if retry is not None:
                    self.crawler.engine.crawl(retry)
                return
            self._list_failed(meta["list_key"], url, status, reason, transient)
            return
        if kind == "file":
            self._download(request.meta["file_id"], url, status, None, reason, transient, None)
            self.count("files_failed")
        if kind == "reference":
            reason = f"referred-to {request.meta.get('object_type')}: {reason}"
        self._error(url, status, reason, transient, kind)

    @staticmethod
    def _origin_url(request_or_response: Any) -> str:
        return (request_or_response.meta.get("redirect_urls") or [request_or_response.url])[0]

    def summary_extras(self, reason: str) -> dict[str, Any]:
        """What spider.json (crawler/summary.py) says beyond the counters: whether the run is complete,
        and so whether the next may start from its cursor."""
        blocking = sorted(k for k, state in self.lists.items() if state in ("failed", "running"))
        complete = self.entry_ok and not blocking and reason == "finished" and bool(self.lists)
        return {"complete": complete, "started_at": self.started_at, "modified_since": self.cursor,
                "overlap_hours": self.source.overlap_hours, "lists": dict(Counter(self.lists.values())),
                "incomplete_lists": blocking[:20]}
