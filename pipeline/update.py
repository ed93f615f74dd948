"""`komo update`, the nightly job: crawl every source → extract → classify → publish once.

The whole update holds the writer lock, so two cron runs never overlap (the second exits with
75 at once), and it publishes the snapshot once at the end: readers see yesterday's store or
today's, never documents that are crawled but not yet extracted. A killed update leaves
staging files and unfinished runs that the next one recovers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunalmonitor.crawler.sources import available_sources

from .crawl import CrawlOptions, CrawlSummary, check_reachable, crawl_into, load_source
from .errors import KomoError, SourceUnreachable
from .faults import killpoint
from .home import Home
from .writer import open_writer

logger = logging.getLogger(__name__)


@dataclass
class UpdateSummary:
    run_id: int = 0
    status: str = "ok"
    crawls: list[CrawlSummary] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)   # source → why it was skipped
    extraction: dict[str, Any] = field(default_factory=dict)
    classification: str = ""

    def lines(self) -> list[str]:
        out = [c.line() for c in self.crawls]
        out += [f"source {name}: skipped, {why}" for name, why in self.failed.items()]
        if self.extraction:
            out.append(f"extracted {self.extraction['documents']} documents: {self.extraction['mentions']} mentions")
        if self.classification:
            out.append(self.classification)
        out.append(f"update run {self.run_id}: {self.status}; snapshot published")
        return out


def update(home: Home, sources: list[str] | None = None, base_url: str | None = None, profile: str = "polite",
           model_path: Path | None = None, processes: int = 1,
           echo: Callable[[str], Any] = logger.info) -> UpdateSummary:
    """Crawl each source (one failing source does not stop the others), extract what changed,
    classify, and publish the snapshot once. Status: ok, partial (a source failed) or failed
    (the run row says why; the snapshot stays the previous one)."""
    from kommunalmonitor.models.classifier import DEFAULT_MODEL, load

    from .classify import classify_into
    from .extraction import extract_into

    names = sources or available_sources()
    if base_url and len(names) != 1:
        raise KomoError("--base-url mirrors one source: name it with --source")
    loaded = [load_source(CrawlOptions(source=name, base_url=base_url)) for name in names]
    classifier = load(model_path or DEFAULT_MODEL)  # a bad model fails before anything is written
    summary = UpdateSummary()
    with open_writer(home) as store:
        summary.run_id = store.start_run("update", ",".join(names))
        try:
            for source in loaded:
                # One source failing (unreachable, a crawler crash) does not stop the others.
                try:
                    check_reachable(source.base_url)
                    crawled = crawl_into(store, home, source, CrawlOptions(source.name, base_url, profile=profile))
                except (SourceUnreachable, KomoError, OSError) as problem:
                    summary.failed[source.name] = str(problem)
                    echo(f"source {source.name}: skipped, {problem}")
                    continue
                summary.crawls.append(crawled)
                echo(crawled.line())
            killpoint("update_after_crawl")
            summary.extraction = extract_into(store, home, n_process=processes)
            echo(f"extracted {summary.extraction['documents']} documents: {summary.extraction['mentions']} mentions")
            summary.classification = classify_into(store, classifier).line()
            echo(summary.classification)
            failed = bool(summary.failed) or any(c.status != "ok" for c in summary.crawls)
            summary.status = "partial" if failed else "ok"
            store.finish_run(summary.run_id, summary.status, _stats(summary))
            store.publish(home.published_db)
        except Exception as problem:
            summary.status = "failed"
            store.finish_run(summary.run_id, "failed", _stats(summary), f"{type(problem).__name__}: {problem}"[:300])
            raise
    return summary


def _stats(summary: UpdateSummary) -> dict[str, Any]:
    return {"crawl_runs": [c.run_id for c in summary.crawls],
            "crawls": {c.source: c.status for c in summary.crawls},
            "failed_sources": summary.failed, "extraction": summary.extraction,
            "classification": summary.classification}
