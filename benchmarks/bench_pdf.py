"""PDF text extraction speed: `extract_pdf` beside the bare pypdfium2 call, in one run.

    .venv/bin/python benchmarks/bench_pdf.py [--files 50] [--pages 10] [--rounds 3] [--ocr-pages 3]

Generates `--files` report PDFs of `--pages` pages each (the test generator in
tests/pdf_samples.py: running header and footer, hyphenated lines, about 3,500 characters a
page; generation is not timed). Then, `--rounds` times in alternation, it reads every page
of every file

* bare: `PdfDocument(data)`, per page `get_textpage().get_text_range()` — PDFium's own text,
  no layout, no cleaning: the floor for any pypdfium2-based extractor;
* extract_pdf: the whole of crawler/pdftext.py (runs, columns, tables, furniture, hyphens);

and reports the median pages/s of each and their ratio. Then OCR pages/s of `extract_pdf`
on `--ocr-pages` scanned pages (image only, 300 dpi), when Tesseract with `deu` is installed.
Last, the whole files step on the same files: a local OParl server (tests/oparl_server.py)
serves them as one paper's attachments, `komo crawl` downloads them (not timed), and
`komo files extract --all --processes N` reads them for each N of `--step-processes` (1,2),
`--rounds` times in alternation: median pages/s of the step (reading the kept copies in worker
processes, writing documents and pages; the step's own clock, without start-up and publishing).
Prints one table and writes bench-results/pdf.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # the sample generator lives with the tests

import pypdfium2 as pdfium  # noqa: E402

from kommunalmonitor.crawler.pdftext import EXTRACTOR_VERSION, PdfLimits, extract_pdf, tesseract_available  # noqa: E402
from tests import pdf_samples  # noqa: E402

RESULTS_FILE = REPO / "bench-results" / "pdf.json"


def bare(files: list[bytes]) -> int:
    """PDFium's text for every page, nothing else. Returns the pages read."""
    pages = 0
    for data in files:
        doc = pdfium.PdfDocument(data)
        for index in range(len(doc)):
            page = doc[index]
            textpage = page.get_textpage()
            textpage.get_text_range()
            textpage.close()
            page.close()
            pages += 1
        doc.close()
    return pages


def ours(files: list[bytes]) -> int:
    pages = 0
    for data in files:
        pages += len(extract_pdf(data).pages)
    return pages


def timed(fn, files: list[bytes]) -> float:
    """Pages per second of one pass."""
    start = time.perf_counter()
    pages = fn(files)
    return pages / (time.perf_counter() - start)


def _komo(*args: str, home: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, KOMO_HOME=str(home))
    return subprocess.run([sys.executable, "-m", "kommunalmonitor.pipeline", *args], env=env,
                          capture_output=True, text=True, check=False)


def step(files: list[bytes], processes: list[int], rounds: int) -> list[dict]:
    """`komo files extract --all` over `files` served as attachments and crawled: the step's own
    figures per number of worker processes, `rounds` times in alternation (median pages/s)."""
    from tests.oparl_server import attach_paper, serve, synthetic_council

    def build(base: str):
        council = synthetic_council(base, 0)
        attach_paper(council, "Benchmark", [(f"Anlage {i}", f"anlage-{i}.pdf", data, "application/pdf")
                                            for i, data in enumerate(files)])
        return council

    out = []
    with tempfile.TemporaryDirectory(prefix="komo-bench-pdf-") as scratch:
        home = Path(scratch) / "home"
        with serve(build, page_size=50) as server:
            for args in (("sources", "add", "oparl", server.system_url, "--name", "bench"),
                         ("crawl", "--source", "bench", "--profile", "fast")):
                done = _komo(*args, home=home)
                if done.returncode:
                    raise SystemExit(f"komo {args[0]} failed: {done.stderr.strip() or done.stdout.strip()}")
        measured: dict[int, list[dict]] = {n: [] for n in processes}
        for _ in range(rounds):
            for n in processes:
                done = _komo("files", "extract", "--all", "--processes", str(n), home=home)
                if done.returncode:
                    raise SystemExit(f"komo files extract failed: {done.stderr.strip()}")
                row = _komo("sql", "--format", "json", "SELECT stats FROM runs WHERE command = 'files' "
                            "ORDER BY run_id DESC LIMIT 1", home=home).stdout
                measured[n].append(json.loads(json.loads(row)["stats"]))
        for runs in measured.values():
            rates = [r["pages"] / r["seconds"] for r in runs]
            out.append({"processes": runs[0]["processes"], "files": runs[0]["read"], "pages": runs[0]["pages"],
                        "pages_per_s": round(statistics.median(rates), 1), "rounds": [round(r, 1) for r in rates]})
    return out


