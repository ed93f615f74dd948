"""How the pipeline grows with the archive: crawl → files → extract → classify → publish at several sizes.

    python -m benchmarks.bench_growth [--sizes 1000,10000,45000] [--huge] [--extract-sample N]

For each size N one generated press archive (benchmarks/bench_crawl.py's `synthetic_articles` in the
sample site's three templates, served by pipeline/demo/sample_site.py, with one republished copy per
REPUBLISH_EVERY articles and listing pages that link ten pages either side) and, beside it, one
generated OParl council (tests/oparl_server.py) with a paper per ten articles, each paper with a
10-page council PDF (reportlab, tests/pdf_samples.py; PDF_POOL distinct files served under all file
URLs, so the raw store keeps PDF_POOL of them: generating 4,500 PDFs would take longer than crawling
them). Into a fresh home, each stage as its own process, timed whole (wall, CPU, peak RSS of the
stage's process tree):

* crawl     `komo crawl --profile fast --no-publish` of the press archive (Scrapy + store load)
* files     `komo crawl` of the council: its objects and PDF files (the press spider has no attachments)
* extract   nlp over the stored documents (at most --extract-sample of them, the first by key)
* classify  the topic classifier over every document
* publish   the search index and the read-only snapshot

Beside them, measured in the same run: the fetch-only Scrapy spider over the same press pages (the
crawl's baseline, benchmarks/bench_crawl.py), `scrapy bench`, the store load beside DuckDB's own
`COPY … FROM` a Parquet file of the same documents, and at the middle size the crawl with two
workers on a Redis frontier. Writes bench-results/growth.json and BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import tomllib
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import duckdb

from benchmarks.bench_crawl import (
    SITE_TOML,
    fetch_only,
    measure_served,
    run_child,
    scrapy_bench,
    site_toml_without_bad_pages,
    synthetic_articles,
)
from benchmarks.util import RESULTS_DIR, save_results
from kommunalmonitor.pipeline.demo.sample_site import ServerHandle, serve

REPO = Path(__file__).resolve().parent.parent
RESULTS_FILE = RESULTS_DIR / "growth.json"
REPORT_FILE = REPO / "BENCHMARKS.md"
QUICK_SIZES = (1_000, 10_000)
SIZES = (1_000, 10_000, 45_000)
HUGE = 200_000
REPUBLISH_EVERY = 100
PDF_EVERY, PDF_PAGES, PDF_POOL = 10, 10, 100
EXTRACT_SAMPLE = 5_000
PAGINATION_WINDOW = 10
COUNCIL = "bench-council"


# --------------------------------------------------------------------------------------------
# The generated archive and council


def write_growth_archive(target: Path, count: int) -> dict[str, int]:
    """`count` articles, a republished copy of every REPUBLISH_EVERY-th, paginated with a window."""
    target.mkdir(parents=True, exist_ok=True)
    copies = []
    with open(target / "articles.jsonl", "w", encoding="utf-8") as out:
        for index, record in enumerate(synthetic_articles(count)):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            if index % REPUBLISH_EVERY == REPUBLISH_EVERY // 2:
                later = date.fromisoformat(record["published"]) + timedelta(days=30 + index % 300)
                copies.append((9_000_000 + index, record["id"], min(later, date(2024, 12, 31)).isoformat()))
    site = site_toml_without_bad_pages(SITE_TOML.read_text("utf-8"))
    site = site.replace("[site]\n", f"[site]\npagination_window = {PAGINATION_WINDOW}\n", 1)
    site += "".join(f'\n[[republished]]\nid = {new}\noriginal = {original}\npublished = "{published}"\n'
                    for new, original, published in copies)
    (target / "site.toml").write_text(site, encoding="utf-8")
    assert tomllib.loads(site)["site"]["pagination_window"] == PAGINATION_WINDOW
    return {"articles": count, "republished": len(copies), "served": count + len(copies)}


def council_pdfs() -> list[bytes]:
    sys.path.insert(0, str(REPO))  # the PDF and OParl fixtures live with the tests
    from tests import pdf_samples

    return [pdf_samples.report_pdf(pages=PDF_PAGES, seed=seed)[0] for seed in range(PDF_POOL)]


@contextmanager
def serve_council(papers: int, pdfs: list[bytes]) -> Iterator[Any]:
    sys.path.insert(0, str(REPO))
    from tests.oparl_server import serve as serve_oparl
    from tests.oparl_server import synthetic_council

    def build(base: str):
        council = synthetic_council(base, papers)
        for number, path in enumerate(sorted(council.files)):
            council.files[path] = (pdfs[number % len(pdfs)], "application/pdf")
        return council

    with serve_oparl(build, page_size=100) as server:
        yield server


# --------------------------------------------------------------------------------------------
# Stages


def komo(*args: str, home: Path) -> list[str]:
    return [sys.executable, "-m", "kommunalmonitor.pipeline", *args, "--home", str(home)]


def extraction_note(path: Path) -> list[str]:
    """The nlp speed beside its baseline from the last `python -m benchmarks.bench_extract` run, if any
    (its own corpus, machine load and date: it is not rerun by the growth bench)."""
    try:
        extract = json.loads(path.read_text("utf-8"))
        ratios, one = extract["ratios"], extract["extract_1"]
    except (OSError, ValueError, KeyError):
        return []
    machine = extract["machine"]
    line = (f"Extraction speed (`python -m benchmarks.bench_extract`, {extract['docs']:,} generated press releases, "
            f"{one['words']:,} words, load average {machine['load_before'][0]:.1f} at its start): the pipeline runs "
            f"**{ratios['full_vs_lemmatizer']:.3f}** of blank + sentencizer + lookup lemmatizer on one process "
            f"({ratios['full_vs_lemmatizer_cpu']:.3f} by CPU time); `komo extract`'s own path "
            f"{one['words_per_s']:,.0f} words/s on one process")
    if "extract_n_vs_extract_1" in ratios:
        line += (f", **{ratios['extract_n_vs_extract_1']:.2f}×** that with {extract['processes']} processes "
                 f"(CPU seconds 1 process / {extract['processes']}: {ratios['extract_n_vs_extract_1_cpu']:.2f})")
    return ["", line + "."]


def stage_in_child(stage: str, home: Path, sample: int | None) -> dict[str, Any]:
    """Run inside `--stage` children: one step of `komo update` on the working store, no publish."""
    from kommunalmonitor.core.home import Home
    from kommunalmonitor.pipeline.writer import open_writer

    figures: dict[str, Any] = {}
    with open_writer(Home(home)) as store:
        if stage == "extract":
            from kommunalmonitor.pipeline.extraction import extract_into

            if sample:
                everything = store.documents_to_extract
                store.documents_to_extract = lambda version, all_=False: everything(version, all_)[:sample]
            figures = extract_into(store, Home(home), n_process=1)
        elif stage == "classify":
            from kommunalmonitor.models.classifier import DEFAULT_MODEL, load
            from kommunalmonitor.pipeline.classify import classify_into

            summary = classify_into(store, load(DEFAULT_MODEL))
            figures = {"documents": store.query("SELECT count(*) FROM documents")[1][0][0], "line": summary.line()}
        elif stage == "publish":
            store.publish(Home(home).published_db)
            figures = {"documents": store.query("SELECT count(*) FROM documents")[1][0][0]}
    return figures


def timed(name: str, command: list[str], items: int | None = None) -> dict[str, Any]:
    run = run_child(command)
    if run.returncode != 0:
        raise SystemExit(f"stage {name} failed ({run.returncode}):\n{run.output[-3000:]}")
    found = {"stage": name, "wall_s": round(run.wall_s, 2), "cpu_s": round(run.cpu_s, 2),
             "peak_rss_mb": round(run.max_rss_mb), "output": run.output.strip().splitlines()[-1:]}
    if items is not None:
        found["items"] = items
        found["items_per_s"] = round(items / run.wall_s, 1) if run.wall_s else 0.0
    print(f"  {name:<10} {found['wall_s']:>8.1f} s  {found['peak_rss_mb']:>6} MB  "
          f"{found.get('items_per_s', '')}{' items/s' if items else ''}", flush=True)
    return found


def load_baseline(home: Path, workdir: Path) -> dict[str, Any]:
    """DuckDB's own bulk load of the same documents: COPY … FROM a Parquet file, close included."""
    parquet = workdir / "documents.parquet"
    with duckdb.connect(str(home / "komo.duckdb"), read_only=True) as con:
        # COPY takes no bound file names; the path is our temporary folder.
        con.execute(f"COPY (SELECT * FROM documents WHERE kind = 'press') TO '{parquet}' (FORMAT parquet)")  # noqa: S608
        stats = json.loads(con.execute("SELECT stats FROM runs WHERE command = 'crawl' ORDER BY run_id LIMIT 1")
                           .fetchone()[0])
    target = workdir / "copy.duckdb"
    target.unlink(missing_ok=True)
    started = time.perf_counter()
    with duckdb.connect(str(target)) as fresh:
        fresh.execute("CREATE TABLE documents AS SELECT * FROM read_parquet(?) LIMIT 0", [str(parquet)])
        fresh.execute(f"COPY documents FROM '{parquet}' (FORMAT parquet)")  # noqa: S608
        rows = fresh.execute("SELECT count(*) FROM documents").fetchone()[0]
    copy_s = time.perf_counter() - started
    return {"rows": rows, "komo_load_s": stats.get("load_seconds"), "copy_from_parquet_s": round(copy_s, 2),
            "ratio": round(stats.get("load_seconds", 0) / copy_s, 1) if copy_s else None,
            "duplicates": stats.get("duplicates")}


