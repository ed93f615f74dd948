"""`komo files extract` and the files step of `komo update`: the text of every downloaded council
file whose bytes (sha256) or reader (crawler/pdftext.py EXTRACTOR_VERSION + crawler/filetext.py
VERSION) changed since it was last read becomes a document (`kind = 'file'`), page by page;
nothing else is read again.

Files are read in worker processes (crawler/filetext.py in each): PDFium is native code reading
untrusted bytes, so a worker that dies costs the file it was reading (reason `crashed`), never
the run, and two workers read twice as many pages on two cores. Outcomes are written batch by
batch, each batch one transaction: a run killed half-way keeps what it wrote, and the next one
reads only the rest. Every bad file is a `file_texts` row with a reason (view `file_errors`),
and the run is still ok.

Limits (size, pages, seconds, characters, OCR) come from data/config/file-text.toml (or the
home's config/file-text.toml).
"""

from __future__ import annotations

import functools
import hashlib
import os
import time
import tomllib
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.faults import killpoint
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.parallel import isolated_map
from kommunalmonitor.core.resources import data_file
from kommunalmonitor.crawler.filetext import READER_VERSION, FileLimits, FileRef, FileText, read_kept_file
from kommunalmonitor.crawler.pdftext import PdfLimits

from .store import Store
from .store import files as files_store
from .writer import open_writer

CONFIG_FILE = "config/file-text.toml"
_MAX_PROCESSES = 4
# A batch is written when it holds this many files or characters: memory stays bounded by it
# (plus what the workers hold), and a killed run loses at most one batch of work.
_BATCH_FILES = 64
_BATCH_CHARS = 8_000_000

_TEXT_SCHEMA = pa.schema([
    ("source", pa.string()), ("file_id", pa.string()), ("sha256", pa.string()), ("reader_version", pa.string()),
    ("limits", pa.string()), ("ocr_available", pa.bool_()), ("status", pa.string()), ("reason", pa.string()),
    ("message", pa.string()), ("file_type", pa.string()), ("mime_type", pa.string()), ("size", pa.int64()),
    ("page_count", pa.int32()), ("pages_read", pa.int32()), ("truncated_pages", pa.bool_()),
    ("ocr_pages", pa.int32()), ("ocr_needed_pages", pa.int32()), ("chars", pa.int64()),
    ("text_sha256", pa.string()), ("seconds", pa.float64()),
])
_PAGE_SCHEMA = pa.schema([
    ("source", pa.string()), ("native_id", pa.string()), ("page", pa.int32()), ("start_char", pa.int32()),
    ("end_char", pa.int32()), ("ocr", pa.bool_()), ("ocr_needed", pa.bool_()),
])
_BODY_SCHEMA = pa.schema([("source", pa.string()), ("file_id", pa.string()), ("body", pa.string())])


@dataclass(frozen=True)
class FilesConfig:
    limits: FileLimits
    processes: int  # 0: one per CPU, at most _MAX_PROCESSES

    def workers(self, override: int | None = None) -> int:
        wanted = override or self.processes
        return wanted if wanted > 0 else max(1, min(_MAX_PROCESSES, os.cpu_count() or 1))


