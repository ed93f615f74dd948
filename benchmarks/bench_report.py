"""Report generation and the monthly trend query on a generated store, beside bare GROUP BYs.

    python -m benchmarks.bench_report [--mentions N] [--seed S] [--repeat K]

A synthetic store is written through `Store.open` (the migrations create the real schema and
views) into a temporary directory: N mention rows (default 1,000,000) over about N/20 documents
published 2000-2023 (a few % republished copies with `duplicate_of` set, some URL forms with a
`&stadtteil=NN` district code), one classifier's topic rows (integration, action fields, topics:
18 labels per document) and one extraction row per document. Bodies are six sentences from a
generated pool; a mention sits in one of its document's sentences (offsets and sentence are
consistent), though its text is drawn apart from that sentence. Tables are built with numpy and
pyarrow and inserted as Arrow tables; the seed fixes every value. Generation and loading are
timed but are no part of the ratios.

The store is then reopened read-only, as `komo report` does, and each measurement is the best
of K wall-clock runs (all runs are kept in the JSON), in the same run:

* baseline "trend": the bare GROUP BY month x action field straight on `topics` JOIN
  `documents` (assigned labels, republished copies and undated articles left out, as the view
  does), beside ours: ``SELECT * FROM action_field_trend_monthly``. Their counts are compared
  row by row: a correctness check, not only a speed one;
* baseline "mentions": the bare GROUP BY kind x value over the whole `mentions` table, beside
  ours: `build_report` for ``--topic integration`` (every figure query) and `render` to HTML,
  Markdown and CSV, each timed on its own.

A per-figure breakdown of the report (each `ReportReader` query) follows. Results go to stdout
and ``bench-results/report.json``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from benchmarks import pools
from benchmarks.util import RESULTS_DIR, save_results
from kommunalmonitor.core.german import MONTHS
from kommunalmonitor.models.taxonomy import Taxonomy

RESULTS_FILE = RESULTS_DIR / "report.json"
SEED = 20240501
DEFAULT_MENTIONS = 1_000_000
MENTIONS_PER_DOCUMENT = 20
SENTENCES_PER_BODY = 6
DUPLICATE_SHARE = 0.03
UNDATED_SHARE = 0.002
DISTRICT_URL_SHARE = 0.35
SOURCE = "leverkusen-com"
BASE_URL = "https://www.leverkusen.com/presse/db/presse.php?view="
MODEL_NAME, MODEL_VERSION = "topic-classifier", "bench"
EXTRACTOR_VERSION = "bench-extractor"
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2023, 12, 31)
DATE_POOL_FIRST, DATE_POOL_LAST = date(1999, 1, 1), date(2025, 12, 31)
CRAWLED_AT = datetime(2024, 5, 1, 3, 0, 0)
REPORT_TOPIC = "integration"
REPORT_FORMATS = ("html", "md", "csv")

# Mention kinds, in code order, and how often each occurs in documents without and with
# integration content (the rule-based extraction flag).
KINDS = ("date", "body", "address", "person", "district", "action_field", "integration")
KIND_SHARES = {
    False: (0.28, 0.17, 0.12, 0.22, 0.15, 0.04, 0.02),
    True: (0.22, 0.15, 0.08, 0.20, 0.10, 0.15, 0.10),
}

POOLS = pools.load("report")
SENDERS = POOLS["senders"]
CATEGORIES = POOLS["categories"]
SUBJECTS = POOLS["subjects"]
TITLES = POOLS["titles"]
SENTENCES = POOLS["sentences"]
BODIES = POOLS["bodies"]
STREET_STEMS = POOLS["street_stems"]
STREET_SUFFIXES = POOLS["street_suffixes"]
STREET_ADJECTIVES = POOLS["street_adjectives"]
FIRST_NAMES = POOLS["first_names"]
LAST_NAMES = POOLS["last_names"]
# Person roles: who may be named in a report (data/lexicons/public-roles.toml) and who may not.
PUBLIC_ROLES = POOLS["public_roles"]
PRIVATE_ROLES = POOLS["private_roles"]
PERSON_IDENTITIES = 1500


# --------------------------------------------------------------------------------------------
# Pools: the small lists of distinct values the big columns are drawn from


def _zipf(size: int, exponent: float = 1.1) -> np.ndarray:
    weights = 1.0 / np.arange(1, size + 1) ** exponent
    return weights / weights.sum()


def _district_rows() -> list[dict[str, Any]]:
    from kommunalmonitor.pipeline.nlp.places import DEFAULT_PLACES, load_places

    return load_places(DEFAULT_PLACES).table_rows()


def _pools(seed: int, taxonomy: Taxonomy) -> dict[str, Any]:
    """Every small vocabulary the generator draws from, fixed by the seed."""
    rng = random.Random(seed)
    streets = sorted({f"{stem}{suffix}" for stem in STREET_STEMS for suffix in STREET_SUFFIXES})
    streets = STREET_ADJECTIVES + rng.sample(streets, len(streets))
    places = _district_rows()
    district_names = list(dict.fromkeys(row["district"] for row in places))
    persons = []  # (name, role): the identity across documents
    seen = set()
    while len(persons) < PERSON_IDENTITIES:
        name = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
        rank = len(persons)
        public = rng.random() < (0.7 if rank < 50 else 0.12)
        role = rng.choice(PUBLIC_ROLES) if public else (rng.choice(PRIVATE_ROLES) if rng.random() < 0.7 else None)
        if (name, role) not in seen:
            seen.add((name, role))
            persons.append((name, role))
    days = np.arange(np.datetime64(DATE_POOL_FIRST), np.datetime64(DATE_POOL_LAST) + 1)
    titles = sorted({t.format(subject=s, place=p) for t in TITLES for s in SUBJECTS for p in district_names})
    sentences = []
    for _ in range(2000):
        day = DATE_POOL_FIRST.fromordinal(rng.randint(FIRST_DAY.toordinal(), LAST_DAY.toordinal()))
        name, role = persons[rng.randrange(60)]
        sentences.append(rng.choice(SENTENCES).format(
            subject=rng.choice(SUBJECTS), place=rng.choice(district_names), street=rng.choice(streets),
            number=rng.randint(12, 480), body=rng.choice(BODIES), day=f"{day.day}. {MONTHS[day.month - 1]}",
            role=role or "Projektleiterin", name=name))
    field_ids = list(taxonomy.field_labels)
    return {
        "dates_iso": [str(d) for d in days],
        "dates_text": [f"{d.day:02d}.{d.month:02d}.{d.year}" for d in days.astype(object)],
        "bodies": BODIES,
        "streets": streets,
        "persons": persons,
        "districts": district_names,
        "district_text": [rng.choice([name, name, f"Stadtteil {name}"]) for name in district_names],
        "field_ids": field_ids,
        "field_text": [(taxonomy.fields[f] or (f,))[0] for f in field_ids],
        "integration_text": [(taxonomy.integration_strong + taxonomy.integration_weak + ("Integration",))[0]],
        "topic_ids": list(taxonomy.topic_labels),
        "titles": titles,
        "sentences": sentences,
        "district_codes": [(row["archive_code"], row["district"]) for row in places
                           if row["source"] == SOURCE and row["archive_code"] is not None],
        "place_rows": places,
    }


# --------------------------------------------------------------------------------------------
# The tables


def _hex_ids(rng: np.random.Generator, count: int, nbytes: int) -> pa.Array:
    raw = rng.integers(0, 256, size=(count, nbytes), dtype=np.uint8)
    return pa.array([row.tobytes().hex() for row in raw], pa.string())


def _join(*parts: Any) -> pa.Array:
    """Element-wise string concatenation of arrays and scalars (pyarrow, no Python loop)."""
    return pc.binary_join_element_wise(*parts, "")


def generate_tables(mentions: int, seed: int = SEED) -> dict[str, pa.Table]:
    """The documents, topics, extractions and mentions tables (Arrow) for `mentions` mention rows."""
    if mentions < 1:
        raise ValueError("mentions must be at least 1")
    taxonomy = Taxonomy.load()
    pools = _pools(seed, taxonomy)
    rng = np.random.default_rng(seed)
    n_docs = max(mentions // MENTIONS_PER_DOCUMENT, 1)

    # -- documents: publication dates rising towards the present, ids growing with the date
    first, last = np.datetime64(FIRST_DAY), np.datetime64(LAST_DAY)
    span = int((last - first).astype(int)) + 1
    growth = 1.0 + 2.0 * np.arange(span) / span
    offsets = np.sort(rng.choice(span, size=n_docs, p=growth / growth.sum()))
    published = first + offsets.astype("timedelta64[D]")
    ids = 10_000 + 3 * np.arange(n_docs) + rng.integers(0, 3, n_docs)
    native_id = pc.cast(pa.array(ids), pa.string())
    title_idx = rng.integers(0, len(pools["titles"]), n_docs)
    sentence_idx = rng.integers(0, len(pools["sentences"]), (n_docs, SENTENCES_PER_BODY))
    # Republished copies: a later document repeating an earlier one's title and body.
    copy = rng.random(n_docs) < DUPLICATE_SHARE
    copy[0] = False
    copies = np.flatnonzero(copy)
    # The original: the last document that is no copy itself, a few places (days) earlier.
    kept = np.flatnonzero(~copy)
    back = np.maximum(copies - rng.integers(1, 40, copies.size), 0)
    originals = kept[np.searchsorted(kept, back, side="right") - 1]
    title_idx[copies] = title_idx[originals]
    sentence_idx[copies] = sentence_idx[originals]
    duplicate_of = np.full(n_docs, None, dtype=object)
    duplicate_of[copies] = [str(i) for i in ids[originals]]
    undated = rng.random(n_docs) < UNDATED_SHARE

    sentences = pa.array(pools["sentences"], pa.string())
    sentence_len = np.asarray(pc.utf8_length(sentences), dtype=np.int64)
    lengths = sentence_len[sentence_idx]
    sentence_start = np.zeros_like(lengths)
    sentence_start[:, 1:] = np.cumsum(lengths[:, :-1] + 1, axis=1)
    body = pc.binary_join_element_wise(*(sentences.take(sentence_idx[:, j]) for j in range(SENTENCES_PER_BODY)), " ")
    canonical = _join(BASE_URL, native_id)
    codes = pools["district_codes"]
    with_code = rng.random(n_docs) < DISTRICT_URL_SHARE
    code = np.array([c for c, _ in codes])[rng.integers(0, len(codes), n_docs)]
    padded = pc.utf8_lpad(native_id, 8, "0")
    district_form = _join(BASE_URL, padded, "&stadtteil=", pc.cast(pa.array(code), pa.string()))
    form_counts = 1 + with_code.astype(np.int64)
    form_offsets = np.concatenate([[0], np.cumsum(form_counts)])
    form_take = np.empty(form_offsets[-1], dtype=np.int64)
    form_take[form_offsets[:-1]] = np.arange(n_docs)
    form_take[form_offsets[:-1][with_code] + 1] = n_docs + np.flatnonzero(with_code)
    url_forms = pa.ListArray.from_arrays(pa.array(form_offsets, pa.int32()),
                                         pa.concat_arrays([canonical, district_form]).take(form_take))
    years = published.astype("datetime64[Y]").astype(int) + 1970
    documents = pa.table({
        "source": pa.array(np.full(n_docs, SOURCE)),
        "native_id": native_id,
        "canonical_url": canonical,
        "url_forms": url_forms,
        "title": pa.array(pools["titles"], pa.string()).take(title_idx),
        "published": pa.array(published, pa.date32(), mask=undated),
        "sender": pa.array(SENDERS).take(rng.integers(0, len(SENDERS), n_docs)),
        "category": pa.array(CATEGORIES).take(rng.integers(0, len(CATEGORIES), n_docs)),
        "body": body,
        "archive_year": pa.array(years, pa.int32(), mask=years >= 2015),
        "footer_addresses": pa.nulls(n_docs, pa.list_(pa.string())),
        "visitor_count": pa.array(rng.integers(20, 20_000, n_docs), pa.int32()),
        "listing_fingerprint": pa.nulls(n_docs, pa.string()),
        "content_hash": _hex_ids(rng, n_docs, 32),
        "duplicate_of": pa.array(duplicate_of, pa.string()),
        "first_seen": pa.array(np.full(n_docs, np.datetime64(CRAWLED_AT, "us"))),
        "last_seen": pa.array(np.full(n_docs, np.datetime64(CRAWLED_AT, "us"))),
        "last_changed": pa.array(np.full(n_docs, np.datetime64(CRAWLED_AT, "us"))),
        "raw_ref": _join("raw/leverkusen-com/", native_id, ".html.gz"),
        "run_id": pa.array(np.ones(n_docs, dtype=np.int32)),
    })

    # -- topics: one row per document x label (integration, action fields, topics)
    field_ids, topic_ids = pools["field_ids"], pools["topic_ids"]
    p_integration = rng.beta(1.2, 3.0, n_docs)
    integration = p_integration >= 0.5
    field_given = rng.beta(0.6, 2.5, (n_docs, len(field_ids)))
    field_score = p_integration[:, None] * field_given
    field_assigned = integration[:, None] & (field_given >= 0.4)
    topic_score = rng.dirichlet(np.full(len(topic_ids), 0.5), n_docs)
    topic_assigned = topic_score == topic_score.max(axis=1, keepdims=True)
    labels = ["integration", *field_ids, *topic_ids]
    label_sets = ["integration"] + ["action_field"] * len(field_ids) + ["topic"] * len(topic_ids)
    scores = np.round(np.column_stack([p_integration, field_score, topic_score]), 6)
    assigned = np.column_stack([integration, field_assigned, topic_assigned])
    per_doc = len(labels)
    doc_of_row = np.repeat(np.arange(n_docs), per_doc)
    model_hash = hashlib.sha256(f"bench-model-{seed}".encode()).hexdigest()
    topics = pa.table({
        "source": pa.array(np.full(n_docs * per_doc, SOURCE)),
        "native_id": native_id.take(doc_of_row),
        "label_set": pa.array(np.tile(label_sets, n_docs)),
        "label": pa.array(np.tile(labels, n_docs)),
        "score": pa.array(scores.ravel()),
        "assigned": pa.array(assigned.ravel()),
        "model_name": pa.array(np.full(n_docs * per_doc, MODEL_NAME)),
        "model_version": pa.array(np.full(n_docs * per_doc, MODEL_VERSION)),
        "model_hash": pa.array(np.full(n_docs * per_doc, model_hash)),
        "run_id": pa.array(np.full(n_docs * per_doc, 2, dtype=np.int32)),
        "classified_at": pa.array(np.full(n_docs * per_doc, np.datetime64(CRAWLED_AT, "us"))),
    })

    # -- mentions: N rows over the documents, more in longer ones; the rule flag decides the kinds
    rule_integration = (p_integration + rng.normal(0, 0.08, n_docs)) >= 0.45
    rule_fields = rule_integration[:, None] & ((field_given + rng.normal(0, 0.08, field_given.shape)) >= 0.45)
    weights = rng.gamma(2.0, 1.0, n_docs)
    per_document = rng.multinomial(mentions, weights / weights.sum())
    doc = np.repeat(np.arange(n_docs), per_document)
    cdf = np.cumsum(np.array([KIND_SHARES[False], KIND_SHARES[True]]), axis=1)
    cdf[:, -1] = 1.0
    kind = (rng.random(mentions)[:, None] >= cdf[rule_integration[doc].astype(int)]).sum(axis=1)

    persons = pools["persons"]
    value_pools = [
        (pools["dates_iso"], pools["dates_text"], [None] * len(pools["dates_iso"])),
        (BODIES, BODIES, [None] * len(BODIES)),
        (pools["streets"], pools["streets"], [None] * len(pools["streets"])),
        ([n for n, _ in persons], [f"{r} {n}" if r else n for n, r in persons], [r for _, r in persons]),
        (pools["districts"], pools["district_text"], [None] * len(pools["districts"])),
        (field_ids, pools["field_text"], [None] * len(field_ids)),
        (["integration"], ["integration"], [None]),
    ]
    pool_start = np.concatenate([[0], np.cumsum([len(values) for values, _, _ in value_pools])])
    sub = np.zeros(mentions, dtype=np.int64)
    for code_, (values, _, _) in enumerate(value_pools):
        chosen = np.flatnonzero(kind == code_)
        if code_ == KINDS.index("date"):
            anchor = np.where(undated[doc[chosen]], rng.integers(0, span, chosen.size), offsets[doc[chosen]])
            shift = int((first - np.datetime64(DATE_POOL_FIRST)).astype(int))
            sub[chosen] = np.clip(anchor + shift + rng.integers(-30, 121, chosen.size), 0, len(values) - 1)
        elif code_ == KINDS.index("action_field"):
            # Mostly the fields the rules found, else any field (a word without enough support).
            own = rule_fields[doc[chosen]]
            pick = rng.random((chosen.size, len(field_ids))) * np.where(own, 2.0, 1.0)
            sub[chosen] = pick.argmax(axis=1)
        else:
            sub[chosen] = rng.choice(len(values), chosen.size, p=_zipf(len(values)))
    index = pool_start[kind] + sub
    integration_values = pa.array(np.full(len(value_pools[-1][0]), "integration"))
    value = pa.concat_arrays([pa.array(v, pa.string()) for v, _, _ in value_pools[:-1]]
                             + [integration_values]).take(index)
    text_pool = pa.concat_arrays([pa.array(t, pa.string()) for _, t, _ in value_pools[:-1]]
                                 + [pa.array(pools["integration_text"], pa.string())])
    text = text_pool.take(index)
    role = pa.concat_arrays([pa.array(r, pa.string()) for _, _, r in value_pools]).take(index)
    is_date, is_address = kind == KINDS.index("date"), kind == KINDS.index("address")
    number = pc.cast(pa.array(rng.integers(1, 180, mentions), mask=~(is_address & (rng.random(mentions) < 0.7))),
                     pa.string())
    range_roll = rng.random(mentions)
    range_part = np.where(range_roll < 0.08, "start", np.where(range_roll < 0.16, "end", None))
    which_sentence = rng.integers(0, SENTENCES_PER_BODY, mentions)
    sent_start = sentence_start[doc, which_sentence]
    sent_len = lengths[doc, which_sentence]
    text_len = np.asarray(pc.utf8_length(text), dtype=np.int64)
    start = sent_start + (rng.random(mentions) * np.maximum(sent_len - text_len, 1)).astype(np.int64)
    order = np.lexsort((start, doc))  # document order, then by offset, as the extractor writes them
    mention_table = pa.table({
        "source": pa.array(np.full(mentions, SOURCE)),
        "native_id": native_id.take(doc),
        "kind": pa.array(KINDS).take(kind),
        "text": text,
        "value": value,
        "role": role,
        "number": number,
        "inferred": pa.array(rng.random(mentions) < 0.2, mask=~is_date),
        "range_part": pa.array(range_part, pa.string(), mask=~is_date),
        "start_char": pa.array(start, pa.int32()),
        "end_char": pa.array(start + text_len, pa.int32()),
        "sentence_start": pa.array(sent_start, pa.int32()),
        "sentence_end": pa.array(sent_start + sent_len, pa.int32()),
        "sentence": sentences.take(sentence_idx[doc, which_sentence]),
        "extractor_version": pa.array(np.full(mentions, EXTRACTOR_VERSION)),
    }).take(order)

    # -- extractions: one row per document, the rule-based flags and the mention count
    field_array = pa.array(field_ids, pa.string())
    _, field_cols = np.nonzero(rule_fields)
    field_offsets = np.concatenate([[0], np.cumsum(rule_fields.sum(axis=1))])
    extractions = pa.table({
        "source": pa.array(np.full(n_docs, SOURCE)),
        "native_id": native_id,
        "content_hash": documents["content_hash"],
        "extractor_version": pa.array(np.full(n_docs, EXTRACTOR_VERSION)),
        "integration": pa.array(rule_integration),
        "action_fields": pa.ListArray.from_arrays(pa.array(field_offsets, pa.int32()), field_array.take(field_cols)),
        "mention_count": pa.array(per_document, pa.int32()),
        "extracted_at": pa.array(np.full(n_docs, np.datetime64(CRAWLED_AT, "us"))),
        "run_id": pa.array(np.full(n_docs, 3, dtype=np.int32)),
    })
    return {"documents": documents, "topics": topics, "extractions": extractions, "mentions": mention_table,
            "districts": pools["place_rows"]}


def load_store(path: Path, tables: dict[str, Any]) -> dict[str, int]:
    """Write the generated tables into a fresh store at `path` (migrations run first)."""
    from kommunalmonitor.pipeline.store import Store

    counts = {}
    with Store.open(path) as store:
        store.replace_districts(tables["districts"])
        store.con.execute("BEGIN")
        for name in ("documents", "topics", "extractions", "mentions"):
            store.con.register("bench_batch", tables[name])
            # Names come from the tuple above, not from input.
            store.con.execute(f"INSERT INTO {name} BY NAME SELECT * FROM bench_batch")  # noqa: S608
            store.con.unregister("bench_batch")
            counts[name] = store.con.execute(f"SELECT count(*) FROM {name}").fetchone()[0]  # noqa: S608
        store.con.execute("COMMIT")
        store.con.execute("CHECKPOINT")
    return counts


def generate_store(path: Path, mentions: int, seed: int = SEED) -> dict[str, Any]:
    """Generate and load a store; returns row counts and the seconds each step took."""
    started = time.perf_counter()
    tables = generate_tables(mentions, seed)
    generated = time.perf_counter()
    counts = load_store(path, tables)
    loaded = time.perf_counter()
    documents = tables["documents"]
    return {
        "mentions": mentions, "seed": seed, "rows": counts,
        "republished_copies": len(documents) - documents["duplicate_of"].null_count,
        "undated": documents["published"].null_count,
        "generate_s": generated - started, "load_s": loaded - generated,
        "store_mb": path.stat().st_size / 2**20,
    }


# --------------------------------------------------------------------------------------------
# Measuring

TREND_BASELINE_SQL = """
    SELECT date_trunc('month', d.published)::DATE AS month, t.model_name, t.label AS action_field, count(*) AS documents
    FROM topics t JOIN documents d USING (source, native_id)
    WHERE t.label_set = 'action_field' AND t.assigned AND d.duplicate_of IS NULL AND d.published IS NOT NULL
    GROUP BY ALL
