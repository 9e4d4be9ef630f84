"""What a softmax submission defines, and the lecture's own set-up."""
from __future__ import annotations

from autograder.helper.declare import CheckSet, Contract

FUNCTIONS: tuple[str, ...] = ("softmax", "cross_entropy")
SIGNATURES: dict[str, str] = {"softmax": "softmax(z)", "cross_entropy": "cross_entropy(p, labels)"}
ANSWERS: tuple[str, ...] = ("answer_uniform_loss",)

#: The lecture's own set-up (an unreleased template's); the instructor's SoftmaxNumbers has the same defaults.
LECTURE_SETUP: dict = {"seed": 0, "week": 0, "student_id": "", "n_classes": 10, "batch": 8, "per_student": False}

CONTRACT = Contract(FUNCTIONS, SIGNATURES, ANSWERS, stem="softmax")
CHECKS = CheckSet(CONTRACT)
graded_check = CHECKS.check
