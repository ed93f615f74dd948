"""German compound splitting for the search index: the parts of long compounds as extra terms.

The Snowball stemmer maps `Flüchtlinge` and `Flüchtlingen` to one term, but it cannot see that
`Flüchtlingsunterkunft` contains `Unterkunft`. CharSplit (Tuggener 2016, MIT; on PyPI as
`split-words`; character n-gram probabilities from a million German nouns of Wikipedia, shipped
in its wheel; ~95 % correct heads on the GermaNet compounds by its README) proposes the most
likely split of a word into modifier and head; we keep it when its score is positive and
both parts have MIN_PART letters or more (the package's own rule: no `Aus`, `Ein`, `Mit`
prefixes as parts), drop the Fugen-s of the modifier the way
CharSplit itself does (`Flüchtlings` → `Flüchtling`, `Integrations` → `Integration`), and split
the modifier again (`Schulentwicklungsplanung` → `Schulentwicklung`, `Schul`, `Entwicklung`,
`Planung`), as the package's own maximal splitter does. Heads are not split further.

Only capitalised words (German nouns, and sentence starts) of MIN_LENGTH letters or more are
split: shorter words are rarely compounds worth a part, and splitting adjectives and verbs
gives mostly false parts. The splitter's tables take ~1.5 s and ~350 MB to load, so it is
imported on the first word that needs it, and every word is split once per process (and, in
the store, once per corpus: `CompoundSplitter` can be seeded with words split before).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from functools import lru_cache
from pathlib import Path

MIN_LENGTH = 10  # letters; "Sprachkurs" is the shortest kind of compound we split
# Longer "words" are markup, URLs or junk; splitting costs grow fast with length (recursion).
MAX_LENGTH = 40
MIN_PART = 4  # the package's own lower bound for a part; "Bau", "Amt" are not kept
VERSION = "2"  # bump when the rules here change: the store re-splits every document

WORD = re.compile(r"[^\W\d_]+")  # letters only, as the fts tokenizer sees words
# The same words, only those long enough to be split: a run of letters cannot match from its
# middle when it matches from its start, so these are exactly WORD's matches of that length.
LONG_WORD = re.compile(rf"[^\W\d_]{{{MIN_LENGTH},}}")


def is_candidate(word: str) -> bool:
    """Whether a word (as written) is split at all: capitalised and long enough."""
    return MIN_LENGTH <= len(word) <= MAX_LENGTH and word[:1].isupper()


# A modifier ending in one of these lost a linking s ("Fugen-s"): Integrations-kurs → Integration.
_FUGEN_S_ENDINGS = ("ts", "gs", "ks", "hls", "ns")


@lru_cache(maxsize=1)
def _splitter():
    from split_words import Splitter

    return Splitter()


def release_tables() -> None:
    """Free CharSplit's n-gram table (~250 MB of Python objects, a module global of the package), so
    that a writer does not carry it into the index build and beyond; the next split loads it again
    (~1.5 s). The word cache (split_word, bounded) stays."""
    import split_words.splitter as module

    if getattr(module, "ngram_probs", None) is not None:
        module.ngram_probs = None
    _splitter.cache_clear()


def splitter_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("split-words")
    except PackageNotFoundError:
        return "missing"


def drop_fugen_s(modifier: str) -> str:
    """'Flüchtlings' → 'Flüchtling'; words without a linking s stay as they are."""
    return modifier[:-1] if modifier.endswith(_FUGEN_S_ENDINGS) and len(modifier) > 3 else modifier


@lru_cache(maxsize=200_000)
def split_word(word: str) -> tuple[str, ...]:
    """The parts of one compound, modifiers before the head; () when it is not split.

    >>> split_word("Flüchtlingsunterkunft")
    ('Flüchtling', 'Unterkunft')
    """
    if not is_candidate(word):
        return ()
    return tuple(_split(word))


def _split(word: str) -> list[str]:
    score, modifier, head = _splitter().split_compound(word)[0]
    if score <= 0 or modifier == head:
        return []
    modifier = drop_fugen_s(modifier)
    if len(modifier) < MIN_PART or len(head) < MIN_PART:
        return []
    deeper = _split(modifier) if len(modifier) >= MIN_LENGTH else []
    return [modifier, *deeper, head]


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of a text with their offsets."""
    return WORD.finditer(text)


def candidate_words(text: str) -> list[str]:
    """The words of a text that are split (`is_candidate`), in order, repeats included."""
    return [word for word in LONG_WORD.findall(text) if len(word) <= MAX_LENGTH and word[0].isupper()]


class CompoundSplitter:
    """`split_word` with a word cache that the store seeds from and saves back to its table.

    Keys are lower-cased words, so a query typed in lower case finds the split the index made.
    """

    def __init__(self, known: Mapping[str, Iterable[str]] | None = None):
        self.known: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in (known or {}).items()}
        self.learned: dict[str, tuple[str, ...]] = {}

    def split(self, word: str) -> tuple[str, ...]:
        """Parts of a word as written (only capitalised words are split)."""
        return self._split_candidate(word) if is_candidate(word) else ()

    def _split_candidate(self, word: str) -> tuple[str, ...]:
        key = word.lower()
        parts = self.known.get(key)
        if parts is None:
            parts = self.known[key] = self.learned[key] = split_word(word)
        return parts

    def split_query_word(self, word: str) -> tuple[str, ...]:
        """Parts of a word typed in a query, where nouns are often written in lower case."""
        return self.split(word[:1].upper() + word[1:])

    def parts(self, text: str) -> list[str]:
        """The extra index terms of a text: every part of every long compound, as often as it occurs."""
        found: list[str] = []
        for word in candidate_words(text):
            found.extend(self._split_candidate(word))
        return found


def compound_parts(text: str) -> list[str]:
    """The extra index terms of a text (parts of its long compounds, repeated as they occur).

    >>> compound_parts("Die neue Flüchtlingsunterkunft öffnet im Mai")
    ['Flüchtling', 'Unterkunft']
    """
    return CompoundSplitter().parts(text)


class SplitAhead:
    """Splits the compounds of a crawl's staged documents while the crawl still runs, so that the
    index refresh after the load finds them in `split_word`'s cache (it splits the same title and
    body). Worth it only for a large crawl: loading the splitter's tables costs ~2 s and ~350 MB, so
    it starts once `min_documents` are staged, and `close()` frees the tables again before the load."""

    def __init__(self, staging: Path, min_documents: int = 500, words_per_step: int = 3000):
        from kommunalmonitor.crawler.staging import StagedTail

        self.tail = StagedTail(staging)
        self.min_documents = min_documents
        self.words_per_step = words_per_step
        self.documents = 0
        self.seen: set[str] = set()
        self.waiting: list[str] = []
        self.split = 0

    def step(self) -> int:
        """Split up to `words_per_step` new candidate words; the number split."""
        for item in self.tail.new_records():
            self.documents += 1
            text = f"{item.get('title') or ''}\n{item.get('body') or ''}"
            for word in candidate_words(text):
                if word not in self.seen:
                    self.seen.add(word)
                    self.waiting.append(word)
        # Beyond the cache's size, words split now would be forgotten before the refresh asks.
        room = (split_word.cache_info().maxsize or 0) * 9 // 10 - self.split
        if self.documents < self.min_documents or not self.waiting or room <= 0:
            return 0
        take = min(self.words_per_step, room)
        batch, self.waiting = self.waiting[:take], self.waiting[take:]
        for word in batch:
            split_word(word)
        self.split += len(batch)
        return len(batch)

    def close(self) -> None:
        if self.split:
            release_tables()
