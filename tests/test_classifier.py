"""The topic and action-field classifier: quality against the keyword rules, determinism, safe
loading, and the `komo train / evaluate classifier / classify / explain` commands."""

from __future__ import annotations

import json
import pickle
import shutil
from datetime import datetime
from pathlib import Path

import numpy as np
import pytest
import skops.io as sio
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from benchmarks.bench_classifier import synthetic_documents
from kommunalmonitor.models import classifier as clf
from kommunalmonitor.models.corpus import Corpus, Document
from kommunalmonitor.models.evaluate import cross_validated, evaluate_classifier, scores
from kommunalmonitor.models.features import CharNgrams
from kommunalmonitor.models.keywords import KeywordRules
from kommunalmonitor.models.taxonomy import Taxonomy
from kommunalmonitor.models.text import fold_words
from kommunalmonitor.pipeline.store import Store

from .conftest import query, run_komo


@pytest.fixture(scope="module")
def taxonomy() -> Taxonomy:
    return Taxonomy.load()


@pytest.fixture(scope="module")
def corpus(taxonomy: Taxonomy) -> Corpus:
    return Corpus.load(taxonomy)


@pytest.fixture(scope="module")
def shipped() -> clf.TopicClassifier:
    return clf.load(clf.DEFAULT_MODEL)


def small_config(**overrides):
    # Fewer features and inner folds keep training on a subset to about a second.
    return clf.load_config(clf.DEFAULT_CONFIG, word_max_features=3000, char_max_features=4000, inner_folds=3,
                           **overrides)


# -- quality ----------------------------------------------------------------------------------

def test_held_out_split_is_fixed_and_kept_apart(corpus: Corpus):
    assert len(corpus.test) >= 50 and all(e.origin == "hand" for e in corpus.test)
    assert not {e.doc_id for e in corpus.test} & {e.doc_id for e in corpus.train}
    assert sum(e.integration for e in corpus.test) >= 20
    hard_negatives = [e for e in corpus.test if not e.integration and KeywordRules_mentions(e.document.text)]
    assert hard_negatives, "the test split should hold documents that mention refugees in passing"


def KeywordRules_mentions(text: str) -> bool:  # noqa: N802 -- reads as a predicate in the test above
    return any(w.startswith(("fluecht", "gefluecht", "migration", "integration", "asyl")) for w in fold_words(text))


def test_shipped_model_beats_keyword_rules_on_held_out_split(shipped, taxonomy, corpus):
    report = evaluate_classifier(shipped, taxonomy, corpus, clf.load_config(), folds=0)
    model, keywords = report["held_out"]["model"], report["held_out"]["keywords"]
    # Issue 12's integration terms (German courses, citizenship, Erstaufnahme …) lifted the keyword
    # rules from 0.885 to the model's 0.942 on these 52 documents: the model must not fall below them.
    assert model["integration"]["accuracy"] >= keywords["integration"]["accuracy"]
    assert model["integration"]["accuracy"] >= 0.9
    assert model["action_field"]["micro"]["f1"] > keywords["action_field"]["micro"]["f1"]
    assert model["action_field"]["micro"]["f1"] >= 0.75
    for label_set in ("integration", "action_field", "topic"):
        for figures in model[label_set]["labels"].values():
            assert set(figures) == {"precision", "recall", "f1", "support"}
        assert set(model[label_set]["macro"]) == {"precision", "recall", "f1"}


def test_cross_validation_gives_out_of_fold_figures(taxonomy, corpus):
    examples = corpus.train[:60] + corpus.train[-60:]
    predictions = cross_validated(examples, taxonomy, small_config(), folds=2)
    result = scores(predictions, examples)
    assert 0.5 < result["integration"]["accuracy"] <= 1.0
    assert predictions.scores["topic"].shape == (len(examples), len(taxonomy.topics))


