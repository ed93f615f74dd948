"""Precision and recall of the press release ↔ paper linker on the labelled set tests/gold/links/.

The gold council (council.jsonl) becomes OParl objects, normalised by the crawler's own
`normalize` and loaded by the store's council loader; the gold press releases are loaded as
crawled documents; extraction runs (body mentions count); then the linker runs with the settings
of data/config/links.toml. A release's `pairs` list every paper it is about, so any other link of
it is a false positive; `non_pairs` are the tempting wrong papers, counted apart.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.oparl import normalize

from .council_votes import refresh_votes
from .evaluate import default_gold_root
from .links import link_into, load_settings
from .store import Store
from .store.links import LinkSettings, candidate_scores

COUNCIL_SOURCE = "gold-council"
PRESS_SOURCE = "gold-press"
V11 = "https://schema.oparl.org/1.1/"


def gold_dir(path: Path | None = None) -> Path:
    folder = path or default_gold_root()
    folder = folder / "links" if (folder / "links").is_dir() else folder
    if not (folder / "council.jsonl").is_file() or not (folder / "press.jsonl").is_file():
        raise KomoError(f"no links gold set (council.jsonl, press.jsonl) in {folder}")
    return folder


def _jsonl(path: Path) -> list[dict[str, Any]]:
    try:
        return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except ValueError as problem:
        raise KomoError(f"{path}: not JSON lines ({problem})") from None


def paper_id(base: str, reference: str) -> str:
    return f"{base}/oparl/paper/{reference.replace('/', '-')}"


def gold_council(folder: Path, base: str) -> dict[str, list[dict[str, Any]]]:
    """The gold council as OParl 1.1 lists (organization, meeting, paper) served under `base`:
    one organization per committee and originator, one meeting per committee and date with an
    agenda item per paper it treats, each paper with its consultations embedded."""
    papers = _jsonl(folder / "council.jsonl")
    modified = "2024-01-01T00:00:00+01:00"
    names = sorted({c["committee"] for p in papers for c in p["consultations"]} | {p["originator"] for p in papers})
    orgs = {name: {"id": f"{base}/oparl/organization/{i + 1}", "type": V11 + "Organization", "name": name,
                   "organizationType": "Fraktion" if "Fraktion" in name else "Gremium", "modified": modified}
            for i, name in enumerate(names)}
    meetings: dict[tuple[str, str], dict[str, Any]] = {}
    served_papers = []
    for p in papers:
        pid = paper_id(base, p["reference"])
        consultations = []
        for c in p["consultations"]:
            key = (c["committee"], c["date"])
            if key not in meetings:
                meetings[key] = {"id": f"{base}/oparl/meeting/{len(meetings) + 1}", "type": V11 + "Meeting",
                                 "name": f"Sitzung {c['committee']}", "start": f"{c['date']}T17:00:00+01:00",
                                 "organization": [orgs[c["committee"]]["id"]], "agendaItem": [],
                                 "modified": modified}
            meeting = meetings[key]
            number = len(meeting["agendaItem"]) + 1
            item_id = f"{meeting['id']}/item/{number}"
            consultation_id = f"{pid}/consultation/{len(consultations) + 1}"
            meeting["agendaItem"].append({
                "id": item_id, "type": V11 + "AgendaItem", "number": str(number), "order": number,
                "name": p["name"], "public": True, "consultation": consultation_id, "result": c["result"],
                "resolutionText": c["result"], "modified": modified})
            consultations.append({"id": consultation_id, "type": V11 + "Consultation", "paper": pid,
                                  "meeting": meeting["id"], "agendaItem": item_id,
                                  "organization": [orgs[c["committee"]]["id"]], "role": c["role"],
                                  "authoritative": c["role"] == "Entscheidung", "modified": modified})
        behind = "originatorOrganization" if "Fraktion" in p["originator"] else "underDirectionOf"
        served_papers.append({"id": pid, "type": V11 + "Paper", "name": p["name"], "reference": p["reference"],
                              "paperType": p["paper_type"], "date": p["date"], behind: [orgs[p["originator"]]["id"]],
                              "consultation": consultations, "modified": modified})
    return {"organization": list(orgs.values()), "meeting": list(meetings.values()), "paper": served_papers}


def load_gold(store: Store, folder: Path, base: str = "https://rat.example") -> list[dict[str, Any]]:
    """Load the gold council and press releases into an empty store as a crawl would; returns the
    releases with their labels."""
    releases = _jsonl(folder / "press.jsonl")
    now = datetime.now(UTC).replace(tzinfo=None).isoformat()
    with tempfile.TemporaryDirectory(prefix="komo-gold-links-") as tmp:
        staging = Path(tmp)
        with (staging / "objects.jsonl").open("w", encoding="utf-8") as out:
            for list_type, items in gold_council(folder, base).items():
                for item in items:
                    for record in normalize(item, list_type.capitalize()):
                        out.write(json.dumps(record.staging(COUNCIL_SOURCE, now), ensure_ascii=False) + "\n")
        with (staging / "items.jsonl").open("w", encoding="utf-8") as out:
            for r in releases:
                body = r["body"]
                out.write(json.dumps({
                    "source": PRESS_SOURCE, "native_id": r["id"], "canonical_url": f"https://presse.example/{r['id']}",
                    "url_forms": [f"https://presse.example/{r['id']}"], "title": r["title"],
                    "published": r["published"], "sender": "Presseamt", "category": None, "body": body,
                    "content_hash": hashlib.sha256(f"{r['title']}\n{body}".encode()).hexdigest(),
                    "fetched_at": now}, ensure_ascii=False) + "\n")
        run_id = store.start_run("evaluate-links", None)
        store.load_staging(staging, run_id)
        refresh_votes(store, [COUNCIL_SOURCE], run_id)  # as a council crawl does
        store.finish_run(run_id, "ok", {})
    return releases


def score(releases: list[dict[str, Any]], links: list[tuple], base: str = "https://rat.example") -> dict[str, Any]:
    """P/R/F1 of `links` (press id, paper id, method) against the releases' labels."""
    gold = {(r["id"], paper_id(base, ref)) for r in releases for ref in r["pairs"]}
    tempting = {(r["id"], paper_id(base, ref)) for r in releases for ref in r["non_pairs"]}
    how = {r["id"]: r["how"] for r in releases}
    found = {(press, paper) for press, paper, _ in links}
    tp, fp, fn = len(found & gold), len(found - gold), len(gold - found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    by_how: dict[str, list[int]] = {}
    for press, paper in gold:
        entry = by_how.setdefault(how[press], [0, 0])
        entry[0] += 1
        entry[1] += (press, paper) in found
    methods = Counter(method for press, paper, method in links if (press, paper) in gold)
    return {"pairs": len(gold), "non_pairs": len(tempting), "links": len(found), "tp": tp, "fp": fp, "fn": fn,
            "precision": round(precision, 4), "recall": round(recall, 4),
            "f1": round(2 * precision * recall / (precision + recall), 4) if precision + recall else 0.0,
            "non_pairs_linked": len(found & tempting),
            "recall_by_how": {k: f"{v[1]}/{v[0]}" for k, v in sorted(by_how.items())},
            "true_links_by_method": dict(sorted(methods.items())),
            "false_links": sorted(f"{press} → {paper.rsplit('/', 1)[-1]}" for press, paper in found - gold),
            "missed": sorted(f"{press} → {paper.rsplit('/', 1)[-1]}" for press, paper in gold - found)}


def _kept(candidates: list[tuple], threshold: float, ratio: float) -> list[tuple]:
    best: dict[str, float] = {}
    for _, press, _, _, method, value in candidates:
        if method == "similarity":
            best[press] = max(best.get(press, 0.0), value)
    return [(press, paper, method) for _, press, _, paper, method, value in candidates
            if method == "reference" or (value >= threshold and value >= ratio * best[press])]


def evaluate_links(path: Path | None = None, settings: LinkSettings | None = None,
                   sweep: bool = False) -> dict[str, Any]:
    """The linker's figures on the gold set (with `sweep`, at each threshold from 0.2 to 0.9 too)."""
    from .extraction import extract_into

    folder = gold_dir(path)
    settings = settings or load_settings()
    with tempfile.TemporaryDirectory(prefix="komo-eval-links-") as tmp:
        home = Home(Path(tmp)).ensure()
        with Store.open(home.db) as store:
            releases = load_gold(store, folder)
            extract_into(store, home)
            link_into(store, settings, command="evaluate-links")
            links = store.con.execute("SELECT press_id, paper_id, method FROM press_paper_links").fetchall()
            report = score(releases, links)
            report["threshold"], report["keep_ratio"] = settings.threshold, settings.keep_ratio
            report["body_weight"] = settings.body_weight
            report["releases"] = len(releases)
            if sweep:
                with store.transaction():
                    candidates = candidate_scores(store.con, settings)
                report["sweep"] = []
                for step in range(4, 19):
                    threshold = step / 20
                    figures = score(releases, _kept(candidates, threshold, settings.keep_ratio))
                    report["sweep"].append({"threshold": threshold, **{k: figures[k] for k in
                                            ("precision", "recall", "f1", "tp", "fp", "fn", "non_pairs_linked")}})
    return report


def format_links_report(report: dict[str, Any], show_errors: bool = False) -> str:
    lines = [f"links, {report['releases']} press releases, {report['pairs']} pairs, {report['non_pairs']} labelled "
             f"non-pairs (threshold {report['threshold']:g}, keep ratio {report['keep_ratio']:g}, "
             f"body weight {report['body_weight']:g})",
             "",
             f"{'precision':>10}{'recall':>8}{'F1':>7}{'TP':>5}{'FP':>5}{'FN':>5}{'non-pairs linked':>18}",
             f"{report['precision']:>10.3f}{report['recall']:>8.3f}{report['f1']:>7.3f}{report['tp']:>5}"
             f"{report['fp']:>5}{report['fn']:>5}{report['non_pairs_linked']:>18}",
             "",
             "recall by how the release refers to its paper: "
             + ", ".join(f"{k} {v}" for k, v in report["recall_by_how"].items()),
             "true links by method: " + ", ".join(f"{k} {v}" for k, v in report["true_links_by_method"].items())]
    if report.get("sweep"):
        lines += ["", f"{'threshold':>10}{'precision':>11}{'recall':>8}{'F1':>7}{'FP':>5}{'non-pairs':>11}"]
        lines += [f"{row['threshold']:>10.2f}{row['precision']:>11.3f}{row['recall']:>8.3f}{row['f1']:>7.3f}"
                  f"{row['fp']:>5}{row['non_pairs_linked']:>11}" for row in report["sweep"]]
    if show_errors:
        lines += ["", "false links: " + ("; ".join(report["false_links"]) or "none"),
                  "missed: " + ("; ".join(report["missed"]) or "none")]
    return "\n".join(lines)
