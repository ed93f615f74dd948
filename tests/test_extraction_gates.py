"""The fast extraction pipeline (every component's cheap gates on) finds exactly what the
reference pipeline (gates off, `load_pipeline(gates=False)`) finds: every mention of every
document of every extraction gold set, and of generated press releases, compared field by field."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from spacy.language import Language

from benchmarks.bench_extract import synthetic_corpus
from kommunalmonitor.pipeline.evaluate import gold_sets, load_gold
from kommunalmonitor.pipeline.extraction import mention_rows
from kommunalmonitor.pipeline.filemode import batch_furniture, count_furniture, read_page
from kommunalmonitor.pipeline.nlp.loader import load_pipeline
from kommunalmonitor.pipeline.nlp.records import make_doc

GOLD = Path(__file__).parent / "gold"


@pytest.fixture(scope="module")
def pipelines() -> tuple[Language, Language]:
    return load_pipeline(gates=True), load_pipeline(gates=False)


def _pages(name: str) -> list[tuple[str, str, str | None, str | None]]:
    """(key, body, published, title) of a gold set's documents, as `komo extract --input` reads them."""
    records = load_gold(gold_sets(GOLD)[name])
    furniture = batch_furniture(count_furniture(records))
    pages = [read_page(record, None, furniture) for record in records]
    return [(page.key, page.body, page.published, page.title) for page in pages if not page.error]


def _everything(nlp: Language, pages: list[tuple[str, str, str | None, str | None]]) -> list[dict[str, Any]]:
    docs = nlp.pipe((make_doc(nlp, body, published, title) for _, body, published, title in pages), batch_size=16)
    return [{"key": key, "mentions": list(mention_rows(doc, "gold", key, "v")),
             "integration": bool(doc._.integration), "action_fields": list(doc._.action_fields)}
            for (key, *_), doc in zip(pages, docs, strict=True)]


def _compare(fast: list[dict[str, Any]], reference: list[dict[str, Any]]) -> None:
    assert len(fast) == len(reference)
    for got, want in zip(fast, reference, strict=True):
        assert got["key"] == want["key"]
        assert got["integration"] == want["integration"], got["key"]
        assert got["action_fields"] == want["action_fields"], got["key"]
        assert len(got["mentions"]) == len(want["mentions"]), (got["key"], got["mentions"], want["mentions"])
        for mention, expected in zip(got["mentions"], want["mentions"], strict=True):
            assert mention == expected, got["key"]


def test_the_reference_has_its_gates_off(pipelines: tuple[Language, Language]) -> None:
    fast, reference = pipelines
    gated = [name for name, component in fast.pipeline if hasattr(component, "gates")]
    assert {"komo_bodies", "komo_persons", "komo_dates"} <= set(gated)
    assert all(fast.get_pipe(name).gates for name in gated)
    assert not any(reference.get_pipe(name).gates for name in gated)
    # The NER multiplies with numpy's BLAS in the fast pipeline, with thinc's BLIS in the reference,
    # so the comparisons below cover the switch of matrix library too.
    blis = {name: {node.ops.use_blis for _, component in nlp.get_pipe("komo_persons")._load_ner().pipeline
                   for node in component.model.walk()} for name, nlp in (("fast", fast), ("reference", reference))}
    assert blis == {"fast": {False}, "reference": {True}}


@pytest.mark.parametrize("name", sorted(gold_sets(GOLD)))
def test_gates_change_no_mention_on_the_gold_sets(pipelines: tuple[Language, Language], name: str) -> None:
    pages = _pages(name)
    assert len(pages) >= 20
    fast, reference = pipelines
    found = _everything(fast, pages)
    kinds = {mention["kind"] for item in found for mention in item["mentions"]}
    assert {"date", "body", "person", "address"} <= kinds
    assert sum(len(item["mentions"]) for item in found) > 5 * len(pages)
    _compare(found, _everything(reference, pages))


def test_gates_change_no_mention_on_generated_press_releases(pipelines: tuple[Language, Language]) -> None:
    pages = [(item.key, item.body, item.published, None) for item in synthetic_corpus(150)]
    fast, reference = pipelines
    _compare(_everything(fast, pages), _everything(reference, pages))


# Words the date patterns are made of, and what stands around dates, to put together at random.
_DATE_WORDS = ("am", "Am", "vom", "von", "bis", "bis zum", "zwischen", "zwischen dem", "und", "–", "-", "den",
               "Montag,", "Dienstag", "Mo.,", "Anfang", "Mitte", "Ende", "im Jahr", "in den Jahren", "seit",
               "geboren", "Mai", "März", "Sept.", "Jan.", "Dezember", "1.", "15.", "31.", "3.", "12.", "1.3.",
               "15.03.", "05.03.2020", "16.09.2019", "31.12.17", "2019", "2020", "2017/18", "1887", "1921",
               "2017–2019", "12", "450", "Euro", "%", "€", "rund", "Nr.", "Tel.", "Rat", "Stadt", "Schule",
               ",", ".", "(", ")", "\n\n", "   ")


