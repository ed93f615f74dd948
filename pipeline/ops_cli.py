"""Commands an operator runs beside the nightly job: `komo doctor`, `komo gc`, `komo forget`."""

from __future__ import annotations

import json
import sys

import click

from kommunalmonitor.core.home import Home

from .cli import CONTEXT, home_options


@click.command(context_settings=CONTEXT)
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Only say what would be removed and masked; change nothing.")
@home_options
def forget(name: str, dry_run: bool, home: Home) -> None:
    """Remove a person from the store on request (GDPR Art. 17): NAME is the full name.

    Deletes the person's mentions and identities (full name, the surname the extractor resolved
    to them, inflected forms), masks the name and the surname (as whole words, any case, with
    umlauts spelled out and in the genitive) in every stored text, every kept page under raw/, the
    search index and the snapshot, and records it with the name only as a keyed hash
    ($KOMO_HOME/forget.key, created on first use; back it up with the store). Later crawls mask the
    name in what they load, so a re-crawl does not bring it back.

    \b
    Examples:
      komo forget "Erika Mustermann" --dry-run     # what would go, nothing changes
      komo forget "Erika Mustermann"
      komo forget "Anna-Lena Meyer-Ott" --home /srv/komo
    """
    from .forget import forget as run_forget

    report = run_forget(home, name, dry_run)
    for line in report.lines():
        click.echo(line)


@click.command(context_settings=CONTEXT)
@click.option("--failing-nights", type=click.IntRange(min=1), default=2, show_default=True,
              help="A source whose last N crawls all failed is a problem.")
@click.option("--max-age", "max_age_hours", type=click.FloatRange(min=0), default=36, show_default=True,
              help="Hours after which the published snapshot counts as stale.")
@click.option("--min-free", "min_free_gb", type=click.FloatRange(min=0), default=2, show_default=True,
              help="Gigabytes that must stay free on the home's disk.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@home_options
def doctor(failing_nights: int, max_age_hours: float, min_free_gb: float, output_format: str, home: Home) -> None:
    """Check that the store is healthy; every finding says what to do.

    Checks the schema version, the snapshot (present, age, behind the store, counts that must
    agree), the store's own consistency (extractions vs mentions), the writer lock, stale temp
    files and staging left by killed runs, disk space, sources whose last crawls all failed,
    alarms in the latest runs, and the forget key. Exit 0 when healthy (warnings allowed), 9 when
    something is wrong. It writes nothing and never takes the lock.

    \b
    Examples:
      komo doctor
      komo doctor --failing-nights 3 --home /srv/komo
      komo doctor --format json | jq '.[] | select(.level == "problem")'
    """
    from .doctor import PROBLEM, diagnose

    findings = diagnose(home, failing_nights=failing_nights, max_age_hours=max_age_hours, min_free_gb=min_free_gb)
    if output_format == "json":
        click.echo(json.dumps([f.to_dict() for f in findings], ensure_ascii=False, indent=2))
    else:
        for finding in findings:
            click.echo(finding.line())
    problems = sum(f.level == PROBLEM for f in findings)
    if output_format == "text":
        click.echo(f"{problems} problem(s), {sum(f.level == 'warning' for f in findings)} warning(s)"
                   if problems or any(f.level == "warning" for f in findings) else "healthy")
    if problems:
        sys.exit(9)


@click.command(context_settings=CONTEXT)
@click.option("--logs-older-than", "logs_days", type=click.IntRange(min=0), default=30, show_default=True,
              help="Remove logs/ files not written for this many days.")
@click.option("--raw-older-than", "raw_days", type=click.IntRange(min=0),
              help="Also remove kept pages nothing current points to: of document versions replaced, and "
                   "listing pages and re-fetches fetched, over this many days ago [off: kept forever]. "
                   "Never the page of a current version.")
@click.option("--dry-run", is_flag=True, help="Only list what would be removed.")
@home_options
def gc(logs_days: int, raw_days: int | None, dry_run: bool, home: Home) -> None:
    """Remove what is safe to remove from the home, under the writer lock.

    Stale temp files (half-written snapshots, kept pages and exports of killed processes), staging
    left by killed runs (loaded first, as every writer does), logs older than --logs-older-than
    days, and with --raw-older-than the kept pages of superseded document versions and old fetches
    only the fetch log names (listing pages, re-fetched articles). The kept page of every current
    version stays: `komo raw` keeps working.

    \b
    Examples:
      komo gc --dry-run
      komo gc --logs-older-than 14
      komo gc --raw-older-than 365 --home /srv/komo
    """
    from .gc import collect

    report = collect(home, logs_days=logs_days, raw_days=raw_days, dry_run=dry_run)
    for line in report.lines():
        click.echo(line)
