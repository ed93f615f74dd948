"""District (Stadtteil) mentions (`komo_districts`): the names and aliases of the city's
districts from data/places/*.toml, as whole words and case-sensitive, each span carrying the
canonical district name on `span._.district`.

"in Opladen", "Gesamtschule Schlebusch", "Rheindorf-Nord" (an alias), "Bergisch Neukirchen",
"Leverkusen-Opladen" and the genitive "Opladens" count; "Opladener Straße", "Schlebuscher",
"Wiesdorfer Platz" and "Schlebuschrath" do not (a letter follows the name).

A span covers whole tokens: in a hyphenated word ("Leverkusen-Opladen", "SG Rheindorf-Hitdorf")
the mention is the whole word, once per district in it. No `span._.chars` is set for a part of a
token: span extensions are keyed by a span's character boundaries, so a sub-token value would
also show on any other component's span over the same word. For the same reason the canonical
name is the span's label, and `span._.district` reads it.
"""

from __future__ import annotations

import re

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import dates  # noqa: F401  (registers span._.chars, which address spans carry)
from .doctext import doc_text
from .places import DEFAULT_PLACES, load_places

# Canonical names of every districts file a recognizer was built from: `span._.district` is the
# label of a district span and None on any other span.
_DISTRICT_NAMES: set[str] = set()

if not Span.has_extension("district"):
    Span.set_extension("district", getter=lambda span: span.label_ if span.label_ in _DISTRICT_NAMES else None)


class DistrictFinder:
    """Character-level matcher: one regex over the text, longest surface first. A hyphen is a
    word boundary, so hyphenated quarters and club names ("Schlebusch-Nord",
    "SG Rheindorf-Hitdorf") name their districts; the tokenizer keeps those as one token,
    which is why this is a regex and not a token PhraseMatcher."""

    def __init__(self, places: str = DEFAULT_PLACES):
        names = load_places(places).surface_names()
        surfaces = sorted(names, key=len, reverse=True)
        alternatives = "|".join(re.escape(s).replace(r"\ ", r"\s+") for s in surfaces)
        # No look-behind in the pattern: a pattern that starts with the alternation lets `re`
        # skip ahead on the names' first letters (4x faster); the left boundary is checked below.
        self.pattern = re.compile(rf"(?P<surface>{alternatives})(?P<genitive>s)?(?![\w])")
        self._canonical = {re.sub(r"\s+", " ", s): name for s, name in names.items()}
        _DISTRICT_NAMES.update(names.values())

    def find(self, text: str) -> list[tuple[int, int, str]]:
        """(start, end, canonical name) of every district mention, in text order."""
        found = []
        for match in self.pattern.finditer(text):
            start = match.start()
            if start and (text[start - 1].isalnum() or text[start - 1] == "_"):
                continue  # inside a word: "Neuopladen"
            surface = re.sub(r"\s+", " ", match["surface"])
            found.append((start, match.end(), self._canonical[surface]))
        return found


class DistrictRecognizer:
    def __init__(self, nlp: Language, name: str, places: str):
        self.name = name
        self.places = places  # the store reads the same file for its districts table
        self.finder = DistrictFinder(places)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        mentions = self.finder.find(text)
        spans: list[Span] = []
        if mentions:
            # Decision: a district name inside an address found by komo_addresses (a street
            # named after a district or quarter, "Am Mathildenhof 5") is part of the street's
            # name, not a statement about where the text is: such a street need not lie in that
            # district. It is not a district mention; the gold guidelines label it the same way.
            # ("Opladener Straße" never gets here: the adjective is no whole-word match.)
            streets = [_chars(s) for s in doc.spans["addresses"]] if "addresses" in doc.spans else []
            seen = set()
            for start, end, district in mentions:
                if any(s <= start and end <= e for s, e in streets):
                    continue
                span = doc.char_span(start, end, label=district, alignment_mode="expand")
                if span is not None and (span.start, span.end, district) not in seen:
                    seen.add((span.start, span.end, district))
                    spans.append(span)
        doc.spans["districts"] = spans
        return doc


def _chars(span: Span) -> tuple[int, int]:
    return span._.chars or (span.start_char, span.end_char)


@Language.factory("komo_districts", default_config={"places": DEFAULT_PLACES})
def make_district_recognizer(nlp: Language, name: str, places: str) -> DistrictRecognizer:
    return DistrictRecognizer(nlp, name, places)
