"""`komo gc`: remove what is safe to remove from the home, under the writer lock.

Safe means: nobody can need it. Half-written snapshots and temp files of killed processes;
staging of killed runs once loaded (every writer loads it first); logs older than N days; and,
only when asked, the kept pages of document versions a newer version replaced more than N days
ago. The kept page of a current version is never removed, so `komo raw` and report links keep
working.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

from kommunalmonitor.core.home import Home
from kommunalmonitor.core.lock import writer_lock

from .store import Store
from .store.core import temporary_snapshots
from .store.housekeeping import forget_raw_refs, superseded_raw_refs
from .writer import open_writer

# A temp file this young may belong to a crawl worker on another machine (they take no lock).
_YOUNG_SECONDS = 3600


@dataclass
class GcReport:
    dry_run: bool
    removed: dict[str, list[Path]] = field(default_factory=dict)   # what → paths
    run_id: int | None = None

    def add(self, what: str, paths: list[Path]) -> None:
        if paths:
            self.removed.setdefault(what, []).extend(paths)

    def bytes(self) -> int:
        return sum(_size(p) for paths in self.removed.values() for p in paths)

    def lines(self) -> list[str]:
        verb = "would remove" if self.dry_run else "removed"
        out = []
        for what, paths in self.removed.items():
            out.append(f"{what}: {len(paths)}")
            out += [f"  {p}" for p in paths[:20]]
            if len(paths) > 20:
                out.append(f"  … and {len(paths) - 20} more")
        total = sum(len(p) for p in self.removed.values())
        out.append(f"gc: {verb} {total} files ({self.bytes() / 1e6:.1f} MB)"
                   + (f"; run {self.run_id}" if self.run_id else ""))
        return out


def _size(path: Path) -> int:
    try:
        if path.is_dir():
            return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
        return path.stat().st_size
    except OSError:
        return 0


def _old(path: Path, seconds: float) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False


def collect(home: Home, logs_days: int = 30, raw_days: int | None = None, dry_run: bool = False) -> GcReport:
    """Remove (or with dry_run list) what is safe to remove; returns what went."""
    report = GcReport(dry_run)
    report.add("half-written snapshots", temporary_snapshots(home.published_db.parent))
    report.add("staging of killed runs (loaded first)",
               sorted(home.staging_dir.glob("run-*")) if home.staging_dir.is_dir() else [])
    temps = [p for pattern in ("*/*.tmp*", "*/*.forget*") for p in home.raw_dir.glob(pattern)] \
        if home.raw_dir.is_dir() else []
    report.add("temp files under raw/", sorted(p for p in temps if _old(p, _YOUNG_SECONDS)))
    logs = sorted(p for p in home.logs_dir.glob("*") if p.is_file() and _old(p, logs_days * 86400)) \
        if home.logs_dir.is_dir() else []
    report.add(f"logs older than {logs_days} days", logs)
    cutoff = datetime.now(UTC).replace(tzinfo=None) - timedelta(days=raw_days) if raw_days is not None else None
    if dry_run:
        if cutoff is not None and home.db.exists():
            with writer_lock(home.lock_path), Store.open(home.db, read_only=True) as store:
                report.add(f"kept pages of versions replaced over {raw_days} days ago",
                           _raw_paths(home, superseded_raw_refs(store.con, cutoff)))
        return report
    # open_writer removes half-written snapshots and loads staging of killed runs, as every writer does.
    with open_writer(home) as store:
        for path in [*report.removed.get("temp files under raw/", []), *logs]:
            path.unlink(missing_ok=True)
        if cutoff is not None:
            refs = superseded_raw_refs(store.con, cutoff)
            paths = _raw_paths(home, refs)
            report.add(f"kept pages of versions replaced over {raw_days} days ago", paths)
            sizes = {p: _size(p) for p in paths}
            with store.run("gc") as run:
                report.run_id = run.run_id
                with store.transaction():
                    forget_raw_refs(store.con, refs)
                for path in paths:
                    path.unlink(missing_ok=True)
                run.finish("ok", {"raw_pages_removed": len(paths), "bytes": sum(sizes.values())})
            store.publish(home.published_db, runs=[report.run_id])
    return report


def _raw_paths(home: Home, refs: list[str]) -> list[Path]:
    """The files of these raw refs that exist and lie under raw/ (a forged ref is skipped)."""
    raw_dir = home.raw_dir.resolve()
    paths = [(home.root / ref).resolve() for ref in refs]
    return [p for p in paths if p.is_relative_to(raw_dir) and p.exists()]
