"""initlab's scores go into nbgrader's gradebook, and nbgrader's own export agrees with them."""
from __future__ import annotations

import re
import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.engine.export.gradebook_writer import ScoresWriter
from autograder.engine.export.nbgrader_db import (CellPlan, alembic_head, ScoreRow, course_settings, function_cell, grade_id,
                                           grade_ids, open_gradebook, plan_cells, write_scores)
from autograder.helper.text import T
from autograder.engine.steps.run_checks import list_checks
from autograder.engine.submission import CheckInfo
from tests.engine.export.conftest import ASSIGNMENT, COURSE_ID, NEW_ASSIGNMENT, NOTEBOOK, nbgrader_export, run_nbgrader

pytestmark = pytest.mark.nbgrader

CHECKS = list_checks()
MAX = sum(c.points for c in CHECKS)
FUNCTION_POINTS = {"sigmoid": 5, "relu": 4, "normal_init": 7, "xavier_init": 7, "he_init": 7,
                   "activation_probe": 10, "weight_decay_penalty": 3, "weight_decay_grad": 3,
                   # the analysis answers, graded like functions (one cell each in the master)
                   "answer_saturated": 2, "answer_xavier_std": 2, "answer_he_relu_std": 2, "answer_penalty": 2}


def check(check_id: str, function: str = "f", points: float = 1.0) -> CheckInfo:
    return CheckInfo(check_id, function, points, T(check_id, check_id))


def first_checks_passed(n: int) -> dict[str, float]:
    """Full points on the first n checks, nothing on the rest (a student who stopped half-way)."""
    return {c.check_id: c.points for c in CHECKS[:n]}


ROWS = (
    ScoreRow("20231234", "길동", "홍", "hong@univ.ac.kr", first_checks_passed(37), "2026-03-02 09:00:00"),
    ScoreRow("20231235", "영희", "이", None, first_checks_passed(10)),
    # No comma in a name here: nbgrader's own CSV export does not quote fields (test_lms_csv covers commas).
    ScoreRow("20231236", "Bob", "O'Neil", "bob@univ.ac.kr",
             {**first_checks_passed(5), "check_activation_probe_exact": 1.5}),
    ScoreRow("20231237"),  # handed in nothing gradable: every check scores 0
)


def expected_total(row: ScoreRow) -> float:
    return sum(row.scores.values())


def dump(course: Path) -> str:
    with sqlite3.connect(course / "gradebook.db") as db:
        return "\n".join(db.iterdump())


# ---------------------------------------------------------------------------------------------
# Grade ids and the cell policy (pure)

def test_grade_ids_of_the_real_checks_are_valid_unique_and_readable():
    """Is every grade id one nbgrader accepts, unique, and still recognisably its check?"""
    ids = grade_ids(CHECKS)
    assert len(set(ids.values())) == len(CHECKS) >= 37
    assert all(re.fullmatch(r"[A-Za-z0-9_\-]{1,128}", name) for name in ids.values())
    assert ids["check_sigmoid_values"] == "check_sigmoid_values"
    assert ids["check_init_std[xavier_init]"] == "check_init_std-xavier_init"
    assert ids["check_activation_probe_lecture_stats[sigmoid-std=0.01]"] == \
        "check_activation_probe_lecture_stats-sigmoid-std_0_01"


@pytest.mark.parametrize("check_ids", [
    ("t[a.b]", "t[a_b]"),            # both become t-a_b
    ("t[a=1]", "t[a 1]", "t[a-1]"),  # 'a_1', 'a_1', 'a-1'
])
def test_check_ids_that_would_clash_get_distinct_grade_ids(check_ids):
    """Do two checks that sanitise to the same name still get different, valid grade ids?"""
    ids = grade_ids([check(c) for c in check_ids])
    assert len(set(ids.values())) == len(check_ids)
    assert all(re.fullmatch(r"[A-Za-z0-9_\-]+", name) for name in ids.values())
    assert grade_ids([check(check_ids[0])]) == {check_ids[0]: grade_id(check_ids[0])}


def test_a_very_long_check_id_fits_nbgrader_s_128_characters():
    """Is a grade id never longer than the gradebook's column?"""
    long_id = "test_x[" + "p" * 300 + "]"
    assert len(grade_id(long_id)) <= 128
    assert grade_id(long_id) != grade_id(long_id[:-2] + "q]")


GENERATED = {function_cell(f): float(p) for f, p in FUNCTION_POINTS.items()}


