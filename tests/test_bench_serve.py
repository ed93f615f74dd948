"""The serve benchmark on a tiny generated store: it starts the real server, every page answers,
and the figures it saves are the ones it prints; no timing is asserted."""

from __future__ import annotations

import json

import pytest

from .conftest import run_bench

pytestmark = pytest.mark.slow


def test_the_serve_benchmark_runs_end_to_end(tmp_path):
    out = tmp_path / "serve.json"
    done = run_bench("bench_serve", "--documents", "300", "--requests", "3", "--out", str(out), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text(encoding="utf-8"))
    assert results["data"]["rows"]["documents"] == 300
    measured = results["measurements"]
    assert set(measured) == {"bare_bm25", "search_page", "search_page_filtered", "document_page", "topic_page",
                             "bar_documents_page"}
    assert all(entry["n"] >= 3 and entry["p50"] <= entry["p95"] <= entry["max"] for entry in measured.values())
    assert all(measured[name]["bytes_p50"] > 1000 for name in measured if name != "bare_bm25")
    assert "search_page" in done.stdout and "x the bare query" in done.stdout
