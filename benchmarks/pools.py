"""Sentence and name pools of the synthetic-corpus generators: invented German text kept as
data, read here by every generator: the benchmarks' benchmarks/pools/<bench>.toml and the sample
archive's data/sample-archive/pools/*.toml, templates/*.toml and plan.toml
(scripts/generate_sample_articles.py). None is shipped with the package.

Templates fill `{slot}` fields with `str.format`; an inner list (a masculine/feminine pair, a
title with its category) comes back as a tuple, as the generators index into it. `fill` is the
richer form the sample generator's sentence templates use (data/sample-archive/templates/):
besides `{slot}` a field may name a helper of the generator, `{who:ob}` → `who("ob")`.
"""

from __future__ import annotations

import string
import tomllib
from collections.abc import Callable, Mapping
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
    if isinstance(value, list):
        return [tuple(v) if isinstance(v, list) else v for v in value]
    return value


class _SlotFormatter(string.Formatter):
    """`{name}` / `{name:spec}`: a slot (a callable slot is called at each field, so a random draw
    happens where the field stands); otherwise `{helper}` / `{helper:arg,arg}`: a helper, its
    arguments slot names or literal words."""

    def __init__(self, slots: Mapping[str, Any], helper: Callable[[str], Any]) -> None:
        self.slots = slots
        self.helper = helper

    def get_field(self, field_name: str, args: Any, kwargs: Any) -> tuple[Any, str]:
        return field_name, field_name

    def format_field(self, name: str, spec: str) -> str:
        if name in self.slots:
            value = self.slots[name]
            return format(value() if callable(value) else value, spec)
        helper = self.helper(name)
        if not callable(helper):
            return format(helper, "")
        args = [self.slots.get(a, a) for a in spec.split(",")] if spec else []
        return str(helper(*args))


def fill(template: Any, slots: Mapping[str, Any], helper: Callable[[str], Any]) -> Any:
    """A template string, a list of them or a table of them, filled field by field in file order
    (the order matters to a seeded generator: every draw happens where its field stands)."""
    if isinstance(template, str):
        return _SlotFormatter(slots, helper).vformat(template, (), {})
    if isinstance(template, dict):
        return {key: fill(value, slots, helper) for key, value in template.items()}
    return [fill(value, slots, helper) for value in template]
