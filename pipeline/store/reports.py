"""The read side of topic reports: which articles a report covers, and every figure it shows.

A report first fixes its selection in two temporary tables of the reading connection
(`report_base`: every article in scope, the denominator; `report_selection`: those about the
topic), then each figure is one parametrised query over them. Republished copies are
counted once (the `articles` view). Works on the read-only snapshot: temporary tables live
in memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb

from kommunalmonitor.core.errors import KomoError

LABEL_SETS = ("integration", "action_field", "topic")
METHODS = ("classifier", "rules")


@dataclass(frozen=True)
class Selection:
    """What a report is about, resolved to store terms (see pipeline/report/scope.py)."""

    label_set: str                 # integration | action_field | topic
    label: str
    field: str | None = None       # narrow to articles that also have this action field
    start: date | None = None
    end: date | None = None
    body: str | None = None        # substring of a canonical body name, case-insensitive
    district: str | None = None    # district name, case-insensitive
    method: str = "classifier"     # classifier (topics table) | rules (extraction)
    model_name: str | None = None  # classifier model; None = the most recently used one


class ReportReader:
    """Figures for one selection, read from a store connection (snapshot or working store)."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con
        self.selection: Selection | None = None

    def _rows(self, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, parameters or []).fetchall()

    def _one(self, sql: str, parameters: list[Any] | None = None) -> Any:
        return self.con.execute(sql, parameters or []).fetchone()[0]

    # -- choosing the articles ----------------------------------------------------------------

    def latest_model(self) -> str | None:
        """The classifier model that labelled documents most recently, if any."""
        return self._one("SELECT any_value(model_name) FROM current_topics")

    def select(self, selection: Selection) -> Selection:
        """Fix the report's articles; returns the selection with the model name filled in."""
        if selection.label_set not in LABEL_SETS or selection.method not in METHODS:
            raise ValueError(f"unknown label set or method in {selection}")
        if selection.method == "classifier" and selection.model_name is None:
            model = self.latest_model()
            if model is None:
                raise KomoError("no classifier labels in this store: run `komo classify` first, "
                                "or report by extraction rules with --by rules")
            selection = Selection(**{**selection.__dict__, "model_name": model})
        if selection.method == "rules" and selection.label_set == "topic":
            raise KomoError("topics come from the classifier only: drop --by rules or run `komo classify`")

        self._check_filters(selection)
        where, parameters = ["published IS NOT NULL"], []
        if selection.start:
            where.append("published >= ?")
            parameters.append(selection.start)
        if selection.end:
            where.append("published <= ?")
            parameters.append(selection.end)
        if selection.body:
            where.append("EXISTS (SELECT 1 FROM mentions m WHERE m.source = a.source AND m.native_id = a.native_id "
                         "AND m.kind = 'body' AND contains(lower(m.value), lower(?)))")
            parameters.append(selection.body)
        if selection.district:
            where.append("EXISTS (SELECT 1 FROM document_districts dd WHERE dd.source = a.source "
                         "AND dd.native_id = a.native_id AND lower(dd.district) = lower(?))")
            parameters.append(selection.district)
        self.con.execute("DROP TABLE IF EXISTS report_base")
        query = "CREATE TEMP TABLE report_base AS SELECT a.source, a.native_id, a.published FROM articles a WHERE "
        self.con.execute(query + " AND ".join(where), parameters)

        member, member_parameters = self._membership(selection, selection.label_set, selection.label)
        conditions, condition_parameters = [member], list(member_parameters)
        if selection.field:
            field_member, field_parameters = self._membership(selection, "action_field", selection.field)
            conditions.append(field_member)
            condition_parameters += field_parameters
        self.con.execute("DROP TABLE IF EXISTS report_selection")
        # Only fixed fragments from this module are joined; every value is a bound parameter.
        columns = f"b.source, b.native_id, b.published, {self._score(selection)} AS score"
        query = f"CREATE TEMP TABLE report_selection AS SELECT {columns} FROM report_base b WHERE {' AND '.join(conditions)}"  # noqa: S608, E501
        self.con.execute(query, self._score_parameters(selection) + condition_parameters)
        self.selection = selection
        return selection

    def _check_filters(self, selection: Selection) -> None:
        """An unknown district or body is a typo, not an empty report: say what exists."""
        if selection.district:
            known = [r[0] for r in self._rows("SELECT DISTINCT district FROM districts UNION "
                                              "SELECT DISTINCT value FROM mentions WHERE kind = 'district' ORDER BY 1")]
            if selection.district.casefold() not in {k.casefold() for k in known}:
                raise KomoError(f"unknown district {selection.district!r}; known: {', '.join(known) or 'none'}")
        if selection.body and not self._one(
                "SELECT count(*) FROM mentions WHERE kind = 'body' AND contains(lower(value), lower(?))",
                [selection.body]):
            hint = "komo sql 'SELECT DISTINCT body FROM mention_bodies'"
            raise KomoError(f"no body name contains {selection.body!r}; see `{hint}`")

    @staticmethod
    def _membership(selection: Selection, label_set: str, label: str) -> tuple[str, list[Any]]:
        """SQL condition (over alias b) that an article carries a label, by the chosen method."""
        if selection.method == "classifier":
            return ("EXISTS (SELECT 1 FROM topics t WHERE t.source = b.source AND t.native_id = b.native_id "
                    "AND t.model_name = ? AND t.label_set = ? AND t.label = ? AND t.assigned)",
                    [selection.model_name, label_set, label])
        if label_set == "integration":
            return ("EXISTS (SELECT 1 FROM extractions e WHERE e.source = b.source AND e.native_id = b.native_id "
                    "AND e.integration)", [])
        return ("EXISTS (SELECT 1 FROM extractions e WHERE e.source = b.source AND e.native_id = b.native_id "
                "AND list_contains(e.action_fields, ?))", [label])

    @staticmethod
    def _score(selection: Selection) -> str:
        if selection.method == "classifier":
            return ("(SELECT max(t.score) FROM topics t WHERE t.source = b.source AND t.native_id = b.native_id "
                    "AND t.model_name = ? AND t.label_set = ? AND t.label = ?)")
        # Rules have no probability: rank by how many mentions are evidence for this label.
        return ("(SELECT count(*) FROM mentions m WHERE m.source = b.source AND m.native_id = b.native_id "
                "AND list_contains(?, m.kind) AND (? IS NULL OR m.value = ?))::DOUBLE")

    @staticmethod
    def _score_parameters(selection: Selection) -> list[Any]:
        if selection.method == "classifier":
            return [selection.model_name, selection.label_set, selection.label]
        kinds, value = _evidence(selection)
        return [kinds or ["-"], value, value]

    # -- figures ------------------------------------------------------------------------------

    def share_by(self, period: str) -> list[tuple[date, int, int]]:
        """(period start, articles about the topic, all articles) per year or month."""
        if period not in ("year", "month"):
            raise ValueError(period)
        return self._rows(
            "SELECT date_trunc(?, b.published)::DATE AS period, count(s.native_id) AS selected, count(*) AS total "
            "FROM report_base b LEFT JOIN report_selection s USING (source, native_id) "
            "GROUP BY period ORDER BY period", [period])

    def fields_by_year(self) -> list[tuple[int, str, int]]:
        """(year, action field id, articles) among the selected articles, by the same method."""
        selection = self._require()
        if selection.method == "classifier":
            return self._rows(
                "SELECT year(s.published) AS y, t.label, count(*) FROM report_selection s "
                "JOIN topics t ON t.source = s.source AND t.native_id = s.native_id "
                "WHERE t.model_name = ? AND t.label_set = 'action_field' AND t.assigned "
                "GROUP BY ALL ORDER BY y, t.label", [selection.model_name])
        return self._rows(
            "SELECT year(s.published) AS y, f.field, count(*) FROM report_selection s "
            "JOIN (SELECT source, native_id, unnest(action_fields) AS field FROM extractions) f "
            "USING (source, native_id) GROUP BY ALL ORDER BY y, f.field")

    def districts(self) -> list[tuple[str, int, int, int]]:
        """(district, articles, of which by archive parameter, of which named in the text)."""
        return self._rows(
            "SELECT dd.district, count(DISTINCT (s.source, s.native_id)) AS n, "
            "count(DISTINCT (s.source, s.native_id)) FILTER (WHERE dd.evidence = 'archive'), "
            "count(DISTINCT (s.source, s.native_id)) FILTER (WHERE dd.evidence = 'text') "
            "FROM report_selection s JOIN document_districts dd USING (source, native_id) "
            "GROUP BY dd.district ORDER BY n DESC, dd.district")

    def _mention_ranking(self, kind: str, limit: int) -> list[tuple[str, int, int, int, int]]:
        return self._rows(
            "SELECT m.value, count(DISTINCT (s.source, s.native_id)) AS n, count(*) AS mentions, "
            "min(year(s.published)), max(year(s.published)) "
            "FROM report_selection s JOIN mentions m USING (source, native_id) "
            "WHERE m.kind = ? AND m.value IS NOT NULL GROUP BY m.value ORDER BY n DESC, mentions DESC, m.value LIMIT ?",
            [kind, limit])

    def streets(self, limit: int = 15) -> list[tuple[str, int, int, int, int]]:
        """(street, articles, mentions, first year, last year)."""
        return self._mention_ranking("address", limit)

    def bodies(self, limit: int = 15) -> list[tuple[str, int, int, int, int]]:
        """(body, articles, mentions, first year, last year)."""
        return self._mention_ranking("body", limit)

    def public_persons(self, public_pattern: str, limit: int = 20) -> list[tuple[str, str, int, int, int]]:
        """(person, public role, articles, first year, last year): only roles matching the pattern."""
        return self._rows(
            "SELECT m.value, m.role, count(DISTINCT (s.source, s.native_id)) AS n, "
            "min(year(s.published)), max(year(s.published)) "
            "FROM report_selection s JOIN mentions m USING (source, native_id) "
            "WHERE m.kind = 'person' AND public_role(m.role, m.role_of, ?) "
            "GROUP BY m.value, m.role ORDER BY n DESC, m.value LIMIT ?", [public_pattern, limit])

    def unnamed_persons(self, public_pattern: str) -> int:
        """How many persons (distinct full names) in the selection are never named with a public
        role there; one-word 'persons' are left out (mostly extraction errors like 'Arbeit')."""
        return self._one(
            "SELECT count(DISTINCT m.value) FROM report_selection s JOIN mentions m USING (source, native_id) "
            "WHERE m.kind = 'person' AND contains(m.value, ' ') AND m.value NOT IN ("
            "  SELECT p.value FROM report_selection s2 JOIN mentions p USING (source, native_id) "
            "  WHERE p.kind = 'person' AND public_role(p.role, p.role_of, ?))", [public_pattern])

    def notable(self, public_pattern: str, limit: int = 12) -> list[dict[str, Any]]:
        """The selected articles with the highest score, each with the sentence that matched
        (`sentence`: text and body offset of the first evidence sentence for the label; None
        when the rules found none) and the body spans of persons without a public role
        (`private_spans`), so quotes can blank them out."""
        kinds, evidence_value = _evidence(self._require())
        cursor = self.con.execute(
            "WITH top AS (SELECT * FROM report_selection ORDER BY score DESC, published DESC, native_id LIMIT ?) "
            "SELECT top.source, top.native_id, top.published, top.score, d.title, d.sender, d.canonical_url, "
            "d.raw_ref, d.body, "
            "(SELECT {'text': m.sentence, 'start': m.sentence_start} FROM mentions m "
            "  WHERE m.source = top.source AND m.native_id = top.native_id AND list_contains(?, m.kind) "
            "  AND (? IS NULL OR m.value = ?) "
            "  ORDER BY (m.kind <> 'integration'), m.start_char LIMIT 1) AS sentence, "
            "(SELECT coalesce(list((p.start_char, p.end_char) ORDER BY p.start_char), []) FROM mentions p "
            "  WHERE p.source = top.source AND p.native_id = top.native_id AND p.kind = 'person' "
            "  AND NOT public_role(p.role, p.role_of, ?)) AS private_spans "
            "FROM top JOIN documents d USING (source, native_id) ORDER BY top.published DESC, top.native_id",
            [limit, kinds or ["-"], evidence_value, evidence_value, public_pattern])
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def facts(self) -> dict[str, Any]:
        """How the figures were computed: counts, dates, models and extractor versions."""
        selection = self._require()
        facts: dict[str, Any] = {
            "articles_in_scope": self._one("SELECT count(*) FROM report_base"),
            "selected": self._one("SELECT count(*) FROM report_selection"),
            "first_published": self._one("SELECT min(published) FROM report_base"),
            "last_published": self._one("SELECT max(published) FROM report_base"),
            "republished_copies_left_out": self._one(
                "SELECT count(*) FROM documents c JOIN report_selection s "
                "ON c.source = s.source AND c.duplicate_of = s.native_id"),
            "extractor_versions": [r[0] for r in self._rows(
                "SELECT DISTINCT e.extractor_version FROM report_selection s JOIN extractions e "
                "USING (source, native_id) ORDER BY 1")],
            "models": [],
        }
        if selection.method == "classifier":
            facts["models"] = [
                {"name": r[0], "version": r[1], "hash": r[2], "classified_until": r[3]}
                for r in self._rows(
                    "SELECT model_name, model_version, model_hash, max(classified_at) FROM topics "
                    "WHERE model_name = ? GROUP BY ALL ORDER BY 4 DESC", [selection.model_name])]
        return facts

    def _require(self) -> Selection:
        if self.selection is None:
            raise RuntimeError("call select() before reading figures")
        return self.selection


def _evidence(selection: Selection) -> tuple[list[str], str | None]:
    """Which mentions are evidence for the selection's label: (mention kinds, value or None).

    Integration: an integration-vocabulary sentence first, else an action-field one; an action
    field (or --field): that field's mentions; a classifier topic has no rule evidence.
    """
    if selection.field:
        return ["action_field"], selection.field
    if selection.label_set == "integration":
        return ["integration", "action_field"], None
    if selection.label_set == "action_field":
        return ["action_field"], selection.label
    return [], None
