"""`komo update`, the nightly job: a list of steps (crawl each source → read council files →
extract → classify → link press releases to council papers), then one publish.

The whole update holds the writer lock, taken before anything slow starts, so two cron runs
never overlap (the second exits with 75 at once), and it publishes the snapshot once at the end:
readers see yesterday's store or today's, never documents that are crawled but not yet
extracted. A killed update leaves staging files and unfinished runs that the next one recovers.

A step is a small object with `prepare` (check inputs and load what it needs before anything is
written, so a bad model fails an update that has changed nothing) and `run` (do the work, with
its own run row in `runs`). A new kind of work is a new step in `STEPS`, not an edit of the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError, SourceUnreachable
from kommunalmonitor.core.faults import killpoint
from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.sources import Source, available_sources

from .crawl import CrawlOptions, CrawlSummary, check_reachable, crawl_into, load_source
from .store import Store
from .writer import open_writer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class UpdateOptions:
    sources: tuple[str, ...] = ()  # empty: every source
    base_url: str | None = None
    profile: str = "polite"
    model_path: Path | None = None
    processes: int = 1
    budget: int | None = None  # requests per press source and run: a first backfill over several nights


@dataclass
class UpdateSummary:
    run_id: int = 0
    status: str = "ok"
    crawls: list[CrawlSummary] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)   # source → why it was skipped
    extraction: dict[str, Any] = field(default_factory=dict)
    classification: str = ""
    files: dict[str, Any] = field(default_factory=dict)   # the files step's figures (pipeline/files.py)
    links: dict[str, Any] = field(default_factory=dict)   # the links step's figures (pipeline/links.py)
    alerts_failed: list[str] = field(default_factory=list)  # after publishing: alerts that could not run
    layout_alarms: list[dict[str, Any]] = field(default_factory=list)  # store/layout_checks.py: LayoutAlarm

    def lines(self) -> list[str]:
        out = [c.line() for c in self.crawls]
        out += [f"source {name}: skipped, {why}" for name, why in self.failed.items()]
        if self.extraction:
            out.append(f"extracted {self.extraction['documents']} documents: {self.extraction['mentions']} mentions")
        if self.classification:
            out.append(self.classification)
        out.append(f"update run {self.run_id}: {self.status}; snapshot published")
        return out

    def alarm_line(self) -> str:
        """One line naming every source and rule that stopped matching, and what to do."""
        named = "; ".join(f"source {a['source']}: rule {a['rule']} held on {a['share']:.0%} of {a['pages']} new pages "
                          f"(median {a['median']:.0%})" for a in self.layout_alarms)
        sources = sorted({a["source"] for a in self.layout_alarms})
        return (f"layout alarm: {named}; their parses are held out of the snapshot: fix the layout file "
                f"(komo sources list), then {' and '.join(f'`komo reparse --source {s}`' for s in sources)}")

    def stats(self) -> dict[str, Any]:
        return {"crawl_runs": [c.run_id for c in self.crawls],
                "crawls": {c.source: c.status for c in self.crawls},
                "failed_sources": self.failed, "extraction": self.extraction,
                "classification": self.classification, "files": self.files,
                "links": self.links, "layout_alarms": self.layout_alarms}


@dataclass
class UpdateRun:
    """What every step sees: the home, the open working store, the options and the summary so far."""

    home: Home
    store: Store
    options: UpdateOptions
    summary: UpdateSummary
    echo: Callable[[str], Any]


class Step:
    """One step of the update; subclasses set `name` and override `run` (and `prepare`)."""

    name = "step"

    def prepare(self, run: UpdateRun) -> None:
        """Check inputs and load what the step needs, before any step writes."""

    def run(self, run: UpdateRun) -> None:
        raise NotImplementedError

    def after_publish(self, run: UpdateRun) -> None:
        """Work that reads the snapshot this update just published (the lock is still held)."""


class CrawlSources(Step):
    """Crawl each source; one failing (unreachable, a crawler crash) does not stop the others."""

    name = "crawl"

    def __init__(self) -> None:
        self.sources: list[Source] = []

    def prepare(self, run: UpdateRun) -> None:
        self.sources = load_sources(run.options)

    def run(self, run: UpdateRun) -> None:
        for source in self.sources:
            try:
                check_reachable(source.base_url)
                crawled = crawl_into(run.store, run.home, source,
                                     CrawlOptions(source.name, run.options.base_url, profile=run.options.profile,
                                                  budget=run.options.budget))
            except (SourceUnreachable, KomoError, OSError) as problem:
                run.summary.failed[source.name] = str(problem)
                run.echo(f"source {source.name}: skipped, {problem}")
                continue
            run.summary.crawls.append(crawled)
            run.summary.layout_alarms += crawled.alarms
            run.echo(crawled.line())
        killpoint("update_after_crawl")


class ReadFiles(Step):
    """The text of downloaded council files whose bytes or reader changed (pipeline/files.py);
    a file that cannot be read is a row of file_errors, never a failed update."""

    name = "files"

    def prepare(self, run: UpdateRun) -> None:
        from .files import load_config

        self.config = load_config()

    def run(self, run: UpdateRun) -> None:
        from .files import read_files_into

        summary = read_files_into(run.store, run.home, self.config, run.options.sources)
        run.summary.files = summary.stats()
        run.echo(summary.line())


class ExtractDocuments(Step):
    """Extract every document whose current version this extractor has not read."""

    name = "extract"

    def run(self, run: UpdateRun) -> None:
        from .extraction import extract_into

        run.summary.extraction = extract_into(run.store, run.home, n_process=run.options.processes)
        run.echo(f"extracted {run.summary.extraction['documents']} documents: "
                 f"{run.summary.extraction['mentions']} mentions")


class ClassifyDocuments(Step):
    """Label every document with the topic classifier."""

    name = "classify"

    def prepare(self, run: UpdateRun) -> None:
        from kommunalmonitor.models.classifier import DEFAULT_MODEL, load

        self.classifier = load(run.options.model_path or DEFAULT_MODEL)

    def run(self, run: UpdateRun) -> None:
        from .classify import classify_into

        run.summary.classification = classify_into(run.store, self.classifier).line()
        run.echo(run.summary.classification)


class LinkPressReleases(Step):
    """Press releases ↔ council papers (pipeline/links.py), after extraction: named bodies count."""

    name = "links"

    def prepare(self, run: UpdateRun) -> None:
        from .links import load_settings

        self.settings = load_settings()

    def run(self, run: UpdateRun) -> None:
        from .links import link_into

        result = link_into(run.store, self.settings)
        run.summary.links = result.__dict__
        run.echo(result.line())


class EvaluateAlerts(Step):
    """Once the snapshot is published: each saved search (`komo alerts`) writes its feed and a
    digest of what is new. A failing alert is reported; the update's own status stays."""

    name = "alerts"

    def run(self, run: UpdateRun) -> None:
        pass  # alerts read the published snapshot: after_publish

    def after_publish(self, run: UpdateRun) -> None:
        from .alerts import evaluate_after_publish

        try:
            results = evaluate_after_publish(run.home)
        except KomoError as problem:
            results = []
            run.summary.alerts_failed.append(str(problem))
            run.echo(f"alerts: failed, {problem}")
        for result in results:
            if result.error:
                run.summary.alerts_failed.append(result.line())
            run.echo(result.line())


