"""The report benchmark on a tiny generated store: the data is what it claims, the trend view
agrees with a GROUP BY written here, the report renders; no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.bench_report import KINDS, generate_store, generate_tables
from kommunalmonitor.core.privacy import is_public_role
from kommunalmonitor.pipeline.report import ReportRequest, build_report, render
from kommunalmonitor.pipeline.store import Store

from .conftest import run_bench

MENTIONS = 20_000

# Independent of the views and of the bench's own baseline SQL: straight from the tables.
TREND_BY_HAND = """
    SELECT strftime(d.published, '%Y-%m') AS month, t.label, count(*)
    FROM topics t, documents d
    WHERE t.source = d.source AND t.native_id = d.native_id AND t.label_set = 'action_field'
      AND t.assigned AND d.duplicate_of IS NULL AND d.published IS NOT NULL
    GROUP BY 1, 2
"""


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("bench-report") / "komo.duckdb"
    data = generate_store(path, MENTIONS)
    assert data["rows"]["mentions"] == MENTIONS
    return path


def test_generated_tables_are_deterministic() -> None:
    first, second = generate_tables(2_000), generate_tables(2_000)
    for name in ("documents", "topics", "extractions", "mentions"):
        assert first[name].equals(second[name]), name
    assert not first["mentions"].equals(generate_tables(2_000, seed=7)["mentions"])


def test_generated_store_has_exactly_the_rows_asked_for(store: Path) -> None:
    with Store.open(store, read_only=True) as opened:
        one = lambda sql: opened.con.execute(sql).fetchone()[0]  # noqa: E731
        assert one("SELECT count(*) FROM mentions") == MENTIONS
        assert one("SELECT count(*) FROM documents") == MENTIONS // 20
        assert one("SELECT sum(mention_count) FROM extractions") == MENTIONS
        assert one("SELECT count(*) FROM mentions m ANTI JOIN documents d USING (source, native_id)") == 0
        assert {r[0] for r in opened.con.execute("SELECT DISTINCT kind FROM mentions").fetchall()} == set(KINDS)
        assert one("SELECT count(*) FROM topics") == 18 * one("SELECT count(*) FROM documents")
        assert one("SELECT count(*) FROM documents WHERE published NOT BETWEEN '2000-01-01' AND '2023-12-31'") == 0
        # Republished copies point at an earlier original with the same title and body.
        copies, same = opened.con.execute(
            "SELECT count(*), count(*) FILTER (WHERE c.title = o.title AND c.body = o.body "
            "AND o.duplicate_of IS NULL AND o.published <= c.published) "
            "FROM documents c JOIN documents o ON o.source = c.source AND o.native_id = c.duplicate_of").fetchone()
        assert copies == same == one("SELECT count(*) FROM documents WHERE duplicate_of IS NOT NULL") > 0
        # District codes in URL forms resolve through the districts table; persons of both kinds.
        assert one("SELECT count(*) FROM document_districts WHERE evidence = 'archive'") > 0
        roles = [r[0] for r in opened.con.execute(
            "SELECT DISTINCT role FROM mentions WHERE kind = 'person'").fetchall()]
        assert any(is_public_role(r) for r in roles) and any(r and not is_public_role(r) for r in roles)
        # Every mention lies inside its sentence, which lies inside the body.
        assert one("SELECT count(*) FROM mentions m JOIN documents d USING (source, native_id) "
                   "WHERE NOT (sentence_start <= start_char AND start_char < end_char "
                   "AND sentence_end <= length(d.body) "
                   "AND substr(d.body, sentence_start + 1, sentence_end - sentence_start) = sentence)") == 0


def test_trend_view_counts_equal_a_bare_group_by(store: Path) -> None:
    with Store.open(store, read_only=True) as opened:
        view = {(month.strftime("%Y-%m"), field): n for month, _, field, n, *_ in
                opened.con.execute("SELECT * FROM action_field_trend_monthly").fetchall()}
        by_hand = {(month, label): n for month, label, n in opened.con.execute(TREND_BY_HAND).fetchall()}
    assert view == by_hand and sum(view.values()) > 0


def test_report_renders_from_the_generated_store(store: Path, tmp_path: Path) -> None:
    with Store.open(store, read_only=True) as opened:
        report = build_report(opened.con, ReportRequest(topic="integration"), tmp_path)
    assert 0 < report.selected < report.in_scope
    html = render(report, "html")
    assert html.lstrip().startswith("<!") and "</html>" in html and "Integration" in html
    assert render(report, "md").strip() and render(report, "csv").strip()


def test_bench_runs_and_reports_ratios(tmp_path: Path) -> None:
    done = run_bench("bench_report", "--mentions", str(MENTIONS), "--repeat", "1", cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "trend view counts EQUAL the bare GROUP BY" in done.stdout
    results = json.loads((tmp_path / "bench-results" / "report.json").read_text("utf-8"))
    assert results["data"]["rows"]["mentions"] == results["checks"]["mention_rows"] == MENTIONS
    assert results["checks"]["trend"]["equal"] and results["checks"]["report_html_nonempty"]
    measured = results["measurements"]
    assert {"trend_baseline", "trend_view", "mentions_baseline", "report_build",
            "render_html", "render_md", "render_csv"} <= set(measured)
    for entry in measured.values():
        assert entry["seconds"] > 0
        if entry["baseline"]:
            assert entry["ratio"] == pytest.approx(entry["seconds"] / measured[entry["baseline"]]["seconds"])
    assert measured["trend_view"]["rows"] == measured["trend_baseline"]["rows"] > 0
    assert {f["query"] for f in results["figures"]} >= {"streets", "bodies", "districts", "notable"}
