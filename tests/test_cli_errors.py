"""An instructor's mistakes on the command line: one clear line and exit code 2, never a traceback."""
from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest

from tests.kernels import PROCESS_TIMEOUT


def initlab(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.cli", *args], capture_output=True, text=True,
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
