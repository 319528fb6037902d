# The two commands: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test bench install assets lint format db demo clean system-packages

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)

# Reinstall when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund

audit_app/static/dist/application.css: node_modules/.package-lock.json audit_app/static/src/application.scss audit_app/static/src/application.mjs scripts/build-assets.mjs
	npm run build --silent

install: $(VENV)/.installed
assets: audit_app/static/dist/application.css

db: install
	$(BIN)/audit-app init-db

# The demo is only loaded into a database without real data; `make run` carries on without it.
demo: db
	@$(BIN)/audit-app demo || echo "The demo was not loaded (see above); sign in with your own accounts."

run: install assets demo
	@echo ""
	@echo "Serving http://$(HOST):$(PORT) (press Ctrl+C to stop)"
	$(BIN)/flask --app audit_app run --host $(HOST) --port $(PORT)

# Builds an audit of 10 and one of 60 children (15 agencies, 100 questions) in throwaway
# databases and prints each page's median time and statement count (scripts/bench.py).
bench: install assets
	$(BIN)/python -m scripts.bench

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The Debian packages the tests need (scripts/system-packages): installed when missing and
# this user may (root or passwordless sudo), else one line says what to install.
system-packages:
	@scripts/ensure-system-packages.sh

# pytest exits 5 when it collects nothing: that is a failure here too. The tests run in as
# many processes as the machine has cores (pytest-xdist), each module's tests in one process
# (modules share expensive fixtures), each process on its own database.
PYTEST := $(BIN)/pytest -n auto --dist loadscope
test: system-packages install assets lint
	$(PYTEST)
	@if [ -n "$$AUDIT_TEST_POSTGRES_URL" ]; then \
		echo "Running the tests again on PostgreSQL"; \
		AUDIT_TEST_DATABASE_URL="$$AUDIT_TEST_POSTGRES_URL" $(PYTEST); \
	else \
		echo "AUDIT_TEST_POSTGRES_URL is not set: the PostgreSQL run was skipped."; \
	fi

clean:
	rm -rf $(VENV) node_modules audit_app/static/dist .pytest_cache .ruff_cache
