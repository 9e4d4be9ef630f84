"""`initlab grade` end to end: a class in, one row per submission out, safely and reproducibly."""
from __future__ import annotations

import csv
import io
import json
import os
import tempfile
import textwrap
from pathlib import Path

import pytest

from autograder.engine.batch import grade_class
from autograder.lectures.weight_init.helper.contract import ANSWERS
from autograder.engine.steps.run_checks import list_checks
from autograder.engine.pipeline import GradeConfig
from autograder.lectures.weight_init.instructor.samples import build_class, labels, reference_source, sample_submissions
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.journal import JOURNAL
from tests.conftest import total_points
from tests.kernels import nbgrader

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]
FAST = GradeConfig(limits=Limits(call_timeout_s=1.5, load_timeout_s=2.5))


def read_tree(root: Path) -> dict[str, bytes]:
    """Every report under ``root`` (the journal, written in completion order, is the run's state, not a report)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.name != JOURNAL}


@pytest.fixture(scope="module")
def sample_run(tmp_path_factory):
    base = tmp_path_factory.mktemp("class")
    zip_path = build_class(base / "moodle.zip")
    out = base / "out"
    result = grade_class(zip_path, out, FAST, jobs=2, show_progress=False)
    return zip_path, out, result


def test_every_submission_gets_exactly_one_row(sample_run):
    """Is the number of rows in grades.csv the number of submissions, broken ones included?"""
    _, out, result = sample_run
    rows = list(csv.DictReader(open(out / "grades.csv", encoding="utf-8-sig")))
    assert len(rows) == len(result.submissions) == len(sample_submissions())
    assert [r["student_id"] for r in rows] == [s.student_id for s in result.submissions]
    assert rows[0]["name"] == "김민준"
    from autograder.engine.report.batch import FIXED_COLUMNS

    check_columns = [c for c in rows[0] if c not in FIXED_COLUMNS]
    assert len(check_columns) == len(list_checks())
    for r in rows:  # the per-check columns add up to the score
        assert abs(sum(float(r[c]) for c in check_columns) - float(r["score"])) < 1e-9


def test_scores_follow_what_each_sample_is(sample_run):
    """Do right answers get full marks, the stub 0, each mistake less, broken files a clear status?"""
    _, _, result = sample_run
    what = labels()
    full = total_points()
    for s in result.submissions:
        label = what[s.student_id]
        if label.startswith("correct"):
            assert s.score == full and s.status == "graded", (label, [r.check_id for r in s.results if not r.passed])
        elif label == "top level never ends":  # loaded with definitions only: the top-level answers are lost
            assert {r.function for r in s.results if not r.passed} <= set(ANSWERS) and s.score >= full - 8
        elif label.startswith("mistake") or "one function" in label:
            assert 0 < s.score < full and s.status == "graded", label
        elif label == "untouched stub":
            assert s.score == 0 and s.status == "graded"
    status = {what[s.student_id]: s.status for s in result.submissions}
    assert status["empty file"] == "empty" and status["binary file"] == "binary"
    assert status["truncated notebook"] == "not_a_notebook" and status["no code handed in"] == "no_code"


def test_a_hang_or_crash_costs_only_that_function(sample_run):
    """Does an infinite loop in he_init (or os._exit in weight_decay_grad) cost only that function's checks?"""
    _, _, result = sample_run
    what = labels()
    for s in result.submissions:
        if what[s.student_id] == "infinite loop in one function":
            assert {r.function for r in s.results if not r.passed} - set(ANSWERS) == {"he_init"}
            assert {r.status for r in s.results if r.function == "he_init"} == {"timeout"}
        if what[s.student_id] == "exits the interpreter in one function":
            assert {r.function for r in s.results if not r.passed} - set(ANSWERS) == {"weight_decay_grad"}


