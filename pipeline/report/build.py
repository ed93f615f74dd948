"""From a topic and filters to a Report: the figures, in plain data, ready for any format."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import duckdb

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.privacy import public_role_pattern, redact
from kommunalmonitor.models.taxonomy import Taxonomy

from ..store.council_report import CouncilReader
from ..store.reports import ReportReader, Selection
from .formats import share

_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s")


@dataclass(frozen=True)
class ReportRequest:
    """What the user asked for on the command line, before it is resolved against the store."""

    topic: str
    field: str | None = None
    start: str | None = None        # YYYY or YYYY-MM-DD
    end: str | None = None
    body: str | None = None
    district: str | None = None
    method: str = "classifier"
    model_name: str | None = None
    documents: int = 12             # notable documents listed
    papers: int = 25                # council papers listed (most recent first)
    copies_url: str | None = None   # where kept copies are served; default: file links into the home


@dataclass
class Period:
    label: str
    start: date
    selected: int
    total: int

    @property
    def share(self) -> float | None:
        return share(self.selected, self.total)


@dataclass
class CouncilSection:
    """The council papers on the report's topic (pipeline/store/council_report.py)."""

    facts: dict[str, Any]
    fields_by_year: list[tuple[int, dict[str, int]]]
    committees: list[tuple[str, int, int, Any, Any]]
    faction_positions: list[tuple[str, str, int]]
    papers: list[dict[str, Any]]


@dataclass
class Report:
    title: str
    filters: list[tuple[str, str]]
    selection: Selection
    generated_at: datetime
    yearly: list[Period]
    monthly: list[Period]
    field_ids: list[str]
    field_labels: dict[str, str]
    fields_by_year: list[tuple[int, dict[str, int]]]
    districts: list[tuple[str, int, int, int]]
    streets: list[tuple[str, int, int, int, int]]
    bodies: list[tuple[str, int, int, int, int]]
    persons: list[tuple[str, str, int, int, int]]
    unnamed_persons: int
    documents: list[dict[str, Any]]
    facts: dict[str, Any] = field(default_factory=dict)
    council: CouncilSection | None = None   # None: no council paper on the topic in this store

    @property
    def selected(self) -> int:
        return self.facts.get("selected", 0)

    @property
    def in_scope(self) -> int:
        return self.facts.get("articles_in_scope", 0)


def resolve_topic(topic: str, taxonomy: Taxonomy) -> tuple[str, str, str]:
    """'integration', an action-field id or label, or a topic id or label → (label set, id, title).

    An id that is both (e.g. 'bildung') means the action field; write 'topic:bildung' for the topic.
    """
    text = topic.strip()
    kind, _, name = text.partition(":") if text.partition(":")[0] in ("field", "topic") else ("", "", text)
    wanted = name.strip().casefold()
    if not kind and wanted == "integration":
        return "integration", "integration", "Integration"
    candidates = []
    if kind in ("", "field"):
        candidates += [("action_field", k, v) for k, v in taxonomy.field_labels.items()]
    if kind in ("", "topic"):
        candidates += [("topic", k, v) for k, v in taxonomy.topic_labels.items()]
    for label_set, key, label in candidates:
        if wanted in (key.casefold(), label.casefold()):
            return label_set, key, label
    choices = ", ".join(["integration", *taxonomy.field_labels, *(f"topic:{k}" for k in taxonomy.topic_labels)])
    raise KomoError(f"unknown topic {topic!r}; choose one of: {choices}")


def _year_or_date(value: str | None, end: bool) -> date | None:
    if not value:
        return None
    value = value.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return date(int(value), 12, 31) if end else date(int(value), 1, 1)
        return date.fromisoformat(value)
    except ValueError:
        raise KomoError(f"{value!r} is not a year (2017) or a date (2017-03-07)") from None


def _fill_years(rows: list[tuple[date, int, int]]) -> list[Period]:
    found = {r[0].year: r for r in rows}
    if not found:
        return []
    periods = []
    for year in range(min(found), max(found) + 1):
        _, selected, total = found.get(year, (None, 0, 0))
        periods.append(Period(str(year), date(year, 1, 1), selected, total))
    return periods


def _fill_months(rows: list[tuple[date, int, int]]) -> list[Period]:
    from .formats import de_month

    found = {(r[0].year, r[0].month): r for r in rows}
    if not found:
        return []
    (year, month), last = min(found), max(found)
    periods = []
    while (year, month) <= last:
        _, selected, total = found.get((year, month), (None, 0, 0))
        start = date(year, month, 1)
        periods.append(Period(de_month(start, short=True), start, selected, total))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return periods


