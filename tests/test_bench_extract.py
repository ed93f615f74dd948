"""The extraction benchmark runs end to end on a small corpus; no timing is asserted."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.bench_extract import MAX_WORDS, MIN_WORDS, synthetic_corpus

from .conftest import run_bench


def test_synthetic_corpus_is_deterministic_and_press_like() -> None:
    corpus = synthetic_corpus(100)
    assert corpus == synthetic_corpus(100)
    lengths = [len(item.body.split()) for item in corpus]
    assert all(MIN_WORDS <= n <= MAX_WORDS for n in lengths)
    assert 250 <= sum(lengths) / len(lengths) <= 350
    assert all("2005-01-01" <= item.published <= "2023-12-31" for item in corpus)
    text = "\n".join(item.body for item in corpus)
    for needle in ("Integrationszentrum", "Ausschuss für", "Geflüchtete", "Oberbürgermeister"):
        assert needle in text


def test_bench_runs_and_reports_ratios(tmp_path: Path) -> None:
    done = run_bench("bench_extract", "--docs", "200", "--processes", "1", "--warmup", "20", "--profile-docs", "50",
                     cwd=tmp_path, timeout=900)  # a hang guard, not a speed check
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio full/tokenizer:" in done.stdout
    assert "ratio full/lemmatizer:" in done.stdout
    results = json.loads((tmp_path / "bench-results" / "extract.json").read_text("utf-8"))
    measured = [results[key] for key in ("tokenizer", "lemmatizer", "full_1")]
    assert "extract_n" not in results and "extract_1" in results
    assert all(row["docs"] == 200 for row in measured)
    assert len({row["words"] for row in measured}) == 1 and measured[0]["words"] > 200 * MIN_WORDS // 2
    assert len({row["tokens"] for row in measured}) == 1
    assert results["config_hash"] in done.stdout
    assert [point["docs"] for point in results["memory_full_1"]] == [50, 100, 200]
    assert {c["name"] for c in results["profile"]["components"]} >= set(results["pipeline"])


def test_bench_measures_komo_extract_on_two_processes(tmp_path: Path) -> None:
    """The multi-process line is the product's path (parallel_chunks over _extract_rows), and it
    builds the same mention rows as the one-process path."""
    done = run_bench("bench_extract", "--docs", "120", "--processes", "2", "--warmup", "10", "--profile-docs", "0",
                     cwd=tmp_path, timeout=180)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ratio komo extract 2 processes/1 process:" in done.stdout
    results = json.loads((tmp_path / "bench-results" / "extract.json").read_text("utf-8"))
    one, two = results["extract_1"], results["extract_n"]
    assert one["docs"] == two["docs"] == 120
    assert one["tokens"] == two["tokens"] == results["mention_rows"] > 120 * 10  # mention rows
    assert results["ratios"]["extract_n_vs_extract_1"] > 0 and results["ratios"]["extract_n_vs_extract_1_cpu"] > 0
