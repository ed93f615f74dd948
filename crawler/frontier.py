"""Several crawler processes, one frontier: what scrapy-redis shares, and what it lacks.

scrapy-redis gives the shared scheduler and dupefilter (a Redis list of requests, a Redis set of
fingerprints). This module adds what a crawl that must not lose pages needs:

* `LeaseQueue` — a request popped by a worker is leased, not gone: it waits in a sorted set with a
  deadline until the worker acknowledges it (its callback ran and every item it produced reached the
  staging files). A worker renews its leases while it lives; the leases of a killed worker run out
  and the next pop puts their requests back in front of the queue, so another worker fetches them.
* `LeaseAcknowledger` — the spider middleware that acknowledges, and the heartbeat that renews.
* `SiteRateLimit` — one token bucket per site in Redis (Redis' clock, a Lua script), so that N
  workers together make at most KOMO_SITE_RATE requests a second, not N times that.
* `SharedCrawlState` — the incremental crawl state (known articles and their listing fingerprints,
  failures held back or due for retry, articles already requested) looked up in Redis, so no worker
  holds the archive in memory.
* `seed` — what the loader puts into Redis before workers start: the state and the start requests.

Workers never open the store; each writes its own staging directory, and one loader loads them all.
Keys of one crawl live under one prefix (`komo:<home>:run-<id>`), deleted by the loader at the end.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import socket
from collections.abc import AsyncIterator, Iterable
from typing import Any
from urllib.parse import urlsplit

import redis
from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.http import Response
from scrapy_redis.queue import Base

from kommunalmonitor.core.crawljob import CrawlJob, CrawlState

from . import redis_json

logger = logging.getLogger(__name__)

# Pop: first give back every lease past its deadline (to the popping end, so reclaimed requests go
# first), then lease the next request. Returns {token, data} or nil.
_POP = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local expired = redis.call('ZRANGEBYSCORE', KEYS[2], '-inf', t)
for _, token in ipairs(expired) do
  local data = redis.call('HGET', KEYS[3], token)
  if data then redis.call('RPUSH', KEYS[1], data) end
  redis.call('ZREM', KEYS[2], token)
  redis.call('HDEL', KEYS[3], token)
  redis.call('HINCRBY', KEYS[4], 'reclaimed', 1)
end
local data = redis.call('RPOP', KEYS[1])
if not data then return nil end
local token = tostring(redis.call('HINCRBY', KEYS[4], 'leases', 1))
redis.call('ZADD', KEYS[2], t + tonumber(ARGV[1]), token)
redis.call('HSET', KEYS[3], token, data)
return {token, data}
"""
# Push a request; when it replaces a leased one (a retry, a redirect), that lease ends in the same step.
_PUSH = """
redis.call('LPUSH', KEYS[1], ARGV[1])
if ARGV[2] ~= '' then
  redis.call('ZREM', KEYS[2], ARGV[2])
  redis.call('HDEL', KEYS[3], ARGV[2])
end
return 1
"""
_RENEW = """
local now = redis.call('TIME')
local deadline = tonumber(now[1]) + tonumber(now[2]) / 1e6 + tonumber(ARGV[1])
for i = 2, #ARGV do redis.call('ZADD', KEYS[1], 'XX', deadline, ARGV[i]) end
return 1
"""
# Token bucket: `rate` tokens a second, at most `burst`; returns 0 when a token was taken, else the
# milliseconds until one is there. Each grant's Redis time goes to the crawl's grant log (KEYS[2]), so the
# loader can report the rate the site saw, by the bucket's own clock rather than by a busy client's.
_TAKE = """
local now = redis.call('TIME')
local t = tonumber(now[1]) + tonumber(now[2]) / 1e6
local rate, burst = tonumber(ARGV[1]), tonumber(ARGV[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at')
local tokens = tonumber(state[1]) or burst
local at = tonumber(state[2]) or t
tokens = math.min(burst, tokens + (t - at) * rate)
local wait = 0
if tokens >= 1 then
  tokens = tokens - 1
  redis.call('RPUSH', KEYS[2], tostring(t))
  redis.call('LTRIM', KEYS[2], -tonumber(ARGV[3]), -1)
else
  wait = math.ceil((1 - tokens) / rate * 1000)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at', tostring(t))
redis.call('PEXPIRE', KEYS[1], 3600000)
return wait
"""
GRANT_LOG_LENGTH = 200_000  # the latest grants per site and crawl kept for the report (~4 MB at most)

