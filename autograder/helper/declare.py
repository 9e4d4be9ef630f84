"""How a lecture declares what it grades, and how a check speaks to the student.

A lecture states its :class:`Contract` (the functions a submission defines, its analysis answers)
and registers its checks in a :class:`CheckSet`, one decorated function each, naming the one
student function it grades, its points and (for statistical checks) its false-fail rate.  A check
receives what it names among: ``student`` (a handle that calls the submission's functions),
``fb`` (a :class:`Feedback`), ``variant`` (the set-up), ``seed`` and ``seed_for`` (seeds of its
inputs, each student's own), ``class_seed_for`` (seeds shared by a class-wide week's
submissions), ``answer_key`` and ``answers_shown`` (analysis answers; None in a self-check).  It
fails through ``fb``, always with an expected value, a measured value and one hint, in English
and Korean.  Scores are fractions in [0, 1] times the declared points; a check that raises
nothing scores them all.
"""
from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograder.helper.calls import excerpt
from autograder.helper.results import CheckInfo
from autograder.helper.text import T, Text, pick
from autograder.helper.wire import Unsupported

@dataclass(frozen=True)
class Contract:
    """What a lecture's submission defines: its functions (in the order the lecture meets them, with
    the signatures the grader calls them by) and its analysis answers (top-level variables)."""

    functions: tuple[str, ...]
    signatures: dict[str, str]
    answers: tuple[str, ...] = ()
    stem: str = "submission"
    """The file name a student hands in (with .py or .ipynb)."""

    @property
    def graded(self) -> tuple[str, ...]:
        """Everything a check may grade: a function, or an analysis answer."""
        return self.functions + self.answers

@dataclass(frozen=True)
class GradedCheck:
    """One registered check: what it is (``info``), the function that runs it, its parameters."""

    info: CheckInfo
    run: Callable
    params: dict

    @property
    def wants(self) -> tuple[str, ...]:
        return _parameters(self.run)


@functools.lru_cache(maxsize=None)
def _parameters(fn: Callable) -> tuple[str, ...]:
    """The names a check asks for (inspect.signature once per check, not once per submission)."""
    return tuple(inspect.signature(fn).parameters)


class CheckSet:
    """A lecture's checks, in report order: the contract's order of functions, each function's checks
    in the order they were declared."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self._checks: list[GradedCheck] = []
        self.uses: dict[str, tuple[str, ...]] = {}
        """The functions each answer's steps call (questions.add_answer_checks fills it): when one of them
        fails its own checks, that is the answer's hint."""

    def check(self, function: str, points: float, title: Text, false_fail_rate: float = 0.0,
              params: dict[str, tuple] | None = None, aspect: bool = False) -> Callable:
        """Register a check of ``function``.  With ``params`` ({name: values}) it is one check per value,
        named ``check[value]``; ``function`` and ``title`` may use ``{name}``.

        ``aspect=True`` marks a check of an aspect of the output (its shape, its mean, its symmetry,
        that it leaves the input alone) rather than of its values.  Such a check earns its points only
        when a value check of the same function passes: zeros of the right shape are not a partial answer.
        """

        def mark(fn: Callable) -> Callable:
            name, values = next(iter(params.items())) if params else ("", (None,))
            for value in values:
                kw = {name: value} if name else {}
                info = CheckInfo(f"{fn.__name__}[{value}]" if kw else fn.__name__, function.format(**kw),
                                 float(points), title.format(**kw) if kw else title, false_fail_rate, aspect)
                if info.function not in self.contract.graded:
                    raise ValueError(f"{info.check_id} grades {info.function}, which the contract does not name")
                self._checks.append(GradedCheck(info, fn, kw))
            self._checks.sort(key=lambda c: self.contract.graded.index(c.info.function))  # stable
            return fn

        return mark

    def __iter__(self):
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    def of(self, functions: tuple[str, ...] = ()) -> list[GradedCheck]:
        """The checks of the named functions and answers (all when none are named), in report order."""
        unknown = [f for f in functions if f not in self.contract.graded]
        if unknown:
            raise ValueError(f"unknown name(s): {', '.join(unknown)}; choose from {', '.join(self.contract.graded)}")
        return [c for c in self._checks if not functions or c.info.function in functions]

    def infos(self) -> tuple[CheckInfo, ...]:
        """Every check as declared, in report order (what grades.csv has a column for)."""
        return tuple(c.info for c in self._checks)

