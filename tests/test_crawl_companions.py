"""What the crawl's waiting process does while Scrapy runs: it reads the staged lines as they
arrive and learns furniture, signs documents and splits compounds ahead of the load. Each must
give what the same work gives after the crawl, and a failing one must not fail the crawl."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kommunalmonitor.crawler.furniture import StagingLearner, furniture_file, learn_from_staging
from kommunalmonitor.crawler.sources import Source, source_path
from kommunalmonitor.crawler.staging import StagedTail, save_raw_page
from kommunalmonitor.pipeline.crawl import _step_companions
from kommunalmonitor.pipeline.store import compounds
from kommunalmonitor.pipeline.store.compounds import SplitAhead, split_word

SLOGAN = "Ihr Portal für die Stadt am Rhein"
MENU = "Startseite | Rathaus | Presse | Kontakt"


def _page(number: int) -> bytes:
    body = (f"<p>Artikel {number}: Die Stadt eröffnet eine Kita mit {number} Plätzen und lädt alle "
            f"Familien aus dem Stadtteil Nummer {number} zur Besichtigung ein.</p>")
    return f"<html><body><div>{SLOGAN}</div><div>{MENU}</div>{body}</body></html>".encode()


def _stage(home: Path, staging: Path, numbers: range, torn_tail: bool = False) -> None:
    """Keep the pages under raw/ and append their items to items.jsonl (optionally a torn last line)."""
    staging.mkdir(parents=True, exist_ok=True)
    with open(staging / "items.jsonl", "a", encoding="utf-8") as out:
        for n in numbers:
            raw_ref = save_raw_page(home / "raw", _page(n))
            out.write(json.dumps({"source": "leverkusen-com", "native_id": str(n), "raw_ref": raw_ref,
                                  "title": f"Neue Integrationskursangebote {n}",
                                  "body": "Die Flüchtlingsunterkunft und das Sprachkursangebot."}) + "\n")
        if torn_tail:
            out.write('{"source": "leverkusen-com", "native_id": "torn"')


def _without_time(path: Path) -> dict:
    payload = json.loads(path.read_text(encoding="utf-8"))
    payload.pop("updated")
    return payload


def test_the_tail_reads_whole_lines_once_and_a_torn_line_when_it_is_complete(tmp_path: Path):
    staging = tmp_path / "staging"
    staging.mkdir()
    tail = StagedTail(staging)
    assert tail.new_records() == []  # nothing staged yet
    (staging / "items.jsonl").write_text('{"native_id": "1"}\n{"native_id": "2"}\n{"nat', encoding="utf-8")
    assert [r["native_id"] for r in tail.new_records()] == ["1", "2"]
    assert tail.new_records() == []
    with open(staging / "items.jsonl", "a", encoding="utf-8") as out:
        out.write('ive_id": "3"}\n[1, 2]\nnot json\n')
    assert [r["native_id"] for r in tail.new_records()] == ["3"]  # foreign and broken lines are skipped


def test_furniture_learnt_during_the_crawl_equals_learning_after_it(tmp_path: Path):
    source = Source.load(source_path("leverkusen-com"))
    during, after = tmp_path / "during", tmp_path / "after"
    learner = StagingLearner(during, source, during / "staging", pages_per_step=7)
    for chunk in (range(0, 10), range(10, 25), range(25, 40)):
        _stage(during, during / "staging", chunk)
        _stage(after, after / "staging", chunk)
        before = learner.learnt.added if learner.learnt else 0
        assert learner.step() > 0
        assert learner.learnt.added - before == 7  # a step reads a bounded number of pages
    _stage(during, during / "staging", range(0, 5), torn_tail=True)  # re-fetched pages count once
    _stage(after, after / "staging", range(0, 5), torn_tail=True)
    stats = learner.finish()
    assert stats == learn_from_staging(after, source, after / "staging")
    assert stats["pages"] == 40
    file_during = _without_time(furniture_file(during, source.name))
    assert file_during == _without_time(furniture_file(after, source.name))
    assert file_during["lines"][SLOGAN] == 40


def test_nothing_staged_writes_no_furniture_file(tmp_path: Path):
    source = Source.load(source_path("leverkusen-com"))
    learner = StagingLearner(tmp_path, source, tmp_path / "staging")
    assert learner.step() == 0
    assert learner.finish() == {"pages": 0, "added": 0, "lines": 0}
    assert not furniture_file(tmp_path, source.name).exists()


def test_split_ahead_waits_for_a_large_crawl_then_splits_every_new_word_once(tmp_path: Path):
    split_word.cache_clear()
    staging = tmp_path / "staging"
    ahead = SplitAhead(staging, min_documents=3, words_per_step=2)
    _stage(tmp_path, staging, range(2))
    assert ahead.step() == 0 and split_word.cache_info().currsize == 0  # a small crawl: no tables loaded
    _stage(tmp_path, staging, range(2, 4))
    words = {"Integrationskursangebote", "Flüchtlingsunterkunft", "Sprachkursangebot"}
    done = 0
    while step := ahead.step():
        assert step <= 2
        done += step
    assert done == len(words) == ahead.split
    assert split_word.cache_info().currsize == len(words)
    ahead.close()
    assert compounds.split_word("Flüchtlingsunterkunft") == ("Flüchtling", "Unterkunft")  # from the cache
    import split_words.splitter as package

    assert package.ngram_probs is None  # the tables were freed; the answers stayed


class _Broken:
    def step(self) -> int:
        raise OSError("disk full")


class _Counting:
    def __init__(self) -> None:
        self.steps = 0

    def step(self) -> int:
        self.steps += 1
        return 2


def test_a_failing_companion_is_dropped_and_the_others_go_on(caplog: pytest.LogCaptureFixture):
    counting = _Counting()
    companions = [_Broken(), counting]
    with caplog.at_level(logging.WARNING):
        assert _step_companions(companions) == 2
    assert companions == [counting]
    assert "_Broken stopped during the crawl: disk full" in caplog.text
    assert _step_companions(companions) == 2 and counting.steps == 2


def test_pages_counted_before_do_not_end_the_learning_early(tmp_path: Path):
    """Re-fetched articles first, new ones after, in more than one chunk of the staged file: the new
    ones are learnt all the same."""
    source = Source.load(source_path("leverkusen-com"))
    staging = tmp_path / "staging"
    _stage(tmp_path, staging, range(0, 30))
    assert StagingLearner(tmp_path, source, staging).finish()["pages"] == 30
    (staging / "items.jsonl").unlink()
    _stage(tmp_path, staging, range(0, 30))     # all counted before
    _stage(tmp_path, staging, range(30, 35))    # new
    stats = StagingLearner(tmp_path, source, staging, chunk_bytes=2_000).finish()
    assert stats == {"pages": 35, "added": 5, "lines": stats["lines"]}