def test_explanations_name_words_of_the_document(shipped):
    text = ("Sprachkurse für Geflüchtete\nDie Volkshochschule bietet neue Integrationskurse an. "
            "Geflüchtete Frauen können Deutsch lernen, eine Kinderbetreuung gibt es auch.")
    explanations = shipped.explain(Document(text), top=5)
    integration = explanations[0]
    assert integration.label_set == "integration" and integration.assigned
    terms = [t.term for t in integration.terms]
    assert any(word in terms for word in ("Geflüchtete", "Integrationskurse", "Sprachkurse"))
    assert all(t.weight > 0 for t in integration.terms)
    assert any(e.label_set == "action_field" and e.label == "sprache" for e in explanations)


# -- determinism and hashes -------------------------------------------------------------------

def test_training_twice_with_the_same_seed_gives_the_same_model(taxonomy, corpus, tmp_path):
    examples = corpus.train[::3]
    first = clf.train(examples, taxonomy, small_config())
    second = clf.train(examples, taxonomy, small_config())
    assert first.content_hash == second.content_hash
    documents = [e.document for e in corpus.test]
    a, b = first.predict(documents), second.predict(documents)
    for label_set in a.scores:
        assert np.array_equal(a.scores[label_set], b.scores[label_set])
        assert np.array_equal(a.assigned[label_set], b.assigned[label_set])
    # Saving and loading keeps parameters, hash and predictions; the hash is not of file bytes.
    loaded = clf.load(clf.save(first, tmp_path / "model.skops"))
    assert loaded.content_hash == first.content_hash
    assert np.array_equal(loaded.predict(documents).scores["topic"], a.scores["topic"])


def test_shipped_model_is_small_and_its_hash_recomputes(shipped):
    assert clf.DEFAULT_MODEL.stat().st_size < 5_000_000
    assert clf.content_hash(shipped.model["params"]) == shipped.content_hash
    assert shipped.version and shipped.meta["family"] in clf.FAMILIES


# -- refusing bad files -----------------------------------------------------------------------

def _one_line(problem: Exception) -> str:
    message = str(problem)
    assert "\n" not in message
    return message


def test_corrupted_model_files_are_refused(tmp_path):
    data = clf.DEFAULT_MODEL.read_bytes()
    truncated = tmp_path / "truncated.skops"
    truncated.write_bytes(data[: len(data) // 2])
    garbled = tmp_path / "garbled.skops"
    garbled.write_bytes(data[:2000] + bytes(b ^ 0x5A for b in data[2000:6000]) + data[6000:])
    for path in (truncated, garbled):
        with pytest.raises(clf.ModelFileError) as raised:
            clf.load(path)
        assert str(path) in _one_line(raised.value)
    with pytest.raises(clf.ModelFileError, match="no model file"):
        clf.load(tmp_path / "missing.skops")


class _Booby:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.touch, (self.marker,))


def test_a_pickle_is_refused_and_never_unpickled(tmp_path):
    marker = tmp_path / "unpickled"
    evil = tmp_path / "model.skops"
    evil.write_bytes(pickle.dumps(_Booby(marker)))
    with pytest.raises(clf.ModelFileError, match="not a skops model file"):
        clf.load(evil)
    assert not marker.exists()


def test_foreign_skops_files_are_refused(tmp_path):
    plain = tmp_path / "plain.skops"
    sio.dump(LogisticRegression(), plain)
    with pytest.raises(clf.ModelFileError, match="not a komo topic classifier"):
        clf.load(plain)
    untrusted = tmp_path / "untrusted.skops"
    sio.dump({"format": clf.FORMAT, "payload": CharNgrams((3, 5), 1, 1.0, None)}, untrusted)
    with pytest.raises(clf.ModelFileError, match="does not trust"):
        clf.load(untrusted)


def test_edited_parameters_fail_the_hash_check(shipped, tmp_path):
    model = dict(shipped.model)
    params = dict(model["params"])
    heads = {k: dict(v) for k, v in params["heads"].items()}
    heads["integration"]["threshold"] = heads["integration"]["threshold"] + 0.1
    model["params"] = {**params, "heads": heads}
    edited = tmp_path / "edited.skops"
    sio.dump(model, edited)
    with pytest.raises(clf.ModelFileError, match="do not match the recorded hash"):
        clf.load(edited)


# -- features and baselines -------------------------------------------------------------------

def test_char_ngrams_equal_scikit_learn_char_wb(corpus):
    tokens = [fold_words(e.document.text) for e in corpus.test]
    ours = CharNgrams((3, 5), 2, 0.9, None)
    reference = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5), min_df=2, max_df=0.9,
                                sublinear_tf=True, lowercase=False)
    fitted = ours.fit_transform(tokens[:40])
    expected = reference.fit_transform([" ".join(t) for t in tokens[:40]])
    assert ours.grams == list(reference.get_feature_names_out())
    assert abs(fitted - expected).max() < 1e-6
    assert abs(ours.transform(tokens[40:]) - reference.transform([" ".join(t) for t in tokens[40:]])).max() < 1e-6


