"""spaCy's lookup lemmatizer, one array pass per doc instead of one Token object per word
(`komo_lemmatizer`).

spaCy's `Lemmatizer.__call__` makes a Token for every word and looks its text up in the table
(0.6-0.9 ms of a ~300-word release, more than all of spaCy's tokenizer). This one reads the word
forms as an array, looks each distinct form up once per process and writes the lemmas back with
one `Doc.from_array`: the same table, the same rule (`table.get(text, text)`, only where a token
has no lemma yet unless `overwrite`), so the same lemmas. `gates = false` runs spaCy's own loop,
the reference tests/test_extraction_gates.py compares against.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy
from spacy.attrs import LEMMA, ORTH
from spacy.language import Language
from spacy.pipeline.lemmatizer import Lemmatizer, lemmatizer_score
from spacy.strings import StringStore
from spacy.tokens import Doc
from spacy.vocab import Vocab
from thinc.api import Model

_MAX_FORMS = 500_000  # word forms remembered; past that the memo starts afresh


class ArrayLemmatizer(Lemmatizer):
    def __init__(self, vocab: Vocab, model: Model | None, name: str = "lemmatizer", *, mode: str = "lookup",
                 overwrite: bool = False, scorer: Callable | None = lemmatizer_score, gates: bool = True):
        super().__init__(vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer)
        # Only the lookup mode reads nothing but the word form; the rule mode needs POS tags.
        self.gates = gates and mode == "lookup"
        self._lemma_of: dict[int, int] = {}  # word form hash → lemma hash (added to the strings)

    def __call__(self, doc: Doc) -> Doc:
        if not self.gates or not len(doc):
            return super().__call__(doc)
        if not self._validated:
            self._validate_tables()
        columns = doc.to_array([ORTH, LEMMA])
        todo = numpy.arange(len(doc)) if self.overwrite else numpy.flatnonzero(columns[:, 1] == 0)
        if not len(todo):
            return doc
        lemma_of, strings = self._lemma_of, doc.vocab.strings
        if len(lemma_of) > _MAX_FORMS:
            lemma_of.clear()
        orths = columns[todo, 0].tolist()
        found = list(map(lemma_of.get, orths))  # no Python step per known form
        if None in found:
            for k, orth in enumerate(orths):
                if found[k] is None:
                    found[k] = lemma_of.get(orth) or self._lemma_hash(orth, strings)
        lemmas = columns[:, 1]
        lemmas[todo] = found
        doc.from_array([LEMMA], lemmas)
        return doc

    def _lemma_hash(self, orth: int, strings: StringStore) -> int:
        """The lemma of a form as Lemmatizer.lookup_lemmatize gives it, remembered; its string is
        added to the strings as `token.lemma_ = …` adds it."""
        text = strings[orth]
        found = self.lookups.get_table("lemma_lookup", {}).get(text, text)
        lemma = self._lemma_of[orth] = strings.add(found if isinstance(found, str) else found[0])
        return lemma


@Language.factory("komo_lemmatizer", assigns=["token.lemma"],
                  default_config={"model": None, "mode": "lookup", "overwrite": False,
                                  "scorer": {"@scorers": "spacy.lemmatizer_scorer.v1"}, "gates": True},
                  default_score_weights={"lemma_acc": 1.0})
def make_array_lemmatizer(nlp: Language, model: Model | None, name: str, mode: str, overwrite: bool,
                          scorer: Callable | None, gates: bool) -> ArrayLemmatizer:
    return ArrayLemmatizer(nlp.vocab, model, name, mode=mode, overwrite=overwrite, scorer=scorer, gates=gates)
