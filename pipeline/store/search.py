"""Full-text search: the DuckDB fts index (German Snowball stemmer, BM25) and `komo search`.

What is indexed: every document without republished copies (`duplicate_of IS NULL`): its
title, body, and `compound_terms`, the parts of the long compounds in both
(pipeline/store/compounds.py), so `Unterkunft` finds `Flüchtlingsunterkunft`. A republished copy
is never a hit of its own; its original is, with the number of copies beside it.
`search_corpus` lists the indexed documents (fts id, version, compound parts).

When it is built: `refresh_index`, called by `Store.publish` on the working store before the
snapshot is copied. It splits only documents it has not seen in their current version, and
rebuilds the fts index only when the fingerprint of the indexed (source, native_id,
content_hash) or of the index configuration changed. The rebuild reads title and body into a
table `search_input`, indexes it (schema fts_main_search_input, which COPY FROM DATABASE
carries into the snapshot with its macros) and drops it again: the index's macros read only
their own tables, and the store does not keep every body twice (a third of the snapshot at
20k documents). Rebuild, drop and state row are one transaction: a killed writer leaves the
old index and rebuilds next time.

How a query runs: its words are tokenized and stopword-filtered by the index's own macros; in
the default (disjunctive, as fts scores) mode each long word also brings its compound parts,
split the way the index split the corpus (`search_compounds`), or by the splitter when the
corpus never had the word. The query string is always a bound parameter.
"""

from __future__ import annotations

import hashlib
import logging
import time
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

import duckdb

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.german import STOPWORDS_FILE, stopwords
from kommunalmonitor.core.resources import data_file

if TYPE_CHECKING:
    from .core import Store

logger = logging.getLogger(__name__)

FTS_SCHEMA = "fts_main_search_input"  # what create_fts_index names the index of search_input
STEMMER = "german"
# Applied after lower() and strip_accents(): every run of non-letters separates words. The fts
# default (a list of ASCII punctuation) leaves „German quotes“, en dashes and § glued to words.
IGNORE = "[^a-zß]+"
SNIPPET_CHARS = 200
MAX_QUERY_CHARS = 500
_BATCH = 2000

# The index term of one word, as the index's tokenizer and stemmer make it; `{}` is a column name
# of ours, the two parameters are IGNORE and STEMMER.
_WORD_STEM = ("coalesce(stem(list_filter(string_split_regex(regexp_replace(lower(strip_accents({})), ?, ' ', "
              "'g'), '\\s+'), t -> t <> '')[1], ?), '')")

# A PRAGMA takes no bound parameters; every value here is a constant of this module.
_CREATE_INDEX = (
    "PRAGMA create_fts_index('search_input', 'doc_id', 'title', 'body', 'compound_terms', "
    f"stemmer='{STEMMER}', stopwords='search_stopwords', ignore='{IGNORE}', "
    "strip_accents=1, lower=1, overwrite=1)"
)


def load_fts(con: duckdb.DuckDBPyConnection) -> None:
    """Load the fts extension from the pip package (INSTALL from the web is not possible here)."""
    try:
        con.execute("LOAD fts")
        return
    except duckdb.Error:
        pass
    try:
        from duckdb_extensions import import_extension

        import_extension("fts", con=con)
        con.execute("LOAD fts")
    except (duckdb.Error, ImportError, OSError) as problem:
        raise KomoError(f"cannot load DuckDB's fts extension ({str(problem).splitlines()[0]}); "
                        "reinstall komo with its dependencies (duckdb-extension-fts)") from None


def index_present(con: duckdb.DuckDBPyConnection) -> bool:
    return bool(con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE schema_name = ? AND table_name = 'docs'",
        [FTS_SCHEMA]).fetchone()[0])


# -- building ---------------------------------------------------------------------------------


@dataclass
class IndexStatus:
    documents: int
    rebuilt: bool
    split: int  # documents whose compounds were split in this refresh
    seconds: float


def index_config() -> str:
    """Everything besides the documents that decides what the index holds."""
    from . import compounds

    stopwords = hashlib.sha256(data_file(STOPWORDS_FILE).read_bytes()).hexdigest()[:16]
    return (f"stemmer={STEMMER} ignore={IGNORE} stopwords={stopwords} "
            f"splitter=split-words-{compounds.splitter_version()} rules={compounds.VERSION} "
            f"min={compounds.MIN_LENGTH}/{compounds.MIN_PART}")


