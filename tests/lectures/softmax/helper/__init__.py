"""The softmax lecture's student helper: its contract, checks, question and notebook calls."""
from __future__ import annotations

from tests.lectures.softmax.helper import api, checks, questions  # noqa: F401  (registers the checks)
from tests.lectures.softmax.helper.contract import CHECKS, CONTRACT, LECTURE_SETUP  # noqa: F401

HEADER = """initlab's student helper for the softmax assignment: the self-check cells and the week's set-up.

이 파일은 과제 노트북 옆에 두는 도우미입니다 (numpy만 필요). 고치지 마세요.
This file sits beside the assignment notebook and needs numpy only. Do not edit it: grading uses the
course's own copy.
"""

#: The modules of the helper, in the order the build concatenates them (after autograder/helper/'s).
MODULES = ("contract", "checks", "questions", "api")
