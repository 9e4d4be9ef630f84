"""Checks of the analysis answers: numbers the student computed with their own functions.

The reference answer is the notebook's protocol run with the reference functions under the
submission's variant (per student when the week is); the tolerances are in analysis.py and
calibrated in tests/test_analysis.py.
"""
from __future__ import annotations

import numpy as np
import pytest

from autograder import analysis
from autograder.feedback import check, fmt
from autograder.i18n import T
from autograder.sandbox.runner import MissingFunction, NotAttempted, StudentFailure


@pytest.mark.parametrize("name", [q.name for q in analysis.QUESTIONS])
@check("$name", points=2, title=T("the value, within its tolerance", "허용 오차 안의 값"))
def test_analysis_answer(student, fb, variant, name, self_check, answers_shown):
    """Graded: the answer must be within the tolerance of the reference's (shown only with
    ``--show-answers``).  A self-check never sees the reference's answer: it runs the question's
    protocol again with the student's own functions and checks the answer agrees with that."""
    question = analysis.BY_NAME[name]
    try:
        reply = student.value(name)
    except MissingFunction:
        # The template's `raise NotImplementedError()` stopped the cell before the answer was stored.
        if any(e.get("type") == "NotImplementedError" for e in student.load().errors):
            raise NotAttempted(f"{name} is not computed yet") from None
        raise
    got = fb.number(reply.value, name,
                    T(f"Store a single number in {name} (e.g. float(...)).",
                      f"{name}에 숫자 하나를 저장하세요 (예: float(...))."))
    if self_check:
        mine = _with_own_functions(fb, question, variant, student)
        tol = question.tolerance(variant, mine)
        fb.expect(abs(got - mine) <= tol, f"{fmt(mine)} ± {fmt(tol)}: what your own functions give "
                  "(the question's protocol run again; the reference's value is not shown)", fmt(got), question.hint)
        return
    want, tol = analysis.expected(name, variant)
    if variant.per_student:
        typed = _typed_student_id(student)
        if typed is not None and typed != variant.student_id:
            fb.note(T(f"Your notebook's STUDENT_ID is {typed!r} but this submission is {variant.student_id!r}; "
                      "your numbers were computed for another student's variant.",
                      f"노트북의 STUDENT_ID는 {typed!r}인데 제출자는 {variant.student_id!r}입니다. "
                      "다른 학생의 설정으로 계산되었습니다."))
    # The tolerance is not shown either: some are relative to the answer, and would give it away.
    shown = f"{fmt(want)} ± {fmt(tol)}" if answers_shown else "the reference's value, within its tolerance (not shown)"
    fb.expect(abs(got - want) <= tol, shown, fmt(got), question.hint)


def _with_own_functions(fb, question, variant, student) -> float:
    """The question's answer computed by the submission's own functions (their failures are theirs)."""
    __tracebackhide__ = True
    try:
        value = float(question.compute(variant, student.functions()))
    except StudentFailure:
        raise
    except Exception as exc:  # the functions returned something the protocol cannot use
        fb.fail("the question's protocol run with your own functions", f"it stopped: {type(exc).__name__}",
                T("Check the functions the question uses with the self-check cells above first.",
                  "먼저 위의 자가 점검 셀로 이 문제가 쓰는 함수들을 확인하세요."))
    if not np.isfinite(value):
        fb.fail("a finite number from your own functions", fmt(value), question.hint)
    return value


def _typed_student_id(student):
    try:
        value = student.value("STUDENT_ID").value
    except Exception:  # not there, or not data: nothing to compare
        return None
    return str(value) if isinstance(value, (str, int)) else None
