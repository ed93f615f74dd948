"""Extraction throughput on a generated corpus, as ratios against spaCy baselines in the same run.

    python -m benchmarks.bench_extract [--docs N] [--repeat R] [--processes P]

One synthetic corpus of N press-release bodies (German municipal press style, 150-450 words,
~300 on average, fixed seed, each with a publication date) is run through, R times each, median
reported:

* tokenizer: ``spacy.blank("de")`` with no components (``nlp.pipe`` over the texts);
* sentencizer + lemmatizer: ``blank("de")`` + ``sentencizer`` + lookup ``lemmatizer``, the floor
  of any German pipeline;
* full: our pipeline as ``load_pipeline()`` builds it from ``pipeline/nlp/config.cfg``, fed as
  ``extract_records`` feeds it (``make_doc`` with the publication date), on one process;
* komo extract: the product's path (``pipeline/extraction.py``, what ``komo extract --processes P``
  runs between reading the store and writing it): the corpus as stored-document rows, through
  ``_extract_rows`` in-process and through ``parallel_chunks`` on P forked workers, every mention
  row built and (with P > 1) shipped back; the P-process line beside the one-process line gives
  the scaling ratio, by wall time and by CPU time of all processes.

Every measurement pipes the corpus in chunks (``--chunk``, as ``extract_file`` does) and counts
the words of every doc it gets back. A word is a token that is neither punctuation nor
whitespace (``not token.is_punct and not token.is_space``); all measurements see the same
tokenizer, so they must count the same words. The counting itself is timed and left out of the
throughput. Each pipeline first warms up on the first ``--warmup`` docs (vocabulary, caches).
Peak and current RSS are taken after 25 %, 50 % and 100 % of the corpus in the one-process full
run, so a reader sees whether memory stays flat. Finally, time per component of the full
pipeline on the first ``--profile-docs`` docs (each component called in turn on each doc).

Results go to stdout and ``bench-results/extract.json``.
"""

from __future__ import annotations

import os

# Before numpy / thinc load: one BLAS thread per process is as fast or faster on 2 cores.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable, Iterable, Iterator  # noqa: E402
from dataclasses import asdict, dataclass, field  # noqa: E402
from datetime import date, timedelta  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import spacy  # noqa: E402
from spacy.attrs import IS_PUNCT, IS_SPACE  # noqa: E402
from spacy.language import Language  # noqa: E402
from spacy.tokens import Doc  # noqa: E402

from benchmarks import pools
from benchmarks.util import RESULTS_DIR, save_results
from kommunalmonitor.core.german import MONTHS, WEEKDAYS  # noqa: E402
from kommunalmonitor.core.parallel import parallel_chunks  # noqa: E402
from kommunalmonitor.pipeline.extraction import _extract_rows  # noqa: E402
from kommunalmonitor.pipeline.nlp.lexicon import word_key  # noqa: E402
from kommunalmonitor.pipeline.nlp.loader import (  # noqa: E402
    DEFAULT_CONFIG,
    extractor_version,
    load_pipeline,
    shared_pipeline,
)
from kommunalmonitor.pipeline.nlp.records import make_doc  # noqa: E402

RESULTS_FILE = RESULTS_DIR / "extract.json"
SEED = 20240611
MIN_WORDS, MAX_WORDS = 150, 450
FIRST_DAY, LAST_DAY = date(2005, 1, 1), date(2023, 12, 31)

# --------------------------------------------------------------------------------------------
# Synthetic corpus: German municipal press releases that contain what the pipeline extracts

POOLS = pools.load("extract")
FIRST_NAMES_F = POOLS["first_names_f"]
FIRST_NAMES_M = POOLS["first_names_m"]
LAST_NAMES = POOLS["last_names"]
# (masculine, feminine) public roles
ROLES = POOLS["roles"]
DESCRIPTORS = POOLS["descriptors"]
PLACES = POOLS["places"]
STREETS = POOLS["streets"]
STREETS_FEMININE = [street for street in STREETS if street.endswith(("straße", "str."))]  # "die …"
COMMITTEES = POOLS["committees"]
# Bodies as the subject of a sentence (nominative) and after "mit" (dative).
BODIES_NOM = POOLS["bodies_nom"]
BODIES_DAT = POOLS["bodies_dat"]
# Neuter nouns: "das …", "zum …".
SUBJECTS = POOLS["subjects"]

