"""`komo sources …` and `komo council …`: council sources a user adds without touching the
package, and what the pipeline found in one council. Registered on the main group in cli.py."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, _print_rows, home_options

if TYPE_CHECKING:  # the CLI starts without loading DuckDB
    from .store.council import CouncilSummary


@click.group(context_settings=CONTEXT)
def sources() -> None:
    """List crawl sources, or add an OParl council as a source of your own.

    \b
    Examples:
      komo sources list
      komo sources add oparl https://ris.example.de/oparl/system --name beispielstadt
      komo crawl --source beispielstadt
    """


@sources.group("add", context_settings=CONTEXT)
def sources_add() -> None:
    """Add a source under $KOMO_HOME/sources/ (the installation stays untouched).

    \b
    Example:
      komo sources add oparl https://ris.example.de/oparl/system --name beispielstadt
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
    _print_rows(["name", "kind", "where", "url", "file"], [rows], output_format)


@click.group(context_settings=CONTEXT)
def council() -> None:
    """What the pipeline found in a council's documents (OParl sources).

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

    path = home.reader_db(working)
    with Store.open_reader(path) as store:
        store.require_schema(6, "komo council summary")
        found = summary(store.con, source, top)
    if not found.totals:
        raise KomoError(f"no council objects of source {source!r} in {path}; crawl it first: "
                        f"komo crawl --source {source}")
    for line in format_summary(found):
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
