"""SessionNet council information systems as data: the source file of a council, and how its pages
(calendar `si0040`, meeting `si0057` / `si0056` / `to0040`, agenda item `to0050` / `to0058`, paper
`vo0050`) become the records the store keeps.

SessionNet ships several page layouts (old tables up to "Layout 4", smc tables in "Layout 5",
cards in "Layout 6") over `.asp` and `.php` installs; the layout is read from the page itself (its
`sessionnet` / generator meta tag, else its classes), never assumed from the version, and every
parser keys on what each layout is known to carry, with the page's rendered text as fallback.
Pages come in UTF-8 or windows-1252, sometimes declared wrongly; error, login and "no data" pages
come with HTTP 200 and are told apart from content here.

Objects get stable ids from the URL parameters that identify them (`meeting/123` from
`__ksinr=123`, `agenda-item/4567` from `__ktonr` or `smctonr`, `paper/89` from `__kvonr`, `file/1011`
from `getfile…?id=`), and are written in the OParl object model (crawler/oparl.py) so the council
views and documents of the store treat both kinds of council alike.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urljoin, urlsplit, urlunsplit

import lxml.html
from lxml import etree

from kommunalmonitor.core.german import NUMERIC_DATE_SPACED, numeric_date
from kommunalmonitor.core.text import strip_controls
from kommunalmonitor.crawler.sources import read_source_file

from .oparl import CouncilSource, check_name, origin_of
from .render import render_text

SOURCE_KIND = "sessionnet"
PAGE_CODES = ("info", "si0040", "si0046", "si0056", "si0057", "to0040", "to0050", "to0058", "vo0050", "getfile")
_TIME = re.compile(r"\b(\d{1,2})[:.](\d{2})\s*(?:-|–|bis)?\s*(?:(\d{1,2})[:.](\d{2}))?\s*Uhr")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w-]+)""", re.IGNORECASE)
_LATIN = {"iso-8859-1", "latin-1", "latin1", "iso8859-1", "windows-1252", "cp1252", "iso-8859-15", "us-ascii"}
_FILE_ROLES = (("invitation", re.compile(r"einladung|tagesordnung", re.I)),
               ("resultsProtocol", re.compile(r"niederschrift|protokoll|beschlussausfertigung", re.I)))


class SessionNetSourceError(ValueError):
    """A SessionNet source file is malformed."""


class PageProblem(Exception):
    """A page that is no content page although it came with HTTP 200 (error, login, no data, …)."""

    def __init__(self, reason: str, retry_with_session: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.retry_with_session = retry_with_session


# -- the source --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionNetSource(CouncilSource):
    """One council's SessionNet (`bi`, the public Bürgerinfo): its address and how to crawl it.
    `url` is the folder of the pages, e.g. https://ris.example.de/bi/."""

    extension: str = "asp"            # asp | php
    first_month: str = "2015-01"      # the first crawl reads the calendar from this month on
    months_ahead: int = 3
    overlap_months: int = 1           # a later crawl rereads the calendar from its last run's month minus this
    recheck_days: int = 14            # meetings from this many days ago on (and future ones) are read again
    kind: str = SOURCE_KIND

    @classmethod
    def load(cls, path: Path, base_url: str | None = None) -> SessionNetSource:
        return cls.from_dict(read_source_file(path, SessionNetSourceError), path, base_url)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], path: Path | None = None,
                  base_url: str | None = None) -> SessionNetSource:
        where = path.name if path else "source"
        name, url = cls.name_and_url(raw, where, SessionNetSourceError)
        url = folder_url(url)
        calendar = raw.get("calendar", {})
        incremental = raw.get("incremental", {})
        extension = str(raw.get("extension", "asp")).lower().lstrip(".")
        if extension not in ("asp", "php"):
            raise SessionNetSourceError(f"{where}: extension must be asp or php, not {extension!r}")
        first = str(calendar.get("first_month", "2015-01"))
        if not re.fullmatch(r"\d{4}-\d{2}", first) or not 1 <= int(first[5:]) <= 12:
            raise SessionNetSourceError(f"{where}: first_month {first!r} is not a month like 2019-01")
        return cls(name=name, **cls.common_fields(raw, url, path, base_url), extension=extension,
                   first_month=first, months_ahead=int(calendar.get("months_ahead", 3)),
                   overlap_months=int(incremental.get("overlap_months", 1)),
                   recheck_days=int(incremental.get("recheck_days", 14))).checked(where, SessionNetSourceError)

    def page(self, code: str, **params: Any) -> str:
        """The canonical URL of a page (as the council's own host writes it), e.g. page("si0057", __ksinr=5)."""
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{self.url}{code}.{self.extension}" + (f"?{query}" if query else "")

    def fetch(self, url: str) -> str | None:
        """The URL to request for a page URL (None when its host is not the council's)."""
        return self.host_policy().fetch_url(url)

    def canonical(self, url: str) -> str:
        """A URL as the council's own host writes it (pages fetched from a mirror keep the council's ids)."""
        parts, home = urlsplit(url), urlsplit(self.url)
        if parts.hostname and self.host_policy().fetch_url(url) is not None:
            return urlunsplit((home.scheme, home.netloc, parts.path, parts.query, ""))
        return url


