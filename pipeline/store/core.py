"""The DuckDB store: opening, migrating, loading crawls and nlp results, publishing.

Schema changes are numbered files in migrations/; `Store.migrate()` applies the missing
ones in order, each in its own transaction.
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb

from kommunalmonitor.core.errors import KomoError, LockHeld, QueryRefused, QueryTimeout, StoreDamaged
from kommunalmonitor.core.faults import killpoint

from .council import load_council_staging
from .duplicates import update_links
from .layout_checks import AlarmRules, load_layout_checks
from .runs import RunsMixin

logger = logging.getLogger(__name__)

# What DuckDB says when a file is not a store it can read: truncated, overwritten, corrupt.
_DAMAGE_SIGNS = ("Corrupt database file", "not a valid DuckDB database", "Could not read enough bytes",
                 "database has been invalidated", "Serialization Error", "checksum")
# Settings a locked-down reader fixes before locking the configuration (see Store.open_reader).
_READER_LOCKDOWN = ("SET autoinstall_known_extensions = false", "SET autoload_known_extensions = false",
                    "SET allow_community_extensions = false", "SET enable_external_access = false",
                    "SET lock_configuration = true")
# Snapshots being written are named `.<name>.<pid>.tmp` beside the published file.
_TEMP_SNAPSHOT = re.compile(r"^\..+\.\d+\.tmp$")

_MIGRATION_NAME = re.compile(r"^(\d{3})_[a-z0-9_]+\.sql$")

# Column types of the staging files the crawler writes (see crawler/staging.py).
_ITEM_COLUMNS = {
    "source": "VARCHAR", "native_id": "VARCHAR", "canonical_url": "VARCHAR",
    "url_forms": "VARCHAR[]", "title": "VARCHAR", "published": "DATE", "sender": "VARCHAR",
    "category": "VARCHAR", "body": "VARCHAR", "archive_year": "INTEGER",
    "footer_addresses": "VARCHAR[]", "visitor_count": "INTEGER", "content_hash": "VARCHAR",
    "raw_ref": "VARCHAR", "fetched_at": "TIMESTAMP",
}
_FORM_COLUMNS = {"source": "VARCHAR", "native_id": "VARCHAR", "url": "VARCHAR",
                 "fingerprint": "VARCHAR"}
_ERROR_COLUMNS = {"source": "VARCHAR", "url": "VARCHAR", "native_id": "VARCHAR",
                  "kind": "VARCHAR", "status": "INTEGER", "reason": "VARCHAR",
                  "transient": "BOOLEAN", "failed_at": "TIMESTAMP"}
_PAGE_COLUMNS = {"source": "VARCHAR", "url": "VARCHAR", "kind": "VARCHAR", "reason": "VARCHAR",
                 "status": "INTEGER", "raw_ref": "VARCHAR", "note": "VARCHAR",
                 "fetched_at": "TIMESTAMP"}


def _utcnow() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def _columns_literal(columns: dict[str, str]) -> str:
    # read_json needs its column spec as a literal struct; names and types are ours, not input.
    return "{" + ", ".join(f"'{name}': '{kind}'" for name, kind in columns.items()) + "}"


@dataclass
class LoadResult:
    documents_new: int = 0
    documents_changed: int = 0
    documents_unchanged: int = 0
    errors: int = 0
    requests: int = 0
    requests_by_reason: dict[str, int] | None = None
    skipped_lines: int = 0
    council: dict[str, Any] | None = None  # what a council (OParl) crawl changed: store/council.py
    duplicates: dict[str, int] | None = None  # near-duplicates signed and linked: store/duplicates.py
    layout_alarms: list[dict[str, Any]] | None = None  # rules that stopped matching: store/layout_checks.py

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


class Store(RunsMixin):
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

    # -- schema -------------------------------------------------------------------------------

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

    # -- runs ---------------------------------------------------------------------------------

    def require_schema(self, version: int, what: str) -> None:
        """A clear error when a reader opens a snapshot written by an older komo."""
        found = self.schema_version()
        if found < version:
            raise KomoError(f"{self.path} has schema version {found}, {what} needs {version}: "
                            "run `komo extract` (or the nightly update) once to migrate and republish it")

    def run_status(self, run_id: int) -> tuple[str, bool] | None:
        row = self.con.execute("SELECT status, staging_loaded FROM runs WHERE run_id = ?",
                               [run_id]).fetchone()
        return (row[0], bool(row[1])) if row else None

    def abort_run(self, run_id: int, message: str) -> None:
        self.con.execute(
            "UPDATE runs SET status = 'aborted', finished_at = coalesce(finished_at, ?), "
            "message = ? WHERE run_id = ? AND status = 'running'",
            [_utcnow(), message, run_id],
        )

    def abort_unfinished_runs(self, message: str) -> int:
        """Mark runs still 'running' or 'publishing' as aborted; only called by a writer holding the
        lock, when no other run can be alive."""
        aborted = self.con.execute(
            "UPDATE runs SET status = 'aborted', finished_at = coalesce(finished_at, ?), message = ? "
            "WHERE status = 'running'", [_utcnow(), message]).fetchone()[0]
        return aborted + self.con.execute(
            "UPDATE runs SET status = 'aborted', message = ? WHERE status = 'publishing'",
            ["killed while publishing: the snapshot was not replaced"]).fetchone()[0]

    # -- incremental crawl state --------------------------------------------------------------

    def crawl_state(self, source: str, recheck_recent: int, retry_after: timedelta) -> dict[str, Any]:
        """What the spider needs to crawl incrementally, as plain data."""
        known = dict(self.con.execute(
            "SELECT native_id, listing_fingerprint FROM documents WHERE source = ?", [source]
        ).fetchall())
        recheck = [row[0] for row in self.con.execute(
            "SELECT native_id FROM documents WHERE source = ? "
            "ORDER BY published DESC NULLS LAST, try_cast(native_id AS BIGINT) DESC NULLS LAST, "
            "native_id DESC LIMIT ?",
            [source, recheck_recent],
        ).fetchall()]
        cutoff = _utcnow() - retry_after
        failures = self.con.execute(
            """
            SELECT native_id, arg_max(transient, failed_at) AND max(failed_at) < ? AS due
            FROM crawl_errors
            WHERE source = ? AND kind = 'article' AND native_id IS NOT NULL
              AND native_id NOT IN (SELECT native_id FROM documents WHERE source = ?)
            GROUP BY native_id
            """,
            [cutoff, source, source],
        ).fetchall()
        return {
            "known": known,
            "recheck": recheck,
            "retry_due": sorted(n for n, due in failures if due),
            "failed_hold": sorted(n for n, due in failures if not due),
        }

    def duplicate_fetches(self, run_id: int) -> int:
        """Article pages a run fetched successfully more than once (several workers: a dead worker's
        leases fetched again by another); 0 in a crawl without faults."""
        return int(self.con.execute(
            "SELECT coalesce(sum(n - 1), 0) FROM (SELECT url, count(*) AS n FROM pages WHERE run_id = ? "
            "AND kind = 'article' AND status BETWEEN 200 AND 299 GROUP BY url) WHERE n > 1", [run_id]).fetchone()[0])

    # -- loading ------------------------------------------------------------------------------

    def load_staging(self, directory: Path, run_id: int, alarm_rules: AlarmRules | None = None) -> LoadResult:
        """Load one crawl's staging files in a single transaction; safe to repeat after a crash.
        A source whose layout rules stopped matching (`alarm_rules`) has its parsed pages held back."""
        result = LoadResult()
        now = _utcnow()
        with self.transaction():
            items = staging_files(directory, "items")
            if items:
                self._stage("staged_items", items, _ITEM_COLUMNS,
                            "native_id IS NOT NULL AND body IS NOT NULL")
            alarms = load_layout_checks(self.con, staging_files(directory, "layout"), run_id, now,
                                        alarm_rules or AlarmRules())
            if alarms:
                result.layout_alarms = [alarm.to_dict() for alarm in alarms]
            if items:
                self._upsert_documents(run_id, now, result)
            forms = staging_files(directory, "forms")
            if forms:
                self._stage("staged_forms", forms, _FORM_COLUMNS, "native_id IS NOT NULL AND url IS NOT NULL")
                self._merge_url_forms()
            errors = staging_files(directory, "errors")
            if errors:
                self._stage("staged_errors", errors, _ERROR_COLUMNS, "url IS NOT NULL AND reason IS NOT NULL")
                result.errors = self.con.execute(
                    "INSERT INTO crawl_errors SELECT ?, source, url, native_id, kind, status, reason, "
                    "coalesce(transient, true), failed_at FROM staged_errors", [run_id]
                ).fetchone()[0]
            pages = staging_files(directory, "pages")
            if pages:
                self._stage("staged_pages", pages, _PAGE_COLUMNS,
                            "url IS NOT NULL AND fetched_at IS NOT NULL")
                self.con.execute(
                    "INSERT INTO pages SELECT ?, source, url, kind, reason, status, raw_ref, note, "
                    "fetched_at FROM staged_pages", [run_id]
                )
                by_reason = self.con.execute(
                    "SELECT reason, count(*) FROM staged_pages GROUP BY reason ORDER BY reason"
                ).fetchall()
                result.requests_by_reason = {reason: n for reason, n in by_reason}
                result.requests = sum(result.requests_by_reason.values())
            council = load_council_staging(self.con, directory, run_id, now)
            if council is not None:
                result.council = council.to_dict()
            result.duplicates = update_links(self.con, presigned=staging_files(directory, "signatures")).__dict__
            self.con.execute("UPDATE runs SET staging_loaded = true WHERE run_id = ?", [run_id])
            killpoint("store_load")
        for name in ("staged_items", "staged_forms", "staged_errors", "staged_pages"):
            self.con.execute(f"DROP TABLE IF EXISTS {name}")
        return result

    def _stage(self, table: str, path: Path | list[Path], columns: dict[str, str], required: str) -> None:
        # Torn last lines (a killed writer) read as all-NULL rows and are dropped by `required`.
        # Table, columns and condition are constants of this module; the path is bound.
        self.con.execute(
            f"CREATE OR REPLACE TEMP TABLE {table} AS SELECT * FROM read_json(?, "  # noqa: S608
            f"format = 'newline_delimited', columns = {_columns_literal(columns)}, "
            f"ignore_errors = true) WHERE {required}",
            [[str(p) for p in path] if isinstance(path, list) else str(path)],
        )

    def _upsert_documents(self, run_id: int, now: datetime, result: LoadResult) -> None:
        self.con.execute(
            "CREATE OR REPLACE TEMP TABLE batch AS SELECT * FROM staged_items "
            "QUALIFY row_number() OVER (PARTITION BY source, native_id ORDER BY fetched_at DESC) = 1"
        )
        counts = self.con.execute(
            """
            SELECT count(*) FILTER (WHERE d.native_id IS NULL),
                   count(*) FILTER (WHERE d.native_id IS NOT NULL AND d.content_hash <> b.content_hash),
                   count(*) FILTER (WHERE d.content_hash = b.content_hash)
            FROM batch b LEFT JOIN documents d USING (source, native_id)
            """
        ).fetchone()
        result.documents_new, result.documents_changed, result.documents_unchanged = counts
        self.con.execute(
            """
            INSERT INTO document_versions
            SELECT source, native_id, content_hash, title, published, sender, category, body,
                   raw_ref, fetched_at, ?
            FROM batch ON CONFLICT DO NOTHING
            """,
            [run_id],
        )
        self.con.execute(
            """
            INSERT INTO documents (source, native_id, canonical_url, url_forms, title, published,
                sender, category, body, archive_year, footer_addresses, visitor_count,
                content_hash, first_seen, last_seen, last_changed, raw_ref, run_id)
            SELECT source, native_id, canonical_url, list_sort(list_distinct(url_forms)), title,
                published, sender, category, body, archive_year, footer_addresses, visitor_count,
                content_hash, fetched_at, fetched_at, fetched_at, raw_ref, ?
            FROM batch
            ON CONFLICT (source, native_id) DO UPDATE SET
                canonical_url = excluded.canonical_url,
                url_forms = list_sort(list_distinct(list_concat(documents.url_forms, excluded.url_forms))),
                title = excluded.title,
                published = excluded.published,
                sender = excluded.sender,
                category = excluded.category,
                body = excluded.body,
                archive_year = excluded.archive_year,
                footer_addresses = excluded.footer_addresses,
                visitor_count = excluded.visitor_count,
                last_changed = CASE WHEN documents.content_hash <> excluded.content_hash
                                    THEN excluded.last_seen ELSE documents.last_changed END,
                content_hash = excluded.content_hash,
                last_seen = greatest(documents.last_seen, excluded.last_seen),
                raw_ref = excluded.raw_ref,
                run_id = excluded.run_id
            """,
            [run_id],
        )
        # URL forms seen while the article was not stored yet (a backfill stopped at its budget).
        self.con.execute(
            """
            UPDATE documents SET url_forms = list_sort(list_distinct(list_concat(documents.url_forms, p.urls)))
            FROM (SELECT source, native_id, list(url) AS urls FROM pending_url_forms
                  WHERE (source, native_id) IN (SELECT source, native_id FROM batch) GROUP BY ALL) AS p
            WHERE documents.source = p.source AND documents.native_id = p.native_id
            """
        )
        self.con.execute("DELETE FROM pending_url_forms WHERE (source, native_id) IN "
                         "(SELECT source, native_id FROM batch)")

    def _merge_url_forms(self) -> None:
        self.con.execute(
            """
            UPDATE documents SET
                url_forms = list_sort(list_distinct(list_concat(documents.url_forms, f.urls))),
                listing_fingerprint = coalesce(f.fingerprint, documents.listing_fingerprint)
            FROM (
                SELECT source, native_id, list(DISTINCT url) AS urls, max(fingerprint) AS fingerprint
                FROM staged_forms GROUP BY source, native_id
            ) AS f
            WHERE documents.source = f.source AND documents.native_id = f.native_id
            """
        )
        self.con.execute(
            "INSERT INTO pending_url_forms SELECT DISTINCT f.source, f.native_id, f.url FROM staged_forms f "
            "ANTI JOIN documents d ON d.source = f.source AND d.native_id = f.native_id ON CONFLICT DO NOTHING"
        )

    # -- extraction ---------------------------------------------------------------------------

    def documents_to_extract(self, extractor_version: str,
                             everything: bool = False) -> list[tuple[str, str, str, Any, str, str | None]]:
        """(source, native_id, body, published, content_hash, title) of documents whose current
        version this extractor has not read yet."""
        rows = self.con.execute(
            """
            SELECT d.source, d.native_id, d.body, d.published, d.content_hash, d.title
            FROM documents d LEFT JOIN extractions e USING (source, native_id)
            WHERE ? OR e.native_id IS NULL OR e.content_hash <> d.content_hash
               OR e.extractor_version <> ?
            ORDER BY d.source, d.native_id
            """,
            [everything, extractor_version],
        ).fetchall()
        return rows

    def replace_mentions(self, mentions: Any, extractions: Any) -> None:
        """Swap in the mentions of a batch of documents (Arrow tables), in one transaction:
        re-extraction replaces, never duplicates."""
        self.con.register("new_mentions", mentions)
        self.con.register("new_extractions", extractions)
        try:
            with self.transaction():
                self.con.execute(
                    "DELETE FROM mentions WHERE (source, native_id) IN "
                    "(SELECT source, native_id FROM new_extractions)")
                self.con.execute("INSERT INTO mentions BY NAME SELECT * FROM new_mentions")
                self.con.execute("INSERT OR REPLACE INTO extractions SELECT * FROM new_extractions")
                killpoint("store_mentions")
        finally:
            self.con.unregister("new_mentions")
            self.con.unregister("new_extractions")

    def replace_districts(self, rows: list[dict[str, Any]]) -> int:
        """Replace the whole `districts` table with `rows` (city, district, stadtbezirk, source,
        archive_code; the last two may be None) in one transaction; returns the row count."""
        values = [[r["city"], r["district"], r.get("stadtbezirk"), r.get("source"), r.get("archive_code")]
                  for r in rows]
        with self.transaction():
            self.con.execute("DELETE FROM districts")
            if values:
                self.con.executemany(
                    "INSERT INTO districts (city, district, stadtbezirk, source, archive_code) "
                    "VALUES (?, ?, ?, ?, ?)", values)
        return len(values)

    # -- topics -------------------------------------------------------------------------------

    def documents_to_classify(self, after: tuple[str, str] | None,
                              limit: int) -> list[tuple[str, str, str | None, str]]:
        """The next `limit` documents as (source, native_id, title, body), in key order after `after`."""
        source, native_id = after or ("", "")
        return self.con.execute(
            "SELECT source, native_id, title, body FROM documents "
            "WHERE (source, native_id) > (?, ?) ORDER BY source, native_id LIMIT ?",
            [source, native_id, limit],
        ).fetchall()

    def replace_topics(self, columns: dict[str, list[Any]], model_name: str) -> int:
        """Replace `model_name`'s topic rows of the documents in `columns` (one transaction).

        `columns` holds the topics table's columns as lists; re-classifying with the same model
        replaces the rows, so a rerun is always safe.
        """
        import pyarrow as pa

        batch = pa.table(columns)
        self.con.register("topic_batch", batch)
        try:
            with self.transaction():
                self.con.execute(
                    "DELETE FROM topics WHERE model_name = ? AND (source, native_id) IN "
                    "(SELECT DISTINCT source, native_id FROM topic_batch)", [model_name])
                self.con.execute(
                    "INSERT INTO topics (source, native_id, label_set, label, score, assigned, model_name, "
                    "model_version, model_hash, run_id, classified_at) "
                    "SELECT source, native_id, label_set, label, score, assigned, model_name, model_version, "
                    "model_hash, run_id, classified_at FROM topic_batch")
        finally:
            self.con.unregister("topic_batch")
        return batch.num_rows

    def find_document(self, native_id: str, source: str | None = None) -> tuple[str, str, str | None, str, str | None]:
        """The one document with this native id (in `source`, or in whichever source has it):
        source, id, title, body, raw_ref. A clear error when there is none or several."""
        found = self.con.execute(
            "SELECT source, native_id, title, body, raw_ref FROM documents WHERE native_id = ? "
            "AND (? IS NULL OR source = ?) ORDER BY source", [native_id, source, source]).fetchall()
        if not found:
            raise KomoError(f"no document {native_id!r}{f' in source {source!r}' if source else ''}")
        if len(found) > 1:
            raise KomoError(f"document {native_id!r} exists in several sources "
                            f"({', '.join(f[0] for f in found)}); pick one with --source")
        return found[0]

    def stored_topics(self, source: str, native_id: str) -> list[tuple[str, str, float, bool, str, str]]:
        """What the store says about one document: label_set, label, score, assigned, model version, hash."""
        exists = self.con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'topics'").fetchone()[0]
        if not exists:
            return []
        return self.con.execute(
            "SELECT label_set, label, score, assigned, model_version, model_hash FROM topics "
            "WHERE source = ? AND native_id = ? ORDER BY label_set, score DESC",
            [source, native_id],
        ).fetchall()

    # -- publishing and reading ---------------------------------------------------------------

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

    def overview(self) -> dict[str, Any]:
        """What the store holds, for `komo demo` and humans: counts, years, senders, errors."""
        one = lambda sql: self.con.execute(sql).fetchone()[0]  # noqa: E731
        return {
            "counts": {
                "documents (distinct articles)": one("SELECT count(*) FROM documents"),
                "  of which republished copies":
                    one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL"),
                "  published from … to":
                    one("SELECT min(published) || ' … ' || max(published) FROM documents"),
                "URL forms seen": one("SELECT coalesce(sum(len(url_forms)), 0) FROM documents"),
                "raw pages kept": one("SELECT count(DISTINCT raw_ref) FROM pages WHERE raw_ref IS NOT NULL"),
                "pages with errors": one("SELECT count(DISTINCT url) FROM crawl_errors"),
            },
            "per_year": self.con.execute(
                "SELECT year(published) AS y, count(*) FROM documents WHERE duplicate_of IS NULL "
                "GROUP BY y ORDER BY y").fetchall(),
            "senders": self.con.execute(
                "SELECT sender, count(*) AS n FROM documents GROUP BY sender "
                "ORDER BY n DESC, sender LIMIT 5").fetchall(),
            "errors": self.con.execute(
                "SELECT url, any_value(status), any_value(reason) FROM crawl_errors "
                "GROUP BY url ORDER BY url").fetchall(),
            "newest": self.con.execute(
                "SELECT published, coalesce(title, '(ohne Überschrift)'), sender FROM documents "
                "ORDER BY published DESC, native_id DESC LIMIT 5").fetchall(),
        }

    def mention_overview(self, public_pattern: str, limit: int = 5) -> dict[str, Any]:
        """The most frequent bodies, persons with a public role and action fields, for summaries."""
        return {
            "bodies": self.con.execute(
                "SELECT body, count(*) AS n FROM mention_bodies GROUP BY body "
                "ORDER BY n DESC, body LIMIT ?", [limit]).fetchall(),
            "persons": self.con.execute(
                "SELECT person, role, documents FROM person_identities "
                "WHERE public_role(role, role_of, ?) "
                "ORDER BY documents DESC, person LIMIT ?", [public_pattern, limit]).fetchall(),
            "action_fields": self.con.execute(
                "SELECT field, count(*) AS n FROM (SELECT unnest(action_fields) AS field "
                "FROM extractions) GROUP BY field ORDER BY n DESC, field").fetchall(),
        }

    def query(self, sql: str, parameters: list[Any] | None = None) -> tuple[list[str], list[tuple]]:
        cursor = self.con.execute(sql, parameters or [])
        columns = [d[0] for d in cursor.description] if cursor.description else []
        return columns, cursor.fetchall()

    def stream(self, sql: str, batch: int = 2000) -> tuple[list[str], Iterator[list[tuple]]]:
        """A user's read-only query: its columns, then its rows batch by batch (a large result never
        sits in memory whole). Refused statements raise QueryRefused."""
        try:
            cursor = self.con.execute(sql)
        except (duckdb.PermissionException, duckdb.InvalidInputException) as problem:
            refused = isinstance(problem, duckdb.PermissionException) or any(
                sign in str(problem) for sign in ("configuration", "read-only"))
            if refused:
                raise QueryRefused(f"not allowed on the read-only snapshot: {_first_line(problem)}") from None
            raise
        columns = [d[0] for d in cursor.description] if cursor.description else []

        def batches() -> Iterator[list[tuple]]:
            while rows := cursor.fetchmany(batch):
                yield rows

        return columns, batches()


def temporary_snapshots(published_dir: Path) -> list[Path]:
    """Snapshots being written (or left half-written by a killed publish) in `published_dir`."""
    return [p for p in published_dir.glob(".*.tmp") if _TEMP_SNAPSHOT.match(p.name)] \
        if published_dir.is_dir() else []


def latest_schema_version() -> int:
    """The schema version this komo migrates a store to (its newest migration)."""
    return max(int(name[:3]) for name, _ in _migrations())


def staging_files(directory: Path, kind: str) -> list[Path]:
    """A run's staging files of one kind: the crawl process's, and those of each worker of a crawl
    on a shared frontier (`worker-*/`, crawler/frontier.py)."""
    found = [directory / f"{kind}.jsonl"] if (directory / f"{kind}.jsonl").exists() else []
    return found + sorted(directory.glob(f"worker-*/{kind}.jsonl"))


def _first_line(problem: BaseException) -> str:
    return str(problem).splitlines()[0] if str(problem) else type(problem).__name__


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


def _string_literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _migrations() -> list[tuple[str, str]]:
    folder = resources.files("kommunalmonitor.pipeline.store").joinpath("migrations")
    found = sorted((p.name, p.read_text(encoding="utf-8")) for p in folder.iterdir()
                   if _MIGRATION_NAME.match(p.name))
    return found

