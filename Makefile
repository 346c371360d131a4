# xinfang: two commands.
#   make run   set everything up on a fresh machine and serve the product (SQLite, demo data)
#   make test  set everything up and run every check (lint, types, tests on SQLite and PostgreSQL, browser)

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1:8000
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo missing-root)
APT_PACKAGES := postgresql chromium fonts-noto-cjk fonts-hanazono gettext libpango-1.0-0 libpangoft2-1.0-0 clamav-daemon poppler-utils wrk

.PHONY: run test lint typecheck security test-sqlite test-postgres test-browser test-embedded test-year system-packages messages clean bench

$(VENV)/bin/activate:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# --no-compile: Python compiles what it imports when it first imports it; compiling every module of
# every package at install time took a minute of `make test` on a fresh clone (docs/benchmarks.md).
$(VENV)/.base-installed: $(VENV)/bin/activate requirements/base.txt
	$(PIP) install --quiet --no-compile -r requirements/base.txt
	touch $@

# One pip run for both locks (make test needs both; the base install is then up to date as well).
$(VENV)/.dev-installed: $(VENV)/bin/activate requirements/base.txt requirements/dev.txt
	$(PIP) install --quiet --no-compile -r requirements/base.txt -r requirements/dev.txt
	touch $(VENV)/.base-installed $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# Debian packages the product and its tests need: installed when missing and running as root;
# otherwise the missing ones are named so a person can install them.
system-packages:
	@missing=$$(for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ -z "$(SUDO)" ]; then \
	    echo "installing Debian packages: $$missing"; \
	    (apt-get install -y -q --no-install-recommends $$missing >/dev/null 2>&1 || \
	     (apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing >/dev/null)); \
	  else echo "WARNING: missing Debian packages (install them as root): $$missing"; fi; \
	fi

