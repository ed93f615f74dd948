"""The one writer: take the lock, open the working store, and clean up after dead writers.

Every writing command (crawl, extract, classify, update) starts here, and takes the lock before
anything slow (a model, spaCy) is loaded, so a rival exits at once. Whatever a killed run left
(staging files, runs still marked running or publishing, half-written snapshots) is settled
before new work begins.
"""

from __future__ import annotations

import logging
import shutil
from collections.abc import Iterator
from contextlib import contextmanager

from kommunalmonitor.core.home import Home
from kommunalmonitor.core.lock import writer_lock

from .store import Store

logger = logging.getLogger(__name__)


@contextmanager
def open_writer(home: Home) -> Iterator[Store]:
    """The working store under the writer lock, with dead runs recovered or marked aborted."""
    home.ensure()
    with writer_lock(home.lock_path), Store.open(home.db) as store:
        for stale in Store.remove_stale_snapshots(home.published_db.parent):
            logger.info("removed %s, a snapshot a killed publish left behind", stale)
        recover(store, home)
        store.abort_unfinished_runs("interrupted: the process ended before the run finished")
        yield store


def recover(store: Store, home: Home) -> list[int]:
    """Load what killed runs left in staging, and mark those runs aborted."""
    recovered = []
    for directory in sorted(home.staging_dir.glob("run-*")):
        run_id = int(directory.name.split("-", 1)[1])
        status = store.run_status(run_id)
        if status is not None and not status[1]:
            result = store.load_staging(directory, run_id)
            store.abort_run(run_id, f"recovered after a crash: {result.documents_new} new documents")
            logger.info("recovered run %s from staging: %s", run_id, result.to_dict())
            recovered.append(run_id)
        elif status is not None:
            store.abort_run(run_id, "killed after loading")
        shutil.rmtree(directory, ignore_errors=True)
    return recovered
