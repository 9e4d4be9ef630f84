"""Analysis questions: numbers a student computes with their own functions under a variant.

Each question fixes a protocol (the seed, the draws, the statistic) that the notebook spells
out; the reference answer is that protocol run with the reference functions.  A student
whose functions are right gets the same number when they follow the protocol exactly, and a
number from the same distribution when they draw in another (still correct) way; so every
tolerance is wide enough for any seed (>= 6 standard deviations of the statistic across
seeds, measured in tests/test_analysis.py) and narrow enough to tell a wrong
implementation (the test lists the wrong values each one rejects).
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

import numpy as np

from autograder.config import Variant
from autograder.i18n import T, Text


@dataclass(frozen=True)
class Question:
    """One analysis question; the student stores the answer in a variable named ``name``."""

    name: str
    points: float
    text: Text
    tolerance: Callable[[Variant, float], float]
    """Absolute tolerance from the variant and the reference answer."""
    compute: Callable[[Variant, dict], float]
    """The protocol, run with the functions in the given namespace."""
    hint: Text


@dataclass(frozen=True)
class Bound:
    """``fn`` with its trailing arguments fixed (``normal_init`` with its std, as an init(n_in, n_out, rng)):
    a plain object rather than a lambda, so the judge can hand a student's function on to another one."""

    fn: Callable
    extra: tuple

    def __call__(self, *args):
        return self.fn(*args, *self.extra)


def _probe_layer1(variant: Variant, fns: dict, init, activation, seed_tag: str) -> np.ndarray:
    """The first hidden layer of the probe (one layer: the rest would not change it)."""
    rng = np.random.default_rng(variant.analysis_seed(seed_tag))
    x = rng.standard_normal((variant.n_samples, variant.input_dim))
    acts = fns["activation_probe"](x, init, activation, 1, variant.node_num, rng)
    return np.asarray(acts[0], dtype=float)


def _saturated(variant, fns):
    std = variant.std_large
    a1 = _probe_layer1(variant, fns, Bound(fns["normal_init"], (std,)), fns["sigmoid"], "saturated")
    return float(np.mean((a1 < 0.02) | (a1 > 0.98)))


def _xavier_std(variant, fns):
    return float(_probe_layer1(variant, fns, fns["xavier_init"], fns["sigmoid"], "xavier").std())


def _he_relu_std(variant, fns):
    return float(_probe_layer1(variant, fns, fns["he_init"], fns["relu"], "he").std())


def decay_matrices(variant: Variant) -> list[np.ndarray]:
    """The matrices of the penalty question (the notebook draws the same with the same seed)."""
    rng = np.random.default_rng(variant.analysis_seed("penalty"))
    return [rng.standard_normal(shape) for shape in ((variant.input_dim, variant.node_num),
                                                     (variant.node_num, variant.node_num), (variant.node_num, 10))]


def _penalty(variant, fns):
    return float(fns["weight_decay_penalty"](decay_matrices(variant), variant.lam))


#: Seeds over which a statistic's spread is measured (any correct student's draw is one more such seed).
SPREAD_SEEDS = range(1000, 1032)


@lru_cache(maxsize=512)
def spread(variant: Variant, which: str) -> float:
    """The standard deviation across seeds of a layer-1 statistic under ``variant``: what a correct
    student who draws in another order may differ by.  Tolerances are at least 7 of these (at least
    6 even when this 32-seed estimate is 15 % low), so no correct student fails for any set-up of the
    variant space; tests/test_analysis.py checks them against 120 seeds."""
    from autograder.reference import functions as ref

    def layer1(seed: int, init, activation) -> np.ndarray:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((variant.n_samples, variant.input_dim))
        return np.asarray(ref.activation_probe(x, init, activation, 1, variant.node_num, rng)[0], dtype=float)

    if which == "saturated":
        init = lambda i, o, r: ref.normal_init(i, o, r, variant.std_large)  # noqa: E731
        stat = lambda s: float(np.mean(np.abs(layer1(s, init, ref.sigmoid) - 0.5) > 0.48))  # noqa: E731
    else:
        stat = lambda s: float(layer1(s, ref.xavier_init, ref.sigmoid).std())  # noqa: E731
    return float(np.std([stat(s) for s in SPREAD_SEEDS], ddof=1))


QUESTIONS: tuple[Question, ...] = (
    Question(
        "answer_saturated", 2,
        T("Fraction of layer-1 sigmoid activations below 0.02 or above 0.98 with N(0, std_large^2) weights.",
          "가중치가 N(0, std_large^2)일 때 1층 시그모이드 활성화 값 중 0.02 미만 또는 0.98 초과인 비율."),
        lambda v, ref: max(0.03, 7 * spread(v, "saturated")), _saturated,
        T("Use normal_init with STD_LARGE, sigmoid, and count both ends: (a1 < 0.02) | (a1 > 0.98).",
          "STD_LARGE로 normal_init, sigmoid를 쓰고 양 끝을 모두 세세요: (a1 < 0.02) | (a1 > 0.98)."),
    ),
    Question(
        "answer_xavier_std", 2,
        T("Standard deviation of the layer-1 sigmoid activations under Xavier initialisation.",
          "Xavier 초깃값에서 1층 시그모이드 활성화 값의 표준편차."),
        lambda v, ref: max(0.012, 7 * spread(v, "xavier")), _xavier_std,
        T("Xavier's std is 1/sqrt(n_in); take .std() of the first layer's activations.",
          "Xavier의 표준편차는 1/sqrt(n_in)입니다. 첫 층 활성화 값의 .std()를 구하세요."),
    ),
    Question(
        "answer_he_relu_std", 2,
        T("Standard deviation of the layer-1 ReLU activations under He initialisation.",
          "He 초깃값에서 1층 ReLU 활성화 값의 표준편차."),
        # ReLU layers vary more between draws when the layer is narrow: a relative tolerance
        # (10 %, >= 6 sd at 50 units x 500 inputs) still rejects Xavier's value (-29 %).
        lambda v, ref: 0.1 * abs(ref), _he_relu_std,
        T("He's std is sqrt(2/n_in); use relu as the activation.",
          "He의 표준편차는 sqrt(2/n_in)입니다. 활성화 함수로 relu를 쓰세요."),
    ),
    Question(
        "answer_penalty", 2,
        T("Weight-decay penalty 0.5·λ·ΣW² of the three matrices drawn in the notebook.",
          "노트북에서 뽑은 세 행렬의 가중치 감소 항 0.5·λ·ΣW²."),
        lambda v, ref: 1e-6 * max(abs(ref), 1.0), _penalty,
        T("Pass all three matrices and LAM to weight_decay_penalty.",
          "세 행렬 모두와 LAM을 weight_decay_penalty에 넘기세요."),
    ),
)

BY_NAME = {q.name: q for q in QUESTIONS}


def reference_functions() -> dict:
    from autograder.reference import functions as ref

    return {name: getattr(ref, name) for name in dir(ref) if not name.startswith("_")}


@lru_cache(maxsize=512)
def expected(name: str, variant: Variant) -> tuple[float, float]:
    """(reference answer, tolerance) of question ``name`` under ``variant``."""
    q = BY_NAME[name]
    value = q.compute(variant, reference_functions())
    return value, q.tolerance(variant, value)
