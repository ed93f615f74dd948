"""`komo search`: the fts index with the German stemmer, compound parts, BM25, filters, snippets.

Real DuckDB, the real fts extension, the real compound splitter. Most tests read one small store
built here (the words they need are not all in the sample archive); the CLI tests read the
session's crawl of the sample archive.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.pipeline.store import Store, compounds
from kommunalmonitor.pipeline.store.search import SearchQuery, refresh_index, search

from .conftest import run_komo

FILLER = "Die Stadtverwaltung informiert darüber auf ihrer Internetseite. Weitere Termine folgen im Herbst. "

# native id -> (title, body, published, source, url parameter)
DOCUMENTS = {
    "inflected": ("Hilfe im Alltag", "Ehrenamtliche begleiten Flüchtlingen bei Behördengängen.",
                  "2016-02-01", "test", ""),
    "compound": ("Neues Haus an der Sandstraße",
                 FILLER * 3 + "Im Mai öffnet die Flüchtlingsunterkunft mit 80 Plätzen. " + FILLER * 3,
                 "2016-03-01", "test", ""),
    "apart": ("Wohnen", FILLER * 3 + "Die Stadt sucht eine Unterkunft für junge Flüchtlinge. " + FILLER * 3,
              "2016-04-01", "test", ""),
    "many": ("Kursangebot", "Sprachkurs am Morgen, Sprachkurs am Abend, Sprachkurs am Wochenende: "
             "der Sprachkurs ist voll, ein weiterer Sprachkurs folgt.", "2017-01-01", "test", ""),
    "once": ("Kursangebot", "Ein Sprachkurs beginnt im Januar im Forum, die Anmeldung läuft ab "
             "sofort über das Bürgerbüro, Plätze sind noch frei.", "2017-01-02", "test", ""),
    "b1": ("Bibliothek eins", "Die Bibliothek erweitert ihre Öffnungszeiten.", "2015-03-01", "test",
           "&stadtteil=1"),
    "b2": ("Bibliothek zwei", "Die Bibliothek bietet Lesepaten an.", "2018-06-01", "test", ""),
    "b3": ("Bibliothek drei", "In Opladen lädt die Bibliothek zum Vorlesen ein.", "2020-01-01", "other", ""),
    "b4": ("Bibliothek vier", "Die Bibliothek bleibt über Ostern geschlossen. Ελληνικάμαθήματα, Сообщество.",
           "2021-01-01", "test", ""),  # long capitalised words with no letter the index keeps
    "original": ("Sommerfest im Park", "Das Sommerfest im Stadtpark findet am Samstag statt, mit "
                 "Musik, Spielen und einem Flohmarkt für alle Generationen.", "2019-06-01", "test", ""),
    "copy": ("Sommerfest im Park", "Das Sommerfest im Stadtpark findet am Samstag statt, mit "
             "Musik, Spielen und einem Flohmarkt für alle Generationen.", "2019-06-10", "test", ""),
}


def _item(native_id: str) -> dict:
    title, body, published, source, parameter = DOCUMENTS[native_id]
    url = f"http://h/presse.php?view={native_id}{parameter}"
    return {
        "source": source, "native_id": native_id, "canonical_url": url, "url_forms": [url],
        "title": title, "published": published, "sender": "Stadtverwaltung", "category": "Politik",
        "body": body, "archive_year": None, "footer_addresses": [], "visitor_count": 1,
        "content_hash": f"{native_id}-1", "raw_ref": None, "fetched_at": "2026-01-01T00:00:00",
    }


def _load(store: Store, directory: Path, items: list[dict]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    with open(directory / "items.jsonl", "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    store.load_staging(directory, store.start_run("crawl", "test"))


def _label(store: Store) -> None:
    """What extraction and the classifier would have said about the library documents."""
    store.con.execute("INSERT INTO districts (city, district, stadtbezirk, source, archive_code) "
                      "VALUES ('Leverkusen', 'Wiesdorf', 'I', 'test', 1)")
    store.con.execute(
        "INSERT INTO mentions (source, native_id, kind, text, value, start_char, end_char, sentence_start, "
        "sentence_end, sentence, extractor_version) VALUES ('other', 'b3', 'district', 'Opladen', 'Opladen', "
        "3, 10, 0, 47, 'In Opladen lädt die Bibliothek zum Vorlesen ein.', 'test')")
    for source, native_id, fields in [("test", "b2", ["bildung"]), ("other", "b3", ["bildung"])]:
        store.con.execute(
            "INSERT INTO extractions (source, native_id, content_hash, extractor_version, integration, "
            "action_fields, mention_count, extracted_at) VALUES (?, ?, 'x', 'test', true, ?, 0, now())",
            [source, native_id, fields])
    # b1: the classifier says sprache; b3: it has seen it and does not say bildung (it wins over extraction).
    for source, native_id, label, assigned in [("test", "b1", "sprache", True), ("other", "b3", "bildung", False)]:
        store.con.execute(
            "INSERT INTO topics (source, native_id, label_set, label, score, assigned, model_name, "
            "model_version, model_hash, classified_at) VALUES (?, ?, 'action_field', ?, 0.5, ?, 'm', '1', 'h', now())",
            [source, native_id, label, assigned])


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A published snapshot of the documents above, index built by Store.publish."""
    root = tmp_path_factory.mktemp("search")
    with Store.open(root / "komo.duckdb") as store:
        _load(store, root / "staging", [_item(n) for n in DOCUMENTS])
        _label(store)
        store.publish(root / "published" / "komo.duckdb")
    return root / "published" / "komo.duckdb"


