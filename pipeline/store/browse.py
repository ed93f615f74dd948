"""The read side of browsing the corpus (`komo serve`, alert digests): one document with its
mentions, labels, copies and council context; bodies, persons, districts and streets with their
documents over time; the documents behind a figure of a topic report.

Every query is parametrised. A `QueryLog` in place of the connection records each statement
and its parameters, so a page can show the SQL behind it. Counting follows the reports:
a republished copy (`duplicate_of`) is never a document of its own; lists and entity pages
count every kind of document (press releases and council papers alike), topic figures the
report's selection.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

# Mention kinds as the store writes them (pipeline/nlp), in legend order.
MENTION_KINDS = ("date", "body", "address", "person", "action_field", "district", "integration")
PAGE_SIZE = 50

# Entities a list page shows: how each is found in the store. Values are fixed fragments of this
# module; everything a user sends is a bound parameter.
_ENTITY_MENTIONS = {
    "body": "SELECT source, native_id FROM mentions WHERE kind = 'body' AND value = $value",
    "street": "SELECT source, native_id FROM mentions WHERE kind = 'address' AND value = $value",
    "person": ("SELECT source, native_id FROM mentions WHERE kind = 'person' AND value = $value "
               "AND role IS NOT DISTINCT FROM $role AND public_role(role, role_of, $public)"),
    "district": "SELECT source, native_id FROM document_districts WHERE lower(district) = lower($value)",
}


class QueryLog:
    """A connection (or cursor) that remembers every statement run through it, with parameters."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self._con = con
        self.statements: list[tuple[str, Any]] = []

    def execute(self, sql: str, parameters: Any = None) -> duckdb.DuckDBPyConnection:
        self.statements.append((_tidy(sql), parameters))
        return self._con.execute(sql, parameters if parameters is not None else [])

    def __getattr__(self, name: str) -> Any:  # fetchone, description, interrupt, …
        return getattr(self._con, name)


def _tidy(sql: str) -> str:
    lines = [line.rstrip() for line in sql.strip("\n").splitlines()]
    indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    return "\n".join([lines[0].strip()] + [line[indent:] for line in lines[1:]])


@dataclass(frozen=True)
class Segment:
    """A piece of a text: plain (`kind` None), a mention of `kind` (with `value`: what it means),
    a search hit (`kind` 'hit'), or a masked private name (`kind` 'private', `text` '[Name]')."""

    text: str
    kind: str | None = None
    value: str | None = None


def segments(text: str, offset: int, spans: Iterable[tuple[int, int, str, str | None]],
             private: Iterable[tuple[int, int]] = (), mark: str = "[Name]") -> list[Segment]:
    """Cut `text` (the piece of a body that starts at body offset `offset`) at the spans (body
    offsets, kind, value). Where spans overlap the innermost wins; anything inside a private span
    is replaced by one `mark`, so no part of a private name survives whatever else covers it."""
    end_of_text = offset + len(text)
    marked = [(max(s, offset), min(e, end_of_text), kind, value) for s, e, kind, value in spans
              if e > offset and s < end_of_text and e > s]
    masked = [(max(s, offset), min(e, end_of_text), "private", None) for s, e in private
              if e > offset and s < end_of_text and e > s]
    cuts = sorted({offset, end_of_text} | {p for s, e, _, _ in marked + masked for p in (s, e)})
    pieces: list[Segment] = []
    previous: object = object()  # what the last piece came from: a span, "private", or None (plain)
    for start, end in zip(cuts, cuts[1:], strict=False):
        if any(s <= start and end <= e for s, e, _, _ in masked):
            if previous != "private":
                pieces.append(Segment(mark, "private"))
            previous = "private"
            continue
        inner = min((i for i, m in enumerate(marked) if m[0] <= start and end <= m[1]),
                    key=lambda i: (marked[i][1] - marked[i][0], marked[i][0]), default=None)
        piece = text[start - offset:end - offset]
        if inner == previous and pieces:
            pieces[-1] = Segment(pieces[-1].text + piece, pieces[-1].kind, pieces[-1].value)
        elif inner is None:
            pieces.append(Segment(piece))
        else:
            pieces.append(Segment(piece, marked[inner][2], marked[inner][3]))
        previous = inner
    return pieces


