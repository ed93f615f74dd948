"""Votes in council minutes: text in, structured votes out.

A passage of minutes (an agenda item's result fields and minutes text) reports one or more votes:
per party (`dafür: 11 (5 CDU, 2 SPD, …)`), as totals (`Ja-Stimmen: 14 Nein-Stimmen: 4`), in prose
(`mehrheitlich gegen die Stimmen der …-Fraktion bei Enthaltung …`), or just as a result word
(`einstimmig beschlossen`). `parse_votes` finds every vote and marks the one on the matter itself
(the last vote that is not on an amendment or a procedural motion) as `main`; the structured
result fields (`Beschluss: …`, `Abstimmung: …`) belong to that one.

What a passage does not say stays None: counts are never summed from factions, never computed
from the other counts, and a result is never inferred from counts. The rules follow
tests/gold/votes/GUIDELINES.md; the vocabulary (result phrasings, count labels, faction names) is
the data file data/lexicons/votes.toml.

The parser works on text only and keeps offsets into the text it was given, so every vote carries
the passage it was read from.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from kommunalmonitor.core.resources import data_file

RESULTS = ("angenommen", "abgelehnt", "zur Kenntnis genommen", "vertagt", "zurückgezogen", "verwiesen",
           "ohne Beschluss")
CATEGORIES = ("yes", "no", "abstain")
LEXICON = "lexicons/votes.toml"

# A gap in a phrase ("lehnt … ab"): a few words, never across a sentence end.
_GAP = r"(?:\s+[^\s.;:!?]+){0,25}?\s+"
_WORD = re.compile(r"[^\W\d_][\w-]*", re.UNICODE)
_NUMBER = re.compile(r"(?<!\d[:.,])(?<![\w/])\d{1,3}(?![\w%€]|[.,:/]\d|\s*(?:Uhr|%|€|Euro|Mio|Tsd|Prozent)\b)")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")


class VoteLexiconError(ValueError):
    """The vote lexicon is missing or malformed."""


# -- the data ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Faction:
    name: str
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class Lexicon:
    """The compiled vocabulary of data/lexicons/votes.toml."""

    results: tuple[tuple[str, re.Pattern[str], int, bool], ...]   # value, pattern, literal words, statement?
    not_results: tuple[re.Pattern[str], ...]
    proposal_label: re.Pattern[str]
    verdict_label: re.Pattern[str]
    result_field: re.Pattern[str]
    vote_field: re.Pattern[str]
    vote_start: re.Pattern[str]
    subsidiary: re.Pattern[str]
    dispositions: tuple[tuple[str, re.Pattern[str]], ...]
    unanimous: re.Pattern[str]
    majority: re.Pattern[str]
    labels: re.Pattern[str]
    label_category: dict[str, str]          # lower-cased label → yes | no | abstain | ignored
    colon_only: frozenset[str]
    zero_words: frozenset[str]
    numbers: dict[str, int]
    prose_side: tuple[tuple[str, re.Pattern[str]], ...]     # for | against | abstain, before a list
    after_side: tuple[tuple[str, re.Pattern[str]], ...]     # yes | no | abstain | split, after a list
    glue: re.Pattern[str]
    members: re.Pattern[str]
    person: re.Pattern[str]
    rest: re.Pattern[str]
    factions: re.Pattern[str]               # every alias, longest first; group name = index
    faction_names: tuple[str, ...]
    keywords: frozenset[str]                # long words worth repairing one typo in
    version: str

    def number(self, word: str) -> int | None:
        if word.isdigit():
            return int(word)
        return self.numbers.get(word.lower())


def _phrase(phrase: str) -> tuple[str, int]:
    """A lexicon phrase as a regular expression (whole words, `…` a gap) and its literal word count."""
    parts = re.split(r"\s*(?:…|\.\.\.)\s*", phrase.strip())
    out = []
    for part in parts:
        words = part.split()
        out.append(r"\s+".join(re.escape(w) for w in words))
    body = _GAP.join(out)
    start = r"(?<![\w-])" if re.match(r"\w", phrase.strip()) else ""
    end = r"(?![\w])" if re.search(r"\w$", phrase.strip()) else ""
    return f"{start}{body}{end}", sum(len(p.split()) for p in parts)


def _alternation(phrases: list[str], flags: int = re.IGNORECASE) -> re.Pattern[str]:
    ordered = sorted({p for p in phrases if p.strip()}, key=len, reverse=True)
    if not ordered:
        return re.compile(r"(?!x)x")
    return re.compile("|".join(f"(?:{_phrase(p)[0]})" for p in ordered), flags)


def _case_alias(alias: str) -> str:
    # Short all-caps aliases (OB, OP, BL, FW) only as written: "op" or "ob" are German words.
    pattern = _phrase(alias)[0]
    return pattern if len(alias) <= 3 else f"(?i:{pattern})"


def load_lexicon(path: Path | None = None) -> Lexicon:
    """Compile the vote lexicon (the user's copy under $KOMO_HOME wins over the shipped one)."""
    path = path or data_file(LEXICON)
    try:
        text = path.read_text(encoding="utf-8")
        raw = tomllib.loads(text)
    except FileNotFoundError:
        raise VoteLexiconError(f"no vote lexicon at {path}") from None
    except tomllib.TOMLDecodeError as bad:
        raise VoteLexiconError(f"{path.name}: {bad}") from None
    try:
        results: list[tuple[str, re.Pattern[str], int, bool]] = []
        for statement, section in ((False, raw["results"]), (True, raw.get("statements", {}))):
            for value, phrases in section.items():
                if value == "none":
                    continue
                if value not in RESULTS:
                    raise VoteLexiconError(f"{path.name}: unknown result {value!r}; use one of {', '.join(RESULTS)}")
                for phrase in phrases:
                    pattern, words = _phrase(phrase)
                    results.append((value, re.compile(pattern, re.IGNORECASE), words, statement))
        counts = raw["counts"]
        label_category = {}
        for category in (*CATEGORIES, "ignored"):
            for label in counts[category]:
                label_category[label.lower()] = category
        prose = raw["prose"]
        factions = raw["faction"]
        names = tuple(str(f["name"]) for f in factions)
        alternatives = []
        for index, faction in enumerate(factions):
            for alias in sorted({faction["name"], *faction.get("aliases", [])}, key=len, reverse=True):
                alternatives.append((len(alias), f"(?P<f{index}_{len(alternatives)}>{_case_alias(alias)})"))
        alternatives.sort(key=lambda a: a[0], reverse=True)
        keyword_source = [*counts["yes"], *counts["no"], *counts["abstain"], *raw["unanimity"]["unanimous"],
                          *raw["unanimity"]["majority"], *raw["labels"]["vote_field"], "Abstimmungsergebnis"]
        for section in (raw["results"], raw.get("statements", {})):
            for phrases in section.values():
                keyword_source.extend(phrases)
        keywords = frozenset(w.lower() for phrase in keyword_source for w in _WORD.findall(phrase) if len(w) >= 8)
        dispositions = tuple((value, _alternation(phrases))
                             for value, phrases in raw["motions"].get("dispositions", {}).items())
        for value, _ in dispositions:
            if value not in RESULTS:
                raise VoteLexiconError(f"{path.name}: unknown disposition {value!r}")
        label_words = [*raw["labels"]["vote_field"], *raw["labels"]["result_field"]]
        return Lexicon(
            results=tuple(results),
            not_results=tuple(re.compile(_phrase(p)[0], re.IGNORECASE) for p in raw["results"].get("none", [])),
            proposal_label=re.compile(
                r"^\s*(?:[^\W\d_]+(?:er|e|es)\s+)?(?:" + "|".join(re.escape(p) for p in raw["labels"]["proposal"])
                + r")\b[^:\n(]{0,60}:", re.IGNORECASE),
            verdict_label=re.compile(
                r"^\s*(?:" + "|".join(re.escape(p) for p in raw["labels"]["verdict"]) + r")\w*\s*:", re.IGNORECASE),
            result_field=re.compile(
                r"^\s*(?:" + "|".join(re.escape(p) for p in raw["labels"]["result_field"]) + r")\s*:\s*(?=\S)",
                re.IGNORECASE),
            vote_field=re.compile(
                r"^\s*(?:" + "|".join(re.escape(p) for p in label_words[:len(raw["labels"]["vote_field"])])
                + r")\s*:\s*(?=\S)", re.IGNORECASE),
            vote_start=_alternation(raw["labels"]["vote_start"]),
            subsidiary=_alternation(raw["motions"]["subsidiary"]),
            dispositions=dispositions,
            unanimous=_alternation(raw["unanimity"]["unanimous"]),
            majority=_alternation(raw["unanimity"]["majority"]),
            labels=_alternation([label for category in (*CATEGORIES, "ignored") for label in counts[category]]),
            label_category=label_category,
            colon_only=frozenset(label.lower() for label in counts.get("colon_only", [])),
            zero_words=frozenset(w.lower() for w in counts.get("zero_words", [])),
            numbers={str(k).lower(): int(v) for k, v in counts.get("numbers", {}).items()},
            prose_side=tuple((side, _alternation(prose[side])) for side in ("for", "against", "abstain")),
            after_side=tuple((side, _alternation(prose[f"after_{side}"]))
                             for side in ("yes", "no", "abstain", "split")),
            glue=_alternation([*prose["glue"], ","]),
            members=_alternation(prose["members"]),
            person=_alternation(prose["person_titles"]),
            rest=_alternation(prose["rest"]),
            factions=re.compile("|".join(a for _, a in alternatives)),
            faction_names=names,
            keywords=keywords,
            version=_version(text),
        )
    except KeyError as missing:
        raise VoteLexiconError(f"{path.name} lacks the key {missing}") from None
    except re.error as bad:
        raise VoteLexiconError(f"{path.name} has a bad phrase: {bad}") from None


def _version(text: str) -> str:
    import hashlib

    return hashlib.sha1(text.encode()).hexdigest()[:10]


@cache
def default_lexicon() -> Lexicon:
    return load_lexicon()


def parser_version() -> str:
    """Changes whenever the parser's rules or the lexicon change (stored votes are re-read then)."""
    return f"{PARSER_REVISION}-{default_lexicon().version}"


PARSER_REVISION = "1"


# -- results -------------------------------------------------------------------------------------


@dataclass
class FactionVote:
    """How one voting group voted: position relative to the proposal, and its counts when stated."""

    name: str
    position: str                     # yes | no | abstain | split
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "position": self.position, "yes": self.yes, "no": self.no,
                "abstain": self.abstain}


