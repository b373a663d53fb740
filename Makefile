# mobilise: the two commands are `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The workspace `make demo` builds: empty means mobilise's default (mobilise.sqlite here, or
# $MOBILISE_WORKSPACE), the one plain `mobilise` commands then use without --workspace.
WORKSPACE ?=

.PHONY: demo test check bench fmt install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

# axe-core from the npm registry, for the browser tests' accessibility checks
AXE := tests/browser/axe/node_modules/axe-core/axe.min.js
$(AXE): tests/browser/axe/package.json tests/browser/axe/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  npm ci --prefix tests/browser/axe --no-audit --no-fund --loglevel=error && touch $(AXE); \
	else echo "npm is not installed: the accessibility checks will skip (apt-get install npm)"; fi

install: $(STAMP)

## Build the demo workspace on the bundled real data (mobilise.sqlite, the default workspace of
## plain `mobilise` commands) and serve it on http://127.0.0.1:8765/
demo: $(STAMP)
	$(BIN)/mobilise $(if $(WORKSPACE),--workspace $(WORKSPACE)) demo

## Run the whole test suite (PostgreSQL tests run when MOBILISE_TEST_POSTGRES_URL is set)
test: $(STAMP) $(AXE)
	$(BIN)/python -m pytest -n auto --dist loadfile

## Format check, lint, types, the layer contracts (docs/architecture.md), tests
check: $(STAMP) $(AXE)
	$(BIN)/ruff format --check src tests benchmarks scripts
	$(BIN)/ruff check src tests benchmarks scripts
	$(BIN)/mypy
	$(BIN)/lint-imports --no-logo
	$(BIN)/python -m pytest

fmt: $(STAMP)
	$(BIN)/ruff format src tests benchmarks scripts
	$(BIN)/ruff check --fix src tests benchmarks scripts

## Performance figures against the targets and their peers (run on a quiet machine)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_foundation.py
	$(BIN)/python benchmarks/bench_assets.py
	$(BIN)/python benchmarks/access.py
	$(BIN)/python benchmarks/systems.py
	$(BIN)/python benchmarks/network.py

clean:
	rm -rf $(VENV) demo.sqlite demo.sqlite-wal demo.sqlite-shm .pytest_cache .mypy_cache .ruff_cache
