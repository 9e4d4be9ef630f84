"""What a notebook calls: the week's set-up, the self-check cells, and the .py route from a terminal."""
from __future__ import annotations

import sys

from autograder.helper.notebook import file_main, notebook_cells
from autograder.helper.results import CheckResult
from autograder.helper.runner import check_namespace
from autograder.helper.setup import GradedSetup, setup_of
from autograder.lectures.weight_init.helper.contract import CHECKS, LECTURE_SETUP


def variant(setup: dict | str | None = None, student_id: str = "") -> GradedSetup:
    """This week's set-up, from the notebook's SETUP (the lecture's own when it is empty).

    While graded, the set-up is the one the instructor grades against, whatever the notebook says.
    """
    return setup_of(setup, student_id, LECTURE_SETUP)


run_checks, check = notebook_cells(CHECKS, LECTURE_SETUP)


def self_check(namespace: dict, functions: tuple[str, ...] = (), setup: GradedSetup | None = None,
               sid: str = "notebook") -> list[CheckResult]:
    """The checks of ``functions`` (all when none are named) on a live namespace's functions."""
    return check_namespace(namespace, CHECKS, LECTURE_SETUP, functions, setup, sid)


def main(argv: list[str] | None = None) -> int:
    """``python initlab_lab.py weight_init.py [names]``: check a .py file on your own machine."""
    return file_main(argv, CHECKS, LECTURE_SETUP, sys.modules[__name__])