@dataclass
class Vote:
    """One vote (decision) of a passage."""

    result: str | None = None
    unanimous: bool | None = None
    yes: int | None = None
    no: int | None = None
    abstain: int | None = None
    factions: list[FactionVote] = field(default_factory=list)
    sentence: str = ""                # the passage it was read from, as written
    start: int = 0                    # offsets of `sentence` in the text given
    end: int = 0
    main: bool = False                # the vote on the matter itself
    motion: str | None = None         # None (the matter), subsidiary (an amendment, a procedural motion)

    def to_dict(self) -> dict[str, Any]:
        return {"result": self.result, "unanimous": self.unanimous, "yes": self.yes, "no": self.no,
                "abstain": self.abstain, "factions": [f.to_dict() for f in self.factions],
                "sentence": self.sentence, "start": self.start, "end": self.end, "main": self.main,
                "motion": self.motion}

    def expected(self) -> dict[str, Any]:
        """The fields of a gold line's `expected`."""
        return {"result": self.result, "unanimous": self.unanimous, "yes": self.yes, "no": self.no,
                "abstain": self.abstain, "factions": [f.to_dict() for f in self.factions]}


# -- internals: what one unit (a sentence or a line) says ------------------------------------------


@dataclass
class _Mention:
    name: str | None                  # None: "the rest of the council"
    count: int | None
    at: int


@dataclass
class _Group:
    side: str                         # yes | no | abstain | split | for | against
    total: int | None
    members: list[_Mention]
    at: int
    explicit: bool = True             # a counted group (`dafür: …`), not prose


