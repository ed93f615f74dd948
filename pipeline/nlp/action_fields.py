"""Mentions of the integration concept's action fields, and whether a text is about
migration / integration at all (`komo_action_fields`). Terms come from the taxonomy file; the
decision is core/integration_rule.py's. The page's headline (`doc._.title`, not part of the
body) is read as one more sentence: "is the page about integration" is a question about the
page, and a short notice often names its subject only in the headline."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy
from spacy.attrs import IS_ALPHA, LEMMA, LENGTH, LOWER, SENT_START
from spacy.language import Language
from spacy.tokens import Doc, Span

from kommunalmonitor.core.integration_rule import IntegrationRule

from .doctext import doc_text
from .lexicon import load_toml

if not Doc.has_extension("integration"):
    Doc.set_extension("integration", default=False)
    Doc.set_extension("action_fields", default=[])
if not Doc.has_extension("title"):
    Doc.set_extension("title", default=None)


@dataclass(frozen=True)
class TermSet:
    """One lexicon's terms: whole words, word prefixes (`term*`), phrases, compound heads (a
    word ending in one: `heads`, since German puts a compound's kind last: Grundschule,
    Nachbarschaftsfest) and exceptions (`not`: words or prefixes that never count, such as the
    Berufsschule of `beruf*`)."""

    words: frozenset[str]
    prefixes: tuple[str, ...]
    phrases: tuple[str, ...]
    heads: tuple[str, ...] = ()
    excluded: TermSet | None = None

    @classmethod
    def from_terms(cls, terms: list[str], heads: list[str] = (), excluded: list[str] = ()) -> TermSet:
        words, prefixes, phrases = set(), [], []
        for term in terms:
            term = term.lower()
            if " " in term:
                phrases.append(term.rstrip("*"))
            elif term.endswith("*"):
                prefixes.append(term[:-1])
            else:
                words.add(term)
        return cls(frozenset(words), tuple(prefixes), tuple(phrases), tuple(h.lower() for h in heads),
                   cls.from_terms(list(excluded)) if excluded else None)

    def matches(self, lower: str, lemma: str) -> bool:
        if self.excluded is not None and self.excluded.matches(lower, lemma):
            return False
        if lower in self.words or lemma in self.words:
            return True
        if self.heads and (lower.endswith(self.heads) or lemma.endswith(self.heads)):
            return True
        return bool(self.prefixes) and (lower.startswith(self.prefixes) or lemma.startswith(self.prefixes))


class ActionFieldRecognizer:
    def __init__(self, nlp: Language, name: str, taxonomy: str, gates: bool = True):
        data = load_toml(taxonomy)
        self.name = name
        # Word forms read from the doc's arrays (no Token objects), labels cached per form hash.
        self.gates = gates
        self._hash_labels: dict[tuple[int, int], tuple[bool, bool, tuple[str, ...]]] = {}
        section = data["integration"]
        self.integration_strong = TermSet.from_terms(section.get("strong_terms", []), section.get("strong_heads", []),
                                                     section.get("not", []))
        self.integration = TermSet.from_terms(section.get("terms", []), section.get("heads", []),
                                              section.get("not", []))
        self.rule = IntegrationRule.from_settings(data)
        self.fields = {f["id"]: TermSet.from_terms(f["terms"], f.get("heads", []), f.get("not", []))
                       for f in data["field"]}
        self.tokenizer = nlp.tokenizer
        self._labels_cache: dict[tuple[str, str], tuple[bool, bool, tuple[str, ...]]] = {}

    def word_labels(self, lower: str, lemma: str) -> tuple[bool, bool, tuple[str, ...]]:
        """(strong integration term, weak integration term, fields) of one word form; cached
        because a corpus repeats its word forms endlessly."""
        key = (lower, lemma)
        found = self._labels_cache.get(key)
        if found is None:
            strong = self.integration_strong.matches(lower, lemma)
            weak = not strong and self.integration.matches(lower, lemma)
            fields = tuple(f for f, terms in self.fields.items() if terms.matches(lower, lemma))
            found = (strong, weak, fields)
            if len(self._labels_cache) < 200_000:
                self._labels_cache[key] = found
        return found

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        strong_sentences: set[int] = set()
        integration_sentences: set[int] = set()
        field_sentences: dict[str, set[int]] = {f: set() for f in self.fields}
        sentence_of = _sentence_index(doc) if not self.gates else _sentence_index_fast(doc)
        for i, strong, weak, fields in (self._labelled(doc) if not self.gates else self._labelled_fast(doc)):
            sentence = sentence_of[i]
            if strong or weak:
                integration_sentences.add(sentence)
                if strong:
                    strong_sentences.add(sentence)
                spans.append(Span(doc, i, i + 1, label="integration"))
            for field in fields:
                field_sentences[field].add(sentence)
                spans.append(Span(doc, i, i + 1, label=field))
        groups = [(label, terms.phrases) for label, terms in (
            ("integration!", self.integration_strong), ("integration", self.integration), *self.fields.items())]
        if self.gates:
            # Only the phrases the whole text has can be in a sentence (lower case maps character by
            # character, but for the Greek final sigma).
            body = doc_text(doc)
            lowered = body.lower()
            groups = [(label, tuple(p for p in phrases if p in lowered or "σ" in p or "ς" in p))
                      for label, phrases in groups]
        if any(phrases for _, phrases in groups):
            sentences = list(doc.sents) if doc.has_annotation("SENT_START") else [doc[:]]
            for index, sent in enumerate(sentences):
                # sent.text is the doc's text between the sentence's first and last character
                text = body[sent.start_char:sent.end_char].lower() if self.gates else sent.text.lower()
                for label, phrases in groups:
                    for phrase in phrases:
                        at = text.find(phrase)
                        if at >= 0:
                            span = doc.char_span(sent.start_char + at, sent.start_char + at + len(phrase),
                                                 label=label.rstrip("!"), alignment_mode="expand")
                            if span is None:
                                continue
                            spans.append(span)
                            if label.startswith("integration"):
                                integration_sentences.add(index)
                                if label.endswith("!"):
                                    strong_sentences.add(index)
                            else:
                                field_sentences[label].add(index)
        spans.sort(key=lambda s: (s.start, s.label_))
        doc.spans["action_fields"] = spans
        count, headline = ((sentence_of[-1] + 1) if len(doc) else 0), None
        if doc._.title:
            headline = count
            self._read_headline(doc._.title, headline, strong_sentences, integration_sentences, field_sentences)
            count += 1
        doc._.integration, doc._.action_fields = self.rule.decide(
            strong_sentences, integration_sentences, field_sentences, count, headline, list(self.fields))
        return doc

    def _labelled(self, doc: Doc) -> Iterator[tuple[int, bool, bool, tuple[str, ...]]]:
        """(token index, strong, weak, fields) of every word of three letters or more."""
        for token in doc:
            if not token.is_alpha or len(token) < 3:
                continue
            lower = token.lower_
            lemma = token.lemma_.lower() if token.lemma_ else lower
            yield token.i, *self.word_labels(lower, lemma)

    def _labelled_fast(self, doc: Doc) -> Iterator[tuple[int, bool, bool, tuple[str, ...]]]:
        """What _labelled yields, for the labelled words only, from the doc's attribute arrays:
        the words of three letters or more picked with numpy, their labels read with one map over
        (lower, lemma) pairs, each pair labelled once per process."""
        if not len(doc):
            return
        rows = doc.to_array([LOWER, LEMMA, IS_ALPHA, LENGTH])
        words = numpy.flatnonzero((rows[:, 2] != 0) & (rows[:, 3] >= 3))
        keys = list(zip(rows[words, 0].tolist(), rows[words, 1].tolist(), strict=True))
        cache = self._hash_labels
        labels = list(map(cache.get, keys))
        if None in labels:
            strings = doc.vocab.strings
            for k, key in enumerate(keys):
                if labels[k] is None:
                    lower_hash, lemma_hash = key
                    lower = strings[lower_hash]
                    lemma = strings[lemma_hash].lower() if lemma_hash else lower
                    labels[k] = found = self.word_labels(lower, lemma)
                    if len(cache) < 200_000:
                        cache[key] = found
        for i, found in zip(words.tolist(), labels, strict=True):
            if found[0] or found[1] or found[2]:
                yield i, *found

    def _read_headline(self, title: str, index: int, strong: set[int], integration: set[int],
                       fields: dict[str, set[int]]) -> None:
        """The headline's terms as sentence `index` (no spans: offsets are into the body)."""
        for token in self.tokenizer(title):
            if not token.is_alpha or len(token) < 3:
                continue
            is_strong, weak, found = self.word_labels(token.lower_, token.lower_)
            if is_strong or weak:
                integration.add(index)
                if is_strong:
                    strong.add(index)
            for field in found:
                fields[field].add(index)
        lower = title.lower()
        for label, terms in (("integration!", self.integration_strong),
                             ("integration", self.integration), *self.fields.items()):
            if any(phrase in lower for phrase in terms.phrases):
                if label.startswith("integration"):
                    integration.add(index)
                    if label.endswith("!"):
                        strong.add(index)
                else:
                    fields[label].add(index)


def _sentence_index(doc: Doc) -> list[int]:
    index, current = [0] * len(doc), -1
    for token in doc:
        if token.is_sent_start or token.i == 0:
            current += 1
        index[token.i] = current
    return index


def _sentence_index_fast(doc: Doc) -> list[int]:
    """_sentence_index from the SENT_START array (1 marks a start; -1 and 0 do not), counted by numpy."""
    if not len(doc):
        return []
    starts = doc.to_array(SENT_START) == 1
    starts[0] = True
    return (numpy.cumsum(starts) - 1).tolist()


@Language.factory("komo_action_fields",
                  default_config={"taxonomy": "taxonomy/integrationskonzept-2017.toml", "gates": True})
def make_action_field_recognizer(nlp: Language, name: str, taxonomy: str, gates: bool) -> ActionFieldRecognizer:
    return ActionFieldRecognizer(nlp, name, taxonomy, gates)
