"""`komo doctor`: is the home healthy? Each finding names what is wrong and what to do.

Reads only: the working store is opened read-only when no writer holds the lock (DuckDB lets no
other process open a file a writer has open), otherwise only the snapshot is checked.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb

from kommunalmonitor.core.home import Home

from .store.core import latest_schema_version, temporary_snapshots

OK, WARNING, PROBLEM = "ok", "warning", "problem"


@dataclass(frozen=True)
class Finding:
    level: str      # ok | warning | problem
    check: str      # schema, snapshot, consistency, lock, temp-files, disk, sources, alarms, forget-key
    message: str
    advice: str = ""

    def line(self) -> str:
        return f"{self.level.upper():8} {self.check:12} {self.message}" + (f" → {self.advice}" if self.advice else "")

    def to_dict(self) -> dict[str, str]:
        return asdict(self)


def diagnose(home: Home, failing_nights: int = 2, max_age_hours: float = 36,
             min_free_gb: float = 2) -> list[Finding]:
    """Every check, in a fixed order; a check that cannot run says why."""
    findings: list[Finding] = []
    writer = _lock_holder(home.lock_path)
    findings.append(Finding(OK, "lock", f"a writer holds the lock (pid {writer}); store checks read the snapshot")
                    if writer else Finding(OK, "lock", "no writer running"))
    findings += _temp_files(home, writer)
    findings += _disk(home, min_free_gb)
    if not home.db.exists():
        findings.append(Finding(PROBLEM, "store", f"no store at {home.db}",
                                "run `komo update` (or `komo crawl`) to create it"))
        return findings
    snapshot = home.published_db
    snap = _open(snapshot) if snapshot.exists() else None
    store = None if writer else _open(home.db)
    try:
        findings += _schema(store, snap)
        findings += _snapshot(home, store, snap, max_age_hours, writer)
        reading = store or snap
        if reading is not None:
            findings += _consistency(reading)
            findings += _failing_sources(reading, failing_nights)
            findings += _alarms(reading)
            findings += _forget_key(home, reading)
    finally:
        for con in (store, snap):
            if con is not None:
                con.close()
    return findings


def _open(path: Path) -> duckdb.DuckDBPyConnection | None:
    try:
        return duckdb.connect(str(path), read_only=True)
    except duckdb.Error:
        return None


def _lock_holder(path: Path) -> str | None:
    """The pid written in the lock file when a live process holds the lock, else None."""
    if not path.exists():
        return None
    fd = os.open(path, os.O_RDONLY)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)


def _temp_files(home: Home, writer: str | None) -> list[Finding]:
    if writer:  # a running writer's temp files are its work in progress
        return []
    published = home.published_db.parent
    stale = temporary_snapshots(published)
    raw_temps = list(home.raw_dir.glob("*/*.tmp*")) + list(home.raw_dir.glob("*/*.forget*")) \
        if home.raw_dir.is_dir() else []
    staging = sorted(home.staging_dir.glob("run-*")) if home.staging_dir.is_dir() else []
    findings = []
    if stale:
        size = sum(p.stat().st_size for p in stale)
        findings.append(Finding(PROBLEM, "temp-files",
                                f"{len(stale)} half-written snapshot(s) in {published} ({size / 1e6:.1f} MB), "
                                "left by a killed publish", "run `komo gc` (any writing command removes them too)"))
    if raw_temps:
        findings.append(Finding(WARNING, "temp-files", f"{len(raw_temps)} temporary file(s) under {home.raw_dir} "
                                "from killed crawls", "run `komo gc`"))
    if staging:
        findings.append(Finding(WARNING, "temp-files",
                                f"staging of killed run(s) {', '.join(p.name for p in staging)} not yet loaded",
                                "the next writing command loads it; or run `komo gc` now"))
    if not (stale or raw_temps or staging):
        findings.append(Finding(OK, "temp-files", "no stale temp files or staging"))
    return findings


def _disk(home: Home, min_free_gb: float) -> list[Finding]:
    where = home.root if home.root.exists() else home.root.parent
    usage = shutil.disk_usage(where)
    free_gb = usage.free / 1e9
    text = f"{free_gb:.1f} GB free of {usage.total / 1e9:.0f} GB on {where}"
    if free_gb < min_free_gb:
        return [Finding(PROBLEM, "disk", text + f" (below {min_free_gb:g} GB): a publish writes a full copy of "
                        "the store", "free space, or `komo gc` (with --raw-older-than DAYS for old page versions)")]
    return [Finding(OK, "disk", text)]


def _version(con: duckdb.DuckDBPyConnection | None) -> int | None:
    if con is None:
        return None
    try:
        return int(con.execute("SELECT max(version) FROM schema_migrations").fetchone()[0] or 0)
    except duckdb.Error:
        return None


def _schema(store: duckdb.DuckDBPyConnection | None, snap: duckdb.DuckDBPyConnection | None) -> list[Finding]:
    latest = latest_schema_version()
    found = _version(store) if store is not None else _version(snap)
    if found is None:
        return [Finding(PROBLEM, "schema", "the store cannot be read",
                        "see `komo sql \"SELECT 1\" --working` for the error; restore from the snapshot")]
    if found < latest:
        return [Finding(PROBLEM, "schema", f"schema version {found}, this komo writes {latest}",
                        "run any writing command (`komo update`) to migrate and republish")]
    if found > latest:
        return [Finding(WARNING, "schema", f"schema version {found} is newer than this komo ({latest})",
                        "upgrade komo on this machine")]
    return [Finding(OK, "schema", f"schema version {found} (current)")]


def _snapshot(home: Home, store: duckdb.DuckDBPyConnection | None, snap: duckdb.DuckDBPyConnection | None,
              max_age_hours: float, writer: str | None) -> list[Finding]:
    if snap is None:
        what = "missing" if not home.published_db.exists() else "not readable"
        return [Finding(PROBLEM, "snapshot", f"the published snapshot {home.published_db} is {what}",
                        "run `komo update` (or `komo extract`) to publish one")]
    findings = []
    age = (time.time() - home.published_db.stat().st_mtime) / 3600
    if age > max_age_hours:
        findings.append(Finding(WARNING, "snapshot", f"published {age:.0f} h ago (over {max_age_hours:g} h)",
                                "is the nightly `komo update` running? see its log and `komo sql \"FROM runs\"`"))
    if store is None:
        return findings or [Finding(OK, "snapshot", f"published {age:.1f} h ago")]
    done = "status NOT IN ('running', 'publishing')"
    newest_store = store.execute(f"SELECT max(run_id) FROM runs WHERE {done}").fetchone()[0] or 0  # noqa: S608
    newest_snap = snap.execute(f"SELECT max(run_id) FROM runs WHERE {done}").fetchone()[0] or 0  # noqa: S608
    if newest_store > newest_snap:
        missing = store.execute(
            "SELECT string_agg(run_id || ' (' || command || ')', ', ' ORDER BY run_id) FROM runs "  # noqa: S608
            f"WHERE run_id > ? AND {done}", [newest_snap]).fetchone()[0]
        findings.append(Finding(PROBLEM, "snapshot", f"the snapshot is older than the store: run(s) {missing} "
                                "are not published", "run `komo update` or `komo extract` to republish"))
    else:
        for table in ("documents", "mentions", "extractions"):
            a = store.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            b = snap.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            if a != b:
                findings.append(Finding(PROBLEM, "snapshot", f"{table}: {a} rows in the store, {b} in the snapshot "
                                        "of the same runs", "republish: run `komo extract`"))
    return findings or [Finding(OK, "snapshot", f"published {age:.1f} h ago, holds every finished run")]


def _consistency(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Counts that must agree inside one store."""
    findings = []
    missing, wrong = con.execute(
        "WITH m AS (SELECT source, native_id, count(*) AS n FROM mentions GROUP BY ALL) "
        "SELECT count(*) FILTER (WHERE e.mention_count > 0 AND m.n IS NULL), "
        "count(*) FILTER (WHERE m.n IS NOT NULL AND m.n <> e.mention_count) "
        "FROM extractions e LEFT JOIN m USING (source, native_id)").fetchone()
    if missing or wrong:
        findings.append(Finding(PROBLEM, "consistency",
                                f"mentions missing for {missing} extracted document(s), "
                                f"a different count for {wrong}",
                                "run `komo extract --all` to read them again"))
    orphans = con.execute("SELECT count(*) FROM (SELECT DISTINCT source, native_id FROM mentions) m "
                          "ANTI JOIN documents d USING (source, native_id)").fetchone()[0]
    if orphans:
        findings.append(Finding(PROBLEM, "consistency", f"mentions of {orphans} document(s) that are not stored",
                                "run `komo extract --all`"))
    pending = con.execute("SELECT count(*) FROM documents d LEFT JOIN extractions e USING (source, native_id) "
                          "WHERE e.content_hash IS DISTINCT FROM d.content_hash").fetchone()[0]
    if pending:
        findings.append(Finding(WARNING, "consistency", f"{pending} document(s) not extracted in their current version",
                                "the next `komo update` extracts them (or `komo extract`)"))
    return findings or [Finding(OK, "consistency", "extractions and mentions agree")]


