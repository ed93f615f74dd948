"""A local stand-in for the leverkusen.com press archive, served on 127.0.0.1.

The crawler tests and ``komo demo`` crawl this site instead of the real one (which the build
machines cannot reach). It serves the articles of ``<archive>/articles.jsonl`` with the
presentation and the bad pages configured in ``<archive>/site.toml``, modelled on the rendered
text layout described in ``shared/docs/sources.md``:

* listing pages ``/presse/db/liste.php?seite=N`` (newest first) linking every article in one of
  the URL forms of the real site, plus the bad pages and two republished releases;
* article pages in three markup templates (by publication year) and three encodings, all
  rendering to the text layout of the real site (furniture, teasers, headline, publication
  line, body, footers, navigation);
* bad pages (404, 500, 429, offsite redirect, truncated, empty, huge, broken HTML).

Everything is deterministic except the visitor counter, which grows on every request so that a
page's bytes change on every visit. ``articles.jsonl`` and ``site.toml`` are re-read when they
change on disk, so tests can edit a copy of the archive while the server runs.

Run it by hand::

    python -m kommunalmonitor.pipeline.demo.sample_site --archive data/sample-archive --port 8123
"""

from __future__ import annotations

import argparse
import html
import json
import math
import re
import sys
import threading
import time
import tomllib
import traceback
import unicodedata
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Any, TextIO
from urllib.parse import parse_qs, quote, urlsplit

__all__ = [
    "SampleSite",
    "ServerHandle",
    "listing_href",
    "listing_path",
    "main",
    "serve",
    "slug_path",
    "slugify",
]

ARTICLES_FILE = "articles.jsonl"
CONFIG_FILE = "site.toml"

LISTING_PATH = "/presse/db/liste.php"
ARTICLE_PATH = "/presse/db/presse.php"
INTERN_PREFIX = "/presse/intern/"
INTERN_LISTING = "/presse/intern/liste.php?seite=1"
ROBOTS_TXT = "User-agent: *\nDisallow: /presse/intern/\n"

FAULT_KINDS = (
    "not_found",
    "server_error",
    "too_many_once",
    "too_many_always",
    "redirect_offsite",
    "truncated",
    "empty",
    "huge",
    "broken_html",
    "wrong_charset",
)
#: Bad pages that nevertheless serve a good, readable article (part of expected_articles()).
GOOD_FAULTS = frozenset({"too_many_once", "broken_html", "wrong_charset"})
#: Bad pages whose article text is shown (at least partly) and so must be configured.
FAULTS_WITH_TEXT = frozenset({"too_many_once", "broken_html", "truncated", "wrong_charset"})

_SLUG_ARTICLE = re.compile(r"^/presse/(?:[^/]*-)?(\d{8})\.html$")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


# --------------------------------------------------------------------------------------------
# Small helpers


def slugify(title: str) -> str:
    """German URL slug: lowercase, ä→ae ö→oe ü→ue ß→ss, every other non-alphanumeric run → '-'."""
    text = unicodedata.normalize("NFC", title).lower().translate(_UMLAUTS)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", text).strip("-")
    if len(slug) > 80:
        slug = slug[:80].rsplit("-", 1)[0]
    return slug or "meldung"


def _norm(text: Any) -> str:
    """Whitespace-normalised text, as a browser renders it."""
    return " ".join(str(text).split())


def _esc(text: str) -> str:
    return html.escape(text, quote=True)


def _de_date(day: date) -> str:
    return day.strftime("%d.%m.%Y")


def _de_int(number: int) -> str:
    """1961 → '1.961' (German thousands separator)."""
    return f"{number:,}".replace(",", ".")


def _pick(article_id: int, salt: str, choices: int) -> int:
    """A stable pseudo-random choice in range(choices) for one article and one purpose."""
    return zlib.crc32(f"{salt}:{article_id}".encode()) % choices


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


# --------------------------------------------------------------------------------------------
# The archive model


