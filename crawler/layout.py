"""A press page's rendered text → title, published, sender, category, body, furniture.

The one parser of page layout: the spider and `komo extract --input` both call it.
Rules come from the source file's [layout] table; nothing here knows a site's markup.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import date

from kommunalmonitor.core.text import strip_controls

from .render import render_text
from .sources import PageLayout

_SPACE = re.compile(r"\s+")


class LayoutError(ValueError):
    """The page does not show the expected press-release layout."""


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
        return asdict(self)


def normalize_space(text: str) -> str:
    return _SPACE.sub(" ", strip_controls(text)).strip()


def parse_html(html: str | bytes, layout: PageLayout, content_css: str = "") -> PressRelease:
    return parse_text(render_text(html, content_css), layout)


def parse_text(text: str, layout: PageLayout) -> PressRelease:
    """Split rendered page text into the article's fields; raises LayoutError if it is no article."""
    if not text or not text.strip():
        raise LayoutError("empty page")
    text = strip_controls(text)
    lines = [normalize_space(line) for line in text.splitlines()]
    teaser_lines, teasers = _teaser_lines(lines, layout.teaser_link_word)

    anchor, published, sender = _find_publication_line(lines, teaser_lines, layout)
    archive_year: int | None = None
    title: str | None = None
    for i in range(anchor - 1, -1, -1):
        line = lines[i]
        if not line:
            continue
        archive = layout.archive_line.match(line)
        if archive:
            archive_year = int(archive.group("year"))
            continue
        if i not in teaser_lines and not _matches_any(layout.furniture_lines, line):
            title = line
        break

    body_lines: list[str] = []
    tail_start = len(lines)
    for i in range(anchor + 1, len(lines)):
        line = lines[i]
        if i in teaser_lines or _is_footer(line, layout):
            tail_start = i
            break
        archive = layout.archive_line.match(line)
        if archive:
            archive_year = int(archive.group("year"))
            continue
        if _matches_any(layout.furniture_lines, line):
            continue
        body_lines.append(line)
    body = _join_paragraphs(body_lines)
    if not body:
        raise LayoutError("no article text after the publication line")

    category = None
    addresses: list[str] = []
    visitors = None
    for line in lines[tail_start:]:
        if category is None:
            for pattern in layout.category_lines:
                found = pattern.match(line)
                if found:
                    category = found.group("category").strip() or None
                    break
        if not addresses and (found := layout.addresses_line.match(line)):
            addresses = [a.strip() for a in found.group("addresses").split(",") if a.strip()]
        if visitors is None and (found := layout.visitors_line.match(line)):
            visitors = int(found.group("count").replace(".", ""))
    return PressRelease(
        title=title,
        published=published,
        sender=sender,
        category=category,
        body=body,
        archive_year=archive_year,
        footer_addresses=addresses,
        visitor_count=visitors,
        teasers=teasers,
    )


def _find_publication_line(
    lines: list[str], teaser_lines: set[int], layout: PageLayout
) -> tuple[int, str | None, str | None]:
    for i, line in enumerate(lines):
        if not line or i in teaser_lines:
            continue
        for pattern in layout.publication_lines:
            found = pattern.match(line)
            if found:
                return i, _german_date(found.group("date")), found.group("sender").strip()
    raise LayoutError("no publication line (date and Quelle) on the page")


def _german_date(text: str) -> str | None:
    """`18.09.2019` / `18.9.19` → `2019-09-18`; None if it is no calendar date."""
    parts = re.findall(r"\d+", text)
    if len(parts) != 3:
        return None
    day, month, year = (int(p) for p in parts)
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _teaser_lines(lines: list[str], word: str) -> tuple[set[int], list[str]]:
    """Indexes of sidebar-teaser lines and the teaser headlines they show.

    A teaser is a headline followed by its link word ("lesen"), on the next line or glued to
    it; the word may also be glued to the next teaser's headline ("lesenHeutiger Streik ...").
    A body sentence ending in "nachlesen." is no teaser: the word must stand alone.
    """
    marked: set[int] = set()
    headlines: list[str] = []
    glued = re.compile(rf"^{re.escape(word)}(?=[A-ZÄÖÜ0-9„\"'(])")
    trailing = re.compile(
        rf"^(?P<head>.*\S)\s+{re.escape(word)}$|^(?P<head2>.*\))\s*{re.escape(word)}$"
    )
    for i, line in enumerate(lines):
        if line == word or glued.match(line):
            marked.add(i)
            rest = line[len(word) :].strip()
            if rest:
                headlines.append(rest)
            previous = _previous_content_line(lines, i)
            if previous is not None and previous not in marked:
                marked.add(previous)
                headlines.append(lines[previous])
        elif (found := trailing.match(line)) and not line.endswith("."):
            marked.add(i)
            headlines.append(found.group("head") or found.group("head2"))
    return marked, headlines


def _previous_content_line(lines: list[str], i: int) -> int | None:
    for j in range(i - 1, -1, -1):
        if lines[j]:
            return j
    return None


def _is_footer(line: str, layout: PageLayout) -> bool:
    return bool(
        _matches_any(layout.category_lines, line)
        or layout.addresses_line.match(line)
        or layout.visitors_line.match(line)
        or _matches_any(layout.body_end_lines, line)
    )


def _matches_any(patterns: tuple[re.Pattern[str], ...], line: str) -> bool:
    return any(p.search(line) for p in patterns)


def _join_paragraphs(lines: list[str]) -> str:
    """Lines of one block joined by newline, blocks separated by a blank line."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)
