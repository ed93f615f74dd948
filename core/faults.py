"""Seeded kill points for crash tests.

`KOMO_KILL_AT=name[:n]` makes the n-th pass (default 1) through `killpoint(name)` SIGKILL the
whole process group, exactly like an operator's `kill -9` of a cron job. Unset, it costs a
dictionary lookup.
"""

from __future__ import annotations

import os
import signal
from collections import Counter

_passes: Counter[str] = Counter()


def killpoint(name: str) -> None:
    spec = os.environ.get("KOMO_KILL_AT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _passes[name] += 1
    if _passes[name] >= int(nth or 1):
        os.killpg(os.getpgrp(), signal.SIGKILL)
