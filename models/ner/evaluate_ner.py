"""Reload the shipped German NER model and print its scores (and, optionally, its speed).

    python -m kommunalmonitor.models.ner.evaluate_ner                 # models/ner-de, both eval sets
    python -m kommunalmonitor.models.ner.evaluate_ner --speed         # + words/s vs the bare tokenizer
    python -m kommunalmonitor.models.ner.evaluate_ner --markdown      # table for the model card

Eval sets (never used for training or checkpoint selection): GermEval 2014 dev (2,200 sentences,
Wikipedia + news) and MobIE test (1,210 sentences, traffic/police tweets and reports). Scoring is
exact-span, per label, on the gold tokenisation (spaCy's NER scorer). Predicted entities that
overlap tokens whose gold annotation is missing (MobIE `location-route`) are not counted.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Sequence
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc
from spacy.training import Example

from kommunalmonitor.core.resources import model_path
from kommunalmonitor.models.ner import corpora

DEFAULT_MODEL = model_path("ner-de")
EVAL_SETS = ("germeval-dev", "mobie-test")


def load_eval_sentences(name: str) -> list[corpora.Sentence]:
    if name == "germeval-dev":
        return list(corpora.read_germeval(corpora.germeval_path("dev")))
    if name == "mobie-test":
        return list(corpora.read_mobie(corpora.mobie_path("test")))
    raise ValueError(f"unknown eval set {name!r}")


def score(nlp: Language, sents: Sequence[corpora.Sentence]) -> dict:
    """P/R/F1 overall and per label, plus gold entity counts (support)."""
    examples = []
    for s in sents:
        gold = corpora.to_doc(nlp.vocab, s)
        pred = Doc(nlp.vocab, words=s.words, spaces=[True] * (len(s.words) - 1) + [False])
        examples.append(Example(pred, gold))
    res = nlp.evaluate(examples)
    support: dict[str, int] = {}
    for eg in examples:
        for ent in eg.reference.ents:
            support[ent.label_] = support.get(ent.label_, 0) + 1
    per_type = {lab: {**res["ents_per_type"].get(lab, {"p": 0.0, "r": 0.0, "f": 0.0}),
                      "n": support.get(lab, 0)}
                for lab in corpora.LABELS}
    return {
        "sentences": len(sents),
        "overall": {"p": res["ents_p"], "r": res["ents_r"], "f": res["ents_f"],
                    "n": sum(support.values())},
        "per_type": per_type,
    }


def measure_speed(nlp: Language, texts: list[str], repeats: int = 3) -> dict:
    """Words/s on one process (BLAS limited to one thread): bare tokenizer vs the full pipeline.

    `pipe` = nlp.pipe over all texts (batch 256); `call` = one nlp(text) per sentence, the way a
    caller that runs the model only on selected sentences will use it. Median of `repeats` runs.
    """
    from threadpoolctl import threadpool_limits

    blank = spacy.blank("de")

    def run(fn) -> float:
        rates = []
        for _ in range(repeats):
            t0 = time.perf_counter()
            n = fn()
            rates.append(n / (time.perf_counter() - t0))
        return statistics.median(rates)

    with threadpool_limits(limits=1):
        nlp("Warm-up mit Jan Kessler in Leverkusen.")
        out = {
            "words": sum(len(d) for d in blank.pipe(texts)),
            "blank_tokenizer_wps": run(lambda: sum(len(d) for d in blank.pipe(texts))),
            "pipeline_pipe_wps": run(lambda: sum(len(d) for d in nlp.pipe(texts, batch_size=256))),
            "pipeline_call_wps": run(lambda: sum(len(nlp(t)) for t in texts)),
        }
    return out


def markdown(all_scores: dict[str, dict]) -> str:
    lines = ["| eval set | label | gold ents | P | R | F1 |", "|---|---|---:|---:|---:|---:|"]
    for name, sc in all_scores.items():
        for lab in corpora.LABELS:
            t = sc["per_type"][lab]
            lines.append(f"| {name} | {lab} | {t['n']} | {100 * t['p']:.1f} | {100 * t['r']:.1f} "
                         f"| {100 * t['f']:.1f} |")
        o = sc["overall"]
        lines.append(f"| {name} | **all** | {o['n']} | **{100 * o['p']:.1f}** | **{100 * o['r']:.1f}** "
                     f"| **{100 * o['f']:.1f}** |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", type=Path, default=DEFAULT_MODEL)
    ap.add_argument("--sets", nargs="+", default=list(EVAL_SETS), choices=EVAL_SETS)
    ap.add_argument("--speed", action="store_true", help="also measure words/s on GermEval dev text")
    ap.add_argument("--markdown", action="store_true", help="print a markdown table instead of text")
    ap.add_argument("--json", action="store_true", help="print all results as JSON")
    args = ap.parse_args(argv)

    nlp = spacy.load(args.model)
    results: dict[str, dict] = {name: score(nlp, load_eval_sentences(name)) for name in args.sets}
    speed = None
    if args.speed:
        texts = [" ".join(s.words) for s in load_eval_sentences("germeval-dev")]
        speed = measure_speed(nlp, texts)

    if args.json:
        print(json.dumps({"scores": results, "speed": speed}, indent=2))
        return 0
    if args.markdown:
        print(markdown(results))
    else:
        for name, sc in results.items():
            print(f"== {name} ({sc['sentences']} sentences)")
            print(f"{'label':6} {'n':>5} {'P':>6} {'R':>6} {'F1':>6}")
            for lab in corpora.LABELS:
                t = sc["per_type"][lab]
                print(f"{lab:6} {t['n']:>5} {100 * t['p']:6.1f} {100 * t['r']:6.1f} {100 * t['f']:6.1f}")
            o = sc["overall"]
            print(f"{'ALL':6} {o['n']:>5} {100 * o['p']:6.1f} {100 * o['r']:6.1f} {100 * o['f']:6.1f}")
    if speed:
        print(f"\nspeed on GermEval dev text ({speed['words']} words, 1 process, 1 BLAS thread, median of 3):")
        print(f"  spacy.blank('de') tokenizer : {speed['blank_tokenizer_wps']:>10,.0f} words/s")
        print(f"  ner-de, nlp.pipe (batch 256): {speed['pipeline_pipe_wps']:>10,.0f} words/s")
        print(f"  ner-de, nlp(text) per sent. : {speed['pipeline_call_wps']:>10,.0f} words/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
