# The two commands: `make sync` and `make test`. Everything else is a step they depend on.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export AIRBYTE_OFFLINE_MODE := 1
export DO_NOT_TRACK := 1
export AIRBYTE_CACHE_ROOT := $(CURDIR)/.airbyte/cache
export AIRBYTE_LOGGING_ROOT := $(CURDIR)/.airbyte/logs

.PHONY: install system test unit lint sync bench clean

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

# make sync installs only what its database needs: [local] (DuckDB) or, for a postgresql:// LOCAL_SYNC_DB, [postgres]
SYNC_EXTRA := $(if $(filter postgresql://% postgres://%,$(LOCAL_SYNC_DB)),postgres,local)
SYNC_STAMP := $(VENV)/.installed-$(SYNC_EXTRA)
$(SYNC_STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[$(SYNC_EXTRA)]'
	touch $@

# Debian packages the tests need (.ci/debian-packages), installed when missing.
system:
	bash .ci/system

lint: $(STAMP)
	$(BIN)/ruff check source_usage usage_sandbox local_sync unit_tests integration_tests benchmarks

test: $(STAMP) system lint
	$(BIN)/python -m pytest -n 2 --dist loadgroup -q

unit: $(STAMP)
	$(BIN)/python -m pytest -q unit_tests

sync: $(SYNC_STAMP)
	$(BIN)/python -m local_sync $(if $(CONFIG),--config $(CONFIG),)

bench: $(STAMP)
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev,bench]'
	$(BIN)/python -m benchmarks.run

clean:
	rm -rf $(VENV) .airbyte build dist *.egg-info usage.duckdb
