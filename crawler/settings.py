"""Scrapy settings for every komo crawl, as plain data.

`SETTINGS` is the polite default for real sites. `PROFILES` holds named overrides;
`fast` is the declared test profile (local archive, no throttling, short waits).
A source file may override any key under its `[settings]` table.
"""

from __future__ import annotations

from typing import Any

from scrapy.settings import Settings

BOT_NAME = "kommunalmonitor"

SETTINGS: dict[str, Any] = {
    "BOT_NAME": BOT_NAME,
    "USER_AGENT": "kommunalmonitor/0.1 (+research crawler; municipal press archives)",
    "ROBOTSTXT_OBEY": True,
    "TWISTED_REACTOR": "twisted.internet.asyncioreactor.AsyncioSelectorReactor",
    # Politeness: one site, few parallel requests, AutoThrottle adapts to the server.
    "CONCURRENT_REQUESTS": 8,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 2,
    "DOWNLOAD_DELAY": 0.5,
    "AUTOTHROTTLE_ENABLED": True,
    "AUTOTHROTTLE_START_DELAY": 1.0,
    "AUTOTHROTTLE_MAX_DELAY": 30.0,
    "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
    "DOWNLOAD_TIMEOUT": 30,
    # A press page is ~20-60 KB; anything above this is not an article.
    "DOWNLOAD_MAXSIZE": 4 * 1024 * 1024,
    "DOWNLOAD_WARNSIZE": 1024 * 1024,
    "DOWNLOAD_FAIL_ON_DATALOSS": True,
    # Retries: Scrapy's RetryMiddleware, subclassed in its slot so that it waits (Retry-After).
    "RETRY_ENABLED": True,
    "RETRY_TIMES": 2,
    "RETRY_HTTP_CODES": [500, 502, 503, 504, 522, 524, 408, 429],
    "KOMO_RETRY_BACKOFF_BASE": 2.0,
    "KOMO_RETRY_MAX_WAIT": 300.0,
    "COOKIES_ENABLED": False,
    "TELNETCONSOLE_ENABLED": False,
    "LOG_LEVEL": "INFO",
    "DOWNLOADER_MIDDLEWARES": {
        "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
        "kommunalmonitor.crawler.middlewares.RetryAfterMiddleware": 550,
        # process_response runs from high to low numbers: this sees a 3xx before the redirect.
        "kommunalmonitor.crawler.middlewares.OffsiteRedirectGuard": 620,
        # Close to the network: sees every response, retried attempts included.
        "kommunalmonitor.crawler.middlewares.RawPageArchive": 950,
    },
    # Closest to the callbacks: adds the fetch log and a spider's queued records to their output.
    "SPIDER_MIDDLEWARES": {"kommunalmonitor.crawler.items.PendingItems": 1000},
    # A page yields a handful of items and the pipelines write synchronously: Scrapy starts this
    # many item workers (asyncio tasks) for every response, so its default of 100 only costs time.
    "CONCURRENT_ITEMS": 4,
    # Scrapy re-reads a callback's source on most responses to warn about `return value` in a
    # generator; tests/test_items.py checks our callbacks once instead.
    "WARN_ON_GENERATOR_RETURN_VALUE": False,
    # Writes a spider's counters (crawler.stats) to spider.json at the end.
    # Log records below LOG_LEVEL are not made at all (Scrapy makes and drops one per item).
    "EXTENSIONS": {"kommunalmonitor.crawler.summary.SpiderSummary": 500,
                   "kommunalmonitor.crawler.loglevel.RootLogLevel": 0},
    "ITEM_PIPELINES": {
        "kommunalmonitor.crawler.pipelines.IdentityPipeline": 100,
        "kommunalmonitor.crawler.pipelines.StagingRoute": 900,
    },
    # Set per job (crawler/run.py): where staging files, kept raw pages and a council crawl's
    # incremental state are; unset, nothing is staged or kept.
    "KOMO_STAGING_DIR": None,
    "KOMO_RAW_DIR": None,
    "KOMO_STATE_FILE": None,
}

PROFILES: dict[str, dict[str, Any]] = {
    "polite": {},
    "fast": {
        "AUTOTHROTTLE_ENABLED": False,
        "DOWNLOAD_DELAY": 0,
        "CONCURRENT_REQUESTS": 16,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 16,
        "DOWNLOAD_TIMEOUT": 10,
        "KOMO_RETRY_BACKOFF_BASE": 0.2,
        "KOMO_RETRY_MAX_WAIT": 5.0,
        "LOG_LEVEL": "INFO",
    },
}


# Per kind of source, on top of the profile: an OParl council is one API host serving small JSON
# pages and files, so the fast profile may open many connections; polite stays polite.
KIND_PROFILES: dict[str, dict[str, dict[str, Any]]] = {
    "oparl": {
        "polite": {"DOWNLOAD_WARNSIZE": 32 * 1024 * 1024},
        "fast": {
            "CONCURRENT_REQUESTS": 64,
            "CONCURRENT_REQUESTS_PER_DOMAIN": 64,
            "DOWNLOAD_WARNSIZE": 32 * 1024 * 1024,
            "LOG_LEVEL": "WARNING",
        },
    },
    # SessionNet installs may want the session cookie their info page sets.
    "sessionnet": {
        "polite": {"COOKIES_ENABLED": True, "DOWNLOAD_WARNSIZE": 32 * 1024 * 1024},
        "fast": {"COOKIES_ENABLED": True, "DOWNLOAD_WARNSIZE": 32 * 1024 * 1024},
    },
}


def _layers(profile: str, kind: str | None, source: dict[str, Any] | None,
            job: dict[str, Any] | None) -> list[tuple[dict[str, Any], str]]:
    """The settings of one crawl as layers at Scrapy's priorities, lowest first: komo's defaults, the
    profile and its kind's additions ('project'), the source file's [settings] ('spider'), the
    command line's --setting ('cmdline')."""
    if profile not in PROFILES:
        raise ValueError(f"unknown crawl profile {profile!r}; choose from {sorted(PROFILES)}")
    return [(SETTINGS, "project"), (PROFILES[profile], "project"),
            (KIND_PROFILES.get(kind or "", {}).get(profile, {}), "project"),
            (source or {}, "spider"), (job or {}, "cmdline")]


def crawl_settings(profile: str = "polite", source: dict[str, Any] | None = None,
                   job: dict[str, Any] | None = None, kind: str | None = None) -> Settings:
    """Scrapy settings for one crawl, each layer set at its priority (see `_layers`)."""
    settings = Settings()
    for values, priority in _layers(profile, kind, source, job):
        settings.setdict(values, priority=priority)
    return settings


def build_settings(profile: str = "polite", overrides: dict[str, Any] | None = None,
                   kind: str | None = None) -> dict:
    """The same layers as plain data, highest priority winning (for the benchmark's settings hash
    and its fetch-only spider)."""
    merged: dict[str, Any] = {}
    for values, _ in _layers(profile, kind, overrides, None):
        merged.update(values)
    return merged