"""
TREND_VIEW_SQL = "SELECT * FROM action_field_trend_monthly"
MENTIONS_BASELINE_SQL = "SELECT kind, value, count(*) AS n FROM mentions GROUP BY ALL"


def best_of(repeat: int, run: Callable[[], Any]) -> tuple[float, list[float], Any]:
    """Best wall-clock seconds of `repeat` runs, every run's seconds, and the last result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - started)
    return min(seconds), seconds, result


def trend_counts_match(con: duckdb.DuckDBPyConnection) -> dict[str, Any]:
    """The view's counts against the bare GROUP BY's, row by row."""
    view = {(m, model, f): n for m, model, f, n, *_ in con.execute(TREND_VIEW_SQL).fetchall()}
    bare = {(m, model, f): n for m, model, f, n in con.execute(TREND_BASELINE_SQL).fetchall()}
    return {"rows": len(view), "baseline_rows": len(bare), "equal": view == bare,
            "documents": sum(view.values())}


def figure_breakdown(con: duckdb.DuckDBPyConnection, repeat: int) -> list[dict[str, Any]]:
    """Seconds per ReportReader query for the benchmark's report (best of `repeat`)."""
    from kommunalmonitor.core.privacy import public_role_pattern
    from kommunalmonitor.pipeline.report.build import resolve_topic
    from kommunalmonitor.pipeline.store.reports import ReportReader, Selection

    label_set, label, _ = resolve_topic(REPORT_TOPIC, Taxonomy.load())
    reader = ReportReader(con)
    pattern = public_role_pattern()
    reader.select(Selection(label_set=label_set, label=label))
    steps: list[tuple[str, Callable[[], Any]]] = [
        ("select (report_base, report_selection)", lambda: reader.select(Selection(label_set=label_set, label=label))),
        ("share_by year", lambda: reader.share_by("year")),
        ("share_by month", lambda: reader.share_by("month")),
        ("fields_by_year", reader.fields_by_year),
        ("districts", reader.districts),
        ("streets", reader.streets),
        ("bodies", reader.bodies),
        ("public_persons", lambda: reader.public_persons(pattern)),
        ("unnamed_persons", lambda: reader.unnamed_persons(pattern)),
        ("notable", lambda: reader.notable(pattern)),  # with the private-person spans
        ("facts", reader.facts),
    ]
    rows = []
    for name, step in steps:
        best, runs, result = best_of(repeat, step)
        size = len(result) if isinstance(result, list | dict) else 1
        rows.append({"query": name, "seconds": best, "runs": runs, "rows": size})
    return rows