def test_keyword_rules_need_more_than_a_passing_mention(taxonomy):
    rules = KeywordRules(taxonomy)
    about = Document("Sprachkurse für Geflüchtete. Die Integrationskurse beginnen im Mai. "
                     "Geflüchtete Frauen lernen Deutsch im Sprachcafé.")
    passing = Document("Die Feuerwehr löschte einen Brand an der Hauptstraße. "
                       "Unter den Bewohnern war auch eine geflüchtete Familie.")
    assert rules.decide(about)[0] and "sprache" in rules.decide(about)[1]
    assert not rules.decide(passing)[0]


def test_mention_counts_from_the_pipeline_replace_our_own(shipped):
    text = "Sprachkurse für Geflüchtete: die Integrationskurse beginnen."
    own = shipped.features.matcher.counts(text)
    same = shipped.predict([Document(text, mentions=own)]).scores["integration"]
    assert np.allclose(same, shipped.predict([Document(text)]).scores["integration"])
    none = {name: 0 for name in own}
    assert not np.allclose(shipped.predict([Document(text, mentions=none)]).scores["integration"], same)


def test_bench_documents_are_deterministic(taxonomy):
    first = [(e.document.text, e.topic, e.action_fields) for e in synthetic_documents(5, 120, 3, taxonomy)]
    assert first == [(e.document.text, e.topic, e.action_fields) for e in synthetic_documents(5, 120, 3, taxonomy)]
    assert all(len(text.split()) >= 120 for text, _, _ in first)


# -- the commands -----------------------------------------------------------------------------

ARTICLES = [
    ("9001", "Neue Sprachkurse für Geflüchtete",
     "Die Volkshochschule bietet ab Mai neue Integrationskurse für geflüchtete Frauen an. "
     "Eine Kinderbetreuung gibt es während der Deutschkurse. Das Kommunale Integrationszentrum berät."),
    ("9002", "Vollsperrung der Hauptstraße",
     "Wegen Kanalarbeiten ist die Hauptstraße ab Montag gesperrt. Die Umleitung ist ausgeschildert, "
     "die Buslinie 201 fährt eine geänderte Route."),
    ("9003", None, "Das Freibad öffnet am Samstag. Schwimmkurse für Kinder können gebucht werden."),
]


