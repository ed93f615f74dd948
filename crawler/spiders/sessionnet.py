"""The SessionNet spider: session page → meeting calendar month by month → meeting pages → agenda
item pages (or `to0058` fragments) → papers → files, staged in the OParl object model (objects,
downloads) so the store loads both kinds of council the same way.

Incremental by meeting date and by what the pages list: a later run reads the calendar only from
the month of its last complete run (minus an overlap) on; it fetches a meeting page when the meeting
is new, its calendar row changed, or it lies in the re-check window (recent and future meetings);
an agenda item page and its paper when the item is new or its row on the meeting page changed (or
its meeting is re-checked); a file when it was never downloaded. Every request says why it was made
(the `pages` log), so the run summary counts them by reason.

Pages that are no content although they came with HTTP 200 (error, login, "no data" pages) are told
apart (crawler/sessionnet.py): an error page is asked again once with a fresh session (some installs
want the cookie `info.asp` sets), a meeting page still failing is read from the old agenda page
(`to0040`), and what still fails is a `crawl_errors` row with its reason — an agenda item whose
page failed keeps what its meeting page says about it.
"""

from __future__ import annotations

import asyncio
import functools
import re
from collections import Counter
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import scrapy
from scrapy.http import Response
from twisted.python.failure import Failure

from kommunalmonitor.core.crawljob import CrawlJob
from kommunalmonitor.core.faults import killpoint

from ..oparl import ObjectRecord
from ..sessionnet import (
    CalendarEntry,
    FileLink,
    ItemRow,
    PageProblem,
    SessionNetSource,
    check_page,
    decode,
    meeting_start,
    page_code,
    param,
    parse_calendar,
    parse_html,
    parse_item,
    parse_meeting,
    parse_paper,
)
from ..staging import save_raw_page
from .council_base import CouncilSpider, now

_FILE_SUFFIX = {"application/pdf": ".pdf.gz", "text/html": ".html.gz", "application/json": ".json.gz"}


def slug(text: str) -> str:
    """A name as part of an id, for what SessionNet gives no number (a room, an office)."""
    return re.sub(r"[^a-z0-9äöüß]+", "-", text.lower()).strip("-")[:80] or "unnamed"


def content_page(point: str) -> Callable[[Callable[..., Any]], Callable[..., Iterator[Any]]]:
    """A callback of a SessionNet content page: `parse(self, response, root, layout)` runs on a page that
    reads as one (a fragment when the request asked for it); any other page goes to `_problem`
    (once more with a fresh session, else an error). `point` names the crash tests' kill point."""
    def wrap(parse: Callable[..., Any]) -> Callable[..., Iterator[Any]]:
        @functools.wraps(parse)
        def callback(self: SessionNetSpider, response: Response) -> Iterator[Any]:
            killpoint(point)
            try:
                root, layout = self._page(response, fragment=bool(response.meta.get("fragment")))
            except PageProblem as problem:
                yield from self._problem(response, problem, parse.__name__)
                return
            yield from parse(self, response, root, layout) or ()
        return callback
    return wrap


