"""SIGKILL at seeded points, then a rerun: the store must equal a clean run's store."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import crawl_args, query, run_komo

pytestmark = pytest.mark.slow

# name[:n] of kill points in the code (pipeline/faults.py), from early to late in a run.
KILL_POINTS = [
    "listing_page:2",        # Scrapy has read one listing page
    "article_page:25",       # mid-crawl, some documents staged
    "staging_items:40",      # a torn line in items.jsonl
    "staging_forms:120",     # a torn line in forms.jsonl
    "before_load",           # crawl finished, nothing loaded yet
    "store_load",            # inside the store transaction, before COMMIT
    "publish",               # store committed, snapshot half done
]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def store_content(home: Path) -> dict[str, object]:
    """What a store says, without timestamps, run ids, visitor counts or the server's port."""
    db = home / "komo.duckdb"
    documents = query(db, """
        SELECT native_id, canonical_url, url_forms, title, published, sender, category, body,
               archive_year, footer_addresses, content_hash, duplicate_of, listing_fingerprint
        FROM documents ORDER BY native_id""")
    normalised = [
        (row[0], _path(row[1]), sorted({_path(u) for u in row[2]}), *row[3:])
        for row in documents
    ]
    errors = sorted({(_path(u), s, r)
                     for u, s, r in query(db, "SELECT url, status, reason FROM crawl_errors")})
    versions = query(db, "SELECT native_id, content_hash FROM document_versions ORDER BY ALL")
    return {"documents": normalised, "errors": errors, "versions": versions}


@pytest.fixture(scope="module")
def clean_content(clean_crawl) -> dict[str, object]:
    home, _ = clean_crawl
    return store_content(home)


@pytest.mark.parametrize("point", KILL_POINTS)
def test_kill_at_point_then_rerun_converges_to_clean_store(point, site, tmp_path, clean_content):
    home = tmp_path / "home"
    killed = run_komo(*crawl_args(site), home=home, env={"KOMO_KILL_AT": point})
    assert killed.returncode == -signal.SIGKILL, f"kill point {point} was not reached: {killed.stderr}"
    rerun = run_komo(*crawl_args(site), home=home)
    assert rerun.returncode == 0, rerun.stderr
    assert store_content(home) == clean_content
    runs = query(home / "komo.duckdb", "SELECT status, message FROM runs ORDER BY run_id")
    # A run is ok only once its snapshot is published: killed anywhere, even while publishing,
    # it is aborted by the next writer, which also removes the half-written snapshot.
    assert [status for status, _ in runs] == ["aborted", "ok"]
    if point == "publish":
        assert "publishing" in runs[0][1]
    assert not list((home / "published").glob(".*.tmp")), "a stale temporary snapshot was left behind"
    published = query(home / "published" / "komo.duckdb", "SELECT status FROM runs ORDER BY run_id")
    assert published[-1] == ("ok",), "the snapshot carries its own run as final"


def test_kill_at_a_seeded_random_moment_then_rerun_converges(site, tmp_path, clean_content):
    home = tmp_path / "home"
    delay = random.Random(20261125).uniform(1.0, 3.0)
    env = dict(os.environ, KOMO_HOME=str(home))
    env.pop("KOMO_KILL_AT", None)
    process = subprocess.Popen([sys.executable, "-m", "kommunalmonitor.pipeline", *crawl_args(site)],
                               env=env, start_new_session=True,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    rerun = run_komo(*crawl_args(site), home=home)
    assert rerun.returncode == 0, rerun.stderr
    assert store_content(home) == clean_content
