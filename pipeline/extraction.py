"""`komo extract` over the store: read documents whose current version this extractor has not
read, run the nlp pipeline, swap their mentions in batch by batch, publish."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pyarrow as pa
from spacy.tokens import Doc, Span

from kommunalmonitor.core.home import Home
from kommunalmonitor.core.parallel import parallel_chunks

from .nlp.doctext import doc_text
from .nlp.loader import extractor_version, shared_pipeline, span_offsets, warm_up
from .nlp.places import DEFAULT_PLACES, load_places
from .nlp.records import make_doc
from .store import Store
from .writer import open_writer

_MENTION_SCHEMA = pa.schema([
    ("source", pa.string()), ("native_id", pa.string()), ("kind", pa.string()), ("text", pa.string()),
    ("value", pa.string()), ("role", pa.string()), ("number", pa.string()), ("inferred", pa.bool_()),
    ("range_part", pa.string()), ("start_char", pa.int32()), ("end_char", pa.int32()),
    ("sentence_start", pa.int32()), ("sentence_end", pa.int32()), ("sentence", pa.string()),
    ("extractor_version", pa.string()), ("role_of", pa.string()),
])
_EXTRACTION_SCHEMA = pa.schema([
    ("source", pa.string()), ("native_id", pa.string()), ("content_hash", pa.string()),
    ("extractor_version", pa.string()), ("integration", pa.bool_()),
    ("action_fields", pa.list_(pa.string())), ("mention_count", pa.int32()),
    ("extracted_at", pa.timestamp("us")), ("run_id", pa.int32()),
])
_KINDS = {"bodies": "body", "addresses": "address", "districts": "district", "persons": "person"}


def mention_rows(doc: Doc, source: str, native_id: str, version: str) -> Iterator[dict[str, Any]]:
    """One row per mention, with its sentence, for the `mentions` table."""
    sentences = _Sentences(doc)
    for span in doc.spans["dates"]:
        for value, inferred, range_part in span._.dates:
            yield _row(span, sentences, source, native_id, version, "date", value,
                       inferred=inferred, range_part=range_part)
    for group, kind in _KINDS.items():
        for span in doc.spans[group]:
            yield _row(span, sentences, source, native_id, version, kind, _value(kind, span),
                       role=span._.role if kind == "person" else None,
                       role_of=span._.role_of if kind == "person" else None,
                       number=span._.number if kind == "address" else None)
    for span in doc.spans["action_fields"]:
        kind = "integration" if span.label_ == "integration" else "action_field"
        yield _row(span, sentences, source, native_id, version, kind, span.label_)


class _Sentences:
    """The sentence of a mention (its text stripped, where that begins), each made once per doc
    from the doc's text: a doc has a few dozen sentences and hundreds of mentions."""

    def __init__(self, doc: Doc):
        self.doc, self.text = doc, doc_text(doc)
        self.split = doc.has_annotation("SENT_START")
        self.known: dict[int, tuple[str, int]] = {}

    def of(self, span: Span) -> tuple[str, int]:
        sentence = span.sent if self.split else span.doc[:]
        found = self.known.get(sentence.start)
        if found is None:
            raw = self.text[sentence.start_char:sentence.end_char]  # == sentence.text
            stripped = raw.strip()
            found = (stripped, sentence.start_char + (len(raw) - len(raw.lstrip())))
            self.known[sentence.start] = found
        return found


def _value(kind: str, span: Span) -> str | None:
    return {"body": span._.name, "address": span._.street_norm, "district": span._.district,
            "person": span._.person}[kind]


def _row(span: Span, sentences: _Sentences, source: str, native_id: str, version: str, kind: str,
         value: str | None, **extra: Any) -> dict[str, Any]:
    start, end = span_offsets(span)
    sentence_text, sentence_start = sentences.of(span)
    row = {"source": source, "native_id": native_id, "kind": kind, "text": sentences.text[start:end], "value": value,
           "role": None, "role_of": None, "number": None, "inferred": None, "range_part": None,
           "start_char": start, "end_char": end,
           "sentence_start": sentence_start, "sentence_end": sentence_start + len(sentence_text),
           "sentence": sentence_text, "extractor_version": version}
    row.update(extra)
    return row


def _extract_rows(items: list[tuple[tuple, str]], nlp: Any = None) -> list[tuple[list[dict], dict]]:
    """(mention rows, extraction summary) per stored document; runs in a worker or in-process."""
    nlp = nlp or shared_pipeline()
    results = []
    docs = nlp.pipe((make_doc(nlp, body or "", published.isoformat() if published else None, title)
                     for (_, _, body, published, _, title), _ in items), batch_size=64)
    for ((source, native_id, _, _, content_hash, _), version), doc in zip(items, docs, strict=True):
        rows = list(mention_rows(doc, source, native_id, version))
        results.append((rows, {"source": source, "native_id": native_id, "content_hash": content_hash,
                               "extractor_version": version, "integration": bool(doc._.integration),
                               "action_fields": list(doc._.action_fields), "mention_count": len(rows)}))
    return results


def places_file(nlp: Any) -> str:
    """The districts file the pipeline's komo_districts component reads (the default without it)."""
    if "komo_districts" in nlp.pipe_names:
        return nlp.get_pipe("komo_districts").places
    return DEFAULT_PLACES


def extract_store(home: Home, everything: bool = False, batch_size: int = 500, n_process: int = 1,
                  progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Extract every document that needs it under the writer lock, publish; returns the run's figures."""
    with open_writer(home) as store:
        stats = extract_into(store, home, everything, batch_size, n_process, progress)
        store.publish(home.published_db, runs=[stats["run_id"]])
    return stats


def extract_into(store: Store, home: Home, everything: bool = False, batch_size: int = 500, n_process: int = 1,
                 progress: Callable[[int], None] | None = None) -> dict[str, Any]:
    """Extract into an open working store (see pipeline/writer.py); no publishing."""
    nlp = shared_pipeline()
    version = extractor_version()
    stats = {"documents": 0, "mentions": 0, "integration": 0, "extractor_version": version}
    with store.run("extract") as run:
        run_id = stats["run_id"] = run.run_id
        run.stats = lambda: stats
        # The districts table (archive codes → district) comes from the same file the
        # komo_districts component reads; its content is part of the extractor version.
        stats["districts"] = store.replace_districts(load_places(places_file(nlp)).table_rows())
        todo = [(row, version) for row in store.documents_to_extract(version, everything)]
        # One stream of results over the whole run (one worker pool, not one per batch);
        # the store takes them batch by batch.
        if n_process > 1:
            warm_up(nlp)  # lazily loaded models load once here, not once per worker
            results = parallel_chunks(_extract_rows, todo, n_process)
        else:
            results = (r for offset in range(0, len(todo), batch_size)
                       for r in _extract_rows(todo[offset: offset + batch_size], nlp))
        for offset in range(0, len(todo), batch_size):
            batch = list(itertools.islice(results, min(batch_size, len(todo) - offset)))
            now = datetime.now(UTC).replace(tzinfo=None)
            mentions = [m for rows, _ in batch for m in rows]
            extractions = [dict(summary, extracted_at=now, run_id=run_id) for _, summary in batch]
            stats["integration"] += sum(1 for _, summary in batch if summary["integration"])
            store.replace_mentions(pa.Table.from_pylist(mentions, schema=_MENTION_SCHEMA),
                                   pa.Table.from_pylist(extractions, schema=_EXTRACTION_SCHEMA))
            stats["documents"] += len(batch)
            stats["mentions"] += len(mentions)
            if progress:
                progress(len(batch))
    return stats
