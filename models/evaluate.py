"""How good the classifier is: held-out figures, cross-validation, and baselines beside them.

* held-out: the hand-labelled `test` split (models/data/labelled.jsonl), which no training
  step, threshold or setting has seen;
* cross-validated: k folds over the training pool (hand `train` + sample archive), each fold's
  model trained from scratch by the same `train` (thresholds tuned inside the fold);
* keyword rules (keywords.py) on both, and — with `compare` — the other model families and a
  plain TF-IDF + LogisticRegression baseline.

`evaluate_classifier` returns plain data (metrics.json); `format_report` renders the tables.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.model_selection import StratifiedKFold

from .classifier import FAMILIES, MODEL_DIR, TopicClassifier, train
from .corpus import Corpus, Document, Example
from .keywords import KeywordRules
from .predictions import Predictions
from .taxonomy import LABEL_SETS, Taxonomy

CARD_FILE = MODEL_DIR / "README.md"
METRICS_FILE = MODEL_DIR / "metrics.json"
CARD_START, CARD_END = "<!-- metrics:start -->", "<!-- metrics:end -->"
Progress = Callable[[str], None]
FitPredict = Callable[[list[Example], list[Example]], Predictions]


def truth(examples: Sequence[Example], labels: dict[str, list[str]]) -> dict[str, np.ndarray]:
    return {ls: np.array([[label in e.labels(ls) for label in labels[ls]] for e in examples], dtype=bool)
            for ls in LABEL_SETS}


def _prf(tp: float, fp: float, fn: float) -> dict[str, float]:
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 4), "recall": round(recall, 4), "f1": round(f1, 4)}


def scores(predicted: Predictions, examples: Sequence[Example]) -> dict[str, Any]:
    """Per-label precision/recall/F1/support, micro and macro averages, accuracy where it fits."""
    gold = truth(examples, predicted.labels)
    result: dict[str, Any] = {}
    for ls in LABEL_SETS:
        y, p = gold[ls], predicted.assigned[ls]
        per_label = {}
        for j, label in enumerate(predicted.labels[ls]):
            tp = float(np.sum(y[:, j] & p[:, j]))
            fp = float(np.sum(~y[:, j] & p[:, j]))
            fn = float(np.sum(y[:, j] & ~p[:, j]))
            per_label[label] = {**_prf(tp, fp, fn), "support": int(y[:, j].sum())}
        present = [m for m in per_label.values() if m["support"]]
        macro = {k: round(float(np.mean([m[k] for m in present])), 4) if present else 0.0
                 for k in ("precision", "recall", "f1")}
        micro = _prf(float(np.sum(y & p)), float(np.sum(~y & p)), float(np.sum(y & ~p)))
        entry: dict[str, Any] = {"labels": per_label, "micro": micro, "macro": macro}
        if ls == "integration":
            entry["accuracy"] = round(float(np.mean(y[:, 0] == p[:, 0])), 4)
        elif ls == "topic":
            entry["accuracy"] = round(float(np.mean(np.all(y == p, axis=1))), 4)
        else:
            entry["exact_match"] = round(float(np.mean(np.all(y == p, axis=1))), 4)
        result[ls] = entry
    return result


def out_of_fold(examples: Sequence[Example], fit_predict: FitPredict, folds: int, seed: int,
                progress: Progress | None = None) -> Predictions:
    """Out-of-fold predictions for every example: `fit_predict(train, held_out)` per fold.

    Folds are stratified by origin (hand / archive) and integration, so each holds both kinds.
    """
    strata = np.array([f"{e.origin}:{int(e.integration)}" for e in examples])
    splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
    merged: Predictions | None = None
    for number, (fit_rows, held_rows) in enumerate(splitter.split(np.zeros(len(examples)), strata), 1):
        if progress:
            progress(f"cross-validation fold {number}/{folds}")
        fold = fit_predict([examples[i] for i in fit_rows], [examples[i] for i in held_rows])
        if merged is None:
            merged = Predictions(fold.labels,
                                 {k: np.zeros((len(examples), v.shape[1])) for k, v in fold.scores.items()},
                                 {k: np.zeros((len(examples), v.shape[1]), bool) for k, v in fold.assigned.items()})
        for ls in LABEL_SETS:
            merged.scores[ls][held_rows] = fold.scores[ls]
            merged.assigned[ls][held_rows] = fold.assigned[ls]
    assert merged is not None
    return merged


def cross_validated(examples: Sequence[Example], taxonomy: Taxonomy, config: dict[str, Any],
                    folds: int = 5, progress: Progress | None = None) -> Predictions:
    """Out-of-fold predictions of our model, each fold trained from scratch by `train`."""
    def fit_predict(fit: list[Example], held: list[Example]) -> Predictions:
        return train(fit, taxonomy, config).predict([e.document for e in held])

    return out_of_fold(examples, fit_predict, folds, config["seed"], progress)


def plain_baseline(train_examples: Sequence[Example], test_examples: Sequence[Example],
                   taxonomy: Taxonomy, seed: int) -> Predictions:
    """TfidfVectorizer() + LogisticRegression(class_weight="balanced") per label, threshold 0.5.

    No normalisation, no character n-grams, no keyword features, no calibration, no tuned
    thresholds, no gating of action fields by the integration label.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform([e.document.text for e in train_examples])
    X_test = vectorizer.transform([e.document.text for e in test_examples])
    labels = {ls: taxonomy.labels(ls) for ls in LABEL_SETS}
    gold = truth(train_examples, labels)
    result_scores, assigned = {}, {}
    for ls in LABEL_SETS:
        if ls == "topic":
            y = gold[ls].argmax(axis=1)
            model = LogisticRegression(max_iter=1000, class_weight="balanced", random_state=seed).fit(X, y)
            probs = np.zeros((len(test_examples), len(labels[ls])))
            probs[:, model.classes_] = model.predict_proba(X_test)
            result_scores[ls] = probs
            assigned[ls] = probs == probs.max(axis=1, keepdims=True)
            continue
        columns = []
        for j in range(len(labels[ls])):
            y = gold[ls][:, j]
            if y.min() == y.max():
                columns.append(np.full(len(test_examples), float(y[0])))
                continue
            model = LogisticRegression(max_iter=1000, class_weight="balanced", random_state=seed).fit(X, y)
            columns.append(model.predict_proba(X_test)[:, 1])
        result_scores[ls] = np.column_stack(columns)
        assigned[ls] = result_scores[ls] >= 0.5
    return Predictions(labels, result_scores, assigned)


