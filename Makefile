# Edgeguard: `make run` starts the whole product on the embedded default; `make test` runs the suite.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format install requirements chromium compose deploy-check bench clean

install: $(STAMP)

# The development set (requirements-dev.txt holds the runtime one too): tests, lint and devtools/sandbox.
# Every package is checked against its hash; the venv's own pip does it (an unpinned upgrade would not be).
$(STAMP): requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --require-hashes -r requirements-dev.txt
	touch $(STAMP)

# Resolve and hash both files from requirements.in and requirements-dev.in (README, "Dependencies"), for
# CPython 3.11.7 and later 3.11 (the development machines' and the image's) on Linux. The direct pins move
# in the .in files; UPGRADE="--upgrade-package NAME" moves one of the others.
UV_COMPILE = $(VENV)/bin/uv pip compile --quiet --generate-hashes --python-version 3.11.7 \
	--python-platform linux --custom-compile-command "make requirements" $(UPGRADE)
requirements: install
	$(UV_COMPILE) requirements.in -o requirements.txt
	$(UV_COMPILE) requirements-dev.in -o requirements-dev.txt

# Debian's Chromium for the browser tests (never `playwright install`: only package registries are reachable).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Debian's docker-compose (Compose v1) for `make deploy-check`: its `config` validates docker-compose.yml
# offline, with no Docker engine (without recommends, so no engine is installed either).
compose:
	@command -v docker-compose >/dev/null 2>&1 || { \
	  echo "Installing Debian's docker-compose to validate docker-compose.yml..."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
	    docker-compose >/dev/null; }

# The image and the stack, checked without Docker: hadolint on the Dockerfile, and Compose's own `config`
# on docker-compose.yml with .env.example as its .env (the same as `cp .env.example .env`).
deploy-check: install compose
	$(VENV)/bin/hadolint Dockerfile
	@env_dir=$$(mktemp -d) && cp .env.example $$env_dir/.env \
	  && docker-compose --project-directory $$env_dir --file docker-compose.yml config --quiet \
	  && rm -r $$env_dir && echo "docker-compose.yml is valid with .env.example as .env"

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
	$(PY) bench/change_deployed_bench.py
	$(PY) bench/change_page_bench.py
	@if [ -f bench/compliance_bench.py ]; then $(PY) bench/compliance_bench.py; fi
	$(PY) bench/posture_bench.py
	$(PY) bench/access_logs_bench.py

clean:
	rm -rf var/ $(VENV)
