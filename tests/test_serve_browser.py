"""`komo serve` in a real headless Chromium (Debian's package, driven by Playwright), against a real
server process on 127.0.0.1: search, filter, open a document, follow a chart bar to exactly its
documents, download a CSV; hostile text stays text, no dialog fires, nothing leaves 127.0.0.1.
Screenshots are kept in the test's folder (the path is printed)."""

from __future__ import annotations

import re

import pytest

from . import test_report_browser  # noqa: F401  (its skips where Chromium or playwright is missing apply here)
from .conftest import HOSTILE_RELEASE, HOSTILE_TITLE, run_komo
from .komo_server import komo_server

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def served(reading_home):
    with komo_server(reading_home) as server:
        yield server


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("serve-screenshots")
    print(f"\nkomo serve screenshots: {folder}")
    return folder


@pytest.fixture
def page(browser, served):
    """A page that records every request, dialog, console message and script error."""
    context = browser.new_context(viewport={"width": 1200, "height": 900}, accept_downloads=True)
    page = context.new_page()
    page.seen = {"requests": [], "dialogs": [], "console": [], "errors": []}
    page.on("request", lambda request: page.seen["requests"].append(request.url))
    page.on("dialog", lambda dialog: (page.seen["dialogs"].append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: page.seen["console"].append((message.type, message.text)))
    page.on("pageerror", lambda error: page.seen["errors"].append(str(error)))
    yield page
    assert all(url.startswith(served.base_url + "/") for url in page.seen["requests"]), \
        [url for url in page.seen["requests"] if not url.startswith(served.base_url + "/")]
    assert page.seen["dialogs"] == [] and page.seen["errors"] == []
    assert [m for m in page.seen["console"] if m[0] == "error"] == []
    context.close()


def hit_ids(page) -> list[str]:
    return page.locator("li.hit").evaluate_all("items => items.map(i => i.dataset.id)")


def test_search_filter_and_open_a_document(page, served, reading_home, shots):
    page.goto(served.base_url + "/")
    page.fill("#q", "Sprachkurs Flüchtlinge")
    page.click("form.search button")
    page.wait_for_load_state("load")
    assert page.url.startswith(served.base_url + "/suche?")
    cli = run_komo("search", "Sprachkurs Flüchtlinge", "--format", "json", "--limit", "20", home=reading_home)
    expected = [line.split('"native_id": "')[1].split('"')[0] for line in cli.stdout.splitlines()]
    assert hit_ids(page) == expected
    assert page.locator("li.hit mark.hit").count() >= len(expected)
    page.screenshot(path=str(shots / "search.png"), full_page=True)

    page.select_option("select[name=field]", "sprache")
    page.fill("input[name=from]", "2015-01-01")
    page.click("form.search button")
    page.wait_for_load_state("load")
    filtered = run_komo("search", "Sprachkurs Flüchtlinge", "--field", "sprache", "--from", "2015-01-01",
                        "--format", "json", "--limit", "20", home=reading_home)
    assert hit_ids(page) == [line.split('"native_id": "')[1].split('"')[0] for line in filtered.stdout.splitlines()]
    assert 0 < len(hit_ids(page)) < len(expected)
    total = int(page.locator(".facets h2").inner_text().split()[0])
    assert total == len(hit_ids(page)) or len(hit_ids(page)) == 20

    first = page.locator("li.hit h3 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == title
    assert page.locator(".body mark").count() > 0 and page.locator("ul.legend li").count() > 0
    assert page.locator("#labels table tr").count() > 1
    page.screenshot(path=str(shots / "document.png"), full_page=True)


def test_a_chart_bar_leads_to_exactly_its_documents(page, served, shots):
    page.goto(served.base_url + "/thema/integration")
    bars = page.locator("section#entwicklung svg.chart a")
    assert bars.count() >= 10
    labels = [bars.nth(i).get_attribute("aria-label") for i in range(bars.count())]
    counts = [int(re.search(r"\((\d+) von \d+\)", label).group(1)) for label in labels]
    chosen = max(range(len(counts)), key=lambda i: counts[i])  # the biggest bar: the most to count
    page.screenshot(path=str(shots / "topic.png"), full_page=True)
    bars.nth(chosen).locator("rect").click()
    page.wait_for_load_state("load")
    assert "/thema/integration/dokumente" in page.url
    assert page.locator("ol.docs li").count() == counts[chosen] == int(page.locator("#total").inner_text())
    year = labels[chosen][:4]
    dates = page.locator("ol.docs li .meta").all_inner_texts()
    assert all(f".{year} " in text for text in dates)
    page.screenshot(path=str(shots / "bar-documents.png"), full_page=True)

    page.goto(served.base_url + "/thema/integration")
    district = page.locator("section#orte svg.chart a").first
    label = district.get_attribute("aria-label")
    district.locator("rect").click()
    page.wait_for_load_state("load")
    assert page.locator("ol.docs li").count() == int(label.rsplit(": ", 1)[1])


def test_the_report_downloads_as_csv(page, served):
    page.goto(served.base_url + "/thema/integration")
    with page.expect_download() as download:
        page.click("text=CSV (Excel)")
    path = download.value.path()
    content = open(path, encoding="utf-8").read()
    assert download.value.suggested_filename == "bericht-integration.csv"
    assert content.startswith("\ufeffKennzahl;Zeitraum;")
    assert "share_year" in content and "document" in content


def test_hostile_text_in_a_title_and_a_query_stays_text(page, served, shots):
    page.goto(served.base_url + "/suche?q=" + "%3Cscript%3Ealert(1)%3C/script%3E%3Cimg%20src=x%20onerror=alert(2)%3E"
              "%20Sprachkurse%20Geflüchtete")
    typed = "<script>alert(1)</script><img src=x onerror=alert(2)> Sprachkurse Geflüchtete"
    assert page.locator("#q").input_value() == typed
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    hostile = page.locator(f"li.hit[data-id='{HOSTILE_RELEASE['id']}'] h3 a")
    assert hostile.inner_text() == HOSTILE_TITLE
    hostile.click()
    page.wait_for_load_state("load")
    assert page.locator("h1").inner_text() == HOSTILE_TITLE
    assert page.evaluate("typeof window.__komo_xss") == "undefined"
    assert page.title() == f"{HOSTILE_TITLE} – Kommunalmonitor"  # the script would have set it to "pwned"
    assert page.locator("script").count() == 0 and page.locator("img").count() == 0
    assert "Greta" not in page.content()
    page.screenshot(path=str(shots / "hostile.png"), full_page=True)


def test_lists_lead_to_documents_over_time(page, served):
    page.goto(served.base_url + "/gremien")
    first = page.locator("table tbody tr").first
    documents = int(first.locator("td.n").first.inner_text().replace(".", ""))
    first.locator("a").click()
    page.wait_for_load_state("load")
    assert int(page.locator("#total").inner_text()) == documents
    bars = page.locator("svg.chart a")
    assert bars.count() >= 1
    year, count = re.match(r"(\d{4}): (\d+)", bars.first.get_attribute("aria-label")).groups()
    bars.first.locator("rect").click()
    page.wait_for_load_state("load")
    assert page.locator("ol.docs li").count() == int(count) == int(page.locator("#total").inner_text())
