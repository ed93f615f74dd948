"""Republished press releases: near-duplicates found incrementally, so trends count them once.

Two press documents of one source are near-duplicates when their word 4-shingles overlap by at
least `THRESHOLD` (exact Jaccard). A group of them (connected through such pairs) points at its
earliest member through `documents.duplicate_of`.

Comparing every new document with the whole store costs a full scan and grows with the archive,
so each document version is signed once (a MinHash of its shingles, datasketch) and its signature
cut into LSH bands that stay in the store (migration 010). A load signs only the documents it has
not signed yet, takes as candidates the stored documents that share a band with one of them,
verifies each candidate pair on the exact shingles and keeps the pairs that pass. Groups are then
recomputed from the kept pairs alone (few: only real near-duplicates), so the links do not depend
on the order in which articles arrived. `whole_store_links` is the previous whole-store algorithm,
kept as the reference the tests compare with.

With 32 bands of 4 rows and at least two shared bands asked for, a pair at Jaccard 0.8 becomes a
candidate with probability 1 - 1e-6 (at 0.9, 1 - 1e-13); two unrelated releases (Jaccard ~0.02) almost
never do, so the verified candidates grow with the new documents, not with the store.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import duckdb

from kommunalmonitor.crawler.staging import StagedTail

THRESHOLD = 0.8
SHINGLE_WORDS = 4
NUM_PERM = 128
BANDS, ROWS = 32, 4
# A candidate shares at least this many bands: one shared band happens by chance to unrelated texts
# that share common phrases; a pair at Jaccard 0.8 shares 13 of 32 bands on average.
MIN_SHARED_BANDS = 2
SEED = 1
# A change here re-signs every document on the next load.
PARAMS = f"minhash-sha1-{NUM_PERM}-bands{BANDS}x{ROWS}-seed{SEED}-words{SHINGLE_WORDS}"  # bands, not the filter
_BATCH = 2000
_WORD = re.compile(r"\w+")

Key = tuple[str, str]  # (source, native_id)


@dataclass
class LinkResult:
    signed: int = 0         # document versions signed in this load
    presigned: int = 0      # of which the crawl's Presigner had signed already
    candidates: int = 0     # candidate pairs verified on their shingles
    pairs: int = 0          # near-duplicate pairs kept in the store
    linked: int = 0         # documents that are copies of another (duplicate_of set)
    changed: int = 0        # documents whose duplicate_of this load changed


def shingles(text: str, size: int = SHINGLE_WORDS) -> set[str]:
    """Lower-cased word `size`-grams of a text (a text shorter than that is one shingle)."""
    words = _WORD.findall(text.lower())
    if len(words) < size:
        return {" ".join(words)}
    return {" ".join(words[i:i + size]) for i in range(len(words) - size + 1)}


def jaccard(a: set[Any], b: set[Any]) -> float:
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


def band_keys(texts: list[str]) -> list[list[int]]:
    """The LSH band keys (BANDS signed 64-bit ints) of each text's MinHash."""
    from datasketch import MinHash

    signatures = MinHash.bulk([[s.encode() for s in shingles(t)] for t in texts], num_perm=NUM_PERM, seed=SEED)
    keys = []
    for signature in signatures:
        values = signature.hashvalues
        keys.append([int.from_bytes(hashlib.blake2b(values[i * ROWS:(i + 1) * ROWS].tobytes(), digest_size=8)
                                    .digest(), "little", signed=True) for i in range(BANDS)])
    return keys


class Presigner:
    """Signs crawled documents while the crawl still runs, so that the load finds their LSH bands ready.

    The crawl process is busy with Scrapy; the process waiting for it has a core to spare. `step()`
    reads the items the crawl has staged since the last step (whole lines only) and appends their band
    keys to `signatures.jsonl` beside them; `update_links` takes a signature when its document's
    content hash matches, and signs whatever is missing itself. Nothing is kept in memory."""

    def __init__(self, staging: Path):
        self.staging = staging
        self.tail = StagedTail(staging)
        self.signed = 0

    def step(self, limit_bytes: int = 4 << 20) -> int:
        records = []
        for item in self.tail.new_records(limit_bytes):
            try:
                records.append((item["source"], item["native_id"], item["content_hash"], item["body"]))
            except KeyError:
                continue  # a foreign line: the load signs that document itself
        if records:
            keys = band_keys([body or "" for *_, body in records])
            with open(self.staging / "signatures.jsonl", "a", encoding="utf-8") as out:
                for (source, native_id, content_hash, _), row_keys in zip(records, keys, strict=True):
                    out.write(json.dumps({"source": source, "native_id": native_id, "content_hash": content_hash,
                                          "params": PARAMS, "keys": row_keys}) + "\n")
            self.signed += len(records)
        return len(records)


