"""Batch grading speed: `nbgrader autograde` vs `initlab grade --course` on the same notebooks, in one run.

N notebooks, the master solution and the released stub alternating, in nbgrader's submitted/
layout; each grader works in its own copy of one course (so each has its own gradebook).  Both
must give every student the same score; the speed ratio is printed (goal: >= 25x).  nbgrader's one
run takes a minute; initlab's time is the median of three runs into fresh copies of the course.  The 1,000
generated .py submissions are benchmarks/grade_1000.py's.

    python benchmarks/grade_vs_nbgrader.py [--notebooks 40] [--jobs 2]
"""
from __future__ import annotations

import argparse
import csv
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ENV = dict(os.environ, PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONWARNINGS="ignore")


def run(cmd: list[str], cwd: Path) -> float:
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, env=ENV, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return elapsed


def make_course(base: Path, n: int) -> Path:
    course = base / "course"
    (course / "source" / "bench").mkdir(parents=True)
    (course / "nbgrader_config.py").write_text('c = get_config()\nc.CourseDirectory.course_id = "bench"\n')
    shutil.copy(ROOT / "solutions" / "weight_init.ipynb", course / "source" / "bench" / "weight_init.ipynb")
    # The student helper beside the notebook, as `initlab release` puts it (nbgrader releases it with
    # the notebook and copies it back at autograde).
    shutil.copy(ROOT / "autograder" / "lectures" / "weight_init" / "initlab_lab.py", course / "source" / "bench" / "initlab_lab.py")
    run([sys.executable, "-m", "nbgrader", "generate_assignment", "bench", "--force"], course)
    solution = course / "source" / "bench" / "weight_init.ipynb"
    stub = course / "release" / "bench" / "weight_init.ipynb"
    for i in range(n):
        target = course / "submitted" / f"s{i:03d}" / "bench"
        target.mkdir(parents=True)
        shutil.copy(solution if i % 2 == 0 else stub, target / "weight_init.ipynb")
    return course


def nbgrader_scores(course: Path) -> dict[str, float]:
    run([sys.executable, "-m", "nbgrader", "export", "--to", "nb.csv"], course)
    return {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(course / "nb.csv"))}


def initlab_scores(out: Path) -> dict[str, float]:
    return {r["student_id"]: float(r["score"]) for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8-sig"))}


def compare(n: int, jobs: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        course = make_course(base, n)
        nb_course = base / "nbgrader-copy"
        shutil.copytree(course, nb_course)
        t_nb = run([sys.executable, "-m", "nbgrader", "autograde", "bench", "--create"], nb_course)
        # initlab's run is a few seconds, so one burst of the shared machine moves it by a tenth:
        # its median of three, each into a fresh copy of the course (the same gradebook to write into).
        pristine = base / "course-pristine"
        shutil.copytree(course, pristine)
        times = []
        for _ in range(3):
            shutil.rmtree(course)
            shutil.rmtree(base / "out", ignore_errors=True)
            shutil.copytree(pristine, course)
            times.append(run([str(BIN / "initlab"), "grade", str(course / "submitted"), "--out", str(base / "out"),
                              "--course", str(course), "--assignment", "bench", "--jobs", str(jobs), "--show", "0"],
                             course))
        t_il = sorted(times)[1]
        a, b = nbgrader_scores(nb_course), initlab_scores(base / "out")
        gradebook = nbgrader_scores(course)
        same = a == b == gradebook
        print(f"{n} notebooks (solution and stub alternating):")
        print(f"  nbgrader autograde:          {t_nb:7.2f} s ({t_nb / n:.2f} s each)")
        print(f"  initlab grade --course (-j{jobs}): {t_il:7.2f} s ({t_il / n:.3f} s each; median of "
              f"{', '.join(f'{t:.2f}' for t in times)})")
        print(f"  identical scores (nbgrader, initlab grades.csv, initlab's gradebook export): {same}")
        if not same:
            print(f"    nbgrader {a}\n    initlab  {b}\n    gradebook {gradebook}")
        print(f"  speed ratio: {t_nb / t_il:.1f}x (goal >= 25x)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--notebooks", type=int, default=40,
                        help="notebooks graded by both (default 40: a small class; both graders' start-up is amortised)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    compare(args.notebooks, args.jobs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