def plain(pieces: Sequence[Segment], hit_marks: tuple[str, str] = ("»", "«")) -> str:
    """Segments as one line of plain text: hits marked »…«, private names masked."""
    out = []
    for piece in pieces:
        out.append(f"{hit_marks[0]}{piece.text}{hit_marks[1]}" if piece.kind == "hit" else piece.text)
    return " ".join("".join(out).split())


class Browser:
    """Reads for the browsing pages, over a read-only connection (a `QueryLog` to show the SQL)."""

    def __init__(self, con: duckdb.DuckDBPyConnection | QueryLog):
        self.con = con

    def _rows(self, sql: str, parameters: Any = None) -> list[tuple]:
        return self.con.execute(sql, parameters).fetchall()

    def _dicts(self, sql: str, parameters: Any = None) -> list[dict[str, Any]]:
        cursor = self.con.execute(sql, parameters)
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def has_table(self, name: str) -> bool:
        return bool(self._rows("SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [name])[0][0])

    # -- the snapshot as a whole ---------------------------------------------------------------

    def overview(self) -> dict[str, Any]:
        """Documents per kind, their dates, and the last run that published this snapshot."""
        kinds = self._rows("SELECT kind, count(*) FROM documents WHERE duplicate_of IS NULL GROUP BY kind "
                           "ORDER BY count(*) DESC")
        first, last, copies = self._rows(
            "SELECT min(published), max(published), count(*) FILTER (WHERE duplicate_of IS NOT NULL) "
            "FROM documents")[0]
        run = self._dicts("SELECT run_id, command, finished_at, status FROM runs WHERE status IN ('ok', 'partial') "
                          "ORDER BY run_id DESC LIMIT 1")
        return {"kinds": kinds, "documents": sum(n for _, n in kinds), "first": first, "last": last,
                "copies": copies, "run": run[0] if run else None}

    def filter_values(self) -> dict[str, list[str]]:
        """What the search filters may be set to: sources, districts (kinds: `overview`)."""
        return {
            "sources": [r[0] for r in self._rows("SELECT DISTINCT source FROM documents ORDER BY 1")],
            "districts": [r[0] for r in self._rows(
                "SELECT district FROM districts UNION SELECT district FROM document_districts ORDER BY 1")],
        }

    # -- one document --------------------------------------------------------------------------

    def document(self, source: str, native_id: str) -> dict[str, Any] | None:
        found = self._dicts(
            "SELECT source, native_id, kind, title, published, sender, category, canonical_url, url_forms, body, "
            "duplicate_of, first_seen, last_changed, raw_ref, content_hash FROM documents "
            "WHERE source = ? AND native_id = ?", [source, native_id])
        return found[0] if found else None

    def mentions(self, source: str, native_id: str) -> list[dict[str, Any]]:
        return self._dicts(
            "SELECT kind, text, value, role, number, start_char, end_char, sentence_start, sentence "
            "FROM mentions WHERE source = ? AND native_id = ? ORDER BY start_char, end_char DESC",
            [source, native_id])

    def labels(self, source: str, native_id: str) -> list[dict[str, Any]]:
        """The current classifier's labels of the document, best first within each label set."""
        return self._dicts(
            "SELECT label_set, label, score, assigned, model_name, model_version, model_hash FROM current_topics "
            "WHERE source = ? AND native_id = ? ORDER BY label_set, assigned DESC, score DESC",
            [source, native_id])

    def extraction(self, source: str, native_id: str) -> dict[str, Any] | None:
        found = self._dicts(
            "SELECT integration, action_fields, extractor_version, content_hash, extracted_at FROM extractions "
            "WHERE source = ? AND native_id = ?", [source, native_id])
        return found[0] if found else None

    def related_copies(self, source: str, native_id: str, duplicate_of: str | None) -> list[dict[str, Any]]:
        """Near-duplicates: the republished copies of this document, or, for a copy, its original
        and the other copies."""
        original = duplicate_of or native_id
        return self._dicts(
            "SELECT native_id, published, title, duplicate_of IS NULL AS is_original FROM documents "
            "WHERE source = ? AND (native_id = ? OR duplicate_of = ?) AND native_id <> ? "
            "ORDER BY published, native_id", [source, original, original, native_id])

    def private_spans(self, keys: Sequence[tuple[str, str]], public_pattern: str) -> dict[tuple[str, str], list]:
        """Body spans of persons without a public role, per document: what a page must mask."""
        if not keys:
            return {}
        rows = self._rows(
            "SELECT m.source, m.native_id, list((m.start_char, m.end_char) ORDER BY m.start_char) "
            "FROM (SELECT unnest(?::STRUCT(s VARCHAR, n VARCHAR)[], recursive := true)) k "
            "JOIN mentions m ON m.source = k.s AND m.native_id = k.n "
            "WHERE m.kind = 'person' AND NOT public_role(m.role, m.role_of, ?) "
            "GROUP BY ALL", [[{"s": s, "n": n} for s, n in keys], public_pattern])
        return {(s, n): [tuple(span) for span in spans] for s, n, spans in rows}

    def bodies_of(self, keys: Sequence[tuple[str, str]]) -> dict[tuple[str, str], str]:
        if not keys:
            return {}
        rows = self._rows(
            "SELECT d.source, d.native_id, d.body "
            "FROM (SELECT unnest(?::STRUCT(s VARCHAR, n VARCHAR)[], recursive := true)) k "
            "JOIN documents d ON d.source = k.s AND d.native_id = k.n",
            [[{"s": s, "n": n} for s, n in keys]])
        return {(s, n): body for s, n, body in rows}

    # -- council context -----------------------------------------------------------------------

    def paper_consultations(self, source: str, paper: str) -> list[dict[str, Any]]:
        """A council paper's way through the council: consultations with meeting, committee and result."""
        return self._dicts(
            "SELECT c.role, c.authoritative, m.id AS meeting, m.name AS meeting_name, m.start AS meeting_start, "
            "(SELECT string_agg(o.name, ', ') FROM council_organizations o "
            " WHERE o.source = c.source AND list_contains(c.organizations, o.id)) AS organizations, "
            "a.id AS agenda_item, a.number AS agenda_number, a.name AS agenda_name, a.result "
            "FROM council_consultations c "
            "LEFT JOIN council_meetings m ON m.source = c.source AND m.id = c.meeting "
            "LEFT JOIN council_agenda_items a ON a.source = c.source AND a.id = c.agenda_item "
            "WHERE c.source = ? AND c.paper = ? AND NOT c.deleted ORDER BY m.start NULLS LAST, c.id",
            [source, paper])

    def council_files(self, source: str, holder: str) -> list[dict[str, Any]]:
        """The files of a council paper, meeting or agenda item."""
        return self._dicts(
            "SELECT id, name, file_name, mime_type, date, size, downloaded, access_url FROM council_files "
            "WHERE source = ? AND NOT deleted AND (list_contains(papers, ?) OR list_contains(meetings, ?) "
            "OR list_contains(agenda_items, ?)) ORDER BY date NULLS LAST, name",
            [source, holder, holder, holder])

    def agenda_item_context(self, source: str, item: str) -> dict[str, Any] | None:
        """An agenda item's meeting and the paper it treats."""
        found = self._dicts(
            "SELECT a.number, a.result, a.resolution_text, m.id AS meeting, m.name AS meeting_name, "
            "m.start AS meeting_start, c.paper, p.name AS paper_name, p.reference AS paper_reference "
            "FROM council_agenda_items a "
            "LEFT JOIN council_meetings m ON m.source = a.source AND m.id = a.meeting "
            "LEFT JOIN council_consultations c ON c.source = a.source AND c.id = a.consultation "
            "LEFT JOIN council_papers p ON p.source = a.source AND p.id = c.paper "
            "WHERE a.source = ? AND a.id = ?", [source, item])
        return found[0] if found else None

    def press_paper_links(self, source: str, native_id: str) -> list[dict[str, Any]] | None:
        """Council papers linked to a press release, once a `press_paper_links` table exists (None
        before). Its rows are shown as they are: every column but the press release's own key."""
        if not self.has_table("press_paper_links"):
            return None
        columns = {r[0] for r in self._rows(
            "SELECT column_name FROM duckdb_columns() WHERE table_name = 'press_paper_links'")}
        if not {"source", "native_id"} <= columns:
            return []
        rows = self._dicts("SELECT * FROM press_paper_links WHERE source = ? AND native_id = ?", [source, native_id])
        return [{k: v for k, v in row.items() if k not in ("source", "native_id")} for row in rows]

    # -- lists: bodies, persons with a public role, districts, streets --------------------------

    def entity_list(self, entity: str, public_pattern: str, limit: int = 500) -> list[dict[str, Any]]:
        """Every body, person with a public role, district or street with how many documents name
        it, how often, and first and last year."""
        if entity == "district":
            return self._dicts(
                "SELECT dd.district AS name, NULL AS role, count(DISTINCT (d.source, d.native_id)) AS documents, "
                "count(*) AS mentions, min(year(d.published)) AS first_year, max(year(d.published)) AS last_year "
                "FROM document_districts dd JOIN documents d USING (source, native_id) "
                "WHERE d.duplicate_of IS NULL GROUP BY dd.district ORDER BY documents DESC, name LIMIT ?", [limit])
        kind = {"body": "body", "street": "address", "person": "person"}[entity]
        role_filter = "AND public_role(m.role, m.role_of, ?)" if entity == "person" else "AND ? IS NULL"
        role = "m.role" if entity == "person" else "NULL"
        return self._dicts(
            f"SELECT m.value AS name, {role} AS role, count(DISTINCT (d.source, d.native_id)) AS documents, "  # noqa: S608
            "count(*) AS mentions, min(year(d.published)) AS first_year, max(year(d.published)) AS last_year "
            "FROM mentions m JOIN documents d USING (source, native_id) "
            f"WHERE m.kind = ? AND m.value IS NOT NULL AND d.duplicate_of IS NULL {role_filter} "
            "GROUP BY ALL ORDER BY documents DESC, name LIMIT ?",
            [kind, public_pattern if entity == "person" else None, limit])

    def _entity_parameters(self, entity: str, value: str, role: str | None, public_pattern: str) -> dict[str, Any]:
        parameters: dict[str, Any] = {"value": value}
        if entity == "person":
            parameters.update(role=role, public=public_pattern)
        return parameters

    def entity_years(self, entity: str, value: str, role: str | None, public_pattern: str) -> list[tuple[int, int]]:
        """(year, documents) naming the entity; undated documents are left out of the years."""
        found = _ENTITY_MENTIONS[entity]
        return self._rows(
            f"WITH hits AS ({found}) SELECT year(d.published) AS year, count(*) AS documents "  # noqa: S608
            "FROM documents d SEMI JOIN hits h ON h.source = d.source AND h.native_id = d.native_id "
            "WHERE d.duplicate_of IS NULL AND d.published IS NOT NULL GROUP BY year ORDER BY year",
            self._entity_parameters(entity, value, role, public_pattern))

    def entity_documents(self, entity: str, value: str, role: str | None, public_pattern: str,
                         year: int | None = None, page: int = 1) -> tuple[int, list[dict[str, Any]]]:
        """The documents naming the entity (in `year`), newest first, one page; and how many in all."""
        found = _ENTITY_MENTIONS[entity]
        parameters = {**self._entity_parameters(entity, value, role, public_pattern), "year": year,
                      "limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
        return self._documents(
            f"WITH hits AS ({found}), chosen AS (SELECT d.source, d.native_id FROM documents d "  # noqa: S608
            "SEMI JOIN hits h ON h.source = d.source AND h.native_id = d.native_id "
            "WHERE d.duplicate_of IS NULL AND ($year IS NULL OR year(d.published) = $year))", parameters)

    def _documents(self, chosen: str, parameters: dict[str, Any]) -> tuple[int, list[dict[str, Any]]]:
        """Documents of a `chosen` CTE (source, native_id): a page of them newest first, and the total."""
        # `chosen` is built in this module from fixed fragments; values are bound parameters.
        total = self._rows(f"{chosen} SELECT count(*) FROM chosen", {  # noqa: S608
            k: v for k, v in parameters.items() if k not in ("limit", "offset")})[0][0]
        rows = self._dicts(
            f"{chosen} SELECT d.source, d.native_id, d.kind, d.published, d.title, d.sender, d.canonical_url "  # noqa: S608
            "FROM chosen c JOIN documents d USING (source, native_id) "
            "ORDER BY d.published DESC NULLS LAST, d.source, d.native_id LIMIT $limit OFFSET $offset", parameters)
        return total, rows

    # -- the documents behind a topic report's figure ------------------------------------------

    def figure_documents(self, figure: str, key: str, selection_method: str, model_name: str | None,
                         public_pattern: str, role: str | None = None,
                         page: int = 1) -> tuple[int, list[dict[str, Any]]]:
        """The documents a report figure counted (after `ReportReader.select` on this connection):
        figure year (key 2019), month (2019-03), field (2019:sprache), district, street, body or
        person (key the name, `role` the role). Counted as the report counts them, so a bar's
        number is the number of documents listed."""
        parameters: dict[str, Any] = {"limit": PAGE_SIZE, "offset": (page - 1) * PAGE_SIZE}
        if figure == "year":
            condition = "year(s.published) = $year"
            parameters["year"] = int(key)
        elif figure == "month":
            condition = "date_trunc('month', s.published) = $month"
            parameters["month"] = date.fromisoformat(f"{key}-01")
        elif figure == "field":
            year, _, field = key.partition(":")
            parameters.update(year=int(year), field=field)
            if selection_method == "classifier":
                parameters["model"] = model_name
                condition = ("year(s.published) = $year AND EXISTS (SELECT 1 FROM topics t WHERE t.source = s.source "
                             "AND t.native_id = s.native_id AND t.model_name = $model AND t.label_set = 'action_field' "
                             "AND t.assigned AND t.label = $field)")
            else:
                condition = ("year(s.published) = $year AND EXISTS (SELECT 1 FROM extractions e "
                             "WHERE e.source = s.source AND e.native_id = s.native_id "
                             "AND list_contains(e.action_fields, $field))")
        elif figure == "district":
            condition = ("EXISTS (SELECT 1 FROM document_districts dd WHERE dd.source = s.source "
                         "AND dd.native_id = s.native_id AND dd.district = $name)")
            parameters["name"] = key
        elif figure in ("street", "body"):
            condition = ("EXISTS (SELECT 1 FROM mentions m WHERE m.source = s.source AND m.native_id = s.native_id "
                         "AND m.kind = $kind AND m.value = $name)")
            parameters.update(kind="address" if figure == "street" else "body", name=key)
        elif figure == "person":
            condition = ("EXISTS (SELECT 1 FROM mentions m WHERE m.source = s.source AND m.native_id = s.native_id "
                         "AND m.kind = 'person' AND m.value = $name AND m.role = $role "
                         "AND public_role(m.role, m.role_of, $public))")
            parameters.update(name=key, role=role, public=public_pattern)
        else:
            raise ValueError(f"unknown figure {figure!r}")
        return self._documents(
            f"WITH chosen AS (SELECT s.source, s.native_id FROM report_selection s WHERE {condition})",  # noqa: S608
            parameters)
