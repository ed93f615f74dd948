"""The package's layers, seen from outside: readers never load spaCy, data comes from the package,
user data under the home wins, and the gold sets are an argument."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kommunalmonitor.core.resources import checkout_root, data_dir, data_file, data_files, model_path

from .conftest import REPO, run_komo

# Runs one komo command in this process and reports, after it, which heavy modules it imported.
PROBE = """
import sys
from kommunalmonitor.pipeline.cli import main
try:
    main(sys.argv[1:])
    code = 0
except SystemExit as done:
    code = done.code or 0
loaded = sorted(name for name in ("spacy", "thinc", "scrapy", "sklearn") if name in sys.modules)
print("LOADED=" + ",".join(loaded), file=sys.stderr)
sys.exit(code)
"""


def probe(home: Path, *args: str, cwd: Path) -> tuple[int, set[str], str]:
    env = dict(os.environ, KOMO_HOME=str(home))
    done = subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=120)
    loaded = next(line for line in done.stderr.splitlines() if line.startswith("LOADED="))
    return done.returncode, set(filter(None, loaded.removeprefix("LOADED=").split(","))), done.stdout + done.stderr


@pytest.mark.parametrize("args", [
    ("sql", "SELECT count(*) FROM documents"),
    ("search", "Integrationskurs"),
    ("report", "--topic", "integration", "--format", "md"),
    ("export", "--format", "parquet", "-o", "{tmp}/export"),
], ids=lambda args: args[0])
def test_readers_never_load_spacy(reading_home, tmp_path, args):
    command = [arg.format(tmp=tmp_path) for arg in args]
    code, loaded, output = probe(reading_home, *command, cwd=tmp_path)
    assert code == 0, output
    assert "spacy" not in loaded and "thinc" not in loaded, f"komo {args[0]} loaded {loaded}"
    assert "scrapy" not in loaded, f"komo {args[0]} loaded the crawler's Scrapy: {loaded}"


def test_an_extraction_does_load_spacy_so_the_probe_can_tell(tmp_path):
    pages = tmp_path / "pages.jsonl"
    pages.write_text('{"key": "a", "text": "Der Integrationsrat tagt am 3. Mai 2019."}\n', encoding="utf-8")
    code, loaded, output = probe(tmp_path, "extract", "--input", str(pages), "--output", str(tmp_path / "o.jsonl"),
                                 cwd=tmp_path)
    assert code == 0, output
    assert "spacy" in loaded


def test_shipped_data_and_models_are_found_through_the_package():
    assert (data_dir() / "sources" / "leverkusen-com.toml").is_file()
    assert (data_dir() / "sample-archive" / "site.toml").is_file()
    assert (model_path("ner-de") / "meta.json").is_file()
    assert model_path("models/topic-classifier/model.skops") == model_path("topic-classifier/model.skops")
    assert checkout_root() == REPO  # the tests run from an editable install of this checkout


def test_a_users_lexicon_and_source_under_the_home_win(tmp_path, monkeypatch):
    monkeypatch.setenv("KOMO_HOME", str(tmp_path))
    shipped = data_file("lexicons/roles.toml")
    assert shipped == data_dir() / "lexicons" / "roles.toml"
    (tmp_path / "lexicons").mkdir()
    (tmp_path / "lexicons" / "roles.toml").write_text("# mine\n", encoding="utf-8")
    assert data_file("lexicons/roles.toml") == tmp_path / "lexicons" / "roles.toml"
    # Only user-data folders are looked up in the home: its raw/ or logs/ never shadow data/.
    (tmp_path / "sample-archive").mkdir()
    (tmp_path / "sample-archive" / "site.toml").write_text("", encoding="utf-8")
    assert data_file("sample-archive/site.toml") == data_dir() / "sample-archive" / "site.toml"
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "my-council.toml").write_text("", encoding="utf-8")
    assert set(data_files("sources")) == {"leverkusen-com", "my-council"}


def test_evaluate_takes_the_gold_sets_as_an_argument_and_says_when_there_are_none(tmp_path):
    gold = tmp_path / "gold" / "extraction-mine"
    gold.mkdir(parents=True)
    source = REPO / "tests" / "gold" / "extraction" / "press.jsonl"
    gold.joinpath("one.jsonl").write_text(source.read_text("utf-8").splitlines()[0] + "\n", encoding="utf-8")
    result = run_komo("evaluate", "extraction", "--gold", str(tmp_path / "gold"), "--json")
    assert result.returncode == 0, result.stderr
    assert '"extraction-mine"' in result.stdout and '"documents": 1' in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    missing = run_komo("evaluate", "extraction", "--gold", str(empty))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and "no extraction gold sets" in missing.stderr
