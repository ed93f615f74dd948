"""A local OParl server for tests: councils built at test time from the shared data sets
(../shared/datasets/oparl-examples, ../shared/datasets/karlsruhe-oparl-sample) or generated,
served on 127.0.0.1 with the sloppiness of real servers switchable in `ServerConfig`.

Nothing derived from the data sets is written into the repository: ids are rewritten to this
server's address when it starts, the Karlsruhe attachment texts become PDFs in a temporary folder.
"""

from __future__ import annotations

import copy
import hashlib
import json
import os
import random
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from .pdf_samples import text_pdf

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SPEC = SHARED / "datasets" / "oparl-examples"
KARLSRUHE = SHARED / "datasets" / "karlsruhe-oparl-sample"
V11 = "https://schema.oparl.org/1.1/"
V10 = "https://schema.oparl.org/1.0/"
# Part of the PDF cache key: change it when text_pdf changes what it draws.
RENDERER = "reportlab-text_pdf-1"


@dataclass
class ServerConfig:
    """What the server does wrong (or differently); tests flip these between runs."""

    page_size: int = 7
    honour_modified_since: bool = True
    reject_modified_since: bool = False   # answer 400 Bad Request to a list asked with it
    fail_rate: float = 0.0            # share of API and file requests answered 500 (seeded)
    fail_seed: int = 1
    next_form: str = "same"           # same | https | noport | council (the host its ids are written under)
    shuffle: bool = False             # lists in no particular order
    missing: set[str] = field(default_factory=set)   # paths answering 404


@dataclass
class Council:
    """Objects as served: the entry (System), list paths → objects, object paths → standalone
    objects, file paths → (bytes, mime type)."""

    base: str
    system_path: str
    lists: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    objects: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)

    def path(self, url: str) -> str:
        return urlsplit(url).path

    def find(self, object_id: str) -> tuple[str, int]:
        for list_path, items in self.lists.items():
            for index, item in enumerate(items):
                if item.get("id") == object_id:
                    return list_path, index
        raise KeyError(object_id)

    def touch(self, object_id: str, when: str | None = None, **changes: Any) -> dict[str, Any]:
        """Change a listed object (and its standalone copy): new fields, modified = now."""
        list_path, index = self.find(object_id)
        item = self.lists[list_path][index]
        item.update(changes)
        item["modified"] = when or now_iso()
        self.objects[self.path(object_id)] = item
        return item

    def delete(self, object_id: str, when: str | None = None) -> None:
        """Replace a listed object by what sloppy servers send for a deleted one: no type."""
        list_path, index = self.find(object_id)
        tombstone = {"id": object_id, "modified": when or now_iso(), "deleted": True}
        self.lists[list_path][index] = tombstone
        self.objects[self.path(object_id)] = tombstone

    def add(self, list_path: str, item: dict[str, Any]) -> None:
        self.lists[list_path].append(item)
        self.objects[self.path(item["id"])] = item

    def served_objects(self) -> Iterator[tuple[dict[str, Any], str]]:
        """Every list item with its list path."""
        for list_path, items in self.lists.items():
            for item in items:
                yield item, list_path


def now_iso() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


def rewrite(value: Any, old: str, new: str) -> Any:
    if isinstance(value, str):
        return new + value[len(old):] if value.startswith(old) else value
    if isinstance(value, list):
        return [rewrite(v, old, new) for v in value]
    if isinstance(value, dict):
        return {k: rewrite(v, old, new) for k, v in value.items()}
    return value


def render_pdf(text: str, cache: Path | None = None) -> bytes:
    """A PDF showing `text` (reportlab through tests/pdf_samples.text_pdf; the bytes are the same
    on every run, so a cache keyed by the text is safe)."""
    if cache is not None:
        target = cache / (hashlib.sha1(f"{RENDERER}\n{text}".encode()).hexdigest() + ".pdf")
        if target.exists():
            return target.read_bytes()
    data = text_pdf(text)[0]
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f"{target.name}.{os.getpid()}.tmp")
        temporary.write_bytes(data)
        os.replace(temporary, target)
    return data


# -- councils ----------------------------------------------------------------------------------


def _system(base: str, version: str, body_list: str) -> dict[str, Any]:
    return {"id": f"{base}/oparl/system", "type": version + "System", "oparlVersion": version,
            "body": body_list, "name": "Testserver", "vendor": "https://vendor.invalid/",
            "product": "https://vendor.invalid/product", "website": "https://www.example.invalid/"}


