"""Running the checks on one submission: the grader's loop and the self-check's are this one.

:func:`run_check` turns what one check did into a :class:`CheckResult`; :func:`settle` applies the
rules that need every result of a submission.  :class:`KernelStudent` is the handle a notebook's
self-check uses: the functions of a live namespace, called where they are, every value through the
encoding the grader's sandbox uses.
"""
from __future__ import annotations

import contextlib
import hashlib
import io
import json
import time
import warnings
from typing import Callable

from autograder.helper.calls import (
    CallReply, LoadReport, MissingFunction, StudentFailure, TimedOut, call_function, parse_reply, value_reply,
)
from autograder.helper.declare import CheckFailed, CheckSet, Contract, Feedback, GradedCheck
from autograder.helper.results import CheckInfo, CheckResult
from autograder.helper.setup import GradedSetup, setup_of
from autograder.helper.text import T, Text
from autograder.helper.wire import encode
from autograder.helper.wording import GRADER_ERROR, failure_message

def run_check(check: GradedCheck, student, variant, sid: str = "", answer_key: Callable | None = None,
              answers_shown: bool = False) -> CheckResult:
    """Run one check on one submission's handle and turn what happened into a CheckResult.

    ``answer_key(name, variant) -> (value, tolerance)`` grades analysis answers (the instructor's
    kit has it); without it an answer is self-checked against the student's own functions.
    """
    info = check.info
    fb = Feedback()
    given = {"student": student, "fb": fb, "variant": variant, "answer_key": answer_key,
             "answers_shown": answers_shown, **check.params,
             "seed": variant.check_seed(info.check_id, sid),
             "seed_for": lambda name: variant.check_seed(name, sid),
             # inputs shared by a class-wide week's submissions (a per-student set-up still has its own);
             # lecture_seeds is the same rule
             "class_seed_for": lambda name: variant.check_seed(name, "")}
    started = time.perf_counter()
    exc: BaseException | None = None
    try:
        check.run(**{name: given[name] for name in check.wants})
    except (CheckFailed, StudentFailure) as failure:
        exc = failure
    except Exception as failure:  # a bug of the checks themselves, never the student's fault
        exc = failure
    common = dict(notes=tuple(fb.notes), artifacts=dict(fb.artifacts), seconds=time.perf_counter() - started)
    if exc is None:
        return CheckResult(info=info, score=info.points, status="passed", **common)
    if isinstance(exc, CheckFailed):
        return CheckResult(info=info, score=round(info.points * exc.fraction, 6), status="failed",
                           expected=exc.expected, measured=exc.measured, hint=exc.hint, **common)
    if isinstance(exc, StudentFailure):
        timeout = exc.info.get("seconds") if isinstance(exc, TimedOut) else None
        fn = exc.info.get("fn")
        fn = fn if isinstance(fn, str) and fn.isidentifier() else info.function
        message, hint = failure_message(exc.kind, fn, exc.info, timeout)
        if isinstance(exc.info.get("hint"), Text):  # the check knows what this failure usually means
            hint = exc.info["hint"]
        return CheckResult(info=info, score=0.0, status=exc.kind, message=message, hint=hint, **common)
    return grader_failure(info, exc, **common)


def grader_failure(info: CheckInfo, exc: BaseException, **common) -> CheckResult:
    """A check that could not run because the grader failed, not the student: 0 points, and it says so."""
    message, hint = GRADER_ERROR
    return CheckResult(info=info, score=0.0, status="grader_error", message=message, hint=hint,
                       measured=f"{type(exc).__name__}: {exc}"[:300], **common)


#: What a held aspect check says (see :func:`count_aspects`).
ASPECT_HELD = (T("Right in this respect, but it counts only when the function's values are right: "
                 "every value check of this function failed.",
                 "이 항목은 맞지만, 함수의 값이 맞을 때만 점수가 됩니다: 이 함수의 값 점검이 모두 실패했습니다."),
               T("Fix the values first (the value checks above say how); this check then counts again.",
                 "먼저 값을 고치세요 (위의 값 점검에 방법이 있습니다). 그러면 이 항목도 다시 점수가 됩니다."))


