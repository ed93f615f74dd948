"""Scores of the vote parser (crawler/votes.py) on the hand-labelled vote gold sets
(a checkout's tests/gold/votes/*.jsonl: tuning.jsonl, holdout.jsonl).

Per set: exact accuracy of the result, unanimity, the three counts and the whole faction list,
and micro precision / recall / F1 over (faction, position, counts) triples. The gold sets are
development data: `komo evaluate votes --gold DIR` names them; the default is the checkout's.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.crawler.votes import VoteParser, parser_version

from .evaluate import default_gold_root

FIELDS = ("result", "unanimous", "yes", "no", "abstain", "factions")
_EMPTY = {"result": None, "unanimous": None, "yes": None, "no": None, "abstain": None, "factions": []}


def vote_gold_sets(path: Path | None = None) -> dict[str, Path]:
    """Vote gold sets by name: tests/gold (its votes/ folder), a folder of *.jsonl, or one .jsonl file."""
    path = path or default_gold_root()
    if not path.exists():
        raise KomoError(f"no gold set at {path}")
    if path.is_file():
        return {path.stem: path}
    folder = path / "votes" if (path / "votes").is_dir() else path
    sets = {file.stem: file for file in sorted(folder.glob("*.jsonl"))}
    if not sets:
        raise KomoError(f"no vote gold sets (votes/*.jsonl) under {path}")
    # The tuning set first, the held-out set after it, any other set after them.
    order = {"tuning": 0, "holdout": 1}
    return dict(sorted(sets.items(), key=lambda item: (order.get(item[0], 2), item[0])))


def _triples(factions: list[dict[str, Any]]) -> set[tuple]:
    return {(f["name"], f["position"], f.get("yes"), f.get("no"), f.get("abstain")) for f in factions}


def evaluate_votes(path: Path, parser: VoteParser | None = None) -> dict[str, Any]:
    """Per-field accuracy and faction-triple P/R/F1 of the parser's main vote on one gold file."""
    parser = parser or VoteParser()
    lines = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            record["text"], record["expected"]  # noqa: B018 - both must be there
        except (ValueError, KeyError, TypeError):
            raise KomoError(f"{path.name}:{number} is not a gold line with `text` and `expected`") from None
        lines.append(record)
    if not lines:
        raise KomoError(f"no gold lines in {path}")
    right = dict.fromkeys(FIELDS, 0)
    tp = fp = fn = 0
    by_form: dict[str, list[int]] = {}
    errors = []
    for record in lines:
        expected = {**_EMPTY, **record["expected"]}
        vote = parser.main_vote(record["text"])
        got = vote.expected() if vote else dict(_EMPTY)
        wrong = [name for name in FIELDS if got[name] != expected[name]]
        for name in FIELDS:
            right[name] += name not in wrong
        want, have = _triples(expected["factions"]), _triples(got["factions"])
        tp, fp, fn = tp + len(want & have), fp + len(have - want), fn + len(want - have)
        form = by_form.setdefault(record.get("form", "?"), [0, 0])
        form[0] += 1
        form[1] += not wrong
        if wrong:
            errors.append({"id": record.get("id"), "fields": wrong,
                           "expected": {n: expected[n] for n in wrong}, "got": {n: got[n] for n in wrong}})
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "lines": len(lines), "parser_version": parser_version(),
        "accuracy": {name: round(right[name] / len(lines), 4) for name in FIELDS},
        "factions_triples": {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4),
                             "tp": tp, "fp": fp, "fn": fn},
        "all_right_by_form": {form: f"{ok}/{n}" for form, (n, ok) in sorted(by_form.items())},
        "errors": errors,
    }


def format_vote_report(name: str, report: dict[str, Any], show_errors: int = 0) -> str:
    acc = report["accuracy"]
    tri = report["factions_triples"]
    lines = [f"votes, {name}: {report['lines']} lines (parser {report['parser_version']})",
             "",
             f"{'result':>8}{'unanim.':>9}{'yes':>7}{'no':>7}{'abstain':>9}{'factions':>10}"
             f"{'triples P':>11}{'R':>7}{'F1':>7}",
             f"{acc['result']:>8.3f}{acc['unanimous']:>9.3f}{acc['yes']:>7.3f}{acc['no']:>7.3f}"
             f"{acc['abstain']:>9.3f}{acc['factions']:>10.3f}{tri['precision']:>11.3f}{tri['recall']:>7.3f}"
             f"{tri['f1']:>7.3f}",
             "",
             "lines right in every field, by form: " + ", ".join(
                 f"{form} {share}" for form, share in report["all_right_by_form"].items())]
    if show_errors:
        lines += ["", f"{len(report['errors'])} lines with a wrong field:"]
        for error in report["errors"][:show_errors]:
            lines.append(f"  {error['id']}: " + "; ".join(
                f"{n}: expected {json.dumps(error['expected'][n], ensure_ascii=False)}, "
                f"got {json.dumps(error['got'][n], ensure_ascii=False)}" for n in error["fields"]))
    return "\n".join(lines)
