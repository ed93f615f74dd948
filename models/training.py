"""`komo train` and `komo evaluate classifier`: the shipped model's data, settings and files."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .classifier import DEFAULT_CONFIG, DEFAULT_MODEL, TopicClassifier, load, load_config, save, train
from .corpus import Corpus
from .evaluate import METRICS_FILE, PageSet, evaluate_classifier, page_scores, update_card
from .taxonomy import Taxonomy


@dataclass
class TrainResult:
    classifier: TopicClassifier
    path: Path
    seconds: float

    def line(self) -> str:
        meta = self.classifier.meta
        size = self.path.stat().st_size / 1e6
        return (f"trained {self.classifier.name} {self.classifier.version} ({meta['family']}, seed {meta['seed']}) "
                f"on {meta['n_train']} documents in {self.seconds:.1f} s: hash {self.classifier.content_hash[:16]}; "
                f"saved {self.path} ({size:.1f} MB)")


def train_model(output: Path | None = None, config_path: Path = DEFAULT_CONFIG,
                **overrides: Any) -> TrainResult:
    """Train on the hand `train` split plus the sample archive and save model.skops."""
    config = load_config(config_path, **overrides)
    taxonomy = Taxonomy.load()
    corpus = Corpus.load(taxonomy)
    started = time.perf_counter()
    classifier = train(corpus.train, taxonomy, config, meta={"data": corpus.summary()})
    seconds = time.perf_counter() - started
    path = save(classifier, (output / DEFAULT_MODEL.name) if output else DEFAULT_MODEL)
    return TrainResult(classifier, path, seconds)


def evaluate_model(model_path: Path | None = None, folds: int = 5, compare: bool = False,
                   write: bool = False, progress: Callable[[str], None] | None = None,
                   page_sets: dict[str, PageSet] | None = None) -> dict[str, Any]:
    """Evaluate a saved model; cross-validation retrains with the settings it was trained with.
    `page_sets` (labelled real-style pages by set name) are scored too; none is trained on."""
    classifier = load(model_path or DEFAULT_MODEL)
    taxonomy = Taxonomy.load()
    corpus = Corpus.load(taxonomy)
    config = load_config(DEFAULT_CONFIG, **classifier.model["params"]["config"])
    config.update(name=classifier.name, version=classifier.version)
    report = evaluate_classifier(classifier, taxonomy, corpus, config, folds=folds, compare=compare,
                                 progress=progress)
    if page_sets:
        report["pages"] = {name: page_scores(classifier, taxonomy, pages) for name, pages in page_sets.items()}
    if write:
        METRICS_FILE.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        update_card(report)
    return report
