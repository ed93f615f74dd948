"""The `komo` command line: parse arguments, call one function, print one summary line."""

from __future__ import annotations

import csv
import functools
import logging
import os
import sys
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

import click
from tqdm import tqdm

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.text import strip_controls, terminal_safe

CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}


def home_options(command: Callable) -> Callable:
    """--home and --db, shared by every command that touches the store."""

    @click.option("--home", type=click.Path(file_okay=False), envvar="KOMO_HOME",
                  help="Home directory for store, snapshot, raw pages and logs "
                       "[env KOMO_HOME; default ~/.local/share/kommunalmonitor].")
    @click.option("--db", type=click.Path(dir_okay=False), help="Use this store file instead.")
    @functools.wraps(command)
    def wrapper(*args: Any, home: str | None, db: str | None, **kwargs: Any) -> Any:
        resolved = Home.resolve(home, db)
        # User data (sources/, lexicons/ under the home) is looked up through $KOMO_HOME, also by
        # the crawl subprocess: --home must mean the same there.
        os.environ["KOMO_HOME"] = str(resolved.root)
        return command(*args, home=resolved, **kwargs)

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
@click.option("--workers", type=click.IntRange(1, 64), default=None,
              help="Crawler processes sharing one Redis frontier (needs --redis) [1].")
@click.option("--redis", "redis_url", metavar="URL",
              help="Redis for the shared frontier, e.g. redis://127.0.0.1:6379/0; other machines join "
                   "with `komo crawl-worker --redis URL`.")
@click.option("--site-rate", type=click.FloatRange(min=0), default=0, show_default=True,
              help="With --redis: requests a second to the site from all workers together (0: no shared limit).")
@click.option("--lease", type=click.FloatRange(min=1), default=60, show_default=True,
              help="With --redis: seconds before a silent worker's requests go to another worker.")
@click.option("--no-publish", is_flag=True, help="Leave the read-only snapshot as it is (a later command publishes).")
@click.option("--budget", type=click.IntRange(min=1), metavar="N",
              help="At most N requests to the source in this run, newest articles first; the next run resumes.")
@home_options
def crawl(source: str, since: date | None, max_pages: int | None, full: bool, recheck: int | None,
          base_url: str | None, profile: str, workers: int | None, redis_url: str | None, site_rate: float,
          lease: float, no_publish: bool, budget: int | None, home: Home) -> None:
    """Crawl a source into the store; incremental by default.

    A run reads every listing page, fetches articles that are new or whose listing entry
    changed, re-checks the most recent ones, and records every failure in crawl_errors.
    An OParl council (`komo sources add oparl`) is read list by list, asking for what was
    modified since its last complete run (--since DATE: since then; --full: everything). A
    SessionNet council (`komo sources add sessionnet`) is read calendar month by month from its
    last complete run on, new and changed meetings, agenda items and papers (--since DATE: the
    calendar from DATE's month; --full: everything from the source's first month).

    \b
    Examples:
      komo crawl
      komo crawl --source leverkusen-com --since 2023-01-01
      komo crawl --source beispielstadt          # a council added with `komo sources add oparl|sessionnet`
      komo crawl --full --home /srv/komo
      komo crawl --base-url http://127.0.0.1:8123 --profile fast
      komo crawl --workers 4 --redis redis://127.0.0.1:6379/0 --site-rate 2   # four processes, 2 req/s in all
      komo crawl --budget 5000                   # a first backfill over several nights, newest first
    """
    from .crawl import CrawlOptions

    if workers and workers > 1 and not redis_url:
        raise KomoError("--workers needs --redis URL: the workers share their frontier through Redis")
    options = CrawlOptions(source=source, base_url=base_url, full=full, since=since,
                           max_pages=max_pages, recheck=recheck, profile=profile, workers=workers or 1,
                           redis_url=redis_url, site_rate=site_rate, lease_seconds=lease, publish=not no_publish,
                           budget=budget)
    summary = _crawl_with_progress(home, options)
    click.echo(summary.line())
    if summary.alarms:
        from kommunalmonitor.core.errors import LayoutAlarm

        raise LayoutAlarm(f"layout alarm: source {summary.source}: the layout rules stopped matching; "
                          f"fix the layout file, then `komo reparse --source {summary.source}`")
    if summary.status != "ok":
        sys.exit(1)