@dataclass(frozen=True)
class Block:
    """One body block of an article: a paragraph, a quote, a list or a table."""

    type: str
    text: str = ""
    items: tuple[str, ...] = ()
    rows: tuple[tuple[str, ...], ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Block:
        kind = data.get("type")
        if kind in ("p", "quote"):
            return cls(kind, text=_norm(data["text"]))
        if kind == "list":
            return cls(kind, items=tuple(_norm(item) for item in data["items"]))
        if kind == "table":
            rows = tuple(tuple(_norm(cell) for cell in row) for row in data["rows"])
            return cls(kind, rows=rows)
        raise ValueError(f"unknown block type {kind!r}")

    def read_text(self) -> str:
        """The block as a reader reads it: list items and table rows one per line."""
        if self.type == "list":
            return "\n".join(item for item in self.items if item)
        if self.type == "table":
            return "\n".join(" ".join(cell for cell in row if cell) for row in self.rows)
        return self.text


@dataclass(frozen=True)
class Release:
    """One page the site answers for under an article id (a press release or a bad page)."""

    id: int
    published: date
    sender: str
    title: str | None
    category: str | None
    blocks: tuple[Block, ...]
    stadtteil: int | None = None
    updated: date | None = None
    #: None for ordinary articles and republished copies, else the fault kind.
    fault: str | None = None

    @property
    def is_good(self) -> bool:
        return self.fault is None or self.fault in GOOD_FAULTS

    def body(self) -> str:
        return "\n\n".join(text for block in self.blocks if (text := block.read_text()))


def _release_from_json(data: dict[str, Any]) -> Release:
    title = data.get("title")
    category = data.get("category")
    stadtteil = data.get("stadtteil")
    updated = data.get("updated")
    return Release(
        id=int(data["id"]),
        published=date.fromisoformat(data["published"]),
        sender=_norm(data["sender"]),
        title=_norm(title) if title else None,
        category=_norm(category) if category else None,
        blocks=tuple(Block.from_json(block) for block in data.get("blocks", [])),
        stadtteil=int(stadtteil) if stadtteil not in (None, "") else None,
        updated=date.fromisoformat(updated) if updated else None,
    )


@dataclass(frozen=True)
class SiteConfig:
    """The parsed site.toml."""

    page_size: int
    retry_after: int
    archive_after_years: int
    offsite_location: str
    summary_from: int
    current_from: int
    windows1252_until: int
    text: dict[str, Any]
    variation: dict[str, int]
    republished: tuple[dict[str, Any], ...]
    faults: dict[str, dict[str, Any]]
    #: Listing pages link the pages this far either side (and the first and last); 0: every page.
    pagination_window: int = 0

    @classmethod
    def from_toml(cls, data: dict[str, Any]) -> SiteConfig:
        site, templates = data["site"], data["templates"]
        unknown = set(data.get("faults", {})) - set(FAULT_KINDS)
        if unknown:
            raise ValueError(f"unknown fault kinds {sorted(unknown)}; known: {FAULT_KINDS}")
        return cls(
            page_size=int(site["page_size"]),
            retry_after=int(site["retry_after"]),
            archive_after_years=int(site["archive_after_years"]),
            offsite_location=str(site["offsite_location"]),
            summary_from=int(templates["summary_from"]),
            current_from=int(templates["current_from"]),
            windows1252_until=int(templates["windows1252_until"]),
            text=dict(data["text"]),
            variation={key: int(value) for key, value in data["variation"].items()},
            republished=tuple(data.get("republished", [])),
            faults=dict(data.get("faults", {})),
            pagination_window=int(site.get("pagination_window", 0)),
        )

    def t(self, key: str, **values: Any) -> str:
        """A furniture string from [text], with {placeholders} filled in."""
        return str(self.text[key]).format(**values)


@dataclass(frozen=True)
class _Archive:
    """An immutable snapshot of the site's content; replaced whole on reload."""

    config: SiteConfig
    pages: dict[int, Release]
    listing: tuple[Release, ...]
    faults: dict[str, Release]
    teaser_pool: tuple[Release, ...]
    newest: date
    listing_page_of: dict[int, int]

    @classmethod
    def build(cls, config: SiteConfig, articles: list[Release]) -> _Archive:
        pages: dict[int, Release] = {}
        for article in articles:
            if article.id in pages:
                raise ValueError(f"{ARTICLES_FILE}: article id {article.id} occurs twice")
            pages[article.id] = article

        originals = dict(pages)
        for entry in config.republished:
            new_id, original_id = int(entry["id"]), int(entry["original"])
            if original_id not in originals:
                raise ValueError(
                    f"{CONFIG_FILE}: republished {new_id} names original {original_id}, "
                    f"which is not in {ARTICLES_FILE}"
                )
            if new_id in pages:
                raise ValueError(f"{CONFIG_FILE}: republished id {new_id} is already taken")
            original = originals[original_id]
            pages[new_id] = Release(
                id=new_id,
                published=date.fromisoformat(entry["published"]),
                sender=original.sender,
                title=original.title,
                category=original.category,
                blocks=original.blocks,
                stadtteil=original.stadtteil,
            )

        faults: dict[str, Release] = {}
        for kind, entry in config.faults.items():
            fault_id = int(entry["id"])
            if fault_id in pages:
                raise ValueError(f"{CONFIG_FILE}: fault id {fault_id} ({kind}) is already taken")
            if kind in FAULTS_WITH_TEXT and not entry.get("blocks"):
                raise ValueError(f"{CONFIG_FILE}: fault {kind} needs blocks (its article text)")
            release = _release_from_json(entry)
            faults[kind] = replace(release, fault=kind)
            pages[fault_id] = faults[kind]

        listing = tuple(sorted(pages.values(), key=lambda r: (r.published, r.id), reverse=True))
        size = config.page_size
        pool = tuple(r for r in listing if r.fault is None and r.title)
        return cls(
            config=config,
            pages=pages,
            listing=listing,
            faults=faults,
            teaser_pool=pool[: config.variation["teaser_pool"]],
            newest=max((r.published for r in listing if r.is_good), default=date.today()),
            listing_page_of={r.id: i // size + 1 for i, r in enumerate(listing)},
        )

    @property
    def articles(self) -> tuple[Release, ...]:
        """The good article pages (see SampleSite.expected_articles), in listing order."""
        return tuple(release for release in self.listing if release.is_good)

    def page_count(self, entries: Sequence[Release] | None = None) -> int:
        total = len(self.listing if entries is None else entries)
        return max(1, math.ceil(total / self.config.page_size))


def _file_signature(path: Path) -> tuple[int, int, int]:
    stat = path.stat()
    return (stat.st_mtime_ns, stat.st_size, stat.st_ino)


@dataclass
class SampleSite:
    """The loaded sample archive: articles.jsonl + site.toml, re-read when either changes."""

    archive_dir: Path
    _archive: _Archive | None = field(default=None, init=False, repr=False)
    _signature: tuple[Any, ...] = field(default=(), init=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, init=False, repr=False)

    @classmethod
    def load(cls, archive_dir: Path) -> SampleSite:
        """Load ``archive_dir`` (raises FileNotFoundError / ValueError on a bad archive)."""
        site = cls(Path(archive_dir))
        site.snapshot(strict=True)
        return site

    # -- content ---------------------------------------------------------------------------

    def snapshot(self, strict: bool = True) -> _Archive:
        """The current content, re-read first if a file changed.

        With ``strict=False`` (used while serving) a file that fails to parse — e.g. caught
        half-written by a test — keeps the previous content and is retried on the next call.
        """
        with self._lock:
            config_path = self.archive_dir / CONFIG_FILE
            articles_path = self.archive_dir / ARTICLES_FILE
            try:
                signature = (_file_signature(config_path), _file_signature(articles_path))
                if signature != self._signature or self._archive is None:
                    self._archive = self._read(config_path, articles_path)
                    self._signature = signature
            except (OSError, ValueError, KeyError, TypeError) as error:
                if strict or self._archive is None:
                    raise
                print(f"sample_site: keeping previous content: {error}", file=sys.stderr)
            assert self._archive is not None
            return self._archive

    @staticmethod
    def _read(config_path: Path, articles_path: Path) -> _Archive:
        try:
            config = SiteConfig.from_toml(tomllib.loads(config_path.read_text("utf-8")))
        except (KeyError, tomllib.TOMLDecodeError) as error:
            raise ValueError(f"{config_path}: {error}") from error
        articles = []
        for number, line in enumerate(articles_path.read_text("utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                articles.append(_release_from_json(json.loads(line)))
            except (KeyError, ValueError, TypeError) as error:
                raise ValueError(f"{articles_path}:{number}: {error}") from error
        return _Archive.build(config, articles)

    @property
    def config(self) -> SiteConfig:
        """The current site.toml (e.g. ``config.republished``, ``config.faults``)."""
        return self.snapshot().config

    # -- public API used by tests and the CLI -----------------------------------------------

    def expected_articles(self) -> list[dict[str, Any]]:
        """Truth for every good article page the site serves, computed from the data files.

        Each item: ``id, title, published (YYYY-MM-DD), sender, category, body``; the body is
        the article text as read: blocks joined by a blank line, list items and table rows one
        per line, table cells joined by a space. Includes the republished copies and the good
        bad-pages (too_many_once after its retry, broken_html); sorted by id.
        """
        archive = self.snapshot()
        return [
            {
                "id": release.id,
                "title": release.title,
                "published": release.published.isoformat(),
                "sender": release.sender,
                "category": release.category,
                "body": release.body(),
            }
            for release in sorted(archive.pages.values(), key=lambda r: r.id)
            if release.is_good
        ]

    def fault_ids(self) -> dict[str, int]:
        """The id of every configured bad page, by kind (e.g. ``{"not_found": 46901, ...}``)."""
        return {kind: release.id for kind, release in self.snapshot().faults.items()}

    def listing_urls(self) -> list[str]:
        """Paths of all main listing pages, page 1 first (sender listings not included)."""
        return [listing_path(page) for page in range(1, self.snapshot().page_count() + 1)]

    def article_path(self, article_id: int) -> str:
        """The canonical path of an article: ``/presse/db/presse.php?view=<id>``."""
        return f"{ARTICLE_PATH}?view={article_id}"


TRUTH_FILE = "truth.jsonl"


def write_truth(archive_dir: Path) -> Path:
    """Write the labelled truth of every good article page to truth.jsonl beside the data.

    It is computed from articles.jsonl and site.toml (never by parsing pages), so parser
    output can be compared with it by anyone, without importing this module.
    """
    target = Path(archive_dir) / TRUTH_FILE
    lines = [json.dumps(a, ensure_ascii=False) for a in SampleSite.load(archive_dir).expected_articles()]
    target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


def listing_path(page: int, sender: str | None = None) -> str:
    if sender is None:
        return f"{LISTING_PATH}?seite={page}"
    return f"{LISTING_PATH}?quelle={quote(sender)}&seite={page}"


def slug_path(release: Release) -> str:
    return f"/presse/{slugify(release.title or 'meldung')}-{release.id:08d}.html"


def listing_href(release: Release) -> str:
    """The URL form a listing uses for an article: a fixed choice among the real site's forms."""
    padded = f"{release.id:08d}"
    choice = _pick(release.id, "url-form", 5)
    if choice == 0:
        return f"{ARTICLE_PATH}?view={release.id}"
    if choice == 1:
        return f"{ARTICLE_PATH}?view={padded}"
    if choice == 2 and release.stadtteil is not None:
        return f"{ARTICLE_PATH}?view={padded}&stadtteil={release.stadtteil}"
    if choice == 3:
        return f"{ARTICLE_PATH}?view={padded}&stadtteil=&kat="
    return slug_path(release)


# --------------------------------------------------------------------------------------------
# Article page rendering


@dataclass(frozen=True)
class _PageView:
    """Everything an article template needs, with all per-page choices already made."""

    release: Release
    config: SiteConfig
    template: str  # "old" | "summary" | "current"
    charset: str  # "iso-8859-1" | "windows-1252" | "utf-8"
    charset_in_header: bool
    visitors: int
    teasers: tuple[Release, ...]
    teasers_before: bool
    teasers_glued: bool
    archive_note: bool
    addresses: bool
    category_alt: bool
    listing_page: int

    @classmethod
    def make(cls, archive: _Archive, release: Release, visitors: int) -> _PageView:
        config, rid = archive.config, release.id
        year = release.published.year
        if year < config.summary_from:
            template, charset = "old", "iso-8859-1"
        elif year < config.current_from:
            template = "summary"
            charset = "windows-1252" if year <= config.windows1252_until else "utf-8"
        else:
            template, charset = "current", "utf-8"

        variation = config.variation
        placement = _pick(rid, "teaser-placement", 3)  # 0 none, 1 before, 2 after
        teasers: tuple[Release, ...] = ()
        pool = [r for r in archive.teaser_pool if r.id != rid]
        if placement and pool:
            span = variation["teaser_max"] - variation["teaser_min"] + 1
            count = min(len(pool), variation["teaser_min"] + _pick(rid, "teaser-count", span))
            start = _pick(rid, "teaser-start", len(pool))
            teasers = tuple(pool[(start + i) % len(pool)] for i in range(count))

        archived = release.published < _years_before(archive.newest, config.archive_after_years)
        return cls(
            release=release,
            config=config,
            template=template,
            charset=charset,
            charset_in_header=template != "old" or _pick(rid, "charset-header", 2) == 0,
            visitors=visitors,
            teasers=teasers,
            teasers_before=placement == 1,
            teasers_glued=_pick(rid, "teaser-glue", 2) == 0,
            archive_note=template != "old" and archived,
            addresses=template != "old" and _pick(rid, "addresses", 100) < variation["addresses_percent"],
            category_alt=_pick(rid, "category-alt", 100) < variation["category_alt_percent"],
            listing_page=archive.listing_page_of.get(rid, 1),
        )

    # -- shared pieces -------------------------------------------------------------------

    def t(self, key: str, **values: Any) -> str:
        return _esc(self.config.t(key, **values))

    def published_line(self) -> str:
        key = "published_line_old" if self.template == "old" else "published_line"
        return self.t(key, date=_de_date(self.release.published), sender=self.release.sender)

    def category_line(self) -> str | None:
        if not self.release.category:
            return None
        key = "category_line_alt" if self.category_alt else "category_line"
        return self.t(key, category=self.release.category)

    def visitors_line(self) -> str:
        return self.t("visitors_line", count=_de_int(self.visitors))

    def sender_href(self) -> str:
        return _esc(listing_path(1, self.release.sender))

    def browse_href(self) -> str:
        return _esc(listing_path(self.listing_page))

    def breadcrumb(self, separator: str) -> str:
        first, middle, last = _breadcrumb_parts(self.config)
        a, href = ("A", "HREF") if self.template == "old" else ("a", "href")
        return separator.join(
            [
                f'<{a} {href}="/">{first}</{a}>',
                f'<{a} {href}="{_esc(listing_path(1))}">{middle}</{a}>',
                last,
            ]
        )

    def teaser_items(self) -> Iterator[tuple[str, str]]:
        """(escaped "Headline (DD.MM.YYYY)", escaped slug href) for each teaser."""
        for teaser in self.teasers:
            label = f"{teaser.title} ({_de_date(teaser.published)})"
            yield _esc(label), _esc(slug_path(teaser))

    def title_tag(self) -> str:
        return _esc(f"{self.release.title or 'Pressemeldung'} - Leverkusen.com")


def _breadcrumb_parts(config: SiteConfig) -> tuple[str, str, str]:
    parts = [_esc(str(part)) for part in config.text["breadcrumb"]]
    if len(parts) != 3:
        raise ValueError(f"{CONFIG_FILE}: [text] breadcrumb needs exactly 3 parts")
    return parts[0], parts[1], parts[2]


def _blocks_html(blocks: Sequence[Block], template: str) -> str:
    """Body blocks as HTML in the template's style; all text escaped."""
    old = template == "old"
    out: list[str] = []
    for block in blocks:
        if block.type == "p":
            out.append(f"<P>{_esc(block.text)}</P>" if old else f"<p>{_esc(block.text)}</p>")
        elif block.type == "quote":
            if old:
                out.append(f"<P><I>{_esc(block.text)}</I></P>")
            elif template == "summary":
                out.append(f"<blockquote>{_esc(block.text)}</blockquote>")
            else:
                out.append(f"<blockquote><p>{_esc(block.text)}</p></blockquote>")
        elif block.type == "list":
            tag, item = ("UL", "LI") if old else ("ul", "li")
            items = "".join(f"<{item}>{_esc(text)}</{item}>" for text in block.items)
            out.append(f"<{tag}>{items}</{tag}>")
        elif block.type == "table":
            out.append(_table_html(block.rows, old))
    return "\n".join(out)


def _table_html(rows: Sequence[Sequence[str]], old: bool) -> str:
    if old:
        body = "".join(
            "<TR>" + "".join(f"<TD>{_esc(cell) or '&nbsp;'}</TD>" for cell in row) + "</TR>" for row in rows
        )
        return f'<TABLE BORDER="1" CELLPADDING="2" CELLSPACING="0">{body}</TABLE>'
    body = "".join("<tr>" + "".join(f"<td>{_esc(cell)}</td>" for cell in row) + "</tr>\n" for row in rows)
    return f'<table class="tabelle">\n{body}</table>'


def _render_old(view: _PageView) -> str:
    """2000–2007: table layout, upper-case tags, <FONT>, &nbsp;, ISO-8859-1."""
    release, config = view.release, view.config
    meta = (
        ""
        if view.charset_in_header
        else '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=iso-8859-1">\n'
    )
    rows: list[str] = [
        f'<TR><TD BGCOLOR="#003366"><FONT FACE="Arial,Helvetica" SIZE="5" COLOR="#FFFFFF">'
        f"<B>{_esc(config.t('site_name'))}</B></FONT></TD></TR>",
        f'<TR><TD><FONT FACE="Arial,Helvetica" SIZE="1">'
        f"{view.breadcrumb('&nbsp;&#8250;&nbsp;')}</FONT></TD></TR>",
        "<TR><TD>&nbsp;</TD></TR>",
    ]
    teaser_row = _old_teasers(view)
    if teaser_row and view.teasers_before:
        rows.append(teaser_row)

    content: list[str] = []
    if release.title:
        content.append(f'<B><FONT SIZE="+1">{_esc(release.title)}</FONT></B><BR>')
    content.append(
        f'<FONT SIZE="2" COLOR="#666666">{view.published_line().replace(" (", "&nbsp;(", 1)}</FONT>'
    )
    content.append(_blocks_html(release.blocks, "old"))
    rows.append(
        '<TR><TD VALIGN="TOP"><FONT FACE="Arial,Helvetica" SIZE="2">\n'
        + "\n".join(content)
        + "\n</FONT></TD></TR>"
    )
    if teaser_row and not view.teasers_before:
        rows.append(teaser_row)

    category = view.category_line()
    if category:
        rows.append(f'<TR><TD><FONT SIZE="1">{category}</FONT></TD></TR>')
    rows += [
        f'<TR><TD><FONT SIZE="1">{view.visitors_line()}</FONT></TD></TR>',
        f'<TR><TD><A HREF="{view.browse_href()}">{view.t("nav_browse")}</A></TD></TR>',
        f'<TR><TD><A HREF="{view.sender_href()}">{view.t("nav_sender", sender=release.sender)}</A></TD></TR>',
        f'<TR><TD><A HREF="{_esc(listing_path(1))}">{view.t("nav_more")}</A></TD></TR>',
        "<TR><TD>&nbsp;</TD></TR>",
        f'<TR><TD ALIGN="CENTER"><FONT SIZE="1">{view.t("footer")}</FONT></TD></TR>',
    ]
    return (
        '<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01 Transitional//EN">\n'
        f"<HTML>\n<HEAD>\n{meta}<TITLE>{view.title_tag()}</TITLE>\n</HEAD>\n"
        '<BODY BGCOLOR="#FFFFFF" TEXT="#000000" LINK="#003366">\n'
        '<TABLE WIDTH="760" BORDER="0" CELLPADDING="4" CELLSPACING="0">\n'
        + "\n".join(rows)
        + "\n</TABLE>\n</BODY>\n</HTML>\n"
    )


def _old_teasers(view: _PageView) -> str:
    if not view.teasers:
        return ""
    link = view.t("teaser_link")
    if view.teasers_glued:
        inner = "".join(f'{label}<BR><A HREF="{href}">{link}</A>' for label, href in view.teaser_items())
        return f'<TR><TD BGCOLOR="#EEEEEE"><FONT SIZE="1">{inner}</FONT></TD></TR>'
    cells = "".join(
        f'<TR><TD><FONT SIZE="1">{label}</FONT></TD></TR>'
        f'<TR><TD><FONT SIZE="1"><A HREF="{href}">{link}</A></FONT></TD></TR>'
        for label, href in view.teaser_items()
    )
    return f'<TR><TD BGCOLOR="#EEEEEE"><TABLE BORDER="0">{cells}</TABLE></TD></TR>'


def _modern_teasers(view: _PageView, tag: str) -> str:
    """Teaser sidebar for the summary (tag="div") and current (tag="aside") templates."""
    if not view.teasers:
        return ""
    link = view.t("teaser_link")
    if view.teasers_glued:
        inner = "".join(f'{label}<br><a href="{href}">{link}</a>' for label, href in view.teaser_items())
        return f'<{tag} class="teaser">{inner}</{tag}>'
    inner = "".join(
        f'<div class="teaser-titel">{label}</div>\n'
        f'<div class="teaser-link"><a href="{href}">{link}</a></div>\n'
        for label, href in view.teaser_items()
    )
    return f'<{tag} class="teaser">\n{inner}</{tag}>'


def _render_summary(view: _PageView) -> str:
    """2008–2013: XHTML div layout with a "Kurz zusammengefasst" box holding the first block."""
    release = view.release
    parts: list[str] = []
    teasers = _modern_teasers(view, "div")
    if teasers and view.teasers_before:
        parts.append(teasers)
    parts.append('<div class="artikel">')
    if release.title:
        parts.append(f"<h2>{_esc(release.title)}</h2>")
    if view.archive_note:
        parts.append(f'<div class="archiv">{view.t("archive_note", year=release.published.year)}</div>')
    parts.append(f'<div class="datum">{view.published_line()}</div>')
    first, rest = release.blocks[:1], release.blocks[1:]
    if first:
        parts.append(
            f'<div class="zusammenfassung"><div class="label">{view.t("summary_label")}</div>\n'
            f"{_blocks_html(first, 'summary')}</div>"
        )
    parts.append(f'<div class="text">\n{_blocks_html(rest, "summary")}\n</div>')
    parts.append("</div>")
    if teasers and not view.teasers_before:
        parts.append(teasers)
    if view.addresses:
        parts.append(f'<div class="anschriften">{view.t("addresses_line")}</div>')
    category = view.category_line()
    if category:
        parts.append(f'<div class="kategorie">{category}</div>')
    parts += [
        f'<div class="zaehler">{view.visitors_line()}</div>',
        '<div class="navi">',
        f'<div><a href="{view.browse_href()}">{view.t("nav_browse")}</a></div>',
        f'<div><a href="{view.sender_href()}">{view.t("nav_sender", sender=release.sender)}</a></div>',
        f'<div><a href="{_esc(listing_path(1))}">{view.t("nav_more")}</a></div>',
        "</div>",
    ]
    return (
        '<!DOCTYPE html PUBLIC "-//W3C//DTD XHTML 1.0 Transitional//EN" '
        '"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd">\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" xml:lang="de" lang="de">\n<head>\n'
        f'<meta http-equiv="Content-Type" content="text/html; charset={view.charset}" />\n'
        f"<title>{view.title_tag()}</title>\n"
        '<link rel="stylesheet" type="text/css" href="/css/portal.css" />\n</head>\n<body>\n'
        '<div id="wrapper">\n<div id="kopf">\n'
        f'<div class="logo">{view.t("site_name")}</div>\n'
        f'<div class="pfad">{view.breadcrumb(" &rsaquo; ")}</div>\n</div>\n'
        '<div id="inhalt">\n' + "\n".join(parts) + "\n</div>\n"
        f'<div id="fuss">{view.t("footer")}</div>\n</div>\n</body>\n</html>\n'
    )


def _render_current(view: _PageView) -> str:
    """2014–: HTML5 with header/nav/main/aside/footer, UTF-8."""
    release = view.release
    parts: list[str] = []
    teasers = _modern_teasers(view, "aside")
    if teasers and view.teasers_before:
        parts.append(teasers)
    parts.append('<article class="meldung">')
    if release.title:
        parts.append(f"<h1>{_esc(release.title)}</h1>")
    if view.archive_note:
        parts.append(f'<p class="archivhinweis">{view.t("archive_note", year=release.published.year)}</p>')
    parts.append(f'<p class="veroeffentlicht">{view.published_line()}</p>')
    parts.append(f'<div class="meldung-text">\n{_blocks_html(release.blocks, "current")}\n</div>')
    if teasers and not view.teasers_before:
        parts.append(teasers)
    if view.addresses:
        parts.append(f'<p class="anschriften">{view.t("addresses_line")}</p>')
    category = view.category_line()
    if category:
        parts.append(f'<p class="kategorie">{category}</p>')
    parts.append("</article>")
    parts += [
        f'<p class="besucher">{view.visitors_line()}</p>',
        '<nav class="meldungen-nav">',
        f'<p><a href="{view.browse_href()}">{view.t("nav_browse")}</a></p>',
        f'<p><a href="{view.sender_href()}">{view.t("nav_sender", sender=release.sender)}</a></p>',
        f'<p><a href="{_esc(listing_path(1))}">{view.t("nav_more")}</a></p>',
        "</nav>",
    ]
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{view.title_tag()}</title>\n</head>\n<body>\n"
        '<header class="kopf">\n'
        f'<p class="portal">{view.t("site_name")}</p>\n'
        f'<nav class="brotkrumen">{view.breadcrumb(" › ")}</nav>\n</header>\n'
        "<main>\n" + "\n".join(parts) + "\n</main>\n"
        f'<footer class="fuss"><p>{view.t("footer")}</p></footer>\n</body>\n</html>\n'
    )


_RENDERERS = {"old": _render_old, "summary": _render_summary, "current": _render_current}


def render_article(view: _PageView) -> str:
    """The article page as HTML text (not yet encoded)."""
    return _RENDERERS[view.template](view)


def break_html(page: str) -> str:
    """Damage a page's markup the way hand-edited CMS pages are damaged; its text stays readable.

    Drops closing </p> and </li> tags, opens an unclosed <b> and an unclosed <div>, adds stray
    </div> tags and cuts off the closing </body></html>.
    """
    page = page.replace("</p>", "").replace("</li>", "").replace("</P>", "")
    page = re.sub(r"(<h[12]>)", r'<div class="titelbox"><b>\1', page, count=1)
    page = page.replace("</h1>", "</h1></div></div>", 1).replace("</h2>", "</h2></div></div>", 1)
    page = page.replace("</main>", "</div></main>", 1)
    return re.sub(r"\s*</body>\s*</html>\s*$", "\n", page)


# --------------------------------------------------------------------------------------------
# Listing and small pages


def _furniture_page(config: SiteConfig, title: str, main: str) -> str:
    """A current-style HTML5 page (listings, error pages) around ``main`` (already HTML)."""
    first, middle, last = _breadcrumb_parts(config)
    crumbs = f'<a href="/">{first}</a> › <a href="{_esc(listing_path(1))}">{middle}</a> › {last}'
    return (
        '<!DOCTYPE html>\n<html lang="de">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{_esc(title)} - Leverkusen.com</title>\n</head>\n<body>\n"
        f'<header class="kopf">\n<p class="portal">{_esc(config.t("site_name"))}</p>\n'
        f'<nav class="brotkrumen">{crumbs}</nav>\n</header>\n'
        f"<main>\n{main}\n</main>\n"
        f'<footer class="fuss"><p>{_esc(config.t("footer"))}</p></footer>\n</body>\n</html>\n'
    )


def render_listing(archive: _Archive, page: int, sender: str | None = None) -> str | None:
    """Listing page ``page`` (all articles, or one sender's); None if the page does not exist."""
    config = archive.config
    entries = archive.listing if sender is None else [r for r in archive.listing if r.sender == sender]
    pages = archive.page_count(entries)
    if not 1 <= page <= pages or (sender is not None and not entries):
        return None
    chunk = entries[(page - 1) * config.page_size : page * config.page_size]

    def t(key: str, **values: Any) -> str:
        return _esc(config.t(key, **values))

    out = [f"<h1>{t('listing_heading')}</h1>"]
    if sender is not None:
        out.append(f'<p class="quelle">{t("listing_sender_heading", sender=sender)}</p>')
    if page == 1 and sender is None:
        out.append(f'<p class="intern"><a href="{_esc(INTERN_LISTING)}">{t("intern_link")}</a></p>')
    out.append('<div class="meldungen">')
    for release in chunk:
        headline = release.title or config.t("untitled")
        out.append('<div class="eintrag">')
        out.append(f'<div class="datum">{_de_date(release.published)}</div>')
        out.append(f'<div class="titel"><a href="{_esc(listing_href(release))}">{_esc(headline)}</a></div>')
        out.append(f'<div class="quelle">{t("listing_sender", sender=release.sender)}</div>')
        if release.updated:
            updated = t("listing_updated", date=_de_date(release.updated))
            out.append(f'<div class="aktualisiert">{updated}</div>')
        out.append("</div>")
    out.append("</div>")
    window = config.pagination_window
    shown = range(1, pages + 1) if window <= 0 else sorted(
        {1, pages, *range(max(1, page - window), min(pages, page + window) + 1)})
    numbers = " ".join(
        f'<a href="{_esc(listing_path(n, sender))}"{" class=aktiv" if n == page else ""}>{n}</a>'
        for n in shown
    )
    more = (
        f' <a href="{_esc(listing_path(page + 1, sender))}">{t("pagination_next")}</a>'
        if page < pages
        else ""
    )
    out.append(f'<nav class="seiten">{t("pagination_label")} {numbers}{more}</nav>')
    return _furniture_page(config, f"Pressearchiv Seite {page}", "\n".join(out))


def _huge_blocks(entry: dict[str, Any]) -> tuple[Block, ...]:
    template = str(entry.get("paragraph", "Absatz {n}."))
    target = int(entry.get("target_bytes", 5_000_000))
    blocks: list[Block] = []
    size = 0
    while size < target:
        text = template.format(n=len(blocks) + 1)
        blocks.append(Block("p", text=text))
        size += len(text.encode("utf-8")) + 8
    return tuple(blocks)


# --------------------------------------------------------------------------------------------
# HTTP


@dataclass
class _Response:
    status: int
    body: bytes = b""
    content_type: str | None = "text/html; charset=utf-8"
    headers: list[tuple[str, str]] = field(default_factory=list)
    #: Send only this many body bytes (the Content-Length header still says len(body)).
    send_bytes: int | None = None


class _ServerState:
    """Per-server mutable state: access log, visitor counters, the once-only 429s."""

    def __init__(self, site: SampleSite, fast: bool, access_log: Path | None) -> None:
        self.site = site
        self.fast = fast
        self.lock = threading.Lock()
        self.requests: list[dict[str, Any]] = []
        self._visitors: dict[int, int] = {}
        self._throttled_once: set[int] = set()
        self._log_file: TextIO | None = open(access_log, "a", encoding="utf-8") if access_log else None

    def record(self, entry: dict[str, Any]) -> None:
        with self.lock:
            self.requests.append(entry)
            if self._log_file is not None:
                self._log_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
                self._log_file.flush()

    def next_visitor(self, article_id: int) -> int:
        with self.lock:
            count = self._visitors.get(article_id, 120 + _pick(article_id, "visitors", 9000)) + 1
            self._visitors[article_id] = count
            return count

    def first_request(self, article_id: int) -> bool:
        """True exactly once per article id and server."""
        with self.lock:
            if article_id in self._throttled_once:
                return False
            self._throttled_once.add(article_id)
            return True

    def close(self) -> None:
        with self.lock:
            if self._log_file is not None:
                self._log_file.close()
                self._log_file = None

    # -- routing -------------------------------------------------------------------------

    def respond(self, target: str) -> _Response:
        archive = self.site.snapshot(strict=False)
        url = urlsplit(target)
        query = parse_qs(url.query, keep_blank_values=True)
        path = url.path
        if path == "/robots.txt":
            return _Response(200, ROBOTS_TXT.encode(), "text/plain; charset=utf-8")
        if path.startswith(INTERN_PREFIX):
            return _Response(200, b"intern", "text/plain; charset=utf-8")
        if path in ("/", "/index.html", "/presse/", "/presse/db/"):
            return self._home(archive)
        if path == LISTING_PATH:
            return self._listing(archive, query)
        if path == ARTICLE_PATH:
            view = query.get("view", [""])[0]
            return self._article(archive, int(view) if view.isdigit() else None)
        match = _SLUG_ARTICLE.match(path)
        if match:
            return self._article(archive, int(match.group(1)))
        return self._error(archive, 404)

    def _home(self, archive: _Archive) -> _Response:
        main = (
            f"<h1>{_esc(archive.config.t('listing_heading'))}</h1>\n"
            f'<p><a href="{_esc(listing_path(1))}">{_esc(archive.config.t("nav_more"))}</a></p>'
        )
        return _Response(200, _furniture_page(archive.config, "Startseite", main).encode())

    def _listing(self, archive: _Archive, query: dict[str, list[str]]) -> _Response:
        page_text = query.get("seite", ["1"])[0] or "1"
        sender = query.get("quelle", [""])[0] or None
        page = int(page_text) if page_text.isdigit() else 0
        rendered = render_listing(archive, page, sender)
        if rendered is None:
            return self._error(archive, 404)
        return _Response(200, rendered.encode("utf-8"))

    def _error(self, archive: _Archive, status: int, retry_after: int | None = None) -> _Response:
        titles = {
            404: ("Seite nicht gefunden", "Die angeforderte Meldung existiert nicht (mehr)."),
            429: ("Zu viele Anfragen", "Bitte versuchen Sie es später noch einmal."),
            500: ("Interner Serverfehler", "Die Seite kann zurzeit nicht angezeigt werden."),
        }
        title, message = titles[status]
        main = f"<h1>{status} {_esc(title)}</h1>\n<p>{_esc(message)}</p>"
        response = _Response(status, _furniture_page(archive.config, title, main).encode())
        if retry_after is not None:
            response.headers.append(("Retry-After", str(retry_after)))
        return response

    def _article(self, archive: _Archive, article_id: int | None) -> _Response:
        release = archive.pages.get(article_id) if article_id is not None else None
        if release is None:
            return self._error(archive, 404)
        config = archive.config
        retry_after = 1 if self.fast else config.retry_after
        match release.fault:
            case "not_found":
                return self._error(archive, 404)
            case "server_error":
                return self._error(archive, 500)
            case "too_many_always":
                return self._error(archive, 429, retry_after)
            case "too_many_once" if self.first_request(release.id):
                return self._error(archive, 429, retry_after)
            case "redirect_offsite":
                location = config.offsite_location.format(id=release.id)
                body = f'<html><body><a href="{_esc(location)}">Weiter</a></body></html>'
                return _Response(302, body.encode(), headers=[("Location", location)])
            case "empty":
                return _Response(200, b"")
            case "huge":
                entry = config.faults["huge"]
                release = replace(release, blocks=_huge_blocks(entry))

        view = _PageView.make(archive, release, self.next_visitor(release.id))
        page = render_article(view)
        if release.fault == "broken_html":
            page = break_html(page)
        body = page.encode(view.charset, errors="xmlcharrefreplace")
        content_type = "text/html" + (f"; charset={view.charset}" if view.charset_in_header else "")
        if release.fault == "wrong_charset":
            # A misconfigured server: it declares UTF-8 but sends windows-1252 bytes.
            body = page.encode("windows-1252", errors="xmlcharrefreplace")
            content_type = "text/html; charset=utf-8"
        response = _Response(200, body, content_type)
        if release.fault == "truncated":
            response.send_bytes = len(body) // 2
        return response


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    # Do not wait for idle keep-alive connections when the server is closed.
    block_on_close = False
    state: _ServerState


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    protocol_version = "HTTP/1.1"
    server_version = "Apache/2.4"
    timeout = 30  # seconds an idle keep-alive connection is kept

    def do_GET(self) -> None:
        self._serve(send_body=True)

    def do_HEAD(self) -> None:
        self._serve(send_body=False)

    def _serve(self, send_body: bool) -> None:
        self._started = (time.monotonic(), time.time())
        try:
            response = self.server.state.respond(self.path)
        except Exception:  # a fixture bug must answer 500, never hang the crawler
            traceback.print_exc()
            response = _Response(500, b"internal error", "text/plain; charset=utf-8")
        self.send_response(response.status)
        if response.content_type:
            self.send_header("Content-Type", response.content_type)
        for name, value in response.headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        if response.send_bytes is not None:
            self.send_header("Connection", "close")
            self.close_connection = True
        self.end_headers()
        if not send_body:
            return
        payload = response.body
        if response.send_bytes is not None:
            payload = payload[: response.send_bytes]
        try:
            self.wfile.write(payload)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def send_response(self, code: int, message: str | None = None) -> None:
        started = getattr(self, "_started", None) or (time.monotonic(), time.time())
        self._started = None
        self.server.state.record(
            {
                "t": started[0],
                "wall": started[1],
                "method": getattr(self, "command", None),
                "path": getattr(self, "path", None),
                "status": code,
            }
        )
        super().send_response(code, message)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: requests go to the access log, not to stderr."""


@dataclass
class ServerHandle:
    """A running sample site. Use as a context manager, or call stop()."""

    base_url: str
    requests: list[dict[str, Any]]
    site: SampleSite
    _server: _HTTPServer = field(repr=False)
    _thread: threading.Thread = field(repr=False)

    def url(self, path: str) -> str:
        """Absolute URL of a site path, e.g. ``handle.url(site.article_path(19631))``."""
        return self.base_url + path

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
            self._thread.join(timeout=5)
        self._server.server_close()
        self._server.state.close()

    def __enter__(self) -> ServerHandle:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(
    archive_dir: Path,
    host: str = "127.0.0.1",
    port: int = 0,
    fast: bool = False,
    access_log: Path | None = None,
) -> ServerHandle:
    """Serve ``archive_dir`` in a daemon thread; port 0 picks a free port.

    ``fast=True`` sends ``Retry-After: 1`` instead of the configured value. ``access_log``
    additionally appends every request as a JSON line to that file.
    """
    site = SampleSite.load(Path(archive_dir))
    server = _HTTPServer((host, port), _Handler)
    server.state = _ServerState(site, fast, Path(access_log) if access_log else None)
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.1},
        name=f"sample-site-{server.server_address[1]}",
        daemon=True,
    )
    thread.start()
    bound_host, bound_port = server.server_address[:2]
    return ServerHandle(
        base_url=f"http://{bound_host}:{bound_port}",
        requests=server.state.requests,
        site=site,
        _server=server,
        _thread=thread,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: serve the sample archive until interrupted."""
    parser = argparse.ArgumentParser(
        prog="python -m kommunalmonitor.pipeline.demo.sample_site",
        description="Serve the sample press archive (a local stand-in for leverkusen.com).",
        epilog="example: python -m kommunalmonitor.pipeline.demo.sample_site "
        "--archive data/sample-archive --port 8123 --fast",
    )
    parser.add_argument(
        "--archive",
        type=Path,
        default=Path("data/sample-archive"),
        help="folder with articles.jsonl and site.toml (default: %(default)s)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: %(default)s)")
    parser.add_argument("--port", type=int, default=8123, help="port, 0 = any free (default: %(default)s)")
    parser.add_argument("--fast", action="store_true", help="send Retry-After: 1 on 429 answers")
    parser.add_argument("--access-log", type=Path, help="append every request as JSON to this file")
    parser.add_argument("--write-truth", action="store_true",
                        help=f"write {TRUTH_FILE} (the labelled truth) into the archive and exit")
    args = parser.parse_args(argv)
    if args.write_truth:
        print(f"wrote {write_truth(args.archive)}")
        return 0
    try:
        handle = serve(args.archive, args.host, args.port, args.fast, args.access_log)
    except (OSError, ValueError) as error:
        print(f"error: cannot serve {args.archive}: {error}", file=sys.stderr)
        return 2
    site = handle.site
    print(
        f"Serving {len(site.expected_articles())} articles from {args.archive} at "
        f"{handle.base_url}{site.listing_urls()[0]} (Ctrl+C to stop)",
        flush=True,
    )
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        handle.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