@pytest.mark.parametrize("existing, outcome", [
    ({}, "check"),
    ({grade_id(c.check_id): c.points for c in CHECKS}, "check"),
    (GENERATED, "function"),
    ({**GENERATED, "written_answer": 5.0}, "function"),  # a manually graded cell is left to formgrader
    ({**GENERATED, "check_relu": 5.0}, "is worth 5 points"),
    ({k: v for k, v in GENERATED.items() if k != "check_he_init"}, "no grade cell 'check_he_init'"),
    ({**GENERATED, "check_sigmoid_values": 2.0}, "would count twice"),
    ({"old_check": 1.0}, "grade cells initlab does not write: ['old_check']"),
])
def test_the_grade_cell_policy(existing, outcome):
    """Does the notebook's own cell list decide the mode, and is every mismatch refused with a reason?"""
    if outcome in ("check", "function"):
        mode, plans = plan_cells(existing, CHECKS)
        assert mode == outcome
        assert sum(p.points for p in plans) == MAX
        assert sorted(cid for p in plans for cid in p.check_ids) == sorted(c.check_id for c in CHECKS)
    else:
        with pytest.raises(ValueError, match=re.escape(outcome)):
            plan_cells(existing, CHECKS)


def test_function_mode_sums_each_function_s_checks():
    """In function mode, does check_sigmoid get exactly sigmoid's three checks?"""
    _, plans = plan_cells(GENERATED, CHECKS)
    sigmoid = next(p for p in plans if p.name == "check_sigmoid")
    assert sigmoid == CellPlan("check_sigmoid", 5.0, ("check_sigmoid_values", "check_sigmoid_shapes",
                                                      "check_sigmoid_float_output"))


@pytest.mark.parametrize("rows, message", [
    ([ScoreRow("s1", scores={"no_such_check": 1.0})], "unknown check"),
    ([ScoreRow("s1", scores={"check_sigmoid_values": 2.5})], "scored 2.5 of 2"),
    ([ScoreRow("s1", scores={"check_sigmoid_values": float("nan")})], "scored nan"),
    ([ScoreRow("s1", scores={"check_sigmoid_values": -1.0})], "scored -1.0"),
    ([ScoreRow("s1"), ScoreRow("s1")], "appears twice"),
    ([ScoreRow("")], "bad student id"),
    ([ScoreRow(" s1")], "bad student id"),
])
def test_bad_rows_are_refused_before_the_gradebook_is_touched(tmp_path, rows, message):
    """Is a bad row refused with a reason, before any course file is made?"""
    course = tmp_path / "course"
    with pytest.raises(ValueError, match=re.escape(message)):
        write_scores(course, ASSIGNMENT, NOTEBOOK, CHECKS, rows)
    assert not course.exists()


def test_a_score_row_does_not_share_the_caller_s_dict():
    """Does changing the dict a row was made from leave the row alone?"""
    scores = {"check_sigmoid_values": 2.0}
    row = ScoreRow("s1", scores=scores)
    scores["check_sigmoid_values"] = 0.0
    assert row.scores == {"check_sigmoid_values": 2.0}


# ---------------------------------------------------------------------------------------------
# With real nbgrader

@pytest.mark.slow  # runs nbgrader commands
def test_a_new_course_is_created_and_nbgrader_export_shows_initlab_s_totals(tmp_path):
    """From an empty folder: are config, gradebook, 37 cells and students made, and does `nbgrader export` agree?"""
    course = tmp_path / "데이터과학_2026"  # a Korean folder name becomes the course id
    write_scores(course, ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)

    assert course_settings(course).course_id == "데이터과학_2026"
    with open_gradebook(course) as gb:
        nb = gb.find_notebook(NOTEBOOK, ASSIGNMENT)
        assert sorted(c.name for c in nb.grade_cells) == sorted(grade_ids(CHECKS).values())
        assert gb.find_assignment(ASSIGNMENT).course_id == "데이터과학_2026"
        grade = gb.find_grade("check_init_std-xavier_init", NOTEBOOK, ASSIGNMENT, "20231234")
        assert (grade.auto_score, grade.max_score, grade.needs_manual_grade) == (2.0, 2.0, False)
        assert not gb.find_submission(ASSIGNMENT, "20231237").needs_manual_grade

    exported = nbgrader_export(course)
    assert set(exported) == {r.student_id for r in ROWS}
    for row in ROWS:
        got = exported[row.student_id]
        assert float(got["score"]) == pytest.approx(expected_total(row))
        assert float(got["max_score"]) == MAX
    assert (exported["20231234"]["last_name"], exported["20231234"]["first_name"]) == ("홍", "길동")
    assert exported["20231234"]["timestamp"].startswith("2026-03-02 09:00:00")