def count_aspects(results: list[CheckResult]) -> list[CheckResult]:
    """The rule for aspect checks (shape, mean, symmetry, ...): they earn points only together with a
    passing value check of the same function.  A function whose every value check failed keeps no
    aspect points, so output of the right shape with no right value (zeros, NaN) earns nothing."""
    values_right: dict[str, bool] = {}
    for r in results:
        if not r.info.aspect:
            values_right[r.function] = values_right.get(r.function, False) or r.passed
    held, hint = ASPECT_HELD
    return [CheckResult(info=r.info, score=0.0, status="failed", message=held, hint=hint, notes=r.notes,
                        artifacts=r.artifacts, seconds=r.seconds)
            if r.info.aspect and r.passed and not values_right.get(r.function, True) else r
            for r in results]

def blame_functions(results: list[CheckResult], checks: CheckSet, self_check: bool = False) -> list[CheckResult]:
    """A wrong answer whose steps use a function that fails its own checks gets that function as its
    hint (the answer is wrong because of it, not because of how it was computed).  In a self-check,
    which compares an answer with the student's own functions, such an answer is not passed either:
    it agrees with a broken function, and grading (which compares with the reference) would take the
    PASS back."""
    broken = [f for f in checks.contract.functions if any(r.function == f and not r.passed for r in results)]
    out = []
    for r in results:
        culprits = [f for f in broken if f in checks.uses.get(r.function, ())]
        # A failed answer, or one its cell could not store because a function raised, is blamed on the
        # broken function; an unattempted one (the template's stub) is not.
        if culprits and (r.status in ("failed", "missing", "raised") or (self_check and r.status == "passed")):
            names = ", ".join(culprits)
            if r.status == "passed":
                expected = T("first: every function the question uses passing its own checks (then the number "
                             "your own functions give)",
                             "먼저 이 문제가 쓰는 함수가 모두 각자의 점검을 통과해야 함 (그다음 내 함수로 계산한 값)")
                measured = T(f"{names} fails its own checks", f"{names}의 점검이 실패함")
                status = "failed"
            else:
                expected, measured, status = r.expected, r.measured, r.status
            r = CheckResult(info=r.info, score=0.0, status=status, expected=expected, measured=measured,
                            message=r.message, notes=r.notes, artifacts=r.artifacts, seconds=r.seconds,
                            hint=T(f"This answer is computed with {names}, which fails its own checks above: "
                                   "fix that first, then run this cell again (the answer will likely change).",
                                   f"이 답은 {names}(으)로 계산하는데, 그 함수가 위의 점검에서 실패했습니다. "
                                   "먼저 그 함수를 고친 뒤 이 셀을 다시 실행하세요 (답이 바뀔 가능성이 큽니다)."))
        out.append(r)
    return out


def settle(results: list[CheckResult], checks: CheckSet, self_check: bool = False) -> list[CheckResult]:
    """A submission's results once every check has run: aspect points held (:func:`count_aspects`) and
    answers pointed at a broken function they use (:func:`blame_functions`)."""
    return blame_functions(count_aspects(results), checks, self_check)


def _call_key(fn: str, args: tuple) -> str:
    blobs: list = []
    header = json.dumps([fn, [encode(a, blobs) for a in args]], sort_keys=True)
    digest = hashlib.sha256(header.encode())
    for b in blobs:
        for part in b.parts:
            digest.update(part)
    return digest.hexdigest()


