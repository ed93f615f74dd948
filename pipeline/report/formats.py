"""German number, date and percentage formats for reports (no locale needed on the machine)."""

from __future__ import annotations

from datetime import date

from kommunalmonitor.core.german import MONTHS, SHORT_MONTHS

NBSP = "\u00a0"


def de_number(value: float | int | None, digits: int = 0) -> str:
    """1234567.891 → '1.234.567,89' (digits=2); None → '–'."""
    if value is None:
        return "–"
    text = f"{value:,.{digits}f}"
    return text.replace(",", "\0").replace(".", ",").replace("\0", ".")


def de_percent(share: float | None, digits: int = 1) -> str:
    """0.125 → '12,5 %' (with a non-breaking space, as German typesetting has it)."""
    return "–" if share is None else f"{de_number(share * 100, digits)}{NBSP}%"


def de_date(value: date | None) -> str:
    return "–" if value is None else f"{value.day:02d}.{value.month:02d}.{value.year}"


def de_month(value: date, short: bool = False) -> str:
    return f"{(SHORT_MONTHS if short else MONTHS)[value.month - 1]} {value.year}"


def share(part: int, whole: int) -> float | None:
    return part / whole if whole else None
