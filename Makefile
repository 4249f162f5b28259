# `make check` creates .venv, installs the project with its test extras, then runs the
# linters and the test suite. CI runs exactly this (see .ci/run and README.md).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: check install lint test quick foods meals

# The stamp, not .venv/bin/planner, marks an install with the test tools: the README's first
# command (`pip install .`) makes .venv/bin/planner without ruff, mypy or pytest.
$(VENV)/.installed-test: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,plot,dask]'
	touch $@

install: $(VENV)/.installed-test

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest -n 2

# The quick suite: every test that does not plan a week or a day (under a minute here).
quick: install
	$(BIN)/python -m pytest -n 2 -m "not slow and not plans"

check: lint test

foods: install
	$(BIN)/python scripts/build_foods.py

meals: install
	$(BIN)/python scripts/build_meals.py
