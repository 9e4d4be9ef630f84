"""The lecture's histogram figure: the student's probe beside the reference's.

The student's side is drawn from the counts the lecture-histogram checks recorded (no
student code runs here); the reference side is the right layers on the same grader-made
inputs, which those checks compute once per class (the reference solution gives exactly
these: it passes the exact checks).
"""
from __future__ import annotations

from pathlib import Path

import numpy as np

from autograder.lectures.weight_init.helper import checks_probe as lab
from autograder.engine.submission import Submission


def reference_counts(case: str, seed: int) -> list[list[int]]:
    """Histogram counts of the right layers of a lecture case, on the checks' own inputs (the layers the
    check computes, and caches, once per class)."""
    return lab.lecture_expected(case, seed)[1]


def student_histograms(sub: Submission) -> dict[str, dict]:
    """case -> {"counts": ..., "seed": ...} recorded by the lecture-statistics checks."""
    out = {}
    for r in sub.results:
        h = r.artifacts.get("histogram") if r.artifacts else None
        if h:
            out[h["case"]] = h
    return out


def histogram_figure(sub: Submission, lang: str = "en"):
    """A matplotlib Figure: one row per lecture case, the student's 5 layers left, the reference's right."""
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    cases = list(lab.PROBE_CASES)
    got = student_histograms(sub)
    seeds = {case: got.get(case, {}).get("seed", 0) for case in cases}
    layers = lab.LECTURE_LAYERS
    fig, axes = plt.subplots(len(cases), 2 * layers, figsize=(2 * layers * 1.45, len(cases) * 1.55),
                             sharex=True, squeeze=False)
    edges = np.linspace(0.0, 1.0, 31)
    # Figure text stays English: matplotlib's default font has no Hangul glyphs.
    you, them = "your probe", "reference"
    for row, case in enumerate(cases):
        sides = [(got.get(case, {}).get("counts"), "tab:blue", you), (reference_counts(case, seeds[case]), "tab:gray", them)]
        # ReLU puts about half of all values in the first bin; like the book (ylim 7000), scale to the rest.
        relu_top = None
        if lab.PROBE_CASES[case][0] == "relu":
            rest = [max(c[1:]) for counts, _, _ in sides if counts for c in counts]
            relu_top = 1.3 * max(rest) if rest else None
        for side, (counts, colour, label) in enumerate(sides):
            for layer in range(layers):
                ax = axes[row, side * layers + layer]
                if counts is not None and layer < len(counts):
                    ax.stairs(counts[layer], edges, fill=True, color=colour)  # one outline: far faster than 30 bars
                else:
                    ax.text(0.5, 0.5, "—", ha="center", va="center", transform=ax.transAxes)
                if relu_top:
                    ax.set_ylim(0, relu_top)
                ax.set_yticks([])
                if row == 0:
                    ax.set_title(f"{label}\n{layer + 1}-layer" if layer == 0 else f"{layer + 1}-layer", fontsize=8)
                if layer == 0 and side == 0:
                    ax.set_ylabel(case, fontsize=8)
                ax.tick_params(labelsize=6)
    fig.suptitle("Activation histograms of the weight-init lecture: your activation_probe vs the reference",
                 fontsize=10)
    # A fixed size, so fixed margins: tight_layout's measuring draw was a third of the figure's time.
    fig.subplots_adjust(left=0.03, right=0.995, bottom=0.04, top=0.88, wspace=0.1, hspace=0.3)
    return fig


def save_histograms(sub: Submission, directory: str | Path, lang: str = "en") -> Path:
    import matplotlib.pyplot as plt

    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / "histograms.png"
    fig = histogram_figure(sub, lang)
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
