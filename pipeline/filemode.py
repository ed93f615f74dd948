"""`komo extract --input/--output`: pages → extracted fields, in the file contract of
docs/architecture.md.

Page layout is parsed by the crawler's one parser (crawler/layout.py), language by the nlp
pipeline. A page's URL chooses its source's layout (by host, mirrors included); any other page
takes the general path (crawler/structure.py, HTML through crawler/htmlpage.py). Before parsing,
the batch's lines are counted per host: a line on many pages of one host is furniture
(crawler/furniture.py), as are the lines a crawl learnt for the source ($KOMO_HOME/furniture/).
Bad input (empty, huge, binary) gives an empty result with a reason, never a crash.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import IO, Any, BinaryIO
from urllib.parse import urlsplit

from spacy.language import Language
from spacy.tokens import Doc

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.parallel import parallel_chunks
from kommunalmonitor.core.resources import user_data_dir
from kommunalmonitor.core.text import replace_surrogates, strip_controls
from kommunalmonitor.crawler.furniture import LineCounts, furniture_file, host_key, load_learnt, page_lines
from kommunalmonitor.crawler.htmlpage import read_html
from kommunalmonitor.crawler.layout import LayoutError, parse_page
from kommunalmonitor.crawler.render import render_text
from kommunalmonitor.crawler.sources import PageLayout, Source, source_for_url
from kommunalmonitor.crawler.structure import general_rules

from .nlp.loader import shared_pipeline
from .nlp.records import make_doc, mention_record

logger = logging.getLogger(__name__)

MAX_TEXT_CHARS = 1_000_000  # a press page is ~5-50 KB of text; more is not an article
# An input line above this is refused unread (no JSON parse, no HTML rendering): memory stays bounded.
MAX_LINE_BYTES = 4 * 1024 * 1024
# Lines in flight at once: a chunk ends at this many records or this many input bytes.
CHUNK_RECORDS = 500
CHUNK_BYTES = 32 * 1024 * 1024
_KEY_AT_START = re.compile(rb'^\s*\{\s*"key"\s*:\s*("(?:[^"\\]|\\.){0,200}"|-?\d{1,30})')


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


Furniture = dict[str, frozenset[str]]


def _group(url: str | None) -> tuple[str | None, Source | None]:
    """Whose pages a URL belongs to, for layout and recurrence: its source (by host), else its host."""
    source = source_for_url(url)
    return (source.name if source else host_key(url)), source


def _identity(record: dict[str, Any], source: Source | None) -> str | None:
    """One article under several URL forms or copies counts once."""
    url = record.get("url") if isinstance(record.get("url"), str) else None
    if source is not None and url:
        # Mirror hosts serve the same paths: read the id as if the URL were on the source's own host.
        on_base = urlsplit(url)._replace(netloc=urlsplit(source.base_url).netloc).geturl()
        if native := source.article_id(on_base):
            return f"{source.name}:{native}"
    if url:
        parts = urlsplit(url)
        return f"{host_key(url)}{parts.path}?{parts.query}"
    return None


def count_furniture(records: Iterable[dict[str, Any]], counts: LineCounts | None = None) -> LineCounts:
    """Count the lines of a batch's pages per host (or source) before any page is parsed."""
    rules = general_rules()
    counts = counts or LineCounts()
    for record in records:
        url = record.get("url") if isinstance(record.get("url"), str) else None
        group, source = _group(url)
        if group is None or record.get("_error"):
            continue
        text = record.get("text")
        if not isinstance(text, str):
            html = record.get("html")
            if not isinstance(html, str) or len(html) > MAX_LINE_BYTES:
                continue
            text = render_text(html, source.content_css if source else "")
        if not text or len(text) > MAX_TEXT_CHARS:
            continue
        words = [source.layout.teaser_link_word] if source else []
        counts.add(group, _identity(record, source), page_lines(text, rules, words))
    return counts


def batch_furniture(counts: LineCounts, home_root: Path | None = None) -> Furniture:
    """Furniture per group: what the batch shows, and what crawls of a source learnt (in
    `home_root`/furniture/, by default $KOMO_HOME's)."""
    rules = general_rules()
    found = dict(counts.all_furniture(rules))
    for group in counts.pages:
        learnt = _learnt(group, home_root or user_data_dir())
        if learnt:
            found[group] = found.get(group, frozenset()) | learnt
    return found


