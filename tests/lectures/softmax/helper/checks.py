"""Checks of softmax and cross_entropy (exact, on the grader's own logits)."""
from __future__ import annotations

import numpy as np

from autograder.helper.declare import fmt
from autograder.helper.text import T
from tests.lectures.softmax.helper.contract import graded_check

#: The book's cross_entropy_error adds delta = 1e-7 inside the log: a relative 1e-4 lets it pass.
LOSS_RTOL = 1e-4


def logits(variant, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 3.0, size=(variant.batch, variant.n_classes))


def softmax_of(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax (the grader's own)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@graded_check("softmax", points=2, title=T("each row is the softmax of its logits", "각 행이 로짓의 소프트맥스"))
def check_softmax_values(student, fb, variant, seed):
    z = logits(variant, seed)
    got = fb.array(student.call("softmax", z).value, shape=z.shape, what="softmax(z)",
                   hint=T("Return an array of z's shape: one row of probabilities per row of logits.",
                          "z와 같은 모양을 반환하세요: 로짓 한 행마다 확률 한 행."))
    sums_to_one_overall = np.isclose(got.sum(), 1.0)
    fb.allclose(got, softmax_of(z), "softmax(z)", 1e-9, 1e-12,
                T("The sum runs over each row (axis=1, keepdims=True), not over the whole batch."
                  if sums_to_one_overall else "Each row: np.exp(z - max) / its sum over the row.",
                  "합은 전체가 아니라 각 행에 대해 구합니다 (axis=1, keepdims=True)."
                  if sums_to_one_overall else "각 행: np.exp(z - max) / 그 행의 합."))


@graded_check("softmax", points=1, title=T("large logits do not overflow", "큰 로짓에서도 넘침 없음"))
def check_softmax_stable(student, fb, variant, seed):
    z = logits(variant, seed) + 1000.0
    got = fb.array(student.call("softmax", z).value, shape=z.shape, what="softmax(z + 1000)")
    fb.allclose(got, softmax_of(z), "softmax(z + 1000)", 1e-9, 1e-12,
                T("Subtract each row's maximum before np.exp: the softmax is the same and exp cannot overflow.",
                  "np.exp 전에 각 행의 최댓값을 빼세요: 소프트맥스는 같고 exp가 넘치지 않습니다."))


@graded_check("cross_entropy", points=2, title=T("mean cross-entropy of the true labels", "정답 레이블의 평균 교차 엔트로피"))
def check_cross_entropy_value(student, fb, variant, seed):
    rng = np.random.default_rng(seed + 1)
    p = softmax_of(logits(variant, seed))
    labels = rng.integers(0, variant.n_classes, size=variant.batch)
    got = fb.number(student.call("cross_entropy", p, labels).value, "cross_entropy(p, labels)")
    picked = -np.log(p[np.arange(variant.batch), labels])
    want = float(picked.mean())
    hint = T("Take -log of each row's probability of its label, then the mean over the batch.",
             "각 행에서 정답 레이블의 확률에 -log를 취하고 배치에 대해 평균을 내세요.")
    if np.isclose(got, float(picked.sum()), rtol=LOSS_RTOL):
        hint = T("That is the sum over the batch: divide by the batch size (the mean).",
                 "배치에 대한 합입니다: 배치 크기로 나누세요 (평균).")
    fb.expect(bool(np.isclose(got, want, rtol=LOSS_RTOL)), f"{fmt(want)} (batch {variant.batch})", fmt(got), hint)
