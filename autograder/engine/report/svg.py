"""Small inline SVG charts for the HTML reports, written as text: matplotlib would be far slower per student."""
from __future__ import annotations

import math



def bars(counts: list[int], x0: float, y0: float, w: float, h: float, colour: str, top: float | None = None) -> str:
    n = max(len(counts), 1)
    peak = top or max(max(counts, default=0), 1)
    bw = w / n
    out = []
    for i, c in enumerate(counts):
        bh = min(c / peak, 1.0) * h
        if bh > 0:
            out.append(f'<rect x="{x0 + i * bw:.1f}" y="{y0 + h - bh:.1f}" width="{bw * 0.9:.1f}" '
                       f'height="{bh:.1f}" fill="{colour}"/>')
    out.append(f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{w:.1f}" height="{h:.1f}" fill="none" stroke="#bbb"/>')
    return "".join(out)


def score_histogram(scores: list[float], max_score: float, bins: int = 10) -> str:
    """Bars of how many submissions scored in each bin of about a tenth of the maximum; bins are a whole
    number of points wide (54 points: 0-6, 6-12, ..., 48-54), so their labels are whole numbers."""
    max_score = max_score if math.isfinite(max_score) and max_score > 0 else 0
    width = max(1, math.ceil(max_score / bins)) if max_score else 1
    bins = max(1, math.ceil(max_score / width)) if max_score else 1
    counts = [0] * bins
    for s in scores:
        if math.isfinite(s):  # a score below 0 or above the maximum is drawn in the end bin it passed
            counts[min(max(int(s // width), 0), bins - 1)] += 1
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