def test_results_json_follows_gradescopes_schema(sample_run):
    """Does results.json have score and tests with name, score, max_score, status and output?"""
    _, out, result = sample_run
    doc = json.loads((out / result.submissions[8].student_id / "results.json").read_text(encoding="utf-8"))
    assert doc["score"] == sum(t["score"] for t in doc["tests"])
    assert {"name", "score", "max_score", "status", "output"} <= set(doc["tests"][0])
    assert {t["status"] for t in doc["tests"]} <= {"passed", "failed"}


def test_feedback_pages_are_self_contained_and_hide_the_checks(sample_run):
    """Does feedback.html inline its image, use no outside resource, and show no check source?"""
    _, out, result = sample_run
    for s in result.submissions:
        page = (out / s.student_id / "feedback.html").read_text(encoding="utf-8")
        assert "<svg" in page or s.status != "graded"
        assert "src=\"http" not in page and "<script" not in page and "<link" not in page
        assert "def test_" not in page and "fb.expect" not in page and "student.call" not in page
    assert "<svg" in (out / "summary.html").read_text(encoding="utf-8")


def test_a_rerun_gives_byte_identical_outputs(sample_run, tmp_path):
    """Does grading the same zip again (with another --jobs) write exactly the same files?"""
    zip_path, out, _ = sample_run
    again = tmp_path / "again"
    grade_class(zip_path, again, FAST, jobs=1, show_progress=False)
    first, second = read_tree(out), read_tree(again)
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []


HOSTILE = {
    "forger": '''
        import os, sys
        OUT = {out!r}
        for rel in ("grades.csv", "forger/results.json", "forger/feedback.html"):
            os.makedirs(os.path.dirname(os.path.join(OUT, rel)), exist_ok=True)
            open(os.path.join(OUT, rel), "w").write('{{"score": 46}}')
        print("All tests passed: 46/46")
        sys.exit(0)
    ''',
    "snoop": '''
        import glob, json
        found = glob.glob({staging!r} + "/initlab-stage-*/**/*", recursive=True)
        open({report!r}, "w").write(json.dumps(found))
    ''',
    "patcher": '''
        import numpy as np
        np.allclose = lambda *a, **k: True
        np.isclose = lambda *a, **k: True
        np.testing.assert_allclose = lambda *a, **k: None
        def sigmoid(x):
            return np.zeros_like(np.asarray(x, dtype=float))
    ''',
}


def test_hostile_submissions_cannot_forge_or_snoop(tmp_path):
    """Forged output files, a faked exit, a peek at other submissions, a patched numpy: none changes a score."""
    out = tmp_path / "out"
    report = tmp_path / "snoop.json"
    os.chmod(tmp_path, 0o777)
    root = tmp_path / "class"
    for sid, body in HOSTILE.items():
        (root / sid).mkdir(parents=True)
        code = textwrap.dedent(body).format(out=str(out), staging=tempfile.gettempdir(), report=str(report))
        (root / sid / "weight_init.py").write_text(reference_source() + "\n" + code, encoding="utf-8")
    (root / "honest").mkdir()
    (root / "honest" / "weight_init.py").write_text(reference_source(), encoding="utf-8")
    result = grade_class(root, out, FAST, jobs=2, show_progress=False)
    scores = {s.student_id: s.score for s in result.submissions}
    full = total_points()
    assert scores["forger"] == full and scores["honest"] == full  # graded on its functions, not its claims
    assert scores["patcher"] < full  # its sigmoid is wrong, whatever it did to numpy in its own process
    lost = {r.function for s in result.submissions if s.student_id == "patcher" for r in s.results if not r.passed}
    assert lost - set(ANSWERS) == {"sigmoid"}
    rows = list(csv.DictReader(open(out / "grades.csv", encoding="utf-8-sig")))
    assert len(rows) == 4  # the forged grades.csv was replaced
    assert json.loads((out / "forger" / "results.json").read_text())["tests"]  # a real report, not the forgery
    # In the jail the snoop sees no staging area and cannot write its report outside /tmp either.
    assert not report.exists()