def measure(path: Path, repeat: int, home_root: Path) -> dict[str, Any]:
    from kommunalmonitor.pipeline.report import ReportRequest, build_report, render
    from kommunalmonitor.pipeline.report.render import csv_rows
    from kommunalmonitor.pipeline.store import Store

    results: dict[str, Any] = {}
    with Store.open(path, read_only=True) as store:
        con = store.con

        def query(sql: str) -> Callable[[], list[tuple]]:
            return lambda: con.execute(sql).fetchall()

        def row(name: str, what: str, baseline: str | None, best: float, runs: list[float], rows: int,
                unit: str = "rows") -> None:
            results[name] = {"what": what, "seconds": best, "runs": runs, unit: rows, "baseline": baseline}

        for name, what, sql, baseline in (
            ("trend_baseline", "bare GROUP BY month x action field (topics JOIN documents)", TREND_BASELINE_SQL, None),
            ("trend_view", "SELECT * FROM action_field_trend_monthly", TREND_VIEW_SQL, "trend_baseline"),
            ("mentions_baseline", "bare GROUP BY kind x value over mentions", MENTIONS_BASELINE_SQL, None),
        ):
            best, runs, result = best_of(repeat, query(sql))
            row(name, what, baseline, best, runs, len(result))

        request = ReportRequest(topic=REPORT_TOPIC)
        best, runs, report = best_of(repeat, lambda: build_report(con, request, home_root))
        row("report_build", f"build_report --topic {REPORT_TOPIC} (all figure queries)", "mentions_baseline",
            best, runs, sum(1 for _ in csv_rows(report)))
        for output_format in REPORT_FORMATS:
            best, runs, text = best_of(repeat, lambda f=output_format: render(report, f))
            row(f"render_{output_format}", f"render {output_format}", "mentions_baseline", best, runs,
                len(text.encode("utf-8")), unit="bytes")
        build = results["report_build"]["seconds"]
        results["report_total_html"] = {
            "what": "report to HTML (build + render html)", "baseline": "mentions_baseline",
            "seconds": build + results["render_html"]["seconds"], "runs": [],
            "bytes": results["render_html"]["bytes"]}
        for entry in results.values():
            if entry["baseline"]:
                entry["ratio"] = entry["seconds"] / results[entry["baseline"]]["seconds"]
        checks = {
            "mention_rows": con.execute("SELECT count(*) FROM mentions").fetchone()[0],
            "trend": trend_counts_match(con),
            "report_selected": report.selected,
            "report_in_scope": report.in_scope,
            "report_html_nonempty": bool(render(report, "html").strip()),
        }
        figures = figure_breakdown(con, repeat)
    return {"measurements": results, "checks": checks, "figures": figures}


