"""The general text-layout rules: furniture, headline, publication date and body of any page.

A page's rendered text is read line by line. Each line gets a kind from its SHAPE (length,
punctuation, runs of short lines, link words before and after it, date stamps, separators,
repetition) and from the generic structural words of data/layouts/general.toml; a source's own
[layout] rules (crawler/sources.py) come first where a source is known (crawler/layout.py). No
rule here names text of a particular page: what a researcher may want to change is in the data
file, and lines that recur on many pages of one host come from crawler/furniture.py.
"""

from __future__ import annotations

import re
import time
import tomllib
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from kommunalmonitor.core.german import MONTH_NUMBERS as MONTHS
from kommunalmonitor.core.resources import data_dir, user_data_dir
from kommunalmonitor.core.text import strip_controls

_MONTH_NAMES = "|".join(sorted((re.escape(m) for m in MONTHS), key=len, reverse=True))
# A publication date as pages write it: 18.09.2019, 18.9.19, 8. Dezember 2023, 8. Dez. 2023.
DATE = (rf"\d{{1,2}}\.\s?\d{{1,2}}\.\s?(?:\d{{4}}|\d{{2}})(?![\d.])"
        rf"|\d{{1,2}}\.?\s*(?i:{_MONTH_NAMES})\.?\s+\d{{4}}")
WEEKDAY = r"(?i:Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag)"
WEEKDAY_SHORT = r"(?i:Mo|Di|Mi|Do|Fr|Sa|So)"
_PLACEHOLDERS = {"{date}": f"(?:{DATE})", "{weekday}": WEEKDAY, "{weekday_short}": WEEKDAY_SHORT}

_MULTISPACE = re.compile(r"\S {3,}(?=\S)")
# A line that is only a date (with weekday, with a time): next to a headline it is the page date.
_DATE_LINE = re.compile(
    rf"^(?:{WEEKDAY},?\s*(?:den\s+)?)?(?P<date>{DATE})(?:\s*[,|–-]?\s*\d{{1,2}}[:.]\d{{2}}\s*(?:Uhr)?)?$"
    rf"|^\d{{1,2}}[:.]\d{{2}}\s*(?:Uhr)?\s*[,|–-]?\s*(?P<date2>{DATE})$")
_US_DATE_LINE = re.compile(r"^(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})$")
# A dateline glued to the lead: `<Ort> (DD.MM.YYYY).` / `<Ort>/<Region>, D. <Monat> YYYY. (red/pm)`.
_DATELINE = re.compile(
    rf"^(?!(?:Am|Ab|Bis|Seit|Vom|Von|Zum|Bereits|Schon|Noch)\b)(?!.*?\b{WEEKDAY}\b.*?(?:\(|,))"
    rf"(?P<place>[A-ZÄÖÜ][\w.-]*(?:[ /-][A-ZÄÖÜ][\w.-]*){{0,3}})\s*"
    rf"(?:\((?P<date>{DATE})\)\.?|,\s*(?:den\s+)?(?P<date2>{DATE})\.)\s*(?:\([\w/ -]{{1,20}}\)\s*)?(?=\S)")
_STAMP = re.compile(rf"\((?:Update\s*:?\s*)?(?:{DATE})[^()]{{0,30}}\)$")
_PREV_NEXT = re.compile(r"^(?:<<|«|‹|<)\s*.+(?:>>|»|›|>)$")
_BORDER = re.compile(r"^[\s|_=*~#+-]+$")
# A breadcrumb: short items joined by arrows (`Rathaus > Presse > Meldung`).
_BREADCRUMB = re.compile(r"^[^>›»→]{1,40}(?:\s*[>›»→]\s*[^>›»→]{1,40}){2,}$")
# A sentence boundary: `tagt. Der`, not `17. März` or `Nr. 5` (a period after a word of 2+ letters).
_SENTENCE_END = re.compile(r"(?:(?<=[a-zäöüß]{2})\.|[!?])[\"“”'»)]?\s+[„\"“(]?[A-ZÄÖÜ]")
_WORD = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*")
_FIELD = re.compile(r"^(?P<label>[A-ZÄÖÜ][\w/().*-]{0,24}(?:\s[\w/().*-]+)?)\s*:\s*(?P<value>.*)$")
_CORPUS_MARK = re.compile(r"^\s*date\s+\d{4}(?:-\d{2}){0,2}\s+")
_MOJIBAKE = re.compile("[ÃÂâ][\u0080-\u00bf\u2018-\u203a\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u02c6\u02dc]")
_TRANSLIT = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss"})


def _top_level_alternation(pattern: str) -> bool:
    """Whether a regex has a `|` outside every group and character class (`^a|b`: b is not anchored)."""
    depth, in_class, escaped = 0, False, False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif in_class:
            in_class = char != "]"
        elif char == "[":
            in_class = True
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        elif char == "|" and depth == 0:
            return True
    return False