@cli.command("crawl-worker", context_settings=CONTEXT)
@click.option("--redis", "redis_url", metavar="URL", required=True, help="The Redis the crawl's loader uses.")
@click.option("--crawl", metavar="PREFIX", help="Which crawl, when several run on that Redis.")
@home_options
def crawl_worker(redis_url: str, crawl: str | None, home: Home) -> None:
    """Join a running `komo crawl --redis URL` from this machine as one more crawler process.

    The worker takes requests from the shared frontier, keeps raw pages and writes staging files,
    and exits when the frontier is empty; it never opens the store (the loader loads). With a home
    shared with the loader's machine (NFS), nothing needs copying; otherwise copy this home's
    staging/run-N/worker-* and raw/ to the loader's home before it loads.

    \b
    Examples:
      komo crawl-worker --redis redis://crawl-host:6379/0 --home /mnt/komo
      komo crawl-worker --redis redis://crawl-host:6379/0 --crawl komo:1a2b3c4d5e:run-7
    """
    from .crawl import join_crawl

    code = join_crawl(home, redis_url, crawl)
    if code:
        raise KomoError(f"the crawler process exited with code {code}; see {home.logs_dir}")


@cli.command(context_settings=CONTEXT)
@click.option("--source", "sources", multiple=True,
              help="Only this source (repeatable) [every data/sources/*.toml].")
@click.option("--base-url", help="Crawl a mirror of the (one) source at this URL.")
@click.option("--profile", type=click.Choice(["polite", "fast"]), default="polite", show_default=True)
@click.option("--model", "model_path", type=click.Path(dir_okay=False),
              help="Classifier model file [models/topic-classifier/model.skops].")
