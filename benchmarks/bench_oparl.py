"""How long a big council takes: a generated OParl council on 127.0.0.1, crawled with the real CLI.

    python -m benchmarks.bench_oparl [--papers N] [--page-size S] [--fail-rate F]

The council (tests/oparl_server.py: N papers each with a consultation and a PDF, an agenda item per
paper in meetings of 20, 30 organizations, 60 persons) is crawled three times into a fresh home:

1. the first crawl (every list, every file; with --fail-rate, that share of requests answers 500);
2. a second crawl against a server that ignores `modified_since` (everything sent again);
3. a third crawl against a server that honours it (nothing changed: list pages only).

Each time is the whole `komo crawl --profile fast` command (Scrapy subprocess, load, snapshot
publish with the search index). Object counts must not change after the first run. Needs the
checkout (the server lives in tests/). Results go to stdout and ``bench-results/oparl.json``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.util import RESULTS_DIR, save_results

REPO = Path(__file__).resolve().parent.parent
COUNTS = ("SELECT type, count(*) FILTER (WHERE NOT deleted), count(*) FILTER (WHERE deleted) "
          "FROM council_objects GROUP BY ALL ORDER BY ALL")


def _komo(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KOMO_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "kommunalmonitor.pipeline", *args], env=env,
                          capture_output=True, text=True, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--papers", type=int, default=20000)
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    args = parser.parse_args(argv)
    sys.path.insert(0, str(REPO))
    from tests.oparl_server import serve, synthetic_council

    results: dict = {"papers": args.papers, "page_size": args.page_size, "fail_rate": args.fail_rate, "runs": []}
    with tempfile.TemporaryDirectory(prefix="komo-bench-oparl-") as scratch:
        home = Path(scratch) / "home"
        with serve(lambda base: synthetic_council(base, args.papers), page_size=args.page_size,
                   fail_rate=args.fail_rate) as server:
            added = _komo("sources", "add", "oparl", server.system_url, "--name", "big", home=home)
            if added.returncode:
                print(added.stderr, file=sys.stderr)
                return 1
            counts = None
            for label, config in (("first", {}),
                                  ("ignoring modified_since", {"honour_modified_since": False, "fail_rate": 0.0}),
                                  ("honouring modified_since", {"honour_modified_since": True, "fail_rate": 0.0})):
                server.configure(**config)
                started = time.perf_counter()
                crawled = _komo("crawl", "--source", "big", "--profile", "fast", home=home)
                seconds = time.perf_counter() - started
                now = _komo("sql", "--format", "csv", COUNTS, home=home).stdout
                same = counts is None or now == counts
                counts = counts or now
                print(f"{label}: {seconds:.1f} s, exit {crawled.returncode}, counts unchanged: {same}")
                print("  " + crawled.stdout.strip())
                results["runs"].append({"run": label, "seconds": round(seconds, 1), "exit": crawled.returncode,
                                        "counts_unchanged": same, "summary": crawled.stdout.strip()})
    save_results(RESULTS_DIR / "oparl.json", results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
