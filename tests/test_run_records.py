"""Writing commands run inside `store.run()`: an exception leaves a 'failed' run row with the error
(a killed process stays 'running' until the next writer marks it 'aborted': tests/test_crash.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from kommunalmonitor.core.home import Home
from kommunalmonitor.crawler.oparl import OParlSource, source_toml
from kommunalmonitor.crawler.sources import Source, source_path
from kommunalmonitor.pipeline.council import crawl_council_into
from kommunalmonitor.pipeline.crawl import CrawlOptions, crawl_into
from kommunalmonitor.pipeline.store import Store


class Unwritable:
    """A --setting value a job file cannot hold: the crawl fails before its crawler process starts."""


def _runs(store: Store) -> list[tuple]:
    return store.con.execute("SELECT command, source, status, message FROM runs ORDER BY run_id").fetchall()


def _home(tmp_path: Path) -> Home:
    return Home(tmp_path / "home").ensure()


def test_a_press_crawl_that_raises_records_a_failed_run(tmp_path: Path):
    home = _home(tmp_path)
    source = Source.load(source_path("leverkusen-com"), base_url="http://127.0.0.1:9")
    with Store.open(home.db) as store:
        with pytest.raises(TypeError):
            crawl_into(store, home, source, CrawlOptions(settings={"X": Unwritable()}))
        assert _runs(store) == [("crawl", "leverkusen-com", "failed",
                                 "TypeError: Object of type Unwritable is not JSON serializable")]


def test_a_council_crawl_that_raises_records_a_failed_run(tmp_path: Path):
    home = _home(tmp_path)
    path = tmp_path / "rat.toml"
    path.write_text(source_toml("rat", "http://127.0.0.1:9/oparl/v1.1"), encoding="utf-8")
    with Store.open(home.db) as store:
        with pytest.raises(TypeError):
            crawl_council_into(store, home, OParlSource.load(path), CrawlOptions(settings={"X": Unwritable()}))
        assert _runs(store) == [("crawl", "rat", "failed",
                                 "TypeError: Object of type Unwritable is not JSON serializable")]