@dataclass
class _Unit:
    start: int
    end: int
    text: str
    structured: str | None = None     # result | vote: a structured field line
    paragraph: int = 0
    proposal: str | None = None       # block | line: a proposal's wording (its result words are no outcome)
    proposal_label: bool = False      # a line that introduces a proposal below it
    results: list[tuple[int, str, bool]] = field(default_factory=list)   # offset, value, statement?
    unanimity: list[tuple[int, bool]] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)
    zeros: dict[str, int] = field(default_factory=dict)
    groups: list[_Group] = field(default_factory=list)
    subsidiary: bool = False
    disposition: str | None = None
    starts_vote: bool = False

    @property
    def evidence(self) -> bool:
        return bool(self.results or self.unanimity or self.counts or self.zeros or self.groups)

    @property
    def result(self) -> str | None:
        return self.results[-1][1] if self.results else None


@dataclass
class _Draft:
    units: list[_Unit] = field(default_factory=list)

    @property
    def evidence(self) -> bool:
        return any(u.evidence for u in self.units)

    def value(self, name: str) -> Any:
        for unit in self.units:
            got = getattr(unit, name)
            if got:
                return got
        return None

    def conflicts(self, unit: _Unit) -> bool:
        mine_results = {u.result for u in self.units if u.result}
        if unit.result and mine_results and unit.result not in mine_results:
            return True
        mine_unanimity = {v for u in self.units for _, v in u.unanimity}
        if any(v not in mine_unanimity for _, v in unit.unanimity) and mine_unanimity:
            return True
        for category, number in unit.counts.items():
            known = [u.counts[category] for u in self.units if category in u.counts]
            if known and number not in known:
                return True
        mine_sides = {g.side for u in self.units for g in u.groups if g.explicit}
        return any(g.explicit and g.side in mine_sides for g in unit.groups)


# -- the parser ------------------------------------------------------------------------------------