def _failing_sources(con: duckdb.DuckDBPyConnection, nights: int) -> list[Finding]:
    """Sources whose last `nights` attempts all failed: a crawl run that failed, or an update that
    skipped the source (unreachable)."""
    attempts = con.execute(
        """
        SELECT source, started_at, status IN ('failed', 'aborted') AS failed FROM runs
        WHERE command = 'crawl' AND source IS NOT NULL AND status NOT IN ('running', 'publishing')
        UNION ALL
        SELECT k.source, r.started_at, true FROM runs r,
               LATERAL (SELECT unnest(json_keys(r.stats->'failed_sources')) AS source) k
        WHERE r.command = 'update' AND json_type(r.stats->'failed_sources') = 'OBJECT'
        """).fetchall()
    by_source: dict[str, list[tuple[datetime, bool]]] = {}
    for source, started, failed in attempts:
        by_source.setdefault(source, []).append((started, failed))
    findings = []
    for source, runs in sorted(by_source.items()):
        latest = [failed for _, failed in sorted(runs, reverse=True)[:nights]]
        if len(latest) == nights and all(latest):
            since = min(s for s, _ in sorted(runs, reverse=True)[:nights])
            findings.append(Finding(PROBLEM, "sources", f"{source}: its last {nights} crawls failed "
                                    f"(since {since:%Y-%m-%d %H:%M} UTC)",
                                    "see its newest log in logs/ and its rows in crawl_errors (`komo sql`); "
                                    "is the site down, or did its layout change?"))
    return findings or [Finding(OK, "sources", f"no source failed its last {nights} crawls")]


