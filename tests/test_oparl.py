"""OParl councils: sources a user adds, the real spider against a local OParl server built from the
shared data sets, every object and relation compared with what was served, incremental runs,
servers that ignore modified_since, injected 500s, and the Karlsruhe sample through the pipeline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb
import pytest

from kommunalmonitor.crawler.oparl import HostPolicy, normalize, parse_modified, source_toml

from .conftest import query, run_komo
from .oparl_server import KARLSRUHE, SPEC, Council, karlsruhe_council, now_iso, serve, spec_council, type_of

needs_spec = pytest.mark.skipif(not SPEC.is_dir(),
                                reason=f"needs the shared data set {SPEC} (../shared beside the clone)")
needs_karlsruhe = pytest.mark.skipif(not KARLSRUHE.is_dir(),
                                     reason=f"needs the shared data set {KARLSRUHE} (../shared beside the clone)")

# Fields whose URLs are not references to other objects (lists, downloads, licenses, vendors).
_NOT_RELATIONS = {"id", "type", "web", "accessUrl", "downloadUrl", "externalServiceUrl", "license", "fileLicense",
                  "vendor", "product", "website", "equivalent", "oparlVersion", "otherOparlVersions"}
_LISTS = {"Body": {"organization", "person", "meeting", "paper", "agendaItem", "consultation", "file", "membership",
                   "locationList", "legislativeTermList"},
          "System": {"body"}, "Organization": {"meeting", "consultation"}}
_LIST_TYPES = {"bodies": "Body", "organization": "Organization", "person": "Person", "meeting": "Meeting",
               "paper": "Paper"}


# -- what was served, walked independently of the crawler's tables ------------------------------


def served(council: Council) -> tuple[dict[str, tuple[str, bool, dict]], set[tuple[str, str, str]]]:
    """{id: (type, deleted, newest version)} and {(subject, field, object)} of everything a council serves."""
    versions: dict[str, tuple[str, dict]] = {}

    def walk(item: dict, kind: str | None) -> None:
        kind = type_of(item) or kind
        old = versions.get(item["id"])
        if old is None or (item.get("modified") or "") >= (old[1].get("modified") or "") or item.get("deleted"):
            if not (old and old[1].get("deleted")):
                versions[item["id"]] = (kind or old and old[0], item)
        for value in item.values():
            for sub in value if isinstance(value, list) else [value]:
                if isinstance(sub, dict) and "id" in sub:
                    walk(sub, None)

    walk(council.objects[council.system_path], "System")
    for item, list_path in council.served_objects():
        name = next(t for key, t in _LIST_TYPES.items() if key in list_path.rsplit("/", 1)[-1])
        walk(item, name)
    relations = set()
    for object_id, (kind, item) in versions.items():
        for key, value in item.items():
            if key in _NOT_RELATIONS or key in _LISTS.get(kind, ()):
                continue
            for sub in value if isinstance(value, list) else [value]:
                target = sub.get("id") if isinstance(sub, dict) else sub
                if isinstance(target, str) and target.startswith(council.base):
                    relations.add((object_id, key, target))
    return {i: (k, bool(v.get("deleted")), v) for i, (k, v) in versions.items()}, relations


def stored(home: Path) -> tuple[dict[str, tuple[str, bool]], set[tuple[str, str, str]]]:
    db = home / "published" / "komo.duckdb"
    objects = {i: (t, d) for i, t, d in query(db, "SELECT id, type, deleted FROM council_objects")}
    relations = set(query(db, "SELECT subject, relation, object FROM council_relations"))
    return objects, relations


def content(home: Path) -> dict[str, list[tuple]]:
    """The store's council content without run ids and timestamps: what must converge. Live objects
    only: a deleted one is kept by a store that saw it alive, unknown to one that never did."""
    db = home / "published" / "komo.duckdb"
    return {
        "objects": query(db, "SELECT source, id, type, modified, json::VARCHAR, content_hash, repairs "
                             "FROM council_objects WHERE NOT deleted ORDER BY ALL"),
        "relations": query(db, "SELECT r.source, r.subject, r.subject_type, r.relation, r.object, r.position FROM "
                               "council_relations r JOIN council_objects o ON o.source = r.source "
                               "AND o.id = r.subject AND NOT o.deleted ORDER BY ALL"),
        "downloads": query(db, "SELECT source, file_id, url, raw_ref, sha256, size, mime_type FROM council_downloads "
                               "ORDER BY ALL"),
        "documents": query(db, "SELECT source, native_id, kind, canonical_url, title, published, sender, category, "
                               "body, content_hash FROM documents ORDER BY ALL"),
    }


def add_and_crawl(server, home: Path, name: str = "council", *extra: str):
    added = run_komo("sources", "add", "oparl", server.system_url, "--name", name, "--replace", home=home)
    assert added.returncode == 0, added.stderr
    return run_komo("crawl", "--source", name, "--profile", "fast", *extra, home=home)


def crawl_stats(home: Path, run: int | None = None) -> dict[str, Any]:
    db = home / "published" / "komo.duckdb"
    sql = "SELECT stats FROM runs WHERE command = 'crawl' ORDER BY run_id DESC LIMIT 1"
    if run is not None:
        sql = f"SELECT stats FROM runs WHERE run_id = {int(run)}"  # noqa: S608 - an int
    return json.loads(query(db, sql)[0][0])


# -- the object model, without a server ---------------------------------------------------------


def test_a_deleted_object_without_type_is_typed_by_its_list_and_kept_as_deleted():
    record = normalize({"id": "https://x.example/paper/7", "modified": "2020-01-01T10:00:00+01:00",
                        "deleted": True}, "Paper")[0]
    assert (record.type, record.deleted, record.tombstone) == ("Paper", True, True)
    assert record.modified == "2020-01-01T09:00:00"
    assert "type missing or unknown: taken as Paper" in record.repairs


def test_sloppy_fields_are_repaired_and_named():
    served_paper = {"id": "https://x.example/paper/organization/1-8", "type": "https://schema.oparl.org/1.1/Paper",
                    "name": "Antrag\u00a0der Fraktion ", "reference": "", "created": "", "SOMACOS:art": "A",
                    "underDirectionOf": ["https://x.example/organization/1-8"]}
    record = normalize(served_paper, "Paper")[0]
    assert record.json["name"] == "Antrag der Fraktion"
    assert "reference" not in record.json and "created" not in record.json
    assert record.json["SOMACOS:art"] == "A"        # vendor fields kept, never followed
    assert record.id == served_paper["id"]           # ids exactly as served
    assert {"empty fields dropped: created, reference", "non-breaking spaces replaced", "missing: date"} <= set(
        record.repairs)
    assert record.refs == [{"rel": "underDirectionOf", "target": "https://x.example/organization/1-8", "pos": 0}]


def test_embedded_objects_become_records_and_relations():
    paper = {"id": "p", "type": "https://schema.oparl.org/1.0/Paper", "modified": "2020-01-01T00:00:00Z",
             "consultation": [{"id": "c", "meeting": "m", "organization": ["o"]}],
             "mainFile": {"id": "f", "type": "https://schema.oparl.org/1.0/File", "accessUrl": "http://x/f.pdf"},
             "location": [{"id": "l", "geojson": {"type": "Point", "coordinates": [50.94, 6.95]}}]}
    records = {r.id: r for r in normalize(paper, "Paper")}
    assert records["p"].json["consultation"] == ["c"] and records["p"].json["mainFile"] == "f"
    assert (records["c"].type, records["c"].via, records["c"].embedded_in) == ("Consultation", "embedded", "p")
    assert {(r["rel"], r["target"]) for r in records["c"].refs} == {("meeting", "m"), ("organization", "o")}
    assert records["l"].json["geojson"]["coordinates"] == [6.95, 50.94]   # Cologne: [longitude, latitude]
    assert normalize({"name": "no id"}, "Paper") == []


def test_a_reference_written_as_an_embedded_object_is_kept_as_one():
    membership = {"id": "ms", "type": "oparl:Membership", "role": "Mitglied",
                  "organization": {"id": "org", "type": "https://schema.oparl.org/1.0/Organization", "name": "Rat"}}
    records = {r.id: r for r in normalize(membership, None)}
    assert records["ms"].type == "Membership" and records["ms"].json["organization"] == "org"
    assert (records["org"].type, records["org"].json["name"]) == ("Organization", "Rat")
    assert records["ms"].refs == [{"rel": "organization", "target": "org", "pos": 0}]


def test_urls_on_an_allowed_host_are_fetched_in_the_configured_form():
    policy = HostPolicy.from_hosts(["http://127.0.0.1:8123", "files.example.org"])
    assert policy.fetch_url("https://127.0.0.1/oparl/papers?page=2") == "http://127.0.0.1:8123/oparl/papers?page=2"
    assert policy.fetch_url("http://127.0.0.1:9999/x") == "http://127.0.0.1:8123/x"
    assert policy.fetch_url("https://files.example.org:8443/a.pdf") == "https://files.example.org:8443/a.pdf"
    assert policy.fetch_url("https://schema.oparl.org/1.1/Paper") is None
    assert policy.fetch_url("mailto:rat@example.org") is None
    mirror = HostPolicy.from_hosts(["https://ris.example.de"], base_url="http://127.0.0.1:7000")
    assert mirror.fetch_url("https://ris.example.de/oparl/system") == "http://127.0.0.1:7000/oparl/system"


def test_modified_is_read_in_every_form_servers_write():
    assert parse_modified("2025-11-04T16:30:00+01:00") == "2025-11-04T15:30:00"
    assert parse_modified("2025-11-04T16:30:00Z") == "2025-11-04T16:30:00"
    assert parse_modified("") is None and parse_modified("N/A") is None


def test_a_source_file_names_its_hosts():
    text = source_toml("stadt-x", "https://ris.example.de/oparl/system", "Stadt X", ("files.example.de",))
    assert 'hosts = ["https://ris.example.de", "files.example.de"]' in text
    assert 'kind = "oparl"' in text


# -- sources on the command line ----------------------------------------------------------------


def test_sources_add_writes_a_user_source_that_list_shows(tmp_path):
    home = tmp_path / "home"
    added = run_komo("sources", "add", "oparl", "https://ris.example.de/oparl/system", "--name", "beispiel",
                     "--file-host", "files.example.de", home=home)
    assert added.returncode == 0, added.stderr
    assert (home / "sources" / "beispiel.toml").is_file()
    listed = run_komo("sources", "list", "--format", "json", home=home)
    rows = {r["name"]: r for r in map(json.loads, listed.stdout.splitlines())}
    assert rows["beispiel"]["kind"] == "oparl" and rows["beispiel"]["where"] == "user"
    assert rows["leverkusen-com"]["kind"] == "press" and rows["leverkusen-com"]["where"] == "bundled"
    again = run_komo("sources", "add", "oparl", "https://ris.example.de/oparl/system", "--name", "beispiel",
                     home=home)
    assert again.returncode == 2 and "--replace" in again.stderr and len(again.stderr.strip().splitlines()) == 1
    assert run_komo("sources", "add", "oparl", "https://other.example.de/oparl", "--name", "beispiel", "--replace",
                    home=home).returncode == 0
    assert "other.example.de" in (home / "sources" / "beispiel.toml").read_text()


@pytest.mark.parametrize("args, message", [
    (["ftp://ris.example.de/oparl", "--name", "x"], "not an http(s) URL"),
    (["https://ris.example.de/oparl", "--name", "Stadt X"], "lower-case letters"),
    (["https://ris.example.de/oparl", "--name", "x", "--file-host", "http://"], "not a host name"),
])
def test_bad_sources_are_one_line_errors(tmp_path, args, message):
    result = run_komo("sources", "add", "oparl", *args, home=tmp_path / "home")
    assert result.returncode == 2 and message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_every_council_command_has_help_with_examples():
    for command in (["sources"], ["sources", "add", "oparl"], ["sources", "list"], ["council", "summary"]):
        result = run_komo(*command, "--help")
        assert result.returncode == 0 and "Example" in result.stdout, command


# -- crawling a served council ------------------------------------------------------------------


@needs_spec
@pytest.mark.slow
def test_every_served_object_and_relation_is_stored(tmp_path):
    # Sloppy server: small pages in no order, next links in other host forms, optional list 404.
    with serve(spec_council, page_size=2, shuffle=True, next_form="https") as server:
        result = add_and_crawl(server, tmp_path / "home")
        assert result.returncode == 0, result.stdout + result.stderr
        expected_objects, expected_relations = served(server.council)
    objects, relations = stored(tmp_path / "home")
    assert objects == {i: (t, d) for i, (t, d, _) in expected_objects.items()}
    assert relations == expected_relations
    db = tmp_path / "home" / "published" / "komo.duckdb"
    # The deleted paper came with id, modified and deleted only.
    assert query(db, "SELECT deleted FROM council_papers WHERE id LIKE '%/paper/751'") == [(True,)]
    # Swapped coordinates repaired; the meeting's place is in Germany.
    lat, lon = query(db, "SELECT latitude, longitude FROM council_meetings WHERE id LIKE '%/meeting/281'")[0]
    assert 47 < lat < 55 and 5 < lon < 16
    names = dict(query(db, "SELECT id, name FROM council_organizations"))
    assert names[f"{server.base}/spec/organization/1-8"] == "Ausschuss für Integration"
    # Every failure is a row with a reason: the optional list and objects referred to but missing.
    errors = dict(query(db, "SELECT url, reason FROM crawl_errors"))
    assert "optional list" in errors[f"{server.base}/spec/body/0/files-list"]
    assert "404" in errors[f"{server.base}/spec/person/404"]
    # Papers and agenda items are documents; the deleted paper is not.
    kinds = dict(query(db, "SELECT native_id, kind FROM documents"))
    assert kinds[f"{server.base}/spec/paper/749"] == "paper"
    assert kinds[f"{server.base}/spec/agendaitem/3271"] == "agenda_item"
    assert f"{server.base}/spec/paper/751" not in kinds
    # Files: downloaded from the allowed host, bytes as served.
    for file_id, sha in query(db, "SELECT id, sha256 FROM council_files"):
        url = expected_objects[file_id][2].get("downloadUrl") or expected_objects[file_id][2]["accessUrl"]
        import hashlib
        assert sha == hashlib.sha256(server.council.files[url.split(server.base, 1)[1]][0]).hexdigest()
    # Never a schema or vendor URL, never outside the server.
    assert not [p for p in server.requests_seen if "schema" in p or "vendor" in p]


@needs_spec
@pytest.mark.slow
def test_a_second_run_fetches_only_what_changed_and_converges(tmp_path):
    with serve(spec_council, page_size=2) as server:
        home = tmp_path / "home"
        assert add_and_crawl(server, home).returncode == 0
        council = server.council
        base = server.base
        council.touch(f"{base}/spec/paper/749", name="Antwort auf Anfrage 1200/2014 (geändert)")
        council.delete(f"{base}/spec/meeting/243")
        council.add("/spec/body/0/papers", {"id": f"{base}/spec/paper/800", "type": "https://schema.oparl.org/1.1/Paper",
                                            "name": "Integrationskonzept: Umsetzungsbericht", "date": "2019-09-16",
                                            "modified": now_iso()})
        server.requests_seen.clear()
        second = run_komo("crawl", "--source", "council", "--profile", "fast", home=home)
        assert second.returncode == 0, second.stderr
        stats = crawl_stats(home)
        paper_pages = [p for p in server.requests_seen if p.startswith("/spec/body/0/papers")]
        assert paper_pages and all("modified_since=" in p for p in paper_pages)
        assert stats.get("sent_needlessly", 0) == 0
        assert stats["council"]["objects_changed"] >= 1 and stats["council"]["objects_new"] >= 1
        assert stats["council"]["objects_deleted"] == 2  # the meeting and its agenda item
        incremental = content(home)
        # The same server crawled from scratch gives the same store.
        fresh = tmp_path / "fresh"
        assert add_and_crawl(server, fresh).returncode == 0
        assert content(fresh) == incremental
        # A server that ignores modified_since sends everything again: nothing changes, it is counted.
        server.configure(honour_modified_since=False)
        third = run_komo("crawl", "--source", "council", "--profile", "fast", home=home)
        assert third.returncode == 0, third.stderr
        assert content(home) == incremental
        stats = crawl_stats(home)
        assert stats["sent_needlessly"] >= 4
        assert stats["council"]["objects_new"] == stats["council"]["objects_changed"] == 0
    db = home / "published" / "komo.duckdb"
    assert query(db, "SELECT deleted FROM council_meetings WHERE id LIKE '%/meeting/243'") == [(True,)]
    # Its agenda item went with it: no longer a document.
    assert query(db, "SELECT deleted FROM council_agenda_items WHERE id LIKE '%/agendaitem/15569'") == [(True,)]
    assert query(db, "SELECT count(*) FROM documents WHERE native_id LIKE '%/agendaitem/15569'") == [(0,)]
    assert query(db, "SELECT title FROM documents WHERE native_id LIKE '%/paper/749'") == [
        ("Antwort auf Anfrage 1200/2014 (geändert)",)]


@needs_spec
@pytest.mark.slow
def test_injected_server_errors_leave_the_same_store(tmp_path):
    with serve(spec_council, page_size=2) as server:
        assert add_and_crawl(server, tmp_path / "clean").returncode == 0
        server.configure(fail_rate=0.3, fail_seed=5)
        flaky = add_and_crawl(server, tmp_path / "flaky")
        assert flaky.returncode == 0, flaky.stdout + flaky.stderr
        assert crawl_stats(tmp_path / "flaky")["complete"]
    clean, shaken = content(tmp_path / "clean"), content(tmp_path / "flaky")
    assert shaken == clean
    retried = query(tmp_path / "flaky" / "published" / "komo.duckdb", "SELECT count(*) FROM pages WHERE status = 500")
    assert retried[0][0] > 0  # the server did fail, and the crawl got through


@needs_spec
@pytest.mark.slow
def test_a_list_page_that_keeps_failing_makes_the_run_incomplete_and_keeps_the_cursor(tmp_path):
    with serve(spec_council, page_size=2) as server:
        server.configure(missing={"/spec/body/0/papers"})
        result = add_and_crawl(server, tmp_path / "home")
        assert result.returncode == 1 and "incomplete" in result.stdout
        db = tmp_path / "home" / "published" / "komo.duckdb"
        assert query(db, "SELECT count(*) FROM council_crawl_state") == [(0,)]
        assert query(db, "SELECT count(*) FROM crawl_errors WHERE kind = 'listing' AND status = 404 "
                         "AND url LIKE '%/papers'") == [(1,)]
        server.configure(missing=set())
        again = run_komo("crawl", "--source", "council", "--profile", "fast", home=tmp_path / "home")
        assert again.returncode == 0 and ", complete;" in again.stdout
        # No cursor was stored, so the second run read every list whole.
        assert query(db, "SELECT count(*) FROM council_papers") == [(3,)]


# -- the Karlsruhe sample through the whole pipeline --------------------------------------------


@pytest.fixture(scope="module")
def karlsruhe_home(tmp_path_factory) -> tuple[Path, dict, set]:
    cache = tmp_path_factory.mktemp("karlsruhe-pdfs")
    home = tmp_path_factory.mktemp("karlsruhe-home")
    with serve(lambda base: karlsruhe_council(base, cache), page_size=50) as server:
        crawled = add_and_crawl(server, home, "karlsruhe")
        assert crawled.returncode == 0, crawled.stdout + crawled.stderr
        expected = served(server.council)
    for args in (["extract"], ["classify"]):
        result = run_komo(*args, home=home, timeout=900)
        assert result.returncode == 0, f"komo {args[0]}: {result.stderr}"
    return home, *expected


@needs_karlsruhe
@pytest.mark.slow
def test_karlsruhe_objects_and_relations_are_stored(karlsruhe_home):
    home, expected_objects, expected_relations = karlsruhe_home
    objects, relations = stored(home)
    assert objects == {i: (t, d) for i, (t, d, _) in expected_objects.items()}
    assert relations == expected_relations
    db = home / "published" / "komo.duckdb"
    assert query(db, "SELECT count(*) FROM council_papers WHERE NOT deleted") == [(388,)]
    assert query(db, "SELECT count(*) FROM council_files WHERE NOT downloaded") == [(0,)]
    # Every consultation knows its paper (embedded consultations name it, or their parent does).
    assert query(db, "SELECT count(*) FROM council_consultations WHERE paper IS NULL") == [(0,)]


@needs_karlsruhe
@pytest.mark.slow
def test_karlsruhe_papers_go_through_extraction_and_classification(karlsruhe_home):
    home = karlsruhe_home[0]
    db = home / "published" / "komo.duckdb"
    kinds = dict(query(db, "SELECT d.kind, count(DISTINCT t.native_id) FROM documents d "
                           "JOIN topics t USING (source, native_id) GROUP BY ALL"))
    assert kinds == {"paper": 388, "agenda_item": 1684}
    assert query(db, "SELECT count(*) FROM extractions e JOIN documents d USING (source, native_id) "
                     "WHERE d.kind = 'paper'") == [(388,)]
    # Trend views stay about press releases.
    assert query(db, "SELECT count(*) FROM articles") == [(0,)]
    summary = run_komo("council", "summary", "--source", "karlsruhe", home=home)
    assert summary.returncode == 0, summary.stderr
    assert "388 papers" in summary.stdout and "Gemeinderat" in summary.stdout
    assert "Papers per action field" in summary.stdout
    search = run_komo("search", "Stadtbibliothek Entgelte", "--format", "json", home=home)
    assert search.returncode == 0 and "Stadtbibliothek" in search.stdout


@needs_karlsruhe
@pytest.mark.slow
def test_the_readme_council_queries_answer_on_the_karlsruhe_store(karlsruhe_home):
    import re

    from .conftest import REPO

    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("### Council documents", 1)[1].split("\n## ", 1)[0]
    statements = [s.strip() for block in re.findall(r"```sql\n(.*?)```", section, re.S)
                  for s in block.split(";") if s.strip()]
    assert len(statements) >= 3
    for statement in statements:
        with duckdb.connect(str(karlsruhe_home[0] / "published" / "komo.duckdb"), read_only=True) as con:
            assert con.execute(statement).fetchall(), statement


@needs_spec
@pytest.mark.slow
def test_the_nightly_update_crawls_reads_files_extracts_and_classifies_a_council(tmp_path):
    home = tmp_path / "home"
    with serve(spec_council) as server:
        assert run_komo("sources", "add", "oparl", server.system_url, "--name", "council", home=home).returncode == 0
        result = run_komo("update", "--source", "council", "--profile", "fast", home=home, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "(council): ok, complete" in result.stdout
    db = home / "published" / "komo.duckdb"
    assert query(db, "SELECT d.kind, count(DISTINCT e.native_id), count(DISTINCT t.native_id) FROM documents d "
                     "JOIN extractions e USING (source, native_id) JOIN topics t USING (source, native_id) "
                     "GROUP BY ALL ORDER BY ALL") == [("agenda_item", 2, 2), ("file", 2, 2), ("paper", 2, 2)]


@needs_spec
@pytest.mark.slow
def test_a_server_rejecting_modified_since_is_read_whole(tmp_path):
    home = tmp_path / "home"
    with serve(spec_council, page_size=2) as server:
        assert add_and_crawl(server, home).returncode == 0
        before = content(home)
        server.configure(reject_modified_since=True)
        again = run_komo("crawl", "--source", "council", "--profile", "fast", home=home)
        assert again.returncode == 0 and ", complete;" in again.stdout, again.stdout + again.stderr
    assert content(home) == before
    assert crawl_stats(home)["lists_read_without_filter"] == 5  # and the optional list that answers 404
    db = home / "published" / "komo.duckdb"
    assert query(db, "SELECT count(*) FROM crawl_errors WHERE status = 400 AND reason LIKE "
                     "'%read again without modified_since'") == [(4,)]


@needs_spec
@pytest.mark.slow
def test_a_replay_whose_ids_name_another_host_is_crawled_from_the_source_host(tmp_path):
    # A dump replayed on 127.0.0.1 that still writes every id and link under the council's name.
    home = tmp_path / "home"
    with serve(lambda base: spec_council("https://ris.beispiel.invalid"), page_size=2, next_form="council") as server:
        result = add_and_crawl(server, home)
        assert result.returncode == 0 and ", complete;" in result.stdout, result.stdout + result.stderr
        expected_objects, _ = served(server.council)
    objects, _ = stored(home)
    assert objects == {i: (t, d) for i, (t, d, _) in expected_objects.items()}
    assert crawl_stats(home)["host_aliases"] == 1


@needs_spec
@pytest.mark.slow
@pytest.mark.parametrize("point", ["listing_page:3", "file_download", "staging_objects:10", "store_load"])
def test_a_crawl_killed_anywhere_converges_on_the_next_run(tmp_path, point):
    with serve(spec_council, page_size=2) as server:
        assert add_and_crawl(server, tmp_path / "clean").returncode == 0
        home = tmp_path / "home"
        assert run_komo("sources", "add", "oparl", server.system_url, "--name", "council", home=home).returncode == 0
        killed = run_komo("crawl", "--source", "council", "--profile", "fast", home=home,
                          env={"KOMO_KILL_AT": point})
        assert killed.returncode != 0
        again = run_komo("crawl", "--source", "council", "--profile", "fast", home=home)
        assert again.returncode == 0 and ", complete;" in again.stdout, again.stdout + again.stderr
    assert content(home) == content(tmp_path / "clean")


@needs_spec
@pytest.mark.slow
def test_press_and_council_documents_live_side_by_side(tmp_path):
    from kommunalmonitor.pipeline.demo.sample_site import serve as serve_archive

    from .conftest import SAMPLE_ARCHIVE, crawl_args

    home = tmp_path / "home"
    with serve_archive(SAMPLE_ARCHIVE, fast=True) as site, serve(spec_council) as council:
        assert run_komo(*crawl_args(site), home=home).returncode == 0
        assert add_and_crawl(council, home).returncode == 0
    for args in (["extract"], ["classify"]):
        assert run_komo(*args, home=home, timeout=900).returncode == 0
    db = home / "published" / "komo.duckdb"
    press = query(db, "SELECT count(*) FROM documents WHERE kind = 'press' AND duplicate_of IS NULL")[0][0]
    assert query(db, "SELECT count(*) FROM articles") == [(press,)]
    assert query(db, "SELECT sum(all_documents) FROM (SELECT DISTINCT month, all_documents FROM topic_trend_monthly)"
                 )[0][0] <= press
    report = run_komo("report", "--topic", "integration", "--format", "csv-rfc4180", home=home)
    assert report.returncode == 0, report.stderr
    hits = run_komo("search", "Anfrage", "--format", "json", "--limit", "50", home=home)
    assert hits.returncode == 0 and "/spec/paper/749" in hits.stdout
    # A council document is explained and shown like any other.
    assert run_komo("explain", f"{council.base}/spec/paper/749", home=home).returncode == 0
    kept = run_komo("raw", f"{council.base}/spec/paper/749", home=home)
    assert kept.returncode == 0 and json.loads(kept.stdout)["id"].endswith("/spec/paper/749")
