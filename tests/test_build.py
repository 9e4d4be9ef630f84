"""The master notebook and the files derived from it stay in sync, with points that add up."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from autograder import build
from autograder.contract import ANSWERS, FUNCTIONS, GRADED
from autograder.steps.run_checks import list_checks
from tests.conftest import MASTER_NB, REFERENCE_PY, STUB_NB, STUB_PY

pytestmark = pytest.mark.nbgrader


def cells(path):
    return json.loads(path.read_text(encoding="utf-8"))["cells"]


def nbgrader_meta(cell):
    return cell.get("metadata", {}).get("nbgrader", {})


def test_derived_files_are_what_nbgrader_and_the_build_make_from_the_master():
    """Are solutions/*.py, assignment/*.ipynb (nbgrader generate_assignment) and assignment/*.py up to date?"""
    assert build.main(["--check"]) == 0


def test_each_function_has_a_solution_cell_and_a_test_cell_worth_its_checks():
    """Does each graded test cell carry exactly the points of the checks it runs?"""
    points = Counter()
    for c in list_checks():
        points[c.function] += c.points
    grade_cells = {nbgrader_meta(c)["grade_id"]: c for c in cells(MASTER_NB) if nbgrader_meta(c).get("grade")}
    solution_ids = {nbgrader_meta(c)["grade_id"] for c in cells(MASTER_NB) if nbgrader_meta(c).get("solution")}
    for fn in GRADED:
        cell = grade_cells[f"check_{fn}"]
        assert f'lab.check("{fn}")' in "".join(cell["source"])
        assert nbgrader_meta(cell)["points"] == points[fn]
        assert f"solution_{fn}" in solution_ids
    assert set(grade_cells) == {f"check_{fn}" for fn in GRADED}


def test_the_student_versions_hold_no_solution_code():
    """Do the released notebook and .py keep signatures but no solution lines?"""
    notebook_code = "\n".join("".join(c["source"]) for c in cells(STUB_NB) if c["cell_type"] == "code")
    for text in (notebook_code, STUB_PY.read_text(encoding="utf-8")):
        assert "BEGIN SOLUTION" not in text and "standard_normal((n_in, n_out)) * std" not in text
        # one stub per function (indented) and one per analysis answer (top level)
        assert text.count("    raise NotImplementedError()") == len(FUNCTIONS)
        assert text.count("\nraise NotImplementedError()") == len(ANSWERS)
    for fn in FUNCTIONS:
        assert f"def {fn}(" in STUB_PY.read_text(encoding="utf-8")


def test_the_reference_py_is_the_master_solution_cells():
    """Is solutions/weight_init.py exactly the master's solution cells (one source of truth)?"""
    text = REFERENCE_PY.read_text(encoding="utf-8")
    for src in build.solution_cells(json.loads(MASTER_NB.read_text(encoding="utf-8"))):
        assert src.strip() in text


def test_the_notebook_is_korean_first_with_english_beside_it():
    """Does every markdown cell of the master carry Korean text followed by English?"""
    for c in cells(MASTER_NB):
        if c["cell_type"] != "markdown":
            continue
        text = "".join(c["source"])
        hangul = next((i for i, ch in enumerate(text) if "\uac00" <= ch <= "\ud7a3"), None)
        latin = next((i for i, ch in enumerate(text) if ch.isascii() and ch.isalpha()), None)
        assert hangul is not None and latin is not None, text[:60]
