"""Near-duplicates: the incremental MinHash + LSH links equal the previous whole-store algorithm's."""

from __future__ import annotations

import json
import random
from pathlib import Path

import duckdb
import pytest

from benchmarks.bench_crawl import synthetic_articles
from kommunalmonitor.pipeline.store import Store
from kommunalmonitor.pipeline.store.duplicates import (
    current_links,
    groups,
    jaccard,
    shingles,
    whole_store_links,
)


def _item(native_id: str, title: str, body: str, published: str) -> dict:
    return {
        "source": "test", "native_id": native_id, "canonical_url": f"http://h/presse.php?view={native_id}",
        "url_forms": [f"http://h/presse.php?view={native_id}"], "title": title, "published": published,
        "sender": "Stadtverwaltung", "category": "Politik", "body": body, "archive_year": None,
        "footer_addresses": [], "visitor_count": 5, "content_hash": str(abs(hash((title, body, published)))),
        "raw_ref": None, "fetched_at": "2026-01-01T00:00:00",
    }


def _load(store: Store, directory: Path, items: list[dict]) -> dict:
    directory.mkdir(parents=True)
    with open(directory / "items.jsonl", "w", encoding="utf-8") as handle:
        for item in items:
            handle.write(json.dumps(item, ensure_ascii=False) + "\n")
    return store.load_staging(directory, store.start_run("crawl", "test")).duplicates


def _body(article: dict) -> str:
    return "\n\n".join(block.get("text") or "\n".join(block.get("items", [])) for block in article["blocks"])


def planted_archive(count: int, seed: int) -> list[dict]:
    """Generated articles plus republished copies: verbatim, with a line added, under a new title,
    copies of copies, and near misses (half the text) that must stay apart."""
    rng = random.Random(seed)
    articles = [_item(str(a["id"]), a["title"], _body(a), a["published"]) for a in synthetic_articles(count, seed)]
    next_id = 900_000
    copies = []
    for original in rng.sample(articles, max(4, count // 25)):
        next_id += 1
        kind = rng.choice(["verbatim", "appended", "retitled", "half"])
        body = original["body"]
        title = original["title"]
        if kind == "appended":
            body += "\n\nNachtrag: Der Termin wurde um eine Woche verschoben."
        elif kind == "retitled":
            title = "Erneut: " + title
        elif kind == "half":
            body = body[: len(body) // 2]
        copies.append(_item(str(next_id), title, body, "2024-01-0" + str(rng.randint(1, 9))))
    for original in rng.sample(copies, max(1, len(copies) // 4)):  # a copy of a copy
        next_id += 1
        copies.append(_item(str(next_id), original["title"], original["body"], "2024-02-01"))
    return articles + copies


@pytest.fixture
def store(tmp_path: Path):
    with Store.open(tmp_path / "komo.duckdb") as opened:
        yield opened


def test_shingles_and_jaccard() -> None:
    assert shingles("Der Rat tagt am Montag") == {"der rat tagt am", "rat tagt am montag"}
    assert shingles("Kurz.") == {"kurz"}
    assert jaccard({1, 2}, {2, 3}) == pytest.approx(1 / 3)
    assert jaccard(set(), {1}) == 0.0


def test_groups_are_connected_components() -> None:
    found = sorted(sorted(g) for g in groups([("s", "1", "2"), ("s", "2", "3"), ("s", "7", "8")]))
    assert found == [[("s", "1"), ("s", "2"), ("s", "3")], [("s", "7"), ("s", "8")]]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_incremental_links_equal_whole_store_links_whatever_the_load_order(store, tmp_path, seed):
    items = planted_archive(400, seed)
    random.Random(seed).shuffle(items)
    for step in range(0, len(items), 90):  # several loads, copies before or after their originals
        _load(store, tmp_path / f"load-{step}", items[step:step + 90])
    expected = whole_store_links(store.con)
    assert expected, "the planted copies must be found"
    assert current_links(store.con) == expected


def test_a_load_signs_only_new_documents_and_compares_only_candidates(store, tmp_path):
    items = planted_archive(300, 4)
    first = _load(store, tmp_path / "a", items[:250])
    assert first["signed"] == 250
    second = _load(store, tmp_path / "b", items[250:])
    assert second["signed"] == len(items) - 250
    assert second["candidates"] < (len(items) - 250) * 250  # not every pair
    again = _load(store, tmp_path / "c", items[250:260])  # unchanged documents: nothing to sign
    assert again["signed"] == 0 and again["changed"] == 0
    assert current_links(store.con) == whole_store_links(store.con)


def test_a_changed_copy_loses_its_link_and_the_group_recomputes(store, tmp_path):
    body = " ".join(f"Satz Nummer {i} über den Integrationsrat und die Stadt." for i in range(30))
    _load(store, tmp_path / "a", [_item("10", "T", body, "2019-01-01"), _item("20", "T", body, "2019-03-01"),
                                  _item("30", "T", body + " Nachtrag.", "2019-02-01")])
    assert current_links(store.con) == {("test", "20"): "10", ("test", "30"): "10"}
    _load(store, tmp_path / "b", [_item("10", "T", "Ein ganz anderer Text über den Haushalt.", "2019-01-01")])
    assert current_links(store.con) == {("test", "20"): "30"} == whole_store_links(store.con)


@pytest.mark.slow
def test_sample_archive_crawl_links_equal_whole_store_links(clean_crawl, sample_site):
    home, _ = clean_crawl
    with duckdb.connect(str(home / "komo.duckdb"), read_only=True) as con:
        links = current_links(con)
        assert links == whole_store_links(con)
    assert {n: o for (_, n), o in links.items()} == {
        str(r["id"]): str(r["original"]) for r in sample_site.config.republished}