LEASE_META = "komo_lease"


def crawl_prefix(home_root: str, run_id: int) -> str:
    """The key prefix of one crawl: the home names the store, the run the crawl in it."""
    return f"komo:{hashlib.sha1(home_root.encode()).hexdigest()[:10]}:run-{run_id}"


def frontier_settings(redis_url: str, prefix: str, lease_seconds: float = 60.0,
                      site_rate: float = 0.0, site_burst: float = 1.0) -> dict[str, Any]:
    """Scrapy settings (plain data) that put a crawler on the shared frontier."""
    return {
        "REDIS_URL": redis_url,
        "SCHEDULER": "scrapy_redis.scheduler.Scheduler",
        "SCHEDULER_QUEUE_CLASS": "kommunalmonitor.crawler.frontier.LeaseQueue",
        "SCHEDULER_QUEUE_KEY": f"{prefix}:requests",
        "SCHEDULER_DUPEFILTER_KEY": f"{prefix}:dupefilter",
        "DUPEFILTER_CLASS": "scrapy_redis.dupefilter.RFPDupeFilter",
        "SCHEDULER_SERIALIZER": "kommunalmonitor.crawler.redis_json",
        "SCHEDULER_PERSIST": True,  # the loader clears the crawl's keys once it has loaded
        "KOMO_FRONTIER_PREFIX": prefix,
        "KOMO_LEASE_SECONDS": lease_seconds,
        "KOMO_SITE_RATE": site_rate,
        "KOMO_SITE_BURST": site_burst,
    }


class Frontier:
    """The Redis keys of one crawl and the atomic steps on them."""

    def __init__(self, server: redis.Redis, prefix: str, lease_seconds: float = 60.0):
        self.server = server
        self.prefix = prefix
        self.lease_seconds = lease_seconds
        self.pending = f"{prefix}:requests"
        self.leased = f"{prefix}:leased"
        self.payload = f"{prefix}:payload"
        self.counters = f"{prefix}:counters"
        self._pop = server.register_script(_POP)
        self._push = server.register_script(_PUSH)
        self._renew = server.register_script(_RENEW)
        self.held: set[str] = set()

    @classmethod
    def from_url(cls, url: str, prefix: str, lease_seconds: float = 60.0) -> Frontier:
        return cls(redis.Redis.from_url(url), prefix, lease_seconds)

    def push(self, data: str, replaces: str | None = None) -> None:
        self._push(keys=[self.pending, self.leased, self.payload], args=[data, replaces or ""])
        if replaces:
            self.held.discard(replaces)

    def pop(self) -> tuple[str, bytes] | None:
        found = self._pop(keys=[self.pending, self.leased, self.payload, self.counters], args=[self.lease_seconds])
        if not found:
            return None
        token = found[0].decode() if isinstance(found[0], bytes) else str(found[0])
        self.held.add(token)
        return token, found[1]

    def ack(self, token: str) -> None:
        pipe = self.server.pipeline()
        pipe.zrem(self.leased, token).hdel(self.payload, token)
        pipe.execute()
        self.held.discard(token)

    def renew(self) -> None:
        if self.held:
            self._renew(keys=[self.leased], args=[self.lease_seconds, *self.held])

    def waiting(self) -> int:
        """Requests a pop could get now or later: queued, and leased by anyone."""
        return int(self.server.llen(self.pending)) + int(self.server.zcard(self.leased))

    def reclaimable(self) -> int:
        pipe = self.server.pipeline()
        pipe.llen(self.pending).time()
        length, (seconds, micros) = pipe.execute()
        expired = self.server.zcount(self.leased, "-inf", seconds + micros / 1e6)
        return int(length) + int(expired)

    def busiest_second(self) -> dict[str, int]:
        """Per site, the most requests the shared rate limit granted within any one second of this crawl."""
        busiest = {}
        for key in self.server.scan_iter(match=f"{self.prefix}:grants:*", count=1000):
            times = sorted(float(t) for t in self.server.lrange(key, 0, -1))
            most, start = 0, 0
            for end, t in enumerate(times):
                while t - times[start] >= 1.0:
                    start += 1
                most = max(most, end - start + 1)
            busiest[key.decode()[len(f"{self.prefix}:grants:"):]] = most
        return busiest

    def counter(self, name: str) -> int:
        return int(self.server.hget(self.counters, name) or 0)

    def keys(self) -> list[str]:
        return [key.decode() for key in self.server.scan_iter(match=f"{self.prefix}:*", count=1000)]

    def clear(self) -> None:
        """Delete every key of this crawl (the loader, after loading)."""
        keys = self.keys()
        for start in range(0, len(keys), 500):
            self.server.delete(*keys[start:start + 500])


