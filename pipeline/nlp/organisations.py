"""Organisations found by their shape (part of `komo_bodies`), driven by data/lexicons/organisations.toml.

The lexicon of bodies (bodies.toml) knows the city's own council, committees and offices by name;
real pages name organisations nobody listed. This finder recognises them by how German texts
write them:

- parties ("die SPD", not "(SPD)" after a name, not the "CDU-" of "CDU-Abgeordneter") and council
  factions ("SPD-Fraktion", "der Fraktion Die Linke", "Fraktion der CDU" → "CDU-Fraktion");
- an institution head with its complement ("Ministerium für Kinder, Familie, Flüchtlinge und
  Integration", "des Amtes für Jugend und Familie", "Regierung von Oberbayern");
- compounds with an institutional last part ("Sozialministerium", "Migrationsbeirat");
- clubs introduced by their abbreviation ("TuS <Ort> 1920", "1. FC Köln");
- a head followed by a proper name ("Gesamtschule <Ort>", "Grundschule Am <Name>", "Caritasverband
  <Ort>", "Kulturverein <Name>") or a hyphenated name before it ("<Vorname>-<Name>-Gymnasium");
- companies and associations before their legal form ("<Name> GmbH", "<Name> e. V."), kept without it.

A proper name is a place (data/places/de-places.txt, regions), a hyphenated or numbered word, or a
capitalised word that is no German common noun (the lemmatizer's table does not know it as one).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

import numpy
from spacy.attrs import IDX
from spacy.tokens import Doc

from .doctext import WordClass, doc_text, occurrences, token_texts
from .lexicon import load_lines, load_toml

_INFLECTION = re.compile(r"(?:e|en|er|es|em)$")
# Adjectives known by their derivational ending ("islamisch", "kulturell", "freiwillig").
_ADJECTIVE_STEM = re.compile(r"(?:isch|lich|ig|al|ell|iv|ar|är)$")
_ADJECTIVE_ENDINGS = {"feminine": "e", "masculine": "er", "neuter": "es", "plural": "e"}
_STREET = re.compile(r"(?:straße|strasse|str\.?|weg|platz|allee|gasse|ring|damm|ufer)$", re.IGNORECASE)
_YEAR = re.compile(r"^(?:1[89]|20)\d\d$|^\d\d$")
_ARTICLES = {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einer", "eines", "einem", "einen"}


@dataclass(frozen=True)
class Found:
    start: int  # token indexes
    end: int
    name: str


class OrganisationFinder:
    """Token-level finder; `taken` marks tokens other rules already claimed."""

    def __init__(self, lexicon: str, places: tuple[str, ...], is_common_noun: Callable[[str], bool],
                 gates: bool = True):
        data = load_toml(lexicon)
        # Cheap "nothing can start here" checks before the rules (same findings, see _may_start).
        self.gates = gates
        self.is_common_noun = is_common_noun
        self.not_bodies = set(data.get("not_bodies", []))
        self.parties: dict[str, str] = {}
        for party in data.get("party", []):
            for surface in (party["name"], *party.get("aliases", [])):
                self.parties[surface] = party["name"]
        self.party_first = {surface.split()[0] for surface in self.parties}
        self._parties_longest_first = sorted(self.parties.items(), key=lambda kv: -len(kv[0]))
        # The same, by first character: only these can start at a token with that first character.
        self._parties_by_first: dict[str, list[tuple[str, str]]] = {}
        for surface, name in self._parties_longest_first:
            self._parties_by_first.setdefault(surface[:1], []).append((surface, name))
        self._party_starts = tuple(sorted(self.party_first))
        self.faction_heads = set(data.get("faction_heads", []))
        self.institution_heads: dict[str, tuple[str, str]] = {}  # inflected form → (nominative, gender)
        for gender, heads in data.get("institution_heads", {}).items():
            for head in heads:
                for form in _inflections(head, gender):
                    self.institution_heads.setdefault(form, (head, gender))
        self.links = set(data.get("institution_links", []))
        self.compound_heads = tuple(h.lower() for h in data.get("compound_heads", []))
        self.compound_exceptions = set(data.get("compound_exceptions", []))
        self.council_names = set(data.get("council_names", []))
        self.club_prefixes = {p.split()[-1]: p for p in data.get("club_prefixes", [])}
        self.named_heads: dict[str, tuple[str, str]] = {}  # inflected form → (nominative, gender)
        for gender, heads in data.get("named_heads", {}).items():
            for head in heads:
                for form in _inflections(head, gender):
                    self.named_heads.setdefault(form, (head, gender))
        # compound endings → gender, longest first ("netzwerk" before "werk")
        self.head_endings = sorted(((e, g) for g, endings in data.get("named_head_endings", {}).items()
                                    for e in endings), key=lambda eg: -len(eg[0]))
        self.unit_heads = set(data.get("unit_heads", []))
        self.adjectives = set(data.get("adjectives", []))
        # Heads that with only a place (or a place adjective) name a municipality or a generic kind.
        self.municipal_heads = set(data.get("municipal_heads", []))
        self.places = {line for path in places for line in load_lines(path)} | set(data.get("regions", []))
        self.place_adjectives = {place + "er" for place in self.places}
        self.place_name_endings = tuple(data.get("place_name_endings", []))
        self.directions = set(data.get("directions", []))
        self.legal_forms = sorted(data.get("legal_forms", []), key=len, reverse=True)
        self.name_descriptors = set(data.get("name_descriptors", []))
        # For the gates: lexicon words a rule fires on that are not capitalised (none today),
        # every compound ending with its case endings, and where a legal form may begin.
        lexicon_words = {*self.club_prefixes, *self.institution_heads, *self.named_heads, *self.council_names,
                         *(h + e for h in (*self.unit_heads, *self.faction_heads) for e in ("", "en", "n", "s"))}
        self._lower_starts = {w for w in lexicon_words if not w[:1].isupper()}
        self._compound_endings = tuple(h + e for h in self.compound_heads for e in ("", "s", "es", "e", "en"))
        self._named_endings = tuple(e + c for e, _ in self.head_endings for c in ("", "s", "es", "e", "en", "n"))
        self._rules_cache: dict[str, tuple[Callable[[Doc, int], Found | None], ...]] = {}
        self._starts_cache: dict[str, bool] = {}
        # Forms where a rule other than the legal-form one can start (the gates' word class).
        self._ruled_words = WordClass(lambda text: self._may_start(text) and bool(self._rules_for(text)))

    # -- what a word is --------------------------------------------------------------------------

    def is_proper(self, word: str) -> bool:
        """A place, a hyphenated name, or a capitalised word that is neither a German word nor a
        compound ending in one ("Schuleinzugsbereiche")."""
        if not word[:1].isupper() or word in self.not_bodies or _STREET.search(word):
            return False
        if word in self.places or word in self.directions \
                or ("-" in word.strip("-") and all(p[:1].isupper() for p in word.split("-") if p)):
            return True
        if not word.isalpha() or self.is_common_noun(word) or word.lower() in _ARTICLES:
            return False
        if len(word) > 5 and word.lower().endswith(self.place_name_endings):
            return True
        return not any(self.is_common_noun(word[k:].capitalize()) for k in range(3, len(word) - 3))

    def names_longer(self, doc: Doc, i: int, end: int) -> bool:
        """Whether a head at i followed by a proper name ("Jobcenter Nordmark", "Stadtwerke Talburg") is
        a named organisation reaching past `end`, so a listed name ending at `end` gives way to it."""
        if doc[end].is_sent_start or not self.is_place_like(doc[end].text):
            return False  # only a place: "Integrationsrat Tarek Mansour" is a council and a person
        found = self._named(doc, i)
        return found is not None and found.end > end

    def is_place_like(self, word: str) -> bool:
        """A listed place, a part of town ("Nord"), or a proper name with a place-name ending."""
        return word in self.places or word in self.directions or (
            word.lower().endswith(self.place_name_endings) and self.is_proper(word))

    def adjective(self, word: str, gender: str) -> str | None:
        """The nominative form of a capitalised adjective that may begin a name, or None."""
        if not word[:1].isupper():
            return None
        if "-" in word:  # "Christlich-Islamischer", "Türkisch-Islamische"
            first, _, last = word.rpartition("-")
            tail = self.adjective(last, gender)
            heads_ok = all(self.adjective(part + "e", gender) for part in first.split("-"))
            return f"{first}-{tail}" if tail and heads_ok else None
        if not word.isalpha():
            return None
        if word.endswith("er") and word[:-2] in self.places:
            return word  # "Kölner", "Leverkusener": place adjectives do not inflect
        stem = _INFLECTION.sub("", word)
        if stem == word or not (stem in self.adjectives or _ADJECTIVE_STEM.search(stem)):
            return None
        return stem + _ADJECTIVE_ENDINGS.get(gender, "e")

    def _adjectives_before(self, doc: Doc, i: int, gender: str) -> tuple[int, list[str]]:
        start, words = i, []
        while start > 0 and len(words) < 2:
            word = self.adjective(doc[start - 1].text, gender)
            if word is None:
                break
            start -= 1
            words.insert(0, word)
        return start, words

    # -- the finder ---------------------------------------------------------------------------------

    def _text_of(self, doc: Doc) -> str:
        """doc.text, read once per doc: spaCy rebuilds it from the tokens on every access."""
        return doc_text(doc)

    def _may_start(self, text: str) -> bool:
        """Whether any rule can fire at a token with this text: every rule but the party, the
        faction and the hyphenated name needs a capitalised word or a number first. Remembered
        per word form."""
        found = self._starts_cache.get(text)
        if found is None:
            first = text[:1]
            found = first.isupper() or first.isdigit() or "-" in text or text.startswith(self._party_starts) \
                or text in self._lower_starts
            if len(self._starts_cache) < 200_000:
                self._starts_cache[text] = found
        return found

    def _legal_form_tokens(self, doc: Doc) -> set[int]:
        """Token indexes where a legal form may begin (a superset of where _legal_form_at fires):
        the tokens that start where a form's text starts (each found with str.find)."""
        text = self._text_of(doc)
        starts = {at for form in self.legal_forms for at in occurrences(text, form)}
        if not starts:
            return set()
        idx = doc.to_array(IDX)
        found = numpy.isin(idx, numpy.fromiter(starts, dtype=idx.dtype, count=len(starts)))
        return set(numpy.flatnonzero(found).tolist())

    def _rules_for(self, text: str) -> tuple[Callable[[Doc, int], Found | None], ...]:
        """The rules (after the legal-form one) that can fire at a token with this text, in
        their order; each test is the first thing its rule checks. Remembered per word form."""
        rules = self._rules_cache.get(text)
        if rules is None:
            capital = text[:1].isupper()
            wanted = [
                ("-" in text or text.startswith("Fraktion"), self._faction),
                (text.startswith(self._party_starts), self._party),
                (text in self.club_prefixes, self._club),
                (text in self.institution_heads, self._institution),
                (_strip_case(text, self.unit_heads) is not None, self._unit),
                ("-" in text or text in self.named_heads or text.endswith("schule")
                 or (capital and text.isalpha() and text.lower().endswith(self._named_endings)), self._named),
                (text in self.council_names
                 or (capital and text.isalpha() and text.lower().endswith(self._compound_endings)), self._compound),
            ]
            rules = tuple(rule for needed, rule in wanted if needed)
            if len(self._rules_cache) < 200_000:
                self._rules_cache[text] = rules
        return rules

    def find(self, doc: Doc, taken: list[bool]) -> list[Found]:
        found: list[Found] = []
        texts = token_texts(doc) if self.gates else []
        # A name before a legal form needs the form within the next five tokens.
        legal_near = [False] * len(doc)
        near: set[int] = set()
        for j in self._legal_form_tokens(doc) if self.gates else ():
            for k in range(max(0, j - 5), j):
                legal_near[k] = True
                near.add(k)
        # Only tokens where a rule can start (a rule of their form's, or a legal form near); after a
        # hit, the search resumes at its end.
        if self.gates:
            ruled = self._ruled_words.indexes(doc)
            near = {k for k in near if self._may_start(texts[k])}
            starts: Iterable[int] = sorted(near.union(ruled)) if near else ruled
        else:
            starts = range(len(doc))
        resume = 0
        for i in starts:
            if i < resume or taken[i]:
                continue
            if self.gates:
                hit = self._legal_form_name(doc, i, taken) if legal_near[i] else None
                for rule in self._rules_for(texts[i]):
                    if hit is not None:
                        break
                    hit = rule(doc, i)
            else:
                hit = (self._legal_form_name(doc, i, taken) or self._faction(doc, i) or self._party(doc, i)
                       or self._club(doc, i) or self._institution(doc, i) or self._unit(doc, i)
                       or self._named(doc, i) or self._compound(doc, i))
            if hit is None or any(taken[j] for j in range(hit.start, hit.end)) or hit.name in self.not_bodies:
                continue
            found.append(hit)
            for j in range(hit.start, hit.end):
                taken[j] = True
            resume = hit.end
        return found

    def _party(self, doc: Doc, i: int, as_tag_too: bool = False) -> Found | None:
        token = doc[i]
        if not token.text.startswith(self._party_starts):
            return None
        if not as_tag_too and (_in_brackets(doc, i) or (i > 0 and doc[i - 1].like_num)):
            return None  # "Maria Schulz (SPD)", "dafür: 11 (5 CDU, 2 SPD)": tags and tallies
        text = self._text_of(doc)
        surfaces = self._parties_by_first.get(text[token.idx], ()) if self.gates else self._parties_longest_first
        for surface, name in surfaces:
            end_char = token.idx + len(surface)
            if not text.startswith(surface, token.idx) or (end_char < len(text) and text[end_char].isalnum()):
                continue
            end = i
            while end < len(doc) and doc[end].idx < end_char:
                end += 1
            if (end_char < len(text) and text[end_char] == "-") or (end < len(doc) and doc[end].text.startswith("-")):
                return None  # "CDU-Abgeordneter": a modifier inside a compound, not the party
            if surface in ("Linke", "Linken", "Grünen") and not _after_article(doc, i):
                return None  # "die linke Seite", "im Grünen"
            return Found(i, end, name)
        return None

    def _faction(self, doc: Doc, i: int) -> Found | None:
        text = doc[i].text
        # "SPD-Fraktion", "CDU-Ratsfraktion", "Grünen-Fraktion" (one token with a hyphen)
        if "-" in text:
            party, _, head = text.rpartition("-")
            head = _strip_case(head, self.faction_heads)
            if head and party in self.parties:
                return Found(i, i + 1, f"{self.parties[party] if party in ('Grünen', 'GRÜNE') else party}-{head}")
            return None
        head = _strip_case(text, self.faction_heads)
        if head != "Fraktion" or i + 1 >= len(doc):
            return None
        # "Fraktion der SPD" → "SPD-Fraktion"; "Fraktion Die Linke", "Fraktion Bündnis 90/Die Grünen" as written
        j = i + 1
        if doc[j].lower_ == "der" and j + 1 < len(doc):
            party = self._party(doc, j + 1, as_tag_too=True)
            if party is not None:
                return Found(i, party.end, f"{party.name}-Fraktion")
        party = self._party(doc, j, as_tag_too=True)
        if party is not None:
            written = doc[j:party.end].text
            return Found(i, party.end, f"Fraktion {party.name if written.isupper() else written}")
        return None

    def _club(self, doc: Doc, i: int) -> Found | None:
        text = doc[i].text
        if text not in self.club_prefixes:
            return None
        start = i
        prefix = self.club_prefixes[text]
        if prefix.startswith("1. "):
            if i < 2 or doc[i - 1].text != "." or doc[i - 2].text != "1":
                if not (i >= 1 and doc[i - 1].text == "1."):
                    return None
            start = i - 1 if doc[i - 1].text == "1." else i - 2
        end = i + 1
        # "TSV Bayer 04 Leverkusen": any capitalised word may be part of the name, but the name
        # must end in a proper name, a place or a club number ("SV Training" is no club).
        while end < len(doc) and end - i <= 4 and not doc[end].is_sent_start and (
                doc[end].text[:1].isupper() and doc[end].is_alpha or _YEAR.match(doc[end].text)):
            end += 1
        while end > i + 1 and not (self.is_proper(doc[end - 1].text) or _YEAR.match(doc[end - 1].text)
                                   or doc[end - 1].text in self.places):
            end -= 1
        if end == i + 1:
            return None
        return Found(start, end, doc[start:end].text)

    def _institution(self, doc: Doc, i: int) -> Found | None:
        entry = self.institution_heads.get(doc[i].text)
        if entry is None or i + 2 >= len(doc) or doc[i + 1].lower_ not in self.links:
            return None
        head, gender = entry
        start, adjectives = self._adjectives_before(doc, i, gender)
        link = doc[i + 1].lower_
        end = i + 2
        if link in ("des", "der") and head in ("Regierung",):
            return None
        words = 0
        while end < len(doc):
            token = doc[end]
            if token.text[:1].isupper() and (token.is_alpha or "-" in token.text):
                end += 1
                words += 1
            elif token.text in (",", "und", "sowie", "&") and end + 1 < len(doc) and doc[end + 1].text[:1].isupper():
                end += 1
            elif token.text.endswith("-") and end + 1 < len(doc) and doc[end + 1].lower_ == "und":
                end += 1  # "Kinder- und Jugendeinrichtungen"
            elif token.is_lower and token.is_alpha and _INFLECTION.search(token.text) and end + 1 < len(doc) \
                    and doc[end + 1].text[:1].isupper() and doc[end - 1].text in ("und", ",", "für"):
                end += 1  # "für Flüchtlinge und übergreifende Aufgaben"
            else:
                break
        while end > i + 2 and doc[end - 1].text in (",", "und", "sowie", "&"):
            end -= 1
        if words == 0 or (link in ("des", "der") and words > 3):
            return None
        if doc[i + 2:end].text in self.not_bodies:
            return None  # "Fachbereich der Verwaltung", "Eigenbetrieb der Stadt"
        if link == "von" and not all(self.is_proper(t.text) for t in doc[i + 2:end] if t.is_alpha):
            return None
        name = " ".join([*adjectives, head, link, doc[i + 2:end].text])
        return Found(start, end, name)

    def _named(self, doc: Doc, i: int) -> Found | None:
        text = doc[i].text
        # "<Vorname>-<Name>-Gymnasium", "Lise-Meitner-Schule": one hyphenated token ending in a head
        if "-" in text:
            stem, _, last = text.rpartition("-")
            entry = self.named_heads.get(last) or self._head_by_ending(last)
            if entry and stem[:1].isupper() and all(part[:1].isupper() for part in stem.split("-")) \
                    and stem not in self.parties:
                end = i + 1  # "DITIB-Gemeinde Manfort": a place after it belongs to the name
                if end < len(doc) and self.is_place_like(doc[end].text) and not doc[end].is_sent_start:
                    end += 1
                return Found(i, end, " ".join([f"{stem}-{entry[0]}", *(t.text for t in doc[i + 1:end])]))
            return None
        entry = self.named_heads.get(text)
        compound = False
        if entry is None:
            entry = self._head_by_ending(text)
            if entry is None:
                return self._name_compound_school(doc, i)
            compound = True
        head, gender = entry
        if head in self.name_descriptors and self._legal_form_name(doc, i + 1, [False] * len(doc)):
            return None  # "Verein Bochumer Tafel e.V.": the name after the describing word is the body
        start, adjectives = self._adjectives_before(doc, i, gender)
        end = i + 1
        if end < len(doc) and doc[end].text in ("Am", "Im", "An", "Auf", "St.", "Sankt") and end + 1 < len(doc) \
                and doc[end + 1].text[:1].isupper():
            end += 2
        while end < len(doc) and end - i <= 3 and not doc[end].is_sent_start and (
                self.is_proper(doc[end].text) or (_YEAR.match(doc[end].text.rstrip(".")) and end > i + 1)):
            end += 1  # a year only after a name: "<Name> 1888" (also "1888." ending a sentence), never "Schule 2020"
            if doc[end - 1].text.endswith("."):
                break
        if end == i + 1 and (not adjectives or (compound and doc[start].is_sent_start)):
            # "die Grundschule", "der Verein", "der Sportverein": generic; a capitalised adjective inside a
            # sentence makes a compound a name ("das Technische Hilfswerk", "die Zentrale Ausländerbehörde")
            return None
        if head in self.municipal_heads and not (set(adjectives) - self.place_adjectives):
            only_places = all(t.text in self.places for t in doc[i + 1:end])
            if end == i + 1 or (only_places and head == "Gemeinde"):
                return None  # "Leverkusener Schule" is generic; "Gemeinde Waldburg" is the municipality
        if end == i + 1 and all(a.lower().startswith(("neu", "alt", "erst", "all")) for a in adjectives):
            return None
        return Found(start, end, " ".join([*adjectives, head, *(t.text for t in doc[i + 1:end])]).rstrip("."))

    def _head_by_ending(self, word: str) -> tuple[str, str] | None:
        """(nominative, gender) of a compound ending in a head ("Heimatvereins" → "Heimatverein")."""
        if not word[:1].isupper() or not word.isalpha():
            return None
        lower = word.lower()
        if self.gates and not lower.endswith(self._named_endings):
            return None
        for ending, gender in self.head_endings:
            for case in ("", "s", "es", "e", "en", "n"):
                if lower.endswith(ending + case) and len(lower) >= len(ending) + len(case) + 3:
                    return word[: len(word) - len(case)] if case else word, gender
        return None

    def _unit(self, doc: Doc, i: int) -> Found | None:
        """"Fachdienst Soziales", "Leitstelle Integration": a unit head and its subject, no "für"."""
        head = _strip_case(doc[i].text, self.unit_heads)
        if head is None:
            return None
        end = i + 1
        while end < len(doc) and end - i <= 4 and not doc[end].is_sent_start and "\n" not in doc[end - 1].whitespace_:
            token = doc[end]
            if token.text[:1].isupper() and token.is_alpha and token.lower_ not in _ARTICLES:
                end += 1
            elif token.text == "und" and end + 1 < len(doc) and doc[end + 1].text[:1].isupper() and end > i + 1:
                end += 1
            else:
                break
        while end > i + 1 and doc[end - 1].text == "und":
            end -= 1
        if end == i + 1 or doc[i + 1].text in self.not_bodies:
            return None
        return Found(i, end, " ".join([head, *(t.text for t in doc[i + 1:end])]))

    def _name_compound_school(self, doc: Doc, i: int) -> Found | None:
        """"<Name>schule" where the first part is a name ("Fröbelschule"), not a word ("Grundschule")."""
        text = doc[i].text
        if not text.endswith("schule") or len(text) < 10 or text in self.named_heads:
            return None
        stem = text[: -len("schule")]
        if self.is_proper(stem) and stem not in self.places:
            return Found(i, i + 1, text)
        return None

    def _compound(self, doc: Doc, i: int) -> Found | None:
        text = doc[i].text
        if text in self.council_names:
            return Found(i, i + 1, "Rat")
        if not text[:1].isupper() or not text.isalpha() or text in self.compound_exceptions:
            return None
        lower = text.lower()
        if self.gates and not lower.endswith(self._compound_endings):
            return None
        for head in self.compound_heads:
            for ending in ("", "s", "es", "e", "en"):
                if lower.endswith(head + ending) and len(lower) > len(head) + len(ending) + 2:
                    base = text[: len(text) - len(ending)] if ending else text
                    if base in self.compound_exceptions or base in self.not_bodies:
                        return None
                    end, start = i + 1, i
                    # "Ausländer- und Migrationsrat": the coordinated first part belongs to the name
                    if i >= 2 and doc[i - 1].text in ("und", "oder") and doc[i - 2].text.endswith("-") \
                            and doc[i - 2].text[:1].isupper():
                        start = i - 2
                    # "Zentralrat der Muslime", "Koordinationsrat der Muslime": a genitive name
                    if end + 1 < len(doc) and doc[end].lower_ == "der" and doc[end + 1].text[:1].isupper() \
                            and head in ("rat", "beirat"):
                        end += 2
                    return Found(start, end, " ".join([*(t.text for t in doc[start:i]), base,
                                                       *(t.text for t in doc[i + 1:end])]))
        return None

    def _legal_form_name(self, doc: Doc, i: int, taken: list[bool]) -> Found | None:
        """A name that ends in a legal form starting right after it: tokens i..k, then "GmbH"."""
        if not doc[i].text[:1].isupper() and not doc[i].text[:1].isdigit():
            return None
        if doc[i].text in self.name_descriptors or doc[i].lower_ in _ARTICLES:
            return None
        end = i
        while end < len(doc) and end - i < 6 and not taken[end]:
            form = self._legal_form_at(doc, end)
            if form and end > i:
                words = [t.text for t in doc[i:end]]
                first = self.adjective(words[0], "feminine")
                if first and words[0].endswith("en"):
                    words[0] = first  # "der Deutschen Bahn AG" → "Deutsche Bahn"
                return Found(i, form, " ".join(words).replace(" - ", "-"))
            token = doc[end]
            if not (token.text[:1].isupper() or token.text[:1].isdigit() or token.text in ("&", "-", "+")):
                return None
            end += 1
        return None

    def _legal_form_at(self, doc: Doc, i: int) -> int | None:
        """End token index of a legal form starting at token i."""
        rest = self._text_of(doc)[doc[i].idx: doc[i].idx + 40]
        for form in self.legal_forms:
            if rest.startswith(form) and (len(rest) == len(form) or not rest[len(form)].isalnum()):
                end_char = doc[i].idx + len(form)
                j = i
                while j < len(doc) and doc[j].idx < end_char:
                    j += 1
                return j
        return None


