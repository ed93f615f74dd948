"""The topic and action-field classifier: train, predict, explain, save and load.

One model answers three questions about a document (see taxonomy.py): is it about
migration / integration / refugees; which of the integration concept's action fields it
concerns; which general municipal topic it belongs to. Each label is a linear model over the
features in features.py, with

* probabilities calibrated by Platt scaling on out-of-fold decision values (the base model is
  then refitted on all training data, as CalibratedClassifierCV(ensemble=False) does), and
* a decision threshold per label chosen on the same out-of-fold predictions — never on the
  evaluation split.

Action fields are learnt from integration documents only and are assigned only when the
integration label is; their score is P(integration) × P(field | integration).

A model is a plain dict of scikit-learn vectorizers, numpy arrays and built-in types, saved
with skops. Loading refuses any type skops does not trust by default and checks the content
hash (sha256 over the fitted parameters, not the file bytes) recorded in the file.
"""

from __future__ import annotations

import hashlib
import json
import tomllib
import zipfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.naive_bayes import MultinomialNB
from sklearn.svm import LinearSVC

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.german import stopwords
from kommunalmonitor.core.resources import model_path

from .corpus import Document, Example
from .features import (
    CHAR_PREFIX,
    MENTION_PREFIX,
    WORD_PREFIX,
    CharNgrams,
    FeatureBuilder,
    cached_stem,
    new_char_ngrams,
    new_word_vectorizer,
)
from .predictions import Predictions
from .taxonomy import INTEGRATION, LABEL_SETS, Taxonomy
from .text import WORD, fold

FORMAT = "kommunalmonitor-topic-classifier"
FORMAT_VERSION = 1
MODEL_DIR = model_path("topic-classifier")
DEFAULT_MODEL = MODEL_DIR / "model.skops"
DEFAULT_CONFIG = MODEL_DIR / "config.toml"
FAMILIES = ("logreg", "linsvm", "nb")
# Settings that do not change the fitted model, so they are not part of its parameters or hash.
_NOT_PARAMETERS = ("name", "version")


class ModelFileError(KomoError):
    """A model file komo will not use (missing, corrupted, foreign, untrusted); one line."""


# -- configuration ----------------------------------------------------------------------------

DEFAULTS: dict[str, Any] = {
    "name": "topic-classifier",
    "version": "0.0.0",
    "seed": 20240517,
    "family": "logreg",
    "C": {"logreg": 10.0, "linsvm": 0.5, "nb": 0.05},
    "word_ngrams": [1, 2],
    "word_max_features": 15000,
    "char_ngrams": [3, 5],
    "char_max_features": 25000,
    "min_df": 2,
    "char_weight": 1.0,
    "mention_weight": 0.5,
    "hand_weight": 1.0,
    "inner_folds": 5,
    "threshold_range": [0.2, 0.8],
}


def default_stopwords() -> list[str]:
    """The one German stop-word list (data/lexicons/stopwords-de.txt), folded the same way as the
    texts (sorted, so hashes are stable). Training only: a saved model carries its own list."""
    return sorted({fold(w) for w in stopwords()})


def load_config(path: Path = DEFAULT_CONFIG, **overrides: Any) -> dict[str, Any]:
    """Training settings: DEFAULTS, then the model's config.toml, then explicit overrides."""
    config = json.loads(json.dumps(DEFAULTS))
    if path.exists():
        try:
            config.update(tomllib.loads(path.read_text(encoding="utf-8")))
        except tomllib.TOMLDecodeError as problem:
            raise KomoError(f"{path}: not valid TOML ({problem})") from None
    config.update({k: v for k, v in overrides.items() if v is not None})
    if config["family"] not in FAMILIES:
        raise KomoError(f"unknown model family {config['family']!r}; choose one of {', '.join(FAMILIES)}")
    return config


# -- linear models ----------------------------------------------------------------------------