def _ids(snapshot: Path, text: str, **filters) -> list[str]:
    with Store.open(snapshot, read_only=True) as store:
        return [hit.native_id for hit in search(store, SearchQuery(text, **filters))]


def test_an_inflected_form_finds_the_document(snapshot):
    assert "inflected" in _ids(snapshot, "Flüchtlinge")  # the document says only "Flüchtlingen"


def test_a_compound_part_finds_the_compound_and_the_splitter_is_why(snapshot, tmp_path, monkeypatch):
    assert "compound" in _ids(snapshot, "Unterkunft")  # the document says only "Flüchtlingsunterkunft"
    assert compounds.split_word("Flüchtlingsunterkunft") == ("Flüchtling", "Unterkunft")

    monkeypatch.setattr(compounds, "split_word", lambda word: ())  # the same index without compound parts
    with Store.open(tmp_path / "komo.duckdb") as store:
        _load(store, tmp_path / "staging", [_item(n) for n in DOCUMENTS])
        store.publish(tmp_path / "published.duckdb")
        assert store.query("SELECT count(*) FROM search_corpus WHERE compound_terms <> ''")[1] == [(0,)]
    unsplit = _ids(tmp_path / "published.duckdb", "Unterkunft")
    assert "compound" not in unsplit and "apart" in unsplit


def test_a_compound_query_finds_the_exact_word_first_and_the_parts_apart(snapshot):
    found = _ids(snapshot, "Flüchtlingsunterkunft")
    assert found[0] == "compound"
    assert "apart" in found  # "Unterkunft für junge Flüchtlinge"
    assert _ids(snapshot, "Flüchtlingsunterkunft", all_terms=True) == ["compound"]
    plural = _ids(snapshot, "flüchtlingsunterkünfte")  # not in the corpus; split as its singular was
    assert plural[0] == "compound" and "apart" in plural


def test_bm25_ranks_many_mentions_above_one(snapshot):
    found = _ids(snapshot, "Sprachkurs")
    assert found.index("many") < found.index("once")


def test_all_terms_is_conjunctive_and_stopwords_do_not_count(snapshot):
    assert set(_ids(snapshot, "Unterkunft Flüchtlinge")) >= {"compound", "apart", "inflected"}
    # The compound's parts are in the index: "Flüchtlingsunterkunft" has both words.
    assert set(_ids(snapshot, "Unterkunft für Flüchtlinge", all_terms=True)) == {"apart", "compound"}


@pytest.mark.parametrize("filters, expected", [
    ({}, {"b1", "b2", "b3", "b4"}),
    ({"date_from": date(2016, 1, 1)}, {"b2", "b3", "b4"}),
    ({"date_to": date(2016, 1, 1)}, {"b1"}),
    ({"date_from": date(2018, 6, 1), "date_to": date(2020, 1, 1)}, {"b2", "b3"}),
    ({"source": "other"}, {"b3"}),
    ({"source": "OTHER"}, {"b3"}),
    ({"action_field": "sprache"}, {"b1"}),
    ({"action_field": "Sprache"}, {"b1"}),
    ({"action_field": "bildung"}, {"b2"}),  # b3: the classifier has seen it and says no
    ({"district": "Wiesdorf"}, {"b1"}),  # from the archive's stadtteil= parameter
    ({"district": "opladen"}, {"b3"}),  # named in the text; any case
    ({"source": "test", "date_from": date(2019, 1, 1)}, {"b4"}),
    ({"limit": 2}, None),
])
def test_each_filter_narrows_the_hits(snapshot, filters, expected):
    found = _ids(snapshot, "Bibliothek", **filters)
    if expected is None:
        assert len(found) == 2
    else:
        assert set(found) == expected


