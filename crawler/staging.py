"""Staging files: what a crawl process hands to the one store writer.

Spiders never open the store (DuckDB allows one writer and the crawl runs in its own
process). They append JSON lines here; the writer loads them in bulk and then deletes them.
A crawl killed half-way leaves complete lines plus at most one torn last line, which the
loader skips, so a rerun loses nothing that was written.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import threading
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from kommunalmonitor.core.faults import killpoint

if TYPE_CHECKING:  # the loader reads staging files without Scrapy: a rival update must exit before it loads
    from scrapy.settings import BaseSettings

# objects and downloads: what the OParl spider hands over (crawler/spiders/oparl.py); layout:
# which of the source's own layout rules held on each parsed press page (the layout alarm).
STAGING_KINDS = ("items", "pages", "forms", "errors", "objects", "downloads", "layout")


def staging_dir(settings: BaseSettings, component: str) -> Path:
    """The job's staging folder (KOMO_STAGING_DIR, set by crawler/run.py); without one the component
    that needs it is switched off."""
    from scrapy.exceptions import NotConfigured

    directory = settings.get("KOMO_STAGING_DIR")
    if not directory:
        raise NotConfigured(f"KOMO_STAGING_DIR is not set: {component} is off")
    return Path(directory)


class StagingWriter:
    """Append-only JSONL files, one per kind, flushed line by line."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        self._files: dict[str, IO[str]] = {}
        self.counts: dict[str, int] = dict.fromkeys(STAGING_KINDS, 0)

    def write(self, kind: str, record: dict[str, Any]) -> None:
        if kind not in STAGING_KINDS:
            raise ValueError(f"unknown staging kind {kind!r}")
        handle = self._files.get(kind)
        if handle is None:
            handle = self._files[kind] = open(
                self.directory / f"{kind}.jsonl", "a", encoding="utf-8"
            )
        line = json.dumps(record, ensure_ascii=False, default=str) + "\n"
        if os.environ.get("KOMO_KILL_AT"):
            # Crash tests: leave a torn line behind, as a real kill mid-write can.
            half = len(line) // 2
            handle.write(line[:half])
            handle.flush()
            killpoint(f"staging_{kind}")
            handle.write(line[half:])
        else:
            handle.write(line)
        handle.flush()
        self.counts[kind] += 1

    def close(self) -> None:
        for handle in self._files.values():
            handle.close()
        self._files.clear()


class StagedTail:
    """Reads the lines a running crawl appends to its staging files, whole lines only, each once.

    The process that waits for a crawl has a core to spare; its companions (near-duplicate
    signing, furniture learning, compound splitting) use this to work on what is staged so far."""

    def __init__(self, staging: Path, kind: str = "items", workers: bool = True):
        self.staging = staging
        self.kind = kind
        self.workers = workers
        self.offsets: dict[Path, int] = {}

    def paths(self) -> list[Path]:
        own = [self.staging / f"{self.kind}.jsonl"]
        return own + sorted(self.staging.glob(f"worker-*/{self.kind}.jsonl")) if self.workers else own

    def new_records(self, limit_bytes: int = 4 << 20) -> list[dict[str, Any]]:
        """The records staged since the last call (at most about `limit_bytes` per file); torn or
        foreign lines are skipped (the loader deals with them)."""
        records = []
        for path in self.paths():
            if not path.exists():
                continue
            with open(path, "rb") as handle:
                handle.seek(self.offsets.get(path, 0))
                chunk = handle.read(limit_bytes)
            complete = chunk[:chunk.rfind(b"\n") + 1]
            self.offsets[path] = self.offsets.get(path, 0) + len(complete)
            for line in complete.splitlines():
                try:
                    record = json.loads(line)
                except ValueError:
                    continue
                if isinstance(record, dict):
                    records.append(record)
        return records


def save_raw_page(raw_dir: Path, body: bytes, suffix: str = ".html.gz", compresslevel: int = 6) -> str:
    """Keep a fetched page gzip-compressed, addressed by its content; returns `raw/ab/<sha>.html.gz`
    (`suffix` names what it is: `.json.gz` for OParl objects, `.pdf.gz` for council files)."""
    digest = hashlib.sha256(body).hexdigest()
    relative = Path("raw") / digest[:2] / f"{digest}{suffix}"
    target = raw_dir.parent / relative
    if not target.exists():
        target.parent.mkdir(parents=True, exist_ok=True)
        # Per process and thread: two threads may keep identical files at the same moment.
        temporary = target.with_name(f"{target.name}.tmp{os.getpid()}.{threading.get_ident()}")
        with gzip.open(temporary, "wb", compresslevel=compresslevel) as out:
            out.write(body)
        os.replace(temporary, target)
    return relative.as_posix()


def read_raw_page(home_root: Path, raw_ref: str) -> bytes:
    with gzip.open(home_root / raw_ref, "rb") as handle:
        return handle.read()