INTEGRATION = POOLS["integration"]
GENERAL = POOLS["general"]
QUOTES = POOLS["quotes"]
OPENINGS = POOLS["openings"]
CLOSINGS = POOLS["closings"]


class _Filler:
    """Slot values for one document (dates near its publication date, people of its cast)."""

    def __init__(self, rng: random.Random, published: date):
        self.rng, self.published = rng, published
        self.cast = [self._person() for _ in range(3)]  # (role, name, female)
        self.place = rng.choice(PLACES)
        self.subject = rng.choice(SUBJECTS)

    def _person(self) -> tuple[str, str, bool]:
        rng = self.rng
        female = rng.random() < 0.5
        first = rng.choice(FIRST_NAMES_F if female else FIRST_NAMES_M)
        role = rng.choice(ROLES)[1 if female else 0]
        return role, f"{first} {rng.choice(LAST_NAMES)}", female

    def _day(self) -> date:
        return self.published + timedelta(days=self.rng.randint(-20, 60))

    def am_date(self) -> str:
        day, form = self._day(), self.rng.randrange(6)
        if form == 0:
            return f"am {day.day}. {MONTHS[day.month - 1]} {day.year}"
        if form == 1:
            return f"am {day.day:02d}.{day.month:02d}.{day.year}"
        if form == 2:
            return f"am {WEEKDAYS[day.weekday()]}, {day.day}. {MONTHS[day.month - 1]}"
        if form == 3:
            return f"am {day.day}.{day.month}."
        if form == 4:
            return f"am {WEEKDAYS[day.weekday()]}, den {day.day}. {MONTHS[day.month - 1]} {day.year}"
        return f"am {day.day}. {MONTHS[day.month - 1]}"

    def range(self) -> str:
        start = self._day()
        end = start + timedelta(days=self.rng.randint(2, 25))
        if self.rng.random() < 0.5 and start.month == end.month:
            return f"vom {start.day}. bis {end.day}. {MONTHS[end.month - 1]} {end.year}"
        return f"vom {start.day}.{start.month}. bis {end.day}.{end.month}.{end.year}"

    def month_year(self, after: int = 0) -> str:
        day = self.published + timedelta(days=after + self.rng.randint(0, 120))
        lead = self.rng.choice(["im ", "Anfang ", "Mitte ", "Ende "])
        return f"{lead}{MONTHS[day.month - 1]} {day.year}"

    def address(self) -> str:
        number = str(self.rng.randint(1, 180))
        roll = self.rng.random()
        if roll < 0.2:
            number += self.rng.choice("abc")
        elif roll < 0.35:
            number += f"-{int(number) + self.rng.randint(2, 6)}"
        return f"{self.rng.choice(STREETS)} {number}"

    def values(self) -> dict[str, Any]:
        rng = self.rng
        role, name, female = rng.choice(self.cast)
        role2, name2, _ = rng.choice(self.cast)
        year = self.published.year + rng.randint(-4, 1)
        return {
            "am_date": self.am_date(), "range": self.range(), "period": rng.choice(
                [f"{year - 2} bis {year}", f"im Jahr {year}", self.month_year()]),
            "month_year": self.month_year(), "month_year2": self.month_year(after=150),
            "year": year, "year_range": f"{year - 3} und {year}",
            "school_year": f"{year}/{(year + 1) % 100:02d}", "place": self.place, "subject": self.subject,
            "address": self.address(), "street_only": rng.choice(STREETS_FEMININE),
            "person_role": f"{role} {name}", "person_comma": f"{name2}, {role2},",
            "person_comma_short": f"{name2}, {role2}", "name": name,
            "descriptor": rng.choice(DESCRIPTORS)[1 if female else 0],
            "contact": "Ansprechpartnerin" if female else "Ansprechpartner",
            "committee": rng.choice(COMMITTEES), "district": rng.choice(["I", "II", "III"]),
            "body_nom": rng.choice(BODIES_NOM), "body_dat": rng.choice(BODIES_DAT),
            "n": rng.randint(12, 480), "n4": rng.randint(1000, 9999),
        }

    def fill(self, template: str) -> str:
        return template.format(**self.values())


