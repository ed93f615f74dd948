"""Alerts on saved searches: `komo alerts add` never waits for the writer, `komo update` reports each
new matching release exactly once in the feed and the digest (not a new version, not a republished
copy), and the files an alert writes are well-formed whatever the web put in a title."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from kommunalmonitor.core.home import Home
from kommunalmonitor.core.lock import writer_lock
from kommunalmonitor.pipeline.alerts import Alert, AlertState, atom_feed, digest

from .conftest import run_komo
from .komo_server import fetch, komo_server

ATOM = "{http://www.w3.org/2005/Atom}"


def release(number: int, title: str, text: str, published: str = "2023-05-0{}") -> dict:
    return {"id": 99600 + number, "published": published.format(number), "sender": "Stadtverwaltung",
            "category": "Soziales", "title": title, "blocks": [{"type": "p", "text": text}]}


FIRST = [
    release(1, "Neuer Schwimmkurs für geflüchtete Kinder", "Die Stadt bietet geflüchteten Kindern einen "
            "Schwimmkurs im Hallenbad Opladen an. Anwohnerin Petra Beispiel hilft als Patin."),
    release(2, "Schwimmkurs am Wochenende", "Ein weiterer Schwimmkurs für geflüchtete Familien beginnt am Samstag."),
    release(3, "Stadtbibliothek verlängert Öffnungszeiten", "Die Stadtbibliothek öffnet samstags länger."),
]
LATER = release(4, "Schwimmkurs im Sommer", "Auch im Sommer gibt es einen Schwimmkurs für geflüchtete Jugendliche.")


def update(site, home: Path):
    result = run_komo("update", "--source", "leverkusen-com", "--base-url", site.base_url, "--profile", "fast",
                      home=home)
    assert result.returncode == 0, result.stderr
    return result


def append(archive: Path, *releases: dict) -> None:
    with (archive / "articles.jsonl").open("a", encoding="utf-8") as handle:
        for item in releases:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")


def feed_ids(home: Path, name: str) -> list[str]:
    root = ET.parse(home / "alerts" / f"{name}.atom").getroot()
    return [entry.find(f"{ATOM}id").text.rsplit(":", 1)[1] for entry in root.iter(f"{ATOM}entry")]


def digest_ids(home: Path, name: str) -> list[str]:
    text = (home / "alerts" / f"{name}.digest.txt").read_text(encoding="utf-8")
    return [line.rsplit(" ", 1)[1].rstrip(")") for line in text.splitlines() if "(komo: leverkusen-com " in line]


@pytest.mark.slow
def test_each_new_matching_release_is_reported_once_in_feed_and_digest(site, archive_copy, tmp_path):
    update(site, tmp_path)
    added = run_komo("alerts", "add", "Schwimmkurs geflüchtete", "--name", "schwimmen", home=tmp_path)
    assert added.returncode == 0, added.stderr
    assert run_komo("alerts", "add", "Schwimmkurs", "--district", "Opladen", "--name", "opladen",
                    home=tmp_path).returncode == 0

    # New: two matching releases, one that does not match, a republished copy of a matching one,
    # and a new version of an old release that now uses the words (not new: it was stored before).
    append(archive_copy, *FIRST)
    site_toml = archive_copy / "site.toml"
    site_toml.write_text(site_toml.read_text(encoding="utf-8") + '\n[[republished]]\nid = 99690\noriginal = 99601\n'
                         'published = "2023-05-20"\n', encoding="utf-8")
    articles = [json.loads(line) for line in (archive_copy / "articles.jsonl").read_text("utf-8").splitlines()]
    newest_old = max((a for a in articles if a["id"] < 99000), key=lambda a: (a["published"], a["id"]))
    newest_old["blocks"].append({"type": "p", "text": "Nachtrag: ein Schwimmkurs für geflüchtete Kinder folgt."})
    (archive_copy / "articles.jsonl").write_text(
        "".join(json.dumps(a, ensure_ascii=False) + "\n" for a in articles), encoding="utf-8")

    second = update(site, tmp_path)
    assert "alert schwimmen: 2 new" in second.stdout and "alert opladen: 1 new" in second.stdout
    assert sorted(feed_ids(tmp_path, "schwimmen")) == sorted(digest_ids(tmp_path, "schwimmen")) == ["99601", "99602"]
    assert feed_ids(tmp_path, "opladen") == digest_ids(tmp_path, "opladen") == ["99601"]
    # What the alert matched is what `komo search --all` finds among the new releases.
    found = run_komo("search", "Schwimmkurs geflüchtete", "--all", "--format", "json", "--limit", "500",
                     home=tmp_path)
    hits = {json.loads(line)["native_id"] for line in found.stdout.splitlines()}
    assert {"99601", "99602", str(newest_old["id"])} <= hits and "99690" not in hits
    digest_text = (tmp_path / "alerts" / "schwimmen.digest.txt").read_text(encoding="utf-8")
    assert "Petra Beispiel" not in digest_text and "[Name]" in digest_text  # a private person stays masked
    assert "»Schwimmkurs«" in digest_text

    append(archive_copy, LATER)
    third = update(site, tmp_path)
    assert "alert schwimmen: 1 new" in third.stdout and "alert opladen: 0 new" in third.stdout
    assert digest_ids(tmp_path, "schwimmen") == ["99604"]
    assert feed_ids(tmp_path, "schwimmen") == ["99604", "99601", "99602"] or \
        feed_ids(tmp_path, "schwimmen") == ["99604", "99602", "99601"]
    assert (tmp_path / "alerts" / "opladen.digest.txt").read_text(encoding="utf-8") == ""

    listed = run_komo("alerts", "list", "--format", "json", home=tmp_path)
    rows = {json.loads(line)["name"]: json.loads(line) for line in listed.stdout.splitlines()}
    assert rows["schwimmen"]["reported"] == 3 and rows["schwimmen"]["new_last_run"] == 1
    with komo_server(tmp_path) as served:
        feed = fetch(served.base_url + "/alarme/schwimmen.atom")
        assert feed.status == 200 and feed.headers["content-type"].startswith("application/atom+xml")
        assert feed.body == (tmp_path / "alerts" / "schwimmen.atom").read_bytes()
        assert "schwimmen" in fetch(served.base_url + "/alarme").text
    assert run_komo("alerts", "remove", "schwimmen", home=tmp_path).returncode == 0
    assert sorted(p.name for p in (tmp_path / "alerts").iterdir() if not p.name.startswith(".")) == \
        ["opladen.atom", "opladen.digest.txt", "opladen.state.json", "opladen.toml"]


def test_adding_an_alert_never_waits_for_the_writer(tmp_path):
    home = Home.resolve(tmp_path)
    with writer_lock(home.lock_path):  # as a running `komo update` holds it
        added = run_komo("alerts", "add", "Kita Ausbau", "--name", "kita", "--from", "2024-01-01", home=tmp_path)
    assert added.returncode == 0, added.stderr
    assert Alert.from_toml(tmp_path / "alerts" / "kita.toml").query == "Kita Ausbau"


@pytest.mark.parametrize("args, words", [
    (["add", "Kita", "--name", "Kita Alarm"], "bad alert name"),
    (["add", "Kita", "--name", "../x"], "bad alert name"),
    (["add", "   ", "--name", "leer"], "needs a query"),
    (["remove", "nirgends"], "no alert 'nirgends'"),
])
def test_alert_errors_are_one_line(tmp_path, args, words):
    result = run_komo("alerts", *args, home=tmp_path)
    assert result.returncode == 2 and words in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_a_hostile_query_and_title_make_valid_files():
    alert = Alert(name="x", query='Kita "\\" \n [x] = 1 \x1b[31m', sender="=cmd|' /C calc'!A0", created="2024")
    path = Path(__file__).parent / "__alert_roundtrip.toml"
    try:
        path.write_text(alert.to_toml(), encoding="utf-8")
        again = Alert.from_toml(path)
    finally:
        path.unlink(missing_ok=True)
    assert again.query == 'Kita "\\" \n [x] = 1 [31m' and again.sender == alert.sender
    entry = {"source": "s", "native_id": "1", "title": "<b>x</b>\x00\x1b]0;t\x07 & ]]>", "sender": None,
             "published": "2024-01-02", "url": "https://example.org/?a=1&b=2", "snippet": "»x« \x0c",
             "found": "2024-01-03T00:00:00+00:00"}
    feed = ET.fromstring(atom_feed(alert, AlertState(entries=[entry]), "2024-01-03T00:00:00+00:00"))
    item = feed.find(f"{ATOM}entry")
    assert item.find(f"{ATOM}title").text == "<b>x</b>]0;t & ]]>"
    assert item.find(f"{ATOM}link").get("href") == "https://example.org/?a=1&b=2"
    text = digest(alert, [entry], "2024-01-03", truncated=False)
    assert "\x1b" not in text and "\x07" not in text and "1 neues Dokument" in text


@pytest.mark.parametrize("command", ["alerts", "alerts add", "alerts list", "alerts remove", "alerts run"])
def test_every_alerts_command_has_help_with_examples(command):
    result = run_komo(*command.split(), "--help")
    assert result.returncode == 0 and "Example" in result.stdout and "komo alerts" in result.stdout
