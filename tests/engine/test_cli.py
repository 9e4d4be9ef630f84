"""`initlab check`: the student's command, on the files students really hand in."""
from __future__ import annotations

import codecs
import re
import subprocess
import sys

import pytest

from autograder.engine.cli import find_submission, main
from tests.conftest import STUB_PY, reference_source, total_points
from tests.kernels import PROCESS_TIMEOUT

pytestmark = pytest.mark.sandbox


def magic_notebook_cells(sentinel: str = "/nonexistent") -> list[tuple[str, str]]:
    """The reference split into cells, wrapped in the IPython syntax students use."""
    functions = re.split(r"\n(?=def )", reference_source().split("import numpy as np", 1)[1].strip())
    cells = [("markdown", "# 과제"), ("code", "%matplotlib inline\n%load_ext autoreload\n%autoreload 2\n"
                                            "!pip install numpy matplotlib\nimport numpy as np\nimport matplotlib.pyplot as plt")]
    for i, fn in enumerate(functions):
        cells.append(("code", ("%%time\n" if i % 2 else "") + fn))
    cells += [
        ("code", "%timeit -n 3 sigmoid(np.zeros(10))\nfiles = !ls\nnp.sqrt?"),
        ("code", "plt.hist(np.random.randn(100))\nplt.show()"),
        ("code", "%%writefile scratch.py\nprint('never written')"),
        ("code", f"%%bash\nrm -f {sentinel}"),
        ("code", f"!rm -f {sentinel}"),
    ]
    return cells


def test_a_correct_notebook_full_of_magics_gets_full_marks(write_notebook, capsys, tmp_path):
    """Are magics, shell escapes and plt.show() handled as the student intended (full marks, exit 0)?"""
    sentinel = tmp_path / "shell-commands-must-not-delete-me"
    sentinel.write_text("x")
    path = write_notebook(magic_notebook_cells(str(sentinel)))
    assert main(["check", str(path), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert f"Total: {total_points():g} / {total_points():g}" in out
    assert "not run while grading" in out and "!pip install numpy matplotlib" in out
    assert sentinel.exists()  # neither %%bash nor ! ran


@pytest.mark.parametrize("encode", [
    lambda text: text.replace("\n", "\r\n").encode("utf-8"),
    lambda text: codecs.BOM_UTF8 + text.replace("\n", "\r\n").encode("utf-8"),
    lambda text: text.encode("cp949"),
], ids=["crlf", "bom-crlf", "cp949"])
def test_windows_encodings_get_full_marks(tmp_path, capsys, encode):
    """Do a CRLF file, a UTF-8-with-BOM CRLF file and a CP949 file (Korean Windows) all get full marks?"""
    path = tmp_path / "weight_init.py"
    path.write_bytes(encode(reference_source().replace("# 가중치의 초깃값", "# 가중치의 초깃값 한글 주석")))
    assert main(["check", str(path)]) == 0
    assert f"{total_points():g} / {total_points():g}" in capsys.readouterr().out


def test_the_stub_exits_1_and_speaks_korean(capsys):
    """Does --lang ko give Korean messages, and is the exit code 1 without full marks?"""
    assert main(["check", str(STUB_PY), "--lang", "ko"]) == 1
    out = capsys.readouterr().out
    assert "아직 구현하지 않았습니다" in out and f"합계: 0 / {total_points():g}" in out


def test_plots_writes_the_lecture_figure(tmp_path, capsys):
    """Does --plots DIR write the histogram figure of the student's probe beside the reference's?"""
    path = tmp_path / "weight_init.py"
    path.write_text(reference_source(), encoding="utf-8")
    assert main(["check", str(path), "--plots", str(tmp_path / "figs")]) == 0
    png = tmp_path / "figs" / "histograms.png"
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 20_000


def test_the_default_file_is_the_newest_weight_init_here(tmp_path, monkeypatch):
    """Without FILE, is the newest weight_init.ipynb/.py of the current folder (then assignment/) used?"""
    (tmp_path / "assignment").mkdir()
    (tmp_path / "assignment" / "weight_init.py").write_text("x = 1\n")
    assert find_submission(tmp_path, "weight_init") == tmp_path / "assignment" / "weight_init.py"
    (tmp_path / "weight_init.py").write_text("x = 1\n")
    assert find_submission(tmp_path, "weight_init") == tmp_path / "weight_init.py"


def test_the_console_command_is_installed():
    """Is `initlab` on the venv's PATH and does `python -m autograder` work the same?"""
    out = subprocess.run([sys.executable, "-m", "autograder", "check", "--help"], capture_output=True, text=True,
                         timeout=PROCESS_TIMEOUT)
    assert out.returncode == 0 and "--lang" in out.stdout
