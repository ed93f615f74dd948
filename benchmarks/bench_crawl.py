"""Crawl throughput on a generated archive, as ratios against baselines measured in the same run.

    python -m benchmarks.bench_crawl [--articles N] [--repeat R]

One synthetic archive of N articles (sample-archive schema, ~300 words each, fixed seed) is
served by the sample site (fast mode, no bad pages) and measured, R times each, median reported:

* ours: a full ``komo crawl --profile fast`` into a fresh home (Scrapy subprocess, store load,
  snapshot publish: the whole command), then an incremental rerun over the unchanged archive;
* fetch-only: a bare Scrapy spider with the same settings minus our middlewares and pipelines,
  reading the same listing pages and fetching every article, doing nothing with the bodies;
* ``scrapy bench``: Scrapy's own benchmark against its own local server.

Pages are counted at the server. Results go to stdout and ``bench-results/crawl.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from benchmarks import pools
from benchmarks.util import RESULTS_DIR, save_results
from kommunalmonitor.core.german import MONTHS
from kommunalmonitor.core.resources import data_dir
from kommunalmonitor.crawler.settings import build_settings
from kommunalmonitor.pipeline.demo.sample_site import ServerHandle, serve

SITE_TOML = data_dir() / "sample-archive" / "site.toml"
RESULTS_FILE = RESULTS_DIR / "crawl.json"
PROFILE = "fast"
SEED = 20240501
RUN_TIMEOUT = 3600.0

# --------------------------------------------------------------------------------------------
# Synthetic archive

POOLS = pools.load("crawl")
SENDERS = POOLS["senders"]
CATEGORIES = POOLS["categories"]
TOPICS = ["rat", "verkehr", "kultur_sport", "soziales", "bildung", "wirtschaft", "umwelt", "verwaltung"]
ACTION_FIELDS = ["sprache", "bildung", "arbeit", "wohnen", "gesundheit", "engagement", "dialog"]
PLACES = POOLS["places"]
STREETS = POOLS["streets"]
PEOPLE = POOLS["people"]
SUBJECTS = POOLS["subjects"]
# Every title names subject and place, most also a month or a year: repeats are rare, as on the
# real site (the store's near-duplicate check compares every pair of equal titles).
TITLES = POOLS["titles"]
OPENINGS = POOLS["openings"]
MIDDLES = POOLS["middles"]
QUOTES = POOLS["quotes"]
CLOSINGS = POOLS["closings"]
# Body sentences are assembled from short slots, so that two unrelated releases share few word
# 4-grams (word 4-shingles), as two real ones do: template sentences repeated verbatim across the
# corpus would make every pair look half alike to the near-duplicate check.
ACTORS = POOLS["actors"]
VERBS = POOLS["verbs"]
WHEN = POOLS["when"]
THINGS = POOLS["things"]
WHERE = POOLS["where"]
EXTRAS = POOLS["extras"]
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2023, 12, 31)
TARGET_WORDS = 300


def _fill(rng: random.Random, template: str, published: date, subject: str, place: str) -> str:
    day = published + timedelta(days=rng.randint(3, 40))
    return template.format(
        day=day.strftime("%d.%m.%Y"), month=MONTHS[day.month - 1], subject=subject, place=place,
        person=rng.choice(PEOPLE), street=rng.choice(STREETS), number=rng.randint(12, 480),
    )


def _sentence(rng: random.Random, published: date, subject: str, place: str) -> str:
    """One body sentence from the slots above: actor, verb, when, what, where, extra."""
    day = published + timedelta(days=rng.randint(3, 400))
    values = {"day": day.strftime("%d.%m.%Y"), "month": MONTHS[day.month - 1], "year": day.year,
              "n": rng.randint(2, 480), "subject": subject, "place": rng.choice([place, *PLACES]),
              "street": rng.choice(STREETS), "person": rng.choice(PEOPLE),
              "actor": rng.choice(ACTORS).replace("Die ", "der ").replace("Der ", "dem ").replace("Das ", "dem ")}
    parts = [rng.choice(ACTORS), rng.choice(VERBS), rng.choice(WHEN), rng.choice(THINGS), rng.choice(WHERE),
             rng.choice(EXTRAS)]
    return " ".join(part.format(**values) for part in parts if part) + "."


def _blocks(rng: random.Random, published: date, subject: str, place: str) -> list[dict[str, Any]]:
    """About TARGET_WORDS words: paragraphs of 3-4 sentences, sometimes a quote or a list."""
    def fill(template: str) -> str:
        return _fill(rng, template, published, subject, place)

    def sentences(count: int) -> list[str]:
        return [_sentence(rng, published, subject, place) for _ in range(count)]

    blocks: list[dict[str, Any]] = [{"type": "p", "text": fill(rng.choice(OPENINGS))}]
    words = len(blocks[0]["text"].split())
    while words < TARGET_WORDS - 25:
        roll = rng.random()
        if roll < 0.12:
            block: dict[str, Any] = {"type": "quote", "text": fill(rng.choice(QUOTES))}
        elif roll < 0.18:
            block = {"type": "list", "items": sentences(3)}
        else:
            middle = [fill(rng.choice(MIDDLES))] if rng.random() < 0.2 else []
            block = {"type": "p", "text": " ".join(sentences(rng.randint(3, 4)) + middle)}
        blocks.append(block)
        words += len(" ".join(block.get("items", [block.get("text", "")])).split())
    blocks.append({"type": "p", "text": fill(rng.choice(CLOSINGS))})
    return blocks


def synthetic_articles(count: int, seed: int = SEED) -> Iterator[dict[str, Any]]:
    """`count` article records in the sample-archive schema; ids grow with the publication date."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(FIRST_DAY + timedelta(days=rng.randint(0, span)) for _ in range(count))
    for index, published in enumerate(days):
        subject, place = rng.choice(SUBJECTS), rng.choice(PLACES)
        title = rng.choice(TITLES).format(subject=subject, place=place, month=rng.choice(MONTHS),
                                          year=published.year + rng.randint(0, 1))
        yield {
            "id": 10_000 + 3 * index + rng.randint(0, 2),
            "published": published.isoformat(),
            "sender": rng.choice(SENDERS),
            "title": title,
            "category": rng.choice(CATEGORIES),
            "blocks": _blocks(rng, published, subject, place),
            "topic": rng.choice(TOPICS),
            "integration": rng.random() < 0.3,
            "action_fields": sorted(rng.sample(ACTION_FIELDS, rng.randint(0, 2))),
            "stadtteil": rng.choice([None, rng.randint(10, 99)]),
        }


