"""District (Stadtteil) mentions: the component, the data file loader, the file contract, the store."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kommunalmonitor.core.home import Home
from kommunalmonitor.pipeline.filemode import extract_file
from kommunalmonitor.pipeline.nlp.loader import DEFAULT_CONFIG, extractor_version, shared_pipeline, span_text
from kommunalmonitor.pipeline.nlp.places import DEFAULT_PLACES, load_places
from kommunalmonitor.pipeline.store import Store


@pytest.fixture(scope="module")
def nlp():
    return shared_pipeline()


def _districts(nlp, text: str) -> list[tuple[str, str]]:
    doc = nlp(text)  # keep the doc alive while its spans are read
    return [(span_text(s), s._.district) for s in doc.spans["districts"]]


@pytest.mark.parametrize("text, found", [
    ("Die Kita in Opladen wird erweitert.", [("Opladen", "Opladen")]),
    ("Die Gesamtschule Schlebusch bildet eine Klasse mehr.", [("Schlebusch", "Schlebusch")]),
    ("Das Stadtteilbüro Rheindorf ist geschlossen.", [("Rheindorf", "Rheindorf")]),
    ("Neue Wohnungen in Rheindorf-Nord.", [("Rheindorf-Nord", "Rheindorf")]),
    ("Im Gewerbegebiet Fixheide und an der Waldsiedlung.", [("Fixheide", "Opladen"), ("Waldsiedlung", "Schlebusch")]),
    ("Das Bürgerhaus Bergisch Neukirchen und Bergisch-Neukirchen.",
     [("Bergisch Neukirchen", "Bergisch Neukirchen"), ("Bergisch-Neukirchen", "Bergisch Neukirchen")]),
    ("Das Bürgerhaus Bergisch\nNeukirchen.", [("Bergisch\nNeukirchen", "Bergisch Neukirchen")]),
    ("Ein Betrieb aus Leverkusen-Opladen.", [("Leverkusen-Opladen", "Opladen")]),
    ("Die SG Rheindorf-Hitdorf 1912 lädt ein.",
     [("Rheindorf-Hitdorf", "Rheindorf"), ("Rheindorf-Hitdorf", "Hitdorf")]),
    ("Die Geschichte Opladens ist lang.", [("Opladens", "Opladen")]),
    ("Unterkünfte (Manfort), (Wiesdorf) und Küppersteg.",
     [("Manfort", "Manfort"), ("Wiesdorf", "Wiesdorf"), ("Küppersteg", "Küppersteg")]),
])
def test_district_names_and_aliases_as_whole_words(nlp, text, found):
    assert _districts(nlp, text) == found


@pytest.mark.parametrize("text", [
    "Die Opladener Straße wird gesperrt.",
    "Schlebuscher Bürgerinnen und Bürger feiern.",
    "Das Fest auf dem Wiesdorfer Platz beginnt um 11 Uhr.",
    "Die Manforter Str. 186 a und die Hitdorfer Straße.",
    "Der Ortsteil Schlebuschrath und Neuopladen.",
    "opladen und WIESDORF klein oder groß geschrieben.",
    "Die Agentur für Arbeit Bergisch Gladbach.",
])
def test_adjectives_streets_and_other_words_are_no_districts(nlp, text):
    assert _districts(nlp, text) == []


def test_a_district_name_inside_an_address_is_the_street_not_the_district(nlp):
    doc = nlp("Die Beratung findet Am Mathildenhof 5 statt, nicht in Schlebusch.")
    assert [span_text(s) for s in doc.spans["addresses"]] == ["Am Mathildenhof 5"]
    assert [(span_text(s), s._.district) for s in doc.spans["districts"]] == [("Schlebusch", "Schlebusch")]


def test_the_places_file_gives_one_row_per_district_source_and_code(tmp_path: Path):
    rows = load_places(DEFAULT_PLACES).table_rows()
    opladen = [(r["source"], r["archive_code"]) for r in rows if r["district"] == "Opladen"]
    assert opladen == [("leverkusen-com", 31), ("leverkusen-com", 33)]
    assert {r["city"] for r in rows} == {"Leverkusen"}
    custom = tmp_path / "districts.toml"
    custom.write_text('city = "Teststadt"\n[[district]]\nname = "Nord"\nstadtbezirk = "I"\n'
                      '[[district]]\nname = "Süd"\naliases = ["Südpark"]\narchive_codes = { a = [1], b = [2] }\n',
                      encoding="utf-8")
    assert load_places(str(custom)).table_rows() == [
        {"city": "Teststadt", "district": "Nord", "stadtbezirk": "I", "source": None, "archive_code": None},
        {"city": "Teststadt", "district": "Süd", "stadtbezirk": None, "source": "a", "archive_code": 1},
        {"city": "Teststadt", "district": "Süd", "stadtbezirk": None, "source": "b", "archive_code": 2}]
    assert load_places(str(custom)).surface_names() == {"Nord": "Nord", "Süd": "Süd", "Südpark": "Süd"}
    broken = tmp_path / "broken.toml"
    broken.write_text('city = "X"\n[[district]]\nname = "A"\narchive_codes = { a = ["11"] }\n', encoding="utf-8")
    with pytest.raises(ValueError, match="whole numbers"):
        load_places(str(broken))


def test_the_extractor_version_changes_with_the_districts_file(tmp_path: Path):
    places = tmp_path / "districts.toml"
    places.write_bytes((Path(__file__).resolve().parents[1] / "data" / DEFAULT_PLACES).read_bytes())
    config = tmp_path / "config.cfg"
    text = DEFAULT_CONFIG.read_text(encoding="utf-8")
    assert f'places = "{DEFAULT_PLACES}"' in text
    config.write_text(text.replace(f'places = "{DEFAULT_PLACES}"', f'places = "{places}"'), encoding="utf-8")
    before = extractor_version(config)
    places.write_text(places.read_text(encoding="utf-8").replace("[44, 45, 52]", "[44, 45]"), encoding="utf-8")
    assert extractor_version(config) != before


def test_file_contract_has_districts_with_offsets_into_the_body(tmp_path: Path, nlp):
    page = ("Neue Sprachkurse\nVeröffentlicht: 14.02.2023 // Quelle: Stadtverwaltung\n"
            "Der Kurs findet im Familienzentrum Rheindorf statt. Die Opladener Straße bleibt frei; "
            "Anmeldung in Leverkusen-Opladen.\n")
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"key": "a", "url": "u", "text": page}) + "\n"
                      + json.dumps({"key": "b", "url": "u", "text": ""}) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    extract_file(source, target, nlp)
    first, empty = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [(d["text"], d["name"]) for d in first["districts"]] == [
        ("Rheindorf", "Rheindorf"), ("Leverkusen-Opladen", "Opladen")]
    assert all(first["body"][d["start"]:d["end"]] == d["text"] for d in first["districts"])
    assert empty["districts"] == [] and empty["error"]


def _item(native_id: str, body: str, url: str) -> dict:
    return {
        "source": "leverkusen-com", "native_id": native_id, "canonical_url": url, "url_forms": [url],
        "title": "Titel", "published": "2022-05-02", "sender": "Stadtverwaltung", "category": "Soziales",
        "body": body, "archive_year": None, "footer_addresses": [], "visitor_count": 1,
        "content_hash": f"hash-{native_id}", "raw_ref": None, "fetched_at": "2026-01-01T00:00:00",
    }


def test_stored_extraction_locates_documents_by_text_and_by_archive_code(tmp_path: Path):
    from kommunalmonitor.pipeline.extraction import extract_store

    home = Home(tmp_path / "home").ensure()
    staging = tmp_path / "staging"
    staging.mkdir()
    items = [
        _item("1", "Die Kita in Rheindorf-Nord wird erweitert. Der Umbau dauert bis Mai.",
              "http://h/presse/db/presse.php?view=00000001"),
        _item("2", "Der Rat hat den Haushalt beschlossen.",
              "http://h/presse/db/presse.php?view=00000002&stadtteil=44"),
        _item("3", "An der Opladener Straße wird gebaut.", "http://h/presse/db/presse.php?view=00000003&stadtteil="),
    ]
    (staging / "items.jsonl").write_text("".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
    with Store.open(home.db) as store:
        store.load_staging(staging, store.start_run("crawl", "leverkusen-com"))
    stats = extract_store(home)
    assert stats["documents"] == 3 and stats["districts"] == len(load_places(DEFAULT_PLACES).table_rows())
    with Store.open(home.published_db, read_only=True) as store:
        located = store.query("SELECT native_id, district, evidence, sentence FROM document_districts "
                              "ORDER BY native_id, evidence")[1]
        mentions = store.query("SELECT m.text, m.value, substr(d.body, m.start_char + 1, m.end_char - m.start_char) "
                               "FROM mentions m JOIN documents d USING (source, native_id) "
                               "WHERE m.kind = 'district'")[1]
    assert located == [("1", "Rheindorf", "text", "Die Kita in Rheindorf-Nord wird erweitert."),
                       ("2", "Schlebusch", "archive", None)]
    assert mentions == [("Rheindorf-Nord", "Rheindorf", "Rheindorf-Nord")]
    # The table is replaced, never appended to: a second run leaves the same rows.
    extract_store(home, everything=True)
    with Store.open(home.db) as store:
        assert store.query("SELECT count(*) FROM districts")[1] == [(stats["districts"],)]
        assert store.replace_districts([{"city": "X", "district": "Y"}]) == 1
        assert store.query("SELECT * FROM districts")[1] == [("X", "Y", None, None, None)]