def _fit_linear(family: str, X: sp.csr_matrix, y: np.ndarray, C: float, seed: int,
                weight: np.ndarray) -> tuple[np.ndarray, float]:
    """Fit one binary linear model; return its weights and bias (all families are linear)."""
    if family == "nb":
        nb = MultinomialNB(alpha=C).fit(X, y, sample_weight=weight)
        coef = nb.feature_log_prob_[1] - nb.feature_log_prob_[0]
        return coef.astype(np.float32), float(nb.class_log_prior_[1] - nb.class_log_prior_[0])
    if family == "linsvm":
        model = LinearSVC(C=C, class_weight="balanced", random_state=seed, max_iter=5000)
    else:
        # lbfgs: deterministic, and on tf-idf matrices several times faster than liblinear.
        model = LogisticRegression(C=C, solver="lbfgs", class_weight="balanced", max_iter=2000)
    model.fit(X, y, sample_weight=weight)
    return model.coef_.ravel().astype(np.float32), float(model.intercept_[0])


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _platt(decision: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    model = LogisticRegression(C=100.0, solver="lbfgs").fit(decision.reshape(-1, 1), y)
    return float(model.coef_[0, 0]), float(model.intercept_[0])


def _best_threshold(probs: np.ndarray, y: np.ndarray, low: float, high: float) -> float:
    """The threshold with the best F1 on out-of-fold probabilities; ties go to the one nearest 0.5."""
    best, best_key = 0.5, (-1.0, 0.0)
    for threshold in np.round(np.arange(low, high + 1e-9, 0.01), 2):
        predicted = probs >= threshold
        tp = float(np.sum(predicted & (y == 1)))
        f1 = 2 * tp / (predicted.sum() + y.sum()) if (predicted.sum() + y.sum()) else 0.0
        key = (round(f1, 6), -abs(threshold - 0.5))
        if key > best_key:
            best, best_key = float(threshold), key
    return best


@dataclass
class _Fitted:
    coef: np.ndarray
    intercept: float
    platt: tuple[float, float]
    threshold: float
    oof_probs: np.ndarray = field(repr=False)


def _fit_label(X: sp.csr_matrix, y: np.ndarray, weight: np.ndarray, config: dict[str, Any]) -> _Fitted:
    family, seed = config["family"], config["seed"]
    C = config["C"][family]
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if min(positives, negatives) < 2:
        # Too few examples to learn anything: a constant model that predicts the base rate.
        prior = (positives + 0.5) / (len(y) + 1.0)
        return _Fitted(np.zeros(X.shape[1], np.float32), 0.0, (0.0, float(np.log(prior / (1 - prior)))),
                       0.5, np.full(len(y), prior))
    folds = StratifiedKFold(min(config["inner_folds"], positives, negatives), shuffle=True, random_state=seed)
    decision = np.zeros(len(y))
    for train, held_out in folds.split(np.zeros(len(y)), y):
        coef, bias = _fit_linear(family, X[train], y[train], C, seed, weight[train])
        decision[held_out] = X[held_out] @ coef + bias
    a, b = _platt(decision, y)
    probs = _sigmoid(a * decision + b)
    low, high = config["threshold_range"]
    threshold = _best_threshold(probs, y, low, high)
    coef, bias = _fit_linear(family, X, y, C, seed, weight)
    return _Fitted(coef, bias, (a, b), threshold, probs)


def _fit_all(tasks: list[tuple[sp.csr_matrix, np.ndarray, np.ndarray]], config: dict[str, Any]) -> list[_Fitted]:
    # One process on purpose: liblinear keeps its random state in a C global, so threads would
    # make LinearSVC depend on scheduling, and worker processes cost more than they save here.
    return [_fit_label(X, y, weight, config) for X, y, weight in tasks]


def _stack(fitted: list[_Fitted], labels: list[str]) -> dict[str, Any]:
    return {
        "labels": list(labels),
        "coef": np.vstack([f.coef for f in fitted]).astype(np.float32),
        "intercept": np.array([f.intercept for f in fitted], dtype=np.float64),
        "platt_a": np.array([f.platt[0] for f in fitted], dtype=np.float64),
        "platt_b": np.array([f.platt[1] for f in fitted], dtype=np.float64),
        "threshold": np.array([f.threshold for f in fitted], dtype=np.float64),
    }


# -- the model --------------------------------------------------------------------------------

@dataclass
class TermWeight:
    term: str
    weight: float


@dataclass
class LabelExplanation:
    label_set: str
    label: str
    score: float
    assigned: bool
    terms: list[TermWeight]


class TopicClassifier:
    """A fitted classifier; build one with `train` or `load`."""

    def __init__(self, model: dict[str, Any]):
        self.model = model
        params = model["params"]
        self.features = FeatureBuilder(
            params["word_vectorizer"], CharNgrams.from_state(params["char_ngrams"]), params["stopwords"],
            params["lexicons"],
            params["config"]["char_weight"], params["config"]["mention_weight"],
        )

    # identity ------------------------------------------------------------------------------

    @property
    def name(self) -> str:
        return self.model["name"]

    @property
    def version(self) -> str:
        return self.model["version"]

    @property
    def content_hash(self) -> str:
        return self.model["hash"]

    @property
    def meta(self) -> dict[str, Any]:
        return self.model["meta"]

    @property
    def labels(self) -> dict[str, list[str]]:
        return {ls: list(self.model["params"]["heads"][ls]["labels"]) for ls in LABEL_SETS}

    # prediction ----------------------------------------------------------------------------

    def _probabilities(self, X: sp.csr_matrix, label_set: str) -> np.ndarray:
        head = self.model["params"]["heads"][label_set]
        decision = X @ head["coef"].T.astype(np.float64) + head["intercept"]
        return _sigmoid(head["platt_a"] * np.asarray(decision) + head["platt_b"])

    def predict(self, documents: Sequence[Document]) -> Predictions:
        X = self.features.transform(documents)
        return self._predict_matrix(X)

    def _predict_matrix(self, X: sp.csr_matrix) -> Predictions:
        heads = self.model["params"]["heads"]
        p_int = self._probabilities(X, "integration")
        is_int = p_int >= heads["integration"]["threshold"]
        p_field = self._probabilities(X, "action_field")
        fields = (p_field >= heads["action_field"]["threshold"]) & is_int
        p_topic = self._probabilities(X, "topic")
        p_topic = p_topic / np.maximum(p_topic.sum(axis=1, keepdims=True), 1e-12)
        topic = np.zeros_like(p_topic, dtype=bool)
        if len(p_topic):
            topic[np.arange(len(p_topic)), p_topic.argmax(axis=1)] = True
        return Predictions(
            labels=self.labels,
            scores={"integration": p_int, "action_field": p_field * p_int, "topic": p_topic},
            assigned={"integration": is_int, "action_field": fields, "topic": topic},
        )

    # explanation ---------------------------------------------------------------------------

    def explain(self, document: Document, top: int = 8) -> list[LabelExplanation]:
        """The words behind each label the document got (and behind the integration decision).

        A label's decision value is a sum over features of value × weight. Word n-grams are
        credited to the words of the document whose stem they contain, character n-grams to
        the words they occur in, keyword counts to the words that matched the lexicon (or to
        "[Stichwörter <lexicon>]" when the counts came from outside); terms are listed by
        total credit.
        """
        X = self.features.transform([document])
        prediction = self._predict_matrix(X).for_document(0)
        credit_map = self._credit_map(document)
        names = self.features.feature_names()
        row = X.getrow(0)
        explanations = []
        for label_set in LABEL_SETS:
            head = self.model["params"]["heads"][label_set]
            for j, label in enumerate(head["labels"]):
                score, assigned = prediction[label_set][label]
                if not assigned and label_set != "integration":
                    continue
                contributions = row.data * head["coef"][j, row.indices]
                credit: dict[str, float] = {}
                for index, value in zip(row.indices, contributions, strict=True):
                    for term, share in credit_map(names[index]):
                        credit[term] = credit.get(term, 0.0) + float(value) * share
                ranked = sorted(credit.items(), key=lambda item: (-item[1], item[0]))
                if not assigned:  # why not: the strongest evidence against
                    ranked = sorted(credit.items(), key=lambda item: (item[1], item[0]))
                terms = [TermWeight(t, round(w, 4)) for t, w in ranked[:top] if (w > 0) == assigned and w]
                explanations.append(LabelExplanation(label_set, label, score, assigned, terms))
        return explanations

    def _credit_map(self, document: Document):
        """feature name -> [(surface word, share)] for one document."""
        stopwords = self.features.stopwords
        surfaces: dict[str, str] = {}          # folded word -> first surface form seen
        for surface in WORD.findall(document.text):
            surfaces.setdefault(fold(surface), surface)
        by_stem: dict[str, list[str]] = {}
        for folded in surfaces:
            if len(folded) > 1 and folded not in stopwords:
                by_stem.setdefault(cached_stem(folded), []).append(surfaces[folded])
        padded = {f" {folded} ": surfaces[folded] for folded in surfaces}
        # Keyword-count features are credited to the words that matched their lexicon.
        lexicon_words: dict[str, Counter[str]] = {}
        if document.mentions is None:
            matcher = self.features.matcher
            for word, hits in matcher.positions(WORD.findall(fold(document.text))):
                for index in hits:
                    lexicon_words.setdefault(matcher.names[index], Counter())[surfaces.get(word, word)] += 1

        def lexicon_credit(lexicon: str) -> list[tuple[str, float]]:
            found = lexicon_words.get(lexicon)
            if not found:
                return [(f"[Stichwörter {lexicon}]", 1.0)]
            total = sum(found.values())
            return [(word, n / total) for word, n in found.items()]

        def credit(name: str) -> list[tuple[str, float]]:
            if name.startswith(WORD_PREFIX):
                stems = name[len(WORD_PREFIX):].split(" ")
                out = []
                for s in stems:
                    forms = by_stem.get(s, [s])
                    out.extend((form, 1.0 / len(stems) / len(forms)) for form in forms)
                return out
            if name.startswith(CHAR_PREFIX):
                gram = name[len(CHAR_PREFIX):]
                holders = [surface for key, surface in padded.items() if gram in key]
                return [(h, 1.0 / len(holders)) for h in holders] if holders else []
            if name.startswith(MENTION_PREFIX):
                return lexicon_credit(name[len(MENTION_PREFIX):])
            return []

        return credit


# -- training ---------------------------------------------------------------------------------

def train(examples: Sequence[Example], taxonomy: Taxonomy, config: dict[str, Any],
          meta: dict[str, Any] | None = None) -> TopicClassifier:
    """Fit vectorizers and every label's model on `examples`; deterministic for a given seed."""
    if not examples:
        raise KomoError("no training examples")
    word, char = new_word_vectorizer(config), new_char_ngrams(config)
    lexicons = {name: list(terms) for name, terms in taxonomy.lexicons().items()}
    builder = FeatureBuilder(word, char, default_stopwords(), lexicons,
                             config["char_weight"], config["mention_weight"])
    X = builder.fit_transform([e.document for e in examples])
    # Hand-written documents vary more than the generated archive; `hand_weight` lets them count more.
    weight = np.array([config["hand_weight"] if e.origin == "hand" else 1.0 for e in examples])
    y_int = np.array([e.integration for e in examples], dtype=int)
    on_topic = np.flatnonzero(y_int)
    X_int, weight_int = X[on_topic], weight[on_topic]
    fields, topics = taxonomy.labels("action_field"), taxonomy.labels("topic")
    tasks = [(X, y_int, weight)]
    tasks += [(X_int, np.array([f in examples[i].action_fields for i in on_topic], dtype=int), weight_int)
              for f in fields]
    tasks += [(X, np.array([e.topic == t for e in examples], dtype=int), weight) for t in topics]
    fitted = _fit_all(tasks, config)
    heads = {
        "integration": _stack(fitted[:1], [INTEGRATION]),
        "action_field": _stack(fitted[1:1 + len(fields)], fields),
        "topic": _stack(fitted[1 + len(fields):], topics),
    }
    params = {
        "config": {k: config[k] for k in sorted(DEFAULTS) if k not in _NOT_PARAMETERS},
        "stopwords": sorted(builder.stopwords),
        "lexicons": lexicons,
        "word_vectorizer": word,
        "char_ngrams": char.state(),
        "heads": heads,
    }
    model = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "name": config["name"],
        "version": config["version"],
        "hash": content_hash(params),
        "meta": {
            "trained_at": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "family": config["family"],
            "seed": config["seed"],
            "n_train": len(examples),
            "n_features": int(X.shape[1]),
            **(meta or {}),
        },
        "params": params,
    }
    return TopicClassifier(model)


