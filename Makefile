# Two commands matter on a fresh clone:  `make demo`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup setup-spark lock demo test test-deps test-spark lint browser bench clean

## The venv with the exact locked versions (requirements.lock, hashes checked), then this package on top.
setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e ".[dev,figures]"
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements.lock does not satisfy pyproject.toml: run 'make lock', then 'make setup'"; exit 1; }
	touch $@

## The Spark target on top of `make setup`: extra `spark` (dbt-spark, pyspark, pandas) from requirements-spark.lock
## (the versions of requirements.lock plus the extra's, hashes checked). Java 17 must be installed.
setup-spark: $(VENV)/.installed-spark

$(VENV)/.installed-spark: $(VENV)/.installed requirements-spark.lock
	$(BIN)/python -m pip install --quiet --require-hashes --no-deps -r requirements-spark.lock
	@$(BIN)/python -m pip check >/dev/null || { $(BIN)/python -m pip check; \
		echo "requirements-spark.lock does not satisfy pyproject.toml: run 'make lock', then 'make setup-spark'"; exit 1; }
	touch $@

## Re-resolve requirements.lock from pyproject.toml (after adding or changing a dependency), then `make setup`;
## requirements-spark.lock adds the extra spark with every other version held to requirements.lock's.
lock:
	@[ -x $(BIN)/pip-compile ] || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet "pip-tools>=7.7,<8"; }
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra dev --extra figures -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --extra dev --extra figures --extra spark --constraint requirements.lock \
		-o requirements-spark.lock pyproject.toml

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

## The venv (pip) and Chromium (apt) side by side: they share nothing, and on a fresh machine each takes a while.
test-deps:
	@$(MAKE) --no-print-directory -j2 setup browser

## Every test: ruff, pytest (loader, generator, dbt build + dbt tests on the sample, golden statistics, study, report in Chromium, download).
test: test-deps lint
	$(BIN)/pytest -n auto --dist loadfile --durations=25

## The Spark target against DuckDB: the demo sample built on both (`dbt build --target spark`, then the
## adjusted-signals builds), every mart compared (tests/spark/). CI (.ci/run) runs it after `make test`.
test-spark: setup-spark
	$(BIN)/pytest -q tests/spark

bench: setup
	$(BIN)/python benchmarks/load.py
	$(BIN)/python benchmarks/warehouse.py
	$(BIN)/python benchmarks/signals.py
	$(BIN)/python benchmarks/drug_mapping.py --workdir $${TMPDIR:-/tmp}/faers_drug_mapping

clean:
	rm -rf target logs demo warehouse.duckdb