@pytest.mark.nbgrader
def test_nbgrader_export_agrees_with_grades_csv(tmp_path):
    """After `initlab grade --course C --assignment A`, does `nbgrader export` give grades.csv's totals?"""
    import shutil

    from autograder.engine.cli import main
    from autograder.lectures.weight_init.instructor.samples import as_notebook, mutate
    from tests.conftest import MASTER_NB, STUB_NB

    course = tmp_path / "course"
    (course / "source" / "week01").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "dl"\n')
    shutil.copy(MASTER_NB, course / "source" / "week01" / "weight_init.ipynb")
    nbgrader(course, "generate_assignment", "week01", "--force")
    files = {"alice": ("weight_init.ipynb", MASTER_NB.read_bytes()), "bob": ("weight_init.ipynb", STUB_NB.read_bytes()),
             "carol": ("weight_init.py", mutate("he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)").encode()),
             "dave": ("weight_init.ipynb", as_notebook(reference_source()).encode())}
    for sid, (name, data) in files.items():
        (course / "submitted" / sid / "week01").mkdir(parents=True)
        (course / "submitted" / sid / "week01" / name).write_bytes(data)
    (course / "submitted" / "erin" / "week01").mkdir(parents=True)  # handed in nothing
    assert main(["grade", str(course / "submitted"), "--out", str(tmp_path / "out"), "--course", str(course),
                 "--assignment", "week01", "--timeout", "30"]) == 0  # nothing here hangs: a generous limit is free
    nbgrader(course, "export", "--to", "export.csv")
    exported = {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(course / "export.csv"))}
    ours = {r["student_id"]: float(r["score"])
            for r in csv.DictReader(open(tmp_path / "out" / "grades.csv", encoding="utf-8-sig"))}
    assert exported == ours
    assert ours["alice"] == ours["dave"] == total_points() and ours["bob"] == 0 and ours["erin"] == 0
    assert 0 < ours["carol"] < total_points()


def test_grades_csv_columns_are_readable_and_unique_in_both_languages():
    """Are the check columns 'function: title' (unique), with the stable ids in results.json's numbers?"""
    from autograder.engine.report.batch import FIXED_COLUMNS, check_column, grades_csv
    from autograder.engine.steps.run_checks import list_checks

    checks = list_checks()
    for lang in ("en", "ko"):
        header = next(csv.reader(io.StringIO(grades_csv([], checks, lang).lstrip("\ufeff"))))
        assert header[:len(FIXED_COLUMNS)] == FIXED_COLUMNS and "setup" in FIXED_COLUMNS
        assert header[len(FIXED_COLUMNS):] == [check_column(c, lang) for c in checks]
        assert len(set(header)) == len(header)
    assert check_column(next(c for c in checks if c.check_id == "check_init_std[xavier_init]")) == \
        "xavier_init: std follows the rule"


def test_the_summary_lists_the_most_failed_checks_first_and_bins_whole_points():
    """Is the check every student failed above the one everyone passed, and are the score
    histogram's labels whole numbers (0, 6, 12, ... for 54 points)?"""
    import re

    from autograder.helper.results import CheckResult
    from autograder.engine.report.batch import summary_html
    from autograder.engine.steps.run_checks import list_checks
    from autograder.engine.submission import Submission

    checks = list_checks()
    easy, hard = checks[0], checks[-1]
    subs = [Submission(student_id=f"s{i}", status="graded",
                       results=tuple(CheckResult(info=c, score=0.0 if c is hard else c.points,
                                                 status="failed" if c is hard else "passed") for c in checks))
            for i in range(3)]
    page = summary_html(subs, checks, "en")
    assert page.index(f"<code>{hard.function}</code>") < page.index(f"<code>{easy.function}</code>")
    labels = re.findall(r'y="\d+">([0-9.]+)</text>', page.split("<h2>Status")[0])
    assert labels and all(float(x).is_integer() for x in labels), labels


@pytest.mark.parametrize("name, split", [("홍길동", ("길동", "홍")), ("홍 길동", ("길동", "홍")), ("남궁민수", ("민수", "남궁")),
                                         ("Kim Minsu", ("Kim", "Minsu")), ("Madonna", ("Madonna", ""))])