def _stage_presigned(con: duckdb.DuckDBPyConnection, files: list[Path]) -> bool:
    if not files:
        return False
    con.execute(
        "CREATE OR REPLACE TEMP TABLE dup_presigned AS SELECT source, native_id, content_hash, any_value(keys) AS keys "
        "FROM read_json(?, format = 'newline_delimited', ignore_errors = true, columns = {'source': 'VARCHAR', "
        "'native_id': 'VARCHAR', 'content_hash': 'VARCHAR', 'params': 'VARCHAR', 'keys': 'BIGINT[]'}) "
        "WHERE params = ? AND len(keys) = ? GROUP BY ALL", [[str(f) for f in files], PARAMS, BANDS])
    return True


def _batches(con: duckdb.DuckDBPyConnection, table: str, sql: str, size: int = _BATCH) -> Iterator[list[tuple]]:
    """The rows of `table` joined as `sql` says, `size` at a time. Paged by row number, not by a cursor: a
    cursor is another connection, outside the caller's transaction and blind to its temp tables."""
    total = con.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608 (a constant of this module)
    con.execute(f"ALTER TABLE {table} ADD COLUMN IF NOT EXISTS rn BIGINT")  # noqa: S608
    con.execute(f"UPDATE {table} SET rn = r.n FROM (SELECT rowid AS id, row_number() OVER () AS n "  # noqa: S608
                f"FROM {table}) r WHERE {table}.rowid = r.id")
    for start in range(1, total + 1, size):
        yield con.execute(sql, [start, start + size - 1]).fetchall()


def update_links(con: duckdb.DuckDBPyConnection, threshold: float = THRESHOLD,
                 presigned: list[Path] | None = None) -> LinkResult:
    """Sign the press documents not signed in their current version (taking the signatures a Presigner
    wrote to `presigned` files where they fit), find and verify their candidates, and bring
    `documents.duplicate_of` in line with the groups. Runs inside the caller's transaction."""
    import pyarrow as pa

    result = LinkResult()
    if not _stage_presigned(con, presigned or []):
        con.execute("CREATE OR REPLACE TEMP TABLE dup_presigned "
                    "(source VARCHAR, native_id VARCHAR, content_hash VARCHAR, keys BIGINT[])")
    con.execute("CREATE OR REPLACE TEMP TABLE dup_unsigned (source VARCHAR, native_id VARCHAR, content_hash VARCHAR)")
    con.execute(
        "INSERT INTO dup_unsigned SELECT d.source, d.native_id, d.content_hash FROM documents d "
        "LEFT JOIN near_duplicate_signed s USING (source, native_id) "
        "WHERE d.kind = 'press' AND (s.native_id IS NULL OR s.content_hash <> d.content_hash OR s.params <> ?)",
        [PARAMS])
    result.signed = con.execute("SELECT count(*) FROM dup_unsigned").fetchone()[0]
    if result.signed:
        # The new bands again, on their own: joined with the stored ones by their three keys alone (in
        # one plan with dup_unsigned, DuckDB misjudges rows inserted in this transaction and joins on
        # the source first: documents × bands rows).
        con.execute("CREATE OR REPLACE TEMP TABLE dup_signed_bands "
                    "(source VARCHAR, native_id VARCHAR, band UTINYINT, key BIGINT)")
        # Old versions of re-signed documents leave their bands and pairs behind.
        for table, columns in (("near_duplicate_signed", "native_id"), ("near_duplicate_bands", "native_id"),
                               ("near_duplicate_pairs", "a"), ("near_duplicate_pairs", "b")):
            con.execute(f"DELETE FROM {table} t USING dup_unsigned u "  # noqa: S608 (names are constants)
                        f"WHERE t.source = u.source AND t.{columns} = u.native_id")
        for rows in _batches(con, "dup_unsigned", "SELECT d.source, d.native_id, d.content_hash, "
                             "CASE WHEN p.keys IS NULL THEN d.body END, p.keys "
                             "FROM dup_unsigned u JOIN documents d USING (source, native_id) "
                             "LEFT JOIN dup_presigned p ON p.source = d.source AND p.native_id = d.native_id "
                             "AND p.content_hash = d.content_hash "
                             "WHERE u.rn BETWEEN ? AND ?"):
            missing = [i for i, row in enumerate(rows) if row[4] is None]
            computed = dict(zip(missing, band_keys([rows[i][3] for i in missing]), strict=True)) if missing else {}
            result.presigned += len(rows) - len(missing)
            keys = [computed[i] if i in computed else list(row[4]) for i, row in enumerate(rows)]
            bands = pa.table({
                "source": [r[0] for r in rows for _ in range(BANDS)],
                "native_id": [r[1] for r in rows for _ in range(BANDS)],
                "band": pa.array([b for _ in rows for b in range(BANDS)], pa.uint8()),
                "key": pa.array([k for row_keys in keys for k in row_keys], pa.int64()),
            })
            signed = pa.table({"source": [r[0] for r in rows], "native_id": [r[1] for r in rows],
                               "content_hash": [r[2] for r in rows], "params": [PARAMS] * len(rows)})
            con.register("dup_new_bands", bands)
            con.register("dup_new_signed", signed)
            try:
                con.execute("INSERT INTO near_duplicate_bands SELECT source, native_id, band, key FROM dup_new_bands")
                con.execute("INSERT INTO dup_signed_bands SELECT source, native_id, band, key FROM dup_new_bands")
                con.execute("INSERT INTO near_duplicate_signed SELECT source, native_id, content_hash, params "
                            "FROM dup_new_signed")
            finally:
                con.unregister("dup_new_bands")
                con.unregister("dup_new_signed")
        result.candidates = _verify_candidates(con, threshold)
    result.pairs = con.execute("SELECT count(*) FROM near_duplicate_pairs").fetchone()[0]
    result.linked, result.changed = _apply_groups(con)
    con.execute("DROP TABLE IF EXISTS dup_unsigned")
    con.execute("DROP TABLE IF EXISTS dup_presigned")
    con.execute("DROP TABLE IF EXISTS dup_signed_bands")
    return result


