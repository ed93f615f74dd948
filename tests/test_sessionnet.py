"""SessionNet councils: the page parser on each layout, and the real spider (`komo crawl` in a
subprocess) against the fixture site on 127.0.0.1 (tests/sessionnet_site.py): every meeting,
agenda item, paper and file stored as the fixture holds it, votes in council_votes with their
sentence, and a second run that fetches only what is new or changed."""

from __future__ import annotations

import json
import re
from datetime import date, datetime
from pathlib import Path

import pytest

from kommunalmonitor.crawler.sessionnet import (
    PageProblem,
    SessionNetSource,
    SessionNetSourceError,
    check_page,
    decode,
    files_in,
    folder_url,
    layout_of,
    parse_calendar,
    parse_html,
    source_toml,
)
from kommunalmonitor.crawler.votes import item_text

from .conftest import query, run_komo
from .sessionnet_site import Install, Item, Meeting, Pages, build, change, month_day, serve

KEYS = ("alt", "smc", "karten")


def first_month() -> str:
    return month_day(date.today(), -6, 1).strftime("%Y-%m")


def add_and_crawl(server, home: Path, key: str, *extra: str):
    added = run_komo("sources", "add", "sessionnet", server.url(key), "--name", key, "--from", first_month(),
                     "--replace", home=home)
    assert added.returncode == 0, added.stderr
    return run_komo("crawl", "--source", key, "--profile", "fast", *extra, home=home)


def last_stats(home: Path) -> dict:
    db = home / "published" / "komo.duckdb"
    return json.loads(query(db, "SELECT stats FROM runs WHERE command = 'crawl' ORDER BY run_id DESC LIMIT 1")[0][0])


def flat(text: str | None) -> str:
    return re.sub(r"\s+", " ", text or "").strip()


# -- pages, without a server ---------------------------------------------------------------------


def test_windows_1252_pages_declared_latin1_and_misdeclared_pages_are_read_right():
    text = "Maßnahme „Sprachbrücken“ – für alle"
    assert decode(text.encode("windows-1252"), "text/html; charset=ISO-8859-1") == (text, None)
    repaired, note = decode(text.encode("windows-1252"), "text/html; charset=utf-8")
    assert repaired == text and "not UTF-8" in note
    repaired, note = decode(text.encode("utf-8"), "text/html; charset=iso-8859-1")
    assert repaired == text and "UTF-8" in note
    meta_only = b'<html><head><meta charset="windows-1252"></head>' + text.encode("windows-1252")
    assert text in decode(meta_only, None)[0]


@pytest.mark.parametrize("key, layout", [("alt", "4"), ("smc", "5"), ("karten", "6")])
def test_the_layout_is_read_from_the_page(key, layout):
    install = build(key)
    meeting = install.meetings[0]
    html = Pages(install).meeting(meeting, install.meeting_page(meeting))
    root = parse_html(html)
    assert layout_of(root) == layout
    assert check_page(html.encode(), root, html) == layout
    # Without the meta tag the classes tell.
    bare = re.sub(r'<meta name="(?:sessionnet|generator)"[^>]*>', "", html)
    assert layout_of(parse_html(bare)) == layout


@pytest.mark.parametrize("page, reason", [
    (Pages(build("smc")).error(), "SessionNet error page"),
    ('<html><head><meta name="sessionnet" content="V:050504"></head><body class="smc-pagetype-logon">'
     '<form>Anmeldung</form></body></html>', "login page"),
    ('<html><head><meta name="sessionnet" content="V:050504"></head><body><h3 class="smc_h3">Keine Daten gefunden.'
     '</h3></body></html>', "no data"),
    ("<html><head><title>Stadtportal</title></head><body>Seite nicht gefunden: si0040.asp</body></html>",
     "not a SessionNet page"),
])
def test_pages_served_with_200_that_are_no_content_are_told_apart(page, reason):
    with pytest.raises(PageProblem, match=reason):
        check_page(page.encode(), parse_html(page), page)
    with pytest.raises(PageProblem, match="PHP source"):
        check_page(b"<?php echo $x; ?>", None, "")