@dataclass(frozen=True)
class TextRules:
    """data/layouts/general.toml, compiled."""

    link_words: tuple[str, ...]
    publication_lines: tuple[re.Pattern[str], ...]
    head_publication_lines: tuple[re.Pattern[str], ...]
    headline_date_lines: tuple[re.Pattern[str], ...]
    field_date_lines: tuple[re.Pattern[str], ...]
    closing_publication_lines: tuple[re.Pattern[str], ...]
    not_publication_lines: tuple[re.Pattern[str], ...]
    headline_lines: tuple[re.Pattern[str], ...]
    furniture_lines: tuple[re.Pattern[str], ...]
    tool_block_lines: tuple[re.Pattern[str], ...]
    link_box_lines: tuple[re.Pattern[str], ...]
    salutation_lines: tuple[re.Pattern[str], ...]
    body_end_lines: tuple[re.Pattern[str], ...]
    council_url_patterns: tuple[re.Pattern[str], ...]
    cookie: re.Pattern[str]
    credit: re.Pattern[str]
    label_only: re.Pattern[str]
    slug_stopwords: frozenset[str]
    min_pages: int = 3
    min_share: float = 0.05
    # Yes/no answers of the line tests, per test and line text: a site's menus, footers and notices
    # stand on every page, so most lines a crawl classifies were classified before.
    _answers: dict[str, dict[str, bool]] = field(default_factory=dict, compare=False, repr=False)

    def line_is(self, test: str, text: str) -> bool:
        """Whether `text` matches one of the patterns of the line test `test` (a field's name)."""
        answers = self._answers.setdefault(test, {})
        answer = answers.get(text)
        if answer is None:
            if len(answers) >= 50_000:
                answers.clear()
            answer = answers[text] = matches_any(getattr(self, test), text) is not None
        return answer

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> TextRules:
        def one(pattern: str) -> re.Pattern[str]:
            for key, value in _PLACEHOLDERS.items():
                pattern = pattern.replace(key, value)
            return re.compile(pattern)

        def many(key: str) -> tuple[re.Pattern[str], ...]:
            return tuple(one(p) for p in raw.get(key, []))

        def combined(key: str) -> tuple[re.Pattern[str], ...]:
            """Patterns without groups as alternations: one regex run per line, not one per pattern.
            Those anchored at the line's start share one leading `^`, so that a search tries them at
            the start only instead of at every position (the others are one more alternation)."""
            anchored, floating = [], []
            for pattern in raw.get(key, []):
                flags = re.match(r"^\(\?([aiLmsux]+)\)", pattern)
                body = pattern[flags.end():] if flags else pattern
                letters = flags.group(1) if flags else ""
                start = body.startswith("^") and not _top_level_alternation(body) and "m" not in letters
                wrapped = f"(?{letters}:{body[1:] if start else body})"
                (anchored if start else floating).append(wrapped)
            return tuple(one(p) for p in (
                f"^(?:{'|'.join(anchored)})" if anchored else "", "|".join(floating)) if p)

        labels = "|".join(re.escape(w) for w in raw.get("credit_labels", []) or ["Foto"])
        no_sentence = r"(?:(?![.!?]\s+[A-ZÄÖÜ„\"]).)"
        credit = re.compile(
            rf"(?:^|(?<=[\s.;,)]))(?:\((?:{labels})\s*:[^()]*(?:\([^()]*\)[^()]*)*\)"
            rf"|(?:{labels})\s*:\s*{no_sentence}{{1,120}}|\(?(?:Foto\s*)?©\s*{no_sentence}{{0,120}})\s*$")
        recurrence = raw.get("recurrence", {})
        return cls(
            link_words=tuple(raw.get("link_words", ["lesen"])),
            publication_lines=many("publication_lines"),
            head_publication_lines=many("head_publication_lines"),
            headline_date_lines=many("headline_date_lines"),
            field_date_lines=many("field_date_lines"),
            closing_publication_lines=many("closing_publication_lines"),
            not_publication_lines=combined("not_publication_lines"),
            headline_lines=many("headline_lines"),
            furniture_lines=combined("furniture_lines"),
            tool_block_lines=combined("tool_block_lines"),
            link_box_lines=combined("link_box_lines"),
            salutation_lines=combined("salutation_lines"),
            body_end_lines=combined("body_end_lines"),
            council_url_patterns=combined("council_url_patterns"),
            cookie=one(raw.get("cookie_word", r"(?i)\bcookies?\b")),
            credit=credit,
            label_only=one(raw.get("label_only", r"^[\w ]{1,30}:$")),
            slug_stopwords=frozenset(w.lower() for w in raw.get("slug_stopwords", [])),
            min_pages=int(recurrence.get("min_pages", 3)),
            min_share=float(recurrence.get("min_share", 0.05)),
        )


def rules_path() -> Path:
    """The general rules: the user's copy under $KOMO_HOME/layouts/ when there is one."""
    user = user_data_dir() / "layouts" / "general.toml"
    return user if user.is_file() else data_dir() / "layouts" / "general.toml"


@lru_cache(maxsize=4)
def _load_rules(path: str, mtime: float) -> TextRules:
    return TextRules.from_dict(tomllib.loads(Path(path).read_text(encoding="utf-8")))


_CHECKED: list[Any] = [0.0, None]


def general_rules() -> TextRules:
    """The compiled general rules; an edited file is read again (looked at once a second at most)."""
    now = time.monotonic()
    if _CHECKED[1] is None or now - _CHECKED[0] > 1.0:
        path = rules_path()
        _CHECKED[:] = [now, _load_rules(str(path), path.stat().st_mtime)]
    return _CHECKED[1]


# -- lines ---------------------------------------------------------------------------------------


def normalize_space(text: str) -> str:
    return " ".join(strip_controls(text).split())  # str.split's white space is the regex's \s