def _verify_candidates(con: duckdb.DuckDBPyConnection, threshold: float) -> int:
    """Pairs of a newly signed document and any document sharing a band with it, checked on the exact
    shingles; the pairs at or above `threshold` go to near_duplicate_pairs. Returns the candidates."""
    import pyarrow as pa

    con.execute(
        """
        CREATE OR REPLACE TEMP TABLE dup_candidates AS
        SELECT n.source, least(n.native_id, o.native_id) AS a, greatest(n.native_id, o.native_id) AS b
        FROM dup_signed_bands n JOIN near_duplicate_bands o
          ON o.source = n.source AND o.band = n.band AND o.key = n.key AND o.native_id <> n.native_id
        GROUP BY ALL HAVING count(DISTINCT n.band) >= ?
        """, [MIN_SHARED_BANDS])
    total = con.execute("SELECT count(*) FROM dup_candidates").fetchone()[0]
    for rows in _batches(con, "dup_candidates", "SELECT c.source, c.a, c.b FROM dup_candidates c "
                         "WHERE c.rn BETWEEN ? AND ?"):
        bodies = _documents(con, {(source, x) for source, a, b in rows for x in (a, b)}, "body")
        kept = [(source, a, b, j) for source, a, b in rows if (source, a) in bodies and (source, b) in bodies
                and (j := jaccard(shingles(bodies[source, a]), shingles(bodies[source, b]))) >= threshold]
        if kept:
            table = pa.table({"source": [k[0] for k in kept], "a": [k[1] for k in kept],
                              "b": [k[2] for k in kept], "jaccard": [k[3] for k in kept]})
            con.register("dup_kept", table)
            try:
                con.execute("INSERT OR REPLACE INTO near_duplicate_pairs SELECT source, a, b, jaccard FROM dup_kept")
            finally:
                con.unregister("dup_kept")
    con.execute("DROP TABLE IF EXISTS dup_candidates")
    return int(total)


def _documents(con: duckdb.DuckDBPyConnection, keys: set[Key], column: str) -> dict[Key, Any]:
    """One column of the documents with these keys. A join of the keys with `documents` alone: with a
    second copy of `documents` in the same query, the optimizer may first join the two copies on
    their one common source (n² rows) when the uncommitted load leaves it without statistics."""
    import pyarrow as pa

    if not keys:
        return {}
    table = pa.table({"source": [k[0] for k in keys], "native_id": [k[1] for k in keys]})
    con.register("dup_keys", table)
    try:
        rows = con.execute(f"SELECT d.source, d.native_id, d.{column} FROM dup_keys k "  # noqa: S608 (a constant of this module)
                           "JOIN documents d ON d.source = k.source AND d.native_id = k.native_id").fetchall()
    finally:
        con.unregister("dup_keys")
    return {(source, native_id): value for source, native_id, value in rows}


