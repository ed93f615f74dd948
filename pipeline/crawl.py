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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from kommunalmonitor.core.crawljob import CrawlJob, CrawlState
from kommunalmonitor.core.errors import KomoError, SourceUnreachable
from kommunalmonitor.core.faults import killpoint
from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.furniture import StagingLearner
from kommunalmonitor.crawler.oparl import SOURCE_KIND as OPARL
from kommunalmonitor.crawler.oparl import OParlSource, OParlSourceError
from kommunalmonitor.crawler.sessionnet import SOURCE_KIND as SESSIONNET
from kommunalmonitor.crawler.sessionnet import SessionNetSource, SessionNetSourceError
from kommunalmonitor.crawler.sources import Source, SourceError, available_sources, source_kind, source_path

from .backfill import backfill_progress, progress_text
from .layout_alarm import load_alarm_rules
from .store import Store
from .store.compounds import SplitAhead
from .store.duplicates import Presigner
from .writer import open_writer

logger = logging.getLogger(__name__)


class Companion(Protocol):
    """Work on what a running crawl has staged so far (see crawler/staging.StagedTail)."""

    def step(self) -> int:
        """Do one bounded piece of work; how much was done (0: nothing new)."""
        ...


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
    # Several crawler processes on one Redis frontier (crawler/frontier.py); 0 workers: one process, no Redis.
    workers: int = 0
    redis_url: str | None = None
    lease_seconds: float = 60.0
    site_rate: float = 0.0  # requests a second to the site from all workers together; 0: no shared limit
    site_burst: float = 1.0
    publish: bool = True  # False: leave the snapshot to the next writing command (e.g. a batch of crawls)
    budget: int | None = None  # at most this many requests to a press source in this run (a backfill over nights)


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
            + self._frontier_line()
            + (f"; {progress_text(s['backfill'])}" if s.get("backfill") else "")
            + "".join(f"; LAYOUT ALARM: rule {a['rule']} held on {a['share']:.0%} of {a['pages']} pages "
                      f"(median {a['median']:.0%})" for a in self.alarms)
        )

    @property
    def alarms(self) -> list[dict[str, Any]]:
        """The layout alarms this crawl raised (pipeline/store/layout_checks.py)."""
        return list(self.stats.get("layout_alarms") or [])

    def _frontier_line(self) -> str:
        frontier = self.stats.get("frontier")
        if not frontier:
            return ""
        busiest = frontier.get("busiest_second") or {}
        return (f"; {frontier['workers']} workers: {frontier['duplicate_fetches']} duplicate fetches, "
                f"{frontier['reclaimed']} leases reclaimed"
                + "".join(f"; {host}: at most {n} requests in one second" for host, n in sorted(busiest.items())))


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
        if options.publish:
            store.publish(home.published_db, runs=[summary.run_id])
    return summary


def crawl_into(store: Store, home: Home, source: Source | OParlSource | SessionNetSource, options: CrawlOptions,
               progress: Callable[[int], None] | None = None) -> CrawlSummary:
    """One crawl into an open working store (see pipeline/writer.py); no publishing. Persons
    forgotten earlier (`komo forget`) are masked in what it loaded before anything reads it."""
    from .forget import reapply_forgets

    summary = _crawl_into(store, home, source, options, progress)
    reapply_forgets(store, home, summary.run_id)
    return summary


