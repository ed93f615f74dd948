"""`komo demo` runs the whole job on the bundled archive and reports what the store holds."""

from __future__ import annotations

import re

import pytest

from .conftest import query, run_komo

pytestmark = pytest.mark.slow


def test_demo_crawls_the_sample_archive_and_prints_what_it_stored(tmp_path, sample_site):
    result = run_komo("demo", home=tmp_path)
    assert result.returncode == 0, result.stderr
    stored = query(tmp_path / "published" / "komo.duckdb", "SELECT count(*) FROM documents")[0][0]
    assert stored == len(sample_site.expected_articles())
    printed = re.search(r"documents \(distinct articles\): (\d+)", result.stdout)
    assert printed and int(printed.group(1)) == stored
    errors = query(tmp_path / "komo.duckdb", "SELECT count(DISTINCT url) FROM crawl_errors")[0][0]
    assert f"pages with errors: {errors}" in result.stdout
    assert "newest articles:" in result.stdout
    report = tmp_path / "report-integration.html"
    assert f"topic report (open in a browser): {report}" in result.stdout
    assert "<svg" in report.read_text("utf-8")
