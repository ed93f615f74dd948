"""Scores of the extraction pipeline on the hand-labelled gold sets (a checkout's tests/gold/extraction*).

The gold sets are development data: they live in the source checkout, not in the installed
package, so `komo evaluate extraction --gold DIR` names them, and the default is the checkout's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.resources import checkout_root

from .filemode import extract_records
from .nlp.loader import extractor_version, shared_pipeline

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


def default_gold_root() -> Path:
    """The checkout's tests/gold (or the working directory's), else a one-line error."""
    roots = [root / "tests" / "gold" for root in (checkout_root(), Path.cwd()) if root is not None]
    for root in roots:
        if root.is_dir():
            return root
    raise KomoError("no gold sets here (they live in a source checkout's tests/gold); "
                    "pass --gold DIR")


def gold_sets(path: Path | None = None) -> dict[str, Path]:
    """Extraction gold sets by name: a folder of sets (tests/gold: every extraction* folder in it),
    one set's folder of *.jsonl files, or one .jsonl file."""
    path = path or default_gold_root()
    if not path.exists():
        raise KomoError(f"no gold set at {path}")
    if path.is_file() or any(path.glob("*.jsonl")):
        return {path.stem if path.is_file() else path.name: path}
    sets = {folder.name: folder for folder in sorted(path.glob("extraction*")) if any(folder.glob("*.jsonl"))}
    if not sets:
        raise KomoError(f"no extraction gold sets (extraction*/*.jsonl) under {path}")
    return sets


def load_gold(path: Path) -> list[dict[str, Any]]:
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


def evaluate_gold(path: Path) -> dict[str, Any]:
    """Micro-averaged precision / recall / F1 per field over all gold documents."""
    gold = load_gold(path)
    if not gold:
        raise KomoError(f"no gold documents under {path}")
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
