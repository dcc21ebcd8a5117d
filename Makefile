# The two commands of the README: `make run` (the embedded demo) and `make test` (the whole suite).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
# The embedded demo: SQLite in var/, debug pages, and the production's background machinery: a
# Celery worker with its beat, on a broker made of files in var/ (no server to start). Served on
# HOST; its OpenID clients and FranceConnect discovery follow DEMO_BASE_URL, the address browsers
# use (set it to http://<address of this machine>:<port> to reach a demo served on 0.0.0.0).
DEMO_WORKER := $(BIN)/celery -A backend worker -B --pool=solo --loglevel=INFO
HOST ?= 127.0.0.1:8000
DEMO_BASE_URL ?= http://$(patsubst 0.0.0.0:%,127.0.0.1:%,$(HOST))
DEMO_ENV := DEMO=1 DEMO_BASE_URL=$(DEMO_BASE_URL)

.PHONY: run test install browser lint format verify-journal manage demo-totp

$(VENV)/.installed: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet --require-hashes -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(DEMO_ENV) $(BIN)/python manage.py migrate --noinput
	$(DEMO_ENV) $(BIN)/python manage.py load_communes
	$(DEMO_ENV) $(BIN)/python manage.py load_demo
	@# Ctrl-C stops the web server, then the trap stops the worker and its beat.
	@$(DEMO_ENV) sh -c '$(DEMO_WORKER) & worker=$$!; \
	  trap "kill $$worker 2>/dev/null; wait $$worker" EXIT INT TERM; \
	  $(BIN)/python manage.py runserver $(HOST)'

# Browser tests drive Debian's Chromium; as root the test command installs it when it is missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else echo "Chromium absent : les tests navigateur seront ignorés (apt-get install chromium)."; fi; }

# The suite runs in one process per core (pytest-xdist; each has its own test database and Redis
# database); the slow tests (fuzzing, browser walks, real workers) are shared out as they come.
TEST_PROCESSES ?= auto
test: install browser
	$(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal --durations=25 $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# Checks the demo's Aidants Connect journal (seals, chain, checkpoints); production runs
# `python manage.py verify_journal` with its own environment.
verify-journal: install
	$(DEMO_ENV) $(BIN)/python manage.py verify_journal

# Any management command in the demo's environment: make manage CMD="load_demo".
manage: install
	$(DEMO_ENV) $(BIN)/python manage.py $(CMD)

# The current TOTP code of a demo account: make demo-totp EMAIL=aidant@demo.inclusion.gouv.fr
EMAIL ?= aidant@demo.inclusion.gouv.fr
demo-totp: install
	$(DEMO_ENV) $(BIN)/python manage.py demo_totp $(EMAIL)
