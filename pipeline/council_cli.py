"""`komo sources …` and `komo council …`: council sources a user adds without touching the
package, and what the pipeline found in one council. Registered on the main group in cli.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, _print_rows, home_options

if TYPE_CHECKING:  # the CLI starts without loading DuckDB
    from .store.council import CouncilSummary
    from .store.files import FileSummary


@click.group(context_settings=CONTEXT)
def sources() -> None:
    """List crawl sources, or add an OParl or SessionNet council as a source of your own.

    \b
    Examples:
      komo sources list
      komo sources add oparl https://ris.example.de/oparl/system --name beispielstadt
      komo sources add sessionnet https://ris.example.de/bi/ --name beispielstadt
      komo crawl --source beispielstadt
    """


@sources.group("add", context_settings=CONTEXT)
def sources_add() -> None:
    """Add a source under $KOMO_HOME/sources/ (the installation stays untouched).

    \b
    Examples:
      komo sources add oparl https://ris.example.de/oparl/system --name beispielstadt
      komo sources add sessionnet https://ris.example.de/bi/ --name beispielstadt
    """


@sources_add.command("oparl", context_settings=CONTEXT)
@click.argument("url")
@click.option("--name", required=True, help="Source name: lower-case letters, digits and '-' (stadt-koeln).")
@click.option("--title", default="", help="A human title (Stadt Köln, Ratsinformationssystem).")
@click.option("--file-host", "file_hosts", multiple=True, metavar="HOST",
              help="Another host the crawler may download files from (repeatable): files.example.org or "
                   "https://files.example.org:8443.")
@click.option("--replace", is_flag=True, help="Overwrite a source of the same name.")
@home_options
def sources_add_oparl(url: str, name: str, title: str, file_hosts: tuple[str, ...], replace: bool,
                      home: Home) -> None:
    """Add an OParl 1.0/1.1 council: URL is the server's System URL (or one Body's URL).

    Writes $KOMO_HOME/sources/NAME.toml: the URL, the hosts the crawler may contact (the
    System's host plus --file-host), file and incremental settings. Edit it freely. Nothing is
    fetched until `komo crawl --source NAME` (or the nightly `komo update`).

    \b
    Examples:
      komo sources add oparl https://ris.example.de/oparl/system --name beispielstadt
      komo sources add oparl https://oparl.example.org/bodies/1 --name kreis-beispiel \\
          --title "Kreis Beispiel" --file-host files.example.org
      komo sources add oparl http://127.0.0.1:8124/oparl/system --name local --replace
    """
    from .council import add_oparl_source

    path = add_oparl_source(home, name, url, title, file_hosts, replace)
    click.echo(f"added source {name} (oparl): {path}; crawl it with `komo crawl --source {name}`")


@sources_add.command("sessionnet", context_settings=CONTEXT)
@click.argument("url")
@click.option("--name", required=True, help="Source name: lower-case letters, digits and '-' (stadt-koeln).")
@click.option("--title", default="", help="A human title (Stadt Beispiel, Bürgerinfo).")
@click.option("--from", "first_month", metavar="YYYY-MM",
              help="The first month of the meeting calendar to read [January five years ago].")
@click.option("--extension", type=click.Choice(["asp", "php"]),
              help="The ending of the install's page names [from URL; asp].")
@click.option("--replace", is_flag=True, help="Overwrite a source of the same name.")
@home_options
def sources_add_sessionnet(url: str, name: str, title: str, first_month: str | None, extension: str | None,
                           replace: bool, home: Home) -> None:
    """Add a SessionNet council (Bürgerinfo): URL is any page of it, or its folder.

    Writes $KOMO_HOME/sources/NAME.toml (kind = "sessionnet"): the folder of the pages, the first
    calendar month, how much to read again each run, file settings. Edit it freely. Nothing is
    fetched until `komo crawl --source NAME` (or the nightly `komo update`).

    \b
    Examples:
      komo sources add sessionnet https://ris.example.de/bi/si0040.asp --name beispielstadt
      komo sources add sessionnet https://ratsinfo.example.org/buergerinfo/ --name kreis-beispiel \\
          --extension php --from 2019-01 --title "Kreis Beispiel"
    """
    from .sessionnet import add_sessionnet_source

    path = add_sessionnet_source(home, name, url, title, first_month, extension, replace)
    click.echo(f"added source {name} (sessionnet): {path}; crawl it with `komo crawl --source {name}`")


@sources.command("list", context_settings=CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@home_options
def sources_list(output_format: str, home: Home) -> None:
    """Every source `komo crawl --source` and `komo update` know: bundled ones and your own.

    \b
    Examples:
      komo sources list
      komo sources list --format json
    """
    from .council import list_sources

    rows = [(e.name, e.kind, e.where, e.url, str(e.path)) for e in list_sources()]
    _print_rows(["name", "kind", "where", "url", "file"], [rows], output_format)  # one batch


@click.group(context_settings=CONTEXT)
def council() -> None:
    """What the pipeline found in a council's documents (OParl and SessionNet sources).

    \b
    Example:
      komo council summary --source beispielstadt
    """


@council.command("summary", context_settings=CONTEXT)
@click.option("--source", required=True, help="The council source (see `komo sources list`).")
@click.option("--top", type=click.IntRange(1, 100), default=12, show_default=True, help="Rows per table.")
@click.option("--working", is_flag=True, help="Read the working store instead of the published snapshot.")
@home_options
def council_summary(source: str, top: int, working: bool, home: Home) -> None:
    """Papers, meetings and files of a council; papers per committee and action field.

    Reads the published snapshot. Action fields and topics come from the classifier: run
    `komo extract` and `komo classify` (or `komo update`) after the crawl.

    \b
    Examples:
      komo council summary --source beispielstadt
      komo council summary --source beispielstadt --top 30
    """
    from kommunalmonitor.core.errors import KomoError

    from .store import Store
    from .store.council import summary
    from .store.files import file_summary

    path = home.reader_db(working)
    with Store.open_reader(path) as store:
        store.require_schema(6, "komo council summary")
        found = summary(store.con, source, top)
        files = file_summary(store.con, source)
    if not found.totals:
        raise KomoError(f"no council objects of source {source!r} in {path}; crawl it first: "
                        f"komo crawl --source {source}")
    for line in format_summary(found):
        click.echo(line)
    if files is not None:
        click.echo("")
        for line in format_file_summary(files):
            click.echo(line)


def format_summary(found: CouncilSummary) -> list[str]:
    """The summary as lines of text, most papers first."""
    t = found.totals
    out = [f"Council {found.source}: {t['papers']} papers ({t['first paper']} … {t['last paper']}, "
           f"{t['papers deleted']} deleted), {t['meetings']} meetings, {t['agenda items']} agenda items, "
           f"{t['consultations']} consultations",
           f"  {t['organizations']} organizations, {t['persons']} persons, {t['memberships']} memberships; "
           f"{t['files']} files, {t['files downloaded']} downloaded", ""]
    out.append("Paper types:")
    out += [f"  {n:6d}  {name}" for name, n in found.paper_types]
    out.append("")
    if found.classified:
        out.append("Papers per committee (consulted there; integration = the classifier's label):")
        out.append(f"  {'papers':>6}  {'integr.':>7}  {'meetings':>8}  committee")
        out += [f"  {p:6d}  {i:7d}  {m:8d}  {c}" for c, p, i, m in found.committees]
        out.append("")
        out.append("Papers per action field (classifier):")
        out += [f"  {n:6d}  {f}" for f, n in found.fields] or ["  (none assigned)"]
        out.append("")
        out.append("Committee × action field (most papers first):")
        out += [f"  {n:6d}  {c} · {f}" for c, f, n in found.committee_fields] or ["  (none)"]
        out.append("")
        out.append("Papers per topic (classifier):")
        out += [f"  {n:6d}  {f}" for f, n in found.topics]
    else:
        out.append("Papers per committee (consulted there):")
        out += [f"  {p:6d}  {c}" for c, p, _, _ in found.committees]
        out.append("")
        out.append("Not classified yet: run `komo extract` and `komo classify` for action fields and topics.")
    return out


def format_file_summary(files: FileSummary) -> list[str]:
    """How reading the council's files went: text, pages, OCR, and what could not be read."""
    if not files.read:
        return [f"File text: {files.downloaded} files downloaded, none read yet: run `komo files extract` "
                "(or `komo update`)."]
    kinds = ", ".join(f"{n} {kind}" for kind, n in files.by_type)
    out = [f"File text: {files.documents} of {files.downloaded} downloaded files are documents"
           f"{f' ({kinds})' if kinds else ''}: {files.pages} pages, {files.ocr_pages} read by OCR, "
           f"{files.ocr_needed_pages} still need OCR, {files.truncated} files truncated"]
    failed = sum(n for _, n in files.failed)
    unsupported = sum(n for _, n in files.unsupported)
    if failed or unsupported:
        out.append(f"  not read: {failed} failed, {unsupported} unsupported (`komo files errors` lists them):")
        out += [f"  {n:6d}  {reason}" for reason, n in files.failed]
        out += [f"  {n:6d}  unsupported: {mime}" for mime, n in files.unsupported]
    return out