def site_toml_without_bad_pages(text: str) -> str:
    """site.toml minus its [faults.*] and [[republished]] tables (429 waits would distort speed)."""
    kept, skipping = [], False
    for line in text.splitlines():
        header = re.match(r"^\s*\[\[?\s*([\w.\"-]+)\s*\]\]?\s*(#.*)?$", line)
        if header:
            name = header.group(1)
            skipping = name == "republished" or name == "faults" or name.startswith("faults.")
        if not skipping:
            kept.append(line)
    result = "\n".join(kept) + "\n"
    parsed = tomllib.loads(result)
    assert "faults" not in parsed and "republished" not in parsed
    return result


def write_archive(target: Path, count: int) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    with open(target / "articles.jsonl", "w", encoding="utf-8") as out:
        for record in synthetic_articles(count):
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    (target / "site.toml").write_text(
        site_toml_without_bad_pages(SITE_TOML.read_text("utf-8")), encoding="utf-8")
    return target


# --------------------------------------------------------------------------------------------
# Running and timing child processes


@dataclass
class ChildRun:
    """One child process: wall time, CPU and peak RSS of it and its waited-for descendants."""

    returncode: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    output: str


def run_child(command: list[str], cwd: Path | None = None, timeout: float = RUN_TIMEOUT) -> ChildRun:
    """Run `command` to completion; rusage comes from wait4, so it covers only this child tree."""
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as output:
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT,
                                   env={**os.environ, "PYTHONUNBUFFERED": "1"})
        watchdog = threading.Timer(timeout, process.kill)
        watchdog.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        output.seek(0)
        text = output.read()
    return ChildRun(process.returncode, wall, usage.ru_utime + usage.ru_stime,
                    usage.ru_maxrss / 1024, text)