def refresh_index(store: Store) -> IndexStatus:
    """Bring search_corpus and the fts index up to date with `documents` (the publisher calls this)."""
    con = store.con
    started = time.perf_counter()
    load_fts(con)  # its stem() is used for new words too
    config = index_config()
    state = con.execute("SELECT fingerprint, config FROM search_index_state").fetchone()
    if state is not None and state[1] != config:
        logger.info("search index configuration changed: splitting every document again")
        con.execute("DELETE FROM search_corpus")
        con.execute("DELETE FROM search_compounds")
    # Rows whose document is gone, changed, or now a republished copy.
    con.execute(
        "DELETE FROM search_corpus WHERE (source, native_id, content_hash) NOT IN ("
        "SELECT source, native_id, content_hash FROM documents WHERE duplicate_of IS NULL)")
    split = _add_new_documents(con)
    documents, fingerprint = con.execute(
        "SELECT count(*), md5(? || coalesce(string_agg(source || chr(31) || native_id || chr(31) "
        "|| content_hash, chr(30) ORDER BY source, native_id), '')) FROM search_corpus",
        [config]).fetchone()
    if state is not None and state[0] == fingerprint and index_present(con):
        return IndexStatus(documents, False, split, time.perf_counter() - started)
    with store.transaction():
        con.execute("DELETE FROM search_stopwords")
        con.execute("INSERT INTO search_stopwords SELECT DISTINCT lower(strip_accents(w)) "
                    "FROM unnest(?::VARCHAR[]) AS u(w)", [list(stopwords())])
        con.execute(
            "CREATE OR REPLACE TABLE search_input AS SELECT c.doc_id, d.title, d.body, c.compound_terms "
            "FROM search_corpus c JOIN documents d USING (source, native_id)")
        con.execute(_CREATE_INDEX)
        con.execute("DROP TABLE search_input")
        seconds = time.perf_counter() - started
        con.execute("DELETE FROM search_index_state")
        con.execute("INSERT INTO search_index_state VALUES (?, ?, ?, ?, ?)",
                    [fingerprint, config, documents, datetime.now(UTC).replace(tzinfo=None), seconds])
    logger.info("search index rebuilt: %d documents (%d split) in %.1f s", documents, split, seconds)
    return IndexStatus(documents, True, split, seconds)


def _add_new_documents(con: duckdb.DuckDBPyConnection) -> int:
    """Insert the searchable documents search_corpus lacks, with their compound parts.

    Memory stays bounded by the batch, not by the corpus: each batch looks up in search_compounds
    only its own candidate words and saves the words it split before the next batch, so no
    vocabulary of the whole corpus is held; the splitter's tables are freed at the end."""
    import pyarrow as pa

    from .compounds import CompoundSplitter, candidate_words, release_tables

    after = ("", "")
    added = 0
    while True:
        rows = con.execute(
            """
            SELECT d.source, d.native_id, d.content_hash, d.title, d.body FROM documents d
            WHERE d.duplicate_of IS NULL AND (d.source, d.native_id) > (?, ?)
              AND NOT EXISTS (SELECT 1 FROM search_corpus c
                              WHERE c.source = d.source AND c.native_id = d.native_id)
            ORDER BY d.source, d.native_id LIMIT ?
            """,
            [after[0], after[1], _BATCH]).fetchall()
        if not rows:
            break
        texts = [f"{title or ''}\n{body}" for _, _, _, title, body in rows]
        candidates = sorted({word.lower() for text in texts for word in candidate_words(text)})
        splitter = CompoundSplitter(_stored_splits(con, candidates) if candidates else {})
        batch = pa.table({"source": [r[0] for r in rows], "native_id": [r[1] for r in rows],
                          "content_hash": [r[2] for r in rows],
                          "compound_terms": [" ".join(splitter.parts(text)) for text in texts]})
        con.register("search_batch", batch)
        try:
            con.execute("INSERT INTO search_corpus (source, native_id, content_hash, compound_terms) "
                        "SELECT source, native_id, content_hash, compound_terms FROM search_batch")
        finally:
            con.unregister("search_batch")
        if splitter.learned:
            _save_splits(con, splitter.learned)
        added += len(rows)
        after = (rows[-1][0], rows[-1][1])
        del rows, texts, batch, splitter
    if added:
        release_tables()
    return added


