"""`komo extract --input/--output`: pages → extracted fields, in the file contract of
docs/architecture.md.

Page layout is parsed by the crawler's one parser (crawler/layout.py), language by the nlp
pipeline. Bad input (empty, huge, binary) gives an empty result with a reason, never a crash.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import IO, Any

from spacy.language import Language
from spacy.tokens import Doc

from kommunalmonitor.core.parallel import parallel_chunks
from kommunalmonitor.crawler.layout import LayoutError, parse_text
from kommunalmonitor.crawler.render import render_text
from kommunalmonitor.crawler.sources import PageLayout, Source, source_path

from .nlp.loader import shared_pipeline
from .nlp.records import make_doc, mention_record

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1_000_000  # a press page is ~5-50 KB of text; more is not an article


@dataclass
class Page:
    """One input record, its layout fields, and the body the nlp pipeline reads."""

    key: Any
    url: str | None
    title: str | None = None
    published: str | None = None
    sender: str | None = None
    category: str | None = None
    body: str = ""
    error: str | None = None


@lru_cache(maxsize=1)
def default_layout() -> PageLayout:
    return Source.load(source_path("leverkusen-com")).layout


def read_page(record: dict[str, Any], layout: PageLayout) -> Page:
    """Split a `{"key", "url", "text"|"html"}` record into layout fields and body."""
    page = Page(key=record.get("key"), url=record.get("url"))
    raw = record.get("text")
    if raw is None and record.get("html") is not None:
        raw = render_text(record["html"])
    if not isinstance(raw, str) or not raw.strip():
        page.error = "empty text"
        return page
    if len(raw) > MAX_TEXT_CHARS:
        page.error = f"text too long ({len(raw):,} characters > {MAX_TEXT_CHARS:,})"
        return page
    if _looks_binary(raw):
        page.error = "not text (control characters or replacement characters)"
        return page
    try:
        release = parse_text(raw, layout)
    except LayoutError:
        # Not a press page (council minutes, a speech): the whole text is the body.
        page.body = raw.strip()
        return page
    page.title, page.published, page.sender = release.title, release.published, release.sender
    page.category, page.body = release.category, release.body
    return page


def _looks_binary(text: str) -> bool:
    sample = text[:20_000]
    bad = sum(1 for ch in sample if (ord(ch) < 32 and ch not in "\n\r\t\f") or ch == "\ufffd")
    return bad > max(5, len(sample) // 50)


def output_record(page: Page, doc: Doc | None) -> dict[str, Any]:
    """The JSON object of the file contract for one page."""
    record: dict[str, Any] = {
        "key": page.key, "title": page.title, "published": page.published, "sender": page.sender,
        "category": page.category, "body": page.body,
        "dates": [], "bodies": [], "addresses": [], "districts": [], "persons": [],
        "action_fields": [], "integration": False, "topics": [],
    }
    if page.error:
        record["error"] = page.error
    if doc is not None:
        record.update(mention_record(doc))
    return record


def extract_records(records: Iterable[dict[str, Any]], nlp: Language, layout: PageLayout | None = None,
                    batch_size: int = 64, n_process: int = 1) -> Iterator[dict[str, Any]]:
    """Output records in input order; pages that cannot be read come back empty with `error`.

    With n_process > 1 whole chunks go to worker processes that return plain output records:
    shipping spaCy Docs between processes costs more than extracting them."""
    if n_process > 1:
        yield from parallel_chunks(_extract_chunk, list(records), n_process)
        return
    layout = layout or default_layout()
    pages = [read_page(r, layout) for r in records]
    for page in pages:
        if page.error:
            logger.warning("skipped %s: %s", page.key, page.error)
    readable = [p for p in pages if not p.error]
    docs = iter(nlp.pipe((make_doc(nlp, p.body, p.published) for p in readable), batch_size=batch_size))
    for page in pages:
        yield output_record(page, None if page.error else next(docs))


def _extract_chunk(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return list(extract_records(records, shared_pipeline()))


def read_jsonl(handle: IO[str]) -> Iterator[dict[str, Any]]:
    """Input lines as records; a line that is not JSON becomes a record with an error."""
    for number, line in enumerate(handle, 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            if not isinstance(record, dict):
                raise ValueError("not a JSON object")
        except ValueError as problem:
            record = {"key": None, "text": "", "_error": f"line {number}: {problem}"}
        yield record


def extract_file(input_path: Path, output_path: Path, nlp: Language, n_process: int = 1,
                 chunk: int = 2000) -> dict[str, int]:
    """File-to-file extraction in chunks, so memory stays flat however long the file is."""
    counts = {"documents": 0, "skipped": 0}
    with open(input_path, encoding="utf-8", errors="replace") as source, \
            open(output_path, "w", encoding="utf-8") as target:
        batch: list[dict[str, Any]] = []
        for record in read_jsonl(source):
            batch.append(record)
            if len(batch) >= chunk:
                _write(batch, nlp, target, counts, n_process)
                batch = []
        if batch:
            _write(batch, nlp, target, counts, n_process)
    return counts


def _write(batch: list[dict[str, Any]], nlp: Language, target: IO[str], counts: dict[str, int],
           n_process: int) -> None:
    for record, result in zip(batch, extract_records(batch, nlp, n_process=n_process), strict=True):
        if record.get("_error"):
            result["error"] = record["_error"]
        counts["documents"] += 1
        counts["skipped"] += 1 if result.get("error") else 0
        target.write(json.dumps(result, ensure_ascii=False) + "\n")
