"""Press release ↔ council paper links (pipeline/store/links.py) and the report's council section,
on the labelled links set (tests/gold/links): its council loaded through the crawler's OParl
normaliser and the store's council loader, its press releases as crawled documents, real
extraction, the real `komo` CLI for links and reports, the HTML in headless Chromium."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from kommunalmonitor.core.home import Home
from kommunalmonitor.pipeline.evaluate_links import evaluate_links, gold_dir, load_gold, paper_id
from kommunalmonitor.pipeline.extraction import extract_into
from kommunalmonitor.pipeline.links import link_into, load_settings
from kommunalmonitor.pipeline.store import Store

from .conftest import run_komo

GOLD = Path(__file__).parent / "gold" / "links"
BASE = "https://rat.example"


@pytest.fixture(scope="module")
def linked_home(tmp_path_factory) -> Home:
    """A home holding the gold council and press releases, extracted, linked by `komo links`."""
    home = Home(tmp_path_factory.mktemp("links-home")).ensure()
    with Store.open(home.db) as store:
        load_gold(store, gold_dir(GOLD), BASE)
        extract_into(store, home)
    result = run_komo("links", home=home.root)
    assert result.returncode == 0, result.stderr
    assert "by reference" in result.stdout
    return home


def rows(home: Home, sql: str, parameters: list | None = None) -> list[tuple]:
    with duckdb.connect(str(home.published_db), read_only=True) as con:
        return con.execute(sql, parameters or []).fetchall()


def test_a_named_reference_links_by_reference_with_its_sentence(linked_home):
    found = rows(linked_home, "SELECT method, score, evidence FROM press_paper_links "
                              "WHERE press_id = 'pr-001' AND paper_id = ?", [paper_id(BASE, "2019/0112")])
    assert found == [("reference", 1.0, "Mit der Vorlage Nr. 2019/0112 sollen die Ziele des Integrationskonzepts "
                                        "von 2017 für die Jahre 2019 bis 2021 konkretisiert werden.")]


def test_a_reference_without_leading_zero_is_the_same_number(linked_home):
    assert rows(linked_home, "SELECT paper_reference, method FROM press_release_papers WHERE press_id = 'pr-016'") \
        == [("2019/0305", "reference")]


def test_a_quoted_title_links_by_similarity_and_a_near_miss_stays_unlinked(linked_home):
    assert rows(linked_home, "SELECT paper_reference, method FROM press_release_papers WHERE press_id = 'pr-005'") \
        == [("2019/0147", "similarity")]
    # the same street, years after every paper about it: no candidate in the date window
    assert rows(linked_home, "SELECT * FROM press_paper_links WHERE press_id = 'pr-110'") == []


def test_every_link_keeps_a_sentence_of_its_release(linked_home):
    missing = rows(linked_home, """
        SELECT l.press_id FROM press_paper_links l
        JOIN documents d ON d.source = l.press_source AND d.native_id = l.press_id
        WHERE l.evidence IS NULL OR NOT contains(d.title || chr(10) || d.body, l.evidence)""")
    assert missing == []


def test_linking_again_reads_only_what_changed(linked_home, tmp_path):
    home = Home(tmp_path / "copy").ensure()
    shutil.copy(linked_home.db, home.db)
    settings = load_settings()
    with Store.open(home.db) as store:
        assert link_into(store, settings).releases == 0
        store.con.execute("UPDATE documents SET body = body || ' Nachtrag.', content_hash = 'changed' "
                          "WHERE native_id = 'pr-002'")
        assert link_into(store, settings).releases == 1
        # a paper that changes relinks the releases in its window, not the others
        store.con.execute("UPDATE documents SET last_changed = now()::TIMESTAMP + INTERVAL 1 DAY "
                          "WHERE native_id = ?", [paper_id(BASE, "2021/0291")])
        relinked = link_into(store, settings).releases
        assert 0 < relinked < 20
        before = store.con.execute("SELECT * EXCLUDE (run_id) FROM press_paper_links ORDER BY ALL").fetchall()
        full = link_into(store, settings, full=True)
        assert full.releases == 94
        assert store.con.execute("SELECT * EXCLUDE (run_id) FROM press_paper_links ORDER BY ALL").fetchall() == before


def test_the_linker_meets_its_aim_on_the_labelled_set():
    report = evaluate_links(GOLD)
    assert report["pairs"] >= 50 and report["non_pairs"] >= 50
    assert report["precision"] >= 0.9 and report["recall"] >= 0.7
    assert report["recall_by_how"]["number"] == "28/28"


def test_researcher_views_answer_the_readme_questions(linked_home):
    by_committee = rows(linked_home, """
        SELECT committee, action_field, year, papers FROM council_papers_by_committee_field_year
        ORDER BY committee, year, action_field""")
    assert by_committee and all(n > 0 for *_, n in by_committee)
    press = rows(linked_home, "SELECT count(*) FROM press_release_papers")[0][0]
    assert press == rows(linked_home, "SELECT count(*) FROM press_paper_links")[0][0] > 50
    votes = rows(linked_home, """
        SELECT faction, position, count(*) FROM council_integration_votes_by_faction
        WHERE main GROUP BY ALL ORDER BY ALL""")
    # the council adopted 2019/0112 (the integration programme) against the votes of the FDP
    assert ("FDP", "no") in {(f, p) for f, p, _ in votes}


# -- the report's council section ----------------------------------------------------------------


@pytest.fixture(scope="module")
def reports(linked_home, tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("council-report")
    made = {}
    for output_format, suffix in (("html", "html"), ("md", "md"), ("csv-rfc4180", "csv")):
        target = folder / f"integration.{suffix}"
        result = run_komo("report", "--topic", "integration", "--by", "rules", "--format", output_format,
                          "-o", str(target), home=linked_home.root)
        assert result.returncode == 0, result.stderr
        made[suffix] = target
    return made


def _csv(path: Path, figure: str) -> list[list[str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle) if row and row[0] == figure]


def test_report_council_figures_match_sql(linked_home, reports):
    # Written apart from the report's queries: a paper is on integration when extraction found
    # integration or an action field in it or in a press release linked to it (the gold papers
    # have no files); committees from each consultation's organization.
    texts = """
        SELECT p.id, p.reference, p.date, e.integration, e.action_fields FROM council_papers p
        JOIN extractions e ON e.source = p.source AND e.native_id = p.id
        UNION ALL
        SELECT p.id, p.reference, p.date, e.integration, e.action_fields FROM council_papers p
        JOIN press_paper_links l ON l.council_source = p.source AND l.paper_id = p.id
        JOIN extractions e ON e.source = l.press_source AND e.native_id = l.press_id"""
    papers = rows(linked_home, f"SELECT DISTINCT reference FROM ({texts}) "  # noqa: S608 - the test's own SQL
                               "WHERE integration OR len(action_fields) > 0")
    papers = [reference for reference, in papers]
    committees = dict(rows(linked_home, """
        SELECT o.json->>'name' AS name, count(DISTINCT p.id)
        FROM council_papers p
        JOIN council_relations r ON r.source = p.source AND r.subject = p.id AND r.relation = 'consultation'
        JOIN council_relations ro ON ro.source = p.source AND ro.subject = r.object AND ro.relation = 'organization'
        JOIN council_objects o ON o.source = p.source AND o.id = ro.object
        WHERE list_contains(?, p.reference) GROUP BY ALL""", [papers]))
    fields = rows(linked_home, "SELECT year(date)::VARCHAR, f, count(DISTINCT id) "  # noqa: S608 - the test's own SQL
                               f"FROM ({texts}), unnest(action_fields) AS u(f) GROUP BY ALL")
    links = dict(rows(linked_home, """
        SELECT p.reference, count(*) FROM press_paper_links l JOIN council_papers p
        ON p.source = l.council_source AND p.id = l.paper_id GROUP BY p.reference"""))
    csv_path = reports["csv"]
    assert len(papers) >= 5
    assert {row[2]: int(row[4]) for row in _csv(csv_path, "council_committee")} == committees
    assert sorted((row[1], row[2], int(row[4])) for row in _csv(csv_path, "council_action_field_year")) \
        == sorted(fields)
    listed = {row[2]: int(row[7]) for row in _csv(csv_path, "council_paper")}
    assert set(listed) <= set(papers) and len(listed) == min(25, len(papers))
    assert all(listed[ref] == links.get(ref, 0) for ref in listed)
    markdown = reports["md"].read_text(encoding="utf-8")
    assert "## Im Rat" in markdown and f"{len(papers)} Vorlagen zum Thema" in markdown


def test_a_paper_lists_its_consultations_in_order(reports):
    # Every paper the report shows lists its consultations in the order of the council's papers,
    # whichever papers extraction put on the topic.
    import json

    council = {p["reference"]: p for p in map(json.loads, (GOLD / "council.jsonl").read_text("utf-8").splitlines())}
    shown = [row[2] for row in _csv(reports["csv"], "council_paper")]
    with_several = [ref for ref in shown if len(council[ref]["consultations"]) >= 3]
    assert with_several, "the report shows a paper that went through three bodies"
    for ref in shown:
        listed = [row[3] for row in _csv(reports["csv"], "council_consultation") if row[2] == ref]
        want = [f"{n}. {c['committee']} ({c['role']})" for n, c in enumerate(council[ref]["consultations"], 1)]
        assert listed == want, ref


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM and not os.environ.get("CI"), reason="Chromium is not installed")
def test_council_section_renders_in_chromium(reports, linked_home, browser):
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(reports["html"].as_uri(), wait_until="load")
    assert page.locator("#rat h2").inner_text() == "Im Rat"
    shown = page.locator("#rat article.paper").count()
    assert shown == len(_csv(reports["csv"], "council_paper"))
    committees = page.locator("#rat-gremien tbody tr").count()
    assert committees == len(_csv(reports["csv"], "council_committee"))
    assert page.locator("#rat .press blockquote").count() == len(_csv(reports["csv"], "council_press_link"))
    assert errors == []
    page.close()
