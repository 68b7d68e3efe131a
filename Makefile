# Two commands: `make demo` starts the demo, `make test` runs every test. Nothing else to install by hand.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test install install-dev lint bench clean lock
# A step that fails half-way leaves no file behind that would make make think it succeeded.
.DELETE_ON_ERROR:

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "bangfu needs Python 3.11 or newer"'
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || { echo "缺少 Python 的 venv 模块：在 Debian/Ubuntu 上运行 sudo apt-get install python3-venv 后重试"; exit 1; }
	$(PYTHON) -m venv $(VENV) || { rm -rf $(VENV); exit 1; }
	$(BIN)/python -m pip install --quiet --upgrade pip

# Installs are reproducible: every package pinned in requirements.lock (runtime) and requirements-dev.lock (runtime +
# tools), bangfu itself on top without resolving anything; pip check fails if pyproject.toml wants what the lock lacks.
# After changing dependencies in pyproject.toml: make lock.
$(VENV)/.installed: $(BIN)/python pyproject.toml requirements.lock
	$(BIN)/pip install --quiet -r requirements.lock
	$(BIN)/pip install --quiet --no-deps -e .
	$(BIN)/pip check
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.lock
	$(BIN)/pip install --quiet -r requirements-dev.lock
	$(BIN)/pip check
	@touch $@

## make lock: re-pin requirements.lock and requirements-dev.lock from pyproject.toml in throw-away environments
lock:
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv && .lock-venv/bin/pip install --quiet --upgrade pip
	.lock-venv/bin/pip install --quiet .
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^bangfu' > requirements.lock
	.lock-venv/bin/pip install --quiet '.[dev]'
	.lock-venv/bin/pip freeze --exclude-editable | grep -v '^bangfu' > requirements-dev.lock
	rm -rf .lock-venv

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make demo: install, migrate, build the synthetic county if absent, start worker + web on 127.0.0.1:8000
demo: install
	$(BIN)/bangfu demo

## make test: install the development tools and run every test (unit, integration, browser) in parallel, then Spark's
test: install-dev
	$(BIN)/ruff check src tests bench
	$(BIN)/bangfu makemigrations --check --dry-run > /dev/null || (echo "模型有未生成的迁移：运行 bangfu makemigrations"; exit 1)
	$(BIN)/pytest -n auto $(PYTEST_ARGS)
	@echo "The Spark engine (one JVM for its tests, so not in the parallel run above):"
	RUN_SPARK_TESTS=1 $(BIN)/pytest -p no:xdist -q tests/monitoring/test_spark_engine.py

## make test-spark: only the Spark engine's tests (a JVM starts: a minute or more on a loaded machine)
test-spark: install-dev
	RUN_SPARK_TESTS=1 $(BIN)/pytest -p no:xdist tests/monitoring/test_spark_engine.py

lint: install-dev
	$(BIN)/ruff check src tests bench

## make bench: the list page against hand-written SQL, and the 1,000,000-person build (see bench/README.md)
bench: install-dev
	$(BIN)/python bench/bench_household_list.py
	$(BIN)/python bench/bench_demo_build.py

clean:
	rm -rf $(VENV) var artifacts
