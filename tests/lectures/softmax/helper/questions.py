"""The lecture's one analysis question: the loss of a net that knows nothing yet."""
from __future__ import annotations

import numpy as np

from autograder.helper.questions import Question, add_answer_checks
from autograder.helper.text import T
from tests.lectures.softmax.helper.contract import CHECKS


def uniform_loss(variant, fns) -> float:
    """Cross-entropy of all-zero logits (a uniform prediction): log(n_classes) for any labels."""
    z = np.zeros((variant.batch, variant.n_classes))
    labels = np.arange(variant.batch) % variant.n_classes
    return float(fns["cross_entropy"](fns["softmax"](z), labels))


QUESTIONS: tuple[Question, ...] = (
    Question("answer_uniform_loss", 1,
             T("Cross-entropy of the softmax of all-zero logits.", "모든 로짓이 0일 때 소프트맥스의 교차 엔트로피."),
             lambda v, value, spread: 1e-4 * max(abs(value), 1.0), uniform_loss,
             T("Pass softmax of the zero logits and the labels to cross_entropy.",
               "0인 로짓의 softmax와 레이블을 cross_entropy에 넘기세요."),
             ("softmax", "cross_entropy")),
)

add_answer_checks(CHECKS, QUESTIONS)
