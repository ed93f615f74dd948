"""Named naive baselines that `komo evaluate extraction` prints beside our scores, so a figure
says how much the pipeline adds over what anyone would try first:

- page fields: trafilatura's title and htmldate's date for HTML pages; for rendered text, the
  first non-empty line as the title and the first full date anywhere as the publication date;
- dates: one regular expression for German full dates, month + year and years over the whole
  page text (furniture included);
- streets: a lookup of the open street-name gazetteer (shared/datasets/german-gazetteers-ler,
  96k names from OpenStreetMap; development data, absent from installs) over the whole page
  text, with the house number that follows.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from kommunalmonitor.core.german import MONTHS
from kommunalmonitor.core.resources import datasets_dir

_MONTHS = tuple(m.lower() for m in MONTHS)
_MONTH = "|".join(m.capitalize() for m in _MONTHS)
_DATE = re.compile(
    rf"\b(?:(?P<d>\d{{1,2}})\.\s*(?:(?P<m>\d{{1,2}})\.|(?P<mn>{_MONTH}))\s*(?P<y>\d{{4}}|\d{{2}})?"
    rf"|(?P<mn2>{_MONTH})\s+(?P<y2>\d{{4}})|(?P<y3>(?:19|20)\d{{2}}))\b")
_WORD = re.compile(r"[\wÄÖÜäöüß.-]+")
_NUMBER = re.compile(r"^\d{1,4}(?:\s?[a-z])?(?:-\d{1,4}[a-z]?)?$")


def naive_dates(text: str) -> set[str]:
    """Every date-looking match of one regular expression, as values."""
    found = set()
    for match in _DATE.finditer(text):
        if match["y3"]:
            found.add(match["y3"])
        elif match["mn2"]:
            found.add(f"{match['y2']}-{_MONTHS.index(match['mn2'].lower()) + 1:02d}")
        else:
            month = int(match["m"]) if match["m"] else _MONTHS.index(match["mn"].lower()) + 1
            day = int(match["d"])
            if not (1 <= month <= 12 and 1 <= day <= 31):
                continue
            year = match["y"]
            if year is None:
                found.add(f"--{month:02d}-{day:02d}")
                continue
            year = int(year) + (2000 if len(year) == 2 and int(year) < 50 else 1900 if len(year) == 2 else 0)
            found.add(f"{year:04d}-{month:02d}-{day:02d}")
    return found


def _first_full_date(text: str) -> str | None:
    for value in sorted(naive_dates(text[:2000]), key=lambda v: text.find(v[-2:])):
        if len(value) == 10 and not value.startswith("--"):
            return value
    return None


def naive_page_fields(record: dict[str, Any], rendered: str) -> dict[str, str | None]:
    """Title and publication date as a first try would find them."""
    html = record.get("html")
    if isinstance(html, str) and html.strip():
        import htmldate
        import trafilatura

        meta = trafilatura.extract_metadata(html)
        published = htmldate.find_date(html, outputformat="%Y-%m-%d")
        return {"title": meta.title if meta else None, "published": published}
    first = next((line.strip() for line in rendered.splitlines() if line.strip()), None)
    return {"title": first, "published": _first_full_date(rendered)}


@cache
def _street_names() -> frozenset[str] | None:
    folder = datasets_dir()
    path = folder / "german-gazetteers-ler" / "strassennamen.list" if folder else None
    if path is None or not path.is_file():
        return None
    return frozenset(line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip())


def gazetteer_available() -> bool:
    return _street_names() is not None


def _expand(word: str) -> str:
    return re.sub(r"([Ss])tr\.$", r"\1traße", word)


def naive_streets(text: str) -> set[tuple[str, str | None]] | None:
    """(street, number) for every run of up to four words that the gazetteer lists, with a house
    number when one follows; None when the gazetteer is not here."""
    names = _street_names()
    if names is None:
        return None
    words = _WORD.findall(text)
    found: set[tuple[str, str | None]] = set()
    i = 0
    while i < len(words):
        for size in (4, 3, 2, 1):
            candidate = " ".join(_expand(w) if k == size - 1 else w for k, w in enumerate(words[i:i + size]))
            if len(words[i:i + size]) == size and candidate[:1].isupper() and candidate in names:
                following = words[i + size] if i + size < len(words) else ""
                found.add((candidate, following if _NUMBER.match(following) else None))
                i += size - 1
                break
        i += 1
    return found


def with_numbers_only_once(pairs: set[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """A street seen with a number is not counted again without one (labelling.md)."""
    numbered = {street for street, number in pairs if number}
    return {(s, n) for s, n in pairs if n or s not in numbered}