def test_a_meeting_linked_twice_in_the_calendar_is_one_entry():
    install = build("alt")
    day = install.meetings[0].day
    html = Pages(install).calendar(day.year, day.month)
    assert html.count("__ksinr=1100") == 2
    entries = parse_calendar(parse_html(html), "http://x/bi/si0040.asp", day.year, day.month)
    assert [(e.ksinr, e.day, e.committee, e.start) for e in entries] == [
        ("1100", day, "Integrationsrat", "17:00")]


def test_file_links_are_deduplicated_and_old_download_forms_read():
    page = ('<html><body><a href="getfile.asp?id=12&amp;type=do&amp;" title="Einladung"><img src="pdf.gif"></a>'
            '<a href="getfile.asp?id=12&amp;type=do">Einladung</a>'
            '<form action="ydocstart.asp" method="post" title="Niederschrift"><input type="hidden" name="DT" '
            'value="4711"><input type="submit" value="Niederschrift"></form></body></html>')
    found = files_in(parse_html(page), "https://ris.example.de/bi/to0040.asp?__ksinr=1")
    assert [(f.id, f.name, f.url, f.role) for f in found] == [
        ("12", "Einladung", "https://ris.example.de/bi/getfile.asp?id=12&type=do", "invitation"),
        ("4711", "Niederschrift", "https://ris.example.de/bi/getfile.asp?id=4711&type=do", "resultsProtocol")]


def test_sources_add_writes_a_source_that_loads(tmp_path: Path):
    assert folder_url("https://ris.example.de/bi/si0040.asp?__cjahr=2024") == "https://ris.example.de/bi/"
    assert folder_url("https://ris.example.de/buergerinfo") == "https://ris.example.de/buergerinfo/"
    path = tmp_path / "beispiel.toml"
    path.write_text(source_toml("beispiel", "https://ris.example.de/bi/info.php", first_month="2019-03"),
                    encoding="utf-8")
    source = SessionNetSource.load(path)
    assert (source.url, source.extension, source.first_month) == ("https://ris.example.de/bi/", "php", "2019-03")
    assert source.page("vo0050", __kvonr=7) == "https://ris.example.de/bi/vo0050.php?__kvonr=7"
    with pytest.raises(SessionNetSourceError, match="not a month"):
        source_toml("beispiel", "https://ris.example.de/bi/", first_month="März")


