"""The text-layout parser on rendered page text: fields found, furniture kept out."""

from __future__ import annotations

import pytest

from kommunalmonitor.crawler.layout import LayoutError, parse_html, parse_text
from kommunalmonitor.crawler.sources import Source, source_path

from .conftest import SHARED

LAYOUT = Source.load(source_path("leverkusen-com")).layout

CURRENT_WITH_TEASERS_BEFORE = """Leverkusen.com – Das Stadtportal
Startseite › Presse › Archiv
Baustelle an der Kölner Straße (03.02.2023)
lesenHeutiger Streik: Busse fahren nicht (01.02.2023)
lesen
Sprachcafé öffnet im Forum
Archivmeldung aus dem Jahr 2021
Veröffentlicht: 09.01.2021 // Quelle: VHS Leverkusen

Das Sprachcafé lädt ab Montag wieder ein.

Wer mag, kann den Bericht im Internet nachlesen.

Anschriften aus dem Artikel: Alte Landstr 129, Albert-Einstein-Str 58
Dieser Artikel wurde als Nachricht einsortiert in: Bildung
Bisherige Besucher auf dieser Seite: 12.345
Meldungen Blättern
Weitere Nachrichten der Quelle "VHS Leverkusen"
Weitere Meldungen
"""


def test_seed_page_fields_and_body_without_furniture():
    seed = next((SHARED / "seeds").glob("*.txt"), None) if SHARED.exists() else None
    if seed is None:
        pytest.skip("../shared/seeds is absent: the real seed page is not available here")
    page = parse_text(seed.read_text(encoding="utf-8"), LAYOUT)
    assert page.title.startswith("Integration auf gutem Weg")
    assert (page.published, page.sender, page.category) == ("2019-09-18", "Stadtverwaltung", "Politik")
    assert page.body.startswith("Leverkusen ist nach Ansicht der Stadtverwaltung")
    assert page.body.endswith("in fortlaufender Veränderung befindet.")
    assert "Anschriften" not in page.body and "Besucher" not in page.body
    assert page.footer_addresses == ["Alte Landstr 129", "Albert-Einstein-Str 58"]
    assert page.visitor_count == 1961
    assert page.archive_year == 2019


def test_teasers_before_the_article_are_not_its_title_or_body():
    page = parse_text(CURRENT_WITH_TEASERS_BEFORE, LAYOUT)
    assert page.title == "Sprachcafé öffnet im Forum"
    assert page.body == ("Das Sprachcafé lädt ab Montag wieder ein.\n\n"
                         "Wer mag, kann den Bericht im Internet nachlesen.")
    assert page.category == "Bildung"
    assert page.visitor_count == 12345
    assert "Heutiger Streik: Busse fahren nicht (01.02.2023)" in page.teasers


def test_teasers_after_the_body_end_it():
    text = ("Rat tagt\nVeröffentlicht: 01.02.2022 // Quelle: Stadtverwaltung\n\nDer Rat tagt.\n\n"
            "Andere Meldung (01.01.2022)\nlesen\nNoch eine (02.01.2022)\nlesen\nKategorie: Politik\n")
    page = parse_text(text, LAYOUT)
    assert page.body == "Der Rat tagt."
    assert page.category == "Politik"


def test_old_header_line_and_no_headline():
    text = "Startseite › Presse\n18.09.2003 (Quelle: Ausländerbeirat)\nDer Beirat tagt.\n"
    page = parse_text(text, LAYOUT)
    assert page.title is None
    assert (page.published, page.sender, page.body) == ("2003-09-18", "Ausländerbeirat", "Der Beirat tagt.")


def test_page_without_publication_line_is_a_layout_error():
    with pytest.raises(LayoutError, match="publication line"):
        parse_text("Seite nicht gefunden\nDie Seite gibt es nicht.", LAYOUT)
    with pytest.raises(LayoutError, match="empty"):
        parse_text("   ", LAYOUT)


def test_html_is_parsed_through_its_rendered_text():
    html = ("<html><body><div><b>Neue Kita</b></div><div>Veröffentlicht: 02.03.2015 // Quelle: "
            "Stadtverwaltung</div><p>Die Kita&nbsp;öffnet.</p><table><tr><td>Sandstr. 65-69</td>"
            "<td>40</td></tr></table><p>Kategorie: Bildung</p></body></html>")
    page = parse_html(html, LAYOUT)
    assert page.title == "Neue Kita"
    assert page.body.split() == ["Die", "Kita", "öffnet.", "Sandstr.", "65-69", "40"]


def test_content_hash_ignores_visitor_count_and_whitespace():
    a = parse_text(CURRENT_WITH_TEASERS_BEFORE, LAYOUT)
    b = parse_text(CURRENT_WITH_TEASERS_BEFORE.replace("12.345", "99.999").replace(
        "ab Montag", "ab  Montag"), LAYOUT)
    assert a.visitor_count != b.visitor_count
    assert a.content_hash() == b.content_hash()
    c = parse_text(CURRENT_WITH_TEASERS_BEFORE.replace("Montag", "Dienstag"), LAYOUT)
    assert c.content_hash() != a.content_hash()


def test_page_declared_utf8_but_sent_as_windows_1252_is_repaired():
    from kommunalmonitor.crawler.render import decode_page

    body = "<p>Größere Räume – „Beratung“</p>".encode("windows-1252")
    as_declared = body.decode("utf-8", errors="replace")
    text, note = decode_page(body, as_declared)
    assert "Größere Räume – „Beratung“" in text and note
    honest = "<p>Größe</p>"
    assert decode_page(honest.encode(), honest) == (honest, None)
