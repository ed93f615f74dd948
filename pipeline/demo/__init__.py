"""`komo demo`: the whole job end to end on the bundled sample archive."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from kommunalmonitor.core.home import Home
from kommunalmonitor.core.privacy import public_role_pattern
from kommunalmonitor.core.resources import data_dir

from ..crawl import CrawlOptions
from ..store import Store


def sample_archive() -> Path:
    """The bundled sample press archive (data/sample-archive)."""
    return data_dir() / "sample-archive"


def run_demo(home: Home, archive: Path | None, port: int, echo: Callable[[str], Any],
             crawl_runner: Callable[[Home, CrawlOptions], Any]) -> None:
    from .sample_site import serve

    archive = archive or sample_archive()
    with serve(archive, port=port, fast=True) as server:
        echo(f"serving the sample archive {archive} at {server.base_url}")
        options = CrawlOptions(base_url=server.base_url, profile="fast")
        summary = crawl_runner(home, options)
        echo(summary.line())
    from ..extraction import extract_store

    stats = extract_store(home)
    echo(f"extracted {stats['documents']} documents: {stats['mentions']} mentions, "
         f"{stats['integration']} about integration")
    from ..classify import classify_store

    echo(classify_store(home).line())
    with Store.open_reader(home.published_db) as store:
        overview = store.overview()
        mentions = store.mention_overview(public_role_pattern())
    echo(f"\nstored in {home.db} (published snapshot {home.published_db}):")
    for label, value in overview["counts"].items():
        echo(f"  {label}: {value}")
    echo("\ndocuments per year (republished copies counted once):")
    echo("  " + "  ".join(f"{year}: {n}" for year, n in overview["per_year"]))
    echo("\ntop senders:")
    for sender, n in overview["senders"]:
        echo(f"  {n:4d}  {sender}")
    echo("\ncrawl errors:")
    for url, status, reason in overview["errors"]:
        echo(f"  {status or '-'}  {url}  {reason}")
    echo("\nnewest articles:")
    for published, title, sender in overview["newest"]:
        echo(f"  {published}  {title}  [{sender}]")
    echo("\nmost mentioned bodies:")
    for body, n in mentions["bodies"]:
        echo(f"  {n:4d}  {body}")
    echo("\npersons with a public role:")
    for person, role, n in mentions["persons"]:
        echo(f"  {n:4d}  {person} ({role})")
    echo("\nintegration articles per action field:")
    echo("  " + "  ".join(f"{field}: {n}" for field, n in mentions["action_fields"]))
    report_path = write_demo_report(home)
    echo(f"\ntopic report (open in a browser): {report_path}")
    example = "SELECT title, published FROM documents LIMIT 5"
    echo(f"try: komo sql --home {home.root} '{example}'")
    echo(f"     komo search --home {home.root} 'Sprachkurs Flüchtlinge'")


def write_demo_report(home: Home) -> Path:
    """The integration report of the demo store, as one HTML file in the home."""
    from ..report import ReportRequest, build_report, render

    target = home.root / "report-integration.html"
    with Store.open_reader(home.published_db) as store:
        target.write_text(render(build_report(store.con, ReportRequest(topic="integration"), home.root), "html"),
                          encoding="utf-8")
    return target
