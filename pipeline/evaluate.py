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
from kommunalmonitor.crawler.render import render_text

from .baselines import gazetteer_available, naive_dates, naive_page_fields, naive_streets, with_numbers_only_once
from .filemode import batch_furniture, count_furniture, extract_records, read_page
from .nlp.loader import extractor_version, shared_pipeline

PAGE_FIELDS = ("title", "published", "sender", "category")


def _dates(items: list[dict]) -> set:
    return {d["value"] for d in items}


def _bodies(items: list[dict]) -> set:
    return {b["name"] for b in items}


def _addresses(items: list[dict]) -> set:
    return {(a["street_norm"], a.get("number")) for a in items}


def _streets(items: list[dict]) -> set:
    return {a["street_norm"] for a in items}


def _districts(items: list[dict]) -> set:
    return {d["name"] for d in items}


def _persons(items: list[dict]) -> set:
    return {p["name"] for p in items}


def _roles(items: list[dict]) -> set:
    return {(p["name"], p.get("role")) for p in items}


def _roles_of(items: list[dict]) -> set:
    return {(p["name"], p.get("role"), p.get("role_of")) for p in items if p.get("role")}


SET_FIELDS: dict[str, tuple[str, Callable[[list[dict]], set]]] = {
    "dates": ("dates", _dates),
    "bodies": ("bodies", _bodies),
    "streets": ("addresses", _streets),
    "addresses": ("addresses", _addresses),
    "districts": ("districts", _districts),
    "persons": ("persons", _persons),
    "persons+roles": ("persons", _roles),
    "roles+role_of": ("persons", _roles_of),
    "action_fields": ("action_fields", lambda items: set(items)),
}
# The naive baseline each field is printed beside (pipeline/baselines.py).
BASELINE_NAMES = {"dates": "date regex", "streets": "street gazetteer", "addresses": "street gazetteer",
                  "title": "first line / trafilatura", "published": "first date / htmldate"}


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


def real_style_sets() -> dict[str, Path]:
    """The checkout's real-style gold sets (extraction-real*), none outside a checkout."""
    try:
        return {name: path for name, path in gold_sets().items() if name.startswith("extraction-real")}
    except KomoError:
        return {}


def load_gold(path: Path) -> list[dict[str, Any]]:
    files = sorted(path.glob("*.jsonl")) if path.is_dir() else [path]
    documents = []
    for file in files:
        for line in file.read_text(encoding="utf-8").splitlines():
            if line.strip():
                documents.append(json.loads(line))
    return documents


def classifier_pages(path: Path) -> list[tuple[Any, bool, frozenset[str]]]:
    """A gold set's pages as the classifier reads them (headline + body after layout and
    furniture, as `komo extract` splits them), each with its integration and action-field labels."""
    from kommunalmonitor.models.corpus import Document

    gold = load_gold(path)
    furniture = batch_furniture(count_furniture(gold))
    pages = []
    for record in gold:
        page = read_page(record, None, furniture)
        expected = record["expected"]
        pages.append((Document.from_parts(page.title, page.body), bool(expected.get("integration")),
                      frozenset(expected.get("action_fields") or [])))
    return pages


def _prf(tp: int, fp: int, fn: int) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
            "tp": tp, "fp": fp, "fn": fn}


def evaluate_gold(path: Path) -> dict[str, Any]:
    """Micro-averaged precision / recall / F1 per field over all gold documents, page fields as
    accuracy on the pages that show them and false alarms on those that do not, each beside its
    naive baseline."""
    gold = load_gold(path)
    if not gold:
        raise KomoError(f"no gold documents under {path}")
    nlp = shared_pipeline()
    predictions = list(extract_records(gold, nlp))
    counts = {name: [0, 0, 0] for name in SET_FIELDS}
    baseline = {name: [0, 0, 0] for name in ("dates", "streets", "addresses")}
    errors: dict[str, list[dict[str, Any]]] = {name: [] for name in SET_FIELDS}
    page = {name: {"shown": 0, "correct": 0, "absent": 0, "invented": 0} for name in PAGE_FIELDS}
    page_baseline = {name: {"shown": 0, "correct": 0, "absent": 0, "invented": 0} for name in ("title", "published")}
    integration_right = 0
    by_style: dict[str, dict[str, list[int]]] = {}
    gazetteer = gazetteer_available()
    # A field no document of the set labels (districts in a set labelled before they existed) is
    # not scored there: its absence is not a claim that there are none.
    labelled = {key for document in gold for key in document["expected"]}
    fields = {name: spec for name, spec in SET_FIELDS.items() if spec[0] in labelled}
    for document, predicted in zip(gold, predictions, strict=True):
        expected = document["expected"]
        style = by_style.setdefault(document.get("style", "?"), {n: [0, 0, 0] for n in SET_FIELDS})
        for name, (key, as_set) in fields.items():
            want = as_set(expected.get(key) or [])
            got = as_set(predicted.get(key) or [])
            _count(counts[name], style[name], want=want, got=got)
            if want != got:
                errors[name].append({"key": document["key"], "missed": sorted(map(str, want - got)),
                                     "extra": sorted(map(str, got - want))})
        rendered = _page_text(document)
        _count(baseline["dates"], want=_dates(expected.get("dates") or []), got=naive_dates(rendered))
        if gazetteer:
            pairs = with_numbers_only_once(naive_streets(rendered) or set())
            _count(baseline["streets"], want=_streets(expected.get("addresses") or []), got={s for s, _ in pairs})
            _count(baseline["addresses"], want=_addresses(expected.get("addresses") or []), got=pairs)
        naive = naive_page_fields(document, rendered)
        for name in PAGE_FIELDS:
            _page_count(page[name], expected.get(name), predicted.get(name))
            if name in page_baseline:
                _page_count(page_baseline[name], expected.get(name), naive.get(name))
        integration_right += int(bool(expected.get("integration")) == predicted["integration"])
    baselines = {name: _prf(*c) for name, c in baseline.items() if gazetteer or name == "dates"}
    return {
        "documents": len(gold),
        "extractor_version": extractor_version(),
        "fields": {name: _prf(*c) for name, c in counts.items() if name in fields},
        "baselines": baselines,
        "page_fields": {name: _page_scores(c) for name, c in page.items()},
        "page_baselines": {name: _page_scores(c) for name, c in page_baseline.items()},
        "integration_accuracy": round(integration_right / len(gold), 4),
        "by_style": {style: {name: _prf(*c)["f1"] for name, c in scores.items() if name in fields}
                     for style, scores in sorted(by_style.items())},
        "errors": errors,
    }


