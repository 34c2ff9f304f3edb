# Edgeguard: `make run` starts the whole product on the embedded default; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install chromium bench clean

install: $(STAMP)

# The development set (requirements-dev.txt includes the runtime one): tests, lint and devtools/sandbox.
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-dev.txt
	touch $(STAMP)

# Debian's Chromium for the browser tests (never `playwright install`: only package registries are reachable).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

run: install
	DEBUG=1 $(PY) manage.py migrate --noinput
	DEBUG=1 $(PY) manage.py rundemo

test: install chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run --settings=dashboard.settings_test >/dev/null
	$(PY) -m pytest $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# Each script prints its figures (bench/README.md); none asserts on time.
bench: install
	$(PY) bench/sync_bench.py
	$(PY) bench/change_bench.py
	@if [ -f bench/compliance_bench.py ]; then $(PY) bench/compliance_bench.py; fi

clean:
	rm -rf var/ $(VENV)
