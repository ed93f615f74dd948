"""The DuckDB store: `Store` opens a store file and composes the operations by concern —
schema.py (migrations, transactions), runs.py (run rows and the `Store.run` block), loading.py
(crawl staging files, crawl state, nlp results), publishing.py (snapshots), reads.py; the
near-duplicate algorithm is duplicates.py.

Schema changes are numbered files in migrations/; `Store.migrate()` applies the missing
ones in order, each in its own transaction.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import duckdb

from kommunalmonitor.core.errors import KomoError, LockHeld, QueryTimeout, StoreDamaged

from .loading import LoadingMixin, LoadResult, staging_files
from .publishing import PublishingMixin, temporary_snapshots
from .reads import ReadsMixin, _first_line
from .runs import RunsMixin
from .schema import SchemaMixin, latest_schema_version

# Names callers import from here since before the split.
__all__ = ["LoadResult", "Store", "damaged", "is_damage", "latest_schema_version", "staging_files",
           "temporary_snapshots"]

# What DuckDB says when a file is not a store it can read: truncated, overwritten, corrupt.
_DAMAGE_SIGNS = ("Corrupt database file", "not a valid DuckDB database", "Could not read enough bytes",
                 "database has been invalidated", "Serialization Error", "checksum")
# Settings a locked-down reader fixes before locking the configuration (see Store.open_reader).
_READER_LOCKDOWN = ("SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
                    "SET allow_community_extensions = false", "SET enable_external_access = false",
                    "SET lock_configuration = true")


class Store(LoadingMixin, PublishingMixin, ReadsMixin, RunsMixin, SchemaMixin):
    """A connection to one store file with the operations komo needs."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, path: Path, read_only: bool):
        self.con = connection
        self.path = path
        self.read_only = read_only

    @classmethod
    @contextmanager
    def open(cls, path: Path, read_only: bool = False) -> Iterator[Store]:
        if read_only and not path.exists():
            raise KomoError(f"no store at {path}; run `komo crawl` (or `komo demo`) first")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            connection = duckdb.connect(str(path), read_only=read_only)
        except duckdb.Error as problem:
            raise _open_error(path, problem) from None
        store = cls(connection, path, read_only)
        try:
            if not read_only:
                store.migrate()
            yield store
        except duckdb.Error as problem:
            if is_damage(problem):
                raise damaged(path, problem) from None
            raise
        finally:
            connection.close()

    @classmethod
    @contextmanager
    def open_reader(cls, path: Path) -> Iterator[Store]:
        """A read-only store that cannot reach anything else: no ATTACH, no COPY TO, no reading or
        writing files, no installing or loading extensions, and no setting any of that back
        (DuckDB's enable_external_access + lock_configuration). What readers need (the fts
        extension) is loaded first. Every reader — sql, report, search, export, a web UI — uses it."""
        with cls.open(path, read_only=True) as store:
            from .search import load_fts

            load_fts(store.con)
            for statement in _READER_LOCKDOWN:
                store.con.execute(statement)
            yield store

    @contextmanager
    def time_limit(self, seconds: float | None) -> Iterator[None]:
        """Interrupt whatever runs on this connection after `seconds` (DuckDB has no statement
        timeout of its own); QueryTimeout then says so."""
        if not seconds:
            yield
            return
        timer = threading.Timer(seconds, self.con.interrupt)
        timer.daemon = True
        timer.start()
        try:
            yield
        except duckdb.InterruptException:
            raise QueryTimeout(f"the query ran longer than {seconds:g} s and was stopped; "
                               "narrow it, or raise --timeout") from None
        finally:
            timer.cancel()


def is_damage(problem: BaseException) -> bool:
    """Whether a DuckDB error means the file itself is damaged (not a bad query)."""
    text = str(problem)
    return isinstance(problem, duckdb.SerializationException) or any(sign in text for sign in _DAMAGE_SIGNS)


def damaged(path: Path, problem: BaseException) -> StoreDamaged:
    published = path.parent / "published" / path.name
    if path.parent.name == "published":
        advice = "rerun `komo update` (or any writing command) to publish a fresh snapshot"
    elif published.exists():
        advice = (f"restore the last snapshot (`cp {published} {path}`; what was written since is re-crawled by "
                  "the next update) or move the file away and run `komo update` to rebuild it")
    else:
        advice = "move the file away and run `komo update` to rebuild it from the sources"
    return StoreDamaged(f"the store {path} is damaged ({_first_line(problem)[:160]}); {advice}")


def _open_error(path: Path, problem: duckdb.Error) -> KomoError:
    text = _first_line(problem)
    if "Could not set lock" in text or "Conflicting lock" in text:
        return LockHeld(f"{path} is open for writing by another process; read the published snapshot "
                        "(the default) or wait for the writer to finish")
    if is_damage(problem):
        return damaged(path, problem)
    return KomoError(f"cannot open {path}: {text}")
