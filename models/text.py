"""German-aware text normalisation for the classifier's features and the keyword rules.

Press releases from 2000 to today spell the same word in several ways ("Ausschuß" /
"Ausschuss", »…« / „…“, "Flüchtlinge" / "Fluechtlinge" in old ASCII pages), and German builds
long compounds ("Sprachkursangebot"). So every view of a text starts from one folded form:
lower case, umlauts and ß spelled out, digits reduced to a shape. Words are then cut to a stem
with a small suffix stripper (after CISTEM, Weissweiler & Fraser 2017), which keeps "Kurse",
"Kursen", "Kurs" together without a lemma dictionary.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

_FOLD = (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"))
_DIGITS = re.compile(r"\d+")
_SPACE = re.compile(r"\s+")
# Words are letter runs; hyphenated compounds ("Ukraine-Flüchtlinge") become their parts.
WORD = re.compile(r"[^\W\d_]+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def fold(text: str) -> str:
    """Lower case, umlauts and ß spelled out, digit runs as 0, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", text).lower()
    for umlaut, spelled in _FOLD:  # str.replace is several times faster than str.translate here
        text = text.replace(umlaut, spelled)
    text = _DIGITS.sub("0", text)
    return _SPACE.sub(" ", text).strip()


def fold_words(text: str) -> list[str]:
    """The folded words of a text: `words(fold(text))` without the work words do not need."""
    text = unicodedata.normalize("NFKC", text).lower()
    for umlaut, spelled in _FOLD:
        text = text.replace(umlaut, spelled)
    return WORD.findall(text)


def words(folded: str) -> list[str]:
    """The words of a folded text, in order."""
    return WORD.findall(folded)


def stem(word: str) -> str:
    """A light German stem of a folded word (CISTEM-style suffix stripping).

    Strips -em, -er, -nd, then -t, -e, -s, -n repeatedly while the word stays longer than
    three letters; "ge" at the start of long words is kept (it is often part of the root).
    """
    # "sch" and doubled letters are single units in CISTEM so that suffix rules do not split them.
    w = word.replace("sch", "$").replace("ei", "%").replace("ie", "&")
    w = re.sub(r"(.)\1", r"\1*", w)
    while len(w) > 3:
        if len(w) > 5 and w[-2:] in ("em", "er", "nd"):
            w = w[:-2]
        elif w[-1] in "tesn" and w[-2:] != "**":
            w = w[:-1]
        else:
            break
    w = re.sub(r"(.)\*", r"\1\1", w)
    return w.replace("&", "ie").replace("%", "ei").replace("$", "sch")


def word_view(text: str, stopwords: Iterable[str] | frozenset[str]) -> str:
    """The text as space-separated stems without stop words: what the word n-grams see."""
    stop = stopwords if isinstance(stopwords, frozenset) else frozenset(stopwords)
    return " ".join(stem(w) for w in words(fold(text)) if len(w) > 1 and w not in stop)


def sentences(text: str) -> list[str]:
    """Rough sentence split (for "term hits in distinct sentences")."""
    return [s for s in _SENTENCE_END.split(text) if s.strip()]
