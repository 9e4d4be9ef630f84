"""Regenerate the files derived from a lecture's sources (``python -m autograder.engine.build``).

A lecture's master notebook (nbgrader's source format: solution regions and graded test cells) is
its one source.  From it come, where the lecture's Assignment.derived puts them (for the weight-init
lecture: solutions/ and assignment/):

* solution_py    the reference as a .py (the solution cells, in order)
* student_ipynb  the student notebook, made by nbgrader's own generate_assignment
* student_py     the student .py: the released notebook's (stubbed) solution cells

and, from autograder/helper/ and the lecture's helper package, the one file students get
(Assignment.helper_file, initlab_lab.py beside the lecture's __init__.py).

``--check`` rebuilds into a temporary folder and fails if the committed files differ;
``--lecture NAME`` builds one lecture (by default every lecture under autograder/lectures/).
"""
from __future__ import annotations

import argparse
import importlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from autograder.engine.amalgamate import amalgamate
from autograder.engine.assignment import LECTURES_PACKAGE, Assignment, load

ROOT = Path(__file__).resolve().parents[2]
PY_HEADER = '''# {title} - {what}
# Generated from {master} by `python -m autograder.engine.build`; edit the notebook, not this file.
{extra}import numpy as np
'''
CELL_MARKER = "# %%\n"
STUDENT_EXTRA = ('# 함수 이름과 인자는 그대로 두고 `raise NotImplementedError()` 를 지워 완성하세요.\n'
                 '# Keep every name and argument; replace `raise NotImplementedError()` with your code.\n'
                 '# 점검 / check: python initlab_lab.py {stem}.py  (initlab_lab.py: 과제 폴더의 도우미 / the helper in\n'
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


def python_file(nb: dict, what: str, lecture: Assignment, extra: str = "") -> str:
    """The .py form: the functions, then the week's set-up and the analysis answers."""
    title = f"{lecture.title.ko} ({lecture.title.en.lower()})"
    header = PY_HEADER.format(title=title, what=what, master=_shown(lecture.master), extra=extra.format(stem=lecture.stem))
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


def release_notebook(master: Path, workdir: Path, stem: str) -> Path:
    """Run ``nbgrader generate_assignment`` on the master in a throw-away course; return the release."""
    course = workdir / "course"
    source = course / "source" / stem
    source.mkdir(parents=True)
    shutil.copy(master, source / master.name)
    cmd = [sys.executable, "-m", "nbgrader", "generate_assignment", stem, "--force", "--no-db",
           f"--CourseDirectory.root={course}"]
    proc = subprocess.run(cmd, cwd=course, capture_output=True, text=True,
                          env=dict(os.environ, PYTHONWARNINGS="ignore"))
    released = course / "release" / stem / master.name
    if proc.returncode != 0 or not released.is_file():
        raise RuntimeError(f"nbgrader generate_assignment failed:\n{proc.stdout}\n{proc.stderr}")
    return released


def _shown(path: Path) -> str:
    try:
        return Path(path).resolve().relative_to(ROOT).as_posix()
    except ValueError:
        return Path(path).name


def _target(path: Path, out: Path) -> Path:
    """Where ``path`` (a file of the repository) goes when building into ``out``."""
    return out / Path(path).resolve().relative_to(ROOT)


def build_helper(lecture: Assignment, out: Path = ROOT) -> Path:
    """Join autograder/helper/ and the lecture's helper modules into the one file students get."""
    package = importlib.import_module(lecture.helper_package)
    target = _target(lecture.helper_file, out)
    target.parent.mkdir(parents=True, exist_ok=True)
    text = amalgamate(Path(package.__path__[0]), package.MODULES, package.HEADER, ROOT)
    target.write_text(text, encoding="utf-8")
    return target


def build(lecture: Assignment, out: Path = ROOT) -> list[Path]:
    """Write the lecture's derived files under ``out``; returns their paths."""
    written = [build_helper(lecture, out)]
    if lecture.master is None or not lecture.derived:
        return written
    nb = json.loads(lecture.master.read_text(encoding="utf-8"))
    solutions_py = _target(lecture.derived["solution_py"], out)
    solutions_py.parent.mkdir(parents=True, exist_ok=True)
    solutions_py.write_text(python_file(nb, "reference solution", lecture), encoding="utf-8")
    written.append(solutions_py)
    with tempfile.TemporaryDirectory() as tmp:
        released = release_notebook(lecture.master, Path(tmp), lecture.stem)
        student_nb = _target(lecture.derived["student_ipynb"], out)
        student_nb.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(released, student_nb)
        written.append(student_nb)
    student_py = _target(lecture.derived["student_py"], out)
    student_py.write_text(python_file(json.loads(student_nb.read_text(encoding="utf-8")), "assignment", lecture,
                                      STUDENT_EXTRA), encoding="utf-8")
    written.append(student_py)
    return written


def lectures() -> list[str]:
    """Every lecture of the kit (the packages under autograder/lectures/ that define an ASSIGNMENT)."""
    folder = ROOT / "autograder" / "lectures"
    return sorted(p.name for p in folder.iterdir() if (p / "__init__.py").is_file() and (p / "helper").is_dir())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m autograder.engine.build", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="fail if the committed files are out of date")
    parser.add_argument("--lecture", action="append", help=f"a lecture (a name under {LECTURES_PACKAGE}, or a "
                                                           "module path); every lecture of the kit by default")
    args = parser.parse_args(argv)
    chosen = [load(name) for name in (args.lecture or lectures())]
    if not args.check:
        for lecture in chosen:
            for path in build(lecture):
                print(f"wrote {path.relative_to(ROOT)}")
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        stale = [p.relative_to(tmp) for lecture in chosen for p in build(lecture, out=Path(tmp))
                 if (ROOT / p.relative_to(tmp)).read_bytes() != p.read_bytes()]
    for p in stale:
        print(f"out of date: {p} (run `python -m autograder.engine.build`)")
    return 1 if stale else 0


if __name__ == "__main__":
    sys.exit(main())