def _crawl_into(store: Store, home: Home, source: Source | OParlSource | SessionNetSource, options: CrawlOptions,
                progress: Callable[[int], None] | None = None) -> CrawlSummary:
    if isinstance(source, OParlSource):
        from .council import crawl_council_into

        return crawl_council_into(store, home, source, options, progress)
    if isinstance(source, SessionNetSource):
        from .sessionnet import crawl_sessionnet_into

        return crawl_sessionnet_into(store, home, source, options, progress)
    if options.budget and options.redis_url:
        raise KomoError("--budget needs one crawler process: leave out --redis/--workers")
    alarm_rules = load_alarm_rules()
    with store.run("crawl", source.name) as run:
        run_id = run.run_id
        staging = home.staging_dir / f"run-{run_id}"
        staging.mkdir(parents=True, exist_ok=True)
        state = store.crawl_state(
            source.name,
            options.recheck if options.recheck is not None else source.recheck_recent,
            timedelta(hours=source.retry_failed_after_hours),
        )
        job = CrawlJob(
            source_file=str(source.path), base_url=options.base_url, profile=options.profile,
            settings=options.settings, full=options.full,
            since=options.since.isoformat() if options.since else None, max_pages=options.max_pages,
            budget=options.budget, staging_dir=str(staging), raw_dir=str(home.raw_dir),
            log_file=str(home.logs_dir / f"crawl-{run_id}.log"), state=state,
        )
        frontier_stats: dict[str, Any] = {}
        # Work on what the crawl stages while it runs (the crawl process keeps one core busy). The
        # compounds are split ahead only for a publish in this process (its index refresh asks).
        furniture = StagingLearner(home.root, source, staging)
        split_ahead = [SplitAhead(staging)] if options.publish else []
        started = time.perf_counter()
        if options.redis_url:
            returncode, frontier_stats = _run_workers(job, options, home, run_id, progress,
                                                      [Presigner(staging), *split_ahead])
        else:
            job_file = job.write(staging / "job.json")
            returncode = _run_spider(job_file, staging / "pages.jsonl", Path(job.log_file), progress,
                                     [Presigner(staging), furniture, *split_ahead])
        for ahead in split_ahead:
            ahead.close()
        killpoint("before_load")
        crawled = time.perf_counter()
        result = store.load_staging(staging, run_id, alarm_rules)
        stats = result.to_dict()
        stats["crawl_seconds"] = round(crawled - started, 3)
        stats["load_seconds"] = round(time.perf_counter() - crawled, 3)
        for spider_file in [staging / "spider.json", *sorted(staging.glob("worker-*/spider.json"))]:
            if spider_file.exists():
                _merge_spider_stats(stats, json.loads(spider_file.read_text(encoding="utf-8")))
        if frontier_stats:
            stats["frontier"] = {**frontier_stats, "duplicate_fetches": store.duplicate_fetches(run_id)}
            stats.setdefault("decisions", {})
            if frontier_stats.get("recheck"):
                stats["decisions"]["fetch:recheck"] = frontier_stats["recheck"]
        stats["documents_total"] = store.document_count(source.name)
        stats["listing_pages"] = (stats.get("requests_by_reason") or {}).get("listing", 0)
        if stats.get("budget"):
            stats["backfill"] = backfill_progress(stats.pop("budget"), stats["documents_total"])
        status = "ok" if returncode == 0 else "failed"
        if returncode == 0 and result.requests and stats.get("documents_total", 0) == 0 and result.errors:
            status = "failed"
        if status == "ok" and result.layout_alarms:
            status = "alarm"  # crawled fine, but the source's layout rules stopped matching: its parses are held
        message = "" if returncode == 0 else f"crawler exited with code {returncode}; see {job.log_file}"
        run.finish(status, stats, message)
        try:  # lines that recur on the kept pages are furniture for `komo extract --input`
            furniture.finish()
        except (OSError, ValueError) as problem:  # a by-product: a crawl never fails for it
            logger.warning("furniture of %s not learnt: %s", source.name, problem)
        shutil.rmtree(staging, ignore_errors=True)
        return CrawlSummary(run_id, source.name, status, stats)


def _merge_spider_stats(stats: dict[str, Any], spider: dict[str, Any]) -> None:
    """Add one crawler process's summary (decisions, finish reason) to the run's stats."""
    decisions = stats.setdefault("decisions", {})
    for key, count in spider.get("decisions", {}).items():
        decisions[key] = decisions.get(key, 0) + count
    reasons = {stats.get("finish_reason"), spider.get("finish_reason")} - {None}
    stats["finish_reason"] = ", ".join(sorted(reasons))
    if spider.get("budget"):
        stats["budget"] = spider["budget"]


def _run_workers(job: CrawlJob, options: CrawlOptions, home: Home, run_id: int,
                 progress: Callable[[int], None] | None,
                 companions: Sequence[Companion] = ()) -> tuple[int, dict[str, Any]]:
    """Seed the shared frontier from the crawl state, run `options.workers` crawler processes on it
    (more may join from other machines: `komo crawl-worker`), wait until it is drained. The workers
    stage; the caller loads. Returns a return code (0, or the first failing worker's) and counts."""
    import redis

    from kommunalmonitor.crawler.frontier import Frontier, crawl_prefix, request_record, seed

    source = Source.load(Path(job.source_file), base_url=options.base_url)
    prefix = crawl_prefix(str(home.root), run_id)
    try:
        frontier = Frontier.from_url(options.redis_url, prefix, options.lease_seconds)
        frontier.server.ping()
    except (redis.RedisError, ValueError) as problem:
        raise KomoError(f"cannot use the Redis frontier at {options.redis_url}: {problem}") from None
    frontier.clear()  # what a killed loader of the same run left
    state = job.state or CrawlState()
    requests = [request_record(url, "parse_listing", {"kind": "listing", "reason": "listing"})
                for url in source.start_urls]
    recheck = [] if options.full else list(state.recheck)
    requests += [request_record(source.canonical_url(n), "parse_article",
                                {"kind": "article", "reason": "recheck", "native_id": n, "found_as": None})
                 for n in recheck]
    # The workers read the state from Redis, not from their job.
    job = replace(job, state=None,
                  frontier={"redis_url": options.redis_url, "prefix": prefix, "source": source.name,
                            "lease_seconds": options.lease_seconds,
                            "site_rate": options.site_rate, "site_burst": options.site_burst})
    seed(frontier, state, requests, job)
    staging = Path(job.staging_dir)
    processes = []
    for number in range(1, max(1, options.workers) + 1):
        worker_job = replace(job, frontier={**job.frontier, "worker": str(number)},
                             log_file=str(home.logs_dir / f"crawl-{run_id}-worker-{number}.log"))
        job_file = worker_job.write(staging / f"job-worker-{number}.json")
        log = open(worker_job.log_file, "ab")  # noqa: SIM115 (closed when the worker has ended)
        processes.append((subprocess.Popen([sys.executable, "-m", "kommunalmonitor.crawler.run", str(job_file)],
                                           stdout=log, stderr=log), log))
    offsets: dict[Path, int] = {}
    working = list(companions)
    try:
        while True:
            time.sleep(0.2)
            if progress:
                for pages in staging.glob("worker-*/pages.jsonl"):
                    with open(pages, "rb") as handle:
                        handle.seek(offsets.get(pages, 0))
                        chunk = handle.read()
                    offsets[pages] = offsets.get(pages, 0) + len(chunk)
                    if chunk.count(b"\n"):
                        progress(chunk.count(b"\n"))
            _step_companions(working)
            running = [p for p, _ in processes if p.poll() is None]
            remote = int(frontier.server.scard(f"{prefix}:remote-workers"))
            if not running and not remote:
                break
        codes = [p.returncode for p, _ in processes]
        left = frontier.waiting()
        counts = {"workers": len(processes), "worker_exit_codes": codes, "left_in_frontier": left,
                  "leases": frontier.counter("leases"), "reclaimed": frontier.counter("reclaimed"),
                  "recheck": len(recheck), "busiest_second": frontier.busiest_second()}
    finally:
        for process, log in processes:
            if process.poll() is None:
                process.terminate()
                process.wait()
            log.close()
        frontier.clear()
        frontier.server.srem("komo:crawls", prefix)
    # A killed worker is no failure when the others finished its work; requests left behind are.
    failed = left > 0 or all(code != 0 for code in codes)
    if any(code != 0 for code in codes):
        logger.warning("crawler workers exited with %s; the frontier was %s", codes,
                       "drained" if not left else f"left with {left} requests")
    return (next((c for c in codes if c != 0), 1) if failed else 0), counts


