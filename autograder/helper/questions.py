"""Analysis questions: numbers a student computes with their own functions under a set-up.

A lecture states each question's steps (the seed, the draws, the statistic) as a :class:`Question`,
to be run with *some* functions: a self-check runs them with the student's own functions and checks
that the stored answer agrees; grading compares the answer with the instructor's answer key (the
same steps run with the reference, which students never receive).  :func:`add_answer_checks`
registers the check of every question in a lecture's :class:`CheckSet`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from autograder.helper.calls import MissingFunction, NotAttempted, StudentFailure
from autograder.helper.declare import CheckSet, fmt
from autograder.helper.text import T, Text


@dataclass(frozen=True)
class Question:
    """One analysis question; the student stores the answer in a variable named ``name``."""

    name: str
    points: float
    text: Text
    tolerance: Callable
    """``tolerance(variant, value, spread)``: the absolute tolerance around ``value``, where
    ``spread(which)`` is the standard deviation across seeds of the statistic ``which``."""
    compute: Callable
    """The question's steps, run with the functions in the given namespace."""
    hint: Text
    uses: tuple[str, ...] = ()
    """The functions the steps call: when one of them fails its own checks, that is the answer's hint."""
    spread: Callable | None = None
    """``spread(variant, which, fns)``: the statistic ``which``'s standard deviation across seeds, computed
    with the functions ``fns`` (what a self-check's tolerance rests on); None where no tolerance uses one."""
    mistakes: Callable | None = None
    """``mistakes(got, want, variant)``: the hint of a known slip the number shows, or None."""


@dataclass(frozen=True)
class Bound:
    """``fn`` with its trailing arguments fixed (``normal_init`` with its std, as an init(n_in, n_out, rng)):
    a plain object rather than a lambda, so the judge can hand a student's function on to another one."""

    fn: Callable
    extra: tuple

    def __call__(self, *args):
        return self.fn(*args, *self.extra)


def add_answer_checks(checks: CheckSet, questions: tuple[Question, ...]) -> None:
    """Register ``answer_value[name]``, the check of each question's stored answer, in ``checks``."""
    by_name = {q.name: q for q in questions}
    checks.uses.update({q.name: q.uses for q in questions})

    def check_analysis_answer(student, fb, variant, name, answer_key, answers_shown):
        """Graded (``answer_key`` given): the answer must be within the tolerance of the reference's,
        shown only with ``answers_shown``.  A self-check (no key) never knows the reference's answer: it
        runs the question's steps again with the student's own functions and checks that the stored
        answer agrees, and says so without printing that number either."""
        answer_check(by_name[name], student, fb, variant, answer_key, answers_shown)

    for q in questions:  # one registration per points value keeps each question's own points
        checks.check(q.name, points=q.points, title=T("the value, within its tolerance", "허용 오차 안의 값"),
                     params={"name": (q.name,)})(check_analysis_answer)


def answer_check(question: Question, student, fb, variant, answer_key, answers_shown) -> None:
    name = question.name
    try:
        reply = student.value(name)
    except MissingFunction:
        # The template's `raise NotImplementedError()` stopped the cell before the answer was stored.
        if any(e.get("type") == "NotImplementedError" for e in student.load().errors):
            raise NotAttempted(f"{name} is not computed yet", {"fn": name}) from None
        raise
    got = fb.number(reply.value, name,
                    T(f"Store a single number in {name} (e.g. float(...)).",
                      f"{name}에 숫자 하나를 저장하세요 (예: float(...))."))
    fb.finite(np.asarray(got), name, question.hint)
    if answer_key is None:
        _agrees_with_own_functions(fb, question, variant, student, got)
        return
    want, tol = answer_key(name, variant)
    if getattr(variant, "per_student", False):
        typed = _typed_student_id(student)
        if typed is not None and typed != variant.student_id:
            fb.note(T(f"Your notebook's STUDENT_ID is {typed!r} but this submission is {variant.student_id!r}; "
                      "your numbers were computed for another student's set-up.",
                      f"노트북의 STUDENT_ID는 {typed!r}인데 제출자는 {variant.student_id!r}입니다. "
                      "다른 학생의 설정으로 계산되었습니다."))
    # The tolerance is not shown either: some are relative to the answer, and would give it away.
    shown = f"{fmt(want)} ± {fmt(tol)}" if answers_shown else HIDDEN_ANSWER
    slip = question.mistakes(got, want, variant) if question.mistakes is not None else None
    fb.expect(abs(got - want) <= tol, shown, fmt(got), slip or question.hint)


#: What grading says it compared with when the answers are not shown (nor the tolerance: some are relative).
HIDDEN_ANSWER = T("the reference's value, within its tolerance (not shown)", "허용 오차 안의 정답 값 (공개하지 않음)")

#: What a self-check says it compared with: never the number itself (with right functions it is the answer).
OWN_STEPS = T("the number your own functions give when the question's steps are run again "
              "(not shown: with right functions it is the answer)",
              "문제의 단계를 내 함수로 다시 실행해서 나오는 값 (함수가 맞으면 그 값이 답이므로 보여 주지 않음)")


def _agrees_with_own_functions(fb, question, variant, student, got: float) -> None:
    fns = student.functions()
    try:
        mine = float(question.compute(variant, fns))
    except StudentFailure:
        raise
    except Exception as exc:  # the functions returned something the steps cannot use
        fb.fail(T("the question's steps run with your own functions", "문제의 단계가 내 함수로 실행됨"),
                T(f"they stopped: {type(exc).__name__}", f"실행이 멈춤: {type(exc).__name__}"),
                T("Check the functions the question uses with the self-check cells above first.",
                  "먼저 위의 자가 점검 셀로 이 문제가 쓰는 함수들을 확인하세요."))
    if not np.isfinite(mine):
        fb.fail(T("a finite number from your own functions", "내 함수로 계산한 유한한 수"),
                T("not a finite number", "유한한 수가 아님"),
                T("Check the functions the question uses with the self-check cells above first.",
                  "먼저 위의 자가 점검 셀로 이 문제가 쓰는 함수들을 확인하세요."))
    if abs(got - mine) <= 1e-9 * max(1.0, abs(mine)):  # the very steps: the very number
        return
    tol = question.tolerance(variant, mine, lambda which: question.spread(variant, which, fns))
    fb.expect(abs(got - mine) <= tol, OWN_STEPS, fmt(got), question.hint)


def _typed_student_id(student):
    try:
        value = student.value("STUDENT_ID").value
    except StudentFailure:  # not there, or not data: nothing to compare
        return None
    return str(value) if isinstance(value, (str, int)) else None
