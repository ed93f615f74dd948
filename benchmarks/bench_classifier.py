"""Classifier speed on generated documents, beside a plain TF-IDF + LogisticRegression baseline.

    python -m benchmarks.bench_classifier [--docs N] [--words W] [--seed S]

N synthetic press releases (~W words, fixed seed) with labels that follow their text are
generated from the taxonomy's own terms and German sentence frames. Both models are trained on
the same documents in the same run and then classify all of them:

* ours: `models.classifier.train` with the shipped config (word + char n-grams, keyword
  counts, out-of-fold calibration and thresholds for 18 labels);
* baseline: TfidfVectorizer() + LogisticRegression(class_weight="balanced") for the same 18
  labels, nothing else.

Printed: training seconds, classification throughput (docs/s), their ratios, and a hash of the
configuration (generator settings + model config), so two runs can be compared. Results also go
to bench-results/classifier.json. Threads are pinned to 1 (2-core machines are faster so).
"""

from __future__ import annotations

import os

# Before numpy/scipy load: one BLAS thread is as fast or faster on two cores, and steadier.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import hashlib  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import random  # noqa: E402
import time  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

from benchmarks import pools  # noqa: E402
from benchmarks.util import RESULTS_DIR, save_results  # noqa: E402
from kommunalmonitor.models.classifier import DEFAULT_CONFIG, load_config, train  # noqa: E402
from kommunalmonitor.models.corpus import Document, Example  # noqa: E402
from kommunalmonitor.models.taxonomy import LABEL_SETS, Taxonomy  # noqa: E402

RESULTS_FILE = RESULTS_DIR / "classifier.json"
SEED = 20240601
GENERATOR_VERSION = 1

POOLS = pools.load("classifier")
FRAMES = POOLS["frames"]
FILLER = POOLS["filler"]
PLACES = POOLS["places"]
PEOPLE = POOLS["people"]


def _words(terms: tuple[str, ...]) -> list[str]:
    """Usable surface words from a term list: the stem of a "*" term gets a German ending."""
    endings = ["", "en", "e", "s", "ung", "angebot", "projekt"]
    out = []
    for index, term in enumerate(terms):
        base = term.rstrip("*")
        out.append(base + endings[index % len(endings)] if term.endswith("*") else base)
    return out


def synthetic_documents(count: int, words: int = 300, seed: int = SEED,
                        taxonomy: Taxonomy | None = None) -> Iterator[Example]:
    """`count` labelled documents of about `words` words; the same arguments give the same documents."""
    taxonomy = taxonomy or Taxonomy.load()
    rng = random.Random(seed)
    topic_words = {t: _words(terms) for t, terms in taxonomy.topics.items()}
    field_words = {f: _words(terms) for f, terms in taxonomy.fields.items()}
    integration_words = _words(taxonomy.integration_strong + taxonomy.integration_weak)
    topics, fields = list(topic_words), list(field_words)
    for index in range(count):
        topic = rng.choice(topics)
        integration = rng.random() < 0.3
        chosen = sorted(rng.sample(fields, rng.choice([1, 1, 2, 3]))) if integration else []
        pools = [topic_words[topic]] * 3 + [field_words[f] for f in chosen]
        pools += [integration_words] * 2 if chosen else []
        sentences, total = [], 0
        while total < words:
            if rng.random() < 0.25:
                frame, pool = rng.choice(FILLER), topic_words[rng.choice(topics)]
            else:
                frame, pool = rng.choice(FRAMES), rng.choice(pools)
            text = frame.format(a=rng.choice(pool), b=rng.choice(pool), c=rng.choice(pool),
                                place=rng.choice(PLACES), person=rng.choice(PEOPLE), day=f"{rng.randint(1, 28)}.",
                                hour=rng.randint(9, 20), number=rng.randint(100, 999))
            sentences.append(text)
            total += len(text.split())
        yield Example(doc_id=f"bench-{index}", document=Document(" ".join(sentences)), integration=integration,
                      action_fields=frozenset(chosen), topic=topic, origin="bench", split="train")


