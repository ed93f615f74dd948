"""Street addresses (`komo_addresses`): street + house number, ranges and letters, and
streets without a number where a preposition makes them a place."""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from spacy.language import Language
from spacy.tokens import Doc, Span

from . import dates  # noqa: F401  (registers the span._.chars extension)
from .doctext import doc_text, occurrences
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
    def __init__(self, rules_file: str = "lexicons/streets.toml", gates: bool = False):
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
        # The gate (same findings as the whole text, tests/test_extraction_gates.py): the suffix
        # pattern runs only around the street words, found in the lower-cased text with str.find.
        # It holds if no street word or first word can match whitespace: then a street is at most
        # a few whitespace-separated words (an adjective's "." may match a space: one more word).
        self.street_words = tuple(sorted({suffix.lower() for suffix in rules["suffixes"]}))
        adjective_words = max((len(a.split()) + a.count(".") for a in rules.get("street_adjectives", [])),
                              default=0)
        # read in the reversed text: the street word's own word, then that many words before it
        self.street_words_before = re.compile(rf"\S*(?:\s+\S+){{0,{adjective_words + 1}}}")
        self.gates = gates and not any(re.search(r"\s", word) for word in rules["suffixes"]) \
            and not any(re.search(r"[\s.\\]", word) for word in rules["not_first_words"])
        # The characters the pattern matches, case-insensitively, as one of its street words' letters.
        self._letters = {letter: re.compile(f"(?i:{re.escape(letter)})")
                         for letter in {c for suffix in rules["suffixes"] for c in suffix}}
        self._read_as_letter: dict[str, str | None] = {}
        self._plain_chars: set[str] = set()  # read as themselves, lower-cased
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

        windows = self._street_windows(text) if self.gates else None
        suffix_matches = list(self.suffix_street.finditer(text)) if windows is None else [
            match for start, end in windows for match in self.suffix_street.finditer(text, start, end)]
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

    def _street_windows(self, text: str) -> list[tuple[int, int]] | None:
        """Stretches of `text` that hold every suffix-street match: around each place a street word
        occurs (lower-cased, anywhere in a word), from `words` whitespace-separated words before it
        to the first whitespace after it, overlapping ones joined. None: scan the whole text (its
        lower-casing would not keep the positions or the pattern's case-insensitive letters).

        Why the stretches find what the whole text has: a match is a street word's occurrence and at
        most the words before it within its stretch, and ends on a word character before the
        stretch's last whitespace, so no match crosses a stretch's edge; inside, the scan sees what
        the whole text has (lookbehinds read before a stretch; nothing the pattern accepts at a
        stretch's end could end on whitespace)."""
        read_as: dict[str, str] = {}
        for char in set(text) - self._plain_chars:
            letter = self._read_as(char)
            if letter is None:
                return None
            if letter:
                read_as[char] = letter
        lowered = (text.translate(str.maketrans(read_as)) if read_as else text).lower()
        if len(lowered) != len(text):
            return None
        hits = sorted(found for word in self.street_words for found in occurrences(lowered, word))
        windows: list[tuple[int, int]] = []
        reversed_text = ""
        for hit in hits:
            end = _WHITESPACE.search(text, hit)
            end = end.start() + 1 if end is not None else len(text)
            if windows and hit < windows[-1][1]:  # within the last stretch's words
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
                continue
            reversed_text = reversed_text or text[::-1]
            start = self._words_before(reversed_text, hit)
            if windows and start <= windows[-1][1]:
                windows[-1] = (windows[-1][0], max(end, windows[-1][1]))
            else:
                windows.append((start, end))
        return windows

    def _words_before(self, reversed_text: str, hit: int) -> int:
        """Start of the words a street with a street word at `hit` can begin with."""
        found = self.street_words_before.match(reversed_text, len(reversed_text) - 1 - hit)
        return len(reversed_text) - found.end()  # type: ignore[union-attr]  # the pattern matches "" too

    def _read_as(self, char: str) -> str | None:
        """"" if lower-casing `char` finds it wherever the pattern's case-insensitive letters match
        it; else the one letter the pattern reads it as (the dotless "ı" matches "i"); None if more."""
        found = self._read_as_letter.get(char)
        if found is None:
            letters = {letter.lower() for letter, pattern in self._letters.items() if pattern.fullmatch(char)}
            found = "" if letters <= {char.lower()} else letters.pop() if len(letters) == 1 else None
            self._read_as_letter[char] = found
            if found == "" and len(self._plain_chars) < 100_000:
                self._plain_chars.add(char)
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


_WHITESPACE = re.compile(r"\s")


def _is_year(number: str) -> bool:
    return bool(re.match(r"(?:19|20)\d\d(?:$|/\d\d$)", number))


class AddressRecognizer:
    def __init__(self, nlp: Language, name: str, rules: str, gates: bool = True):
        self.name = name
        self.finder = AddressFinder(rules, gates)
        self.gates = self.finder.gates

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


@Language.factory("komo_addresses", default_config={"rules": "lexicons/streets.toml", "gates": True})
def make_address_recognizer(nlp: Language, name: str, rules: str, gates: bool) -> AddressRecognizer:
    return AddressRecognizer(nlp, name, rules, gates)