def test_komo_sources_add_sessionnet_and_list(tmp_path: Path):
    home = tmp_path / "home"
    added = run_komo("sources", "add", "sessionnet", "https://ris.example.de/bi/si0040.asp", "--name", "beispiel",
                     home=home)
    assert added.returncode == 0, added.stderr
    assert 'kind = "sessionnet"' in (home / "sources" / "beispiel.toml").read_text(encoding="utf-8")
    listed = run_komo("sources", "list", "--format", "json", home=home)
    rows = {r["name"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows["beispiel"]["kind"] == "sessionnet" and rows["beispiel"]["where"] == "user"
    again = run_komo("sources", "add", "sessionnet", "https://ris.example.de/bi/", "--name", "beispiel", home=home)
    assert again.returncode == 2 and "exists" in again.stderr
    bad = run_komo("sources", "add", "sessionnet", "ftp://ris.example.de/bi/", "--name", "x", home=home)
    assert bad.returncode == 2 and "not an http(s) URL" in bad.stderr


# -- crawls -------------------------------------------------------------------------------------------


def item_id(install: Install, meeting: Meeting, item: Item) -> str:
    """The id a crawl gives an agenda item: its number from the page (to0050 / to0058 link, the old
    table's row id), else meeting number and position."""
    if (item.page and item.public) or install.layout == "4" or meeting.broken_page:
        return f"agenda-item/{item.id}"
    return f"agenda-item/{meeting.ksinr}-{item.number}"


def check_store(home: Path, install: Install) -> None:
    """Every meeting, agenda item, paper and file of the fixture is in the views, as the fixture holds it."""
    db = home / "published" / "komo.duckdb"
    src = [install.key]
    meetings = {r[0]: r[1:] for r in query(db, """
        SELECT m.id, m.start, m."end", m.cancelled, o.name, m.location, m.agenda_items, m.invitation,
               m.results_protocol FROM council_meetings m
        LEFT JOIN council_organizations o ON o.source = m.source AND o.id = m.organizations[1]
        WHERE m.source = ?""", src)}
    assert set(meetings) == {f"meeting/{m.ksinr}" for m in install.meetings}
    items_of: dict[int, str] = {}
    for m in install.meetings:
        start, end, cancelled, committee, room, items, invitation, protocol = meetings[f"meeting/{m.ksinr}"]
        assert start == datetime.fromisoformat(f"{m.day}T{m.start}:00")
        assert end == (datetime.fromisoformat(f"{m.day}T{m.end}:00") if m.end else None)
        assert (cancelled, committee, room) == (m.cancelled, install.committees[m.committee], m.room)
        expected_ids = [item_id(install, m, i) for i in m.items]
        assert (items or []) == expected_ids
        for item, stored_id in zip(m.items, expected_ids, strict=True):
            items_of[item.id] = stored_id
        invitations = [f"file/{f.id}" for f in m.files if f.name == "Einladung"]
        protocols = [f"file/{f.id}" for f in m.files if f.name.startswith("Niederschrift")]
        assert invitation == (invitations[0] if invitations else None)
        assert protocol == (protocols[0] if protocols else None)
    stored_items = {r[0]: r[1:] for r in query(db, """
        SELECT id, meeting, number, name, public, result, resolution_text, consultation, auxiliary_files
        FROM council_agenda_items WHERE source = ?""", src)}
    assert set(stored_items) == set(items_of.values())
    for m, item in install.items():
        meeting, number, name, public, result, minutes, consultation, files = stored_items[items_of[item.id]]
        assert (meeting, number, name, public, result) == (f"meeting/{m.ksinr}", item.number, item.name,
                                                          item.public, item.result)
        assert flat(minutes) == flat(" ".join(item.minutes)), item.id
        assert consultation == (f"consultation/{item.paper}-{m.ksinr}" if item.paper and item.public else None)
        assert sorted(files or []) == sorted(f"file/{f.id}" for f in item.files)
    papers = {r[0]: r[1:] for r in query(db, """
        SELECT p.id, p.name, p.reference, p.date, p.paper_type, p.main_file, p.auxiliary_files, p.json->>'text',
               list_sort(list(c.meeting)) FROM council_papers p
        LEFT JOIN council_consultations c ON c.source = p.source AND c.paper = p.id
        WHERE p.source = ? GROUP BY ALL""", src)}
    linked = {i.paper for _, i in install.items() if i.paper and i.public}
    assert set(papers) == {f"paper/{k}" for k in linked}
    for kvonr in linked:
        paper = install.papers[kvonr]
        name, reference, day, kind, main, auxiliary, text, meetings_of = papers[f"paper/{kvonr}"]
        assert (name, reference, day, kind) == (paper.name, paper.reference, paper.day, paper.paper_type)
        assert main == f"file/{paper.files[0].id}" and (auxiliary or []) == [f"file/{f.id}" for f in paper.files[1:]]
        assert flat(text) == flat(" ".join(paper.text))   # the misdeclared page too: „…“, ß and € intact
        assert meetings_of == [f"meeting/{k}" for k, *_ in paper.consultations]
    files = {r[0]: r[1:] for r in query(db, """
        SELECT id, name, downloaded, sha256, download_error FROM council_files WHERE source = ?""", src)}
    # Every file the fixture links (meetings, items, the papers the agenda links).
    wanted = {f.id for m in install.meetings for f in m.files + [x for i in m.items for x in i.files]}
    wanted |= {f.id for k in linked for f in install.papers[k].files}
    expected_files = [f for f in install.files().values() if f.id in wanted]
    assert set(files) == {f"file/{f.id}" for f in expected_files}
    for file in expected_files:
        name, downloaded, sha256, error = files[f"file/{file.id}"]
        assert name == file.name
        if file.missing:
            assert (downloaded, error) == (False, "HTTP 404 Not Found")
        else:
            assert (downloaded, sha256) == (True, file.sha256)
    documents = dict(query(db, "SELECT kind, count(*) FROM documents WHERE source = ? GROUP BY ALL", src))
    assert documents == {"agenda_item": len(items_of), "paper": len(linked)}


def check_votes(home: Path, install: Install) -> None:
    db = home / "published" / "komo.duckdb"
    votes = {r[0]: r[1:] for r in query(db, """
        SELECT agenda_item, result, yes, no, abstain, sentence,
               list_transform(factions, f -> [f.name, f.position]) FROM council_votes
        WHERE source = ? AND main""", [install.key])}
    # The sentence is the passage as the parser read it: result field, vote field, minutes.
    read = {r[0]: item_text(*r[1:]) for r in query(db, """
        SELECT id, result, json->>'$.sessionnet.vote', resolution_text FROM council_agenda_items
        WHERE source = ?""", [install.key])}
    for meeting, item in install.items():
        key = item_id(install, meeting, item)
        if item.vote is None:
            if item.result is None:
                assert key not in votes
            continue
        result, yes, no, abstain, sentence, factions = votes[key]
        vote = item.vote
        assert (result, yes, no, abstain) == (vote.result, vote.yes, vote.no, vote.abstain), key
        assert [tuple(f) for f in factions] == list(vote.factions), key
        assert sentence and sentence in read[key], key


@pytest.mark.slow
@pytest.mark.parametrize("key", KEYS)
def test_a_sessionnet_council_is_crawled_whole_then_incrementally(tmp_path: Path, key: str):
    home = tmp_path / "home"
    with serve(key) as server:
        install = server.installs[key]
        first = add_and_crawl(server, home, key)
        assert first.returncode == 0, first.stderr + first.stdout
        assert f"run 1 ({key}): ok, complete" in first.stdout
        check_store(home, install)
        check_votes(home, install)
        db = home / "published" / "komo.duckdb"
        errors = query(db, "SELECT kind, reason FROM crawl_errors")
        expected_errors = {"alt": [("agenda_item", "SessionNet error page: Fehler")],
                           "smc": [], "karten": [("file", "HTTP 404 Not Found")]}[key]
        assert errors == expected_errors
        assert query(db, "SELECT count(*) FROM pages WHERE kind = 'meeting' AND raw_ref IS NULL")[0][0] == 0
        if key == "smc":  # the broken si0057 page was read from to0040, after a fresh session
            reasons = last_stats(home)["requests_by_reason"]
            assert reasons["meeting fallback"] == 1 and reasons["meeting new session"] == 1

        change(install)
        second = run_komo("crawl", "--source", key, "--profile", "fast", home=home)
        assert second.returncode == 0, second.stderr + second.stdout
        check_store(home, install)
        check_votes(home, install)
        reasons = last_stats(home)["requests_by_reason"]
        # Five calendar months (last month to three ahead); the new meeting and the one whose
        # minutes appeared; of the changed meeting only the item whose row changed; the new
        # item and its paper, the changed item's paper; the three new files. Nothing else.
        expected = {"session": 1, "calendar": 5, "meeting new": 1, "meeting changed": 1, "agenda item new": 1,
                    "agenda item changed": 1, "paper new": 1, "paper changed": 1, "file new": 3}
        if key == "alt":  # the item whose page is an error page is tried again (and fails again)
            expected.update({"agenda item retry": 1, "session": 2, "agenda item new session": 1})
        assert reasons == expected
        stats = last_stats(home)
        assert stats["votes"] == {"items_read": 2, "votes_found": 1}

        # A wider re-check window reads every meeting of the window again, and their items; the
        # store does not change.
        source_file = home / "sources" / f"{key}.toml"
        wider = source_file.read_text(encoding="utf-8").replace("recheck_days = 14", "recheck_days = 400")
        source_file.write_text(wider, encoding="utf-8")
        before = query(db, "SELECT id, content_hash FROM council_objects ORDER BY id")
        third = run_komo("crawl", "--source", key, "--profile", "fast", home=home)
        assert third.returncode == 0, third.stderr
        reasons = last_stats(home)["requests_by_reason"]
        window = [m for m in install.meetings if m.day >= month_day(date.today(), -1, 1)]
        assert reasons["meeting recheck"] == len(window)
        assert query(db, "SELECT id, content_hash FROM council_objects ORDER BY id") == before
        assert last_stats(home)["council"]["objects_changed"] == 0


@pytest.mark.slow
def test_a_lexicon_edit_rereads_the_votes_without_a_recrawl_and_extraction_sees_council_documents(tmp_path: Path):
    home = tmp_path / "home"
    with serve("karten") as server:
        assert add_and_crawl(server, home, "karten").returncode == 0
        db = home / "published" / "komo.duckdb"
        assert query(db, "SELECT count(*) FROM council_vote_factions WHERE faction = 'Die PARTEI'")[0][0] > 0
        lexicons = home / "lexicons"
        lexicons.mkdir()
        shipped = (Path(__file__).resolve().parent.parent / "data" / "lexicons" / "votes.toml").read_text("utf-8")
        (lexicons / "votes.toml").write_text(shipped.replace('name = "Die PARTEI"', 'name = "PARTEI"'), "utf-8")
        again = run_komo("crawl", "--source", "karten", "--profile", "fast", home=home)
        assert again.returncode == 0, again.stderr
        assert last_stats(home)["votes"]["items_read"] == 20
        assert query(db, "SELECT count(*) FROM council_vote_factions WHERE faction = 'Die PARTEI'")[0][0] == 0
        assert query(db, "SELECT count(*) FROM council_vote_factions WHERE faction = 'PARTEI'")[0][0] > 0
        extracted = run_komo("extract", home=home)
        assert extracted.returncode == 0, extracted.stderr
        assert query(db, "SELECT count(DISTINCT d.kind) FROM mentions m JOIN documents d USING (source, native_id)"
                         " WHERE d.source = 'karten'")[0][0] == 2


def readme_vote_queries() -> list[str]:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text("utf-8")
    section = readme.split("## SessionNet councils and their votes", 1)[1].split("\n## ", 1)[0]
    statements = [s.strip() for block in re.findall(r"```sql\n(.*?)```", section, re.S) for s in block.split(";")]
    return [s for s in statements if any(line.strip() and not line.startswith("--") for line in s.splitlines())]


@pytest.mark.slow
def test_the_readme_vote_queries_answer_on_a_crawled_and_classified_council(tmp_path: Path):
    home = tmp_path / "home"
    with serve("karten") as server:
        assert add_and_crawl(server, home, "karten").returncode == 0
    assert run_komo("classify", home=home).returncode == 0
    queries = readme_vote_queries()
    assert len(queries) == 4
    for statement in queries:
        result = run_komo("sql", "--format", "json", "--", statement, home=home)
        assert result.returncode == 0, f"{statement}\n{result.stderr}"
        assert result.stdout.strip(), f"no rows for:\n{statement}"


def content(home: Path, source: str) -> dict[str, list[tuple]]:
    """A council's store without run ids and timestamps: what must converge."""
    db = home / "published" / "komo.duckdb"
    return {
        "objects": query(db, "SELECT id, type, json::VARCHAR, content_hash FROM council_objects "
                             "WHERE source = ? ORDER BY ALL", [source]),
        "relations": query(db, "SELECT subject, relation, object, position FROM council_relations "
                               "WHERE source = ? ORDER BY ALL", [source]),
        "downloads": query(db, "SELECT file_id, raw_ref, sha256, error FROM council_downloads "
                               "WHERE source = ? ORDER BY ALL", [source]),
        "documents": query(db, "SELECT native_id, kind, title, published, sender, body, content_hash FROM documents "
                               "WHERE source = ? ORDER BY ALL", [source]),
        "votes": query(db, "SELECT agenda_item, position, main, result, yes, no, abstain, factions::VARCHAR, sentence "
                           "FROM council_vote_records WHERE source = ? ORDER BY ALL", [source]),
    }


@pytest.mark.slow
@pytest.mark.parametrize("point", ["article_page:7", "file_download:5", "store_load"])
def test_a_killed_crawl_converges_to_a_clean_one(tmp_path: Path, point: str):
    with serve("karten") as server:
        clean = tmp_path / "clean"
        assert add_and_crawl(server, clean, "karten").returncode == 0
        # Another home: the crawl is killed at the point, then crawled once more.
        home = tmp_path / "killed"
        assert run_komo("sources", "add", "sessionnet", server.url("karten"), "--name", "karten", "--from",
                        first_month(), home=home).returncode == 0
        dead = run_komo("crawl", "--source", "karten", "--profile", "fast", home=home, env={"KOMO_KILL_AT": point})
        assert dead.returncode != 0
        again = run_komo("crawl", "--source", "karten", "--profile", "fast", home=home)
        assert again.returncode == 0 and "ok, complete" in again.stdout, again.stdout + again.stderr
    assert content(home, "karten") == content(clean, "karten")