def test_date_stretches_find_what_the_whole_text_has() -> None:
    """find_dates over the stretches around digits (gates on) equals the scan of the whole text,
    on random runs of date words, numbers and filler with long gaps of words and whitespace."""
    import random
    from datetime import date

    from kommunalmonitor.pipeline.nlp.dates import find_dates

    # The longest reaches before the first digit and after the last one, with wide gaps.
    for text in ("Sie tagte zwischen   April und\nJuni 2022 zweimal.", "gebaut in den Jahren 1890 bis 1895",
                 "Am Montag,  den\n\n1. Mai 2020 um 18 Uhr", "vom 1. bis 5.   März", "von Mai bis August 2019",
                 "am 16. 9. 2019", "geboren 1921", "von 2017 bis 2019"):
        assert find_dates(text, None, gates=True) == find_dates(text, None, gates=False) != [], text
    rng = random.Random(17)
    filler = ["Wort", "Bürger", "sagte", "Verwaltung", "heute", "Straße"]
    checked = 0
    for _ in range(3000):
        words = [rng.choice(_DATE_WORDS) if rng.random() < 0.7 else rng.choice(filler)
                 for _ in range(rng.randint(1, 40))]
        text = "".join(word + rng.choice((" ", " ", "  ", "\n", "\t ", "")) for word in words)
        published = date(2020, 3, 1) if rng.random() < 0.5 else None
        want = find_dates(text, published, gates=False)
        assert find_dates(text, published, gates=True) == want, text
        checked += bool(want)
    assert checked > 1000


def test_array_lemmatizer_gives_spacys_lemmas(pipelines: tuple[Language, Language]) -> None:
    """komo_lemmatizer (gates on: word forms read as an array, looked up once) sets the lemma
    spaCy's own lookup loop (gates off) sets, on every token of every gold page and generated
    release, including forms it meets for the first time and forms already remembered."""
    fast, reference = pipelines
    assert fast.get_pipe("lemmatizer").gates and not reference.get_pipe("lemmatizer").gates
    bodies = [body for name in sorted(gold_sets(GOLD)) for _, body, _, _ in _pages(name)]
    bodies += [item.body for item in synthetic_corpus(60)] + ["", "\n\n", "Die Häuser."]
    lemmatised = 0
    for body in bodies * 2:  # the second round reads every form from the memo
        docs = [nlp.make_doc(body) for nlp in (fast, reference)]
        for nlp, doc in zip((fast, reference), docs, strict=True):
            for name in ("sentencizer", "komo_sentence_fix", "lemmatizer"):
                nlp.get_pipe(name)(doc)
        got, want = ([t.lemma_ for t in doc] for doc in docs)
        assert got == want, body[:80]
        lemmatised += sum(t.lemma_ != t.text for t in docs[0])
    assert lemmatised > 1000  # the table was read, not just every form kept as it is


# Street words, what stands before and after streets, and characters lower-casing treats apart.
_STREET_WORDS = ("Sandstraße", "Sandstr.", "Str.", "Straße", "STRASSE", "Alte", "Alten", "St.", "Kölner", "Bergische",
                 "Gahlenschen", "Marktplatz", "Am", "Im", "An der", "Auf dem", "Die", "Der", "Ecke", "Höhe", "in der",
                 "Wegener", "wegen", "unterwegs", "Ring", "Friedrich-Ebert-Platz", "Hauptstraße/Ringstraße", "Nr.",
                 "12", "4a", "3-5", "zwischen", "und", "bis", "Yıldızstraße", "ſtraße", "İnönüstraße", "Kelvinweg",
                 "(Sandstraße", "Schulweg,", "Allee.", "ẞtraße", "Weg-", "'s", "’", ",", ".", "\n", "\n\n")


def test_address_stretches_find_what_the_whole_text_has() -> None:
    """AddressFinder with gates (the suffix pattern only around street words) equals the scan of
    the whole text, on random runs of street words, numbers, fillers and odd whitespace, with
    characters whose lower-casing differs from the pattern's case-insensitive reading."""
    import random

    from kommunalmonitor.pipeline.nlp.addresses import AddressFinder

    fast, reference = AddressFinder(gates=True), AddressFinder(gates=False)
    assert fast.gates and not reference.gates
    rng = random.Random(23)
    filler = ["Wort", "Bürger", "sagte", "Verwaltung", "heute", "Kinder", "Wohnung"]
    checked = 0
    for _ in range(3000):
        words = [rng.choice(_STREET_WORDS) if rng.random() < 0.7 else rng.choice(filler)
                 for _ in range(rng.randint(1, 40))]
        text = "".join(word + rng.choice((" ", " ", "  ", "\n", "\t ", "", "/")) for word in words)
        want = reference.find(text)
        assert fast.find(text) == want, text
        checked += bool(want)
    assert checked > 1000