def groups(pairs: Iterable[tuple[str, str, str]]) -> list[list[Key]]:
    """Connected components of the pairs (union-find), each a list of (source, native_id)."""
    parent: dict[Key, Key] = {}

    def find(key: Key) -> Key:
        while parent.get(key, key) != key:
            parent[key] = parent.get(parent[key], parent[key])
            key = parent[key]
        return key

    for source, a, b in pairs:
        ra, rb = find((source, a)), find((source, b))
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    found: dict[Key, list[Key]] = {}
    for key in list(parent):
        found.setdefault(find(key), []).append(key)
    for root, members in found.items():
        if root not in members:
            members.append(root)
    return list(found.values())


def _originals(con: duckdb.DuckDBPyConnection, components: list[list[Key]]) -> dict[Key, str]:
    """copy → original for every group: the earliest published member (then the lowest numeric id)."""
    import pyarrow as pa

    if not components:
        return {}
    members = pa.table({"source": [k[0] for c in components for k in c],
                        "native_id": [k[1] for c in components for k in c],
                        "grp": [i for i, c in enumerate(components) for _ in c]})
    con.register("dup_members", members)
    try:
        rows = con.execute(
            "SELECT m.grp, arg_min(d.native_id, (d.published IS NULL, coalesce(d.published, DATE '1970-01-01'), "
            "try_cast(d.native_id AS BIGINT) IS NULL, coalesce(try_cast(d.native_id AS BIGINT), 0), d.native_id)) "
            "FROM dup_members m JOIN documents d USING (source, native_id) GROUP BY m.grp").fetchall()
    finally:
        con.unregister("dup_members")
    original = dict(rows)
    return {key: original[i] for i, component in enumerate(components) if i in original
            for key in component if key[1] != original[i]}


def _apply_groups(con: duckdb.DuckDBPyConnection) -> tuple[int, int]:
    """Set duplicate_of from the stored pairs; only rows whose value changes are written."""
    import pyarrow as pa

    stored = con.execute("SELECT source, a, b FROM near_duplicate_pairs").fetchall()
    kinds = _documents(con, {(source, x) for source, a, b in stored for x in (a, b)}, "kind")
    pairs = [(source, a, b) for source, a, b in stored
             if kinds.get((source, a)) == "press" and kinds.get((source, b)) == "press"]
    wanted = _originals(con, groups(pairs))
    current = {(s, n): o for s, n, o in con.execute(
        "SELECT source, native_id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL").fetchall()}
    changes = [(s, n, wanted.get((s, n))) for (s, n) in set(wanted) | set(current)
               if wanted.get((s, n)) != current.get((s, n))]
    if changes:
        table = pa.table({"source": [c[0] for c in changes], "native_id": [c[1] for c in changes],
                          "original": pa.array([c[2] for c in changes], pa.string())})
        con.register("dup_changes", table)
        try:
            con.execute("UPDATE documents SET duplicate_of = c.original FROM dup_changes c "
                        "WHERE documents.source = c.source AND documents.native_id = c.native_id")
        finally:
            con.unregister("dup_changes")
    return len(wanted), len(changes)


def current_links(con: duckdb.DuckDBPyConnection) -> dict[Key, str]:
    """What the store says now: copy → original."""
    return {(s, n): o for s, n, o in con.execute(
        "SELECT source, native_id, duplicate_of FROM documents WHERE duplicate_of IS NOT NULL").fetchall()}


def whole_store_links(con: duckdb.DuckDBPyConnection, threshold: float = THRESHOLD) -> dict[Key, str]:
    """The previous algorithm, over the whole store, without writing: copy → original.

    Candidates share a normalised title or the start of their body; they are linked when their
    shingles overlap by `threshold`. Kept as the reference for the incremental one (tests)."""
    pairs = con.execute(
        r"""
        WITH keyed AS (
            SELECT source, native_id,
                   nullif(lower(regexp_replace(coalesce(title, ''), '\W+', ' ', 'g')), ' ') AS title_key,
                   md5(left(lower(regexp_replace(body, '\s+', ' ', 'g')), 300)) AS body_key
            FROM documents WHERE kind = 'press'
        )
        SELECT DISTINCT a.source, a.native_id, b.native_id
        FROM keyed a JOIN keyed b
          ON a.source = b.source AND a.native_id < b.native_id
         AND (a.title_key = b.title_key OR a.body_key = b.body_key)
        """).fetchall()
    bodies: dict[Key, set[str]] = {}
    if pairs:
        ids = sorted({n for _, a, b in pairs for n in (a, b)})
        for source, native_id, body in con.execute(
                "SELECT source, native_id, body FROM documents WHERE list_contains(?, native_id)", [ids]).fetchall():
            bodies[(source, native_id)] = shingles(body)
    linked = [(s, a, b) for s, a, b in pairs if jaccard(bodies[(s, a)], bodies[(s, b)]) >= threshold]
    return _originals(con, groups(linked))
