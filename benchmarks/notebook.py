"""Notebook speed: each code cell of the filled notebook in a real Jupyter kernel, per kernel numpy+pyplot import.

The master `solutions/weight_init.ipynb` (nbgrader's source format, solutions filled in) is copied
with the student helper `initlab_lab.py` into a temporary folder and run top to bottom by nbclient
in this venv's `python3` kernel, with the kernel's default matplotlib backend (the notebook's own
`%matplotlib inline`), as a student runs it.  Each code cell is timed from its execute request to
its reply (nbclient's on_cell_execute / on_cell_executed hooks), outputs included; the kernel's
start-up is not, so the first cell carries the kernel's import warm-up a student waits for.

The anchor is a fresh kernel running the one cell `import numpy, matplotlib.pyplot` by the same
mechanism (its start-up excluded too).  Each repeat runs the anchor, then the notebook, each in a
new kernel; the median per cell over the repeats is printed with its ratio to the median anchor.
Goals: every self-check cell (grade_id `check_*`) <= 0.5x, the lecture's figure cell (the one
calling `lab.lecture_histograms`) <= 2x, all code cells together <= 5x.  It is a measurement, not
a test: it exits 0 whether or not the goals are met (but not if the notebook fails to run).

    python benchmarks/notebook.py [--repeat 3] [--notebook PATH] [--helper PATH]
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from timing import anchor as python_anchor  # benchmarks/timing.py: this folder is on sys.path when run as a script

ROOT = Path(__file__).resolve().parents[1]
ANCHOR_CELL = "import numpy, matplotlib.pyplot"
GOAL_CHECK, GOAL_FIGURE, GOAL_TOTAL = 0.5, 2.0, 5.0


def run_cells(nb: nbformat.NotebookNode, cwd: Path) -> dict[int, float]:
    """Seconds from execute request to reply of each code cell of ``nb``, run in a new python3 kernel in ``cwd``."""
    started: dict[int, float] = {}
    took: dict[int, float] = {}

    def on_execute(cell, cell_index):
        started[cell_index] = time.perf_counter()

    def on_executed(cell, cell_index, execute_reply):
        took[cell_index] = time.perf_counter() - started[cell_index]

    client = NotebookClient(nb, kernel_name="python3", timeout=600, resources={"metadata": {"path": str(cwd)}},
                            on_cell_execute=on_execute, on_cell_executed=on_executed)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}  # the kernel's own default, as for students
    with client.setup_kernel(env=env, cwd=str(cwd)):  # returns once the kernel answers: start-up not timed
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
    return took


def label(cell: nbformat.NotebookNode) -> str:
    """The cell's grade_id, with its first line of code when the id says little (code_NN, experiments...)."""
    grade_id = cell.metadata.get("nbgrader", {}).get("grade_id", "")
    lines = [ln.strip() for ln in cell.source.splitlines() if ln.strip() and not ln.strip().startswith("#")]
    first = lines[0] if lines else cell.source.splitlines()[0]
    if grade_id.startswith(("check_", "solution_")):
        return grade_id
    text = f"{grade_id}  {first}" if grade_id else first
    return text if len(text) <= 44 else text[:41] + "..."


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--notebook", default=str(ROOT / "solutions" / "weight_init.ipynb"))
    parser.add_argument("--helper", default=str(ROOT / "autograder" / "lectures" / "weight_init" / "initlab_lab.py"))
    args = parser.parse_args()

    master = nbformat.read(args.notebook, as_version=4)
    code = [i for i, c in enumerate(master.cells) if c.cell_type == "code" and c.source.strip()]
    anchors: list[float] = []
    per_cell: dict[int, list[float]] = {i: [] for i in code}
    totals: list[float] = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="initlab-nbbench-") as tmp:
            folder = Path(tmp)
            shutil.copy(args.helper, folder / "initlab_lab.py")
            shutil.copy(args.notebook, folder / "weight_init.ipynb")
            anchor_nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(ANCHOR_CELL)])
            anchor_nb.metadata = master.metadata
            anchors.append(run_cells(anchor_nb, folder)[0])
            nb = nbformat.read(folder / "weight_init.ipynb", as_version=4)
            try:
                took = run_cells(nb, folder)
            except CellExecutionError as err:
                sys.exit(f"the notebook failed to run:\n{str(err)[-3000:]}")
        for i in code:
            per_cell[i].append(took[i])
        totals.append(sum(took[i] for i in code))

    a = statistics.median(anchors)
    median = {i: statistics.median(per_cell[i]) for i in code}
    print(f"anchor  a new kernel running '{ANCHOR_CELL}': median {a:.3f} s over {args.repeat} kernels "
          f"({', '.join(f'{t:.3f}' for t in anchors)})")
    print(f"        (for comparison, python -c '{ANCHOR_CELL}': {python_anchor(ANCHOR_CELL):.3f} s, median of 5)")
    print(f"{Path(args.notebook).name}: {len(code)} code cells, median of {args.repeat} runs, each in a new kernel\n")
    print(f"{'#':>3}  {'cell':<44} {'seconds':>8} {'x anchor':>9}")
    for i in code:
        print(f"{i:>3}  {label(master.cells[i]):<44} {median[i]:>8.3f} {median[i] / a:>8.2f}x")

    checks = [i for i in code if master.cells[i].metadata.get("nbgrader", {}).get("grade_id", "").startswith("check_")]
    figure = [i for i in code if "lab.lecture_histograms" in master.cells[i].source]
    total = statistics.median(totals)
    print()
    if checks:
        worst = max(checks, key=median.get)
        ok = median[worst] / a <= GOAL_CHECK
        print(f"{'PASS' if ok else 'FAIL'}  self-check cells <= {GOAL_CHECK}x: {len(checks)} cells, slowest "
              f"{label(master.cells[worst])} {median[worst]:.3f} s = {median[worst] / a:.2f}x "
              f"({sum(median[i] / a > GOAL_CHECK for i in checks)} over the goal)")
    else:
        print("FAIL  self-check cells: no cell with a grade_id check_*")
    if figure:
        f = sum(median[i] for i in figure)
        print(f"{'PASS' if f / a <= GOAL_FIGURE else 'FAIL'}  lecture figure cell <= {GOAL_FIGURE}x: "
              f"{f:.3f} s = {f / a:.2f}x")
    else:
        print("FAIL  lecture figure cell: no cell calls lab.lecture_histograms")
    print(f"{'PASS' if total / a <= GOAL_TOTAL else 'FAIL'}  all code cells together <= {GOAL_TOTAL}x: "
          f"{total:.3f} s = {total / a:.2f}x (median of the runs' totals: {', '.join(f'{t:.2f}' for t in totals)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