def _save_splits(con: duckdb.DuckDBPyConnection, learned: dict[str, tuple[str, ...]]) -> None:
    import pyarrow as pa

    words = pa.table({"word": list(learned), "parts": [list(parts) for parts in learned.values()]})
    con.register("search_words", words)
    try:
        con.execute(f"INSERT INTO search_compounds SELECT word, {_WORD_STEM.format('word')}, parts "  # noqa: S608
                    "FROM search_words", [IGNORE, STEMMER])
    finally:
        con.unregister("search_words")


# -- querying ---------------------------------------------------------------------------------


@dataclass
class SearchHit:
    score: float
    published: date | None
    sender: str | None
    title: str | None
    canonical_url: str
    source: str
    native_id: str
    copies: int  # republished copies of this release (not hits of their own)
    snippet: str  # ~200 characters of the body, hits marked »…«
    snippet_start: int  # offsets into documents.body
    snippet_end: int
    highlights: list[list[int]] = field(default_factory=list)  # [start, end] into documents.body
    kind: str = "press"  # documents.kind: press, paper, agenda_item, file
    page: int | None = None  # file documents: the page of the file the snippet's first match is on
    parent_id: str | None = None  # file documents: the paper / agenda item / meeting the file belongs to

    COLUMNS = ("score", "published", "sender", "title", "canonical_url", "source", "native_id",
               "copies", "snippet", "snippet_start", "snippet_end", "highlights", "kind", "page", "parent_id")

    def row(self) -> tuple:
        return tuple(getattr(self, name) for name in self.COLUMNS)


@dataclass
class SearchQuery:
    text: str
    all_terms: bool = False
    date_from: date | None = None
    date_to: date | None = None
    source: str | None = None
    action_field: str | None = None
    district: str | None = None
    limit: int = 10
    kind: str | None = None                # documents.kind: press, paper, agenda_item, …
    sender: str | None = None              # documents.sender (any case)
    offset: int = 0                        # hits skipped (pages of a web search)
    stored_after: datetime | None = None   # only identities first stored after this (alerts)


# The documents a query matches with its filters: one definition for the ranked hits, their
# facets and alerts, so a facet's count is the number of hits its link gives.
_MATCHES = """
WITH scored AS (
    SELECT c.source, c.native_id,
           fts_main_search_input.match_bm25(c.doc_id, $query, conjunctive := $conjunctive) AS score
    FROM search_corpus c
), doc_fields AS (
    -- the classifier's action fields; the extractor's for documents it has not labelled yet
    SELECT t.source, t.native_id, t.label AS field FROM current_topics t
    WHERE t.label_set = 'action_field' AND t.assigned
    UNION ALL
    SELECT e.source, e.native_id, unnest(e.action_fields) AS field FROM extractions e
    WHERE NOT EXISTS (SELECT 1 FROM current_topics t WHERE t.source = e.source AND t.native_id = e.native_id)
), matches AS (
SELECT s.score, d.published, d.sender, d.title, d.canonical_url, d.source, d.native_id, d.kind
FROM scored s JOIN documents d USING (source, native_id)
WHERE s.score IS NOT NULL
  AND ($date_from IS NULL OR d.published >= $date_from)
  AND ($date_to IS NULL OR d.published <= $date_to)
  AND ($source IS NULL OR d.source = $source)
  AND ($kind IS NULL OR d.kind = $kind)
  AND ($sender IS NULL OR lower(d.sender) = lower($sender))
  AND ($stored_after IS NULL OR d.first_seen > $stored_after)
  AND ($field IS NULL
       OR EXISTS (SELECT 1 FROM doc_fields f
                  WHERE f.source = d.source AND f.native_id = d.native_id AND f.field = $field))
  AND ($district IS NULL
       OR EXISTS (SELECT 1 FROM document_districts dd
                  WHERE dd.source = d.source AND dd.native_id = d.native_id
                    AND lower(dd.district) = lower($district)))
)
"""

