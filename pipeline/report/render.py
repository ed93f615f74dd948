"""A Report as HTML (one self-contained file), Markdown, or CSV (German spreadsheets or RFC 4180).

Templates are files in templates/. Every text from the web is escaped: Jinja's autoescape in
HTML, `md_text` in Markdown, a formula guard in the spreadsheet CSV.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from markupsafe import Markup

from . import charts
from .build import Report
from .formats import de_date, de_month, de_number, de_percent

FORMATS = ("html", "md", "csv", "csv-rfc4180")
# Over longer spans a monthly line is noise at this size; the months stay in the CSV.
MONTHLY_CHART_MAX = 60

_MD_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
_MD_LINE_START = re.compile(r"^([#+!>-]|\d+(?=\.))")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def md_text(value: Any) -> str:
    """Text safe inside Markdown (and the HTML a Markdown renderer makes): no markup, no links,
    no raw tags, no table breaks."""
    text = "" if value is None else str(value)
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = " ".join(_MD_SPECIAL.sub(r"\\\1", text).split())
    # Block markers only act at the start of a line: "- foo" would become a list item.
    return _MD_LINE_START.sub(lambda m: m.group(1) + "\\" if m.group(1).isdigit() else "\\" + m.group(1), text)


def md_url(url: str | None) -> str:
    """A URL for a Markdown link target: everything that could end the link (brackets, quotes,
    backslash, whitespace, control characters) is percent-encoded."""
    return quote(url, safe=":/?#&=%+@!$,;~.-_*") if url else ""


def _environment(autoescape: bool) -> jinja2.Environment:
    folder = resources.files("kommunalmonitor.pipeline.report").joinpath("templates")
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(folder)), autoescape=autoescape,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(number=de_number, percent=de_percent, ddate=de_date, month=de_month, md=md_text, mdurl=md_url)
    return env


def _charts(report: Report) -> dict[str, Markup | None]:
    shown: dict[str, Markup | None] = dict.fromkeys(("yearly", "monthly", "fields", "districts"))
    if report.yearly:
        shown["yearly"] = charts.bar_chart(
            [(p.label, p.share, f"{p.label}: {de_percent(p.share)} ({p.selected} von {p.total})")
             for p in report.yearly],
            f"Anteil an allen Artikeln je Jahr: {report.title}", charts.PERCENT)
    if 1 < len(report.monthly) <= MONTHLY_CHART_MAX:
        shown["monthly"] = charts.line_chart(
            [(p.label, p.share, f"{p.label}: {de_percent(p.share)} ({p.selected} von {p.total})")
             for p in report.monthly],
            f"Anteil an allen Artikeln je Monat: {report.title}", charts.PERCENT)
    if report.fields_by_year:
        years = [str(y) for y, _ in report.fields_by_year]
        series = [(report.field_labels[f], [counts.get(f, 0) for _, counts in report.fields_by_year])
                  for f in report.field_ids]
        shown["fields"] = charts.stacked_bars(years, series, "Artikel je Handlungsfeld und Jahr",
                                              charts.COUNT)
    if report.districts:
        shown["districts"] = charts.horizontal_bars([(d[0], d[1]) for d in report.districts],
                                                    "Artikel je Stadtteil")
    return shown


def render(report: Report, output_format: str) -> str:
    """The report in one of FORMATS, as text (CSV variants include their BOM where wanted)."""
    if output_format == "html":
        css = resources.files("kommunalmonitor.pipeline.report").joinpath("templates", "report.css").read_text("utf-8")
        return _environment(True).get_template("report.html.j2").render(
            report=report, charts=_charts(report), css=Markup(css))
    if output_format == "md":
        return _environment(False).get_template("report.md.j2").render(report=report)
    if output_format in ("csv", "csv-rfc4180"):
        return render_csv(report, spreadsheet=output_format == "csv")
    raise ValueError(f"unknown format {output_format!r}; choose one of {', '.join(FORMATS)}")


CSV_COLUMNS = ("figure", "period", "key", "label", "documents", "total", "share", "mentions", "url")
CSV_COLUMNS_DE = ("Kennzahl", "Zeitraum", "Schlüssel", "Bezeichnung", "Artikel", "Artikel gesamt", "Anteil",
                  "Nennungen", "URL")


def csv_rows(report: Report) -> Iterator[tuple]:
    """The report's figures as one tidy table (one row per figure × period × key)."""
    for p in report.yearly:
        yield ("share_year", str(p.start.year), None, None, p.selected, p.total, p.share, None, None)
    for p in report.monthly:
        yield ("share_month", p.start.strftime("%Y-%m"), None, None, p.selected, p.total, p.share, None, None)
    for year, counts in report.fields_by_year:
        for field_id in report.field_ids:
            if counts.get(field_id):
                yield ("action_field_year", str(year), field_id, report.field_labels[field_id], counts[field_id],
                       None, None, None, None)
    for district, n, by_archive, by_text in report.districts:
        yield ("district", None, district, f"Archiv {by_archive}, Text {by_text}", n, None, None, None, None)
    for kind, rows in (("street", report.streets), ("body", report.bodies)):
        for name, n, mentions, first, last in rows:
            yield (kind, f"{first}-{last}", name, None, n, None, None, mentions, None)
    for person, role, n, first, last in report.persons:
        yield ("person", f"{first}-{last}", person, role, n, None, None, None, None)
    yield ("persons_without_public_role", None, None, None, report.unnamed_persons, None, None, None, None)
    if report.council:
        yield from council_rows(report)
    for d in report.documents:
        yield ("document", d["published"].isoformat() if d["published"] else None, d["native_id"], d["title"],
               None, None, d["score"], None, d["url"])


