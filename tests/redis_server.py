"""A real Redis for tests and benchmarks: Debian's redis-server on 127.0.0.1, a free port, a temp dir."""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import redis


def redis_server_binary() -> str | None:
    return shutil.which("redis-server")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def running_redis() -> Iterator[str]:
    """Start redis-server (no persistence, loopback only), yield its URL, stop it."""
    binary = redis_server_binary()
    if binary is None:
        raise FileNotFoundError("redis-server is not installed (Debian package redis-server)")
    with tempfile.TemporaryDirectory(prefix="komo-redis-") as directory:
        for _ in range(5):  # a port taken between probing and binding: try another
            port = _free_port()
            process = subprocess.Popen(
                [binary, "--port", str(port), "--bind", "127.0.0.1", "--dir", directory, "--save", "",
                 "--appendonly", "no", "--protected-mode", "yes"],
                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            url = f"redis://127.0.0.1:{port}/0"
            client = redis.Redis.from_url(url)
            for _ in range(100):
                try:
                    client.ping()
                    break
                except redis.ConnectionError:
                    if process.poll() is not None:
                        break
                    time.sleep(0.05)
            if process.poll() is None:
                break
        else:
            raise RuntimeError("redis-server did not start")
        try:
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            Path(directory).mkdir(exist_ok=True)
