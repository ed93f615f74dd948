"""The writer lock: DuckDB allows one writing process, so every writing command takes this."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from kommunalmonitor.core.errors import LockHeld


@contextmanager
def writer_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive, non-blocking flock; the kernel releases it if the process dies."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "another process"
            raise LockHeld(
                f"another komo command (pid {holder}) is writing to {path.parent}; "
                "wait for it to finish or use another --home"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        yield
    finally:
        os.close(fd)