def folder_url(url: str) -> str:
    """The folder holding a SessionNet's pages: `https://x.de/bi/si0040.asp?…` → `https://x.de/bi/`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SessionNetSourceError(f"{url!r} is not an http(s) URL of a SessionNet (e.g. https://ris.example.de/bi/)")
    path = parts.path
    if not path.endswith("/"):
        last = path.rsplit("/", 1)[-1]
        path = path.rsplit("/", 1)[0] + "/" if "." in last else path + "/"
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def extension_of(url: str) -> str:
    """`php` when the URL names a .php page, else `asp` (the common install)."""
    return "php" if urlsplit(url).path.lower().endswith(".php") else "asp"


def source_toml(name: str, url: str, title: str = "", first_month: str | None = None,
                extension: str | None = None) -> str:
    """The text of a new SessionNet source file (what `komo sources add sessionnet` writes)."""
    check_name(name)
    folder = folder_url(url)
    extension = extension or extension_of(url)
    first_month = first_month or f"{date.today().year - 5}-01"
    if not re.fullmatch(r"\d{4}-\d{2}", first_month) or not 1 <= int(first_month[5:]) <= 12:
        raise SessionNetSourceError(f"--from {first_month!r} is not a month like 2019-01")
    return f"""# A SessionNet council (Bürgerinfo), written by `komo sources add sessionnet`.
# Edit freely; see the README.
name = {json.dumps(name)}
kind = "sessionnet"
title = {json.dumps(title or name)}
# The folder of the council's SessionNet pages (si0040, si0057, to0050, vo0050, getfile ...).
url = {json.dumps(folder)}
# asp or php: the ending of the install's page names.
extension = {json.dumps(extension)}
# Hosts the crawler may contact.
hosts = [{json.dumps(origin_of(folder))}]

[calendar]
# The first crawl reads the meeting calendar month by month from here; later ones from their last
# complete run on (`komo crawl --full` reads from here again, `--since DATE` from DATE).
first_month = {json.dumps(first_month)}
# Meetings are announced ahead: read this many months beyond the current one.
months_ahead = 3

[incremental]
# A later crawl rereads the calendar from the month of its last complete run minus this many months.
overlap_months = 1
# Meetings from this many days ago on, and future ones, are read again every run (minutes and
# decisions arrive after a meeting); older ones only when their calendar entry changes.
recheck_days = 14

[files]
# Download the files (PDFs) of meetings, agenda items and papers, content-addressed under $KOMO_HOME/raw/.
download = true
max_mb = 64

