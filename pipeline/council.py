"""Council sources (OParl): adding and listing them, one crawl of one council, and the summary
of what the pipeline found there.

A council crawl runs like a press crawl (pipeline/crawl.py): state out of the store into a file,
Scrapy in a subprocess writing staging files, one load in one transaction. Its state is the
cursor of the last complete run, the ids already stored and the files still to download.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kommunalmonitor.core.crawljob import CrawlJob
from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.resources import data_dir, data_files
from kommunalmonitor.crawler.oparl import OParlSource, OParlSourceError, source_toml
from kommunalmonitor.crawler.sources import SourceError, source_kind

from .council_votes import refresh_votes
from .crawl import CrawlOptions, CrawlSummary, _run_spider
from .store import Store
from .store import council as council_store


class CouncilCrawlSummary(CrawlSummary):
    # What the summary line counts as stored, in its order.
    held_types: tuple[tuple[str, str], ...] = (
        ("Paper", "papers"), ("Meeting", "meetings"), ("AgendaItem", "agenda items"), ("File", "files"),
        ("Organization", "organizations"), ("Person", "persons"))

    def opening(self) -> str:
        """The start every council crawl's line shares: run, status, requests by reason, new and changed objects."""
        s = self.stats
        c = s.get("council") or {}
        reasons = ", ".join(f"{n} {r}" for r, n in sorted((s.get("requests_by_reason") or {}).items()))
        complete = "complete" if s.get("complete") else "incomplete"
        return (f"run {self.run_id} ({self.source}): {self.status}, {complete}; "
                f"{s.get('requests', 0)} requests{f' ({reasons})' if reasons else ''}; objects: "
                f"{c.get('objects_new', 0)} new, {c.get('objects_changed', 0)} changed, ")

    def held(self) -> str:
        stored = self.stats.get("stored") or {}
        return ", ".join(f"{stored.get(t, 0)} {label}" for t, label in self.held_types)

    def line(self) -> str:
        s = self.stats
        c = s.get("council") or {}
        deleted = (s.get("stored") or {}).get("deleted", 0)
        return (
            f"{self.opening()}{c.get('objects_unchanged', 0)} unchanged, {c.get('objects_deleted', 0)} deleted, "
            f"{s.get('sent_needlessly', 0)} sent needlessly; {c.get('downloads', 0)} files downloaded; "
            f"{s.get('errors', 0)} errors; stored: {self.held()}, {deleted} deleted"
        )


def run_council_crawl(store: Store, home: Home, source: Any, state: Any, job_fields: dict[str, Any],
                      stored: Callable[[], dict[str, Any]], incomplete: str,
                      progress: Callable[[int], None] | None = None) -> tuple[int, str, dict[str, Any]]:
    """One crawl of one council (OParl or SessionNet) into an open working store: its state into a
    file, the spider in a subprocess writing staging files, one load, the votes of new or changed
    agenda items, the run row. Returns (run id, status, stats)."""
    with store.run("crawl", source.name) as run:
        run_id = run.run_id
        staging = home.staging_dir / f"run-{run_id}"
        staging.mkdir(parents=True, exist_ok=True)
        state_file = staging / "state.json"
        state_file.write_text(json.dumps(state, default=str), encoding="utf-8")
        log_file = home.logs_dir / f"crawl-{run_id}.log"
        job = CrawlJob(source_file=str(source.path), staging_dir=str(staging), raw_dir=str(home.raw_dir),
                       log_file=str(log_file), state_file=str(state_file), **job_fields)
        job_file = job.write(staging / "job.json")
        returncode = _run_spider(job_file, staging / "pages.jsonl", log_file, progress)
        result = store.load_staging(staging, run_id)
        stats: dict[str, Any] = result.to_dict()
        spider_file = staging / "spider.json"
        if spider_file.exists():
            stats.update(json.loads(spider_file.read_text(encoding="utf-8")))
        stats["votes"] = refresh_votes(store, [source.name], run_id)
        stats["stored"] = stored()
        stats["documents_total"] = store.document_count(source.name)
        status = "ok" if returncode == 0 and stats.get("complete") else "failed" if returncode else "partial"
        message = "" if returncode == 0 else f"crawler exited with code {returncode}; see {log_file}"
        if returncode == 0 and not stats.get("complete"):
            message = incomplete + ", ".join(stats.get("incomplete_lists") or [stats.get("finish_reason", "?")])
        run.finish(status, stats, message[:300])
        shutil.rmtree(staging, ignore_errors=True)
        return run_id, status, stats


def crawl_council_into(store: Store, home: Home, source: OParlSource, options: CrawlOptions,
                       progress: Callable[[int], None] | None = None) -> CouncilCrawlSummary:
    """One crawl of one OParl council into an open working store (no publishing)."""
    job_fields = dict(kind="oparl", base_url=options.base_url, profile=options.profile, settings=options.settings,
                      full=options.full, since=options.since.isoformat() + "T00:00:00" if options.since else None,
                      max_pages=options.max_pages)
    run_id, status, stats = run_council_crawl(
        store, home, source, council_store.crawl_state(store.con, source.name), job_fields,
        lambda: council_store.counts(store.con, source.name), "incomplete: ", progress)
    return CouncilCrawlSummary(run_id, source.name, status, stats)


# -- sources ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SourceEntry:
    name: str
    kind: str
    where: str      # bundled | user
    path: Path
    url: str


def list_sources() -> list[SourceEntry]:
    """Every source the crawler knows: shipped ones and the user's own ($KOMO_HOME/sources/)."""
    import tomllib

    shipped = data_dir() / "sources"
    entries = []
    for name, path in data_files("sources").items():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
            kind = source_kind(path)
        except (tomllib.TOMLDecodeError, SourceError, OSError) as problem:
            entries.append(SourceEntry(name, f"unreadable: {problem}"[:60], "?", path, ""))
            continue
        where = "bundled" if path.parent == shipped else "user"
        entries.append(SourceEntry(name, kind, where, path, str(raw.get("url") or raw.get("base_url") or "")))
    return entries


def write_user_source(home: Home, name: str, make_text: Callable[[], str], source_class: Any,
                      errors: tuple[type[Exception], ...], replace: bool = False) -> Path:
    """Write $KOMO_HOME/sources/NAME.toml from `make_text()` (a council kind's `source_toml`); a name
    already taken needs `replace`, and what is written must load as `source_class`. Returns its path."""
    try:
        text = make_text()
    except errors as problem:
        raise KomoError(str(problem)) from None
    existing = data_files("sources").get(name)
    if existing is not None and not replace:
        raise KomoError(f"a source named {name!r} exists ({existing}); pick another --name or add --replace")
    target = home.root / "sources" / f"{name}.toml"
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    temporary.write_text(text, encoding="utf-8")
    try:
        source_class.load(temporary)
    except errors as problem:
        temporary.unlink(missing_ok=True)
        raise KomoError(str(problem)) from None
    temporary.replace(target)
    return target


def add_oparl_source(home: Home, name: str, url: str, title: str = "", file_hosts: tuple[str, ...] = (),
                     replace: bool = False) -> Path:
    """Write $KOMO_HOME/sources/NAME.toml for an OParl System or Body URL; returns its path."""
    return write_user_source(home, name, lambda: source_toml(name, url, title, file_hosts), OParlSource,
                             (OParlSourceError,), replace)