def load_config() -> FilesConfig:
    """data/config/file-text.toml (the home's copy wins); a bad value is a one-line error."""
    path = data_file(CONFIG_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as problem:
        raise KomoError(f"cannot read {path}: {problem}") from None
    limits, ocr, run = raw.get("limits", {}), raw.get("ocr", {}), raw.get("run", {})
    try:
        pdf = PdfLimits(
            max_bytes=int(float(limits.get("max_mb", 50)) * 1024 * 1024),
            max_pages=int(limits.get("max_pages", 500)),
            max_seconds=float(limits.get("max_seconds", 120)),
            ocr=bool(ocr.get("enabled", True)),
            ocr_dpi=int(ocr.get("dpi", 300)),
            ocr_timeout=float(ocr.get("page_timeout", 60)),
            ocr_lang=str(ocr.get("language", "deu")),
        )
        config = FilesConfig(FileLimits(pdf, int(limits.get("max_chars", 1_000_000))), int(run.get("processes", 0)))
    except (TypeError, ValueError) as problem:
        raise KomoError(f"{path}: {problem}") from None
    checks = [(pdf.max_bytes > 0, "limits.max_mb must be above 0"), (pdf.max_pages > 0, "limits.max_pages must be "
              "above 0"), (pdf.max_seconds > 0, "limits.max_seconds must be above 0"),
              (config.limits.max_chars > 0, "limits.max_chars must be above 0"),
              (72 <= pdf.ocr_dpi <= 600, "ocr.dpi must be 72 to 600"), (pdf.ocr_timeout > 0, "ocr.page_timeout must "
              "be above 0"), (0 <= config.processes <= 32, "run.processes must be 0 (one per CPU) to 32")]
    for ok, message in checks:
        if not ok:
            raise KomoError(f"{path}: {message}")
    return config


@dataclass
class FilesSummary:
    run_id: int = 0
    status: str = "ok"
    downloaded: int = 0         # live files with a kept download
    read: int = 0               # read in this run
    ok: int = 0
    by_type: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)        # reason → files
    unsupported: Counter[str] = field(default_factory=Counter)   # mime type → files
    pages: int = 0
    ocr_pages: int = 0
    ocr_needed_pages: int = 0
    truncated: int = 0
    documents_new: int = 0
    documents_changed: int = 0
    documents_removed: int = 0
    seconds: float = 0.0
    processes: int = 0
    ocr_available: bool = False
    reader_version: str = READER_VERSION

    @property
    def unchanged(self) -> int:
        return self.downloaded - self.read

    def line(self) -> str:
        kinds = ", ".join(f"{n} {t}" for t, n in sorted(self.by_type.items()))
        failed = ", ".join(f"{r} {n}" for r, n in sorted(self.failed.items()))
        unsupported = sum(self.unsupported.values())
        rate = f", {self.pages / self.seconds:.0f} pages/s" if self.seconds and self.pages else ""
        ocr = "" if self.ocr_available else " (no Tesseract: scanned pages wait in ocr_needed)"
        return (f"run {self.run_id} (files): {self.status}; {self.downloaded} files downloaded, {self.read} read, "
                f"{self.unchanged} unchanged; {self.ok} with text{f' ({kinds})' if kinds else ''}: {self.pages} pages, "
                f"{self.ocr_pages} OCR'd, {self.ocr_needed_pages} need OCR{ocr}, {self.truncated} truncated; "
                f"{sum(self.failed.values())} failed{f' ({failed})' if failed else ''}, {unsupported} unsupported; "
                f"documents: {self.documents_new} new, {self.documents_changed} changed, {self.documents_removed} "
                f"removed; {self.seconds:.1f} s{rate}, {self.processes} processes")

    def stats(self) -> dict[str, Any]:
        out = {k: (dict(v) if isinstance(v, Counter) else v) for k, v in self.__dict__.items()}
        out["unchanged"] = self.unchanged
        return out


def read_files(home: Home, sources: tuple[str, ...] = (), everything: bool = False, processes: int | None = None,
               progress: Callable[[int], None] | None = None) -> FilesSummary:
    """Read what needs reading under the writer lock, then publish the snapshot."""
    config = load_config()  # a bad config fails before the lock is taken
    with open_writer(home) as store:
        summary = read_files_into(store, home, config, sources, everything, processes, progress)
        store.publish(home.published_db, runs=[summary.run_id])
    return summary


