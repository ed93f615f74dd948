"""The pages of `komo serve`: search, topics, documents, lists, alerts. Server-rendered HTML
without any script; every page reads the published snapshot through `SnapshotPool`.

The same rules as the reports: Jinja autoescapes every text from the web, only persons with a
public role are named (everybody else is masked as [Name]), links to the web are http(s) only
and carry no referrer, and the Content-Security-Policy allows no script at all. A page's SQL
is shown with `?sql=1`.
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from datetime import date
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

import duckdb
import jinja2
from markupsafe import Markup
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.privacy import public_role_pattern
from kommunalmonitor.models.taxonomy import Taxonomy

from ..alerts import AlertBook
from ..report import ReportRequest, build_report, render
from ..report import charts as chart
from ..report.formats import de_date, de_month, de_number, de_percent
from ..store.browse import MENTION_KINDS, PAGE_SIZE, Browser, segments
from ..store.search import SearchQuery, search, search_facets
from .snapshot import NoSnapshot, Reading, SnapshotPool

# No script anywhere; styles from our own stylesheet; forms submit only to us.
PAGE_CSP = ("default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
            "base-uri 'none'; frame-ancestors 'none'")
# Whatever else we send (downloads, feeds, kept copies) is never rendered as a page of ours.
SANDBOX_CSP = "sandbox; default-src 'none'"
SEARCH_PAGE = 20
_SAFE_URL = re.compile(r"^https?://", re.IGNORECASE)
_FILENAME = re.compile(r"[^A-Za-z0-9._-]+")

KIND_LABELS = {"date": "Datum", "body": "Gremium / Stelle", "address": "Adresse",
               "person": "Person (öffentl. Funktion)", "action_field": "Handlungsfeld", "district": "Stadtteil",
               "integration": "Integration (Wortschatz)"}
DOC_KIND_LABELS = {"press": "Pressemitteilung", "paper": "Ratsvorlage", "agenda_item": "Tagesordnungspunkt",
                   "file": "Ratsdokument (Datei)"}
# List pages: path → (entity in the store, German title, singular)
ENTITIES = {"gremien": ("body", "Gremien und Stellen", "Gremium / Stelle"),
            "personen": ("person", "Personen mit öffentlicher Funktion", "Person"),
            "stadtteile": ("district", "Stadtteile", "Stadtteil"),
            "strassen": ("street", "Straßen", "Straße")}
REPORT_MEDIA = {"html": ("text/html; charset=utf-8", "html"), "md": ("text/markdown; charset=utf-8", "md"),
                "csv": ("text/csv; charset=utf-8", "csv"), "csv-rfc4180": ("text/csv; charset=utf-8", "csv")}
TOPIC_FILTERS = ("from", "to", "field", "district", "body", "by")


class SecurityHeaders:
    """Every response: a strict CSP (unless the handler set its own), no sniffing, no framing,
    no referrer to the sites we link to."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                for name, value in ((b"content-security-policy", PAGE_CSP), (b"x-content-type-options", "nosniff"),
                                    (b"referrer-policy", "no-referrer"), (b"x-frame-options", "DENY"),
                                    (b"cross-origin-opener-policy", "same-origin"),
                                    (b"cache-control", "no-store")):
                    if name not in present:
                        headers.append((name, value.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def url(path: str, **parameters: Any) -> str:
    """A link of ours: the path with the parameters that are set (None and '' left out)."""
    shown = {k: v for k, v in parameters.items() if v not in (None, "", False)}
    return path + ("?" + urlencode(shown) if shown else "")


def _environment() -> jinja2.Environment:
    folder = resources.files("kommunalmonitor.pipeline.serve").joinpath("templates")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=de_number, percent=de_percent, ddate=de_date, month=de_month,
                       doc_kind=lambda k: DOC_KIND_LABELS.get(k, k or "–"))
    env.globals.update(url=url, kind_labels=KIND_LABELS, safe_url=lambda u: u if _SAFE_URL.match(u or "") else None)
    return env


class ServeApp:
    """The handlers; one instance per server, holding the snapshot pool and the templates."""

    def __init__(self, home: Home, timeout: float):
        self.home = home
        self.pool = SnapshotPool(home.published_db, timeout)
        self.env = _environment()
        self.taxonomy = Taxonomy.load()
        self.public = public_role_pattern()
        self.css = resources.files("kommunalmonitor.pipeline.serve").joinpath("static", "komo.css").read_bytes()

    # -- plumbing --------------------------------------------------------------------------------

    def page(self, request: Request, template: str, reading: Reading | None, status: int = 200,
             **context: Any) -> HTMLResponse:
        show_sql = request.query_params.get("sql") == "1"
        params = dict(request.query_params)
        params.pop("sql", None)
        html = self.env.get_template(template).render(
            request_path=request.url.path, info=reading.info if reading else None,
            statements=reading.con.statements if reading and show_sql else None,
            sql_link=url(request.url.path, **params, sql="1"), taxonomy=self.taxonomy, **context)
        return HTMLResponse(html, status_code=status)

    def guarded(self, handler: Callable[[Request, Reading], Response]) -> Callable[[Request], Response]:
        """Run a handler on a reader; errors a user can meet become a page with one line."""

        def endpoint(request: Request) -> Response:
            try:
                with self.pool.reader() as reading:
                    try:
                        return handler(request, reading)
                    except duckdb.InterruptException:
                        return self.page(request, "error.html.j2", reading, status=503, title="Zu langsam",
                                         message=f"Die Abfragen dieser Seite liefen länger als {self.pool.timeout:g} s "
                                                 "und wurden abgebrochen. Bitte die Auswahl eingrenzen.")
                    except KomoError as problem:
                        return self.page(request, "error.html.j2", reading, status=400, title="Nicht möglich",
                                         message=str(problem))
            except NoSnapshot as problem:
                return self.page(request, "error.html.j2", None, status=503, title="Noch keine Daten",
                                 message=str(problem))
            except KomoError as problem:  # a damaged snapshot: the message says what to do
                return self.page(request, "error.html.j2", None, status=503, title="Snapshot nicht lesbar",
                                 message=str(problem))

        return endpoint

    def not_found(self, request: Request, reading: Reading, what: str) -> HTMLResponse:
        return self.page(request, "error.html.j2", reading, status=404, title="Nicht gefunden", message=what)

    # -- start and search ------------------------------------------------------------------------

    def home_page(self, request: Request, reading: Reading) -> Response:
        return self.page(request, "home.html.j2", reading, topics=self._topics())

    def _topics(self) -> list[tuple[str, str, str]]:
        """(path key, label, what it is) for every report topic."""
        topics = [("integration", "Integration", "Klassifikator: Integration")]
        topics += [(key, label, "Handlungsfeld") for key, label in self.taxonomy.field_labels.items()]
        topics += [(f"topic:{key}", label, "Thema") for key, label in self.taxonomy.topic_labels.items()]
        return topics

    def search_page(self, request: Request, reading: Reading) -> Response:
        form = {k: request.query_params.get(k, "").strip() for k in
                ("q", "from", "to", "source", "kind", "field", "district", "sender")}
        form["all"] = request.query_params.get("all") == "1"
        page_number = _page(request)
        context: dict[str, Any] = {"form": form, "hits": None, "facets": None, "page_number": page_number,
                                   "error": None, "page_size": SEARCH_PAGE}
        if form["q"]:
            try:
                query = SearchQuery(form["q"], all_terms=form["all"], date_from=_date(form["from"], "from"),
                                    date_to=_date(form["to"], "to"), source=form["source"] or None,
                                    kind=form["kind"] or None, action_field=form["field"] or None,
                                    district=form["district"] or None, sender=form["sender"] or None,
                                    limit=SEARCH_PAGE, offset=(page_number - 1) * SEARCH_PAGE)
                hits = search(reading, query)  # type: ignore[arg-type]  # a Store in all it uses
                facets = search_facets(reading, query)  # type: ignore[arg-type]
            except KomoError as problem:
                context["error"] = str(problem)
                return self.page(request, "search.html.j2", reading, status=400, **context)
            browser = Browser(reading.con)
            keys = [(h.source, h.native_id) for h in hits]
            private, bodies = browser.private_spans(keys, self.public), browser.bodies_of(keys)
            context["hits"] = [{
                "hit": hit,
                "snippet": segments(bodies[(hit.source, hit.native_id)][hit.snippet_start:hit.snippet_end],
                                    hit.snippet_start, [(s, e, "hit", None) for s, e in hit.highlights],
                                    private.get((hit.source, hit.native_id), [])),
                "cut_start": hit.snippet_start > 0,
                "cut_end": hit.snippet_end < len(bodies[(hit.source, hit.native_id)]),
            } for hit in hits]
            context["facets"] = facets
            context["command"] = _search_command(form)
        return self.page(request, "search.html.j2", reading, **context)

    # -- one document ----------------------------------------------------------------------------

    def document_page(self, request: Request, reading: Reading) -> Response:
        source, native_id = request.query_params.get("source", ""), request.query_params.get("id", "")
        browser = Browser(reading.con)
        document = browser.document(source, native_id)
        if document is None:
            return self.not_found(request, reading, f"Kein Dokument {native_id!r} in der Quelle {source!r}.")
        mentions = browser.mentions(source, native_id)
        private = [(m["start_char"], m["end_char"]) for m in mentions
                   if m["kind"] == "person" and not _is_public(m["role"], self.public)]
        shown = [m for m in mentions if not (m["kind"] == "person" and not _is_public(m["role"], self.public))]
        spans = [(m["start_char"], m["end_char"], m["kind"], _mention_value(m)) for m in shown]
        body = document["body"] or ""
        counts = {kind: sum(1 for m in shown if m["kind"] == kind) for kind in MENTION_KINDS}
        labels = browser.labels(source, native_id)
        evidence = self._evidence(labels, mentions, private)
        council: dict[str, Any] = {}
        if document["kind"] == "paper":
            council["consultations"] = browser.paper_consultations(source, native_id)
            council["files"] = browser.council_files(source, native_id)
        elif document["kind"] == "agenda_item":
            council["item"] = browser.agenda_item_context(source, native_id)
            council["files"] = browser.council_files(source, native_id)
        links = browser.press_paper_links(source, native_id) if document["kind"] == "press" else None
        return self.page(
            request, "document.html.j2", reading, document=document, text=segments(body, 0, spans, private),
            counts=counts, private_count=len({(s, e) for s, e in private}), labels=labels, evidence=evidence,
            extraction=browser.extraction(source, native_id),
            values=_mention_values(shown), copies=browser.related_copies(source, native_id, document["duplicate_of"]),
            council=council, paper_links=links, field_labels=self.taxonomy.field_labels,
            topic_labels=self.taxonomy.topic_labels)

    def _evidence(self, labels: list[dict[str, Any]], mentions: list[dict[str, Any]],
                  private: list[tuple[int, int]]) -> dict[tuple[str, str], list]:
        """For each assigned label, the sentence the rules found for it (private names masked)."""
        found: dict[tuple[str, str], list] = {}
        for label in labels:
            if not label["assigned"] or label["label_set"] == "topic":
                continue
            kinds = ("integration", "action_field") if label["label_set"] == "integration" else ("action_field",)
            wanted = None if label["label_set"] == "integration" else label["label"]
            candidates = [m for m in mentions if m["kind"] in kinds and (wanted is None or m["value"] == wanted)]
            candidates.sort(key=lambda m: (m["kind"] != "integration", m["start_char"]))
            if candidates:
                m = candidates[0]
                found[(label["label_set"], label["label"])] = segments(
                    m["sentence"], m["sentence_start"], [(m["start_char"], m["end_char"], m["kind"], m["value"])],
                    private)
        return found

    def kept_copy(self, request: Request, reading: Reading) -> Response:
        """The page as it was fetched: a download, or text/plain — never a page on our origin."""
        source, native_id = request.query_params.get("source", ""), request.query_params.get("id", "")
        document = Browser(reading.con).document(source, native_id)
        if document is None or not document["raw_ref"]:
            return self.not_found(request, reading, "Zu diesem Dokument gibt es keine archivierte Kopie.")
        raw_dir = self.home.raw_dir.resolve()
        path = (self.home.root / document["raw_ref"]).resolve()
        if not path.is_relative_to(raw_dir):  # a forged raw_ref must not read files elsewhere
            return self.page(request, "error.html.j2", reading, status=403, title="Verweigert",
                             message="Der Pfad der Kopie liegt nicht unter raw/.")
        try:
            content = gzip.decompress(path.read_bytes())
        except (OSError, EOFError, gzip.BadGzipFile):
            return self.not_found(request, reading, "Die archivierte Kopie fehlt oder ist beschädigt.")
        name = _FILENAME.sub("_", f"{source}-{native_id}")[:120] + (Path(path.name).suffixes[0]
                                                                    if Path(path.name).suffixes else "")
        headers = {"Content-Security-Policy": SANDBOX_CSP, "X-Content-Type-Options": "nosniff"}
        if request.query_params.get("als") == "text":
            text = _decode(content)
            return Response(text, media_type="text/plain; charset=utf-8", headers=headers)
        headers["Content-Disposition"] = f"attachment; filename=\"{name}\""
        return Response(content, media_type="application/octet-stream", headers=headers)

    # -- topics ----------------------------------------------------------------------------------

    def topics_page(self, request: Request, reading: Reading) -> Response:
        return self.page(request, "topics.html.j2", reading, topics=self._topics())

    def _report_request(self, request: Request, documents: int = 12) -> ReportRequest:
        params = request.query_params
        method = params.get("by") or "classifier"
        if method not in ("classifier", "rules"):
            raise KomoError(f"unknown method {method!r}: classifier or rules")
        return ReportRequest(topic=request.path_params["topic"], field=params.get("field") or None,
                             start=params.get("from") or None, end=params.get("to") or None,
                             body=params.get("body") or None, district=params.get("district") or None,
                             method=method, documents=documents)

    def topic_page(self, request: Request, reading: Reading) -> Response:
        report = build_report(reading.con, self._report_request(request, 20), self.home.root)  # type: ignore[arg-type]
        topic = request.path_params["topic"]
        filters = {k: request.query_params.get(k) or None for k in TOPIC_FILTERS}

        def link(figure: str, key: Any, role: str | None = None) -> str:
            return url(f"/thema/{quote(topic, safe=':')}/dokumente", figure=figure, key=str(key), role=role, **filters)

        charts: dict[str, Markup | None] = dict.fromkeys(("yearly", "monthly", "fields", "districts"))
        if report.yearly:
            charts["yearly"] = chart.bar_chart(
                [(p.label, p.share, f"{p.label}: {de_percent(p.share)} ({p.selected} von {p.total})")
                 for p in report.yearly], f"Anteil an allen Artikeln je Jahr: {report.title}",
                chart.PERCENT, links=[link("year", p.start.year) if p.selected else None
                                                   for p in report.yearly])
        if 1 < len(report.monthly) <= 60:
            charts["monthly"] = chart.line_chart(
                [(p.label, p.share, f"{p.label}: {de_percent(p.share)} ({p.selected} von {p.total})")
                 for p in report.monthly], f"Anteil an allen Artikeln je Monat: {report.title}",
                chart.PERCENT,
                links=[link("month", p.start.strftime("%Y-%m")) if p.selected else None for p in report.monthly])
        if report.fields_by_year:
            years = [str(y) for y, _ in report.fields_by_year]
            charts["fields"] = chart.stacked_bars(
                years, [(report.field_labels[f], [c.get(f, 0) for _, c in report.fields_by_year])
                        for f in report.field_ids],
                "Artikel je Handlungsfeld und Jahr", chart.COUNT,
                links=[[link("field", f"{y}:{f}") for y, _ in report.fields_by_year] for f in report.field_ids])
        if report.districts:
            charts["districts"] = chart.horizontal_bars(
                [(d[0], d[1]) for d in report.districts], "Artikel je Stadtteil",
                links=[link("district", d[0]) for d in report.districts])
        downloads = {fmt: url(f"/thema/{quote(topic, safe=':')}/bericht.{fmt}", **filters) for fmt in REPORT_MEDIA}
        return self.page(request, "topic.html.j2", reading, report=report, charts=charts, link=link, topic=topic,
                         filters=filters, downloads=downloads)

    def topic_documents(self, request: Request, reading: Reading) -> Response:
        params = request.query_params
        figure, key, role = params.get("figure", ""), params.get("key", ""), params.get("role") or None
        report = build_report(reading.con, self._report_request(request, 0), self.home.root)  # type: ignore[arg-type]
        try:
            total, rows = Browser(reading.con).figure_documents(
                figure, key, report.selection.method, report.selection.model_name, self.public, role, _page(request))
        except ValueError:
            raise KomoError(f"unknown figure {figure!r} or key {key!r}") from None
        topic = request.path_params["topic"]
        filters = {k: params.get(k) or None for k in TOPIC_FILTERS}
        title = f"{report.title}: {_figure_label(figure, key, role)}"
        return self.page(request, "documents.html.j2", reading, title=title,
                         back=url(f"/thema/{quote(topic, safe=':')}", **filters), total=total, rows=rows,
                         page_number=_page(request), page_size=PAGE_SIZE,
                         page_link=lambda n: url(request.url.path, **{**dict(params), "page": n}))

    def topic_download(self, request: Request, reading: Reading) -> Response:
        output = request.path_params["format"]
        if output not in REPORT_MEDIA:
            return self.not_found(request, reading, f"Kein Format {output!r}: html, md, csv, csv-rfc4180.")
        report = build_report(reading.con, self._report_request(request), self.home.root)  # type: ignore[arg-type]
        media, suffix = REPORT_MEDIA[output]
        name = _FILENAME.sub("_", f"bericht-{request.path_params['topic']}")[:80] + f".{suffix}"
        return Response(render(report, output), media_type=media, headers={
            "Content-Disposition": f"attachment; filename=\"{name}\"", "Content-Security-Policy": SANDBOX_CSP})

    # -- lists -----------------------------------------------------------------------------------

    def entity_list(self, request: Request, reading: Reading) -> Response:
        path = request.path_params["entity"]
        if path not in ENTITIES:
            return self.not_found(request, reading, "Keine solche Liste.")
        entity, title, _ = ENTITIES[path]
        rows = Browser(reading.con).entity_list(entity, self.public)
        return self.page(request, "entities.html.j2", reading, title=title, path=path, rows=rows, entity=entity)

    def entity_page(self, request: Request, reading: Reading) -> Response:
        path = request.path_params["entity"]
        if path not in ENTITIES:
            return self.not_found(request, reading, "Keine solche Liste.")
        entity, title, singular = ENTITIES[path]
        params = request.query_params
        name, role = params.get("name", ""), params.get("role") or None
        year = _int(params.get("year"))
        browser = Browser(reading.con)
        years = browser.entity_years(entity, name, role, self.public)
        total, rows = browser.entity_documents(entity, name, role, self.public, year, _page(request))
        if not years and not total:
            return self.not_found(request, reading, f"Kein Dokument nennt {singular} {name!r}"
                                  + (" mit öffentlicher Funktion." if entity == "person" else "."))
        figure = chart.bar_chart([(str(y), n, f"{y}: {n} Dokumente") for y, n in years], f"Dokumente je Jahr: {name}",
                                 chart.COUNT,
                                 links=[url(request.url.path, name=name, role=role, year=y) for y, _ in years]) \
            if years else None
        return self.page(request, "entity.html.j2", reading, title=title, singular=singular, path=path, name=name,
                         role=role, year=year, chart=figure, years=years, total=total, rows=rows,
                         page_number=_page(request), page_size=PAGE_SIZE,
                         page_link=lambda n: url(request.url.path, **{**dict(params), "page": n}))

    # -- alerts ----------------------------------------------------------------------------------

    def alerts_page(self, request: Request, reading: Reading) -> Response:
        book = AlertBook(self.home)
        alerts = []
        for name in book.names():
            try:
                alerts.append({"name": name, "command": book.get(name).command(), "state": book.state(name)})
            except KomoError as problem:
                alerts.append({"name": name, "command": str(problem), "state": None})
        return self.page(request, "alerts.html.j2", reading, alerts=alerts)

    def alert_feed(self, request: Request) -> Response:
        book = AlertBook(self.home)
        name = request.path_params["name"]
        try:
            path = book.paths(name)[".atom"]
        except KomoError:
            return Response("no such alert", status_code=404, media_type="text/plain")
        if not path.is_file():
            return Response("this alert has not run yet", status_code=404, media_type="text/plain")
        return Response(path.read_bytes(), media_type="application/atom+xml; charset=utf-8",
                        headers={"Content-Security-Policy": SANDBOX_CSP})

    def stylesheet(self, request: Request) -> Response:
        return Response(self.css, media_type="text/css; charset=utf-8", headers={"Cache-Control": "max-age=300"})


def create_app(home: Home, timeout: float = 20.0, loopback_only: bool = True) -> Starlette:
    """The web app over `home`'s published snapshot."""
    app = ServeApp(home, timeout)
    guard = app.guarded
    routes = [
        Route("/", guard(app.home_page)),
        Route("/suche", guard(app.search_page)),
        Route("/dokument", guard(app.document_page)),
        Route("/dokument/kopie", guard(app.kept_copy)),
        Route("/themen", guard(app.topics_page)),
        Route("/thema/{topic}", guard(app.topic_page)),
        Route("/thema/{topic}/dokumente", guard(app.topic_documents)),
        Route("/thema/{topic}/bericht.{format}", guard(app.topic_download)),
        Route("/alarme", guard(app.alerts_page)),
        Route("/alarme/{name}.atom", app.alert_feed),
        Route("/static/komo.css", app.stylesheet),
        Route("/favicon.ico", lambda request: Response(status_code=204)),
        Route("/{entity}", guard(app.entity_list)),
        Route("/{entity}/eintrag", guard(app.entity_page)),
    ]
    middleware = [Middleware(SecurityHeaders)]
    if loopback_only:  # a page on another site cannot reach us through a rebound DNS name
        middleware.append(Middleware(TrustedHostMiddleware, allowed_hosts=["127.0.0.1", "localhost", "[::1]"]))
    starlette = Starlette(routes=routes, middleware=middleware)
    starlette.state.pool = app.pool
    return starlette


# -- helpers ----------------------------------------------------------------------------------


def _page(request: Request) -> int:
    return max(1, min(_int(request.query_params.get("page")) or 1, 10_000))


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        raise KomoError(f"{value!r} is not a number") from None


def _date(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise KomoError(f"--{name} {value!r} is not a date like 2019-09-16") from None


def _is_public(role: str | None, pattern: str) -> bool:
    return bool(role) and re.search(pattern, role) is not None


def _mention_value(mention: dict[str, Any]) -> str | None:
    if mention["kind"] == "person":
        return f"{mention['value']}, {mention['role']}" if mention["role"] else mention["value"]
    if mention["kind"] == "address" and mention["number"]:
        return f"{mention['value']} {mention['number']}"
    return mention["value"]


def _mention_values(mentions: list[dict[str, Any]]) -> dict[str, list[tuple[str, int]]]:
    """Per kind, the distinct values with how often they occur, most frequent first."""
    counts: dict[str, dict[str, int]] = {}
    for m in mentions:
        value = _mention_value(m) or m["text"]
        counts.setdefault(m["kind"], {})
        counts[m["kind"]][value] = counts[m["kind"]].get(value, 0) + 1
    return {kind: sorted(values.items(), key=lambda kv: (-kv[1], kv[0])) for kind, values in counts.items()}


def _figure_label(figure: str, key: str, role: str | None) -> str:
    names = {"year": "Jahr", "month": "Monat", "field": "Jahr und Handlungsfeld", "district": "Stadtteil",
             "street": "Straße", "body": "Gremium / Stelle", "person": "Person"}
    return f"{names.get(figure, figure)} {key}" + (f" ({role})" if role else "")


def _search_command(form: dict[str, Any]) -> str:
    options = {"from": "--from", "to": "--to", "source": "--source", "kind": "--kind", "field": "--field",
               "district": "--district", "sender": "--sender"}
    parts = ["komo search", _shell_word(form["q"])]
    parts += [f"{option} {_shell_word(form[key])}" for key, option in options.items() if form[key]]
    return " ".join(parts + (["--all"] if form["all"] else []))


def _shell_word(text: str) -> str:
    return text if re.fullmatch(r"[\w.:/-]+", text) else "'" + text.replace("'", "'\\''") + "'"


def _decode(content: bytes) -> str:
    """A kept page's bytes as text: UTF-8 when they are, else Windows-1252 (the old archive pages)."""
    try:
        return content.decode("utf-8")
    except UnicodeDecodeError:
        return content.decode("cp1252", errors="replace")
