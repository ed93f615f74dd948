"""Where a komo run keeps its files: one home directory for store, snapshot, raw pages, logs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

DEFAULT_HOME = Path("~/.local/share/kommunalmonitor")


@dataclass(frozen=True)
class Home:
    """The layout under `$KOMO_HOME`; every path a command writes is derived from here."""

    root: Path
    db_override: Path | None = None

    @classmethod
    def resolve(cls, home: str | Path | None = None, db: str | Path | None = None) -> Home:
        """`--home` wins over `$KOMO_HOME`, which wins over the XDG-style default."""
        chosen = home or os.environ.get("KOMO_HOME") or DEFAULT_HOME
        return cls(Path(chosen).expanduser().resolve(), Path(db).expanduser().resolve() if db else None)

    @property
    def db(self) -> Path:
        """The working store, written only by the one writer."""
        return self.db_override or self.root / "komo.duckdb"

    @property
    def published_db(self) -> Path:
        """The read-only snapshot of the working store, beside it: `--db OTHER` publishes into
        OTHER's own published/, never over the home's. Replaced atomically by each writer run."""
        return self.db.parent / "published" / self.db.name

    def reader_db(self, working: bool = False) -> Path:
        """The file a reader opens: the published snapshot; the store itself with --working or
        when --db names one."""
        return self.db if working or self.db_override else self.published_db

    @property
    def raw_dir(self) -> Path:
        return self.root / "raw"

    @property
    def staging_dir(self) -> Path:
        return self.root / "staging"

    @property
    def logs_dir(self) -> Path:
        return self.root / "logs"

    @property
    def forget_key_path(self) -> Path:
        """The secret `komo forget` keys its name hashes with (mode 600); back it up with the store."""
        return self.root / "forget.key"

    @property
    def lock_path(self) -> Path:
        """The writer lock of the working store (komo.lock beside komo.duckdb)."""
        return self.db.with_suffix(".lock")

    def ensure(self) -> Home:
        for path in (self.root, self.raw_dir, self.staging_dir, self.logs_dir, self.published_db.parent):
            path.mkdir(parents=True, exist_ok=True)
        return self
