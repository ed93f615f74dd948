"""What the two council spiders (OParl, SessionNet) share: the job's source, hosts, staging and
kept-copy folder, a thread pool for files, how a failed request is described, and the rows a
failure or a file download leaves in staging."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import scrapy
from scrapy.exceptions import IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from kommunalmonitor.core.crawljob import CrawlJob

from ..middlewares import OffsiteRedirect
from ..staging import StagingWriter


class CouncilSpider(scrapy.Spider):
    """Base of the council spiders; a subclass names its source class in `source_class`."""

    source_class: Any = None

    def __init__(self, job: CrawlJob, **kwargs: Any):
        super().__init__(**kwargs)
        self.job = job
        self.source = self.source_class.load(Path(job.source_file), base_url=job.base_url)
        self.policy = self.source.host_policy()
        self.allowed_domains = self.policy.hostnames
        self.staging = StagingWriter(Path(job.staging_dir))
        self.raw_dir = Path(job.raw_dir)
        self.state: dict[str, Any] = (json.loads(Path(job.state_file).read_text(encoding="utf-8"))
                                      if job.state_file else {})
        self.started_at = now()
        self.requested_files: set[str] = set()
        self.stats: Counter[str] = Counter()
        # Hashing and compressing council files off the reactor thread (zlib and hashlib let go
        # of the GIL on large buffers).
        self.pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix="komo-files")

    @staticmethod
    def describe_failure(failure: Failure, default_limit_mb: float) -> tuple[int | None, str, bool]:
        """(HTTP status, one-line reason, transient?) of a failed request."""
        request = failure.request
        attempts = request.meta.get("retry_times", 0) + 1
        suffix = f" after {attempts} attempts" if attempts > 1 else ""
        if failure.check(HttpError):
            status = failure.value.response.status
            reason = f"HTTP {status} {phrase(status)}{suffix}"
            if request.meta.get("komo_gave_up"):
                reason += f" ({request.meta['komo_gave_up']})"
            return status, reason, status >= 500 or status in (408, 429)
        if failure.check(OffsiteRedirect):
            return failure.value.status, str(failure.value), False
        if failure.check(IgnoreRequest):
            message = str(failure.value)
            return None, "forbidden by robots.txt" if "robots.txt" in message else f"ignored: {message}", False
        name = type(failure.value).__name__
        if name in ("DownloadCancelledError", "CancelledError") or "maxsize" in str(failure.value).lower():
            limit = request.meta.get("download_maxsize", default_limit_mb * 1024 * 1024) / (1024 * 1024)
            return None, f"larger than the {limit:g} MB download limit", False
        if "Timeout" in name or "TimedOut" in name:
            return None, "timeout" + suffix, True
        return None, f"{name}: {str(failure.value)[:200]}{suffix}", True

    def _error(self, url: str, status: int | None, reason: str, transient: bool, kind: str,
               object_id: str | None = None) -> None:
        self.logger.warning("failed %s: %s", url, reason)
        self.stats[f"errors_{kind}"] += 1
        self.staging.write("errors", {"source": self.source.name, "url": url, "native_id": object_id, "kind": kind,
                                      "status": status, "reason": reason, "transient": transient,
                                      "failed_at": now()})

    def _download(self, file_id: str, url: str, status: int | None, raw_ref: str | None, error: str | None,
                  transient: bool | None, mime: str | None, sha256: str | None = None,
                  size: int | None = None) -> None:
        self.staging.write("downloads", {
            "source": self.source.name, "file_id": file_id, "url": url, "status": status, "raw_ref": raw_ref,
            "sha256": sha256, "size": size, "mime_type": mime, "error": error, "transient": transient,
            "fetched_at": now()})

    def _finish(self, summary: dict[str, Any]) -> None:
        """The run's figures for the loader (spider.json), then staging and the file pool closed."""
        (Path(self.job.staging_dir) / "spider.json").write_text(json.dumps(summary))
        self.staging.close()
        self.pool.shutdown(wait=True)


def phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""


def now() -> str:
    return datetime.now(UTC).replace(tzinfo=None).isoformat()