def tiny_store(home: Path) -> Path:
    home.mkdir(parents=True, exist_ok=True)
    staging = home / "staging-test"
    staging.mkdir()
    now = datetime(2024, 5, 1, 12, 0).isoformat()
    with open(staging / "items.jsonl", "w", encoding="utf-8") as out:
        for native_id, title, body in ARTICLES:
            out.write(json.dumps({
                "source": "test-source", "native_id": native_id, "canonical_url": f"http://x/{native_id}",
                "url_forms": [f"http://x/{native_id}"], "title": title, "published": "2024-05-01",
                "sender": "Stadtverwaltung", "category": None, "body": body, "archive_year": 2024,
                "footer_addresses": [], "visitor_count": None, "content_hash": f"h{native_id}",
                "raw_ref": None, "fetched_at": now}, ensure_ascii=False) + "\n")
    with Store.open(home / "komo.duckdb") as store:
        run_id = store.start_run("test", "test-source")
        store.load_staging(staging, run_id)
        store.finish_run(run_id, "ok", {})
    shutil.rmtree(staging)
    return home


def test_classify_writes_topic_rows_with_the_model_hash_and_is_idempotent(tmp_path, shipped):
    home = tiny_store(tmp_path / "home")
    first = run_komo("classify", home=home)
    assert first.returncode == 0, first.stderr
    assert "3 documents classified" in first.stdout and shipped.content_hash[:12] in first.stdout
    labels = 1 + len(shipped.labels["action_field"]) + len(shipped.labels["topic"])
    rows = query(home / "published" / "komo.duckdb",
                 "SELECT count(*), count(DISTINCT model_hash), any_value(model_hash), count(DISTINCT run_id) "
                 "FROM topics")[0]
    assert rows == (3 * labels, 1, shipped.content_hash, 1)
    verdict = dict(query(home / "published" / "komo.duckdb",
                         "SELECT native_id, integration FROM document_topics"))
    assert verdict == {"9001": True, "9002": False, "9003": False}
    topic = query(home / "published" / "komo.duckdb",
                  "SELECT topic FROM document_topics WHERE native_id = '9002'")[0][0]
    assert topic == "verkehr"
    again = run_komo("classify", home=home)
    assert again.returncode == 0, again.stderr
    assert query(home / "komo.duckdb", "SELECT count(*), count(DISTINCT run_id) FROM topics")[0] == (3 * labels, 1)
    runs = query(home / "komo.duckdb", "SELECT count(*) FROM runs WHERE command = 'classify' AND status = 'ok'")
    assert runs[0][0] == 2


def test_explain_lists_the_terms_behind_each_label(tmp_path):
    home = tiny_store(tmp_path / "home")
    result = run_komo("explain", "9001", "--top", "4", "--db", str(home / "komo.duckdb"))
    assert result.returncode == 0, result.stderr
    assert "integration: integration = yes" in result.stdout
    assert "action_field: sprache = yes" in result.stdout
    assert any(word in result.stdout for word in ("Integrationskurse", "Deutschkurse", "Geflüchtete"))
    missing = run_komo("explain", "4711", "--db", str(home / "komo.duckdb"))
    assert missing.returncode == 2 and missing.stderr.strip() == "komo: error: no document '4711'"


def test_a_bad_model_file_gives_one_line_and_no_traceback(tmp_path):
    home = tiny_store(tmp_path / "home")
    bad = tmp_path / "model.skops"
    bad.write_bytes(b"not a model at all")
    result = run_komo("classify", "--model", str(bad), home=home)
    assert result.returncode == 2
    assert result.stderr.startswith("komo: error:") and len(result.stderr.strip().splitlines()) == 1
    assert "not a skops model file" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["train"], ["evaluate", "classifier"], ["classify"], ["explain"]])
def test_classifier_commands_have_help_with_examples(command):
    result = run_komo(*command, "--help")
    assert result.returncode == 0
    assert "Examples:" in result.stdout and f"komo {' '.join(command)}" in result.stdout


def test_train_writes_a_loadable_model(tmp_path):
    result = run_komo("train", "--output", str(tmp_path), "--seed", "11")
    assert result.returncode == 0, result.stderr
    assert "trained topic-classifier" in result.stdout and "seed 11" in result.stdout
    assert clf.load(tmp_path / "model.skops").meta["seed"] == 11
