"""Readers for the open German NER corpora in shared/datasets, mapped to PER / LOC / ORG.

Both train_ner.py and evaluate_ner.py use these readers, so training and evaluation see the
same label mapping. Nothing here copies dataset files: they are read in place and turned into
spaCy Docs in memory (train_ner.py writes DocBins to a scratch directory outside the repo).

Label mapping (documented in models/ner-de/README.md as well):

GermEval 2014 (outer level, column 3 only; the embedded level in column 4 is ignored)
    PER, LOC, ORG            -> PER, LOC, ORG
    OTH                      -> O   (titles, events, products, languages: not wanted here)
    *deriv (e.g. "deutschen") -> O   (adjectives derived from names are not names)
    *part  (e.g. "EU-Kommission" as B-ORGpart) -> O (the token as a whole is not a name)

MobIE (CoNLL, IOB2)
    person                                   -> PER
    organization, organization-company       -> ORG
    location, location-city, location-stop,
    location-street                          -> LOC
    location-route ("S1", "A 3", "#RE7")     -> *missing* (neither entity nor O in training:
                                                GermEval tags such routes OTH/LOC/ORG/O
                                                inconsistently, so we do not teach either way)
    everything else (date, time, duration, distance, number, trigger, event-cause,
    disaster-type, money, set, percent, org-position)  -> O

Augmentation: surname_swap() copies each GermEval training sentence that has a PER entity and
replaces the entity's last token with a random surname from the GermaNER surname list
(german-gazetteers-ler/personennamen.list, Apache-2.0). On GermEval dev this raised PER F1 by
about 2-3 points (see models/ner-de/README.md).
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from spacy.tokens import Doc, Span
from spacy.vocab import Vocab

from kommunalmonitor.core.resources import datasets_dir as shared_datasets_dir

LABELS = ("PER", "LOC", "ORG")

GERMEVAL_MAP = {"PER": "PER", "LOC": "LOC", "ORG": "ORG"}  # OTH, *deriv, *part -> O

MOBIE_MAP = {
    "person": "PER",
    "organization": "ORG",
    "organization-company": "ORG",
    "location": "LOC",
    "location-city": "LOC",
    "location-stop": "LOC",
    "location-street": "LOC",
}
MOBIE_MISSING = {"location-route"}

def datasets_dir() -> Path:
    """shared/datasets (see core.resources.datasets_dir); training cannot run without it."""
    found = shared_datasets_dir()
    if found is None:
        raise SystemExit("no shared/datasets beside the checkout: set KOMO_DATASETS to the folder")
    return found


@dataclass
class Sentence:
    words: list[str]
    tags: list[str]  # BIO over the *mapped* labels; "-" marks a token whose annotation is missing
    source: str = ""


def _bio_spans(tags: list[str]) -> list[tuple[int, int, str]]:
    """(start, end, label) spans from BIO tags; an I- that does not continue an entity opens one."""
    spans: list[tuple[int, int, str]] = []
    start, label = None, None
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, lab = tag.partition("-")
        continues = prefix == "I" and label == lab
        if start is not None and not continues:
            spans.append((start, i, label))
            start, label = None, None
        if prefix in ("B", "I") and not continues:
            start, label = i, lab
    return spans


def _map_bio(raw: list[str], mapping: dict[str, str], missing: set[str] = frozenset()) -> list[str]:
    """Map raw BIO tags to BIO over PER/LOC/ORG; unmapped types become O, `missing` ones '-'."""
    out = ["O"] * len(raw)
    for start, end, lab in _bio_spans(raw):
        if lab in mapping:
            out[start] = "B-" + mapping[lab]
            for i in range(start + 1, end):
                out[i] = "I-" + mapping[lab]
        elif lab in missing:
            for i in range(start, end):
                out[i] = "-"
    return out


def read_germeval(path: Path) -> Iterator[Sentence]:
    """GermEval 2014 TSV: '#\\tURL\\t[date]' header, then 'idx\\ttoken\\touter\\tembedded' lines."""
    words: list[str] = []
    raw: list[str] = []
    source = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("#\t"):
                source = line.split("\t")[1] if "\t" in line else ""
                continue
            if not line.strip():
                if words:
                    yield Sentence(words, _map_bio(raw, GERMEVAL_MAP), source)
                words, raw = [], []
                continue
            cols = line.split("\t")
            words.append(cols[1])
            raw.append(cols[2])
    if words:
        yield Sentence(words, _map_bio(raw, GERMEVAL_MAP), source)


def read_mobie(path: Path) -> Iterator[Sentence]:
    """MobIE CoNLL-2003 style: 'token POS chunk NER' (IOB2), -DOCSTART- lines, blank = sentence end."""
    words: list[str] = []
    raw: list[str] = []
    doc_id = ""
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                doc_id = line.split(" ")[1].strip("-") if " " in line else ""
                continue
            if not line.strip():
                if words:
                    yield Sentence(words, _map_bio(raw, MOBIE_MAP, MOBIE_MISSING), doc_id)
                words, raw = [], []
                continue
            cols = line.split("\t")
            words.append(cols[0])
            raw.append(cols[-1])
    if words:
        yield Sentence(words, _map_bio(raw, MOBIE_MAP, MOBIE_MISSING), doc_id)


def to_doc(vocab: Vocab, sent: Sentence) -> Doc:
    """A gold Doc: entities set, O tokens 'outside', '-' tokens left missing (ent_iob 0)."""
    doc = Doc(vocab, words=sent.words, spaces=[True] * (len(sent.words) - 1) + [False])
    ents = [Span(doc, s, e, label=lab) for s, e, lab in _bio_spans([t if t != "-" else "O"
                                                                    for t in sent.tags])]
    missing = [Span(doc, i, i + 1) for i, t in enumerate(sent.tags) if t == "-"]
    outside = [Span(doc, i, i + 1) for i, t in enumerate(sent.tags) if t == "O"]
    doc.set_ents(ents, missing=missing, outside=outside, default="unmodified")
    return doc


def to_docs(vocab: Vocab, sents: Iterable[Sentence]) -> list[Doc]:
    return [to_doc(vocab, s) for s in sents]


# The fixed splits. Evaluation sets (GermEval dev, MobIE test) are never used for training or
# for checkpoint selection. The last TUNE_SENTS sentences of GermEval test are the "tune" set that
# spaCy scores during training to pick model-best (GermEval-only, because news/Wikipedia prose is
# closer to press releases than MobIE's tweets; MobIE dev therefore goes into training).
TUNE_SENTS = 500


def germeval_path(split: str) -> Path:
    return datasets_dir() / "germeval2014-ner" / f"NER-de-{split}.tsv"


def mobie_path(split: str) -> Path:
    return datasets_dir() / "mobie-ner" / f"{split}.conll2003"


def surnames_path() -> Path:
    return datasets_dir() / "german-gazetteers-ler" / "personennamen.list"


def surname_swap(sents: Iterable[Sentence], surnames: Sequence[str], seed: int = 0) -> list[Sentence]:
    """Augmentation: a copy of every sentence with a PER entity, the entity's last token (if it is a
    capitalised alphabetic word) replaced by a random surname. Teaches the model that unseen
    surnames in name position are names, instead of memorising the few hundred in the corpus."""
    rng = random.Random(seed)
    out = []
    for s in sents:
        if "B-PER" not in s.tags:
            continue
        words = list(s.words)
        for _start, end, lab in _bio_spans([t if t != "-" else "O" for t in s.tags]):
            if lab == "PER" and words[end - 1][:1].isupper() and words[end - 1].isalpha():
                words[end - 1] = rng.choice(surnames)
        out.append(Sentence(words, list(s.tags), s.source + "#surname-swap"))
    return out


def read_surnames(path: Path | None = None) -> list[str]:
    with open(path or surnames_path(), encoding="utf-8") as fh:
        return [w for w in (line.strip() for line in fh) if w and " " not in w]


def splits(augment: bool = True) -> dict[str, list[Sentence]]:
    """train / tune / germeval-dev / mobie-test as lists of Sentences.

    train = GermEval test[:-500] (+ its surname-swapped copies) + MobIE train + MobIE dev
    tune  = GermEval test[-500:]
    """
    ge_test = list(read_germeval(germeval_path("test")))
    ge_train = ge_test[:-TUNE_SENTS]
    extra = surname_swap(ge_train, read_surnames()) if augment else []
    return {
        "train": ge_train + extra + list(read_mobie(mobie_path("train"))) + list(read_mobie(mobie_path("dev"))),
        "tune": ge_test[-TUNE_SENTS:],
        "germeval-dev": list(read_germeval(germeval_path("dev"))),
        "mobie-test": list(read_mobie(mobie_path("test"))),
    }
