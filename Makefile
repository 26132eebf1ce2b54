# SafeCampus — two commands: `make run` and `make test`. Everything else is optional.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export SAFECAMPUS_VAR_DIR ?= $(CURDIR)/var

.PHONY: run test setup assets venv worker migrate demo lint lint-imports typecheck messages bench-web bench-leads totp clean check-python brokers brokers-stop ingest bench-ingest bench-inspections bench-risk bench-audit fuzz-api

## run: set up everything, migrate, load the demo district if empty, serve on http://127.0.0.1:$(PORT)
run: setup migrate demo
	$(BIN)/python manage.py serve --port $(PORT)

## test: set up and run the whole suite (SQLite unless DATABASE_URL is set)
test: setup
	@bash scripts/ensure_chromium.sh
	$(BIN)/pytest -n 2 --dist loadfile -q -ra

setup: venv assets

check-python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "SafeCampus needs Python 3.11 (set PYTHON=...)")'

venv: $(VENV)/.installed
$(VENV)/.installed: requirements.lock | check-python
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --require-virtualenv -r requirements.lock
	touch $@

assets: static/vendor/.built
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@
static/vendor/.built: node_modules/.installed scripts/build_assets.mjs
	npm run --silent build
	touch $@

migrate: venv
	$(BIN)/python manage.py migrate --noinput

demo: venv
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py seed_demo_leads
	$(BIN)/python manage.py seed_demo_inspections
	$(BIN)/python manage.py seed_demo_risk

## worker: the task consumer alone (deadlines, outbox, retention); `make run` starts one already
worker: venv
	$(BIN)/python manage.py run_huey --workers 2 --flush-locks

## brokers: the project's NATS (JetStream + MQTT :18830) and Mosquitto (:18831) under var/brokers
brokers: venv
	bash scripts/brokers.sh start

brokers-stop:
	bash scripts/brokers.sh stop

## ingest: one device-event consumer against the local NATS (`make brokers` first; `make run` starts one)
ingest: venv
	$(BIN)/python manage.py ingest

## bench-ingest: events/s through Mosquitto and HTTP into PostgreSQL (BENCH_DATABASE_URL)
bench-ingest: setup
	$(BIN)/python -m bench.ingest

## bench-web: pages and API under gunicorn against a 1,000-school district
bench-web: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: using the Python load generator"
	$(BIN)/python bench/web.py

## bench-leads: ledger, lead statistics and portal submissions under gunicorn, 200,000 leads
bench-leads: setup
	@command -v wrk >/dev/null || { [ "$$(id -u)" = 0 ] && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } || echo "wrk not installed: portal submissions cannot be measured"
	$(BIN)/python bench/leads.py

## bench-inspections: hazard register and district evaluation ranking, 1,000 schools × 3 years
bench-inspections: setup
	$(BIN)/python bench/inspections.py

## bench-risk: monthly risk grading of 10,000 schools with a year of evidence
bench-risk: setup
	$(BIN)/python bench/risk.py

## bench-audit: the cost of one audit row (1,000 appends, each committed, and in one transaction)
bench-audit: setup
	$(BIN)/python bench/audit.py

## fuzz-api: schemathesis against a live server on a throwaway database (FUZZ_SEED reproduces)
fuzz-api: setup
	$(BIN)/python scripts/fuzz_api.py

## lint: ruff (lint and format) and the import contract
lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MAKE) --no-print-directory lint-imports

## lint-imports: the house rules (docs/architecture.md): import-linter's contract, then private names
lint-imports: venv
	$(BIN)/lint-imports
	$(BIN)/python scripts/check_imports.py

typecheck: venv
	$(BIN)/mypy safecampus config

## messages: refresh the translation catalogues (needs GNU gettext) and compile them
messages: venv
	$(BIN)/python manage.py makemessages -l zh_Hans -l en --no-obsolete -i node_modules -i .venv -i var
	$(BIN)/python manage.py makemessages -d djangojs -l zh_Hans -l en --no-obsolete -i node_modules -i .venv -i var -i static/vendor
	$(BIN)/python scripts/compile_messages.py

## totp USER=safety: the current second-factor code of a demo login (development only)
totp: venv
	@$(BIN)/python manage.py totp_code $(USER)

clean:
	rm -rf $(VENV) node_modules static/vendor var