[settings]
# Scrapy setting overrides for this council (plain data), e.g. DOWNLOAD_DELAY = 1.0
"""


# -- decoding and recognising pages -------------------------------------------------------------


def decode(body: bytes, content_type: str | None) -> tuple[str, str | None]:
    """A page's text: charset from the header, else the meta tag, else UTF-8; ISO-8859-1 read as
    windows-1252 (Word's quotes and dashes live in 0x80-0x9F). A page declared UTF-8 that is not
    (or declared Latin-1 that is UTF-8) is read as what it is. Returns (text, note on a repair)."""
    declared = None
    if content_type:
        found = re.search(r"charset\s*=\s*[\"']?([\w-]+)", content_type, re.IGNORECASE)
        declared = found.group(1).lower() if found else None
    if not declared:
        found = _CHARSET.search(body[:4096])
        declared = found.group(1).decode("ascii", "replace").lower() if found else None
    if declared in _LATIN:
        try:
            text = body.decode("utf-8")
            if re.search(rb"[\x80-\xff]", body):
                return text, f"declared {declared} but UTF-8: read as UTF-8"
        except UnicodeDecodeError:
            pass
        return body.decode("windows-1252", errors="replace"), None
    try:
        return body.decode(declared or "utf-8"), None
    except (UnicodeDecodeError, LookupError):
        pass
    try:
        return body.decode("utf-8"), None
    except UnicodeDecodeError:
        note = f"declared {declared or 'nothing'} but not UTF-8: read as windows-1252"
        return body.decode("windows-1252", errors="replace"), note


def parse_html(text: str) -> etree._Element | None:
    if not text or not text.strip():
        return None
    try:
        return lxml.html.document_fromstring(text)
    except (etree.ParserError, ValueError):
        return None


def layout_of(root: etree._Element) -> str | None:
    """The SessionNet layout a page is written in ("3" … "6"), or None when it is no SessionNet page."""
    for meta in root.iter("meta"):
        name = (meta.get("name") or "").lower()
        content = meta.get("content") or ""
        if name == "sessionnet":
            found = re.search(r"L:(\d+)", content)
            if found:
                return found.group(1)
            return _layout_by_classes(root) or "5"
        if name in ("generator", "author") and "sessionnet" in content.lower():
            found = re.search(r"Layout\s*(\d+)", content, re.IGNORECASE)
            return found.group(1) if found else _layout_by_classes(root) or "5"
    return _layout_by_classes(root)


def _layout_by_classes(root: etree._Element) -> str | None:
    classes = " ".join(e.get("class") or "" for e in root.iter() if isinstance(e.tag, str) and e.get("class"))
    ids = " ".join(e.get("id") or "" for e in root.iter() if isinstance(e.tag, str) and e.get("id"))
    if "smcaccordion" in ids or "smc-card-text-title" in classes:
        return "6"
    if "smc-t-r-l" in classes or "smc_page_si0057" in classes or "smc_datatype_" in classes:
        return "5"
    if "smctablevorgang" in ids or "smc_toph" in classes or "smccontenttable" in classes or "smcdocbox" in classes:
        return "4"
    return None


def check_page(body: bytes, root: etree._Element | None, text: str) -> str:
    """The page's layout, or PageProblem: error pages, login pages, "no data" pages, permission errors,
    raw PHP source and pages of other systems all come with HTTP 200."""
    if body.lstrip()[:2] == b"<?":
        raise PageProblem("the server sent PHP source, not a page")
    if root is None:
        raise PageProblem("empty page")
    title = " ".join(t.text_content() for t in root.iter("title")).strip()
    classes = " ".join(e.get("class") or "" for e in root.iter() if isinstance(e.tag, str) and e.get("class"))
    head = render_text(root)[:3000]
    if "fehlermeldung" in title.lower() or "smc_page_error" in classes:
        message = _first_line_after(head, ("Fehler", "Meldung")) or title
        raise PageProblem(f"SessionNet error page: {message}"[:200], retry_with_session=True)
    if "smc-pagetype-logon" in classes or "smc_page_ylogon" in classes:
        raise PageProblem("SessionNet login page: the page is not public", retry_with_session=False)
    if re.search(r"Fehlercode:\s*\d+|Berechtigungsfehler", head):
        raise PageProblem("SessionNet permission error: " + (_first_line_after(head, ("Fehlercode",)) or "")[:120])
    layout = layout_of(root)
    if layout is None:
        raise PageProblem("not a SessionNet page (no sessionnet fingerprint in the head, no smc classes)")
    if re.search(r"Keine Daten gefunden|noch keine Detailinformationen freigegeben", head):
        raise PageProblem("SessionNet has no data for this page (\"Keine Daten gefunden\")")
    return layout


def _first_line_after(text: str, words: tuple[str, ...]) -> str | None:
    for line in text.splitlines():
        if any(w.lower() in line.lower() for w in words) and len(line.strip()) > 3:
            return line.strip()
    return None


# -- small helpers --------------------------------------------------------------------------------


def param(url: str, *names: str) -> str | None:
    """The first of the query parameters present in a URL (case-insensitive names)."""
    query = {k.lower(): v for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}
    for name in names:
        values = query.get(name.lower())
        if values and values[0].strip():
            return values[0].strip()
    return None


def page_code(url: str) -> str | None:
    name = urlsplit(url).path.rsplit("/", 1)[-1].lower()
    code = name.split(".", 1)[0]
    return code if code else None


def clean(text: str | None) -> str:
    return _SPACES.sub(" ", strip_controls(text or "")).strip()


def text_of(element: etree._Element | None) -> str:
    """An element's text, its pieces (cells, lines) apart by a space."""
    if element is None:
        return ""
    return clean(" ".join(t for t in element.itertext(tag=etree.Element) if t))


def row_hash(element: etree._Element) -> str:
    """What identifies the state of a listing row: its text and the files it links."""
    files = sorted({param(a.get("href") or "", "id") or "" for a in element.iter("a")
                    if "getfile" in (a.get("href") or "").lower()})
    return hashlib.sha1((text_of(element) + "|" + ",".join(files)).encode()).hexdigest()[:16]


def german_date(text: str) -> date | None:
    """A listing's or page's date as council systems write it ("12.03.2021", "12. 03. 2021")."""
    return numeric_date(text, spaced=True)


def times(text: str) -> tuple[str | None, str | None]:
    found = _TIME.search(text or "")
    if not found:
        return None, None
    start = f"{int(found.group(1)):02d}:{found.group(2)}"
    end = f"{int(found.group(3)):02d}:{found.group(4)}" if found.group(3) else None
    return start, end


def _classes(element: etree._Element) -> set[str]:
    return set((element.get("class") or "").split())


def _has_class(element: etree._Element, *names: str) -> bool:
    found = _classes(element)
    return any(n in found for n in names)


def _find(root: etree._Element, xpath: str) -> list[etree._Element]:
    return root.xpath(xpath)


def _cls(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


def label_values(root: etree._Element) -> dict[str, tuple[str, etree._Element]]:
    """Label/value pairs of a page's head ("Gremium:", "Datum:", …): the old `#smctablevorgang`
    table, the smc `div.smc-table-row`s, or any row whose first cell ends in a colon."""
    pairs: dict[str, tuple[str, etree._Element]] = {}

    def add(label_element: etree._Element, value_element: etree._Element) -> None:
        label = text_of(label_element).rstrip(":").strip()
        if label and len(label) < 40 and label not in pairs:
            pairs[label] = (text_of(value_element), value_element)

    for row in _find(root, f"//*[@id='smctablevorgang']//tr | //table[{_cls('smctablevorgang')}]//tr"):
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        for i in range(0, len(cells) - 1, 2):
            if text_of(cells[i]).endswith(":") or _has_class(cells[i], "smctablehead"):
                add(cells[i], cells[i + 1])
    for row in _find(root, f"//div[{_cls('smc-table-row')}]"):
        cells = [c for c in row if isinstance(c.tag, str) and _has_class(c, "smc-table-cell")]
        if len(cells) >= 2:
            add(cells[0], cells[1])
    return pairs


def files_in(element: etree._Element, base: str) -> list[FileLink]:
    """Every file linked below an element (getfile links, old ydocstart forms), deduplicated by id;
    the name is the link's title or text (an icon link's empty text yields to the text link)."""
    found: dict[str, FileLink] = {}
    for a in element.iter("a"):
        href = a.get("href") or ""
        if "getfile" not in href.lower():
            continue
        file_id = param(href, "id")
        if not file_id:
            continue
        name = clean(a.get("title") or "") or text_of(a)
        url = urljoin(base, href.strip().rstrip("&"))
        if file_id not in found or (not found[file_id].name and name):
            found[file_id] = FileLink(file_id, name, url)
    for form in element.iter("form"):
        action = form.get("action") or ""
        if "ydocstart" not in action.lower():
            continue
        for hidden in form.iter("input"):
            if (hidden.get("name") or "").upper() == "DT" and hidden.get("value"):
                file_id = hidden.get("value").strip()
                name = clean(form.get("title") or "") or text_of(form)
                # The old download form posts the id to ydocstart; getfile beside it serves the same file.
                target = urljoin(base, action)
                extension = urlsplit(target).path.rsplit(".", 1)[-1] or "asp"
                url = urljoin(target, f"getfile.{extension}?id={file_id}&type=do")
                found.setdefault(file_id, FileLink(file_id, name, url))
    return list(found.values())


# -- what pages hold ------------------------------------------------------------------------------


@dataclass
class FileLink:
    id: str
    name: str
    url: str

    @property
    def role(self) -> str:
        for role, pattern in _FILE_ROLES:
            if pattern.search(self.name):
                return role
        return "auxiliaryFile"


@dataclass
class CalendarEntry:
    ksinr: str
    url: str                          # the meeting page the calendar links (si0057, si0056 or to0040)
    day: date | None
    committee: str
    committee_id: str | None
    start: str | None
    end: str | None
    cancelled: bool
    row_hash: str


@dataclass
class ItemRow:
    """One agenda item as the meeting page lists it."""

    id: str                           # ktonr / smctonr, else "<ksinr>-<number>"
    number: str
    order: int
    public: bool | None
    name: str
    page: str | None                  # its own page: to0050 (or the to0058 fragment)
    paper: str | None                 # kvonr
    paper_reference: str | None
    result: str | None
    vote: str | None
    files: list[FileLink]
    row_hash: str


@dataclass
class MeetingPage:
    layout: str
    name: str | None
    committee: str | None
    committee_id: str | None
    day: date | None
    start: str | None
    end: str | None
    room: str | None
    items: list[ItemRow]
    files: list[FileLink]


@dataclass
class ItemPage:
    layout: str
    name: str | None
    number: str | None
    paper: str | None
    result: str | None
    vote: str | None
    minutes: str
    files: list[FileLink]


@dataclass
class Consultation:
    ksinr: str | None
    committee: str | None
    committee_id: str | None
    day: date | None
    role: str | None
    result: str | None


@dataclass
class PaperPage:
    layout: str
    name: str | None
    reference: str | None
    paper_type: str | None
    day: date | None
    lead: str | None
    lead_id: str | None
    parent: str | None
    text: str
    consultations: list[Consultation]
    files: list[FileLink]


# -- calendar --------------------------------------------------------------------------------------


def parse_calendar(root: etree._Element, url: str, year: int, month: int) -> list[CalendarEntry]:
    """The meetings a calendar page (si0040 / si0046) lists, in every layout: one entry per meeting
    (a meeting linked twice, e.g. to si0057 and to0040, once)."""
    entries: dict[str, CalendarEntry] = {}
    current_day: date | None = None
    rows = [r for r in root.iter("tr")] or []
    rows += [d for d in root.iter("div") if _has_class(d, "smc-t-r-l", "smc-calendar-row")]
    for row in rows:
        text = text_of(row)
        day = german_date(text)
        if day is None:
            cell = next((c for c in row if isinstance(c.tag, str) and _has_class(
                c, "siday", "smc_fct_day", "sidat_tag") or (isinstance(c.tag, str) and c.get("data-label") == "Tag")),
                None)
            number = re.search(r"\b(\d{1,2})\b", text_of(cell)) if cell is not None else None
            if number:
                try:
                    day = date(year, month, int(number.group(1)))
                except ValueError:
                    day = None
        if day is not None:
            current_day = day
        links = [a for a in row.iter("a") if param(a.get("href") or "", "__ksinr", "ksinr")]
        nested = [r for r in row.iter("tr") if r is not row]
        if not links or nested:
            continue
        link = links[0]
        ksinr = param(link.get("href"), "__ksinr", "ksinr")
        title = clean(link.get("title") or "")
        committee = ""
        name_cell = next((e for e in row.iter() if isinstance(e.tag, str) and _has_class(e, "smc-el-h")), None)
        labelled = next((e for e in row.iter() if isinstance(e.tag, str) and e.get("data-label") == "Gremium"), None)
        if name_cell is not None:
            committee = text_of(name_cell)
        elif labelled is not None:
            committee = text_of(labelled)
        elif title.lower().startswith("details anzeigen:"):
            committee = NUMERIC_DATE_SPACED.sub("", title.split(":", 1)[1]).strip()
        else:
            committee = text_of(link)
        committee_link = next((a for a in row.iter("a") if param(a.get("href") or "", "__kgrnr")), None)
        entry_day = german_date(title) or current_day
        start, end = times(text)
        if ksinr in entries:
            continue
        entries[ksinr] = CalendarEntry(
            ksinr=ksinr, url=urljoin(url, link.get("href")), day=entry_day, committee=committee,
            committee_id=param(committee_link.get("href"), "__kgrnr") if committee_link is not None else None,
            start=start, end=end, cancelled=bool(re.search(r"fällt aus|abgesagt|entfällt", text)),
            row_hash=row_hash(row))
    return list(entries.values())


# -- meeting page ------------------------------------------------------------------------------------


def parse_meeting(root: etree._Element, url: str, layout: str) -> MeetingPage:
    """A meeting page: head (committee, date, time, room), agenda items, meeting files."""
    pairs = label_values(root)

    def value(*labels: str) -> tuple[str | None, etree._Element | None]:
        for label in labels:
            if label in pairs:
                return pairs[label][0] or None, pairs[label][1]
        return None, None

    committee, committee_cell = value("Gremium")
    committee_id = None
    if committee_cell is not None:
        link = next((a for a in committee_cell.iter("a") if param(a.get("href") or "", "__kgrnr")), None)
        committee_id = param(link.get("href"), "__kgrnr") if link is not None else None
    name, _ = value("Sitzung", "Bezeichnung")
    day_text, _ = value("Datum")
    time_text, _ = value("Zeit", "Uhrzeit")
    room, _ = value("Raum", "Ort", "Sitzungsort")
    start, end = times(time_text or "")
    if start is None and time_text:
        start, end = times(f"{time_text} Uhr")
    code = page_code(url)
    ksinr = param(url, "__ksinr", "ksinr") or ""
    container: etree._Element | None
    if code == "si0056" or layout == "6":
        items, container = _card_items(root, url, ksinr)
    elif code == "si0057" or layout == "5":
        items, container = _smc_items(root, url, ksinr)
    else:
        items, container = _table_items(root, url, ksinr)
    if not items and layout in ("5", "6"):  # an install may mix list and card rows
        for parser in (_smc_items, _card_items, _table_items):
            items, container = parser(root, url, ksinr)
            if items:
                break
    inside = {f.id for item in items for f in item.files}
    files = [f for f in files_in(_content(root), url) if f.id not in inside]
    if container is not None:
        in_table = {f.id for f in files_in(container, url)}
        files = [f for f in files if f.id not in in_table or f.id not in inside]
    title = next((text_of(h) for h in root.iter("h1") if text_of(h)), None)
    return MeetingPage(layout, name or title, committee, committee_id, german_date(day_text or title or ""),
                       start, end, room, items, files)


def _content(root: etree._Element) -> etree._Element:
    for xpath in ("//*[@id='smc_page_content']", "//*[@id='smccontent']", "//*[@id='smclayout']", "//body"):
        found = root.xpath(xpath)
        if found:
            return found[0]
    return root


def _public(label: str) -> bool | None:
    lowered = label.lower()
    if "nicht" in lowered and "öffentlich" in lowered or "vertraulich" in lowered:
        return False
    if "öffentlich" in lowered:
        return True
    return None


def _badge(text: str) -> tuple[str, bool | None]:
    """"Ö 3.1" → ("3.1", True), "N 5" → ("5", False), "7" → ("7", None)."""
    found = re.match(r"^\s*(Ö|N|NÖ)?\s*([\d.]+[a-z]?)\s*$", text)
    if not found:
        return clean(text), None
    prefix = found.group(1)
    return found.group(2).rstrip("."), None if prefix is None else prefix == "Ö"


def _field(element: etree._Element, name: str) -> str | None:
    """A structured field ("Beschluss: …", "Abstimmung: …") in a `p.smc_field_smcdv0_box2_<name>`."""
    for p in element.xpath(f".//*[{_cls('smc_field_smcdv0_box2_' + name)}]"):
        text = text_of(p)
        text = re.sub(r"^\s*[^:]{1,30}:\s*", "", text, count=1)
        if text:
            return text
    return None


def _paper_link(element: etree._Element) -> tuple[str | None, str | None]:
    for a in element.iter("a"):
        kvonr = param(a.get("href") or "", "__kvonr", "kvonr")
        if kvonr:
            return kvonr, text_of(a) or None
    return None, None


def _item_link(element: etree._Element, base: str) -> tuple[str | None, str | None]:
    for a in element.iter("a"):
        href = a.get("href") or ""
        ktonr = param(href, "__ktonr", "ktonr")
        if ktonr and "to0050" in href.lower():
            return ktonr, urljoin(base, href)
    return None, None


def _table_items(root: etree._Element, url: str, ksinr: str) -> tuple[list[ItemRow], etree._Element | None]:
    """Old tables (Layout 3/4, `to0040`): group rows, item rows `tr.smc_toph`, and after each item its
    result rows (`tr.smc_tophz`, label cell + value cell)."""
    tables = root.xpath("//table[contains(@id, 'to0040_contenttable')"
                        " or contains(@class, 'smc_page_to0040_contenttable')]")
    if not tables:
        tables = [t for t in root.iter("table") if t.xpath(f".//tr[{_cls('smc_toph')}]")]
    if not tables:
        return [], None
    table = tables[0]
    items: list[ItemRow] = []
    public: bool | None = None
    current: dict[str, Any] | None = None

    def close() -> None:
        if current is not None:
            items.append(_item_from(current, url, ksinr, len(items) + 1))

    for row in table.iter("tr"):
        classes = _classes(row)
        cells = [c for c in row if isinstance(c.tag, str) and c.tag in ("td", "th")]
        if classes & {"smcrowh", "smc-table-group"}:
            close()
            current = None
            public = _public(text_of(row))
            continue
        if "smc_toph" in classes:
            close()
            number_cell = next((c for c in cells if _has_class(c, "smc_tophn")), cells[0] if cells else None)
            title_cell = next((c for c in cells if _has_class(c, "smc_topht")), cells[1] if len(cells) > 1 else None)
            number, badge_public = _badge(text_of(number_cell))
            ktonr, page = _item_link(row, url)
            kvonr, reference = _paper_link(row)
            row_id = re.search(r"_(\d+)$", row.get("id") or "")
            current = {"id": ktonr or (row_id.group(1) if row_id else None), "number": number,
                       "public": badge_public if badge_public is not None else public,
                       "name": _title(title_cell), "page": page, "paper": kvonr, "reference": reference,
                       "fields": {}, "rows": [row], "files": files_in(row, url)}
            continue
        if current is not None and ("smc_tophz" in classes or row.get("debug") == "3"):
            label_cell = next((c for c in cells if _has_class(c, "smc_topr")), cells[0] if cells else None)
            label = text_of(label_cell).rstrip(":").lower() if label_cell is not None else ""
            value = " ".join(text_of(c) for c in cells if c is not label_cell)
            current["fields"][label] = clean(value)
            current["rows"].append(row)
            current["files"] += files_in(row, url)
    close()
    return items, table


def _title(cell: etree._Element | None) -> str:
    if cell is None:
        return ""
    copy = lxml.html.fromstring(lxml.html.tostring(cell))
    for box in copy.xpath(f".//*[{_cls('smcdocbox')} or {_cls('smc_field_voname')} or {_cls('smcdocboxright')}]"):
        box.getparent().remove(box)
    return text_of(copy)


def _item_from(found: dict[str, Any], url: str, ksinr: str, order: int) -> ItemRow:
    fields = found["fields"]
    result = fields.get("beschluss") or fields.get("ergebnis") or fields.get("beratungsergebnis") \
        or fields.get("beschlussart")
    vote = fields.get("abstimmung") or fields.get("abstimmungsergebnis")
    digest = hashlib.sha1("|".join(row_hash(r) for r in found["rows"]).encode()).hexdigest()[:16]
    item_id = found["id"] or f"{ksinr}-{found['number'] or order}"
    unique = {f.id: f for f in found["files"]}
    return ItemRow(item_id, found["number"] or str(order), order, found["public"], found["name"], found["page"],
                   found["paper"], found["reference"], result or None, vote or None, list(unique.values()), digest)


def _smc_items(root: etree._Element, url: str, ksinr: str) -> tuple[list[ItemRow], etree._Element | None]:
    """smc tables (Layout 5, `si0057`): one `tr.smc-t-r-l` per item with its badge, title (a link to
    `to0050` or a plain title), paper link, structured result and vote fields and files."""
    tables = root.xpath("//table[contains(@id, 'si0057_contenttable') or contains(@class, 'smctablesitzung')]")
    if not tables:
        return [], None
    items: list[ItemRow] = []
    public: bool | None = None
    for table in tables:
        for row in table.iter("tr"):
            badge = row.xpath(f".//td[{_cls('tofnum')}]")
            if not badge:
                label = text_of(row)
                if label and _public(label) is not None and len(label) < 60:
                    public = _public(label)
                continue
            number, badge_public = _badge(text_of(badge[0]))
            if not number:
                continue
            ktonr, page = _item_link(row, url)
            title = row.xpath(f".//a[{_cls('smc_datatype_to')}]") or row.xpath(
                f".//*[{_cls('smc-card-header-title')} or {_cls('smc-card-header-title-simple')}]")
            name = text_of(title[0]) if title else _title(row.xpath(f".//td[{_cls('tobetr')} or {_cls('tolink')}]")[0]
                                                              if row.xpath(f".//td[{_cls('tobetr')}]") else None)
            kvonr, reference = _paper_link(row)
            found = {"id": ktonr, "number": number, "public": badge_public if badge_public is not None else public,
                     "name": name, "page": page, "paper": kvonr, "reference": reference,
                     "fields": {"beschluss": _field(row, "beschluss"), "abstimmung": _field(row, "abstimmung")},
                     "rows": [row], "files": files_in(row, url)}
            items.append(_item_from(found, url, ksinr, len(items) + 1))
    return items, tables[0]


def _card_items(root: etree._Element, url: str, ksinr: str) -> tuple[list[ItemRow], etree._Element | None]:
    """Cards (Layout 6, `si0056`): `#smcaccordion` of cards; a card whose header says "Öffentlicher
    Teil:" heads a group; an item card has a badge, a title (first line), an `onclick` that loads its
    `to0058` fragment, and in its body files, the paper link and the decision. The footer after the
    last card is not a card."""
    accordion = root.xpath("//*[@id='smcaccordion']")
    if not accordion:
        return [], None
    items: list[ItemRow] = []
    public: bool | None = None
    for card in accordion[0].xpath(f"./div[{_cls('card')}]"):
        badge = card.xpath(f".//span[{_cls('badge')}]")
        if not badge:
            label = text_of(card)
            if _public(label) is not None:
                public = _public(label)
            continue
        number, badge_public = _badge(text_of(badge[0]))
        title_element = card.xpath(f".//*[{_cls('smc-card-text-title')}]")
        name = ""
        if title_element:
            first = title_element[0].text or ""
            name = clean(first) or text_of(title_element[0]).split("\n")[0]
        onclick = " ".join(e.get("onclick") or "" for e in card.iter() if isinstance(e.tag, str))
        fragment = re.search(r"(to0058\.(?:asp|php)\?[^'\"\s)]+)", onclick)
        smctonr = param(fragment.group(1), "smctonr") if fragment else None
        ktonr, page = _item_link(card, url)
        kvonr, reference = _paper_link(card)
        found = {"id": ktonr or smctonr, "number": number,
                 "public": badge_public if badge_public is not None else public, "name": name,
                 "page": page or (urljoin(url, fragment.group(1)) if fragment else None), "paper": kvonr,
                 "reference": reference,
                 "fields": {"beschluss": _field(card, "beschluss"), "abstimmung": _field(card, "abstimmung")},
                 "rows": [card], "files": files_in(card, url)}
        items.append(_item_from(found, url, ksinr, len(items) + 1))
    return items, accordion[0]


# -- agenda item page (to0050) and fragment (to0058) -----------------------------------------------


def parse_item(root: etree._Element, url: str, layout: str) -> ItemPage:
    """An agenda item's page: title, head, the structured result and vote fields, the minutes text
    (Word HTML rendered to lines), files."""
    pairs = label_values(root)
    content = _content(root)
    files = files_in(content, url)
    result = _field(content, "beschluss") or (pairs.get("Beschluss") or pairs.get("Beschlussart") or ("", None))[0]
    vote = _field(content, "abstimmung") or (pairs.get("Abstimmung") or ("", None))[0]
    kvonr = None
    for label in ("Vorlage", "Vorlagen"):
        if label in pairs:
            kvonr, _ = _paper_link(pairs[label][1])
    if kvonr is None:
        for a in content.iter("a"):
            kvonr = param(a.get("href") or "", "__kvonr", "kvonr") or kvonr
            if kvonr:
                break
    number = (pairs.get("TOP") or pairs.get("Tagesordnungspunkt") or (None, None))[0]
    title = next((text_of(h) for h in content.iter("h1") if text_of(h)), None)
    if title is None:
        title = next((text_of(e) for e in content.xpath(f".//*[{_cls('smc-card-text-title')}]")), None)
    return ItemPage(layout, title, _badge(number)[0] if number else None, kvonr, result or None, vote or None,
                    minutes_text(content), files)


def minutes_text(content: etree._Element) -> str:
    """The free text of an item or paper page: everything but its head, structured fields,
    navigation and file boxes, rendered as a browser shows it."""
    copy = lxml.html.fromstring(lxml.html.tostring(content))
    remove = copy.xpath(
        "//h1 | //*[@id='smctablevorgang'] | //table[contains(@class, 'smctablevorgang')]"
        f" | //div[{_cls('smc-table-row')}] | //*[starts-with(@class, 'smc_field_smcdv0_box2_')]"
        " | //*[contains(@class, 'smcdocbox')] | //a[contains(@href, 'getfile')] | //nav | //footer | //form"
        " | //script | //style"
        f" | //*[{_cls('smc-navigation')}] | //*[{_cls('smcnav')}] | //*[@id='smcnav']"
        " | //table[contains(@id, 'vo0050_contenttable') or contains(@class, 'smc_page_vo0050_contenttable')]"
        " | //table[contains(@summary, 'Beratungen der Vorlage') or contains(@summary, 'Beratungsfolge')]")
    for element in remove:
        parent = element.getparent()
        if parent is not None:
            tail = element.tail
            parent.remove(element)
            if tail and tail.strip():
                previous = parent.text or ""
                parent.text = previous + tail
    text = render_text(copy)
    lines = [line for line in text.splitlines()]
    # Pasted Word HTML leaves runs of empty paragraphs: at most one blank line between paragraphs.
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


# -- paper page (vo0050) --------------------------------------------------------------------------


def parse_paper(root: etree._Element, url: str, layout: str) -> PaperPage:
    """A paper: head (reference, type, date, lead office, parent paper), its consultations (the
    "Beratungsfolge": meeting, committee, role, result), its text sections and files."""
    pairs = label_values(root)

    def value(*labels: str) -> str | None:
        for label in labels:
            if label in pairs and pairs[label][0]:
                return pairs[label][0]
        return None

    content = _content(root)
    title = next((text_of(h) for h in content.iter("h1") if text_of(h)), None) or value("Betreff")
    lead = value("Federführend", "Federführende Stelle", "Federführung")
    lead_id = None
    if "Federführend" in pairs:
        link = next((a for a in pairs["Federführend"][1].iter("a") if param(a.get("href") or "", "__kgrnr")), None)
        lead_id = param(link.get("href"), "__kgrnr") if link is not None else None
    parent = None
    if "Referenzvorlage" in pairs:
        parent, _ = _paper_link(pairs["Referenzvorlage"][1])
    consultations = []
    tables = root.xpath("//table[contains(@id, 'vo0050_contenttable')"
                        " or contains(@class, 'smc_page_vo0050_contenttable')"
                        " or contains(@summary, 'Beratungen der Vorlage') or contains(@summary, 'Beratungsfolge')]")
    for table in tables:
        for row in table.iter("tr"):
            cells = [c for c in row if isinstance(c.tag, str) and c.tag == "td"]
            if not cells:
                continue
            meeting = next((param(a.get("href") or "", "__ksinr") for a in row.iter("a")
                            if param(a.get("href") or "", "__ksinr")), None)
            committee_link = next((a for a in row.iter("a") if param(a.get("href") or "", "__kgrnr")), None)
            texts = [text_of(c) for c in cells]
            role = next((t for t in texts if re.fullmatch(r"(Vorberatung|Entscheidung|Kenntnisnahme|Anhörung|"
                                                          r"Beratung|Vorlage zur Kenntnis)\w*", t)), None)
            result = next((text_of(c) for c in cells if _has_class(c, "smc_beschlussart", "vobeschlussart")), None)
            if result is None and len(texts) >= 4:
                result = texts[-1] if texts[-1] not in (role, "") and not german_date(texts[-1]) else None
            committee = text_of(committee_link) if committee_link is not None else next(
                (t for t in texts if t and t != role and not german_date(t) and t != result), None)
            if meeting is None and committee is None:
                continue
            consultations.append(Consultation(
                meeting, committee,
                param(committee_link.get("href"), "__kgrnr") if committee_link is not None else None,
                german_date(" ".join(texts)), role, result or None))
    return PaperPage(layout, title, value("Name", "Vorlage", "Vorlagen-Nr.", "Nummer"), value("Art", "Vorlagenart"),
                     german_date(value("Datum") or ""), lead, lead_id, parent, minutes_text(content), consultations,
                     files_in(content, url))


def meeting_start(day: date | None, start: str | None) -> str | None:
    if day is None:
        return None
    if start is None:
        return day.isoformat()
    return datetime.fromisoformat(f"{day.isoformat()}T{start}:00").isoformat()
