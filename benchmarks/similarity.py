"""What the similarity report adds to a class's grading: 1,000 distinct submissions, with it and without.

The class is 1,000 independent correct solutions (each its own pick of the lecture's correct forms
and a cell of its own, tests/engine/planted.py) with a few planted copies; it is graded by
`initlab grade` with the default similarity report and with `--similarity off`, alternately, over
--runs runs.  The anchor is the grading without it, measured in the same run; the printed share
is (with - without) / without (goal: <= 25%).

    python benchmarks/similarity.py [--n 1000] [--runs 2] [--jobs N]
"""
from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def write_class(base: Path, n: int) -> Path:
    sys.path.insert(0, str(ROOT))
    from tests.engine.planted import DISGUISES, independent_class

    sources = independent_class(n, seed=11)
    for i, text in enumerate(sources):
        folder = base / "class" / f"2026{i:06d}"
        folder.mkdir(parents=True)
        (folder / "weight_init.py").write_text(text, encoding="utf-8")
    for j, (disguise, _name) in enumerate(DISGUISES.values()):  # a few copiers, .py each
        import random

        folder = base / "class" / f"2027{j:06d}"
        folder.mkdir(parents=True)
        text = disguise(sources[j * 7], random.Random(j))
        if text.lstrip().startswith("{"):  # a notebook disguise: hand it in as one
            (folder / "weight_init.ipynb").write_text(text, encoding="utf-8")
        else:
            (folder / "weight_init.py").write_text(text, encoding="utf-8")
    return base / "class"


def grade(klass: Path, out: Path, jobs: int, *extra: str) -> tuple[float, str]:
    started = time.perf_counter()
    done = subprocess.run([str(BIN / "initlab"), "grade", str(klass), "--out", str(out), "--jobs", str(jobs),
                           "--show", "0", "--force", *extra], capture_output=True, text=True)
    if done.returncode != 0:
        sys.exit(f"initlab grade failed:\n{done.stdout[-2000:]}\n{done.stderr[-2000:]}")
    return time.perf_counter() - started, done.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=2)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        base = Path(tmp)
        klass = write_class(base, args.n)
        without, with_, line = [], [], ""
        for run in range(args.runs):
            # A fresh --out each run: into an earlier run's folder, `initlab grade` reuses its rows and
            # grades nothing again (the second run took 6 s), which is not the batch being measured.
            without.append(grade(klass, base / f"off-{run}", args.jobs, "--similarity", "off")[0])
            took, stdout = grade(klass, base / f"on-{run}", args.jobs)
            with_.append(took)
            line = next((ln.strip() for ln in stdout.splitlines() if ln.strip().startswith("similar:")), "")
            print(f"run {run + 1}: without {without[-1]:.1f} s, with {with_[-1]:.1f} s")
    off, on = statistics.median(without), statistics.median(with_)
    print(f"grading {args.n + 6} submissions, --jobs {args.jobs}: {off:.1f} s without the similarity report, "
          f"{on:.1f} s with it (medians of {args.runs})")
    print(f"  {re.sub(r' +', ' ', line)}")
    print(f"similarity's share: {(on - off) / off:.1%} of the grading time (goal <= 25%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
