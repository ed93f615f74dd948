"""The CLI a user meets: help with examples, one-line errors, non-zero exits."""

from __future__ import annotations

import pytest

from kommunalmonitor.core.lock import writer_lock

from .conftest import run_komo


@pytest.mark.parametrize("command", ["crawl", "demo", "sql", "sample-site"])
def test_every_command_has_help_with_examples(command):
    result = run_komo(command, "--help")
    assert result.returncode == 0
    assert "Examples" in result.stdout or "Example" in result.stdout
    assert f"komo {command.split()[0]}" in result.stdout or "komo" in result.stdout


@pytest.mark.parametrize("args, words, code", [
    (["crawl", "--since", "gestern"], "is not a date", 2),
    (["crawl", "--source", "nirgendwo"], "unknown source 'nirgendwo'", 2),
    (["crawl", "--base-url", "http://127.0.0.1:9", "--profile", "fast"], "cannot reach", 3),
    (["crawl", "--max-pages", "0"], "0", 2),
    (["frobnicate"], "No such command", 2),
])
def test_bad_input_gives_one_line_and_non_zero_exit(args, words, code, tmp_path):
    result = run_komo(*args, home=tmp_path)
    assert result.returncode == code, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("komo: error:"), result.stderr
    assert words in lines[0]
    assert "Traceback" not in result.stderr


def test_sql_without_a_store_and_with_bad_sql(tmp_path, clean_crawl):
    missing = run_komo("sql", "SELECT 1", home=tmp_path)
    assert missing.returncode == 2 and "komo crawl" in missing.stderr
    home, _ = clean_crawl
    bad = run_komo("sql", "SELEKT * FROM documents", home=home)
    assert bad.returncode == 2 and bad.stderr.startswith("komo: error: SQL error")
    good = run_komo("sql", "--format", "csv", "SELECT count(*) AS n FROM documents", home=home)
    assert good.returncode == 0 and good.stdout.splitlines()[0] == "n"
    assert int(good.stdout.splitlines()[1]) > 200


def test_second_writer_is_refused_while_one_holds_the_lock(tmp_path, site):
    with writer_lock(tmp_path / "komo.lock"):
        result = run_komo("crawl", "--base-url", site.base_url, "--profile", "fast", home=tmp_path)
    assert result.returncode == 75
    assert "another komo command" in result.stderr