class Reuse:
    """Replies of calls made with ``reuse=True``, by arguments: several checks may judge one draw.

    Only for calls whose repetition would prove nothing (the same seed, the same inputs); the
    rng-contract check calls twice on purpose and never reuses.
    """

    def __init__(self):
        self._replies: dict[str, CallReply] = {}
        self._failures: dict[str, StudentFailure] = {}

    def call(self, do_call, fn: str, args: tuple, reuse: bool) -> CallReply:
        if not reuse:
            return do_call(fn, *args)
        key = _call_key(fn, args)
        if key in self._failures:
            raise self._failures[key]
        if key not in self._replies:
            try:
                self._replies[key] = do_call(fn, *args)
            except StudentFailure as exc:
                self._failures[key] = exc
                raise
        return self._replies[key]


class _Namespace(dict):
    """A notebook's functions by name; a missing one is a MissingFunction, as in the sandbox."""

    def __missing__(self, name):
        raise MissingFunction(f"{name} is not defined", {"fn": name})


@contextlib.contextmanager
def _in_kernel():
    """A name missing from a live notebook is a cell not run yet, not a file without it: say so."""
    try:
        yield
    except MissingFunction as exc:
        exc.info["in_kernel"] = True
        raise


class KernelStudent:
    """The functions of a live namespace (a Jupyter kernel's), called where they are.

    Every argument and every returned value goes through the encoding the grader's sandbox uses,
    so a check sees exactly what it would see while grading.  That is the trust model of nbgrader
    (student code and checks share a kernel), right for a student checking their own work;
    official grades come from ``initlab grade``, which runs submissions in a jail.
    """

    def __init__(self, sid: str, namespace: dict, contract: Contract):
        self.sid = sid
        self.namespace = namespace
        self.contract = contract
        self._reuse = Reuse()

    def load(self) -> LoadReport:
        return LoadReport(functions={f: callable(self.namespace.get(f)) for f in self.contract.functions}, errors=[])

    def call(self, fn: str, *args, reuse: bool = False, return_args: bool = False) -> CallReply:
        if return_args:
            return self._call(fn, *args, return_args=True)
        return self._reuse.call(self._call, fn, args, reuse)

    def functions(self) -> dict:
        """The namespace's own functions (this kernel runs them)."""
        return _Namespace({name: fn for name in self.contract.functions if callable(fn := self.namespace.get(name))})

    def value(self, name: str) -> CallReply:
        header, blobs = value_reply(self.namespace, name)
        with _in_kernel():
            return parse_reply(name, header, [bytearray(b.tobytes()) for b in blobs])

    def _call(self, fn: str, *args, return_args: bool = False) -> CallReply:
        blobs: list = []
        encoded = [encode(a, blobs) for a in args]
        header, reply_blobs = call_function(self.namespace, fn, encoded, [bytearray(b.tobytes()) for b in blobs],
                                            return_args=return_args)
        with _in_kernel():
            return parse_reply(fn, json.loads(json.dumps(header)), [bytearray(b.tobytes()) for b in reply_blobs])

    def close(self) -> None:
        self._reuse = Reuse()

def check_namespace(namespace: dict, checks: CheckSet, default_setup: dict, functions: tuple[str, ...] = (),
               setup: GradedSetup | None = None, sid: str = "notebook") -> list[CheckResult]:
    """Run the checks of ``functions`` (all when none are named) on a live namespace's functions,
    under the set-up its SETUP declares (``default_setup`` when it declares none), or ``setup``;
    ``sid`` seeds the checks' inputs."""
    if setup is None:
        setup = setup_of(namespace.get("SETUP"), namespace.get("STUDENT_ID", ""), default_setup)
    student = KernelStudent(sid, namespace, checks.contract)
    # nbgrader gives a test cell 0 points if it writes anything to stderr, so nothing may.  (numpy's own
    # error state is left alone: a student function's overflow warning is recorded, as in grading.)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        asked = tuple(functions)
        # An answer's check needs the verdicts of the functions its steps use (settle): those run too.
        used = tuple(f for name in asked for f in checks.uses.get(name, ()) if f not in asked)
        run = tuple(dict.fromkeys(asked + used)) if asked else ()
        results = settle([run_check(c, student, setup, student.sid) for c in checks.of(run)], checks,
                         self_check=True)
        return [r for r in results if not asked or r.function in asked]