def test_a_new_gradebook_gets_the_schema_head_nbgrader_itself_would_stamp(tmp_path, monkeypatch):
    """initlab makes new gradebooks with the schema head read in-process: is it the revision nbgrader's
    own `alembic heads` subprocess gives, and does nbgrader's `db upgrade` find nothing to do?"""
    import os
    import sys

    import nbgrader.api

    monkeypatch.setenv("PATH", os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    assert alembic_head() == nbgrader.api.get_alembic_version()
    write_scores(tmp_path / "c", ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    stamped = sqlite3.connect(tmp_path / "c" / "gradebook.db").execute("SELECT version_num FROM alembic_version")
    assert [row[0] for row in stamped] == [alembic_head()]
    [upgraded] = run_nbgrader(tmp_path / "c", ["db", "upgrade"])
    assert "Running upgrade" not in upgraded.stdout + upgraded.stderr


def test_writing_the_same_rows_again_changes_nothing(new_course):
    """Is a re-run idempotent, down to every row of the SQLite file, and does a changed score update in place?"""
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    first = dump(new_course)
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    assert dump(new_course) == first

    regraded = replace(ROWS[1], scores=first_checks_passed(20))
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, CHECKS, [regraded])
    with open_gradebook(new_course) as gb:
        assert gb.find_assignment(NEW_ASSIGNMENT).course_id == COURSE_ID  # read from nbgrader_config.py
        assert gb.find_submission(NEW_ASSIGNMENT, regraded.student_id).score == pytest.approx(expected_total(regraded))
        assert gb.find_submission(NEW_ASSIGNMENT, ROWS[0].student_id).score == pytest.approx(expected_total(ROWS[0]))
        assert len(gb.students) == len(ROWS)


@pytest.mark.slow  # runs nbgrader commands
def test_a_generated_notebook_gets_per_function_sums_and_no_new_cells(generated_course):
    """With generate_assignment's cells check_<function>, are the sums written there (no double count),
    do the totals match `nbgrader export`, and can nbgrader still regenerate the assignment?"""
    with open_gradebook(generated_course) as gb:
        before = sorted((c.name, c.max_score) for c in gb.find_notebook(NOTEBOOK, ASSIGNMENT).grade_cells)
    assert before == sorted(GENERATED.items())

    write_scores(generated_course, ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)

    with open_gradebook(generated_course) as gb:
        after = sorted((c.name, c.max_score) for c in gb.find_notebook(NOTEBOOK, ASSIGNMENT).grade_cells)
        assert after == before
        bob = gb.find_grade("check_activation_probe", NOTEBOOK, ASSIGNMENT, "20231236")
        assert bob.auto_score == 1.5 and not bob.needs_manual_grade
        assert gb.find_grade("check_sigmoid", NOTEBOOK, ASSIGNMENT, "20231236").auto_score == 5.0
    exported = nbgrader_export(generated_course)
    assert {sid: float(r["score"]) for sid, r in exported.items()} == \
        pytest.approx({r.student_id: expected_total(r) for r in ROWS})
    assert {float(r["max_score"]) for r in exported.values()} == {MAX}
    # nbgrader refuses to change a notebook's cells once it has submissions; we changed none.
    run_nbgrader(generated_course, ["generate_assignment", ASSIGNMENT, "--force"])


def test_a_mismatched_generated_notebook_is_refused_and_nothing_is_written(generated_course):
    """If the gradebook's check_relu is worth 5 instead of 4, is the whole write refused and rolled back?"""
    with open_gradebook(generated_course) as gb:
        gb.update_or_create_grade_cell("check_relu", NOTEBOOK, ASSIGNMENT, max_score=5.0)
    before = dump(generated_course)
    with pytest.raises(ValueError, match="check_relu' is worth 5 points, initlab's checks of relu 4"):
        write_scores(generated_course, ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    assert dump(generated_course) == before


def test_a_check_added_later_reaches_old_submissions_and_names_are_kept(new_course):
    """When a new check appears, do earlier submissions get its grade row, and do empty names keep known ones?"""
    with open_gradebook(new_course) as gb:
        gb.update_or_create_student("20231235", first_name="영희", last_name="이", email="lee@univ.ac.kr")
    older = CHECKS[:-1]
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, older,
                 [ScoreRow("20231234", scores={c.check_id: c.points for c in older}),
                  ScoreRow("20231235", scores={"check_relu_values": 2.0})])
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, CHECKS,
                 [ScoreRow("20231234", scores=first_checks_passed(len(CHECKS)))])

    last = grade_id(CHECKS[-1].check_id)
    with open_gradebook(new_course) as gb:
        assert gb.find_grade(last, NOTEBOOK, NEW_ASSIGNMENT, "20231234").auto_score == CHECKS[-1].points
        untouched = gb.find_grade(last, NOTEBOOK, NEW_ASSIGNMENT, "20231235")
        assert untouched.auto_score is None and untouched.needs_manual_grade  # not graded yet: formgrader flags it
        assert gb.find_submission(NEW_ASSIGNMENT, "20231234").score == MAX
        assert gb.find_assignment(NEW_ASSIGNMENT).max_score == MAX
        lee = gb.find_student("20231235")
        assert (lee.first_name, lee.last_name, lee.email) == ("영희", "이", "lee@univ.ac.kr")


