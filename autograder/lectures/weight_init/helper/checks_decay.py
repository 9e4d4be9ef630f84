"""Checks of weight_decay_penalty and weight_decay_grad (exact; no statistics involved)."""
from __future__ import annotations

import numpy as np

from autograder.helper.declare import fmt
from autograder.helper.text import T
from autograder.lectures.weight_init.helper.contract import graded_check

DECAY_RTOL = 1e-9


def decay_inputs(variant, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, 1.0, size=shape) for shape in variant.decay_shapes]


def decay_penalty(weights, lam: float) -> float:
    """0.5 * lam * sum of squares: the lecture's weight-decay term (grader's own)."""
    return 0.5 * lam * sum(float(np.sum(w * w)) for w in weights)


@graded_check("weight_decay_penalty", points=2, title=T("0.5·λ·ΣW² over every matrix", "모든 행렬에 대한 0.5·λ·ΣW²"))
def check_weight_decay_penalty_value(student, fb, variant, seed):
    weights = decay_inputs(variant, seed)
    lam = variant.lam
    got = fb.number(student.call("weight_decay_penalty", weights, lam).value, "weight_decay_penalty")
    want = decay_penalty(weights, lam)
    candidates = {
        2 * want: T("That is λ·ΣW²: the lecture's term has the factor 0.5 (so that its gradient is λW).",
                    "λ·ΣW²입니다. 강의의 항에는 0.5가 곱해집니다 (그래야 기울기가 λW)."),
        decay_penalty(weights[:1], lam): T("Only the first matrix counted: sum over every matrix in weights.",
                                     "첫 행렬만 더했습니다. weights의 모든 행렬을 더하세요."),
        decay_penalty(weights[-1:], lam): T("Only the last matrix counted: sum over every matrix in weights.",
                                      "마지막 행렬만 더했습니다. weights의 모든 행렬을 더하세요."),
        0.5 * lam * sum(float(np.sum(np.abs(w))) for w in weights): T(
            "That is the sum of |W| (L1); weight decay squares the weights.",
            "|W|의 합(L1)입니다. 가중치 감소는 가중치를 제곱합니다."),
        decay_penalty(weights, 1.0): T("λ is missing: multiply by lam.", "λ가 빠졌습니다. lam을 곱하세요."),
        0.5 * lam * sum(float(np.sum(w)) ** 2 for w in weights): T(
            "That squares the sum; square each weight, then add: np.sum(W ** 2).",
            "합을 제곱했습니다. 각 가중치를 제곱한 뒤 더하세요: np.sum(W ** 2)."),
    }
    hint = next((h for v, h in candidates.items() if np.isclose(got, v, rtol=1e-6)),
                T("penalty = 0.5 * lam * sum over matrices of np.sum(W ** 2).",
                  "penalty = 0.5 * lam * (각 행렬의 np.sum(W ** 2)의 합)."))
    shapes = ", ".join(f"{w.shape[0]}x{w.shape[1]}" for w in weights)
    fb.expect(np.isclose(got, want, rtol=DECAY_RTOL, atol=0.0),
              T(f"{fmt(want)} (λ={lam:g}, matrices {shapes})", f"{fmt(want)} (λ={lam:g}, 행렬 {shapes})"), fmt(got), hint)


@graded_check("weight_decay_penalty", points=1, title=T("λ = 0 gives 0", "λ = 0이면 0"), aspect=True)
def check_weight_decay_penalty_lam_zero(student, fb, variant, seed):
    got = fb.number(student.call("weight_decay_penalty", decay_inputs(variant, seed), 0.0).value, "weight_decay_penalty")
    fb.expect(abs(got) <= 1e-12, "0.0", fmt(got),
              T("The whole term is multiplied by lam, so lam = 0 switches weight decay off.",
                "항 전체에 lam이 곱해지므로 lam = 0이면 가중치 감소가 꺼집니다."))


@graded_check("weight_decay_grad", points=2, title=T("gradient equals λW", "기울기가 λW와 같음"))
def check_weight_decay_grad_value(student, fb, variant, seed):
    w = np.random.default_rng(seed).normal(size=(7, 3))
    lam = variant.lam
    got = fb.array(student.call("weight_decay_grad", w, lam).value, shape=w.shape, what="weight_decay_grad(W, lam)",
                   hint=T("The gradient has the shape of W: lam * W.", "기울기는 W와 같은 모양입니다: lam * W."))
    twice = np.allclose(got, 2 * lam * w, rtol=1e-6)
    fb.allclose(got, lam * w, "weight_decay_grad(W, lam)", DECAY_RTOL, 1e-15,
                T("d/dW of 0.5·λ·W² is λW: the 0.5 cancels the 2." if twice else "The gradient is lam * W, elementwise.",
                  "0.5·λ·W²를 W로 미분하면 λW입니다: 0.5가 2를 상쇄합니다." if twice else "기울기는 원소별로 lam * W입니다."))


@graded_check("weight_decay_grad", points=1, title=T("agrees with a numerical derivative of the penalty",
                                              "벌칙 항의 수치 미분과 일치"))
def check_weight_decay_grad_numerical(student, fb, variant, seed):
    w = np.random.default_rng(seed + 1).normal(size=(4, 5))
    lam = variant.lam * 3.0
    got = fb.array(student.call("weight_decay_grad", w, lam).value, shape=w.shape, what="weight_decay_grad(W, lam)")
    h = 1e-5
    numeric = np.zeros_like(w)
    for idx in np.ndindex(*w.shape):  # central differences of the grader's penalty
        step = np.zeros_like(w)
        step[idx] = h
        numeric[idx] = (decay_penalty([w + step], lam) - decay_penalty([w - step], lam)) / (2 * h)
    fb.allclose(got, numeric, T("numerical dPenalty/dW", "벌칙 항을 수치 미분한 값"), rtol=1e-5, atol=1e-8,
                hint=T("Check your formula against (penalty(W + h) - penalty(W - h)) / 2h for a small h.",
                       "작은 h에 대해 (penalty(W + h) - penalty(W - h)) / 2h와 비교해 보세요."))
