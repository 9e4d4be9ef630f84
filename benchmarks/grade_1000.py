"""Batch grading speed with the jail on: generated .py submissions per bare numpy start-up.

N submissions (default 1,000: the reference, its right variants and the typical mistakes of
autograder/lectures/weight_init/instructor/samples.py, in turn) are graded by `initlab grade` in one run; the anchor is the
median start-up of `python -c "import numpy"`, measured in the same run before and after.  The
ratio of the time per submission to the anchor is printed (goal: <= 0.5, i.e. 1,000 submissions in
about a minute on 2 cores).  The similarity report is off: its class repeats a few dozen files, and
benchmarks/similarity.py measures what the report adds to a class of distinct ones.

    python benchmarks/grade_1000.py [--n 1000] [--jobs 2]
"""
from __future__ import annotations

import argparse
import csv
import os
import statistics
import sys
import tempfile
from pathlib import Path

from timing import anchor, wall  # benchmarks/timing.py: this folder is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_class(base: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from autograder.lectures.weight_init.instructor.samples import CORRECT_VARIANTS, MUTANTS, mutate, reference_source

    ref = reference_source()
    sources = [ref] + [mutate(fn, body, ref) for _, fn, body in CORRECT_VARIANTS + MUTANTS]
    for i in range(n):
        folder = base / "class" / f"2026{i:05d}"
        folder.mkdir(parents=True)
        (folder / "weight_init.py").write_text(sources[i % len(sources)], encoding="utf-8")
    return base / "class"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        klass = write_class(base, args.n)
        before = anchor("import numpy")
        took = wall([str(BIN / "initlab"), "grade", str(klass), "--out", str(base / "out"), "--jobs", str(args.jobs),
                     "--show", "0", "--similarity", "off"], base)
        after = anchor("import numpy")
        rows = list(csv.DictReader(open(base / "out" / "grades.csv", encoding="utf-8-sig")))
    a = statistics.mean([before, after])
    each = took / args.n
    print(f"anchor  python -c 'import numpy': {a * 1000:.0f} ms (median of 5, before and after)")
    print(f"initlab grade, jail on, --jobs {args.jobs}: {args.n} submissions ({len(rows)} rows) in {took:.1f} s, "
          f"{each * 1000:.0f} ms each; 1,000 would take {each * 1000:.0f} s")
    print(f"ratio {each / a:.2f}x a bare numpy start-up per submission (goal <= 0.5x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
