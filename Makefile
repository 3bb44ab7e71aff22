# The README's two commands are `make run` and `make test`.
# Both create .venv with Python 3.11+ and install what they need into it.

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
# In the environment of every command: in development the server's links (the embed
# snippet, .ics links, links in emails) are made on this address (voiceagent/links.py).
export HOST PORT
# The PostgreSQL + Redis pass of `make test`.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0

.PHONY: run serve install dev-install test lint test-js test-embedded test-services clean

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py bootstrap
	$(BIN)/python manage.py collectstatic --noinput -v0
	@echo "Serving on http://$(HOST):$(PORT)/ (admin: http://$(HOST):$(PORT)/admin/)"
	$(BIN)/python -m uvicorn voiceagent.asgi:application --host $(HOST) --port $(PORT) --lifespan off

# The server alone, without install/migrate/bootstrap.
serve:
	$(BIN)/python -m uvicorn voiceagent.asgi:application --host $(HOST) --port $(PORT) --lifespan off

$(BIN)/python:
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed; set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

install: $(VENV)/.installed
$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $@

dev-install: $(VENV)/.dev-installed
$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	@touch $@ $(VENV)/.installed

test: dev-install lint test-js test-embedded test-services

# The widget's resampler and PCM encoder, with node's own test runner.
test-js:
	node --test static/voiceagent/widget/tests/

lint: dev-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_READ_DOT_ENV_FILE=false $(BIN)/mypy .
	DJANGO_READ_DOT_ENV_FILE=false $(BIN)/python manage.py makemigrations --check --dry-run

# Pass 1: the embedded defaults (SQLite, in-memory channel layer, eager tasks).
test-embedded: dev-install
	env -u DATABASE_URL -u REDIS_URL -u CELERY_BROKER_URL DJANGO_READ_DOT_ENV_FILE=false \
		$(BIN)/python -m pytest

# Pass 2: PostgreSQL + Redis. Skipped with a message when PostgreSQL is not
# reachable, unless VOICEAGENT_REQUIRE_SERVICES=1 (CI), where that fails.
test-services: dev-install
	DJANGO_READ_DOT_ENV_FILE=false DATABASE_URL=$(TEST_DATABASE_URL) REDIS_URL=$(TEST_REDIS_URL) \
		$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
