# Two commands do all the set-up on a fresh machine:
#   make demo   creates .venv, installs Vigil, simulates a small exchange, decides it on SQLite, scores it
#   make test   creates .venv with the dev tools, then ruff, mypy --strict, import-linter and pytest
#               (starting PostgreSQL for its integration tests when it is not running)
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO   := .vigil/demo
SHARED ?= ../shared

.PHONY: demo test lint typecheck imports pytest bench bench-rules bench-service bench-workers bench-chain bench-detection clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

# The demo, the whole engine: simulate a small exchange (5,000 accounts, eight days, crime rates x20 so
# that every typology shows up), import the address and name lists from ../shared, decide the first six
# days on the embedded default (SQLite) with rules, screening and the graph, train a model on them (the
# labels of those days; calibrated on day 5 for the default budgets, checked on day 6), promote it, decide
# the last two days with rules + screening + graph + model, and score those two days.
DEMO_SPLIT := 2026-01-11T00:00:00Z
demo: $(VENV)/.installed
	@rm -rf $(DEMO) && mkdir -p $(DEMO)
	$(BIN)/vigil sim --accounts 5000 --days 8 --history-days 4 --crime-scale 20 --seed 1 -o $(DEMO)/events.jsonl \
		--labels $(DEMO)/labels.jsonl --claims $(DEMO)/claims.jsonl --lists $(SHARED)/data/lists
	$(BIN)/vigil lists import ofac_addresses $(SHARED)/data/lists/ofac_crypto_addresses --db $(DEMO)/vigil.db
	$(BIN)/vigil lists import ofac_sdn_addresses $(SHARED)/data/lists/sanctions_names --db $(DEMO)/vigil.db
	$(BIN)/vigil lists import graphsense $(SHARED)/data/lists/graphsense_tagpacks --db $(DEMO)/vigil.db
	$(BIN)/vigil lists import scamsniffer $(SHARED)/data/lists/scamsniffer --db $(DEMO)/vigil.db
	$(BIN)/vigil lists import ofac_sdn $(SHARED)/data/lists/sanctions_names --db $(DEMO)/vigil.db
	$(BIN)/vigil lists import un $(SHARED)/data/lists/sanctions_names --db $(DEMO)/vigil.db
	$(BIN)/vigil replay $(DEMO)/events.jsonl --db $(DEMO)/vigil.db --until $(DEMO_SPLIT) -o $(DEMO)/decisions-history.jsonl
	$(BIN)/vigil labels import $(DEMO)/labels.jsonl --db $(DEMO)/vigil.db
	$(BIN)/vigil train --db $(DEMO)/vigil.db --until $(DEMO_SPLIT) --calibration-days 1 --holdout-days 1 --promote
	$(BIN)/vigil replay $(DEMO)/events.jsonl --db $(DEMO)/vigil.db --since $(DEMO_SPLIT) -o $(DEMO)/decisions.jsonl
	$(BIN)/vigil eval --events $(DEMO)/events.jsonl --decisions $(DEMO)/decisions.jsonl \
		--labels $(DEMO)/labels.jsonl --since $(DEMO_SPLIT) --json $(DEMO)/report.json --charts $(DEMO)
	@echo
	@echo "decisions database: $(DEMO)/vigil.db (the last two days' decisions, by the whole engine, in $(DEMO)/decisions.jsonl)"
	@echo "evaluation of those two days: $(DEMO)/report.json; charts: $(DEMO)/precision_recall.png, $(DEMO)/value_vs_friction.png"

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy

imports: $(VENV)/.installed-dev
	$(BIN)/lint-imports

# The PostgreSQL tests need a server: the script installs (Debian's postgresql) and starts one if none runs.
# The workers' tests need NATS with JetStream: ensure-nats.sh installs (Debian's nats-server) and starts it.
# The console's browser tests need Debian's chromium: the other script installs it when missing.
# The on-chain tests need Debian's litecoind (installed when missing; each test run starts its own regtest node).
pytest: $(VENV)/.installed-dev
	scripts/ensure-postgres.sh
	scripts/ensure-nats.sh
	scripts/ensure-chromium.sh
	scripts/ensure-litecoind.sh
	$(BIN)/pytest

test: lint typecheck imports pytest

bench: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_decide.py
	$(BIN)/python benchmarks/bench_sim.py
	$(BIN)/python benchmarks/bench_screening.py --lists $(SHARED)/data/lists
	$(BIN)/python benchmarks/bench_names.py
	$(BIN)/python benchmarks/name_variants.py

# Rule evaluation against ezrules 1.29 (issue 22; about 5 minutes). ezrules declares Python >= 3.12: on the
# project's 3.11 its rule engine is installed without its web stack (it needs only cryptography besides).
bench-rules: $(VENV)/.installed-dev
	$(BIN)/pip install --no-deps --ignore-requires-python "ezrules==1.29.4" cryptography
	$(BIN)/python benchmarks/bench_rules.py

# The service under load on SQLite and PostgreSQL (about 11 minutes; docs/benchmarks.md).
bench-service: $(VENV)/.installed-dev
	scripts/ensure-postgres.sh
	$(BIN)/python benchmarks/bench_service.py --backend both

# Partitioned workers on NATS JetStream: CPU per decision and latency end to end at 1,000 and 3,000
# events/s (about 3 minutes; docs/benchmarks.md).
bench-workers: $(VENV)/.installed-dev
	scripts/ensure-postgres.sh
	scripts/ensure-nats.sh
	$(BIN)/python benchmarks/bench_workers.py

# On-chain clustering and exposure against a regtest litecoind it starts itself (issue 21; about a minute).
bench-chain: $(VENV)/.installed-dev
	scripts/ensure-litecoind.sh
	$(BIN)/python benchmarks/bench_chain.py

# The whole engine stage by stage (rules, + screening, + graph, + model) on two unseen seeds, judged against
# the friction issue's floors (about 75 minutes a seed at 20,000 accounts x 21 days; docs/benchmarks.md).
bench-detection: $(VENV)/.installed-dev
	$(BIN)/python benchmarks/bench_detection.py --accounts 20000 --days 21 --seeds 11,12

clean:
	rm -rf $(VENV) .vigil .mypy_cache .ruff_cache .pytest_cache .hypothesis
