"""The operator's commands on a crawled sample store: komo forget, komo doctor, komo gc."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from kommunalmonitor.core.namemask import NameMatcher
from kommunalmonitor.pipeline.demo.sample_site import serve

from .conftest import SAMPLE_ARCHIVE, crawl_args, query, run_komo

# An invented person of the sample archive (Sozialdezernent in nine releases) whose surname is
# also a German number word: "sieben" must survive where it is not his name.
NAME = "Markus Sieben"
TEXT_TYPES = ("VARCHAR", "VARCHAR[]", "JSON")


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home after crawl → extract → classify of the sample archive (copied by each test)."""
    home = tmp_path_factory.mktemp("ops-home")
    with serve(SAMPLE_ARCHIVE, fast=True) as server:
        for args in (crawl_args(server), ["extract"], ["classify"]):
            result = run_komo(*args, home=home)
            assert result.returncode == 0, f"komo {args[0]}: {result.stderr}"
    return home


@pytest.fixture
def home(crawled: Path, tmp_path: Path) -> Path:
    target = tmp_path / "home"
    shutil.copytree(crawled, target)
    return target


def text_hits(db: Path, needle: str) -> list[tuple[str, str, int]]:
    """(table, column, rows) of every text column of every table (any schema) containing `needle`."""
    with duckdb.connect(str(db), read_only=True) as con:
        columns = con.execute(
            "SELECT c.schema_name, c.table_name, c.column_name FROM duckdb_columns() c JOIN duckdb_tables() t "
            "USING (database_name, schema_name, table_name) WHERE c.data_type IN (SELECT unnest(?::VARCHAR[]))",
            [list(TEXT_TYPES)]).fetchall()
        assert len(columns) > 50
        hits = []
        for schema, table, column in columns:
            n = con.execute(f'SELECT count(*) FROM "{schema}"."{table}" '  # noqa: S608
                            f'WHERE CAST("{column}" AS VARCHAR) ILIKE ?', [f"%{needle}%"]).fetchone()[0]
            if n:
                hits.append((f"{schema}.{table}", column, n))
        return hits


def raw_hits(home: Path, needle: str) -> list[Path]:
    files = list((home / "raw").rglob("*.gz"))
    assert files
    return [p for p in files if needle.lower().encode() in gzip.decompress(p.read_bytes()).lower()]


def parquet_hits(directory: Path, needle: str) -> list[str]:
    hits = []
    with duckdb.connect() as con:
        for path in sorted(directory.glob("*.parquet")):
            columns = [row[0] for row in con.execute("DESCRIBE SELECT * FROM read_parquet(?)", [str(path)]).fetchall()
                       if "VARCHAR" in row[1] or "JSON" in row[1]]
            assert columns or path.name == "topics.parquet"
            for column in columns:
                if con.execute(f'SELECT count(*) FROM read_parquet(?) WHERE CAST("{column}" AS VARCHAR) ILIKE ?',  # noqa: S608
                               [str(path), f"%{needle}%"]).fetchone()[0]:
                    hits.append(f"{path.name}:{column}")
    return hits


def assert_forgotten(home: Path, tmp_path: Path) -> None:
    for db in (home / "komo.duckdb", home / "published" / "komo.duckdb"):
        assert text_hits(db, NAME) == [], db
        assert text_hits(db, "Sozialdezernent Sieben") == []
    assert raw_hits(home, NAME) == []


