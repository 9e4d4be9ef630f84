"""The self-check table printed by ``initlab check``: one line per check, details under failures."""
from __future__ import annotations

import os
import sys
import textwrap
import unicodedata

from autograder.helper.text import T, pick
from autograder.helper.wording import (DETAIL_LABELS, JUDGE_KINDS_KO, LABELS, STATUS_LABEL, cell_error_text, cell_place,
                                      result_details)
from autograder.engine.submission import CheckResult, Submission

_COLOURS = {"passed": "32", "failed": "31"}


def width(s: str) -> int:
    """Terminal columns of ``s`` (Hangul and other wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def cut(s: str, n: int) -> str:
    """The longest start of ``s`` that fits in ``n`` terminal columns."""
    out, used = [], 0
    for ch in s:
        used += width(ch)
        if used > n:
            break
        out.append(ch)
    return "".join(out)


def pad(s: str, n: int) -> str:
    return s + " " * max(0, n - width(s))


def _colour(text: str, status: str, enabled: bool) -> str:
    code = _COLOURS.get(status, "33")
    return f"\033[{code}m{text}\033[0m" if enabled else text


def _wrap(label: str, text: str, indent: int, cols: int) -> list[str]:
    lead = " " * indent + f"{label}: "
    return textwrap.wrap(text, width=max(40, cols - width(lead)), initial_indent=lead,
                         subsequent_indent=" " * width(lead), break_long_words=False) or [lead]


def detail_lines(r: CheckResult, lang: str, indent: int = 6, cols: int = 100) -> list[str]:
    """expected / measured / hint (or what happened) under a check that lost points, plus notes."""
    lines: list[str] = []
    for kind, text in result_details(r, lambda t: pick(t, lang)):
        lines += _wrap(pick(DETAIL_LABELS[kind], lang), text, indent, cols)
    return lines


def render(sub: Submission, lang: str = "en", colour: bool | None = None, cols: int = 100) -> str:
    """The whole report for one submission as text."""
    if colour is None:
        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    out = []
    title = pick(T("initlab self-check", "initlab 자가 점검"), lang)
    out.append(f"{title}: {sub.path or sub.student_id}")
    out += [f"  ! {line}" for line in load_notes(sub, lang)]
    name_w = max([width(f"{r.function}: {pick(r.info.title, lang)}") for r in sub.results] + [20])
    name_w = min(name_w, cols - 24)
    out.append("")
    shown: set[tuple] = set()
    for i, r in enumerate(sub.results, start=1):
        label = pick(STATUS_LABEL[r.status], lang)
        name = f"{r.function}: {pick(r.info.title, lang)}"
        if width(name) > name_w:
            name = cut(name, name_w - 1) + "…"
        pts = f"{r.score:g}/{r.points:g}"
        out.append(f"{i:>3}  {_colour(pad(label, 10), r.status, colour)} {pad(name, name_w)}  {pts:>6}")
        if not r.passed or r.notes:
            # "not implemented" and the like say the same for every check of a function: say it once.
            key = (r.function, r.status, pick(r.message, lang)) if r.message is not None else None
            if key is None or key not in shown:
                out += detail_lines(r, lang, cols=cols)
            if key is not None:
                shown.add(key)
    out.append("")
    out.append(f"{pick(LABELS['total'], lang)}: {sub.score:g} / {sub.max_score:g}")
    if sub.status not in ("graded", "pending"):
        out.append(f"{pick(T('not graded', '채점 불가'), lang)}: {sub.status} — {pick(sub.message, lang)}")
    return "\n".join(out)


def load_notes(sub: Submission, lang: str) -> list[str]:
    """How the file was read and run: encoding, IPython syntax, cells that raised, shell lines skipped."""
    notes = []
    if sub.source is not None:
        notes += [pick(n, lang) for n in sub.source.notes]
    rep = sub.load_report
    if rep is not None:
        if rep.problem:
            ended = JUDGE_KINDS_KO.get(rep.problem, rep.problem)
            notes.append(pick(T(f"running the whole file ended in a {rep.problem}; its cells were then run one "
                                "by one, each with its own time limit (a cell that failed kept only its definitions)",
                                f"파일 전체 실행이 {ended}(으)로 끝나 셀을 하나씩, 각각 시간 제한을 두고 다시 "
                                "실행했습니다 (실패한 셀은 정의만 남김)"), lang))
        for e in rep.errors[:5]:
            notes.append(f"{cell_place(e, lang)}: {cell_error_text(e, lang)}")
        if rep.shell_notes:
            notes.append(pick(T("not run while grading: ", "채점 중 실행하지 않음: "), lang) + ", ".join(rep.shell_notes[:5]))
    return notes
