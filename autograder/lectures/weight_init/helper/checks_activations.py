"""Checks of sigmoid and relu: values (x = ±1000 included), shapes, dtype, no side effects."""
from __future__ import annotations

import numpy as np

from autograder.helper.declare import describe, hint_for_unsupported
from autograder.helper.text import T, Text
from autograder.lectures.weight_init.helper.contract import graded_check
from autograder.lectures.weight_init.helper.callables import Sigmoid

#: float32 arithmetic is ~1e-7 relative; anything looser than that is a real error.
ACT_RTOL, ACT_ATOL = 1e-6, 1e-12

OVERFLOW_NOTE = T(
    "np.exp overflowed for large |x| (RuntimeWarning). Your values are still right, so no points are lost; "
    "a form without the warning: e = np.exp(-np.abs(x)); np.where(x >= 0, 1/(1+e), e/(1+e)).",
    "큰 |x|에서 np.exp가 오버플로 경고(RuntimeWarning)를 냈습니다. 값은 맞으므로 감점은 없습니다. "
    "경고 없는 형태: e = np.exp(-np.abs(x)); np.where(x >= 0, 1/(1+e), e/(1+e)).",
)


PRECEDENCE_HINT = T(
    "Operator precedence: 1/1 + np.exp(-x) is (1/1) + e^-x = 1 + e^-x, not a fraction; write 1 / (1 + np.exp(-x)).",
    "연산자 우선순위: 1/1 + np.exp(-x)는 (1/1) + e^-x = 1 + e^-x로 계산되어 분수가 되지 않습니다. "
    "1 / (1 + np.exp(-x))처럼 괄호로 묶으세요.",
)


def _is_one_plus_exp(y: np.ndarray, x: np.ndarray) -> bool:
    """Are the values 1 + e^-x (or 1 + e^x): a missing pair of parentheses in 1 / (1 + np.exp(-x))?"""
    with np.errstate(over="ignore", invalid="ignore"):
        return any(np.allclose(y, 1.0 + np.exp(s * x), rtol=ACT_RTOL, atol=ACT_ATOL, equal_nan=True)
                   for s in (-1.0, 1.0))


def _sigmoid_grid(seed: int) -> np.ndarray:
    fixed = [-1000.0, -710.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 30.0, 710.0, 1000.0]
    return np.concatenate([fixed, np.random.default_rng(seed).normal(0.0, 4.0, 40)])


def _same_shape(fn: str, x) -> Text:
    """What a shape check expects of ``fn(x)``: the shape of x, a scalar for a scalar."""
    shape = np.shape(x)
    if not shape:
        return T(f"{fn} of a scalar -> a scalar", f"스칼라의 {fn} -> 스칼라")
    return T(f"{fn} of shape {shape} -> same shape", f"모양 {shape}의 {fn} -> 같은 모양")


def _note_overflow(fb, reply) -> None:
    if any("overflow" in w for w in reply.warnings):
        fb.note(OVERFLOW_NOTE)


@graded_check("sigmoid", points=2, title=T("values, including x = ±1000", "값 (x = ±1000 포함)"))
def check_sigmoid_values(student, fb, seed):
    x = _sigmoid_grid(seed)
    reply = student.call("sigmoid", x)
    y = fb.array(reply.value, shape=x.shape, what="sigmoid(x)")
    # Named by its values: `1/1 + np.exp(-x)` is (1/1) + e^-x, inf at x = -1000 (not exp(x)/(1+exp(x))'s nan).
    precedence = _is_one_plus_exp(y, x)
    fb.finite(y, T("sigmoid(x) for x in [-1000, 1000]", "x가 [-1000, 1000]일 때의 sigmoid(x)"),
              PRECEDENCE_HINT if precedence else
              T("exp(x)/(1+exp(x)) gives inf/inf = nan at x = 1000; use 1/(1+np.exp(-x)).",
                "x = 1000에서 exp(x)/(1+exp(x))는 inf/inf = nan이 됩니다. 1/(1+np.exp(-x))를 쓰세요."))
    sign_flipped = np.allclose(y, Sigmoid.fn(-x), rtol=ACT_RTOL, atol=ACT_ATOL)
    fb.allclose(y, Sigmoid.fn(x), "sigmoid(x)", ACT_RTOL, ACT_ATOL,
                PRECEDENCE_HINT if precedence else
                T("The sign in e^-x matters: sigmoid(0) = 0.5 and sigmoid(x) -> 1 as x -> +inf."
                  if sign_flipped else "sigmoid(x) = 1 / (1 + np.exp(-x)), elementwise.",
                  "e^-x의 부호가 중요합니다: sigmoid(0) = 0.5이고 x → +∞이면 1에 가까워집니다."
                  if sign_flipped else "sigmoid(x) = 1 / (1 + np.exp(-x)) 를 원소별로 계산하세요."))
    _note_overflow(fb, reply)  # only under right values: the note says they are


@graded_check("sigmoid", points=2, title=T("keeps the shape: scalar, 1-D, 2-D", "모양 유지: 스칼라, 1차원, 2차원"),
              aspect=True)