def test_full_names_split_as_their_script_orders_them(name, split):
    from autograder.engine.batch import split_name

    assert split_name(name) == split


def test_the_roster_names_a_folder_class_and_splits_names_as_it_gives_them():
    """Folders carry no names: does --roster give each row its name (and the gradebook the roster's
    own first and last names when it has those columns)?"""
    from autograder.engine.batch import apply_roster, gradebook_name
    from autograder.engine.submission import Submission

    roster = [{"student_id": "2026001", "name": "Park Minsu", "first_name": "Minsu", "last_name": "Park"},
              {"student_id": "2026002", "name": "이서연"}]
    subs, unmatched = apply_roster([Submission("2026001"), Submission("2026002")], roster)
    assert not unmatched and [s.name for s in subs] == ["Park Minsu", "이서연"]
    assert gradebook_name(subs[0]) == ("Minsu", "Park") and gradebook_name(subs[1]) == ("서연", "이")


def test_a_moodle_class_without_a_roster_gets_moodles_grading_worksheet(sample_run):
    """A Moodle zip knows its students by participant number only: is the assignment's grading worksheet
    written, with the three columns Moodle's upload looks for and one row per participant?"""
    from autograder.engine.report.batch import MOODLE_WORKSHEET

    zip_path, out, result = sample_run
    rows = list(csv.DictReader(io.StringIO((out / MOODLE_WORKSHEET).read_text(encoding="utf-8-sig"))))
    assert {"Identifier", "Grade", "Last modified (grade)", "Feedback comments"} <= set(rows[0])
    assert [r["Identifier"] for r in rows] == [f"Participant {s.student_id}" for s in result.submissions]
    assert all(float(r["Grade"]) == s.score for r, s in zip(rows, result.submissions))


def test_two_submissions_of_one_student_id_are_both_kept_and_kept_out_of_the_gradebook(tmp_path):
    """A Moodle name set to a classmate's maps two submissions to one 학번: are both graded and kept
    (the second as id#2), flagged in their rows and the summary, and left out of nbgrader's gradebook,
    which is written for every other student?"""
    import shutil

    from autograder.engine.export.nbgrader_db import open_gradebook
    from autograder.lectures.weight_init.instructor.samples import mutate
    from tests.conftest import MASTER_NB

    course = tmp_path / "course"
    (course / "source" / "week01").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "dl"\n')
    shutil.copy(MASTER_NB, course / "source" / "week01" / "weight_init.ipynb")
    nbgrader(course, "generate_assignment", "week01", "--force")
    subs = tmp_path / "moodle"
    files = {"김하늘_101": reference_source(), "김하늘_102": mutate("relu", "return x"), "이서연_103": reference_source()}
    for folder, text in files.items():
        (subs / f"{folder}_assignsubmission_file_").mkdir(parents=True)
        (subs / f"{folder}_assignsubmission_file_" / "weight_init.py").write_text(text, encoding="utf-8")
    roster = [{"student_id": "20249001", "name": "김하늘"}, {"student_id": "20249002", "name": "이서연"}]
    result = grade_class(subs, tmp_path / "out", FAST, jobs=2, show_progress=False, course=course,
                         assignment="week01", roster=roster)
    rows = {r["student_id"]: r for r in csv.DictReader(open(tmp_path / "out" / "grades.csv", encoding="utf-8-sig"))}
    assert set(rows) == {"20249001", "20249001#2", "20249002"}
    for sid in ("20249001", "20249001#2"):
        assert "id collision" in rows[sid]["status"]
    assert float(rows["20249001"]["score"]) == total_points() > float(rows["20249001#2"]["score"])
    assert any("map to student 20249001" in w for w in result.warnings)
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    assert summary.count("map to student 20249001") == 2
    with open_gradebook(course) as gb:
        scores = {s.student_id: s.score for s in gb.assignment_submissions("week01")}
    assert scores == {"20249002": total_points()}
