"""Small inline SVG charts for the HTML reports (no matplotlib: milliseconds per student)."""
from __future__ import annotations

import math
from functools import lru_cache
from html import escape

from autograder.lectures.weight_init.helper import checks_probe as lab


def _bars(counts: list[int], x0: float, y0: float, w: float, h: float, colour: str, top: float | None = None) -> str:
    n = len(counts)
    peak = top or max(max(counts), 1)
    bw = w / n
    out = []
    for i, c in enumerate(counts):
        bh = min(c / peak, 1.0) * h
        if bh > 0:
            out.append(f'<rect x="{x0 + i * bw:.1f}" y="{y0 + h - bh:.1f}" width="{bw * 0.9:.1f}" '
                       f'height="{bh:.1f}" fill="{colour}"/>')
    out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="#bbb"/>')
    return "".join(out)


def histogram_grid(student: dict[str, list[list[int]]], reference: dict[str, list[list[int]]]) -> str:
    """The lecture's histograms: a row per case; the student's layers left, the reference's right."""
    return _grid(_frozen(student), _frozen(reference))


def _frozen(counts: dict[str, list[list[int]]]) -> tuple:
    return tuple(sorted((case, tuple(tuple(layer) for layer in layers)) for case, layers in counts.items()))


@lru_cache(maxsize=256)
def _grid(student_counts: tuple, reference_counts: tuple) -> str:
    """Drawn once per distinct histogram set: in a class-wide week every student whose probe is right
    has the same counts (the inputs are the class's), and so do students who make the same mistake."""
    student, reference = dict(student_counts), dict(reference_counts)
    cases = list(lab.PROBE_CASES)
    layers = lab.LECTURE_LAYERS
    pw, ph, gap, left, top = 62, 40, 6, 110, 34
    width = left + 2 * layers * (pw + gap) + 30
    height = top + len(cases) * (ph + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="10">']
    for side, label in enumerate(("your activation_probe", "reference")):
        x = left + side * (layers * (pw + gap) + 30)
        parts.append(f'<text x="{x}" y="12" font-weight="bold">{escape(label)}</text>')
        for layer in range(layers):
            parts.append(f'<text x="{x + layer * (pw + gap) + 14}" y="27">{layer + 1}-layer</text>')
    for row, case in enumerate(cases):
        y = top + row * (ph + gap)
        parts.append(f'<text x="4" y="{y + ph / 2 + 4}">{escape(case)}</text>')
        relu = lab.PROBE_CASES[case][0] == "relu"
        for side, (data, colour) in enumerate(((student.get(case), "#1f77b4"), (reference.get(case), "#888"))):
            x = left + side * (layers * (pw + gap) + 30)
            # ReLU puts half its values in the first bin; like the book, scale to the rest.
            peak = None
            if relu and data:
                peak = 1.3 * max(max(c[1:]) for c in data) or None
            for layer in range(layers):
                px = x + layer * (pw + gap)
                if data and layer < len(data):
                    parts.append(_bars(data[layer], px, y, pw, ph, colour, peak))
                else:
                    parts.append(f'<rect x="{px}" y="{y}" width="{pw}" height="{ph}" fill="#f4f4f4" stroke="#bbb"/>'
                                 f'<text x="{px + pw / 2 - 3}" y="{y + ph / 2 + 4}" fill="#999">—</text>')
    parts.append("</svg>")
    return "".join(parts)


def score_histogram(scores: list[float], max_score: float, bins: int = 10) -> str:
    """Bars of how many submissions scored in each bin of about a tenth of the maximum; bins are a whole
    number of points wide (54 points: 0-6, 6-12, ..., 48-54), so their labels are whole numbers."""
    width = max(1, math.ceil(max_score / bins)) if max_score else 1
    bins = max(1, math.ceil(max_score / width)) if max_score else 1
    counts = [0] * bins
    for s in scores:
        counts[min(int(s // width), bins - 1)] += 1
    w, h, left, bottom = 420, 140, 30, 24
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{w + left + 10}" height="{h + bottom + 10}" '
             f'font-family="sans-serif" font-size="10">']
    peak = max(counts) or 1
    bw = w / bins
    for i, c in enumerate(counts):
        bh = c / peak * h
        x = left + i * bw
        parts.append(f'<rect x="{x:.1f}" y="{10 + h - bh:.1f}" width="{bw * 0.9:.1f}" height="{bh:.1f}" fill="#1f77b4"/>')
        if c:
            parts.append(f'<text x="{x + bw / 2 - 4:.1f}" y="{10 + h - bh - 2:.1f}">{c}</text>')
        parts.append(f'<text x="{x:.1f}" y="{10 + h + 14}">{i * width:g}</text>')
    parts.append(f'<text x="{left + w - 10}" y="{10 + h + 14}">{max_score:g}</text></svg>')
    return "".join(parts)
