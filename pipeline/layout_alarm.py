"""The layout alarm's settings: data/config/layout-alarm.toml (the home's copy wins).

What it checks and how pages are held lives with its SQL in pipeline/store/layout_checks.py; the
re-parse that releases held pages is pipeline/reparse.py."""

from __future__ import annotations

import tomllib

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.resources import data_file

from .store.layout_checks import AlarmRules

CONFIG_FILE = "config/layout-alarm.toml"


def load_alarm_rules() -> AlarmRules:
    """The alarm's thresholds; a bad value is a one-line error."""
    path = data_file(CONFIG_FILE)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        rules = AlarmRules(drop_below=float(raw.get("drop_below", 0.5)), history_runs=int(raw.get("history_runs", 7)),
                           min_pages=int(raw.get("min_pages", 5)))
    except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError) as problem:
        raise KomoError(f"cannot read {path}: {problem}") from None
    if not (0 < rules.drop_below <= 1 and rules.history_runs >= 1 and rules.min_pages >= 1):
        raise KomoError(f"{path}: drop_below must be in (0, 1], history_runs and min_pages at least 1")
    return rules
