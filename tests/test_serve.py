"""`komo serve` over HTTP: a real server process on 127.0.0.1 reading a real published snapshot.

The pages' hits are `komo search`'s, a facet's count is the number of hits its link gives, a
bar's count the number of documents behind it; text from the web is escaped, private names
masked, kept copies never rendered on our origin, and a new snapshot is read without a restart.
"""

from __future__ import annotations

import html
import json
import re
import threading
from urllib.parse import quote, urlencode

import pytest

from kommunalmonitor.pipeline.report import charts
from kommunalmonitor.pipeline.store.browse import Segment, plain, segments

from .conftest import HOSTILE_RELEASE, HOSTILE_TITLE, crawl_args, run_komo
from .komo_server import fetch, komo_server

pytestmark = pytest.mark.slow

HIT = re.compile(r'<li class="hit" data-id="([^"]+)" data-source="([^"]+)">')
DOC = re.compile(r'<li data-id="([^"]+)">')
HOSTILE_ID = str(HOSTILE_RELEASE["id"])


@pytest.fixture(scope="module")
def server(reading_home):
    with komo_server(reading_home) as served:
        yield served


def get(server, path: str, **parameters) -> tuple[int, str, dict[str, str]]:
    answer = fetch(server.base_url + path + ("?" + urlencode(parameters) if parameters else ""))
    return answer.status, answer.body.decode("utf-8", errors="replace"), answer.headers


