"""Scores of the extraction pipeline on the hand-labelled gold set (tests/gold/extraction)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from . import extractor_version, shared_pipeline
from .extract import extract_records

GOLD_DIR = Path(__file__).resolve().parents[2] / "tests" / "gold" / "extraction"
HOLDOUT_DIR = GOLD_DIR.with_name("extraction-holdout")
PAGE_FIELDS = ("title", "published", "sender", "category")


def _dates(items: list[dict]) -> set:
    return {d["value"] for d in items}


def _bodies(items: list[dict]) -> set:
    return {b["name"] for b in items}


def _addresses(items: list[dict]) -> set:
    return {(a["street_norm"], a.get("number")) for a in items}


def _districts(items: list[dict]) -> set:
    return {d["name"] for d in items}


def _persons(items: list[dict]) -> set:
    return {p["name"] for p in items}


def _roles(items: list[dict]) -> set:
    return {(p["name"], p.get("role")) for p in items}


SET_FIELDS: dict[str, tuple[str, Callable[[list[dict]], set]]] = {
    "dates": ("dates", _dates),
    "bodies": ("bodies", _bodies),
    "addresses": ("addresses", _addresses),
    "districts": ("districts", _districts),
    "persons": ("persons", _persons),
    "persons+roles": ("persons", _roles),
    "action_fields": ("action_fields", lambda items: set(items)),
}


def load_gold(path: Path | None = None) -> list[dict[str, Any]]:
    path = path or GOLD_DIR
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    documents = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                documents.append(json.loads(line))
    return documents


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def evaluate_gold(path: Path | None = None) -> dict[str, Any]:
    """Micro-averaged precision / recall / F1 per field over all gold documents."""
    gold = load_gold(path)
    if not gold:
        raise ValueError(f"no gold documents under {path or GOLD_DIR}")
    nlp = shared_pipeline()
    predictions = list(extract_records(gold, nlp))
    counts = {name: [0, 0, 0] for name in SET_FIELDS}
    errors: dict[str, list[dict[str, Any]]] = {name: [] for name in SET_FIELDS}
    exact = {name: 0 for name in (*PAGE_FIELDS, "integration")}
    by_style: dict[str, dict[str, list[int]]] = {}
    for document, predicted in zip(gold, predictions, strict=True):
        expected = document["expected"]
        style = by_style.setdefault(document.get("style", "?"), {n: [0, 0, 0] for n in SET_FIELDS})
        for name, (key, as_set) in SET_FIELDS.items():
            want = as_set(expected.get(key) or [])
            got = as_set(predicted.get(key) or [])
            tp, fp, fn = len(want & got), len(got - want), len(want - got)
            for bucket in (counts[name], style[name]):
                bucket[0] += tp
                bucket[1] += fp
                bucket[2] += fn
            if fp or fn:
                errors[name].append({"key": document["key"], "missed": sorted(map(str, want - got)),
                                     "extra": sorted(map(str, got - want))})
        for name in PAGE_FIELDS:
            exact[name] += int(expected.get(name) == predicted.get(name))
        exact["integration"] += int(bool(expected.get("integration")) == predicted["integration"])
    return {
        "documents": len(gold),
        "extractor_version": extractor_version(),
        "fields": {name: _prf(*c) for name, c in counts.items()},
        "accuracy": {name: round(n / len(gold), 4) for name, n in exact.items()},
        "by_style": {style: {name: _prf(*c)["f1"] for name, c in fields.items()}
                     for style, fields in sorted(by_style.items())},
        "errors": errors,
    }


def format_report(report: dict[str, Any], show_errors: int = 0) -> str:
    lines = [f"extraction on {report['documents']} gold documents "
             f"(extractor {report['extractor_version']})", "",
             f"{'field':<15}{'precision':>10}{'recall':>10}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}"]
    for name, score in report["fields"].items():
        lines.append(f"{name:<15}{score['precision']:>10.3f}{score['recall']:>10.3f}{score['f1']:>8.3f}"
                     f"{score['tp']:>6}{score['fp']:>6}{score['fn']:>6}")
    lines += ["", "exact-match accuracy: " + ", ".join(
        f"{name} {value:.3f}" for name, value in report["accuracy"].items())]
    lines += ["", "F1 by document style:"]
    for style, scores in report["by_style"].items():
        lines.append(f"  {style:<16}" + "  ".join(f"{n} {v:.2f}" for n, v in scores.items()))
    if show_errors:
        for name, items in report["errors"].items():
            lines += ["", f"{name}: {len(items)} documents with errors"]
            for item in items[:show_errors]:
                lines.append(f"  {item['key']}: missed {item['missed']} extra {item['extra']}")
    return "\n".join(lines)
