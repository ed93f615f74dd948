"""Tests of the sample press site server itself (real HTTP on 127.0.0.1, port 0).

Most tests serve a small synthetic archive written to a temporary folder next to a copy of the
shipped site.toml, so they do not depend on the bundled articles; one test checks the bundled
archive when it is present.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import shutil
import tomllib
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import date, timedelta
from email.message import Message
from pathlib import Path

import lxml.html
import pytest

from kommunalmonitor.pipeline.demo.sample_site import (
    SampleSite,
    ServerHandle,
    main,
    serve,
    slugify,
)

REPO = Path(__file__).resolve().parents[1]
SHIPPED_ARCHIVE = REPO / "data" / "sample-archive"
SITE_TOML = SHIPPED_ARCHIVE / "site.toml"

BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "ul", "ol", "li", "table", "tr", "header", "footer",
    "nav", "main", "article", "aside", "blockquote", "section", "body",
}  # fmt: skip


# --------------------------------------------------------------------------------------------
# helpers


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Never follow redirects: the offsite fault points at a host we must not contact."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


_OPENER = urllib.request.build_opener(_NoRedirect)


def fetch(url: str) -> tuple[int, Message, bytes]:
    """GET url → (status, headers, body), without raising on 4xx/5xx or following redirects."""
    try:
        with _OPENER.open(url, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.headers, error.read()


def page_text(body: bytes, encoding: str | None = None) -> str:
    """Rendered text of a page, roughly as a browser's innerText: blocks on their own lines."""
    parser = lxml.html.HTMLParser(encoding=encoding)
    root = lxml.html.document_fromstring(body, parser=parser)
    for head in root.xpath("//head"):
        head.drop_tree()
    for br in root.iter("br", "BR"):
        br.tail = "\n" + (br.tail or "")
    for element in root.iter():
        if isinstance(element.tag, str) and element.tag.lower() in BLOCK_TAGS:
            element.text = "\n" + (element.text or "")
            element.tail = "\n" + (element.tail or "")
        elif element.tag in ("td", "TD"):
            element.tail = " " + (element.tail or "")
    lines = (" ".join(line.split()) for line in root.text_content().split("\n"))
    return "\n".join(line for line in lines if line)


def charset_of(headers: Message, body: bytes) -> str:
    declared = headers.get_content_charset()
    if declared:
        return declared
    match = re.search(rb"charset=([\w-]+)", body[:1024], re.I)
    assert match, "no charset in header or meta"
    return match.group(1).decode()


def links(body: bytes) -> list[str]:
    return lxml.html.document_fromstring(body).xpath("//a/@href")


def entry_links(listing: bytes) -> list[str]:
    """The article links of a listing page's entries."""
    root = lxml.html.document_fromstring(listing)
    return [entry.xpath(".//a/@href")[0] for entry in root.find_class("eintrag")]


def article_id_of(href: str) -> int:
    match = re.search(r"view=0*(\d+)", href) or re.search(r"-(\d{8})\.html$", href)
    assert match, href
    return int(match.group(1))


# --------------------------------------------------------------------------------------------
# a synthetic archive