class _Pool:
    """Templates drawn without replacement (a sentence repeats only when its pool is used up)."""

    def __init__(self, rng: random.Random, templates: list[str]):
        self.rng, self.templates, self.left = rng, templates, list[str]()

    def draw(self) -> str:
        if not self.left:
            self.left = list(self.templates)
            self.rng.shuffle(self.left)
        return self.left.pop()


def synthetic_body(rng: random.Random, published: date) -> str:
    """One press-release body of MIN_WORDS..MAX_WORDS words in paragraphs of 2-5 sentences."""
    filler = _Filler(rng, published)
    target = rng.randint(MIN_WORDS, MAX_WORDS)
    # About 40 % of releases are about migration / integration, as in the city's archive.
    integration = rng.random() < 0.4
    pools = [_Pool(rng, INTEGRATION), _Pool(rng, GENERAL)] if integration else [_Pool(rng, GENERAL)]
    quotes = _Pool(rng, QUOTES)
    first = filler.fill(rng.choice(OPENINGS))
    paragraphs, current, words = [], [first], len(first.split())
    closing = filler.fill(rng.choice(CLOSINGS))
    words += len(closing.split())
    while words < target:
        if rng.random() < 0.08:
            sentence = filler.fill(quotes.draw())
        else:
            sentence = filler.fill(rng.choice(pools).draw())
        if words + len(sentence.split()) > target and words >= MIN_WORDS:
            break
        current.append(sentence)
        words += len(sentence.split())
        if len(current) >= rng.randint(2, 5):
            paragraphs.append(" ".join(current))
            current = []
    current.append(closing)
    paragraphs.append(" ".join(current))
    return "\n\n".join(paragraphs)


@dataclass(frozen=True)
class CorpusDoc:
    key: str
    published: str
    body: str


def synthetic_corpus(count: int, seed: int = SEED) -> list[CorpusDoc]:
    """`count` documents, the same for the same seed."""
    rng = random.Random(seed)
    span = (LAST_DAY - FIRST_DAY).days
    corpus = []
    for number in range(count):
        published = FIRST_DAY + timedelta(days=rng.randint(0, span))
        corpus.append(CorpusDoc(f"bench-{number:06d}", published.isoformat(), synthetic_body(rng, published)))
    return corpus


# --------------------------------------------------------------------------------------------
# Pipelines and measurements


def tokenizer_only() -> Language:
    return spacy.blank("de")


def sentencizer_lemmatizer() -> Language:
    nlp = spacy.blank("de")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("lemmatizer", config={"mode": "lookup"})
    nlp.initialize()
    return nlp


def count_words(doc: Doc) -> int:
    """Tokens that are neither punctuation nor whitespace."""
    if not len(doc):
        return 0
    flags = doc.to_array([IS_PUNCT, IS_SPACE])
    return len(doc) - int((flags[:, 0] | flags[:, 1]).sum())


def memory_mb() -> dict[str, float]:
    """Current and peak resident set size of this process (VmRSS / VmHWM), in MB."""
    found: dict[str, float] = {}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(("VmRSS:", "VmHWM:")):
                key, value = line.split(":", 1)
                found["rss_mb" if key == "VmRSS" else "peak_rss_mb"] = int(value.split()[0]) / 1024
    except OSError:
        pass
    if "peak_rss_mb" not in found:  # not Linux: ru_maxrss is KB on Linux, bytes on macOS
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        found["peak_rss_mb"] = peak / (1024 * 1024 if sys.platform == "darwin" else 1024)
    return found