def _self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Measurement:
    """One timed run against the served archive (pages counted at the server)."""

    name: str
    pages: int
    wall_s: float
    cpu_s: float
    max_rss_mb: float
    server_cpu_s: float
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.wall_s if self.wall_s else 0.0


def measure_served(name: str, server: ServerHandle, command: list[str], cwd: Path | None = None,
                   extra: Callable[[ChildRun], dict[str, float]] | None = None) -> Measurement:
    """Run `command` against `server`; the bench process's own CPU meanwhile is the server's."""
    before, cpu_before = len(server.requests), _self_cpu()
    run = run_child(command, cwd)
    if run.returncode != 0:
        raise SystemExit(f"{name} failed with exit code {run.returncode}:\n{run.output[-3000:]}")
    return Measurement(name, len(server.requests) - before, run.wall_s, run.cpu_s, run.max_rss_mb,
                       _self_cpu() - cpu_before, extra(run) if extra else {})


# --------------------------------------------------------------------------------------------
# The three measurements


def komo_crawl(server: ServerHandle, home: Path, name: str) -> Measurement:
    command = [sys.executable, "-m", "kommunalmonitor.pipeline", "crawl", "--base-url",
               server.base_url, "--profile", PROFILE, "--home", str(home)]

    def details(run: ChildRun) -> dict[str, float]:
        """Scrapy's own elapsed time (from the run's log) and the run summary's counts."""
        found: dict[str, float] = {}
        summary = re.search(r"(\d+) errors; (\d+) documents stored", run.output)
        if summary:
            found["errors"], found["documents_stored"] = map(float, summary.groups())
        logs = sorted((home / "logs").glob("crawl-*.log"), key=lambda p: p.stat().st_mtime)
        elapsed = re.findall(r"'elapsed_time_seconds': ([\d.]+)", logs[-1].read_text("utf-8")) if logs else []
        if elapsed:
            found["scrapy_elapsed_s"] = float(elapsed[-1])
        return found

    return measure_served(name, server, command, extra=details)


def fetch_only(server: ServerHandle, workdir: Path) -> Measurement:
    stats_file = workdir / "fetch-only-stats.json"
    command = [sys.executable, "-m", "benchmarks.bench_crawl", "--fetch-only-spider",
               server.base_url, "--stats-file", str(stats_file)]

    def scrapy_time(_: ChildRun) -> dict[str, float]:
        stats = json.loads(stats_file.read_text("utf-8"))
        return {"scrapy_elapsed_s": float(stats.get("elapsed_time_seconds", 0.0))}

    return measure_served("fetch-only Scrapy spider", server, command, extra=scrapy_time)


_LOGSTATS = re.compile(r"Crawled (\d+) pages \(at (\d+) pages/min\)")


def scrapy_bench(seconds: int, workdir: Path) -> dict[str, float]:
    """`scrapy bench` (its own server); pages/s from its per-second LogStats lines."""
    command = [sys.executable, "-m", "scrapy", "bench", "-s", f"CLOSESPIDER_TIMEOUT={seconds}",
               "-s", "LOG_LEVEL=INFO"]
    run = run_child(command, cwd=workdir)  # cwd: no scrapy.cfg may be picked up
    rates = [int(rate) / 60 for _, rate in _LOGSTATS.findall(run.output)]
    if run.returncode != 0 or not rates:
        raise SystemExit(f"scrapy bench failed (exit {run.returncode}):\n{run.output[-3000:]}")
    pages = int(_LOGSTATS.findall(run.output)[-1][0])
    elapsed = re.findall(r"'elapsed_time_seconds': ([\d.]+)", run.output)
    return {
        "max_pages_per_s": max(rates),
        "last_pages_per_s": rates[-1],
        "mean_pages_per_s": pages / float(elapsed[-1]) if elapsed else 0.0,
        "wall_s": run.wall_s,
    }


