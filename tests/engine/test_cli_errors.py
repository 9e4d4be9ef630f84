"""An instructor's mistakes on the command line: one clear line and exit code 2, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.kernels import PROCESS_TIMEOUT


def initlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.engine.cli", *args], capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT, env=dict(os.environ))


def _empty_zip(tmp_path):
    path = tmp_path / "empty.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("readme.txt", "no submissions here")
    return path


@pytest.mark.parametrize("make, says", [
    (lambda tmp: tmp / "no-such-folder", "no such file or folder"),
    (lambda tmp: (tmp / "grades.zip").write_bytes(b"this is not a zip") and tmp / "grades.zip", "is not a zip file"),
    (_empty_zip, "holds no submissions"),
    (lambda tmp: (tmp / "empty").mkdir() or tmp / "empty", "holds no submissions"),
], ids=["missing path", "not a zip", "zip without submissions", "empty folder"])
def test_a_wrong_submissions_argument_gets_one_line_and_exit_2(tmp_path, make, says):
    done = initlab("grade", str(make(tmp_path)), "--out", str(tmp_path / "out"))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0] and lines[0].startswith("initlab grade: "), done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not (tmp_path / "out").exists()


# ---- a wrong set-up: refused in one line, or flagged on the row ----------------------------------


@pytest.fixture(scope="module")
def released(tmp_path_factory):
    """A course with weeks 2 and 3 released, and a class of two: one week-2 notebook made for week 3, and
    one whose STUDENT_ID is another student's."""
    import json

    from autograder.engine.release import release
    from tests.conftest import MASTER_NB

    root = tmp_path_factory.mktemp("setup")
    course = root / "course"
    release(course, 2, seed=77, check=False)
    release(course, 3, seed=77, check=False)
    week = {w: json.loads((course / "release" / f"week0{w}" / "weight_init.ipynb").read_text(encoding="utf-8"))
            for w in (2, 3)}
    solutions = {c["metadata"]["nbgrader"]["grade_id"]: "".join(c["source"]) for c in json.loads(
        MASTER_NB.read_text(encoding="utf-8"))["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("solution")}
    klass = root / "class"
    for sid, nb, typed in (("s-week3", week[3], ""), ("s-typo", week[2], "someone-else")):
        for cell in nb["cells"]:
            gid = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", "")
            if gid in solutions and gid != "student_id":
                cell["source"] = solutions[gid]
            if gid == "student_id":
                cell["source"] = f'STUDENT_ID = "{typed}"\nSETUP_CODE = ""'
        (klass / sid).mkdir(parents=True)
        (klass / sid / "weight_init.ipynb").write_text(json.dumps(nb), encoding="utf-8")
    return course, klass


def test_an_assignment_never_released_is_refused_with_the_list(released, tmp_path):
    course, klass = released
    done = initlab("grade", str(klass), "--out", str(tmp_path / "out"), "--course", str(course), "--assignment", "week1")
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "week1 was never released" in lines[0] and "week02, week03" in lines[0]


def test_released_notebooks_graded_without_their_set_up_are_refused(released, tmp_path):
    _, klass = released
    done = initlab("grade", str(klass), "--out", str(tmp_path / "out"), "--unconfined")
    lines = [line for line in done.stderr.strip().splitlines() if not line.startswith("jail:")]
    assert done.returncode == 2 and len(lines) == 1, done.stderr
    assert "released for week02, week03" in lines[0] and "--course" in lines[0] and "Traceback" not in done.stderr


def test_a_set_up_or_id_mismatch_is_a_status_a_column_and_a_summary_line(released, tmp_path):
    """Graded as week 2: is the week-3 file flagged (and graded with week 2's set-up), the wrong
    STUDENT_ID flagged, and both listed in the summary?"""
    import csv

    course, klass = released
    out = tmp_path / "out"
    done = initlab("grade", str(klass), "--out", str(out), "--course", str(course), "--assignment", "week02")
    assert done.returncode == 0, done.stderr
    rows = {r["student_id"]: r for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8-sig"))}
    assert rows["s-week3"]["status"] == "graded; set-up mismatch"
    assert "week 3's set-up, but it is graded as week 2" in rows["s-week3"]["setup"]
    assert rows["s-typo"]["status"] == "graded; set-up mismatch" and "STUDENT_ID is someone-else" in rows["s-typo"]["setup"]
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "s-week3" in summary and "s-typo" in summary and ("Set-up and ID mismatches" in summary
                                                           or "설정·학번 불일치" in summary)


def test_an_out_folder_of_another_run_is_refused_unless_forced(released, tmp_path):
    """Another class into the same --out: refused in one line; --force replaces it (the old class's
    folders go); a folder of other files is never touched."""
    course, klass = released
    out = tmp_path / "out"
    first = initlab("grade", str(klass), "--out", str(out), "--course", str(course), "--assignment", "week02")
    assert first.returncode == 0, first.stderr
    other = tmp_path / "other-class"
    (other / "s-new").mkdir(parents=True)
    (other / "s-new" / "weight_init.py").write_text("x = 1\n", encoding="utf-8")
    refused = initlab("grade", str(other), "--out", str(out))
    assert refused.returncode == 2 and "already holds a grading of" in refused.stderr and "--force" in refused.stderr
    assert (out / "s-week3").exists()
    forced = initlab("grade", str(other), "--out", str(out), "--force")
    assert forced.returncode == 0, forced.stderr
    assert (out / "s-new").exists() and not (out / "s-week3").exists()
    mine = tmp_path / "my-notes"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me", encoding="utf-8")
    kept = initlab("grade", str(other), "--out", str(mine), "--force")
    assert kept.returncode == 2 and "not an initlab run" in kept.stderr and (mine / "notes.txt").exists()
