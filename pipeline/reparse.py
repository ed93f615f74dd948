"""`komo reparse --source N`: read a source's held pages again from their kept raw copies (no request)
with the source's layout file as it is now, and — when its rules hold again — let the parses into the
store, extract, classify and publish them. The step runs inside the nightly job's machinery
(pipeline/update.py), so it takes the writer lock and publishes once, like `komo update`."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.sources import Source
from kommunalmonitor.crawler.spiders.press import article_item, layout_check, read_kept_article
from kommunalmonitor.crawler.staging import StagingWriter

from .crawl import CrawlOptions, CrawlSummary, load_source
from .layout_alarm import load_alarm_rules
from .store import Store
from .store.layout_checks import held_pages, open_alarms, release_held
from .update import ClassifyDocuments, EvaluateAlerts, ExtractDocuments, Step, UpdateRun


@dataclass
class ReparseSummary(CrawlSummary):
    def line(self) -> str:
        s = self.stats
        alarms = "".join(f"; LAYOUT ALARM: rule {a['rule']} still held on only {a['share']:.0%} of {a['pages']} pages"
                         for a in s.get("layout_alarms") or [])
        missing = f", {s['missing_raw']} kept pages missing" if s.get("missing_raw") else ""
        return (f"reparse run {self.run_id} ({self.source}): {self.status}; {s.get('pages', 0)} held pages read again "
                f"from raw/ (0 requests){missing}; documents: {s.get('documents_new', 0)} new, "
                f"{s.get('documents_changed', 0)} changed, {s.get('documents_unchanged', 0)} unchanged; "
                f"{s.get('released', 0)} pages released" + alarms)


def reparse_into(store: Store, home: Home, source: Source) -> ReparseSummary:
    """Re-parse the source's held pages into an open working store; no publishing."""
    held = held_pages(store.con, source.name)
    with store.run("reparse", source.name) as run:
        run_id = run.run_id
        staging = home.staging_dir / f"run-{run_id}"
        writer = StagingWriter(staging)
        missing = 0
        # Canonical URLs as the crawl wrote them: of the host the page came from (a mirror: --base-url).
        by_origin: dict[str, Source] = {}
        try:
            for native_id, url, raw_ref, checked_at in held:
                origin = "{0.scheme}://{0.netloc}".format(urlsplit(url))
                if origin not in by_origin:
                    by_origin[origin] = Source.load(source.path, base_url=origin)
                page_source = by_origin[origin]
                try:
                    read = read_kept_article(home.root, raw_ref, url, page_source) if raw_ref else None
                except OSError:
                    read = None
                if read is None:
                    missing += 1  # `komo gc` never removes a held page's copy; a hand-deleted one stays held
                    continue
                writer.write("layout", layout_check(source.name, native_id, url, raw_ref, read))
                if read.layout_error is None:
                    writer.write("items", article_item(page_source, native_id, {url}, read, raw_ref,
                                                       checked_at.isoformat()))
            writer.close()
            result = store.load_staging(staging, run_id, load_alarm_rules())
        finally:
            writer.close()
            shutil.rmtree(staging, ignore_errors=True)
        stats: dict[str, Any] = {**result.to_dict(), "pages": len(held) - missing, "missing_raw": missing}
        stats["released"] = 0 if result.layout_alarms else release_held(store.con, source.name, run_id)
        status = "alarm" if result.layout_alarms else "ok"
        run.finish(status, stats)
        return ReparseSummary(run_id, source.name, status, stats)


class ReparseSource(Step):
    """Re-parse one press source's held pages (the first step of `komo reparse`)."""

    name = "reparse"

    def __init__(self, source: str) -> None:
        self.source_name = source

    def prepare(self, run: UpdateRun) -> None:
        source = load_source(CrawlOptions(source=self.source_name))
        if not isinstance(source, Source):
            raise KomoError(f"{self.source_name} is a council source; `komo reparse` re-reads press archive pages")
        self.source = source

    def run(self, run: UpdateRun) -> None:
        if not held_pages(run.store.con, self.source.name) and not open_alarms(run.store.con, self.source.name):
            run.echo(f"source {self.source.name}: no held pages, nothing to re-parse")
        summary = reparse_into(run.store, run.home, self.source)
        run.summary.crawls.append(summary)
        run.summary.layout_alarms += summary.alarms
        run.echo(summary.line())


def reparse_steps(source: str) -> list[Step]:
    """Re-parse, then extract and classify what changed; update() publishes and runs the alerts."""
    return [ReparseSource(source), ExtractDocuments(), ClassifyDocuments(), EvaluateAlerts()]
