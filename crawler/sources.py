"""Crawl sources as data: one TOML file per source, shipped under data/sources/ or added by a
user under $KOMO_HOME/sources/ (a user's file of the same name wins)."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
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

    @classmethod
    def load(cls, path: Path, base_url: str | None = None) -> Source:
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise SourceError(f"no source file {path}") from None
        except tomllib.TOMLDecodeError as bad:
            raise SourceError(f"{path.name}: {bad}") from None
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
            )
        except KeyError as missing:
            raise SourceError(f"{path.name} lacks the key {missing}") from None
        except re.error as bad:
            raise SourceError(f"{path.name} has a bad pattern: {bad}") from None

    @property
    def host(self) -> str:
        return urlsplit(self.base_url).hostname or ""

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


def source_kind(path: Path) -> str:
    """The `kind` of a source file: `press` (also written `press-archive`, the default), `oparl` or
    `sessionnet`."""
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SourceError(f"no source file {path}") from None
    except tomllib.TOMLDecodeError as bad:
        raise SourceError(f"{path.name}: {bad}") from None
    kind = str(raw.get("kind", "press"))
    return "press" if kind in PRESS_KINDS else kind

