"""The weight-initialisation lecture as the engine knows it: its ``ASSIGNMENT`` (engine/assignment.py)."""
from __future__ import annotations

from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.helper.text import T
from autograder.lectures.weight_init import HELPER_FILE
from autograder.lectures.weight_init.helper import CHECKS
from autograder.lectures.weight_init.instructor.numbers import WeightInitNumbers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
#: The reference solution and the master notebook (solutions/ ships in the kit as autograder.reference).
SOLUTIONS = ROOT / "solutions" if (ROOT / "solutions" / "weight_init.ipynb").is_file() else ROOT / "autograder" / "reference"


def _answer_key(name: str, variant) -> tuple[float, float]:
    from autograder.lectures.weight_init.instructor.answer_key import expected

    return expected(name, variant)


def _prepare_class(variant) -> None:
    """What every submission of a class-wide week is compared with, computed once per judge: the answer
    key and the lecture cases' right layers (cached for the judge's life)."""
    from autograder.lectures.weight_init.helper.checks_probe import lecture_expected, lecture_seeds
    from autograder.lectures.weight_init.instructor.answer_key import BY_NAME, expected

    for name in BY_NAME:
        expected(name, variant)
    for case, seed in lecture_seeds(variant):
        lecture_expected(case, seed)


def _shared_inputs(variant) -> list:
    from autograder.lectures.weight_init.helper.checks_probe import lecture_seeds

    return lecture_seeds(variant)


def _feedback_figure(sub, lang: str) -> str:
    from autograder.lectures.weight_init.instructor.figures import feedback_figure

    return feedback_figure(sub, lang)


def _plot(sub, folder: Path) -> Path:
    from autograder.lectures.weight_init.instructor.figures import save_histograms

    return save_histograms(sub, folder)


def _quiz(variant) -> list:
    from autograder.lectures.weight_init.instructor.quiz import quiz_items

    return quiz_items(variant)


def _commands(subparsers) -> None:
    from autograder.lectures.weight_init.experiments.command import register

    register(subparsers)


ASSIGNMENT = Assignment(
    name="weight_init",
    title=T("Weight initialisation", "가중치의 초깃값"),
    checks=CHECKS,
    helper_file=HELPER_FILE,
    helper_package="autograder.lectures.weight_init.helper",
    numbers=WeightInitNumbers,
    reference=SOLUTIONS / "weight_init.py",
    master=SOLUTIONS / "weight_init.ipynb",
    derived={"solution_py": ROOT / "solutions" / "weight_init.py",
             "student_ipynb": ROOT / "assignment" / "weight_init.ipynb",
             "student_py": ROOT / "assignment" / "weight_init.py"},
    answer_key=_answer_key,
    prepare_class=_prepare_class,
    shared_inputs=_shared_inputs,
    feedback_figure=_feedback_figure,
    plot=_plot,
    quiz=_quiz,
    student_columns=("node_num", "n_layers", "n_samples", "input_dim", "std_large", "std_small", "lam"),
    commands=_commands,
    code=(HELPER_FILE, HERE / "instructor" / "answer_key.py"),
)
