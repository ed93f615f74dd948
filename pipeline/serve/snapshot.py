"""The published snapshot as `komo serve` reads it: one sealed reader, reopened when a new
snapshot has been published.

Each request stats the snapshot file; when its identity (inode, mtime, size) changed since the
open, the pages still reading the old file finish first (their queries are bounded by the
time limit) and the new file is opened. DuckDB keeps one database instance per path in a
process, so the old one must be closed before the new file can be opened under the same path.
The publisher replaces the file by rename and never holds it open for writing, so opening it
never waits for `komo update`, and `komo update` never waits for the server.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError

from ..store import Store
from ..store.browse import Browser, QueryLog


class NoSnapshot(KomoError):
    """No published snapshot to read yet."""


@dataclass
class _Opened:
    identity: tuple[int, ...]
    stack: ExitStack
    store: Store
    info: dict[str, Any]
    refs: int = 0


@dataclass
class Reading:
    """What a page reads through: `con` logs every statement (for `?sql=1`); `path` names the file
    (search() reports it in errors); `info` describes the snapshot (counts, last run)."""

    con: QueryLog
    path: Path
    info: dict[str, Any] = field(default_factory=dict)


class SnapshotPool:
    """The current snapshot's sealed reader, shared by all requests; a cursor per request."""

    def __init__(self, path: Path, timeout: float):
        self.path = path
        self.timeout = timeout
        self._condition = threading.Condition()
        self._current: _Opened | None = None
        self.opened = 0  # how many snapshots were opened (the server's status line shows it)

    def _identity(self) -> tuple[int, ...]:
        try:
            stat = os.stat(self.path)
        except FileNotFoundError:
            raise NoSnapshot(f"no published snapshot at {self.path} yet: run `komo update` (or `komo crawl`) "
                             "first; this page shows it as soon as it exists") from None
        return stat.st_dev, stat.st_ino, stat.st_mtime_ns, stat.st_size

    def _acquire(self) -> _Opened:
        with self._condition:
            while True:
                identity = self._identity()
                current = self._current
                if current is not None and current.identity == identity:
                    current.refs += 1
                    return current
                if current is not None:
                    if current.refs:
                        self._condition.wait(0.5)  # pages on the old snapshot finish first
                        continue
                    self._current = None
                    current.stack.close()
                stack = ExitStack()
                try:
                    store = stack.enter_context(Store.open_reader(self.path))
                    browser = Browser(store.con)
                    info = {**browser.overview(), **browser.filter_values()}
                except BaseException:
                    stack.close()
                    raise
                self.opened += 1
                self._current = _Opened(identity, stack, store, info, refs=1)
                return self._current

    def _release(self, opened: _Opened) -> None:
        with self._condition:
            opened.refs -= 1
            self._condition.notify_all()

    @contextmanager
    def reader(self) -> Iterator[Reading]:
        """A cursor on the current snapshot for one request, interrupted after `timeout` seconds."""
        opened = self._acquire()
        try:
            cursor = opened.store.con.cursor()
            timer = threading.Timer(self.timeout, cursor.interrupt)
            timer.daemon = True
            timer.start()
            try:
                yield Reading(QueryLog(cursor), self.path, opened.info)
            finally:
                timer.cancel()
                cursor.close()
        finally:
            self._release(opened)

    def close(self) -> None:
        with self._condition:
            if self._current is not None:
                self._current.stack.close()
                self._current = None
