"""Read-only means read-only: each attack on `komo sql`, the file mode, the publish and the kept
copies, written as the attack. Each must fail safely, in one line, with its own exit code, and
leave the store as it was."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from kommunalmonitor.core.lock import writer_lock
from kommunalmonitor.crawler.render import render_text

from .conftest import query, run_komo
from .test_layers import probe

REFUSED, TIMEOUT, DAMAGED, USAGE, LOCKED = 4, 5, 6, 2, 75


@pytest.fixture
def home(reading_home: Path, tmp_path: Path) -> Path:
    """A private copy of a crawled, extracted, classified and published home."""
    target = tmp_path / "home"
    shutil.copytree(reading_home, target)
    return target


def counts(db: Path) -> tuple[int, int, int]:
    return query(db, "SELECT (SELECT count(*) FROM documents), (SELECT count(*) FROM mentions), "
                     "(SELECT count(*) FROM topics)")[0]


def one_line_error(result, code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stderr)
    assert result.stderr.count("\n") == 1, result.stderr
    assert result.stderr.startswith("komo: error:") and "Traceback" not in result.stderr
    for word in words:
        assert word in result.stderr, result.stderr


# -- komo sql: the snapshot is opened so it can only be read -----------------------------------

@pytest.mark.parametrize("attack", [
    "ATTACH '{home}/komo.duckdb' AS w (READ_WRITE); DELETE FROM w.mentions",
    "ATTACH '{home}/komo.duckdb' AS w",
    "COPY (SELECT 'x') TO '{home}/komo.duckdb' (FORMAT csv)",
    "EXPORT DATABASE '{home}/dump'",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('{home}/komo.duckdb')",
    "SELECT * FROM glob('/etc/*')",
    "INSTALL httpfs",
    "LOAD '{home}/evil.duckdb_extension'",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "SET lock_configuration = false",
], ids=["attach-delete", "attach", "copy-to", "export", "read-csv", "read-text", "glob", "install", "load-file",
        "set-access", "reset-lock", "set-lock"])
def test_sql_cannot_reach_outside_the_snapshot(home, attack):
    store, snapshot = home / "komo.duckdb", home / "published" / "komo.duckdb"
    before = (counts(store), counts(snapshot), store.read_bytes()[:4096])
    result = run_komo("sql", attack.format(home=home), home=home)
    one_line_error(result, REFUSED, "not allowed")
    assert (counts(store), counts(snapshot), store.read_bytes()[:4096]) == before
    assert not (home / "dump").exists()


def test_a_runaway_query_is_stopped_by_the_time_limit(home):
    result = run_komo("sql", "--timeout", "1", "SELECT count(*) FROM range(1000000000000) a, range(10) b", home=home)
    one_line_error(result, TIMEOUT, "--timeout")
    recursive = run_komo("sql", "--timeout", "1",
                         "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r",
                         home=home)
    one_line_error(recursive, TIMEOUT)


def test_large_results_are_streamed_whole_as_csv(home):
    result = run_komo("sql", "--format", "csv", "SELECT range AS n FROM range(250000)", home=home)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "n" and len(lines) == 250001 and lines[-1] == "249999"
    table = run_komo("sql", "SELECT range AS n FROM range(25000)", home=home)
    assert table.stdout.splitlines()[-1].startswith("(25000 rows; the first 10000 shown")


# -- publish only what is ours ----------------------------------------------------------------

def test_extract_with_another_db_publishes_beside_it_never_over_the_homes_snapshot(home, tmp_path):
    snapshot = home / "published" / "komo.duckdb"
    before = counts(snapshot)
    other = tmp_path / "elsewhere" / "other.duckdb"
    result = run_komo("extract", "--db", str(other), home=home)
    assert result.returncode == 0, result.stderr
    assert counts(snapshot) == before, "the home's readers must keep their snapshot"
    assert (other.parent / "published" / "other.duckdb").exists()


def test_a_damaged_store_is_reported_as_damaged_with_what_to_do(home):
    store = home / "komo.duckdb"
    data = store.read_bytes()
    store.write_bytes(data[: len(data) // 2])
    result = run_komo("extract", home=home)
    one_line_error(result, DAMAGED, "damaged", "restore")
    snapshot = home / "published" / "komo.duckdb"
    snapshot.write_bytes(b"\0" * 8192 + snapshot.read_bytes()[8192:])
    reader = run_komo("sql", "SELECT count(*) FROM documents", home=home)
    one_line_error(reader, DAMAGED, "damaged")


def test_a_stale_temporary_snapshot_is_removed_by_the_next_writer(home):
    stale = home / "published" / ".komo.duckdb.4242.tmp"
    stale.write_bytes(b"half a snapshot")
    kept = home / "published" / "notes.txt"
    kept.write_text("mine", encoding="utf-8")
    result = run_komo("extract", home=home)
    assert result.returncode == 0, result.stderr
    assert not stale.exists() and kept.exists()


def test_a_rival_update_exits_before_it_loads_the_model_or_spacy(home):
    with writer_lock(home / "komo.lock"):
        code, loaded, output = probe(home, "update", "--source", "leverkusen-com", cwd=home)
    assert code == LOCKED, output
    assert not loaded & {"spacy", "sklearn", "scrapy"}, f"the rival loaded {loaded} before giving up"


# -- the file mode never crashes -------------------------------------------------------------

def write_lines(path: Path, lines: list[bytes]) -> Path:
    path.write_bytes(b"".join(line + b"\n" for line in lines))
    return path


def extract_file(tmp_path: Path, lines: list[bytes]):
    source = write_lines(tmp_path / "in.jsonl", lines)
    target = tmp_path / "out.jsonl"
    result = run_komo("extract", "--input", str(source), "--output", str(target), home=tmp_path / "home")
    records = [json.loads(line) for line in target.read_text("utf-8").splitlines()] if target.exists() else []
    return result, records


GOOD = json.dumps({"key": "good", "text": "Der Integrationsrat tagt am 3. Mai 2019 im Rathaus."}).encode()


def test_malformed_lines_give_records_with_errors_and_the_run_goes_on(tmp_path):
    lines = [
        b'{"key": "a", "text": "Rat \\udcff tagt am 3. Mai 2019."}',   # a lone surrogate
        b'{"key": "b", "html": 123}',                                   # a non-string html
        b'{"key": "c", "text": ["a", "list"]}',
        b'{"key": "d", "text": "abgeschnitten',                         # invalid JSON
        b'[1, 2, 3]',
        b'\x00\x01\x02\xff\xfe binary \x00\x00\x00\x00\x00\x00\x00\x00',
        GOOD,
    ]
    result, records = extract_file(tmp_path, lines)
    assert result.returncode == 0, result.stderr
    assert [r["key"] for r in records] == ["a", "b", "c", "d", None, None, "good"]
    assert "error" not in records[0] and "surrogate" in records[0]["warning"]
    assert "\ufffd" in records[0]["body"] and records[0]["dates"][0]["value"] == "2019-05-03"
    assert "html" in records[1]["error"] and "int" in records[1]["error"]
    assert "text" in records[2]["error"]
    assert "not JSON" in records[3]["error"] and "not a JSON object" in records[4]["error"]
    assert records[5]["error"]
    assert "error" not in records[6] and records[6]["bodies"]


def test_a_latin1_line_is_read_and_the_record_says_so(tmp_path):
    latin = json.dumps({"key": "l", "text": "Die Bürgermeisterin grüßt den Ausschuß."}, ensure_ascii=False)
    result, records = extract_file(tmp_path, [latin.encode("latin-1"), GOOD])
    assert result.returncode == 0, result.stderr
    assert records[0]["body"] == "Die Bürgermeisterin grüßt den Ausschuß."
    assert "not UTF-8" in records[0]["warning"] and "warning" not in records[1]


def test_an_oversized_line_is_refused_unread_and_memory_stays_bounded(tmp_path):
    huge = json.dumps({"key": "huge", "html": "<p>" + "Ratssitzung " * 1_800_000 + "</p>"}).encode()
    assert len(huge) > 20_000_000
    source = write_lines(tmp_path / "in.jsonl", [huge] * 5 + [GOOD])
    target = tmp_path / "out.jsonl"
    # Peak memory of the komo process, measured by a parent that does nothing else.
    measure = ("import resource, subprocess, sys; subprocess.run(sys.argv[1:], check=False, "
               "stdout=subprocess.DEVNULL); print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)")
    done = subprocess.run([sys.executable, "-c", measure, sys.executable, "-m", "kommunalmonitor.pipeline",
                           "extract", "--input", str(source), "--output", str(target)],
                          capture_output=True, text=True, env=dict(os.environ, KOMO_HOME=str(tmp_path / "h")))
    records = [json.loads(line) for line in target.read_text("utf-8").splitlines()]
    assert [r["key"] for r in records] == ["huge"] * 5 + ["good"]
    assert all("cap" in r["error"] for r in records[:5]) and "error" not in records[5]
    peak_mb = int(done.stdout.strip()) / 1024
    assert peak_mb < 600, f"peak RSS {peak_mb:.0f} MB for 5 lines of 20 MB: lines were read whole"


def test_input_and_output_may_not_be_the_same_file(tmp_path):
    source = write_lines(tmp_path / "pages.jsonl", [GOOD])
    before = source.read_bytes()
    result = run_komo("extract", "--input", str(source), "--output", str(source), home=tmp_path / "home")
    one_line_error(result, USAGE, "input")
    assert source.read_bytes() == before


def test_a_failed_run_leaves_no_partial_output(tmp_path):
    source = write_lines(tmp_path / "pages.jsonl", [GOOD])
    target = tmp_path / "out.jsonl"
    result = run_komo("extract", "--input", str(source), "--output", str(target), home=tmp_path / "home",
                      env={"KOMO_KILL_AT": "never-reached"})
    assert result.returncode == 0 and target.exists()
    assert not list(tmp_path.glob(".out.jsonl.*.partial"))


# -- text from the web is inert -----------------------------------------------------------------

def test_control_characters_in_a_page_never_reach_the_store_or_the_terminal(archive_copy, tmp_path):
    from kommunalmonitor.pipeline.demo.sample_site import serve

    release = {"id": 99601, "published": "2020-02-02", "sender": "Stadt\x1b[31mverwaltung", "category": "Soziales",
               "title": "Titel\x1b]0;pwned\x07 Sprachkurse im Stadtteilbüro",
               "blocks": [{"type": "p", "text": "Sprachkurse\x1b[2J für Zugewanderte beginnen im März 2020."}]}
    with (archive_copy / "articles.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(release, ensure_ascii=False) + "\n")
    home = tmp_path / "home"
    with serve(archive_copy, fast=True) as server:
        crawled = run_komo("crawl", "--base-url", server.base_url, "--profile", "fast", home=home)
    assert crawled.returncode == 0, crawled.stderr
    title, sender, body = query(home / "komo.duckdb",
                                "SELECT title, sender, body FROM documents WHERE native_id = '99601'")[0]
    for text in (title, sender, body):
        assert not any(ord(ch) < 32 and ch not in "\n\t" for ch in text), repr(text)
    assert title.startswith("Titel]0;pwned Sprachkurse")
    found = run_komo("search", "Sprachkurse Stadtteilbüro", home=home)
    assert found.returncode == 0 and "\x1b" not in found.stdout and "\x07" not in found.stdout


def test_character_references_to_controls_are_removed_when_rendering():
    text = render_text("<html><body><h1>Titel&#27;]0;pwned&#7;</h1><p>Text&#x9b;31m</p></body></html>")
    assert "\x1b" not in text and "\x07" not in text and "\x9b" not in text
    assert "Titel]0;pwned" in text


def test_raw_reads_only_inside_the_raw_folder_and_never_echoes_a_file(home, tmp_path):
    secret = home / "raw" / "not-a-page.gz"
    secret.write_bytes(b"TOPSECRET-CONTENT " * 10)
    outside = tmp_path / "evil.gz"
    outside.write_bytes(gzip.compress(b"outside the home"))
    store = home / "komo.duckdb"
    with duckdb.connect(str(store)) as con:
        con.execute("UPDATE documents SET raw_ref = '../evil.gz' WHERE native_id = '99001'")
        con.execute("UPDATE documents SET raw_ref = 'raw/not-a-page.gz' WHERE native_id = '300'")
    forged = run_komo("raw", "99001", "--db", str(store), home=home)
    one_line_error(forged, DAMAGED, "not under")
    assert "outside the home" not in forged.stdout
    not_gzip = run_komo("raw", "300", "--db", str(store), home=home)
    one_line_error(not_gzip, DAMAGED, "not a readable gzip")
    assert "TOPSECRET" not in not_gzip.stderr and "TOPSECRET" not in not_gzip.stdout


def test_a_report_into_a_missing_folder_is_a_usage_error(home):
    result = run_komo("report", "--topic", "integration", "-o", "/nonexistent/x.html", home=home)
    one_line_error(result, USAGE, "no directory")