def test_a_second_notebook_joins_existing_submissions(new_course):
    """When an assignment gains a notebook after students were written, do their submissions get it too?"""
    write_scores(new_course, NEW_ASSIGNMENT, NOTEBOOK, CHECKS, ROWS[:2])
    bonus = [check("test_bonus", "bonus", 4.0)]
    write_scores(new_course, NEW_ASSIGNMENT, "bonus", bonus, [ScoreRow(ROWS[0].student_id, scores={"test_bonus": 3.0})])
    with open_gradebook(new_course) as gb:
        first = gb.find_submission(NEW_ASSIGNMENT, ROWS[0].student_id)
        assert sorted(nb.notebook.name for nb in first.notebooks) == ["bonus", NOTEBOOK]
        assert first.score == pytest.approx(expected_total(ROWS[0]) + 3.0)
        assert gb.find_assignment(NEW_ASSIGNMENT).max_score == MAX + 4.0


# ---------------------------------------------------------------------------------------------
# The writer process of `initlab grade --course`

def test_the_writer_process_writes_what_write_scores_writes(tmp_path):
    """Does a ScoresWriter, forked before any rows exist, leave the same gradebook rows as write_scores?"""
    here, there = tmp_path / "here", tmp_path / "there"
    write_scores(here, ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    writer = ScoresWriter(there, ASSIGNMENT, NOTEBOOK)
    assert not writer.in_process  # pytest runs one thread here: the writer is a process of its own
    writer.write(CHECKS, ROWS)
    assert writer._proc is None  # and it is gone once it has written

    def grades(course: Path) -> list[tuple]:
        with sqlite3.connect(course / "gradebook.db") as db:
            return sorted(db.execute(
                "SELECT submitted_assignment.student_id, grade_cell.name, grade.auto_score, grade.needs_manual_grade "
                "FROM grade JOIN base_cell AS grade_cell ON grade.cell_id = grade_cell.id "
                "JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
                "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id").fetchall())

    assert grades(there) == grades(here) and len(grades(there)) == len(ROWS) * len(CHECKS)


def test_a_refused_write_raises_in_the_caller_and_writes_nothing(tmp_path):
    """Is the writer process's ValueError raised again in the caller, with nothing written?"""
    course = tmp_path / "course"
    writer = ScoresWriter(course, ASSIGNMENT, NOTEBOOK)
    with pytest.raises(ValueError, match="appears twice"):
        writer.write(CHECKS, [ScoreRow("s1"), ScoreRow("s1")])
    assert not course.exists()


def test_a_writer_that_died_says_so_and_one_never_asked_writes_nothing(tmp_path):
    """A writer killed before the rows come: is the caller told, in one sentence pointing at grades.csv?
    A writer closed without rows: does it write nothing and leave no process behind?"""
    import os
    import signal

    course = tmp_path / "course"
    writer = ScoresWriter(course, ASSIGNMENT, NOTEBOOK)
    os.kill(writer._proc.pid, signal.SIGKILL)
    writer._proc.join()
    with pytest.raises(RuntimeError, match="not written: its writer process stopped .* grades.csv has every score"):
        writer.write(CHECKS, ROWS)
    assert not course.exists()

    idle = ScoresWriter(course, ASSIGNMENT, NOTEBOOK)
    proc = idle._proc
    idle.close()
    assert not proc.is_alive() and not course.exists()


def test_with_threads_running_the_rows_are_written_in_the_caller(tmp_path):
    """Forking beside running threads is unsafe: does a ScoresWriter then write in the caller instead?"""
    import threading

    release = threading.Event()
    waiting = threading.Thread(target=release.wait)
    waiting.start()
    try:
        writer = ScoresWriter(tmp_path / "course", ASSIGNMENT, NOTEBOOK)
        assert writer.in_process
        writer.write(CHECKS, ROWS)
    finally:
        release.set()
        waiting.join()
    assert set(nbgrader_export(tmp_path / "course")) == {r.student_id for r in ROWS}
