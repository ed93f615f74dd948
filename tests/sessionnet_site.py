"""A SessionNet fixture site for tests: three invented councils, each a SessionNet install in another
page layout, served on 127.0.0.1 by a small threaded server.

* `alt`    — old tables (Layout 4, `.asp`): calendar rows linking `to0040` (each meeting twice), the
             agenda with `tr.smc_toph` / `tr.smc_tophz` rows, windows-1252 pages declared ISO-8859-1
             (one paper declared UTF-8 although it is windows-1252), an item page that is an error
             page served with HTTP 200.
* `smc`    — smc tables (Layout 5, `.asp`): needs the session cookie that `info.asp` sets (else every
             page is the error page), umlauts written as entities, a calendar with one row per day,
             a cancelled meeting, a meeting whose `si0057` always fails (its `to0040` works).
* `karten` — cards (Layout 6, `.php`): `si0056` with an accordion of cards whose bodies come as
             `to0058` fragments (one declared ISO-8859-1 although it is UTF-8), a file answering 404.

Every text is written for this fixture (invented names, places, numbers); only the page shapes follow
the notes on real installs. Dates are relative to today, so the calendar always spans the months a
crawl reads. PDFs are generated at build time with reportlab. `Site.truth()` says what a crawl must
store; `Site.change()` is what happens between two crawls (a new meeting, minutes published).
"""

from __future__ import annotations

import hashlib
import html
import io
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

COOKIE = "ASPSESSIONIDKOMO=fixture"


