# `make check` creates .venv, installs the project with its test extras, then runs the
# linters and the test suite. CI runs exactly this (see .ci/run and README.md).
PYTHON ?= python3
VENV ?= .venv
BIN = $(VENV)/bin

.PHONY: check install lint test foods

$(BIN)/planner: setup.cfg pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test,plot]'

install: $(BIN)/planner

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

test: install
	$(BIN)/python -m pytest -n 2

check: lint test

foods: install
	$(BIN)/python scripts/build_foods.py
