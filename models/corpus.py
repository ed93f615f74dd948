"""Labelled examples for training and evaluation, and where each label came from.

Two sources, kept apart by a fixed split:

* ``models/data/labelled.jsonl`` — documents we wrote and labelled by hand, each with a
  ``split`` of ``train`` or ``test`` fixed before any tuning. The ``test`` documents are the
  held-out evaluation set: nothing (features, thresholds, model choice) is fitted on them.
* ``data/sample-archive/articles.jsonl`` — the sample archive's press releases (training only).
  Their integration and action-field labels are the archive's; their topic is a *weak* label,
  the site's own category mapped through ``data/taxonomy/topics.toml`` (the archive's topic only
  where the category is missing or maps to no topic).
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunalmonitor.core.resources import data_dir, models_dir

from .taxonomy import Taxonomy

LABELLED_FILE = models_dir() / "data" / "labelled.jsonl"
ARCHIVE_FILE = data_dir() / "sample-archive" / "articles.jsonl"


class CorpusError(ValueError):
    """A training or evaluation file that cannot be read; the message is one line."""


@dataclass(frozen=True)
class Document:
    """What the classifier reads: the text (title and body) and, optionally, mention counts.

    `mentions` is the hook for the extraction pipeline: rule-based term counts per lexicon
    (``integration``, ``field:<id>``, ``topic:<id>``) computed once there. When absent the
    classifier counts the same taxonomy terms itself, so both give the same features.
    """

    text: str
    mentions: Mapping[str, int] | None = None

    @classmethod
    def from_parts(cls, title: str | None, body: str, mentions: Mapping[str, int] | None = None) -> Document:
        return cls(f"{title}\n{body}" if title else body, mentions)


@dataclass(frozen=True)
class Example:
    doc_id: str
    document: Document
    integration: bool
    action_fields: frozenset[str]
    topic: str
    origin: str                 # "hand" or "archive"
    split: str                  # "train" or "test"
    topic_source: str = "hand"  # "hand", "archive" or "weak:category"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def labels(self, label_set: str) -> set[str]:
        if label_set == "integration":
            return {"integration"} if self.integration else set()
        if label_set == "action_field":
            return set(self.action_fields)
        return {self.topic}


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        raise CorpusError(f"training data {path} not found") from None
    rows = []
    for number, line in enumerate(lines, 1):
        if line.strip():
            try:
                rows.append(json.loads(line))
            except json.JSONDecodeError as problem:
                raise CorpusError(f"{path.name} line {number}: not JSON ({problem.msg})") from None
    return rows


def _check(row: dict[str, Any], taxonomy: Taxonomy, where: str) -> None:
    unknown = set(row.get("action_fields", [])) - set(taxonomy.fields)
    if unknown:
        raise CorpusError(f"{where}: unknown action field(s) {sorted(unknown)}")
    if row.get("topic") not in taxonomy.topics:
        raise CorpusError(f"{where}: unknown topic {row.get('topic')!r}")
    if row.get("action_fields") and not row.get("integration"):
        raise CorpusError(f"{where}: action fields on a document not about integration")


def hand_labelled(taxonomy: Taxonomy, path: Path = LABELLED_FILE) -> list[Example]:
    examples = []
    for row in _read_jsonl(path):
        where = f"{path.name} {row.get('id')}"
        _check(row, taxonomy, where)
        if row.get("split") not in ("train", "test"):
            raise CorpusError(f"{where}: split must be train or test")
        examples.append(Example(
            doc_id=row["id"], document=Document.from_parts(row.get("title"), row["text"]),
            integration=bool(row["integration"]), action_fields=frozenset(row["action_fields"]),
            topic=row["topic"], origin="hand", split=row["split"],
        ))
    return examples


def archive_body(row: dict[str, Any]) -> str:
    """The body as the store keeps it: blocks in order, list items and table rows one per line."""
    parts = []
    for block in row.get("blocks", []):
        if "text" in block:
            parts.append(block["text"])
        elif "items" in block:
            parts.append("\n".join(block["items"]))
        elif "rows" in block:
            parts.append("\n".join(" | ".join(str(c) for c in r) for r in block["rows"]))
    return "\n\n".join(parts)


def sample_archive(taxonomy: Taxonomy, path: Path = ARCHIVE_FILE) -> list[Example]:
    examples = []
    for row in _read_jsonl(path):
        _check(row, taxonomy, f"{path.name} {row.get('id')}")
        weak = taxonomy.weak_topic(row.get("category"))
        examples.append(Example(
            doc_id=f"archive-{row['id']}", document=Document.from_parts(row.get("title"), archive_body(row)),
            integration=bool(row["integration"]), action_fields=frozenset(row["action_fields"]),
            topic=weak or row["topic"], origin="archive", split="train",
            topic_source="weak:category" if weak else "archive",
            extra={"archive_topic": row["topic"]},
        ))
    return examples


@dataclass
class Corpus:
    train: list[Example]
    test: list[Example]

    @classmethod
    def load(cls, taxonomy: Taxonomy, labelled: Path = LABELLED_FILE, archive: Path | None = ARCHIVE_FILE) -> Corpus:
        hand = hand_labelled(taxonomy, labelled)
        extra = sample_archive(taxonomy, archive) if archive else []
        return cls(train=[e for e in hand if e.split == "train"] + extra,
                   test=[e for e in hand if e.split == "test"])

    def summary(self) -> dict[str, Any]:
        """What the model card says about the data: counts by origin and label provenance."""
        def describe(examples: Iterable[Example]) -> dict[str, Any]:
            examples = list(examples)
            return {
                "documents": len(examples),
                "by_origin": dict(sorted(Counter(e.origin for e in examples).items())),
                "integration": sum(e.integration for e in examples),
                "topic_label_source": dict(sorted(Counter(e.topic_source for e in examples).items())),
            }

        archive = [e for e in self.train if e.origin == "archive"]
        weak = [e for e in archive if e.topic_source == "weak:category"]
        agree = sum(e.topic == e.extra.get("archive_topic") for e in weak)
        return {
            "train": describe(self.train),
            "test": describe(self.test),
            "weak_topic_agreement": round(agree / len(weak), 3) if weak else None,
        }
