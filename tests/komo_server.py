"""`komo serve` as the tests run it: the real CLI in its own process on 127.0.0.1, a free port."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path


@dataclass
class Served:
    base_url: str
    process: subprocess.Popen


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def text(self) -> str:
        return self.body.decode("utf-8")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def komo_server(home: Path, *extra: str) -> Iterator[Served]:
    """Start `komo serve` for `home`; it is ready once it printed its URL (it prints after binding)."""
    env = dict(os.environ, KOMO_HOME=str(home))
    env.pop("KOMO_KILL_AT", None)
    process = subprocess.Popen(
        [sys.executable, "-m", "kommunalmonitor.pipeline", "serve", "--port", str(free_port()), *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, start_new_session=True)
    try:
        line = process.stdout.readline()  # blocks until the server listens, or it exits
        if not line.startswith("komo serve: http://"):
            process.kill()
            raise AssertionError(f"komo serve did not start: {line}{process.stderr.read()}")
        yield Served(line.split()[2].rstrip("/"), process)
    finally:
        process.terminate()
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def fetch(url: str, headers: dict[str, str] | None = None) -> Answer:
    """GET without following redirects; an HTTP error status is an answer, not an exception."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=120) as response:
            return Answer(response.status, {k.lower(): v for k, v in response.headers.items()}, response.read())
    except urllib.error.HTTPError as error:
        return Answer(error.code, {k.lower(): v for k, v in error.headers.items()}, error.read())