def frontier_for(crawler: Crawler) -> Frontier | None:
    """The crawler's one Frontier (shared by the queue and the middlewares), or None without Redis."""
    settings = crawler.settings
    prefix = settings.get("KOMO_FRONTIER_PREFIX")
    if not prefix or not settings.get("REDIS_URL"):
        return None
    frontier = getattr(crawler, "_komo_frontier", None)
    if frontier is None:
        frontier = Frontier.from_url(settings["REDIS_URL"], prefix, settings.getfloat("KOMO_LEASE_SECONDS", 60.0))
        crawler._komo_frontier = frontier
    return frontier


class LeaseQueue(Base):
    """scrapy-redis queue whose pop leases (see the module docstring); FIFO."""

    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer or redis_json)
        frontier = frontier_for(spider.crawler)
        if frontier is None:
            raise NotConfigured("LeaseQueue needs KOMO_FRONTIER_PREFIX and REDIS_URL")
        self.frontier = frontier

    def __len__(self) -> int:
        return self.frontier.reclaimable()

    def push(self, request: Request) -> None:
        replaces = request.meta.pop(LEASE_META, None)  # a retry or redirect of a leased request
        self.frontier.push(self._encode_request(request), replaces)

    def pop(self, timeout: int = 0) -> Request | None:
        found = self.frontier.pop()
        if found is None:
            return None
        token, data = found
        request = self._decode_request(data)
        request.meta[LEASE_META] = token
        return request

    def clear(self) -> None:
        self.frontier.clear()


