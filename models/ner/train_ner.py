"""Train the small German NER (PER / LOC / ORG) from spacy.blank("de") and save it with nlp.to_disk.

    python -m kommunalmonitor.models.ner.train_ner --out models/ner-de

Data (read in place from shared/datasets, or $KOMO_DATASETS; nothing is copied into the repo):
  train = GermEval 2014 test minus its last 500 sentences
          + a surname-swapped copy of those with a PER entity (surnames: GermaNER list, Apache-2.0)
          + MobIE train + MobIE dev
  tune  = GermEval 2014 test, last 500 sentences   (spaCy scores it to pick model-best)
  eval  = GermEval 2014 dev, MobIE test            (never seen in training or selection)
Label mapping: see corpora.py. Config: models/ner/config.cfg (fixed seed 0).

The DocBins and spaCy's checkpoints go to a scratch directory (--work-dir, default a fresh temp
dir, deleted afterwards unless --keep-work). The chosen model-best is re-saved to --out with
meta.json describing data, licenses and the eval scores.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.tokens import DocBin

from kommunalmonitor.models.ner import corpora, evaluate_ner

CONFIG = Path(__file__).with_name("config.cfg")

SOURCES = [
    {
        "name": "GermEval 2014 NER (NoSta-D), dev + test splits",
        "url": "https://sites.google.com/site/germeval2014ner/data",
        "license": "CC BY 4.0",
        "author": "D. Benikova, C. Biemann, M. Reznicek: NoSta-D Named Entity Annotation for German: "
                  "Guidelines and Dataset. LREC 2014",
    },
    {
        "name": "DFKI MobIE NER (v1_20210811, CoNLL format)",
        "url": "https://github.com/DFKI-NLP/MobIE",
        "license": "CC BY 4.0",
        "author": "L. Hennig, P. T. Truong, A. Gabryszak: MobIE: A German Dataset for Named Entity "
                  "Recognition, Entity Linking and Relation Extraction in the Mobility Domain. KONVENS 2021",
    },
    {
        "name": "GermaNER surname list inDBnachnamen.txt (via elenanereiss/Legal-Entity-Recognition "
                "gazetteers/personennamen.list), used only to augment training sentences",
        "url": "https://github.com/tudarmstadt-lt/GermaNER",
        "license": "Apache-2.0",
        "author": "TU Darmstadt Language Technology group (GermaNER)",
    },
]


def write_docbins(work: Path, augment: bool = True) -> dict[str, int]:
    nlp = spacy.blank("de")
    data = corpora.splits(augment=augment)
    counts = {}
    for name in ("train", "tune"):
        docs = corpora.to_docs(nlp.vocab, data[name])
        DocBin(docs=docs, attrs=["ORTH", "ENT_IOB", "ENT_TYPE"]).to_disk(work / f"{name}.spacy")
        counts[name] = len(docs)
    return counts


def trim_strings(model_dir: Path, labels: Sequence[str]) -> int:
    """Replace vocab/strings.json by the entity labels alone; return how many strings were dropped.

    spaCy saves every string it has seen, i.e. every training token (incl. MobIE's Twitter
    handles). The model does not need them: its features are hashes computed at run time, and
    the tokenizer and NER re-add their own strings on load. Scores are identical either way
    (checked when this was written), and the model is 1.3 MB smaller and ships no corpus text.
    """
    path = model_dir / "vocab" / "strings.json"
    before = len(json.loads(path.read_text(encoding="utf-8")))
    path.write_text(json.dumps(sorted(labels)), encoding="utf-8")
    return before - len(labels)


def clear_scratch_paths(model_dir: Path) -> None:
    """The saved config.cfg records the scratch DocBin paths; reset them to null as in config.cfg."""
    cfg = spacy.util.load_config(model_dir / "config.cfg", interpolate=False)
    cfg["paths"]["train"] = None
    cfg["paths"]["dev"] = None
    cfg.to_disk(model_dir / "config.cfg", interpolate=False)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, required=True, help="where to save the pipeline (models/ner-de)")
    ap.add_argument("--config", type=Path, default=CONFIG)
    ap.add_argument("--work-dir", type=Path, default=None, help="scratch dir for DocBins + checkpoints")
    ap.add_argument("--keep-work", action="store_true", help="don't delete the scratch dir")
    ap.add_argument("--max-steps", type=int, default=None, help="override training.max_steps")
    ap.add_argument("--no-augment", action="store_true", help="skip the surname-swap augmentation")
    args = ap.parse_args(argv)

    from spacy.cli.train import train as spacy_train

    work = args.work_dir or Path(tempfile.mkdtemp(prefix="komo-ner-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        counts = write_docbins(work, augment=not args.no_augment)
        print(f"docbins in {work}: {counts}", flush=True)
        overrides: dict[str, object] = {"paths.train": str(work / "train.spacy"),
                                        "paths.dev": str(work / "tune.spacy")}
        if args.max_steps is not None:
            overrides["training.max_steps"] = args.max_steps
        t0 = time.perf_counter()
        spacy_train(args.config, output_path=work / "training", overrides=overrides)
        train_seconds = time.perf_counter() - t0

        nlp = spacy.load(work / "training" / "model-best")
        tune_perf = dict(nlp.meta.get("performance", {}))
        eval_scores = {name: evaluate_ner.score(nlp, evaluate_ner.load_eval_sentences(name))
                       for name in evaluate_ner.EVAL_SETS}
        nlp.meta.update({
            "name": "kommunalmonitor_ner",
            "version": "0.1.0",
            "description": "Small German NER (PER, LOC, ORG): CNN tok2vec + transition NER, trained "
                           "from spacy.blank('de') on GermEval 2014 (dev excluded) and MobIE.",
            "license": "CC BY 4.0 (trained on CC BY 4.0 data; see README.md for attribution)",
            "sources": SOURCES,
            "performance": tune_perf,
            "kommunalmonitor": {
                "trained": dt.date.today().isoformat(),
                "train_seconds": round(train_seconds, 1),
                "train_sentences": counts["train"],
                "tune_sentences": counts["tune"],
                "config": str(args.config.name),
                "surname_augmentation": not args.no_augment,
                "eval": eval_scores,
            },
        })
        args.out.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(args.out)
        dropped = trim_strings(args.out, nlp.get_pipe("ner").labels)
        clear_scratch_paths(args.out)
        reloaded = evaluate_ner.score(spacy.load(args.out), evaluate_ner.load_eval_sentences("germeval-dev"))
        if reloaded != eval_scores["germeval-dev"]:
            raise SystemExit("scores changed after trimming vocab/strings.json; not shipping that")
        print(f"dropped {dropped} training strings from vocab/strings.json", flush=True)
        print(f"\ntrained in {train_seconds:.0f} s; saved to {args.out}", flush=True)
        print(evaluate_ner.markdown(eval_scores))
        print(json.dumps({"train_seconds": round(train_seconds, 1)}))
    finally:
        if args.work_dir is None and not args.keep_work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