def month_day(today: date, months: int, day: int) -> date:
    """Day `day` of the month `months` away from today's."""
    index = today.year * 12 + today.month - 1 + months
    return date(index // 12, index % 12 + 1, day)


def pdf(text: str) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    page = canvas.Canvas(buffer, pagesize=A4, invariant=1)
    page.setFont("Helvetica", 11)
    y = 800
    for line in text.splitlines() or [text]:
        page.drawString(60, y, line)
        y -= 16
    page.showPage()
    page.save()
    return buffer.getvalue()


# -- the model ----------------------------------------------------------------------------------


@dataclass
class File:
    id: int
    name: str
    missing: bool = False             # answers 404

    @property
    def data(self) -> bytes:
        return pdf(f"{self.name}\nDatei {self.id} der Testsitzung.")

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass
class Vote:
    """What the minutes' vote passage says (labelled by tests/gold/votes/GUIDELINES.md)."""

    result: str | None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    factions: tuple[tuple[str, str], ...] = ()


@dataclass
class Item:
    id: int
    number: str
    name: str
    public: bool = True
    paper: int | None = None
    result: str | None = None         # the structured "Beschluss:" field
    vote_field: str | None = None     # the structured "Abstimmung:" field
    minutes: list[str] = field(default_factory=list)
    vote: Vote | None = None
    files: list[File] = field(default_factory=list)
    page: bool = True                 # has its own page (to0050 / to0058)
    error_page: bool = False          # its page is an error page served with HTTP 200


@dataclass
class Meeting:
    ksinr: int
    committee: int
    day: date
    start: str
    end: str | None
    room: str
    items: list[Item]
    files: list[File] = field(default_factory=list)
    cancelled: bool = False
    broken_page: bool = False         # si0057 always answers the error page; to0040 works


@dataclass
class Paper:
    kvonr: int
    reference: str
    name: str
    paper_type: str
    day: date
    lead: str
    text: list[str]
    files: list[File]
    consultations: list[tuple[int, int, str, str | None]]   # ksinr, committee, role, result
    misdeclared: bool = False         # declared UTF-8, written windows-1252


@dataclass
class Install:
    key: str
    layout: str
    ext: str
    charset: str
    committees: dict[int, str]
    meetings: list[Meeting]
    papers: dict[int, Paper]
    needs_cookie: bool = False
    entities: bool = False

    def meeting_page(self, meeting: Meeting) -> str:
        return {"4": "to0040", "5": "si0057", "6": "si0056"}[self.layout]

    def items(self) -> Iterator[tuple[Meeting, Item]]:
        for meeting in self.meetings:
            for item in meeting.items:
                yield meeting, item

    def files(self) -> dict[int, File]:
        found: dict[int, File] = {}
        for meeting in self.meetings:
            for file in meeting.files:
                found[file.id] = file
            for item in meeting.items:
                for file in item.files:
                    found[file.id] = file
        for paper in self.papers.values():
            for file in paper.files:
                found[file.id] = file
        return found


# -- the councils ---------------------------------------------------------------------------------

# Invented minutes passages and what they say (result, counts, factions by the guidelines).
PASSAGES: list[tuple[list[str], Vote]] = [
    (["Frau Dr. Hollweg erläutert die Vorlage anhand einer kurzen Präsentation.",
      "Rh. Sandmann (SPD) fragt nach der Zahl der Plätze; die Verwaltung antwortet, es seien 64 Plätze.",
      "Beschlussempfehlung an den Rat:", "Wie Vorlage",
      "dafür:\u00a0\u00a0\u00a0 14 (6 CDU, 5 SPD, 2 GRÜNE, 1 FDP)\ndagegen:\u00a0\u00a0 2 (AfD)\n"
      "Enth.:\u00a0\u00a0\u00a0\u00a0 1 (Die PARTEI)"],
     Vote("angenommen", 14, 2, 1, (("CDU", "yes"), ("SPD", "yes"), ("GRÜNE", "yes"), ("FDP", "yes"), ("AfD", "no"),
                                   ("Die PARTEI", "abstain")))),
    (["Nach kurzer Aussprache lässt die Vorsitzende abstimmen.",
      "Der Ausschuss stimmt dem Förderprogramm „Sprachbrücken“ mehrheitlich gegen die Stimmen der AfD-Fraktion "
      "bei Enthaltung der FDP-Fraktion zu."],
     Vote("angenommen", None, None, None, (("AfD", "no"), ("FDP", "abstain")))),
    (["Abstimmungsergebnis:", "Ja-Stimmen: 11   Nein-Stimmen: 4   Enthaltungen: 2",
      "Damit ist die Vorlage angenommen."],
     Vote("angenommen", 11, 4, 2)),
    (["Der Ausschuss nimmt den Bericht über die Integrationskurse einstimmig zur Kenntnis."],
     Vote("zur Kenntnis genommen")),
    (["Die CDU-Fraktion beantragt, den Punkt in die nächste Sitzung zu vertagen.",
      "Der Vertagungsantrag wird mehrheitlich gegen die Stimmen der SPD-Fraktion angenommen."],
     Vote("vertagt", None, None, None, (("SPD", "no"),))),
    (["Der Antrag der Fraktion DIE LINKE wird mit 5 Ja-Stimmen gegen 12 Nein-Stimmen abgelehnt."],
     Vote("abgelehnt", 5, 12)),
    (["Abstimmungsergebnis: einstimmig beschlossen"], Vote("angenommen")),
    (["Abstimmung über den Änderungsantrag der GRÜNEN:", "Ja: 6, Nein: 10",
      "Abstimmung über die Vorlage:", "mehrheitlich beschlossen", "Ja: 13, Nein: 3"],
     Vote("angenommen", 13, 3)),
]


def _files(counter: list[int], *names: str) -> list[File]:
    out = []
    for name in names:
        counter[0] += 1
        out.append(File(counter[0], name))
    return out


def build(key: str, today: date | None = None) -> Install:
    """One council of the fixture: `alt`, `smc` or `karten`."""
    today = today or date.today()
    base = {"alt": 1000, "smc": 2000, "karten": 3000}[key]
    files = [base * 10]
    committees = {base + 1: "Integrationsrat", base + 2: "Ausschuss für Soziales, Gesundheit und Senioren",
                  base + 3: "Rat der Stadt"}
    papers: dict[int, Paper] = {}
    meetings: list[Meeting] = []
    item_id = base * 10
    paper_id = base
    passages = iter(PASSAGES * 3)
    days = [month_day(today, m, d) for m, d in ((-5, 10), (-4, 12), (-3, 8), (-2, 15), (-1, 3))]
    for index, day in enumerate(days):
        committee = base + 1 + index % 3
        items = []
        for number in range(1, 4):
            item_id += 1
            paper_id += 1
            text, vote = next(passages)
            reference = f"{day.year}/{paper_id:04d}"
            titles = ["Förderung von Sprachkursen für Zugewanderte", "Unterbringung von Geflüchteten am Lindenweg",
                      "Bericht über das Integrationskonzept", "Seniorentreff im Quartier Nord",
                      "Kita-Plätze für neu zugezogene Familien", "Antrag auf ein Welcome-Center"]
            name = f"{titles[(index + number) % len(titles)]} ({key} {index + 1}.{number})"
            paper = Paper(paper_id, reference, name, ["Beschlussvorlage", "Antrag", "Mitteilungsvorlage"][number % 3],
                          day - timedelta(days=20), "Fachbereich Soziales und Integration",
                          [f"Beschlussvorschlag: Der {committees[committee]} beschließt die Maßnahme „{name}“.",
                           "Sachverhalt: Die Verwaltung hat die Maßnahme mit den Trägern abgestimmt. "
                           "Die Kosten betragen 12.500 € im Jahr."],
                          _files(files, reference, f"Anlage 1 zu {reference}"),
                          [(0, committee, "Entscheidung", None)],
                          misdeclared=(key == "alt" and index == 1 and number == 2))
            papers[paper_id] = paper
            decided = index < 4 or number == 1  # the last meeting's minutes are published later
            item = Item(item_id, str(number), name, paper=paper_id,
                        result={"angenommen": "mehrheitlich beschlossen", "abgelehnt": "abgelehnt",
                                "zur Kenntnis genommen": "zur Kenntnis genommen",
                                "vertagt": "vertagt"}.get(vote.result) if decided else None,
                        minutes=text if decided else [], vote=vote if decided else None,
                        files=_files(files, f"Beschlussauszug TOP {number}") if number == 2 else [],
                        error_page=(key == "alt" and index == 2 and number == 3))
            if item.error_page:
                item.minutes, item.vote = [], None
            items.append(item)
        item_id += 1
        items.append(Item(item_id, "4", "Personalangelegenheit", public=False, page=False))
        if key == "smc":
            item_id += 1
            items.append(Item(item_id, "5", "Mitteilungen der Verwaltung", page=False, result="zur Kenntnis genommen"))
        meeting = Meeting(base + 100 + index, committee, day, "17:00", "19:30" if index % 2 else None,
                          f"Ratssaal {index + 1}", items,
                          _files(files, "Einladung") + (_files(files, "Niederschrift öffentlich") if index < 4 else []),
                          broken_page=(key == "smc" and index == 3))
        for item in items:
            if item.paper:
                papers[item.paper].consultations = [(meeting.ksinr, committee, "Entscheidung", item.result)]
        meetings.append(meeting)
    if key == "smc":
        meetings.append(Meeting(base + 190, base + 2, month_day(today, -3, 20), "16:00", None, "Raum 12", [],
                                cancelled=True))
    if key == "karten":
        meetings[0].files[0].missing = True
    layout, ext, charset = {"alt": ("4", "asp", "windows-1252"), "smc": ("5", "asp", "utf-8"),
                            "karten": ("6", "php", "utf-8")}[key]
    return Install(key, layout, ext, charset, committees, meetings, papers, needs_cookie=key == "smc",
                   entities=key == "smc")


def change(install: Install, today: date | None = None) -> dict[str, Any]:
    """What happens between two crawls: a new meeting a week ahead (with an item and its paper), and
    the minutes of the last meeting's second item published (its row and the calendar change)."""
    today = today or date.today()
    base = install.meetings[0].ksinr - 100
    last = install.meetings[4]
    item = last.items[1]
    text, vote = PASSAGES[2]
    item.result, item.minutes, item.vote = "mehrheitlich beschlossen", text, vote
    install.papers[item.paper].consultations = [(last.ksinr, last.committee, "Entscheidung", item.result)]
    counter = [max(install.files()) if install.files() else base * 10]
    last.files += _files(counter, "Niederschrift öffentlich")
    paper = Paper(base + 900, "2099/0900", f"Neues Quartiersbüro ({install.key})", "Beschlussvorlage",
                  today, "Fachbereich Soziales und Integration",
                  ["Beschlussvorschlag: Das Quartiersbüro wird eröffnet."],
                  _files(counter, "2099/0900"), [])
    install.papers[paper.kvonr] = paper
    new_item = Item(base * 10 + 900, "1", paper.name, paper=paper.kvonr)
    meeting = Meeting(base + 150, base + 1, today + timedelta(days=7), "18:00", None, "Ratssaal 1", [new_item],
                      _files(counter, "Einladung"))
    paper.consultations = [(meeting.ksinr, meeting.committee, "Entscheidung", None)]
    install.meetings.append(meeting)
    return {"new_meeting": meeting.ksinr, "changed_meeting": last.ksinr, "changed_item": item.id,
            "new_item": new_item.id, "new_paper": paper.kvonr}


# -- pages ------------------------------------------------------------------------------------------


def esc(text: str, entities: bool = False) -> str:
    out = html.escape(text, quote=True)
    if entities:
        named = {"ä": "&auml;", "ö": "&ouml;", "ü": "&uuml;", "Ä": "&Auml;", "Ö": "&Ouml;", "Ü": "&Uuml;",
                 "ß": "&szlig;"}
        out = "".join(named.get(c, f"&#{ord(c)};" if ord(c) > 127 else c) for c in out)
    return out


class Pages:
    """The HTML of one install's pages."""

    def __init__(self, install: Install):
        self.i = install

    def e(self, text: str) -> str:
        return esc(text, self.i.entities)

    def url(self, code: str, **params: Any) -> str:
        query = "&".join(f"{k}={v}" for k, v in params.items())
        return f"{code}.{self.i.ext}" + (f"?{query}" if query else "")

    def head(self, title: str, page: str) -> str:
        layout = self.i.layout
        version = {"4": "050303", "5": "040906", "6": "050504"}[layout]
        charset = "iso-8859-1" if self.i.charset == "windows-1252" else "utf-8"
        meta = (f'<meta name="sessionnet" content="V:{version}.L:{layout}">' if layout != "4" else
                f'<meta name="generator" content="Somacos SessionNet Version 5.3.3 bi (Layout {layout})">')
        return (f'<!DOCTYPE html><html lang="de"><head><meta http-equiv="Content-Type" content="text/html; '
                f'charset={charset}">{meta}<title>{self.e(title)}</title></head>'
                f'<body><div id="smclayout" class="smclayout smc_page_{page}_layout">'
                f'<nav class="smc-navigation"><a href="{self.url("si0040")}">Sitzungskalender</a> | '
                f'<a href="{self.url("info")}">Startseite</a></nav><div id="smc_page_content">')

    def foot(self) -> str:
        return ('</div><footer>Bürgerinfo · Impressum · Datenschutz</footer></div></body></html>')

    def error(self, message: str = "Die Sitzung ist abgelaufen.") -> str:
        return (f'<!DOCTYPE html><html><head><meta name="sessionnet" content="V:050504"><title>SessionNet '
                f'Fehlermeldung</title></head><body><div class="smclayout smc_page_error_layout"><h1>Fehler</h1>'
                f'<p>Meldung: {self.e(message)}</p></div></body></html>')

    def file_links(self, files: list[File], icon: bool = False) -> str:
        links = []
        for f in files:
            href = self.url("getfile", id=f.id, type="do")
            if icon:
                links.append(f'<a href="{href}&amp;"><img src="pdf.gif" alt=""></a>')
            links.append(f'<a href="{href}" title="{self.e(f.name)}" class="smce-a-u">{self.e(f.name)}</a>')
        return " ".join(links)

    def docbox(self, files: list[File]) -> str:
        if not files:
            return ""
        rows = "".join(f'<tr><td class="smcdocname">{self.file_links([f], icon=True)}</td></tr>' for f in files)
        return f'<table class="smcdocbox"><tbody>{rows}</tbody></table>'

    # calendar
    def calendar(self, year: int, month: int) -> str:
        meetings = [m for m in self.i.meetings if (m.day.year, m.day.month) == (year, month)]
        meetings.sort(key=lambda m: (m.day, m.start))
        title = f"Sitzungskalender {month:02d}/{year}"
        out = [self.head(title, "si0040"), f"<h1>{self.e(title)}</h1>"]
        committee = self.i.committees
        if self.i.layout == "4":
            out.append('<table class="smccontenttable smc_page_si0040_contenttable1"><tbody>')
            for m in meetings:
                label = f"Details anzeigen: {committee[m.committee]} {m.day:%d.%m.%Y}"
                href = self.url("to0040", __ksinr=m.ksinr)
                out.append(f'<tr valign="top"><td>{m.day:%d.%m.%Y}</td><td>{m.start} Uhr</td>'
                           f'<td><a href="{href}" title="{self.e(label)}"><img src="details.gif" alt=""></a></td>'
                           f'<td><a href="{href}" title="{self.e(label)}">{self.e(committee[m.committee])}</a></td>'
                           f'<td>{self.e(m.room)}</td><td class="smcdocbox">{self.file_links(m.files)}</td></tr>')
            out.append("</tbody></table>")
        elif self.i.layout == "5":
            out.append('<table id="smc_page_si0040_contenttable1" class="smccontenttable"><tbody>')
            previous = None
            for m in meetings:
                weekday = "MoDiMiDoFrSaSo"[m.day.weekday() * 2:][:2]
                day_cell = (f'<td class="siday">{m.day.day}<span class="weekday">{weekday}'
                            f'</span></td>' if m.day != previous else '<td class="siday"></td>')
                previous = m.day
                if m.cancelled:
                    out.append(f'<tr class="smc-t-r-l">{day_cell}<td class="tename">Die Sitzung des '
                               f'{self.e(committee[m.committee])} fällt aus.</td>'
                               f'<td class="silink"><a class="smc-link-normal smc_datatype_si" '
                               f'href="{self.url("si0057", __ksinr=m.ksinr)}">Details</a></td></tr>')
                    continue
                end = f"-{m.end}" if m.end else ""
                out.append(f'<tr class="smc-t-r-l">{day_cell}<td class="silink"><div class="smc-el-h">'
                           f'{self.e(committee[m.committee])}</div><a class="smc-link-normal smc_datatype_si" '
                           f'href="{self.url("si0057", __ksinr=m.ksinr)}">{self.e(committee[m.committee])}</a>'
                           f'<ul class="smc-detail-list"><li>{m.start}{end} Uhr</li><li>{self.e(m.room)}</li></ul></td>'
                           f'<td class="sidocs">{self.file_links(m.files)}</td></tr>')
                out.append('<tr class="smc-t-r-l"><td colspan="3"></td></tr>')
            out.append("</tbody></table>")
        else:
            out.append('<table class="smccontenttable"><tbody>')
            for m in meetings:
                out.append(f'<tr class="smc-t-r-l smc-t-cl991"><td data-label="Datum">{m.day:%d.%m.%Y}</td>'
                           f'<td data-label="Zeit">{m.start} Uhr</td><td data-label="Gremium">'
                           f'{self.e(committee[m.committee])}</td><td data-label="Sitzung">'
                           f'<a href="{self.url("si0056", __ksinr=m.ksinr)}">Tagesordnung</a></td>'
                           f'<td data-label="Dokumente">{self.file_links(m.files)}</td></tr>')
            out.append("</tbody></table>")
        out.append(self.foot())
        return "".join(out)

    # meeting
    def meeting_head(self, m: Meeting, smc: bool) -> str:
        committee = self.i.committees[m.committee]
        pairs = [("Gremium", f'<a href="{self.url("kp0040", __kgrnr=m.committee)}">{self.e(committee)}</a>'),
                 ("Sitzung", self.e(f"{m.ksinr - 100}. Sitzung des {committee}")),
                 ("Datum", f"{m.day:%d.%m.%Y}"), ("Zeit", f"{m.start}{'-' + m.end if m.end else ''} Uhr"),
                 ("Raum", self.e(m.room))]
        if smc:
            return "".join(f'<div class="smc-table-row"><div class="smc-table-cell">{label}:</div>'
                           f'<div class="smc-table-cell">{value}</div></div>' for label, value in pairs)
        rows = "".join(f'<tr><td class="smctablehead">{label}:</td><td>{value}</td></tr>' for label, value in pairs)
        return f'<table id="smctablevorgang"><tbody>{rows}</tbody></table>'

    def meeting(self, m: Meeting, code: str) -> str:
        title = f"{self.i.committees[m.committee]} {m.day:%d.%m.%Y}"
        out = [self.head(title, code), f"<h1>{self.e(title)}</h1>"]
        layout = "4" if code == "to0040" else self.i.layout
        out.append(self.meeting_head(m, layout != "4"))
        out.append(self.docbox(m.files))
        if layout == "4":
            out.append('<table id="smc_page_to0040_contenttable1" class="smccontenttable"><tbody>')
            public = None
            for item in m.items:
                if item.public != public:
                    public = item.public
                    label = "Öffentlicher Teil" if public else "Nicht öffentlicher Teil"
                    out.append(f'<tr class="smcrowh"><td colspan="3">{self.e(label)}</td></tr>')
                title = self.e(item.name)
                if item.page and item.public:
                    title = f'<a href="{self.url("to0050", __ktonr=item.id)}">{title}</a>'
                paper = self.i.papers.get(item.paper) if item.paper else None
                paper_link = (f'<a class="smc_field_voname" href="{self.url("vo0050", __kvonr=paper.kvonr)}">'
                              f'{self.e(paper.reference)}</a>' if paper and item.public else "")
                out.append(f'<tr class="smc_toph" id="smc_tophz_{item.id}"><td class="smc_tophn">{item.number}</td>'
                           f'<td class="smc_topht">{title} {self.docbox(item.files)}</td><td>{paper_link}</td>')
                if item.result:
                    out.append(f'<tr class="smc_tophz"><td></td><td class="smc_topr">Beschluss:</td>'
                               f'<td>{self.e(item.result)}</td></tr>')
                if item.vote_field:
                    out.append(f'<tr class="smc_tophz"><td></td><td class="smc_topr">Abstimmung:</td>'
                               f'<td>{self.e(item.vote_field)}</td></tr>')
            out.append("</tbody></table>")
        elif layout == "5":
            out.append('<table id="smc_page_si0057_contenttable1" class="smccontenttable smctablesitzung"><tbody>')
            for item in m.items:
                badge = f'{"Ö" if item.public else "N"} {item.number}'
                if item.page and item.public:
                    title = (f'<a class="smc-link-normal smc_datatype_to" '
                             f'href="{self.url("to0050", __ktonr=item.id)}">{self.e(item.name)}</a>')
                else:
                    title = f'<div class="smc-card-header-title-simple">{self.e(item.name)}</div>'
                paper = self.i.papers.get(item.paper) if item.paper else None
                paper_cell = (f'<a class="smc_datatype_vo" href="{self.url("vo0050", __kvonr=paper.kvonr)}">'
                              f'{self.e(paper.reference)}</a>' if paper and item.public else "")
                fields = ""
                if item.result:
                    fields += f'<p class="smc_field_smcdv0_box2_beschluss">Beschluss: {self.e(item.result)}</p>'
                if item.vote_field:
                    fields += f'<p class="smc_field_smcdv0_box2_abstimmung">Abstimmung: {self.e(item.vote_field)}</p>'
                out.append(f'<tr class="smc-t-r-l"><td class="tofnum"><span class="badge">{badge}</span></td>'
                           f'<td class="tobetr">{title}{fields}</td><td class="tovo">{paper_cell}</td>'
                           f'<td class="sidocs">{self.file_links(item.files)}</td></tr>')
            out.append('<tr><td class="totrenn" colspan="4">Anträge/Anfragen:</td></tr>')
            out.append("</tbody></table>")
        else:
            out.append('<div id="smcaccordion">')
            out.append('<div class="card card-light"><div class="card-header"><button>Öffentlicher Teil:</button>'
                       '</div></div>')
            public = True
            for item in m.items:
                if item.public != public:
                    public = item.public
                    out.append('<div class="card card-light"><div class="card-header"><button>'
                               'Nicht öffentlicher Teil:</button></div></div>')
                badge = f'{"Ö" if item.public else "N"} {item.number}'
                fragment = self.url("to0058", smctonr=item.id, smcajax="1")
                onclick = f" onclick=\"smcLoad('{fragment}')\"" if item.page and item.public else ""
                paper = self.i.papers.get(item.paper) if item.paper else None
                body = ""
                if paper and item.public:
                    href = self.url("vo0050", __kvonr=paper.kvonr)
                    body += (f'<p class="smc_field_smcdv0_box2_volink"><a href="{href}">'
                             f'{self.e(paper.reference)}</a></p>')
                if item.result:
                    body += (f'<p class="smc_field_smcdv0_box2_beschluss"><strong>Beschluss:</strong> '
                             f'{self.e(item.result)}</p>')
                body += self.file_links(item.files)
                out.append(f'<div class="card card-light"><div class="card-header"{onclick}><span class="badge">'
                           f'{badge}</span><div class="smc-card-text-title">{self.e(item.name)}<br>'
                           f'<small>Berichterstattung: Verwaltung</small></div></div><div class="card-body">{body}'
                           f'</div></div>')
            out.append("</div>")
        out.append(self.foot())
        return "".join(out)

    # agenda item
    def minutes(self, item: Item) -> str:
        paragraphs = []
        for text in item.minutes:
            lines = text.split("\n")
            paragraphs.append("<p class=\"MsoNormal\">" + "<br>".join(self.e(line) for line in lines) + "</p>")
            paragraphs.append('<p class="MsoNormal">&nbsp;</p>')
        return "".join(paragraphs)

    def item_page(self, m: Meeting, item: Item) -> str:
        paper = self.i.papers.get(item.paper) if item.paper else None
        out = [self.head(item.name, "to0050"), f"<h1>{self.e(item.name)}</h1>"]
        rows = [("Sitzung", self.e(f"{m.ksinr - 100}. Sitzung")), ("Gremium", self.e(self.i.committees[m.committee])),
                ("Datum", f"{m.day:%d.%m.%Y}"), ("TOP", f"Ö {item.number}")]
        if paper:
            href = self.url("vo0050", __kvonr=paper.kvonr)
            rows.append(("Vorlage", f'<a href="{href}">{self.e(paper.reference)}</a>'))
        out.append('<table id="smctablevorgang"><tbody>' + "".join(
            f'<tr><td class="smctablehead">{k}:</td><td>{v}</td></tr>' for k, v in rows) + "</tbody></table>")
        if item.result:
            out.append(f'<p class="smc_field_smcdv0_box2_beschluss"><strong>Beschluss:</strong> '
                       f'{self.e(item.result)}</p>')
        if item.vote_field:
            out.append(f'<p class="smc_field_smcdv0_box2_abstimmung"><strong>Abstimmung:</strong> '
                       f'{self.e(item.vote_field)}</p>')
        out.append(f'<div class="smc-minutes">{self.minutes(item)}</div>')
        out.append(self.docbox(item.files))
        out.append(self.foot())
        return "".join(out)

    def fragment(self, item: Item) -> str:
        """The to0058 AJAX fragment of a card: no head, just the card's body."""
        out = ['<div class="smc-card-body-ajax">']
        if item.result:
            out.append(f'<p class="smc_field_smcdv0_box2_beschluss"><strong>Beschluss:</strong> '
                       f'{self.e(item.result)}</p>')
        out.append(self.minutes(item))
        out.append(self.file_links(item.files))
        out.append("</div>")
        return "".join(out)

    # paper
    def paper(self, paper: Paper) -> str:
        out = [self.head(paper.name, "vo0050"), f"<h1>{self.e(paper.name)}</h1>"]
        rows = [("Name", self.e(paper.reference)), ("Art", self.e(paper.paper_type)),
                ("Datum", f"{paper.day:%d.%m.%Y}"), ("Federführend", self.e(paper.lead))]
        out.append('<table id="smctablevorgang"><tbody>' + "".join(
            f'<tr><td class="smctablehead">{k}:</td><td>{v}</td></tr>' for k, v in rows) + "</tbody></table>")
        out.append('<table id="smc_page_vo0050_contenttable1" class="smccontenttable" '
                   'summary="Inhalt der Tabelle: Beratungen der Vorlage"><tbody>'
                   '<tr><th>Datum</th><th>Gremium</th><th>Rolle</th><th>Ergebnis</th></tr>')
        meetings = {m.ksinr: m for m in self.i.meetings}
        for ksinr, committee, role, result in paper.consultations:
            m = meetings.get(ksinr)
            day = f'<a href="{self.url(self.i.meeting_page(m), __ksinr=ksinr)}">{m.day:%d.%m.%Y}</a>' if m else ""
            out.append(f'<tr valign="top"><td>{day}</td><td><a href="{self.url("kp0040", __kgrnr=committee)}">'
                       f'{self.e(self.i.committees[committee])}</a></td><td>{role}</td>'
                       f'<td class="smc_beschlussart">{self.e(result or "")}</td></tr>')
        out.append("</tbody></table>")
        out.append("".join(f"<p>{self.e(t)}</p>" for t in paper.text))
        out.append(self.docbox(paper.files))
        out.append(self.foot())
        return "".join(out)


# -- the server -----------------------------------------------------------------------------------


class SiteServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, installs: dict[str, Install]):
        super().__init__(("127.0.0.1", 0), Handler)
        self.installs = installs
        self.lock = threading.Lock()
        self.requests: list[str] = []

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A crawl killed on purpose (crash tests) hangs up mid-answer: not worth a traceback.
        import sys

        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def url(self, key: str) -> str:
        install = self.installs[key]
        return f"{self.base}/{key}/bi/info.{install.ext}"


