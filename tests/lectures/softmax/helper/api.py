"""What a notebook calls: the week's set-up (``variant``), the self-check cells (``check``, ``run_checks``),
``self_check`` on a namespace, and the .py route from a terminal (``main``)."""
from __future__ import annotations

from autograder.helper.notebook import LectureAPI
from tests.lectures.softmax.helper.contract import CHECKS, LECTURE_SETUP

variant, run_checks, check, self_check, main = LectureAPI(CHECKS, LECTURE_SETUP, __name__)