class LeaseAcknowledger:
    """Acknowledges a leased request once its callback (or errback) has run to the end and every item
    it yielded has been handled by the item pipelines; renews this worker's leases meanwhile."""

    def __init__(self, crawler: Crawler, frontier: Frontier):
        self.crawler = crawler
        self.frontier = frontier
        self.open_items: dict[str, int] = {}
        self.finished: set[str] = set()
        self.task: asyncio.Task | None = None
        crawler.signals.connect(self.item_done, signal=signals.item_scraped)
        crawler.signals.connect(self.item_done, signal=signals.item_dropped)
        crawler.signals.connect(self.item_done, signal=signals.item_error)
        crawler.signals.connect(self.request_dropped, signal=signals.request_dropped)
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.spider_idle, signal=signals.spider_idle)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> LeaseAcknowledger:
        frontier = frontier_for(crawler)
        if frontier is None:
            raise NotConfigured
        return cls(crawler, frontier)

    # -- the heartbeat ------------------------------------------------------------------------

    def spider_opened(self) -> None:
        self.task = asyncio.get_event_loop().create_task(self._heartbeat())

    async def _heartbeat(self) -> None:
        while True:
            await asyncio.sleep(self.frontier.lease_seconds / 3)
            try:
                self.frontier.renew()
            except redis.RedisError as problem:
                logger.warning("could not renew leases: %s", problem)

    def spider_closed(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def spider_idle(self) -> None:
        # Nothing to do here does not mean the crawl is done: other workers' responses may still add
        # requests, and a dead worker's leases come back when they run out.
        if self.frontier.waiting() > 0:
            raise DontCloseSpider

    # -- acknowledging ------------------------------------------------------------------------

    async def process_spider_output(self, response: Response, result: AsyncIterator[Any],
                                   spider: Spider | None = None) -> AsyncIterator[Any]:
        token = response.request.meta.get(LEASE_META) if response.request else None
        async for output in result:
            if token and not isinstance(output, Request):
                self.open_items[token] = self.open_items.get(token, 0) + 1
            yield output
        if token:
            self._finish(token)

    def process_spider_exception(self, response: Response, exception: Exception,
                                 spider: Spider | None = None) -> None:
        token = response.request.meta.get(LEASE_META) if response.request else None
        if token:
            self._finish(token)

    def _finish(self, token: str) -> None:
        self.finished.add(token)
        if not self.open_items.get(token):
            self._ack(token)

    def item_done(self, item: Any, response: Response | None = None, **kwargs: Any) -> None:
        token = response.request.meta.get(LEASE_META) if response is not None and response.request else None
        if not token or token not in self.open_items:
            return
        self.open_items[token] -= 1
        if self.open_items[token] <= 0 and token in self.finished:
            self._ack(token)

    def request_dropped(self, request: Request, **kwargs: Any) -> None:
        # A redirect or retry the dupefilter refused: its lease ends here.
        token = request.meta.get(LEASE_META)
        if token:
            self._ack(token)

    def acknowledge(self, request: Request) -> None:
        """For a spider's errback: the request failed for good and its failure is staged."""
        token = request.meta.get(LEASE_META)
        if token:
            self._ack(token)

    def _ack(self, token: str) -> None:
        self.open_items.pop(token, None)
        self.finished.discard(token)
        self.frontier.ack(token)


class SiteRateLimit:
    """At most KOMO_SITE_RATE requests a second to one host from all workers together (a token bucket
    in Redis); 0 switches it off. Scrapy's DOWNLOAD_DELAY and AutoThrottle still pace each worker."""

    def __init__(self, crawler: Crawler, server: redis.Redis, rate: float, burst: float, prefix: str):
        self.rate = rate
        self.burst = max(1.0, burst)
        self._take = server.register_script(_TAKE)
        self.waited = 0.0
        self.crawler = crawler
        self.prefix = prefix

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteRateLimit:
        rate = crawler.settings.getfloat("KOMO_SITE_RATE", 0.0)
        if rate <= 0 or not crawler.settings.get("REDIS_URL"):
            raise NotConfigured
        return cls(crawler, redis.Redis.from_url(crawler.settings["REDIS_URL"]), rate,
                   crawler.settings.getfloat("KOMO_SITE_BURST", 1.0),
                   crawler.settings.get("KOMO_FRONTIER_PREFIX") or "komo:no-crawl")

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        host = urlsplit(request.url).netloc
        # The bucket is per host across crawls (politeness is the site's); the grant log per crawl.
        keys = [f"komo:rate:{host}", f"{self.prefix}:grants:{host}"]
        while wait_ms := int(self._take(keys=keys, args=[self.rate, self.burst, GRANT_LOG_LENGTH])):
            self.waited += wait_ms / 1000
            await asyncio.sleep(wait_ms / 1000)
        return None


class SharedCrawlState:
    """The spider's incremental state in Redis: `known` (id → listing fingerprint), `failed_hold`,
    `retry_due` and `requested` look like the containers the one-process spider uses."""

    def __init__(self, server: redis.Redis, prefix: str):
        self.server = server
        self.prefix = prefix
        self.known = _RedisHash(server, f"{prefix}:known")
        self.failed_hold = _RedisSet(server, f"{prefix}:failed_hold")
        self.retry_due = _RedisSet(server, f"{prefix}:retry_due")
        self.requested = _RedisSet(server, f"{prefix}:requested")

    def prefetch(self, native_ids: list[str]) -> None:
        """One round trip for a listing page's entries instead of several per entry."""
        self.known.prefetch(native_ids)
        self.failed_hold.prefetch(native_ids)
        self.retry_due.prefetch(native_ids)


class _RedisHash:
    def __init__(self, server: redis.Redis, key: str):
        self.server, self.key = server, key
        self.cache: dict[str, str | None] = {}

    def prefetch(self, ids: list[str]) -> None:
        self.cache = dict(zip(ids, self.server.hmget(self.key, ids), strict=True)) if ids else {}

    def _get(self, native_id: str) -> bytes | str | None:
        if native_id in self.cache:
            return self.cache[native_id]
        return self.server.hget(self.key, native_id)

    def __contains__(self, native_id: object) -> bool:
        return self._get(str(native_id)) is not None

    def __getitem__(self, native_id: str) -> str | None:
        value = self._get(native_id)
        if value is None:
            raise KeyError(native_id)
        text = value.decode() if isinstance(value, bytes) else value
        return text or None  # "" stands for a known article without a fingerprint


class _RedisSet:
    def __init__(self, server: redis.Redis, key: str):
        self.server, self.key = server, key
        self.cache: dict[str, bool] = {}

    def prefetch(self, ids: list[str]) -> None:
        self.cache = dict(zip(ids, map(bool, self.server.smismember(self.key, ids)), strict=True)) if ids else {}

    def __contains__(self, native_id: object) -> bool:
        if native_id in self.cache:
            return self.cache[native_id]  # type: ignore[index]
        return bool(self.server.sismember(self.key, str(native_id)))

    def add(self, native_id: str) -> bool:
        """Add; True when it was not there yet (atomic across workers)."""
        self.cache.pop(native_id, None)
        return bool(self.server.sadd(self.key, native_id))


def seed(frontier: Frontier, state: CrawlState, requests: Iterable[dict[str, Any]], job: CrawlJob) -> int:
    """Put a crawl's state, its start requests (request dicts as `Request.to_dict` writes them) and its
    job into Redis before any worker starts. Returns the requests queued."""
    from scrapy_redis.dupefilter import RFPDupeFilter

    server, prefix = frontier.server, frontier.prefix
    known = list(state.known.items())
    pipe = server.pipeline(transaction=False)
    for start in range(0, len(known), 5000):
        pipe.hset(f"{prefix}:known", mapping={n: f or "" for n, f in known[start:start + 5000]})
        pipe.execute()
    for name, members in (("failed_hold", state.failed_hold), ("retry_due", state.retry_due)):
        if members:
            server.sadd(f"{prefix}:{name}", *members)
    fingerprints = RFPDupeFilter(server, key=f"{prefix}:dupefilter")
    queued = 0
    for record in requests:
        if record["meta"].get("native_id"):
            server.sadd(f"{prefix}:requested", record["meta"]["native_id"])
        if fingerprints.request_seen(Request(record["url"], method=record.get("method", "GET"))):
            continue
        frontier.push(redis_json.dumps(record))
        queued += 1
    server.set(f"{prefix}:job", json.dumps(job.to_dict()))
    server.sadd("komo:crawls", prefix)
    return queued


def request_record(url: str, callback: str, meta: dict[str, Any]) -> dict[str, Any]:
    """A request as `Request.to_dict` writes it (callbacks by name), for `seed`."""
    return {"url": url, "callback": callback, "errback": "on_error", "method": "GET", "headers": {},
            "body": b"", "cookies": {}, "meta": meta, "encoding": "utf-8", "priority": 0, "dont_filter": False,
            "flags": [], "cb_kwargs": {}}


def worker_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"
