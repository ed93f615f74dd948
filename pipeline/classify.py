"""`komo classify` and `komo explain`: the topic classifier over the stored documents.

Classify runs as the one writer (lock, working store, run row), writes the `topics` table in
batches — each batch replaces that model's rows of its documents, so a rerun or a run after a
crash converges — and publishes the snapshot. Explain only reads the published snapshot.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import Home
from kommunalmonitor.core.text import terminal_safe
from kommunalmonitor.models.classifier import DEFAULT_MODEL, LabelExplanation, TopicClassifier, load
from kommunalmonitor.models.corpus import Document

from .store import Store
from .writer import open_writer


@dataclass
class ClassifySummary:
    run_id: int
    model: str
    model_hash: str
    documents: int = 0
    rows: int = 0
    integration: int = 0
    topics: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        top = ", ".join(f"{t} {n}" for t, n in sorted(self.topics.items(), key=lambda kv: (-kv[1], kv[0]))[:3])
        return (f"run {self.run_id} (classify): ok; {self.documents} documents classified by {self.model} "
                f"(hash {self.model_hash[:12]}): {self.integration} about integration; "
                f"top topics: {top or '-'}; {self.rows} rows in topics")


def _columns(batch: list[tuple[str, str, str | None, str]], classifier: TopicClassifier, run_id: int,
             now: datetime, summary: ClassifySummary) -> dict[str, list[Any]]:
    predictions = classifier.predict([Document.from_parts(title, body) for _, _, title, body in batch])
    names = ("source", "native_id", "label_set", "label", "score", "assigned", "model_name",
             "model_version", "model_hash", "run_id", "classified_at")
    columns: dict[str, list[Any]] = {name: [] for name in names}
    for row, (source, native_id, _, _) in enumerate(batch):
        per_document = predictions.for_document(row)
        for label_set, labels in per_document.items():
            for label, (score, assigned) in labels.items():
                for name, value in zip(names, (source, native_id, label_set, label, round(score, 6), assigned,
                                               classifier.name, classifier.version, classifier.content_hash,
                                               run_id, now), strict=True):
                    columns[name].append(value)
        chosen = predictions.assigned_labels(row)
        summary.integration += bool(chosen["integration"])
        for topic in chosen["topic"]:
            summary.topics[topic] = summary.topics.get(topic, 0) + 1
    return columns


def classify_store(home: Home, model_path: Path | None = None, batch_size: int = 1000,
                   progress: Callable[[int], None] | None = None) -> ClassifySummary:
    """Tag every stored document with integration, action fields and topic; publish the snapshot."""
    if not home.db.exists():
        raise KomoError(f"no store at {home.db}; run `komo crawl` (or `komo demo`) first")
    with open_writer(home) as store:
        # The lock first: a rival exits at once instead of after loading the model. A bad model
        # file still fails before anything is written.
        classifier = load(model_path or DEFAULT_MODEL)
        summary = classify_into(store, classifier, batch_size, progress)
        store.publish(home.published_db, runs=[summary.run_id])
    return summary


def classify_into(store: Store, classifier: TopicClassifier, batch_size: int = 1000,
                  progress: Callable[[int], None] | None = None) -> ClassifySummary:
    """Classify into an open working store (see pipeline/writer.py); no publishing."""
    with store.run("classify") as run:
        run_id = run.run_id
        summary = ClassifySummary(run_id, f"{classifier.name} {classifier.version}", classifier.content_hash)
        run.failure_stats = lambda: summary.__dict__
        run.stats = lambda: {**summary.__dict__, "model_version": classifier.version}
        now = datetime.now(UTC).replace(tzinfo=None)
        after = None
        while batch := store.documents_to_classify(after, batch_size):
            summary.rows += store.replace_topics(_columns(batch, classifier, run_id, now, summary),
                                                 classifier.name)
            summary.documents += len(batch)
            after = batch[-1][:2]
            if progress:
                progress(len(batch))
    return summary


def explain_document(home: Home, native_id: str | None, source: str | None = None,
                     model_path: Path | None = None, text_file: Path | None = None,
                     top: int = 8) -> str:
    """Why a stored document (or the text in `text_file`) gets its labels, as printable text."""
    classifier = load(model_path or DEFAULT_MODEL)
    stored: list[tuple] = []
    if text_file is not None:
        try:
            text = text_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as problem:
            raise KomoError(f"cannot read {text_file}: {problem}") from None
        heading, document = f"text from {text_file}", Document(text)
    else:
        if not native_id:
            raise KomoError("give a document id (see `komo sql \"SELECT native_id, title FROM documents\"`) "
                            "or --file")
        with Store.open_reader(home.reader_db()) as store:
            src, nid, title, body, _ = store.find_document(native_id, source)
            stored = store.stored_topics(src, nid)
        heading = terminal_safe(f"{src} {nid}: {title or '(ohne Überschrift)'}")
        document = Document.from_parts(title, body)
    lines = [heading, f"model {classifier.name} {classifier.version} (hash {classifier.content_hash[:12]})"]
    stored_hashes = {row[5] for row in stored}
    if stored_hashes and stored_hashes != {classifier.content_hash}:
        lines.append("note: the store holds labels from another model (hash "
                     f"{', '.join(sorted(h[:12] for h in stored_hashes))}); run `komo classify` to refresh")
    for item in classifier.explain(document, top=top):
        lines.append(_explanation_line(item))
        lines.extend(f"    {t.weight:+.3f}  {t.term}" for t in item.terms)
    return "\n".join(lines)


def _explanation_line(item: LabelExplanation) -> str:
    verdict = "yes" if item.assigned else "no"
    what = "why" if item.assigned else "why not (strongest evidence against)"
    return f"{item.label_set}: {item.label} = {verdict} (score {item.score:.2f}); {what}:"