class Handler(BaseHTTPRequestHandler):
    server: SiteServer

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server API
        parts = urlsplit(self.path)
        with self.server.lock:
            self.server.requests.append(self.path)
        segments = parts.path.strip("/").split("/")
        if parts.path == "/robots.txt":
            return self.send(200, b"User-agent: *\nDisallow: /private/\n", "text/plain")
        if len(segments) != 3 or segments[0] not in self.server.installs or segments[1] != "bi":
            return self.send(404, b"not found", "text/plain")
        install = self.server.installs[segments[0]]
        pages = Pages(install)
        code, _, ext = segments[2].partition(".")
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        if ext != install.ext:
            return self.send(404, b"not found", "text/plain")
        if code == "info":
            return self.page(install, pages.head("Bürgerinfo", "info") + "<h1>Bürgerinfo</h1>" + pages.foot(),
                             cookie=True)
        if install.needs_cookie and COOKIE not in (self.headers.get("Cookie") or ""):
            return self.page(install, pages.error())
        meetings = {m.ksinr: m for m in install.meetings}
        if code == "si0040":
            return self.page(install, pages.calendar(int(query.get("__cjahr", 0)), int(query.get("__cmonat", 0))))
        if code in ("si0056", "si0057", "to0040"):
            meeting = meetings.get(int(query.get("__ksinr", "0") or 0))
            if meeting is None or (code != "to0040" and code != install.meeting_page(meeting)
                                   and not (code == "si0057" and install.layout == "5")):
                return self.page(install, pages.error("Keine Daten gefunden."))
            if code == "si0057" and meeting.broken_page:
                return self.page(install, pages.error("Interner Fehler bei der Seitenerstellung."))
            return self.page(install, pages.meeting(meeting, code))
        if code in ("to0050", "to0058"):
            wanted = int(query.get("__ktonr") or query.get("smctonr") or 0)
            for meeting, item in install.items():
                if item.id == wanted and item.page:
                    if item.error_page:
                        return self.page(install, pages.error("Fehler beim Lesen der Daten."))
                    if code == "to0058":
                        latin = item.number == "2" and meeting is install.meetings[1]
                        return self.send(200, pages.fragment(item).encode("utf-8"),
                                         f"text/html; charset={'iso-8859-1' if latin else 'utf-8'}")
                    return self.page(install, pages.item_page(meeting, item))
            return self.page(install, pages.error("Keine Daten gefunden."))
        if code == "vo0050":
            paper = install.papers.get(int(query.get("__kvonr", "0") or 0))
            if paper is None:
                return self.page(install, pages.error("Keine Daten gefunden."))
            return self.page(install, pages.paper(paper), declared="utf-8" if paper.misdeclared else None)
        if code == "getfile":
            file = install.files().get(int(query.get("id", "0") or 0))
            if file is None or file.missing:
                return self.send(404, b"not found", "text/plain")
            return self.send(200, file.data, "application/pdf",
                             {"Content-Disposition": f'attachment; filename="{file.id:08d}.pdf"'})
        return self.send(404, b"not found", "text/plain")

    def page(self, install: Install, text: str, cookie: bool = False, declared: str | None = None) -> None:
        charset = install.charset
        data = text.encode(charset, errors="xmlcharrefreplace")
        header = declared or ("ISO-8859-1" if charset == "windows-1252" else "utf-8")
        extra = {"Set-Cookie": f"{COOKIE}; path=/"} if cookie else {}
        self.send(200, data, f"text/html; charset={header}", extra)

    def send(self, status: int, body: bytes, mime: str, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(*keys: str, today: date | None = None) -> Iterator[SiteServer]:
    """Serve the fixture councils `keys` (default all three) on a free port of 127.0.0.1."""
    installs = {key: build(key, today) for key in (keys or ("alt", "smc", "karten"))}
    server = SiteServer(installs)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