def _cpu_s() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)  # worker processes, once joined
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


@dataclass
class Run:
    """One pass over the corpus."""

    name: str
    docs: int
    tokens: int
    words: int
    wall_s: float  # pipe time, word counting excluded
    counting_s: float
    cpu_s: float
    memory: list[dict[str, float]] = field(default_factory=list)

    @property
    def words_per_s(self) -> float:
        return self.words / self.wall_s if self.wall_s else 0.0

    @property
    def words_per_cpu_s(self) -> float:
        """Words per CPU second of all processes (word counting excluded): what the work costs,
        less sensitive than wall time to other load on the machine."""
        cpu = self.cpu_s - self.counting_s
        return self.words / cpu if cpu > 0 else 0.0


Inputs = Callable[[Language, list[CorpusDoc]], Iterable[Any]]


def text_inputs(nlp: Language, chunk: list[CorpusDoc]) -> Iterator[str]:
    return (item.body for item in chunk)


def page_inputs(nlp: Language, chunk: list[CorpusDoc]) -> Iterator[Doc]:
    """What extract_records feeds the pipeline: a Doc made from the page, publication date set."""
    return (make_doc(nlp, item.body, item.published)
            for item in chunk)


def measure(name: str, nlp: Language, corpus: list[CorpusDoc], inputs: Inputs, n_process: int,
            batch_size: int, chunk: int, checkpoints: tuple[float, ...] = ()) -> Run:
    """Pipe the corpus chunk by chunk; count every doc's words (timed separately, subtracted)."""
    marks = sorted({max(1, round(fraction * len(corpus))) for fraction in checkpoints})
    run = Run(name, 0, 0, 0, 0.0, 0.0, 0.0)
    cpu_before = _cpu_s()
    started = time.perf_counter()
    for offset in range(0, len(corpus), chunk):
        part = corpus[offset:offset + chunk]
        for doc in nlp.pipe(inputs(nlp, part), batch_size=batch_size, n_process=n_process):
            counting = time.perf_counter()
            run.docs += 1
            run.tokens += len(doc)
            run.words += count_words(doc)
            if marks and run.docs == marks[0]:
                marks.pop(0)
                run.memory.append({"docs": run.docs, **memory_mb(), "strings": len(nlp.vocab.strings)})
            run.counting_s += time.perf_counter() - counting
    run.wall_s = time.perf_counter() - started - run.counting_s
    run.cpu_s = _cpu_s() - cpu_before
    return run


def stored_rows(corpus: list[CorpusDoc], version: str) -> list[tuple[tuple, str]]:
    """The corpus as extract_into hands it on: (documents row, extractor version) per document."""
    return [(("bench", item.key, item.body, date.fromisoformat(item.published), f"hash-{item.key}", None), version)
            for item in corpus]


def fresh_product_pipeline(corpus: list[CorpusDoc], warmup: int) -> Language:
    """The process-wide pipeline the product's workers use, loaded afresh and warmed up on the
    first docs: every product measurement starts from the same caches (the components remember
    word forms and NER sentences as they go), whichever ran before it."""
    shared_pipeline.cache_clear()
    word_key.cache_clear()
    product = shared_pipeline()
    warm_up(product, corpus, page_inputs, min(warmup, len(corpus)))
    return product


def measure_product(name: str, nlp: Language, corpus: list[CorpusDoc], words: int, n_process: int,
                    batch_size: int = 500) -> Run:
    """`komo extract`'s extraction between store read and store write, as extract_into runs it:
    in-process batches of `batch_size`, or parallel_chunks over `n_process` forked workers."""
    todo = stored_rows(corpus, extractor_version())
    run = Run(name, 0, 0, words, 0.0, 0.0, 0.0)
    cpu_before = _cpu_s()
    started = time.perf_counter()
    if n_process > 1:
        results = parallel_chunks(_extract_rows, todo, n_process)
    else:
        results = (r for offset in range(0, len(todo), batch_size)
                   for r in _extract_rows(todo[offset: offset + batch_size], nlp))
    for rows, _summary in results:
        run.docs += 1
        run.tokens += len(rows)  # mention rows here
    run.wall_s = time.perf_counter() - started  # the pool is shut down (workers joined) by now
    run.cpu_s = _cpu_s() - cpu_before
    return run


