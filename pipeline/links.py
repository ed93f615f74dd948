"""The links step: press releases ↔ council papers (pipeline/store/links.py), with its settings
from data/config/links.toml. Runs in `komo update` after extraction (body mentions count) and on
demand as `komo links`."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.resources import data_file

from .store import Store
from .store.links import LinkResult, LinkSettings, link_press_releases
from .store.search import load_fts
from .writer import open_writer

CONFIG = "config/links.toml"
STOPWORDS = "lexicons/stopwords-de.txt"
ABBREVIATIONS = "lexicons/abbreviations.txt"


def _lines(relative: str) -> tuple[str, ...]:
    text = data_file(relative).read_text(encoding="utf-8")
    return tuple(line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def load_settings(**overrides: Any) -> LinkSettings:
    """The settings of data/config/links.toml (or the home's copy), with `overrides` on top."""
    path = data_file(CONFIG)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        similarity, reference = raw.get("similarity", {}), raw.get("reference", {})
        settings = LinkSettings(
            threshold=float(similarity["threshold"]), keep_ratio=float(similarity["keep_ratio"]),
            body_weight=float(similarity["body_weight"]), days_before=int(similarity["days_before"]),
            days_after=int(similarity["days_after"]), min_word_length=int(similarity["min_word_length"]),
            reference_years=int(reference["years"]),
            stopwords=tuple(w.casefold() for w in _lines(STOPWORDS)), abbreviations=_lines(ABBREVIATIONS))
    except (OSError, tomllib.TOMLDecodeError, KeyError, TypeError, ValueError) as problem:
        raise KomoError(f"{path}: not a valid links configuration ({problem}); compare it with the shipped one") \
            from None
    return LinkSettings(**{**settings.__dict__, **overrides})


def link_into(store: Store, settings: LinkSettings, sources: tuple[str, ...] = (), full: bool = False,
              command: str = "links") -> LinkResult:
    """Link on an open working store in one transaction, with its own run row; no publishing."""
    load_fts(store.con)  # the German stemmer
    with store.run(command, ",".join(sources) or None) as run:
        with store.transaction():
            result = link_press_releases(store.con, settings, run.run_id, datetime.now(UTC).replace(tzinfo=None),
                                         list(sources) or None, full)
        result.run_id = run.run_id
        run.stats = lambda: result.__dict__
    return result


def link(home: Home, sources: tuple[str, ...] = (), full: bool = False,
         echo: Callable[[str], Any] | None = None) -> LinkResult:
    """`komo links`: link under the writer lock, then publish the snapshot."""
    settings = load_settings()  # a bad config fails before the lock is taken
    with open_writer(home) as store:
        if sources:
            known = {row[0] for row in store.con.execute(
                "SELECT DISTINCT source FROM documents WHERE kind = 'press'").fetchall()}
            unknown = sorted(set(sources) - known)
            if unknown:
                raise KomoError(f"no press releases of source {', '.join(unknown)}; "
                                f"press sources in this store: {', '.join(sorted(known)) or 'none'}")
        result = link_into(store, settings, sources, full)
        store.publish(home.published_db, runs=[result.run_id])
    if echo:
        echo(result.line())
    return result