def run_bench(mentions: int, seed: int, repeat: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="komo-bench-report-") as folder:
        path = Path(folder) / "komo.duckdb"
        data = generate_store(path, mentions, seed)
        measured = measure(path, repeat, Path(folder))
    return {
        "mentions": mentions, "seed": seed, "repeat": repeat, "data": data, **measured,
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": platform.platform(),
                    "duckdb": duckdb.__version__, "pyarrow": pa.__version__, "numpy": np.__version__,
                    "load_before": load_before, "load_after": os.getloadavg()},
    }


def report(results: dict[str, Any]) -> str:
    data, checks = results["data"], results["checks"]
    counts = data["rows"]
    lines = [
        f"report benchmark: {counts['mentions']:,} mentions, {counts['documents']:,} documents "
        f"({data['republished_copies']:,} republished copies, {data['undated']:,} undated), "
        f"{counts['topics']:,} topic rows, {counts['extractions']:,} extractions; seed {results['seed']}; "
        f"best of {results['repeat']}, {results['machine']['cores']} cores, DuckDB {results['machine']['duckdb']}",
        f"data: generated in {data['generate_s']:.2f} s, loaded in {data['load_s']:.2f} s "
        f"(store {data['store_mb']:.0f} MB; not part of the ratios)",
        f"load average before/after: {results['machine']['load_before'][0]:.2f} / "
        f"{results['machine']['load_after'][0]:.2f}",
    ]
    header = f"{'measurement':<62} {'seconds':>8} {'output':>14} {'ratio':>8}  baseline"
    lines += [header, "-" * len(header)]
    for entry in results["measurements"].values():
        output = f"{entry['rows']:,} rows" if "rows" in entry else f"{entry['bytes'] / 1024:,.0f} kB"
        ratio = f"{entry['ratio']:.2f}x" if "ratio" in entry else "1"
        lines.append(f"{entry['what']:<62} {entry['seconds']:>8.4f} {output:>14} {ratio:>8}  "
                     f"{entry['baseline'] or '(baseline)'}")
    trend = checks["trend"]
    lines.append(f"check: mention rows in the store {checks['mention_rows']:,} (asked {results['mentions']:,}); "
                 f"trend view counts {'EQUAL' if trend['equal'] else 'DIFFER FROM'} the bare GROUP BY "
                 f"({trend['rows']:,} / {trend['baseline_rows']:,} rows, {trend['documents']:,} documents)")
    lines.append(f"report: {checks['report_selected']:,} of {checks['report_in_scope']:,} articles selected")
    lines.append("report figures, per ReportReader query (best of the same runs):")
    for item in sorted(results["figures"], key=lambda f: -f["seconds"]):
        lines.append(f"  {item['query']:<40} {item['seconds']:>8.4f} s  {item['rows']:>6} rows")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_report",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--mentions", type=int, default=DEFAULT_MENTIONS,
                        help="mention rows to generate; documents are about a twentieth (default: %(default)s)")
    parser.add_argument("--seed", type=int, default=SEED, help="generator seed (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement; the best is shown")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="JSON results (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.mentions < 1 or args.repeat < 1:
        parser.error("--mentions and --repeat must be at least 1")
    results = run_bench(args.mentions, args.seed, args.repeat)
    print(report(results))
    save_results(args.out, results)
    checks = results["checks"]
    if checks["mention_rows"] != args.mentions or not checks["trend"]["equal"]:
        print("error: the generated store or the trend view failed its check", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
