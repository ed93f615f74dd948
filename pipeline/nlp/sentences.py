"""Repairs sentence starts after abbreviations (`komo_sentence_fix`).

spaCy's blank German tokenizer splits "Sandstr." into "Sandstr" + ".", and the sentencizer then
starts a sentence at the house number. Sentences are what reports quote, so they must hold.
"""

from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from .doctext import token_texts
from .lexicon import load_lines


class SentenceFix:
    def __init__(self, nlp: Language, name: str, abbreviations: str, gates: bool = True):
        self.name = name
        # With gates, the full stops are found in the token texts, without Token objects.
        self.gates = gates
        lines = load_lines(abbreviations)
        self.exact = frozenset(line for line in lines if not line.endswith("*"))
        self.endings = tuple(line[:-1] for line in lines if line.endswith("*"))

    def __call__(self, doc: Doc) -> Doc:
        if self.gates:
            texts = token_texts(doc)
            stops = [i for i in range(1, len(texts) - 1) if texts[i] == "."]
            tokens = (doc[i] for i in stops)
        else:
            tokens = doc[1:-1]
        for token in tokens:
            if token.text != ".":
                continue
            before = doc[token.i - 1].text
            if before in self.exact or (self.endings and before.endswith(self.endings)):
                following = doc[token.i + 1]
                if following.is_sent_start:
                    following.is_sent_start = False
        return doc


@Language.factory("komo_sentence_fix", default_config={"abbreviations": "lexicons/abbreviations.txt",
                                                      "gates": True})
def make_sentence_fix(nlp: Language, name: str, abbreviations: str, gates: bool) -> SentenceFix:
    return SentenceFix(nlp, name, abbreviations, gates)