def spec_council(base: str, sloppy: bool = True) -> Council:
    """The specification's examples as one council, plus the sloppiness of real servers."""
    examples = SPEC / "spec" / "examples"
    load = lambda name: rewrite(json.loads((examples / f"{name}.json").read_text(encoding="utf-8")),  # noqa: E731
                                "https://oparl.example.org", f"{base}/spec")
    body = load("Body-01")
    body_id = body["id"]
    system = _system(base, V11, f"{base}/spec/bodies")
    system["STERNBERG:RIMVersion"] = "4.8.1a"  # vendor-prefixed extra field
    lists = {name: f"{body_id}/{name}s" for name in ("organization", "person", "meeting", "paper")}
    body.update({name: url for name, url in lists.items()})
    for optional in ("agendaItem", "consultation", "membership", "locationList", "legislativeTermList"):
        body.pop(optional, None)
    if sloppy:
        body["file"] = f"{body_id}/files-list"  # an optional 1.1 list, advertised, answers 404
    council = Council(base, "/oparl/system")
    council.objects["/oparl/system"] = system
    council.lists["/spec/bodies"] = [body]
    organization, person, meeting, paper = (load(n) for n in ("Organization-01", "Person-01", "Meeting-01", "Paper-01"))
    # The examples use ids that the other examples do not serve; add what they refer to.
    organizations = [organization]
    for number, name in (("organizations/5", "Rat der Stadt"), ("organizations/9", "Ausschuss für Soziales"),
                         ("organization/96", "Integrationsrat")):
        organizations.append({"id": f"{base}/spec/{number}", "type": V11 + "Organization",
                              "name": name, "modified": "2014-01-08T14:28:31+01:00"})
    meeting_243 = {"id": f"{base}/spec/meeting/243", "type": V11 + "Meeting", "name": "3. Sitzung",
                   "start": "2012-12-01T17:00:00+01:00", "organization": [f"{base}/spec/organization/96"],
                   "modified": "2013-01-08T12:05:27+01:00",
                   "agendaItem": [{"id": f"{base}/spec/agendaitem/15569", "type": V11 + "AgendaItem",
                                   "number": "4", "order": 4, "name": "Antwort auf Anfrage 1200/2014",
                                   "public": True, "result": "zur Kenntnis genommen",
                                   "modified": "2013-01-08T12:05:27+01:00"}]}
    council.lists["/spec/body/0/organizations"] = organizations
    council.lists["/spec/body/0/persons"] = [person]
    council.lists["/spec/body/0/meetings"] = [meeting, meeting_243]
    council.lists["/spec/body/0/papers"] = [paper]
    # The ids of the spec's files all point at files/57739 etc.: serve bytes for every download URL.
    for item, _ in list(council.served_objects()):
        _collect_files(item, council)
    if sloppy:
        _make_sloppy(council, base)
    for item, _ in council.served_objects():
        council.objects[council.path(item["id"])] = item
    return council


def _collect_files(item: Any, council: Council) -> None:
    if isinstance(item, dict):
        if type_of(item) == "File":
            for key in ("downloadUrl", "accessUrl"):
                if key in item:
                    council.files[urlsplit(item[key]).path] = (
                        render_pdf(f"{item.get('name', 'Datei')}\n{item['id']}"), "application/pdf")
        for value in item.values():
            _collect_files(value, council)
    elif isinstance(item, list):
        for value in item:
            _collect_files(value, council)


def type_of(item: dict[str, Any]) -> str | None:
    kind = item.get("type")
    return kind.rstrip("/").rsplit("/", 1)[-1] if isinstance(kind, str) and kind else None


