"""Finding a forgotten person's name again in any text, without keeping the name.

`komo forget` records a name only as keyed hashes (HMAC-SHA256 with a secret kept in the home,
file mode 600) of its normalised tokens: a plain hash of a name is reversed with a list of names,
a keyed one is not without the key. A text is searched by hashing its own tokens with the same
key and looking for a recorded sequence, so a page a re-crawl brings back is masked as it loads.

What counts as the same name: the tokens casefolded (ß → ss), apostrophes dropped, and each form
also with umlauts spelled out (Müller → Mueller, as in URLs) and in the genitive (Müllers).
Between the tokens of a form only spaces and hyphens may stand (`Anna-Lena`, `Meyer-Ott`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .privacy import redact

# Letters, with apostrophes inside a word (O'Neill, Müller’s); digits and underscores end a token.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_GAP = re.compile(r"[\s\-\u00ad\u2010\u2011]{1,3}")
_UMLAUTS = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue"})
KEY_BYTES = 32


def normalise(token: str) -> str:
    """The form a token is hashed in: NFC, casefolded, apostrophes dropped."""
    return unicodedata.normalize("NFC", token).casefold().replace("'", "").replace("’", "")


def name_tokens(name: str) -> list[str]:
    """The normalised tokens of a name as a user or the extractor wrote it."""
    return [normalise(t) for t in _TOKEN.findall(name)]


def variants(tokens: list[str]) -> set[tuple[str, ...]]:
    """The spellings of one form: as given, umlauts spelled out, and each in the genitive."""
    spelled = {tuple(tokens), tuple(t.translate(_UMLAUTS) for t in tokens)}
    return spelled | {(*form[:-1], form[-1] + "s") for form in spelled if not form[-1].endswith(("s", "x", "z"))}


def token_hash(key: bytes, token: str) -> str:
    """The keyed hash of one normalised token (hex, 32 characters: 128 bits are plenty here)."""
    return hmac.new(key, token.encode("utf-8"), hashlib.sha256).hexdigest()[:32]


def load_key(path: Path, create: bool = False) -> bytes | None:
    """The home's forget secret; with create=True made on first use (mode 600, never overwritten).
    None when it does not exist and create is False."""
    if not path.exists():
        if not create:
            return None
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it meanwhile: use theirs
            return load_key(path)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_hex(KEY_BYTES) + "\n")
    return bytes.fromhex(path.read_text(encoding="ascii").strip())


@dataclass
class NameMatcher:
    """Recorded forms (tuples of token hashes) and the key to hash a text's tokens with.

    `forms` are masked wherever they occur (the full name); `anchored` forms (the bare surname,
    which may also be a word or someone else: "Sieben", "Koch") only in a text, or a row of the
    store, that also names the person in full — where the extractor would resolve them too."""

    key: bytes
    forms: set[tuple[str, ...]] = field(default_factory=set)
    anchored: set[tuple[str, ...]] = field(default_factory=set)
    _cache: dict[str, str] = field(default_factory=dict, repr=False)
    _by_first: dict[bool, dict[str, list[tuple[str, ...]]]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._index()

    def add_name(self, tokens: Iterable[str], anchored: bool = False) -> set[tuple[str, ...]]:
        """Record a form given in plain normalised tokens (all its variants); returns their hashes."""
        added = {tuple(self._hash(t) for t in form) for form in variants(list(tokens))}
        (self.anchored if anchored else self.forms).update(added)
        self._index()
        return added

    def add_hashed(self, forms: Iterable[tuple[Iterable[str], bool]]) -> None:
        """Add recorded forms: (token hashes, anchored) pairs as the store keeps them."""
        for tokens, anchored in forms:
            (self.anchored if anchored else self.forms).add(tuple(tokens))
        self._index()

    def _index(self) -> None:
        self._by_first = {False: {}, True: {}}
        for with_anchored in (False, True):
            chosen = self.forms | (self.anchored if with_anchored else set())
            for form in sorted(chosen, key=len, reverse=True):  # longest form wins at a position
                self._by_first[with_anchored].setdefault(form[0], []).append(form)

    def _hash(self, token: str) -> str:
        found = self._cache.get(token)
        if found is None:
            if len(self._cache) > 200_000:
                self._cache.clear()
            found = self._cache[token] = token_hash(self.key, token)
        return found

    def spans(self, text: str, anchored: bool = False) -> list[tuple[int, int]]:
        """(start, end) of every recorded form in `text`; the anchored forms too when asked."""
        if not (self.forms or self.anchored) or not text:
            return []
        by_first = self._by_first[anchored]
        tokens = [(m.start(), m.end(), self._hash(normalise(m.group()))) for m in _TOKEN.finditer(text)]
        found, i = [], 0
        while i < len(tokens):
            matched = 0
            for form in by_first.get(tokens[i][2], ()):
                n = len(form)
                if i + n <= len(tokens) and all(
                        tokens[i + k][2] == form[k]
                        and _GAP.fullmatch(text, tokens[i + k - 1][1], tokens[i + k][0]) is not None
                        for k in range(1, n)):
                    matched = n
                    break
            if matched:
                found.append((tokens[i][0], tokens[i + matched - 1][1]))
                i += matched
            else:
                i += 1
        return found

    def names_in_full(self, text: str) -> bool:
        """Whether `text` names a forgotten person in full (a form that is not anchored)."""
        return bool(self.spans(text))

    def mask(self, text: str, anchored: bool = False) -> str:
        """`text` with every recorded form masked as '[****]' of the same length (offsets stay); the
        anchored forms when `anchored` or when the text itself names the person in full."""
        if not text:
            return text
        spans = self.spans(text, anchored=anchored or self.names_in_full(text))
        return redact(text, 0, spans, keep_length=True) if spans else text

    def mask_page(self, page: bytes) -> bytes | None:
        """A kept page (bytes as fetched) with every form masked, in its own encoding; None when
        nothing matched. A page is one text: the surname is masked when the page names the person."""
        try:
            text, encoding = page.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:  # old pages are ISO-8859-1 / windows-1252
            text, encoding = page.decode("cp1252", errors="surrogateescape"), "cp1252"
        masked = self.mask(text)
        if masked == text:
            return None
        return masked.encode(encoding, errors="surrogateescape")