class CheckFailed(AssertionError):
    """Raised through :class:`Feedback`; carries the student-facing explanation.  ``expected`` and
    ``measured`` are Texts (a plain str where the words are only numbers or code, the same in both)."""

    def __init__(self, expected: Text | str, measured: Text | str, hint: Text | None, fraction: float = 0.0):
        super().__init__(f"expected {pick(expected, 'en')}; measured {pick(measured, 'en')}")
        self.expected, self.measured, self.hint, self.fraction = expected, measured, hint, fraction


def fmt(x: Any) -> str:
    """Numbers as a student wants to read them: 4 significant digits, arrays abbreviated."""
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x != x or x in (float("inf"), float("-inf")):
            return str(x)
        return f"{x:.4g}"
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=4, threshold=8, edgeitems=2, suppress=False):
            return np.array2string(x, separator=", ").replace("\n", "")
    return str(x)


def describe(value: Any) -> Text:
    """What a returned value is, in a few words (for 'expected an array, got ...')."""
    if isinstance(value, Unsupported):
        if value.type_name.startswith("array of dtype"):
            dtype = value.type_name[len("array of dtype"):].strip()
            return T(f"an {value.type_name} (not numbers)", f"숫자가 아닌 배열 (dtype {dtype})")
        return T(f"an object of type {value.type_name}", f"{value.type_name} 형식의 객체")
    if isinstance(value, np.ndarray):
        return T(f"an array of shape {value.shape} and dtype {value.dtype}",
                 f"모양 {value.shape}, dtype {value.dtype}인 배열")
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return T(f"a {kind} of {len(value)} items", f"항목 {len(value)}개인 {kind}")
    if isinstance(value, dict):
        return T(f"a dict with keys {list(value)[:6]}", f"키가 {list(value)[:6]}인 dict")
    if value is None:
        return T("None (did you forget `return`?)", "None (`return`을 빠뜨리지 않았나요?)")
    if isinstance(value, str):
        return T(f"str {excerpt(repr(value), 40)}", f"str {excerpt(repr(value), 40)}")
    return T(f"{type(value).__name__} {excerpt(fmt(value), 80)}", f"{type(value).__name__} {excerpt(fmt(value), 80)}")


#: How a Feedback method names what it judged by default.
THE_RESULT = T("the result", "결과")


def _of_shape(shape) -> Text:
    return T(f"shape {tuple(shape)}", f"모양 {tuple(shape)}")


