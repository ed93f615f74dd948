"""Who may be named: persons with a public role (data/lexicons/public-roles.toml), nobody else.

Reports and exports share this one rule and `redact`, which blanks out the others' names.
Private persons are counted, never named.
"""

from __future__ import annotations

import re
import tomllib
from functools import lru_cache
from pathlib import Path

from kommunalmonitor.core.errors import KomoError

from .resources import data_file

PUBLIC_ROLES_FILE = "lexicons/public-roles.toml"


@lru_cache(maxsize=4)
def public_role_pattern(path: Path | str = PUBLIC_ROLES_FILE) -> str:
    """One case-insensitive regular expression (Python and DuckDB/RE2 alike) for public roles."""
    path = data_file(path)
    try:
        with path.open("rb") as handle:
            patterns = tomllib.load(handle)["public_role_patterns"]
    except (OSError, tomllib.TOMLDecodeError, KeyError) as problem:
        raise KomoError(f"cannot read the public-role list {path}: {problem}") from None
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as problem:
            raise KomoError(f"{path.name}: bad pattern {pattern!r}: {problem}") from None
    return "(?i)(" + "|".join(f"(?:{p})" for p in patterns) + ")"


def is_public_role(role: str | None, role_of: str | None = None, path: Path | str = PUBLIC_ROLES_FILE) -> bool:
    """True when a person with this role (of this body) may be named in a report or export; the
    same rule as the store's `public_role` macro: role and body read as one phrase."""
    phrase = " ".join(p for p in (role, role_of) if p)
    return bool(role) and re.search(public_role_pattern(path), phrase) is not None


def redact(text: str, offset: int, spans: list[tuple[int, int]], mark: str = "[Name]",
           keep_length: bool = False) -> str:
    """Blank out body spans (e.g. private persons) inside a piece of the body that starts at
    `offset`. Spans are clipped to the piece and overlapping ones merged, so no part of a name
    survives. keep_length=True masks with '[***]' of the same length, so offsets into the
    text stay valid (exports); otherwise each span becomes `mark` (quotes in reports)."""
    clipped = sorted((max(start - offset, 0), min(end - offset, len(text))) for start, end in spans
                     if end - offset > 0 and start - offset < len(text))
    merged: list[list[int]] = []
    for start, end in clipped:
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    pieces, position = [], 0
    for start, end in merged:
        width = end - start
        masked = ("[" + "*" * (width - 2) + "]" if width > 2 else "*" * width) if keep_length else mark
        pieces += [text[position:start], masked]
        position = end
    return "".join(pieces) + text[position:]
