"""`komo forget "NAME"`: remove a person from the store on request (GDPR Art. 17).

Under the writer lock: the person's mentions and identities (the full name, the surname the
extractor resolved to it, inflected forms) are deleted, the name is masked in every text column
of every table (bodies, versions, sentences, council persons' JSON, …) and in every kept page
under raw/ (re-written, same gzip format), the full-text index is rebuilt and the snapshot
republished. What happened is recorded with the name only as keyed hashes (core/namemask.py), and
every later crawl masks those forms in what it loads (`reapply_forgets`), so a re-crawl does not
bring the name back.
"""

from __future__ import annotations

import gzip
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.lock import writer_lock
from kommunalmonitor.core.namemask import NameMatcher, load_key, name_tokens, token_hash, variants

from .store import Store
from .store import forget as forget_sql
from .writer import open_writer

# Kept files whose text is not plain (PDFs compress their text streams): not re-written.
_OPAQUE_SUFFIXES = (".pdf.gz",)


@dataclass
class ForgetReport:
    name: str
    dry_run: bool
    identities: list[tuple[str, str | None, str | None]] = field(default_factory=list)
    mentions: int = 0
    texts: dict[str, int] = field(default_factory=dict)       # table.column → rows masked
    raw_pages: int = 0
    raw_skipped: int = 0                                      # PDFs, unreadable files
    run_id: int | None = None

    def lines(self) -> list[str]:
        verb = "would" if self.dry_run else ""
        out = [f"identity: {p}" + (f" ({r}{' ' + o if o else ''})" if r else "") for p, r, o in self.identities]
        out += [f"  {where}: {n} rows" for where, n in sorted(self.texts.items())]
        summary = (f"{'dry run: ' if self.dry_run else ''}{len(self.identities)} identities, {self.mentions} mentions "
                   f"{verb + ' be ' if verb else ''}removed; {sum(self.texts.values())} stored texts and "
                   f"{self.raw_pages} kept pages {verb + ' be ' if verb else ''}masked")
        if self.raw_skipped:
            summary += f"; {self.raw_skipped} kept files not readable as text (PDFs) left as they are"
        if not self.dry_run:
            summary += f"; recorded as a keyed hash (run {self.run_id}), snapshot republished"
        return [*out, summary]

    def stats(self) -> dict[str, Any]:
        """The counts for runs.stats: never the name."""
        return {"identities": len(self.identities), "mentions": self.mentions, "texts": self.texts,
                "raw_pages": self.raw_pages, "raw_skipped": self.raw_skipped}


def _parts(name: str) -> tuple[list[str], list[str]]:
    """Full-name tokens and surname tokens (the last whitespace-separated part: `Meyer-Ott`)."""
    full = name_tokens(name)
    words = name.split()
    if len(full) < 2 or len(words) < 2:
        raise KomoError(f"give the person's full name (given name and surname), not {name!r}")
    return full, name_tokens(words[-1])


def _prefilter(surname: list[str], original_surname: str) -> str:
    """An RE2 pattern a stored text must match to be looked at (cheap, in SQL): the surname's first
    token as written, casefolded, umlauts spelled out, and JSON-escaped."""
    first = surname[0]
    written = re.split(r"[\s\-]", original_surname)[0]
    spellings = {written, first, *(form[0] for form in variants([first])),
                 written.encode("ascii", "backslashreplace").decode("ascii").replace("\\x", "\\u00")}
    return "(?i)(" + "|".join(re.escape(s) for s in sorted(spellings)) + ")"


def _matcher(key: bytes, full: list[str], surname: list[str]) -> NameMatcher:
    matcher = NameMatcher(key)
    matcher.add_name(full)
    matcher.add_name(surname, anchored=True)
    return matcher


def forget(home: Home, name: str, dry_run: bool = False) -> ForgetReport:
    """Forget `name` in the working store, the kept pages and the snapshot (dry_run: only count)."""
    full, surname = _parts(name)
    prefilter = _prefilter(surname, name.split()[-1])
    report = ForgetReport(name, dry_run)
    if dry_run:
        # A key only for this look: nothing is recorded, so none is created.
        key = load_key(home.forget_key_path) or os.urandom(32)
        matcher = _matcher(key, full, surname)
        if not home.db.exists():
            raise KomoError(f"no store at {home.db}; nothing to forget")
        with writer_lock(home.lock_path), Store.open(home.db, read_only=True) as store:
            _forget_in_store(store, matcher, full, surname, prefilter, report, write=False)
        _forget_raw(home, matcher, prefilter, report, write=False)
        return report
    key = load_key(home.forget_key_path, create=True)
    assert key is not None
    matcher = _matcher(key, full, surname)
    with open_writer(home) as store:
        with store.run("forget") as run:
            report.run_id = run_id = run.run_id
            with store.transaction():
                _forget_in_store(store, matcher, full, surname, prefilter, report, write=True)
                forget_sql.invalidate_search(store.con)
                forget_sql.record(store.con, token_hash(key, " ".join(full)), matcher.forms, matcher.anchored,
                                  run_id, report.stats())
            _forget_raw(home, matcher, prefilter, report, write=True)
            run.finish("ok", report.stats())
        store.publish(home.published_db, runs=[run_id])
        store.con.execute("CHECKPOINT")
    return report


