"""OParl 1.0/1.1 as data: the source file of a council, which hosts it may contact, and how one
served object becomes the records the store keeps.

Real servers are sloppy, so nothing here trusts the specification: a deleted object may carry
only `id`, `modified` and `deleted`; required fields may be missing or empty strings; ids are
opaque strings (never parsed as numbers); strings carry non-breaking spaces; GeoJSON points
come with latitude and longitude swapped; vendors add `VENDOR:field` keys. Every repair is
named in the record's `repairs`, and the object's JSON as served is kept apart (raw/).

Only the fields named in the tables below are ever followed: never `type`, schema, vendor,
`web`, `license` or any other URL a server writes.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit, urlunsplit

from kommunalmonitor.crawler.sources import read_source_file

SOURCE_KIND = "oparl"

# type → field → type of the objects embedded there (an object, or a list of objects). A
# server may write a URL instead of the object: then it is a reference like the ones below.
EMBEDDED: dict[str, dict[str, str]] = {
    "Body": {"legislativeTerm": "LegislativeTerm", "location": "Location"},
    "Organization": {"location": "Location"},
    "Person": {"membership": "Membership", "locationObject": "Location", "image": "File"},
    "Meeting": {"location": "Location", "invitation": "File", "resultsProtocol": "File",
                "verbatimProtocol": "File", "auxiliaryFile": "File", "agendaItem": "AgendaItem"},
    "AgendaItem": {"resolutionFile": "File", "auxiliaryFile": "File"},
    "Paper": {"mainFile": "File", "auxiliaryFile": "File", "location": "Location",
              "consultation": "Consultation"},
}
# type → field → type of the object(s) the URL(s) there point at.
REFERENCES: dict[str, dict[str, str]] = {
    "Body": {"system": "System", "mainOrganization": "Organization"},
    "LegislativeTerm": {"body": "Body"},
    "Organization": {"body": "Body", "membership": "Membership", "subOrganizationOf": "Organization",
                     "externalBody": "Body"},
    "Person": {"body": "Body", "location": "Location"},
    "Membership": {"person": "Person", "organization": "Organization", "onBehalfOf": "Organization"},
    "Meeting": {"organization": "Organization", "participant": "Person"},
    "AgendaItem": {"meeting": "Meeting", "consultation": "Consultation"},
    "Consultation": {"paper": "Paper", "agendaItem": "AgendaItem", "meeting": "Meeting",
                     "organization": "Organization"},
    "Paper": {"body": "Body", "relatedPaper": "Paper", "superordinatedPaper": "Paper",
              "subordinatedPaper": "Paper", "originatorPerson": "Person", "underDirectionOf": "Organization",
              "originatorOrganization": "Organization"},
    "File": {"masterFile": "File", "derivativeFile": "File", "meeting": "Meeting", "agendaItem": "AgendaItem",
             "person": "Person", "paper": "Paper"},
    "Location": {"bodies": "Body", "organizations": "Organization", "persons": "Person",
                 "meetings": "Meeting", "papers": "Paper"},
}
# The lists of a Body (URLs of paginated lists) and the type of their objects. The first four
# exist on every server; the others only on some 1.1 servers (1.0 embeds those objects).
BODY_LISTS: dict[str, str] = {
    "organization": "Organization", "person": "Person", "meeting": "Meeting", "paper": "Paper",
    "agendaItem": "AgendaItem", "consultation": "Consultation", "file": "File", "membership": "Membership",
    "locationList": "Location", "legislativeTermList": "LegislativeTerm",
}
REQUIRED_LISTS = frozenset({"organization", "person", "meeting", "paper"})
# Objects worth one request each when something refers to them and no list delivered them.
FETCHABLE = frozenset({"Organization", "Person", "Membership", "Meeting", "AgendaItem", "Paper",
                       "Consultation", "File"})
# Fields the store's views and documents rely on; their absence is noted as a repair.
EXPECTED: dict[str, tuple[str, ...]] = {
    "Body": ("name", "legislativeTerm"), "Paper": ("name", "date"), "Meeting": ("start",),
    "File": ("accessUrl",), "Organization": ("name",), "Person": ("name",),
}
KNOWN_TYPES = frozenset(EMBEDDED) | frozenset(REFERENCES) | {"System"}
_TOMBSTONE_KEYS = frozenset({"id", "type", "modified", "deleted", "created"})
_SPACES = re.compile("[\u00a0\u202f\u2007]")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
# Germany's bounding box with a margin: a point outside it whose swapped coordinates fall
# inside was written as [latitude, longitude] instead of GeoJSON's [longitude, latitude].
_LAT = (46.5, 55.5)
_LON = (5.0, 16.0)


class OParlSourceError(ValueError):
    """An OParl source file is malformed."""


def type_name(value: Any) -> str | None:
    """`https://schema.oparl.org/1.1/Paper` → `Paper`; None when absent or unknown."""
    if not isinstance(value, str) or not value.strip():
        return None
    # https://schema.oparl.org/1.1/Paper, Paper, oparl:Paper (the 1.0 drafts)
    name = value.strip().rstrip("/").rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    return name if name in KNOWN_TYPES else None


@dataclass(frozen=True)
class HostPolicy:
    """The hosts a council's crawl may contact, and the one form each is fetched in.

    `origins` maps a host name to (scheme, netloc), or to None when any form the server writes
    is fine. Servers write their own URLs in other forms (https for http, a port left out, a
    mirror's host); a URL on an allowed host is rewritten to the configured form, so pagination
    and downloads stay on the hosts the user named.
    """

    origins: dict[str, tuple[str, str] | None]

    @classmethod
    def from_hosts(cls, hosts: list[str], base_url: str | None = None) -> HostPolicy:
        origins: dict[str, tuple[str, str] | None] = {}
        for entry in hosts:
            parts = urlsplit(entry if "://" in entry else f"//{entry}")
            if not parts.hostname:
                raise OParlSourceError(f"host {entry!r} is not a host name or origin like https://ris.example.de")
            origins[parts.hostname.lower()] = (parts.scheme, parts.netloc) if parts.scheme else None
        if base_url:  # a mirror of the council's first host (tests, a local replay)
            mirror = urlsplit(base_url)
            if mirror.scheme not in ("http", "https") or not mirror.hostname:
                raise OParlSourceError(f"--base-url {base_url!r} is not an http(s) URL")
            target = (mirror.scheme, mirror.netloc)
            first = urlsplit(hosts[0] if "://" in hosts[0] else f"//{hosts[0]}").hostname
            origins[(first or "").lower()] = target
            origins[mirror.hostname.lower()] = target
        return cls(origins)

    def alias(self, url: str, served_from: str) -> str | None:
        """Treat `url`'s host as the host `served_from` was fetched from; returns the new host name.

        A server that writes its own ids under another name (a replay, a proxy, a renamed host)
        says so in the entry object's id: what it served from our host is that host."""
        host = (urlsplit(url).hostname or "").lower()
        origin = urlsplit(served_from)
        if not host or host in self.origins or not origin.hostname:
            return None
        self.origins[host] = (origin.scheme, origin.netloc)
        return host

    @property
    def hostnames(self) -> list[str]:
        names = set(self.origins)
        names.update(o[1].rsplit(":", 1)[0].strip("[]") for o in self.origins.values() if o)
        return sorted(names)

    def fetch_url(self, url: Any) -> str | None:
        """The URL to request for `url`, or None when its host is not allowed (or it is no URL)."""
        if not isinstance(url, str):
            return None
        parts = urlsplit(url.strip())
        if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
            return None
        host = parts.hostname.lower()
        if host not in self.origins:
            return None
        origin = self.origins[host]
        if origin is None:
            return urlunsplit((parts.scheme, parts.netloc, parts.path, parts.query, ""))
        return urlunsplit((origin[0], origin[1], parts.path or "/", parts.query, ""))


@dataclass(frozen=True)
class CouncilSource:
    """What every council source file says (OParl, SessionNet): its name and URL, the hosts the crawl
    may contact, whether and how large files are downloaded, Scrapy settings; where it was read from
    and a mirror's address (--base-url)."""

    name: str
    url: str
    hosts: tuple[str, ...] = ()
    title: str = ""
    download_files: bool = True
    max_file_mb: float = 64.0
    settings: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    base_url_override: str | None = None

    @staticmethod
    def name_and_url(raw: dict[str, Any], where: str, error: type[Exception]) -> tuple[str, str]:
        try:
            return str(raw["name"]), str(raw["url"])
        except KeyError as missing:
            raise error(f"{where} lacks the key {missing}") from None

    @staticmethod
    def common_fields(raw: dict[str, Any], url: str, path: Path | None, base_url: str | None) -> dict[str, Any]:
        """The keys every council source file has, as constructor arguments (the hosts default to the URL's)."""
        files = raw.get("files", {})
        return {"url": url, "hosts": tuple(str(h) for h in raw.get("hosts") or [origin_of(url)]),
                "title": str(raw.get("title", "")), "download_files": bool(files.get("download", True)),
                "max_file_mb": float(files.get("max_mb", 64)), "settings": dict(raw.get("settings", {})),
                "path": path, "base_url_override": base_url}

    def checked(self, where: str, error: type[Exception]) -> Self:
        """The source, once its hosts are valid and its URL is on one of them."""
        try:
            policy = self.host_policy()
        except ValueError as bad:
            raise error(f"{where}: {bad}") from None
        if policy.fetch_url(self.url) is None:
            raise error(f"{where}: the URL's host is not among its hosts {list(self.hosts)}")
        return self

    def host_policy(self) -> HostPolicy:
        return HostPolicy.from_hosts(list(self.hosts), self.base_url_override)

    @property
    def base_url(self) -> str:
        """Where the crawl starts, as it will be requested (a mirror's form with --base-url)."""
        return self.host_policy().fetch_url(self.url) or self.url


@dataclass(frozen=True)
class OParlSource(CouncilSource):
    """One OParl council: its System (or Body) URL, and how far back an incremental run reads."""

    overlap_hours: float = 24.0
    list_retries: int = 6
    kind: str = SOURCE_KIND

    @classmethod
    def load(cls, path: Path, base_url: str | None = None) -> OParlSource:
        return cls.from_dict(read_source_file(path, OParlSourceError), path, base_url)

    @classmethod
    def from_dict(cls, raw: dict[str, Any], path: Path | None = None, base_url: str | None = None) -> OParlSource:
        where = path.name if path else "source"
        name, url = cls.name_and_url(raw, where, OParlSourceError)
        check_url(url)
        incremental = raw.get("incremental", {})
        return cls(name=name, **cls.common_fields(raw, url, path, base_url),
                   overlap_hours=float(incremental.get("overlap_hours", 24)),
                   list_retries=int(incremental.get("list_retries", 6))).checked(where, OParlSourceError)

    @property
    def start_url(self) -> str:
        return self.base_url


def check_url(url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise OParlSourceError(f"{url!r} is not an http(s) URL of an OParl System or Body")


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def check_name(name: str) -> None:
    if not _NAME.match(name):
        raise OParlSourceError(f"source name {name!r}: use lower-case letters, digits and '-' (e.g. stadt-koeln)")


def source_toml(name: str, url: str, title: str = "", file_hosts: tuple[str, ...] = ()) -> str:
    """The text of a new OParl source file (what `komo sources add oparl` writes)."""
    check_name(name)
    check_url(url)
    hosts = [origin_of(url), *file_hosts]
    for host in file_hosts:
        HostPolicy.from_hosts([host])
    quoted = ", ".join(json.dumps(h) for h in dict.fromkeys(hosts))
    return f"""# An OParl council, written by `komo sources add oparl`. Edit freely; see the README.
name = {json.dumps(name)}
kind = "oparl"
title = {json.dumps(title or name)}
# The server's System (or Body) URL: the crawl starts here.
url = {json.dumps(url)}
# Hosts the crawler may contact: the System's host, then file hosts. A URL on one of these hosts
# is fetched in the form written here (scheme, port), whatever form the server writes it in; a
# bare host name ("files.example.org") keeps the server's form.
hosts = [{quoted}]

[files]
# Download every File (PDFs) from the hosts above, content-addressed under $KOMO_HOME/raw/.
download = true
# Files larger than this are recorded in crawl_errors and not kept.
max_mb = 64

[incremental]
# The next run asks for objects modified since the start of the last complete run, minus this
# margin (server and client clocks differ).
overlap_hours = 24
# Attempts for a list page before the run counts as incomplete (its next pages hang on it).
list_retries = 6

[settings]
# Scrapy setting overrides for this council (plain data), e.g. DOWNLOAD_DELAY = 1.0
"""


# -- objects ------------------------------------------------------------------------------------


def parse_modified(value: Any) -> str | None:
    """An OParl date-time → naive UTC ISO string; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" ", "T", 1) if "T" not in value else value.strip()
    try:
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if when.tzinfo is not None:
        when = when.astimezone(UTC).replace(tzinfo=None)
    return when.isoformat()


@dataclass
class ObjectRecord:
    """One OParl object as the store keeps it (a line of the staging file `objects.jsonl`)."""

    id: str
    type: str | None
    modified: str | None
    deleted: bool
    tombstone: bool
    json: dict[str, Any]
    refs: list[dict[str, Any]]
    repairs: list[str]
    via: str                      # entry | list | embedded | reference
    embedded_in: str | None = None
    raw_ref: str | None = None

    def wanted(self) -> list[tuple[str, str]]:
        """(id, type) of the fetchable objects this one refers to."""
        targets = {**REFERENCES.get(self.type or "", {}), **EMBEDDED.get(self.type or "", {})}
        return [(r["target"], targets[r["rel"]]) for r in self.refs
                if r["rel"] in targets and targets[r["rel"]] in FETCHABLE]

    def staging(self, source: str, fetched_at: str) -> dict[str, Any]:
        text = json.dumps(self.json, ensure_ascii=False, sort_keys=True)
        return {"source": source, "id": self.id, "type": self.type, "modified": self.modified,
                "deleted": self.deleted, "tombstone": self.tombstone, "json": self.json,
                "hash": hashlib.sha1(text.encode()).hexdigest(), "refs": self.refs, "repairs": self.repairs,
                "via": self.via, "embedded_in": self.embedded_in, "raw_ref": self.raw_ref,
                "fetched_at": fetched_at}


def normalize(served: dict[str, Any], type_hint: str | None, via: str = "list",
              embedded_in: str | None = None) -> list[ObjectRecord]:
    """One served object → its record, then the records of the objects embedded in it.

    Embedded objects are replaced by their ids in the parent's JSON and become records of their
    own; every reference (embedded or by URL) becomes a relation `refs` row. Objects without an
    id cannot be kept: they come back as an empty list (the caller records the failure).
    """
    object_id = served.get("id")
    if not isinstance(object_id, str) or not object_id.strip():
        return []
    repairs: list[str] = []
    declared = type_name(served.get("type"))
    kind = declared or type_hint
    if declared is None:
        repairs.append(f"type missing or unknown: taken as {type_hint}" if type_hint else "type missing")
    elif type_hint and declared != type_hint and via != "entry":
        repairs.append(f"a {declared} where a {type_hint} was expected")
    deleted = served.get("deleted") is True
    tombstone = deleted and set(served) <= _TOMBSTONE_KEYS
    skip = set(REFERENCES.get(kind or "", {})) | set(EMBEDDED.get(kind or "", {})) | {"id"}
    cleaned, emptied, spaced = _clean(served, skip=skip)
    if emptied:
        repairs.append("empty fields dropped: " + ", ".join(sorted(emptied)))
    if spaced:
        repairs.append("non-breaking spaces replaced")
    modified = parse_modified(served.get("modified"))
    if served.get("modified") and modified is None:
        repairs.append("modified unreadable")
    if not tombstone:
        missing = [f for f in EXPECTED.get(kind or "", ()) if f not in cleaned]
        if missing:
            repairs.append("missing: " + ", ".join(missing))
    if kind == "Location" and _fix_geojson(cleaned):
        repairs.append("geojson coordinates swapped to [longitude, latitude]")
    children: list[ObjectRecord] = []
    refs: list[dict[str, Any]] = []
    # Embedded objects, and references that a server wrote as embedded objects after all.
    for field_name, target in {**REFERENCES.get(kind or "", {}), **EMBEDDED.get(kind or "", {})}.items():
        value = served.get(field_name)
        if value is None or value == "" or value == []:
            continue
        many = isinstance(value, list)
        ids = []
        for position, item in enumerate(value if many else [value]):
            if isinstance(item, dict):
                nested = normalize(item, target, "embedded", object_id)
                if not nested:
                    repairs.append(f"embedded {field_name} without id dropped")
                    continue
                children.extend(nested)
                ids.append(nested[0].id)
                refs.append({"rel": field_name, "target": nested[0].id, "pos": position})
            elif isinstance(item, str) and item.strip():
                ids.append(item)
                refs.append({"rel": field_name, "target": item, "pos": position})
        if ids:
            cleaned[field_name] = ids if many else ids[0]
        else:
            cleaned.pop(field_name, None)
    record = ObjectRecord(object_id, kind, modified, deleted, tombstone, cleaned, refs, repairs, via, embedded_in)
    return [record, *children]


def _clean(value: Any, skip: set[str] | None = None) -> tuple[Any, set[str], bool]:
    """Strings trimmed, non-breaking spaces → spaces, empty strings and lists dropped.
    Returns (cleaned, names of dropped top-level fields, whether spaces were replaced)."""
    emptied: set[str] = set()
    spaced = False

    def walk(item: Any) -> Any:
        nonlocal spaced
        if isinstance(item, str):
            if _SPACES.search(item):
                spaced = True
                item = _SPACES.sub(" ", item)
            item = item.strip()
            return item or None
        if isinstance(item, list):
            kept = [w for w in (walk(i) for i in item) if w is not None]
            return kept or None
        if isinstance(item, dict):
            out = {}
            for key, sub in item.items():
                cleaned = walk(sub)
                if cleaned is not None:
                    out[key] = cleaned
            return out or None
        return item

    result: dict[str, Any] = {}
    for key, sub in value.items():
        if skip and key in skip:
            result[key] = sub
            continue
        cleaned = walk(sub)
        if cleaned is None:
            if sub is not None:
                emptied.add(key)
            continue
        result[key] = cleaned
    return result, emptied, spaced


def _fix_geojson(location: dict[str, Any]) -> bool:
    """Swap a Point's coordinates written as [lat, lon]; True when it did."""
    geojson = location.get("geojson")
    if not isinstance(geojson, dict):
        return False
    geometry = geojson.get("geometry") if geojson.get("type") == "Feature" else geojson
    if not isinstance(geometry, dict) or geometry.get("type") != "Point":
        return False
    point = geometry.get("coordinates")
    if not (isinstance(point, list) and len(point) >= 2 and all(isinstance(c, int | float) for c in point[:2])):
        return False
    lon, lat = point[0], point[1]
    if not _in_germany(lon, lat) and _in_germany(lat, lon):
        geometry["coordinates"] = [lat, lon, *point[2:]]
        return True
    return False


def _in_germany(lon: float, lat: float) -> bool:
    return _LAT[0] <= lat <= _LAT[1] and _LON[0] <= lon <= _LON[1]
