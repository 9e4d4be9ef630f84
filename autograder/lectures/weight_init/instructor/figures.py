"""The lecture's histogram figure: the student's probe beside the reference's.

The student's side is drawn from the counts the lecture-histogram checks recorded (no
student code runs here); the reference side is the right layers on the same grader-made
inputs, which those checks compute once per class (the reference solution gives exactly
these: it passes the exact checks).  In a released week whose set-up differs from the
lecture's, the feedback page shows the probe at the week's set-up instead, as recorded
after grading by week_figure.py (ungraded), and says so.
"""
from __future__ import annotations

from functools import lru_cache
from html import escape
from pathlib import Path

import numpy as np

from autograder.engine.report.svg import bars
from autograder.helper.text import T, pick
from autograder.lectures.weight_init.helper import checks_probe as lab
from autograder.lectures.weight_init.instructor import week_figure
from autograder.lectures.weight_init.instructor.week_figure import WEEK_ARTIFACT
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


# ---- the feedback page's figure: inline SVG, no matplotlib (milliseconds per student) -------------


#: The grid's own words (a browser draws Hangul in an inline SVG, unlike matplotlib's default font).
SIDE_LABELS = (T("your activation_probe", "내 activation_probe"), T("reference", "정답"))
LAYER_LABEL = T("{n}-layer", "{n}층")


def histogram_grid(student: dict[str, list[list[int]]], reference: dict[str, list[list[int]]],
                   lang: str = "en", rows: tuple[str, ...] | None = None, layers: int | None = None) -> str:
    """Histograms of the probe: a row per case (``rows``, the lecture's cases by default), the student's
    ``layers`` left, the reference's right."""
    return _grid(_frozen(student), _frozen(reference), lang, tuple(rows or lab.PROBE_CASES),
                 layers or lab.LECTURE_LAYERS)


def _frozen(counts: dict[str, list[list[int]]]) -> tuple:
    return tuple(sorted((case, tuple(tuple(layer) for layer in layers)) for case, layers in counts.items()))


@lru_cache(maxsize=256)
def _grid(student_counts: tuple, reference_counts: tuple, lang: str, cases: tuple[str, ...], layers: int) -> str:
    """Drawn once per distinct histogram set: in a class-wide week every student whose probe is right
    has the same counts (the inputs are the class's), and so do students who make the same mistake."""
    student, reference = dict(student_counts), dict(reference_counts)
    pw, ph, gap, left, top = 62, 40, 6, 110, 34
    width = left + 2 * layers * (pw + gap) + 30
    height = top + len(cases) * (ph + gap) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
             f'font-family="sans-serif" font-size="10">']
    for side, label in enumerate(SIDE_LABELS):
        x = left + side * (layers * (pw + gap) + 30)
        parts.append(f'<text x="{x}" y="12" font-weight="bold">{escape(pick(label, lang))}</text>')
        for layer in range(layers):
            shown = escape(pick(LAYER_LABEL.format(n=layer + 1), lang))
            parts.append(f'<text x="{x + layer * (pw + gap) + 14}" y="27">{shown}</text>')
    for row, case in enumerate(cases):
        y = top + row * (ph + gap)
        parts.append(f'<text x="4" y="{y + ph / 2 + 4}">{escape(case)}</text>')
        relu = case.startswith("relu")
        for side, (data, colour) in enumerate(((student.get(case), "#1f77b4"), (reference.get(case), "#888"))):
            x = left + side * (layers * (pw + gap) + 30)
            # ReLU puts half its values in the first bin; like the book, scale to the rest.
            peak = None
            if relu and data:
                peak = 1.3 * max(max(c[1:]) for c in data) or None
            for layer in range(layers):
                px = x + layer * (pw + gap)
                if data and layer < len(data):
                    parts.append(bars(data[layer], px, y, pw, ph, colour, peak))
                else:
                    parts.append(f'<rect x="{px}" y="{y}" width="{pw}" height="{ph}" fill="#f4f4f4" stroke="#bbb"/>'
                                 f'<text x="{px + pw / 2 - 3}" y="{y + ph / 2 + 4}" fill="#999">—</text>')
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=1)
def reference_histograms() -> dict[str, list[list[int]]]:
    """The reference probe's histograms on the lecture set-up (one fixed seed; computed once)."""
    return {case: reference_counts(case, 0) for case in lab.PROBE_CASES}