def _make_sloppy(council: Council, base: str) -> None:
    body = council.lists["/spec/bodies"][0]
    body.pop("legislativeTerm", None)                      # required, missing
    body["created"] = ""                                   # empty strings
    body["equivalent"] = [""]
    organizations = council.lists["/spec/body/0/organizations"]
    organizations.append({"id": f"{base}/spec/organization/1-8", "type": V11 + "Organization",  # not a number
                          "name": "Ausschuss\u00a0für\u00a0Integration", "shortName": "",
                          "modified": "2020-02-02T10:00:00+01:00", "SOMACOS:gremienart": "Ausschuss"})
    paper = council.lists["/spec/body/0/papers"][0]
    paper["originatorOrganization"].append(f"{base}/spec/organization/1-8")
    paper["auxiliaryFile"][0]["name"] = "Anlage\u00a01"
    papers = council.lists["/spec/body/0/papers"]
    papers.append({"id": f"{base}/spec/paper/750", "type": V11 + "Paper", "name": "Sprachkurse für Geflüchtete",
                   "reference": "", "paperType": "Antrag", "modified": "2014-05-05T10:00:00+02:00",
                   "underDirectionOf": [f"{base}/spec/organization/1-8"]})   # no date
    papers.append({"id": f"{base}/spec/paper/751", "modified": "2015-01-01T00:00:00+01:00", "deleted": True})
    # A referenced person that the server does not have (object URL answers 404).
    paper["originatorPerson"].append(f"{base}/spec/person/404")
    council.lists["/spec/body/0/persons"].append(
        {"id": f"{base}/spec/person/30", "type": V11 + "Person", "name": "Erika Beispiel",
         "membership": [{"id": f"{base}/spec/memberships/386", "type": V11 + "Membership",
                         "organization": f"{base}/spec/organization/1-8", "role": "Vorsitzende",
                         "votingRight": True, "startDate": "2020-01-01"}],
         "modified": "2020-03-03T10:00:00+01:00"})


def karlsruhe_council(base: str, pdf_cache: Path | None = None, real_texts: int | None = None) -> Council:
    """The Karlsruhe sample (388 papers, 123 meetings, 97 organizations) as a 1.1 council whose
    attachments are PDFs of the sample's extracted texts — of the first `real_texts` of them (by
    file id) when given, the rest short stand-ins, so a test that needs every object but not
    6.5 M characters of text stays quick."""
    docs = KARLSRUHE / "docs"
    old = "https://web1.karlsruhe.de"
    body_id = f"{base}/oparl/bodies/0001"
    system = _system(base, V11, f"{base}/oparl/bodies")
    council = Council(base, "/oparl/system")
    council.objects["/oparl/system"] = system
    body = {"id": body_id, "type": V11 + "Body", "name": "Stadt Karlsruhe", "shortName": "Karlsruhe",
            "system": system["id"], "modified": "2025-01-01T00:00:00+01:00",
            "legislativeTerm": [{"id": f"{body_id}/legislativeterms/1", "type": V11 + "LegislativeTerm",
                                 "name": "Wahlperiode 2024-2029", "startDate": "2024-07-01"}]}
    for name in ("organization", "person", "meeting", "paper"):
        body[name] = f"{body_id}/{name}-list"
    council.lists["/oparl/bodies"] = [body]
    council.lists["/oparl/bodies/0001/organization-list"] = rewrite(
        json.loads((docs / "organizations.json").read_text(encoding="utf-8")), old, base)
    council.lists["/oparl/bodies/0001/person-list"] = []
    for name in ("meeting", "paper"):
        files = sorted((docs / f"{name}s").glob("*.json"))
        council.lists[f"/oparl/bodies/0001/{name}-list"] = [
            rewrite(json.loads(p.read_text(encoding="utf-8")), old, base) for p in files]
    texts = {}
    for meta in (docs / "file-contents").glob("*.json"):
        text_file = meta.with_suffix(".txt")
        if text_file.exists():
            texts[rewrite(json.loads(meta.read_text(encoding="utf-8"))["id"], old, base)] = text_file
    if real_texts is not None:
        texts = dict(sorted(texts.items())[:real_texts])
    for item, _ in council.served_objects():
        council.objects[council.path(item["id"])] = item
        _karlsruhe_files(item, council, texts, pdf_cache)
    return council


def _karlsruhe_files(item: Any, council: Council, texts: dict[str, Path], cache: Path | None) -> None:
    if isinstance(item, dict):
        if type_of(item) == "File" and "downloadUrl" in item:
            source = texts.get(item["id"])
            # Meeting protocols and invitations have no text in the sample: a short stand-in.
            text = source.read_text(encoding="utf-8") if source else f"{item.get('name', '')}\n{item['id']}"
            council.files[urlsplit(item["downloadUrl"]).path] = (render_pdf(text, cache), "application/pdf")
        for value in item.values():
            _karlsruhe_files(value, council, texts, cache)
    elif isinstance(item, list):
        for value in item:
            _karlsruhe_files(value, council, texts, cache)


