"""Text from the web made inert: control characters out, before anything stores or prints it."""

from __future__ import annotations

import re

# C0 controls but tab, newline, carriage return and form feed; DEL; C1 controls; the bidi
# embedding, override and isolate marks (they reorder what a terminal or browser shows).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def strip_controls(text: str) -> str:
    """`text` without control characters that could act on a terminal (ESC sequences, BEL) or
    reorder a display; ordinary whitespace stays."""
    return _CONTROLS.sub("", text)


def replace_surrogates(text: str) -> tuple[str, int]:
    """Lone UTF-16 surrogates (which no UTF-8 file can hold) as U+FFFD, and how many there were."""
    return _LONE_SURROGATE.subn("\ufffd", text)


def terminal_safe(text: str) -> str:
    """One line for a terminal: controls out, line breaks as spaces."""
    return strip_controls(text).replace("\r", " ").replace("\n", " ").replace("\f", " ")
