"""`komo files …`: the text of downloaded council files (pipeline/files.py) and the files that
could not be read. Registered on the main group in cli.py."""

from __future__ import annotations

import sys

import click
from tqdm import tqdm

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, _print_rows, home_options


@click.group(context_settings=CONTEXT)
def files() -> None:
    """Council files (PDFs, scanned pages included) as documents: read their text, list failures.

    \b
    Examples:
      komo files extract                       # what changed since the last read
      komo files errors --source beispielstadt
    """


@files.command("extract", context_settings=CONTEXT)
@click.option("--source", "sources", multiple=True, help="Only this council source (repeatable) [every source].")
@click.option("--all", "everything", is_flag=True, help="Read every downloaded file again, changed or not.")
@click.option("--processes", type=click.IntRange(1, 32),
              help="Worker processes [run.processes in config/file-text.toml: one per CPU, at most 4].")
@home_options
def files_extract(sources: tuple[str, ...], everything: bool, processes: int | None, home: Home) -> None:
    """Read the text of every downloaded council file whose bytes or reader changed; publish.

    Each file with text becomes a document (kind = file) linked to its paper, agenda item or
    meeting (documents.parent_id), with its pages in document_pages, so `komo extract`,
    `komo classify` and `komo search` treat it like any other document and search names the
    page. Scanned pages are read by Tesseract (deu). A file that cannot be read (encrypted,
    corrupt, truncated, too large, too slow, an unsupported type) is a row of the file_errors
    view with the reason; the run still succeeds. Limits: data/config/file-text.toml (copy it
    to $KOMO_HOME/config/ to change them). `komo update` runs this step after the crawl.

    \b
    Examples:
      komo files extract
      komo files extract --source beispielstadt --processes 2
      komo files extract --all                 # e.g. after changing the OCR settings
      komo sql "SELECT file_id, title, pages_read, ocr_pages FROM file_documents LIMIT 10"
    """
    from .files import read_files

    with tqdm(desc="files", unit=" files", disable=None, file=sys.stderr, leave=False) as bar:
        summary = read_files(home, sources, everything, processes, progress=bar.update)
    click.echo(summary.line())


@files.command("errors", context_settings=CONTEXT)
@click.option("--source", help="Only this council source.")
@click.option("--format", "output_format", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@click.option("--working", is_flag=True, help="Read the working store instead of the published snapshot.")
@home_options
def files_errors(source: str | None, output_format: str, working: bool, home: Home) -> None:
    """Council files whose text could not be read, and why (the file_errors view).

    Reasons: encrypted, corrupt, truncated, not_pdf, too_large, timeout, missing (the kept copy
    is gone), unreadable, crashed (the reader process died), unsupported (a type other than PDF,
    text and HTML). A file is read again when its bytes, the reader or the limits it hit change.

    \b
    Examples:
      komo files errors
      komo files errors --source beispielstadt --format csv > file-errors.csv
    """
    from .store import Store
    from .store.files import ERROR_COLUMNS, file_errors, has_file_tables

    with Store.open_reader(home.reader_db(working)) as store:
        store.require_schema(7, "komo files errors")
        rows = file_errors(store.con, source) if has_file_tables(store.con) else []
    _print_rows(list(ERROR_COLUMNS), [rows], output_format)
