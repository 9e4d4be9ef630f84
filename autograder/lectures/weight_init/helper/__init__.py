"""The weight-initialisation lecture's student helper: its contract, checks, questions and demonstrations.

Importing this package registers every check in ``CHECKS``.  The build step (autograder/engine/build.py)
concatenates autograder/helper/ and these modules into the one file students get, initlab_lab.py.
"""
from __future__ import annotations

from autograder.lectures.weight_init.helper import (  # noqa: F401  (registration order = report order)
    callables, checks_activations, checks_inits, checks_probe, checks_decay, questions, demos, api,
)
from autograder.lectures.weight_init.helper.contract import ANSWERS, CHECKS, CONTRACT, FUNCTIONS, GRADED, LECTURE_SETUP

#: What students read first in initlab_lab.py.
HEADER = """initlab's student helper: the self-check cells, the week's set-up and the lecture's demonstrations.

이 파일은 과제 노트북 옆에 두는 도우미입니다 (numpy와 matplotlib만 필요). 고치지 마세요: 채점은 조교의 사본으로 합니다.
This file sits beside the assignment notebook and needs numpy and matplotlib only. Do not edit it: grading
uses the course's own copy, never the one in your folder.

What it holds, and what it does not:

* the week's set-up as plain numbers (``variant``), given by the notebook's SETUP;
* every check of the functions the assignment asks for, run on inputs it makes itself
  (``check("sigmoid")``); the grader runs the very same checks on the same rules, only with
  inputs you cannot predict, so a function that passes here passes there;
* for the analysis answers, a check that an answer is a finite number and agrees with what
  your own functions give when the question's steps are run again.  It never knows, and so
  never prints, the reference's answer;
* the lecture's figures, drawn with your functions.

It holds no reference solution, no analysis answer, no quiz and no course key.  It is built from the
instructor's kit (autograder/helper/ and autograder/lectures/weight_init/helper/) by
``python -m autograder.engine.build``; the grader's sandbox runs submissions with this very file, under the
name ``initlab_lab``.
"""

#: The modules of the helper, in the order the build concatenates them (after autograder/helper/'s).
MODULES = ("contract", "callables", "stats", "checks_activations", "checks_inits", "checks_probe", "checks_decay",
           "questions", "demos", "api")