def _alarms(con: duckdb.DuckDBPyConnection) -> list[Finding]:
    """Alarms not yet resolved: layout alarms without a `komo reparse` that cleared them, and any other
    alarm the newest run of each command and source raised (a stats key with 'alarm' in it)."""
    rows = con.execute(
        "SELECT command, source, run_id, stats FROM runs WHERE stats IS NOT NULL "
        "QUALIFY row_number() OVER (PARTITION BY command, source ORDER BY run_id DESC) = 1").fetchall()
    findings = []
    for command, source, run_id, stats in rows:
        try:
            parsed: Any = json.loads(stats)
        except ValueError:
            continue
        if not isinstance(parsed, dict):
            continue
        # layout alarms are read from their table below, where a reparse marks them resolved
        raised = {k: v for k, v in parsed.items() if "alarm" in k and v and k != "layout_alarms"}
        for key, value in raised.items():
            findings.append(Finding(PROBLEM, "alarms", f"run {run_id} ({command}{' ' + source if source else ''}) "
                                    f"raised {key}: {json.dumps(value, ensure_ascii=False)[:200]}",
                                    "see the README, 'What to do on an alarm'"))
    if con.execute("SELECT count(*) FROM duckdb_tables() WHERE database_name = current_database() "
                   "AND table_name = 'layout_alarms'").fetchone()[0]:
        for run_id, source, rule, share, median in con.execute(
                "SELECT run_id, source, rule, share, median FROM layout_alarms WHERE resolved_by IS NULL "
                "ORDER BY run_id, source, rule").fetchall():
            findings.append(Finding(PROBLEM, "alarms", f"layout alarm of run {run_id}: {source}'s rule {rule} held on "
                                    f"{share:.0%} of its new pages (median {median:.0%}); their parses are held",
                                    f"fix the layout file of {source}, then `komo reparse --source {source}`"))
    return findings or [Finding(OK, "alarms", "no alarm in the latest runs")]


def _forget_key(home: Home, con: duckdb.DuckDBPyConnection) -> list[Finding]:
    try:
        forgotten = con.execute("SELECT count(*) FROM forgotten_persons").fetchone()[0]
    except duckdb.Error:
        return []
    key = home.forget_key_path
    if forgotten and not key.exists():
        return [Finding(PROBLEM, "forget-key", f"{forgotten} person(s) were forgotten but {key} is missing: a crawl "
                        "would bring their names back (crawls refuse to run)", "restore forget.key from your backup")]
    if key.exists() and key.stat().st_mode & 0o077:
        return [Finding(PROBLEM, "forget-key", f"{key} is readable by others (mode {key.stat().st_mode & 0o777:o})",
                        f"chmod 600 {key}")]
    return [Finding(OK, "forget-key", f"{forgotten} person(s) forgotten" + (", key present" if forgotten else ""))]