def attach_paper(council: Council, name: str, files: list[tuple[str, str, bytes, str]], number: int = 990001,
                 date: str = "2025-03-14") -> dict[str, Any]:
    """Add a paper to the council's first paper list with `files` — (name, file name, bytes, mime
    type) each, the first as its mainFile, the rest as auxiliaryFiles — served under /dateien/.
    Returns the paper as served."""
    list_path = next(path for path in council.lists if path.rsplit("/", 1)[-1].startswith("paper"))
    paper_id = f"{council.base}/oparl/paper/{number}"
    served_files = []
    for index, (file_name_shown, file_name, data, mime) in enumerate(files):
        path = f"/dateien/{number}/{file_name}"
        council.files[path] = (data, mime)
        served_files.append({"id": f"{council.base}/oparl/file/{number}-{index}", "type": V11 + "File",
                             "name": file_name_shown, "fileName": file_name, "mimeType": mime, "date": date,
                             "accessUrl": f"{council.base}{path}", "downloadUrl": f"{council.base}{path}",
                             "modified": "2025-03-14T10:00:00+01:00"})
    paper = {"id": paper_id, "type": V11 + "Paper", "name": name, "reference": f"{number}/2025",
             "paperType": "Informationsvorlage", "date": date, "modified": "2025-03-14T10:00:00+01:00"}
    if served_files:
        paper["mainFile"] = served_files[0]
    if served_files[1:]:
        paper["auxiliaryFile"] = served_files[1:]
    council.add(list_path, paper)
    return paper