def test_forget_removes_the_name_everywhere_and_a_recrawl_does_not_bring_it_back(home: Path, tmp_path: Path) -> None:
    db = home / "komo.duckdb"
    assert text_hits(db, NAME) and raw_hits(home, NAME)
    identities = query(db, "SELECT person, role FROM person_identities WHERE person = ?", [NAME])
    assert identities == [(NAME, "Sozialdezernent")]
    numbers = query(db, "SELECT count(*) FROM documents WHERE regexp_matches(body, '\\bsieben\\b')")[0][0]
    assert numbers > 0

    dry = run_komo("forget", NAME, "--dry-run", home=home)
    assert dry.returncode == 0, dry.stderr
    assert "dry run: 1 identities, 9 mentions would be removed" in dry.stdout
    assert not (home / "forget.key").exists() and text_hits(db, NAME)

    done = run_komo("forget", NAME, home=home)
    assert done.returncode == 0, done.stderr
    assert "1 identities, 9 mentions removed" in done.stdout
    key = home / "forget.key"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert_forgotten(home, tmp_path)
    # Only the name went: the number word and the other persons stay.
    assert query(db, "SELECT count(*) FROM documents WHERE regexp_matches(body, '\\bsieben\\b')")[0][0] == numbers
    assert query(db, "SELECT count(*) FROM person_identities WHERE person = ?", [NAME]) == [(0,)]
    assert query(db, "SELECT count(*) FROM person_identities WHERE person = 'Jan Kessler'")[0][0] == 1
    # Masks keep the length: every remaining mention still points at its text in the body.
    assert query(db, "SELECT count(*) FROM mentions m JOIN documents d USING (source, native_id) "
                     "WHERE substr(d.body, m.start_char + 1, m.end_char - m.start_char) <> m.text") == [(0,)]
    # The record holds keyed hashes only; they find the name again with the key and not without.
    forms = query(db, "SELECT tokens, anchored FROM forgotten_forms")
    matcher = NameMatcher(bytes.fromhex(key.read_text().strip()))
    matcher.add_hashed(forms)
    assert matcher.spans(f"Heute sagte {NAME} dazu") == [(12, 12 + len(NAME))]
    assert NameMatcher(os.urandom(32), forms={tuple(t) for t, a in forms if not a}).spans(NAME) == []

    export = tmp_path / "export"
    result = run_komo("export", "-o", str(export), "--include-private-persons", home=home)
    assert result.returncode == 0, result.stderr
    assert parquet_hits(export, NAME) == [] and parquet_hits(export, "Sozialdezernent Sieben") == []
    assert parquet_hits(export, "Jan Kessler")  # the scan finds a name that is there
    for query_text in (NAME, "Sieben", "Sozialdezernent"):
        found = run_komo("search", query_text, "--limit", "50", "--format", "json", home=home)
        assert found.returncode == 0, found.stderr
        assert NAME not in found.stdout and "Sozialdezernent Sieben" not in found.stdout
    assert run_komo("search", "Sozialdezernent", "--format", "json", home=home).stdout.strip()
    report = run_komo("report", "--topic", "soziales", "--format", "html", "--documents", "200", home=home)
    assert report.returncode == 0, report.stderr
    assert len(report.stdout) > 10_000 and NAME not in report.stdout

    # The site serves his pages again, one changed and one new: a full re-crawl masks them as they load.
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    lines = (archive / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    changed = next(i for i, line in enumerate(lines) if NAME in line)
    article = json.loads(lines[changed])
    article["blocks"].append({"type": "p", "text": f"{NAME} dankte allen Beteiligten für ihren Einsatz."})
    lines[changed] = json.dumps(article, ensure_ascii=False)
    new = dict(article, id=46400, published="2023-03-30", title=f"Sozialdezernent {NAME} verabschiedet")
    lines.append(json.dumps(new, ensure_ascii=False))
    (archive / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with serve(archive, fast=True) as server:
        for args in (crawl_args(server, "--full"), ["extract"]):
            result = run_komo(*args, home=home)
            assert result.returncode == 0, f"komo {args[0]}: {result.stderr}"
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE command = 'crawl' ORDER BY run_id DESC LIMIT 1")[0][0])
    assert (stats["documents_new"], stats["documents_changed"]) == (1, 1)
    assert query(db, "SELECT title FROM documents WHERE native_id = '46400'") == [
        ("Sozialdezernent " + "[" + "*" * (len(NAME) - 2) + "]" + " verabschiedet",)]
    assert_forgotten(home, tmp_path)


def test_forget_needs_a_full_name(home: Path) -> None:
    result = run_komo("forget", "Sieben", home=home)
    assert result.returncode == 2 and "full name" in result.stderr


def test_a_crawl_refuses_to_run_without_the_key_of_a_forgotten_person(home: Path) -> None:
    assert run_komo("forget", NAME, home=home).returncode == 0
    (home / "forget.key").unlink()
    doctor = run_komo("doctor", home=home)
    assert doctor.returncode == 9 and "forget.key" in doctor.stdout
    with serve(SAMPLE_ARCHIVE, fast=True) as server:
        result = run_komo(*crawl_args(server, "--max-pages", "3"), home=home)
    assert result.returncode == 2 and "restore it from your backup" in result.stderr


def doctor(home: Path, *args: str) -> tuple[int, str]:
    result = run_komo("doctor", *args, home=home)
    assert "Traceback" not in result.stderr
    return result.returncode, result.stdout


def test_doctor_reports_a_clean_store_healthy(home: Path) -> None:
    code, out = doctor(home)
    assert code == 0, out
    assert out.strip().endswith("healthy") and "PROBLEM" not in out
    findings = json.loads(doctor(home, "--format", "json")[1])
    assert {f["check"] for f in findings} >= {"schema", "snapshot", "consistency", "lock", "temp-files", "disk",
                                              "sources", "alarms"}


def test_doctor_finds_a_stale_temp_snapshot(home: Path) -> None:
    (home / "published" / ".komo.duckdb.4242.tmp").write_bytes(b"half a snapshot")
    code, out = doctor(home)
    assert code == 9 and "half-written snapshot" in out and "komo gc" in out


def test_doctor_finds_a_snapshot_older_than_the_store(home: Path) -> None:
    with serve(SAMPLE_ARCHIVE, fast=True) as server:
        assert run_komo(*crawl_args(server, "--no-publish", "--max-pages", "5"), home=home).returncode == 0
    code, out = doctor(home)
    assert code == 9 and "the snapshot is older than the store" in out and "(crawl) are not published" in out


def test_doctor_finds_mentions_missing_for_extracted_documents(home: Path) -> None:
    with duckdb.connect(str(home / "komo.duckdb")) as con:
        con.execute("DELETE FROM mentions WHERE native_id IN (SELECT native_id FROM extractions "
                    "WHERE mention_count > 0 ORDER BY native_id LIMIT 3)")
    code, out = doctor(home)
    assert code == 9 and "mentions missing for 3 extracted document(s)" in out and "komo extract --all" in out


def test_doctor_finds_a_failing_source(home: Path) -> None:
    result = run_komo("update", "--source", "leverkusen-com", "--base-url", "http://127.0.0.1:1", home=home)
    assert result.returncode == 1
    code, out = doctor(home)
    assert code == 0, out  # one bad night is not yet a failing source
    code, out = doctor(home, "--failing-nights", "1")
    assert code == 9 and "leverkusen-com: its last 1 crawls failed" in out


def test_gc_removes_what_is_safe_and_keeps_every_current_page(home: Path, tmp_path: Path) -> None:
    # A second crawl re-checks recent articles; one of them changed meanwhile: a superseded version.
    archive = tmp_path / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    lines = (archive / "articles.jsonl").read_text(encoding="utf-8").splitlines()
    article = json.loads(lines[-1])
    article["blocks"].append({"type": "p", "text": "Nachtrag: Der Termin wurde verschoben."})
    lines[-1] = json.dumps(article, ensure_ascii=False)
    (archive / "articles.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    with serve(archive, fast=True) as server:
        assert run_komo(*crawl_args(server, "--recheck", "5"), home=home).returncode == 0
    db = home / "komo.duckdb"
    old_ref = query(db, "SELECT v.raw_ref FROM document_versions v JOIN documents d USING (source, native_id) "
                        "WHERE v.content_hash <> d.content_hash")
    assert len(old_ref) == 1
    stale_snapshot = home / "published" / ".komo.duckdb.4242.tmp"
    stale_snapshot.write_bytes(b"x")
    raw_temp = next((home / "raw").glob("*/")) / "abc.html.gz.tmp4242.1"
    raw_temp.write_bytes(b"x")
    old_log, new_log = home / "logs" / "crawl-old.log", home / "logs" / "crawl-new.log"
    old_log.write_text("old"), new_log.write_text("new")
    week_ago = time.time() - 8 * 86400
    for path in (old_log, raw_temp):
        os.utime(path, (week_ago, week_ago))

    dry = run_komo("gc", "--dry-run", "--logs-older-than", "7", "--raw-older-than", "0", home=home)
    assert dry.returncode == 0, dry.stderr
    assert all(str(p) in dry.stdout for p in (stale_snapshot, raw_temp, old_log, home / old_ref[0][0]))
    assert str(new_log) not in dry.stdout and stale_snapshot.exists() and old_log.exists()

    done = run_komo("gc", "--logs-older-than", "7", "--raw-older-than", "0", home=home)
    assert done.returncode == 0, done.stderr
    assert not any(p.exists() for p in (stale_snapshot, raw_temp, old_log, home / old_ref[0][0]))
    assert new_log.exists()
    assert query(db, "SELECT count(*) FROM document_versions WHERE raw_ref = ?", [old_ref[0][0]]) == [(0,)]
    # `komo raw` keeps its promise for every current document.
    current = query(db, "SELECT native_id, raw_ref FROM documents ORDER BY native_id")
    assert all((home / ref).exists() for _, ref in current)
    for native_id, _ in current[:: max(1, len(current) // 10)]:
        page = subprocess.run([sys.executable, "-m", "kommunalmonitor.pipeline", "raw", native_id, "--home", str(home)],
                              capture_output=True, timeout=60)  # bytes: old pages are ISO-8859-1
        assert page.returncode == 0 and b"<html" in page.stdout.lower(), page.stderr
    assert doctor(home)[0] == 0


@pytest.fixture
def locked(home: Path) -> Iterator[Path]:
    from kommunalmonitor.core.lock import writer_lock

    with writer_lock(home / "komo.lock"):
        yield home


def test_gc_takes_the_writer_lock(locked: Path) -> None:
    result = run_komo("gc", home=locked)
    assert result.returncode == 75 and "another komo command" in result.stderr
