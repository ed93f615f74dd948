"""Where shipped data and models are found: one rule for an editable checkout and an installed wheel.

Packaged files come through `importlib.resources`, never `Path(__file__)` arithmetic. A user's
own files under `$KOMO_HOME` (the same sub-paths as in `data/`: `sources/`, `lexicons/`,
`taxonomy/`, `places/`, `config/`) add to or override the packaged ones, so a researcher edits a lexicon
or adds a source without touching the installation.
"""

from __future__ import annotations

import os
from functools import cache
from importlib import resources
from pathlib import Path

from kommunalmonitor.core.errors import KomoError
from kommunalmonitor.core.home import DEFAULT_HOME

DATA_PACKAGE = "kommunalmonitor.data"
MODELS_PACKAGE = "kommunalmonitor.models"
# Only these top-level folders of a home hold user data; raw/, logs/ … are the run's own.
USER_DATA_FOLDERS = ("sources", "lexicons", "taxonomy", "places", "config")


@cache
def _package_dir(package: str) -> Path:
    root = resources.files(package)
    if not isinstance(root, Path):  # a zipped install: the spaCy and DuckDB code need real files
        raise KomoError(f"{package} is not installed as plain files; reinstall without zip (pip install .)")
    return root


def data_dir() -> Path:
    """The shipped `data/` folder."""
    return _package_dir(DATA_PACKAGE)


def models_dir() -> Path:
    """The shipped `models/` folder (code and artifacts: topic-classifier/, ner-de/, data/)."""
    return _package_dir(MODELS_PACKAGE)


def user_data_dir() -> Path:
    """The home whose sources/ and lexicons/ override the shipped ones (`$KOMO_HOME`)."""
    return Path(os.environ.get("KOMO_HOME") or DEFAULT_HOME).expanduser()


def data_file(relative: str | Path) -> Path:
    """A data file by its path under data/ (`lexicons/bodies.toml`): the user's copy under
    `$KOMO_HOME` when there is one, else the shipped one. Absolute paths are returned as given."""
    path = Path(relative)
    if path.is_absolute():
        return path
    if path.parts and path.parts[0] in USER_DATA_FOLDERS:
        override = user_data_dir() / path
        if override.is_file():
            return override
    return data_dir() / path


def model_path(relative: str | Path) -> Path:
    """A shipped model artifact (`ner-de`, `topic-classifier/model.skops`); absolute paths as given.
    `models/…` (the checkout's spelling, as in config files) is accepted too."""
    path = Path(relative)
    if path.is_absolute():
        return path
    if path.parts and path.parts[0] == "models":
        path = Path(*path.parts[1:])
    return models_dir() / path


def data_files(folder: str, pattern: str = "*.toml") -> dict[str, Path]:
    """Every file of a data folder by stem, the user's files added to (and winning over) the shipped."""
    found = {p.stem: p for p in sorted((data_dir() / folder).glob(pattern))}
    user = user_data_dir() / folder
    if folder in USER_DATA_FOLDERS and user.is_dir():
        found.update({p.stem: p for p in sorted(user.glob(pattern))})
    return dict(sorted(found.items()))


def checkout_root() -> Path | None:
    """The source checkout this package runs from (an editable install), or None for a wheel.

    Development-only inputs (the gold sets under tests/gold) exist only there."""
    candidate = data_dir().parent
    return candidate if (candidate / "pyproject.toml").is_file() and (candidate / "tests").is_dir() else None


def datasets_dir() -> Path | None:
    """The open data sets (shared/datasets: GermEval, gazetteers, …): `$KOMO_DATASETS`, else the
    folder beside the source checkout; None where neither exists. Development data: training and
    evaluation baselines read it, nothing at run time does."""
    env = os.environ.get("KOMO_DATASETS")
    if env:
        return Path(env)
    root = checkout_root()
    candidate = root.parent / "shared" / "datasets" if root is not None else None
    return candidate if candidate is not None and candidate.is_dir() else None
