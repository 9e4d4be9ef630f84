"""Checks of the analysis answers: numbers the student computed with their own functions.

The reference answer is the notebook's protocol run with the reference functions under the
submission's variant (per student when the week is); the tolerances are in analysis.py and
calibrated in tests/test_analysis.py.
"""
from __future__ import annotations

import pytest

from autograder import analysis
from autograder.feedback import check, fmt
from autograder.i18n import T
from autograder.sandbox.runner import MissingFunction, NotAttempted


@pytest.mark.parametrize("name", [q.name for q in analysis.QUESTIONS])
@check("$name", points=2, title=T("the value, within its tolerance", "허용 오차 안의 값"))
def test_analysis_answer(student, fb, variant, name):
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
    want, tol = analysis.expected(name, variant)
    if variant.per_student:
        typed = _typed_student_id(student)
        if typed is not None and typed != variant.student_id:
            fb.note(T(f"Your notebook's STUDENT_ID is {typed!r} but this submission is {variant.student_id!r}; "
                      "your numbers were computed for another student's variant.",
                      f"노트북의 STUDENT_ID는 {typed!r}인데 제출자는 {variant.student_id!r}입니다. "
                      "다른 학생의 설정으로 계산되었습니다."))
    fb.expect(abs(got - want) <= tol, f"{fmt(want)} ± {fmt(tol)}", fmt(got), question.hint)


def _typed_student_id(student):
    try:
        value = student.value("STUDENT_ID").value
    except Exception:  # not there, or not data: nothing to compare
        return None
    return str(value) if isinstance(value, (str, int)) else None