# -- content hash -----------------------------------------------------------------------------

def _array_digest(array: np.ndarray) -> str:
    # Rounded and in one byte order, so the hash depends on the values, not on the platform.
    values = np.ascontiguousarray(np.round(np.asarray(array, dtype=np.float64), 6), dtype="<f8")
    return hashlib.sha256(values.tobytes()).hexdigest()


def _vectorizer_state(vectorizer: Any) -> dict[str, Any]:
    settings = {k: repr(v) for k, v in sorted(vectorizer.get_params().items())}
    vocabulary = sorted((str(term), int(index)) for term, index in vectorizer.vocabulary_.items())
    return {"settings": settings, "vocabulary": vocabulary, "idf": _array_digest(vectorizer.idf_)}


def content_hash(params: dict[str, Any]) -> str:
    """sha256 over the fitted parameters: config, lexicons, vocabularies, idf and weights.

    File bytes differ between two saves of the same model (zip timestamps); this does not.
    """
    state = {
        "format": [FORMAT, FORMAT_VERSION],
        "config": params["config"],
        "stopwords": list(params["stopwords"]),
        "lexicons": {k: list(v) for k, v in sorted(params["lexicons"].items())},
        "word": _vectorizer_state(params["word_vectorizer"]),
        "char": {"settings": {k: v for k, v in sorted(params["char_ngrams"].items()) if k not in ("grams", "idf")},
                 "grams": list(params["char_ngrams"]["grams"]), "idf": _array_digest(params["char_ngrams"]["idf"])},
        "heads": {ls: {"labels": list(head["labels"]),
                       **{k: _array_digest(head[k]) for k in ("coef", "intercept", "platt_a", "platt_b",
                                                              "threshold")}}
                  for ls, head in sorted(params["heads"].items())},
    }
    return hashlib.sha256(json.dumps(state, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()


# -- files ------------------------------------------------------------------------------------

def save(classifier: TopicClassifier, path: Path) -> Path:
    import skops.io as sio

    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    sio.dump(classifier.model, temporary, compression=zipfile.ZIP_DEFLATED, compresslevel=9)
    temporary.replace(path)
    return path


def load(path: Path = DEFAULT_MODEL) -> TopicClassifier:
    """Load a model file, refusing anything that is not a komo classifier we can trust.

    Nothing is unpickled: skops rebuilds objects from its own schema, and only types it trusts
    by default (scikit-learn, numpy, built-ins) are accepted. The content hash is recomputed.
    """
    import skops.io as sio

    path = Path(path)
    if not path.is_file():
        raise ModelFileError(f"no model file at {path}; run `komo train` first or pass --model")
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as problem:  # zip, JSON or schema errors all mean "not a skops file"
        raise ModelFileError(f"{path} is not a skops model file (corrupted or foreign: "
                             f"{type(problem).__name__})") from None
    if untrusted:
        shown = ", ".join(sorted(untrusted)[:3]) + (" …" if len(untrusted) > 3 else "")
        raise ModelFileError(f"{path} contains types komo does not trust ({shown}); refusing to load it")
    try:
        model = sio.load(path)
    except Exception as problem:
        raise ModelFileError(f"{path} cannot be read as a skops model (corrupted: "
                             f"{type(problem).__name__}: {str(problem).splitlines()[0][:120]})") from None
    if not isinstance(model, dict) or model.get("format") != FORMAT:
        raise ModelFileError(f"{path} is a skops file but not a komo topic classifier")
    if model.get("format_version") != FORMAT_VERSION:
        raise ModelFileError(f"{path} has model format {model.get('format_version')!r}; this komo reads "
                             f"format {FORMAT_VERSION} (retrain with `komo train`)")
    try:
        recomputed = content_hash(model["params"])
    except (KeyError, TypeError, AttributeError, ValueError) as problem:
        raise ModelFileError(f"{path} is incomplete (missing {problem}); retrain with `komo train`") from None
    if recomputed != model.get("hash"):
        raise ModelFileError(f"{path}: parameters do not match the recorded hash (corrupted or edited); "
                             "retrain with `komo train`")
    return TopicClassifier(model)
