"""Regenerate the files derived from the master notebook (``python -m autograder.engine.build``).

The master, solutions/weight_init.ipynb, is the one source (nbgrader's source format:
solution regions and graded test cells).  From it come:

* solutions/weight_init.py     the reference as a .py (the solution cells, in order)
* assignment/weight_init.ipynb the student notebook, made by nbgrader's own generate_assignment
* assignment/weight_init.py    the student .py: the released notebook's (stubbed) solution cells

and, from autograder/helper/ and the lecture's helper package, the one file students get:

* autograder/lectures/weight_init/initlab_lab.py (assignment/initlab_lab.py links to it)

``--check`` rebuilds into a temporary folder and fails if the committed files differ.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.engine.contract import SUBMISSION_STEM

ROOT = Path(__file__).resolve().parents[2]
MASTER = ROOT / "solutions" / f"{SUBMISSION_STEM}.ipynb"
PY_HEADER = '''# 가중치의 초깃값 (weight initialisation) - {what}
# Generated from solutions/{stem}.ipynb by `python -m autograder.engine.build`; edit the notebook, not this file.
{extra}import numpy as np
'''
CELL_MARKER = "# %%\n"
STUDENT_EXTRA = ('# 함수 이름과 인자는 그대로 두고 `raise NotImplementedError()` 를 지워 완성하세요.\n'
                 '# Keep every name and argument; replace `raise NotImplementedError()` with your code.\n'
                 '# 점검 / check: python initlab_lab.py weight_init.py  (initlab_lab.py: 과제 폴더의 도우미 / the helper in\n'
                 '#   the assignment folder, beside this file; numpy and matplotlib only)\n'
                 '# 셀 / cells: 채점은 "# %%" 줄로 나뉜 셀마다 따로 합니다 (한 셀의 오류는 그 셀만) / the grader runs each\n'
                 '#   "# %%" cell on its own, so an error costs that cell only\n')


def _cells(nb: dict, keep) -> list[str]:
    out = []
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if cell["cell_type"] == "code" and keep(meta):
            src = cell["source"]
            out.append("".join(src) if isinstance(src, list) else src)
    return out


def solution_cells(nb: dict) -> list[str]:
    """Sources of the cells nbgrader marks as solutions, in order (functions, then answers)."""
    return _cells(nb, lambda meta: meta.get("solution"))


def python_file(nb: dict, what: str, extra: str = "") -> str:
    """The .py form: the functions, then the week's set-up and the analysis answers."""
    header = PY_HEADER.format(what=what, stem=SUBMISSION_STEM, extra=extra)
    functions = _cells(nb, lambda m: m.get("solution") and m.get("grade_id", "").startswith("solution_")
                       and not m["grade_id"].startswith("solution_answer_"))
    setup = _cells(nb, lambda m: m.get("grade_id") in ("student_id", "variant"))
    answers = _cells(nb, lambda m: m.get("solution") and m.get("grade_id", "").startswith("solution_answer_"))
    parts = [s.rstrip() + "\n" for s in functions]
    parts.append("# ---- 분석 문제 / analysis questions " + "-" * 70 + "\n"
                 "import initlab_lab as lab  # noqa: E402  (the helper beside this file: initlab_lab.py)\n\n" + "\n".join(s.rstrip() + "\n" for s in setup))
    parts += [s.rstrip() + "\n" for s in answers]
    # One cell per function and per answer (the percent format of VS Code, Spyder, PyCharm and Jupytext):
    # the grader runs a .py file cell by cell, as a notebook.
    return header + "\n\n" + "\n\n".join(CELL_MARKER + part for part in parts)


def release_notebook(master: Path, workdir: Path) -> Path:
    """Run ``nbgrader generate_assignment`` on the master in a throw-away course; return the release."""
    course = workdir / "course"
    source = course / "source" / SUBMISSION_STEM
    source.mkdir(parents=True)
    shutil.copy(master, source / master.name)
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", SUBMISSION_STEM, "--force", "--no-db",
           f"--CourseDirectory.root={course}"]
    proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    released = course / "release" / SUBMISSION_STEM / master.name
    if proc.returncode != 0 or not released.is_file():
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout}\n{proc.stderr}")
    return released


HELPER_OUT = Path("autograder") / "lectures" / "weight_init" / "initlab_lab.py"


def build_helper(out: Path = ROOT) -> Path:
    """Join the helper's modules into the one file students get (autograder/helper/amalgamate.py)."""
    import autograder.lectures.weight_init.helper as lecture
    from autograder.engine.amalgamate import amalgamate

    target = out / HELPER_OUT
    target.parent.mkdir(parents=True, exist_ok=True)
    text = amalgamate(ROOT / "autograder" / "lectures" / "weight_init" / "helper", lecture.MODULES, lecture.HEADER, ROOT)
    target.write_text(text, encoding="utf-8")
    return target


def build(master: Path = MASTER, out: Path = ROOT) -> list[Path]:
    """Write the derived files under ``out``; returns their paths."""
    nb = json.loads(master.read_text(encoding="utf-8"))
    written = [build_helper(out)]
    solutions_py = out / "solutions" / f"{SUBMISSION_STEM}.py"
    solutions_py.parent.mkdir(parents=True, exist_ok=True)
    solutions_py.write_text(python_file(nb, "reference solution"), encoding="utf-8")
    written.append(solutions_py)
    with tempfile.TemporaryDirectory() as tmp:
        released = release_notebook(master, Path(tmp))
        student_nb = out / "assignment" / f"{SUBMISSION_STEM}.ipynb"
        student_nb.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(released, student_nb)
        written.append(student_nb)
    student_py = out / "assignment" / f"{SUBMISSION_STEM}.py"
    student_py.write_text(python_file(json.loads(student_nb.read_text(encoding="utf-8")), "assignment",
                                      STUDENT_EXTRA), encoding="utf-8")
    written.append(student_py)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.engine.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed files are out of date")
    args = parser.parse_args(argv)
    if not args.check:
        for path in build():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [p.relative_to(tmp) for p in build(out=Path(tmp))
                 if (ROOT / p.relative_to(tmp)).read_bytes() != p.read_bytes()]
    for p in stale:
        print(f"out of date: {p} (run `python -m autograder.engine.build`)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