class VoteParser:
    """Finds the votes of a passage; one instance per lexicon (cheap to call, safe to share)."""

    def __init__(self, lexicon: Lexicon | None = None):
        self.lex = lexicon or default_lexicon()

    # -- public --------------------------------------------------------------------------------

    def parse(self, text: str) -> list[Vote]:
        """Every vote of the passage in order; the one on the matter has `main` set."""
        if not text or not text.strip():
            return []
        clean, where = self._repair(text)
        units = self._units(clean)
        for unit in units:
            self._read(unit)
        self._proposals(units)
        self._flat_tables(clean, units)
        fields = [u for u in units if u.structured and u.evidence]
        drafts = self._segment([u for u in units if not u.structured])
        drafts = [d for d in drafts if d.evidence]
        if not drafts and not fields:
            return []
        if not drafts:
            drafts = [_Draft()]
        main_index = self._main(drafts)
        votes = []
        for index, draft in enumerate(drafts):
            header = fields if index == main_index else []
            vote = self._vote(draft, header)
            vote.main = index == main_index
            spans = self._spans(draft, header, drafts)
            if spans:
                start = min(s for s, _ in spans)
                end = max(e for _, e in spans)
                vote.start, vote.end = where(start), where(end)
                vote.sentence = text[vote.start:vote.end].strip()
                vote.start = vote.start + (len(text[vote.start:vote.end]) - len(text[vote.start:vote.end].lstrip()))
                vote.end = vote.start + len(vote.sentence)
            votes.append(vote)
        return votes

    @staticmethod
    def _spans(draft: _Draft, header: list[_Unit], drafts: list[_Draft]) -> list[tuple[int, int]]:
        """What a vote's sentence covers: its units without the talk before and after them (a
        heading that announces it stays), and the structured fields when no other vote stands
        between them and it."""
        units = [u for u in draft.units if u.text.strip()]
        while units and not units[0].evidence and not units[0].starts_vote:
            units.pop(0)
        while units and not units[-1].evidence:
            units.pop()
        spans = [(u.start, u.end) for u in units]
        if spans:
            first = min(s for s, _ in spans)
            others = [u.start for d in drafts if d is not draft for u in d.units if u.evidence]
            for unit in header:
                low, high = sorted((unit.start, first))
                if not any(low < o < high for o in others):
                    spans.append((unit.start, unit.end))
        else:
            spans = [(u.start, u.end) for u in header]
        return spans

    def main_vote(self, text: str) -> Vote | None:
        """The vote on the matter (what the gold sets label), or None when the passage holds none."""
        return next((v for v in self.parse(text) if v.main), None)

    # -- text repair -----------------------------------------------------------------------------

    def _repair(self, text: str):
        """Spaces normalised and one-letter typos in long keywords repaired ("einstimmg"), with a map
        from offsets in the repaired text back to the original."""
        out: list[str] = []
        origin: list[int] = []
        position = 0
        for match in _WORD.finditer(text):
            before = text[position:match.start()]
            out.append(before)
            origin.extend(range(position, match.start()))
            word = match.group()
            fixed = self._fix(word)
            out.append(fixed)
            if fixed == word:
                origin.extend(range(match.start(), match.end()))
            else:
                origin.extend(min(match.start() + i, match.end() - 1) for i in range(len(fixed)))
            position = match.end()
        out.append(text[position:])
        origin.extend(range(position, len(text)))
        origin.append(len(text))
        repaired = _SPACES.sub(lambda m: " " * len(m.group()), "".join(out))

        def where(offset: int) -> int:
            return origin[min(offset, len(origin) - 1)]

        return repaired, where

    def _fix(self, word: str) -> str:
        lower = word.lower()
        if len(lower) < 8 or lower in self.lex.keywords:
            return word
        for keyword in self.lex.keywords:
            if abs(len(keyword) - len(lower)) <= 1 and not (keyword.startswith(lower) or lower.startswith(keyword)) \
                    and _one_edit(lower, keyword):
                return keyword if word[0].islower() else keyword[0].upper() + keyword[1:]
        return word

    # -- units -----------------------------------------------------------------------------------

    def _units(self, text: str) -> list[_Unit]:
        """Sentences and lines, with the structured fields and the proposals marked."""
        lines: list[tuple[int, int]] = []
        position = 0
        for raw in text.split("\n"):
            lines.append((position, position + len(raw)))
            position += len(raw) + 1
        # A faction list in parentheses may wrap onto the next lines.
        logical: list[tuple[int, int, bool]] = []     # start, end, paragraph break before
        index = 0
        blank = False
        while index < len(lines):
            start, end = lines[index]
            if not text[start:end].strip():
                blank = True
                index += 1
                continue
            while text[start:end].count("(") > text[start:end].count(")") and index + 1 < len(lines) \
                    and end - start < 2000:
                index += 1
                end = lines[index][1]
            logical.append((start, end, blank))
            blank = False
            index += 1
        units: list[_Unit] = []
        paragraph = 0
        for start, end, new_paragraph in logical:
            paragraph += int(new_paragraph)
            line = text[start:end]
            label = self.lex.proposal_label.match(line)
            if label and not self.lex.result_field.match(line):
                rest = line[label.end():]
                units.append(_Unit(start, start + label.end(), line[:label.end()], paragraph=paragraph,
                                   proposal_label=not rest.strip()))
                if rest.strip():
                    # "Beschlussvorschlag: einstimmig beschlossen" is a verdict; "Beschlussvorschlag:
                    # Der Rat beschließt …" the proposal's own wording.
                    units.extend(self._sentences(text, start + label.end(), end, paragraph, "line"))
                continue
            field_kind = "result" if self.lex.result_field.match(line) else "vote" if self.lex.vote_field.match(line) \
                else None
            if field_kind:
                units.append(_Unit(start, end, line, paragraph=paragraph, structured=field_kind))
                continue
            units.extend(self._sentences(text, start, end, paragraph, None))
        return units

    def _proposals(self, units: list[_Unit]) -> None:
        """What follows a proposal label ("Beschlussvorschlag:") is the proposal's wording, not its
        outcome: the next paragraph always, later ones until a paragraph reports a vote."""
        open_label = False
        first: int | None = None      # the paragraph the proposal starts in
        for index, unit in enumerate(units):
            if unit.proposal_label:
                open_label, first = True, None
                continue
            if not open_label:
                continue
            if unit.structured:
                open_label = False
                continue
            if first is None:
                first = unit.paragraph
            elif unit.paragraph != first and units[index - 1].paragraph != unit.paragraph:
                same = [u for u in units if u.paragraph == unit.paragraph]
                if any(self.lex.verdict_label.match(u.text) for u in same) or any(
                        u.unanimity or u.counts or u.zeros or u.groups or any(not r[2] for r in u.results)
                        for u in same):
                    open_label = False
                    continue
            unit.proposal = "block"
            unit.results = []

    def _sentences(self, text: str, start: int, end: int, paragraph: int, proposal: str | None) -> list[_Unit]:
        line = text[start:end]
        cuts = [0]
        depth = 0
        for i, char in enumerate(line):
            if char == "(":
                depth += 1
            elif char == ")":
                depth = max(0, depth - 1)
            elif depth == 0 and char == ";":
                cuts.append(i + 1)
            elif depth == 0 and char in ".!?" and _sentence_end(line, i):
                cuts.append(i + 1)
        cuts.append(len(line))
        units = []
        for a, b in zip(cuts, cuts[1:], strict=False):
            piece = line[a:b]
            if piece.strip():
                units.append(_Unit(start + a, start + b, piece, paragraph=paragraph, proposal=proposal))
        return units

    # -- reading one unit ------------------------------------------------------------------------

    def _read(self, unit: _Unit) -> None:
        lex = self.lex
        text = unit.text
        body = text
        offset = 0
        if unit.structured:
            match = (lex.result_field if unit.structured == "result" else lex.vote_field).match(text)
            offset = match.end() if match else 0
            body = text[offset:]
        offset += unit.start  # offsets of mentions are into the whole passage: their order is the text's
        unit.results = self._results(body, offset)
        if unit.proposal == "line":
            unit.results = [r for r in unit.results if not r[2]]
        for match in lex.unanimous.finditer(body):
            unit.unanimity.append((offset + match.start(), True))
        for match in lex.majority.finditer(body):
            unit.unanimity.append((offset + match.start(), False))
        unit.unanimity.sort()
        self._counts(unit, body, offset)
        self._prose(unit, body, offset)
        unit.subsidiary = bool(lex.subsidiary.search(text))
        for value, pattern in lex.dispositions:
            if pattern.search(text):
                unit.disposition = value
                break
        # "Abstimmung über …:", "… lässt abstimmen", and a proposal label begin the next vote.
        unit.starts_vote = (bool(lex.vote_start.search(text)) or bool(lex.proposal_label.match(text))) \
            and not unit.structured

    def _results(self, text: str, offset: int) -> list[tuple[int, str, bool]]:
        found = []
        for value, pattern, words, statement in self.lex.results:
            for match in pattern.finditer(text):
                found.append((match.start(), match.end(), words, value, statement))
        blocked = [(m.start(), m.end()) for p in self.lex.not_results for m in p.finditer(text)]
        found.sort(key=lambda f: (-(f[1] - f[0]), -f[2], f[0]))
        taken: list[tuple[int, int, int, str, bool]] = []
        for candidate in found:
            if any(candidate[0] < e and s < candidate[1] for s, e, *_ in taken):
                continue
            if any(candidate[0] < e and s < candidate[1] for s, e in blocked):
                continue
            taken.append(candidate)
        taken.sort()
        return [(offset + s, value, statement) for s, _, _, value, statement in taken]

    # -- counts ------------------------------------------------------------------------------

    def _tokens(self, text: str) -> list[tuple[str, int, int, Any]]:
        """Count tokens of a unit: label (category, colon?), number, list "( … )", separator."""
        lex = self.lex
        tokens: list[tuple[str, int, int, Any]] = []
        # "( … )" is a list of groups, unless it holds counted groups itself ("(dafür: X; dagegen: Y)").
        lists = [(m.start(), m.end()) for m in re.finditer(r"\([^()]*\)", text)
                 if not re.search(rf"(?:{lex.labels.pattern})\s*:", m.group(), re.IGNORECASE)]

        def inside(position: int) -> bool:
            return any(s <= position < e for s, e in lists)

        for s, e in lists:
            tokens.append(("list", s, e, text[s + 1:e - 1]))
        for match in lex.labels.finditer(text):
            if inside(match.start()):
                continue
            label = match.group()
            after = text[match.end():match.end() + 3]
            colon = after.lstrip(" ").startswith(":")
            end = match.end() + (after.index(":") + 1 if colon else 0)
            category = lex.label_category.get(label.lower()) or lex.label_category.get(
                re.sub(r"\s+", " ", label.lower()), "ignored")
            tokens.append(("label", match.start(), end, (category, colon, label.lower())))
        for match in _NUMBER.finditer(text):
            if not inside(match.start()):
                tokens.append(("num", match.start(), match.end(), int(match.group())))
        for match in re.finditer(r"(?<![\w-])([^\W\d_]+)(?![\w-])", text):
            if inside(match.start()):
                continue
            number = lex.numbers.get(match.group(1).lower())
            if number is not None:
                tokens.append(("word", match.start(), match.end(), number))
        for match in re.finditer(r"[,;/]|(?<!\w)und(?!\w)", text):
            if not inside(match.start()):
                tokens.append(("sep", match.start(), match.end(), match.group()))
        tokens.sort(key=lambda t: (t[1], -t[2]))
        # Overlaps: a label wins over a number word inside it; drop tokens inside an earlier token.
        kept: list[tuple[str, int, int, Any]] = []
        for token in tokens:
            if kept and token[1] < kept[-1][2]:
                continue
            kept.append(token)
        return kept

    def _counts(self, unit: _Unit, text: str, offset: int) -> None:
        lex = self.lex
        special = self._special_counts(text)
        if special:
            for category, number in special.items():
                unit.counts.setdefault(category, number)
            return
        tokens = self._tokens(text)
        used: set[int] = set()

        def gap(a: int, b: int) -> str:
            return text[a:b]

        def adjacent(a: int, b: int) -> bool:
            return not gap(a, b).strip()

        for index, (kind, start, end, value) in enumerate(tokens):
            if kind != "label":
                continue
            category, colon, label = value
            if label in lex.colon_only and not colon:
                continue
            previous = tokens[index - 1] if index else None
            following = tokens[index + 1] if index + 1 < len(tokens) else None
            number: int | None = None
            number_token: int | None = None
            members: list[_Mention] = []
            list_end = end
            # Zero words: "ohne Gegenstimmen", "keine Enthaltungen".
            before = text[max(0, start - 8):start].split()
            if not colon and before and before[-1].lower() in lex.zero_words:
                if category in CATEGORIES:
                    unit.zeros.setdefault(category, 0)
                continue
            if colon:
                if following and following[0] in ("num", "word") and adjacent(end, following[1]):
                    number, number_token = following[3], index + 1
                    list_end = following[2]
            elif previous and previous[0] in ("num", "word") and index - 1 not in used \
                    and adjacent(previous[2], start):
                number, number_token = previous[3], index - 1
                # "CDU 5 ja": the number belongs to the faction before it.
                head = text[:previous[1]].rstrip()
                faction = self._faction_at_end(head)
                if faction is not None:
                    used.add(index - 1)
                    unit.groups.append(_Group(category, None, [_Mention(faction, number, offset + previous[1])],
                                              offset + start))
                    continue
            elif following and following[0] == "num" and adjacent(end, following[1]):
                number, number_token = following[3], index + 1
                list_end = following[2]
            if number_token is not None and tokens[number_token][0] == "word" and not (
                    number_token == index - 1 or colon):
                number = None
            if number_token is not None:
                used.add(number_token)
            # What the group lists: "( … )" right after, or the names written after the colon.
            nxt = next((t for t in tokens if t[1] >= list_end), None)
            origin = re.match(r"\s+(?:aus|von)\s+(?:der|den|dem)\s+", text[list_end:])
            if nxt and nxt[0] == "list" and adjacent(list_end, nxt[1]):
                members = self._members(nxt[3], offset + nxt[1] + 1)
            elif origin and number is not None:
                # "bei zwei Enthaltungen aus der CDU-Fraktion"
                members, _ = self._prose_list(text, list_end + origin.end())
                for member in members:
                    member.at += offset
            elif colon or number is not None:
                stop = next((t[1] for t in tokens if t[1] >= list_end and (t[0] == "label" or t[3] == ";")),
                            len(text))
                run = text[list_end:stop]
                if number is not None and colon and run.strip() and self._faction_here(run.lstrip()):
                    # "dafür: 2 AfD": the number is the faction's, not the group's.
                    members = self._members(f"{number} {run}", offset + list_end)
                    number = None
                elif run.strip() and (colon and number is None):
                    members = self._members(run, offset + list_end)
            if category not in CATEGORIES:
                continue
            if number is None and not members:
                continue
            if number is not None:
                unit.counts.setdefault(category, number)
            unit.groups.append(_Group(category, number, members, offset + start))

    def _special_counts(self, text: str) -> dict[str, int]:
        """"mit 16 zu elf Stimmen", "Abstimmungsergebnis: 12 : 3" (yes : no)."""
        numbers = r"(\d{1,3}|[^\W\d_]+)"
        # "Ja/Nein/Enthaltung: 12/3/1": labels and numbers in the same order.
        label = self.lex.labels.pattern
        table = re.search(rf"((?:{label})(?:\s*/\s*(?:{label})){{1,3}})\s*:?\s*"
                          rf"(\d{{1,3}}(?:\s*/\s*\d{{1,3}}){{1,3}})(?!\d)", text, re.IGNORECASE)
        if table:
            heads = [h.strip().lower() for h in table.group(1).split("/")]
            values = [int(v) for v in table.group(2).split("/")]
            if len(heads) == len(values):
                out: dict[str, int] = {}
                for head, value in zip(heads, values, strict=True):
                    category = self.lex.label_category.get(head)
                    if category in CATEGORIES:
                        out.setdefault(category, value)
                if out:
                    return out
        found = re.search(rf"\bmit\s+{numbers}\s+(?:zu|gegen)\s+{numbers}\s+Stimmen\b", text, re.IGNORECASE)
        if not found:
            found = re.search(r"(?<![\d:.])(\d{1,3})\s*:\s*(\d{1,3})\s+Stimmen\b", text, re.IGNORECASE)
        if not found:
            found = re.search(rf"(?:ergebnis|abstimmung)\s*:\s*{numbers}\s*:\s*{numbers}(?!\s*Uhr)\s*$", text,
                              re.IGNORECASE)
        if found:
            yes, no = self.lex.number(found.group(1)), self.lex.number(found.group(2))
            if yes is not None and no is not None:
                return {"yes": yes, "no": no}
        return {}

    def _flat_tables(self, text: str, units: list[_Unit]) -> None:
        """A table flattened to one cell per line: a run of label lines, later as many number lines."""
        lines = [(u, u.text.strip()) for u in units if not u.structured]
        index = 0
        while index < len(lines):
            heads: list[str] = []
            j = index
            while j < len(lines):
                match = self.lex.labels.fullmatch(lines[j][1].rstrip(":"))
                if not match:
                    break
                heads.append(self.lex.label_category.get(match.group().lower(), "ignored"))
                j += 1
            if len(heads) >= 2:
                numbers: list[tuple[_Unit, int]] = []
                k = j
                while k < len(lines) and len(numbers) < len(heads) and k - j < len(heads) + 4:
                    value = lines[k][1]
                    if value.isdigit():
                        numbers.append((lines[k][0], int(value)))
                    elif numbers:
                        break
                    k += 1
                if len(numbers) == len(heads):
                    target = numbers[0][0]
                    for head, (_, number) in zip(heads, numbers, strict=True):
                        if head in CATEGORIES:
                            target.counts.setdefault(head, number)
                    for unit, _ in numbers[1:]:
                        unit.text = ""
                    for unit, _ in lines[index:j]:
                        unit.counts.clear()
                        unit.groups.clear()
                    index = k
                    continue
            index += 1

    # -- groups named in prose -------------------------------------------------------------------

    def _prose(self, unit: _Unit, text: str, offset: int) -> None:
        lex = self.lex
        taken: list[tuple[int, int]] = []
        for side, pattern in lex.prose_side:
            for match in pattern.finditer(text):
                if any(s <= match.start() < e for s, e in taken):
                    continue
                members, end = self._prose_list(text, match.end())
                for member in members:
                    member.at += offset
                if members:
                    unit.groups.append(_Group(side, None, members, offset + match.start(), explicit=False))
                    taken.append((match.start(), end))
        for side, pattern in lex.after_side:
            for match in pattern.finditer(text):
                if any(s <= match.start() < e for s, e in taken):
                    continue
                members, begin = self._list_before(text, match.start(), taken)
                for member in members:
                    member.at += offset
                if members:
                    unit.groups.append(_Group(side, None, members, offset + begin, explicit=False))
                    taken.append((begin, match.end()))
        # Counts written in prose groups ("gegen die Stimmen von zwei Mitgliedern der …") stay the
        # faction's; nothing here is a total.

    def _list_before(self, text: str, end: int, taken: list[tuple[int, int]]) -> tuple[list[_Mention], int]:
        floor = max([e for s, e in taken if e <= end] + [0])
        starts = [m.start() for m in re.finditer(r"(?<![\w-])\S", text[:end])]
        for start in starts:
            if start < floor:
                continue
            members, stop = self._prose_list(text, start)
            if members and not text[stop:end].strip(" ,"):
                return members, start
        return [], end

    def _prose_list(self, text: str, position: int) -> tuple[list[_Mention], int]:
        """The groups named from `position` on ("der AfD-Fraktion und eines fraktionslosen Mitglieds")."""
        members: list[_Mention] = []
        end = position
        while True:
            at = _skip(text, position)
            rest = self.lex.rest.match(text, at)
            if rest:
                members.append(_Mention(None, None, at))
                position = end = rest.end()
                continue
            mention = self._mention(text, at)
            if mention is not None:
                name, count, stop = mention
                members.append(_Mention(name, count, at))
                position = end = stop
                continue
            glue = self.lex.glue.match(text, at)
            if glue and glue.end() > at:
                position = glue.end()
                continue
            return members, end

    def _mention(self, text: str, at: int) -> tuple[str, int | None, int] | None:
        """One voting group at `at`: (canonical name, members counted, end)."""
        lex = self.lex
        count = None
        position = at
        number = re.match(r"(\d{1,3}|[^\W\d_]+)\s+", text[position:])
        if number:
            value = lex.number(number.group(1))
            after = position + number.end()
            if value is not None and (lex.members.match(text, after) or self._faction_match(text, after)
                                      or _adjective_member(text, after)):
                count = value
                position = after
        members = lex.members.match(text, position)
        if members:
            after = _skip(text, members.end())
            link = re.match(r"(?:der|des|von|vom)\s+", text[after:], re.IGNORECASE)
            if link:
                position = after + link.end()
            elif count is not None:
                return None
        # A person counted on their own: "von Ratsherrn Wendt", "Herr Brenner (FDP)".
        title = lex.person.match(text, position)
        if title:
            name = re.match(r"\s*([A-ZÄÖÜ][\w'-]+(?:\s+[A-ZÄÖÜ][\w'-]+)?)", text[title.end():])
            if name:
                stop = title.end() + name.end()
                party = re.match(r"\s*\(([^()]{1,60})\)", text[stop:])
                if party:
                    found = self._faction_match(party.group(1), 0)
                    if found:
                        return found[0], count, stop + party.end()
                surname = name.group(1).split()[-1]
                if self._faction_match(name.group(1), 0) is None:
                    return f"Person: {surname}", count, stop
        prefix = re.match(r"(?:(?:Rats)?[Ff]raktion(?:\s+(?:der|des|von))?|Gruppe|Liste)\s+", text[position:])
        start = position + (prefix.end() if prefix else 0)
        found = self._faction_match(text, start)
        if found:
            name, stop = found
            if name == "Einzelvertreter":
                affiliation = re.match(r"\s+(?:der|des|von)\s+", text[stop:])
                if affiliation:
                    other = self._faction_match(text, stop + affiliation.end()) or self._unknown(
                        text, stop + affiliation.end(), True)
                    if other:
                        return other[0], count, other[1]
            return name, count, stop
        unknown = self._unknown(text, start, bool(prefix))
        if unknown:
            return unknown[0], count, unknown[1]
        return None

    def _faction_match(self, text: str, at: int) -> tuple[str, int] | None:
        match = self.lex.factions.match(text, at)
        if not match:
            return None
        group = next(name for name, value in match.groupdict().items() if value is not None)
        name = self.lex.faction_names[int(group[1:].split("_")[0])]
        stop = match.end()
        suffix = re.match(r"(?:-|\s+)?(?:Rats)?(?:[Ff]raktion|Gruppe)(?!\w)", text[stop:])
        if suffix:
            stop += suffix.end()
        return name, stop

    def _unknown(self, text: str, at: int, named: bool) -> tuple[str, int] | None:
        """A group the lexicon does not know, kept as written: after "Fraktion"/"Gruppe", or written
        "X-Fraktion"."""
        if re.match(r"(?:Die|Der|Das|Den|Dem|Des|Alle|Beide)\s", text[at:]):
            return None  # an article is not part of a name; the name after it is tried on its own
        hyphen = re.match(r"([A-ZÄÖÜ][\w.'/]*(?:\s+[A-ZÄÖÜ][\w.'/]*)*)-(?:Rats)?[Ff]raktion(?!\w)", text[at:])
        if hyphen:
            return _collapse(hyphen.group(1)), at + hyphen.end()
        if named:
            words = re.match(r"([A-ZÄÖÜ][\w.'/]*(?:\s+(?:[A-ZÄÖÜ0-9][\w.'/]*|plus))*)", text[at:])
            if words:
                return _collapse(words.group(1)), at + words.end()
        return None

    def _faction_here(self, text: str) -> bool:
        number = re.match(r"(?:\d{1,3}|[^\W\d_]+)\s+", text)
        return bool(self._faction_match(text, number.end() if number else 0))

    def _faction_at_end(self, text: str) -> str | None:
        for match in re.finditer(r"(?:^|[,;(]\s*|\s)(?=\S)", text):
            found = self._faction_match(text, match.end())
            if found and found[1] == len(text):
                return found[0]
        return None

    # -- lists of a counted group --------------------------------------------------------------

    def _members(self, text: str, offset: int) -> list[_Mention]:
        """The items of "(5 CDU, 4 SPD, OB)", "CSU 9, FW 5", "FDP-Fraktion, 1 Mitglied der Freien Wähler"."""
        members = []
        for item_match in re.finditer(r"[^,;]+", _split_und(text)):
            item = item_match.group().strip().rstrip(".")
            at = offset + item_match.start()
            if not item:
                continue
            if self.lex.rest.fullmatch(item) or self.lex.rest.match(item):
                members.append(_Mention(None, None, at))
                continue
            count = None
            trailing = re.match(r"(.*?\D)\s+(\d{1,3})$", item)
            if trailing and not re.match(r"\d", item):
                item, count = trailing.group(1).strip(), int(trailing.group(2))
            mention = self._mention(item, 0)
            if mention is not None and not item[mention[2]:].strip(" .").count(" ") > 1:
                name, stated, _ = mention
                members.append(_Mention(name, stated if stated is not None else count, at))
                continue
            leading = re.match(r"(\d{1,3}|[^\W\d_]+)\s+(.+)$", item)
            if leading and self.lex.number(leading.group(1)) is not None:
                count, item = self.lex.number(leading.group(1)), leading.group(2)
            name = _list_name(item)
            if name:
                members.append(_Mention(name, count, at))
        return members

    # -- votes -----------------------------------------------------------------------------------

    def _segment(self, units: list[_Unit]) -> list[_Draft]:
        drafts: list[_Draft] = []
        current = _Draft()
        for unit in units:
            if not unit.text.strip():
                continue
            if current.evidence and (unit.starts_vote or (unit.evidence and current.conflicts(unit))):
                drafts.append(current)
                current = _Draft()
            current.units.append(unit)
        drafts.append(current)
        return drafts

    def _main(self, drafts: list[_Draft]) -> int:
        matter = [i for i, d in enumerate(drafts) if d.evidence and not self._motion(d)]
        if matter:
            return matter[-1]
        with_evidence = [i for i, d in enumerate(drafts) if d.evidence]
        return with_evidence[-1] if with_evidence else len(drafts) - 1

    @staticmethod
    def _motion(draft: _Draft) -> str | None:
        if any(u.subsidiary for u in draft.units):
            return "subsidiary"
        if any(u.disposition for u in draft.units):
            return "subsidiary"
        return None

    def _vote(self, draft: _Draft, header: list[_Unit]) -> Vote:
        vote = Vote(motion=self._motion(draft))
        # Result: the structured field first, then what the text says.
        header_results = [r for u in header if u.structured == "result" for r in u.results]
        header_results += [r for u in header if u.structured == "vote" for r in u.results]
        body_results = [r for u in draft.units for r in u.results]
        body_result = body_results[-1][1] if body_results else None
        disposition = next((u.disposition for u in draft.units if u.disposition), None)
        if disposition and body_result == "angenommen":
            body_result = disposition
        vote.result = header_results[0][1] if header_results else body_result
        polarity_result = body_result or vote.result
        positive = polarity_result != "abgelehnt"
        # Counts: the text's, then the structured field's for what the text leaves open.
        counts: dict[str, int] = {}
        for unit in draft.units:
            for category, number in unit.counts.items():
                counts.setdefault(category, number)
        for unit in draft.units:
            for category, number in unit.zeros.items():
                counts.setdefault(category, number)
        if counts and not any(counts.values()) and not any(u.zeros for u in draft.units):
            counts = {}
        header_counts: dict[str, int] = {}
        for unit in header:
            for category, number in unit.counts.items():
                header_counts.setdefault(category, number)
            for category, number in unit.zeros.items():
                header_counts.setdefault(category, number)
        if header_counts and any(header_counts.values()):
            for category, number in header_counts.items():
                counts.setdefault(category, number)
        vote.yes, vote.no, vote.abstain = (counts.get(c) for c in CATEGORIES)
        # Groups: the text's; the structured field's only when the text names none.
        groups = [g for u in draft.units for g in u.groups]
        if not groups:
            groups = [g for u in header for g in u.groups]
        vote.factions = _factions(groups, positive)
        # Unanimity: the words (the field's first), else what counts and groups show.
        words = [v for u in header for _, v in u.unanimity] + [v for u in draft.units for _, v in u.unanimity]
        if words:
            vote.unanimous = words[0]
        else:
            vote.unanimous = _unanimity(vote, groups, positive)
        return vote


