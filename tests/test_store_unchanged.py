"""A crawl of the sample archive stores what it stored before the crawler was made faster and the
near-duplicates incremental: documents, url forms, versions, errors and duplicate links, recorded in
tests/data/sample-crawl-store.json from a crawl by the previous code (run ids, timestamps, visitor
counts and the server's port left out; the parsed fields through their content hash).

Regenerate only for an intended change: `python -m tests.test_store_unchanged HOME` on a crawled home.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from .test_crash import store_content

GOLDEN = Path(__file__).parent / "data" / "sample-crawl-store.json"


def comparable(home: Path) -> dict[str, Any]:
    content = store_content(home)
    documents = [
        {"native_id": row[0], "canonical": row[1], "url_forms": row[2], "archive_year": row[8],
         "footer_addresses": row[9], "content_hash": row[10], "duplicate_of": row[11], "listing_fingerprint": row[12]}
        for row in content["documents"]]
    return json.loads(json.dumps({"documents": documents, "versions": content["versions"],
                                  "errors": content["errors"]}, default=str))


@pytest.mark.slow
def test_sample_crawl_stores_what_the_previous_code_stored(clean_crawl):
    home, _ = clean_crawl
    expected = json.loads(GOLDEN.read_text(encoding="utf-8"))
    found = comparable(home)
    for part in ("versions", "errors"):
        assert found[part] == expected[part], part
    by_id = {d["native_id"]: d for d in found["documents"]}
    assert sorted(by_id) == sorted(d["native_id"] for d in expected["documents"])
    wrong = [(d["native_id"], key) for d in expected["documents"] for key in d if by_id[d["native_id"]][key] != d[key]]
    assert not wrong, wrong[:10]


if __name__ == "__main__":
    GOLDEN.write_text(json.dumps(comparable(Path(sys.argv[1])), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
