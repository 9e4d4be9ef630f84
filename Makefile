# Quick start: `make demo` and `make test`. Both create .venv (Python >= 3.11) and install the kit first.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.initlab-installed
OUT   := demo-out
# The first Python >= 3.11 on PATH (override with `make PYTHON=/path/to/python3.12 ...`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  && { echo $$p; break; }; done)

.PHONY: demo test setup clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || { echo "initlab needs Python 3.11 or newer on PATH (python3.11, python3.12, ...)"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(STAMP)

demo: $(STAMP)
	@echo "== 1. self-check of the reference solution (full marks expected) =="
	$(BIN)/initlab check solutions/weight_init.py --plots $(OUT)
	@echo
	@echo "== 2. self-check of the student stub (zero expected; exit code 1 is the point) =="
	-$(BIN)/initlab check assignment/weight_init.py --lang ko | head -n 12
	@echo
	@echo "The lecture's histogram figure (your probe vs the reference): $(OUT)/histograms.png"

test: $(STAMP)
	$(BIN)/python -m pytest

clean:
	rm -rf $(OUT) .pytest_cache
