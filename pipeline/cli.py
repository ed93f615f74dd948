"""The `komo` command line: parse arguments, call one function, print one summary line."""

from __future__ import annotations

import csv
import functools
import logging
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from .errors import KomoError
from .home import Home

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def home_options(command: Callable) -> Callable:
    """--home and --db, shared by every command that touches the store."""

    @click.option("--home", type=click.Path(file_okay=False), envvar="KOMO_HOME",
                  help="Home directory for store, snapshot, raw pages and logs "
                       "[env KOMO_HOME; default ~/.local/share/kommunalmonitor].")
    @click.option("--db", type=click.Path(dir_okay=False), help="Use this store file instead.")
    @functools.wraps(command)
    def wrapper(*args: Any, home: str | None, db: str | None, **kwargs: Any) -> Any:
        return command(*args, home=Home.resolve(home, db), **kwargs)

    return wrapper


def _parse_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2019-09-16") from None


@click.group(context_settings=CONTEXT)
@click.option("-v", "--verbose", is_flag=True, help="Log what happens, step by step.")
def cli(verbose: bool) -> None:
    """Kommunalmonitor: crawl municipal press archives and council documents into DuckDB.

    \b
    Examples:
      komo demo                          # the whole pipeline on the bundled sample archive
      komo crawl --source leverkusen-com # incremental crawl of one source
      komo sql "SELECT count(*) FROM documents"
    """
    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING,
                        format="%(levelname)s %(name)s: %(message)s")


@cli.command(context_settings=CONTEXT)
@click.option("--source", default="leverkusen-com", show_default=True,
              help="Source name (data/sources/NAME.toml) or path to a source file.")
@click.option("--since", callback=_parse_date, metavar="DATE",
              help="Only articles published on or after DATE (YYYY-MM-DD).")
@click.option("--max-pages", type=click.IntRange(min=1), help="Stop after N responses.")
@click.option("--full", is_flag=True, help="Refetch every article, not just new and recent ones.")
@click.option("--recheck", type=click.IntRange(min=0),
              help="How many of the most recent articles to refetch [source default].")
@click.option("--base-url", help="Crawl a mirror of the source at this URL (e.g. a local copy).")
@click.option("--profile", type=click.Choice(["polite", "fast"]), default="polite", show_default=True,
              help="Crawl settings: polite (AutoThrottle, delays) or fast (local archives, tests).")
@home_options
def crawl(source: str, since: date | None, max_pages: int | None, full: bool, recheck: int | None,
          base_url: str | None, profile: str, home: Home) -> None:
    """Crawl a source into the store; incremental by default.

    A run reads every listing page, fetches articles that are new or whose listing entry
    changed, re-checks the most recent ones, and records every failure in crawl_errors.

    \b
    Examples:
      komo crawl
      komo crawl --source leverkusen-com --since 2023-01-01
      komo crawl --full --home /srv/komo
      komo crawl --base-url http://127.0.0.1:8123 --profile fast
    """
    from .crawl import CrawlOptions

    options = CrawlOptions(source=source, base_url=base_url, full=full, since=since,
                           max_pages=max_pages, recheck=recheck, profile=profile)
    summary = _crawl_with_progress(home, options)
    click.echo(summary.line())
    if summary.status != "ok":
        sys.exit(1)


def _crawl_with_progress(home: Home, options: Any):
    from .crawl import crawl as run_crawl

    with tqdm(desc=f"crawl {options.source}", unit=" req", disable=None, file=sys.stderr,
              leave=False) as bar:
        return run_crawl(home, options, progress=bar.update)


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@click.option("--working", is_flag=True,
              help="Query the working store instead of the published snapshot (needs the lock).")
@home_options
def sql(query: str, output_format: str, working: bool, home: Home) -> None:
    """Run a read-only SQL query against the published snapshot.

    \b
    Examples:
      komo sql "SELECT count(*) FROM documents"
      komo sql "SELECT year(published) y, count(*) FROM documents
                WHERE duplicate_of IS NULL GROUP BY y ORDER BY y"
      komo sql --format csv "SELECT native_id, title FROM documents" > titles.csv
    """
    import duckdb

    from .store import Store

    path = home.db if working or home.db_override else home.published_db
    with Store.open(path, read_only=True) as store:
        try:
            columns, rows = store.query(query)
        except duckdb.Error as problem:
            raise KomoError(f"SQL error: {str(problem).splitlines()[0]}") from None
    _print_rows(columns, rows, output_format)


