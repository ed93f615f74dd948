"""Publishing: a complete, checked read-only snapshot of the store renamed into place."""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from pathlib import Path

import duckdb

from kommunalmonitor.core.errors import StoreDamaged
from kommunalmonitor.core.faults import killpoint

from .schema import SchemaMixin

# Snapshots being written are named `.<name>.<pid>.tmp` beside the published file.
_TEMP_SNAPSHOT = re.compile(r"^\..+\.\d+\.tmp$")


class PublishingMixin(SchemaMixin):

    def publish(self, target: Path, runs: Sequence[int] = ()) -> None:
        """Write a complete read-only snapshot beside `target`, check it, then rename it into place:
        readers see the old file or the new one, never a half-written run. The full-text index
        (search.py) is brought up to date in this store first, so the copy carries it.

        `runs` (finished in this store) become final only with the snapshot: they are 'publishing'
        until it is in place, and a kill meanwhile leaves them for the next writer to abort; in the
        snapshot itself they already carry their final status."""
        from .search import refresh_index

        final = dict(self.con.execute(
            "SELECT run_id, status FROM runs WHERE list_contains(?, run_id)", [list(runs)]).fetchall())
        self.con.execute("UPDATE runs SET status = 'publishing' WHERE list_contains(?, run_id)", [list(final)])
        try:
            refresh_index(self)
            target.parent.mkdir(parents=True, exist_ok=True)
            temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
            temporary.unlink(missing_ok=True)
            database = self.con.execute("SELECT current_database()").fetchone()[0]
            # ATTACH takes no bound parameters; the path is ours (beside the store), quoted.
            self.con.execute(f"ATTACH {_string_literal(str(temporary))} AS komo_snapshot")
            try:
                self.con.execute(f"COPY FROM DATABASE {_identifier(database)} TO komo_snapshot")
                for run_id, status in final.items():
                    self.con.execute("UPDATE komo_snapshot.runs SET status = ? WHERE run_id = ?", [status, run_id])
            finally:
                self.con.execute("DETACH komo_snapshot")
            killpoint("publish")
            self._check_snapshot(temporary)
            os.replace(temporary, target)
        except BaseException as problem:
            self.con.execute("UPDATE runs SET status = 'failed', message = ? WHERE list_contains(?, run_id)",
                             [f"publish failed: {type(problem).__name__}: {problem}"[:300], list(final)])
            raise
        for run_id, status in final.items():
            self.con.execute("UPDATE runs SET status = ? WHERE run_id = ?", [status, run_id])

    def _check_snapshot(self, snapshot: Path) -> None:
        """The copy opens and holds what this store holds, or it is not published."""
        expected = self.con.execute("SELECT count(*) FROM documents").fetchone()[0]
        with duckdb.connect(str(snapshot), read_only=True) as copy:
            found = copy.execute("SELECT count(*) FROM documents").fetchone()[0]
        if found != expected:
            snapshot.unlink(missing_ok=True)
            raise StoreDamaged(f"the snapshot copy holds {found} documents, the store {expected}: not published")

    @staticmethod
    def remove_stale_snapshots(published_dir: Path) -> list[Path]:
        """Temporary snapshots a killed publish left behind; only the lock holder may call this."""
        stale = temporary_snapshots(published_dir)
        for path in stale:
            path.unlink(missing_ok=True)
        return stale


def temporary_snapshots(published_dir: Path) -> list[Path]:
    """Snapshots being written (or left half-written by a killed publish) in `published_dir`."""
    return [p for p in published_dir.glob(".*.tmp") if _TEMP_SNAPSHOT.match(p.name)] \
        if published_dir.is_dir() else []


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