class SessionNetSpider(CouncilSpider):
    name = "sessionnet"
    source_class = SessionNetSource

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(job, **kwargs)
        self.full = bool(job.full)
        self.today = date.fromisoformat(job.today) if job.today else date.today()
        self.since = date.fromisoformat(job.since[:10]) if job.since else None
        self.months: dict[str, str] = {}       # "2024-03" → running | done | failed
        self.session_ok = False
        self.requested: set[str] = set()
        self.emitted: set[str] = set()

    def use_state(self, state: dict[str, Any]) -> None:
        self.cursor = None if self.full else state.get("cursor")
        self.rows: dict[str, str | None] = state.get("rows", {})
        self.known: set[str] = set(state.get("known", []))
        self.settled_files: set[str] = set(state.get("settled_files", {}))
        self.pending_files: list[list[str]] = state.get("pending_files", [])
        self.retry: list[list[str]] = state.get("retry", [])
        self.entries: dict[str, dict[str, Any]] = state.get("entries", {})

    # -- ids -------------------------------------------------------------------------------------

    @staticmethod
    def object_id(kind: str, key: str) -> str:
        """The store's id of a SessionNet object: `meeting/<ksinr>`, `agenda-item/…`, `paper/<kvonr>`, `file/…`."""
        return f"{kind}/{key}"

    @staticmethod
    def organization_id(kgrnr: str | None, name: str | None) -> str | None:
        if kgrnr:
            return f"organization/{kgrnr}"
        return f"organization/{slug(name)}" if name else None

    # -- requests ----------------------------------------------------------------------------------

    def _request(self, url: str, callback, kind: str, reason: str, **meta: Any) -> scrapy.Request | None:
        fetch = self.source.fetch(url)
        if fetch is None:
            self._error(url, None, "not on the source's hosts", False, kind, meta.get("object_id"))
            return None
        meta.update({"kind": kind, "reason": reason, "page_url": self.source.canonical(url)})
        priority = {"session": 40, "calendar": 30, "meeting": 20, "agenda_item": 10, "paper": 5}.get(kind, 0)
        return scrapy.Request(fetch, callback=callback, errback=self.on_error, meta=meta, priority=priority,
                              dont_filter=True)

    async def start(self):
        request = self._request(self.source.page("info"), self.after_session, "session", "session")
        if request is not None:
            yield request

    def _months(self) -> list[tuple[int, int]]:
        first = self.source.first_month
        start = date(int(first[:4]), int(first[5:7]), 1)
        if self.since:
            start = date(self.since.year, self.since.month, 1)
        elif self.cursor:
            last = datetime.fromisoformat(self.cursor).date()
            start = max(start, _add_months(date(last.year, last.month, 1), -self.source.overlap_months))
        end = _add_months(date(self.today.year, self.today.month, 1), self.source.months_ahead)
        months = []
        while start <= end:
            months.append((start.year, start.month))
            start = _add_months(start, 1)
        return months

    def after_session(self, response: Response):
        if response.meta.get("then"):
            # A page that wanted a fresh session: ask for it again, once.
            then = response.meta["then"]
            request = self._request(then["url"], getattr(self, then["callback"]), then["kind"],
                                    f"{then['what']} new session", **then["meta"], session_retried=True)
            if request is not None:
                yield request
            return
        self.session_ok = True
        for year, month in self._months():
            key = f"{year:04d}-{month:02d}"
            self.months[key] = "running"
            request = self._request(self.source.page("si0040", __cjahr=year, __cmonat=month, __canz=1, __cselect=0),
                                    self.parse_calendar, "calendar", "calendar", year=year, month=month, month_key=key)
            if request is not None:
                yield request
        for kind, object_id, url in self.retry:
            callback = {"meeting": self.parse_meeting, "agenda_item": self.parse_item,
                        "paper": self.parse_paper}.get(kind)
            if callback is None or object_id in self.requested:
                continue
            if kind == "paper" and not url:
                url = self.source.page("vo0050", __kvonr=object_id.split("/", 1)[1])
            self.requested.add(object_id)
            what = kind.replace("_", " ")
            request = self._request(url, callback, kind, f"{what} retry", object_id=object_id, why="retry")
            if request is not None:
                yield request
        for file_id, url in self.pending_files:
            request = self._file_request(file_id, url, "file retry")
            if request is not None:
                yield request

    def _page(self, response: Response, fragment: bool = False):
        """(tree, layout) of a content page, or a PageProblem."""
        text, repaired = decode(response.body, response.headers.get("Content-Type", b"").decode("latin-1"))
        if repaired:
            self.count("pages_charset_repaired")
            self.logger.info("%s: %s", response.url, repaired)
        root = parse_html(text)
        if fragment:
            if root is None:
                raise PageProblem("empty fragment")
            try:
                check_page(response.body, root, text)
            except PageProblem as problem:
                if not problem.reason.startswith("not a SessionNet page"):
                    raise
            return root, response.meta.get("layout") or "6"
        return root, check_page(response.body, root, text)

    def _problem(self, response: Response, problem: PageProblem, callback: str) -> list[scrapy.Request]:
        """A page that is no content: once more with a fresh session, else an error row."""
        meta = response.meta
        kind = meta["kind"]
        if problem.retry_with_session and not meta.get("session_retried"):
            self.count("session_retries")
            keep = {k: v for k, v in meta.items() if k in ("year", "month", "month_key", "object_id", "why", "entry",
                                                             "row", "layout", "meeting", "fallback")}
            then = {"url": meta["page_url"], "callback": callback, "kind": kind, "what": kind.replace("_", " "),
                    "meta": keep}
            return _some(self._request(self.source.page("info"), self.after_session, "session", "session", then=then))
        if kind == "meeting" and page_code(meta["page_url"]) in ("si0057", "si0056") and not meta.get("fallback"):
            # Installs whose meeting page fails still serve the old agenda page.
            self.count("meeting_fallbacks")
            ksinr = param(meta["page_url"], "__ksinr")
            keep = {k: v for k, v in meta.items() if k in ("object_id", "why", "entry")}
            return _some(self._request(self.source.page("to0040", __ksinr=ksinr), self.parse_meeting, "meeting",
                                       "meeting fallback", **keep, fallback=True))
        # What the meeting page says about an item stays, and the failure comes after it: the next
        # run tries the page again.
        follow: list[scrapy.Request] = []
        if kind == "agenda_item" and meta.get("row"):
            self._emit_item(meta["row"], meta["meeting"], None)
            follow += self._paper_request(meta["row"].get("paper"), meta.get("why", "new"))
        self._error(meta["page_url"], response.status, problem.reason, True, kind, meta.get("object_id"))
        if kind == "calendar":
            self.months[meta["month_key"]] = "failed"
        return follow

    # -- calendar ------------------------------------------------------------------------------

    @content_page("listing_page")
    def parse_calendar(self, response: Response, root: Any, layout: str):
        meta = response.meta
        self.months[meta["month_key"]] = "done"
        for entry in parse_calendar(root, response.url, meta["year"], meta["month"]):
            object_id = self.object_id("meeting", entry.ksinr)
            why = self._why_meeting(object_id, entry)
            if why is None:
                continue
            self.requested.add(object_id)
            request = self._request(entry.url, self.parse_meeting, "meeting", f"meeting {why}", object_id=object_id,
                                    why=why, entry=_entry_meta(entry))
            if request is not None:
                yield request

    def _why_meeting(self, object_id: str, entry: CalendarEntry) -> str | None:
        if object_id in self.requested:
            return None
        if self.full:
            return "full"
        if object_id not in self.rows:
            return "new"
        if self.rows[object_id] != entry.row_hash:
            return "changed"
        if entry.day is not None and entry.day >= self.today - timedelta(days=self.source.recheck_days):
            return "recheck"
        self.count("meetings_unchanged")
        return None

    # -- meeting -------------------------------------------------------------------------------

    @content_page("article_page")
    def parse_meeting(self, response: Response, root: Any, layout: str):
        meta = response.meta
        page = parse_meeting(root, response.url, layout)
        ksinr = param(meta["page_url"], "__ksinr") or ""
        meeting_id = self.object_id("meeting", ksinr)
        # Read again without its calendar row (a retry): what the calendar said last time stays.
        entry = meta.get("entry") or self.entries.get(meeting_id) or {}
        committee = page.committee or entry.get("committee")
        organization = self.organization_id(page.committee_id or entry.get("committee_id"), committee)
        day = page.day or (date.fromisoformat(entry["day"]) if entry.get("day") else None)
        refs: list[dict[str, Any]] = []
        if organization:
            self._record(organization, "Organization", {"name": committee, "classification": "Gremium"}, [], response)
            refs.append({"rel": "organization", "target": organization, "pos": 0})
        if page.room:
            location = f"location/{slug(page.room)}"
            self._record(location, "Location", {"description": page.room}, [], response)
            refs.append({"rel": "location", "target": location, "pos": 0})
        roles: Counter[str] = Counter()
        for link in page.files:
            file_id = self._file(link, response)
            refs.append({"rel": link.role, "target": file_id, "pos": roles[link.role]})
            roles[link.role] += 1
        why = meta.get("why", "new")
        for position, row in enumerate(page.items):
            item_id = self.object_id("agenda-item", row.id)
            refs.append({"rel": "agendaItem", "target": item_id, "pos": position})
            yield from self._agenda_item(row, item_id, meeting_id, why, response, layout)
        json_ = {"name": page.name or (f"{committee} {day:%d.%m.%Y}" if committee and day else None),
                 "start": meeting_start(day, page.start or entry.get("start")),
                 "end": meeting_start(day, page.end or entry.get("end")) if (page.end or entry.get("end")) else None,
                 "cancelled": bool(entry.get("cancelled")),
                 "web": meta["page_url"],
                 "sessionnet": {"row": entry.get("row_hash"), "layout": layout, "page": page_code(meta["page_url"])}}
        self._record(meeting_id, "Meeting", json_, refs, response)
        self.count("meetings")

    def _agenda_item(self, row: ItemRow, item_id: str, meeting_id: str, meeting_why: str, response: Response,
                     layout: str):
        stored = self.rows.get(item_id, "") if item_id in self.known else None
        if self.full:
            why = "full"
        elif stored is None:
            why = "new"
        elif stored != row.row_hash:
            why = "changed"
        elif meeting_why in ("recheck", "retry"):
            why = "recheck"
        else:
            why = None
        if row.page and row.public is not False:
            if why is None or item_id in self.requested:
                self.count("agenda_items_unchanged")
                return
            self.requested.add(item_id)
            fragment = page_code(row.page) == "to0058"
            request = self._request(row.page, self.parse_item, "agenda_item", f"agenda item {why}",
                                    object_id=item_id, why=why, row=_row_meta(row), meeting=meeting_id,
                                    layout=layout, fragment=fragment)
            if request is not None:
                yield request
            return
        # No page of its own (non-public items, rows without a link): the row is all there is.
        self._emit_item(_row_meta(row), meeting_id, None, response)
        if why is not None:
            yield from self._paper_request(row.paper, why)

    def _emit_item(self, row: dict[str, Any], meeting_id: str, page: Any, response: Response | None = None,
                   web: str | None = None) -> None:
        item_id = self.object_id("agenda-item", row["id"])
        refs: list[dict[str, Any]] = [{"rel": "meeting", "target": meeting_id, "pos": 0}]
        ksinr = meeting_id.split("/", 1)[1]
        paper = (page.paper if page is not None and page.paper else None) or row.get("paper")
        if paper:
            refs.append({"rel": "consultation", "target": f"consultation/{paper}-{ksinr}", "pos": 0})
        files = [FileLink(**f) for f in row.get("files", [])]
        if page is not None:
            files += [f for f in page.files if f.id not in {x.id for x in files}]
        for position, link in enumerate(files):
            refs.append({"rel": "auxiliaryFile", "target": self._file(link, response), "pos": position})
        minutes = page.minutes if page is not None and page.minutes else None
        json_ = {"name": row.get("name") or (page.name if page is not None else None), "number": row.get("number"),
                 "order": row.get("order"), "public": row.get("public"),
                 "result": (page.result if page is not None and page.result else None) or row.get("result"),
                 "resolutionText": minutes, "web": web,
                 "sessionnet": {"row": row.get("row_hash"),
                                "vote": (page.vote if page is not None and page.vote else None) or row.get("vote"),
                                "paper": paper}}
        self._record(item_id, "AgendaItem", json_, refs, response)

    # -- agenda item ---------------------------------------------------------------------------

    @content_page("article_page")
    def parse_item(self, response: Response, root: Any, layout: str):
        meta = response.meta
        row = meta.get("row")
        meeting = meta.get("meeting")
        page = parse_item(root, response.url, layout)
        if row is None:  # a retry from an earlier run: the page is all there is
            row = {"id": meta["object_id"].split("/", 1)[1], "name": page.name, "number": page.number,
                   "order": None, "public": True, "paper": page.paper, "files": [], "row_hash": None}
            meeting = meeting or self._meeting_of(root)
        if meeting is None:
            self._error(meta["page_url"], response.status, "agenda item page names no meeting", False,
                        "agenda_item", meta.get("object_id"))
            return
        self._emit_item(row, meeting, page, response, web=meta["page_url"])
        yield from self._paper_request(page.paper or row.get("paper"), meta.get("why", "new"))

    def _meeting_of(self, root) -> str | None:
        for a in root.iter("a"):
            ksinr = param(a.get("href") or "", "__ksinr")
            if ksinr:
                return self.object_id("meeting", ksinr)
        return None

    def _paper_request(self, kvonr: str | None, why: str) -> list[scrapy.Request]:
        if not kvonr:
            return []
        paper_id = self.object_id("paper", kvonr)
        if paper_id in self.requested:
            return []
        if paper_id in self.known and not self.full:
            if why == "new":
                why = "changed"  # a new item of a known paper: its consultations changed
            elif why not in ("changed", "recheck"):
                return []
        self.requested.add(paper_id)
        return _some(self._request(self.source.page("vo0050", __kvonr=kvonr), self.parse_paper, "paper",
                                   f"paper {why}", object_id=paper_id, why=why))

    # -- paper ---------------------------------------------------------------------------------

    @content_page("article_page")
    def parse_paper(self, response: Response, root: Any, layout: str):
        meta = response.meta
        kvonr = param(meta["page_url"], "__kvonr") or ""
        paper_id = self.object_id("paper", kvonr)
        page = parse_paper(root, response.url, layout)
        refs: list[dict[str, Any]] = []
        lead = self.organization_id(page.lead_id, page.lead)
        if lead:
            self._record(lead, "Organization", {"name": page.lead, "classification": "Verwaltung"}, [], response)
            refs.append({"rel": "underDirectionOf", "target": lead, "pos": 0})
        auxiliary = 0
        for link in page.files:
            file_id = self._file(link, response)
            if page.reference and link.name.strip() == page.reference and not any(r["rel"] == "mainFile" for r in refs):
                refs.append({"rel": "mainFile", "target": file_id, "pos": 0})
            else:
                refs.append({"rel": "auxiliaryFile", "target": file_id, "pos": auxiliary})
                auxiliary += 1
        if page.parent:
            refs.append({"rel": "superordinatedPaper", "target": self.object_id("paper", page.parent), "pos": 0})
        for position, consultation in enumerate(page.consultations):
            key = consultation.ksinr or f"g{consultation.committee_id or slug(consultation.committee or '')}"
            consultation_id = f"consultation/{kvonr}-{key}"
            crefs = [{"rel": "paper", "target": paper_id, "pos": 0}]
            if consultation.ksinr:
                crefs.append({"rel": "meeting", "target": self.object_id("meeting", consultation.ksinr), "pos": 0})
            organization = self.organization_id(consultation.committee_id, consultation.committee)
            if organization:
                self._record(organization, "Organization",
                             {"name": consultation.committee, "classification": "Gremium"}, [], response)
                crefs.append({"rel": "organization", "target": organization, "pos": 0})
            role = consultation.role
            self._record(consultation_id, "Consultation",
                         {"role": role, "authoritative": bool(role and role.startswith("Entscheidung")),
                          "result": consultation.result}, crefs, response)
            refs.append({"rel": "consultation", "target": consultation_id, "pos": position})
        json_ = {"name": page.name, "reference": page.reference, "paperType": page.paper_type,
                 "date": page.day.isoformat() if page.day else None, "text": page.text or None,
                 "web": meta["page_url"], "sessionnet": {"layout": layout}}
        self._record(paper_id, "Paper", json_, refs, response)
        self.count("papers")

    # -- objects and files ---------------------------------------------------------------------------

    def _record(self, object_id: str, kind: str, json_: dict[str, Any], refs: list[dict[str, Any]],
                response: Response | None) -> None:
        """One object to staging, in the OParl model: its JSON (None fields left out) and relations."""
        cleaned = {k: v for k, v in json_.items() if v is not None and v != ""}
        cleaned = {"id": object_id, "type": kind, **cleaned}
        for ref in refs:
            field_name = ref["rel"]
            many = field_name in ("agendaItem", "auxiliaryFile", "consultation", "organization")
            if many:
                cleaned.setdefault(field_name, []).append(ref["target"])
            else:
                cleaned[field_name] = ref["target"]
        if kind in ("Organization", "Location", "File") and object_id in self.emitted:
            return  # the same committee or file named on many pages: once per run
        self.emitted.add(object_id)
        record = ObjectRecord(object_id, kind, None, False, False, cleaned, refs, [], "list", None,
                              response.meta.get("raw_ref") if response is not None else None)
        self._object(record.staging(self.source.name, now()))
        self.count(f"objects_{kind}")

    def _file(self, link: FileLink, response: Response | None) -> str:
        file_id = self.object_id("file", link.id)
        url = self.source.canonical(link.url)
        self._record(file_id, "File", {"name": link.name or None, "accessUrl": url}, [], response)
        if file_id not in self.settled_files:
            request = self._file_request(file_id, url, "file new" if file_id not in self.known else "file retry")
            if request is not None:
                self.crawler.engine.crawl(request)
        return file_id

    def _file_request(self, file_id: str, url: str, reason: str) -> scrapy.Request | None:
        if file_id in self.requested_files or not self.source.download_files:
            return None
        fetch = self.source.fetch(url)
        if fetch is None:
            self._download(file_id, url, None, None, "not on the source's hosts", False, None)
            return None
        self.requested_files.add(file_id)
        return scrapy.Request(
            fetch, callback=self.parse_file, errback=self.on_error, priority=-10, dont_filter=True,
            meta={"kind": "file", "reason": reason, "file_id": file_id, "object_id": file_id, "page_url": url,
                  "keep_raw": False, "max_retry_times": 4,
                  "download_maxsize": int(self.source.max_file_mb * 1024 * 1024)})

    async def parse_file(self, response: Response):
        killpoint("file_download")
        file_id = response.meta["file_id"]
        body = response.body
        mime = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0].strip() or None
        if mime == "text/html" and b"Fehlermeldung" in body[:4000]:
            self._download(file_id, response.meta["page_url"], response.status, None,
                           "SessionNet error page instead of the file", True, mime)
            self._error(response.meta["page_url"], response.status, "SessionNet error page instead of the file",
                        True, "file", file_id)
            return
        loop = asyncio.get_running_loop()
        try:
            raw_ref = await loop.run_in_executor(self.pool, save_raw_page, self.raw_dir, body,
                                                 _FILE_SUFFIX.get(mime or "", ".bin.gz"), 1)
        except OSError as problem:
            self._download(file_id, response.meta["page_url"], response.status, None,
                           f"cannot keep the file: {problem}", True, mime)
            return
        digest = Path(raw_ref).name.split(".", 1)[0]
        self._download(file_id, response.meta["page_url"], response.status, raw_ref, None, None, mime,
                       sha256=digest, size=len(body))
        self.count("files_downloaded")

    # -- failures ------------------------------------------------------------------------------------

    def on_error(self, failure: Failure) -> list[Any]:
        self._on_error(failure)
        return self.error_items(failure)

    def _on_error(self, failure: Failure) -> None:
        request = failure.request
        meta = request.meta
        kind = meta.get("kind", "other")
        url = meta.get("page_url") or request.url
        status, reason, transient = self.describe_failure(failure, self.source.max_file_mb)
        if kind == "file":
            self._download(meta["file_id"], url, status, None, reason, transient, None)
        if kind == "calendar":
            self.months[meta["month_key"]] = "failed"
        if kind == "agenda_item" and meta.get("row"):
            self._emit_item(meta["row"], meta["meeting"], None)
            for request in self._paper_request(meta["row"].get("paper"), meta.get("why", "new")):
                self.crawler.engine.crawl(request)
        self._error(url, status, reason, transient, kind, meta.get("object_id"))

    def summary_extras(self, reason: str) -> dict[str, Any]:
        """What spider.json (crawler/summary.py) says beyond the counters: whether every month was read."""
        failed = sorted(k for k, state in self.months.items() if state != "done")
        complete = self.session_ok and bool(self.months) and not failed and reason == "finished"
        return {"complete": complete, "started_at": self.started_at, "overlap_hours": 0,
                "calendar_months": len(self.months), "incomplete_lists": failed[:24]}


def _some(request: scrapy.Request | None) -> list[scrapy.Request]:
    return [request] if request is not None else []


def _entry_meta(entry: CalendarEntry) -> dict[str, Any]:
    return {"committee": entry.committee, "committee_id": entry.committee_id,
            "day": entry.day.isoformat() if entry.day else None, "start": entry.start, "end": entry.end,
            "cancelled": entry.cancelled, "row_hash": entry.row_hash}


def _row_meta(row: ItemRow) -> dict[str, Any]:
    return {"id": row.id, "number": row.number, "order": row.order, "public": row.public, "name": row.name,
            "paper": row.paper, "result": row.result, "vote": row.vote, "row_hash": row.row_hash,
            "files": [{"id": f.id, "name": f.name, "url": f.url} for f in row.files]}


def _add_months(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)