def read_files_into(store: Store, home: Home, config: FilesConfig, sources: tuple[str, ...] = (),
                    everything: bool = False, processes: int | None = None,
                    progress: Callable[[int], None] | None = None) -> FilesSummary:
    """The files step on an open working store (see pipeline/writer.py); no publishing."""
    scope = list(sources) or None
    summary = FilesSummary(ocr_available=config.limits.ocr_available())
    started = time.monotonic()

    def failed() -> dict[str, Any]:
        summary.status = "failed"
        summary.seconds = time.monotonic() - started
        return summary.stats()

    with store.run("files", ",".join(sources) or None) as run:
        summary.run_id = run.run_id
        run.failure_stats = failed
        limits_key = config.limits.fingerprint()
        todo = [FileRef(*row) for row in files_store.files_to_read(
            store.con, scope, READER_VERSION, limits_key, summary.ocr_available, everything)]
        summary.downloaded = files_store.downloaded_files(store.con, scope)
        summary.processes = min(config.workers(processes), len(todo)) if todo else 0
        if todo:
            work = functools.partial(read_kept_file, home.root, config.limits)
            results = isolated_map(work, todo, summary.processes, _crashed)
            batch: list[FileText] = []
            chars = 0
            for result in results:
                batch.append(result)
                chars += sum(len(p.text) for p in result.pages)
                if progress:
                    progress(1)
                if len(batch) >= _BATCH_FILES or chars >= _BATCH_CHARS:
                    _save(store, batch, limits_key, summary)
                    batch, chars = [], 0
            if batch:
                _save(store, batch, limits_key, summary)
        with store.transaction():
            changes = files_store.refresh_documents(store.con, scope, summary.run_id, _now())
        summary.documents_changed += changes.changed
        summary.documents_removed += changes.removed
        summary.seconds = time.monotonic() - started
        run.finish(summary.status, summary.stats())
    return summary


def _crashed(ref: FileRef, problem: BaseException) -> FileText:
    return FileText(ref, "failed", "crashed", f"the reader process died on this file ({type(problem).__name__}: "
                    "a PDFium crash or out of memory); it is read again when its bytes or the reader change")


def _save(store: Store, batch: list[FileText], limits_key: str, summary: FilesSummary) -> None:
    texts, pages, bodies = [], [], []
    for result in batch:
        ref = result.ref
        body = result.body if result.status == "ok" else None
        texts.append({
            "source": ref.source, "file_id": ref.file_id, "sha256": ref.sha256, "reader_version": READER_VERSION,
            "limits": limits_key, "ocr_available": summary.ocr_available, "status": result.status,
            "reason": result.reason, "message": result.message, "file_type": result.file_type,
            "mime_type": ref.mime_type or ref.declared_type, "size": result.size or None,
            "page_count": result.page_count if result.status == "ok" else None,
            "pages_read": len(result.pages) if result.status == "ok" else None,
            "truncated_pages": result.truncated_pages, "ocr_pages": result.ocr_pages,
            "ocr_needed_pages": result.ocr_needed_pages, "chars": len(body) if body is not None else None,
            "text_sha256": hashlib.sha256(body.encode("utf-8", "surrogatepass")).hexdigest() if body is not None
            else None, "seconds": round(result.seconds, 4)})
        summary.read += 1
        if result.status == "ok":
            summary.ok += 1
            summary.by_type[result.file_type or "?"] += 1
            summary.pages += len(result.pages)
            summary.ocr_pages += result.ocr_pages
            summary.ocr_needed_pages += result.ocr_needed_pages
            summary.truncated += result.truncated_pages
            bodies.append({"source": ref.source, "file_id": ref.file_id, "body": body})
            for page, (start, end) in zip(result.pages, result.offsets(), strict=True):
                pages.append({"source": ref.source, "native_id": ref.file_id, "page": page.number, "start_char": start,
                              "end_char": end, "ocr": page.ocr, "ocr_needed": page.ocr_needed})
        elif result.status == "unsupported":
            summary.unsupported[ref.mime_type or ref.declared_type or "(no type)"] += 1
        else:
            summary.failed[result.reason or "?"] += 1
    with store.transaction():
        changes = files_store.save_texts(
            store.con, pa.Table.from_pylist(texts, schema=_TEXT_SCHEMA),
            pa.Table.from_pylist(pages, schema=_PAGE_SCHEMA), pa.Table.from_pylist(bodies, schema=_BODY_SCHEMA),
            summary.run_id, _now())
        killpoint("files_batch")
    summary.documents_new += changes.new
    summary.documents_changed += changes.changed
    summary.documents_removed += changes.removed


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)
