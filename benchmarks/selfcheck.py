"""Self-check speed: `initlab check` on the reference, as a ratio to importing numpy + matplotlib.

Both commands run alternately in this process's Python, several times each; the ratio of the
medians is printed (goal: <= 2x).  The anchor is what any plotting notebook pays at start-up.

    python benchmarks/selfcheck.py [--runs N] [--file PATH]
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def wall(cmd: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--file", default=str(ROOT / "solutions" / "weight_init.py"))
    args = parser.parse_args()
    anchor_cmd = [sys.executable, "-c", "import numpy, matplotlib.pyplot"]
    check_cmd = [sys.executable, "-m", "autograder", "check", args.file]
    wall(anchor_cmd), wall(check_cmd)  # warm the file cache once
    anchor, check = [], []
    for _ in range(args.runs):
        anchor.append(wall(anchor_cmd))
        check.append(wall(check_cmd))
    a, c = statistics.median(anchor), statistics.median(check)
    print(f"anchor  python -c 'import numpy, matplotlib.pyplot': median {a:.3f} s over {args.runs} runs")
    print(f"initlab check {Path(args.file).name}: median {c:.3f} s over {args.runs} runs")
    print(f"ratio {c / a:.2f}x (goal <= 2x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
