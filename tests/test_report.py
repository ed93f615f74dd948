"""`komo report` and `komo export`: figures checked against SQL written here independently,
web text escaped in every format, persons named only with a public role."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from kommunalmonitor.core.privacy import is_public_role
from kommunalmonitor.pipeline.report.render import md_text

from .conftest import HOSTILE_SENDER, HOSTILE_TITLE, query, run_komo

pytestmark = pytest.mark.slow


def snapshot(home: Path) -> Path:
    return home / "published" / "komo.duckdb"


def report(home: Path, *args: str) -> str:
    result = run_komo("report", *args, home=home)
    assert result.returncode == 0, result.stderr
    return result.stdout


def report_rows(home: Path, *args: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(report(home, *args, "--format", "csv-rfc4180"))))


# Independent SQL: straight from documents and topics, without the store's views.
ASSIGNED = ("EXISTS (SELECT 1 FROM topics t WHERE t.source = d.source AND t.native_id = d.native_id "
            "AND t.label_set = ? AND t.label = ? AND t.assigned)")


def expected_share_by_year(home: Path, label_set: str, label: str, first: int = 0, last: int = 9999) -> dict:
    rows = query(snapshot(home),
                 f"SELECT year(d.published), count(*) FILTER (WHERE {ASSIGNED}), count(*) FROM documents d "  # noqa: S608
                 "WHERE d.duplicate_of IS NULL AND year(d.published) BETWEEN ? AND ? GROUP BY 1",
                 [label_set, label, first, last])
    return {str(y): (selected, total) for y, selected, total in rows}


def test_yearly_shares_equal_an_independent_count(reading_home):
    rows = [r for r in report_rows(reading_home, "--topic", "integration") if r["figure"] == "share_year"]
    got = {r["period"]: (int(r["documents"]), int(r["total"])) for r in rows if int(r["total"])}
    assert got == expected_share_by_year(reading_home, "integration", "integration")
    for r in rows:
        assert float(r["share"]) == pytest.approx(int(r["documents"]) / int(r["total"]), rel=1e-5)
    months = [r for r in report_rows(reading_home, "--topic", "integration") if r["figure"] == "share_month"]
    assert sum(int(r["documents"]) for r in months) == sum(s for s, _ in got.values())


def test_an_action_field_over_a_year_range(reading_home):
    rows = report_rows(reading_home, "--topic", "wohnen", "--from", "2015", "--to", "2019")
    got = {r["period"]: (int(r["documents"]), int(r["total"])) for r in rows if r["figure"] == "share_year"}
    assert got == expected_share_by_year(reading_home, "action_field", "wohnen", 2015, 2019)
    assert set(got) == {"2015", "2016", "2017", "2018", "2019"}


def test_action_field_counts_per_year_equal_an_independent_count(reading_home):
    rows = report_rows(reading_home, "--topic", "integration")
    got = {(r["period"], r["key"]): int(r["documents"]) for r in rows if r["figure"] == "action_field_year"}
    expected = query(snapshot(reading_home),
                     f"SELECT year(d.published)::VARCHAR, f.label, count(*) FROM documents d "  # noqa: S608
                     "JOIN topics f ON f.source = d.source AND f.native_id = d.native_id "
                     "AND f.label_set = 'action_field' AND f.assigned "
                     f"WHERE d.duplicate_of IS NULL AND {ASSIGNED} GROUP BY 1, 2", ["integration", "integration"])
    assert got == {(y, f): n for y, f, n in expected}
    assert got, "the sample archive has integration articles with action fields"


def test_district_filter_keeps_only_articles_located_there(reading_home):
    rows = report_rows(reading_home, "--topic", "integration", "--district", "Opladen", "--documents", "200")
    listed = {r["key"] for r in rows if r["figure"] == "document"}
    # Independently: the archive's stadtteil codes for Opladen (31, 33 in the districts file), or the
    # name or its quarter Fixheide (an alias there) in the body.
    located = {r[0] for r in query(snapshot(reading_home), (
        "SELECT native_id FROM documents WHERE duplicate_of IS NULL AND (len(list_filter(url_forms, "
        "u -> regexp_matches(u, '[?&]stadtteil=(31|33)(&|$)'))) > 0 "
        "OR regexp_matches(body, '\\b(Opladen|Fixheide)\\b'))"))}
    assert listed and listed <= located
    assert "99001" in listed, "the hostile release is located in Opladen by its URL code"
    total = sum(int(r["documents"]) for r in rows if r["figure"] == "share_year")
    assert total == len(listed)


def test_persons_are_named_only_with_a_public_role(reading_home):
    html = report(reading_home, "--topic", "integration", "--documents", "200")
    persons = query(snapshot(reading_home), "SELECT DISTINCT person, role, role_of FROM person_identities")
    public = {p for p, r, of in persons if is_public_role(r, of)}
    # Full names only: the extraction's rare one-word false persons ("Arbeit") are ordinary words.
    private = {p for p, r, of in persons if not is_public_role(r, of) and " " in p} - public
    assert "Greta Mustermann-Beispiel" in private
    named = [p for p in public if p in html]
    assert named, "office holders of integration articles are named"
    for person in private:
        assert person not in html, f"{person} has no public role but is named"
    counted = re.search(r"([\d.]+) weitere Personen ohne öffentliche Funktion", html)
    assert counted and int(counted.group(1).replace(".", "")) > 0


def test_quoted_sentences_blank_out_private_persons():
    from kommunalmonitor.core.privacy import redact

    body = "Sozialdezernent Markus Sieben lobte Greta Beispiel. Danach sprach Max Muster."
    spans = [(body.index(name), body.index(name) + len(name)) for name in ("Greta Beispiel", "Max Muster")]
    second = body.index("Danach")
    assert redact(body[:second - 1], 0, spans) == "Sozialdezernent Markus Sieben lobte [Name]."
    assert redact(body[second:], second, spans) == "Danach sprach [Name]."
    assert redact(body, 0, []) == body


def test_web_text_is_escaped_in_html_and_markdown(reading_home):
    html = report(reading_home, "--topic", "integration", "--documents", "200")
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;document.title=" in html
    markdown = report(reading_home, "--topic", "integration", "--documents", "200", "--format", "md")
    assert "<script" not in markdown and "<img" not in markdown
    assert md_text(HOSTILE_TITLE) in markdown


def test_spreadsheet_csv_is_german_and_guards_formulas(reading_home, tmp_path):
    target = tmp_path / "bericht.csv"
    result = run_komo("report", "--topic", "integration", "--documents", "200", "--format", "csv",
                      "-o", str(target), home=reading_home)
    assert result.returncode == 0, result.stderr
    raw = target.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    german = list(csv.reader(io.StringIO(raw.decode("utf-8-sig")), delimiter=";"))
    plain = list(csv.reader(io.StringIO(report(reading_home, "--topic", "integration", "--documents", "200",
                                               "--format", "csv-rfc4180"))))
    assert len(german) == len(plain) and german[0][0] == "Kennzahl" and plain[0][0] == "figure"
    share = plain[0].index("share")
    for de_row, row in zip(german[1:], plain[1:], strict=True):
        if row[0] == "share_year" and row[share]:
            assert float(de_row[share].replace(",", ".")) == pytest.approx(float(row[share]))
            assert "." not in de_row[share]
    cells = [cell for row in german for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert HOSTILE_SENDER not in cells  # the sender is not a report column, but titles are:
    assert any(cell == HOSTILE_TITLE for cell in (c for row in plain for c in row))


def test_unknown_topic_and_impossible_requests_fail_in_one_line(reading_home):
    for args, message in ((["--topic", "wetter"], "unknown topic"),
                          (["--topic", "topic:rat", "--by", "rules"], "classifier"),
                          (["--topic", "integration", "--from", "2020", "--to", "2010"], "after"),
                          (["--topic", "integration", "--from", "zwanzig"], "not a year")):
        result = run_komo("report", *args, home=reading_home)
        assert result.returncode == 2, (args, result.stderr)
        assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_topics_resolve_by_id_label_and_prefix(reading_home):
    for spelling in ("topic:rat", "Rat und Politik"):
        rows = report_rows(reading_home, "--topic", spelling)
        got = {r["period"]: (int(r["documents"]), int(r["total"])) for r in rows if r["figure"] == "share_year"}
        assert got == {y: v for y, v in expected_share_by_year(reading_home, "topic", "rat").items()}


def test_rules_method_counts_the_extraction_flags(reading_home):
    rows = report_rows(reading_home, "--topic", "integration", "--by", "rules")
    selected = sum(int(r["documents"]) for r in rows if r["figure"] == "share_year")
    expected = query(snapshot(reading_home),
                     "SELECT count(*) FROM documents d JOIN extractions e USING (source, native_id) "
                     "WHERE d.duplicate_of IS NULL AND e.integration")[0][0]
    assert selected == expected > 0


def test_export_writes_parquet_without_private_persons(reading_home, tmp_path):
    result = run_komo("export", "--format", "parquet", "-o", str(tmp_path / "out"), home=reading_home)
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    counts = {t["name"]: t["rows"] for t in manifest["tables"]}
    assert counts["documents"] == query(snapshot(reading_home), "SELECT count(*) FROM documents")[0][0]
    assert pq.read_table(tmp_path / "out" / "documents.parquet").num_rows == counts["documents"]
    mentions = pq.read_table(tmp_path / "out" / "mentions.parquet").to_pylist()
    persons = [m for m in mentions if m["kind"] == "person"]
    assert persons and all(is_public_role(m["role"], m["role_of"]) for m in persons)
    assert not any(m["value"] == "Greta Mustermann-Beispiel" for m in mentions)
    bodies = {d["native_id"]: d["body"] for d in pq.read_table(tmp_path / "out" / "documents.parquet").to_pylist()}
    assert "Greta Mustermann-Beispiel" not in bodies["99001"] and "Markus Sieben" in bodies["99001"]
    masked = "[" + "*" * (len("Greta Mustermann-Beispiel") - 2) + "]"
    assert masked in bodies["99001"], "masked with the same length, so offsets stay valid"
    assert "body" not in pq.read_schema(tmp_path / "out" / "document_versions.parquet").names
    everything = run_komo("export", "-o", str(tmp_path / "all"), "--include-private-persons",
                          "--table", "mentions", home=reading_home)
    assert everything.returncode == 0, everything.stderr
    all_mentions = pq.read_table(tmp_path / "all" / "mentions.parquet").num_rows
    assert all_mentions == query(snapshot(reading_home), "SELECT count(*) FROM mentions")[0][0] > len(mentions)


def test_notable_articles_quote_their_first_integration_sentence(reading_home):
    markdown = report(reading_home, "--topic", "integration", "--documents", "200", "--format", "md")
    quoted = dict(re.findall(r"Nr\. (\d+)[^\n]*\n  > ([^\n]*)", markdown))
    first = dict(query(snapshot(reading_home),
                       "SELECT native_id, sentence FROM mentions WHERE kind = 'integration' "
                       "QUALIFY row_number() OVER (PARTITION BY source, native_id ORDER BY start_char) = 1"))
    checked = [nid for nid in quoted if nid in first and "\\[Name\\]" not in quoted[nid]]
    assert len(checked) > 10
    for native_id in checked:
        assert quoted[native_id] == md_text(first[native_id]), native_id


def test_unknown_filters_name_what_exists(reading_home):
    for args, message in ((["--district", "Atlantis"], "unknown district 'Atlantis'; known: "),
                          (["--body", "Weltraumbehörde"], "no body name contains"),
                          (["--field", "integration"], "unknown action field")):
        result = run_komo("report", "--topic", "integration", *args, home=reading_home)
        assert result.returncode == 2 and message in result.stderr, (args, result.stderr)
    assert "Opladen" in run_komo("report", "--topic", "integration", "--district", "x", home=reading_home).stderr


def test_trend_views_count_one_model_when_the_store_holds_two(reading_home, tmp_path):
    import shutil

    import duckdb

    copy = tmp_path / "two-models.duckdb"
    shutil.copy(snapshot(reading_home), copy)
    with duckdb.connect(str(copy)) as con:
        before = con.execute("SELECT sum(documents) FROM action_field_trend_monthly").fetchone()[0]
        con.execute("INSERT INTO topics SELECT * REPLACE ('old-model' AS model_name, "
                    "classified_at - INTERVAL 30 DAY AS classified_at) FROM topics")
        after = con.execute("SELECT sum(documents) FROM action_field_trend_monthly").fetchone()[0]
        models = con.execute("SELECT DISTINCT model_name FROM current_topics").fetchall()
    assert before == after > 0 and models == [("topic-classifier",)]


def test_raw_prints_the_kept_copy_of_a_page(reading_home):
    import gzip

    ref = query(snapshot(reading_home), "SELECT raw_ref FROM documents WHERE native_id = '99001'")[0][0]
    result = subprocess.run([sys.executable, "-m", "kommunalmonitor.pipeline", "raw", "99001"],
                            capture_output=True, env={**os.environ, "KOMO_HOME": str(reading_home)}, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout == gzip.decompress((reading_home / ref).read_bytes())
    assert b"&lt;script&gt;" in result.stdout
    missing = run_komo("raw", "424242", home=reading_home)
    assert missing.returncode == 2 and "no document '424242'" in missing.stderr