def repair_mojibake(text: str) -> str:
    """UTF-8 read as windows-1252 (`GrÃ¶ÃŸe`) back to `Größe`, line by line where it round-trips."""
    if not _MOJIBAKE.search(text):
        return text
    out = []
    for line in text.split("\n"):
        if _MOJIBAKE.search(line):
            try:
                line = line.encode("cp1252").decode("utf-8")
            except (UnicodeEncodeError, UnicodeDecodeError):
                pass
        out.append(line)
    return "\n".join(out)


@dataclass
class Line:
    text: str                 # white space collapsed
    wide_gaps: int = 0        # runs of 3+ spaces between words in the raw line (menus laid out in a row)
    kind: str = ""            # "" = content; blank, furniture, link, teaser, border, ...


def split_lines(text: str, link_words: Sequence[str]) -> list[Line]:
    """Page text → lines; teasers glued to their link word (`lesen<Headline>`) and date labels
    glued to the headline (`Archiv-Beitrag vom DD.MM.YYYY<Headline>`) are split apart."""
    text = repair_mojibake(strip_controls(text).replace("\r\n", "\n").replace("\r", "\n"))
    text = _CORPUS_MARK.sub("", text, count=1)
    glued_words = [w for w in link_words if w.isalpha()]
    glued = re.compile(rf"^({'|'.join(map(re.escape, glued_words))})(?=[A-ZÄÖÜ0-9„\"'(])") if glued_words else None
    trailing_words = [w for w in link_words if len(w) >= 5]
    trailing = (re.compile(rf"^(?P<head>.*?[^\s.])(?:\s+|(?<=\)))(?P<word>{'|'.join(map(re.escape, trailing_words))})$")
                if trailing_words else None)
    dated_head = re.compile(r"^((?:Archiv-Beitrag|Artikel|Beitrag|Meldung) vom \d{1,2}\.\d{1,2}\.\d{4})(?=\S)")
    lines: list[Line] = []
    for raw in text.split("\n"):
        gaps = len(_MULTISPACE.findall(raw.replace("\t", "   "))) if "   " in raw or "\t" in raw else 0
        line = " ".join(raw.split())
        parts = [line]
        if glued is not None and (found := glued.match(line)) and len(line) > len(found.group(1)):
            parts = [found.group(1), line[len(found.group(1)):].strip()]
        elif trailing is not None and (found := trailing.match(line)) and len(found.group("head")) < 250:
            parts = [found.group("head"), found.group("word")]
        elif found := dated_head.match(line):
            parts = [found.group(1), line[len(found.group(1)):].strip()]
        for part in parts:
            lines.append(Line(part, gaps if len(parts) == 1 else 0, "" if part else "blank"))
    return lines


# -- dates -----------------------------------------------------------------------------------------


def parse_date(text: str) -> str | None:
    """`18.09.2019` / `18.9.19` / `8. Dezember 2023` → ISO date; None if it is no calendar date."""
    text = text.strip()
    found = re.match(r"^(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4}|\d{2})$", text)
    if found:
        day, month, year = (int(g) for g in found.groups())
    else:
        found = re.match(r"^(\d{1,2})\.?\s*([A-Za-zäÄöÖüÜ]+)\.?\s+(\d{4})$", text)
        if not found or found.group(2).lower() not in MONTHS:
            return None
        day, month, year = int(found.group(1)), MONTHS[found.group(2).lower()], int(found.group(3))
    if year < 100:
        year += 2000 if year < 70 else 1900
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def date_line(text: str) -> str | None:
    """The date of a line that is only a date (weekday, time stamp allowed), else None."""
    found = _DATE_LINE.match(text)
    if found:
        return parse_date(found.group("date") or found.group("date2"))
    found = _US_DATE_LINE.match(text)
    if found:
        try:
            return date(int(found["y"]), int(found["m"]), int(found["d"])).isoformat()
        except ValueError:
            return None
    return None


def dateline_prefix(text: str) -> tuple[str | None, int]:
    """A dateline with a date at the start of a lead: (ISO date, length of the dateline)."""
    found = _DATELINE.match(text)
    if not found:
        return None, 0
    value = parse_date(found.group("date") or found.group("date2"))
    return (value, found.end()) if value else (None, 0)


# -- shapes ----------------------------------------------------------------------------------------


def words(text: str) -> list[str]:
    return _WORD.findall(text)


def is_prose(text: str) -> bool:
    """A line of running text: long, or a sentence that ends like one."""
    if len(text) >= 160:
        return True
    if len(text) < 50:
        return False
    stripped = text.rstrip("\"“”'»)")
    return stripped.endswith((".", "!", "?", ";")) or bool(_SENTENCE_END.search(text, 15))


def headline_shape(text: str, *, field_ok: bool = False) -> str | None:
    """'strong', 'weak' or None: could this line be a headline, and how sure is that? A line shaped
    like a field (`Status: öffentlich`) is none unless `field_ok` (it stands alone, a kicker)."""
    if not text or len(text) > 250:
        return None
    first = text[0]
    if not (first.isupper() or first.isdigit() or first in "„\"'‚«»“(<"):
        return None
    tail = text.rstrip("\"“”'»«‘’")
    if tail.endswith((".", ",", ":", ";", "…")) and not tail.endswith(("...", "Nr.")):
        return None
    if tail.endswith("...") or " | " in text or _SENTENCE_END.search(text, 1) and len(text) > 90:
        return None
    found = _FIELD.match(text)
    if found and len(words(found.group("value"))) <= 3 and len(words(found.group("label"))) <= 2 and not field_ok:
        return None  # a field (`Status: öffentlich`), not a headline with a kicker
    if date_line(text) or _PREV_NEXT.match(text):
        return None
    tokens = [w for w in text.split() if any(c.isalnum() for c in w)]
    return "strong" if len(tokens) >= 3 or len(text) >= 35 else "weak"


