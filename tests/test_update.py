"""`komo update`, the nightly job: crawl → extract → classify → publish once, while readers read."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import duckdb
import pytest

from .conftest import query, run_komo

pytestmark = pytest.mark.slow

NEW_RELEASE = {
    "id": 99501, "published": "2023-03-20", "sender": "Stadtverwaltung", "category": "Soziales",
    "title": "Neuer Integrationskurs im Stadtteilbüro Rheindorf",
    "blocks": [{"type": "p", "text": "Das Kommunale Integrationszentrum startet einen weiteren Integrationskurs "
                                     "für Zugewanderte im Stadtteilbüro Rheindorf."}],
}


def update_args(site) -> list[str]:
    return ["update", "--source", "leverkusen-com", "--base-url", site.base_url, "--profile", "fast"]


def snapshot_state(db) -> tuple[int, int, int]:
    """(documents, documents not yet extracted, documents not yet classified) as a reader sees them."""
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM extractions e "
            "  WHERE e.source = d.source AND e.native_id = d.native_id AND e.content_hash = d.content_hash)), "
            "count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM topics t "
            "  WHERE t.source = d.source AND t.native_id = d.native_id)) FROM documents d").fetchone()


def test_update_runs_every_step_and_publishes_a_complete_snapshot(site, tmp_path):
    result = run_komo(*update_args(site), home=tmp_path)
    assert result.returncode == 0, result.stderr
    documents, unextracted, unclassified = snapshot_state(tmp_path / "published" / "komo.duckdb")
    assert documents > 200 and unextracted == 0 and unclassified == 0
    runs = query(tmp_path / "komo.duckdb", "SELECT command, status FROM runs ORDER BY run_id")
    assert [c for c, _ in runs] == ["update", "crawl", "files", "extract", "classify", "links"]
    assert all(status == "ok" for _, status in runs)
    assert "update run 1: ok" in result.stdout

    again = run_komo(*update_args(site), home=tmp_path)
    assert again.returncode == 0, again.stderr
    assert "extracted 0 documents" in again.stdout, "nothing changed, nothing re-extracted"


def test_readers_never_see_a_half_updated_store_and_a_second_update_waits_its_turn(site, archive_copy, tmp_path):
    first = run_komo(*update_args(site), home=tmp_path)
    assert first.returncode == 0, first.stderr
    snapshot = tmp_path / "published" / "komo.duckdb"
    before = snapshot_state(snapshot)[0]
    with (archive_copy / "articles.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(NEW_RELEASE, ensure_ascii=False) + "\n")

    env = {**os.environ, "KOMO_HOME": str(tmp_path)}
    env.pop("KOMO_KILL_AT", None)
    background = subprocess.Popen([sys.executable, "-m", "kommunalmonitor.pipeline", *update_args(site)], env=env,
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    seen, rival = [], None
    lock = tmp_path / "komo.lock"
    try:
        while background.poll() is None:
            seen.append(snapshot_state(snapshot))
            # The rival starts once the background update holds the lock (its pid is in the file).
            if rival is None and lock.read_text().strip() == str(background.pid):
                rival = run_komo(*update_args(site), home=tmp_path)
            time.sleep(0.05)
        out, err = background.communicate(timeout=60)
    finally:
        if background.poll() is None:
            background.kill()
    assert background.returncode == 0, err
    seen.append(snapshot_state(snapshot))
    assert len(seen) > 3, "the update was too quick to be observed"
    assert all(unextracted == 0 and unclassified == 0 for _, unextracted, unclassified in seen), seen
    assert {documents for documents, _, _ in seen} <= {before, before + 1}
    assert seen[-1][0] == before + 1
    assert rival is not None and rival.returncode == 75, rival
    assert "another komo command" in rival.stderr


def test_an_unreachable_source_is_reported_and_the_rest_still_runs(tmp_path):
    result = run_komo("update", "--source", "leverkusen-com", "--base-url", "http://127.0.0.1:9", home=tmp_path)
    assert result.returncode == 1
    assert "skipped" in result.stdout and "cannot reach" in result.stdout
    assert "update run 1: partial" in result.stdout
    statuses = query(tmp_path / "komo.duckdb", "SELECT command, status FROM runs ORDER BY run_id")
    assert statuses[0] == ("update", "partial") and ("extract", "ok") in statuses


def test_a_run_left_running_by_a_dead_process_is_marked_aborted(site, tmp_path):
    assert run_komo(*update_args(site), home=tmp_path).returncode == 0
    with duckdb.connect(str(tmp_path / "komo.duckdb")) as con:  # what a killed writer leaves
        con.execute("INSERT INTO runs (command, started_at, status) VALUES ('extract', now(), 'running')")
    assert run_komo("extract", home=tmp_path).returncode == 0
    statuses = query(tmp_path / "komo.duckdb", "SELECT command, status, message FROM runs ORDER BY run_id")
    assert ("extract", "aborted") in [(c, s) for c, s, _ in statuses]
    assert not [row for row in statuses if row[1] == "running"]