def _plain_baseline(examples: list[Example], taxonomy: Taxonomy, seed: int) -> tuple[float, float, int]:
    """Train TfidfVectorizer + LogisticRegression per label, then classify every document."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    texts = [e.document.text for e in examples]
    started = time.perf_counter()
    vectorizer = TfidfVectorizer()
    X = vectorizer.fit_transform(texts)
    models = []
    for ls in LABEL_SETS:
        for label in taxonomy.labels(ls):
            y = np.array([label in e.labels(ls) for e in examples], dtype=int)
            models.append(LogisticRegression(max_iter=1000, class_weight="balanced", random_state=seed).fit(X, y))
    train_seconds = time.perf_counter() - started
    started = time.perf_counter()
    X_new = vectorizer.transform(texts)
    for model in models:
        model.predict_proba(X_new)
    return train_seconds, time.perf_counter() - started, X.shape[1]


def run(count: int, words: int, seed: int) -> dict[str, Any]:
    taxonomy = Taxonomy.load()
    config = load_config(DEFAULT_CONFIG)
    started = time.perf_counter()
    examples = list(synthetic_documents(count, words, seed, taxonomy))
    generate_seconds = time.perf_counter() - started
    documents = [e.document for e in examples]

    started = time.perf_counter()
    model = train(examples, taxonomy, config)
    ours_train = time.perf_counter() - started
    started = time.perf_counter()
    predictions = model.predict(documents)
    ours_classify = time.perf_counter() - started
    integration_accuracy = float(np.mean(predictions.assigned["integration"][:, 0]
                                         == np.array([e.integration for e in examples])))

    base_train, base_classify, base_features = _plain_baseline(examples, taxonomy, config["seed"])
    settings = {"docs": count, "words": words, "seed": seed, "generator": GENERATOR_VERSION,
                "model_config": {k: config[k] for k in sorted(config)}}
    config_hash = hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:16]
    return {
        "config_hash": config_hash,
        "settings": settings,
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(),
                    "blas_threads": os.environ.get("OPENBLAS_NUM_THREADS")},
        "generate_seconds": round(generate_seconds, 2),
        "mean_words": round(float(np.mean([len(d.text.split()) for d in documents])), 1),
        "ours": {"train_seconds": round(ours_train, 2), "classify_seconds": round(ours_classify, 2),
                 "docs_per_second": round(count / ours_classify, 1), "features": model.meta["n_features"],
                 "model_hash": model.content_hash, "train_integration_accuracy": round(integration_accuracy, 4)},
        "baseline": {"train_seconds": round(base_train, 2), "classify_seconds": round(base_classify, 2),
                     "docs_per_second": round(count / base_classify, 1), "features": base_features},
    }


def report(results: dict[str, Any]) -> str:
    ours, base = results["ours"], results["baseline"]
    rows = [
        f"classifier benchmark: {results['settings']['docs']} generated documents "
        f"(~{results['mean_words']:.0f} words, seed {results['settings']['seed']}), config {results['config_hash']}",
        f"{'':<34} {'train s':>9} {'classify docs/s':>16} {'features':>9}",
        f"{'ours (word+char+keywords, calib.)':<34} {ours['train_seconds']:>9.1f} {ours['docs_per_second']:>16,.0f} "
        f"{ours['features']:>9,}",
        f"{'plain tfidf + logreg':<34} {base['train_seconds']:>9.1f} {base['docs_per_second']:>16,.0f} "
        f"{base['features']:>9,}",
        f"ratio ours/baseline: training time {ours['train_seconds'] / base['train_seconds']:.2f}x, "
        f"throughput {ours['docs_per_second'] / base['docs_per_second']:.2f}x",
        f"model hash on this data: {ours['model_hash'][:16]} (same seed and data give the same hash)",
    ]
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--docs", type=int, default=20_000, help="documents to generate (default: %(default)s)")
    parser.add_argument("--words", type=int, default=300, help="words per document (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="JSON results (default: %(default)s)")
    args = parser.parse_args(argv)
    results = run(args.docs, args.words, args.seed)
    print(report(results))
    save_results(args.out, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
