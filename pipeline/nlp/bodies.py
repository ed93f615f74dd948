"""Council bodies, administrative units, authorities and organisations (`komo_bodies`).

Names come from an editable lexicon, matched inflection-blind (`des Integrationsrates`,
`vom Kommunalen Integrationszentrum`), plus patterns for the unlisted (`Ausschuss für …`,
`Bezirksvertretung für den Stadtbezirk II`). Every mention carries the canonical nominative
name on `span._.name`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from spacy.language import Language
from spacy.tokens import Doc, Span

from .doctext import WordClass, doc_text, token_texts
from .lexicon import load_toml, word_key
from .organisations import OrganisationFinder

if not Span.has_extension("name"):
    Span.set_extension("name", default=None)

_ROMAN = {"1": "I", "2": "II", "3": "III"}
# "Rat" is also advice ("Rat und Tat"), "Verwaltung" any administration: a one-word mention
# counts only after an article.
_ARTICLE_BEFORE = re.compile(r"(?:\b(?:der|des|dem|den|die|im|vom|zum|zur|Der|Die|Im|Vom|Zum|Zur)\s+)$")
_AMBIGUOUS = {"Rat", "Stadtverwaltung"}
# A hyphenated proper name after a listed body names a region: "Diakonisches Werk Lahn-Dill".
_REGION = re.compile(r"^[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ][a-zäöüß]+)+$")
_NOT_AFTER_RAT = re.compile(r"\s+(?:und\s+Tat|geben|suchen|holen|einholen)\b")


class BodyRecognizer:
    def __init__(self, nlp: Language, name: str, lexicon: str, places: str, organisations: str,
                 world_places: str, gates: bool = True):
        data = load_toml(lexicon)
        self.name = name
        self.nlp = nlp
        self.gates = gates
        self._nouns: frozenset[str] | None = None
        self.organisations = OrganisationFinder(organisations, (places, world_places), self.is_common_noun,
                                                gates)
        # first word key → list of (keys of all words, canonical name, exact-case alias?)
        self.entries: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = {}
        for body in data["body"]:
            for surface in [body["name"], *body.get("aliases", [])]:
                words = surface.split()
                exact = surface if surface.isupper() else None
                keys = tuple(word_key(w) for w in words)
                self.entries.setdefault(keys[0], []).append((keys, body["name"], exact))
                if len(words) == 1 and len(surface) <= 5:
                    # Short names keep their case endings past word_key ("des Rates"): those
                    # forms are matched as written, so "die Rate" stays no council.
                    for form in {surface + "es", surface + "s"} - {surface}:
                        self.entries.setdefault(word_key(form), []).append(((word_key(form),), body["name"], form))
        for candidates in self.entries.values():
            candidates.sort(key=lambda entry: -len(entry[0]))
        self.patterns = {kind: re.compile(p) for kind, p in data.get("patterns", {}).items()}
        self._first_words = WordClass(lambda text: _key(text) in self.entries)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        spans: list[Span] = []
        taken = [False] * len(doc)
        if self.gates:  # the texts without Token objects; spaCy's is_alpha is str.isalpha
            texts = token_texts(doc)

            def key_at(i: int) -> str:  # only at the tokens a listed name may start at
                return _key(texts[i])
            # Only a word some listed name starts with can start a match.
            starts: Iterable[int] = self._first_words.indexes(doc)
        else:
            key_at = [word_key(t.text) if t.is_alpha or "-" in t.text else "" for t in doc].__getitem__
            starts = range(len(doc))
        for i in starts:
            if taken[i] or not key_at(i):
                continue
            for entry_keys, canonical, exact in self.entries.get(key_at(i), ()):
                end = i + len(entry_keys)
                if end > len(doc) or tuple(key_at(j) for j in range(i, end)) != entry_keys:
                    continue
                if exact is not None and doc[i:end].text != exact:
                    continue
                if not doc[i].text[0].isupper():
                    continue
                if not self._plausible(doc, text, i, end, canonical):
                    continue
                if end < len(doc) and doc[end].text not in canonical and (
                        doc[end].text in self.organisations.places or _REGION.match(doc[end].text)
                        or self.organisations.names_longer(doc, i, end)):
                    continue  # "Caritasverband Koblenz", "Diakonisches Werk Lahn-Dill", "Jobcenter
                    # Nordmark" are another place's: the organisation finder names them
                spans.append(self._span(doc, i, end, canonical))
                for j in range(i, end):
                    taken[j] = True
                break
        # Organisations by their shape before the generic patterns: "Amt für Jugend und Familie" is
        # one institution, not the compound office "Amt" plus words.
        spans.extend(self._span(doc, found.start, found.end, found.name)
                     for found in self.organisations.find(doc, taken))
        for kind, pattern in self.patterns.items():
            for match in pattern.finditer(text):
                end = match.start() + len(match.group(0).rstrip(" ,"))
                span = doc.char_span(match.start(), end, alignment_mode="contract")
                if span is None or any(taken[j] for j in range(span.start, span.end)):
                    continue
                canonical = self._canonical(kind, match)
                if canonical and canonical not in self.organisations.not_bodies:
                    spans.append(self._span(doc, span.start, span.end, canonical))
                    for j in range(span.start, span.end):
                        taken[j] = True
        spans.sort(key=lambda s: s.start)
        doc.spans["bodies"] = spans
        return doc

    def is_common_noun(self, word: str) -> bool:
        """Whether the lookup lemmatizer's table knows `word` (a German word, not a name)."""
        if self._nouns is None:
            table = self.nlp.get_pipe("lemmatizer").lookups.get_table("lemma_lookup") \
                if "lemmatizer" in self.nlp.pipe_names else {}
            self._table = table
            self._nouns = frozenset(table.values()) if table else frozenset()
        # The table's keys are the inflected forms (hashed), its values the lemmas.
        return word in self._nouns or word in self._table

    @staticmethod
    def _plausible(doc: Doc, text: str, start: int, end: int, canonical: str) -> bool:
        if canonical not in _AMBIGUOUS or end - start > 1 or doc[start].text == canonical and canonical != "Rat":
            return True
        before = text[max(0, doc[start].idx - 8): doc[start].idx]
        after = text[doc[end - 1].idx + len(doc[end - 1].text): doc[end - 1].idx + 40]
        return bool(_ARTICLE_BEFORE.search(before)) and not _NOT_AFTER_RAT.match(after)

    @staticmethod
    def _span(doc: Doc, start: int, end: int, canonical: str) -> Span:
        span = Span(doc, start, end, label="BODY")
        span._.name = canonical
        return span

    def _canonical(self, kind: str, match: re.Match[str]) -> str | None:
        groups = match.groupdict()
        if kind == "compound_office":
            return groups["stem"]
        if kind == "district":
            number = _ROMAN.get(groups["number"], groups["number"])
            return f"Bezirksvertretung für den Stadtbezirk {number}"
        if kind == "compound_committee":
            return groups["stem"].replace("ß", "ss")
        rest = re.sub(r"(?:,|\s+und|\s+sowie)\s*$", "", groups.get("rest", "").strip())
        if "," in rest and " und " not in rest.rsplit(",", 1)[-1]:
            rest = rest.split(",", 1)[0]  # "Fachbereich Sport, Telefon …": the list never closed
        if not rest:
            return None
        head = groups["head"]
        if head.startswith("Aussch"):
            return f"Ausschuss für {rest}"
        base = re.sub(r"(?:es|s)$", "", head) if head.startswith(("Dezernat", "Fachbereich")) else "Amt"
        return f"{base} {rest}"


def _key(text: str) -> str:
    """The lexicon key of a token's text; "" for a token that is no word."""
    return word_key(text) if text.isalpha() or "-" in text else ""


@Language.factory("komo_bodies", default_config={"lexicon": "lexicons/bodies.toml",
                                                 "places": "lexicons/places.txt",
                                                 "organisations": "lexicons/organisations.toml",
                                                 "world_places": "places/de-places.txt", "gates": True})
def make_body_recognizer(nlp: Language, name: str, lexicon: str, places: str, organisations: str,
                         world_places: str, gates: bool) -> BodyRecognizer:
    return BodyRecognizer(nlp, name, lexicon, places, organisations, world_places, gates)
