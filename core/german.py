"""German calendar words and the one stop-word list: defined once, used by crawler, nlp,
reports, search, the classifier, the sample-archive generator and the benchmarks."""

from __future__ import annotations

import re
from datetime import date

from kommunalmonitor.core.resources import data_file

MONTHS = ("Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
          "Oktober", "November", "Dezember")
SHORT_MONTHS = ("Jan.", "Feb.", "März", "Apr.", "Mai", "Juni", "Juli", "Aug.", "Sep.", "Okt.", "Nov.", "Dez.")
WEEKDAYS = ("Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag")

# Lower-case month words as pages write them (full, Austrian, ASCII-folded, abbreviated) → 1..12.
MONTH_NUMBERS = {
    "januar": 1, "jänner": 1, "jan": 1, "februar": 2, "feb": 2, "febr": 2, "märz": 3, "maerz": 3,
    "mär": 3, "mrz": 3, "april": 4, "apr": 4, "mai": 5, "juni": 6, "jun": 6, "juli": 7, "jul": 7,
    "august": 8, "aug": 8, "september": 9, "sep": 9, "sept": 9, "oktober": 10, "okt": 10,
    "november": 11, "nov": 11, "dezember": 12, "dez": 12,
}
# Lower-case weekday words → Python's weekday() (Monday 0); "Sonnabend" is the northern Saturday.
WEEKDAY_NUMBERS = {"montag": 0, "dienstag": 1, "mittwoch": 2, "donnerstag": 3, "freitag": 4,
                   "samstag": 5, "sonnabend": 5, "sonntag": 6}

# "12.03.2021"; council systems also write "12. 03. 2021".
NUMERIC_DATE = re.compile(r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b")
NUMERIC_DATE_SPACED = re.compile(r"\b(\d{1,2})\.\s?(\d{1,2})\.\s?(\d{4})\b")


def numeric_date(text: str | None, spaced: bool = False) -> date | None:
    """The first DD.MM.YYYY date in a text (`spaced`: also with a space after each dot), or None
    when there is none or it is no calendar day. The crawler's header and listing dates; the text's
    own dates are pipeline/nlp/dates.py's."""
    found = (NUMERIC_DATE_SPACED if spaced else NUMERIC_DATE).search(text or "")
    if not found:
        return None
    day, month, year = (int(g) for g in found.groups())
    try:
        return date(year, month, day)
    except ValueError:
        return None


STOPWORDS_FILE = "lexicons/stopwords-de.txt"


def stopwords() -> tuple[str, ...]:
    """The German function words of data/lexicons/stopwords-de.txt (a user's copy under
    $KOMO_HOME wins), as written, in file order."""
    lines = data_file(STOPWORDS_FILE).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#"))
