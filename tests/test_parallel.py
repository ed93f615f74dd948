"""core/parallel.py: worker processes never outlive the process that made them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

SCRIPT = """
import os, sys, time
from kommunalmonitor.core.parallel import parallel_chunks

def work(chunk):
    sys.stdout.write(f"worker {os.getpid()}\\n"); sys.stdout.flush()
    time.sleep(600)
    return chunk

for _ in parallel_chunks(work, list(range(4)), n_process=2, chunk=1):
    pass
"""


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split()[2]
    except OSError:
        return False
    return state != "Z"


def test_workers_end_when_their_parent_is_killed():
    parent = subprocess.Popen([sys.executable, "-c", SCRIPT], stdout=subprocess.PIPE, text=True)
    workers = set()
    while len(workers) < 2:
        line = parent.stdout.readline()
        assert line, "the pool started no worker"
        workers.add(int(line.split()[1]))
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 30  # a liveness wait, not a speed check
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their parent"
