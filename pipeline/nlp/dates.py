"""German date expressions → ISO values, as a spaCy component (`komo_dates`).

Rules, not a date parser: dateparser-style libraries read "die", "mit" as weekdays and
decimals as dates on press pages. Every value is checked against the calendar.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

from spacy.language import Language
from spacy.tokens import Doc, Span

from kommunalmonitor.core.german import MONTH_NUMBERS as MONTHS
from kommunalmonitor.core.german import WEEKDAY_NUMBERS as WEEKDAYS

from .doctext import doc_text

_MONTH = (r"(?P<{name}>Januar|Jänner|Februar|März|Maerz|April|Mai|Juni|Juli|August|September|"
          r"Oktober|November|Dezember|(?:Jan|Febr?|Mär|Mrz|Apr|Jun|Jul|Aug|Sept?|Okt|Nov|Dez)\.)")
_WEEKDAY = (r"(?:(?P<weekday>Montag|Dienstag|Mittwoch|Donnerstag|Freitag|Samstag|Sonnabend|Sonntag)"
            r",?\s+(?:den\s+)?)?")
_YEAR4 = r"(?P<{name}>(?:19|20)\d\d)"
_DAY = r"(?P<{name}>[012]?\d|3[01])"
# Words after a number that make it a quantity, not a year.
_UNITS = (r"Euro|EUR|€|DM|Mark|Prozent|%|Menschen|Personen|Plätze|Plätzen|Betten|Stück|Meter|"
          r"Kilometer|km|m²|qm|Quadratmeter|Teilnehmer\w*|Besucher\w*|Kinder\w*|Schüler\w*|"
          r"Wohnungen|Stunden|Tonnen|Einwohner\w*|Mitglied\w*|Fälle|Flüchtling\w*|Geflüchtete\w*|"
          r"Mal|mal|Exemplare|Seiten|Euro\w*|Haushalte|Familien|Fahrzeuge|Stimmen|Unterschriften")
_QUANTITY_BEFORE = re.compile(r"(?<![\wäöüß])(?:rund|etwa|ca\.|circa|über|mehr als|knapp|fast|insgesamt|"
                              r"bis zu|mindestens|Nr\.|Nummer|Drucksache|Vorlage|Tel\.|Telefon|Fax|"
                              r"PLZ|§|Art\.|Abs\.|Produkt|Kostenstelle|Az\.|Aktenzeichen|TOP)\s*$")


# Day with textual month: "16. September 2019", "1. Mai", "Montag, 9. Januar 2023"
FULL_TEXT = re.compile(
    r"\b" + _WEEKDAY + _DAY.format(name="day") + r"\.\s*" + _MONTH.format(name="month")
    + r"(?:\s+" + _YEAR4.format(name="year") + r"|(?P<noyear>))(?![\d])"
)
# Numeric: "16.09.2019", "31.12.17", "Montag, 9.01.2023"
FULL_NUMERIC = re.compile(
    r"(?<![\d.,])" + _WEEKDAY + _DAY.format(name="day") + r"\.\s?(?P<month>0?[1-9]|1[0-2])\.\s?"
    r"(?P<year>(?:19|20)\d\d|\d\d)(?![\d]|\.\d|,\d)"
)
# Numeric without year, only after a word that introduces a date: "am 9.1.", "bis 15.03."
DAY_MONTH_NUMERIC = re.compile(
    r"(?:\b(?:[Aa]m|[Vv]om|bis|zum|ab|den|seit|(?:Mo|Di|Mi|Do|Fr|Sa|So)\.,?)\s+|"
    + _WEEKDAY.replace("?P<weekday>", "?P<weekday2>")[:-1]
    + r")" + r"(?P<day>[012]?\d|3[01])\.(?P<month>0?[1-9]|1[0-2])\.(?!\d)"
)
# Range with textual month: "vom 1. bis 5. März 2020", "1.–5. März 2020", "1. März bis 5. April 2020"
RANGE_TEXT = re.compile(
    r"\b(?:[Vv]om\s+|[Vv]on\s+|[Zz]wischen\s+dem\s+)?" + _DAY.format(name="day1") + r"\.\s*(?:"
    + _MONTH.format(name="month1") + r"\s*(?:" + _YEAR4.format(name="year1") + r"\s*)?)?"
    r"(?:bis(?:\s+zum)?|–|-|und)\s*" + _DAY.format(name="day2") + r"\.\s*"
    + _MONTH.format(name="month2") + r"(?:\s+" + _YEAR4.format(name="year2") + r")?(?![\d])"
)
# Range numeric: "vom 1.3. bis 5.3.2020", "01.03.–05.03.2020"
RANGE_NUMERIC = re.compile(
    r"(?<![\d.,])(?:vom\s+)?(?P<day1>[012]?\d|3[01])\.(?P<month1>0?[1-9]|1[0-2])\."
    r"(?P<year1>(?:19|20)?\d\d)?"
    r"\s*(?:bis(?:\s+zum)?|–|-)\s*(?P<day2>[012]?\d|3[01])\.(?P<month2>0?[1-9]|1[0-2])\."
    r"(?P<year2>(?:19|20)\d\d|\d\d)(?![\d]|\.\d|,\d)"
)
# Month and year: "Dezember 2017", "Mitte Mai 2018", "Ende März 2023"
MONTH_YEAR = re.compile(
    r"(?<![\d.]\s)(?<![\d])\b(?:(?:Anfang|Mitte|Ende)\s+)?" + _MONTH.format(name="month")
    + r"\s+" + _YEAR4.format(name="year") + r"(?![\d])"
)
# Month range: "von Mai bis August 2019", "zwischen April und Juni 2022"
MONTH_RANGE = re.compile(
    r"\b(?:[Vv]on\s+|[Zz]wischen\s+)?" + _MONTH.format(name="month1") + r"\s+(?:bis|und|–|-)\s+"
    + _MONTH.format(name="month2") + r"\s+" + _YEAR4.format(name="year") + r"(?![\d])"
)
# Year range: "2017 bis 2019", "von 2017 bis 2019", "2017–2019"
YEAR_RANGE = re.compile(
    r"(?<![\d.,/])\b(?:von\s+|zwischen\s+)?" + _YEAR4.format(name="year1")
    + r"\s*(?:bis|–|-|und)\s*" + _YEAR4.format(name="year2") + r"\b(?![.,]\d|/\d)"
)
# School, season and budget years "2017/18", "2017/2018": one period, no calendar date
# (labelling.md); matched only to keep their halves from counting as two bare years.
YEAR_PAIR = re.compile(r"(?<![\d.,/])\b" + _YEAR4.format(name="year1")
                       + r"/(?P<year2>\d\d|(?:19|20)\d\d)\b(?![\d/])")
YEAR = re.compile(r"(?<![\d.,/€$-])\b(?P<year>(?:19[5-9]|20[0-4])\d)\b(?![.,]\d|/\d|-\d|\s?[%€])")
# Older years only after a word that makes them a point in time ("geboren 1921").
OLD_YEAR = re.compile(r"\b(?:[Gg]eboren|[Gg]egründet|[Ss]eit|[Ii]m\s+Jahr(?:e)?|[Aa]b|[Bb]is|[Vv]on|[Ee]nde|"
                      r"[Aa]nfang|[Mm]itte|[Ii]n\s+den\s+Jahren)\s+(?P<year>1[89]\d\d)\b(?![.,]\d|/\d)")
_UNIT_AFTER = re.compile(r"\s*(?:" + _UNITS + r")\b")


@dataclass(frozen=True)
class DateMention:
    start: int
    end: int
    value: str
    inferred: bool = False
    range: str | None = None


def _year(text: str) -> int:
    number = int(text)
    if number < 100:
        return 2000 + number if number < 50 else 1900 + number
    return number


def _month(text: str) -> int:
    return MONTHS[text.lower().rstrip(".")]


def _day_month_value(day: int, month: int, year: int | None, weekday: str | None,
                     published: date | None) -> tuple[str, bool] | None:
    """A full ISO date, inferring the year from the publication date when the text has none."""
    if year is not None:
        try:
            return date(year, month, day).isoformat(), False
        except ValueError:
            return None
    if published is None:
        try:
            date(2000, month, day)  # leap-year safe check of day/month
        except ValueError:
            return None
        return f"--{month:02d}-{day:02d}", False
    candidates = []
    for candidate_year in (published.year - 1, published.year, published.year + 1):
        try:
            candidates.append(date(candidate_year, month, day))
        except ValueError:
            continue
    if not candidates:
        return None
    if weekday:
        matching = [c for c in candidates if c.weekday() == WEEKDAYS[weekday.lower()]]
        if matching:
            candidates = matching
    best = min(candidates, key=lambda c: (abs((c - published).days), -c.toordinal()))
    return best.isoformat(), True


# Gates: every pattern needs a digit, the ones with a month name need a month name.
_DIGITS = re.compile(r"\d+")
_ANY_MONTH = re.compile(_MONTH.format(name="month"))
_DAY_MONTH = re.compile(r"\d\.\s?\d")  # in every numeric day.month ("9.3.", "16. 09.", "1.3.–5.3.2020")
_FOUR_DIGITS = re.compile(r"\d{4}")  # in every four-digit year
# Whitespace-separated words a match can have before its first digit ("zwischen April und Juni
# 2022": four) and after its last one ("5. März": one, then two characters of lookahead), each
# with a spare.
_WORDS_BEFORE, _WORDS_AFTER = 5, 3
# From a digit: the rest of its word and _WORDS_BEFORE words (read in the reversed text); its
# word and _WORDS_AFTER words, and whether a word follows them (else the stretch ends the text).
_WORDS_BEFORE_DIGIT = re.compile(rf"\S*(?:\s+\S+){{0,{_WORDS_BEFORE}}}")
_WORDS_AFTER_DIGIT = re.compile(rf"\S*(?:\s+\S+){{0,{_WORDS_AFTER}}}(?P<more>\s+\S)?")


def digit_segments(text: str) -> list[tuple[int, int]]:
    """Stretches of `text` around its digits, _WORDS_BEFORE words before and _WORDS_AFTER words
    after each, overlapping ones joined. Every pattern's match needs a digit, so it lies in one
    stretch with all it looks at ahead, and `finditer(text, start, end)` over the stretches finds
    what `finditer(text)` finds (lookbehinds and \\b still see the text before a stretch)."""
    runs = [m.start() for m in _DIGITS.finditer(text)]
    if not runs:
        return []
    # The words around a digit, read from the digit: backwards in the reversed text.
    backwards = text[::-1]
    size = len(text)
    segments: list[tuple[int, int]] = []
    for position in runs:
        if segments and position < segments[-1][1]:
            # Within the last stretch: its words after reach at least as far as the last digit's.
            after = _WORDS_AFTER_DIGIT.match(text, position)
            end = after.start("more") if after["more"] is not None else size  # type: ignore[union-attr]
            segments[-1] = (segments[-1][0], max(end, segments[-1][1]))
            continue
        start = size - _WORDS_BEFORE_DIGIT.match(backwards, size - 1 - position).end()  # type: ignore[union-attr]
        after = _WORDS_AFTER_DIGIT.match(text, position)
        end = after.start("more") if after["more"] is not None else size  # type: ignore[union-attr]
        if segments and start <= segments[-1][1]:
            segments[-1] = (segments[-1][0], max(end, segments[-1][1]))
        else:
            segments.append((start, end))
    return segments


def find_dates(text: str, published: date | None = None, gates: bool = False) -> list[DateMention]:
    """All date mentions in `text`, longest patterns first, no overlaps, in text order. With
    `gates`, the patterns run only over the stretches around digits, those with a month name only
    over the stretches that have one."""
    segments = digit_segments(text) if gates else [(0, len(text))]
    if not segments:
        return []
    # The patterns with a month name run only over the stretches that have one; those with a
    # numeric day and month only where a digit, a full stop and a digit meet; those with a
    # four-digit year only where four digits do.
    if gates:
        month_segments = [(start, end) for start, end in segments if _ANY_MONTH.search(text, start, end)]
        day_month_segments = [(start, end) for start, end in segments if _DAY_MONTH.search(text, start, end)]
        year_segments = [(start, end) for start, end in segments if _FOUR_DIGITS.search(text, start, end)]
    else:
        month_segments = day_month_segments = year_segments = segments

    def scan(pattern: re.Pattern[str], where: list[tuple[int, int]] = segments) -> Iterator[re.Match[str]]:
        for start, end in where:
            yield from pattern.finditer(text, start, end)

    taken: list[tuple[int, int]] = []
    found: list[DateMention] = []

    def free(start: int, end: int) -> bool:
        return all(end <= s or start >= e for s, e in taken)

    def add(start: int, end: int, mentions: list[DateMention]) -> None:
        if mentions and free(start, end):
            taken.append((start, end))
            found.extend(mentions)

    for m in scan(RANGE_TEXT, month_segments):
        year2 = int(m["year2"]) if m["year2"] else None
        month2 = _month(m["month2"])
        month1 = _month(m["month1"]) if m["month1"] else month2
        year1 = int(m["year1"]) if m["year1"] else year2
        end_value = _day_month_value(int(m["day2"]), month2, year2, None, published)
        start_value = _day_month_value(int(m["day1"]), month1, year1, None, published)
        if start_value and end_value:
            add(m.start(), m.end(), [
                DateMention(m.start(), m.end(), start_value[0], start_value[1], "start"),
                DateMention(m.start(), m.end(), end_value[0], end_value[1], "end")])
    for m in scan(RANGE_NUMERIC, day_month_segments):
        year2 = _year(m["year2"])
        year1 = _year(m["year1"]) if m["year1"] else year2
        start_value = _day_month_value(int(m["day1"]), int(m["month1"]), year1, None, None)
        end_value = _day_month_value(int(m["day2"]), int(m["month2"]), year2, None, None)
        if start_value and end_value:
            add(m.start(), m.end(), [DateMention(m.start(), m.end(), start_value[0], False, "start"),
                                     DateMention(m.start(), m.end(), end_value[0], False, "end")])
    for pattern in (FULL_TEXT, FULL_NUMERIC):
        for m in scan(pattern, month_segments if pattern is FULL_TEXT else day_month_segments):
            if pattern is FULL_NUMERIC and len(m["year"]) == 2 and _QUANTITY_BEFORE.search(
                    text[max(0, m.start() - 25):m.start()] + " "[:0]):
                continue
            month = _month(m["month"]) if pattern is FULL_TEXT else int(m["month"])
            year = _year(m["year"]) if m["year"] else None
            value = _day_month_value(int(m["day"]), month, year, m["weekday"], published)
            if value:
                add(m.start(), m.end(), [DateMention(m.start(), m.end(), value[0], value[1])])
    for m in scan(DAY_MONTH_NUMERIC, day_month_segments):
        value = _day_month_value(int(m["day"]), int(m["month"]), None, m["weekday2"], published)
        if value:
            start = m.start("day") if not m["weekday2"] else m.start()
            add(start, m.end(), [DateMention(start, m.end(), value[0], value[1])])
    for m in scan(MONTH_RANGE, month_segments):
        year = m["year"]
        add(m.start(), m.end(), [
            DateMention(m.start(), m.end(), f"{year}-{_month(m['month1']):02d}", False, "start"),
            DateMention(m.start(), m.end(), f"{year}-{_month(m['month2']):02d}", False, "end")])
    for m in scan(MONTH_YEAR, month_segments):
        add(m.start(), m.end(), [DateMention(m.start(), m.end(), f"{m['year']}-{_month(m['month']):02d}")])
    for m in scan(YEAR_RANGE, year_segments):
        if int(m["year1"]) < int(m["year2"]) and not _UNIT_AFTER.match(text, m.end()):
            add(m.start(), m.end(), [DateMention(m.start(), m.end(), m["year1"], False, "start"),
                                     DateMention(m.start(), m.end(), m["year2"], False, "end")])
    for m in scan(YEAR_PAIR, year_segments):
        second = int(m["year2"]) if len(m["year2"]) == 4 else int(m["year1"]) // 100 * 100 + int(m["year2"])
        if second == int(m["year1"]) + 1 and free(m.start(), m.end()):
            taken.append((m.start(), m.end()))
    for m in scan(OLD_YEAR, year_segments):
        add(m.start("year"), m.end("year"), [DateMention(m.start("year"), m.end("year"), m["year"])])
    for m in scan(YEAR, year_segments):
        before = text[max(0, m.start() - 25):m.start()]
        if _UNIT_AFTER.match(text, m.end()) or _QUANTITY_BEFORE.search(before):
            continue
        add(m.start(), m.end(), [DateMention(m.start(), m.end(), m["year"])])
    found.sort(key=lambda d: (d.start, d.range != "start"))
    return found


if not Span.has_extension("chars"):
    # Exact character offsets of a regex match, where token boundaries would widen the span
    # ("2019." is one token at a sentence end).
    Span.set_extension("chars", default=None)
if not Span.has_extension("value"):
    Span.set_extension("value", default=None)
    Span.set_extension("inferred", default=False)
    Span.set_extension("range", default=None)
    Span.set_extension("dates", default=None)
if not Doc.has_extension("published"):
    Doc.set_extension("published", default=None)


class DateRecognizer:
    """Puts every date mention in `doc.spans["dates"]` with its ISO value on `span._.value`."""

    def __init__(self, nlp: Language, name: str, gates: bool = True):
        self.name = name
        self.gates = gates

    def __call__(self, doc: Doc) -> Doc:
        published = date.fromisoformat(doc._.published) if doc._.published else None
        spans = []
        by_offsets: dict[tuple[int, int], list[DateMention]] = {}
        for mention in find_dates(doc_text(doc), published, self.gates):
            by_offsets.setdefault((mention.start, mention.end), []).append(mention)
        for mention in _years_in_names(doc):
            by_offsets.setdefault((mention.start, mention.end), [mention])
        # spaCy keys span extensions by character offsets, so a range ("vom 1. bis 5. März")
        # is one span carrying both of its dates on `span._.dates`.
        for (start, end), mentions in by_offsets.items():
            span = doc.char_span(start, end, label="DATE", alignment_mode="expand")
            if span is None:
                continue
            span._.chars = (start, end)
            # plain tuples (value, inferred, range): they must cross process boundaries
            span._.dates = [(m.value, m.inferred, m.range) for m in mentions]
            span._.value = mentions[0].value
            span._.inferred = mentions[0].inferred
            span._.range = mentions[0].range
            spans.append(span)
        doc.spans["dates"] = spans
        return doc


_NAME_YEAR = re.compile(r"^(?:1[89]|20)\d\d$")


def _years_in_names(doc: Doc) -> list[DateMention]:
    """A founding year that ends an organisation's name ("Turnverein Opladen 1887") is a date
    (labelling.md), however old: the body recogniser (run before) has told a name from a number."""
    found = []
    for span in doc.spans.get("bodies", ()):
        last = span[-1]
        year = last.text.rstrip(".")
        if _NAME_YEAR.match(year) and len(span) > 1:
            found.append(DateMention(last.idx, last.idx + len(year), year))
    return found


@Language.factory("komo_dates", default_config={"gates": True})
def make_date_recognizer(nlp: Language, name: str, gates: bool) -> DateRecognizer:
    return DateRecognizer(nlp, name, gates)