# Both are constants of this module: nothing of a query is ever formatted into them.
_SEARCH = _MATCHES + """, best AS (
SELECT * EXCLUDE (kind) FROM matches
ORDER BY score DESC, published DESC NULLS LAST, source, native_id
LIMIT $limit OFFSET $offset
)
-- bodies (the bulk of the table) are read for the hits only
SELECT b.*, d.body,
       (SELECT count(*) FROM documents x WHERE x.source = b.source AND x.duplicate_of = b.native_id) AS copies,
       d.kind, d.parent_id
FROM best b JOIN documents d USING (source, native_id)
ORDER BY b.score DESC, b.published DESC NULLS LAST, b.source, b.native_id
"""  # noqa: S608

_FACETS = _MATCHES + """
SELECT 'total' AS facet, NULL AS key, count(*) AS documents FROM matches
UNION ALL
SELECT 'year', CAST(year(published) AS VARCHAR), count(*) FROM matches GROUP BY ALL
UNION ALL
SELECT 'field', f.field, count(DISTINCT (m.source, m.native_id)) FROM matches m
JOIN doc_fields f USING (source, native_id) GROUP BY ALL
UNION ALL
SELECT 'kind', kind, count(*) FROM matches GROUP BY ALL
ORDER BY facet, key
"""  # noqa: S608


@dataclass
class SearchFacets:
    """How many documents match in all (not only the page shown), per year, action field and kind."""

    total: int
    years: list[tuple[str | None, int]]    # None: undated
    fields: list[tuple[str, int]]
    kinds: list[tuple[str | None, int]]


def _prepared(store: Store, query: SearchQuery) -> tuple[SearchQuery, list[str], list[str], dict[str, Any]]:
    """Check a query and its filters against the store; its index terms and the SQL parameters."""
    con = store.con
    if not index_present(con):
        raise KomoError(f"{store.path} has no search index yet; run `komo update` (or `komo crawl`) "
                        "first: every run that publishes the snapshot builds it")
    load_fts(con)
    if query.date_from and query.date_to and query.date_from > query.date_to:
        raise KomoError(f"--from {query.date_from} is after --to {query.date_to}")
    if len(query.text) > MAX_QUERY_CHARS:
        raise KomoError(f"the query is {len(query.text)} characters long; keep it under {MAX_QUERY_CHARS}")
    query = _check_filters(con, query)
    tokens, parts = _query_terms(con, query.text, expand=not query.all_terms)
    if not tokens:
        raise KomoError(f"nothing to search for in {query.text!r}: only stopwords, digits or punctuation")
    parameters = {
        "query": " ".join(tokens + parts), "conjunctive": 1 if query.all_terms else 0,
        "date_from": query.date_from, "date_to": query.date_to, "source": query.source,
        "field": query.action_field, "district": query.district, "kind": query.kind, "sender": query.sender,
        "stored_after": query.stored_after,
    }
    return query, tokens, parts, parameters


def search(store: Store, query: SearchQuery) -> list[SearchHit]:
    """The best `query.limit` documents for a query (after `query.offset`), BM25-ranked, with a
    snippet around the hit."""
    con = store.con
    query, tokens, parts, parameters = _prepared(store, query)
    from .files import hit_pages

    rows = con.execute(_SEARCH, {**parameters, "limit": query.limit, "offset": query.offset}).fetchall()
    stems = set(_stems(con, tokens + parts))
    snippets = _Snippets(con, stems, [row[7] for row in rows])
    hits = []
    for score, published, sender, title, url, source, native_id, body, copies, kind, parent_id in rows:
        text, start, end, marks = snippets.make(body)
        hits.append(SearchHit(score, published, sender, title, url, source, native_id, copies,
                              text, start, end, marks, kind, None, parent_id))
    # A file's hit names the page its first match is on (document_pages: offsets of each page).
    located = [(h.source, h.native_id, h.highlights[0][0]) for h in hits if h.kind == "file" and h.highlights]
    pages = hit_pages(con, located)
    for hit in hits:
        hit.page = pages.get((hit.source, hit.native_id))
    return hits


def search_facets(store: Store, query: SearchQuery) -> SearchFacets:
    """Counts over every document the query matches with its filters (limit and offset aside)."""
    _, _, _, parameters = _prepared(store, query)
    rows = store.con.execute(_FACETS, parameters).fetchall()
    by_facet: dict[str, list[tuple[Any, int]]] = {}
    for facet, key, documents in rows:
        by_facet.setdefault(facet, []).append((key, documents))
    return SearchFacets(total=by_facet.get("total", [(None, 0)])[0][1], years=by_facet.get("year", []),
                        fields=sorted(by_facet.get("field", []), key=lambda kv: (-kv[1], kv[0])),
                        kinds=by_facet.get("kind", []))


