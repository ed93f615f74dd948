"""The README's research questions are real queries: each runs on a crawled store and answers."""

from __future__ import annotations

import re

import pytest

from .conftest import REPO, run_komo

pytestmark = pytest.mark.slow


def research_queries() -> list[str]:
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## For researchers", 1)[1].split("\n## ", 1)[0]
    # The council queries below need a crawled council: tests/test_oparl.py runs them.
    section = section.split("### Council documents", 1)[0]
    blocks = re.findall(r"```sql\n(.*?)```", section, re.S)
    statements = [s.strip() for block in blocks for s in block.split(";") if s.strip()]
    return [s for s in statements if any(not line.startswith("--") for line in s.splitlines())]


def test_the_readme_asks_five_questions():
    assert len(research_queries()) == 5


@pytest.mark.parametrize("number", range(5))
def test_each_research_query_answers_on_a_crawled_store(reading_home, number):
    statement = research_queries()[number]
    result = run_komo("sql", "--format", "json", "--", statement, home=reading_home)
    assert result.returncode == 0, f"{statement}\n{result.stderr}"
    assert result.stdout.strip(), f"no rows for:\n{statement}"


def test_the_quality_table_is_what_evaluate_prints():
    if not (REPO.parent / "shared" / "datasets" / "german-gazetteers-ler").is_dir():
        pytest.skip("the street-gazetteer baseline needs ../shared/datasets (absent here)")
    from kommunalmonitor.pipeline.evaluate import evaluate_gold, format_markdown, gold_sets

    readme = (REPO / "README.md").read_text("utf-8")
    shown = readme.split("<!-- quality:begin -->")[1].split("<!-- quality:end -->")[0].strip()
    printed = format_markdown({name: evaluate_gold(path) for name, path in gold_sets(REPO / "tests" / "gold").items()})
    assert shown == printed.strip(), "README's quality table is stale: paste `komo evaluate extraction --markdown`"
