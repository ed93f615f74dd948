"""The store's schema: numbered migrations applied in order, transactions, version checks."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

import duckdb

from kommunalmonitor.core.errors import KomoError

from .runs import utcnow as _utcnow

logger = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")


class SchemaMixin:
    """Migrations, transactions and the schema version of the store at `self.con`."""

    con: duckdb.DuckDBPyConnection
    path: Path

    def migrate(self) -> list[int]:
        self.con.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            "version INTEGER PRIMARY KEY, name VARCHAR NOT NULL, applied_at TIMESTAMP NOT NULL)"
        )
        done = {row[0] for row in self.con.execute("SELECT version FROM schema_migrations").fetchall()}
        applied = []
        for name, sql in _migrations():
            version = int(name[:3])
            if version in done:
                continue
            with self.transaction():
                self.con.execute(sql)
                self.con.execute("INSERT INTO schema_migrations VALUES (?, ?, ?)",
                                 [version, name, _utcnow()])
            applied.append(version)
            logger.info("applied migration %s", name)
        return applied

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """BEGIN … COMMIT, or ROLLBACK when anything (a kill point, Ctrl-C) interrupts the block."""
        self.con.execute("BEGIN")
        try:
            yield
            self.con.execute("COMMIT")
        except BaseException:
            try:
                self.con.execute("ROLLBACK")
            except duckdb.Error:  # an invalidated database cannot roll back; the first error tells why
                pass
            raise

    def schema_version(self) -> int:
        row = self.con.execute("SELECT max(version) FROM schema_migrations").fetchone()
        return int(row[0] or 0)

    def require_schema(self, version: int, what: str) -> None:
        """A clear error when a reader opens a snapshot written by an older komo."""
        found = self.schema_version()
        if found < version:
            raise KomoError(f"{self.path} has schema version {found}, {what} needs {version}: "
                            "run `komo extract` (or the nightly update) once to migrate and republish it")


def latest_schema_version() -> int:
    """The schema version this komo migrates a store to (its newest migration)."""
    return max(int(name[:3]) for name, _ in _migrations())


def _migrations() -> list[tuple[str, str]]:
    folder = resources.files("kommunalmonitor.pipeline.store").joinpath("migrations")
    found = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir()
                   if _MIGRATION_NAME.match(p.name))
    return found
