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
from collections import Counter, deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from .render import render_text
from .sources import Source
from .staging import StagedTail, read_raw_page
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


# -- learning from what a crawl kept ----------------------------------------------------------------

# A crawl learns from at most this many of its pages: recurrence needs a sample, not every page,
# and a full crawl must not spend minutes re-reading its raw pages.
LEARN_PER_RUN = 2_000


class LearntLines:
    """A source's learnt line counts (`$KOMO_HOME/furniture/<source>.json`), read once, added to page
    by page, written back atomically. An article counted before is not counted again, however often
    it is re-fetched; at most `limit` pages are added per session."""

    def __init__(self, path: Path, source: Source, rules: TextRules | None = None,
                 limit: int | None = LEARN_PER_RUN):
        self.path = path
        self.source = source
        self.rules = rules or general_rules()
        self.limit = limit
        self.added = 0
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            self.counted = set(payload.get("counted", []))
            self.lines = Counter({str(k): int(n) for k, n in payload.get("lines", {}).items()})
        except (OSError, ValueError, TypeError, AttributeError):
            self.counted, self.lines = set(), Counter()

    @property
    def full(self) -> bool:
        return self.limit is not None and self.added >= self.limit

    def wants(self, native_id: str) -> bool:
        return not self.full and native_id not in self.counted

    def add(self, native_id: str, text: str) -> bool:
        """Count one page's lines; False when it was not counted (limit reached, counted before, empty)."""
        if not self.wants(native_id) or not text:
            return False
        self.counted.add(native_id)
        self.lines.update(page_lines(text, self.rules, [self.source.layout.teaser_link_word]))
        self.added += 1
        if len(self.lines) > MAX_LINES_PER_HOST:
            self.lines = Counter({k: n for k, n in self.lines.items() if n >= 2})
        return True

    def save(self) -> dict:
        payload = {
            "version": FILE_VERSION,
            "source": self.source.name,
            "pages": len(self.counted),
            "updated": datetime.now(UTC).replace(microsecond=0).isoformat(),
            "lines": dict(sorted(self.lines.items(), key=lambda kv: (-kv[1], kv[0]))),
            "counted": sorted(self.counted),
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(f".{self.path.name}.{os.getpid()}.partial")
        partial.write_text(json.dumps(payload, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(partial, self.path)
        return {"pages": len(self.counted), "added": self.added, "lines": len(self.lines)}


def learn(path: Path, source: Source, pages: Iterable[tuple[str, str]], rules: TextRules | None = None,
          limit: int | None = LEARN_PER_RUN) -> dict:
    """Add pages (native id, rendered text) to a source's learnt line counts and save them."""
    learnt = LearntLines(path, source, rules, limit)
    for native_id, text in pages:
        if learnt.full:
            break
        learnt.add(native_id, text)
    return learnt.save()


def raw_page_text(home_root: Path, raw_ref: str, source: Source) -> str:
    """The rendered text of a page the crawl kept (raw/…html.gz)."""
    if not (home_root / raw_ref).resolve().is_relative_to((home_root / "raw").resolve()):
        raise OSError(f"kept page {raw_ref} is not under raw/")
    body = read_raw_page(home_root, raw_ref)
    try:
        html = body.decode("utf-8")
    except UnicodeDecodeError:
        html = body.decode("windows-1252", errors="replace")
    return render_text(html, source.content_css)


class StagingLearner:
    """Learns a crawl's furniture from the article pages it kept (items.jsonl → raw pages), while the
    crawl still runs: `step()` takes what was staged since the last step, `finish()` the rest and
    saves. The pages and their order are those of items.jsonl, so the result is the same as
    learning after the crawl."""

    def __init__(self, home_root: Path, source: Source, staging_dir: Path, pages_per_step: int = 100,
                 chunk_bytes: int = 4 << 20):
        self.home_root = home_root
        self.source = source
        # Only the single crawler's file: pages staged by Redis workers are not learnt from (yet).
        self.tail = StagedTail(staging_dir, "items", workers=False)
        self.pages_per_step = pages_per_step
        self.chunk_bytes = chunk_bytes
        self.waiting: deque[tuple[str, str]] = deque()  # (native id, raw ref) staged, not yet read
        self.learnt: LearntLines | None = None

    def step(self) -> int:
        """Take what was staged since the last step and read up to `pages_per_step` kept pages; how
        many records and pages that was (0: nothing left to do for now)."""
        if self.learnt is None:
            self.learnt = LearntLines(furniture_file(self.home_root, self.source.name), self.source)
        taken = 0
        if not self.learnt.full:
            for item in self.tail.new_records(self.chunk_bytes):
                taken += 1
                native_id, raw_ref = item.get("native_id"), item.get("raw_ref")
                if native_id is not None and raw_ref:
                    self.waiting.append((str(native_id), str(raw_ref)))
        read = 0
        while self.waiting and read < self.pages_per_step and not self.learnt.full:
            native_id, raw_ref = self.waiting.popleft()
            if not self.learnt.wants(native_id):
                continue
            try:
                text = raw_page_text(self.home_root, raw_ref, self.source)
            except OSError:
                continue
            self.learnt.add(native_id, text)
            read += 1
        return taken + read

    def finish(self) -> dict:
        """Learn from what is left and save the source's furniture file (none when nothing was staged)."""
        if not (self.tail.staging / "items.jsonl").exists():
            return {"pages": 0, "added": 0, "lines": 0}
        while self.step():
            pass
        assert self.learnt is not None
        return self.learnt.save()


def learn_from_staging(home_root: Path, source: Source, staging_dir: Path) -> dict:
    """After a crawl: count the lines of the article pages it kept (items.jsonl → raw pages)."""
    return StagingLearner(home_root, source, staging_dir).finish()