@click.option("--processes", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Worker processes for the extraction.")
@click.option("--budget", type=click.IntRange(min=1), metavar="N",
              help="At most N requests per press source in this run: a first backfill proceeds newest first "
                   "over several nights and resumes where it stopped.")
@home_options
def update(sources: tuple[str, ...], base_url: str | None, profile: str, model_path: str | None, processes: int,
           budget: int | None, home: Home) -> None:
    """The nightly job: crawl every source, read new council files, extract what changed, classify, publish once.

    Safe from cron: holds the writer lock for the whole run (a second update exits at once
    with code 75), publishes the read-only snapshot only at the end, and a killed run is
    recovered by the next. Then every alert (`komo alerts`) writes its feed and digest.
    Exit 0 when everything worked, 1 when a source or an alert failed, 7 when a source's layout
    rules stopped matching (its new parses are held out of the snapshot: fix the layout file, then
    `komo reparse --source N`).

    \b
    Examples:
      komo update
      komo update --source leverkusen-com --home /srv/komo
      komo update --budget 5000                  # first backfill: 5,000 requests a night per source
      crontab: 15 2 * * *  KOMO_HOME=/srv/komo komo update >> /srv/komo/logs/update.log 2>&1
    """
    from .update import UpdateOptions
    from .update import update as run_update

    options = UpdateOptions(sources=sources, base_url=base_url, profile=profile,
                            model_path=Path(model_path) if model_path else None, processes=processes,
                            budget=budget)
    _finish_update(run_update(home, options, echo=click.echo))


def _finish_update(summary: Any) -> None:
    """The last summary line and the exit code of `komo update` and `komo reparse`."""
    from kommunalmonitor.core.errors import LayoutAlarm

    click.echo(summary.lines()[-1])
    if summary.layout_alarms:
        raise LayoutAlarm(summary.alarm_line())
    if summary.status != "ok" or summary.alerts_failed:
        sys.exit(1)


@cli.command(context_settings=CONTEXT)
@click.option("--source", required=True, help="The press source whose held pages to read again.")
@click.option("--model", "model_path", type=click.Path(dir_okay=False),
              help="Classifier model file [models/topic-classifier/model.skops].")
@click.option("--processes", type=click.IntRange(1, 8), default=1, show_default=True,
              help="Worker processes for the extraction.")
@home_options
def reparse(source: str, model_path: str | None, processes: int, home: Home) -> None:
    """Read a source's held pages again from the kept raw copies, after a layout alarm.

    When `komo update` exits with 7, a source's own layout rules stopped matching and that
    night's parses of it were held out of the store and the snapshot. Fix the layout file
    (`komo sources list` names it; put your copy in $KOMO_HOME/sources/NAME.toml), then run
    this: it parses the held pages from raw/ (no request to the site), and when the rules hold
    again it stores, extracts, classifies and publishes them. Exit 7 when they still do not.

    \b
    Examples:
      komo reparse --source leverkusen-com
      komo reparse --source leverkusen-com --home /srv/komo
      komo sql "SELECT * FROM layout_alarms WHERE resolved_by IS NULL"
    """
    from .reparse import reparse_steps
    from .update import UpdateOptions
    from .update import update as run_update

    options = UpdateOptions(sources=(source,), model_path=Path(model_path) if model_path else None,
                            processes=processes)
    _finish_update(run_update(home, options, echo=click.echo, steps=reparse_steps(source)))


def _crawl_with_progress(home: Home, options: Any):
    from .crawl import crawl as run_crawl

    with tqdm(desc=f"crawl {options.source}", unit=" req", disable=None, file=sys.stderr,
              leave=False) as bar:
        return run_crawl(home, options, progress=bar.update)


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@click.option("--timeout", type=click.FloatRange(min=0), default=60.0, show_default=True,
              help="Stop the query after this many seconds (0: no limit).")
@click.option("--working", is_flag=True,
              help="Query the working store instead of the published snapshot (fails while a writer runs).")
@home_options
def sql(query: str, output_format: str, timeout: float, working: bool, home: Home) -> None:
    """Run a read-only SQL query against the published snapshot.

    The snapshot is opened so that a query can only read it: no ATTACH, COPY TO, reading or
    writing other files, INSTALL/LOAD, or changing settings (exit 4 when refused); a query is
    stopped after --timeout seconds (exit 5). Rows are streamed, so large results are fine.

    \b
    Examples:
      komo sql "SELECT count(*) FROM documents"
      komo sql "SELECT year(published) y, count(*) FROM documents
                WHERE duplicate_of IS NULL GROUP BY y ORDER BY y"
      komo sql --format csv "SELECT native_id, title FROM documents" > titles.csv
      komo sql --timeout 600 --format json "SELECT * FROM mentions" > mentions.jsonl
    """
    import duckdb

    from .store import Store

    with Store.open_reader(home.reader_db(working)) as store, store.time_limit(timeout):
        try:
            columns, batches = store.stream(query)
            _print_rows(columns, batches, output_format)
        except duckdb.InterruptException:
            raise  # the time limit's: it says so
        except duckdb.Error as problem:
            raise KomoError(f"SQL error: {_first_line(problem)}") from None


def _first_line(problem: BaseException) -> str:
    return str(problem).splitlines()[0] if str(problem) else type(problem).__name__


def _print_rows(columns: list[str], batches: Iterable[list[tuple]], output_format: str,
                table_rows: int = 10_000) -> None:
    """Rows as CSV, JSON lines or an aligned table, batch by batch. A table is sized by its first
    batch and shows at most `table_rows` rows (CSV and JSON have no limit)."""
    if output_format == "csv":
        writer = csv.writer(sys.stdout)
        writer.writerow(columns)
        for rows in batches:
            writer.writerows([[_plain(v) for v in row] for row in rows])
        return
    if output_format == "json":
        import json

        for rows in batches:
            for row in rows:
                click.echo(json.dumps(dict(zip(columns, row, strict=True)), ensure_ascii=False, default=str))
        return
    shown = total = 0
    widths: list[int] | None = None
    for rows in batches:
        total += len(rows)
        cells = [[_cell(v) for v in row] for row in rows[: max(table_rows - shown, 0)]]
        if widths is None:
            widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
            click.echo("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
            click.echo("  ".join("-" * w for w in widths))
        for row in cells:
            click.echo("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
        shown += len(cells)
    if widths is None:
        click.echo("  ".join(columns))
    more = f"; the first {shown} shown, --format csv or json gives all" if total > shown else ""
    click.echo(f"({total} rows{more})")


def _plain(value: Any) -> Any:
    """A cell for CSV: text from the web without control characters."""
    return strip_controls(value) if isinstance(value, str) else value


def _cell(value: Any, limit: int = 80) -> str:
    text = "NULL" if value is None else terminal_safe(str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


@cli.command(context_settings=CONTEXT)
@click.option("--topic", required=True,
              help="integration, an action field (sprache, bildung, …, or its label) or a classifier "
                   "topic (topic:rat or its label).")
@click.option("--field", "field_", help="Narrow to articles that also touch this action field.")
@click.option("--from", "start", metavar="YEAR", help="First year (2017) or date (2017-03-01).")
@click.option("--to", "end", metavar="YEAR", help="Last year or date.")
@click.option("--body", help="Only articles naming a body whose name contains this (Integrationsrat).")
@click.option("--district", help="Only articles located in this district (Opladen).")
@click.option("--format", "output_format", type=click.Choice(["html", "md", "csv", "csv-rfc4180"]),
              default="html", show_default=True,
              help="csv: for German spreadsheets (';', decimal comma, BOM); csv-rfc4180: plain, for scripts.")
@click.option("-o", "--output", type=click.Path(dir_okay=False), help="Write here instead of standard output.")
@click.option("--by", "method", type=click.Choice(["classifier", "rules"]), default="classifier", show_default=True,
              help="Choose articles by the topic classifier or by the extraction rules.")
@click.option("--documents", type=click.IntRange(0, 200), default=12, show_default=True,
              help="How many notable articles to list.")
@click.option("--copies-url", help="Base URL where the raw/ folder is served [file links into the home].")
@click.option("--working", is_flag=True, help="Read the working store instead of the published snapshot.")
@home_options
def report(topic: str, field_: str | None, start: str | None, end: str | None, body: str | None,
           district: str | None, output_format: str, output: str | None, method: str, documents: int,
           copies_url: str | None, working: bool, home: Home) -> None:
    """Write a topic report: share over the years, action fields, districts, bodies, persons
    with a public role, and notable articles with the sentence that matched.

    \b
    Examples:
      komo report --topic integration -o integration.html
      komo report --topic wohnen --from 2015 --to 2019 --format md
      komo report --topic integration --field sprache --district Opladen --format csv -o sprache.csv
      komo report --topic topic:rat --by classifier --format csv-rfc4180 > rat.csv
    """
    from .report import ReportRequest, build_report, render
    from .store import Store

    request = ReportRequest(topic=topic, field=field_, start=start, end=end, body=body, district=district,
                            method=method, documents=documents, copies_url=copies_url)
    if output and not Path(output).resolve().parent.is_dir():
        raise click.BadParameter(f"no directory {Path(output).parent}", param_hint="-o/--output")
    with Store.open_reader(home.reader_db(working)) as store:
        store.require_schema(4, "komo report")
        text = render(build_report(store.con, request, home.root), output_format)
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"wrote {output_format} report to {output}", err=True)
    else:
        click.echo(text, nl=False)


@cli.command(context_settings=CONTEXT)
@click.argument("doc_id")
@click.option("--source", help="Source of the document when the id exists in several.")
@home_options
def raw(doc_id: str, source: str | None, home: Home) -> None:
    """Print the kept copy of a document's page exactly as it was fetched (bytes, unzipped).

    Reports link to these copies; browsers do not unpack the .gz files themselves.

    \b
    Examples:
      komo raw 36644 > 36644.html
      komo raw 36644 --source leverkusen-com | less
    """
    import gzip

    from kommunalmonitor.core.errors import StoreDamaged

    from .store import Store

    with Store.open_reader(home.reader_db()) as store:
        raw_ref = store.find_document(doc_id, source)[4]
    if not raw_ref:
        raise KomoError(f"document {doc_id!r} has no kept copy")
    raw_dir = home.raw_dir.resolve()
    path = (home.root / raw_ref).resolve()
    if not path.is_relative_to(raw_dir):  # a forged raw_ref must not read files elsewhere
        raise StoreDamaged(f"refusing to read the kept copy of {doc_id}: its path is not under {raw_dir}")
    try:
        page = gzip.decompress(path.read_bytes())
    except FileNotFoundError:
        raise KomoError(f"the kept copy of {doc_id} is gone ({path}); `komo crawl --full` fetches it again") from None
    except (OSError, EOFError, gzip.BadGzipFile):  # never echo the file's bytes (gzip's message does)
        raise StoreDamaged(f"the kept copy {path} is not a readable gzip file; "
                           "`komo crawl --full` fetches the page again") from None
    sys.stdout.buffer.write(page)


@cli.command(context_settings=CONTEXT)
@click.option("--format", "output_format", type=click.Choice(["parquet"]), default="parquet", show_default=True)
@click.option("-o", "--output", type=click.Path(file_okay=False), default="komo-export", show_default=True,
              help="Directory for one file per table plus manifest.json.")
@click.option("--table", "tables", multiple=True, help="Only this table (repeatable) [all].")
@click.option("--include-private-persons", is_flag=True,
              help="Also export persons without a public role (left out by default).")
@click.option("--working", is_flag=True, help="Read the working store instead of the published snapshot.")
@home_options
def export(output_format: str, output: str, tables: tuple[str, ...], include_private_persons: bool,
           working: bool, home: Home) -> None:
    """Export the store's tables as Parquet, for pandas, R, Spark or DuckDB elsewhere.

    Persons without a public role are left out unless --include-private-persons is given;
    manifest.json lists every file, its rows and what was left out.

    \b
    Examples:
      komo export --format parquet -o export/
      komo export --table documents --table topics -o /tmp/komo
      python -c "import pandas; print(pandas.read_parquet('export/documents.parquet').head())"
    """
    from kommunalmonitor.core.privacy import public_role_pattern

    from .store import Store
    from .store.export import EXPORTS, export_parquet

    unknown = sorted(set(tables) - set(EXPORTS))
    if unknown:
        raise click.BadParameter(f"unknown table {', '.join(unknown)}; choose from {', '.join(EXPORTS)}",
                                 param_hint="--table")
    with Store.open_reader(home.reader_db(working)) as store:
        store.require_schema(4, "komo export")
        written = export_parquet(store.con, Path(output), public_role_pattern(), include_private_persons,
                                 list(tables) or None)
    rows = sum(t.rows for t in written)
    click.echo(f"exported {len(written)} tables ({rows} rows) as {output_format} to {Path(output)}/ "
               f"(persons without a public role {'included' if include_private_persons else 'left out'})")


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

    from .demo import sample_archive
    from .demo.sample_site import serve

    with serve(Path(archive) if archive else sample_archive(), port=port, fast=fast) as server:
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
        from .filemode import extract_file
        from .nlp.loader import shared_pipeline

        if not Path(output_path).resolve().parent.is_dir():
            raise click.BadParameter(f"no directory {Path(output_path).parent}", param_hint="--output")
        counts = extract_file(Path(input_path), Path(output_path), shared_pipeline(), processes, home.root)
        click.echo(f"extracted {counts['documents']} pages to {output_path} "
                   f"({counts['skipped']} skipped with a reason in their 'error' field, "
                   f"{counts['warnings']} read with a 'warning')")
        return
    from .extraction import extract_store

    with tqdm(desc="extract", unit=" docs", disable=None, file=sys.stderr, leave=False) as bar:
        stats = extract_store(home, everything=everything, n_process=processes, progress=bar.update)
    click.echo(f"extracted {stats['documents']} documents: {stats['mentions']} mentions, "
               f"{stats['integration']} about integration (extractor {stats['extractor_version']})")


@cli.command(context_settings=CONTEXT)
@click.option("--source", default="leverkusen-com", show_default=True, help="Press source (name or .toml path).")
@click.option("--relearn", is_flag=True, help="Count again from every kept page of the source's documents.")
@click.option("--show", type=click.IntRange(min=0), default=20, show_default=True,
              help="Print this many of the furniture lines.")
@home_options
def furniture(source: str, relearn: bool, show: int, home: Home) -> None:
    """Lines that recur on a source's pages and are therefore site furniture, not article text.

    Every crawl counts the lines of the pages it kept into $KOMO_HOME/furniture/<source>.json;
    `komo extract --input` treats the lines on enough pages (data/layouts/general.toml,
    [recurrence]) as furniture, besides the lines its own input repeats per host.

    \b
    Examples:
      komo furniture
      komo furniture --source leverkusen-com --relearn
    """
    from kommunalmonitor.crawler.furniture import furniture_file, learn, load_learnt, raw_page_text
    from kommunalmonitor.crawler.sources import Source, SourceError, source_path

    from .store import Store

    try:
        press = Source.load(source_path(source))
    except SourceError as problem:
        raise KomoError(f"source {source}: {problem}") from None
    path = furniture_file(home.root, press.name)
    if relearn:
        with Store.open_reader(home.reader_db()) as store:
            rows = store.query("SELECT native_id, raw_ref FROM documents WHERE source = ? AND raw_ref IS NOT NULL "
                               "ORDER BY native_id", [press.name])[1]
        raw_dir = home.raw_dir.resolve()

        def pages() -> Iterable[tuple[str, str]]:
            for native_id, raw_ref in rows:
                if not (home.root / raw_ref).resolve().is_relative_to(raw_dir):
                    continue  # a forged raw_ref must not read files elsewhere
                try:
                    yield str(native_id), raw_page_text(home.root, raw_ref, press)
                except OSError:
                    continue

        path.unlink(missing_ok=True)
        stats = learn(path, press, tqdm(pages(), total=len(rows), desc="furniture", unit=" pages",
                                        disable=None, file=sys.stderr, leave=False), limit=None)
        click.echo(f"counted {stats['added']} pages of {press.name}: {stats['lines']} distinct lines in {path}")
    lines = sorted(load_learnt(path)) if path.exists() else []
    if not path.exists():
        click.echo(f"nothing learnt yet for {press.name} ({path} is missing); a crawl or --relearn writes it")
        return
    click.echo(f"{len(lines)} furniture lines for {press.name}")
    for line in lines[:show]:
        click.echo(f"  {terminal_safe(line)[:110]}")


@cli.group(context_settings=CONTEXT)
def evaluate() -> None:
    """Measure quality against the hand-labelled gold sets (precision / recall / F1).

    \b
    Examples:
      komo evaluate extraction
      komo evaluate extraction --gold tests/gold/extraction --json
      komo evaluate votes
      komo evaluate links
    """


@evaluate.command("extraction", context_settings=CONTEXT)
@click.option("--gold", type=click.Path(exists=True),
              help="Gold sets: a folder of sets (every extraction* folder in it), one set's folder, or one "
                   ".jsonl file [the checkout's tests/gold].")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--markdown", is_flag=True, help="Print the README's table: F1 per field and set, baseline beside.")
@click.option("--errors", type=click.IntRange(min=0), default=0,
              help="Also list up to N misses and false alarms per field.")
def evaluate_extraction(gold: str | None, as_json: bool, markdown: bool, errors: int) -> None:
    """Score the extraction pipeline on the gold sets, field by field.

    Prints every set apart: tests/gold/extraction (the rules were tuned on it after it was
    labelled) and tests/gold/extraction-holdout (never used for tuning). The gold sets live in a
    source checkout, not in an installed package.

    \b
    Examples:
      komo evaluate extraction
      komo evaluate extraction --errors 5
      komo evaluate extraction --markdown          # the README's quality table
      komo evaluate extraction --gold ~/src/kommunalmonitor/tests/gold --json
    """
    from .evaluate import evaluate_gold, format_markdown, format_report, gold_sets

    reports = {name: evaluate_gold(path) for name, path in gold_sets(Path(gold) if gold else None).items()}
    if markdown:
        click.echo(format_markdown(reports))
        return
    if as_json:
        import json

        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
        return
    for name, report in reports.items():
        click.echo(f"== {name} ==")
        click.echo(format_report(report, errors))
        click.echo("")


@evaluate.command("votes", context_settings=CONTEXT)
@click.option("--gold", type=click.Path(exists=True),
              help="Vote gold sets: a folder holding votes/*.jsonl, a folder of *.jsonl, or one .jsonl file "
                   "[the checkout's tests/gold].")
@click.option("--json", "as_json", is_flag=True, help="Print the scores as JSON.")
@click.option("--errors", type=click.IntRange(min=0), default=0, help="Also list up to N wrong lines per set.")
def evaluate_votes(gold: str | None, as_json: bool, errors: int) -> None:
    """Score the vote parser on the vote gold sets: result, unanimity, counts, factions.

    Prints every set apart: tests/gold/votes/tuning.jsonl (the parser was tuned on it) and
    tests/gold/votes/holdout.jsonl (written by another annotator, never used for tuning).

    \b
    Examples:
      komo evaluate votes
      komo evaluate votes --errors 10
      komo evaluate votes --gold tests/gold/votes/holdout.jsonl --json
    """
    from .evaluate_votes import evaluate_votes as score
    from .evaluate_votes import format_vote_report, vote_gold_sets

    reports = {name: score(path) for name, path in vote_gold_sets(Path(gold) if gold else None).items()}
    if as_json:
        import json

        click.echo(json.dumps(reports, ensure_ascii=False, indent=2))
        return
    for name, report in reports.items():
        click.echo(format_vote_report(name, report, errors))
        click.echo("")


@cli.command(context_settings=CONTEXT)
@click.argument("query")
@click.option("--from", "date_from", callback=_parse_date, metavar="DATE",
              help="Only documents published on or after DATE (YYYY-MM-DD).")
@click.option("--to", "date_to", callback=_parse_date, metavar="DATE",
              help="Only documents published on or before DATE (YYYY-MM-DD).")
@click.option("--source", help="Only documents of this crawl source (e.g. leverkusen-com).")
@click.option("--field", "action_field", metavar="ID",
              help="Only documents in this action field (sprache, bildung, arbeit, wohnen, …): the "
                   "classifier's labels, the extractor's for documents not yet classified.")
@click.option("--district", help="Only documents located in this district (Stadtteil), e.g. Opladen.")
@click.option("--kind", help="Only documents of this kind: press, paper, agenda_item (documents.kind).")
@click.option("--sender", help="Only documents of this sender (the page's \"Quelle\"), any case.")
@click.option("--all", "all_terms", is_flag=True,
              help="Every word of the query must occur (default: any word, ranked by BM25).")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]),
              default="table", show_default=True)