# -- helpers -------------------------------------------------------------------------------------


def _factions(groups: list[_Group], positive: bool) -> list[FactionVote]:
    order: list[str] = []
    sides: dict[str, list[str]] = {}
    counts: dict[str, dict[str, int]] = {}
    # In order of first appearance in the text.
    first = {}
    for group in groups:
        for member in group.members:
            if member.name and (member.name not in first or member.at < first[member.name]):
                first[member.name] = member.at
    for group in groups:
        side = group.side
        if side == "for":
            side = "yes" if positive else "no"
        elif side == "against":
            side = "no" if positive else "yes"
        named = [m for m in group.members if m.name]
        for member in named:
            if member.name not in sides:
                order.append(member.name)
                sides[member.name] = []
                counts[member.name] = {}
            if side not in sides[member.name]:
                sides[member.name].append(side)
            count = member.count
            # A counted group with exactly one group named without a number: the group's total is its.
            if count is None and group.total is not None and len(group.members) == 1:
                count = group.total
            if count is not None and side in CATEGORIES:
                counts[member.name].setdefault(side, count)
    out = []
    for name in sorted(order, key=lambda n: first[n]):
        positions = sides[name]
        position = positions[0] if len(positions) == 1 else "split"
        got = counts[name]
        out.append(FactionVote(name, position, got.get("yes"), got.get("no"), got.get("abstain")))
    return out