@pytest.mark.parametrize("option, value, words", [
    ("source", "nirgendwo", "--source 'nirgendwo' is not in the store"),
    ("action_field", "kochen", "--field 'kochen' is not in the store"),
    ("district", "Atlantis", "--district 'Atlantis' is not in the store"),
])
def test_an_unknown_filter_value_is_a_clear_error(snapshot, option, value, words):
    with pytest.raises(KomoError, match=words):
        _ids(snapshot, "Bibliothek", **{option: value})


@pytest.mark.parametrize("text", [
    "'; DROP TABLE documents; --",
    "Flüchtlinge' OR '1'='1",
    '"Flüchtlinge"',
    "Bibliothek) UNION SELECT * FROM documents --",
    "% _ \\ $1 ? :name",
])
def test_quotes_and_sql_in_a_query_are_only_words(snapshot, text):
    try:
        found = _ids(snapshot, text)
    except KomoError as problem:  # nothing but punctuation left
        assert "nothing to search for" in str(problem)
        found = []
    if "Flüchtlinge" in text:
        assert "inflected" in found
    with Store.open(snapshot, read_only=True) as store:
        assert store.query("SELECT count(*) FROM documents")[1] == [(len(DOCUMENTS),)]


def test_a_query_of_stopwords_only_is_refused(snapshot):
    with pytest.raises(KomoError, match="nothing to search for"):
        _ids(snapshot, "und die für")


def test_the_snippet_shows_the_hit_with_offsets_into_the_body(snapshot):
    with Store.open(snapshot, read_only=True) as store:
        hit = next(h for h in search(store, SearchQuery("Unterkunft")) if h.native_id == "compound")
        body = store.query("SELECT body FROM documents WHERE native_id = 'compound'")[1][0][0]
    assert "»Flüchtlingsunterkunft«" in hit.snippet
    assert hit.snippet.startswith("…") and hit.snippet.endswith("…")  # the body is longer than the window
    assert len(hit.snippet) <= 220
    (start, end), = hit.highlights
    assert body[start:end] == "Flüchtlingsunterkunft"
    assert hit.snippet_start <= start < end <= hit.snippet_end
    assert (hit.published, hit.sender) == (date(2016, 3, 1), "Stadtverwaltung")
    assert hit.title == "Neues Haus an der Sandstraße"
    assert hit.canonical_url == "http://h/presse.php?view=compound" and hit.score > 0


def test_a_republished_copy_is_shown_once_as_its_original(snapshot):
    with Store.open(snapshot, read_only=True) as store:
        hits = search(store, SearchQuery("Sommerfest"))
    assert [(h.native_id, h.copies) for h in hits] == [("original", 1)]


def test_the_index_is_rebuilt_only_when_documents_change(tmp_path):
    with Store.open(tmp_path / "komo.duckdb") as store:
        _load(store, tmp_path / "a", [_item("inflected"), _item("once")])
        assert refresh_index(store).rebuilt
        unchanged = refresh_index(store)
        assert not unchanged.rebuilt and unchanged.split == 0
        changed = _item("once") | {"body": "Der Sprachkurs fällt aus.", "content_hash": "once-2"}
        _load(store, tmp_path / "b", [changed])
        again = refresh_index(store)
        assert again.rebuilt and again.split == 1 and again.documents == 2
        store.publish(tmp_path / "published.duckdb")
    with Store.open(tmp_path / "published.duckdb", read_only=True) as snapshot:
        assert "fällt aus" in search(snapshot, SearchQuery("Sprachkurs"))[0].snippet
        assert snapshot.query("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'search_input'")[1] == [(0,)]


# -- the command line, on the session's crawl of the sample archive ----------------------------