# --------------------------------------------------------------------------------------------
# The fetch-only baseline spider (runs in its own process: Scrapy's reactor cannot restart)


def fetch_only_settings() -> dict[str, Any]:
    """Our fast profile (concurrency, timeouts, robots.txt) without our middlewares and pipelines."""
    settings = build_settings(PROFILE)
    settings["DOWNLOADER_MIDDLEWARES"] = {}
    settings["ITEM_PIPELINES"] = {}
    settings["LOG_LEVEL"] = "WARNING"
    return settings


def run_fetch_only_spider(base_url: str, stats_file: Path) -> int:
    import scrapy
    from scrapy.crawler import CrawlerProcess
    from scrapy.http import Response

    from kommunalmonitor.crawler.sources import Source, source_path

    source = Source.load(source_path("leverkusen-com"), base_url=base_url)

    class FetchOnlySpider(scrapy.Spider):
        name = "fetch-only"
        allowed_domains = [source.host]

        async def start(self) -> AsyncIterator[scrapy.Request]:
            for url in source.start_urls:  # filtered like ours: page 1 is linked again later
                yield scrapy.Request(url, callback=self.parse)

        def parse(self, response: Response) -> Iterator[scrapy.Request]:
            for href in response.xpath("//a/@href").getall():
                url = response.urljoin(href)
                native_id = source.article_id(url)
                if native_id is not None:
                    yield scrapy.Request(source.canonical_url(native_id), callback=self.ignore)
                elif source.is_listing(url):
                    yield scrapy.Request(url, callback=self.parse)

        def ignore(self, response: Response) -> None:
            return None

    process = CrawlerProcess(fetch_only_settings())
    crawler = process.create_crawler(FetchOnlySpider)
    process.crawl(crawler)
    process.start()
    assert crawler.stats is not None
    stats_file.write_text(json.dumps(crawler.stats.get_stats(), default=str), encoding="utf-8")
    return 0


# --------------------------------------------------------------------------------------------
# Orchestration and report


def config_hash() -> str:
    settings = build_settings(PROFILE)
    return hashlib.sha256(json.dumps(settings, sort_keys=True).encode()).hexdigest()[:12]


def median_measurement(runs: list[Measurement]) -> dict[str, Any]:
    def med(values: list[float]) -> float:
        return float(statistics.median(values))

    keys = set().union(*(run.extra for run in runs))
    return {
        "name": runs[0].name,
        "pages": med([run.pages for run in runs]),
        "wall_s": med([run.wall_s for run in runs]),
        "pages_per_s": med([run.pages_per_s for run in runs]),
        "cpu_s": med([run.cpu_s for run in runs]),
        "cpu_ms_per_page": med([1000 * run.cpu_s / max(run.pages, 1) for run in runs]),
        "max_rss_mb": max(run.max_rss_mb for run in runs),
        "server_cpu_s": med([run.server_cpu_s for run in runs]),
        **{key: med([run.extra[key] for run in runs if key in run.extra]) for key in sorted(keys)},
    }