def evaluate_classifier(model: TopicClassifier, taxonomy: Taxonomy, corpus: Corpus, config: dict[str, Any],
                        folds: int = 5, compare: bool = False,
                        progress: Progress | None = None) -> dict[str, Any]:
    """Everything `komo evaluate classifier` prints and metrics.json keeps."""
    test_docs = [e.document for e in corpus.test]
    keywords = KeywordRules(taxonomy)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "model": {"name": model.name, "version": model.version, "hash": model.content_hash,
                  "family": model.meta.get("family"), "trained_at": model.meta.get("trained_at")},
        "data": corpus.summary(),
        "folds": folds,
        "held_out": {"model": scores(model.predict(test_docs), corpus.test),
                     "keywords": scores(keywords.predict(test_docs), corpus.test)},
        "cross_validated": {},
    }
    if folds > 1:
        report["cross_validated"]["model"] = scores(
            cross_validated(corpus.train, taxonomy, config, folds, progress), corpus.train)
        report["cross_validated"]["keywords"] = scores(
            keywords.predict([e.document for e in corpus.train]), corpus.train)
    if compare:
        report["comparison"] = compare_families(corpus, taxonomy, config, folds, progress)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def compare_families(corpus: Corpus, taxonomy: Taxonomy, config: dict[str, Any], folds: int,
                     progress: Progress | None = None) -> dict[str, Any]:
    """Headline figures of every model family, the plain baseline and the keyword rules."""
    rows: dict[str, Any] = {}
    test_docs = [e.document for e in corpus.test]
    for family in FAMILIES:
        if progress:
            progress(f"comparing family {family}")
        settings = {**config, "family": family}
        started = time.perf_counter()
        model = train(corpus.train, taxonomy, settings)
        seconds = time.perf_counter() - started
        rows[family] = {"held_out": headline(scores(model.predict(test_docs), corpus.test)),
                        "train_seconds": round(seconds, 2)}
        if folds > 1:
            rows[family]["cross_validated"] = headline(
                scores(cross_validated(corpus.train, taxonomy, settings, folds), corpus.train))
    plain_test = plain_baseline(corpus.train, corpus.test, taxonomy, config["seed"])
    rows["plain tfidf+logreg"] = {"held_out": headline(scores(plain_test, corpus.test))}
    if folds > 1:
        plain_cv = out_of_fold(corpus.train, lambda fit, held: plain_baseline(fit, held, taxonomy, config["seed"]),
                               folds, config["seed"])
        rows["plain tfidf+logreg"]["cross_validated"] = headline(scores(plain_cv, corpus.train))
    rows["keyword rules"] = {"held_out": headline(scores(KeywordRules(taxonomy).predict(test_docs), corpus.test)),
                             "cross_validated": headline(scores(
                                 KeywordRules(taxonomy).predict([e.document for e in corpus.train]),
                                 corpus.train))}
    return rows


