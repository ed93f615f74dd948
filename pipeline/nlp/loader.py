"""Build the extraction pipeline from config.cfg; the components register as it is built."""

from __future__ import annotations

import hashlib
import importlib
from functools import lru_cache
from importlib import resources
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Span

from .doctext import doc_text
from .lexicon import files_digest, resolve_model

DEFAULT_CONFIG = Path(str(resources.files(__package__) / "config.cfg"))
PIPELINE_VERSION = "1"  # bump when component code changes what it extracts
# Each module registers its `@Language.factory` (and span extensions) when imported.
COMPONENT_MODULES = ("action_fields", "addresses", "bodies", "dates", "districts", "lemmas", "persons",
                     "sentences")


def register_components() -> None:
    """Import the component modules so spaCy knows their factories (idempotent)."""
    for name in COMPONENT_MODULES:
        importlib.import_module(f"{__package__}.{name}")


def span_offsets(span: Span) -> tuple[int, int]:
    """Character offsets of a mention in the text its doc was made from."""
    return span._.chars or (span.start_char, span.end_char)


def span_text(span: Span) -> str:
    start, end = span_offsets(span)
    return doc_text(span.doc)[start:end]


def load_pipeline(config_path: Path = DEFAULT_CONFIG, gates: bool | None = None) -> Language:
    """Build the pipeline from its config file (a fresh object: safe to mutate).

    `gates=False` switches off every component's cheap pre-checks (their `gates` setting): the
    slow reference the fast configuration must match mention for mention.
    """
    register_components()
    config = spacy.util.load_config(config_path)
    if gates is not None:
        for component in config["components"].values():
            if "gates" in component:
                component["gates"] = gates
    nlp = spacy.util.load_model_from_config(config, auto_fill=True, validate=True)
    nlp.initialize()
    nlp.meta["komo_version"] = extractor_version(config_path)
    return nlp


def warm_up(nlp: Language) -> None:
    """Run the pipeline once on a short text, so what its components load lazily (the NER model)
    is loaded before worker processes fork and share it."""
    for _ in nlp.pipe(["Am 1. Mai 2020 sagte Anna Beispiel, Leiterin des Amtes für Soziales, etwas."]):
        pass


@lru_cache(maxsize=4)
def shared_pipeline(config_path: Path = DEFAULT_CONFIG) -> Language:
    return load_pipeline(config_path)


def extractor_version(config_path: Path = DEFAULT_CONFIG) -> str:
    """Version of what the pipeline extracts: code version + config + every data file it reads."""
    config = spacy.util.load_config(config_path)
    data_files = [
        value for component in config["components"].values()
        for key, value in component.items()
        if key in ("lexicon", "rules", "taxonomy", "abbreviations", "places", "organisations", "world_places")
    ]
    models = [resolve_model(component["ner_model"]) / "meta.json"
              for component in config["components"].values() if component.get("ner_model")]
    model_bytes = b"".join(path.read_bytes() for path in models if path.exists())
    digest = hashlib.sha256(config_path.read_bytes() + files_digest(data_files).encode() + model_bytes)
    return f"{PIPELINE_VERSION}-{digest.hexdigest()[:10]}"
