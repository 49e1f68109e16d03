# Two commands matter: `make demo` and `make test` (see README.md).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test test-fast lint bench-slots migrations-check clean

# The stamp is a copy of the requirements last installed: pip runs only when their
# text changed, not whenever the file is newer (every file of a fresh clone is,
# and its .venv may be one that is already up to date).
$(STAMP): requirements.txt
	test -x $(BIN)/python || { $(PYTHON) -m venv $(VENV) \
	  && $(BIN)/python -m pip install --quiet --upgrade pip; }
	cmp -s requirements.txt $(STAMP) || $(BIN)/python -m pip install --quiet -r requirements.txt
	cp requirements.txt $(STAMP)

# The whole service on the embedded default: SQLite, a file-system Celery broker,
# emails as files under var/. Serves http://127.0.0.1:8000 until Ctrl-C.
demo: $(STAMP)
	bin/demo

# The whole suite. Uses PostgreSQL and Redis when DATABASE_URL / REDIS_URL point
# at them, the embedded default otherwise.
test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The development loop: everything but the tests marked slow (tests/conftest.py, SLOW_PATHS).
test-fast: $(STAMP)
	$(BIN)/python -m pytest -m "not slow"

# Style, formatting and the import contract (.importlinter: practice ← booking ← clients).
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

bench-slots: $(STAMP)
	$(BIN)/python bench/slots_bench.py

migrations-check: $(STAMP)
	SECRET_KEY=migrations-check-only $(BIN)/python manage.py makemigrations --check --dry-run

clean:
	rm -rf var .pytest_cache