def _synthetic_articles() -> list[dict]:
    """~60 articles from 2001 to January 2023, plus every original site.toml republishes."""
    config = tomllib.loads(SITE_TOML.read_text("utf-8"))
    ids = list(range(1001, 46001, 750))
    originals = {int(entry["original"]) for entry in config.get("republished", [])}
    ids = sorted(set(ids) | originals)
    senders = ["Stadtverwaltung", "Internet Initiative", "Polizei Leverkusen", "Integrationsrat"]
    start = date(2001, 1, 10)
    span = (date(2023, 1, 31) - start).days
    articles = []
    for n, article_id in enumerate(ids):
        published = start + timedelta(days=span * n // (len(ids) - 1))
        first = f"Erster Absatz {article_id}: „Integration“ – 1.234,50 € für Küppersteg."
        second = f"Zweiter Absatz {article_id} über die Sandstr. 65-69."
        blocks: list[dict] = [{"type": "p", "text": first}, {"type": "p", "text": second}]
        if n % 3 == 0:
            blocks.append({"type": "quote", "text": "„Wir sind auf einem guten Weg“, sagte er."})
        if n % 4 == 0:
            blocks.append({"type": "list", "items": ["Görresstr. 11", "Hermann-Löns-Str. 1a"]})
        if n % 5 == 0:
            rows = [["Standort", "Plätze"], ["Felderstraße", "ca. 90"]]
            blocks.append({"type": "table", "rows": rows})
        articles.append(
            {
                "id": article_id,
                "published": published.isoformat(),
                "sender": senders[n % len(senders)],
                "title": None if n % 17 == 5 else f"Meldung {article_id}: Größe & Übermut in Opladen",
                "category": None if n % 7 == 3 else "Politik",
                "blocks": blocks,
                "topic": "Soziales",
                "integration": n % 2 == 0,
                "action_fields": [],
                "stadtteil": 44 if n % 2 else None,
            }
        )
    return articles


def _write_jsonl(path: Path, records: list[dict]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")


@pytest.fixture()
def archive(tmp_path: Path) -> Path:
    folder = tmp_path / "archive"
    folder.mkdir()
    shutil.copy(SITE_TOML, folder / "site.toml")
    _write_jsonl(folder / "articles.jsonl", _synthetic_articles())
    return folder


@pytest.fixture()
def server(archive: Path, tmp_path: Path) -> Iterator[ServerHandle]:
    with serve(archive, fast=True, access_log=tmp_path / "access.jsonl") as handle:
        yield handle


@pytest.fixture()
def site(server: ServerHandle) -> SampleSite:
    return server.site


def _truth(site: SampleSite) -> dict[int, dict]:
    return {article["id"]: article for article in site.expected_articles()}


def _get_article(server: ServerHandle, article_id: int) -> tuple[int, Message, bytes, str]:
    """Fetch an article page (retrying once after a 429) and render its text."""
    status, headers, body = fetch(server.url(server.site.article_path(article_id)))
    if status == 429:
        status, headers, body = fetch(server.url(server.site.article_path(article_id)))
    return status, headers, body, page_text(body, charset_of(headers, body))


def _plain_articles(site: SampleSite) -> list[dict]:
    """Expected articles that are not bad pages (the synthetic ones and republished copies)."""
    faults = set(site.fault_ids().values())
    return [article for article in site.expected_articles() if article["id"] not in faults]


def _without_counter(text: str) -> str:
    return re.sub(r"Bisherige Besucher auf dieser Seite: [\d.]+", "", text)


# --------------------------------------------------------------------------------------------
# tests


def test_robots_txt_disallows_intern(server: ServerHandle) -> None:
    status, headers, body = fetch(server.url("/robots.txt"))
    assert status == 200
    assert headers.get_content_type() == "text/plain"
    assert body.decode().splitlines() == ["User-agent: *", "Disallow: /presse/intern/"]
    status, _, body = fetch(server.url("/presse/intern/liste.php?seite=1"))
    assert (status, body) == (200, b"intern")


def test_all_url_forms_serve_the_same_article(server: ServerHandle, site: SampleSite) -> None:
    article = next(a for a in site.expected_articles() if a["title"] and a["id"] % 2)
    article_id = article["id"]
    forms = [
        f"/presse/db/presse.php?view={article_id}",
        f"/presse/db/presse.php?view={article_id:08d}",
        f"/presse/db/presse.php?view={article_id:08d}&stadtteil=44",
        f"/presse/db/presse.php?view={article_id:08d}&stadtteil=&kat=",
        f"/presse/{slugify(article['title'])}-{article_id:08d}.html",
        f"/presse/irgendein-anderer-slug-{article_id:08d}.html",
    ]
    texts: set[str] = set()
    counters: list[int] = []
    for form in forms:
        status, headers, body = fetch(server.url(form))
        assert status == 200, form
        text = page_text(body, charset_of(headers, body))
        count = re.search(r"Besucher auf dieser Seite: ([\d.]+)", text)
        assert count
        counters.append(int(count[1].replace(".", "")))
        texts.add(_without_counter(text))
    assert len(texts) == 1
    assert article["title"] in texts.pop()
    # the visitor counter grows on every request, whatever the URL form
    assert counters == list(range(counters[0], counters[0] + len(forms)))


def test_unknown_and_malformed_ids_are_404_pages(server: ServerHandle) -> None:
    for path in (
        "/presse/db/presse.php?view=99999999",
        "/presse/db/presse.php?view=abc",
        "/presse/db/presse.php",
        "/presse/kein-artikel-00000007.html",
        "/gibt/es/nicht",
    ):
        status, headers, body = fetch(server.url(path))
        assert status == 404, path
        assert headers.get_content_type() == "text/html"
        assert "Seite nicht gefunden" in body.decode("utf-8")


def test_listing_pages_cover_every_article_newest_first(server: ServerHandle, site: SampleSite) -> None:
    served_ids = set(_truth(site)) | set(site.fault_ids().values())
    urls = site.listing_urls()
    assert urls[0] == "/presse/db/liste.php?seite=1"
    assert len(urls) == math.ceil(len(served_ids) / 20)
    seen: list[int] = []
    dates: list[date] = []
    for number, url in enumerate(urls, 1):
        status, _, body = fetch(server.url(url))
        assert status == 200
        hrefs = links(body)
        entries = entry_links(body)
        assert 1 <= len(entries) <= 20
        seen += [article_id_of(href) for href in entries]
        text = page_text(body, "utf-8")
        for day, month, year in re.findall(r"^(\d\d)\.(\d\d)\.(\d{4})$", text, re.M):
            dates.append(date(int(year), int(month), int(day)))
        # every page links to all pages, and to the next one ("weiter")
        assert all(url in hrefs for url in urls)
        assert ("weiter" in text) == (number < len(urls))
        assert ("/presse/intern/liste.php?seite=1" in hrefs) == (number == 1)
    assert sorted(seen) == sorted(served_ids)
    assert dates == sorted(dates, reverse=True)
    assert fetch(server.url(f"/presse/db/liste.php?seite={len(urls) + 1}"))[0] == 404


def test_listing_shows_untitled_entries_and_every_fault(server: ServerHandle, site: SampleSite) -> None:
    untitled = [a for a in site.expected_articles() if a["title"] is None]
    assert untitled
    texts = {}
    for url in site.listing_urls():
        _, _, body = fetch(server.url(url))
        for entry in lxml.html.document_fromstring(body).find_class("eintrag"):
            href = entry.xpath(".//a/@href")[0]
            texts[article_id_of(href)] = page_text(lxml.html.tostring(entry), "utf-8")
    for article in untitled:
        assert "(ohne Überschrift)" in texts[article["id"]]
    first_pages = set()
    for url in site.listing_urls()[:2]:
        first_pages |= {article_id_of(href) for href in entry_links(fetch(server.url(url))[2])}
    assert set(site.fault_ids().values()) <= first_pages


def test_encodings_follow_the_publication_year(server: ServerHandle, site: SampleSite) -> None:
    header_charsets: dict[str, set[str | None]] = {"old": set(), "1252": set(), "utf8": set()}
    for article in _plain_articles(site):
        year = int(article["published"][:4])
        status, headers, body = fetch(server.url(site.article_path(article["id"])))
        assert status == 200
        declared = headers.get_content_charset()
        if year < 2008:
            header_charsets["old"].add(declared)
            if declared is None:
                assert b'CONTENT="text/html; charset=iso-8859-1"' in body
            # characters outside Latin-1 become numeric references, Latin-1 ones stay bytes
            assert b"&#8222;Integration&#8220;" in body and b"&#8364;" in body
            assert "Küppersteg".encode("iso-8859-1") in body
        elif year <= 2012:
            header_charsets["1252"].add(declared)
            assert "„Integration“ – 1.234,50 €".encode("cp1252") in body
        else:
            header_charsets["utf8"].add(declared)
            assert "„Integration“".encode() in body
    assert header_charsets == {
        "old": {"iso-8859-1", None},  # half in the header, half only in <meta>
        "1252": {"windows-1252"},
        "utf8": {"utf-8"},
    }


def test_article_text_layout_per_template(server: ServerHandle, site: SampleSite) -> None:
    truth = {article["id"]: article for article in _plain_articles(site)}
    newest = max(date.fromisoformat(a["published"]) for a in site.expected_articles())
    seen_templates = set()
    for article_id, article in truth.items():
        status, _, body, text = _get_article(server, article_id)
        assert status == 200
        lines = text.split("\n")
        assert lines[:2] == ["Leverkusen.com – Das Stadtportal", "Startseite › Presse › Archiv"]
        assert lines[-1] == "© Leverkusen.com · Impressum · Datenschutz"
        published = date.fromisoformat(article["published"])
        stamp = published.strftime("%d.%m.%Y")
        if published.year < 2008:
            template = "old"
            assert b"<TABLE" in body and b"<FONT" in body
            assert b"&nbsp;(Quelle: " in body
            pub_line = f"{stamp} (Quelle: {article['sender']})"
        else:
            template = "summary" if published.year < 2014 else "current"
            assert (b"<main>" in body) == (template == "current")
            pub_line = f"Veröffentlicht: {stamp} // Quelle: {article['sender']}"
        seen_templates.add(template)
        order = [pub_line]
        if article["title"]:
            order.insert(0, article["title"])
        archived = published.replace(year=published.year + 2) < newest
        note = f"Archivmeldung aus dem Jahr {published.year}"
        assert (note in lines) == (archived and template != "old")
        paragraphs = article["body"].split("\n\n")
        if template == "summary":
            assert lines[lines.index(pub_line) + 1] == "Kurz zusammengefasst"
            assert text.count(paragraphs[0]) == 1
        order += paragraphs[0].split("\n") + paragraphs[-1].split("\n")
        if article["category"]:
            order.append(next(line for line in lines if line.endswith(f": {article['category']}")))
        order += [
            next(line for line in lines if line.startswith("Bisherige Besucher")),
            "Meldungen Blättern",
            f'Weitere Nachrichten der Quelle "{article["sender"]}"',
            "Weitere Meldungen",
        ]
        positions = [lines.index(line) for line in order]
        assert positions == sorted(positions), (article_id, order)
    assert seen_templates == {"old", "summary", "current"}


def test_teasers_come_before_or_after_and_sometimes_glued(server: ServerHandle, site: SampleSite) -> None:
    kinds = set()
    for article in site.expected_articles():
        if not article["title"]:
            continue
        _, _, _, text = _get_article(server, article["id"])
        if "lesen" not in text:
            kinds.add("none")
            continue
        before = text.index("lesen") < text.index(article["title"])
        glued = re.search(r"\(\d\d\.\d\d\.\d{4}\)\nlesen\S", text) is not None
        kinds.add(("before" if before else "after", "glued" if glued else "blocks"))
        assert re.search(r"\(\d\d\.\d\d\.\d{4}\)\nlesen", text)
    assert kinds >= {"none", ("before", "glued"), ("after", "glued"), ("before", "blocks")}


def test_expected_articles_flatten_lists_and_tables(site: SampleSite) -> None:
    truth = site.expected_articles()
    assert set(truth[0]) == {"id", "title", "published", "sender", "category", "body"}
    with_table = next(a for a in truth if "Standort Plätze" in a["body"])
    assert "\n\nStandort Plätze\nFelderstraße ca. 90" in with_table["body"]
    with_list = next(a for a in truth if "Görresstr. 11" in a["body"])
    assert "Görresstr. 11\nHermann-Löns-Str. 1a" in with_list["body"]


def test_republished_copies_are_served_with_their_own_date(
    server: ServerHandle, site: SampleSite, archive: Path
) -> None:
    config = tomllib.loads((archive / "site.toml").read_text("utf-8"))
    truth = _truth(site)
    assert len(config["republished"]) == 2
    for entry in config["republished"]:
        copy, original = truth[entry["id"]], truth[entry["original"]]
        assert copy["published"] == entry["published"] != original["published"]
        assert (copy["title"], copy["body"]) == (original["title"], original["body"])
        _, _, _, text = _get_article(server, entry["id"])
        assert date.fromisoformat(entry["published"]).strftime("%d.%m.%Y") in text


def test_bad_pages(server: ServerHandle, site: SampleSite) -> None:
    faults = site.fault_ids()
    assert all(46901 <= fault_id <= 46910 for fault_id in faults.values())
    truth = _truth(site)
    assert set(faults.values()) & set(truth) == {
        faults["too_many_once"], faults["broken_html"], faults["wrong_charset"]}

    def get(kind: str) -> tuple[int, Message, bytes]:
        return fetch(server.url(site.article_path(faults[kind])))

    status, headers, body = get("not_found")
    assert status == 404 and b"Seite nicht gefunden" in body
    assert [get("server_error")[0] for _ in range(2)] == [500, 500]
    for _ in range(2):
        status, headers, _ = get("too_many_always")
        assert (status, headers["Retry-After"]) == (429, "1")
    status, headers, _ = get("redirect_offsite")
    assert status == 302
    assert headers["Location"] == f"http://presse.example.invalid/presse/{faults['redirect_offsite']}"
    status, headers, body = get("empty")
    assert (status, body, headers["Content-Length"]) == (200, b"", "0")
    status, _, body = get("huge")
    assert status == 200 and 4_500_000 < len(body) < 6_000_000

    broken = truth[faults["broken_html"]]
    status, headers, body = get("broken_html")
    assert status == 200
    assert not body.rstrip().endswith(b"</html>") and body.count(b"</p>") == 0
    text = page_text(body, "utf-8")
    assert broken["title"] in text
    assert all(line in text for line in broken["body"].split("\n") if line)

    status, headers, body = get("wrong_charset")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert "ö".encode("windows-1252") in body and "ö".encode() not in body


def test_truncated_page_sends_less_than_content_length(server: ServerHandle, site: SampleSite) -> None:
    path = site.article_path(site.fault_ids()["truncated"])
    connection = http.client.HTTPConnection("127.0.0.1", int(server.base_url.rsplit(":", 1)[1]))
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        assert response.status == 200
        declared = int(response.headers["Content-Length"])
        with pytest.raises(http.client.IncompleteRead) as caught:
            response.read()
        assert 0.3 * declared < len(caught.value.partial) < 0.7 * declared
    finally:
        connection.close()


def test_too_many_once_then_good_page_with_retry_after(
    archive: Path, server: ServerHandle, site: SampleSite
) -> None:
    article_id = site.fault_ids()["too_many_once"]
    status, headers, _ = fetch(server.url(site.article_path(article_id)))
    assert (status, headers["Retry-After"]) == (429, "1")
    status, headers, body = fetch(server.url(f"/presse/x-{article_id:08d}.html"))
    assert status == 200 and "Retry-After" not in headers
    assert _truth(site)[article_id]["title"] in page_text(body, "utf-8")
    # without fast=True the configured delay is sent
    with serve(archive) as slow:
        status, headers, _ = fetch(slow.url(site.article_path(article_id)))
    retry_after = tomllib.loads((archive / "site.toml").read_text("utf-8"))["site"]["retry_after"]
    assert (status, headers["Retry-After"]) == (429, str(retry_after))


def test_access_log_records_every_request(server: ServerHandle, site: SampleSite, tmp_path: Path) -> None:
    paths = ["/robots.txt", site.listing_urls()[0], "/presse/db/presse.php?view=00000001&x=1"]
    for path in paths:
        fetch(server.url(path))
    entries = server.requests[-3:]
    assert [(e["method"], e["path"], e["status"]) for e in entries] == [
        ("GET", paths[0], 200),
        ("GET", paths[1], 200),
        ("GET", paths[2], 404),
    ]
    assert entries[0]["t"] <= entries[1]["t"] <= entries[2]["t"]
    assert all(isinstance(e["wall"], float) for e in entries)
    logged = [json.loads(line) for line in (tmp_path / "access.jsonl").read_text().splitlines()]
    assert logged[-3:] == entries


def test_edits_to_articles_jsonl_are_served_at_once(
    server: ServerHandle, site: SampleSite, archive: Path
) -> None:
    records = [json.loads(line) for line in (archive / "articles.jsonl").read_text().splitlines()]
    edited = next(r for r in records if r["title"] and r["published"] >= "2014")
    edited["title"] = "Neue Überschrift nach Korrektur"
    edited["blocks"] = [{"type": "p", "text": "Korrigierter Text."}]
    edited["updated"] = "2023-02-01"
    backdated = {**records[0], "id": 777, "published": "2003-05-06", "title": "Nachgetragen"}
    _write_jsonl(archive / "articles.jsonl", [*records, backdated])

    _, _, _, text = _get_article(server, edited["id"])
    assert "Neue Überschrift nach Korrektur" in text and "Korrigierter Text." in text
    assert _get_article(server, 777)[0] == 200
    truth = _truth(site)
    assert truth[edited["id"]]["body"] == "Korrigierter Text."
    assert truth[777]["published"] == "2003-05-06"
    listing_text = "\n".join(page_text(fetch(server.url(url))[2], "utf-8") for url in site.listing_urls())
    assert "Neue Überschrift nach Korrektur\nQuelle: " in listing_text
    assert "aktualisiert am 01.02.2023" in listing_text
    assert "Nachgetragen" in listing_text


def test_slugify_is_german() -> None:
    assert slugify("Größe & Übermut: Straßenfest in Köln!") == "groesse-uebermut-strassenfest-in-koeln"


def test_cli_reports_a_missing_archive_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--archive", str(tmp_path / "missing"), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1


@pytest.mark.skipif(
    not (SHIPPED_ARCHIVE / "articles.jsonl").exists(),
    reason="bundled articles.jsonl not written yet",
)
def test_shipped_archive_is_consistent() -> None:
    site = SampleSite.load(SHIPPED_ARCHIVE)
    faults = site.fault_ids()
    assert len(faults) == 10
    truth = _truth(site)
    assert {faults["too_many_once"], faults["broken_html"]} <= set(truth)
    with serve(SHIPPED_ARCHIVE, fast=True) as handle:
        on_first_pages = set()
        for url in site.listing_urls()[:2]:
            on_first_pages |= {article_id_of(h) for h in entry_links(fetch(handle.url(url))[2])}
    assert set(faults.values()) <= on_first_pages


def test_committed_truth_file_matches_the_archive_data() -> None:
    """data/sample-archive/truth.jsonl is regenerated with `--write-truth` whenever the data change."""
    from kommunalmonitor.pipeline.demo.sample_site import TRUTH_FILE

    archive = Path(__file__).resolve().parent.parent / "data" / "sample-archive"
    committed = [json.loads(line) for line in (archive / TRUTH_FILE).read_text("utf-8").splitlines()]
    assert committed == SampleSite.load(archive).expected_articles()