def crawl_with_workers(server: ServerHandle, workdir: Path, workers: int) -> dict[str, Any]:
    sys.path.insert(0, str(REPO))
    from tests.redis_server import redis_server_binary, running_redis

    if redis_server_binary() is None:
        return {"skipped": "redis-server is not installed"}
    home = workdir / "home-workers"
    with running_redis() as url:
        measured = measure_served(f"komo crawl --workers {workers}", server, komo(
            "crawl", "--base-url", server.base_url, "--profile", "fast", "--no-publish", "--workers", str(workers),
            "--redis", url, home=home))
    shutil.rmtree(home, ignore_errors=True)
    return {"pages": measured.pages, "wall_s": round(measured.wall_s, 2),
            "pages_per_s": round(measured.pages_per_s, 1), "peak_rss_mb": round(measured.max_rss_mb)}


def run_size(count: int, workdir: Path, pdfs: list[bytes], extract_sample: int | None,
             workers_too: bool) -> dict[str, Any]:
    print(f"\n{count:,} articles", flush=True)
    archive = write_growth_archive(workdir / "archive", count)
    home = workdir / "home"
    result: dict[str, Any] = {"size": count, "archive": archive, "stages": {}}
    with ExitStack() as stack:
        server = stack.enter_context(serve(workdir / "archive", fast=True))
        council = stack.enter_context(serve_council(count // PDF_EVERY, pdfs))
        crawl = measure_served("komo crawl", server, komo(
            "crawl", "--base-url", server.base_url, "--profile", "fast", "--no-publish", home=home))
        result["stages"]["crawl"] = {"stage": "crawl", "wall_s": round(crawl.wall_s, 2), "cpu_s": round(crawl.cpu_s, 2),
                                     "peak_rss_mb": round(crawl.max_rss_mb), "items": crawl.pages,
                                     "items_per_s": round(crawl.pages_per_s, 1)}
        print(f"  {'crawl':<10} {crawl.wall_s:>8.1f} s  {round(crawl.max_rss_mb):>6} MB  "
              f"{crawl.pages_per_s:.1f} pages/s", flush=True)
        baseline = fetch_only(server, workdir)
        result["fetch_only"] = {"pages": baseline.pages, "wall_s": round(baseline.wall_s, 2),
                                "pages_per_s": round(baseline.pages_per_s, 1),
                                "peak_rss_mb": round(baseline.max_rss_mb)}
        result["crawl_ratio"] = round(crawl.pages_per_s / baseline.pages_per_s, 2)
        print(f"  fetch-only {baseline.wall_s:>8.1f} s  {round(baseline.max_rss_mb):>6} MB  "
              f"{baseline.pages_per_s:.1f} pages/s  → ratio {result['crawl_ratio']}", flush=True)
        if workers_too:
            result["workers_2"] = crawl_with_workers(server, workdir, 2)
            if "pages_per_s" in result["workers_2"]:
                result["workers_2"]["ratio"] = round(result["workers_2"]["pages_per_s"] / baseline.pages_per_s, 2)
                print(f"  2 workers  {result['workers_2']['wall_s']:>8.1f} s  "
                      f"{result['workers_2']['peak_rss_mb']:>6} MB  {result['workers_2']['pages_per_s']} pages/s"
                      f"  → ratio {result['workers_2']['ratio']}", flush=True)
        result["load"] = load_baseline(home, workdir)
        added = run_child(komo("sources", "add", "oparl", council.system_url, "--name", COUNCIL, home=home))
        if added.returncode:
            raise SystemExit(added.output)
        result["stages"]["files"] = timed("files", komo("crawl", "--source", COUNCIL, "--profile", "fast",
                                                        "--no-publish", home=home), items=count // PDF_EVERY)
    with duckdb.connect(str(home / "komo.duckdb"), read_only=True) as con:
        documents = con.execute("SELECT count(*) FROM documents").fetchone()[0]
        result["documents"] = documents
        result["files_kept"] = con.execute("SELECT count(*) FROM council_downloads").fetchone()[0]
    sample = min(documents, extract_sample) if extract_sample else documents
    child = [sys.executable, "-m", "benchmarks.bench_growth", "--home", str(home), "--stage"]
    sample_args = ["--sample", str(sample)] if sample < documents else []
    result["stages"]["extract"] = timed("extract", [*child, "extract", *sample_args], items=sample)
    result["extract_sampled"] = sample < documents
    result["stages"]["classify"] = timed("classify", [*child, "classify"], items=documents)
    result["stages"]["publish"] = timed("publish", [*child, "publish"], items=documents)
    shutil.rmtree(home, ignore_errors=True)
    shutil.rmtree(workdir / "archive", ignore_errors=True)
    return result


# --------------------------------------------------------------------------------------------
# Report


def machine() -> dict[str, Any]:
    import scrapy

    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor()) if Path("/proc/cpuinfo").exists() else ""
    memory = next((int(line.split()[1]) // 1024 for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal")), 0) if Path("/proc/meminfo").exists() else 0
    return {"cores": os.cpu_count(), "cpu": cpu, "memory_mb": memory, "python": platform.python_version(),
            "scrapy": scrapy.__version__, "duckdb": duckdb.__version__, "platform": platform.platform(),
            "load_average_at_start": os.getloadavg()[0] if hasattr(os, "getloadavg") else None}


def markdown(results: dict[str, Any]) -> str:
    sizes = results["sizes"]
    m = results["machine"]
    lines = [
        "# Benchmarks",
        "",
        f"Written by `make bench` (`python -m benchmarks.bench_growth`) on {results['date']}; "
        f"{m['cores']} cores ({m['cpu']}), {m['memory_mb']:,} MB, Python {m['python']}, Scrapy {m['scrapy']}, "
        f"DuckDB {m['duckdb']}; load average {m['load_average_at_start']:.1f} at the start (other jobs on the "
        f"machine slow every figure alike; ratios are from the same run). Total {results['total_s'] / 60:.1f} min.",
        "",
        "Generated press archives (three templates of the sample site, one republished copy per "
        f"{REPUBLISH_EVERY} articles) and beside each a generated OParl council with one {PDF_PAGES}-page PDF per "
        f"{PDF_EVERY} articles ({PDF_POOL} distinct PDFs served under all file URLs). Each stage runs as its own "
        "process into one fresh home; time is wall time of the whole process, memory its peak RSS (the largest "
        "process of the stage's tree).",
        "",
        "## Stages by archive size",
        "",
        "| stage | " + " | ".join(f"{s['size']:,} articles" for s in sizes) + " |",
        "| --- | " + " | ".join("---" for _ in sizes) + " |",
    ]
    for stage in ("crawl", "files", "extract", "classify", "publish"):
        cells = []
        for size in sizes:
            row = size["stages"][stage]
            unit = "pages/s" if stage == "crawl" else "files/s" if stage == "files" else "docs/s"
            cells.append(f"{row['wall_s']:.1f} s · {row['peak_rss_mb']} MB · {row['items_per_s']:.0f} {unit}")
        lines.append(f"| {stage} | " + " | ".join(cells) + " |")
    lines.append("| documents | " + " | ".join(f"{s['documents']:,}" for s in sizes) + " |")
    sampled = [s for s in sizes if s.get("extract_sampled")]
    if sampled:
        lines += ["", f"Extraction ran on a fixed sample of {sampled[0]['stages']['extract']['items']:,} documents "
                  f"(the first by key) at {', '.join(format(s['size'], ',') for s in sampled)} articles: the whole "
                  "archive would not fit the 45-minute budget at today's nlp speed."]
    lines += extraction_note(RESULTS_DIR / "extract.json")
    lines += ["", "## Beside the baselines", "",
              "| size | crawl (pages/s) | fetch-only spider | ratio | 2 workers on Redis | ratio | "
              "store load (s) | COPY FROM Parquet (s) | load / COPY |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for s in sizes:
        w = s.get("workers_2") or {}
        lines.append(
            f"| {s['size']:,} | {s['stages']['crawl']['items_per_s']:.0f} | {s['fetch_only']['pages_per_s']:.0f} | "
            f"**{s['crawl_ratio']:.2f}** | {w.get('pages_per_s', '–')} | {w.get('ratio', '–')} | "
            f"{s['load']['komo_load_s']} | {s['load']['copy_from_parquet_s']} | {s['load']['ratio']} |")
    bench = results["scrapy_bench"]
    lines += ["", f"`scrapy bench` (Scrapy's own server and spider): {bench['max_pages_per_s']:.0f} pages/s at "
              f"best, {bench['mean_pages_per_s']:.0f} on average.", "",
              "Crawl: `komo crawl --profile fast --no-publish` (full parsing, every raw page kept gzip-compressed, "
              "the store load with incremental near-duplicates), wall time of the whole command; fetch-only: a bare "
              "Scrapy spider with the same settings reading the same listing pages and fetching every article; "
              "pages counted at the server. Store load: the crawl's load of its staging files (documents, versions, "
              "url forms, fetch log, near-duplicate signatures) in one transaction; COPY: DuckDB loading the "
              "stored documents from Parquet into an empty table, close included.", "",
              "Peak memory of the crawl by size: " + ", ".join(
                  f"{s['size']:,}: {s['stages']['crawl']['peak_rss_mb']} MB" for s in sizes)
              + "; of the fetch-only spider: " + ", ".join(f"{s['fetch_only']['peak_rss_mb']} MB" for s in sizes)
              + "."]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_growth",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--sizes", default=",".join(map(str, SIZES)), help="archive sizes (default: %(default)s)")
    parser.add_argument("--quick", action="store_true", help=f"sizes {QUICK_SIZES} (make bench-quick)")
    parser.add_argument("--huge", action="store_true", help=f"add {HUGE:,} articles (hours, not minutes)")
    parser.add_argument("--extract-sample", type=int, default=EXTRACT_SAMPLE,
                        help="extract at most this many documents per size; 0: all (default: %(default)s)")
    parser.add_argument("--report", type=Path, default=REPORT_FILE, help="Markdown report (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="JSON results (default: %(default)s)")
    parser.add_argument("--stage", choices=["extract", "classify", "publish"], help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sample", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.stage:
        print(json.dumps(stage_in_child(args.stage, args.home, args.sample), default=str))
        return 0
    sizes = list(QUICK_SIZES) if args.quick else [int(s) for s in args.sizes.split(",") if s]
    if args.huge:
        sizes.append(HUGE)
    started = time.perf_counter()
    results: dict[str, Any] = {"date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"), "machine": machine(),
                               "sizes": []}
    pdfs = council_pdfs()
    with tempfile.TemporaryDirectory(prefix="komo-bench-growth-") as tmp:
        workdir = Path(tmp)
        results["scrapy_bench"] = scrapy_bench(8, workdir)
        middle = sizes[len(sizes) // 2] if len(sizes) > 1 else sizes[0]
        for size in sizes:
            results["sizes"].append(run_size(size, workdir, pdfs, args.extract_sample or None, size == middle))
            # After every size, so that a run stopped early still leaves its figures.
            results["total_s"] = round(time.perf_counter() - started, 1)
            results["machine"]["load_average_now"] = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
            save_results(args.out, results)
            args.report.write_text(markdown(results), encoding="utf-8")
    print(f"\nreport: {args.report}; total {results['total_s'] / 60:.1f} min")
    print("crawl ratio vs fetch-only: " + ", ".join(f"{s['size']:,}: {s['crawl_ratio']:.2f}" for s in results['sizes']))
    return 0


if __name__ == "__main__":
    sys.exit(main())