def fold(text: str) -> str:
    """Lower case, umlauts written out, accents dropped: how URL slugs spell words."""
    text = text.lower().translate(_TRANSLIT)
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def slug_tokens(url: str | None, stopwords: frozenset[str]) -> list[str]:
    """The words of a URL's last path segment that may name the headline (`neue-kita-eroeffnet`)."""
    if not url:
        return []
    segments = [s for s in unquote(urlsplit(url).path).split("/") if s]
    segment = next((s for s in reversed(segments) if re.search(r"[A-Za-zÄÖÜäöüß]{3}", s)), "")
    segment = re.sub(r"\.(?:html?|php\d?|aspx?|jsp|cfm)$", "", segment, flags=re.I)
    segment = re.sub(r"(?:[_,-](?:aid|arid|id|nr)?[-_,]?\d{3,}.*)$", "", segment, flags=re.I)
    tokens = [t for t in re.split(r"[^0-9a-zA-Zäöüß]+", fold(segment)) if t]
    tokens = [t for t in tokens if not t.isdigit() and len(t) >= 2 and t not in stopwords]
    return tokens if any(len(t) >= 4 for t in tokens) else []


def _fold_tokens(text: str) -> list[tuple[str, int, int]]:
    """Folded words of a line with their offsets, umlauts also as bare vowels (`vorläufig`)."""
    out = []
    for found in re.finditer(r"[^\W_]+", text):
        out.append((fold(found.group()), found.start(), found.end()))
    return out


def hint_coverage(text: str, hint: Sequence[str]) -> float:
    """Share of a hint's words (URL slug, HTML title) that the line contains; short words
    (articles, prepositions) count only when the hint has nothing else."""
    hint = [t for t in hint if len(t) >= 4] or list(hint)
    if not hint:
        return 0.0
    have = set()
    for word, _, _ in _fold_tokens(text):
        have.add(word)
        have.add(word.replace("ae", "a").replace("oe", "o").replace("ue", "u"))
    return sum(1 for t in hint if t in have) / len(hint)


def strip_kicker(text: str, hint: Sequence[str]) -> str:
    """`<kicker> <headline>` → `<headline>` when the hint's words are exactly the line's last words."""
    if len(hint) < 3:
        return text
    tokens = _fold_tokens(text)
    n = len(hint)
    if len(tokens) <= n or len(tokens) - n > 4:
        return text
    tail = [w for w, _, _ in tokens[-n:]]
    if tail == list(hint):
        return text[tokens[-n][1]:].strip()
    return text


def matches_any(patterns: Iterable[re.Pattern[str]], text: str) -> re.Match[str] | None:
    for pattern in patterns:
        found = pattern.search(text)
        if found:
            return found
    return None


def join_paragraphs(lines: Iterable[str]) -> str:
    """Lines of one block joined by newline, blocks separated by a blank line."""
    paragraphs: list[list[str]] = [[]]
    for line in lines:
        if line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    return "\n\n".join("\n".join(p) for p in paragraphs if p)


# -- the page --------------------------------------------------------------------------------------


@dataclass
class Fields:
    """What the general rules read from a page (crawler/layout.py turns it into a PressRelease)."""

    title: str | None = None
    published: str | None = None
    sender: str | None = None
    category: str | None = None
    body: str = ""
    teasers: list[str] = field(default_factory=list)
    kind: str = "article"     # article | council | list


