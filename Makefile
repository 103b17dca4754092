# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv, installs Vigil, replays the example stream on the embedded default (SQLite)
#   make test   creates .venv with the dev tools, then ruff, mypy --strict, import-linter and pytest
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := .vigil/demo

.PHONY: demo test lint typecheck imports pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

demo: $(VENV)/.installed
	@mkdir -p .vigil && rm -f $(DEMO).db $(DEMO).db-wal $(DEMO).db-shm
	$(BIN)/vigil replay examples/events.jsonl --db $(DEMO).db -o $(DEMO)-decisions.jsonl
	@echo "decisions: $(DEMO)-decisions.jsonl   journal: $(DEMO).db"
	@echo "three held decisions, with their reasons:"
	@grep -m3 '"outcome":"hold"' $(DEMO)-decisions.jsonl

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

pytest: $(VENV)/.installed-dev
	$(BIN)/pytest

test: lint typecheck imports pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_decide.py

clean:
	rm -rf $(VENV) .vigil .mypy_cache .ruff_cache .pytest_cache .hypothesis
