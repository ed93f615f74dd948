"""Entry point of the crawl subprocess: `python -m kommunalmonitor.crawler.run JOB.json`.

Scrapy's reactor cannot be restarted inside one process, so every crawl runs here, in a
process of its own, and writes only staging files; the parent loads them into the store.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from scrapy.crawler import CrawlerProcess

from kommunalmonitor.core.crawljob import CrawlJob

from .frontier import frontier_settings
from .oparl import SOURCE_KIND, OParlSource
from .sessionnet import SOURCE_KIND as SESSIONNET
from .sessionnet import SessionNetSource
from .settings import crawl_settings
from .sources import Source
from .spiders.oparl import OParlSpider
from .spiders.press import PressArchiveSpider
from .spiders.sessionnet import SessionNetSpider


def run_job(job: CrawlJob) -> None:
    kind = job.kind
    if kind == SOURCE_KIND:
        source = OParlSource.load(Path(job.source_file), base_url=job.base_url)
        spider = OParlSpider
    elif kind == SESSIONNET:
        source = SessionNetSource.load(Path(job.source_file), base_url=job.base_url)
        spider = SessionNetSpider
    else:
        source = Source.load(Path(job.source_file), base_url=job.base_url)
        spider = PressArchiveSpider
    settings = crawl_settings(job.profile, dict(source.settings), job.settings, kind)
    # What the job itself decides wins over every layer.
    settings.setdict({"LOG_FILE": job.log_file, "LOG_FILE_APPEND": True, "KOMO_RAW_DIR": job.raw_dir,
                      "KOMO_STAGING_DIR": str(staging_dir(job)), "KOMO_STATE_FILE": job.state_file},
                     priority="cmdline")
    if job.max_pages:
        settings.set("CLOSESPIDER_PAGECOUNT", int(job.max_pages), priority="cmdline")
    if job.frontier:
        settings.setdict(worker_settings(settings, job.frontier), priority="cmdline")
    process = CrawlerProcess(settings, install_root_handler=True)
    process.crawl(spider, job=job)
    process.start()


def staging_dir(job: CrawlJob) -> Path:
    """Where this process stages: the job's folder, or a folder of its own in it for one of several
    workers on a shared frontier (the loader reads them all)."""
    if job.frontier:
        return Path(job.staging_dir) / f"worker-{job.frontier['worker']}"
    return Path(job.staging_dir)


def worker_settings(settings: Mapping[str, Any], frontier: dict[str, Any]) -> dict[str, Any]:
    """What puts this process on a shared Redis frontier as one of several workers."""
    added = frontier_settings(frontier["redis_url"], frontier["prefix"], float(frontier.get("lease_seconds", 60)),
                              float(frontier.get("site_rate", 0)), float(frontier.get("site_burst", 1)))
    added["SPIDER_MIDDLEWARES"] = {**settings.get("SPIDER_MIDDLEWARES", {}),
                                   "kommunalmonitor.crawler.frontier.LeaseAcknowledger": 5}
    added["DOWNLOADER_MIDDLEWARES"] = {**settings.get("DOWNLOADER_MIDDLEWARES", {}),
                                       "kommunalmonitor.crawler.frontier.SiteRateLimit": 960}
    return added


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    if len(args) != 1:
        print("usage: python -m kommunalmonitor.crawler.run JOB.json", file=sys.stderr)
        return 2
    job = CrawlJob.read(Path(args[0]))
    logging.captureWarnings(True)
    run_job(job)
    return 0


if __name__ == "__main__":
    sys.exit(main())
