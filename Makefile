# MPF Portal. `make run` serves the demo; `make test` runs the whole suite.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test lint bench install install-dev migrate seed clean editor-bundle

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.runtime: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $(VENV)/.runtime $@

install: $(VENV)/.runtime
install-dev: $(VENV)/.dev

migrate: install
	mkdir -p var
	$(MANAGE) compilemessages --ignore=.venv
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

# In development, links in e-mails and exported files point at the address `make run` serves,
# unless PORTAL_BASE_URL is set (in the environment or on the command line).
run: export PORTAL_BASE_URL ?= http://$(HOST):$(PORT)
run: seed
	@echo ""
	@echo "MPF Portal: http://$(HOST):$(PORT)/ (links in e-mails: $(PORTAL_BASE_URL))"
	@echo "Demo logins (password 'demo'): staff, manager, counterpart, reviewer, donor, outsider"
	@echo ""
	$(MANAGE) runserver $(HOST):$(PORT)

test: install-dev
	$(MANAGE) compilemessages --ignore=.venv
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(MANAGE) makemigrations --check --dry-run
	$(BIN)/python -m tests.check_compose
	$(BIN)/python -m tests.check_translations

bench: install-dev
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.dashboards_after_change $(BENCH_DASHBOARDS_ARGS)
	$(BIN)/python -m bench.render $(BENCH_RENDER_ARGS)
	$(BIN)/python -m bench.tracked $(BENCH_TRACKED_ARGS)
	$(BIN)/python -m bench.text_engine
	$(BIN)/python -m bench.exports $(BENCH_EXPORTS_ARGS)
	$(BIN)/python -m bench.after_save $(BENCH_AFTER_SAVE_ARGS)
	$(BIN)/python -m bench.anchoring $(BENCH_ANCHORING_ARGS)

# The section editor (static/vendor/editor/): needs Node.js and npm in development only; the
# bundle is committed, so running and testing the portal never need them.
editor-bundle:
	cd frontend && npm ci && node build.mjs

clean:
	rm -rf var/mpf.sqlite3 var/media var/staticfiles