PageSet = Sequence[tuple[Document, bool, frozenset[str]]]


def page_scores(model: TopicClassifier, taxonomy: Taxonomy, pages: PageSet) -> dict[str, Any]:
    """Integration accuracy and action-field micro P/R/F1 of the model and the keyword rules on
    labelled pages (headline + body as the extractor reads them; no topic labels there)."""
    documents = [document for document, _, _ in pages]
    result: dict[str, Any] = {"documents": len(pages)}
    runs = (("model", model.predict(documents)), ("keywords", KeywordRules(taxonomy).predict(documents)))
    for name, predicted in runs:
        right, tp, fp, fn = 0, 0, 0, 0
        for row, (_, integration, fields) in enumerate(pages):
            chosen = predicted.assigned_labels(row)
            right += int(bool(chosen["integration"]) == integration)
            got = set(chosen["action_field"])
            tp, fp, fn = tp + len(got & fields), fp + len(got - fields), fn + len(fields - got)
        result[name] = {"integration_accuracy": round(right / len(pages), 4) if pages else 0.0,
                        "action_field": _prf(tp, fp, fn)}
    return result


def headline(result: dict[str, Any]) -> dict[str, float]:
    return {
        "integration_accuracy": result["integration"]["accuracy"],
        "integration_f1": result["integration"]["micro"]["f1"],
        "action_field_micro_f1": result["action_field"]["micro"]["f1"],
        "action_field_macro_f1": result["action_field"]["macro"]["f1"],
        "topic_accuracy": result["topic"]["accuracy"],
        "topic_macro_f1": result["topic"]["macro"]["f1"],
    }


# -- rendering --------------------------------------------------------------------------------

def _cells(metrics: dict[str, float] | None) -> str:
    if metrics is None:
        return f"{'':>5} {'':>5} {'':>5}"
    return f"{metrics['precision']:5.2f} {metrics['recall']:5.2f} {metrics['f1']:5.2f}"