def _in_brackets(doc: Doc, i: int) -> bool:
    """Whether token i stands inside a parenthesis opened on the same line, a few tokens before."""
    for j in range(i - 1, max(i - 8, -1), -1):
        if doc[j].text == ")" or "\n" in doc[j].text:
            return False
        if doc[j].text == "(":
            return True
    return False


def _after_article(doc: Doc, i: int) -> bool:
    return i > 0 and doc[i - 1].lower_ in ("die", "der", "den", "des", "von", "bei")


def _strip_case(word: str, heads: set[str]) -> str | None:
    if word in heads:
        return word
    for ending in ("en", "n", "s"):
        if word.endswith(ending) and word[: -len(ending)] in heads:
            return word[: -len(ending)]
    return None


def _inflections(head: str, gender: str) -> set[str]:
    forms = {head}
    if gender in ("neuter", "masculine") or head.endswith(("um", "amt", "at", "ort", "ro", "ienst", "ich", "ieb",
                                                            "and", "ein", "eis", "rat", "kolleg")):
        forms |= {head + "s", head + "es", head + "e", head + "en"}
    if head.endswith("e"):
        forms.add(head + "n")
    if head.endswith(("ung", "ion", "enz", "eit", "ät", "tur", "ei")):
        forms.add(head + "en")
    if head.endswith("um"):
        forms.add(head[:-2] + "en")
    return forms
