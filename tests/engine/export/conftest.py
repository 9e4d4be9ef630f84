"""Throw-away nbgrader courses for the export tests, made as rarely as possible.

Two steps of real nbgrader are slow: creating a gradebook.db runs the ``alembic`` executable
(about 5 s), and ``generate_assignment`` takes about 6 s. One generated course is made per
session, and every test works on its own copy.
"""
from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import MASTER_NB
from tests.kernels import PROCESS_TIMEOUT, nbgrader_env

ASSIGNMENT = "week01"
NEW_ASSIGNMENT = "week02"
NOTEBOOK = "weight_init"
COURSE_ID = "dl"
CONFIG = f'c = get_config()\nc.CourseDirectory.course_id = "{COURSE_ID}"\n'


def run_nbgrader(course: Path, *commands: list[str]) -> list[subprocess.CompletedProcess]:
    """Run ``python -m nbgrader <args>`` for each command in ``course``, side by side; fail on any error."""
    procs = [subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=nbgrader_env(),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for args in commands]
    done = []
    for args, proc in zip(commands, procs):
        out, err = proc.communicate(timeout=PROCESS_TIMEOUT)
        if proc.returncode != 0:
            raise AssertionError(f"nbgrader {' '.join(args)} failed ({proc.returncode}):\n{out}\n{err}")
        done.append(subprocess.CompletedProcess(proc.args, proc.returncode, out, err))
    return done


def nbgrader_export(course: Path) -> dict[str, dict[str, str]]:
    """nbgrader's own CSV export of ``course``, as student_id -> row."""
    run_nbgrader(course, ["export", "--to", "nbgrader_grades.csv"])
    text = (course / "nbgrader_grades.csv").read_text(encoding="utf-8")
    return {row["student_id"]: row for row in csv.DictReader(io.StringIO(text))}


@pytest.fixture(scope="session")
def generated_template(tmp_path_factory) -> Path:
    """A course where `nbgrader generate_assignment` recorded the master notebook (cells check_<function>)."""
    course = tmp_path_factory.mktemp("generated_course")
    (course / "nbgrader_config.py").write_text(CONFIG, encoding="utf-8")
    (course / "source" / ASSIGNMENT).mkdir(parents=True)
    shutil.copy(MASTER_NB, course / "source" / ASSIGNMENT / f"{NOTEBOOK}.ipynb")
    run_nbgrader(course, ["generate_assignment", ASSIGNMENT, "--force"])
    return course


@pytest.fixture
def generated_course(tmp_path, generated_template) -> Path:
    """A private copy of the generated course."""
    return Path(shutil.copytree(generated_template, tmp_path / "course"))


@pytest.fixture
def new_course(generated_course) -> Path:
    """A course whose gradebook knows week01 (from generate_assignment) but not NEW_ASSIGNMENT.

    Writing NEW_ASSIGNMENT makes initlab create the notebook and its per-check cells, as in a
    course without a master notebook. This saves making another gradebook.db, which takes 5 s.
    """
    return generated_course