def run_bench(articles: int, repeat: int, bench_seconds: int) -> dict[str, Any]:
    ours: list[Measurement] = []
    rerun: list[Measurement] = []
    baseline: list[Measurement] = []
    scrapy: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="komo-bench-") as tmp:
        workdir = Path(tmp)
        archive = write_archive(workdir / "archive", articles)
        with serve(archive, fast=True) as server:
            for round_ in range(repeat):
                home = workdir / f"home-{round_}"
                ours.append(komo_crawl(server, home, "komo crawl (full)"))
                rerun.append(komo_crawl(server, home, "komo crawl (incremental rerun)"))
                shutil.rmtree(home, ignore_errors=True)
                baseline.append(fetch_only(server, workdir))
                scrapy.append(scrapy_bench(bench_seconds, workdir))
    results: dict[str, Any] = {
        "articles": articles,
        "repeat": repeat,
        "profile": PROFILE,
        "config_hash": config_hash(),
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform},
        "ours": median_measurement(ours),
        "incremental": median_measurement(rerun),
        "fetch_only": median_measurement(baseline),
        "scrapy_bench": {key: float(statistics.median(run[key] for run in scrapy)) for key in scrapy[0]},
        "runs": {
            "ours": [asdict(run) for run in ours],
            "incremental": [asdict(run) for run in rerun],
            "fetch_only": [asdict(run) for run in baseline],
            "scrapy_bench": scrapy,
        },
    }
    stored = results["ours"].get("documents_stored")
    if stored != articles or results["ours"].get("errors"):
        print(f"warning: our crawl stored {stored} of {articles} articles "
              f"with {results['ours'].get('errors')} errors", file=sys.stderr)
    results["ratios"] = {
        "ours_vs_fetch_only": results["ours"]["pages_per_s"] / results["fetch_only"]["pages_per_s"],
        "ours_vs_scrapy_bench": results["ours"]["pages_per_s"] / results["scrapy_bench"]["max_pages_per_s"],
    }
    return results


def report(results: dict[str, Any]) -> str:
    header = (f"{'measurement':<32} {'pages':>6} {'wall s':>7} {'scrapy s':>8} {'pages/s':>8} "
              f"{'CPU ms/page':>11} {'server CPU s':>12} {'peak RSS MB':>11}")
    lines = [
        f"crawl benchmark: {results['articles']} articles, median of {results['repeat']}, "
        f"{results['machine']['cores']} cores, profile {results['profile']} "
        f"(config {results['config_hash']})",
        header,
        "-" * len(header),
    ]
    for key in ("ours", "fetch_only", "incremental"):
        row = results[key]
        scrapy_s = f"{row['scrapy_elapsed_s']:.2f}" if "scrapy_elapsed_s" in row else "-"
        lines.append(
            f"{row['name']:<32} {row['pages']:>6.0f} {row['wall_s']:>7.2f} {scrapy_s:>8} "
            f"{row['pages_per_s']:>8.1f} {row['cpu_ms_per_page']:>11.2f} {row['server_cpu_s']:>12.2f} "
            f"{row['max_rss_mb']:>11.0f}"
        )
    bench = results["scrapy_bench"]
    lines.append(f"{'scrapy bench (own server)':<32} {'':>6} {bench['wall_s']:>7.2f} {'':>8} "
                 f"{bench['max_pages_per_s']:>8.1f}   (max; last {bench['last_pages_per_s']:.1f}, "
                 f"mean {bench['mean_pages_per_s']:.1f})")
    ratios = results["ratios"]
    lines += [
        f"ratio ours/fetch-only:   {ratios['ours_vs_fetch_only']:.2f}",
        f"ratio ours/scrapy-bench: {ratios['ours_vs_scrapy_bench']:.2f}",
        "pages: counted at the server; wall: whole command incl. startup, store load and publish; "
        "scrapy s: spider open to close",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_crawl",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--articles", type=int, default=3000, help="articles in the generated archive")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is shown")
    parser.add_argument("--scrapy-bench-seconds", type=int, default=8,
                        help="CLOSESPIDER_TIMEOUT of scrapy bench (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="JSON results (default: %(default)s)")
    parser.add_argument("--fetch-only-spider", metavar="BASE_URL", help=argparse.SUPPRESS)
    parser.add_argument("--stats-file", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.fetch_only_spider:
        return run_fetch_only_spider(args.fetch_only_spider, args.stats_file)
    if args.articles < 1 or args.repeat < 1:
        parser.error("--articles and --repeat must be at least 1")
    results = run_bench(args.articles, args.repeat, args.scrapy_bench_seconds)
    print(report(results))
    save_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
