# Everything a person runs. Needs only python3 (3.11+), git and make.
PYTHON ?= python3
UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
PY := .venv/bin/python
MANAGE := $(PY) manage.py
DEV_ENV := DJANGO_DEBUG=1
TEST_ENV := DJANGO_SECRET_KEY=test-only-not-secret

.PHONY: install run demo migrate test test-fast lint format bench eval messages clean reliability

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

.venv/.synced: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet
	touch $@

install: .venv/.synced

migrate: install
	$(DEV_ENV) $(MANAGE) migrate --no-input
	$(DEV_ENV) $(MANAGE) createcachetable

demo: migrate
	$(DEV_ENV) $(MANAGE) load_demo

run: demo
	@echo "Transferhub runs on http://127.0.0.1:8000 (moderator: moderation@transferhub.example / transferhub-demo)"
	$(DEV_ENV) $(MANAGE) db_worker & worker=$$!; trap "kill $$worker" EXIT INT TERM; \
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: install
	$(TEST_ENV) $(PY) -m pytest

test-fast: install
	$(TEST_ENV) $(PY) -m pytest -m "not e2e"

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(TEST_ENV) $(MANAGE) makemigrations --check --dry-run

format: install
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

bench: install
	$(PY) bench/run.py

# "Match my problem" on the judged queries, in a database of its own with the demo catalog.
EVAL_ENV := $(DEV_ENV) DATABASE_URL=sqlite:///$(CURDIR)/bench/work/eval.sqlite3
eval: install
	mkdir -p bench/work
	$(EVAL_ENV) $(MANAGE) migrate --no-input --verbosity 0
	$(EVAL_ENV) $(MANAGE) createcachetable
	$(EVAL_ENV) $(MANAGE) load_demo --verbosity 0
	$(EVAL_ENV) $(MANAGE) evaluate_matching $(EVAL_ARGS)

messages: install
	$(DEV_ENV) $(MANAGE) makemessages -l de -l en --ignore=.venv --ignore=.tools --ignore=bench
	$(DEV_ENV) $(MANAGE) compilemessages --ignore=.venv --ignore=.tools

clean:
	rm -rf .venv $(TOOLS) staticfiles bench/work

# Load with faults on PostgreSQL: gunicorn, 200 clients writing and reading for 60 s, a worker
# killed mid-write and the database restarted; then every acknowledged write looked up again.
# Not part of `make test`. RELIABILITY_SECONDS, _CLIENTS, _WORKERS, _THINK_SECONDS adjust it.
reliability: install
	$(PY) bench/reliability.py