PAGES = ["/", "/suche?q=Sprachkurs", "/themen", "/thema/integration", "/thema/wohnen?from=2015&to=2019",
         "/thema/topic:rat", "/gremien", "/personen", "/stadtteile", "/strassen", "/alarme",
         f"/dokument?source=leverkusen-com&id={HOSTILE_ID}", "/gremien/eintrag?name=Integrationsrat",
         "/thema/integration/dokumente?figure=year&key=2019"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_answers_without_script_under_a_strict_policy(server, path):
    status, page, headers = get(server, path)
    assert status == 200, page[:500]
    policy = headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src" not in policy and "unsafe" not in policy
    assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    assert not re.search(r"<script\b", page, re.I), "a script element"
    assert not re.search(r"<[a-z][^>]*\son[a-z]+=", page, re.I), "an event handler attribute"
    assert 'href="/static/komo.css"' in page


def _hits(page: str) -> list[str]:
    return [native_id for native_id, _ in HIT.findall(page)]


@pytest.mark.parametrize("arguments", [
    ["Sprachkurs Flüchtlinge"],
    ["Unterkunft", "--from", "2015-01-01", "--to", "2020-12-31"],
    ["Integration Kurs", "--all"],
    ["Kita", "--field", "bildung"],
    ["Sprachkurse", "--district", "Opladen", "--kind", "press"],
], ids=lambda a: " ".join(a))
def test_the_search_page_shows_what_komo_search_finds(server, reading_home, arguments):
    query, options = arguments[0], arguments[1:]
    names = {"--from": "from", "--to": "to", "--field": "field", "--district": "district", "--kind": "kind"}
    parameters = {"q": query}
    pairs = iter(options)
    for option in pairs:
        if option == "--all":
            parameters["all"] = "1"
        else:
            parameters[names[option]] = next(pairs)
    cli = run_komo("search", query, *options, "--format", "json", "--limit", "20", home=reading_home)
    assert cli.returncode == 0, cli.stderr
    expected = [json.loads(line)["native_id"] for line in cli.stdout.splitlines()]
    status, page, _ = get(server, "/suche", **parameters)
    assert status == 200
    assert _hits(page) == expected
    assert expected, "the query should find something, or the comparison proves little"


def test_a_facet_count_is_the_number_of_hits_its_link_gives(server):
    status, page, _ = get(server, "/suche", q="Integration Flüchtlinge")
    assert status == 200
    total = int(re.search(r"<h2>([\d.]+) Treffer</h2>", page).group(1).replace(".", ""))
    facets = re.findall(r'<li><a href="(/suche\?[^"]+)">[^<]+</a> <span class="n">(\d+)</span></li>', page)
    assert len(facets) >= 5
    years = [(link, n) for link, n in facets if "from=" in link]
    assert sum(int(n) for _, n in years) <= total
    for link, count in facets[:3] + facets[-3:]:
        _, followed, _ = get(server, html.unescape(link))
        assert re.search(r"<h2>([\d.]+) Treffer</h2>", followed).group(1) == count, link
        if int(count) <= 20:
            assert len(_hits(followed)) == int(count)


def test_pages_of_hits_continue_where_the_last_stopped(server, reading_home):
    cli = run_komo("search", "Stadt", "--format", "json", "--limit", "40", home=reading_home)
    expected = [json.loads(line)["native_id"] for line in cli.stdout.splitlines()]
    first = _hits(get(server, "/suche", q="Stadt")[1])
    second = _hits(get(server, "/suche", q="Stadt", page="2")[1])
    assert first + second == expected and len(expected) == 40


def test_a_bar_and_a_table_row_lead_to_exactly_their_documents(server):
    _, page, _ = get(server, "/thema/integration")
    bars = re.findall(r'<a href="([^"]+)" aria-label="(\d{4}): [^(]*\((\d+) von \d+\)">', page)
    assert len(bars) >= 10
    for link, year, count in bars[:2] + bars[-2:]:
        assert f"figure=year&amp;key={year}" in link
        _, documents, _ = get(server, html.unescape(link))
        assert re.search(r'<strong id="total">(\d+)</strong>', documents).group(1) == count
        assert len(DOC.findall(documents)) == int(count)
    bodies = re.findall(r'<td><a href="(/thema/integration/dokumente\?figure=body[^"]+)">[^<]+</a></td>'
                        r'<td class="n">(\d+)</td>', page)
    assert bodies
    link, count = bodies[0]
    _, documents, _ = get(server, html.unescape(link))
    assert len(DOC.findall(documents)) == int(count)


def test_the_hostile_release_shows_as_text_and_private_names_are_masked(server):
    status, page, _ = get(server, "/dokument", source="leverkusen-com", id=HOSTILE_ID)
    assert status == 200
    assert f"<h1>{HOSTILE_TITLE}</h1>" in html.unescape(page)
    assert "<script>document.title" not in page and "<img src=x" not in page
    assert "Greta" not in page and "Mustermann-Beispiel" not in page  # Anwohnerin: no public role
    assert "[Name]" in page
    assert "Markus Sieben" in page  # Sozialdezernent: named
    assert 'class="m-address"' in page and 'class="m-district"' in page
    found = get(server, "/suche", q='<script>alert(1)</script> Sprachkurse Geflüchtete Opladen')[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in found and "<script>alert(1)" not in found
    assert HOSTILE_ID in _hits(found)
    assert "Greta" not in found


def test_the_kept_copy_is_a_download_or_plain_text_never_a_page_of_ours(server):
    answer = fetch(f"{server.base_url}/dokument/kopie?source=leverkusen-com&id={HOSTILE_ID}")
    assert answer.status == 200
    assert answer.headers["content-disposition"].startswith("attachment;")
    assert answer.headers["content-type"] == "application/octet-stream"
    assert answer.headers["content-security-policy"].startswith("sandbox")
    assert b"window.__komo_xss" in answer.body  # the page exactly as fetched: the payload is still in it
    text = fetch(f"{server.base_url}/dokument/kopie?source=leverkusen-com&id={HOSTILE_ID}&als=text")
    assert text.headers["content-type"].startswith("text/plain")
    assert text.headers["content-security-policy"].startswith("sandbox")


def test_the_sql_behind_a_page_is_shown_on_request(server):
    _, plain_page, _ = get(server, "/suche", q="Sprachkurs", field="sprache")
    assert "match_bm25" not in plain_page and "SQL dieser Seite anzeigen" in plain_page
    _, page, _ = get(server, "/suche", q="Sprachkurs", field="sprache", sql="1")
    assert "match_bm25" in page and "$field" in page and "&#39;sprache&#39;" in page
    _, topic, _ = get(server, "/thema/integration", sql="1")
    assert "CREATE TEMP TABLE report_selection" in topic


def test_reports_download_in_every_format(server):
    csv = fetch(f"{server.base_url}/thema/integration/bericht.csv?from=2015")
    assert csv.status == 200 and csv.body.startswith("\ufeffKennzahl;".encode())
    assert csv.headers["content-disposition"] == 'attachment; filename="bericht-integration.csv"'
    report = fetch(f"{server.base_url}/thema/integration/bericht.html")
    assert report.headers["content-security-policy"].startswith("sandbox") and b"<svg" in report.body
    assert b"<a href" not in report.body.split(b"<svg", 1)[1].split(b"</svg>", 1)[0], "static charts link nowhere"
    assert fetch(f"{server.base_url}/thema/integration/bericht.md").body.startswith(b"# Integration")


@pytest.mark.parametrize("path, status, words", [
    ("/dokument?source=leverkusen-com&id=nope", 404, "Kein Dokument"),
    ("/suche?q=Kita&district=Atlantis", 400, "is not in the store"),
    ("/suche?q=Kita&from=gestern", 400, "is not a date"),
    ("/thema/kochen", 400, "unknown topic"),
    ("/personen/eintrag?name=Greta+Mustermann-Beispiel&role=Anwohnerin", 404, "öffentlicher Funktion"),
    ("/alarme/..%2Fkomo.atom", 404, ""),
])
def test_bad_requests_get_a_clear_answer(server, path, status, words):
    answer, page, _ = get(server, path)
    assert answer == status
    assert words in html.unescape(page)
    assert "Traceback" not in page


def test_a_foreign_host_name_is_refused(server):
    assert fetch(server.base_url + "/", headers={"Host": "evil.example"}).status == 400


def test_chart_links_are_escaped_and_absent_by_default():
    bar = charts.bar_chart([("2019", 0.5, 'a "<b>"')], "t", charts.COUNT, links=['/x?a=1&b="2"'])
    assert '<a href="/x?a=1&amp;b=&#34;2&#34;"' in bar and "<b>" not in bar
    assert "<a " not in charts.bar_chart([("2019", 0.5, "t")], "t", charts.COUNT)
    assert "<a " not in charts.horizontal_bars([("Opladen", 3)], "t")


def test_segments_mask_every_part_of_a_private_name_whatever_covers_it():
    text = "Anwohnerin Greta Muster hilft in Opladen mit."
    pieces = segments(text, 100, [(100, 123, "person", "x"), (133, 140, "district", "Opladen"),
                                  (135, 137, "hit", None)], private=[(111, 123)])
    assert plain(pieces) == "Anwohnerin [Name] hilft in Op»la«den mit."
    assert Segment("[Name]", "private") in pieces and not any("Greta" in p.text for p in pieces)
    assert [p.kind for p in pieces] == ["person", "private", None, "district", "hit", "district", None]


def test_without_a_snapshot_the_server_says_what_to_do_and_serves_it_once_published(tmp_path, site):
    with komo_server(tmp_path) as served:
        status, page, _ = get(served, "/suche", q="Sprachkurs")
        assert status == 503 and "komo update" in page
        assert run_komo(*crawl_args(site), home=tmp_path).returncode == 0
        status, page, _ = get(served, "/suche", q="Sprachkurs")
        assert status == 200 and _hits(page)


NEW_RELEASE = {
    "id": 99501, "published": "2023-03-20", "sender": "Stadtverwaltung", "category": "Soziales",
    "title": "Zauberwürfelturnier im Jugendhaus",
    "blocks": [{"type": "p", "text": "Im Jugendhaus Opladen findet ein Zauberwürfelturnier für Jugendliche statt."}],
}


def test_a_newly_published_snapshot_shows_on_the_next_page_and_no_request_fails(tmp_path, site, archive_copy):
    assert run_komo(*crawl_args(site), home=tmp_path).returncode == 0
    snapshot = tmp_path / "published" / "komo.duckdb"
    with komo_server(tmp_path) as served:
        # --all: the word itself, not its compound parts (Würfel, Turnier are in other releases)
        _, before, _ = get(served, "/suche", q="Zauberwürfelturnier", all="1")
        assert not _hits(before)
        answers: list[int] = []
        done = threading.Event()

        def keep_reading() -> None:
            paths = ["/suche?q=" + quote("Sprachkurs Flüchtlinge"), "/thema/integration?by=rules", "/gremien",
                     "/suche?all=1&q=Zauberw%C3%BCrfelturnier"]
            while not done.is_set():
                for path in paths:
                    answers.append(fetch(served.base_url + path).status)

        reader = threading.Thread(target=keep_reading, daemon=True)
        reader.start()
        inode = snapshot.stat().st_ino
        with (archive_copy / "articles.jsonl").open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(NEW_RELEASE, ensure_ascii=False) + "\n")
        crawled = run_komo(*crawl_args(site), home=tmp_path)
        assert crawled.returncode == 0, crawled.stderr
        assert snapshot.stat().st_ino != inode, "the crawl published a new snapshot file"
        status, after, _ = get(served, "/suche", q="Zauberwürfelturnier", all="1")
        done.set()
        reader.join()
    assert status == 200 and _hits(after) == ["99501"]
    assert answers and set(answers) == {200}, f"{len(answers)} requests: {sorted(set(answers))}"


def test_serve_help_has_examples_and_a_busy_port_is_one_line(tmp_path, reading_home):
    helped = run_komo("serve", "--help")
    assert helped.returncode == 0 and "Examples:" in helped.stdout and "komo serve --port" in helped.stdout
    with komo_server(reading_home) as served:
        port = served.base_url.rsplit(":", 1)[1]
        busy = run_komo("serve", "--port", port, home=reading_home, timeout=60)
    assert busy.returncode != 0
    assert "Traceback" not in busy.stderr and len(busy.stderr.strip().splitlines()) == 1, busy.stderr