class StructuredPage:
    """A page's lines with their kinds; the general reading of headline, date and body."""

    def __init__(self, lines: list[Line], rules: TextRules, *, url: str | None = None,
                 furniture: frozenset[str] = frozenset(), extra_furniture: Sequence[re.Pattern[str]] = (),
                 hints: Sequence[Sequence[str]] = (), headings: Sequence[str] = (),
                 link_words: Sequence[str] = (), extra_body_end: Sequence[re.Pattern[str]] = ()):
        self.lines = lines
        self.link_words = frozenset(link_words or rules.link_words)
        self.extra_body_end = tuple(extra_body_end)
        self.rules = rules
        self.url = url
        self.known_furniture = furniture
        self.extra_furniture = tuple(extra_furniture)
        self.slug = slug_tokens(url, rules.slug_stopwords)
        self.hints = [list(h) for h in hints if h]
        self.headings = {normalize_space(h) for h in headings if h and normalize_space(h)}
        self.teasers: list[str] = []
        self._classify()

    # -- kinds -------------------------------------------------------------------------------

    def _classify(self) -> None:
        rules = self.rules
        links = self.link_words
        seen: set[str] = set()
        for line in self.lines:
            text = line.text
            if line.kind == "blank":
                continue
            if text in links:
                line.kind = "link"
            elif _BORDER.match(text):
                line.kind = "border"
            elif self.is_publication(text):
                line.kind = ""  # a date line is never furniture, however often it recurs
            elif rules.line_is("furniture_lines", text) or matches_any(self.extra_furniture, text) or (
                    text in self.known_furniture and not (self.slug and self.coverage(text) >= 0.8)):
                # A line the URL's slug spells out is this page's headline, even where other pages of
                # the host show it as a teaser.
                line.kind = "furniture"
            elif _BREADCRUMB.match(text):
                line.kind = "furniture"
            elif _PREV_NEXT.match(text):
                line.kind = "teaser"
                self.teasers.append(text)
            elif self._is_bar(text):
                line.kind = "nav"
            elif rules.cookie.search(text) and len(text) < 400:
                line.kind = "furniture"
            elif rules.label_only.match(text) and len(words(text)) <= 2 and not any(c.isdigit() for c in text):
                line.kind = "label"
            if line.kind == "" and len(text) >= 15:
                key = self.credit_cut(text) or text
                if key in seen:
                    line.kind = "repeat"
                seen.add(key)
        self._consent_block()
        self._menus()
        self._menu_columns()
        # A link word marks the line before it as the teaser it leads to.
        for i, line in enumerate(self.lines):
            if line.kind != "link":
                continue
            j = self.previous_content(i)
            if j is not None and self.lines[j].kind in ("", "repeat", "nav"):
                self.lines[j].kind = "teaser"
                self.teasers.append(self.lines[j].text)
        # Runs of headlines with their own date stamps are teasers of other articles.
        stamped = [i for i, line in enumerate(self.lines) if line.kind == "" and _STAMP.search(line.text)
                   and not is_prose(line.text)]
        for i in stamped:
            neighbours = [j for j in (self.previous_content(i), self.next_content(i)) if j is not None]
            if any(j in stamped or self.lines[j].kind in ("teaser", "link") for j in neighbours):
                self.lines[i].kind = "teaser"
                self.teasers.append(self.lines[i].text)

    def _consent_block(self) -> None:
        """A cookie-consent overlay at the top: the lines between two cookie lines a few lines apart
        (its explanation paragraphs, service names) belong to it."""
        content = self.content()[:20]
        cookies = [n for n, i in enumerate(content) if self.lines[i].kind == "furniture"
                   and self.rules.cookie.search(self.lines[i].text)]
        for a, b in zip(cookies, cookies[1:], strict=False):
            if b - a <= 5:
                for i in content[a + 1:b]:
                    if self.lines[i].kind == "":
                        self.lines[i].kind = "furniture"

    def _menus(self) -> None:
        """Words laid out in a row with wide gaps are a menu, unless the rows hold figures or run
        on for more than two lines (a table)."""
        run: list[int] = []
        for i in range(len(self.lines) + 1):
            wide = i < len(self.lines) and self.lines[i].wide_gaps >= 2 and self.lines[i].kind == ""
            if wide:
                run.append(i)
                continue
            if run and len(run) <= 2 and not any(any(c.isdigit() for c in self.lines[j].text) for j in run):
                for j in run:
                    self.lines[j].kind = "nav"
            run = []

    def _menu_columns(self) -> None:
        """A menu printed one item per line above the article: four or more short distinct lines
        in a row, no figures, above any headline-like line (table cells follow the headline)."""
        first_prose = next((i for i, line in enumerate(self.lines) if line.kind == "" and is_prose(line.text)),
                           len(self.lines))
        run: list[int] = []
        for i in range(first_prose + 1):
            line = self.lines[i] if i < first_prose else None
            if line is not None and line.kind == "" and headline_shape(line.text) == "weak" \
                    and not any(c.isdigit() for c in line.text):
                run.append(i)
                continue
            texts = [self.lines[j].text for j in run]
            if len(run) >= 4 and len(set(texts)) == len(texts):
                for j in run:
                    self.lines[j].kind = "nav"
            run = []
            if line is not None and line.kind == "" and headline_shape(line.text) == "strong":
                return  # below a headline, short lines in a row are a table's cells

    def _is_bar(self, text: str) -> bool:
        """A menu or tool bar: short items separated by `|`, nothing that reads as a sentence."""
        if "|" not in text:
            return False
        items = [p.strip() for p in text.split("|") if p.strip()]
        return bool(items) and all(len(p.split()) <= 5 for p in items) and not _SENTENCE_END.search(text)

    def is_publication(self, text: str) -> bool:
        rules = self.rules
        return (rules.line_is("publication_lines", text) or rules.line_is("head_publication_lines", text)
                or rules.line_is("closing_publication_lines", text) or bool(date_line(text)))

    def credit_cut(self, text: str) -> str:
        """The line without a trailing photo credit."""
        return self.rules.credit.sub("", text).rstrip(" ,;|/–-") if "©" in text or ":" in text else text

    def previous_content(self, i: int) -> int | None:
        for j in range(i - 1, -1, -1):
            if self.lines[j].kind != "blank":
                return j
        return None

    def next_content(self, i: int) -> int | None:
        for j in range(i + 1, len(self.lines)):
            if self.lines[j].kind != "blank":
                return j
        return None

    def content(self, start: int = 0, end: int | None = None) -> list[int]:
        end = len(self.lines) if end is None else end
        return [i for i in range(start, end) if self.lines[i].kind != "blank"]

    # -- page kinds ----------------------------------------------------------------------------

    def is_council(self) -> bool:
        """A page of a council information system (by the system's path names in its URL)."""
        if not self.url:
            return False
        parts = urlsplit(self.url)
        return bool(matches_any(self.rules.council_url_patterns, f"{parts.path}?{parts.query}"))

    def is_list(self) -> bool:
        """A list of other articles: dated items, each a teaser (or several `Weiterlesen` links)."""
        items = 0
        content = self.content()
        first_item = None
        for i in content:
            if not date_line(self.lines[i].text):
                continue
            previous, following = self.previous_content(i), self.next_content(i)
            if following is None or date_line(self.lines[following].text):
                continue
            if previous is None or (i > 0 and self.lines[i - 1].kind == "blank"):
                items += 1
                first_item = i if first_item is None else first_item
        links = sum(1 for line in self.lines if line.kind == "link" and line.text not in ("lesen",))
        first_prose = next((i for i in content if is_prose(self.lines[i].text)), None)
        opens_with_teaser = first_prose is not None and self.lines[first_prose].kind == "teaser"
        # A list starts with its first item; dated teasers or `mehr` links under an article do not
        # make it one.
        return (items >= 2 and first_item in content[:3]) or (links >= 3 and opens_with_teaser)

    # -- headline ------------------------------------------------------------------------------

    def candidates(self, start: int, end: int, *, kickers: bool = False) -> list[tuple[int, str]]:
        """Headline-shaped lines; with `kickers`, lone `<Kicker>: <Headline>` lines (a fallback only:
        `Autor: <Name>` above a headline has the same shape)."""
        out = []
        for i in range(start, end):
            line = self.lines[i]
            if line.kind != "":
                continue
            shape = headline_shape(line.text) or (kickers and self._lone_kicker(i)
                                                  and headline_shape(line.text, field_ok=True))
            if shape and not matches_any(self.rules.not_publication_lines, line.text) and not self.date_of(line.text):
                out.append((i, shape))
        return out

    def _lone_kicker(self, i: int) -> bool:
        """`<Kicker>: <Headline>` looks like a field; a field never stands alone, a kicker does (no
        field or label line next to it, a capitalised value of two words or more)."""
        found = _FIELD.match(self.lines[i].text)
        if not found or len(words(found.group("value"))) < 2 or not found.group("value")[:1].isupper():
            return False
        if matches_any(self.rules.furniture_lines, found.group("value")):
            return False  # `<Section>: <site name>`, a page's title bar
        for j in (self.previous_content(i), self.next_content(i)):
            if j is not None and (self.lines[j].kind == "label" or _FIELD.match(self.lines[j].text)):
                return False
        return True

    def coverage(self, text: str) -> float:
        scores = [hint_coverage(text, h) for h in ([self.slug] if self.slug else []) + self.hints]
        return max(scores, default=0.0)

    def choose_headline(self, start: int, end: int, pub: int | None) -> int | None:
        cands = self.candidates(start, end) or self.candidates(start, end, kickers=True)
        if (self.slug or self.hints) and end < len(self.lines) and self._rescuable(self.lines[end]) \
                and self.coverage(self.lines[end].text) >= 0.8:
            return end  # the slug spells out a line that reads like a quoted sentence: it is the headline
        if not cands:
            return None
        if self.headings:
            for i, _ in cands:
                if self.lines[i].text in self.headings:
                    return i
        if self.slug or self.hints:
            scored = sorted(((self.coverage(self.lines[i].text), -i, i) for i, _ in cands), reverse=True)
            best, _, index = scored[0]
            if best >= 0.6:
                return index
            if best < 0.2 and len(self.slug) >= 3 and not self.hints:
                # The slug names a headline the text does not show: the first line is a subtitle.
                return None
        strong = [i for i, shape in cands if shape == "strong"]
        if pub is not None:
            after = [i for i in strong if i > pub and self._only_furniture_between(pub, i)]
            if after:
                return after[0]
            before = [i for i in strong if i < pub and self._only_furniture_between(i, pub)]
            if before:
                return before[-1]
        set_off = [i for i, _ in cands if self._gap(i, -1) >= 2 and self._gap(i, 1) >= 2]
        if set_off:
            return set_off[0]  # a line set off by empty lines above and below, as old layouts show it
        if strong:
            return strong[0]
        i, _ = cands[0]
        following = self.next_content(i)
        if i + 1 < len(self.lines) and self.lines[i + 1].kind == "blank" and following is not None and (
                is_prose(self.lines[following].text) or headline_shape(self.lines[following].text)):
            return i
        return None

    def _rescuable(self, line: Line) -> bool:
        """A headline that ends in a quoted sentence (`… - "Heimat - dank Dir."`) looks like prose."""
        text = line.text
        return (line.kind == "" and len(text) <= 200 and text.endswith((".\"", ".“", ".”", "!\"", "!“"))
                and not _SENTENCE_END.search(text) and not self.date_of(text))

    def _gap(self, i: int, step: int) -> int:
        """Blank lines next to line i, above (step -1) or below (+1); 0 at the page's edge."""
        n, j = 0, i + step
        while 0 <= j < len(self.lines) and self.lines[j].kind == "blank":
            n, j = n + 1, j + step
        return n if 0 <= j < len(self.lines) else 0

    def _only_furniture_between(self, a: int, b: int) -> bool:
        for j in range(a + 1, b):
            line = self.lines[j]
            if line.kind in ("", "repeat") and not self.date_of(line.text) and not matches_any(
                    self.rules.not_publication_lines, line.text) and not _FIELD.match(line.text) \
                    and not re.fullmatch(r"[\w/.-]*\d[\w/.-]*", line.text):
                return False
        return True

    def title_text(self, i: int) -> str:
        text = self.lines[i].text
        for hint in ([self.slug] if self.slug else []) + self.hints:
            trimmed = strip_kicker(text, hint)
            if trimmed != text:
                return trimmed
        return text

    # -- dates ---------------------------------------------------------------------------------

    def date_of(self, text: str) -> str | None:
        """The publication date a head line gives (a labelled line or a bare date line)."""
        if matches_any(self.rules.not_publication_lines, text):
            return None
        found = (matches_any(self.rules.publication_lines, text) or matches_any(self.rules.head_publication_lines, text)
                 or matches_any(self.rules.headline_date_lines, text))
        if found:
            return parse_date(found.group("date"))
        return date_line(text)

    def labelled_publication(self, start: int, end: int) -> tuple[int, str | None, str | None] | None:
        """(line, date, sender) of the first labelled publication line between start and end; a
        `head_publication_lines` label (`Datum:`) counts only among the page's first lines."""
        head = set(self.content()[:8])
        for i in self.content(start, end):
            line = self.lines[i]
            if line.kind not in ("", "repeat"):
                continue
            found = matches_any(self.rules.publication_lines, line.text) or (
                i in head and matches_any(self.rules.head_publication_lines, line.text))
            if found:
                groups = found.groupdict()
                sender = (groups.get("sender") or "").strip() or None
                return i, parse_date(groups["date"]), sender
        return None

    # -- readings ------------------------------------------------------------------------------

    def read_general(self, closing: tuple[int, str | None, str | None] | None = None) -> Fields:
        """Headline, date and body of a page without a known layout (or up to a closing line)."""
        if self.is_list():
            return Fields(kind="list", teasers=self.teasers)
        end = closing[0] if closing else len(self.lines)
        content = self.content(0, end)
        def prose_after(k: int) -> int:
            return next((i for i in content if i > k and self.lines[i].kind == "" and is_prose(self.lines[i].text)
                         and not self._shown_twice(i)), end)
        first_prose = prose_after(-1)
        head_start = 0
        labelled = self.labelled_publication(0, content[29] + 1 if len(content) > 29 else end)
        if labelled and labelled[0] > first_prose and labelled[0] in content[:8] and prose_after(labelled[0]) < end:
            # Paragraphs above the publication line (an archive warning, a consent notice) are not
            # the article; a closing `Artikel vom …` under the article moves nothing.
            head_start = labelled[0]
            first_prose = prose_after(head_start)
        pub_index = labelled[0] if labelled and labelled[0] <= first_prose else None
        title_index = self._priority_headline(head_start, end)
        if title_index is None:
            title_index = self.choose_headline(head_start, first_prose, pub_index)
            if title_index is None and content and content[0] <= first_prose and self._sentence_headline(content):
                title_index = content[0]
                first_prose = prose_after(title_index) if title_index == first_prose else first_prose
        elif title_index > first_prose:
            first_prose = prose_after(title_index)
        fields = Fields(teasers=self.teasers)
        if title_index is not None:
            fields.title = self._title(title_index)
        used: set[int] = set()
        if labelled:
            fields.published, fields.sender = labelled[1], labelled[2]
            used.add(labelled[0])
        else:
            found = self._head_date(head_start, first_prose, title_index)
            if found:
                fields.published = found[1]
                used.add(found[0])
            elif title_index is not None and (stamp := _STAMP.search(self.lines[title_index].text)) \
                    and "Update" not in stamp.group():
                fields.published = parse_date(stamp.group().strip("()").split()[0])  # `<H> (DD.MM.YYYY)`
        start = title_index + 1 if title_index is not None else head_start
        body_lines = self._body(start, end, title_index, used, fields)
        if closing:
            fields.published = fields.published or closing[1]
            fields.sender = fields.sender or closing[2]
        if title_index is not None:
            body_lines = self._caption_above(head_start, title_index) + body_lines
            if self._opens_with_salutation(title_index):
                # A speech or letter: its heading line (who speaks, where, when) is part of the text.
                body_lines = [self.lines[title_index].text, ""] + body_lines
        fields.body = join_paragraphs(body_lines)
        return fields

    def _sentence_headline(self, content: list[int]) -> bool:
        """A headline written as one short sentence with a full stop: the page's first line, set off by
        a blank line, and shown again further down (in a teaser or a `… weiterlesen` line)."""
        i = content[0]
        if self.lines[i].kind != "":
            return False
        text = self.lines[i].text
        if len(text) > 120 or not text.endswith(".") or _SENTENCE_END.search(text) or \
                i + 1 >= len(self.lines) or self.lines[i + 1].kind != "blank":
            return False
        return any(text in self.lines[j].text for j in content[1:])

    def _opens_with_salutation(self, title: int) -> bool:
        following = self.next_content(title)
        return following is not None and bool(matches_any(self.rules.salutation_lines, self.lines[following].text))

    def _title(self, i: int) -> str:
        found = matches_any(self.rules.headline_lines, self.lines[i].text)
        if found and "title" in found.groupdict():
            return found.group("title").strip()
        return self.title_text(i)

    def _priority_headline(self, start: int, end: int) -> int | None:
        """A labelled headline (`Betreff:`, `Auszug - …`) near the top; the first pattern wins."""
        top = [i for i in self.content(start, end)[:15] if self.lines[i].kind == ""]
        for pattern in self.rules.headline_lines:
            for i in top:
                if pattern.search(self.lines[i].text):
                    return i
        return None

    def _head_date(self, start: int, end: int, title: int | None) -> tuple[int, str] | None:
        """A date line in the head: the one nearest the headline, or the first when there is none."""
        found: list[tuple[int, str]] = []
        for i in self.content(start, min(end + 1, len(self.lines))):
            line = self.lines[i]
            if line.kind not in ("", "repeat") or i == title or is_prose(line.text):
                continue
            value = self.date_of(line.text)
            if value is None:
                continue
            if _US_DATE_LINE.match(line.text):
                previous = self.previous_content(i)
                if previous is None or not self.lines[previous].text.endswith(","):
                    continue  # a US date is a dateline only after `<Ort>,`
            if matches_any(self.rules.headline_date_lines, line.text) and (title is None or i < title):
                continue  # `Aktualisiert am` counts under the headline only
            found.append((i, value))
        if title is None:
            top = self.content(start, end)[:3]
            found = [item for item in found if item[0] in top]
        else:
            found = [item for item in found if self._near(min(item[0], title), max(item[0], title))]
        if not found:
            return None
        if title is None:
            return found[0]
        return min(found, key=lambda item: (abs(item[0] - title), item[0] < title))

    def _near(self, a: int, b: int) -> bool:
        """At most two short lines (a place, a network line) between a headline and its date."""
        between = [j for j in range(a + 1, b) if self.lines[j].kind in ("", "repeat")
                   and not self.date_of(self.lines[j].text)]
        return len(between) <= 2 and not any(is_prose(self.lines[j].text) for j in between)

    def _shown_twice(self, i: int) -> bool:
        """A caption printed twice (alt text and caption): the first of the pair."""
        j = self.next_content(i)
        return j is not None and self.lines[j].kind == "repeat" and self.lines[j].text == self.lines[i].text

    def _caption_above(self, start: int, title: int) -> list[str]:
        """A caption shown twice right above the headline belongs to the article (once)."""
        j = self.previous_content(title)
        k = self.previous_content(j) if j is not None else None
        if j is None or k is None or j < start or k < start:
            return []
        a, b = self.lines[k].text, self.lines[j].text
        if self.lines[j].kind == "repeat" and a == b and is_prose(a):
            return [self.credit_cut(a), ""]
        return []

    def _tool_block(self, i: int, end: int) -> set[int]:
        """The lines of the paragraph a tool label introduces (an automatic summary)."""
        block: set[int] = set()
        j = self.next_content(i)
        while j is not None and j < end and self.lines[j].kind != "blank":
            block.add(j)
            j += 1
        return block

    def _body(self, start: int, end: int, title: int | None, used: set[int], fields: Fields) -> list[str]:
        """The article's lines from `start`: furniture out, stopping at the first footer line."""
        rules = self.rules
        title_text = self.lines[title].text if title is not None else None
        out: list[str] = []
        seen_prose = False
        in_link_box = False
        for i in range(start, end):
            line = self.lines[i]
            text = line.text
            if line.kind == "blank":
                out.append("")
                continue
            if i in used:
                continue
            if line.kind in ("teaser", "link") or matches_any(self.extra_body_end, text):
                if seen_prose:
                    break
                continue
            if line.kind in ("", "label") and (matches_any(rules.body_end_lines, text)
                                               or matches_any(rules.closing_publication_lines, text)):
                if seen_prose:
                    break
                continue
            if line.kind != "":
                continue
            if matches_any(rules.tool_block_lines, text):
                used.update(self._tool_block(i, end))
                continue
            if title_text and seen_prose and title_text in text and text != title_text and not is_prose(text):
                break  # a photo list or image title naming the article: the body is over
            if matches_any(rules.link_box_lines, text):
                in_link_box = True
                continue
            if in_link_box:
                if not is_prose(text):
                    continue
                in_link_box = False
            has_content = any(out)
            if not has_content and self.date_of(text) and not is_prose(text):
                continue  # a date line between headline and body is the page's, not a body date
            if not has_content:
                value, length = dateline_prefix(text)
                if value:
                    fields.published = fields.published or value
                    text = text[length:].strip()
                if title is None and headline_shape(text) == "weak":
                    continue  # a site or section label before a body without headline
            cut = self.credit_cut(text)
            if not cut:
                continue
            out.append(cut)
            seen_prose = seen_prose or is_prose(cut)
        return _trim_tail(out)

    def read_council(self) -> Fields:
        """A council document: all of its text is the body; title and date only from its fields."""
        fields = Fields(kind="council", teasers=self.teasers)
        content = self.content()
        drop: set[int] = set()
        title = self._priority_headline(0, len(self.lines))
        if title is not None:
            fields.title = self._title(title)
            drop.add(title)
        for i in content[:25]:
            if (found := matches_any(self.rules.field_date_lines, self.lines[i].text)) and (
                    value := parse_date(found.group("date"))):
                fields.published = value
                drop.add(i)
                break
        out = []
        for i, line in enumerate(self.lines):
            if i in drop or line.kind in ("furniture", "border", "link", "nav"):
                continue
            out.append("" if line.kind == "blank" else line.text)
        fields.body = join_paragraphs(out)
        return fields


def _trim_tail(out: list[str]) -> list[str]:
    """Sign-offs after the text (a press officer's name and office, `Stadt <Ort>`) are not body."""
    while out and not out[-1]:
        out.pop()
    content = [k for k, t in enumerate(out) if t]
    if not any(is_prose(t) for t in out):
        return out
    cut = len(out)
    for k in reversed(content[-3:]):
        text = out[k]
        tokens = text.split()
        if is_prose(text) or len(tokens) > 4 or any(c.isdigit() for c in text) or text.endswith((".", "!", "?", ":")):
            break
        if not all(t[0].isupper() or not t[0].isalpha() for t in tokens):
            break
        cut = k
    trimmed = out[:cut]
    while trimmed and not trimmed[-1]:
        trimmed.pop()
    return trimmed
