# The only commands a newcomer needs. Everything installs into .venv on first use.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1

.PHONY: setup demo test test-fast bench lint clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

demo: setup  ## serve the sample archive, crawl it into data/demo/, print what was stored
	$(BIN)/komo demo --home data/demo

test: setup  ## the whole test suite (fast crawl profile; a few minutes)
	$(BIN)/python -m pytest -q

bench: setup  ## crawl, extraction, report and classifier speed on generated data, each beside its baseline
	$(BIN)/python -m kommunalmonitor.pipeline.bench
	$(BIN)/python -m kommunalmonitor.pipeline.bench_extract
	$(BIN)/python -m kommunalmonitor.pipeline.bench_report
	$(BIN)/python -m kommunalmonitor.models.bench_classifier

lint: setup
	$(BIN)/ruff check .

clean:
	rm -rf data/demo .pytest_cache
