"""After `initlab grade --course`, nbgrader's own flow goes on: formgrader sees each submission autograded
with its score, `nbgrader generate_feedback` makes each student's feedback, and late work gets the course's
late-submission penalty exactly as `nbgrader autograde` records it."""
from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys

import pytest

from autograder.engine.export.nbgrader_db import open_gradebook
from autograder.engine.release import nbgrader, release
from tests.conftest import ROOT, total_points
from tests.kernels import retry_on_kernel_failure

pytestmark = [pytest.mark.nbgrader, pytest.mark.slow, pytest.mark.sandbox]

DUE = "2026-03-10 09:00:00 Asia/Seoul"
ON_TIME, LATE = "2026-03-10 08:59:00.000000 Asia/Seoul", "2026-03-10 10:00:00.000000 Asia/Seoul"


@pytest.fixture(scope="module")
def graded_course(tmp_path_factory):
    base = tmp_path_factory.mktemp("flow")
    course = base / "course"
    release(course, 1, seed=21, check=False)
    with (course / "nbgrader_config.py").open("a", encoding="utf-8") as fh:
        fh.write('\nc.LateSubmissionPlugin.penalty_method = "zero"\n')
    with open_gradebook(course) as gb:
        gb.update_or_create_assignment("week01", duedate=DUE)
    # A student's right answers, as a student writes them (no nbgrader solution markers): any marker in
    # the feedback would have come from the source notebook.
    source = (course / "source" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8")
    source = source.replace("### BEGIN SOLUTION", "# mine").replace("### END SOLUTION", "# done")
    for sid, stamp in (("2026001", ON_TIME), ("2026002", LATE)):
        folder = course / "submitted" / sid / "week01"
        folder.mkdir(parents=True)
        (folder / "weight_init.ipynb").write_text(source, encoding="utf-8")
        (folder / "timestamp.txt").write_text(stamp, encoding="utf-8")
    # nbgrader's own autograde of the late one, in a copy of the course: what initlab must match.
    theirs = base / "nbgrader-course"
    shutil.copytree(course, theirs)
    retry_on_kernel_failure(lambda: nbgrader(theirs, "autograde", "week01", "--student", "2026002", "--force"))
    out = base / "out"
    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "grade", str(course / "submitted"),
                           "--course", str(course), "--assignment", "week01", "--out", str(out), "--lang", "en"],
                          capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return course, theirs, out, done.stdout + done.stderr


def test_late_work_gets_nbgraders_own_penalty_and_says_so(graded_course):
    course, theirs, out, stdout = graded_course
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as fh:
        rows = {r["student_id"]: r for r in csv.DictReader(fh)}
    full = total_points()
    assert (rows["2026001"]["score"], rows["2026001"]["late_by"], rows["2026001"]["late_penalty"]) == (f"{full:g}", "", "")
    assert (rows["2026002"]["score"], rows["2026002"]["late_by"], rows["2026002"]["late_penalty"]) == ("0", "1 h 0 min", f"{full:g}")
    assert "late" in rows["2026002"]["status"] and "1 submission was late" in stdout
    with open_gradebook(course) as gb, open_gradebook(theirs) as ref:
        ours, nbg = gb.find_submission("week01", "2026002"), ref.find_submission("week01", "2026002")
        assert ours.total_seconds_late == nbg.total_seconds_late == 3600
        assert ours.late_submission_penalty == nbg.late_submission_penalty == full
        assert gb.find_submission("week01", "2026001").late_submission_penalty == 0
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "after the due date" in summary
    assert "took" in (out / "2026002" / "feedback.html").read_text(encoding="utf-8")


def test_formgrader_sees_each_submission_autograded_with_its_score(graded_course):
    from nbgrader.apps.api import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    course = graded_course[0]
    config = Config()
    config.CourseDirectory.root = str(course)
    config.CourseDirectory.course_id = "course"
    api = NbGraderAPI(CourseDirectory(config=config), config=config)
    subs = {s["student"]: s for s in api.get_submissions("week01")}
    assert subs["2026001"]["autograded"] and subs["2026002"]["autograded"]
    assert subs["2026001"]["score"] == total_points()
    notebook = json.loads((course / "autograded" / "2026001" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8"))
    outputs = ["".join(o.get("text", "")) for c in notebook["cells"] for o in c.get("outputs", [])]
    assert any("[PASS]" in text for text in outputs)


def test_nbgraders_generate_feedback_gives_each_student_their_feedback(graded_course):
    course = graded_course[0]
    nbgrader(course, "generate_feedback", "week01", "--force")
    for sid in ("2026001", "2026002"):
        page = course / "feedback" / sid / "week01" / "weight_init.html"
        assert page.is_file(), sorted(p.name for p in (course / "feedback").rglob("*"))
        text = page.read_text(encoding="utf-8")
        assert "[PASS]" in text and "BEGIN SOLUTION" not in text
        # initlab's own page travels with nbgrader's (release_feedback sends the folder).
        assert (course / "feedback" / sid / "week01" / "initlab_feedback.html").is_file()
    late = (course / "feedback" / "2026002" / "week01" / "weight_init.html").read_text(encoding="utf-8")
    assert "late" in late.lower()


def test_a_written_question_is_graded_by_hand_and_a_regrade_keeps_its_score(tmp_path):
    """`initlab release --written` adds the lecture's 서술형 as a manually graded cell (the model answer
    only in source/); a TA's score in the gradebook survives `initlab grade` run again, counts in the
    total, and no feedback shows the model answer."""
    course = tmp_path / "course"
    release(course, 1, seed=8, check=False, written=True)
    released = (course / "release" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8")
    assert "서술형" in released and "0.5 부근" not in released
    source = json.loads((course / "source" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8"))
    for cell in source["cells"]:
        if cell["metadata"].get("nbgrader", {}).get("grade_id") == "written_std_small":
            cell["source"] = "값이 0.5 근처에 모여서 뉴런들이 같은 값을 냅니다."
    folder = course / "submitted" / "2026001" / "week01"
    folder.mkdir(parents=True)
    (folder / "weight_init.ipynb").write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    (folder / "timestamp.txt").write_text(ON_TIME, encoding="utf-8")

    def grade() -> str:
        done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "grade", str(course / "submitted"),
                               "--course", str(course), "--assignment", "week01", "--out", str(tmp_path / "out"),
                               "--lang", "en", "--force"], capture_output=True, text=True, timeout=600, cwd=ROOT)
        assert done.returncode == 0, done.stdout + done.stderr
        return done.stdout + done.stderr

    assert "manually graded" in grade()
    with open_gradebook(course) as gb:  # what formgrader does when the TA types 2
        gb.find_grade("written_std_small", "weight_init", "week01", "2026001").manual_score = 2.0
        gb.db.commit()
    grade()
    with open_gradebook(course) as gb:
        sub = gb.find_submission("week01", "2026001")
        assert gb.find_grade("written_std_small", "weight_init", "week01", "2026001").manual_score == 2.0
        assert sub.score == total_points() + 2 and sub.max_score == total_points() + 2
    nbgrader(course, "generate_feedback", "week01", "--force")
    page = (course / "feedback" / "2026001" / "week01" / "weight_init.html").read_text(encoding="utf-8")
    assert "0.5 근처에 모여서" in page and "0.5 부근" not in page
