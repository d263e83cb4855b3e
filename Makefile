# ReturnFlow — `make run` serves the app on SQLite; `make test` runs the whole suite.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export RETURNFLOW_DATA_DIR ?= var

.PHONY: run test lint bench install clean chromium format

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "need $(PY) (Python 3.11)"; exit 1; }
	$(PY) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

## run: migrate the embedded SQLite database, seed the demo tenant, serve on http://127.0.0.1:8000
run: $(STAMP)
	$(BIN)/returnflow db upgrade
	$(BIN)/returnflow demo --tenant demo --if-empty
	$(BIN)/returnflow serve --host 127.0.0.1 --port 8000

## chromium: Debian's browser for the Playwright tests (Playwright's own download does not work offline)
chromium:
	@if [ ! -x /usr/bin/chromium ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; \
	fi

## test: install what the tests need and run the whole suite (SQLite + PostgreSQL + browser)
test: $(STAMP) chromium
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

## bench: reproducible performance runs (see benchmarks/README.md)
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_returns.py --db sqlite
	$(BIN)/python benchmarks/bench_returns.py --db postgresql

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