def _print_rows(columns: list[str], rows: list[tuple], output_format: str) -> None:
    if output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        writer.writerows(rows)
        return
    if output_format == "json":
        import json

        for row in rows:
            click.echo(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
        return
    cells = [[_cell(v) for v in row] for row in rows]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    click.echo("  ".join("-" * w for w in widths))
    for row in cells:
        click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
    click.echo(f"({len(rows)} rows)")


def _cell(value: Any, limit: int = 80) -> str:
    text = "NULL" if value is None else str(value).replace("\n", " ")
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cli.command(context_settings=CONTEXT)
@click.option("--archive", type=click.Path(exists=True, file_okay=False),
              help="Sample archive directory [data/sample-archive].")
@click.option("--port", type=int, default=0, help="Port on 127.0.0.1 [any free port].")
@home_options
def demo(archive: str | None, port: int, home: Home) -> None:
    """Serve the bundled sample archive on 127.0.0.1, crawl it, and show what was stored.

    \b
    Examples:
      komo demo --home data/demo
      KOMO_HOME=/tmp/komo komo demo
    """
    from .demo import run_demo

    run_demo(home, Path(archive) if archive else None, port, echo=click.echo,
             crawl_runner=_crawl_with_progress)


@cli.command("sample-site", context_settings=CONTEXT)
@click.option("--archive", type=click.Path(exists=True, file_okay=False),
              help="Sample archive directory [data/sample-archive].")
@click.option("--port", type=int, default=8123, show_default=True)
@click.option("--fast", is_flag=True, help="Retry-After of 1 s instead of the configured value.")
def sample_site(archive: str | None, port: int, fast: bool) -> None:
    """Serve the sample press archive on 127.0.0.1 until Ctrl-C (for manual crawls).

    \b
    Example:
      komo sample-site --port 8123 &
      komo crawl --base-url http://127.0.0.1:8123 --profile fast --home /tmp/komo
    """
    import time

    from kommunalmonitor.crawler.sample_site import serve

    from .demo import SAMPLE_ARCHIVE

    with serve(Path(archive) if archive else SAMPLE_ARCHIVE, port=port, fast=fast) as server:
        click.echo(f"serving the sample archive at {server.base_url} (Ctrl-C stops)")
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


@cli.command(context_settings=CONTEXT)
@click.option("--input", "input_path", type=click.Path(exists=True, dir_okay=False),
              help="JSONL of pages ({key, url, text|html}); with --output, a pure file-to-file run.")
@click.option("--output", "output_path", type=click.Path(dir_okay=False),
              help="Where to write one result per input line, same order.")
@click.option("--all", "everything", is_flag=True, help="Re-extract every stored document.")
@click.option("--processes", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Worker processes for the nlp pipeline.")
@home_options
def extract(input_path: str | None, output_path: str | None, everything: bool, processes: int,
            home: Home) -> None:
    """Find dates, bodies, addresses, persons with roles and action fields.

    Without --input it reads every stored document whose current version was not yet
    extracted and writes the mentions (with offsets and sentences) to the store.

    \b
    Examples:
      komo extract
      komo extract --all --processes 2
      komo extract --input pages.jsonl --output extracted.jsonl
    """
    if (input_path is None) != (output_path is None):
        raise click.UsageError("--input and --output go together")
    if input_path and output_path:
        from .nlp import shared_pipeline
        from .nlp.extract import extract_file

        counts = extract_file(Path(input_path), Path(output_path), shared_pipeline(), processes)
        click.echo(f"extracted {counts['documents']} pages to {output_path} "
                   f"({counts['skipped']} skipped with a reason in their 'error' field)")
        return
    from .extraction import extract_store

    with tqdm(desc="extract", unit=" docs", disable=None, file=sys.stderr, leave=False) as bar:
        stats = extract_store(home, everything=everything, n_process=processes, progress=bar.update)
    click.echo(f"extracted {stats['documents']} documents: {stats['mentions']} mentions, "
               f"{stats['integration']} about integration (extractor {stats['extractor_version']})")


@cli.group(context_settings=CONTEXT)
def evaluate() -> None:
    """Measure quality against the hand-labelled gold sets (precision / recall / F1).

    \b
    Examples:
      komo evaluate extraction
      komo evaluate extraction --gold tests/gold/extraction --json
    """


@evaluate.command("extraction", context_settings=CONTEXT)
@click.option("--gold", type=click.Path(exists=True), help="Gold folder or file [tests/gold/extraction].")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", type=click.IntRange(min=0), default=0,
              help="Also list up to N misses and false alarms per field.")
def evaluate_extraction(gold: str | None, as_json: bool, errors: int) -> None:
    """Score the extraction pipeline on the gold sets, field by field.

    Prints the tuning set (tests/gold/extraction: the rules were tuned on it after it was
    labelled) and the held-out set (tests/gold/extraction-holdout: never used for tuning).

    \b
    Examples:
      komo evaluate extraction
      komo evaluate extraction --errors 5
    """
    from .nlp.evaluate import GOLD_DIR, HOLDOUT_DIR, evaluate_gold, format_report

    sets = {"gold": Path(gold)} if gold else {"tuning set": GOLD_DIR, "held-out set": HOLDOUT_DIR}
    reports = {name: evaluate_gold(path) for name, path in sets.items() if path.exists()}
    if as_json:
        import json

        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
        return
    for name, report in reports.items():
        click.echo(f"== {name} ==")
        click.echo(format_report(report, errors))
        click.echo("")


# -- topic classifier: train, evaluate classifier, classify, explain ---------------------------

_MODEL_OPTION = click.option("--model", "model_path", type=click.Path(dir_okay=False),
                             help="Model file [models/topic-classifier/model.skops].")


@cli.command(context_settings=CONTEXT)
@click.option("--output", type=click.Path(file_okay=False),
              help="Directory for model.skops [models/topic-classifier, the shipped model].")
@click.option("--seed", type=int, help="Random seed [config.toml]; the same seed gives the same model.")
@click.option("--family", type=click.Choice(["logreg", "linsvm", "nb"]), help="Model family [config.toml].")
@click.option("--version", "model_version", help="Version recorded with the model [config.toml].")
def train(output: str | None, seed: int | None, family: str | None, model_version: str | None) -> None:
    """Train the topic and action-field classifier and save it with skops.

    Trains on the hand-labelled train split (models/data/labelled.jsonl) and the sample
    archive; the test split stays held out for `komo evaluate classifier`.

    \b
    Examples:
      komo train                                  # rewrites the shipped model
      komo train --output /tmp/model --seed 7
      komo train --family linsvm --output /tmp/svm
    """
    from kommunalmonitor.models.training import train_model

    result = train_model(Path(output) if output else None, seed=seed, family=family, version=model_version)
    click.echo(result.line())


@evaluate.command("classifier", context_settings=CONTEXT)
@_MODEL_OPTION
@click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True,
              help="Cross-validation folds over the training data (0 or 1: skip).")
