"""The notebook runs top to bottom in a Jupyter kernel, and nbgrader grades it with our points."""
from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from autograder.engine.release import HELPER_NAME
from autograder.lectures.weight_init import HELPER_FILE as HELPER
from tests.conftest import MASTER_NB, STUB_NB, total_points
from tests.kernels import execute_notebook, nbgrader

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow]


def execute(path: Path):
    return execute_notebook(path, allow_errors=True)


def grade_cells(nb):
    return [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade")]


def result_value(cell) -> float | None:
    for out in cell.outputs:
        if out.output_type == "execute_result":
            return float(out.data["text/plain"])
    return None


def test_the_master_runs_top_to_bottom_with_full_points_in_every_test_cell():
    """Does every cell run without error, each test cell returning its points, nothing on stderr?"""
    nb = execute(MASTER_NB)
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            assert out.output_type != "error", (cell.source[:60], out.get("evalue"))
            assert not (out.output_type == "stream" and out.name == "stderr"), out.text[:200]
    for cell in grade_cells(nb):
        assert result_value(cell) == cell.metadata["nbgrader"]["points"]
    # the lecture figure was drawn from the student's own functions
    assert any("image/png" in out.get("data", {}) for c in nb.cells for out in c.get("outputs", []))


def test_the_released_notebook_runs_and_scores_zero_without_errors():
    """Does the stub notebook run to the end, each test cell showing 0 and 'not implemented'?"""
    nb = execute(STUB_NB)
    for cell in grade_cells(nb):
        assert result_value(cell) == 0.0
        shown = "".join(out.data.get("text/plain", "") for out in cell.outputs if out.output_type == "display_data")
        answer = cell.metadata["nbgrader"]["grade_id"].startswith("check_answer_")
        assert ("MISSING" if answer else "NotImplementedError") in shown
    for cell in nb.cells:  # only the stubs themselves raise (the template's NotImplementedError)
        for out in cell.get("outputs", []):
            if out.output_type == "error":
                assert cell.metadata["nbgrader"].get("solution") and out.ename == "NotImplementedError"


def test_nbgrader_autograde_gives_the_master_full_marks_and_the_release_zero(tmp_path):
    """Does real nbgrader (generate_assignment, autograde, export) give full marks and 0?"""
    course = tmp_path / "course"
    (course / "source" / "week01").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "dl"\n')
    shutil.copy(MASTER_NB, course / "source" / "week01" / "weight_init.ipynb")
    shutil.copyfile(HELPER, course / "source" / "week01" / HELPER_NAME)  # released with it, restored at autograde
    nbgrader(course, "generate_assignment", "week01", "--force")
    for student, source in (("alice", MASTER_NB), ("bob", course / "release" / "week01" / "weight_init.ipynb")):
        (course / "submitted" / student / "week01").mkdir(parents=True)
        shutil.copy(source, course / "submitted" / student / "week01" / "weight_init.ipynb")
    nbgrader(course, "autograde", "week01", "--create")
    nbgrader(course, "export", "--to", "grades.csv")
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "grades.csv"))}
    assert float(rows["alice"]["score"]) == float(rows["alice"]["max_score"]) == total_points()
    assert float(rows["bob"]["score"]) == 0.0


def test_nbgrader_validate_passes_the_master_and_not_the_release(tmp_path):
    """Does `nbgrader validate` (what a student may run before submitting) pass the master with the
    helper beside it, and report the untouched release as not passing?"""
    shutil.copy(MASTER_NB, tmp_path / "weight_init.ipynb")
    shutil.copy(STUB_NB, tmp_path / "stub.ipynb")
    shutil.copyfile(HELPER, tmp_path / HELPER_NAME)
    assert "Success! Your notebook passes all the tests." in nbgrader(tmp_path, "validate", "weight_init.ipynb").stdout
    assert "passes all the tests" not in nbgrader(tmp_path, "validate", "stub.ipynb").stdout


def test_the_notebook_helpers_stand_still_while_grading(monkeypatch):
    """Imported before INITLAB_GRADING was set (as the sandbox's zygote does), do the helpers still see it?"""
    from tests.conftest import lab

    monkeypatch.setenv("INITLAB_GRADING", "1")
    assert lab.check("sigmoid", namespace={}) == 0.0  # no checks run inside the sandbox
    assert lab.lecture_histograms(None, None, None, None, None, None) is None
    monkeypatch.delenv("INITLAB_GRADING")
    assert not lab.grading()
