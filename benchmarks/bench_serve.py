"""`komo serve` on a generated store: search page p50/p95 beside the bare `match_bm25` query,
document and topic page times, through a real server process on 127.0.0.1.

    python -m benchmarks.bench_serve [--documents N] [--requests K] [--seed S]

The store is bench_report's generator (documents, mentions, topics, extractions; about 20
mentions per document), published with `Store.publish` so the snapshot carries the full-text
index exactly as `komo update` builds it. `komo serve` then runs as its own process on that
home; every page is fetched over HTTP (wall-clock from request to the last byte), one request at
a time. The baseline is the bare BM25 query of the same words, top 20, on a read-only connection
in this process: what any search costs before filters, facets, snippets and HTML.
Results go to stdout and ``bench-results/serve.json``.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import duckdb

from benchmarks.bench_report import SEED, SOURCE, generate_store
from benchmarks.util import RESULTS_DIR, save_results

RESULTS_FILE = RESULTS_DIR / "serve.json"
DEFAULT_DOCUMENTS = 45_000
QUERIES = ["Sprachcafé", "Bürgerbüro Opladen", "Integrationsrat", "Ferienprogramm", "Kinderbetreuung Familien",
           "Seniorentreff", "Klimaschutzkonzept", "Sprachkurse Zuwanderungsgeschichte", "Musikschule",
           "Quartiersmanagement Rheindorf", "Haushaltsentwurf", "Radwegenetz"]
BARE_BM25 = ("SELECT c.source, c.native_id, s.score FROM (SELECT doc_id, "
             "fts_main_search_input.match_bm25(doc_id, ?) AS score FROM search_corpus) s "
             "JOIN search_corpus c USING (doc_id) WHERE s.score IS NOT NULL ORDER BY s.score DESC LIMIT 20")


def percentiles(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)
    return {"p50": statistics.median(ordered), "p95": ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))],
            "max": ordered[-1], "n": len(ordered)}


def timed_get(url: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    with urllib.request.urlopen(url, timeout=300) as response:
        body = response.read()
        status = response.status
    return time.perf_counter() - started, status, len(body)


@contextmanager
def served(home: Path) -> Iterator[str]:
    """`komo serve` on `home` as its own process on a free port; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    process = subprocess.Popen([sys.executable, "-m", "kommunalmonitor.pipeline", "serve", "--port", str(port)],
                               env=dict(os.environ, KOMO_HOME=str(home)), stdout=subprocess.PIPE, text=True)
    try:
        line = process.stdout.readline()  # printed once the socket listens
        if not line.startswith("komo serve: http://"):
            raise RuntimeError(f"komo serve did not start: {line!r}")
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=30)


def build_home(home: Path, documents: int, seed: int) -> dict[str, Any]:
    from kommunalmonitor.pipeline.store import Store

    data = generate_store(home / "komo.duckdb", documents * 20, seed)
    started = time.perf_counter()
    with Store.open(home / "komo.duckdb") as store:
        store.publish(home / "published" / "komo.duckdb")
    data["publish_with_index_s"] = time.perf_counter() - started
    return data


def measure(home: Path, requests: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    snapshot = home / "published" / "komo.duckdb"
    with duckdb.connect(str(snapshot), read_only=True) as con:
        from kommunalmonitor.pipeline.store.search import load_fts

        load_fts(con)
        ids = [r[0] for r in con.execute("SELECT native_id FROM documents WHERE duplicate_of IS NULL").fetchall()]
        bare = []
        for i in range(requests):
            started = time.perf_counter()
            con.execute(BARE_BM25, [QUERIES[i % len(QUERIES)]]).fetchall()
            bare.append(time.perf_counter() - started)
    results: dict[str, Any] = {"bare_bm25": percentiles(bare)}
    with served(home) as base:
        timed_get(base + "/")  # opens the snapshot: not part of any figure
        pages: dict[str, list[str]] = {
            "search_page": [base + "/suche?" + urlencode({"q": QUERIES[i % len(QUERIES)]}) for i in range(requests)],
            "search_page_filtered": [base + "/suche?" + urlencode({"q": QUERIES[i % len(QUERIES)], "field": "sprache",
                                                                   "from": "2010-01-01"}) for i in range(requests)],
            "document_page": [base + "/dokument?" + urlencode({"source": SOURCE, "id": rng.choice(ids)})
                              for _ in range(requests)],
            "topic_page": [base + "/thema/integration"] * max(5, requests // 6),
            "bar_documents_page": [base + "/thema/integration/dokumente?figure=year&key=2015"] * max(5, requests // 6),
        }
        for name, urls in pages.items():
            seconds, sizes = [], []
            for url in urls:
                elapsed, status, size = timed_get(url)
                if status != 200:
                    raise RuntimeError(f"{url} answered {status}")
                seconds.append(elapsed)
                sizes.append(size)
            results[name] = {**percentiles(seconds), "bytes_p50": statistics.median(sizes)}
    for name in ("search_page", "search_page_filtered"):
        results[name]["ratio_p50_to_bare"] = results[name]["p50"] / results["bare_bm25"]["p50"]
    return results


def report(results: dict[str, Any]) -> str:
    data = results["data"]
    lines = [f"serve benchmark: {data['rows']['documents']:,} documents, {data['rows']['mentions']:,} mentions; "
             f"snapshot with index published in {data['publish_with_index_s']:.1f} s; "
             f"{results['requests']} requests per page kind, one at a time; {results['machine']['cores']} cores",
             f"{'measurement':<26} {'p50 ms':>9} {'p95 ms':>9} {'max ms':>9} {'n':>5}  note"]
    for name, entry in results["measurements"].items():
        note = f"{entry['ratio_p50_to_bare']:.1f}x the bare query (p50)" if "ratio_p50_to_bare" in entry else ""
        if "bytes_p50" in entry:
            note = f"{entry['bytes_p50'] / 1024:.0f} kB; " + note
        lines.append(f"{name:<26} {entry['p50'] * 1000:>9.1f} {entry['p95'] * 1000:>9.1f} {entry['max'] * 1000:>9.1f} "
                     f"{entry['n']:>5}  {note}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_serve",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--documents", type=int, default=DEFAULT_DOCUMENTS, help="documents (default: %(default)s)")
    parser.add_argument("--requests", type=int, default=60, help="requests per page kind (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--out", type=Path, default=RESULTS_FILE)
    args = parser.parse_args(argv)
    if args.documents < 50 or args.requests < 1:
        parser.error("--documents must be at least 50, --requests at least 1")
    with tempfile.TemporaryDirectory(prefix="komo-bench-serve-") as folder:
        home = Path(folder)
        data = build_home(home, args.documents, args.seed)
        measured = measure(home, args.requests, args.seed)
    results = {"documents": args.documents, "requests": args.requests, "seed": args.seed, "data": data,
               "measurements": measured,
               "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                           "duckdb": duckdb.__version__, "load": os.getloadavg()}}
    print(report(results))
    save_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
