# The only commands a newcomer needs. Everything installs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: setup ocr demo test test-fast bench bench-quick bench-components lint wheel-check clean

setup: $(STAMP) ocr

# Tesseract reads scanned PDF pages (crawler/pdftext.py); without it they are kept empty and
# counted as ocr_needed. Installed with apt where we are root and it is missing, else a hint.
OCR_PACKAGES := $(if $(shell command -v tesseract),,tesseract-ocr) \
                $(if $(wildcard /usr/share/tesseract-ocr/*/tessdata/deu.traineddata),,tesseract-ocr-deu)
ocr:
	@if [ -n "$(strip $(OCR_PACKAGES))" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(OCR_PACKAGES); } \
	      || echo "note: apt-get could not install $(strip $(OCR_PACKAGES)); scanned PDF pages wait as ocr_needed"; \
	  else \
	    echo "note: scanned PDF pages need Tesseract (Debian: sudo apt-get install $(strip $(OCR_PACKAGES))); until then they wait as ocr_needed"; \
	  fi; \
	fi

$(STAMP): pyproject.toml
	@# Redis for the shared crawl frontier's tests and bench (Debian's redis-server), where we may install it.
	@command -v redis-server >/dev/null 2>&1 || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
	  apt-get install -y -qq redis-server >/dev/null 2>&1; } || \
	  echo "note: redis-server is missing (apt-get install redis-server); the crawl-worker tests will skip"
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: setup  ## serve the sample archive, crawl it into data/demo/, print what was stored
	$(BIN)/komo demo --home data/demo

test: setup  ## the whole test suite (fast crawl profile; a few minutes)
	$(BIN)/python -m pytest -q -n 2 --durations=15

bench: setup  ## crawl → files → extract → classify → publish at 1k, 10k and 45k articles; writes BENCHMARKS.md
	$(BIN)/python -m benchmarks.bench_growth

bench-quick: setup  ## the same at 1k and 10k articles, for iterating
	$(BIN)/python -m benchmarks.bench_growth --quick

bench-components: setup  ## crawl, extraction, report, classifier and PDF text speed on generated data, each beside its baseline
	$(BIN)/python -m benchmarks.bench_crawl
	$(BIN)/python -m benchmarks.bench_extract
	$(BIN)/python -m benchmarks.bench_report
	$(BIN)/python -m benchmarks.bench_serve
	$(BIN)/python -m benchmarks.bench_classifier
	$(BIN)/python -m benchmarks.bench_pdf

lint: setup  ## ruff, and the import contracts in pyproject.toml (imports run one way, down the flow)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

wheel-check: setup  ## build the wheel, install it (not editable) into a fresh venv elsewhere, run the demo there
	bash scripts/wheel-check

clean:
	rm -rf data/demo .pytest_cache