def warm_up(nlp: Language, corpus: list[CorpusDoc], inputs: Inputs, docs: int) -> None:
    for _ in nlp.pipe(inputs(nlp, corpus[:docs])):
        pass


def profile_components(nlp: Language, corpus: list[CorpusDoc]) -> dict[str, Any]:
    """Seconds per component (tokenizer = make_doc) over `corpus`, each component called per doc."""
    seconds = {"tokenizer (make_doc)": 0.0, **{name: 0.0 for name in nlp.pipe_names}}
    words = 0
    for item in corpus:
        started = time.perf_counter()
        doc = make_doc(nlp, item.body, item.published)
        seconds["tokenizer (make_doc)"] += time.perf_counter() - started
        for name, component in nlp.pipeline:
            started = time.perf_counter()
            doc = component(doc)
            seconds[name] += time.perf_counter() - started
        words += count_words(doc)
    total = sum(seconds.values())
    return {
        "docs": len(corpus), "words": words, "total_s": total,
        "words_per_s": words / total if total else 0.0,
        "components": [{"name": name, "seconds": s, "ms_per_doc": 1000 * s / max(len(corpus), 1),
                        "share": s / total if total else 0.0} for name, s in seconds.items()],
    }


def summarise(runs: list[Run]) -> dict[str, Any]:
    def med(values: list[float]) -> float:
        return float(statistics.median(values))

    return {
        "name": runs[0].name,
        "docs": runs[0].docs,
        "words": runs[0].words,
        "tokens": runs[0].tokens,
        "words_per_s": med([run.words_per_s for run in runs]),
        "words_per_cpu_s": med([run.words_per_cpu_s for run in runs]),
        "wall_s": med([run.wall_s for run in runs]),
        "ms_per_doc": med([1000 * run.wall_s / max(run.docs, 1) for run in runs]),
        "cpu_s": med([run.cpu_s for run in runs]),
        "counting_s": med([run.counting_s for run in runs]),
    }


