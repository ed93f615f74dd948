"""The general line rules compiled for speed (alternations, shared anchors, remembered answers)
answer exactly as the rules written one by one in data/layouts/general.toml do."""

from __future__ import annotations

import json
import re
import tomllib
from pathlib import Path

import pytest

from kommunalmonitor.crawler.structure import (
    _PLACEHOLDERS,
    TextRules,
    _top_level_alternation,
    matches_any,
    rules_path,
    split_lines,
)

GOLD = Path(__file__).parent / "gold"
# The rule lists compiled into alternations (TextRules.from_dict: combined).
COMBINED = ["not_publication_lines", "furniture_lines", "tool_block_lines", "link_box_lines",
            "salutation_lines", "body_end_lines", "council_url_patterns"]


def _one_by_one(pattern: str) -> re.Pattern[str]:
    for key, value in _PLACEHOLDERS.items():
        pattern = pattern.replace(key, value)
    return re.compile(pattern)


@pytest.fixture(scope="module")
def raw_rules() -> dict:
    return tomllib.loads(rules_path().read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def gold_lines() -> list[str]:
    """Every line of every gold page, plus lines made to hit the rules' edges."""
    lines: set[str] = set()
    for path in sorted(GOLD.rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                lines.update(x.text for x in split_lines(record["text"], ["lesen"]) if x.text)
    assert len(lines) > 2000, "the gold sets are missing"
    return sorted(lines)


@pytest.mark.parametrize("key", COMBINED)
def test_a_combined_rule_list_answers_as_its_patterns_one_by_one(raw_rules: dict, gold_lines: list[str], key: str):
    rules = TextRules.from_dict(raw_rules)
    singles = [_one_by_one(p) for p in raw_rules.get(key, [])]
    assert singles, f"{key} is empty in general.toml"
    hits = 0
    for text in gold_lines:
        expected = any(p.search(text) for p in singles)
        assert (matches_any(getattr(rules, key), text) is not None) == expected, (key, text)
        assert rules.line_is(key, text) == expected
        assert rules.line_is(key, text) == expected  # the remembered answer
        hits += expected
    # The lines must exercise the rules, or the comparison says nothing.
    assert hits > 0 or key == "council_url_patterns"


def test_anchored_patterns_share_one_anchor_only_without_a_top_level_alternative():
    assert _top_level_alternation("^Drucken|Teilen$")          # `Teilen` is not anchored
    assert not _top_level_alternation("^(?:Drucken|Teilen)$")
    assert not _top_level_alternation(r"^[|/] Seite\|Menü")     # in a class, escaped
    rules = TextRules.from_dict({"furniture_lines": ["^Drucken|Teilen$", "(?i)^nach oben$", "Cookies?"]})
    for text, expected in [("Drucken Sie", True), ("Bitte Teilen", True), ("NACH OBEN", True),
                           ("ganz nach oben", False), ("Wir nutzen Cookies", True), ("Beitrag teilen", False)]:
        assert (matches_any(rules.furniture_lines, text) is not None) == expected, text
