"""SessionNet councils: adding one as a source, and one crawl of one council.

A SessionNet crawl runs like an OParl one (pipeline/council.py): state out of the store into a file,
Scrapy in a subprocess writing staging files in the OParl object model, one load in one
transaction (store/council.py), then the votes of new or changed agenda items (council_votes.py).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.sessionnet import SessionNetSource, SessionNetSourceError, source_toml

from .council import CouncilCrawlSummary, run_council_crawl, write_user_source
from .crawl import CrawlOptions
from .store import Store
from .store import council as council_store
from .store import sessionnet as sessionnet_store
from .store import votes as vote_store


class SessionNetCrawlSummary(CouncilCrawlSummary):
    held_types = (("Meeting", "meetings"), ("AgendaItem", "agenda items"), ("Paper", "papers"), ("File", "files"))

    def line(self) -> str:
        s = self.stats
        c = s.get("council") or {}
        votes = s.get("votes") or {}
        return (
            f"{self.opening()}{c.get('objects_unchanged', 0)} unchanged; {c.get('downloads', 0)} files downloaded; "
            f"{votes.get('items_read', 0)} agenda items read for votes, {votes.get('votes_found', 0)} votes; "
            f"{s.get('errors', 0)} errors; stored: {self.held()}, {(s.get('stored') or {}).get('votes', 0)} votes"
        )


def crawl_sessionnet_into(store: Store, home: Home, source: SessionNetSource, options: CrawlOptions,
                          progress: Callable[[int], None] | None = None) -> SessionNetCrawlSummary:
    """One crawl of one SessionNet council into an open working store (no publishing)."""
    job_fields = dict(kind="sessionnet", base_url=options.base_url, profile=options.profile,
                      settings=options.settings, full=options.full,
                      since=options.since.isoformat() if options.since else None, today=date.today().isoformat(),
                      max_pages=options.max_pages)
    run_id, status, stats = run_council_crawl(
        store, home, source, sessionnet_store.crawl_state(store.con, source.name), job_fields,
        lambda: {**council_store.counts(store.con, source.name), **vote_store.vote_counts(store.con, source.name)},
        "incomplete: calendar months ", progress)
    return SessionNetCrawlSummary(run_id, source.name, status, stats)


def add_sessionnet_source(home: Home, name: str, url: str, title: str = "", first_month: str | None = None,
                          extension: str | None = None, replace: bool = False) -> Path:
    """Write $KOMO_HOME/sources/NAME.toml for a SessionNet's address; returns its path."""
    return write_user_source(home, name, lambda: source_toml(name, url, title, first_month, extension),
                             SessionNetSource, (SessionNetSourceError, ValueError), replace)
