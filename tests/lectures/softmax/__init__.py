"""A second, tiny lecture: softmax and cross-entropy (two functions, three checks, one analysis answer).

It exists to show that the engine knows a lecture only through engine/assignment.py: it goes through
release, self-check, ``initlab grade --course``, the gradebook and an LMS export
(tests/lectures/test_softmax.py) with no engine code written for it.  It lives under tests/, outside
autograder/lectures/, as a course's own lecture would: a course names it by its module path
(``--lecture tests.lectures.softmax``).

helper/        what students get (built with autograder/helper/ into initlab_lab.py, beside this file)
instructor/    its set-up numbers and answer key
solutions/     the master notebook and the reference solution; assignment/ the student files
assignment.py  the lecture as the engine knows it: its ASSIGNMENT
"""
from __future__ import annotations

from pathlib import Path

HELPER_FILE = Path(__file__).resolve().with_name("initlab_lab.py")
