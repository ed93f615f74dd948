"""The sample-archive generator reads its pools, sentences and plan from data files and still writes,
for its fixed seed, exactly the archive the repository ships (the crawl tests and gold figures rest on it)."""

from __future__ import annotations

import ast
import hashlib
import random
import subprocess
import sys
from pathlib import Path

from benchmarks.pools import fill

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "sample-archive" / "articles.jsonl"
GENERATOR = [ROOT / "scripts" / "generate_sample_articles.py",
             *sorted((ROOT / "scripts" / "sample_archive").glob("*.py"))]


def test_the_generator_rewrites_the_shipped_archive_byte_for_byte(tmp_path):
    out = tmp_path / "articles.jsonl"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_sample_articles.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()


def test_the_pools_are_data_files_not_code():
    source = "".join(path.read_text(encoding="utf-8") for path in GENERATOR)
    assert '"Sandstraße", "Görresstraße"' not in source and '"Januar", "Februar"' not in source
    pools = sorted(p.name for p in (ROOT / "data" / "sample-archive" / "pools").glob("*.toml"))
    assert pools == ["cast.toml", "plan.toml"]


def test_the_sentences_are_template_files_not_code():
    # a German sentence in code is a string of six words or more outside docstrings and error messages
    sentences = []
    for path in GENERATOR[1:]:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                      if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body
                      and isinstance(node.body[0], ast.Expr)}
        sentences += [f"{path.name}:{node.lineno}" for node in ast.walk(tree)
                      if isinstance(node, ast.Constant) and isinstance(node.value, str)
                      and len(node.value.split()) >= 6 and id(node) not in docstrings]
    assert sentences == []
    templates = sorted(p.stem for p in (ROOT / "data" / "sample-archive" / "templates").glob("*.toml"))
    assert "sprachkurs" in templates and "extensions" in templates and len(templates) >= 40


def test_fill_draws_field_by_field_in_file_order_as_the_f_strings_did():
    # the generator's byte-for-byte output rests on this: a callable slot is called at each of its fields,
    # left to right, variant after variant, so the random draws come in the order they used to
    draws = random.Random(7)
    expected = random.Random(7)
    helpers = {"who": lambda office: f"<{office}>", "mr": "Integrationsrat",
               "am": lambda day, style: f"am {day}/{style}"}
    filled = fill(["{n} und {n:03d}, sagte {who:ob}", "{{wörtlich}} {mr} {am:day,long}"],
                  {"n": lambda: draws.randint(1, 99), "day": "3. Mai"}, helpers.__getitem__)
    first, second = expected.randint(1, 99), expected.randint(1, 99)
    assert filled == [f"{first} und {second:03d}, sagte <ob>", "{wörtlich} Integrationsrat am 3. Mai/long"]


def test_fill_keeps_the_shape_of_a_table_of_templates():
    table = {"title": "Neu in {place}", "para": ["A {place}", "B"]}
    assert fill(table, {"place": "Opladen"}, {}.__getitem__) == {"title": "Neu in Opladen", "para": ["A Opladen", "B"]}
