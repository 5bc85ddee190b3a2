# ExtraMile: `make run` serves the demo, `make test` runs the suite. Nothing else is needed first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export EXTRAMILE_DATA_DIR ?= $(CURDIR)/var

.PHONY: run test test-moments test-postgres test-postgres-moments test-browser screenshots bench soak lint format install clean

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(BIN)/extramile migrate --no-input
	$(BIN)/extramile demo --if-empty
	$(BIN)/extramile plan
	$(BIN)/extramile serve --with-worker

# The whole suite: unit and page tests in two processes, then the browser tests (skipped, with the
# reason shown, where Debian's chromium is not installed).
test: $(STAMP)
	$(BIN)/pytest -n 2 -m "not browser"
	$(MAKE) --no-print-directory test-browser

# The tests that fix no moment, again, each at one of four awkward moments (README: "Testing at
# another moment"): which test gets which changes with the run's seed, printed in the header.
MOMENTS := 2028-03-01T00:00 America/New_York TZ=Pacific/Kiritimati; 2027-03-14T03:00-04:00; 2027-11-07T01:00-05:00; 2029-01-01T00:00 America/New_York
test-moments: $(STAMP)
	TZ=America/New_York $(BIN)/pytest -n 2 -m "not browser" --unfixed-only --moments "$(MOMENTS)"

test-postgres: $(STAMP)
	@test -n "$$EXTRAMILE_TEST_DATABASE_URL" || { echo "EXTRAMILE_TEST_DATABASE_URL is not set"; exit 2; }
	EXTRAMILE_DATABASE_URL="$$EXTRAMILE_TEST_DATABASE_URL" $(BIN)/pytest -n 2 -m "not browser"

# CI's PostgreSQL pass: the whole suite on PostgreSQL, and the tests that fix no moment each at one
# of the four awkward moments (make test has run them at the real now on SQLite): one run for both.
test-postgres-moments: $(STAMP)
	@test -n "$$EXTRAMILE_TEST_DATABASE_URL" || { echo "EXTRAMILE_TEST_DATABASE_URL is not set"; exit 2; }
	TZ=America/New_York EXTRAMILE_DATABASE_URL="$$EXTRAMILE_TEST_DATABASE_URL" $(BIN)/pytest -n 2 -m "not browser" --moments "$(MOMENTS)"

test-browser: $(STAMP)
	$(BIN)/pytest -m browser tests/browser || [ $$? -eq 5 ]

# Every page of the navigation for a rep, a manager and an admin at 390 and 1366 px, as PNGs in
# var/screenshots/<role>-<width>-<page>.png for review (the checks of tests/browser/test_pages.py run too).
screenshots: $(STAMP)
	rm -rf $(CURDIR)/var/screenshots
	EXTRAMILE_SCREENSHOTS=$(CURDIR)/var/screenshots $(BIN)/pytest -m browser -p no:randomly -q tests/browser/test_pages.py

bench: $(STAMP)
	$(BIN)/python bench/plan.py
	$(BIN)/python bench/cards.py --customers 100000
	$(BIN)/python bench/habits.py --customers 100000
	$(BIN)/python bench/value.py --customers 100000
	$(BIN)/python bench/web.py
	$(BIN)/python bench/export.py --customers 100000
	$(BIN)/python bench/culture.py --customers 100000
	$(BIN)/python bench/io.py --contacts 100000 --stream-rows 100000

# The whole service for 10 minutes on PostgreSQL with a million customers, under load and faults
# (bench/soak.py; SOAK_ARGS="--customers 50000 --minutes 3" for a short one). Exits 1 on a lost or
# doubled record, a server error outside the database restart, or personal data in the logs.
soak: $(STAMP)
	$(BIN)/python bench/soak.py $(SOAK_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/extramile makemigrations --check --dry-run

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