messages: $(VENV)/.base-installed
	$(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v0

run: $(VENV)/.base-installed node_modules/.installed system-packages messages
	$(MANAGE) migrate --no-input -v0
	$(MANAGE) load_units
	$(MANAGE) seed_demo --if-empty
	$(MANAGE) run_product --addr $(HOST)

lint: $(VENV)/.dev-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

typecheck: $(VENV)/.dev-installed
	$(VENV)/bin/mypy

# One run per database: the slow tests (the two halves of the simulated year, the state machine)
# start first, one per worker side by side, and the short tests fill in around them
# (tests/conftest.py SlowTestsLeadEachWorker); each run migrates one test database per worker.
# The whole suite runs on PostgreSQL, the production database; on SQLite, the embedded default of
# `make run`: the year, the tests without a database, and those marked `sqlite` (tests/conftest.py
# SQLITE_PATHS); the browser tests run the whole product on SQLite. docs/decisions/0005.
test-sqlite: $(VENV)/.dev-installed node_modules/.installed messages
	$(VENV)/bin/pytest -q -m "not browser and (slow or no_db or sqlite)" -n 2 --dist worksteal

# In CI (CI=true) the simulated year runs at the full figure of its issue, 10,000 letters, where
# `make test` on a workstation runs 2,500 (docs/decisions/0007): what left `make test` for time
# still runs in CI. XINFANG_YEAR_LETTERS, when set, decides in both.
YEAR_LETTERS := $(or $(XINFANG_YEAR_LETTERS),$(if $(filter true,$(CI)),10000))
test-postgres: $(VENV)/.dev-installed node_modules/.installed system-packages messages
	@if [ -x /usr/lib/postgresql/15/bin/initdb ] || command -v initdb >/dev/null; then \
	  $(if $(YEAR_LETTERS),XINFANG_YEAR_LETTERS=$(YEAR_LETTERS)) $(PY) scripts/with_postgres.py -- $(VENV)/bin/pytest -q -m "not browser and not no_db" -n 2 --dist worksteal; \
	elif [ "$$CI" = "true" ]; then echo "ERROR: PostgreSQL is required in CI and could not be installed"; exit 1; \
	else echo "#####  SKIPPING the PostgreSQL pass: PostgreSQL server binaries are missing (run as root to install)  #####"; fi

test-browser: $(VENV)/.dev-installed node_modules/.installed system-packages messages
	$(VENV)/bin/pytest -q -m browser -n 2 --dist worksteal

# `make test` runs the SQLite tests and the browser tests in one session: each worker migrates one
# SQLite test database for both (half a minute a worker saved), docs/decisions/0007.
test-embedded: $(VENV)/.dev-installed node_modules/.installed system-packages messages
	$(VENV)/bin/pytest -q -m "browser or slow or no_db or sqlite" -n 2 --dist worksteal

# The simulated year at the full figure of its issue (10,000 letters) on PostgreSQL; `make test` runs
# a quarter of it (docs/decisions/0007).
test-year: $(VENV)/.dev-installed system-packages messages
	XINFANG_YEAR_LETTERS=10000 $(PY) scripts/with_postgres.py -- $(VENV)/bin/pytest -q -n 2 \
	  tests/letters/test_simulated_year.py

# Security checks. bandit: the code, failing on medium severity and up (asserts are allowed, as in
# ruff; see [tool.bandit] in pyproject.toml). pip-audit: the pinned requirements against PyPI's
# vulnerability feed (pip-audit has no offline database; its HTTP cache is var/pip-audit-cache).
# When that feed does not answer for a pinned package it is not audited but skipped, saying so.
PIP_AUDIT_PROBE := https://pypi.org/pypi/django/$(shell sed -n 's/^django==//p' requirements/base.txt)/json
security: $(VENV)/.dev-installed
	@if $(PY) -c "import sys, urllib.request; urllib.request.urlopen(sys.argv[1], timeout=10)" "$(PIP_AUDIT_PROBE)" 2>/dev/null; then \
	  $(VENV)/bin/pip-audit --progress-spinner off --no-deps --disable-pip --cache-dir var/pip-audit-cache \
	    -r requirements/base.txt -r requirements/dev.txt; \
	else echo "#####  pip-audit skipped: no network (PyPI's vulnerability feed did not answer $(PIP_AUDIT_PROBE))  #####"; fi
	$(VENV)/bin/bandit -q -c pyproject.toml -r xinfang --severity-level medium

test: system-packages lint typecheck security test-embedded test-postgres

# Intake over HTTP (issue 17 §2): the portal's submit path against a bare one-row insert, in one run,
# under gunicorn with production settings on a throwaway PostgreSQL (scripts/bench_http.py); the
# figures are printed and added to docs/benchmarks.md. wrk is installed when missing (as root).
# BENCH_ALL=1 then also runs the repeat-letter, statistics and console benchmarks, at modest sizes
# (the full ones: see each script's --help); they take several minutes each.
BENCH_SECONDS ?= 20
BENCH_CONNECTIONS ?= 16
BENCH_ALL ?= 0
BENCH_CONSOLE_LETTERS ?= 100000
BENCH_REPEATS_LETTERS ?= 100000
BENCH_STATISTICS_LETTERS ?= 1000000
bench: $(VENV)/.dev-installed
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="postgresql wrk"
	$(PY) scripts/bench_http.py --seconds $(BENCH_SECONDS) --connections $(BENCH_CONNECTIONS)
	@if [ "$(BENCH_ALL)" = 1 ]; then \
	  set -e; \
	  $(PY) scripts/bench_repeats.py --letters $(BENCH_REPEATS_LETTERS) --runs 200; \
	  $(PY) scripts/bench_statistics.py --letters $(BENCH_STATISTICS_LETTERS); \
	  $(PY) scripts/bench_console.py --letters $(BENCH_CONSOLE_LETTERS); \
	fi

# Soak and faults (issue 17 §4): two web processes and two workers on one throwaway PostgreSQL under
# mixed load for SOAK_MINUTES, a web process and a worker killed every minute and PostgreSQL restarted
# once (scripts/soak.py); checks that nothing acknowledged was lost and every notification went out
# once, prints the error rates and adds them to docs/benchmarks.md. Not part of make test.
SOAK_MINUTES ?= 10
soak: $(VENV)/.dev-installed
	@$(MAKE) --no-print-directory system-packages APT_PACKAGES="postgresql"
	$(PY) scripts/soak.py --minutes $(SOAK_MINUTES)

clean:
	rm -rf $(VENV) node_modules var/xinfang.sqlite3* .pytest_cache .mypy_cache
