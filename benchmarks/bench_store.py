"""The store side of a crawl at several sizes: time and memory of the load and of the publish.

    python -m benchmarks.bench_store [--articles 1000 4000 10000] [--workdir DIR]

For each size a generated archive (bench_crawl.write_archive) is crawled once by
`komo crawl --profile fast` stopped at the `before_load` kill point (core/faults.py), which leaves
the run's staging files (items, forms, pages, layout checks, presigned near-duplicate bands) in
place. A fresh child process then loads them into an empty store (`Store.load_staging`, one
transaction) and publishes (`Store.publish`: compound splitting, fts index, snapshot copy), and
reports each step's wall time and peak RSS (sampled every 10 ms). The baseline is DuckDB's own
`COPY … FROM` a Parquet file of the same documents. Figures go to stdout and
bench-results/store.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

from benchmarks.bench_crawl import write_archive
from benchmarks.util import RESULTS_DIR, save_results


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


class _Peak:
    """The highest RSS of this process while a step runs (a sampling thread: ru_maxrss never resets)."""

    def __init__(self) -> None:
        self.peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, _rss_mb())
            time.sleep(0.01)

    def __enter__(self) -> _Peak:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())


def staging_of(articles: int, workdir: Path) -> Path:
    """A crawl's staging directory for `articles` generated articles, made once per workdir."""
    from kommunalmonitor.pipeline.demo.sample_site import serve

    home = workdir / f"home-{articles}"
    found = sorted(home.glob("staging/run-*"))
    if found:
        return found[0]
    archive = workdir / f"archive-{articles}"
    if not (archive / "articles.jsonl").exists():
        write_archive(archive, articles)
    with serve(archive, fast=True) as server:
        # Its own process group: the kill point SIGKILLs the whole group.
        subprocess.run([sys.executable, "-m", "kommunalmonitor.pipeline", "crawl", "--base-url", server.base_url,
                        "--profile", "fast"], env={**os.environ, "KOMO_HOME": str(home), "KOMO_KILL_AT": "before_load"},
                       start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    found = sorted(home.glob("staging/run-*"))
    if not found:
        raise SystemExit(f"the crawl of {articles} articles left no staging files in {home}")
    return found[0]


def measure(staging: Path, target: Path) -> dict[str, Any]:
    """Load `staging` into a fresh store at `target` and publish it; run in a fresh process."""
    import duckdb

    from kommunalmonitor.pipeline.store import Store

    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    found: dict[str, Any] = {"rss_start_mb": round(_rss_mb())}
    with Store.open(target / "komo.duckdb") as store:
        run_id = store.start_run("crawl", "bench")
        with _Peak() as peak:
            started = time.perf_counter()
            result = store.load_staging(staging, run_id)
            found["load_s"] = round(time.perf_counter() - started, 2)
        found["load_peak_mb"] = round(peak.peak)
        found["documents"] = result.documents_new
        store.finish_run(run_id, "ok", {}, "")
        with _Peak() as peak:
            started = time.perf_counter()
            store.publish(target / "published" / "komo.duckdb", runs=[run_id])
            found["publish_s"] = round(time.perf_counter() - started, 2)
        found["publish_peak_mb"] = round(peak.peak)
        parquet = target / "documents.parquet"
        store.con.execute(f"COPY (SELECT * FROM documents) TO '{parquet}' (FORMAT parquet)")  # noqa: S608 (our path)
    started = time.perf_counter()
    with duckdb.connect(str(target / "copy.duckdb")) as fresh:
        fresh.execute("CREATE TABLE documents AS SELECT * FROM read_parquet(?) LIMIT 0", [str(parquet)])
        fresh.execute(f"COPY documents FROM '{parquet}' (FORMAT parquet)")  # noqa: S608 (our path)
    found["copy_s"] = round(time.perf_counter() - started, 2)
    found["load_per_copy"] = round(found["load_s"] / found["copy_s"], 1) if found["copy_s"] else None
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.bench_store", description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="examples:\n  python -m benchmarks.bench_store\n"
               "  python -m benchmarks.bench_store --articles 1000 10000 --workdir /tmp/bench-store")
    parser.add_argument("--articles", type=int, nargs="+", default=[1000, 4000, 10000])
    parser.add_argument("--workdir", type=Path, default=RESULTS_DIR / "store-work",
                        help="archives, crawled staging files (reused) and stores")
    parser.add_argument("--measure", nargs=2, type=Path, metavar=("STAGING", "TARGET"), help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.measure:  # the child: one load and publish, figures as JSON on the last line
        print(json.dumps(measure(*args.measure)))
        return 0
    rows = []
    print("| articles | load s | load peak MB | publish s | publish peak MB | COPY s | load / COPY |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for articles in args.articles:
        staging = staging_of(articles, args.workdir.resolve())
        child = subprocess.run([sys.executable, "-m", "benchmarks.bench_store", "--measure", str(staging),
                                str(args.workdir.resolve() / f"store-{articles}")],
                               capture_output=True, text=True, check=True)
        row = {"articles": articles, **json.loads(child.stdout.strip().splitlines()[-1])}
        rows.append(row)
        print(f"| {articles:,} | {row['load_s']} | {row['load_peak_mb']} | {row['publish_s']} | "
              f"{row['publish_peak_mb']} | {row['copy_s']} | {row['load_per_copy']} |", flush=True)
    save_results(RESULTS_DIR / "store.json", {"sizes": rows, "load_average": os.getloadavg()[0]})
    return 0


if __name__ == "__main__":
    sys.exit(main())