def default_steps() -> list[Step]:
    """The nightly job's steps, in order (fresh objects: steps keep what they prepared)."""
    return [CrawlSources(), ReadFiles(), ExtractDocuments(), ClassifyDocuments(), LinkPressReleases(),
            EvaluateAlerts()]


def load_sources(options: UpdateOptions) -> list[Source]:
    names = list(options.sources) or available_sources()
    if options.base_url and len(names) != 1:
        raise KomoError("--base-url mirrors one source: name it with --source")
    return [load_source(CrawlOptions(source=name, base_url=options.base_url)) for name in names]


def update(home: Home, options: UpdateOptions = UpdateOptions(), echo: Callable[[str], Any] = logger.info,
           steps: list[Step] | None = None) -> UpdateSummary:
    """Run every step under the writer lock and publish the snapshot once. Status: ok, partial (a
    source failed) or failed (the run row says why; the snapshot stays the previous one)."""
    # A misspelt source is a usage error, before the lock is even taken.
    names = ",".join(source.name for source in load_sources(options))
    steps = default_steps() if steps is None else steps
    summary = UpdateSummary()
    with open_writer(home) as store:
        run = UpdateRun(home, store, options, summary, echo)
        for step in steps:
            step.prepare(run)  # slow start-up (model, spaCy) only once the lock is ours
        def failed_stats() -> dict[str, Any]:
            summary.status = "failed"
            return summary.stats()

        # A failed publish fails the run too, though it was finished before it.
        with store.run("update", names) as recorded:
            summary.run_id = recorded.run_id
            recorded.failure_stats = failed_stats
            for step in steps:
                step.run(run)
            failed = bool(summary.failed) or any(c.status not in ("ok", "alarm") for c in summary.crawls)
            # An alarm outranks a failed source: it needs a person to fix a layout file.
            summary.status = "alarm" if summary.layout_alarms else "partial" if failed else "ok"
            recorded.finish(summary.status, summary.stats())
            store.publish(home.published_db, runs=[summary.run_id])
        for step in steps:
            step.after_publish(run)
    return summary