def latest_first_seen(store: Store) -> datetime | None:
    """When the newest document identity of the store was first stored: the mark after which
    documents count as new for an alert."""
    return store.con.execute("SELECT max(first_seen) FROM documents").fetchone()[0]


def _check_filters(con: duckdb.DuckDBPyConnection, query: SearchQuery) -> SearchQuery:
    """The query with each filter value spelt as the store spells it (any case matches); a value
    the store never has is a clear error, not an empty result."""
    checks = [
        ("source", "--source", "SELECT DISTINCT source FROM documents", "komo crawl"),
        ("action_field", "--field",
         "SELECT label FROM topics WHERE label_set = 'action_field' "
         "UNION SELECT unnest(action_fields) FROM extractions", "komo extract or komo classify"),
        ("district", "--district",
         "SELECT district FROM districts UNION SELECT district FROM document_districts", "komo extract"),
        ("kind", "--kind", "SELECT DISTINCT kind FROM documents", "komo crawl"),
        ("sender", "--sender", "SELECT DISTINCT sender FROM documents", "komo crawl"),
    ]
    for name, option, sql, command in checks:
        value = getattr(query, name)
        if value is None:
            continue
        known = sorted({row[0] for row in con.execute(sql).fetchall() if row[0] is not None})
        if not known:
            raise KomoError(f"{option}: the store has no values for this filter yet; run {command} first")
        spelt = {k.lower(): k for k in known}.get(value.lower())
        if spelt is None:
            shown = ", ".join(known[:30]) + (f", … ({len(known)} in all)" if len(known) > 30 else "")
            raise KomoError(f"{option} {value!r} is not in the store; known: {shown}")
        query = replace(query, **{name: spelt})
    return query


def _query_terms(con: duckdb.DuckDBPyConnection, text: str, expand: bool) -> tuple[list[str], list[str]]:
    """The query's words as the index sees them (tokenized, stopwords out), and, when `expand`,
    the parts of its long compounds, tokenized the same way."""
    tokens = _tokens(con, [text])
    if not expand or not tokens:
        return tokens, []
    from .compounds import MIN_LENGTH, CompoundSplitter, words

    long_words = list(dict.fromkeys(m.group().lower() for m in words(text) if len(m.group()) >= MIN_LENGTH))
    if not long_words:
        return tokens, []
    known = _known_splits(con, long_words)
    splitter = CompoundSplitter(known)  # splits live only words the corpus has in no form
    parts = [part for word in long_words for part in splitter.split_query_word(word)]
    extra = [t for t in _tokens(con, parts) if t not in tokens] if parts else []
    return tokens, list(dict.fromkeys(extra))


def _known_splits(con: duckdb.DuckDBPyConnection, query_words: list[str]) -> dict[str, list[str]]:
    """How the index split each (lower-cased) query word: the word itself, else another
    inflection of it (same stem), else nothing when the index knows the stem anyway. Words
    missing from the result are unknown to the corpus: the caller splits them live."""
    known = _stored_splits(con, query_words)
    missing = [w for w in query_words if w not in known]
    if not missing:
        return known
    stems = dict(con.execute(f"SELECT w, {_WORD_STEM.format('w')} FROM unnest(?::VARCHAR[]) AS u(w)",  # noqa: S608
                             [IGNORE, STEMMER, missing]).fetchall())
    # Of the inflections the corpus has, the shortest word's split.
    by_stem = dict(con.execute(
        "SELECT c.stem, arg_min(c.parts, len(c.word)) FROM search_compounds c "
        "SEMI JOIN unnest(?::VARCHAR[]) AS u(s) ON c.stem = u.s GROUP BY c.stem",
        [list(set(stems.values()))]).fetchall())
    indexed = {row[0] for row in con.execute(
        f"SELECT term FROM {FTS_SCHEMA}.dict WHERE list_contains(?, term)",  # noqa: S608
        [list(set(stems.values()))]).fetchall()}
    for word in missing:
        stem = stems.get(word)
        if stem in by_stem:
            known[word] = by_stem[stem]
        elif stem in indexed:
            known[word] = []
    return known


