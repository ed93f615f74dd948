"""Street addresses (`komo_addresses`): street + house number, ranges and letters, and
streets without a number where a preposition makes them a place."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import dates  # noqa: F401  (registers the span._.chars extension)
from .doctext import doc_text
from .lexicon import load_toml

for _name in ("street", "street_norm", "number"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

_WORD = r"(?:von-|van-|de-)?[A-ZÄÖÜ][\wäöüß'’-]*"
_NUMBER = (r"(?P<number>\d{1,4}(?:\s?[a-zA-Z](?![\wäöüß]))?"
           r"(?:\s?(?:-|–|/|bis)\s?\d{1,4}(?:\s?[a-zA-Z](?![\wäöüß]))?)?)")


@dataclass(frozen=True)
class AddressMention:
    start: int
    end: int
    street: str
    street_norm: str
    number: str | None


def normalize_street(street: str) -> str:
    """`Sandstr.` → `Sandstraße`, `Kölner Str.` → `Kölner Straße`, `Strasse` → `Straße`,
    `Bergischen Landstraße` → `Bergische Landstraße` (the nominative)."""
    words = street.split()
    if len(words) > 1 and re.fullmatch(r"[A-ZÄÖÜ][a-zäöüß]+(?:en|em)", words[0]) and not words[0].endswith("er"):
        words[0] = words[0][:-1]
        street = " ".join(words)
    street = re.sub(r"(?<=[a-zäöüß])str\.$", "straße", street)
    street = re.sub(r"\bStr\.$", "Straße", street)
    street = re.sub(r"-Str\.$", "-Straße", street)
    street = re.sub(r"strasse$", "straße", street)
    return re.sub(r"Strasse$", "Straße", street)


def normalize_number(number: str) -> str:
    number = re.sub(r"\s*(?:bis|–)\s*", "-", number)
    number = re.sub(r"\s*([-/])\s*", r"\1", number)
    return re.sub(r"(\d)\s+([a-zA-Z])\b", r"\1\2", number).lower()


class AddressFinder:
    def __init__(self, rules_file: str = "lexicons/streets.toml"):
        rules = load_toml(rules_file)
        suffixes = "|".join(re.escape(s) for s in sorted(rules["suffixes"], key=len, reverse=True))
        not_first = "|".join(rules["not_first_words"])
        compound = rf"(?:von-|van-|de-)?[A-ZÄÖÜ][\wäöüß'’-]*?(?i:{suffixes})(?![\wäöüß])"
        standalone = rf"(?i:{suffixes})(?![\wäöüß])"
        # Words before the street word are adjectives: "Alte", "Bergische", or place-derived
        # "Kölner"; never a noun such as "Verwaltungsgebäude", never across a line break.
        adjectives = "|".join(rules.get("street_adjectives", []))
        # Place-derived adjectives: "Kölner Straße", "Gahlensche Straße", "an der Gahlenschen Straße".
        derived = r"[A-ZÄÖÜ][\wäöüß-]*(?:er|sche|schen)"
        before = rf"(?:(?:{adjectives}) +)?(?:{derived} +)?"
        before_one = rf"(?:(?:{adjectives}) +{derived} +|(?:{adjectives}) +|{derived} +)"
        # "Sandstraße", "Alte Landstr." ; a bare "Straße"/"Platz" needs a name before it.
        self.suffix_street = re.compile(
            rf"(?<![\wäöüß-])(?P<street>(?!(?:{not_first}) )"
            rf"(?:{before}{compound}|{before_one}{standalone}))"
        )
        prefixes = "|".join(p.replace(" ", r"\s+") for p in rules["prefixes"])
        not_words = "|".join(rules["not_street_words"])
        self.prefix_street = re.compile(
            rf"(?<![\wäöüß-])(?P<street>(?:{prefixes}) +(?!(?:{not_words})\b)(?:{_WORD} +){{0,2}}{_WORD})"
            rf" +(?={_NUMBER[len('(?P<number>'):-1]}\b)"
        )
        # A capitalised "Am"/"Im"/"An der" inside a sentence only starts a name: "die Grundschule Am
        # Wiembach", "Bebauungsplan Am Mühlbach" (running text writes "am", "im", "an der").
        prefix_prepositions = set(rules.get("prefix_prepositions", []))
        name_prefixes = "|".join(p.replace(" ", r"\s+") for p in rules["prefixes"]
                                 if p.split()[0] in prefix_prepositions)
        self.inner_prefix_street = re.compile(
            rf"(?<=[a-zäöüß,] )(?P<street>(?:{name_prefixes}) +(?!(?:{not_words})\b)(?:{_WORD} +)?{_WORD})"
            rf"(?= +[a-zäöüß]|[ ,.;:)]|$)", re.MULTILINE)
        self.number = re.compile(r" *(?:(?:Höhe +)?(?:Nr\.|Hausnummer) *)?" + _NUMBER
                                 + r"(?:-[a-z](?![\wäöüß]))?(?![\d.,]\d|[\wäöüß])")
        self.between = re.compile(r",? *\(?(?:nur +)?(?:zwischen|zw\.|Hausnummern) +(?:(?:Hausnummer|Nr\.) *)?"
                                  r"(?P<low>\d{1,4}[a-z]?) +(?:und|u\.|bis) +(?:Nr\. *)?(?P<high>\d{1,4}[a-z]?)\b")
        self.more_numbers = re.compile(r"(?:, *\d{1,4}[a-z]?(?![\d.,]\d))* +und +\d{1,4}[a-z]?\b(?![.,]\d)")
        self.common_nouns = frozenset(rules.get("not_street_names", []))
        self.name_suffixes = tuple(rules.get("bare_name_suffixes", ["straße", "strasse", "allee"]))
        units = "|".join(re.escape(u) for u in rules["not_number_units"])
        self.unit_after = re.compile(rf"\s*(?:{units})(?![\wäöüß])")
        prepositions = sorted(rules["place_prepositions"], key=len, reverse=True)
        places = "|".join(p.replace(" ", r"\s+") for p in prepositions)
        self.place_before = re.compile(rf"(?:^|[\s(])(?i:{places})\s+$")

    def find(self, text: str) -> list[AddressMention]:
        found: list[AddressMention] = []
        taken: list[tuple[int, int]] = []

        def add(start: int, end: int, street: str, number: str | None) -> None:
            if all(end <= s or start >= e for s, e in taken):
                taken.append((start, end))
                found.append(AddressMention(start, end, street, normalize_street(street),
                                            normalize_number(number) if number else None))

        suffix_matches = list(self.suffix_street.finditer(text))
        crossings = _crossing_streets(text, suffix_matches)
        for matches, needs_number, inner in ((suffix_matches, False, False),
                                             (self.prefix_street.finditer(text), True, False),
                                             (self.inner_prefix_street.finditer(text), False, True)):
            for match in matches:
                street = match["street"]
                span_between = self.between.match(text, match.end("street"))
                if span_between:
                    number = f"{span_between['low']}-{span_between['high']}"
                    add(match.start("street"), span_between.end(), street, number)
                    continue
                number_match = self.number.match(text, match.end("street"))
                if number_match and not self.unit_after.match(text, number_match.end()) \
                        and not _is_year(number_match["number"]):
                    add(match.start("street"), number_match.end(), street, number_match["number"])
                    # "Rennbaumstraße 12, 14 und 16": one address per house
                    more = self.more_numbers.match(text, number_match.end())
                    if more:
                        for extra in re.findall(r"\d{1,4}[a-z]?", more.group(0)):
                            found.append(AddressMention(match.start("street"), more.end(), street,
                                                        normalize_street(street), extra))
                elif not needs_number and (inner or self._bare_street_is_name(street)
                                           or match.span("street") in crossings or self.place_before.search(
                                               text[max(0, match.start() - 20):match.start()])):
                    add(match.start("street"), match.end("street"), street, None)
        # labelling.md: a street that appears with a house number is not listed again without one.
        numbered = {a.street_norm for a in found if a.number}
        found = [a for a in found if a.number or a.street_norm not in numbered]
        found.sort(key=lambda a: a.start)
        return found

    def _bare_street_is_name(self, street: str) -> bool:
        """A street without number and preposition is still a place when its name cannot be a
        common noun: "Sandstraße", "Wiesdorfer Platz", "Friedrich-Ebert-Platz" — not
        "Einbahnstraße" or "Spielplatz"."""
        last = street.split()[-1]
        if last in self.common_nouns:
            return False
        if len(street.split()) > 1 or "-" in last:
            return True
        return last.lower().endswith(self.name_suffixes)


def _crossing_streets(text: str, matches: list[re.Match[str]]) -> set[tuple[int, int]]:
    """Streets written as a crossing, "Schulstraße/Ringstraße": both sides are names, also words
    that alone could be common nouns ("Hauptstraße")."""
    spans = [m.span("street") for m in matches]
    crossing: set[tuple[int, int]] = set()
    for left, right in itertools.pairwise(spans):
        if re.fullmatch(r" ?/ ?", text[left[1]:right[0]]):
            crossing.update((left, right))
    return crossing


def _is_year(number: str) -> bool:
    return bool(re.match(r"(?:19|20)\d\d(?:$|/\d\d$)", number))


class AddressRecognizer:
    def __init__(self, nlp: Language, name: str, rules: str):
        self.name = name
        self.finder = AddressFinder(rules)

    def __call__(self, doc: Doc) -> Doc:
        spans = []
        for mention in self.finder.find(doc_text(doc)):
            span = doc.char_span(mention.start, mention.end, label="ADDRESS", alignment_mode="expand")
            if span is None:
                continue
            span._.chars = (mention.start, mention.end)
            span._.street = mention.street
            span._.street_norm = mention.street_norm
            span._.number = mention.number
            spans.append(span)
        doc.spans["addresses"] = spans
        return doc


@Language.factory("komo_addresses", default_config={"rules": "lexicons/streets.toml"})
def make_address_recognizer(nlp: Language, name: str, rules: str) -> AddressRecognizer:
    return AddressRecognizer(nlp, name, rules)