def tesseract_version() -> str | None:
    try:
        done = subprocess.run(["tesseract", "--version"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    return (done.stdout or done.stderr).splitlines()[0] if (done.stdout or done.stderr) else None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=50)
    parser.add_argument("--pages", type=int, default=10)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--ocr-pages", type=int, default=3)
    parser.add_argument("--step-processes", default="1,2",
                        help="Worker counts for the files step, comma-separated ('' skips the step).")
    parser.add_argument("--out", type=Path, default=RESULTS_FILE)
    args = parser.parse_args(argv)

    files = [pdf_samples.report_pdf(pages=args.pages, seed=i)[0] for i in range(args.files)]
    chars = sum(len(p.text) for p in extract_pdf(files[0]).pages) / args.pages  # also warms up both paths
    bare(files[:1])

    bare_rates, our_rates = [], []
    for _ in range(args.rounds):
        bare_rates.append(timed(bare, files))
        our_rates.append(timed(ours, files))
    bare_rate, our_rate = statistics.median(bare_rates), statistics.median(our_rates)

    ocr: dict = {"pages": 0, "pages_per_s": None, "skipped": None}
    if args.ocr_pages > 0 and tesseract_available("deu"):
        scan, _ = pdf_samples.scanned_pdf(pages=args.ocr_pages)
        start = time.perf_counter()
        result = extract_pdf(scan, PdfLimits(max_seconds=600))
        elapsed = time.perf_counter() - start
        ocr = {"pages": result.ocr_pages, "pages_per_s": result.ocr_pages / elapsed, "skipped": None}
    else:
        ocr["skipped"] = "tesseract with deu not installed" if args.ocr_pages > 0 else "--ocr-pages 0"

    counts = [int(n) for n in args.step_processes.split(",") if n.strip()]
    steps = step(files, counts, args.rounds) if counts else []

    rows = [
        ("bare pypdfium2 get_text_range", bare_rate, 1.0),
        ("extract_pdf (text pages)", our_rate, bare_rate / our_rate),
    ]
    print(f"{args.files} files x {args.pages} pages, ~{chars:.0f} characters a page, median of {args.rounds} rounds")
    print(f"{'measurement':32} {'pages/s':>10} {'x slower than bare':>20}")
    for name, rate, ratio in rows:
        print(f"{name:32} {rate:10.1f} {ratio:20.1f}")
    if ocr["pages_per_s"]:
        rate = ocr["pages_per_s"]
        print(f"{'extract_pdf (OCR pages, 300 dpi)':32} {rate:10.2f} {bare_rate / rate:20.0f}")
    else:
        print(f"{'extract_pdf (OCR pages)':32} {'skipped':>10}  {ocr['skipped'] or ''}")
    for row in steps:
        name = f"files step, {row['processes']} process{'es' if row['processes'] > 1 else ''}"
        print(f"{name:32} {row['pages_per_s']:10.1f} {bare_rate / row['pages_per_s']:20.1f}")

    report = {
        "extractor_version": EXTRACTOR_VERSION,
        "files": args.files,
        "pages_per_file": args.pages,
        "chars_per_page": round(chars),
        "rounds": args.rounds,
        "bare_pages_per_s": round(bare_rate, 1),
        "extract_pages_per_s": round(our_rate, 1),
        "ratio_bare_over_extract": round(bare_rate / our_rate, 2),
        "bare_rounds": [round(r, 1) for r in bare_rates],
        "extract_rounds": [round(r, 1) for r in our_rates],
        "ocr": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in ocr.items()},
        "files_step": steps,
        "machine": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            "pypdfium2": str(pdfium.version.PYPDFIUM_INFO),
            "pdfium": str(pdfium.version.PDFIUM_INFO),
            "tesseract": tesseract_version(),
            "OMP_THREAD_LIMIT": os.environ.get("OMP_THREAD_LIMIT"),
        },
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