def join_crawl(home: Home, redis_url: str, crawl: str | None = None) -> int:
    """Work as one more crawler process on a crawl another machine's `komo crawl --redis` started.

    The job comes from Redis. Staging and raw pages go where the job says when that folder is here (a
    home shared over the network), else under this home, for copying to the loader's before it loads."""
    import socket

    import redis

    try:
        server = redis.Redis.from_url(redis_url)
        running = sorted(m.decode() for m in server.smembers("komo:crawls"))
    except (redis.RedisError, ValueError) as problem:
        raise KomoError(f"cannot use the Redis frontier at {redis_url}: {problem}") from None
    if crawl is None and len(running) != 1:
        raise KomoError(f"{len(running)} crawls are running on {redis_url}"
                        f"{': ' + ', '.join(running) if running else ''}; name one with --crawl")
    prefix = crawl or running[0]
    raw_job = server.get(f"{prefix}:job")
    if raw_job is None:
        raise KomoError(f"no crawl {prefix} on {redis_url}")
    job = CrawlJob.from_dict(json.loads(raw_job))
    name = f"{socket.gethostname()}-{os.getpid()}"
    job.frontier = {**(job.frontier or {}), "worker": name}
    if not Path(job.source_file).exists():
        job.source_file = str(source_path(job.frontier["source"]))
    if not Path(job.staging_dir).is_dir():
        job.staging_dir = str(home.staging_dir / Path(job.staging_dir).name)
        job.raw_dir = str(home.raw_dir)
    home.ensure()
    Path(job.staging_dir).mkdir(parents=True, exist_ok=True)
    job.log_file = str(home.logs_dir / f"crawl-worker-{name}.log")
    job_file = job.write(Path(job.staging_dir) / f"job-worker-{name}.json")
    server.sadd(f"{prefix}:remote-workers", name)
    try:
        return _run_spider(job_file, Path(job.staging_dir) / f"worker-{name}" / "pages.jsonl",
                           Path(job.log_file), None)
    finally:
        server.srem(f"{prefix}:remote-workers", name)


def _step_companions(companions: list[Companion]) -> int:
    """One step of each companion; one that fails is dropped with a warning (its work is a by-product
    the load redoes or goes without: a crawl never fails for it)."""
    done = 0
    for companion in list(companions):
        try:
            done += companion.step()
        except Exception as problem:  # noqa: BLE001 (any failure of a by-product)
            logger.warning("%s stopped during the crawl: %s", type(companion).__name__, problem)
            companions.remove(companion)
    return done


def _run_spider(job_file: Path, pages_file: Path, log_file: Path,
                progress: Callable[[int], None] | None, companions: Sequence[Companion] = ()) -> int:
    """Run Scrapy in its own process; report progress by counting fetched pages, and meanwhile let the
    companions work on what it staged (sign documents for the near-duplicate check, learn furniture,
    split compounds): this process would only wait otherwise."""
    env = dict(os.environ)
    working = list(companions)
    with open(log_file, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "kommunalmonitor.crawler.run", str(job_file)],
            env=env, stdout=log, stderr=log,
        )
        offset = 0
        while process.poll() is None:
            if not _step_companions(working):
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