@dataclass
class Feedback:
    """Per-check helper: assertions that explain themselves, plus notes that cost nothing.

    Every expected and measured line is a :class:`Text` (or a plain str of numbers or code), and so is
    ``what``, the name of the judged value in a message ("sigmoid(x)", "layer 2" / "2층")."""

    notes: list[Text] = field(default_factory=list)
    artifacts: dict = field(default_factory=dict)
    """Small plain data a report may show (the probe's histogram counts)."""

    def fail(self, expected: Text | str, measured: Text | str, hint: Text | None = None, fraction: float = 0.0):
        raise CheckFailed(expected, measured, hint, fraction)

    def expect(self, ok: bool, expected: Text | str, measured: Text | str, hint: Text | None = None) -> None:
        if not ok:
            self.fail(expected, measured, hint)

    def note(self, text: Text) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- turning returned values into something comparable

    def array(self, value: Any, shape: tuple | None = None, what: Text | str = THE_RESULT,
              hint: Text | None = None) -> np.ndarray:
        """Coerce a returned value to a plain float64 array, failing clearly if it is not one."""
        if isinstance(value, (list, tuple)) and not isinstance(value, Unsupported):
            try:
                value = np.asarray(value, dtype=float)
            except (ValueError, TypeError):
                self.fail(T("a numpy array", "numpy 배열"), describe(value), hint or _ARRAY_HINT)
        if isinstance(value, (int, float, bool)) and not isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=float)
        if not isinstance(value, np.ndarray):
            wanted = (T("{what}: a numpy array", "{what}: numpy 배열") if shape is None else
                      T("{what}: a numpy array of shape {shape}", "{what}: 모양 {shape}인 numpy 배열"))
            self.fail(wanted.format(what=what, shape=tuple(shape) if shape is not None else ""),
                      describe(value), hint_for_unsupported(value) or hint or _ARRAY_HINT)
        # Values were decoded from the child's bytes into buffers the judge owns: no copy needed.
        arr = np.asarray(value, dtype=np.float64)
        if shape is not None and arr.shape != tuple(shape):
            # One number where an array was asked for is not a dimension order slip.
            scalar = arr.ndim == 0 and len(tuple(shape)) > 0
            self.fail(T("{what} of shape {shape}", "{what}: 모양 {shape}").format(what=what, shape=tuple(shape)),
                      _of_shape(arr.shape), _SCALAR_HINT if scalar else hint or _SHAPE_HINT)
        return arr

    def number(self, value: Any, what: Text | str = THE_RESULT, hint: Text | None = None) -> float:
        """Coerce a returned value to a Python float (a 0-d or 1-element array is accepted)."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
            self.fail(T("{what}: a number", "{what}: 숫자").format(what=what), describe(value), hint or _NUMBER_HINT)
        arr = np.asarray(value, dtype=np.float64)
        if arr.size != 1:
            self.fail(T("{what}: a single number", "{what}: 숫자 하나").format(what=what), describe(value),
                      hint or _NUMBER_HINT)
        return float(arr.reshape(()))

    def finite(self, arr: np.ndarray, what: Text | str, hint: Text | None = None) -> None:
        bad = ~np.isfinite(arr)
        if bad.any():
            n = int(bad.sum())
            self.fail(T("{what}: finite numbers", "{what}: 유한한 수").format(what=what),
                      T(f"{n} nan/inf values", f"nan·inf {n}개"), hint)

    def allclose(self, measured: np.ndarray, expected: np.ndarray, what: Text | str, rtol: float = 1e-7,
                 atol: float = 1e-12, hint: Text | None = None) -> None:
        """Elementwise comparison; the message shows the worst element."""
        measured = np.asarray(measured, dtype=float)
        expected = np.asarray(expected, dtype=float)
        if measured.shape != expected.shape:
            self.fail(T("{what} of shape {shape}", "{what}: 모양 {shape}").format(what=what, shape=expected.shape),
                      _of_shape(measured.shape), hint or _SHAPE_HINT)
        err = np.abs(measured - expected)
        bad = ~(err <= atol + rtol * np.abs(expected))  # nan counts as bad
        if bad.any():
            i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), bad.shape)
            where = f"[{', '.join(map(str, i))}]" if measured.ndim else ""
            n, size = int(bad.sum()), bad.size
            self.fail(T("{what}{where} = {value}", "{what}{where} = {value}").format(
                          what=what, where=where, value=fmt(expected[i])),
                      T(f"{fmt(measured[i])} ({n} of {size} values differ)", f"{fmt(measured[i])} ({size}개 중 {n}개 다름)"),
                      hint)


def hint_for_unsupported(value) -> Text | None:
    """The hint for an array that holds Python objects instead of numbers, whatever the check asked."""
    if isinstance(value, Unsupported) and value.type_name.startswith("array of dtype"):
        return T("Your array holds Python objects, not numbers (dtype object): build it with numpy "
                 "operations on whole arrays (np.exp, np.maximum) instead of math functions or lists of "
                 "different lengths.",
                 "배열에 숫자가 아닌 파이썬 객체가 들어 있습니다 (dtype object). math 함수나 길이가 다른 리스트 대신 "
                 "배열 전체에 numpy 연산(np.exp, np.maximum)을 쓰세요.")
    return None


_ARRAY_HINT = T("Return a numpy array (np.ndarray), e.g. by computing with numpy functions.",
                "numpy 배열(np.ndarray)을 반환하세요. numpy 함수로 계산하면 배열이 됩니다.")
_SHAPE_HINT = T("Check the order of the dimensions: rows are samples (or n_in), columns are units (n_out).",
                "차원 순서를 확인하세요: 행은 샘플(또는 n_in), 열은 노드(n_out)입니다.")
_SCALAR_HINT = T("Your function returned one number: compute elementwise on the whole array and return an array "
                 "of the input's shape.",
                 "함수가 숫자 하나를 반환했습니다: 배열 전체에 원소별로 계산해 입력과 같은 모양의 배열을 반환하세요.")
_NUMBER_HINT = T("Return one number (a float), not an array or a list.",
                 "배열이나 리스트가 아닌 숫자 하나(float)를 반환하세요.")