def _unanimity(vote: Vote, groups: list[_Group], positive: bool) -> bool | None:
    if vote.yes is not None and vote.no is not None:
        if vote.yes > 0 and vote.no > 0:
            return False
        if (vote.yes > 0) != (vote.no > 0):
            return True
    sides = set()
    for group in groups:
        side = group.side
        if side == "for":
            side = "yes" if positive else "no"
        elif side == "against":
            side = "no" if positive else "yes"
        if group.members or (group.total or 0) > 0:
            sides.add(side)
    if {"yes", "no"} <= sides:
        return False
    return None


def _one_edit(a: str, b: str) -> bool:
    """Whether a and b differ by one substitution, insertion, deletion or swap of neighbours."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
    if abs(len(a) - len(b)) != 1:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    for i in range(len(long)):
        if long[:i] + long[i + 1:] == short:
            return True
    return False


def _sentence_end(line: str, i: int) -> bool:
    following = line[i + 1:i + 3]
    if not following[:1].isspace() or not following.strip():
        return line[i + 1:].strip() == "" and i > 0
    nxt = line[i + 1:].lstrip()
    if not nxt or not (nxt[0].isupper() or nxt[0].isdigit() or nxt[0] in "„\"("):
        return False
    word = re.search(r"(\S+)$", line[:i])
    if not word:
        return False
    token = word.group(1)
    if token.isdigit() or len(token) <= 1:
        return False
    # Abbreviations: "Rh.", "Nr.", "Enth.", "F.D.P." end in a period without ending a sentence.
    return not (len(token) <= 4 and token[:1].isupper() and "." not in token[:-1] and not token.isupper()) \
        and "." not in token


def _skip(text: str, position: int) -> int:
    while position < len(text) and text[position] in " \t\n\u00a0":
        position += 1
    return position


def _split_und(text: str) -> str:
    return re.sub(r"\s+(?:und|sowie)\s+", ", ", text)


def _collapse(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip(" .,")


def _adjective_member(text: str, at: int) -> bool:
    return bool(re.match(r"[^\W\d_]+(?:en|er|es|e)\s+(?:Mitglied|Ratsmitglied|Vertreter)", text[at:]))


def _list_name(item: str) -> str | None:
    """An item of a counted group the lexicon does not know, as written without "Fraktion"."""
    name = re.sub(r"(?:^|\s)(?:Fraktion(?:\s+(?:der|des))?|Gruppe|Liste)\s+", " ", item)
    name = re.sub(r"-?(?:Rats)?[Ff]raktion$", "", name.strip())
    name = _collapse(name)
    if not name or len(name.split()) > 5 or not re.match(r"[A-ZÄÖÜ]|pro\s", name):
        return None
    return name


def parse_votes(text: str) -> list[Vote]:
    """Every vote of a passage of minutes, in order; the vote on the matter has `main` set."""
    return VoteParser().parse(text)


def main_vote(text: str) -> Vote | None:
    """The vote on the matter of a passage (the one the gold sets label), or None."""
    return VoteParser().main_vote(text)


def item_text(result: str | None, votes_field: str | None, minutes: str | None) -> str:
    """The passage of one agenda item as the parser reads it: its structured result field
    ("Beschluss: …"), its structured vote field ("Abstimmung: …"), then the minutes text."""
    parts = []
    if result and result.strip():
        parts.append(f"Beschluss: {result.strip()}")
    if votes_field and votes_field.strip():
        parts.append(f"Abstimmung: {votes_field.strip()}")
    head = "\n".join(parts)
    body = (minutes or "").strip()
    return f"{head}\n\n{body}".strip() if head else body
