"""The master notebook and the files derived from it stay in sync, with points that add up."""
from __future__ import annotations

import json
from collections import Counter

import pytest

from autograder.engine import build
from autograder.lectures.weight_init.helper.contract import ANSWERS, FUNCTIONS, GRADED
from autograder.engine.steps.run_checks import list_checks
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


def test_the_built_helper_is_its_package_joined(tmp_path):
    """Is initlab_lab.py the helper package's modules joined (every name of theirs, nothing more), and does
    the build refuse a name two modules define?"""
    import importlib.util
    import sys

    from autograder.engine.amalgamate import BuildError, amalgamate
    from autograder.lectures.weight_init import HELPER_FILE
    from tests.conftest import package_helper

    spec = importlib.util.spec_from_file_location("initlab_lab_built", HELPER_FILE)
    built = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = built
    try:
        spec.loader.exec_module(built)
    finally:
        del sys.modules[spec.name]
    # ("@py_..." names: pytest's assertion rewriting, which the kit's pytest11 plugin extends to its modules)
    mine = {k for k in vars(package_helper()) if not k.startswith(("__", "@"))}
    theirs = {k for k in vars(built) if not k.startswith("__")}
    assert theirs - mine <= {"annotations"} and not mine - theirs
    lecture = tmp_path / "autograder" / "lectures" / "twice" / "helper"
    lecture.mkdir(parents=True)
    (lecture / "a.py").write_text("def excerpt(x):\n    return x\n", encoding="utf-8")  # as autograder/helper/calls.py does
    with pytest.raises(BuildError, match="excerpt"):
        amalgamate(lecture, ("a",), "header", tmp_path)