def test_komo_search_finds_compounds_in_the_sample_archive(clean_crawl):
    home, _ = clean_crawl
    table = run_komo("search", "Sprachkurs Flüchtlinge", home=home)
    assert table.returncode == 0, table.stderr
    assert "»" in table.stdout and "(10 hits; --limit shows more)" in table.stdout

    found = run_komo("search", "Unterkunft", "--format", "json", "--limit", "50", "--from", "2016-01-01",
                     home=home)
    assert found.returncode == 0, found.stderr
    hits = [json.loads(line) for line in found.stdout.splitlines()]
    assert hits and all(h["published"] >= "2016-01-01" for h in hits)
    assert [h["score"] for h in hits] == sorted((h["score"] for h in hits), reverse=True)
    # "Vom Heim in die eigene Wohnung" (2020) names no Unterkunft but a "Gemeinschaftsunterkunft".
    report = next(h for h in hits if h["native_id"] == "38682")
    assert "»Gemeinschaftsunterkunft«" in report["snippet"]
    assert {"published", "sender", "title", "canonical_url", "score", "snippet", "highlights"} <= set(report)


def test_komo_search_errors_are_one_line(tmp_path, clean_crawl):
    missing = run_komo("search", "Unterkunft", home=tmp_path)
    assert missing.returncode == 2 and "komo crawl" in missing.stderr
    with Store.open(tmp_path / "published" / "komo.duckdb"):
        pass  # a snapshot from before search existed: no index in it
    no_index = run_komo("search", "Unterkunft", home=tmp_path)
    assert no_index.returncode == 2, no_index.stderr
    assert no_index.stderr.strip().splitlines() == [no_index.stderr.strip()]
    assert "has no search index" in no_index.stderr and "komo crawl" in no_index.stderr
    home, _ = clean_crawl
    for args, words in [(["und die"], "nothing to search for"),
                        (["Kita", "--from", "2020-01-01", "--to", "2019-01-01"], "is after --to"),
                        (["Kita", "--from", "gestern"], "is not a date"),
                        (["Kita " * 200], "keep it under")]:
        bad = run_komo("search", *args, home=home)
        assert bad.returncode == 2 and words in bad.stderr, bad.stderr
        assert len(bad.stderr.strip().splitlines()) == 1 and "Traceback" not in bad.stderr


def test_overlong_words_and_queries_are_refused_quickly():
    from kommunalmonitor.pipeline.store.compounds import MAX_LENGTH, split_word

    assert split_word("Flüchtlings" + "unterkunft" * 50) == ()
    assert len("Flüchtlingsunterkunft") <= MAX_LENGTH


def test_splitting_in_small_batches_stores_what_one_batch_stores(tmp_path, monkeypatch):
    # Each batch reads from the store only the splits of its own words: the result must not depend
    # on the batch size; the splitter's n-gram table is freed when the index is built.
    import split_words.splitter

    from kommunalmonitor.pipeline.store import search as search_module

    found = []
    for batch in (1000, 2):
        monkeypatch.setattr(search_module, "_BATCH", batch)
        with Store.open(tmp_path / f"b{batch}.duckdb") as store:
            _load(store, tmp_path / f"b{batch}", [_item(n) for n in DOCUMENTS])
            assert refresh_index(store).split == len(DOCUMENTS) - 1  # the republished copy is not indexed
            assert split_words.splitter.ngram_probs is None
            found.append([store.query(sql)[1] for sql in (
                "SELECT word, stem, parts FROM search_compounds ORDER BY word",
                "SELECT source, native_id, compound_terms FROM search_corpus ORDER BY ALL")])
    assert found[0] == found[1]
    assert ("flüchtlingsunterkunft", ["Flüchtling", "Unterkunft"]) in [(w, p) for w, _, p in found[0][0]]


def test_the_long_word_scan_finds_exactly_the_words_that_are_split():
    """candidate_words (one regex for long words) against every word filtered one by one, over the
    gold pages and words at the edges (9/10/40/41 letters, digits and underscores inside)."""
    from kommunalmonitor.pipeline.store.compounds import WORD, candidate_words, is_candidate

    texts = [f"{'A' + 'b' * 8} {'A' + 'b' * 9} {'A' + 'b' * 39} {'A' + 'b' * 40} kleinschreibungswort "
             "Flüchtlings_unterkunft2Integrationskurse Ärztekammerversammlung"]
    for path in sorted((Path(__file__).parent / "gold").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("text"), str):
                texts.append(record["text"])
    found = 0
    for text in texts:
        expected = [m.group() for m in WORD.finditer(text) if is_candidate(m.group())]
        assert list(candidate_words(text)) == expected
        found += len(expected)
    assert found > 1000
