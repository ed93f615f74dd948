"""Loading the editable data files the nlp components use (data/lexicons, data/taxonomy)."""

from __future__ import annotations

import hashlib
import tomllib
from functools import lru_cache
from pathlib import Path
from typing import Any

from kommunalmonitor.core.resources import data_file, model_path

_ENDINGS = ("es", "en", "em", "er", "e", "s", "n")


def resolve_model(path: str | Path) -> Path:
    """A model path from a config: absolute, or a shipped model (`models/ner-de`)."""
    return model_path(path)


def resolve(path: str | Path) -> Path:
    """A data path from a config: absolute, or under data/ (a user's copy in $KOMO_HOME wins)."""
    return data_file(path)


@lru_cache(maxsize=32)
def load_toml(path: str) -> dict[str, Any]:
    return tomllib.loads(resolve(path).read_text(encoding="utf-8"))


@lru_cache(maxsize=32)
def load_lines(path: str) -> tuple[str, ...]:
    lines = resolve(path).read_text(encoding="utf-8").splitlines()
    return tuple(line.strip() for line in lines if line.strip() and not line.startswith("#"))


@lru_cache(maxsize=1 << 17)  # a corpus repeats its word forms; bounded, so memory stays flat
def word_key(word: str) -> str:
    """An inflection-blind key for German words: lower case, ß→ss, case endings stripped
    (twice, so `Bürgern`/`Bürger` and `Integrationsrates`/`Integrationsrat` meet)."""
    key = word.lower().replace("ß", "ss")
    for _ in range(2):
        if len(key) <= 4:
            break
        for ending in _ENDINGS:
            if key.endswith(ending) and len(key) - len(ending) >= 4:
                key = key[: -len(ending)]
                break
        else:
            break
    return key


def files_digest(paths: list[str]) -> str:
    """Hash of the data files a pipeline was built from: part of the extractor version."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(path.encode())
        digest.update(resolve(path).read_bytes())
    return digest.hexdigest()[:12]
