"""Run bookkeeping: one `runs` row per writing command, started, then finished or failed.

`Store.run(...)` is the one home of the start / try / finish pattern; `RunsMixin` holds the
row-level operations the writer and doctor use.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import duckdb


def utcnow() -> datetime:
    """Now in UTC, naive: how the store keeps its timestamps."""
    return datetime.now(UTC).replace(tzinfo=None)


def failure_message(problem: BaseException) -> str:
    """What a failed run's row says about the exception that ended it."""
    return f"{type(problem).__name__}: {problem}"[:300]


@dataclass
class Run:
    """An open run row. `finish` records the outcome; without it a clean exit records 'ok' with
    `stats()`, and an exception records 'failed' with `failure_stats()` (default: `stats()`)."""

    store: RunsMixin
    run_id: int
    stats: Callable[[], dict[str, Any]] = dict
    failure_stats: Callable[[], dict[str, Any]] | None = None
    finished: bool = field(default=False, init=False)

    def finish(self, status: str, stats: dict[str, Any], message: str = "") -> None:
        self.store.finish_run(self.run_id, status, stats, message)
        self.finished = True


class RunsMixin:
    con: duckdb.DuckDBPyConnection

    @contextmanager
    def run(self, command: str, source: str | None = None) -> Iterator[Run]:
        """Start a run row; finish it when the block ends, as 'failed' (with the exception's
        name and text) when an Exception leaves it — the exception still propagates."""
        run = Run(self, self.start_run(command, source))
        try:
            yield run
        except Exception as problem:
            self.finish_run(run.run_id, "failed", (run.failure_stats or run.stats)(), failure_message(problem))
            raise
        if not run.finished:
            run.finish("ok", run.stats())

    def start_run(self, command: str, source: str | None) -> int:
        row = self.con.execute(
            "INSERT INTO runs (command, source, started_at, status) VALUES (?, ?, ?, 'running') "
            "RETURNING run_id",
            [command, source, utcnow()],
        ).fetchone()
        return int(row[0])

    def finish_run(self, run_id: int, status: str, stats: dict[str, Any], message: str = "") -> None:
        self.con.execute(
            "UPDATE runs SET finished_at = ?, status = ?, stats = ?, message = ? WHERE run_id = ?",
            [utcnow(), status, json.dumps(stats, default=str), message, run_id],
        )

    def run_status(self, run_id: int) -> tuple[str, bool] | None:
        row = self.con.execute("SELECT status, staging_loaded FROM runs WHERE run_id = ?",
                               [run_id]).fetchone()
        return (row[0], bool(row[1])) if row else None

    def abort_run(self, run_id: int, message: str) -> None:
        self.con.execute(
            "UPDATE runs SET status = 'aborted', finished_at = coalesce(finished_at, ?), "
            "message = ? WHERE run_id = ? AND status = 'running'",
            [utcnow(), message, run_id],
        )

    def abort_unfinished_runs(self, message: str) -> int:
        """Mark runs still 'running' or 'publishing' as aborted; only called by a writer holding the
        lock, when no other run can be alive."""
        aborted = self.con.execute(
            "UPDATE runs SET status = 'aborted', finished_at = coalesce(finished_at, ?), message = ? "
            "WHERE status = 'running'", [utcnow(), message]).fetchone()[0]
        return aborted + self.con.execute(
            "UPDATE runs SET status = 'aborted', message = ? WHERE status = 'publishing'",
            ["killed while publishing: the snapshot was not replaced"]).fetchone()[0]
