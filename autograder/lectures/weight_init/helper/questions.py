"""The lecture's analysis questions: their steps, run with some functions (see autograder/helper/questions.py).

Here are only the steps; a self-check runs them with the student's own functions, and the answer key
(the instructor's) with the reference's.
"""
from __future__ import annotations

import numpy as np

from autograder.helper.questions import Bound, Question, add_answer_checks
from autograder.helper.text import T
from autograder.lectures.weight_init.helper.contract import CHECKS

def probe_layer1(variant, fns: dict, init, activation, seed: int) -> np.ndarray:
    """The first hidden layer of the probe under the question's steps (x first, then the probe)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((variant.n_samples, variant.input_dim))
    acts = fns["activation_probe"](x, init, activation, 1, variant.node_num, rng)
    return np.asarray(acts[0], dtype=float)


def _saturation(a1: np.ndarray) -> float:
    return float(np.mean((a1 < 0.02) | (a1 > 0.98)))


def _std(a1: np.ndarray) -> float:
    return float(a1.std())


#: The statistic of each probe question: (its init, its activation, what is measured), from the functions.
PROBE_QUESTIONS = {
    "saturated": (lambda v, f: Bound(f["normal_init"], (v.std_large,)), "sigmoid", _saturation),
    "xavier": (lambda v, f: f["xavier_init"], "sigmoid", _std),
    "he": (lambda v, f: f["he_init"], "relu", _std),
}


def _probe_answer(which: str):
    def compute(variant, fns, seed: int | None = None):
        init, activation, statistic = PROBE_QUESTIONS[which]
        seed = variant.analysis_seed(which) if seed is None else seed
        return statistic(probe_layer1(variant, fns, init(variant, fns), fns[activation], seed))

    return compute


def decay_matrices(variant) -> list[np.ndarray]:
    """The matrices of the penalty question (the notebook draws the same with the same seed)."""
    rng = np.random.default_rng(variant.analysis_seed("penalty"))
    return [rng.standard_normal(shape) for shape in ((variant.input_dim, variant.node_num),
                                                     (variant.node_num, variant.node_num), (variant.node_num, 10))]


def _penalty_answer(variant, fns):
    return float(fns["weight_decay_penalty"](decay_matrices(variant), variant.lam))


#: Seeds over which a statistic's spread is measured (any correct student's draw is one more such seed).
SPREAD_SEEDS = range(1000, 1032)


def spread_of(variant, which: str, fns: dict) -> float:
    """The standard deviation across seeds of the probe question ``which``'s statistic, computed with
    ``fns``: what a student who draws in another order may differ by.  Tolerances are at least 7 of
    these (at least 6 even when this 32-seed estimate is 15 % low)."""
    compute = _probe_answer(which)
    return float(np.std([compute(variant, fns, seed) for seed in SPREAD_SEEDS], ddof=1))

def _penalty_slip(got: float, want: float, variant):
    """The hint of a known slip the penalty answer shows: twice the term, or λ left out."""
    if want and np.isclose(got, 2 * want, rtol=1e-6):
        return T("Your number is twice the term: the weight-decay term is 0.5·λ·ΣW² (with the factor 0.5).",
                 "값이 정확히 두 배입니다: 가중치 감소 항은 0.5·λ·ΣW²입니다 (0.5를 곱하세요).")
    if want and variant.lam and np.isclose(got * variant.lam, want, rtol=1e-6):
        return T("λ is missing: pass LAM to weight_decay_penalty.", "λ가 빠졌습니다: LAM을 weight_decay_penalty에 넘기세요.")
    return None

QUESTIONS: tuple[Question, ...] = (
    Question(
        "answer_saturated", 2,
        T("Fraction of layer-1 sigmoid activations below 0.02 or above 0.98 with N(0, std_large^2) weights.",
          "가중치가 N(0, std_large^2)일 때 1층 시그모이드 활성화 값 중 0.02 미만 또는 0.98 초과인 비율."),
        lambda v, value, spread: max(0.03, 7 * spread("saturated")), _probe_answer("saturated"),
        T("Use normal_init with STD_LARGE, sigmoid, and count both ends: (a1 < 0.02) | (a1 > 0.98).",
          "STD_LARGE로 normal_init, sigmoid를 쓰고 양 끝을 모두 세세요: (a1 < 0.02) | (a1 > 0.98)."),
        ("normal_init", "sigmoid", "activation_probe"), spread_of,
    ),
    Question(
        "answer_xavier_std", 2,
        T("Standard deviation of the layer-1 sigmoid activations under Xavier initialisation.",
          "Xavier 초깃값에서 1층 시그모이드 활성화 값의 표준편차."),
        lambda v, value, spread: max(0.012, 7 * spread("xavier")), _probe_answer("xavier"),
        T("Pass xavier_init and sigmoid to a one-layer probe and take .std() of the first layer's activations.",
          "xavier_init과 sigmoid를 1층 probe에 넘기고 첫 층 활성화 값의 .std()를 구하세요."),
        ("xavier_init", "sigmoid", "activation_probe"), spread_of,
    ),
    Question(
        "answer_he_relu_std", 2,
        T("Standard deviation of the layer-1 ReLU activations under He initialisation.",
          "He 초깃값에서 1층 ReLU 활성화 값의 표준편차."),
        # ReLU layers vary more between draws when the layer is narrow: a relative tolerance
        # (10 %, >= 6 sd at 50 units x 500 inputs) still rejects Xavier's value (-29 %).
        lambda v, value, spread: 0.1 * abs(value), _probe_answer("he"),
        T("Pass he_init and relu (not sigmoid) to a one-layer probe and take .std() of its activations.",
          "he_init과 (sigmoid가 아닌) relu를 1층 probe에 넘기고 활성화 값의 .std()를 구하세요."),
        ("he_init", "relu", "activation_probe"), spread_of,
    ),
    Question(
        "answer_penalty", 2,
        T("Weight-decay penalty 0.5·λ·ΣW² of the three matrices drawn in the notebook.",
          "노트북에서 뽑은 세 행렬의 가중치 감소 항 0.5·λ·ΣW²."),
        lambda v, value, spread: 1e-6 * max(abs(value), 1.0), _penalty_answer,
        T("Pass all three matrices and LAM to weight_decay_penalty.",
          "세 행렬 모두와 LAM을 weight_decay_penalty에 넘기세요."),
        ("weight_decay_penalty",), mistakes=_penalty_slip,
    ),
)

QUESTION_BY_NAME = {q.name: q for q in QUESTIONS}
add_answer_checks(CHECKS, QUESTIONS)
