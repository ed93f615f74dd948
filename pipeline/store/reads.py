"""Reading the store: one document, its topics, overviews for summaries, a user's query."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import duckdb

from kommunalmonitor.core.errors import KomoError, QueryRefused


class ReadsMixin:
    """Reads on `self.con`; every reader opens the store through Store.open_reader."""

    con: duckdb.DuckDBPyConnection

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

    def document_count(self, source: str) -> int:
        """Documents stored of one source."""
        return int(self.con.execute("SELECT count(*) FROM documents WHERE source = ?", [source]).fetchone()[0])

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


def _first_line(problem: BaseException) -> str:
    return str(problem).splitlines()[0] if str(problem) else type(problem).__name__