def _opening(body: str, limit: int = 280) -> str:
    """The article's first sentence (or its first characters), shown when no rule sentence matched."""
    first = _SENTENCE_END.split(body.strip(), maxsplit=1)[0]
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def build_report(con: duckdb.DuckDBPyConnection, request: ReportRequest, home_root: Path,
                 taxonomy: Taxonomy | None = None) -> Report:
    """Run every figure query for one request against an open store connection."""
    taxonomy = taxonomy or Taxonomy.load()
    label_set, label, title = resolve_topic(request.topic, taxonomy)
    field_id = None
    if request.field:
        names = {name.casefold() for pair in taxonomy.field_labels.items() for name in pair}
        if request.field.strip().casefold() not in names:
            choices = ", ".join(taxonomy.field_labels)
            raise KomoError(f"unknown action field {request.field!r}; choose one of: {choices}")
        _, field_id, field_label = resolve_topic(f"field:{request.field}", taxonomy)
        title = f"{title} – {field_label}"
    start, end = _year_or_date(request.start, end=False), _year_or_date(request.end, end=True)
    if start and end and start > end:
        raise KomoError(f"--from {request.start} is after --to {request.end}")
    reader = ReportReader(con)
    selection = reader.select(Selection(label_set=label_set, label=label, field=field_id, start=start, end=end,
                                        body=request.body, district=request.district, method=request.method,
                                        model_name=request.model_name))
    pattern = public_role_pattern()
    by_year: dict[int, dict[str, int]] = {}
    for year, field_name, n in reader.fields_by_year():
        by_year.setdefault(year, {})[field_name] = n
    documents = reader.notable(pattern, request.documents)
    for document in documents:
        document["url"] = document["canonical_url"] if _SAFE_URL.match(document["canonical_url"] or "") else None
        document["copy_url"] = _copy_url(document["raw_ref"], home_root, request.copies_url)
        found = document.pop("sentence")
        sentence = found or {"text": _opening(document["body"]), "start": 0}
        document["evidence"] = redact(sentence["text"], sentence["start"], document.pop("private_spans"))
        document["evidence_is_opening"] = found is None
        del document["body"]
    filters = [(name, value) for name, value in (
        ("Zeitraum", f"{request.start or 'Anfang'} bis {request.end or 'heute'}"),
        ("Gremium/Stelle enthält", request.body), ("Stadtteil", request.district)) if value]
    return Report(
        title=title, filters=filters, selection=selection, generated_at=datetime.now(UTC),
        yearly=_fill_years(reader.share_by("year")), monthly=_fill_months(reader.share_by("month")),
        field_ids=list(taxonomy.field_labels), field_labels=dict(taxonomy.field_labels),
        fields_by_year=sorted(by_year.items()), districts=reader.districts(), streets=reader.streets(),
        bodies=reader.bodies(), persons=reader.public_persons(pattern), unnamed_persons=reader.unnamed_persons(pattern),
        documents=documents, facts=reader.facts(), council=build_council(con, selection, pattern, request.papers))


def build_council(con: duckdb.DuckDBPyConnection, selection: Selection, pattern: str,
                  limit: int = 25) -> CouncilSection | None:
    """The council section of a report, or None when no council paper is on its topic."""
    reader = CouncilReader(con)
    if not reader.select(selection):
        return None
    by_year: dict[int, dict[str, int]] = {}
    for year, field_name, n in reader.fields_by_year():
        by_year.setdefault(year, {})[field_name] = n
    papers = reader.papers(pattern, limit)
    for paper in papers:
        paper["web"] = paper["web"] if _SAFE_URL.match(paper["web"] or "") else None
        for press in paper["press"]:
            press["url"] = press["url"] if _SAFE_URL.match(press["url"] or "") else None
            spans = press.pop("private_spans")
            offset = press.pop("offset")
            # the evidence is a body sentence (offset >= 0) or the title (no mentions there)
            press["evidence"] = redact(press["evidence"], offset, spans) if offset >= 0 else press["evidence"]
    return CouncilSection(facts=reader.facts(), fields_by_year=sorted(by_year.items()),
                          committees=reader.committees(), faction_positions=reader.faction_positions(),
                          papers=papers)


def _copy_url(raw_ref: str | None, home_root: Path, base: str | None) -> str | None:
    if not raw_ref:
        return None
    if base:
        return base.rstrip("/") + "/" + raw_ref
    return (home_root / raw_ref).as_uri()
