"""What the benchmarks share: a command's wall time, and the anchor each ratio is taken against."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path


def wall(cmd: list[str], cwd: Path | None = None) -> float:
    """Seconds ``cmd`` took; a failing command ends the benchmark with its output."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        sys.exit(f"{' '.join(cmd[:3])} failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    return time.perf_counter() - start


def anchor(code: str, runs: int = 5) -> float:
    """The median start-up of ``python -c code`` (e.g. "import numpy"), over ``runs`` runs."""
    return statistics.median(wall([sys.executable, "-c", code]) for _ in range(runs))
