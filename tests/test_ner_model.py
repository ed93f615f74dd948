"""The shipped German NER model (models/ner-de): finds persons in press-release sentences and
keeps a PER F1 floor on a slice of GermEval 2014 dev (held out from training)."""

from __future__ import annotations

from pathlib import Path

import pytest

spacy = pytest.importorskip("spacy")

REPO = Path(__file__).resolve().parent.parent
MODEL = REPO / "models" / "ner-de"

# Measured PER F1 on the full GermEval dev set is in models/ner-de/README.md; on this slice the
# model scores well above the floor. The floor only catches a broken or badly retrained model.
# Measured: 0.61 on all of GermEval dev, 0.59 on this slice.
PER_F1_FLOOR = 0.45
SLICE = 600  # first 600 of the 2,200 GermEval dev sentences (~11k tokens, ~200 PER)

PRESS_SENTENCES = [
    ("Oberbürgermeister Jan Kessler eröffnete am Montag die neue Kindertagesstätte "
     "an der Hauptstraße.", "Jan Kessler"),
    ("„Wir freuen uns über die große Resonanz“, sagte Petra Albers vom Kommunalen "
     "Integrationszentrum.", "Petra Albers"),
    ("Die Bezirksvertretung hat auf Antrag von Stadtrat Thomas Brandt beschlossen, den "
     "Spielplatz im Stadtpark zu sanieren.", "Thomas Brandt"),
]


@pytest.fixture(scope="module")
def nlp():
    if not (MODEL / "meta.json").is_file():
        pytest.skip(f"NER model not found at {MODEL} (train it: "
                    "python -m kommunalmonitor.models.ner.train_ner --out models/ner-de)")
    return spacy.load(MODEL)


@pytest.mark.parametrize(("text", "person"), PRESS_SENTENCES, ids=["kessler", "albers", "brandt"])
def test_finds_person_in_press_release_sentence(nlp, text: str, person: str) -> None:
    """A PER entity overlaps the person's name (the span may be cut short, see the next test)."""
    doc = nlp(text)
    start = text.index(person)
    end = start + len(person)
    hits = [e for e in doc.ents if e.label_ == "PER" and e.start_char < end and e.end_char > start]
    assert hits, f"no PER on {person!r}; ents={[(e.text, e.label_) for e in doc.ents]}"


EXACT_SPAN_CASES = [
    PRESS_SENTENCES[0],
    # Known weakness (model card): here the model tags only "Petra"; "Petra Albers begrüßte …"
    # is tagged in full. Kept visible as a non-strict xfail rather than swapped for an easier name.
    pytest.param(*PRESS_SENTENCES[1], marks=pytest.mark.xfail(
        reason="ner-de 0.1.0 cuts 'Petra Albers vom …' to 'Petra'", strict=False)),
    PRESS_SENTENCES[2],
]


@pytest.mark.parametrize(("text", "person"), EXACT_SPAN_CASES, ids=["kessler", "albers", "brandt"])
def test_person_span_is_the_full_name(nlp, text: str, person: str) -> None:
    doc = nlp(text)
    persons = [e.text for e in doc.ents if e.label_ == "PER"]
    assert person in persons, f"PER {person!r} not found; ents={[(e.text, e.label_) for e in doc.ents]}"


def test_labels_are_per_loc_org(nlp) -> None:
    assert set(nlp.get_pipe("ner").labels) == {"PER", "LOC", "ORG"}


def test_per_f1_on_germeval_dev_slice(nlp) -> None:
    from kommunalmonitor.models.ner import corpora, evaluate_ner

    path = corpora.germeval_path("dev")
    if not path.is_file():
        pytest.skip(f"GermEval 2014 dev not found at {path} (shared/datasets absent)")
    sents = evaluate_ner.load_eval_sentences("germeval-dev")[:SLICE]
    scores = evaluate_ner.score(nlp, sents)
    per_f1 = scores["per_type"]["PER"]["f"]
    assert per_f1 >= PER_F1_FLOOR, f"PER F1 {per_f1:.3f} below floor {PER_F1_FLOOR}"
