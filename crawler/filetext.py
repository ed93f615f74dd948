"""A downloaded council file → its text, page by page: PDFs through crawler/pdftext.py (scanned
pages OCR'd), plain-text and HTML attachments as one page each; any other type is recorded as
unsupported, never guessed at.

`read_kept_file` is what the files step (pipeline/files.py) runs in its worker processes: it
takes plain data (where the kept copy lies, the types the server named, the limits) and returns
a plain `FileText`, whatever the bytes hold — a bad file is an outcome with a reason, never an
exception. Imports: the standard library and the crawler's own modules.
"""

from __future__ import annotations

import gzip
import re
import time
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from kommunalmonitor.core.text import strip_controls

from .pdftext import EXTRACTOR_VERSION, PdfError, PdfLimits, extract_pdf, tesseract_available

# Bump when this module changes what some file's text is (type detection, text/HTML reading,
# the character cap's cut). Stored with every file beside pdftext's own version, so either
# change re-reads every file once.
VERSION = "filetext-1"
READER_VERSION = f"{EXTRACTOR_VERSION}+{VERSION}"

PAGE_BREAK = "\f"  # between pages in a document's body: page k is body.split("\f")[k - 1]

STATUSES = ("ok", "failed", "unsupported")
# Failures besides pdftext's own (not_pdf, too_large, truncated, corrupt, encrypted, timeout):
# the kept copy is gone (missing) or not ours to read (unreadable), or the reader process died
# on the file (crashed: set by the step, which sees the worker go).
EXTRA_REASONS = ("missing", "unreadable", "crashed")

_PDF_TYPES = {"application/pdf", "application/x-pdf", "application/acrobat", "applications/vnd.pdf", "text/pdf"}
_TEXT_TYPES = {"text/plain", "text/csv"}
_HTML_TYPES = {"text/html", "application/xhtml+xml"}
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


@dataclass(frozen=True)
class FileLimits:
    """Limits per file: pdftext's (bytes, pages, seconds, OCR) plus a cap on the characters kept.

    `max_chars` keeps a document within what the nlp step reads in one piece (spaCy's default
    `max_length` is 1,000,000 characters); pages past it are left out and the file is marked
    truncated, as pages over `pdf.max_pages` are."""

    pdf: PdfLimits = field(default_factory=PdfLimits)
    max_chars: int = 1_000_000

    def fingerprint(self) -> str:
        """The limits that decide a file's outcome, as stored with it: a file that hit one of
        them is read again when they change."""
        p = self.pdf
        return (f"bytes={p.max_bytes} pages={p.max_pages} seconds={p.max_seconds:g} chars={self.max_chars} "
                f"ocr={'on' if p.ocr else 'off'} dpi={p.ocr_dpi} ocr_timeout={p.ocr_timeout:g} lang={p.ocr_lang}")

    def ocr_available(self) -> bool:
        return self.pdf.ocr and tesseract_available(self.pdf.ocr_lang, self.pdf.tesseract)


@dataclass(frozen=True)
class FileRef:
    """A downloaded file as the store knows it."""

    source: str
    file_id: str
    raw_ref: str            # raw/ab/<sha256>.pdf.gz under the home
    sha256: str
    mime_type: str | None   # Content-Type of the download
    declared_type: str | None = None  # the File's mimeType
    file_name: str | None = None


@dataclass
class FilePage:
    number: int
    text: str
    ocr: bool = False
    ocr_needed: bool = False


@dataclass
class FileText:
    """What reading one file gave: `status` ok (pages hold its text), failed (`reason` says why)
    or unsupported (a type komo does not read)."""

    ref: FileRef
    status: str
    reason: str | None = None
    message: str | None = None
    file_type: str | None = None
    size: int = 0
    pages: list[FilePage] = field(default_factory=list)
    page_count: int = 0
    truncated_pages: bool = False
    seconds: float = 0.0

    @property
    def ocr_pages(self) -> int:
        return sum(p.ocr for p in self.pages)

    @property
    def ocr_needed_pages(self) -> int:
        return sum(p.ocr_needed for p in self.pages)

    @property
    def body(self) -> str:
        return PAGE_BREAK.join(p.text for p in self.pages)

    def offsets(self) -> list[tuple[int, int]]:
        """(start, end) of each page in `body`."""
        out, at = [], 0
        for page in self.pages:
            out.append((at, at + len(page.text)))
            at += len(page.text) + len(PAGE_BREAK)
        return out


