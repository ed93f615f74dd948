"""Export the store's tables as Parquet files for pandas, R, Spark and friends.

What identifies private persons stays out by default: person mentions and identities without
a public role are left out, and their names (where the extraction found them) are masked
with '[****]' of the same length in `documents.body` and `mentions.sentence`, so every offset
stays valid; older versions' bodies are left out. `include_private_persons=True` exports
everything as stored, for research under a data-protection agreement.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from kommunalmonitor.core.privacy import redact

_PUBLIC = "public_role(role, role_of, ?)"
# name → (default query, query with private persons, masked text column and its offset column).
# Fixed SQL; the public-role pattern is a bound parameter.
EXPORTS: dict[str, tuple[str, str, tuple[str, str | None] | None]] = {
    "documents": ("SELECT * FROM documents ORDER BY source, native_id", "", ("body", None)),
    "document_versions": ("SELECT * EXCLUDE (body) FROM document_versions ORDER BY source, native_id, first_seen",
                          "SELECT * FROM document_versions ORDER BY source, native_id, first_seen", None),
    "extractions": ("SELECT * FROM extractions ORDER BY source, native_id", "", None),
    "mentions": (f"SELECT * FROM mentions WHERE kind <> 'person' OR ({_PUBLIC}) "  # noqa: S608
                 "ORDER BY source, native_id, start_char",
                 "SELECT * FROM mentions ORDER BY source, native_id, start_char", ("sentence", "sentence_start")),
    "person_identities": (f"SELECT * FROM person_identities WHERE {_PUBLIC} ORDER BY person, role",  # noqa: S608
                          "SELECT * FROM person_identities ORDER BY person, role", None),
    "topics": ("SELECT * FROM topics ORDER BY source, native_id, model_name, label_set, label", "", None),
    "districts": ("SELECT * FROM districts ORDER BY district, source, archive_code", "", None),
    "runs": ("SELECT * FROM runs ORDER BY run_id", "", None),
    "pages": ("SELECT * FROM pages ORDER BY fetched_at", "", None),
    "crawl_errors": ("SELECT * FROM crawl_errors ORDER BY failed_at", "", None),
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
    private = {} if include_private_persons else _private_spans(con, public_pattern)
    written = []
    for name in tables or list(EXPORTS):
        default, everything, masked = EXPORTS[name]
        query = (everything or default) if include_private_persons else default
        parameters = [public_pattern] if "?" in query else []
        reader = con.execute(query, parameters).fetch_record_batch(50_000)
        batches: Iterator[pa.RecordBatch] = iter(reader)
        if masked and private:
            batches = (_mask(batch, *masked, private) for batch in batches)
        target = directory / f"{name}.parquet"
        temporary = target.with_name(f".{target.name}.tmp")
        rows = 0
        with pq.ParquetWriter(temporary, reader.schema, compression="zstd") as writer:
            for batch in batches:
                writer.write_batch(batch)
                rows += batch.num_rows
        os.replace(temporary, target)
        written.append(ExportedTable(name, target, rows))
    _write_manifest(con, directory, written, include_private_persons)
    return written


def _private_spans(con: duckdb.DuckDBPyConnection, public_pattern: str) -> dict[tuple[str, str], list]:
    """Body offsets of every person mention without a public role, per document."""
    rows = con.execute(
        f"SELECT source, native_id, list((start_char, end_char)) FROM mentions WHERE kind = 'person' "  # noqa: S608
        f"AND NOT ({_PUBLIC}) GROUP BY ALL", [public_pattern]).fetchall()
    return {(source, native_id): spans for source, native_id, spans in rows}


def _mask(batch: pa.RecordBatch, column: str, offset_column: str | None,
          private: dict[tuple[str, str], list]) -> pa.RecordBatch:
    """The batch with private persons masked in `column` (same length: offsets stay valid)."""
    keys = zip(batch.column("source").to_pylist(), batch.column("native_id").to_pylist(), strict=True)
    texts = batch.column(column).to_pylist()
    offsets = batch.column(offset_column).to_pylist() if offset_column else [0] * len(texts)
    for i, key in enumerate(keys):
        spans = private.get(key)
        if spans and texts[i]:
            texts[i] = redact(texts[i], offsets[i] or 0, spans, keep_length=True)
    arrays = [pa.array(texts, type=batch.schema.field(column).type) if name == column else batch.column(name)
              for name in batch.schema.names]
    return pa.RecordBatch.from_arrays(arrays, schema=batch.schema)


def _write_manifest(con: duckdb.DuckDBPyConnection, directory: Path, written: list[ExportedTable],
                    include_private_persons: bool) -> None:
    comments = dict(con.execute(
        "SELECT table_name, comment FROM duckdb_tables() WHERE comment IS NOT NULL "
        "UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE comment IS NOT NULL").fetchall())
    manifest: dict[str, Any] = {
        "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "private_persons": "included" if include_private_persons else
        "left out: person mentions and identities without a public role (data/lexicons/public-roles.toml); "
        "their names masked as [****] (same length) in documents.body and mentions.sentence where the "
        "extraction found them; document_versions without body",
        "tables": [{"name": t.name, "file": t.path.name, "rows": t.rows, "description": comments.get(t.name)}
                   for t in written],
    }
    (directory / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", "utf-8")
