"""Operating the nightly job: a budgeted backfill over several nights, and the layout alarm with
`komo reparse` from the kept raw pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from kommunalmonitor.pipeline.demo.sample_site import serve

from .conftest import SAMPLE_ARCHIVE, query, run_komo
from .store_compare import store_differences

pytestmark = pytest.mark.slow
BUDGET = 120


def update_args(server, *extra: str) -> list[str]:
    return ["update", "--source", "leverkusen-com", "--base-url", server.base_url, "--profile", "fast", *extra]


def _served_copy(tmp_path: Path, name: str) -> Path:
    target = tmp_path / name
    shutil.copytree(SAMPLE_ARCHIVE, target)
    return target


def test_store_compare_finds_a_changed_row_and_ignores_run_ids(tmp_path):
    import duckdb

    for name, (run_id, body) in {"a": (1, "Text"), "b": (7, "Text")}.items():
        with duckdb.connect(str(tmp_path / f"{name}.duckdb")) as con:
            con.execute("CREATE TABLE documents (native_id VARCHAR, body VARCHAR, run_id INTEGER, seen TIMESTAMP)")
            con.execute("INSERT INTO documents VALUES ('1', ?, ?, now())", [body, run_id])
    assert store_differences(tmp_path / "a.duckdb", tmp_path / "b.duckdb") == {}
    with duckdb.connect(str(tmp_path / "b.duckdb")) as con:
        con.execute("UPDATE documents SET body = 'Anderer Text'")
    assert "documents" in store_differences(tmp_path / "a.duckdb", tmp_path / "b.duckdb")


def test_three_night_backfill_with_a_budget_equals_a_one_night_crawl(tmp_path):
    nights_home, one_home = tmp_path / "nights", tmp_path / "one"
    lines = []
    with serve(_served_copy(tmp_path, "site-nights"), fast=True) as server:
        for _night in range(3):
            mark = len(server.requests)
            result = run_komo(*update_args(server, "--budget", str(BUDGET)), home=nights_home)
            assert result.returncode == 0, result.stderr
            lines.append(next(line for line in result.stdout.splitlines() if line.startswith("run ")))
            requested = [r for r in server.requests[mark:] if r["path"] != "/robots.txt"]
            # The spider stops creating requests at the budget; retries of failing pages come on top.
            assert len({r["path"] for r in requested}) <= BUDGET
        port = int(server.base_url.rsplit(":", 1)[1])
    progress = query(nights_home / "komo.duckdb",
                     "SELECT stored, estimated_total, nights_to_go, complete FROM backfill_progress ORDER BY run_id")
    assert [complete for *_, complete in progress] == [False, False, True], lines
    assert progress[0][0] < progress[1][0] < progress[2][0]
    assert progress[0][2] >= 2 and progress[1][2] >= 1 and progress[2][2] == 0
    assert re.search(r"; \d+ of ~\d+ articles, \d+ nights? to go at this budget$", lines[0]), lines[0]
    assert "backfill complete" in lines[2]

    # Night one took the newest articles: none stored after it is newer than any of them.
    newest_first = query(nights_home / "komo.duckdb",
                         "SELECT min(published) FILTER (WHERE run_id = ?), max(published) FILTER (WHERE run_id <> ?) "
                         "FROM document_versions", [2, 2])
    first_night_oldest, later_newest = newest_first[0]
    assert later_newest <= first_night_oldest

    # The same port: stored URLs name it.
    with serve(_served_copy(tmp_path, "site-one"), port=port, fast=True) as server:
        result = run_komo(*update_args(server), home=one_home)
        assert result.returncode == 0, result.stderr
    for db in ("komo.duckdb", "published/komo.duckdb"):
        assert store_differences(nights_home / db, one_home / db) == {}, db


# The site's new markup: other footer words, so none of the source's footer rules (body_end) holds.
NEW_FOOTER = {
    'category_line = "Kategorie: {category}"': 'category_line = "Rubrik: {category}"',
    'category_line_alt = "Dieser Artikel wurde als Nachricht einsortiert in: {category}"':
        'category_line_alt = "Rubrik: {category}"',
    'addresses_line = "Anschriften aus dem Artikel:': 'addresses_line = "Adressen im Text:',
    'visitors_line = "Bisherige Besucher auf dieser Seite: {count}"': 'visitors_line = "Besucher bisher: {count}"',
    'nav_browse = "Meldungen Blättern"': 'nav_browse = "Blättern"',
    'nav_sender = \'Weitere Nachrichten der Quelle "{sender}"\'': 'nav_sender = \'Mehr von "{sender}"\'',
    'nav_more = "Weitere Meldungen"': 'nav_more = "Mehr Meldungen"',
}
# ... and the fixed layout file the operator writes to $KOMO_HOME/sources/.
FIXED_RULES = {
    "category_lines = [\n": "category_lines = [\n    '^Rubrik:\\s*(?P<category>.+)$',\n",
    "addresses_line = '^Anschriften aus dem Artikel:":
        "addresses_line = '^(?:Anschriften aus dem Artikel|Adressen im Text):",
    "visitors_line = '^Bisherige Besucher auf dieser Seite:":
        "visitors_line = '^(?:Bisherige Besucher auf dieser Seite|Besucher bisher):",
    "body_end_lines = [\n": "body_end_lines = [\n    '^Blättern$',\n",
}


def _replace_all(text: str, replacements: dict[str, str]) -> str:
    for old, new in replacements.items():
        assert old in text, old
        text = text.replace(old, new)
    return text


def _parses(db: Path) -> dict[str, tuple]:
    rows = query(db, "SELECT native_id, title, category, body, content_hash FROM documents")
    return {row[0]: row[1:] for row in rows}


# Another new markup: the publication line itself (the anchor) in other words; no page parses.
NEW_PUBLICATION_LINE = {'published_line = "Veröffentlicht: {date} // Quelle: {sender}"':
                        'published_line = "Erschienen am {date}, herausgegeben von {sender}"'}
FIXED_PUBLICATION_LINE = {"publication_lines = [\n": "publication_lines = [\n    "
                          "'^Erschienen am\\s*(?P<date>\\d{1,2}\\.\\d{1,2}\\.\\d{4}),\\s*herausgegeben von\\s*"
                          "(?P<sender>.+?)$',\n"}


@pytest.mark.parametrize(("site_change", "fix", "rule"), [
    (NEW_FOOTER, FIXED_RULES, "body_end"),
    (NEW_PUBLICATION_LINE, FIXED_PUBLICATION_LINE, "anchor"),
], ids=["footer", "publication-line"])
def test_layout_alarm_holds_new_parses_until_reparse_restores_them_without_a_request(
        tmp_path, site_change, fix, rule):
    from kommunalmonitor.core.resources import data_file
    from kommunalmonitor.crawler.sources import Source
    from kommunalmonitor.crawler.spiders.press import read_kept_article

    archive, home = _served_copy(tmp_path, "site"), tmp_path / "home"
    snapshot = home / "published" / "komo.duckdb"
    with serve(archive, fast=True) as server:
        first = run_komo(*update_args(server), home=home)
        assert first.returncode == 0, first.stderr
        yesterday = _parses(snapshot)

        config = archive / "site.toml"
        config.write_text(_replace_all(config.read_text(encoding="utf-8"), site_change), encoding="utf-8")
        second = run_komo(*update_args(server), home=home)
        assert second.returncode == 7, (second.stdout, second.stderr)
        assert "layout alarm" in second.stderr and "source leverkusen-com" in second.stderr
        assert f"rule {rule}" in second.stderr and "komo reparse --source leverkusen-com" in second.stderr
        assert "LAYOUT ALARM" in second.stdout
        held = query(home / "komo.duckdb", "SELECT DISTINCT native_id FROM layout_checks WHERE held")
        assert len(held) >= 5, "the re-check window was parsed and held"
        # What the unfixed rules make of a held page differs from yesterday's parse (footer lines in the
        # body, no category) — and readers keep yesterday's parses of the held pages and of everything else.
        native_id, url, raw_ref = query(home / "komo.duckdb", "SELECT native_id, url, raw_ref FROM layout_checks "
                                        "WHERE held ORDER BY native_id LIMIT 1")[0]
        source = Source.load(data_file("sources/leverkusen-com.toml"), base_url=server.base_url)
        broken = read_kept_article(home, raw_ref, url, source)
        assert broken.layout_error or (broken.release["category"], broken.release["body"]) != yesterday[native_id][1:3]
        assert _parses(snapshot) == yesterday
        assert query(snapshot, "SELECT status FROM runs WHERE command = 'update' ORDER BY run_id DESC LIMIT 1") \
            == [("alarm",)]

        doctor = run_komo("doctor", home=home)
        assert doctor.returncode == 9 and f"rule {rule}" in doctor.stdout + doctor.stderr, doctor.stdout
        assert "komo reparse --source leverkusen-com" in doctor.stdout + doctor.stderr

        # Nothing changes until the layout file is fixed: reparse still finds the rule broken.
        mark = len(server.requests)
        still = run_komo("reparse", "--source", "leverkusen-com", home=home)
        assert still.returncode == 7, (still.stdout, still.stderr)
        assert _parses(snapshot) == yesterday

        shipped = data_file("sources/leverkusen-com.toml").read_text(encoding="utf-8")
        (home / "sources").mkdir(exist_ok=True)
        (home / "sources" / "leverkusen-com.toml").write_text(_replace_all(shipped, fix), encoding="utf-8")
        fixed = run_komo("reparse", "--source", "leverkusen-com", home=home)
        assert fixed.returncode == 0, (fixed.stdout, fixed.stderr)
        assert server.requests[mark:] == [], "reparse reads the kept raw pages, never the site"
    assert "0 requests" in fixed.stdout
    restored = _parses(snapshot)
    for (native_id,) in held:
        title, category, body, _ = restored[native_id]
        assert (title, category, body) == yesterday[native_id][:3], native_id
    assert query(home / "komo.duckdb", "SELECT count(*) FROM layout_checks WHERE held") == [(0,)]
    assert query(snapshot, "SELECT count(*) FROM layout_alarms WHERE resolved_by IS NULL") == [(0,)]
    healed = run_komo("doctor", home=home)
    assert "layout alarm" not in healed.stdout + healed.stderr, healed.stdout
    assert query(snapshot, "SELECT count(*) FROM extractions e JOIN documents d USING (source, native_id) "
                           "WHERE e.content_hash <> d.content_hash") == [(0,)], "the restored parses are extracted"
