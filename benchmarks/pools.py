"""Sentence and name pools of the synthetic-corpus generators: invented German text kept as
data, read here by every generator: the benchmarks' benchmarks/pools/<bench>.toml and the sample
archive's data/sample-archive/pools/*.toml (scripts/generate_sample_articles.py). Neither is
shipped with the package.

Templates fill `{slot}` fields with `str.format`; an inner list (a masculine/feminine pair, a
title with its category) comes back as a tuple, as the generators index into it.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

POOLS_DIR = Path(__file__).resolve().parent / "pools"


def load(bench: str) -> dict[str, Any]:
    """The named pools of one benchmark (`crawl` → benchmarks/pools/crawl.toml), in file order."""
    return load_file(POOLS_DIR / f"{bench}.toml")


def load_file(path: Path) -> dict[str, Any]:
    """The pools of one TOML file: a list of strings or of records; a table of such lists."""
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    return {name: _records(values) for name, values in raw.items()}


def _records(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _records(v) for key, v in value.items()}
    return [tuple(v) if isinstance(v, list) else v for v in value]
