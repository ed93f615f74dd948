"""A doc's text and its tokens' texts, built once per doc for all components.

spaCy rebuilds `doc.text` from its tokens on every access, and every `doc[i]` / `for t in doc`
makes a Token object: the components read both through here instead, from a small cache of the
last docs (the references it holds keep their ids from being reused). `WordClass` finds the
tokens whose word form has a property without a call per token."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from itertools import compress

from spacy.attrs import IDX, LENGTH
from spacy.tokens import Doc

_RECENT = 256  # more than the docs of one nlp.pipe batch in flight
_cache: OrderedDict[int, tuple[Doc, int, str, list[str] | None]] = OrderedDict()


def remember_text(doc: Doc, text: str) -> None:
    """Note the text a doc was tokenised from (spaCy's tokenizer keeps every character, so it
    is `doc.text`), sparing the first rebuild."""
    _store((doc, len(doc), text, None))


def doc_text(doc: Doc) -> str:
    """`doc.text`, computed once per doc."""
    return _entry(doc)[2]


def token_texts(doc: Doc) -> list[str]:
    """`[t.text for t in doc]`, computed once per doc, sliced from the text without Token objects."""
    entry = _entry(doc)
    if entry[3] is None:
        text = entry[2]
        spans = doc.to_array([IDX, LENGTH]).tolist() if len(doc) else []
        entry = (doc, entry[1], text, [text[start:start + length] for start, length in spans])
        _cache[id(doc)] = entry
    return entry[3]


def _entry(doc: Doc) -> tuple[Doc, int, str, list[str] | None]:
    entry = _cache.get(id(doc))
    if entry is None or entry[0] is not doc or entry[1] != len(doc):
        entry = (doc, len(doc), doc.text, None)
        _store(entry)
    return entry


def _store(entry: tuple[Doc, int, str, list[str] | None]) -> None:
    _cache[id(entry[0])] = entry
    while len(_cache) > _RECENT:
        _cache.popitem(last=False)


def occurrences(text: str, word: str) -> list[int]:
    """Every place `word` starts in `text`, overlapping ones included (str.find, no pattern)."""
    found, position = [], text.find(word)
    while position >= 0:
        found.append(position)
        position = text.find(word, position + 1)
    return found


def token_forms(doc: Doc) -> frozenset[str]:
    """The distinct word forms of a doc's tokens, computed once per doc for all components."""
    found = _forms.get(id(doc))
    if found is None or found[0] is not doc or found[1] != len(doc):
        found = (doc, len(doc), frozenset(token_texts(doc)))
        _forms[id(doc)] = found
        while len(_forms) > _RECENT:
            _forms.popitem(last=False)
    return found[2]


_forms: OrderedDict[int, tuple[Doc, int, frozenset[str]]] = OrderedDict()


class WordClass:
    """A yes/no property of a word form (`test`), decided once per form per process. `indexes`
    gives the tokens of a doc that have it: only the forms the process has not seen yet are
    tested, and the tokens are picked by set lookups, not by a Python call per token."""

    def __init__(self, test: Callable[[str], bool], limit: int = 200_000):
        self.test, self.limit = test, limit
        self.yes: set[str] = set()
        self.known: set[str] = set()

    def indexes(self, doc: Doc) -> list[int]:
        forms = token_forms(doc)
        new = forms.difference(self.known)
        if new:
            if len(self.known) + len(new) > self.limit:  # start afresh rather than grow without end
                self.yes.clear()
                self.known.clear()
                new = set(forms)
            test = self.test
            self.yes.update(form for form in new if test(form))
            self.known.update(new)
        found = self.yes.intersection(forms)
        if not found:
            return []
        texts = token_texts(doc)
        return list(compress(range(len(texts)), map(found.__contains__, texts)))  # no Python step per token