def council_rows(report: Report) -> Iterator[tuple]:
    """The council section's figures in the same tidy columns (documents = papers or votes)."""
    council = report.council
    if council is None:
        return
    for year, counts in council.fields_by_year:
        for field_id in report.field_ids:
            if counts.get(field_id):
                yield ("council_action_field_year", str(year), field_id, report.field_labels[field_id],
                       counts[field_id], None, None, None, None)
    for name, n, consultations, first, last in council.committees:
        yield ("council_committee", f"{first}/{last}", name, None, n, None, None, consultations, None)
    for faction, position, n in council.faction_positions:
        yield ("council_faction_vote", None, faction, position, n, None, None, None, None)
    for p in council.papers:
        period = p["date"].isoformat() if p["date"] else None
        yield ("council_paper", period, p["reference"], p["name"], None, None, None, len(p["press"]), p["web"])
        for k in p["consultations"]:
            yield ("council_consultation", k["date"].isoformat() if k["date"] else None, p["reference"],
                   f"{k['position']}. {k['committee'] or ''} ({k['role'] or ''})", None, None, None, None, None)
        for r in p["press"]:
            yield ("council_press_link", r["published"].isoformat() if r["published"] else None, p["reference"],
                   r["title"], None, None, r["score"], r["method"], r["url"])


def render_csv(report: Report, spreadsheet: bool) -> str:
    """spreadsheet=True: what German Excel/LibreOffice open correctly (';', decimal comma,
    UTF-8 BOM, formula guard); False: plain RFC 4180 (',', '.', no BOM) for scripts."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if spreadsheet else ",", lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS_DE if spreadsheet else CSV_COLUMNS)
    for row in csv_rows(report):
        writer.writerow([_spreadsheet_cell(v) if spreadsheet else _plain_cell(v) for v in row])
    return ("\ufeff" if spreadsheet else "") + out.getvalue()


def _plain_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.6g}"
    return str(value)


def _spreadsheet_cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.6g}".replace(".", ",")
    text = _plain_cell(value)
    # A cell starting with = + - @ is a formula to a spreadsheet: web text must stay text.
    return "'" + text if text.startswith(_FORMULA_START) else text