@click.option("--compare", is_flag=True, help="Also train and compare every model family and a plain baseline.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
@click.option("--write", is_flag=True, help="Save metrics.json and the tables into the model card.")
def evaluate_classifier(model_path: str | None, folds: int, compare: bool, as_json: bool, write: bool) -> None:
    """Per-label precision / recall / F1 of the classifier: held-out, cross-validated, keyword rules.

    \b
    Examples:
      komo evaluate classifier
      komo evaluate classifier --folds 0            # held-out figures only (seconds)
      komo evaluate classifier --compare --write    # model families too; update the model card
    """
    from kommunalmonitor.models.evaluate import format_report, summary_line
    from kommunalmonitor.models.training import evaluate_model

    def progress(message: str) -> None:
        click.echo(f"... {message}", err=True)

    report = evaluate_model(Path(model_path) if model_path else None, folds=folds, compare=compare,
                            write=write, progress=progress)
    if as_json:
        import json

        click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        return
    click.echo(format_report(report))
    click.echo(summary_line(report))


@cli.command(context_settings=CONTEXT)
@_MODEL_OPTION
@click.option("--batch-size", type=click.IntRange(min=1), default=1000, show_default=True)
@home_options
def classify(model_path: str | None, batch_size: int, home: Home) -> None:
    """Tag every stored document with integration, action fields and topic (table `topics`).

    Each row keeps the score, whether the label is assigned, and the model's name, version
    and content hash. Re-running with the same model replaces the rows.

    \b
    Examples:
      komo classify
      komo classify --home /srv/komo --model /tmp/model/model.skops
      komo sql "SELECT label, count(*) FROM topics WHERE assigned GROUP BY label"
    """
    from .classify import classify_store

    with tqdm(desc="classify", unit=" docs", disable=None, file=sys.stderr, leave=False) as bar:
        summary = classify_store(home, Path(model_path) if model_path else None, batch_size, bar.update)
    click.echo(summary.line())


@cli.command(context_settings=CONTEXT)
@click.argument("doc_id", required=False)
@click.option("--source", help="Source of the document when the id exists in several.")
@click.option("--file", "text_file", type=click.Path(exists=True, dir_okay=False),
              help="Explain the text in this file instead of a stored document.")
@click.option("--top", type=click.IntRange(min=1), default=8, show_default=True, help="Terms per label.")
@_MODEL_OPTION
@home_options
def explain(doc_id: str | None, source: str | None, text_file: str | None, top: int, model_path: str | None,
            home: Home) -> None:
    """Show the words behind each label the classifier gives a document.

    DOC_ID is the document's native id (as in `documents.native_id`).

    \b
    Examples:
      komo explain 36644
      komo explain 36644 --top 12
      komo explain --file pressemitteilung.txt
    """
    from .classify import explain_document

    click.echo(explain_document(home, doc_id, source, Path(model_path) if model_path else None,
                                Path(text_file) if text_file else None, top))


def main(argv: list[str] | None = None) -> None:
    """Console entry point: every user-facing failure is one line and a non-zero exit."""
    try:
        cli.main(args=argv, prog_name="komo", standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("komo: aborted", err=True)
        sys.exit(130)
    except click.ClickException as problem:
        hint = " (see --help)" if isinstance(problem, click.UsageError) else ""
        click.echo(f"komo: error: {problem.format_message()}{hint}", err=True)
        sys.exit(problem.exit_code)
    except KomoError as problem:
        click.echo(f"komo: error: {problem}", err=True)
        sys.exit(problem.exit_code)
    except Exception as problem:  # a bug: keep the one-line promise, details with KOMO_DEBUG=1
        if os.environ.get("KOMO_DEBUG"):
            raise
        click.echo(f"komo: internal error: {type(problem).__name__}: {problem} "
                   "(rerun with KOMO_DEBUG=1 for a traceback)", err=True)
        sys.exit(1)
