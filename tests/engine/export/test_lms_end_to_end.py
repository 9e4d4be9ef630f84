"""As a new instructor: release a week, grade eclass's "download all" zip with the class roster, export,
and import into Moodle and Canvas with no hand edit (their import rules: tests/engine/export/lms_rules.py)."""
from __future__ import annotations

import csv
import subprocess
import sys

import pytest

from autograder.engine.export.nbgrader_db import open_gradebook
from autograder.engine.release import release
from autograder.lectures.weight_init.instructor.samples import KOREAN_NAMES, reference_source
from autograder.engine.steps.ingest import discover
from tests.engine.export import lms_rules
from tests.kernels import PROCESS_TIMEOUT

pytestmark = [pytest.mark.nbgrader, pytest.mark.sandbox]
CANVAS_ID = "4242"


def initlab(*args: str) -> subprocess.CompletedProcess:
    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", *map(str, args)], capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT)
    assert done.returncode == 0, done.stderr
    return done


def download_all(path):
    """eclass's "Download all submissions" zip of a small class: right files, and one template."""
    import zipfile

    from tests.conftest import STUB_PY

    with zipfile.ZipFile(path, "w") as zf:
        for i, name in enumerate(KOREAN_NAMES[:6]):
            text = STUB_PY.read_text(encoding="utf-8") if i == 5 else reference_source()
            zf.writestr(f"{name}_{7100 + i}_assignsubmission_file_/weight_init.py", text)
    return path


@pytest.fixture(scope="module")
def term(tmp_path_factory):
    """Week 1 released, the class's Moodle zip graded with the roster into the gradebook."""
    root = tmp_path_factory.mktemp("term")
    course = root / "course"
    release(course, 1, seed=11, check=False)
    moodle_zip = download_all(root / "download-all.zip")
    found = discover(moodle_zip).found
    roster = {f"2026{int(f.student_id):06d}"[-10:]: f for f in found}
    with open(root / "roster.csv", "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "name", "email"])
        for sid, f in roster.items():
            w.writerow([sid, f.name, f"{sid}@univ.ac.kr"])
    initlab("grade", moodle_zip, "--out", root / "graded", "--course", course, "--assignment", "week01",
            "--roster", root / "roster.csv", "--jobs", "2", "--timeout", "3")
    return root, course, moodle_zip, set(roster), {f.student_id for f in found}


def test_the_moodle_file_imports_as_it_is(term):
    root, course, _, ids, _ = term
    path = root / "moodle.csv"
    initlab("export", "--course", course, "--assignment", "week01", "--format", "moodle", "--to", path,
            "--roster", root / "roster.csv", "--scale", "100")
    rows = lms_rules.rows_of(path)
    assert len(rows) - 1 == len(ids)
    assert lms_rules.moodle_gradebook(rows, ids, item_max=100) == []


def test_the_canvas_file_imports_into_the_existing_assignment(term):
    root, course, _, ids, _ = term
    path = root / "canvas.csv"
    initlab("export", "--course", course, "--assignment", "week01", "--format", "canvas", "--to", path,
            "--roster", root / "roster.csv", "--scale", "100", "--canvas-id", CANVAS_ID)
    assert lms_rules.canvas_gradebook(lms_rules.rows_of(path), ids, {"week01": CANVAS_ID}) == []


def test_the_rules_catch_what_used_to_need_hand_edits(term, tmp_path):
    """The same checks fail the old defaults: a student Moodle does not know, a bare Canvas title, and
    points above a new item's 100 (so passing them above means something)."""
    root, course, _, ids, _ = term
    with open_gradebook(course) as gb:  # someone the LMS does not know (a dropped student, a test account)
        gb.update_or_create_student("validator-x")
    try:
        initlab("export", "--course", course, "--assignment", "week01", "--format", "moodle", "--to", tmp_path / "m.csv")
        initlab("export", "--course", course, "--assignment", "week01", "--format", "canvas", "--to", tmp_path / "c.csv")
    finally:
        with open_gradebook(course) as gb:
            gb.remove_student("validator-x")
    moodle = lms_rules.moodle_gradebook(lms_rules.rows_of(tmp_path / "m.csv"), ids, item_max=50)
    assert any("'validator-x' not found" in p for p in moodle) and any("above the item's maximum" in p for p in moodle)
    assert any("Canvas would make a new one" in p for p in
               lms_rules.canvas_gradebook(lms_rules.rows_of(tmp_path / "c.csv"), ids, {"week01": CANVAS_ID}))


def test_without_a_roster_the_grades_go_through_moodles_grading_worksheet(term, tmp_path):
    """A Moodle zip graded with no roster knows participant numbers only: is the worksheet written, and
    does it pass the assignment upload's rules?"""
    _, _, moodle_zip, _, participants = term
    done = initlab("grade", moodle_zip, "--out", tmp_path / "out", "--jobs", "2", "--timeout", "3")
    assert "moodle_grading_worksheet.csv" in done.stdout and "participant numbers" in done.stdout
    rows = lms_rules.rows_of(tmp_path / "out" / "moodle_grading_worksheet.csv")
    assert len(rows) - 1 == len(participants) and lms_rules.moodle_worksheet(rows, participants) == []
