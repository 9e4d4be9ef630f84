"""What hostile files cost a class: the seams test's class graded with and without its hostile part.

The class of tests/engine/sandbox/test_seams.py (honest students, leaver/looker pairs, and files
hostile to the steps around the jail) is graded by the real ``initlab grade`` with one judge; its
honest part alone is the anchor, graded in the same run.  Both alternate over --runs runs and the
ratio of medians is printed (goal: <= 2, i.e. hostile files cost their own time, not the class's).

    python benchmarks/hostile_class.py [--runs 3]
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    from tests.engine.sandbox.test_seams import grade, write_class

    clean_times, hostile_times = [], []
    for run in range(args.runs):
        base = Path(tempfile.mkdtemp(prefix="initlab-hostile-"))
        try:
            clean, _ = write_class(base, hostile=False)
            hostile, _ = write_class(base, hostile=True)
            clean_times.append(grade(clean, base / "out-clean", ordinary=False))
            hostile_times.append(grade(hostile, base / "out-hostile", ordinary=False))
        finally:
            shutil.rmtree(base, ignore_errors=True)
        print(f"run {run + 1}: honest part {clean_times[-1]:.2f} s, hostile class {hostile_times[-1]:.2f} s")
    clean_s, hostile_s = statistics.median(clean_times), statistics.median(hostile_times)
    print(f"hostile class / its honest part: {hostile_s / clean_s:.2f}x (goal <= 2x; "
          f"{hostile_s:.2f} s vs {clean_s:.2f} s, medians of {args.runs})")


if __name__ == "__main__":
    main()
