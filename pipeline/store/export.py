"""Export the store's tables as Parquet files for pandas, R, Spark and friends.

By default, persons without a public role are left out (their mention rows and identities);
`include_private_persons=True` keeps them, for research under a data-protection agreement.
Article bodies are exported as published by their senders.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq

# name → (query, whether it takes the public-role pattern). Fixed SQL; values are bound.
_PRIVATE_FILTER = "(kind <> 'person' OR (role IS NOT NULL AND regexp_matches(role, ?)))"
EXPORTS: dict[str, tuple[str, bool]] = {
    "documents": ("SELECT * FROM documents ORDER BY source, native_id", False),
    "document_versions": ("SELECT * FROM document_versions ORDER BY source, native_id, first_seen", False),
    "extractions": ("SELECT * FROM extractions ORDER BY source, native_id", False),
    "mentions": (f"SELECT * FROM mentions WHERE {_PRIVATE_FILTER} ORDER BY source, native_id, start_char", True),  # noqa: S608
    "person_identities": ("SELECT * FROM person_identities WHERE role IS NOT NULL AND regexp_matches(role, ?) "
                          "ORDER BY person, role", True),
    "topics": ("SELECT * FROM topics ORDER BY source, native_id, model_name, label_set, label", False),
    "districts": ("SELECT * FROM districts ORDER BY district, source, archive_code", False),
    "document_districts": ("SELECT * FROM document_districts ORDER BY source, native_id, district", False),
    "runs": ("SELECT * FROM runs ORDER BY run_id", False),
    "pages": ("SELECT * FROM pages ORDER BY fetched_at", False),
    "crawl_errors": ("SELECT * FROM crawl_errors ORDER BY failed_at", False),
}


@dataclass(frozen=True)
class ExportedTable:
    name: str
    path: Path
    rows: int


def export_parquet(con: duckdb.DuckDBPyConnection, directory: Path, public_pattern: str,
                   include_private_persons: bool = False, tables: list[str] | None = None) -> list[ExportedTable]:
    """Write one Parquet file per table (zstd), streaming in batches, each file renamed into
    place when complete; then a manifest.json describing what was written and left out."""
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for name in tables or list(EXPORTS):
        query, filtered = EXPORTS[name]
        if filtered and include_private_persons:
            query, parameters = _unfiltered(name), []
        else:
            parameters = [public_pattern] if filtered else []
        reader = con.execute(query, parameters).fetch_record_batch(50_000)
        target = directory / f"{name}.parquet"
        temporary = target.with_name(f".{target.name}.tmp")
        rows = 0
        with pq.ParquetWriter(temporary, reader.schema, compression="zstd") as writer:
            for batch in reader:
                writer.write_batch(batch)
                rows += batch.num_rows
        os.replace(temporary, target)
        written.append(ExportedTable(name, target, rows))
    _write_manifest(con, directory, written, include_private_persons)
    return written


def _unfiltered(name: str) -> str:
    return {"mentions": "SELECT * FROM mentions ORDER BY source, native_id, start_char",
            "person_identities": "SELECT * FROM person_identities ORDER BY person, role"}[name]


def _write_manifest(con: duckdb.DuckDBPyConnection, directory: Path, written: list[ExportedTable],
                    include_private_persons: bool) -> None:
    comments = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE comment IS NOT NULL "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE comment IS NOT NULL").fetchall())
    manifest: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "private_persons": "included" if include_private_persons else
        "left out: person mentions and identities without a public role (data/lexicons/public-roles.toml)",
        "tables": [{"name": t.name, "file": t.path.name, "rows": t.rows, "description": comments.get(t.name)}
                   for t in written],
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
