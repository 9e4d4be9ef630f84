"""The softmax lecture as the engine knows it: its ``ASSIGNMENT`` (engine/assignment.py)."""
from __future__ import annotations

import math
from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.helper.text import T
from tests.lectures.softmax import HELPER_FILE
from tests.lectures.softmax.helper import CHECKS
from tests.lectures.softmax.instructor.numbers import SoftmaxNumbers

HERE = Path(__file__).resolve().parent


def _answer_key(name: str, variant) -> tuple[float, float]:
    """The one answer: log(n_classes) (a uniform prediction's loss), whatever the labels."""
    if name != "answer_uniform_loss":
        raise KeyError(name)
    value = math.log(variant.n_classes)
    return value, 1e-4 * max(value, 1.0)


ASSIGNMENT = Assignment(
    name="tests.lectures.softmax",
    title=T("Softmax", "소프트맥스"),
    checks=CHECKS,
    helper_file=HELPER_FILE,
    helper_package="tests.lectures.softmax.helper",
    numbers=SoftmaxNumbers,
    reference=HERE / "solutions" / "softmax.py",
    master=HERE / "solutions" / "softmax.ipynb",
    derived={"solution_py": HERE / "solutions" / "softmax.py",
             "student_ipynb": HERE / "assignment" / "softmax.ipynb",
             "student_py": HERE / "assignment" / "softmax.py"},
    answer_key=_answer_key,
    student_columns=("n_classes", "batch"),
    code=(HELPER_FILE, Path(__file__)),
)