def run_bench(docs: int, repeat: int, processes: int, chunk: int, batch_size: int, warmup: int,
              profile_docs: int) -> dict[str, Any]:
    load_before = os.getloadavg()
    started = time.perf_counter()
    corpus = synthetic_corpus(docs)
    generated_s = time.perf_counter() - started
    memory_start = memory_mb()
    pipelines: list[tuple[str, str, Language, Inputs, int]] = [
        ("tokenizer", "blank('de') tokenizer", tokenizer_only(), text_inputs, 1),
        ("lemmatizer", "blank('de') + sentencizer + lookup lemmatizer", sentencizer_lemmatizer(),
         text_inputs, 1),
    ]
    full = load_pipeline()
    pipelines.append(("full_1", "full pipeline, 1 process", full, page_inputs, 1))
    for _, _, nlp, inputs, _ in pipelines:
        warm_up(nlp, corpus, inputs, min(warmup, len(corpus)))
    memory_loaded = memory_mb()
    runs: dict[str, list[Run]] = {key: [] for key, *_ in pipelines}
    product_runs: dict[str, list[Run]] = {"extract_1": []}
    if processes > 1:
        product_runs["extract_n"] = []
    for _ in range(repeat):
        for key, name, nlp, inputs, n_process in pipelines:
            checkpoints = (0.25, 0.5, 1.0) if key == "full_1" else ()
            runs[key].append(measure(name, nlp, corpus, inputs, n_process, batch_size, chunk, checkpoints))
        words = runs["tokenizer"][-1].words
        for key, n_process in (("extract_1", 1), ("extract_n", processes)):
            if key in product_runs:
                name = f"komo extract path, {n_process} process{'es' if n_process > 1 else ''}"
                product = fresh_product_pipeline(corpus, warmup)
                product_runs[key].append(measure_product(name, product, corpus, words, n_process))
    profile = profile_components(full, corpus[:profile_docs]) if profile_docs else None

    results: dict[str, Any] = {
        "docs": docs,
        "repeat": repeat,
        "processes": processes,
        "chunk": chunk,
        "batch_size": batch_size,
        "warmup_docs": min(warmup, len(corpus)),
        "config": str(DEFAULT_CONFIG),
        "config_hash": extractor_version(),
        "pipeline": full.pipe_names,
        "word_definition": "tokens with not is_punct and not is_space (spaCy blank('de') tokenizer)",
        "machine": {"cores": os.cpu_count(), "python": sys.version.split()[0], "platform": sys.platform,
                    "spacy": spacy.__version__, "load_before": load_before, "load_after": os.getloadavg(),
                    "OPENBLAS_NUM_THREADS": os.environ.get("OPENBLAS_NUM_THREADS"),
                    "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS")},
        "corpus": {"seed": SEED, "generate_s": generated_s,
                   "mean_words": runs["tokenizer"][0].words / max(docs, 1),
                   "min_words_split": min(len(item.body.split()) for item in corpus),
                   "max_words_split": max(len(item.body.split()) for item in corpus)},
        "memory_before_mb": memory_start,
        "memory_loaded_mb": memory_loaded,
        "memory_full_1": runs["full_1"][0].memory,
        "profile": profile,
        "runs": {key: [asdict(run) for run in value] for key, value in runs.items()},
    }
    results["runs"].update({key: [asdict(run) for run in value] for key, value in product_runs.items()})
    for key in (*runs, *product_runs):
        results[key] = summarise(runs.get(key) or product_runs[key])
    results["mention_rows"] = results["extract_1"]["tokens"]
    speed = {key: results[key]["words_per_s"] for key in runs}
    cpu_speed = {key: results[key]["words_per_cpu_s"] for key in runs}
    results["ratios"] = {
        "full_vs_tokenizer": speed["full_1"] / speed["tokenizer"],
        "full_vs_lemmatizer": speed["full_1"] / speed["lemmatizer"],
        "full_vs_lemmatizer_cpu": cpu_speed["full_1"] / cpu_speed["lemmatizer"],
    }
    results["ratios"]["extract_1_vs_lemmatizer"] = results["extract_1"]["words_per_s"] / speed["lemmatizer"]
    if "extract_n" in product_runs:
        n, one = results["extract_n"], results["extract_1"]
        results["ratios"]["extract_n_vs_extract_1"] = n["words_per_s"] / one["words_per_s"]
        # CPU seconds of all processes per word, one process over P: how much of the P-fold CPU
        # the workers turn into words (1.0 = no overhead from forking, pickling, the parent)
        results["ratios"]["extract_n_vs_extract_1_cpu"] = one["cpu_s"] / n["cpu_s"] if n["cpu_s"] else 0.0
    words = {results[key]["words"] for key in runs}
    if len(words) != 1:
        print(f"warning: measurements counted different numbers of words: {sorted(words)}", file=sys.stderr)
    return results