def _stored_splits(con: duckdb.DuckDBPyConnection, words: list[str]) -> dict[str, list[str]]:
    return dict(con.execute(
        "SELECT c.word, c.parts FROM search_compounds c SEMI JOIN unnest(?::VARCHAR[]) AS u(w) ON c.word = u.w",
        [words]).fetchall())


def _tokens(con: duckdb.DuckDBPyConnection, texts: list[str]) -> list[str]:
    rows = con.execute(
        f"SELECT t FROM (SELECT unnest({FTS_SCHEMA}.tokenize(x)) AS t FROM unnest(?::VARCHAR[]) AS u(x)) "  # noqa: S608
        f"WHERE t <> '' AND t NOT IN (SELECT sw FROM {FTS_SCHEMA}.stopwords)", [texts]).fetchall()
    return list(dict.fromkeys(row[0] for row in rows))


def _stems(con: duckdb.DuckDBPyConnection, tokens: list[str]) -> list[str]:
    return [row[0] for row in con.execute(
        "SELECT DISTINCT stem(t, ?) FROM unnest(?::VARCHAR[]) AS u(t)", [STEMMER, tokens]).fetchall()]


class _Snippets:
    """Finds the first body word that matches a query stem, itself or by a compound part."""

    def __init__(self, con: duckdb.DuckDBPyConnection, stems: set[str], bodies: list[str]):
        from .compounds import is_candidate, words

        self.words = words
        # A Snowball stem is a prefix of the folded word, and a compound part a piece of it: only
        # words that contain a query stem can match, and only those are stemmed (~60 µs a word).
        stems = {s for s in stems if s}
        vocabulary = {w for w in {m.group() for body in bodies for m in words(body)}
                      if any(s in _fold(w) for s in stems)}
        candidates = sorted(w.lower() for w in vocabulary if is_candidate(w))
        self.parts: dict[str, list[str]] = _stored_splits(con, candidates) if candidates else {}
        strings = sorted(vocabulary | {p for parts in self.parts.values() for p in parts})
        # Each string's stems as the index makes them: its tokenizer (lower, accents, separators), then stem.
        stemmed = dict(con.execute(
            f"SELECT w, list_transform({FTS_SCHEMA}.tokenize(w), t -> stem(t, ?)) "  # noqa: S608
            "FROM unnest(?::VARCHAR[]) AS u(w)", [STEMMER, strings]).fetchall()) if strings else {}
        self.match = {w for w, ws in stemmed.items() if any(s in stems for s in ws)}

    def _is_hit(self, word: str) -> bool:
        return word in self.match or any(p in self.match for p in self.parts.get(word.lower(), ()))

    def make(self, body: str) -> tuple[str, int, int, list[list[int]]]:
        hits = [(m.start(), m.end()) for m in self.words(body) if self._is_hit(m.group())]
        first = hits[0] if hits else (0, 0)
        start, end = _window(body, *first)
        marks = [[s, e] for s, e in hits if s >= start and e <= end]
        pieces, at = [], start
        for s, e in marks:
            pieces += [body[at:s], "»", body[s:e], "«"]
            at = e
        pieces.append(body[at:end])
        text = " ".join("".join(pieces).split())
        return ("…" if start > 0 else "") + text + ("…" if end < len(body) else ""), start, end, marks


def _fold(word: str) -> str:
    """Lower case without accents, ß as ss: the letters a Snowball stem of the word is made of."""
    decomposed = unicodedata.normalize("NFD", word.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).replace("ß", "ss")


def _window(body: str, hit_start: int, hit_end: int, size: int = SNIPPET_CHARS) -> tuple[int, int]:
    """About `size` characters around a hit (a third before it), cut at word boundaries."""
    start = max(0, hit_start - size // 3)
    end = min(len(body), max(start + size, hit_end))
    start = max(0, min(start, end - size))
    if start > 0 and not body[start - 1].isspace():
        space = body.find(" ", start, hit_start)
        start = space + 1 if space >= 0 else start
    if end < len(body) and not body[end].isspace():
        space = body.rfind(" ", hit_end, end)
        end = space if space >= 0 else end
    return start, end