def check_sigmoid_shapes(student, fb, seed):
    rng = np.random.default_rng(seed)
    for x in (np.float64(rng.normal()), rng.normal(size=7), rng.normal(size=(3, 4))):
        y = student.call("sigmoid", x).value
        fb.expect(isinstance(y, (np.ndarray, np.generic, float, int)) and np.shape(y) == np.shape(x),
                  _same_shape("sigmoid", x), describe(y),
                  hint_for_unsupported(y) or T("Work elementwise with numpy (np.exp), not with loops that build a list or math.exp.",
                    "math.exp나 리스트를 만드는 반복문 대신 numpy(np.exp)로 원소별 계산을 하세요."))


@graded_check("sigmoid", points=1, title=T("float output for integer input", "정수 입력에도 실수 출력"), aspect=True)
def check_sigmoid_float_output(student, fb):
    x = np.array([-3, -1, 0, 2, 4])
    reply = student.call("sigmoid", x)
    y = reply.value
    fb.expect(isinstance(y, np.ndarray) and y.dtype.kind == "f", T("an array of floats", "실수(float) 배열"), describe(y),
              hint_for_unsupported(y) or
              T("Do not round or cast to int: sigmoid values lie strictly between 0 and 1.",
                "반올림하거나 int로 바꾸지 마세요: 시그모이드 값은 0과 1 사이의 실수입니다."))


@graded_check("relu", points=2, title=T("values: max(0, x)", "값: max(0, x)"))
def check_relu_values(student, fb, seed):
    x = np.random.default_rng(seed).normal(0.0, 3.0, size=(20, 6))
    x[0, :3] = [0.0, -1e300, 1e300]
    reply = student.call("relu", x)
    y = fb.array(reply.value, shape=x.shape, what="relu(x)")
    fb.allclose(y, np.maximum(0.0, x), "relu(x)", ACT_RTOL, ACT_ATOL,
                T("relu keeps positive values unchanged and turns negative values into 0: np.maximum(0, x).",
                  "relu는 양수는 그대로, 음수는 0으로 바꿉니다: np.maximum(0, x)."))


@graded_check("relu", points=1, title=T("keeps the shape: scalar, 1-D, 2-D", "모양 유지: 스칼라, 1차원, 2차원"),
              aspect=True)
def check_relu_shapes(student, fb, seed):
    rng = np.random.default_rng(seed)
    for x in (np.float64(-1.5), rng.normal(size=9), rng.normal(size=(4, 5))):
        y = student.call("relu", x).value
        fb.expect(isinstance(y, (np.ndarray, np.generic, float, int)) and np.shape(y) == np.shape(x),
                  _same_shape("relu", x), describe(y),
                  hint_for_unsupported(y) or T("np.maximum(0, x) works for scalars and arrays alike.",
                    "np.maximum(0, x)는 스칼라와 배열 모두에 동작합니다."))


RELU_IN_PLACE_HINT = T(
    "x was changed in place: `x[x < 0] = 0`, or `np.maximum(x, 0, x)` (its third argument is the output, out=), "
    "writes into the caller's array (backprop needs the original x); return np.maximum(0, x) instead (or work on "
    "x.copy()).",
    "x가 그 자리에서 바뀌었습니다: `x[x < 0] = 0`이나 `np.maximum(x, 0, x)`(세 번째 인자는 결과를 쓸 "
    "곳, out=)는 호출한 쪽의 배열에 값을 덮어씁니다 (역전파에 원래 x가 필요). 대신 np.maximum(0, x)를 "
    "반환하세요 (또는 x.copy()에서 작업하세요).",
)


@graded_check("relu", points=1, title=T("leaves its input unchanged", "입력 배열을 바꾸지 않음"), aspect=True)
def check_relu_input_unchanged(student, fb, seed):
    x = np.random.default_rng(seed).normal(size=(5, 5))
    reply = student.call("relu", x, return_args=True)
    # Judged here, from the array the child sent back after the call, not from what it says of itself.
    after = reply.args_after[0] if reply.args_after else None
    unchanged = isinstance(after, np.ndarray) and after.shape == x.shape and np.array_equal(after, x, equal_nan=True)
    if unchanged:
        return
    # x turned into relu(x) itself: `x[x < 0] = 0` and `np.maximum(x, 0, x)` leave the same x behind (and return
    # it), so the hint names both; any other change is named as such.
    relu_in_place = isinstance(after, np.ndarray) and after.shape == x.shape and np.array_equal(after, np.maximum(0.0, x))
    fb.expect(unchanged, T("x unchanged after relu(x)", "relu(x) 뒤에도 x 그대로"),
              T("x was modified in place: it now holds relu(x)", "x가 바뀌어 relu(x)가 됨") if relu_in_place
              else T("x was modified in place", "x가 바뀜"),
              RELU_IN_PLACE_HINT if relu_in_place else
              T("relu changed the caller's array x (backprop needs the original x): do not assign into x "
                "(x[...] = ..., x *= ..., an out= argument); return a new array such as np.maximum(0, x).",
                "relu가 호출한 쪽의 배열 x를 바꿨습니다 (역전파에 원래 x가 필요). x에 값을 대입하지 마세요 "
                "(x[...] = ..., x *= ..., out= 인자). np.maximum(0, x)처럼 새 배열을 반환하세요."))

