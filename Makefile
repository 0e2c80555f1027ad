# fangpin — set-up and everyday commands. `make demo` and `make test` work on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
DEMO_DIR ?= data/demo
DEMO_HOUSEHOLDS ?= 20000
export DAGSTER_HOME ?= $(CURDIR)/dagster_home
export DO_NOT_TRACK := 1
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := false
export SODA_CORE_TELEMETRY_ENABLED := false

.PHONY: install system-deps demo test lint format dev clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip uv

$(VENV)/.installed: $(BIN)/python pyproject.toml system-packages.txt
	$(MAKE) system-deps
	$(BIN)/uv pip install --quiet --python $(BIN)/python -e ".[dev]"
	touch $@

# The dbt manifest that dagster-dbt loads; `dagster dev` rebuilds it, everything else needs it built.
dbt_project/target/manifest.json: $(VENV)/.installed $(shell find dbt_project/models dbt_project/macros dbt_project/seeds dbt_project/tests -type f 2>/dev/null) dbt_project/dbt_project.yml
	cd dbt_project && ../$(BIN)/dbt parse --profiles-dir . --quiet
	touch $@

install: $(VENV)/.installed dbt_project/target/manifest.json

# Debian packages the project needs (fonts for Chinese text, the browser for the report check).
system-deps:
	@missing=$$(grep -v '^#' system-packages.txt | xargs -r -n1 sh -c 'dpkg -s "$$0" >/dev/null 2>&1 || echo "$$0"'); \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages: $$missing"; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	fi

demo: install
	rm -rf $(DEMO_DIR)
	$(BIN)/fangpin generate --households $(DEMO_HOUSEHOLDS) --seed 42 --years 2021-2023 --format mixed --out $(DEMO_DIR)/landing
	$(BIN)/fangpin run --demo --landing $(DEMO_DIR)/landing --out $(DEMO_DIR)/out

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -q

lint:
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format:
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Dagster UI on the demo landing area (run `make demo` first for data).
dev: install
	FANGPIN_LANDING=$(CURDIR)/$(DEMO_DIR)/landing FANGPIN_OUT=$(CURDIR)/$(DEMO_DIR)/out \
	FANGPIN_SALT=$${FANGPIN_SALT:-fangpin-demo-salt-NOT-FOR-PRODUCTION} \
	$(BIN)/dagster dev -m orchestration.definitions

clean:
	rm -rf $(VENV) dbt_project/target data