@click.option("--working", is_flag=True,
              help="Search the working store instead of the published snapshot (its index is the one "
                   "of the last publish).")
@home_options
def search(query: str, date_from: date | None, date_to: date | None, source: str | None,
           action_field: str | None, district: str | None, kind: str | None, sender: str | None,
           all_terms: bool, limit: int, output_format: str, working: bool, home: Home) -> None:
    """Full-text search over the stored releases, best matches first, with the passage that matches.

    German words match in every inflection (Flüchtlinge finds Flüchtlingen) and as parts of
    compounds (Unterkunft finds Flüchtlingsunterkunft). Any word of the query may match and
    documents are ranked by BM25; --all wants every word. Function words (der, und, für, …)
    are ignored. A republished release is one hit, its original, with the number of copies.
    The snippet marks matches »like this«; --format json/csv also give their offsets into
    documents.body. A hit in a council file (kind file) names the page of the file it is on.

    \b
    Examples:
      komo search "Sprachkurs Flüchtlinge"
      komo search Unterkunft --from 2015-01-01 --to 2016-12-31
      komo search "Integrationskurs Frauen" --all --field sprache --limit 20
      komo search Kita --district Opladen --format json > kita.jsonl
      komo search Haushalt --kind paper --sender Gemeinderat
    """
    from .store import Store
    from .store.search import SearchHit, SearchQuery
    from .store.search import search as run_search

    request = SearchQuery(query, all_terms=all_terms, date_from=date_from, date_to=date_to,
                          source=source, action_field=action_field, district=district, limit=limit,
                          kind=kind, sender=sender)
    with Store.open_reader(home.reader_db(working)) as store:
        hits = run_search(store, request)
    if output_format != "table":
        _print_rows(list(SearchHit.COLUMNS), [[hit.row() for hit in hits]], output_format)
        return
    for number, hit in enumerate(hits, 1):
        copies = f" · {hit.copies} republished {'copy' if hit.copies == 1 else 'copies'}" if hit.copies else ""
        # A council file's hit says where in the file; PDF viewers open `#page=N` at that page.
        where = (f" · file, page {hit.page}" if hit.page else " · file") if hit.kind == "file" else ""
        click.echo(f"{number:3d}. {hit.published or 'undated'} · {terminal_safe(hit.sender or 'unknown sender')} · "
                   f"score {hit.score:.2f}{copies}{where}")
        click.echo(f"     {terminal_safe(hit.title or '(ohne Überschrift)')}")
        click.echo(f"     {terminal_safe(hit.snippet)}")
        click.echo(f"     {terminal_safe(hit.canonical_url)}{f'#page={hit.page}' if hit.page else ''}")
    more = "; --limit shows more" if len(hits) == limit else ""
    click.echo(f"({len(hits)} hits{more})" if hits else f"no documents match {query!r}")


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

    In a source checkout the real-style gold pages (tests/gold/extraction-real*) are scored too.
    """
    from kommunalmonitor.models.evaluate import format_report, summary_line
    from kommunalmonitor.models.training import evaluate_model

    from .evaluate import classifier_pages, real_style_sets

    def progress(message: str) -> None:
        click.echo(f"... {message}", err=True)

    pages = {name: classifier_pages(path) for name, path in real_style_sets().items()}
    report = evaluate_model(Path(model_path) if model_path else None, folds=folds, compare=compare,
                            write=write, progress=progress, page_sets=pages)
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


# Council sources and summaries live in their own module; it uses the helpers above.
from .council_cli import council, sources  # noqa: E402
from .files_cli import files  # noqa: E402
from .links_cli import evaluate_links, links  # noqa: E402
from .ops_cli import doctor, forget, gc  # noqa: E402
from .serve_cli import alerts, serve  # noqa: E402

cli.add_command(sources)
cli.add_command(council)
cli.add_command(files)
cli.add_command(links)
evaluate.add_command(evaluate_links)
cli.add_command(serve)
cli.add_command(alerts)
cli.add_command(doctor)
cli.add_command(gc)
cli.add_command(forget)


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
