"""Messages about failures of student code (autograder/messages.py), as a student reads them."""
from __future__ import annotations

import pytest

from autograder.engine.pipeline import GradeConfig, grade_file
from autograder.engine.sandbox.limits import Limits

pytestmark = pytest.mark.sandbox


def test_an_error_names_the_function_and_shows_the_students_own_line(tmp_path):
    """Does 'raised' say which function, in which file and line, with that line's text?"""
    path = tmp_path / "weight_init.py"
    path.write_text("import numpy as np\n\ndef sigmoid(x):\n    y = undefined_name + x\n    return y\n",
                    encoding="utf-8")
    sub = grade_file(path, GradeConfig(limits=Limits(call_timeout_s=5)))
    raised = next(r for r in sub.results if r.function == "sigmoid" and r.status == "raised")
    assert raised.message.en.startswith("sigmoid raised NameError")
    assert "(weight_init.py, line 4: y = undefined_name + x)" in raised.message.en


def test_a_crash_names_the_function_that_crashed(tmp_path):
    """Does a killed process say 'The process running relu stopped', not a word of the message?"""
    path = tmp_path / "weight_init.py"
    path.write_text("import os\n\ndef relu(x):\n    os._exit(3)\n", encoding="utf-8")
    sub = grade_file(path, GradeConfig(limits=Limits(call_timeout_s=5)))
    crashed = [r for r in sub.results if r.function == "relu" and r.status == "crashed"]
    assert crashed and all(r.message.en.startswith("The process running relu stopped") for r in crashed)
