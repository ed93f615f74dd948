"""Alerts on saved searches: `komo alerts add/list/remove/run`, evaluated by `komo update` after it
publishes.

An alert is a search (`komo search --all` with the same filters) kept as a file,
`$KOMO_HOME/alerts/NAME.toml`: adding one writes that file and reads the published snapshot,
so it never waits for the writer lock. What the alert has already reported lives beside it in
`NAME.state.json` (the last run, the store time after which documents count as new, the ids
reported, the feed's entries), never in the store. Each evaluation writes `NAME.atom` (a feed of
everything reported, newest first) and `NAME.digest.txt` (only what is new in this run, empty
when nothing is), so cron can mail the digest when it is not empty.

New means a document identity first stored after the alert's mark (`documents.first_seen`):
a new version of a known release is not new, and a republished copy is never a hit (search
indexes originals only). The ids already reported are kept too, so nothing is reported twice.
"""

from __future__ import annotations

import json
import os
import re
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.lock import writer_lock
from kommunalmonitor.core.privacy import public_role_pattern
from kommunalmonitor.core.text import strip_controls, terminal_safe

from .store import Store
from .store.browse import Browser, plain, segments
from .store.search import SearchHit, SearchQuery, latest_first_seen, search

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
MAX_NEW = 1000          # new hits one run reports at most (the digest says when there were more)
FEED_ENTRIES = 200      # entries the feed keeps, newest first
FILTERS = ("date_from", "date_to", "source", "kind", "action_field", "district", "sender")
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


@dataclass(frozen=True)
class Alert:
    """A saved search: the query and `komo search` filters (every word must occur)."""

    name: str
    query: str
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    kind: str | None = None
    action_field: str | None = None
    district: str | None = None
    sender: str | None = None
    created: str = ""

    def search_query(self, stored_after: datetime | None = None, limit: int = 10) -> SearchQuery:
        return SearchQuery(self.query, all_terms=True, date_from=self.date_from, date_to=self.date_to,
                           source=self.source, action_field=self.action_field, district=self.district,
                           kind=self.kind, sender=self.sender, stored_after=stored_after, limit=limit)

    def command(self) -> str:
        """The `komo search` command that gives the same matches."""
        options = {"date_from": "--from", "date_to": "--to", "source": "--source", "kind": "--kind",
                   "action_field": "--field", "district": "--district", "sender": "--sender"}
        parts = ["komo search", _shell_word(self.query), "--all"]
        for name, option in options.items():
            value = getattr(self, name)
            if value is not None:
                parts += [option, _shell_word(str(value))]
        return " ".join(parts)

    def to_toml(self) -> str:
        lines = [f"# komo alert; `komo alerts remove {self.name}` deletes it", f"name = {_toml(self.name)}",
                 f"query = {_toml(self.query)}", f"created = {_toml(self.created)}"]
        for name in FILTERS:
            value = getattr(self, name)
            if value is not None:
                lines.append(f"{name} = {_toml(value.isoformat() if isinstance(value, date) else value)}")
        return "\n".join(lines) + "\n"

    @classmethod
    def from_toml(cls, path: Path) -> Alert:
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
            dates = {k: date.fromisoformat(data[k]) for k in ("date_from", "date_to") if data.get(k)}
            return cls(**{**{k: data.get(k) for k in ("name", "query", "created", *FILTERS)}, **dates})
        except (OSError, tomllib.TOMLDecodeError, TypeError, ValueError) as problem:
            raise KomoError(f"cannot read the alert {path}: {problem}") from None


@dataclass
class AlertState:
    """What an alert has reported: its own file, never the store."""

    last_run: str | None = None
    mark: str | None = None                  # documents first stored after this are new
    seen: list[str] = field(default_factory=list)
    entries: list[dict[str, Any]] = field(default_factory=list)
    last_new: int = 0

    @classmethod
    def load(cls, path: Path) -> AlertState:
        if not path.exists():
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(**{k: data[k] for k in ("last_run", "mark", "seen", "entries", "last_new") if k in data})
        except (OSError, ValueError, TypeError) as problem:
            raise KomoError(f"cannot read the alert state {path}: {problem}; remove the alert and add it again") \
                from None


@dataclass
class AlertRun:
    name: str
    new: int = 0
    truncated: bool = False
    error: str | None = None   # why this alert could not be evaluated (the others still are)

    def line(self) -> str:
        if self.error:
            return f"alert {self.name}: failed, {self.error}"
        more = f" (only the first {MAX_NEW} reported)" if self.truncated else ""
        return f"alert {self.name}: {self.new} new{more}"