def file_type(data: bytes, mime_type: str | None, declared_type: str | None, file_name: str | None) -> str | None:
    """pdf, text or html, by the bytes first (a PDF says so in its first KiB, whatever the server
    calls it), then the download's Content-Type, the File's mimeType, the file name; None: a
    type komo does not read."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    types = [t.split(";")[0].strip().lower() for t in (mime_type, declared_type) if t]
    name = (file_name or "").lower()
    if any(t in _PDF_TYPES for t in types) or name.endswith(".pdf"):
        return "pdf"  # without a header: pdftext says not_pdf
    if any(t in _HTML_TYPES for t in types) or name.endswith((".html", ".htm")):
        return "html"
    if any(t in _TEXT_TYPES for t in types) or name.endswith(".txt"):
        return "text"
    head = data[:512].lstrip().lower()
    if head.startswith((b"<!doctype html", b"<html")):
        return "html"
    return None


def read_kept_file(home_root: Path, limits: FileLimits, ref: FileRef) -> FileText:
    """The text of the kept copy of `ref` (gzip under home_root/raw); never raises for bad input."""
    started = time.monotonic()
    result = _read(home_root, limits, ref)
    result.seconds = time.monotonic() - started
    return result


def _read(home_root: Path, limits: FileLimits, ref: FileRef) -> FileText:
    raw_dir = (home_root / "raw").resolve()
    path = (home_root / ref.raw_ref).resolve()
    if not path.is_relative_to(raw_dir):  # a forged raw_ref must not read files elsewhere
        return FileText(ref, "failed", "unreadable", f"the kept copy's path is not under {raw_dir}")
    try:
        # Decompressing a gzip bomb stops one byte past the cap: too large, not out of memory.
        with gzip.open(path, "rb") as handle:
            data = handle.read(limits.pdf.max_bytes + 1)
    except FileNotFoundError:
        return FileText(ref, "failed", "missing", f"the kept copy {ref.raw_ref} is gone; the next crawl "
                        "with --full downloads it again")
    except (OSError, EOFError, zlib.error) as problem:
        return FileText(ref, "failed", "unreadable", f"the kept copy is not a readable gzip file: {problem}"[:300])
    if len(data) > limits.pdf.max_bytes:
        return FileText(ref, "failed", "too_large", f"over the cap of {limits.pdf.max_bytes} bytes",
                        size=len(data))
    kind = file_type(data, ref.mime_type, ref.declared_type, ref.file_name)
    if kind is None:
        named = ref.mime_type or ref.declared_type or "unknown type"
        return FileText(ref, "unsupported", "unsupported", f"{named} files are not read (PDF, text and HTML are)",
                        size=len(data))
    if kind == "pdf":
        try:
            pdf = extract_pdf(data, limits.pdf)
        except PdfError as problem:
            return FileText(ref, "failed", problem.reason, problem.message[:300], "pdf", len(data))
        pages = [FilePage(p.number, p.text.replace(PAGE_BREAK, "\n"), p.ocr, p.ocr_needed) for p in pdf.pages]
        result = FileText(ref, "ok", None, None, "pdf", len(data), pages, pdf.page_count, pdf.truncated_pages)
    else:
        text = _decode(data)
        if kind == "html":
            from .render import render_text  # lxml: loaded only for HTML attachments

            # lxml refuses a str that still declares its encoding; it is decoded already.
            text = render_text(_XML_DECLARATION.sub("", text, count=1))
        text = strip_controls(text).replace(PAGE_BREAK, "\n").strip()
        result = FileText(ref, "ok", None, None, kind, len(data), [FilePage(1, text)], 1)
    _cap_chars(result, limits.max_chars)
    return result


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else windows-1252: what German office software writes."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("windows-1252", errors="replace")


def _cap_chars(result: FileText, max_chars: int) -> None:
    """Keep whole pages while the body stays within `max_chars`; a first page longer than that
    is cut at a space. Anything left out marks the file truncated."""
    total = 0
    for index, page in enumerate(result.pages):
        total += len(page.text) + (len(PAGE_BREAK) if index else 0)
        if total > max_chars:
            if index == 0:
                cut = page.text.rfind(" ", 0, max_chars)
                page.text = page.text[: cut if cut > 0 else max_chars]
                index = 1
            del result.pages[index:]
            result.truncated_pages = True
            return
