"""Crawl sources as data: one TOML file per source, shipped under data/sources/ or added by a
user under $KOMO_HOME/sources/ (a user's file of the same name wins)."""

from __future__ import annotations

import re
import time
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

from kommunalmonitor.core.resources import data_file, data_files


class SourceError(ValueError):
    """A source file is missing or malformed."""


@dataclass(frozen=True)
class PageLayout:
    """Compiled text-layout rules for a source's detail pages."""

    publication_lines: tuple[re.Pattern[str], ...]
    archive_line: re.Pattern[str]
    category_lines: tuple[re.Pattern[str], ...]
    addresses_line: re.Pattern[str]
    visitors_line: re.Pattern[str]
    body_end_lines: tuple[re.Pattern[str], ...]
    furniture_lines: tuple[re.Pattern[str], ...]
    teaser_link_word: str = "lesen"
    # Publication lines that close the article instead of opening it (body above them).
    closing_publication_lines: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> PageLayout:
        def many(key: str) -> tuple[re.Pattern[str], ...]:
            return tuple(re.compile(p) for p in raw.get(key, []))

        try:
            return cls(
                publication_lines=many("publication_lines"),
                archive_line=re.compile(raw["archive_line"]),
                category_lines=many("category_lines"),
                addresses_line=re.compile(raw["addresses_line"]),
                visitors_line=re.compile(raw["visitors_line"]),
                body_end_lines=many("body_end_lines"),
                furniture_lines=many("furniture_lines"),
                teaser_link_word=raw.get("teaser_link_word", "lesen"),
                closing_publication_lines=many("closing_publication_lines"),
            )
        except KeyError as missing:
            raise SourceError(f"[layout] lacks {missing}") from None
        except re.error as bad:
            raise SourceError(f"[layout] has a bad pattern: {bad}") from None


@dataclass(frozen=True)
class Source:
    """One configured crawl source (e.g. `leverkusen-com`)."""

    name: str
    base_url: str
    start_paths: tuple[str, ...]
    canonical_article: str
    listing_patterns: tuple[re.Pattern[str], ...]
    id_patterns: tuple[re.Pattern[str], ...]
    layout: PageLayout
    recheck_recent: int = 10
    retry_failed_after_hours: float = 6.0
    content_css: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    path: Path | None = None
    # Every host that serves this source's pages (mirrors too): chooses its layout for a page URL.
    hosts: tuple[str, ...] = ()

    @classmethod
    def load(cls, path: Path, base_url: str | None = None) -> Source:
        raw = read_source_file(path)
        try:
            incremental = raw.get("incremental", {})
            return cls(
                name=raw["name"],
                base_url=(base_url or raw["base_url"]).rstrip("/"),
                start_paths=tuple(raw["start_paths"]),
                canonical_article=raw["canonical_article"],
                listing_patterns=tuple(re.compile(p) for p in raw["listing"]["url_patterns"]),
                id_patterns=tuple(re.compile(p) for p in raw["article"]["id_patterns"]),
                layout=PageLayout.from_dict(raw["layout"]),
                recheck_recent=int(incremental.get("recheck_recent", 10)),
                retry_failed_after_hours=float(incremental.get("retry_failed_after_hours", 6)),
                content_css=raw.get("hints", {}).get("content_css", ""),
                settings=dict(raw.get("settings", {})),
                path=path,
                hosts=tuple(_host_key(h) for h in raw.get("hosts", [])),
            )
        except KeyError as missing:
            raise SourceError(f"{path.name} lacks the key {missing}") from None
        except re.error as bad:
            raise SourceError(f"{path.name} has a bad pattern: {bad}") from None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

    def serves(self, url: str | None) -> bool:
        """Whether a page URL lies on one of this source's hosts (its own or a mirror)."""
        if not url:
            return False
        host = _host_key(urlsplit(url).hostname or "")
        return bool(host) and (host == _host_key(self.host) or host in self.hosts)

    @property
    def start_urls(self) -> list[str]:
        return [self.absolute(p) for p in self.start_paths]

    def absolute(self, path_or_url: str) -> str:
        return urljoin(self.base_url + "/", path_or_url)

    def article_id(self, url: str) -> str | None:
        """The native id of a detail-page URL in any of its forms, or None if not an article."""
        parts = urlsplit(url)
        if parts.hostname and parts.hostname != self.host:
            return None
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        for pattern in self.id_patterns:
            match = pattern.search(local)
            if match:
                return str(int(match.group(1)))
        return None

    def is_listing(self, url: str) -> bool:
        parts = urlsplit(url)
        if parts.hostname and parts.hostname != self.host:
            return False
        local = parts.path + (f"?{parts.query}" if parts.query else "")
        return any(p.search(local) for p in self.listing_patterns)

    def canonical_url(self, native_id: str) -> str:
        return self.absolute(self.canonical_article.format(id=native_id))


def _host_key(host: str) -> str:
    """A host name as compared: lower case, without a trailing dot or a leading `www.`."""
    host = host.strip().lower().rstrip(".")
    return host[4:] if host.startswith("www.") else host


@lru_cache(maxsize=1)
def _press_sources(signature: tuple[tuple[str, float], ...]) -> tuple[Source, ...]:
    found = []
    files = data_files("sources")
    for name, _ in signature:
        path = files[name]
        try:
            if source_kind(path) == "press":
                found.append(Source.load(path))
        except SourceError:
            continue  # a broken user file must not stop pages of other sources from being read
    return tuple(found)


_SOURCE_FILES: list[Any] = [0.0, {}]


def source_for_url(url: str | None) -> Source | None:
    """The press source whose hosts serve this URL (base host or a mirror listed in `hosts`)."""
    if not url:
        return None
    now = time.monotonic()
    if now - _SOURCE_FILES[0] > 1.0:  # a source file added or edited is seen within a second
        _SOURCE_FILES[:] = [now, data_files("sources")]
    files = _SOURCE_FILES[1]
    try:
        signature = tuple((name, path.stat().st_mtime) for name, path in files.items())
    except OSError:
        _SOURCE_FILES[0] = 0.0
        return None
    for source in _press_sources(signature):
        if source.serves(url):
            return source
    return None


def source_path(name_or_path: str) -> Path:
    """A source given by name ($KOMO_HOME/sources/NAME.toml, else data/sources/NAME.toml) or by path."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".toml":
        return candidate
    return data_file(f"sources/{name_or_path}.toml")


def available_sources() -> list[str]:
    """Names of every source: the shipped ones and the user's own."""
    return list(data_files("sources"))


# Kinds of source file (the `kind` key); files without one are press archives.
PRESS_KINDS = frozenset({"press", "press-archive"})


def read_source_file(path: Path, error: type[Exception] | None = None) -> dict[str, Any]:
    """A source file's TOML; a missing or malformed file raises `error` (SourceError by default)
    with a one-line reason."""
    error = error or SourceError
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise error(f"no source file {path}") from None
    except tomllib.TOMLDecodeError as bad:
        raise error(f"{path.name}: {bad}") from None


def source_kind(path: Path) -> str:
    """The `kind` of a source file: `press` (also written `press-archive`, the default), `oparl` or
    `sessionnet`."""
    raw = read_source_file(path)
    kind = str(raw.get("kind", "press"))
    return "press" if kind in PRESS_KINDS else kind

