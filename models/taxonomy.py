"""The classifier's label sets and keyword lexicons, read from data files (data/taxonomy/*.toml).

Three label sets: `integration` (one yes/no label), `action_field` (the integration concept's
fields, multi-label, only for documents about integration) and `topic` (one general municipal
topic per document). Another city's concept is another TOML file of the same shape.
"""

from __future__ import annotations

import re
import tomllib
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from kommunalmonitor.core.integration_rule import IntegrationRule
from kommunalmonitor.core.resources import data_file

from .text import WORD, fold, sentences

# Under data/ (a user's copy under $KOMO_HOME/taxonomy/ wins); another city's concept is another file.
TAXONOMY_FILE = "taxonomy/integrationskonzept-2017.toml"
TOPICS_FILE = "taxonomy/topics.toml"

LABEL_SETS = ("integration", "action_field", "topic")
INTEGRATION = "integration"
STRONG, WEAK = "integration:strong", "integration:weak"


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message is one line."""


@dataclass(frozen=True)
class Taxonomy:
    """Label ids, German labels and keyword terms of all three label sets, as plain data.

    The integration section has strong terms (a sentence with one scores 2) and weak terms
    (score 1); `rule` decides by them (core/integration_rule.py). Older files with one `terms`
    list and `min_hits` read as weak terms only.
    """

    integration_strong: tuple[str, ...]
    integration_weak: tuple[str, ...]
    fields: dict[str, tuple[str, ...]]        # action field id -> terms, in the file's order
    field_labels: dict[str, str]
    topics: dict[str, tuple[str, ...]]        # topic id -> terms
    topic_labels: dict[str, str]
    topic_categories: dict[str, str]          # site category -> topic id (weak labels)
    topic_fallback: str
    rule: IntegrationRule = IntegrationRule()  # the keyword decision (core/integration_rule.py)

    @classmethod
    def load(cls, fields_file: Path | str = TAXONOMY_FILE, topics_file: Path | str = TOPICS_FILE) -> Taxonomy:
        concept, topics = _read(fields_file), _read(topics_file)
        try:
            section = concept["integration"]
            field_rows = concept["field"]
            topic_rows = topics["topic"]
            taxonomy = cls(
                integration_strong=tuple(section.get("strong_terms", [])),
                integration_weak=tuple(section["terms"]),
                fields={row["id"]: tuple(row["terms"]) for row in field_rows},
                field_labels={row["id"]: row["label"] for row in field_rows},
                topics={row["id"]: tuple(row["terms"]) for row in topic_rows},
                topic_labels={row["id"]: row["label"] for row in topic_rows},
                topic_categories={c: row["id"] for row in topic_rows for c in row.get("categories", [])},
                topic_fallback=topics.get("fallback", topic_rows[0]["id"]),
                rule=IntegrationRule.from_settings(concept),
            )
        except (KeyError, TypeError, IndexError, ValueError) as problem:
            raise TaxonomyError(f"taxonomy files {fields_file.name} / {topics_file.name}: "
                                f"missing or malformed entry {problem}") from None
        if taxonomy.topic_fallback not in taxonomy.topics:
            raise TaxonomyError(f"{topics_file.name}: fallback {taxonomy.topic_fallback!r} is not a topic")
        return taxonomy

    def labels(self, label_set: str) -> list[str]:
        if label_set == "integration":
            return [INTEGRATION]
        return list(self.fields if label_set == "action_field" else self.topics)

    def lexicons(self) -> dict[str, tuple[str, ...]]:
        """Every term list by a feature name: integration:strong|weak, field:<id>, topic:<id>."""
        named = {STRONG: self.integration_strong, WEAK: self.integration_weak}
        named.update({f"field:{k}": v for k, v in self.fields.items()})
        named.update({f"topic:{k}": v for k, v in self.topics.items()})
        return named

    def weak_topic(self, category: str | None) -> str | None:
        """The topic a site category stands for, or None when it maps to none."""
        return self.topic_categories.get(category) if category else None


def _read(path: Path | str) -> dict:
    path = data_file(path)
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise TaxonomyError(f"taxonomy file {path} not found") from None
    except tomllib.TOMLDecodeError as problem:
        raise TaxonomyError(f"{path.name} is not valid TOML: {problem}") from None


_TERM_WORD = re.compile(r"[^\W\d_]+\*?")


def _term_parts(term: str) -> tuple[tuple[str, bool], ...]:
    """A term as (word, is_prefix) parts, split like texts are: "ukraine-flüchtling*" has two."""
    return tuple((part.rstrip("*"), part.endswith("*")) for part in _TERM_WORD.findall(fold(term)))


class TermMatcher:
    """Counts lexicon term hits in folded text (the keyword rules, and a model feature).

    Terms are looked up word by word in dictionaries (exact words, word prefixes, and the
    first word of multi-word terms), so matching costs a few dictionary lookups per word.
    A word position counts at most once per lexicon, however many of its terms match there.
    """

    def __init__(self, lexicons: Mapping[str, tuple[str, ...] | list[str]]):
        self.names = list(lexicons)
        self._exact: dict[str, set[int]] = {}
        self._prefix: dict[str, set[int]] = {}
        self._phrases: dict[str, list[tuple[tuple[tuple[str, bool], ...], int]]] = {}
        for index, name in enumerate(self.names):
            for term in lexicons[name]:
                parts = _term_parts(term)
                if len(parts) == 1:
                    word, is_prefix = parts[0]
                    (self._prefix if is_prefix else self._exact).setdefault(word, set()).add(index)
                elif parts:
                    self._phrases.setdefault(parts[0][0], []).append((parts, index))
        self._prefix_lengths = sorted({len(p) for p in self._prefix})
        self._phrase_heads = sorted({len(p) for p in self._phrases})
        self._cache: dict[str, tuple[frozenset[int], tuple]] = {}

    @staticmethod
    def _part_matches(word: str, part: tuple[str, bool]) -> bool:
        return word.startswith(part[0]) if part[1] else word == part[0]

    def _word_hits(self, word: str) -> tuple[frozenset[int], tuple]:
        """Single-word term hits of `word` and the phrases that may start with it (cached per word)."""
        cached = self._cache.get(word)
        if cached is None:
            hits = set(self._exact.get(word, ()))
            for length in self._prefix_lengths:
                if length > len(word):
                    break
                hits.update(self._prefix.get(word[:length], ()))
            phrases = tuple(p for length in self._phrase_heads for p in self._phrases.get(word[:length], ())
                            if self._part_matches(word, p[0][0]))
            cached = self._cache[word] = (frozenset(hits), phrases)
        return cached

    def positions(self, tokens: list[str]) -> list[tuple[str, set[int] | frozenset[int]]]:
        """(word, lexicon indices) for every word position where some lexicon matches."""
        found = []
        for i, word in enumerate(tokens):
            hits, phrases = self._word_hits(word)
            if phrases:
                extra = {index for parts, index in phrases if i + len(parts) <= len(tokens) and all(
                    self._part_matches(tokens[i + k], part) for k, part in enumerate(parts[1:], 1))}
                if extra:
                    hits = hits | extra
            if hits:
                found.append((word, hits))
        return found

    def _positions(self, folded: str) -> list[tuple[str, set[int] | frozenset[int]]]:
        return self.positions(WORD.findall(folded))

    def count_tokens(self, tokens: list[str]) -> list[int]:
        """Hits per lexicon (in `names` order) for a folded, tokenised text."""
        totals = [0] * len(self.names)
        # Single-word hits depend on the word only: count each distinct word once, times its count.
        for word, count in Counter(tokens).items():
            for index in self._word_hits(word)[0]:
                totals[index] += count
        for i, word in enumerate(tokens):
            phrases = self._word_hits(word)[1]
            if not phrases:
                continue
            single = self._word_hits(word)[0]
            for index in {index for parts, index in phrases if index not in single
                          and i + len(parts) <= len(tokens)
                          and all(self._part_matches(tokens[i + k], part) for k, part in enumerate(parts[1:], 1))}:
                totals[index] += 1
        return totals

    def counts(self, text: str) -> dict[str, int]:
        return self.counts_folded(fold(text))

    def counts_folded(self, folded: str) -> dict[str, int]:
        return dict(zip(self.names, self.count_tokens(WORD.findall(folded)), strict=True))

    def sentence_sets(self, text: str) -> dict[str, set[int]]:
        """For each lexicon, the indices of the sentences it matches in (the keyword rules)."""
        found: dict[str, set[int]] = {name: set() for name in self.names}
        for number, sentence in enumerate(sentences(text)):
            for _, hits in self._positions(fold(sentence)):
                for index in hits:
                    found[self.names[index]].add(number)
        return found

    def matches(self, text: str, name: str) -> list[str]:
        """The folded words where `name` matched, for explanations."""
        index = self.names.index(name)
        return [word for word, hits in self._positions(fold(text)) if index in hits]
