"""core/german.py: the crawler's one DD.MM.YYYY reader (press listings and SessionNet pages)."""

from __future__ import annotations

from datetime import date

import pytest

from kommunalmonitor.core.german import numeric_date


@pytest.mark.parametrize("text, spaced, expected", [
    ("Veröffentlicht: 12.03.2021 // Quelle: X", False, date(2021, 3, 12)),
    ("vom 1.2.2003 und vom 5.6.2004", False, date(2003, 2, 1)),  # the first one
    ("Sitzung am 12. 03. 2021", True, date(2021, 3, 12)),
    ("Sitzung am 12. 03. 2021", False, None),  # press listings never space their dates
    ("31.02.2021", False, None),  # no calendar day
    ("Vorlage 2021/0312", False, None),
    ("", True, None),
    (None, True, None),
])
def test_numeric_date(text, spaced, expected):
    assert numeric_date(text, spaced=spaced) == expected
