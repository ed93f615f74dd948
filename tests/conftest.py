"""Shared fixtures: a copy of the sample archive served on 127.0.0.1, a komo home, komo runs."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest

from kommunalmonitor.pipeline.demo.sample_site import SampleSite, ServerHandle, serve

REPO = Path(__file__).resolve().parent.parent
SAMPLE_ARCHIVE = REPO / "data" / "sample-archive"
SHARED = REPO.parent / "shared"


@dataclass
class KomoRun:
    returncode: int
    stdout: str
    stderr: str


def run_komo(*args: str, home: Path | None = None, env: dict[str, str] | None = None,
             timeout: float = 300) -> KomoRun:
    """Run the real `komo` CLI in its own process group (kill points kill only that group)."""
    full_env = dict(os.environ)
    full_env.pop("KOMO_KILL_AT", None)
    if home is not None:
        full_env["KOMO_HOME"] = str(home)
    full_env.update(env or {})
    done = subprocess.run(
        [sys.executable, "-m", "kommunalmonitor.pipeline", *args],
        capture_output=True, text=True, env=full_env, timeout=timeout, start_new_session=True,
    )
    return KomoRun(done.returncode, done.stdout, done.stderr)


def run_bench(module: str, *args: str, cwd: Path, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run a benchmark (`python -m benchmarks.NAME`) from another directory: the checkout on the path."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])))
    return subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=timeout)


def crawl_args(server: ServerHandle, *extra: str) -> list[str]:
    """The declared fast test profile: no throttling, Retry-After of 1 s from the fast server."""
    return ["crawl", "--base-url", server.base_url, "--profile", "fast", *extra]


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql, params or []).fetchall()


@pytest.fixture
def archive_copy(tmp_path: Path) -> Path:
    """A private copy of the sample archive that a test may edit."""
    target = tmp_path / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, target)
    return target


@pytest.fixture
def site(archive_copy: Path) -> Iterator[ServerHandle]:
    with serve(archive_copy, fast=True) as server:
        yield server


@pytest.fixture(scope="session")
def sample_site() -> SampleSite:
    return SampleSite.load(SAMPLE_ARCHIVE)


@pytest.fixture(scope="session")
def clean_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Path, ServerHandle]]:
    """One full clean crawl of the unmodified sample archive, shared by read-only tests."""
    home = tmp_path_factory.mktemp("clean-home")
    with serve(SAMPLE_ARCHIVE, fast=True) as server:
        result = run_komo(*crawl_args(server), home=home)
        assert result.returncode == 0, result.stderr
        yield home, server


# A release a hostile or broken sender could publish: markup in the title, a spreadsheet
# formula as sender. Reports must show both as text.
HOSTILE_TITLE = ('<script>document.title="pwned";window.__komo_xss=1</script>'
                 '<img src=x onerror="window.__komo_xss=2">Sprachkurse für Geflüchtete in Opladen')
HOSTILE_SENDER = '=HYPERLINK("http://evil.invalid","Stadt")'
HOSTILE_RELEASE = {
    "id": 99001, "published": "2019-05-14", "sender": HOSTILE_SENDER, "title": HOSTILE_TITLE,
    "category": "Soziales", "stadtteil": 31,
    "blocks": [
        {"type": "p", "text": "Das Kommunale Integrationszentrum bietet ab Juni neue Sprachkurse für "
                              "Geflüchtete in Opladen an. Die Kurse finden in der Flüchtlingsunterkunft an der "
                              "Sandstraße 65-69 statt."},
        {"type": "p", "text": "Sozialdezernent Markus Sieben sagte, Deutschkenntnisse seien der Schlüssel zur "
                              "Integration. Anwohnerin Greta Mustermann-Beispiel hilft als Sprachpatin mit."},
    ],
}


@pytest.fixture(scope="session")
def reading_home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A komo home after crawl → extract → classify of the sample archive plus one hostile
    release, with its published snapshot: what readers (report, search, sql, export) see."""
    import json

    archive = tmp_path_factory.mktemp("reading-archive") / "archive"
    shutil.copytree(SAMPLE_ARCHIVE, archive)
    with (archive / "articles.jsonl").open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(HOSTILE_RELEASE, ensure_ascii=False) + "\n")
    home = tmp_path_factory.mktemp("reading-home")
    with serve(archive, fast=True) as server:
        for args in (crawl_args(server), ["extract"], ["classify"]):
            result = run_komo(*args, home=home)
            assert result.returncode == 0, f"komo {args[0]}: {result.stderr}"
    return home


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A real redis-server on 127.0.0.1 for the session (`.ci/run` installs Debian's redis-server)."""
    from .redis_server import redis_server_binary, running_redis

    if redis_server_binary() is None:
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with running_redis() as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for a browser test module (the module itself skips where Chromium or
    playwright is missing), launched with the closed-network flags of test_report_browser."""
    from .test_report_browser import CHROMIUM, FLAGS, playwright

    assert CHROMIUM, "Chromium must be installed in CI"
    with playwright.sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
