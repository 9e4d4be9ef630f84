"""How a check is declared and how it speaks to the student.

A check is a pytest test function decorated with :func:`check`, which names the one
student function it grades, its points, and (for statistical checks) its false-fail
rate.  It receives a :class:`Feedback` and fails through it, always with an expected
value, a measured value and one hint, in English and Korean::

    @check("xavier_init", points=2, title=T("std follows the fan-in", "표준편차가 앞 층 노드 수를 따름"))
    def test_xavier_init_std(student, fb, variant): ...

Scores are fractions in [0, 1] times the declared points (PrairieLearn's convention);
a check that raises nothing scores 1.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from autograder.i18n import Text, T
from autograder.sandbox.protocol import Unsupported
from autograder.sandbox.runner import excerpt


@dataclass(frozen=True)
class CheckSpec:
    """What the decorator declares about a check."""

    function: str
    points: float
    title: Text
    false_fail_rate: float = 0.0
    """Probability that a correct solution fails this check (0 for deterministic checks)."""


def check(function: str, points: float, title: Text, false_fail_rate: float = 0.0) -> Callable:
    """Declare a pytest test as a graded check of ``function``."""

    def mark(fn: Callable) -> Callable:
        fn.__initlab__ = CheckSpec(function, float(points), title, false_fail_rate)
        return fn

    return mark


class CheckFailed(AssertionError):
    """Raised through :class:`Feedback`; carries the student-facing explanation."""

    def __init__(self, expected: str, measured: str, hint: Text | None, fraction: float = 0.0):
        super().__init__(f"expected {expected}; measured {measured}")
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


def describe(value: Any) -> str:
    """What a returned value is, in a few words (for 'expected an array, got ...')."""
    if isinstance(value, Unsupported):
        return f"an object of type {value.type_name}"
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape} and dtype {value.dtype}"
    if isinstance(value, (list, tuple)):
        return f"a {type(value).__name__} of {len(value)} items"
    if isinstance(value, dict):
        return f"a dict with keys {list(value)[:6]}"
    if value is None:
        return "None (did you forget `return`?)"
    if isinstance(value, str):
        return f"str {excerpt(repr(value), 40)}"
    return f"{type(value).__name__} {excerpt(fmt(value), 80)}"


@dataclass
class Feedback:
    """Per-check helper: assertions that explain themselves, plus notes that cost nothing."""

    notes: list[Text] = field(default_factory=list)
    artifacts: dict = field(default_factory=dict)
    """Small plain data a report may show (the probe's histogram counts)."""

    def fail(self, expected: str, measured: str, hint: Text | None = None, fraction: float = 0.0):
        __tracebackhide__ = True
        raise CheckFailed(expected, measured, hint, fraction)

    def expect(self, ok: bool, expected: str, measured: str, hint: Text | None = None) -> None:
        __tracebackhide__ = True
        if not ok:
            self.fail(expected, measured, hint)

    def note(self, text: Text) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- turning returned values into something comparable

    def array(self, value: Any, shape: tuple | None = None, what: str = "the result",
              hint: Text | None = None) -> np.ndarray:
        """Coerce a returned value to a plain float64 array, failing clearly if it is not one."""
        __tracebackhide__ = True
        if isinstance(value, (list, tuple)) and not isinstance(value, Unsupported):
            try:
                value = np.asarray(value, dtype=float)
            except (ValueError, TypeError):
                self.fail("a numpy array", describe(value), hint or _ARRAY_HINT)
        if isinstance(value, (int, float, bool)) and not isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=float)
        if not isinstance(value, np.ndarray):
            self.fail(f"{what}: a numpy array" + (f" of shape {shape}" if shape is not None else ""),
                      describe(value), hint or _ARRAY_HINT)
        # Values were decoded from the child's bytes into buffers the judge owns: no copy needed.
        arr = np.asarray(value, dtype=np.float64)
        if shape is not None and arr.shape != tuple(shape):
            self.fail(f"{what} of shape {tuple(shape)}", f"shape {arr.shape}", hint or _SHAPE_HINT)
        return arr

    def number(self, value: Any, what: str = "the result", hint: Text | None = None) -> float:
        """Coerce a returned value to a Python float (a 0-d or 1-element array is accepted)."""
        __tracebackhide__ = True
        if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
            self.fail(f"{what}: a number", describe(value), hint or _NUMBER_HINT)
        arr = np.asarray(value, dtype=np.float64)
        if arr.size != 1:
            self.fail(f"{what}: a single number", describe(value), hint or _NUMBER_HINT)
        return float(arr.reshape(()))

    def finite(self, arr: np.ndarray, what: str, hint: Text | None = None) -> None:
        __tracebackhide__ = True
        bad = ~np.isfinite(arr)
        if bad.any():
            self.fail(f"{what}: finite numbers", f"{int(bad.sum())} nan/inf values", hint)

    def allclose(self, measured: np.ndarray, expected: np.ndarray, what: str, rtol: float = 1e-7,
                 atol: float = 1e-12, hint: Text | None = None) -> None:
        """Elementwise comparison; the message shows the worst element."""
        __tracebackhide__ = True
        measured = np.asarray(measured, dtype=float)
        expected = np.asarray(expected, dtype=float)
        if measured.shape != expected.shape:
            self.fail(f"{what} of shape {expected.shape}", f"shape {measured.shape}", hint or _SHAPE_HINT)
        err = np.abs(measured - expected)
        bad = ~(err <= atol + rtol * np.abs(expected))  # nan counts as bad
        if bad.any():
            i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), bad.shape)
            where = f"[{', '.join(map(str, i))}]" if measured.ndim else ""
            self.fail(f"{what}{where} = {fmt(expected[i])}",
                      f"{fmt(measured[i])} ({int(bad.sum())} of {bad.size} values differ)", hint)


_ARRAY_HINT = T("Return a numpy array (np.ndarray), e.g. by computing with numpy functions.",
                "numpy 배열(np.ndarray)을 반환하세요. numpy 함수로 계산하면 배열이 됩니다.")
_SHAPE_HINT = T("Check the order of the dimensions: rows are samples (or n_in), columns are units (n_out).",
                "차원 순서를 확인하세요: 행은 샘플(또는 n_in), 열은 노드(n_out)입니다.")
_NUMBER_HINT = T("Return one number (a float), not an array or a list.",
                 "배열이나 리스트가 아닌 숫자 하나(float)를 반환하세요.")