class AlertBook:
    """The alerts under one home: `$KOMO_HOME/alerts/NAME.toml` and the files beside each."""

    def __init__(self, home: Home):
        self.home = home
        self.folder = home.root / "alerts"

    def paths(self, name: str) -> dict[str, Path]:
        check_name(name)
        return {suffix: self.folder / f"{name}{suffix}" for suffix in (".toml", ".state.json", ".atom", ".digest.txt")}

    def names(self) -> list[str]:
        if not self.folder.is_dir():
            return []
        return sorted(p.name.removesuffix(".toml") for p in self.folder.glob("*.toml")
                      if NAME.match(p.name.removesuffix(".toml")))

    def get(self, name: str) -> Alert:
        path = self.paths(name)[".toml"]
        if not path.exists():
            known = ", ".join(self.names()) or "none"
            raise KomoError(f"no alert {name!r}; alerts: {known}")
        return Alert.from_toml(path)

    def state(self, name: str) -> AlertState:
        return AlertState.load(self.paths(name)[".state.json"])

    def add(self, alert: Alert, replace_existing: bool = False) -> Path:
        """Check the search against the published snapshot (filters spelt as the store spells them),
        then write the alert with the snapshot's newest document as its mark: what is stored from
        now on is new. Reads only the snapshot, so it never waits for a running update."""
        paths = self.paths(alert.name)
        if paths[".toml"].exists() and not replace_existing:
            raise KomoError(f"alert {alert.name!r} exists ({paths['.toml']}); --replace overwrites it")
        query = strip_controls(alert.query).strip()
        if not query:
            raise KomoError("an alert needs a query")
        alert = replace(alert, query=query, created=datetime.now(UTC).isoformat(timespec="seconds"))
        snapshot = self.home.published_db
        mark = None
        if snapshot.exists():
            with Store.open_reader(snapshot) as store:
                search(store, alert.search_query(limit=1))  # one-line errors for a bad query or filter
                found = latest_first_seen(store)
                mark = found.isoformat() if found else None
        self.folder.mkdir(parents=True, exist_ok=True)
        _write_atomic(paths[".state.json"], json.dumps(asdict(AlertState(mark=mark)), ensure_ascii=False))
        for stale in (paths[".atom"], paths[".digest.txt"]):
            stale.unlink(missing_ok=True)
        _write_atomic(paths[".toml"], alert.to_toml())
        return paths[".toml"]

    def remove(self, name: str) -> None:
        self.get(name)
        for path in self.paths(name).values():
            path.unlink(missing_ok=True)

    def evaluate(self, names: list[str] | None = None) -> list[AlertRun]:
        """Evaluate alerts against the published snapshot; writes feed, digest and state of each.
        One evaluation at a time (a lock in the alerts folder), so nothing is reported twice."""
        names = self.names() if names is None else names
        if not names:
            return []
        for name in names:
            self.get(name)
        snapshot = self.home.published_db
        if not snapshot.exists():
            raise KomoError(f"no published snapshot at {snapshot}; run `komo update` first")
        runs = []
        with writer_lock(self.folder / ".evaluate.lock"), Store.open_reader(snapshot) as store:
            pattern = public_role_pattern()
            for name in names:
                try:
                    runs.append(self._evaluate_one(store, self.get(name), pattern))
                except KomoError as problem:  # a filter value the store no longer has, a damaged state
                    runs.append(AlertRun(name, error=str(problem)))
        return runs

    def _evaluate_one(self, store: Store, alert: Alert, public_pattern: str) -> AlertRun:
        paths = self.paths(alert.name)
        state = self.state(alert.name)
        now = datetime.now(UTC).isoformat(timespec="seconds")
        mark = datetime.fromisoformat(state.mark) if state.mark else None
        hits = search(store, alert.search_query(stored_after=mark, limit=MAX_NEW + 1))
        truncated = len(hits) > MAX_NEW
        seen = set(state.seen)
        new = [hit for hit in hits[:MAX_NEW] if _key(hit) not in seen]
        browser = Browser(store.con)
        keys = [(hit.source, hit.native_id) for hit in new]
        private = browser.private_spans(keys, public_pattern)
        bodies = browser.bodies_of(keys)
        entries = [_entry(hit, bodies.get((hit.source, hit.native_id), ""),
                          private.get((hit.source, hit.native_id), []), now) for hit in new]
        newest = latest_first_seen(store)
        if newest is not None and (mark is None or newest > mark):
            mark = newest
        state = AlertState(last_run=now, mark=mark.isoformat() if mark else None,
                           seen=state.seen + [_key(hit) for hit in new],
                           entries=(entries + state.entries)[:FEED_ENTRIES], last_new=len(new))
        # Feed and digest first, the state last: the three renames follow each other at once.
        _write_atomic(paths[".atom"], atom_feed(alert, state, now))
        _write_atomic(paths[".digest.txt"], digest(alert, entries, now, truncated) if entries else "")
        _write_atomic(paths[".state.json"], json.dumps(asdict(state), ensure_ascii=False, default=str))
        return AlertRun(alert.name, len(new), truncated)


