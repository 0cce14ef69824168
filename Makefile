# Parvis: the two commands a newcomer needs are `make demo` and `make test`.
SHELL := /bin/bash
UV_VERSION := 0.13.8
# uv: the one on PATH (or in ~/.local/bin), else our own in a private tools environment made
# with the system's python3 -m venv; never installed into the system Python (PEP 668).
TOOLS := var/tools
UV := $(or $(shell command -v uv 2>/dev/null),$(wildcard $(HOME)/.local/bin/uv),$(TOOLS)/bin/uv)
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: demo contact-centre brand-site oidc-provider test lint typecheck check bench bench-search bench-import serve worker clean messages compile-messages

$(TOOLS)/bin/uv:
	@command -v python3 >/dev/null || { echo "make: python3 not found: install Python 3.11 or newer" >&2; exit 1; }
	@python3 -m venv $(TOOLS) >/dev/null 2>&1 || { rm -rf $(TOOLS); \
	  echo "make: python3 -m venv failed: on Debian or Ubuntu, run 'sudo apt install python3-venv', then make again" >&2; exit 1; }
	$(TOOLS)/bin/python -m pip install --quiet --disable-pip-version-check "uv==$(UV_VERSION)"

$(VENV)/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --quiet
	@touch $@

## demo: install, migrate, seed two demo communities and serve them on http://localhost:8000
demo: $(VENV)/.synced
	$(VENV)/bin/parvis demo

## contact-centre: the local contact-centre stand-in the demo escalates to, on http://127.0.0.1:8025
## (run it beside `make demo`; its DEMO-ONLY secrets live in community/demo/seed.py)
contact-centre: $(VENV)/.synced
	@args=$$($(VENV)/bin/parvis demo --print-standin-args) && $(VENV)/bin/parvis contact-centre $$args

## brand-site: the demo brand's help page on http://127.0.0.1:8200, embedding the demo community
## (run it beside `make demo`)
brand-site: $(VENV)/.synced
	$(VENV)/bin/parvis brand-site

## oidc-provider: the local OpenID provider the demo signs in with, on http://127.0.0.1:9100
## (npm's oidc-provider; needs node; login alice with any password: a gold customer)
oidc-provider: $(VENV)/.synced
	@test -d .ci/node_modules/oidc-provider || npm install --prefix .ci --silent --no-audit --no-fund oidc-provider@9
	@options=$$($(VENV)/bin/parvis demo --print-oidc-options) && node tests/oidc/provider.mjs "$$options"

## test: the whole suite on the embedded defaults (set PARVIS_TEST_DATABASE_URL / PARVIS_TEST_REDIS_URL for PostgreSQL / Redis),
## in PARVIS_TEST_WORKERS processes (pytest-xdist; auto: one per core, at most 4; 0: serially, in this one)
PARVIS_TEST_WORKERS ?= auto
test: $(VENV)/.synced
	$(PY) -m pytest -n $(PARVIS_TEST_WORKERS) $(PYTEST_ARGS)

lint: $(VENV)/.synced
	$(PY) -m ruff check community workers tests benchmarks
	$(PY) -m ruff format --check community workers tests benchmarks

typecheck: $(VENV)/.synced
	$(PY) -m mypy

check: lint typecheck test

## bench: thread page vs static ceiling on PostgreSQL with the production server (needs wrk)
bench: $(VENV)/.synced
	@command -v wrk >/dev/null || apt-get install -y -qq wrk
	$(PY) benchmarks/thread_page.py

## bench-escalation: escalation latency, rule fired to case received, in-process vs arq workers (PostgreSQL + Redis)
bench-escalation: $(VENV)/.synced
	$(PY) benchmarks/escalation_latency.py

## bench-search: search latency (p50/p95) and indexing rate on PostgreSQL at 100,000 posts
bench-search: $(VENV)/.synced
	$(PY) benchmarks/search.py

## bench-import: the shared Stack Exchange dump imported on SQLite and PostgreSQL, rows/s per file
bench-import: $(VENV)/.synced
	$(PY) benchmarks/import_stackexchange.py

## messages: bring the catalogs (community/l10n/translations) up to date with the code and templates
## (settings in pyproject.toml [tool.babel.*] and babel.cfg); then translate what is new or fuzzy
messages: $(VENV)/.synced
	@mkdir -p var
	$(VENV)/bin/pybabel -q extract
	$(VENV)/bin/pybabel -q update

## compile-messages: check the catalogs and write their .mo files (the app reads the .po itself)
compile-messages: $(VENV)/.synced
	$(VENV)/bin/pybabel compile

serve: $(VENV)/.synced
	$(VENV)/bin/parvis serve

worker: $(VENV)/.synced
	$(VENV)/bin/parvis worker

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