def _learnt(group: str, home_root: Path) -> frozenset[str]:
    path = furniture_file(home_root, group)
    return load_learnt(path) if path.is_file() else frozenset()


def read_page(record: dict[str, Any], layout: PageLayout | None = None,
              furniture: Furniture | None = None) -> Page:
    """Split a `{"key", "url", "text"|"html"}` record into layout fields and body. The layout is the
    one of the source serving the URL's host unless `layout` is given; without one, the general rules."""
    page = Page(key=record.get("key"), url=record.get("url") if isinstance(record.get("url"), str) else None)
    if record.get("_error"):
        page.error = record["_error"]
        return page
    raw, html = record.get("text"), record.get("html")
    for name, value in (("text", raw), ("html", html), ("url", record.get("url"))):
        if value is not None and not isinstance(value, str):
            page.error = f"'{name}' is not a string but {type(value).__name__}"
            return page
    group, source = _group(page.url)
    if layout is None and source is not None:
        layout = source.layout
    host_furniture = (furniture or {}).get(group or "", frozenset())
    general_html = False
    if raw is None and html is not None:
        if len(html) > MAX_LINE_BYTES:
            page.error = f"html too long ({len(html):,} characters > {MAX_LINE_BYTES:,}); not rendered"
            return page
        general_html = layout is None
        raw = render_text(html, source.content_css if source else "")
    if not raw or not raw.strip():
        page.error = "empty text"
        return page
    if len(raw) > MAX_TEXT_CHARS:
        page.error = f"text too long ({len(raw):,} characters > {MAX_TEXT_CHARS:,})"
        return page
    if _looks_binary(raw):
        page.error = "not text (control characters or replacement characters)"
        return page
    raw = strip_controls(raw)  # text from the web is inert: no ESC sequences in titles or bodies
    try:
        if general_html:
            release = read_html(strip_controls(html), page.url, furniture=host_furniture)
        else:
            release = parse_page(raw, layout, url=page.url, furniture=host_furniture)
    except LayoutError:
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
                    batch_size: int = 64, n_process: int = 1,
                    furniture: Furniture | None = None) -> Iterator[dict[str, Any]]:
    """Output records in input order; pages that cannot be read come back empty with `error`.
    `furniture` (lines per host or source) defaults to what these records themselves repeat.

    With n_process > 1 whole chunks go to worker processes that return plain output records:
    shipping spaCy Docs between processes costs more than extracting them."""
    records = list(records)
    if furniture is None:
        furniture = batch_furniture(count_furniture(records))
    if n_process > 1:
        yield from parallel_chunks(partial(_extract_chunk, furniture=furniture), records, n_process)
        return
    pages = [read_page(r, layout, furniture) for r in records]
    for page in pages:
        if page.error:
            logger.warning("skipped %s: %s", page.key, page.error)
    readable = [p for p in pages if not p.error]
    docs = iter(nlp.pipe((make_doc(nlp, p.body, p.published, p.title) for p in readable), batch_size=batch_size))
    for page in pages:
        yield output_record(page, None if page.error else next(docs))


def _extract_chunk(records: list[dict[str, Any]], furniture: Furniture) -> list[dict[str, Any]]:
    return list(extract_records(records, shared_pipeline(), furniture=furniture))


def read_jsonl(handle: BinaryIO) -> Iterator[tuple[dict[str, Any], int]]:
    """(record, bytes read) per non-empty input line. A line that cannot be a record — over the size
    cap (never read whole), not JSON, not an object — becomes a record with `_error` (and its key,
    when it can be seen at the line's start), so the output keeps one line per input line."""
    number = 0
    while True:
        line = handle.readline(MAX_LINE_BYTES + 1)
        if not line:
            return
        number += 1
        size = len(line)
        if size > MAX_LINE_BYTES and not line.endswith(b"\n"):
            while (rest := handle.readline(1 << 20)) and not rest.endswith(b"\n"):
                size += len(rest)
            size += len(rest)
            yield {"key": _key_at_start(line), "_error": f"line {number}: longer than the "
                   f"{MAX_LINE_BYTES // (1024 * 1024)} MB cap ({size:,} bytes); not read"}, size
            continue
        if not line.strip():
            continue
        yield _parse_line(line, number), size