def synthetic_council(base: str, papers: int, seed: int = 7) -> Council:
    """A generated council of `papers` papers (each with a consultation and one file), a meeting per
    20 papers with an agenda item per paper, 30 organizations, 60 persons: for timing big councils."""
    rng = random.Random(seed)
    body_id = f"{base}/oparl/bodies/1"
    system = _system(base, V11, f"{base}/oparl/bodies")
    council = Council(base, "/oparl/system")
    council.objects["/oparl/system"] = system
    body = {"id": body_id, "type": V11 + "Body", "name": "Großstadt", "system": system["id"],
            "legislativeTerm": [], "modified": "2020-01-01T00:00:00+01:00"}
    for name in ("organization", "person", "meeting", "paper"):
        body[name] = f"{body_id}/{name}"
    council.lists["/oparl/bodies"] = [body]
    orgs = [{"id": f"{body_id}/organization/{i}", "type": V11 + "Organization", "name": f"Ausschuss {i}",
             "modified": "2020-01-01T00:00:00+01:00"} for i in range(30)]
    persons = [{"id": f"{body_id}/person/{i}", "type": V11 + "Person", "name": f"Person {i}",
                "membership": [{"id": f"{body_id}/membership/{i}", "type": V11 + "Membership",
                                "organization": orgs[i % 30]["id"], "role": "Mitglied"}],
                "modified": "2020-01-01T00:00:00+01:00"} for i in range(60)]
    pdf = render_pdf("Beschlussvorlage\nDer Rat beschließt den Sprachkurs für Geflüchtete.")
    meetings, paper_list = [], []
    topics = ["Sprachkurse für Geflüchtete", "Sanierung der Grundschule", "Radweg an der Hauptstraße",
              "Haushalt 2025", "Wohnungsbau im Quartier", "Kita-Ausbau", "Seniorenbeirat"]
    for m in range(papers // 20 + 1):
        org = orgs[m % 30]["id"]
        meetings.append({"id": f"{body_id}/meeting/{m}", "type": V11 + "Meeting", "name": f"Sitzung {m}",
                         "start": f"2024-{1 + m % 12:02d}-{1 + m % 28:02d}T17:00:00+01:00", "organization": [org],
                         "agendaItem": [], "modified": "2024-06-01T00:00:00+01:00"})
    for p in range(papers):
        meeting = meetings[p // 20]
        item_id = f"{body_id}/agendaitem/{p}"
        consultation = {"id": f"{body_id}/consultation/{p}", "type": V11 + "Consultation", "agendaItem": item_id,
                        "meeting": meeting["id"], "organization": meeting["organization"], "role": "Entscheidung"}
        meeting["agendaItem"].append({"id": item_id, "type": V11 + "AgendaItem", "number": str(p % 20 + 1),
                                      "order": p % 20 + 1, "name": f"{rng.choice(topics)} ({p})",
                                      "consultation": consultation["id"], "result": "beschlossen"})
        file_id = f"{body_id}/file/{p}"
        council.files[f"/oparl/bodies/1/download/{p}.pdf"] = (pdf, "application/pdf")
        paper_list.append({"id": f"{body_id}/paper/{p}", "type": V11 + "Paper", "name": f"{rng.choice(topics)} ({p})",
                           "reference": f"{2024}/{p:05d}", "date": f"2024-{1 + p % 12:02d}-{1 + p % 28:02d}",
                           "paperType": rng.choice(["Beschlussvorlage", "Antrag", "Anfrage"]),
                           "mainFile": {"id": file_id, "type": V11 + "File", "name": "Vorlage",
                                        "accessUrl": f"{base}/oparl/bodies/1/download/{p}.pdf",
                                        "mimeType": "application/pdf", "modified": "2024-06-01T00:00:00+01:00"},
                           "consultation": [consultation], "underDirectionOf": [orgs[p % 30]["id"]],
                           "modified": "2024-06-01T00:00:00+01:00"})
    council.lists["/oparl/bodies/1/organization"] = orgs
    council.lists["/oparl/bodies/1/person"] = persons
    council.lists["/oparl/bodies/1/meeting"] = meetings
    council.lists["/oparl/bodies/1/paper"] = paper_list
    for item, _ in council.served_objects():
        council.objects[council.path(item["id"])] = item
    return council


# -- the server --------------------------------------------------------------------------------


class OParlServer(ThreadingHTTPServer):
    daemon_threads = True
    council: Council
    config: ServerConfig
    requests_seen: list[str]

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.config = ServerConfig()
        self.requests_seen = []
        self.lock = threading.Lock()
        self.rng = random.Random(1)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    @property
    def system_url(self) -> str:
        return self.base + self.council.system_path

    def configure(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self.config, key, value)
        self.rng = random.Random(self.config.fail_seed)

    def fail_now(self) -> bool:
        with self.lock:
            return self.config.fail_rate > 0 and self.rng.random() < self.config.fail_rate


class _Handler(BaseHTTPRequestHandler):
    server: OParlServer

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        parts = urlsplit(self.path)
        server, council, config = self.server, self.server.council, self.server.config
        with server.lock:
            server.requests_seen.append(self.path)
        if parts.path == "/robots.txt" or parts.path in config.missing:
            return self._send(404, b"not found", "text/plain")
        if server.fail_now():
            return self._send(500, b'{"error": "try again"}', "application/json")
        if parts.path in council.files:
            data, mime = council.files[parts.path]
            return self._send(200, data, mime)
        if parts.path in council.lists:
            return self._list(parts.path, parse_qs(parts.query))
        if parts.path in council.objects:
            return self._json(council.objects[parts.path])
        return self._send(404, b'{"error": "no such object"}', "application/json")

    def _list(self, path: str, query: dict[str, list[str]]) -> None:
        config = self.server.config
        items = list(self.server.council.lists[path])
        since = (query.get("modified_since") or [None])[0]
        if since and config.reject_modified_since:
            return self._send(400, b'{"error": "unknown parameter modified_since"}', "application/json")
        if since and config.honour_modified_since:
            limit = datetime.fromisoformat(since)
            items = [i for i in items if not i.get("modified") or datetime.fromisoformat(i["modified"]) >= limit]
        if config.shuffle:
            random.Random(path).shuffle(items)
        page = int((query.get("page") or ["1"])[0])
        size = config.page_size
        chunk = items[(page - 1) * size: page * size]
        links: dict[str, str] = {}
        if page * size < len(items):
            params = {"page": str(page + 1)}
            if since:
                params["modified_since"] = since
            host = {"same": self.server.base, "https": self.server.base.replace("http://", "https://"),
                    "noport": "http://127.0.0.1", "council": self.server.council.base}[config.next_form]
            links["next"] = f"{host}{path}?{urlencode(params)}"
        self._json({"data": chunk, "pagination": {"totalElements": len(items), "elementsPerPage": size,
                                                  "currentPage": page}, "links": links})

    def _json(self, data: Any) -> None:
        self._send(200, json.dumps(data, ensure_ascii=False).encode(), "application/json; charset=utf-8")

    def _send(self, status: int, body: bytes, mime: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", mime)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def serve(build, **config: Any) -> Iterator[OParlServer]:
    """Serve the council `build(base)` returns, on a free port of 127.0.0.1."""
    server = OParlServer()
    server.council = build(server.base)
    server.configure(**config)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def deep_copy(council: Council) -> Council:
    return copy.deepcopy(council)
