"""The read side of a topic report's council section: the council papers on the report's topic,
the committees that handled them, their votes and the press releases linked to them.

Papers are chosen by what extraction found in their own text and their files (the views of
migration 012): integration → council_integration_papers, an action field → council_paper_fields;
a classifier topic → the paper documents the report's model labelled so. The period filters the
paper's date. Works on the read-only snapshot (one temporary table, `report_papers`).
"""

from __future__ import annotations

from typing import Any

import duckdb

from .reports import Selection


class CouncilReader:
    """Council figures for one report selection."""

    def __init__(self, con: duckdb.DuckDBPyConnection):
        self.con = con

    def _rows(self, sql: str, parameters: list[Any] | None = None) -> list[tuple]:
        return self.con.execute(sql, parameters or []).fetchall()

    def select(self, selection: Selection) -> int:
        """Fix the report's papers; returns how many there are."""
        if selection.label_set == "integration":
            member, parameters = "SELECT source, paper FROM council_integration_papers", []
        elif selection.label_set == "action_field":
            member = "SELECT source, paper FROM council_paper_fields WHERE action_field = ?"
            parameters = [selection.label]
        else:
            member = ("SELECT source, native_id FROM topics WHERE model_name = ? AND label_set = 'topic' "
                      "AND label = ? AND assigned")
            parameters = [selection.model_name, selection.label]
        where = ["(p.source, p.id) IN (" + member + ")", "NOT p.deleted"]
        if selection.field:
            where.append("(p.source, p.id) IN (SELECT source, paper FROM council_paper_fields WHERE action_field = ?)")
            parameters.append(selection.field)
        if selection.start:
            where.append("p.date >= ?")
            parameters.append(selection.start)
        if selection.end:
            where.append("p.date <= ?")
            parameters.append(selection.end)
        self.con.execute("DROP TABLE IF EXISTS report_papers")
        # Only the fixed fragments above are joined; every value is a bound parameter.
        self.con.execute("CREATE TEMP TABLE report_papers AS SELECT p.source, p.id AS paper, p.date "  # noqa: S608
                         "FROM council_papers p WHERE " + " AND ".join(where), parameters)
        return self.con.execute("SELECT count(*) FROM report_papers").fetchone()[0]

    def fields_by_year(self) -> list[tuple[int, str, int]]:
        """(year, action field, papers) of the report's papers."""
        return self._rows(
            "SELECT year(r.date) AS y, f.action_field, count(DISTINCT (r.source, r.paper)) FROM report_papers r "
            "JOIN council_paper_fields f ON f.source = r.source AND f.paper = r.paper GROUP BY ALL ORDER BY y, 2")

    def committees(self, limit: int = 20) -> list[tuple[str, int, int, Any, Any]]:
        """(committee, papers it handled, consultations, first meeting, last meeting)."""
        return self._rows(
            "SELECT c.committee, count(DISTINCT (c.source, c.paper)) AS n, count(*), min(c.meeting_date), "
            "max(c.meeting_date) FROM report_papers r JOIN council_paper_consultations c "
            "ON c.source = r.source AND c.paper = r.paper WHERE c.committee IS NOT NULL "
            "GROUP BY c.committee ORDER BY n DESC, c.committee LIMIT ?", [limit])

    def faction_positions(self) -> list[tuple[str, str, int]]:
        """(faction, position, main votes) on the report's papers."""
        return self._rows(
            "SELECT v.faction, v.position, count(*) FROM report_papers r JOIN council_vote_factions v "
            "ON v.source = r.source AND v.paper = r.paper WHERE v.main GROUP BY ALL ORDER BY 1, 2")

    def papers(self, public_pattern: str, limit: int = 25) -> list[dict[str, Any]]:
        """The most recent papers, each with its consultations in order, its main votes and the
        press releases linked to it (evidence with the body spans of private persons, to blank)."""
        cursor = self.con.execute(
            """
            WITH top AS (SELECT * FROM report_papers ORDER BY date DESC, paper LIMIT ?)
            SELECT p.source, p.id, p.reference, p.name, p.paper_type, p.date, p.web,
                   (SELECT coalesce(list({'position': c.position, 'date': c.meeting_date, 'committee': c.committee,
                                          'role': c.role, 'result': c.item_result} ORDER BY c.position), [])
                    FROM council_paper_consultations c WHERE c.source = p.source AND c.paper = p.id) AS consultations,
                   (SELECT coalesce(list({'date': v.meeting_date, 'committee': v.committee, 'result': v.result,
                                          'unanimous': v.unanimous, 'yes': v.yes, 'no': v.no, 'abstain': v.abstain,
                                          'factions': v.factions}
                                         ORDER BY v.meeting_date, v.agenda_item), [])
                    FROM council_votes v WHERE v.source = p.source AND v.paper = p.id AND v.main) AS votes,
                   (SELECT coalesce(list({'published': d.published, 'title': d.title, 'url': d.canonical_url,
                                          'method': l.method, 'score': l.score, 'evidence': l.evidence,
                                          'offset': strpos(d.body, l.evidence) - 1,
                                          'private_spans': (SELECT coalesce(list((m.start_char, m.end_char)), [])
                                              FROM mentions m WHERE m.source = d.source AND m.native_id = d.native_id
                                              AND m.kind = 'person' AND NOT public_role(m.role, m.role_of, ?))}
                                         ORDER BY d.published, d.native_id), [])
                    FROM press_paper_links l JOIN documents d ON d.source = l.press_source AND d.native_id = l.press_id
                    WHERE l.council_source = p.source AND l.paper_id = p.id) AS press
            FROM top JOIN council_papers p ON p.source = top.source AND p.id = top.paper
            ORDER BY p.date DESC, p.id
            """, [limit, public_pattern])
        columns = [c[0] for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]

    def facts(self) -> dict[str, Any]:
        row = self.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE EXISTS (SELECT 1 FROM press_paper_links l "
            "  WHERE l.council_source = r.source AND l.paper_id = r.paper)), min(date), max(date) "
            "FROM report_papers r").fetchone()
        links = self.con.execute(
            "SELECT count(*) FROM press_paper_links l JOIN report_papers r "
            "ON l.council_source = r.source AND l.paper_id = r.paper").fetchone()[0]
        return {"papers": row[0], "papers_with_press": row[1], "first_date": row[2], "last_date": row[3],
                "press_links": links}
