"""Headline and publication date of pages of hosts no rule was written for: the head shapes of the
second layout study (tests/gold/real-layouts.md, Part 5), read by the general structural rules.

The pages here are short ones written in those shapes, plus the second real-style tuning set
(tests/gold/extraction-real/real-style-2.jsonl). No text of a real page is used.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kommunalmonitor.pipeline.filemode import read_page

GOLD_2 = Path(__file__).resolve().parent / "gold" / "extraction-real" / "real-style-2.jsonl"
LEAD = "Die Stadt eröffnet am Montag eine neue Beratungsstelle. Sie hilft bei Anträgen und Terminen."


def fields(text: str, url: str | None = None) -> tuple:
    page = read_page({"key": "k", "url": url, "text": text})
    return page.title, page.published


@pytest.mark.parametrize("text, title, published", [
    # a `Datum:` field above the headline, under a notice paragraph that is not the article
    ("Übersetzung einschalten: Ein Klick lädt einen fremden Dienst, der dabei Daten erhält.\n"
     "Suche\nDatum: 04.05.2021\n\nNeue Beratungsstelle eröffnet\n\n" + LEAD, "Neue Beratungsstelle eröffnet",
     "2021-05-04"),
    # a date glued to an icon label under the headline
    ("Aktuelles: Gemeinde Beispielheim\n\nNeue Beratungsstelle eröffnet\n\nicon.crdate04.05.2021\n\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    # the issue of a daily or of an official gazette
    ("Aus: Ausgabe vom 4.5.2021, Seite 3 / Inland\nNeue Beratungsstelle eröffnet\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    ("Amtsblatt vom 04.05.2021, Seite 2 und 3\n\nNeue Beratungsstelle eröffnet\n\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    # a press distributor's stamp with time and sender; a date with the release number
    ("Feuerwehr Beispielheim\n\n04.05.2021, 09:45 – Feuerwehr Beispielheim\n\nNeue Beratungsstelle eröffnet\n\n"
     + LEAD, "Neue Beratungsstelle eröffnet", "2021-05-04"),
    ("Pressemitteilung 45/2021\n\n04.05.2021 - 45/2021\nNeue Beratungsstelle eröffnet\n\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    # a closing `Artikel vom …` under the article leaves the headline above it
    ("04.05.2021 Artikelansicht\nDrucken Drucken\n\nNeue Beratungsstelle eröffnet\n\n" + LEAD
     + "\n\nArtikel vom 04.05.2021", "Neue Beratungsstelle eröffnet", "2021-05-04"),
    # a site's news stamp with time; a date with its author and a comment counter above the headline
    ("Beispiel News, 04.05.2021 18:30\nNeue Beratungsstelle eröffnet\n" + LEAD, "Neue Beratungsstelle eröffnet",
     "2021-05-04"),
    ("4. Mai 2021 von Petra Muster\n0 Kommentare\n\nNeue Beratungsstelle eröffnet\n\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    # a statute's notice line under the headline; a reprint's closing source line
    ("Satzung über die Beratungsstelle\n\nwww.beispiel.de/bekanntmachungen veröffentlicht am 04.05.2021 - "
     "Nachrichtlich Amtsblatt Nummer 18 vom 06.05.2021\n\n" + LEAD, "Satzung über die Beratungsstelle", "2021-05-04"),
    (LEAD + "\n\nPM der PD Beispielheim vom 04.05.2021", None, "2021-05-04"),
    # a dated item of a series above the headline; `[Online seit …]` under it, below head tools
    ("magazin | regionalmagazin vom 4. Mai 2021\nNeue Beratungsstelle eröffnet\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
    ("Gemeinde Beispielheim\n\nSeitenbereiche\n\nVolltextsuche\n\nWas suchen Sie?\n\nRSS\n\nKontrast\n\n"
     "Schriftgröße:\n\nSeiteninhalt\n\nNeue Beratungsstelle eröffnet\n\n[Online seit 04.05.2021]\n\n" + LEAD,
     "Neue Beratungsstelle eröffnet", "2021-05-04"),
])
def test_head_date_shapes_give_title_and_date(text, title, published):
    assert fields(text) == (title, published)


def test_a_date_field_further_down_is_no_publication_date():
    text = ("Neue Beratungsstelle eröffnet\n\n" + LEAD + "\n\n" + LEAD + "\n\n" + LEAD + "\n\nDie Termine:\n"
            "Ort: Rathaus\nRaum: Saal 2\nThema: Anträge\nLeitung: Frau Muster\nAnmeldung: bis Freitag\n"
            "Gebühr: keine\nDatum: 12.06.2021\n\n" + LEAD)
    assert fields(text) == ("Neue Beratungsstelle eröffnet", None)


def test_a_consent_notice_above_the_headline_is_not_the_article():
    text = ("Aktuelles: Gemeinde Beispielheim\n\nWir setzen Cookies und Dienste Dritter ein\n\n"
            "Einige Dienste auf dieser Seite brauchen Ihr Einverständnis, bevor sie Daten erheben. "
            "Ihre Entscheidung lässt sich später ändern.\n\nCookie-Banner\nTracking\n\n"
            "Neue Beratungsstelle eröffnet\n\nicon.crdate04.05.2021\n\n" + LEAD)
    page = read_page({"key": "k", "text": text})
    assert (page.title, page.published) == ("Neue Beratungsstelle eröffnet", "2021-05-04")
    assert page.body.startswith("Die Stadt eröffnet") and "Einverständnis" not in page.body


@pytest.mark.parametrize("head", [
    "Zum Inhalt (ALT-C)\nZur Navigation (ALT-N)\nZur Startseite (ALT-S)\n\nSeite ausdrucken\n\n",
    "Connect with us\n\nPolitik\n\n",
])
def test_skip_links_with_access_keys_and_social_prompts_are_not_the_title(head):
    assert fields(head + "Neue Beratungsstelle eröffnet\n\n" + LEAD) == ("Neue Beratungsstelle eröffnet", None)


def test_script_notices_back_links_and_a_lost_date_label_are_not_the_article():
    text = ("JavaScript ist in Ihrem Browser ausgeschaltet; einige Teile dieser Seite funktionieren deshalb "
            "nicht. Bitte schalten Sie es ein.\n\nZurück zur vorigen Seite\nZurück zur ersten Seite der aktuellen "
            "Ausgabe\n\nNeue Beratungsstelle eröffnet\n\nVeröffentlicht\n\nam\n\n" + LEAD)
    page = read_page({"key": "k", "text": text})
    assert (page.title, page.published, page.body) == ("Neue Beratungsstelle eröffnet", None, LEAD)


def test_a_one_sentence_headline_shown_again_below_is_the_title():
    headline = "Fraktion fordert eine Bürgerversammlung."
    text = headline + "\n\n" + LEAD + " … " + headline + " weiterlesen"
    assert fields(text) == (headline, None)
    assert fields(headline + "\n\n" + LEAD) == (None, None)  # said once, it is the lead


def test_a_lone_colon_kicker_headline_is_the_title_a_field_block_is_not():
    assert fields("Bauarbeiten: Hauptstraße halbseitig gesperrt\n\n" + LEAD) == (
        "Bauarbeiten: Hauptstraße halbseitig gesperrt", None)
    council = "Gremium: Rat der Stadt\nRaum: Großer Saal\nStatus: öffentlich\n\n" + LEAD
    assert fields(council) == (None, None)
    # the shape is a fallback: a byline of the same shape above a headline is not it
    assert fields("Autor: Max Muster\n\nNeue Beratungsstelle eröffnet\n\n" + LEAD)[0] == "Neue Beratungsstelle eröffnet"
    # and a headline that starts like a back link stays a headline
    assert fields("Zurück zur Natur am Stadtweiher\n\n" + LEAD)[0] == "Zurück zur Natur am Stadtweiher"


def test_more_from_a_section_ends_the_body():
    text = ("Neue Beratungsstelle eröffnet\n" + LEAD + "\nMehr aus: Inland\n-\nStreit um die Pendlerpauschale\n"
            "vom 04.05.2021 -")
    page = read_page({"key": "k", "text": text})
    assert page.body == LEAD


# Floors a little below what the general rules scored on real-style-2.jsonl once they were written
# (README): title 0.981 (a headline whose URL slug leaves out its first word), published 1.000.
# It is a TUNING set; tests/gold/extraction-real-holdout is not tuned on.
def test_second_real_style_tuning_set_stays_above_its_floors():
    from kommunalmonitor.pipeline.evaluate import evaluate_gold

    pages = evaluate_gold(GOLD_2)["page_fields"]
    assert pages["title"]["accuracy"] >= 0.95 and pages["published"]["accuracy"] >= 0.97, pages
    assert pages["title"]["invented"] == 0 and pages["published"]["invented"] == 0, pages
