"""Persons with their public roles (`komo_persons`).

Role words from an editable lexicon anchor the patterns `ROLE [des BODY] NAME` and
`NAME, ROLE`; descriptors (`Anwohnerin`) and verbs of saying (`sagte`) find persons without a
public role. Within a document, `Richrath` and `OB Richrath` resolve to `Uwe Richrath`.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span, Token
from spacy.util import minibatch
from thinc.api import NumpyOps
from threadpoolctl import ThreadpoolController

from kommunalmonitor.core.german import MONTHS, WEEKDAYS

from .doctext import WordClass, doc_text
from .lexicon import load_toml, resolve_model, word_key

logger = logging.getLogger(__name__)
_BLAS = ThreadpoolController()

for _name in ("role", "role_of", "person"):
    if not Span.has_extension(_name):
        Span.set_extension(_name, default=None)

_NOT_NAME_ENDINGS = ("ung", "heit", "keit", "schaft", "tion", "tät", "ismus", "ment", "nis",
                     "chen", "zentrum", "amt", "rat", "stadt", "straße", "platz", "verein")
_MONTHS_DAYS = {w.lower() for w in (*MONTHS, *WEEKDAYS)}
_INITIAL = re.compile(r"^[A-ZÄÖÜ]\.$")
_HEAD_ENDINGS = ("", "s", "n", "en", "innen")
# A body after one of these words is what a role is of ("Leiterin vom Kommunalen Integrationszentrum").
_ROLE_OF_WORDS = ("des", "der", "vom", "von", "beim", "bei", "im", "am", "für")
_ADJECTIVAL = ("vorsitzende", "vorsitzender", "beigeordnete", "beigeordneter", "abgeordnete",
               "abgeordneter", "beauftragte", "beauftragter", "verordnete", "verordneter")


# What the NER found in one sentence: (label, tokens, start char, end char) per entity.
Entities = tuple[tuple[str, int, int, int], ...]


def _entities(parsed: Doc) -> Entities:
    return tuple((e.label_, len(e), e.start_char, e.end_char) for e in parsed.ents)


@dataclass
class PersonMention:
    start: int  # token indexes of the whole mention (role included)
    end: int
    name_start: int
    name_end: int
    name: str
    role: str | None
    role_of: str | None = None  # the canonical body the role is of ("Integrationsrat")


class PersonRecognizer:
    def __init__(self, nlp: Language, name: str, lexicon: str, ner_model: str = "", gates: bool = True):
        data = load_toml(lexicon)
        self.name = name
        # Cheap checks that skip tokens where no role or name can start (same findings).
        self.gates = gates
        self.ner_path = resolve_model(ner_model) if ner_model else None
        self._ner: Language | None = None
        self.roles: dict[str, list[str]] = {}
        for role in data["roles"]:
            self.roles.setdefault(word_key(role), [])
            if role not in self.roles[word_key(role)]:
                self.roles[word_key(role)].append(role)
        self.heads = tuple(sorted(data.get("heads", []), key=len, reverse=True))
        # Every inflected head ending, checked in one C-level call before the slower search.
        self.head_endings = tuple(h + e for h in self.heads for e in _HEAD_ENDINGS)
        self.abbreviations: dict[str, str] = dict(data.get("abbreviations", {}))
        words = data.get("words", {})
        self.descriptors = {word_key(w) for w in words.get("descriptors", [])}
        self.titles = set(words.get("titles", []))
        self.speech_verbs = set(words.get("speech_verbs", []))
        self.election_verbs = set(words.get("election_verbs", []))
        self.particles = set(words.get("particles", []))
        # Capitalised words that begin a sentence or a clause but never a name ("Dazu", "Auch").
        self.not_names = {w.lower() for w in words.get("not_names", [])}
        self.keep_adjectives = {w.lower() for w in words.get("keep_adjectives", [])}
        self.adjective_roles = set(words.get("adjective_roles", []))
        self._role_starts: dict[str, bool] = {}
        self._anchors: dict[str, bool] = {}
        self._name_texts: dict[tuple[str, bool], bool] = {}
        self._ner_seen: dict[str, Entities] = {}  # sentence text → what the NER found in it
        # The gates' word classes: tokens found by set lookups, each form tested once.
        self._role_start_words = WordClass(self._may_start_role)
        self._anchor_words = WordClass(self._is_anchor)
        self._first_name_words = WordClass(lambda text: text[:1].isupper() and self._is_name_text(text))
        self._next_name_words = WordClass(lambda text: text[:1].isupper() and self._is_name_text(text, first=False))

    # -- roles --------------------------------------------------------------------------------

    def role_at(self, doc: Doc, i: int) -> tuple[str, int] | None:
        """(role, index after it) if a role starts at token i. The role is the head title noun in
        nominative singular; adjectives are not part of it ("sachkundige Bürgerin" → "Bürgerin")."""
        token = doc[i]
        if token.lower_ in self.keep_adjectives and i + 1 < len(doc) \
                and doc[i + 1].text in self.adjective_roles:
            return doc[i + 1].text, i + 2
        role = self._role_word(doc, i)
        return (role, i + 1) if role else None

    def _role_word(self, doc: Doc, i: int) -> str | None:
        text = doc[i].text
        if text in self.abbreviations:
            return self.abbreviations[text]
        options = self._role_options(text)
        return self._gendered(doc, i, options) if options else None

    def _role_options(self, text: str) -> list[str] | None:
        """The listed forms of the role word `text`, or its stem if it ends in a role head
        ("Integrationsbeauftragte"), or None."""
        if not text[:1].isupper() or not text.replace("-", "").isalpha():
            return None
        options = self.roles.get(word_key(text))
        if options is None:
            lower = text.lower()
            if not lower.endswith(self.head_endings):
                return None
            for head in self.heads:
                for ending in _HEAD_ENDINGS:
                    if lower.endswith(head + ending) and len(lower) > len(head) + len(ending):
                        return [text[: len(text) - len(ending)] if ending else text]
        return options

    def _may_start_role(self, text: str) -> bool:
        """Whether role_at can find a role at a token with this text (an abbreviation, a kept
        adjective, a role word), remembered per word form."""
        found = self._role_starts.get(text)
        if found is None:
            found = text in self.abbreviations or text.lower() in self.keep_adjectives \
                or self._role_options(text) is not None
            if len(self._role_starts) < 200_000:
                self._role_starts[text] = found
        return found

    def _is_anchor(self, text: str) -> bool:
        """A verb of saying or a descriptor: a name may follow it. Remembered per word form."""
        found = self._anchors.get(text)
        if found is None:
            found = text in self.speech_verbs or self._describes_text(text)
            if len(self._anchors) < 200_000:
                self._anchors[text] = found
        return found

    @staticmethod
    def _gendered(doc: Doc, i: int, options: list[str]) -> str:
        """The nominative singular role: the listed form, or for adjectival nouns
        (Vorsitzende/r, Beigeordnete/r, -beauftragte/r) the gender the article and ending show."""
        text = doc[i].text
        before = doc[i - 1].lower_ if i else ""
        stem = next((o[:-2] for o in options if o.endswith("er") and o[:-1] in options), None)
        if stem is None:
            single = options[0] if len(options) == 1 else None
            if single and single.lower().endswith(_ADJECTIVAL):
                stem = single[:-1] if single.endswith("e") else single[:-2]
        if stem is not None:
            masculine, feminine = stem + "er", stem + "e"
            if text.endswith("er"):
                return masculine
            if text.endswith("en"):
                return feminine if before == "der" else masculine
            return masculine if before in ("der", "ein") else feminine
        exact = [o for o in options if o == text]
        if exact:
            return exact[0]
        feminine_forms = [o for o in options if o.endswith(("in", "frau"))]
        if before == "die" and feminine_forms:
            return feminine_forms[0]
        masculine_forms = [o for o in options if o not in feminine_forms]
        return (masculine_forms or options)[0]

    # -- names --------------------------------------------------------------------------------

    def _is_name_word(self, token: Token, first: bool = True) -> bool:
        if self.gates:
            return self._is_name_text(token.text, first)
        text = token.text
        if not text[:1].isupper() or not (token.is_alpha or "-" in text or "'" in text):
            return False
        lower = text.lower()
        if lower in self.not_names or (first and lower in _MONTHS_DAYS) or lower.endswith(_NOT_NAME_ENDINGS):
            return False
        key = word_key(text)
        return text not in self.abbreviations and key not in self.roles and not self._describes(token)

    def _is_name_text(self, text: str, first: bool = True) -> bool:
        """_is_name_word from the text alone (spaCy's is_alpha is str.isalpha, lower_ str.lower),
        remembered per word form."""
        found = self._name_texts.get((text, first))
        if found is None:
            lower = text.lower()
            found = bool(text[:1].isupper() and (text.isalpha() or "-" in text or "'" in text)) \
                and not (lower in self.not_names or (first and lower in _MONTHS_DAYS)
                         or lower.endswith(_NOT_NAME_ENDINGS)) \
                and text not in self.abbreviations and word_key(text) not in self.roles \
                and not self._describes_text(text)
            if len(self._name_texts) < 200_000:
                self._name_texts[(text, first)] = found
        return found

    def _describes_text(self, text: str) -> bool:
        return word_key(text) in self.descriptors or text.lower().endswith(("jährige", "jähriger", "jährigen"))

    def _describes(self, token: Token) -> bool:
        """A word that introduces a person without a public role ("Anwohnerin", "34-jährige")."""
        return word_key(token.text) in self.descriptors or token.lower_.endswith(
            ("jährige", "jähriger", "jährigen"))

    def name_at(self, doc: Doc, i: int, body_starts: set[int]) -> tuple[int, int] | None:
        """Token range of a person's name starting at i (titles skipped), or None."""
        while i < len(doc) and (doc[i].text in self.titles or self._describes(doc[i])):
            i += 1
        if i >= len(doc) or i in body_starts or not self._is_name_word(doc[i]):
            return None
        start = end = i
        end += 1
        while end < len(doc) and end - start < 4:
            token = doc[end]
            if self._is_name_word(token, first=False) and end not in body_starts and not token.is_sent_start:
                end += 1
            elif token.text in self.particles and end + 1 < len(doc) and self._is_name_word(doc[end + 1]):
                end += 2
            elif _INITIAL.match(token.text):
                end += 1
                break
            else:
                break
        return start, end

    def name_before(self, doc: Doc, end: int) -> tuple[int, int] | None:
        """Token range of a name that ends right before index `end` (for `NAME, ROLE`)."""
        start = end
        while start > 0 and end - start < 3 and self._is_name_word(doc[start - 1]) \
                and not doc[start].is_sent_start:
            start -= 1
        if end - start < 2:  # a lone capitalised word before a comma is rarely a full name
            return None
        return start, end

    # -- the component ------------------------------------------------------------------------

    def find(self, doc: Doc) -> list[PersonMention]:
        ner = self._load_ner()
        mentions, blocked = self._by_patterns(doc)
        candidates = self._ner_candidates(doc, blocked)
        parsed = self._read(ner, [s.text for s in candidates]) if ner is not None else []
        return self._finish(doc, mentions, blocked, candidates, parsed)

    def _finish(self, doc: Doc, mentions: list[PersonMention], blocked: set[int], candidates: list[Span],
                parsed: list[Entities]) -> list[PersonMention]:
        mentions.extend(self._ner_persons(doc, blocked, candidates, parsed))
        mentions.sort(key=lambda m: m.start)
        self._elected_roles(doc, mentions)
        self._roles_beside(doc, mentions)
        return _resolve(mentions)

    def _by_patterns(self, doc: Doc) -> tuple[list[PersonMention], set[int]]:
        """Persons the role, descriptor and speech-verb patterns find, and the tokens taken by
        them or by bodies."""
        bodies = doc.spans["bodies"] if "bodies" in doc.spans else []
        body_starts = {s.start for s in bodies}
        body_at = {s.start: s for s in bodies}
        body_tokens = {i for s in bodies for i in range(s.start, s.end)}
        mentions: list[PersonMention] = []
        taken: set[int] = set()
        gates = self.gates
        # A role starts with a role word, an abbreviation or a kept adjective ("sachkundige").
        starts = self._role_start_words.indexes(doc) if gates else range(len(doc))
        resume = 0  # after a finding, the search goes on at its end
        for i in starts:
            if i < resume:
                continue
            found = self.role_at(doc, i) if i not in body_tokens else None
            if found is None:
                continue
            role, after = found
            # What the role is of stays apart from it: "Geschäftsführer des Sportbundes Leverkusen"
            # is the role "Geschäftsführer" of the body "Sportbund Leverkusen".
            complement_end, name = self._complement(doc, after, body_at, body_starts)
            role_of = self._role_of(doc, after, complement_end, body_at)
            after = complement_end
            if name is None:
                if after < len(doc) and doc[after].text == ",":
                    after += 1
                name = self.name_at(doc, after, body_starts)
            if name is not None:
                mentions.append(self._mention(doc, i, name[1], name, role, role_of))
                taken.update(range(i, name[1]))
                resume = name[1]
                continue
            if i >= 2 and doc[i - 1].text == ",":
                name = self.name_before(doc, i - 1)
                if name is not None and not taken.intersection(range(*name)):
                    mentions.append(self._mention(doc, name[0], complement_end, name, role, role_of))
                    taken.update(range(name[0], complement_end))
            resume = max(i + 1, complement_end)
        # Descriptors and verbs of saying anchor a name after them; the gate finds them by text.
        anchors = self._anchor_words.indexes(doc) if gates else range(len(doc))
        for i in anchors:
            if i in taken:
                continue
            token = doc[i]
            if self._describes(token) or token.text in self.speech_verbs:
                name = self.name_at(doc, i + 1, body_starts)
                if name is not None and not taken.intersection(range(*name)) \
                        and not _is_inflected_word(doc[name[0]]):
                    mentions.append(self._mention(doc, name[0], name[1], name, None))
                    taken.update(range(*name))
        return mentions, taken | body_tokens

    # -- statistical fallback -----------------------------------------------------------------

    def _ner_candidates(self, doc: Doc, blocked: set[int]) -> list[Span]:
        """The sentences the NER reads: those with two adjacent free name-like words."""
        if self.ner_path is None or not doc.has_annotation("SENT_START"):
            return []
        if self.gates:
            seconds = set(self._next_name_words.indexes(doc))
            pairs = [i for i in self._first_name_words.indexes(doc)
                     if i + 1 in seconds and i not in blocked and i + 1 not in blocked]
            if not pairs:
                return []
            return [sent for sent in doc.sents if any(sent.start <= i < sent.end - 1 for i in pairs)]
        return [
            sent for sent in doc.sents
            if any(i not in blocked and i + 1 not in blocked and self._is_name_word(doc[i])
                   and self._is_name_word(doc[i + 1], first=False) for i in range(sent.start, sent.end - 1))
        ]

    def _ner_persons(self, doc: Doc, blocked: set[int], candidates: list[Span],
                     parsed_sentences: list[Entities]) -> list[PersonMention]:
        """Persons no pattern anchors ("Aylin Demir engagiert sich"), from the small NER model in
        models/ner-de, read on the candidate sentences only, so it costs nothing on most sentences."""
        blocked = set(blocked)
        found: list[PersonMention] = []
        for sent, entities in zip(candidates, parsed_sentences, strict=True):
            for label, size, start_char, end_char in entities:
                if label != "PER" or size < 2:
                    continue
                span = doc.char_span(sent.start_char + start_char, sent.start_char + end_char,
                                     alignment_mode="contract")
                if span is None or blocked.intersection(range(span.start, span.end)):
                    continue
                if not all(self._is_name_word(t, first=k == 0) or t.text in self.particles
                           for k, t in enumerate(span)):
                    continue
                found.append(self._mention(doc, span.start, span.end, (span.start, span.end), None))
                blocked.update(range(span.start, span.end))
        return found

    def _load_ner(self) -> Language | None:
        if self._ner is None and self.ner_path is not None:
            if not (self.ner_path / "meta.json").exists():
                logger.warning("NER model %s not found; persons come from patterns only", self.ner_path)
                self.ner_path = None
                return None
            self._ner = spacy.load(self.ner_path)  # spaCy's own format: config + msgpack, no pickle
            if self.gates:
                # thinc multiplies matrices with its bundled BLIS; numpy's OpenBLAS is 4-5x faster on
                # this machine for the tok2vec's and the NER's layers (same entities: the gates test).
                ops = NumpyOps(use_blis=False)
                for _, component in self._ner.pipeline:
                    for node in component.model.walk():
                        node.ops = ops
        return self._ner

    def _read(self, ner: Language, texts: list[str]) -> list[Entities]:
        """What the NER finds in each text. One BLAS thread, as BLIS had: `komo extract
        --processes 2` runs one worker per core."""
        if not texts:
            return []
        with _BLAS.limit(limits=1, user_api="blas"):
            return [_entities(parsed) for parsed in ner.pipe(texts)]

    def _complement(self, doc: Doc, after: int, body_at: dict[int, Span],
                    body_starts: set[int]) -> tuple[int, tuple[int, int] | None]:
        """End of a genitive after a role ("des Integrationsrates", "der Grünen"), and the name
        if it is glued to the end of that genitive ("… des Sportbundes Leverkusen Michael Tenhagen")."""
        if after + 1 < len(doc) and doc[after].lower_ in _ROLE_OF_WORDS and after + 1 in body_at:
            end = body_at[after + 1].end  # "Leiterin vom Kommunalen Integrationszentrum Dilek Yıldız"
            return end, self.name_at(doc, end, body_starts)
        if after + 1 >= len(doc) or doc[after].lower_ not in ("des", "der"):
            return after, None
        start = after + 1
        if start in body_at:
            end = body_at[start].end
            return end, self.name_at(doc, end, body_starts)
        end = start
        while end < len(doc) and end - start < 8:
            token = doc[end]
            if token.text[:1].isupper() and not token.is_punct or token.like_num \
                    or (token.lower_ in ("des", "der", "für", "und") and end + 1 < len(doc)
                        and doc[end + 1].text[:1].isupper()):
                end += 1
            else:
                break
        if end == start:
            return after, None
        run_is_closed = end < len(doc) and doc[end].is_punct
        if not run_is_closed and end - start >= 3 and self._is_name_word(doc[end - 2]) \
                and self._is_name_word(doc[end - 1], first=False):
            return end - 2, (end - 2, end)
        return end, None

    @staticmethod
    def _role_of(doc: Doc, after: int, complement_end: int, body_at: dict[int, Span]) -> str | None:
        """The canonical body a role is of, when its complement is a recognised body
        ("des Integrationsrates", "vom Kommunalen Integrationszentrum")."""
        if complement_end > after and after + 1 in body_at:
            return body_at[after + 1]._.name
        if after + 1 < len(doc) and doc[after].lower_ in _ROLE_OF_WORDS and after + 1 in body_at:
            return body_at[after + 1]._.name
        if after < len(doc) and after in body_at and doc[after].text[:1].isupper() \
                and doc[after - 1].lower_ in _ROLE_OF_WORDS:
            return body_at[after]._.name  # "vom"/"beim" glued into one token before the body
        return None

    def _roles_beside(self, doc: Doc, mentions: list[PersonMention]) -> None:
        """A role written beside a name rather than before it: "Kursleiterin ist Elena Morar" (a role,
        then ist/war/wird), "Dilek Yıldız, die Leiterin des KI" (an apposition), and a signature, the
        name alone on its line over a line that holds only the role ("Frank Stenzel\nBeigeordneter")."""
        unroled = [m for m in mentions if m.role is None]
        if not unroled:
            return
        body_at = _bodies_by_start(doc)
        # A role that leads another person's mention is that person's: "Anna Meier, die Leiterin des
        # Zentrums Petra Schulz, …" lists two people.
        leading_roles = {m.start for m in mentions if m.role is not None and m.start < m.name_start}
        for mention in unroled:
            apposition = self._role_in_apposition(doc, mention.name_end) \
                if mention.name_end + 2 not in leading_roles else None
            found = self._role_before_copula(doc, mention.name_start) or apposition \
                or self._role_under_signature(doc, mention.name_start, mention.name_end)
            if found is None:
                continue
            role, after = found
            complement_end, _ = self._complement(doc, after, body_at, set(body_at))
            mention.role, mention.role_of = role, self._role_of(doc, after, complement_end, body_at)

    def _role_before_copula(self, doc: Doc, start: int) -> tuple[str, int] | None:
        if start < 2 or doc[start - 1].lower_ not in _COPULAS:
            return None
        found = self.role_at(doc, start - 2)
        return found if found is not None and found[1] == start - 1 else None

    def _role_in_apposition(self, doc: Doc, end: int) -> tuple[str, int] | None:
        if end + 2 >= len(doc) or doc[end].text != "," or doc[end + 1].lower_ not in ("der", "die"):
            return None
        return self.role_at(doc, end + 2)

    def _role_under_signature(self, doc: Doc, start: int, end: int) -> tuple[str, int] | None:
        text = doc_text(doc)
        line_start = text.rfind("\n", 0, doc[start].idx) + 1
        name_line_end = doc[end - 1].idx + len(doc[end - 1].text)
        if text[line_start:doc[start].idx].strip() or not text.startswith("\n", name_line_end):
            return None
        next_line_end = text.find("\n", name_line_end + 1)
        next_line_end = len(text) if next_line_end < 0 else next_line_end
        role_token = next((t.i for t in doc[end:] if not t.is_space), None)
        if role_token is None or doc[role_token].idx > next_line_end:
            return None
        found = self.role_at(doc, role_token)
        if found is None:
            return None
        # the role line holds the role, and at most what it is of ("Beigeordneter für Soziales" is not)
        rest = text[doc[found[1] - 1].idx + len(doc[found[1] - 1].text):next_line_end].strip()
        return found if not rest else None

    def _elected_roles(self, doc: Doc, mentions: list[PersonMention]) -> None:
        """The role a person is elected or appointed to: "wählte Ahmet Yılmaz zum neuen Vorsitzenden",
        "Zur Vorsitzenden wurde Dilara Öztürk gewählt" — when the sentence has an election verb and
        exactly one person without a role."""
        if not self.election_verbs or not doc.has_annotation("SENT_START"):
            return
        unroled = [m for m in mentions if m.role is None]
        if not unroled:
            return
        body_at = _bodies_by_start(doc)
        for sentence in {doc[m.start].sent for m in unroled}:
            if not any(t.text in self.election_verbs for t in sentence):
                continue
            people = [m for m in mentions if sentence.start <= m.start < sentence.end]
            if len({m.name for m in people}) != 1 or people[0].role is not None:
                continue
            found = self._elected_role(doc, sentence, body_at)
            if found is not None:
                for mention in people:
                    mention.role, mention.role_of = found

    def _elected_role(self, doc: Doc, sentence: Span, body_at: dict[int, Span]) -> tuple[str, str | None] | None:
        for i in range(sentence.start, sentence.end - 1):
            word = doc[i].lower_
            if word in ("zum", "zur"):
                feminine, j = word == "zur", i + 1
            elif word == "als":  # "Als Bürgermeisterin bestätigt wurde …": the role word shows the gender
                feminine, j = False, i + 1
            elif word == "zu" and doc[i + 1].lower_ in _POSSESSIVES:
                feminine, j = doc[i + 1].lower_.endswith("er"), i + 2
            else:
                continue
            while j < sentence.end - 1 and doc[j].text[:1].islower() and doc[j].text.isalpha() \
                    and j - i <= 3:  # "zum neuen stellvertretenden Vorsitzenden"
                j += 1
            found = self.role_at(doc, j) if j < sentence.end else None
            if found is None:
                continue
            role, after = found
            if feminine and role.endswith("er") and doc[j].text.endswith("en"):
                role = role[:-1]  # adjectival nouns: "zur Vorsitzenden" is a Vorsitzende
            complement_end, _ = self._complement(doc, after, body_at, set(body_at))
            return role, self._role_of(doc, after, complement_end, body_at)
        return None

    @staticmethod
    def _mention(doc: Doc, start: int, end: int, name: tuple[int, int], role: str | None,
                 role_of: str | None = None) -> PersonMention:
        return PersonMention(start, end, name[0], name[1], doc[name[0]:name[1]].text, role,
                             role_of if role else None)

    def pipe(self, docs: Iterable[Doc], batch_size: int = 64) -> Iterator[Doc]:
        """With gates on, the NER reads the candidate sentences of a whole batch of docs in one
        call (its per-call cost is paid once per batch, not once per doc)."""
        ner = self._load_ner()
        if not self.gates or ner is None:
            yield from (self(doc) for doc in docs)
            return
        known = self._ner_seen
        for batch in minibatch(docs, size=batch_size):
            found = [(doc, *self._by_patterns(doc)) for doc in batch]
            candidates = [self._ner_candidates(doc, blocked) for doc, _, blocked in found]
            # Sentences recur (boilerplate, quotes): the NER reads each text once.
            texts = [s.text for sentences in candidates for s in sentences]
            new = list(dict.fromkeys(t for t in texts if t not in known))
            if len(known) + len(new) > 100_000:
                known.clear()
            known.update(zip(new, self._read(ner, new), strict=True))
            parsed = iter([known[t] for t in texts])
            for (doc, mentions, blocked), sentences in zip(found, candidates, strict=True):
                mine = [next(parsed) for _ in sentences]
                self._set(doc, self._finish(doc, mentions, blocked, sentences, mine))
                yield doc

    def __call__(self, doc: Doc) -> Doc:
        self._set(doc, self.find(doc))
        return doc

    @staticmethod
    def _set(doc: Doc, mentions: list[PersonMention]) -> None:
        spans = []
        for mention in mentions:
            span = Span(doc, mention.start, mention.end, label="PERSON")
            span._.person = mention.name
            span._.role = mention.role
            span._.role_of = mention.role_of
            spans.append(span)
        doc.spans["persons"] = spans


def _bodies_by_start(doc: Doc) -> dict[int, Span]:
    """The doc's bodies (komo_bodies runs before) by their first token."""
    return {s.start: s for s in doc.spans["bodies"]} if "bodies" in doc.spans else {}


_POSSESSIVES = ("ihrem", "ihrer", "seinem", "seiner", "unserem", "unserer")
# "Kursleiterin ist Elena Morar": the role before one of these, the name after it.
_COPULAS = ("ist", "war", "wird", "bleibt")


def _is_inflected_word(token: Token) -> bool:
    """An inflected common word ("Familien" → "Familie"): the lookup lemmatizer knows it,
    while it leaves names alone. Guards the weakly anchored patterns (after "sagte")."""
    return bool(token.lemma_) and token.lemma_ != token.text and token.lemma_[:1].isupper()


def _resolve(mentions: list[PersonMention]) -> list[PersonMention]:
    """One identity per person in a document: short names join the fullest matching name,
    and every mention of a person carries the first role given."""
    full_names = sorted({m.name for m in mentions}, key=lambda n: -len(n.split()))
    canonical: dict[str, str] = {}
    for name in full_names:
        if name in canonical:
            continue
        canonical[name] = name
        for other in full_names:
            if other not in canonical and len(other.split()) < len(name.split()) \
                    and name.split()[-len(other.split()):] == other.split():
                canonical[other] = name
    roles: dict[str, tuple[str, str | None]] = {}
    for mention in mentions:
        mention.name = canonical[mention.name]
        if mention.role and mention.name not in roles:
            roles[mention.name] = (mention.role, mention.role_of)
    for mention in mentions:
        if not mention.role and mention.name in roles:
            mention.role, mention.role_of = roles[mention.name]
    return mentions


@Language.factory("komo_persons", default_config={"lexicon": "lexicons/roles.toml", "ner_model": "",
                                                 "gates": True})
def make_person_recognizer(nlp: Language, name: str, lexicon: str, ner_model: str, gates: bool) -> PersonRecognizer:
    return PersonRecognizer(nlp, name, lexicon, ner_model, gates)
