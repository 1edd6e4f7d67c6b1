# Two commands matter on a fresh clone:  `make demo`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup demo test lint browser bench clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

## The whole product on the bundled synthetic sample: sample -> load -> dbt build -> baclofen study -> report.
demo: setup
	$(BIN)/faers demo

## Headless Chromium for the report's browser test (Debian package; needs root or sudo).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && $$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	fi

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## Every test: ruff, pytest (loader, generator, dbt build + dbt tests on the sample, golden statistics, study, report in Chromium, download).
test: setup browser lint
	$(BIN)/pytest

bench: setup
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/warehouse.py
	$(BIN)/python benchmarks/signals.py
	$(BIN)/python benchmarks/drug_mapping.py --workdir $${TMPDIR:-/tmp}/faers_drug_mapping

clean:
	rm -rf target logs demo warehouse.duckdb
