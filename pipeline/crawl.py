"""One crawl of one source: state out of the store, Scrapy in a subprocess, staging back in.

The sequence is built so that a kill at any point converges: staging files survive the
process, the next run loads what a dead run left, and every load is an idempotent merge.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from kommunalmonitor.core.errors import KomoError, SourceUnreachable
from kommunalmonitor.core.faults import killpoint
from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.furniture import learn_from_staging
from kommunalmonitor.crawler.oparl import SOURCE_KIND as OPARL
from kommunalmonitor.crawler.oparl import OParlSource, OParlSourceError
from kommunalmonitor.crawler.sessionnet import SOURCE_KIND as SESSIONNET
from kommunalmonitor.crawler.sessionnet import SessionNetSource, SessionNetSourceError
from kommunalmonitor.crawler.sources import Source, SourceError, available_sources, source_kind, source_path

from .store import Store
from .writer import open_writer

logger = logging.getLogger(__name__)


@dataclass
class CrawlOptions:
    source: str = "leverkusen-com"
    base_url: str | None = None
    full: bool = False
    since: date | None = None
    max_pages: int | None = None
    recheck: int | None = None
    profile: str = "polite"
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass
class CrawlSummary:
    run_id: int
    source: str
    status: str
    stats: dict[str, Any]

    def line(self) -> str:
        s = self.stats
        reasons = ", ".join(f"{n} {r}" for r, n in sorted((s.get("requests_by_reason") or {}).items()))
        return (
            f"run {self.run_id} ({self.source}): {self.status}; {s.get('requests', 0)} requests"
            f"{f' ({reasons})' if reasons else ''}; documents: {s.get('documents_new', 0)} new, "
            f"{s.get('documents_changed', 0)} changed, {s.get('documents_unchanged', 0)} unchanged; "
            f"{s.get('errors', 0)} errors; {s.get('documents_total', 0)} documents stored"
        )


def load_source(options: CrawlOptions) -> Source | OParlSource | SessionNetSource:
    """The source by name or path, as its `kind` says: a press archive, an OParl or a SessionNet council."""
    path = source_path(options.source)
    if not path.exists():
        raise KomoError(f"unknown source {options.source!r}; known: {', '.join(available_sources())}")
    try:
        if source_kind(path) == OPARL:
            return OParlSource.load(path, base_url=options.base_url)
        if source_kind(path) == SESSIONNET:
            return SessionNetSource.load(path, base_url=options.base_url)
        return Source.load(path, base_url=options.base_url)
    except (SourceError, OParlSourceError, SessionNetSourceError) as problem:
        raise KomoError(f"source {options.source}: {problem}") from None


def check_reachable(url: str, timeout: float = 5.0) -> None:
    """Fail fast with one line when the site's host cannot be reached at all."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        with socket.create_connection((parts.hostname, port), timeout=timeout):
            pass
    except OSError as problem:
        raise SourceUnreachable(
            f"cannot reach {parts.scheme}://{parts.netloc}: {problem.strerror or problem}; "
            "check the network or --base-url"
        ) from None


def crawl(home: Home, options: CrawlOptions,
          progress: Callable[[int], None] | None = None) -> CrawlSummary:
    """Run one crawl under the writer lock, publish the snapshot, and return the summary."""
    source = load_source(options)
    check_reachable(source.base_url)
    with open_writer(home) as store:
        summary = crawl_into(store, home, source, options, progress)
        store.publish(home.published_db, runs=[summary.run_id])
    return summary


def crawl_into(store: Store, home: Home, source: Source | OParlSource | SessionNetSource, options: CrawlOptions,
               progress: Callable[[int], None] | None = None) -> CrawlSummary:
    """One crawl into an open working store (see pipeline/writer.py); no publishing."""
    if isinstance(source, OParlSource):
        from .council import crawl_council_into

        return crawl_council_into(store, home, source, options, progress)
    if isinstance(source, SessionNetSource):
        from .sessionnet import crawl_sessionnet_into

        return crawl_sessionnet_into(store, home, source, options, progress)
    run_id = store.start_run("crawl", source.name)
    staging = home.staging_dir / f"run-{run_id}"
    staging.mkdir(parents=True, exist_ok=True)
    state = store.crawl_state(
        source.name,
        options.recheck if options.recheck is not None else source.recheck_recent,
        timedelta(hours=source.retry_failed_after_hours),
    )
    job = {
        "source_file": str(source.path),
        "base_url": options.base_url,
        "profile": options.profile,
        "settings": options.settings,
        "full": options.full,
        "since": options.since.isoformat() if options.since else None,
        "max_pages": options.max_pages,
        "staging_dir": str(staging),
        "raw_dir": str(home.raw_dir),
        "log_file": str(home.logs_dir / f"crawl-{run_id}.log"),
        "state": state,
    }
    job_file = staging / "job.json"
    job_file.write_text(json.dumps(job), encoding="utf-8")
    returncode = _run_spider(job_file, staging / "pages.jsonl", Path(job["log_file"]), progress)
    killpoint("before_load")
    result = store.load_staging(staging, run_id)
    stats = result.to_dict()
    spider_file = staging / "spider.json"
    if spider_file.exists():
        stats.update(json.loads(spider_file.read_text(encoding="utf-8")))
    stats["documents_total"] = store.query(
        "SELECT count(*) FROM documents WHERE source = ?", [source.name])[1][0][0]
    stats["listing_pages"] = (stats.get("requests_by_reason") or {}).get("listing", 0)
    status = "ok" if returncode == 0 else "failed"
    if returncode == 0 and result.requests and stats.get("documents_total", 0) == 0 and result.errors:
        status = "failed"
    message = "" if returncode == 0 else f"crawler exited with code {returncode}; see {job['log_file']}"
    store.finish_run(run_id, status, stats, message)
    try:  # lines that recur on the kept pages are furniture for `komo extract --input`
        learn_from_staging(home.root, source, staging)
    except (OSError, ValueError) as problem:  # a by-product: a crawl never fails for it
        logger.warning("furniture of %s not learnt: %s", source.name, problem)
    shutil.rmtree(staging, ignore_errors=True)
    return CrawlSummary(run_id, source.name, status, stats)


def _run_spider(job_file: Path, pages_file: Path, log_file: Path,
                progress: Callable[[int], None] | None) -> int:
    """Run Scrapy in its own process; report progress by counting fetched pages."""
    env = dict(os.environ)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kommunalmonitor.crawler.run", str(job_file)],
            env=env, stdout=log, stderr=log,
        )
        offset = 0
        while process.poll() is None:
            time.sleep(0.2)
            if progress and pages_file.exists():
                with open(pages_file, "rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                offset += len(chunk)
                if chunk.count(b"\n"):
                    progress(chunk.count(b"\n"))
    if process.returncode != 0:
        logger.error("crawler process exited with %s; see %s", process.returncode, log_file)
    return process.returncode
