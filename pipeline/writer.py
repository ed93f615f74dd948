"""The one writer: take the lock, open the working store, and clean up after dead writers.

Every writing command (crawl, extract, classify, update) starts here, so whatever a killed run
left (staging files, runs still marked running) is settled before new work begins.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from .home import Home
from .lock import writer_lock
from .store import Store


@contextmanager
def open_writer(home: Home) -> Iterator[Store]:
    """The working store under the writer lock, with dead runs recovered or marked aborted."""
    from .crawl import recover

    home.ensure()
    with writer_lock(home.lock_path), Store.open(home.db) as store:
        recover(store, home)
        store.abort_unfinished_runs("interrupted: the process ended before the run finished")
        yield store
