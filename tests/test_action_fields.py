"""Action fields and the integration decision on short real-style pages (issue 12): compound
heads, exceptions to prefixes, and a short text's one-sentence fields. All texts are invented."""

from __future__ import annotations

import pytest

from kommunalmonitor.core.integration_rule import IntegrationRule
from kommunalmonitor.pipeline.nlp.action_fields import TermSet
from kommunalmonitor.pipeline.nlp.loader import shared_pipeline
from kommunalmonitor.pipeline.nlp.records import make_doc


@pytest.fixture(scope="module")
def nlp():
    return shared_pipeline()


def _page(nlp, title, body):
    return nlp(make_doc(nlp, body, title=title))


def test_term_set_reads_heads_and_exceptions():
    terms = TermSet.from_terms(["beruf*", "fest"], heads=["fest"], excluded=["berufsschul*"])
    assert terms.matches("nachbarschaftsfest", "nachbarschaftsfest")   # a compound's head
    assert terms.matches("berufsausbildung", "berufsausbildung")       # the prefix still holds
    assert not terms.matches("berufsschule", "berufsschule")           # but not where excepted
    assert not terms.matches("festgelegt", "festlegen")                # fest is a word, not a prefix


def test_a_field_named_once_in_a_short_text_needs_an_integration_context():
    rule = IntegrationRule(min_score=3, field_share=0.4, short_text=6)
    # sentence 0 speaks of refugees, sentence 2 names the job centre next door, 4 is the headline
    assert rule.decide({0}, {0}, {"arbeit": {2}}, 5, headline=4) == (True, [])
    assert rule.decide({0}, {0}, {"arbeit": {0}}, 5, headline=4) == (True, ["arbeit"])
    assert rule.decide({0}, {0}, {"arbeit": {4}}, 5, headline=4) == (True, ["arbeit"])
    # a long text still wants two sentences, wherever they are
    assert rule.decide({0, 5}, {0, 5}, {"arbeit": {2, 9}}, 20) == (True, ["arbeit"])
    assert rule.decide({0, 5}, {0, 5}, {"arbeit": {5}}, 20) == (True, [])


def test_the_municipal_council_is_no_interreligious_dialogue(nlp):
    page = _page(nlp, "Gemeinderat beschließt Wohnungen für Geflüchtete",
                 "Der Gemeinderat beschloss, im Haus an der Bahnhofstraße zwölf Wohnungen für Geflüchtete "
                 "einzurichten. Die Gemeinde mietet das Haus ab Mai.")
    assert page._.integration and page._.action_fields == ["wohnen"]
    church = _page(nlp, "Fastenbrechen mit Nachbarn",
                   "Die Kirchengemeinde St. Anna und die Moscheegemeinde laden Geflüchtete und Nachbarn "
                   "zum Fastenbrechen ein.")
    assert church._.integration and "dialog" in church._.action_fields


def test_a_school_as_venue_or_a_job_centre_next_door_is_no_field(nlp):
    page = _page(nlp, "Neue Beratungsstelle für Zugewanderte",
                 "Die Beratungsstelle für Zugewanderte öffnet am 2. Mai im Kreishaus. "
                 "Das Jobcenter im selben Haus bietet eigene Sprechstunden an. "
                 "Die Eröffnung findet in der Aula der Grundschule Süd statt.")
    assert page._.integration and page._.action_fields == []


def test_compound_heads_and_language_terms_find_the_subject(nlp):
    classes = _page(nlp, "Sprachklassen für junge Geflüchtete",
                    "Die Bezirksregierung fördert zusätzliche Sprachklassen an drei Berufsschulen.")
    assert classes._.integration and classes._.action_fields == ["sprache", "bildung"]
    course = _page(nlp, "Deutschkurs für Mütter startet",
                   "Im Jugendhaus beginnt am 7. April ein Deutschkurs für Mütter mit kleinen Kindern. "
                   "Die Kinder werden während des Unterrichts betreut.")
    assert course._.integration and course._.action_fields == ["sprache"]
    fest = _page(nlp, "Nachbarschaftsfest im Westend",
                 "Die Integrationsbeauftragte lädt Geflüchtete zum Nachbarschaftsfest ein. Die Termine "
                 "wurden mit dem Bürgerverein vereinbart und festgelegt.")
    assert fest._.integration and fest._.action_fields == ["engagement"]


def test_a_shelter_in_a_sports_hall_is_housing_not_sport(nlp):
    page = _page(nlp, "Stadt öffnet Notunterkunft für Geflüchtete",
                 "Die Stadt richtet in der Sporthalle Nord eine Notunterkunft für 300 Geflüchtete ein. "
                 "Sie soll bis Ende April genutzt werden.")
    assert page._.integration and page._.action_fields == ["wohnen"]


def test_citizenship_is_integration(nlp):
    page = _page(nlp, None, "Zur Feier im Landratsamt kamen Menschen, die seit 2020 einen deutschen Pass haben. "
                 "So viele Einbürgerungen wie im vergangenen Jahr gab es im Landkreis noch nie.")
    assert page._.integration