def _forget_in_store(store: Store, matcher: NameMatcher, full: list[str], surname: list[str], prefilter: str,
                     report: ForgetReport, write: bool) -> None:
    con = store.con
    in_full = {tuple(v) for v in variants(full)}
    bare = {tuple(v) for v in variants(surname)}
    naming = forget_sql.naming_documents(con, matcher, prefilter, None)
    gone, identities = [], set()
    for rowid, source, native_id, value, role, role_of, text in forget_sql.person_mentions(con, prefilter):
        # The person's own identities: the full name, or the bare surname in a document that names
        # them in full; "Greta Mustermann-Beispiel" is someone else.
        tokens = tuple(name_tokens(value or ""))
        if tokens in in_full or matcher.names_in_full(text) or (tokens in bare and (source, native_id) in naming):
            gone.append(rowid)
            identities.add((value, role, role_of))
    report.identities = sorted(identities, key=lambda i: tuple(x or "" for x in i))
    report.mentions = len(gone)
    if write:
        forget_sql.remove_mentions(con, gone)
    report.texts = forget_sql.mask_texts(con, matcher, prefilter=prefilter, write=write)


def _forget_raw(home: Home, matcher: NameMatcher, prefilter: str, report: ForgetReport, write: bool) -> None:
    """Re-write every kept page under raw/ that names the person, masked, in the same gzip format."""
    quick = re.compile(prefilter[4:].encode("utf-8"), re.IGNORECASE)  # the pattern without (?i)
    latin = re.compile(prefilter[4:].encode("cp1252", errors="ignore"), re.IGNORECASE)
    if not home.raw_dir.is_dir():
        return
    for path in sorted(home.raw_dir.rglob("*.gz")):
        if path.name.endswith(_OPAQUE_SUFFIXES):
            report.raw_skipped += 1
            continue
        try:
            page = gzip.decompress(path.read_bytes())
        except (OSError, EOFError):
            report.raw_skipped += 1
            continue
        if not (quick.search(page) or latin.search(page)):
            continue
        if _rewrite_page(path, page, matcher, write):
            report.raw_pages += 1


def _rewrite_page(path: Path, page: bytes, matcher: NameMatcher, write: bool) -> bool:
    masked = matcher.mask_page(page)
    if masked is None:
        return False
    if write:
        # Same name (content-addressed by the page as fetched): a re-crawl of the same bytes finds
        # the file present and keeps the masked one; written aside, then renamed into place.
        temporary = path.with_name(f"{path.name}.forget{os.getpid()}")
        with gzip.open(temporary, "wb", compresslevel=6) as out:
            out.write(masked)
        os.replace(temporary, path)
    return True


def reapply_forgets(store: Store, home: Home, run_id: int) -> dict[str, int]:
    """After a crawl has loaded: mask every forgotten name in what run `run_id` wrote (texts and the
    kept pages it refers to). Nothing to do, and no cost, when nobody was forgotten."""
    forms = forget_sql.forgotten_forms(store.con)
    if not forms:
        return {}
    key = load_key(home.forget_key_path)
    if key is None:
        raise KomoError(f"persons were forgotten in this store but its key {home.forget_key_path} is missing: "
                        "restore it from your backup before crawling again (a crawl would bring their names back)")
    matcher = NameMatcher(key)
    matcher.add_hashed(forms)
    with store.transaction():
        masked = forget_sql.mask_texts(store.con, matcher, run_id=run_id)
    pages = 0
    for ref in forget_sql.raw_refs(store.con, run_id=run_id):
        path = (home.root / ref).resolve()
        if not path.is_relative_to(home.raw_dir.resolve()) or path.name.endswith(_OPAQUE_SUFFIXES):
            continue
        try:
            page = gzip.decompress(path.read_bytes())
        except (OSError, EOFError):
            continue
        pages += _rewrite_page(path, page, matcher, write=True)
    return {"texts": sum(masked.values()), "raw_pages": pages}

