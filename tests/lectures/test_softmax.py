"""Does a second lecture go through the whole kit using only the Assignment interface?

The softmax lecture (tests/lectures/softmax/) is a package of its own, outside autograder/, named by its
module path.  Here it is released through nbgrader (with the release's own validation: nbgrader
autograde and initlab grade side by side), self-checked with ``initlab check`` and with its built
helper, graded with ``initlab grade --course`` into nbgrader's gradebook, and exported for Moodle, all
through the real command line.  No module of the engine names it (test_structure.py keeps the
engine free of every lecture).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.engine.export.lms_rules import moodle_gradebook, rows_of

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

LECTURE = "tests.lectures.softmax"
HERE = ROOT / "tests" / "lectures" / "softmax"
INITLAB = [sys.executable, "-m", "autograder.engine.cli"]


def initlab(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    # The lecture is found by its module path: the repository must be importable, as a course's own
    # lecture package would be (PYTHONPATH, or installed).
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONWARNINGS="ignore")
    return subprocess.run([*INITLAB, *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300)


def test_the_lectures_derived_files_are_built_from_its_package_and_master():
    """Are its initlab_lab.py, reference .py and student files what the engine's build makes of them, and
    does the built helper stand alone (no import of the kit, or of tests/)?"""
    from autograder.engine import build

    assert build.main(["--check", "--lecture", LECTURE]) == 0
    helper = (HERE / "initlab_lab.py").read_text(encoding="utf-8")
    imports = [line for line in helper.splitlines() if line.startswith(("import ", "from "))]
    assert imports and not [line for line in imports if "autograder" in line or "tests" in line], imports


def test_its_self_check_passes_the_reference_and_explains_a_bug(tmp_path):
    ok = initlab("check", str(HERE / "solutions" / "softmax.py"), "--lecture", LECTURE, "--lang", "en")
    assert ok.returncode == 0, ok.stdout + ok.stderr
    assert "Total: 6 / 6" in ok.stdout
    unstable = tmp_path / "softmax.py"
    unstable.write_text((HERE / "solutions" / "softmax.py").read_text(encoding="utf-8").replace(
        "np.exp(z - z.max(axis=1, keepdims=True))", "np.exp(z)"), encoding="utf-8")
    bad = initlab("check", str(unstable), "--lecture", LECTURE, "--lang", "en")
    assert bad.returncode == 1
    # The stability check fails, and so does the answer computed with that softmax (fix it first).
    assert "Total: 4 / 6" in bad.stdout and "Subtract each row's maximum" in bad.stdout
    assert "computed with softmax, which fails its own checks" in bad.stdout
    # The student's own route: the built helper beside the file, numpy only.
    (tmp_path / "initlab_lab.py").write_bytes((HERE / "initlab_lab.py").read_bytes())
    own = subprocess.run([sys.executable, "initlab_lab.py", "softmax.py"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=120, env=dict(os.environ, PYTHONPATH=""))
    assert own.returncode == 1 and "4 / 6" in own.stdout, own.stdout + own.stderr


def test_release_grade_gradebook_and_moodle_export(tmp_path):
    course = tmp_path / "course"
    released = initlab("release", "--course", str(course), "--week", "1", "--seed", "7", "--lecture", LECTURE)
    assert released.returncode == 0, released.stdout + released.stderr
    # The release validated itself with nbgrader's autograde and initlab's grading: source 6, release 0.
    assert "validated (nbgrader autograde): source 6, release 0" in released.stdout
    assert f'lecture = "{LECTURE}"' in (course / "initlab.toml").read_text(encoding="utf-8")
    source = (course / "source" / "week01" / "softmax.ipynb").read_text(encoding="utf-8")
    assert "n_classes" in source and "Week 1: Softmax" in source

    # Three students hand in: the source (right), a loss summed over the batch, the untouched release.
    submitted = {"s001": source, "s002": source.replace("-np.mean(np.log", "-np.sum(np.log"),
                 "s003": (course / "release" / "week01" / "softmax.ipynb").read_text(encoding="utf-8")}
    for sid, text in submitted.items():
        folder = course / "submitted" / sid / "week01"
        folder.mkdir(parents=True)
        (folder / "softmax.ipynb").write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    graded = initlab("grade", str(course / "submitted"), "--course", str(course), "--assignment", "week01",
                     "--out", str(out), "--lang", "en")
    assert graded.returncode == 0, graded.stdout + graded.stderr
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as fh:
        scores = {row["student_id"]: float(row["score"]) for row in csv.DictReader(fh)}
    assert scores == {"s001": 6.0, "s002": 3.0, "s003": 0.0}
    tests = {t["number"]: t for t in json.loads((out / "s002" / "results.json").read_text(encoding="utf-8"))["tests"]}
    assert "sum over the batch" in tests["check_cross_entropy_value"]["output"]
    assert "cross_entropy, which fails its own checks" in tests["check_analysis_answer[answer_uniform_loss]"]["output"]

    from autograder.engine.export.nbgrader_db import open_gradebook

    with open_gradebook(course) as gb:
        assert {sid: gb.find_submission("week01", sid).score for sid in scores} == scores

    moodle = tmp_path / "moodle.csv"
    exported = initlab("export", "--course", str(course), "--assignment", "week01", "--format", "moodle",
                       "--to", str(moodle))
    assert exported.returncode == 0, exported.stderr
    rows = rows_of(moodle)
    assert moodle_gradebook(rows, set(scores), item_max=6.0) == []
    assert {row[0]: float(row[-1]) for row in rows[1:]} == scores
