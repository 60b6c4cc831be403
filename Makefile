# Every target creates .venv when it is missing and installs into it, so a fresh
# machine needs nothing but Python 3.11+ (python3 on PATH, or PYTHON=...).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install demo test lint typecheck contracts unit screenshots bench mutation clean

help:
	@echo "make demo         open the inbox against the built-in fake carrier"
	@echo "make test         ruff + mypy + pytest (installs everything first)"
	@echo "make screenshots  regenerate screenshots/*.svg"
	@echo "make bench        run the benchmarks in benchmarks/ (by hand, not in CI)"
	@echo "make mutation     mutation-test sms_tui/core with mutmut (by hand, not in CI; minutes)"

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/sms-tui demo

lint: $(STAMP)
	$(BIN)/ruff check sms_tui tests benchmarks tools
	$(BIN)/ruff format --check sms_tui tests benchmarks tools

typecheck: $(STAMP)
	$(BIN)/mypy

# The layer contracts and the no-cycle check ([tool.importlinter] in pyproject.toml).
contracts: $(STAMP)
	$(BIN)/lint-imports --no-cache --no-logo

unit: $(STAMP)
	$(BIN)/pytest -q

test: lint typecheck contracts unit

screenshots: $(STAMP)
	$(BIN)/python -m tools.screenshots screenshots

# Mutation testing of sms_tui/core against tests/core ([tool.mutmut] in pyproject.toml); by hand,
# a few minutes. Survivors judged equivalent are listed in tests/core/EQUIVALENT_MUTANTS.md.
mutation: $(STAMP)
	rm -rf mutants
	SMS_TUI_MUTATION=1 $(BIN)/mutmut run --max-children 2
	$(BIN)/python -m tools.mutation_report

bench: $(STAMP)
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .ruff_cache
