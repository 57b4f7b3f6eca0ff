# Two commands on a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-dev
SUDO := $(shell [ "$$(id -u)" = 0 ] || command -v sudo)

.PHONY: demo test lint typecheck unit clean redis-server chromium

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	mkdir -p out
	$(BIN)/dedup scan examples/sample.jsonl -o out/clusters.jsonl \
		--annotate out/annotated.jsonl --uniques out/uniques.jsonl \
		--rejects out/rejects.jsonl --summary-json out/summary.json
	$(BIN)/dedup report out/clusters.jsonl --dump examples/sample.jsonl \
		--summary out/summary.json -o out/report.html
	rm -f out/index.db out/index.db-wal out/index.db-shm out/index.db.lock
	$(BIN)/dedup scan examples/sample.jsonl --index out/index.db --run-id day-1 \
		-o out/day-1.jsonl --rejects out/day-1.rejects.jsonl
	$(BIN)/dedup scan examples/next-day.jsonl --index out/index.db --run-id day-2 \
		-o out/day-2.jsonl --summary-json out/day-2.summary.json
	$(BIN)/dedup index stats out/index.db

lint: $(STAMP)
	$(BIN)/ruff check dedup tests benchmarks
	$(BIN)/ruff format --check dedup tests benchmarks

typecheck: $(STAMP)
	$(BIN)/mypy dedup

# The index tests start a real redis-server (Debian package); CI installs it here.
redis-server:
	@command -v redis-server >/dev/null 2>&1 || \
		{ $(SUDO) apt-get install -y redis-server >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update >/dev/null && $(SUDO) apt-get install -y redis-server; }; }

# The report tests load the HTML report in a real headless Chromium (Debian package).
chromium:
	@command -v chromium >/dev/null 2>&1 || \
		{ $(SUDO) apt-get install -y chromium >/dev/null 2>&1 || \
		{ $(SUDO) apt-get update >/dev/null && $(SUDO) apt-get install -y chromium; }; }

unit: $(STAMP) redis-server chromium
	DEDUP_REQUIRE_REDIS=1 DEDUP_REQUIRE_BROWSER=1 DEDUP_REQUIRE_DASK=1 $(BIN)/pytest

test: lint typecheck unit

clean:
	rm -rf $(VENV) out .mypy_cache .ruff_cache .pytest_cache .hypothesis
