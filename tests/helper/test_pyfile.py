"""Every .py route a student takes grades as `initlab grade` does: nbconvert's script of the notebook,
IPython lines in a .py file, any file name, and a syntax error that costs only its own block."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.lectures.weight_init import HELPER_FILE
from tests.conftest import MASTER_NB, REFERENCE_PY, ROOT, total_points

pytestmark = pytest.mark.sandbox
FULL = total_points()


def helper_score(folder: Path, name: str) -> tuple[float, str]:
    """``python initlab_lab.py NAME`` in ``folder``, as a student runs it (numpy only on the path)."""
    shutil.copyfile(HELPER_FILE, folder / "initlab_lab.py")
    done = subprocess.run([sys.executable, "initlab_lab.py", name], cwd=folder, capture_output=True, text=True,
                          timeout=300, env=dict(os.environ, PYTHONPATH="", MPLBACKEND="Agg"))
    found = re.findall(r"score: ([\d.]+) / ([\d.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    return float(found[-1][0]), done.stdout


def grader_score(path: Path) -> tuple[float, str]:
    """``initlab check FILE`` (the grader's pipeline and jail)."""
    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "check", str(path), "--lang", "en"],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    found = re.findall(r"Total: ([\d.]+) / ([\d.]+)", done.stdout)
    assert found, done.stdout + done.stderr
    return float(found[-1][0]), done.stdout


def test_nbconverts_script_of_the_notebook_scores_full_marks_by_the_helper_and_the_grader(tmp_path):
    """The master's language_info makes `jupyter nbconvert --to script` write weight_init.py (not .txt), with
    its %matplotlib line as a get_ipython() call; the helper and the grader both give it full marks."""
    shutil.copyfile(MASTER_NB, tmp_path / "weight_init.ipynb")
    done = subprocess.run([sys.executable, "-m", "jupyter", "nbconvert", "--to", "script", "weight_init.ipynb"],
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    script = tmp_path / "weight_init.py"
    assert script.is_file() and "get_ipython()" in script.read_text(encoding="utf-8")
    assert helper_score(tmp_path, "weight_init.py")[0] == FULL
    assert grader_score(script)[0] == FULL


def test_a_py_file_with_ipython_lines_and_any_name_grades_alike(tmp_path):
    """`%matplotlib inline` and a `!pip` line in a .py file named as a Korean course's LMS renames it."""
    name = "weight_init_홍길동_2024123456.py"
    (tmp_path / name).write_text("%matplotlib inline\n!pip install numpy\n" + REFERENCE_PY.read_text(encoding="utf-8"),
                                 encoding="utf-8")
    mine, out = helper_score(tmp_path, name)
    assert mine == FULL and "SyntaxError" not in out
    assert grader_score(tmp_path / name)[0] == FULL


def test_a_syntax_error_costs_its_own_answer_only_in_both(tmp_path):
    """A file without `# %%` lines whose one analysis answer has a syntax error: the other answers after
    it keep their points, in the helper and in the grader alike."""
    source = re.sub(r"^# %%\n", "", REFERENCE_PY.read_text(encoding="utf-8"), flags=re.M)
    broken, n = re.subn(r"^answer_xavier_std = (.*)$", r"answer_xavier_std = (\1", source, count=1, flags=re.M)
    assert n == 1
    (tmp_path / "weight_init.py").write_text(broken, encoding="utf-8")
    mine, out = helper_score(tmp_path, "weight_init.py")
    theirs, _ = grader_score(tmp_path / "weight_init.py")
    assert mine == theirs == FULL - 2, out
