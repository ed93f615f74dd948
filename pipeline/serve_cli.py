"""`komo serve` (the corpus in a browser) and `komo alerts …` (saved searches with feeds and
digests). Registered on the main group in cli.py."""

from __future__ import annotations

import ipaddress
from datetime import date

import click

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, _parse_date, _print_rows, home_options


@click.command(context_settings=CONTEXT)
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Anything but a loopback address shows the corpus to the network "
                   "without a login: put a proxy with authentication in front.")
@click.option("--timeout", type=click.FloatRange(min=1), default=20.0, show_default=True,
              help="Stop a page's queries after this many seconds (the page says so).")
@home_options
def serve(port: int, host: str, timeout: float, home: Home) -> None:
    """Browse the published snapshot in a web browser: search, topics, documents, lists.

    Read-only: every page reads the published snapshot through the sealed reader, and a
    snapshot published meanwhile (`komo update`) is picked up by the next page without a
    restart. Pages are plain HTML without any script; `?sql=1` on a page shows its SQL.

    \b
    Examples:
      komo serve                          # http://127.0.0.1:8080
      komo serve --port 8090 --home /srv/komo
      ssh -L 8080:127.0.0.1:8080 server   # from a laptop: browse the server's corpus
    """
    from .serve import run

    loopback = _is_loopback(host)
    if not loopback:
        click.echo(f"komo serve: listening on {host}: anyone who reaches it can read the corpus "
                   "(no login); host names are not checked", err=True)
    run(home, host=host, port=port, timeout=timeout, loopback_only=loopback,
        ready=lambda url: click.echo(f"komo serve: {url} (reading {home.published_db}; Ctrl-C stops)"))


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@click.group(context_settings=CONTEXT)
def alerts() -> None:
    """Saved searches: `komo update` writes a feed and a digest of what is new for each.

    \b
    Examples:
      komo alerts add "Sprachkurs Flüchtlinge" --field sprache --name sprachkurse
      komo alerts list
      komo alerts remove sprachkurse
    """


@alerts.command("add", context_settings=CONTEXT)
@click.argument("query")
@click.option("--name", required=True, help="Alert name: lower-case letters, digits, '-' and '_'.")
@click.option("--from", "date_from", callback=_parse_date, metavar="DATE",
              help="Only documents published on or after DATE.")
@click.option("--to", "date_to", callback=_parse_date, metavar="DATE", help="Only documents published up to DATE.")
@click.option("--source", help="Only documents of this crawl source.")
@click.option("--kind", help="Only documents of this kind: press, paper, agenda_item.")
@click.option("--field", "action_field", metavar="ID", help="Only documents in this action field (sprache, …).")
@click.option("--district", help="Only documents located in this district.")
@click.option("--sender", help="Only documents of this sender (any case).")
@click.option("--replace", "replace_existing", is_flag=True, help="Overwrite an alert of the same name.")
@home_options
def alerts_add(query: str, name: str, date_from: date | None, date_to: date | None, source: str | None,
               kind: str | None, action_field: str | None, district: str | None, sender: str | None,
               replace_existing: bool, home: Home) -> None:
    """Save a search as an alert: $KOMO_HOME/alerts/NAME.toml.

    A match is what `komo search QUERY --all` with the same filters finds (every word must
    occur). New is a document first stored after the alert was added (not a new version of
    a known one, not a republished copy); each is reported once, by the next `komo update`,
    in NAME.atom (a feed; `komo serve` serves it) and NAME.digest.txt (only the new ones;
    empty when there are none). Adding reads the published snapshot and never waits for a
    running update.

    \b
    Examples:
      komo alerts add "Sprachkurs" --name sprachkurs
      komo alerts add "Unterkunft Flüchtlinge" --district Opladen --from 2024-01-01 --name unterkunft-opladen
      komo alerts add Haushalt --kind paper --sender Gemeinderat --name haushalt-rat
    """
    from .alerts import Alert, AlertBook, check_name

    alert = Alert(name=check_name(name), query=query, date_from=date_from, date_to=date_to, source=source,
                  kind=kind, action_field=action_field, district=district, sender=sender)
    path = AlertBook(home).add(alert, replace_existing)
    click.echo(f"added alert {name}: {path}; the next `komo update` reports what is new "
               f"({home.root / 'alerts' / name}.digest.txt, .atom)")


@alerts.command("list", context_settings=CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@home_options
def alerts_list(output_format: str, home: Home) -> None:
    """Every alert: its search, when it last ran, how many it found then and in all.

    \b
    Examples:
      komo alerts list
      komo alerts list --format json
    """
    from .alerts import AlertBook

    book = AlertBook(home)
    rows = []
    for name in book.names():
        alert, state = book.get(name), book.state(name)
        rows.append((name, alert.command(), state.last_run or "never", state.last_new, len(state.seen),
                     str(book.paths(name)[".atom"])))
    _print_rows(["name", "search", "last_run", "new_last_run", "reported", "feed"], [rows], output_format)


@alerts.command("remove", context_settings=CONTEXT)
@click.argument("name")
@home_options
def alerts_remove(name: str, home: Home) -> None:
    """Delete an alert with its state, feed and digest.

    \b
    Example:
      komo alerts remove sprachkurs
    """
    from .alerts import AlertBook

    AlertBook(home).remove(name)
    click.echo(f"removed alert {name}")


@alerts.command("run", context_settings=CONTEXT)
@click.argument("names", nargs=-1)
@home_options
def alerts_run(names: tuple[str, ...], home: Home) -> None:
    """Evaluate alerts against the published snapshot now (`komo update` does it after publishing;
    this is for snapshots published by `komo crawl`, `extract` or `classify`).

    \b
    Examples:
      komo alerts run
      komo alerts run sprachkurs
    """
    import sys

    from .alerts import AlertBook

    results = AlertBook(home).evaluate(list(names) or None)
    for result in results:
        click.echo(result.line())
    if not results:
        click.echo("no alerts; add one with `komo alerts add QUERY --name NAME`")
    if any(result.error for result in results):
        sys.exit(1)
