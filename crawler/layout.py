"""A page's rendered text → title, published, sender, category, body, furniture.

The one parser of page layout: the spider and `komo extract --input` both call it. A source's own
rules (its file's [layout] table: the publication line is the anchor) come first; the general
structural rules of crawler/structure.py catch what they miss, and read pages of sites that have
no source file at all. Nothing here knows a site's markup.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field

from kommunalmonitor.core.text import strip_controls

from .render import render_text
from .sources import PageLayout
from .structure import (
    Fields,
    StructuredPage,
    TextRules,
    general_rules,
    headline_shape,
    is_prose,
    matches_any,
    normalize_space,
    parse_date,
    split_lines,
)

__all__ = ["LayoutError", "LayoutMatch", "PressRelease", "normalize_space", "parse_html", "parse_page", "parse_text"]


class LayoutError(ValueError):
    """The page does not show the expected press-release layout."""


@dataclass(frozen=True)
class LayoutMatch:
    """Which of the source's OWN layout rules matched on a page (for a layout alarm): its
    publication line, its headline position (the line before that line), its footer lines."""

    anchor: bool = False
    headline: bool = False
    body_end: bool = False


@dataclass
class PressRelease:
    """What a detail page says about its article, furniture kept apart from the body."""

    title: str | None
    published: str | None
    sender: str | None
    category: str | None
    body: str
    archive_year: int | None = None
    footer_addresses: list[str] = field(default_factory=list)
    visitor_count: int | None = None
    teasers: list[str] = field(default_factory=list)
    # Not stored: which source rules matched, and what kind of page the general rules saw.
    matched: LayoutMatch = field(default_factory=LayoutMatch)
    kind: str = "article"

    def content_hash(self) -> str:
        """Hash of the parsed fields only: visitor counts and teasers change on every visit."""
        payload = [
            self.title,
            self.published,
            self.sender,
            self.category,
            normalize_space(self.body),
        ]
        return hashlib.sha256(json.dumps(payload, ensure_ascii=False).encode()).hexdigest()

    def to_dict(self) -> dict:
        record = asdict(self)
        del record["matched"], record["kind"]
        return record


def parse_html(html: str | bytes, layout: PageLayout, content_css: str = "") -> PressRelease:
    return parse_text(render_text(html, content_css), layout)


def parse_text(text: str, layout: PageLayout, *, rules: TextRules | None = None) -> PressRelease:
    """A source's detail page → its fields; raises LayoutError unless the source's publication line
    is on the page (the crawl stores only pages that show the source's own layout)."""
    return _parse(text, layout, rules=rules, strict=True)


def parse_page(text: str, layout: PageLayout | None = None, *, url: str | None = None,
               furniture: frozenset[str] = frozenset(), hints: Sequence[Sequence[str]] = (),
               headings: Sequence[str] = (), rules: TextRules | None = None) -> PressRelease:
    """Any page → its fields: the source's layout first when there is one, else the general rules.
    `furniture` are lines known to recur on the host's pages, `hints` word lists naming the
    headline (an HTML title), `headings` the page's <h1> texts. Raises LayoutError only when empty."""
    return _parse(text, layout, url=url, furniture=furniture, hints=hints, headings=headings, rules=rules)


def _parse(text: str, layout: PageLayout | None, *, url: str | None = None,
           furniture: frozenset[str] = frozenset(), hints: Sequence[Sequence[str]] = (),
           headings: Sequence[str] = (), rules: TextRules | None = None, strict: bool = False) -> PressRelease:
    if not text or not text.strip():
        raise LayoutError("empty page")
    rules = rules or general_rules()
    link_words = ([layout.teaser_link_word] if layout else []) + list(rules.link_words)
    lines = split_lines(strip_controls(text), link_words)
    page = StructuredPage(
        lines, rules, url=url, furniture=furniture, hints=hints, headings=headings, link_words=link_words,
        extra_furniture=layout.furniture_lines if layout else (),
        extra_body_end=_footer_patterns(layout) if layout else (),
    )
    if layout is not None:
        anchor = _source_anchor(page, layout.publication_lines)
        if anchor is not None:
            return _read_anchored(page, layout, *anchor)
        closing = _source_anchor(page, layout.closing_publication_lines)
        if closing is not None:
            release = _release(page.read_general(closing=closing), page, layout)
            release.matched = LayoutMatch(anchor=True, headline=False, body_end=release.matched.body_end)
            return release
    if strict:
        raise LayoutError("no publication line (date and Quelle) on the page")
    if page.is_council():
        return _release(page.read_council(), page, layout)
    closing = _source_anchor(page, rules.closing_publication_lines)
    return _release(page.read_general(closing=closing), page, layout)


def _footer_patterns(layout: PageLayout) -> tuple[re.Pattern[str], ...]:
    return (*layout.category_lines, layout.addresses_line, layout.visitors_line, *layout.body_end_lines)


Anchor = tuple[int, str | None, str | None]  # line, date, sender


def _source_anchor(page: StructuredPage, patterns: Sequence[re.Pattern[str]]) -> Anchor | None:
    for i, line in enumerate(page.lines):
        if line.kind in ("blank", "teaser", "link"):
            continue
        for pattern in patterns:
            found = pattern.match(line.text)
            if found:
                groups = found.groupdict()
                sender = (groups.get("sender") or "").strip() or None
                return i, parse_date(groups["date"]) if groups.get("date") else None, sender
    return None


def _read_anchored(page: StructuredPage, layout: PageLayout, anchor: int, published: str | None,
                   sender: str | None) -> PressRelease:
    """A page showing the source's publication line: headline above it, body below it."""
    lines = page.lines
    archive_year: int | None = None
    title_index: int | None = None
    from_source = False
    before = None
    for i in range(anchor - 1, -1, -1):
        if lines[i].kind == "blank":
            continue
        archive = layout.archive_line.match(lines[i].text)
        if archive:
            archive_year = int(archive.group("year"))
            continue
        before = i
        break
    look_after = False
    if before is not None:
        line = lines[before]
        own_furniture = matches_any(layout.furniture_lines, line.text)
        shape = headline_shape(line.text) if line.kind in ("", "repeat") else None
        if shape == "strong":
            # A headline-like line above it is the headline, the line just above the anchor its subtitle.
            title_index = before
            k = page.previous_content(before)
            while k is not None and lines[k].kind == "" and headline_shape(lines[k].text) == "strong" \
                    and not layout.archive_line.match(lines[k].text) and not page.date_of(lines[k].text):
                title_index = k
                k = page.previous_content(k)
            from_source = True
        elif line.kind in ("", "repeat"):
            title_index, from_source = before, True  # whatever stands there, as the source says
            look_after = shape == "weak" or shape is None
        elif line.kind == "furniture" and line.text in page.known_furniture and headline_shape(line.text) == "strong" \
                and not own_furniture and not matches_any(page.rules.furniture_lines, line.text):
            # Other pages show this article's headline as a teaser; above the anchor it is the headline.
            title_index, from_source = before, True
        else:
            look_after = line.kind == "furniture" and not own_furniture
    start = anchor + 1
    if look_after:
        # Old layouts put the date line first and the headline after furniture below it.
        k = page.next_content(anchor)
        while k is not None and lines[k].kind not in ("",):
            k = page.next_content(k)
        nxt = page.next_content(k) if k is not None else None
        if k is not None and headline_shape(lines[k].text) == "strong" and nxt is not None \
                and is_prose(lines[nxt].text):
            title_index, from_source, start = k, False, k + 1
    title = lines[title_index].text if title_index is not None else None

    body: list[str] = []
    tail_start = len(lines)
    seen_prose = False
    used: set[int] = set()
    for i in range(start, len(lines)):
        line = lines[i]
        text = line.text
        if line.kind == "blank":
            body.append("")
            continue
        if i in used:
            continue
        if line.kind in ("teaser", "link") or _is_footer(text, layout):
            tail_start = i
            break
        archive = layout.archive_line.match(text)
        if archive:
            archive_year = int(archive.group("year"))
            continue
        if line.kind not in ("", "label"):
            continue
        if matches_any(page.rules.tool_block_lines, text):
            used.update(page._tool_block(i, len(lines)))
            continue
        if seen_prose and (matches_any(page.rules.body_end_lines, text) or (
                title and title in text and text != title and not is_prose(text))):
            tail_start = i
            break
        if matches_any(page.rules.closing_publication_lines, text):
            tail_start = i
            break
        cut = page.credit_cut(text)
        if not cut:
            continue
        body.append(cut)
        seen_prose = seen_prose or is_prose(cut)
    while body and not body[-1]:
        body.pop()
    text_body = "\n\n".join(_blocks(body))
    if not text_body:
        raise LayoutError("no article text after the publication line")
    release = PressRelease(title=title, published=published, sender=sender, category=None, body=text_body,
                           archive_year=archive_year, teasers=list(page.teasers))
    body_end = _read_footer(release, [lines[i].text for i in range(tail_start, len(lines))], layout)
    release.matched = LayoutMatch(anchor=True, headline=from_source and title is not None, body_end=body_end)
    return release


def _blocks(lines: list[str]) -> list[str]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line:
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    return ["\n".join(b) for b in blocks if b]


def _release(fields: Fields, page: StructuredPage, layout: PageLayout | None) -> PressRelease:
    release = PressRelease(title=fields.title, published=fields.published, sender=fields.sender,
                           category=fields.category, body=fields.body, teasers=list(fields.teasers),
                           kind=fields.kind)
    texts = [line.text for line in page.lines]
    body_end = False
    if layout is not None:
        body_end = _read_footer(release, texts, layout)
        for text in texts:
            if archive := layout.archive_line.match(text):
                release.archive_year = int(archive.group("year"))
                break
    if release.category is None:
        for text in texts:
            found = re.match(r"^Kategorie\s*:\s*(?P<category>\S.{0,60})$", text)
            if found:
                release.category = found.group("category").strip()
                break
    release.matched = LayoutMatch(anchor=False, headline=False, body_end=body_end)
    return release


def _read_footer(release: PressRelease, texts: list[str], layout: PageLayout) -> bool:
    """Category, footer addresses and visitor count from the lines after the body; True if any of
    the source's footer lines was there."""
    matched = False
    for text in texts:
        if release.category is None:
            for pattern in layout.category_lines:
                found = pattern.match(text)
                if found:
                    release.category = found.group("category").strip() or None
                    matched = True
                    break
        if not release.footer_addresses and (found := layout.addresses_line.match(text)):
            release.footer_addresses = [a.strip() for a in found.group("addresses").split(",") if a.strip()]
            matched = True
        if release.visitor_count is None and (found := layout.visitors_line.match(text)):
            release.visitor_count = int(found.group("count").replace(".", ""))
            matched = True
        if any(p.search(text) for p in layout.body_end_lines):
            matched = True
    return matched


def _is_footer(line: str, layout: PageLayout) -> bool:
    return bool(
        matches_any(layout.category_lines, line)
        or layout.addresses_line.match(line)
        or layout.visitors_line.match(line)
        or matches_any(layout.body_end_lines, line)
    )