def _parse_line(line: bytes, number: int) -> dict[str, Any]:
    try:
        text, encoding = line.decode("utf-8"), None
    except UnicodeDecodeError:
        # Not UTF-8: a legacy single-byte encoding; windows-1252 is a superset of latin-1's letters.
        text, encoding = line.decode("cp1252", errors="replace"), "cp1252"
    try:
        record = json.loads(text)
    except ValueError as problem:
        return {"key": _key_at_start(line), "_error": f"line {number}: not JSON ({problem})"}
    if not isinstance(record, dict):
        return {"key": None, "_error": f"line {number}: not a JSON object"}
    record, replaced = _without_surrogates(record)
    notes = []
    if encoding:
        notes.append(f"line {number} was not UTF-8; read as {encoding}")
    if replaced:
        notes.append(f"{replaced} lone surrogate(s) replaced by U+FFFD")
    if notes:
        record["_warning"] = "; ".join(notes)
    return record


def _key_at_start(line: bytes) -> Any:
    match = _KEY_AT_START.match(line[:512])
    if not match:
        return None
    try:
        return _without_surrogates(json.loads(match.group(1).decode("utf-8", errors="replace")))[0]
    except ValueError:
        return None


def _without_surrogates(value: Any) -> tuple[Any, int]:
    """`value` with every string's lone surrogates (from `\\udcff` escapes) replaced, and the count."""
    if isinstance(value, str):
        return replace_surrogates(value)
    if isinstance(value, list):
        cleaned = [_without_surrogates(item) for item in value]
        return [v for v, _ in cleaned], sum(n for _, n in cleaned)
    if isinstance(value, dict):
        cleaned = {_without_surrogates(k)[0]: _without_surrogates(v) for k, v in value.items()}
        return {k: v for k, (v, _) in cleaned.items()}, sum(n for _, n in cleaned.values())
    return value, 0


def extract_file(input_path: Path, output_path: Path, nlp: Language, n_process: int = 1,
                 home_root: Path | None = None) -> dict[str, int]:
    """File-to-file extraction in bounded chunks (memory stays flat however long the file is). The
    input is read twice: first its lines are counted per host (recurring lines are furniture), then
    it is extracted. The output appears only when complete: it is written beside its target and
    renamed into place."""
    if (output_path.exists() and output_path.samefile(input_path)) or output_path.resolve() == input_path.resolve():
        raise KomoError(f"--output {output_path} is the input file; write the results elsewhere")
    counts = {"documents": 0, "skipped": 0, "warnings": 0}
    with open(input_path, "rb") as source:
        lines = LineCounts()
        for record, _ in read_jsonl(source):
            count_furniture([record], lines)
        furniture = batch_furniture(lines, home_root)
        del lines
    partial_path = output_path.with_name(f".{output_path.name}.{os.getpid()}.partial")
    try:
        with open(input_path, "rb") as source, open(partial_path, "w", encoding="utf-8") as target:
            batch: list[dict[str, Any]] = []
            in_flight = 0
            for record, size in read_jsonl(source):
                batch.append(record)
                in_flight += size
                if len(batch) >= CHUNK_RECORDS or in_flight >= CHUNK_BYTES:
                    _write(batch, nlp, target, counts, n_process, furniture)
                    batch, in_flight = [], 0
            if batch:
                _write(batch, nlp, target, counts, n_process, furniture)
        os.replace(partial_path, output_path)
    finally:
        partial_path.unlink(missing_ok=True)
    return counts


def _write(batch: list[dict[str, Any]], nlp: Language, target: IO[str], counts: dict[str, int],
           n_process: int, furniture: Furniture) -> None:
    results = extract_records(batch, nlp, n_process=n_process, furniture=furniture)
    for record, result in zip(batch, results, strict=True):
        if record.get("_warning"):
            result["warning"] = record["_warning"]
            counts["warnings"] += 1
        counts["documents"] += 1
        counts["skipped"] += 1 if result.get("error") else 0
        target.write(json.dumps(result, ensure_ascii=False) + "\n")
