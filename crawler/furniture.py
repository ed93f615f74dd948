"""Furniture by recurrence: lines that stand on many pages of one host are not articles' text.

Site names, slogans, menus, boilerplate paragraphs and teasers of the week's top stories repeat
across a host's pages, while an article's own lines do not. Counted within a batch of pages
(`komo extract --input` counts its input per host before parsing) and learnt from the pages a
crawl kept (`$KOMO_HOME/furniture/<source>.json`, written by `komo furniture`). Pages that are
one article under several URLs or copies count once, so an article never makes itself furniture.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .structure import TextRules, date_line, general_rules, matches_any, split_lines

# Beyond this many distinct lines per host, lines seen once are forgotten (memory stays bounded).
MAX_LINES_PER_HOST = 200_000
MAX_LINE_CHARS = 1_500
FILE_VERSION = 1


def host_key(url: str | None) -> str | None:
    """The host a page belongs to for counting: lower case, without `www.`."""
    if not url:
        return None
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return (host[4:] if host.startswith("www.") else host) or None


def page_lines(text: str, rules: TextRules, link_words: Iterable[str] = ()) -> set[str]:
    """The distinct countable lines of a page (no blanks, dates or publication lines)."""
    words = list(link_words) + list(rules.link_words)
    out = set()
    for line in split_lines(text, words):
        t = line.text
        if not t or len(t) > MAX_LINE_CHARS or t in words:
            continue
        if date_line(t) or matches_any(rules.publication_lines, t) or matches_any(rules.closing_publication_lines, t):
            continue
        out.add(t)
    return out


@dataclass
class LineCounts:
    """Pages and line counts per group (a source's name, or a host)."""

    pages: Counter[str] = field(default_factory=Counter)
    lines: dict[str, Counter[str]] = field(default_factory=dict)
    _seen: dict[str, set[str]] = field(default_factory=dict)

    def add(self, group: str, identity: str | None, lines: set[str]) -> None:
        """Count one page's lines, unless a page of the same identity or the same text was counted."""
        text_key = hashlib.sha1("\n".join(sorted(lines)).encode()).hexdigest()
        seen = self._seen.setdefault(group, set())
        if (identity is not None and identity in seen) or text_key in seen:
            return
        seen.update(k for k in (identity, text_key) if k is not None)
        self.pages[group] += 1
        counter = self.lines.setdefault(group, Counter())
        counter.update(lines)
        if len(counter) > MAX_LINES_PER_HOST:
            for line in [k for k, n in counter.items() if n < 2]:
                del counter[line]

    def furniture(self, group: str, rules: TextRules) -> frozenset[str]:
        pages = self.pages.get(group, 0)
        counter = self.lines.get(group)
        if not counter or pages < rules.min_pages:
            return frozenset()
        need = max(rules.min_pages, rules.min_share * pages)
        return frozenset(line for line, n in counter.items() if n >= need)

    def all_furniture(self, rules: TextRules) -> dict[str, frozenset[str]]:
        return {group: f for group in self.pages if (f := self.furniture(group, rules))}


# -- learnt from crawls -----------------------------------------------------------------------------


def furniture_file(home_root: Path, source: str) -> Path:
    return home_root / "furniture" / f"{source}.json"


def save_learnt(path: Path, source: str, counts: LineCounts, group: str, keep_min: int = 2) -> dict:
    """Write a source's line counts (lines seen on at least `keep_min` pages), atomically."""
    counter = counts.lines.get(group, Counter())
    payload = {
        "version": FILE_VERSION,
        "source": source,
        "pages": counts.pages.get(group, 0),
        "updated": datetime.now(UTC).replace(microsecond=0).isoformat(),
        "lines": dict(sorted(((k, n) for k, n in counter.items() if n >= keep_min), key=lambda kv: (-kv[1], kv[0]))),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    partial.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
    os.replace(partial, path)
    return payload


def load_learnt(path: Path, rules: TextRules | None = None) -> frozenset[str]:
    """The furniture lines a crawl learnt for a source (thresholds of the general rules); a missing
    or unreadable file gives none."""
    rules = rules or general_rules()
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
        pages = int(payload.get("pages", 0))
        lines = payload.get("lines", {})
    except (OSError, ValueError, TypeError, AttributeError):
        return frozenset()
    if pages < rules.min_pages or not isinstance(lines, dict):
        return frozenset()
    need = max(rules.min_pages, rules.min_share * pages)
    return frozenset(str(k) for k, n in lines.items() if isinstance(n, int) and n >= need)
