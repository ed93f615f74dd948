"""Council bodies, administrative units, authorities and organisations (`komo_bodies`).

Names come from an editable lexicon, matched inflection-blind (`des Integrationsrates`,
`vom Kommunalen Integrationszentrum`), plus patterns for the unlisted (`Ausschuss für …`,
`Bezirksvertretung für den Stadtbezirk II`). Every mention carries the canonical nominative
name on `span._.name`.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from .lexicon import load_toml, word_key

if not Span.has_extension("name"):
    Span.set_extension("name", default=None)

_ROMAN = {"1": "I", "2": "II", "3": "III"}
# "Rat" is also advice ("Rat und Tat"): count it as the council only after an article.
_AMBIGUOUS = {"Rat": re.compile(r"(?:\b(?:der|des|dem|den|im|vom|zum|Der|Im|Vom|Zum)\s+)$")}
_NOT_AFTER_RAT = re.compile(r"\s+(?:und\s+Tat|geben|suchen|holen|einholen)\b")


class BodyRecognizer:
    def __init__(self, nlp: Language, name: str, lexicon: str):
        data = load_toml(lexicon)
        self.name = name
        # first word key → list of (keys of all words, canonical name, exact-case alias?)
        self.entries: dict[str, list[tuple[tuple[str, ...], str, str | None]]] = {}
        for body in data["body"]:
            for surface in [body["name"], *body.get("aliases", [])]:
                words = surface.split()
                exact = surface if surface.isupper() else None
                keys = tuple(word_key(w) for w in words)
                self.entries.setdefault(keys[0], []).append((keys, body["name"], exact))
        for candidates in self.entries.values():
            candidates.sort(key=lambda entry: -len(entry[0]))
        self.patterns = {kind: re.compile(p) for kind, p in data.get("patterns", {}).items()}

    def __call__(self, doc: Doc) -> Doc:
        spans: list[Span] = []
        taken = [False] * len(doc)
        keys = [word_key(t.text) if t.is_alpha or "-" in t.text else "" for t in doc]
        for i in range(len(doc)):
            if taken[i] or not keys[i]:
                continue
            for entry_keys, canonical, exact in self.entries.get(keys[i], ()):
                end = i + len(entry_keys)
                if end > len(doc) or tuple(keys[i:end]) != entry_keys:
                    continue
                if exact is not None and doc[i:end].text != exact:
                    continue
                if not doc[i].text[0].isupper():
                    continue
                if not self._plausible(doc, i, end, canonical):
                    continue
                spans.append(self._span(doc, i, end, canonical))
                for j in range(i, end):
                    taken[j] = True
                break
        for kind, pattern in self.patterns.items():
            for match in pattern.finditer(doc.text):
                end = match.start() + len(match.group(0).rstrip(" ,"))
                span = doc.char_span(match.start(), end, alignment_mode="contract")
                if span is None or any(taken[j] for j in range(span.start, span.end)):
                    continue
                canonical = self._canonical(kind, match)
                if canonical:
                    spans.append(self._span(doc, span.start, span.end, canonical))
                    for j in range(span.start, span.end):
                        taken[j] = True
        spans.sort(key=lambda s: s.start)
        doc.spans["bodies"] = spans
        return doc

    @staticmethod
    def _plausible(doc: Doc, start: int, end: int, canonical: str) -> bool:
        guard = _AMBIGUOUS.get(canonical)
        if guard is None or end - start > 1:
            return True
        before = doc.text[max(0, doc[start].idx - 8): doc[start].idx]
        after = doc.text[doc[end - 1].idx + len(doc[end - 1].text): doc[end - 1].idx + 40]
        return bool(guard.search(before)) and not _NOT_AFTER_RAT.match(after)

    @staticmethod
    def _span(doc: Doc, start: int, end: int, canonical: str) -> Span:
        span = Span(doc, start, end, label="BODY")
        span._.name = canonical
        return span

    @staticmethod
    def _canonical(kind: str, match: re.Match[str]) -> str | None:
        groups = match.groupdict()
        if kind == "district":
            number = _ROMAN.get(groups["number"], groups["number"])
            return f"Bezirksvertretung für den Stadtbezirk {number}"
        if kind == "compound_committee":
            return groups["stem"].replace("ß", "ss")
        rest = re.sub(r"(?:,|\s+und|\s+sowie)\s*$", "", groups.get("rest", "").strip())
        if not rest:
            return None
        head = groups["head"]
        if head.startswith("Aussch"):
            return f"Ausschuss für {rest}"
        base = re.sub(r"(?:es|s)$", "", head) if head.startswith(("Dezernat", "Fachbereich")) else "Amt"
        return f"{base} {rest}"


@Language.factory("komo_bodies", default_config={"lexicon": "lexicons/bodies.toml"})
def make_body_recognizer(nlp: Language, name: str, lexicon: str) -> BodyRecognizer:
    return BodyRecognizer(nlp, name, lexicon)
