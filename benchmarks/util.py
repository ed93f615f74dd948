"""What every benchmark shares: where results go and how they are saved."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

RESULTS_DIR = Path("bench-results")  # relative to where `make bench` runs; git-ignored


def save_results(path: Path, results: dict[str, Any]) -> None:
    """Write a benchmark's figures as JSON and say where they went."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"results: {path}")
