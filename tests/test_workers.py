"""Several crawler processes on one Redis frontier: real Scrapy workers, a real redis-server, the
served archive on 127.0.0.1 and a real store. Counts come from the server's request log."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from benchmarks.bench_crawl import write_archive
from kommunalmonitor.pipeline.demo.sample_site import serve

from .conftest import crawl_args, query, run_komo
from .test_store_unchanged import GOLDEN, comparable

pytestmark = pytest.mark.slow

ARTICLE = "/presse/db/presse.php?view="


def _article_fetches(server) -> Counter[str]:
    """Successful fetches per article id, as the server logged them."""
    return Counter(r["path"][len(ARTICLE):] for r in server.requests
                   if r["path"].startswith(ARTICLE) and r["status"] == 200)


def test_two_workers_store_what_one_process_stores_and_fetch_nothing_twice(site, tmp_path, redis_url):
    home = tmp_path / "home"
    done = run_komo(*crawl_args(site, "--workers", "2", "--redis", redis_url), home=home)
    assert done.returncode == 0, done.stderr
    assert "2 workers: 0 duplicate fetches, 0 leases reclaimed" in done.stdout
    fetches = _article_fetches(site)
    stored = {n for (n,) in query(home / "komo.duckdb", "SELECT native_id FROM documents")}
    faults = {str(i) for i in site.site.fault_ids().values()}  # e.g. a truncated page, retried
    assert set(fetches) - faults == stored - faults and stored <= set(fetches), "every stored article fetched"
    assert [n for n in stored if fetches[n] != 1] == [], "no stored article fetched twice"
    # The same documents, url forms, versions, errors and duplicate links as one process stores.
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    assert comparable(home) == expected
    logs = sorted((home / "logs").glob("crawl-1-worker-*.log"))
    assert len(logs) == 2 and all("Spider closed (finished)" in log.read_text() for log in logs)


def _worker_pid(number: int, staging: Path) -> int | None:
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                command = (entry / "cmdline").read_bytes().replace(b"\0", b" ")
            except OSError:
                continue
            if b"crawler.run" in command and f"job-worker-{number}.json".encode() in command \
                    and str(staging).encode() in command:
                return int(entry.name)
    return None


def test_a_killed_worker_s_requests_are_fetched_by_the_other(tmp_path, redis_url):
    articles = 800
    archive = write_archive(tmp_path / "archive", articles)
    home = tmp_path / "home"
    env = dict(os.environ, KOMO_HOME=str(home))
    env.pop("KOMO_KILL_AT", None)
    with serve(archive, fast=True) as server:
        loader = subprocess.Popen(
            [sys.executable, "-m", "kommunalmonitor.pipeline",
             *crawl_args(server, "--workers", "2", "--redis", redis_url, "--lease", "3",
                        # a site rate keeps the crawl ~8 s long, so the kill lands mid-crawl on a busy machine
                        "--site-rate", "100")],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
        pages = home / "staging" / "run-1" / "worker-1" / "pages.jsonl"
        killed = False
        deadline = time.monotonic() + 120
        while loader.poll() is None and time.monotonic() < deadline:
            if not killed and pages.exists() and pages.read_bytes().count(b"\n") >= 150:
                pid = _worker_pid(1, home / "staging" / "run-1")
                assert pid is not None
                os.kill(pid, signal.SIGKILL)  # mid-fetch: it holds leased requests
                killed = True
            time.sleep(0.05)
        stdout, stderr = loader.communicate(timeout=120)
        fetches = _article_fetches(server)
    assert killed, "worker 1 finished before it could be killed"
    assert loader.returncode == 0, stderr
    db = home / "komo.duckdb"
    stored = query(db, "SELECT count(*), count(DISTINCT native_id) FROM documents")[0]
    assert stored == (articles, articles), "the store is complete, every article once"
    assert query(db, "SELECT count(*) FROM document_versions")[0][0] == articles
    assert len(fetches) == articles, "every article fetched"
    refetched = sum(fetches.values()) - articles
    stats = json.loads(query(db, "SELECT stats FROM runs WHERE command = 'crawl'")[0][0])["frontier"]
    assert stats["duplicate_fetches"] <= refetched  # the dead worker's pages never reached the store
    assert stats["reclaimed"] >= 1, "the dead worker's leases went back to the queue"
    assert refetched <= stats["reclaimed"] <= 64, "re-fetches are the dead worker's leases, a bounded few"
    assert stats["worker_exit_codes"][0] == -signal.SIGKILL and stats["left_in_frontier"] == 0
    assert f"{articles} documents stored" in stdout


def test_two_workers_together_keep_the_site_rate(site, tmp_path, redis_url):
    rate = 25.0
    home = tmp_path / "home"
    mark = len(site.requests)
    done = run_komo(*crawl_args(site, "--workers", "2", "--redis", redis_url, "--site-rate", str(rate)), home=home)
    assert done.returncode == 0, done.stderr
    times = sorted(r["t"] for r in site.requests[mark:])
    assert len(times) > 200
    # Any one second of the bucket's own grant log (Redis time): at most the rate plus its one token of
    # burst. The server's log cannot judge single seconds: a starved server thread logs queued requests
    # in a bunch.
    (stats,) = query(home / "komo.duckdb", "SELECT stats FROM runs WHERE command = 'crawl'")[0]
    busiest = json.loads(stats)["frontier"]["busiest_second"]
    host = site.base_url.split("//", 1)[1].split("/", 1)[0]
    assert set(busiest) == {host}
    assert 0 < busiest[host] <= rate + 1, busiest
    assert f"{host}: at most {busiest[host]} requests in one second" in done.stdout
    # Over the whole crawl, the site saw the rate, by its own clock.
    assert (len(times) - 1) / (times[-1] - times[0]) <= rate * 1.1
