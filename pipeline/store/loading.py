"""Loading into the store: a crawl's staging files (documents, url forms, errors, pages, council
objects, layout checks, near-duplicate links), the crawl state a spider starts from, and the nlp
steps' results (mentions, districts, topics)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from kommunalmonitor.core.crawljob import CrawlState
from kommunalmonitor.core.faults import killpoint

from .council import load_council_staging
from .duplicates import update_links
from .layout_checks import AlarmRules, load_layout_checks
from .runs import utcnow as _utcnow
from .schema import SchemaMixin

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


_STAGED = ("staged_items", "staged_forms", "staged_errors", "staged_pages")


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


def staging_files(directory: Path, kind: str) -> list[Path]:
    """A run's staging files of one kind: the crawl process's, and those of each worker of a crawl
    on a shared frontier (`worker-*/`, crawler/frontier.py)."""
    found = [directory / f"{kind}.jsonl"] if (directory / f"{kind}.jsonl").exists() else []
    return found + sorted(directory.glob(f"worker-*/{kind}.jsonl"))


class LoadingMixin(SchemaMixin):
    """What writes crawl results and nlp results into the store."""

    # -- incremental crawl state --------------------------------------------------------------

    def crawl_state(self, source: str, recheck_recent: int, retry_after: timedelta) -> CrawlState:
        """What the press spider needs to crawl incrementally."""
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
        return CrawlState(known=known, recheck=recheck,
                          retry_due=sorted(n for n, due in failures if due),
                          failed_hold=sorted(n for n, due in failures if not due))

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
                self._unstage("staged_items")  # every body once more: released before the next step
            forms = staging_files(directory, "forms")
            if forms:
                self._stage("staged_forms", forms, _FORM_COLUMNS, "native_id IS NOT NULL AND url IS NOT NULL")
                self._merge_url_forms()
                self._unstage("staged_forms")
            errors = staging_files(directory, "errors")
            if errors:
                self._stage("staged_errors", errors, _ERROR_COLUMNS, "url IS NOT NULL AND reason IS NOT NULL")
                result.errors = self.con.execute(
                    "INSERT INTO crawl_errors SELECT ?, source, url, native_id, kind, status, reason, "
                    "coalesce(transient, true), failed_at FROM staged_errors", [run_id]
                ).fetchone()[0]
                self._unstage("staged_errors")
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
                self._unstage("staged_pages")
            council = load_council_staging(self.con, directory, run_id, now)
            if council is not None:
                result.council = council.to_dict()
            result.duplicates = update_links(self.con, presigned=staging_files(directory, "signatures")).__dict__
            self.con.execute("UPDATE runs SET staging_loaded = true WHERE run_id = ?", [run_id])
            killpoint("store_load")
        for name in _STAGED:
            self._unstage(name)
        return result

    def _unstage(self, table: str) -> None:
        self.con.execute(f"DROP TABLE IF EXISTS {table}")  # noqa: S608 (one of _STAGED)

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
        # The latest fetch of each document, kept in place: a window over the whole rows sorted every
        # body (superlinear, 2 s of a 10k load) and copied them into a second temp table.
        self.con.execute(
            "DELETE FROM staged_items WHERE rowid NOT IN (SELECT arg_max(rowid, coalesce(fetched_at, "
            "TIMESTAMP '0001-01-01')) FROM staged_items GROUP BY source, native_id)"
        )
        counts = self.con.execute(
            """
            SELECT count(*) FILTER (WHERE d.native_id IS NULL),
                   count(*) FILTER (WHERE d.native_id IS NOT NULL AND d.content_hash <> b.content_hash),
                   count(*) FILTER (WHERE d.content_hash = b.content_hash)
            FROM staged_items b LEFT JOIN documents d USING (source, native_id)
            """
        ).fetchone()
        result.documents_new, result.documents_changed, result.documents_unchanged = counts
        self.con.execute(
            """
            INSERT INTO document_versions
            SELECT source, native_id, content_hash, title, published, sender, category, body,
                   raw_ref, fetched_at, ?
            FROM staged_items ON CONFLICT DO NOTHING
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
            FROM staged_items
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
                  WHERE (source, native_id) IN (SELECT source, native_id FROM staged_items) GROUP BY ALL) AS p
            WHERE documents.source = p.source AND documents.native_id = p.native_id
            """
        )
        self.con.execute("DELETE FROM pending_url_forms WHERE (source, native_id) IN "
                         "(SELECT source, native_id FROM staged_items)")

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
