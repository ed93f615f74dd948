"""`komo links` (press releases ↔ council papers, pipeline/links.py) and `komo evaluate links`.
Registered on the main group and on `komo evaluate` in cli.py."""

from __future__ import annotations

import json
from pathlib import Path

import click

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, home_options


@click.command("links", context_settings=CONTEXT)
@click.option("--source", "sources", multiple=True, help="Only press releases of this source (repeatable) [every one].")
@click.option("--all", "full", is_flag=True, help="Relink every press release, changed or not.")
@home_options
def links(sources: tuple[str, ...], full: bool, home: Home) -> None:
    """Link press releases to the council papers they are about; publish.

    A release that names a paper's reference number (Vorlage Nr. 2019/0147, Drucksache …) is
    linked by reference; otherwise papers whose time the release falls in are scored by how much
    of their title the release contains and whether it names a committee that handled them. The
    settings and the threshold are data/config/links.toml. Only releases that are new or changed,
    or fall in the window of a changed paper, are linked again; `komo update` runs this step after
    extraction.

    \b
    Examples:
      komo links
      komo links --source leverkusen-com --all
      komo sql "SELECT press_title, paper_reference, paper_name, method, evidence FROM press_release_papers"
    """
    from .links import link

    link(home, sources, full, echo=click.echo)


@click.command("links", context_settings=CONTEXT)
@click.option("--gold", type=click.Path(exists=True, file_okay=False),
              help="The links gold set: a folder with council.jsonl and press.jsonl, or one holding links/ "
                   "[the checkout's tests/gold].")
@click.option("--threshold", type=click.FloatRange(0, 2), help="Score threshold [similarity.threshold in links.toml].")
@click.option("--sweep", is_flag=True, help="Also print precision and recall at thresholds from 0.2 to 0.9.")
@click.option("--errors", is_flag=True, help="Also list the false and the missed links.")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
def evaluate_links(gold: str | None, threshold: float | None, sweep: bool, errors: bool, as_json: bool) -> None:
    """Score the press release ↔ paper linker on the labelled set (precision / recall / F1).

    Loads the gold council and press releases into a temporary store, extracts, links with the
    settings of data/config/links.toml and compares with the labels. The threshold was chosen on
    this set, so these are tuning figures.

    \b
    Examples:
      komo evaluate links
      komo evaluate links --sweep --errors
      komo evaluate links --threshold 0.6 --json
    """
    from .evaluate_links import evaluate_links as score
    from .evaluate_links import format_links_report
    from .links import load_settings

    settings = load_settings(**({"threshold": threshold} if threshold is not None else {}))
    report = score(Path(gold) if gold else None, settings, sweep)
    click.echo(json.dumps(report, ensure_ascii=False, indent=2) if as_json else format_links_report(report, errors))