def _count(*buckets: list[int], want: set, got: set) -> None:
    for bucket in buckets:
        bucket[0] += len(want & got)
        bucket[1] += len(got - want)
        bucket[2] += len(want - got)


def _page_count(bucket: dict[str, int], want: Any, got: Any) -> None:
    if want is None:
        bucket["absent"] += 1
        bucket["invented"] += int(got is not None)
    else:
        bucket["shown"] += 1
        bucket["correct"] += int(_same(want, got))


def _same(want: Any, got: Any) -> bool:
    if isinstance(want, str) and isinstance(got, str):
        return " ".join(want.split()) == " ".join(got.split())
    return want == got


def _page_scores(bucket: dict[str, int]) -> dict[str, Any]:
    """Accuracy on pages that show the field; the share of pages without it where one was invented."""
    return {**bucket,
            "accuracy": round(bucket["correct"] / bucket["shown"], 4) if bucket["shown"] else None,
            "false_alarms": round(bucket["invented"] / bucket["absent"], 4) if bucket["absent"] else None}


def _page_text(document: dict[str, Any]) -> str:
    """The whole page as a reader sees it (HTML rendered), furniture included: what baselines read."""
    if isinstance(document.get("text"), str):
        return document["text"]
    html = document.get("html")
    return render_text(html) if isinstance(html, str) else ""


def format_report(report: dict[str, Any], show_errors: int = 0) -> str:
    lines = [f"extraction on {report['documents']} gold documents "
             f"(extractor {report['extractor_version']})", "",
             f"{'field':<15}{'precision':>10}{'recall':>10}{'F1':>8}{'tp':>6}{'fp':>6}{'fn':>6}   baseline"]
    for name, score in report["fields"].items():
        base = report["baselines"].get(name)
        beside = f"   F1 {base['f1']:.3f} ({BASELINE_NAMES[name]})" if base else ""
        lines.append(f"{name:<15}{score['precision']:>10.3f}{score['recall']:>10.3f}{score['f1']:>8.3f}"
                     f"{score['tp']:>6}{score['fp']:>6}{score['fn']:>6}{beside}")
    lines += ["", "page fields: accuracy on pages that show one (n), invented on pages that show none (n)"]
    for name, score in report["page_fields"].items():
        base = report["page_baselines"].get(name)
        beside = (f"   baseline {_rate(base['accuracy'])} / {_rate(base['false_alarms'])} ({BASELINE_NAMES[name]})"
                  if base else "")
        lines.append(f"  {name:<12}{_rate(score['accuracy'])} ({score['shown']:>3})   "
                     f"invented {_rate(score['false_alarms'])} ({score['absent']:>3}){beside}")
    lines.append(f"  integration  accuracy {report['integration_accuracy']:.3f}")
    lines += ["", "F1 by document style:"]
    for style, scores in report["by_style"].items():
        lines.append(f"  {style:<16}" + "  ".join(f"{n} {v:.2f}" for n, v in scores.items()))
    if show_errors:
        for name, items in report["errors"].items():
            if name not in report["fields"]:
                continue
            lines += ["", f"{name}: {len(items)} documents with errors"]
            for item in items[:show_errors]:
                lines.append(f"  {item['key']}: missed {item['missed']} extra {item['extra']}")
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    return "  –  " if value is None else f"{value:.3f}"


def format_markdown(reports: dict[str, dict[str, Any]]) -> str:
    """The README's quality table: F1 per field and set, the naive baseline beside it."""
    names = list(reports)
    header = "| field | " + " | ".join(f"{n} ({reports[n]['documents']})" for n in names) + " |"
    lines = [header, "| --- |" + " --- |" * len(names)]
    for field in SET_FIELDS:
        cells = []
        for name in names:
            score = reports[name]["fields"].get(field)
            base = reports[name]["baselines"].get(field)
            cells.append("–" if score is None else f"{score['f1']:.3f}" + (f" ({base['f1']:.3f})" if base else ""))
        lines.append(f"| {field} | " + " | ".join(cells) + " |")
    for field in PAGE_FIELDS:
        cells = []
        for name in names:
            score = reports[name]["page_fields"][field]
            base = reports[name]["page_baselines"].get(field)
            cell = _rate(score["accuracy"]).strip()
            cells.append(cell + (f" ({_rate(base['accuracy']).strip()})" if base else ""))
        lines.append(f"| {field} (accuracy where shown) | " + " | ".join(cells) + " |")
    lines.append("| integration (accuracy) | " + " | ".join(
        f"{reports[n]['integration_accuracy']:.3f}" for n in names) + " |")
    return "\n".join(lines)
