"""Release speed: `initlab release` of one week, self-validation included, per bare numpy+pyplot start-up.

Each run releases week 1 into a new course (so nbgrader makes its gradebook, as at a course's first
release), then validates it: the source must score full marks and the release zero, under initlab
and under nbgrader's own autograde.  The anchor is the median start-up of
`python -c "import numpy, matplotlib.pyplot"`, measured in the same run before and after; the ratio
of the median release to it is printed (goal: <= 20x).

    python benchmarks/release.py [--runs 3]
"""
from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

from timing import anchor, wall  # benchmarks/timing.py: this folder is on sys.path when run as a script

BIN = Path(sys.executable).parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    before = anchor("import numpy, matplotlib.pyplot")
    took = []
    for k in range(args.runs):
        with tempfile.TemporaryDirectory() as tmp:
            took.append(wall([str(BIN / "initlab"), "release", "--course", str(Path(tmp) / "course"), "--week", "1",
                              "--seed", str(2026 + k)]))
    after = anchor("import numpy, matplotlib.pyplot")
    a, r = statistics.mean([before, after]), statistics.median(took)
    print(f"anchor  python -c 'import numpy, matplotlib.pyplot': {a:.3f} s (median of 5, before and after)")
    print(f"initlab release of one week, validated by initlab and nbgrader: median {r:.2f} s over {args.runs} runs "
          f"({', '.join(f'{t:.2f}' for t in took)})")
    print(f"ratio {r / a:.1f}x a bare numpy+pyplot start-up (goal <= 20x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