def week_histograms(sub: Submission) -> dict[str, dict]:
    """lecture case -> the student's probe at the week's set-up ({"case" (the row's label), "counts",
    "reference", "seed", "setup"}), recorded after grading (week_figure.py); {} in the lecture's set-up."""
    out = {}
    for r in sub.results:
        h = (r.artifacts or {}).get(WEEK_ARTIFACT)
        if h:
            out[r.check_id.split("[", 1)[-1].rstrip("]")] = h
    return out


def _lecture_reference(h: dict, case: str) -> list[list[int]]:
    """The reference's counts on the inputs the student's probe got (recorded beside them; a journal line
    written before they were is recomputed from the seed)."""
    return h.get("reference") or reference_counts(case, int(h.get("seed", 0)))


def _setup_words(setup) -> tuple[str, str]:
    n_samples, input_dim, n_layers, node_num, large, small = setup
    return (f"{n_layers} layers of {node_num} units, {n_samples} inputs of {input_dim} values, std {large:g} / {small:g}",
            f"{n_layers}층, 층마다 노드 {node_num}개, 입력 {n_samples}개 × {input_dim}차원, 표준편차 {large:g} / {small:g}")


def feedback_figure(sub: Submission, lang: str) -> str:
    """The feedback page's figure: the probe's histograms, the student's beside the reference's on the same
    inputs; at the week's set-up when the student's probe was looked at there, else at the lecture's."""
    if not sub.results:
        return ""
    heading = f"<h2>{escape(pick(T('Histograms', '히스토그램'), lang))}</h2>"
    lecture_en, lecture_ko = _setup_words(week_figure.LECTURE_SET_UP)
    week = week_histograms(sub)
    if week:
        setup = tuple(next(iter(week.values()))["setup"])
        rows = tuple(week_figure.week_case(case, setup)[0] for case in lab.PROBE_CASES)
        student = {h["case"]: h["counts"] for h in week.values()}
        reference = {h["case"]: h["reference"] for h in week.values()}
        for case, label in zip(lab.PROBE_CASES, rows):  # a row the look could not draw: the reference still
            if label not in reference:
                seed = int(next(iter(week.values()))["seeds"][case])
                reference[label] = week_figure.week_reference(case, seed, setup)
        week_en, week_ko = _setup_words(setup)
        caption = T(f"Activation histograms at this week's set-up ({week_en}): your activation_probe beside the "
                    f"reference, on the same inputs. Not graded: the graded checks use the lecture's set-up "
                    f"({lecture_en}), where it is compared exactly.",
                    f"이번 주 설정({week_ko})의 활성화 값 히스토그램: 내 activation_probe와 정답을 같은 입력에서 나란히 "
                    f"비교합니다. 채점과는 무관하며, 채점은 강의의 설정({lecture_ko})에서 값을 정확히 비교합니다.")
        return (f"{heading}<p>{escape(pick(caption, lang))}</p>"
                f"{histogram_grid(student, reference, lang, rows, setup[2])}")
    got = student_histograms(sub)
    student = {case: h["counts"] for case, h in got.items()}
    seed = next((int(h.get("seed", 0)) for h in got.values()), 0)
    reference = {case: _lecture_reference(got[case], case) if case in got else reference_counts(case, seed)
                 for case in lab.PROBE_CASES} if got else reference_histograms()
    caption = T(f"Activation histograms of the lecture ({lecture_en}): your activation_probe beside the reference, "
                "on the same inputs; the checks above compare them exactly.",
                f"강의의 활성화 값 히스토그램 ({lecture_ko}): 내 activation_probe와 정답을 같은 입력에서 나란히 "
                "비교합니다. 위의 점검 항목이 이 값을 정확히 비교합니다.")
    return f"{heading}<p>{escape(pick(caption, lang))}</p>{histogram_grid(student, reference, lang)}"
