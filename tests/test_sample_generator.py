"""The sample-archive generator reads its pools from data files and still writes, for its fixed
seed, exactly the archive the repository ships (the crawl tests and gold figures rest on it)."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = ROOT / "data" / "sample-archive" / "articles.jsonl"


def test_the_generator_rewrites_the_shipped_archive_byte_for_byte(tmp_path):
    out = tmp_path / "articles.jsonl"
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_sample_articles.py"), "--out", str(out)],
                            capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    assert hashlib.sha256(out.read_bytes()).hexdigest() == hashlib.sha256(SHIPPED.read_bytes()).hexdigest()


def test_the_pools_are_data_files_not_code():
    source = (ROOT / "scripts" / "generate_sample_articles.py").read_text(encoding="utf-8")
    assert '"Sandstraße", "Görresstraße"' not in source and '"Januar", "Februar"' not in source
    assert sorted(p.name for p in (ROOT / "data" / "sample-archive" / "pools").glob("*.toml")) == ["cast.toml"]