def format_report(report: dict[str, Any]) -> str:
    """Plain-text tables: per label P/R/F1 held-out | cross-validated | keyword rules."""
    held, cv = report["held_out"], report.get("cross_validated", {})
    data = report["data"]
    lines = [
        f"model {report['model']['name']} {report['model']['version']} ({report['model']['family']}), "
        f"hash {report['model']['hash'][:16]}",
        f"held-out: {data['test']['documents']} hand-labelled test documents; "
        + (f"cross-validated (CV): {report['folds']}-fold over {data['train']['documents']} training documents, "
           "model retrained per fold; " if report["cross_validated"] else "no cross-validation (--folds 0); ")
        + "kw: keyword rules (the taxonomy's term lists), kw-CV: the rules on the training documents",
    ]
    header = (f"{'label':<20} {'held-out P':>10} {'R':>5} {'F1':>5} | {'CV P':>5} {'R':>5} {'F1':>5} | "
              f"{'kw P':>5} {'R':>5} {'F1':>5} | {'kw-CV F1':>8} {'n':>4}")
    for ls in LABEL_SETS:
        lines += ["", f"[{ls}]", header, "-" * len(header)]
        model_ls, kw_ls = held["model"][ls], held["keywords"][ls]
        cv_ls, kwcv_ls = cv.get("model", {}).get(ls), cv.get("keywords", {}).get(ls)
        rows = [(label, lambda r, label=label: r["labels"][label]) for label in model_ls["labels"]]
        if ls != "integration":
            rows += [("micro avg", lambda r: r["micro"]), ("macro avg", lambda r: r["macro"])]
        for name, pick in rows:
            n = model_ls["labels"][name]["support"] if name in model_ls["labels"] else ""
            lines.append(
                f"{name:<20} {'':>5}{_cells(pick(model_ls))} | {_cells(pick(cv_ls) if cv_ls else None)} | "
                f"{_cells(pick(kw_ls))} | {format(pick(kwcv_ls)['f1'], '8.2f') if kwcv_ls else '':>8} {n!s:>4}")
        for key in ("accuracy", "exact_match"):
            if key in model_ls:
                cv_value = f"{cv_ls[key]:5.2f}" if cv_ls else ""
                kwcv_value = f"{kwcv_ls[key]:.2f}" if kwcv_ls else ""
                lines.append(f"{key:<20} {'':>5}{model_ls[key]:5.2f} {'':>11} | {cv_value:>5} {'':>11} | "
                             f"{kw_ls[key]:5.2f} {'':>11} | {kwcv_value:>8}")
    if report.get("pages"):
        lines += ["", "[real-style pages (tests/gold/extraction-real*, headline + body as komo extract reads them): "
                  "integration acc / action-field micro P R F1]"]
        for name, result in report["pages"].items():
            for who in ("model", "keywords"):
                fields = result[who]["action_field"]
                lines.append(f"{name + ' (' + str(result['documents']) + ')':<28} {who:<9} "
                             f"{result[who]['integration_accuracy']:.3f} / {fields['precision']:.2f} "
                             f"{fields['recall']:.2f} {fields['f1']:.3f}")
    if "comparison" in report:
        lines += ["", "[model families and baselines: integration acc / action-field micro-F1 / topic acc]"]
        for name, row in report["comparison"].items():
            held_row, cv_row = row["held_out"], row.get("cross_validated")
            cv_text = (f"CV {cv_row['integration_accuracy']:.3f} / {cv_row['action_field_micro_f1']:.3f} / "
                       f"{cv_row['topic_accuracy']:.3f}") if cv_row else ""
            lines.append(f"{name:<20} held-out {held_row['integration_accuracy']:.3f} / "
                         f"{held_row['action_field_micro_f1']:.3f} / {held_row['topic_accuracy']:.3f}   {cv_text}")
    return "\n".join(lines)


def summary_line(report: dict[str, Any]) -> str:
    held, kw = report["held_out"]["model"], report["held_out"]["keywords"]
    return (f"held-out: integration accuracy {held['integration']['accuracy']:.3f} "
            f"(keywords {kw['integration']['accuracy']:.3f}), action fields micro-F1 "
            f"{held['action_field']['micro']['f1']:.3f} (keywords {kw['action_field']['micro']['f1']:.3f}), "
            f"topic accuracy {held['topic']['accuracy']:.3f} (keywords {kw['topic']['accuracy']:.3f})")


def update_card(report: dict[str, Any], card: Path = CARD_FILE) -> None:
    """Replace the generated block of the model card (between the metrics markers)."""
    text = card.read_text(encoding="utf-8")
    block = f"{CARD_START}\n```\n{format_report(report)}\n```\n{CARD_END}"
    pattern = re.compile(re.escape(CARD_START) + ".*?" + re.escape(CARD_END), re.S)
    if not pattern.search(text):
        raise ValueError(f"{card} has no {CARD_START} … {CARD_END} block")
    card.write_text(pattern.sub(lambda _: block, text), encoding="utf-8")
