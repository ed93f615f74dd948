"""What a crawl hands its crawler process: the job (paths, options, the incremental state), as
typed objects that travel as JSON (a job file, or Redis for the workers of a shared frontier)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any


@dataclass
class CrawlState:
    """A press source's incremental state, read from the store (Store.crawl_state): known articles
    with their listing fingerprints, the newest to re-check, failures due for a retry and those held."""

    known: dict[str, str | None] = field(default_factory=dict)
    recheck: list[str] = field(default_factory=list)
    retry_due: list[str] = field(default_factory=list)
    failed_hold: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> CrawlState:
        data = data or {}
        return cls(known=dict(data.get("known") or {}), recheck=list(data.get("recheck") or []),
                   retry_due=list(data.get("retry_due") or []), failed_hold=list(data.get("failed_hold") or []))


@dataclass
class CrawlJob:
    """One crawler process's job. `kind` picks the spider (press, oparl, sessionnet); `state` is the
    press spider's (None in a worker of a shared frontier: the state is in Redis), `state_file` the
    council spiders'; `frontier` names the shared frontier a worker takes its requests from."""

    source_file: str
    staging_dir: str
    raw_dir: str
    log_file: str | None = None
    kind: str = "press"
    base_url: str | None = None
    profile: str = "polite"
    settings: dict[str, Any] = field(default_factory=dict)
    full: bool = False
    since: str | None = None
    today: str | None = None
    max_pages: int | None = None
    budget: int | None = None
    state: CrawlState | None = None
    state_file: str | None = None
    frontier: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        found = {f.name: getattr(self, f.name) for f in fields(self)}
        found["state"] = self.state.to_dict() if self.state is not None else None
        return found

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> CrawlJob:
        names = {f.name for f in fields(cls)}
        unknown = set(data) - names
        if unknown:
            raise ValueError(f"a crawl job with unknown keys: {', '.join(sorted(unknown))}")
        values = {k: v for k, v in data.items() if v is not None}
        values["state"] = CrawlState.from_dict(data["state"]) if data.get("state") is not None else None
        return cls(**values)

    def write(self, path: Path) -> Path:
        path.write_text(json.dumps(self.to_dict()), encoding="utf-8")
        return path

    @classmethod
    def read(cls, path: Path) -> CrawlJob:
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))