def report(results: dict[str, Any]) -> str:
    machine = results["machine"]
    header = (f"{'measurement':<48} {'docs':>6} {'words':>9} {'wall s':>7} {'CPU s':>7} {'words/s':>9} "
              f"{'ms/doc':>7} {'words/CPU s':>11}")
    lines = [
        f"extraction benchmark: {results['docs']} docs (~{results['corpus']['mean_words']:.0f} words each), "
        f"median of {results['repeat']}, {machine['cores']} cores, chunks of {results['chunk']}, "
        f"batch size {results['batch_size']}",
        f"load average before/after: {machine['load_before'][0]:.2f} / {machine['load_after'][0]:.2f} "
        f"(other work on the machine slows wall times; words/CPU s is less affected)",
        f"configuration {results['config_hash']} ({Path(results['config']).name}: "
        f"{', '.join(results['pipeline'])})",
        f"words: {results['word_definition']}",
        header,
        "-" * len(header),
    ]
    for key in ("tokenizer", "lemmatizer", "full_1", "extract_1", "extract_n"):
        if key not in results:
            continue
        row = results[key]
        lines.append(f"{row['name']:<48} {row['docs']:>6} {row['words']:>9} {row['wall_s']:>7.2f} "
                     f"{row['cpu_s']:>7.2f} {row['words_per_s']:>9,.0f} {row['ms_per_doc']:>7.3f} "
                     f"{row['words_per_cpu_s']:>11,.0f}")
    ratios = results["ratios"]
    lines += [
        f"ratio full/tokenizer:  {ratios['full_vs_tokenizer']:.3f}",
        f"ratio full/lemmatizer: {ratios['full_vs_lemmatizer']:.3f}  (aim: >= 0.15 on one process; "
        f"by CPU time {ratios['full_vs_lemmatizer_cpu']:.3f})",
    ]
    lines.append(f"komo extract path, 1 process: {results['extract_1']['words_per_s']:,.0f} words/s "
                 f"({ratios['extract_1_vs_lemmatizer']:.3f} of the lemmatizer baseline), "
                 f"{results['mention_rows']:,} mention rows")
    if "extract_n_vs_extract_1" in ratios:
        lines.append(f"ratio komo extract {results['processes']} processes/1 process: "
                     f"{ratios['extract_n_vs_extract_1']:.2f} by wall time (aim: >= 1.5 with 2); CPU seconds "
                     f"1 process/{results['processes']} processes {ratios['extract_n_vs_extract_1_cpu']:.2f}")
    before, loaded = results["memory_before_mb"], results["memory_loaded_mb"]
    lines.append(f"memory, full pipeline on 1 process (MB; RSS with the corpus {before.get('rss_mb', 0):.0f}, "
                 f"with all pipelines loaded and warmed up {loaded.get('rss_mb', 0):.0f}):")
    for point in results["memory_full_1"]:
        lines.append(f"  after {point['docs']:>7} docs ({100 * point['docs'] / results['docs']:>3.0f} %): "
                     f"RSS {point.get('rss_mb', 0):>6.0f}  peak RSS {point['peak_rss_mb']:>6.0f}  "
                     f"strings in vocab {point['strings']:>7}")
    profile = results["profile"]
    if profile:
        lines.append(f"time per component, full pipeline, {profile['docs']} docs, 1 process "
                     f"({profile['words_per_s']:,.0f} words/s when called per doc):")
        for item in sorted(profile["components"], key=lambda c: -c["seconds"]):
            lines.append(f"  {item['name']:<22} {item['ms_per_doc']:>8.3f} ms/doc  "
                         f"{100 * item['share']:>5.1f} %")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench_extract",
                                     description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--docs", type=int, default=20_000,
                        help="documents in the corpus (default: %(default)s)")
    parser.add_argument("--repeat", type=int, default=1, help="runs per measurement; the median is shown")
    parser.add_argument("--processes", type=int, default=2,
                        help="processes of the multi-process full run; 1 skips it (default: %(default)s)")
    parser.add_argument("--chunk", type=int, default=5000,
                        help="docs per nlp.pipe call (default: %(default)s)")
    parser.add_argument("--batch-size", type=int, default=64,
                        help="nlp.pipe batch size (default: %(default)s)")
    parser.add_argument("--warmup", type=int, default=500, help="untimed docs per pipeline first")
    parser.add_argument("--profile-docs", type=int, default=2000,
                        help="docs for the per-component profile; 0 skips it (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE, help="JSON results (default: %(default)s)")
    args = parser.parse_args(argv)
    if args.docs < 1 or args.repeat < 1 or args.processes < 1 or args.chunk < 1 or args.batch_size < 1:
        parser.error("--docs, --repeat, --processes, --chunk and --batch-size must be at least 1")
    results = run_bench(args.docs, args.repeat, args.processes, args.chunk, args.batch_size,
                        max(args.warmup, 0), max(args.profile_docs, 0))
    print(report(results))
    save_results(args.out, results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