def check_name(name: str) -> str:
    if not NAME.match(name or ""):
        raise KomoError(f"bad alert name {name!r}: lower-case letters, digits, '-' and '_' (e.g. sprachkurse)")
    return name


def _key(hit: SearchHit) -> str:
    return f"{hit.source}/{hit.native_id}"


def _entry(hit: SearchHit, body: str, private: list, found: str) -> dict[str, Any]:
    spans = [(s, e, "hit", None) for s, e in hit.highlights]
    snippet = plain(segments(body[hit.snippet_start:hit.snippet_end], hit.snippet_start, spans, private)) \
        if body else ""
    return {"source": hit.source, "native_id": hit.native_id, "title": hit.title, "sender": hit.sender,
            "published": hit.published.isoformat() if hit.published else None,
            "url": hit.canonical_url if _SAFE_URL.match(hit.canonical_url or "") else None,
            "snippet": ("…" if hit.snippet_start > 0 else "") + snippet + ("…" if hit.snippet_end < len(body) else ""),
            "found": found}


def _xml_text(text: Any) -> str:
    return _XML_INVALID.sub("", strip_controls("" if text is None else str(text)))


def atom_feed(alert: Alert, state: AlertState, now: str) -> str:
    """The alert's feed (Atom 1.0): every reported document, newest report first."""
    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")

    def sub(parent: ET.Element, tag: str, text: Any = None, **attributes: str) -> ET.Element:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attributes)
        if text is not None:
            element.text = _xml_text(text)
        return element

    sub(feed, "id", f"urn:kommunalmonitor:alert:{alert.name}")
    sub(feed, "title", f"Kommunalmonitor-Alarm {alert.name}: {alert.query}")
    sub(feed, "subtitle", alert.command())
    sub(feed, "updated", now)
    author = sub(feed, "author")
    sub(author, "name", "Kommunalmonitor (komo)")
    sub(feed, "generator", "komo alerts")
    for entry in state.entries:
        item = sub(feed, "entry")
        sub(item, "id", f"urn:kommunalmonitor:document:{entry['source']}:{entry['native_id']}")
        sub(item, "title", entry["title"] or "(ohne Überschrift)")
        sub(item, "updated", entry["found"])
        if entry["published"]:
            sub(item, "published", f"{entry['published']}T00:00:00Z")
        if entry["url"]:
            sub(item, "link", href=_xml_text(entry["url"]), rel="alternate")
        sub(item, "summary", f"{entry['sender'] or 'unbekannte Quelle'}: {entry['snippet']}", type="text")
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n"


def digest(alert: Alert, entries: list[dict[str, Any]], now: str, truncated: bool) -> str:
    """What is new, as plain text for a mail: one block per document."""
    count = f"{len(entries)} neue{'s' if len(entries) == 1 else ''} Dokument{'' if len(entries) == 1 else 'e'}"
    lines = [f"Kommunalmonitor-Alarm {alert.name}: {count} ({now})",
             f"Suche: {terminal_safe(alert.command())}", ""]
    if truncated:
        lines.insert(1, f"(mehr als {MAX_NEW} neue Treffer; die ersten {MAX_NEW} stehen hier)")
    for number, entry in enumerate(entries, 1):
        lines.append(f"{number}. {entry['published'] or 'ohne Datum'} · {terminal_safe(entry['sender'] or 'unbekannt')}"
                     f" · {terminal_safe(entry['title'] or '(ohne Überschrift)')}")
        if entry["snippet"]:
            lines.append(f"   {terminal_safe(entry['snippet'])}")
        lines.append(f"   {entry['url'] or ''} (komo: {entry['source']} {entry['native_id']})".rstrip())
        lines.append("")
    return "\n".join(lines)


def evaluate_after_publish(home: Home) -> list[AlertRun]:
    """What `komo update` runs once its snapshot is published: every alert of the home."""
    return AlertBook(home).evaluate()


def _toml(value: str) -> str:
    # A TOML basic string: JSON's escapes are TOML's, and control characters were stripped.
    return json.dumps(strip_controls(str(value)), ensure_ascii=False)


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[\w.:/-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    os.replace(temporary, path)


__all__ = ["Alert", "AlertBook", "AlertRun", "AlertState", "atom_feed", "check_name", "digest",
           "evaluate_after_publish"]
