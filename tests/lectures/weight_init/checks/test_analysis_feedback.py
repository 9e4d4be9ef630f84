"""What the analysis checks tell a student: never the reference's answer, unless the instructor says so."""
from __future__ import annotations

import re

import pytest

from autograder.lectures.weight_init.instructor import answer_key as analysis
from autograder.engine.config import Variant
from autograder.helper.declare import fmt
from autograder.helper.questions import OWN_STEPS
from autograder.helper.text import both
from autograder.engine.pipeline import GradeConfig, grade_file
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.load import load_python
from autograder.engine.steps.run_checks import grade_namespace, grade_sources
from tests.conftest import reference_source

pytestmark = pytest.mark.sandbox
HE_RULE = "np.sqrt(2.0 / n_in)"


def _answers(results) -> dict:
    return {r.function: r for r in results if r.function.startswith("answer_")}


def _typed_in() -> str:
    """The reference, with one answer typed in by hand (whatever the functions say)."""
    return re.sub(r"(?m)^answer_penalty = .*$", "answer_penalty = 123.0", reference_source())


def test_a_self_check_compares_with_the_students_own_functions_and_never_shows_the_reference(tmp_path):
    """`initlab check`: is a typed-in number judged against what the student's own functions give,
    with no reference value anywhere in what it prints?"""
    path = tmp_path / "weight_init.py"
    path.write_text(_typed_in(), encoding="utf-8")
    sub = grade_file(path, GradeConfig(limits=Limits(call_timeout_s=10), self_check=True, own_variant=True))
    penalty = _answers(sub.results)["answer_penalty"]
    assert not penalty.passed and "your own functions" in penalty.expected.en and "내 함수" in penalty.expected.ko
    # No number at all: with right functions, theirs is the answer (here it is the reference's).
    for r in _answers(sub.results).values():
        assert r.passed or (r.expected == OWN_STEPS and not re.search(r"\d", both(r.expected) + both(r.hint)))
    assert penalty.measured == "123"


def test_a_wrong_function_with_a_consistent_answer_fails_the_self_check_as_grading_does():
    """The self-check cannot know the answer, but it knows he_init fails its own checks: an answer that
    agrees with a broken function is not PASS there either (grading would take it back), and both say
    to fix he_init first, without the reference's number."""
    src = {"s": load_python(_he_is_xavier().encode(), "weight_init.py")}
    checked = _answers(grade_sources(src, own_variant=True, self_check=True)["s"])
    graded = _answers(grade_sources(src)["s"])
    assert not checked["answer_he_relu_std"].passed and not graded["answer_he_relu_std"].passed
    assert "he_init" in checked["answer_he_relu_std"].hint.en and "he_init" in graded["answer_he_relu_std"].hint.en
    assert not re.search(r"\d", both(checked["answer_he_relu_std"].expected))


def _he_is_xavier() -> str:
    """He's init with Xavier's scale (the answer computed with it is then 29 % low)."""
    source = reference_source()
    assert HE_RULE in source
    return source.replace(HE_RULE, "np.sqrt(1.0 / n_in)")


def test_graded_feedback_hides_the_answer_and_its_tolerance_unless_asked():
    """Without --show-answers neither the value nor its tolerance (some are relative) is shown."""
    src = {"s": load_python(_typed_in().encode(), "weight_init.py")}
    hidden = _answers(grade_sources(src)["s"])["answer_penalty"]
    shown = _answers(grade_sources(src, show_answers=True)["s"])["answer_penalty"]
    want, tol = analysis.expected("answer_penalty", Variant())
    assert not hidden.passed and "not shown" in hidden.expected.en and fmt(want) not in both(hidden.expected)
    assert "±" not in both(hidden.expected)
    assert shown.expected == f"{fmt(want)} ± {fmt(tol)}"


def test_the_notebooks_own_cells_never_show_the_reference():
    """The notebook's self-check (in the kernel) compares with the notebook's own functions."""
    namespace: dict = {"__name__": "__nb__"}
    exec(compile(_he_is_xavier(), "weight_init.py", "exec"), namespace)
    namespace["answer_he_relu_std"] = 0.999
    result = _answers(grade_namespace(namespace, ("answer_he_relu_std",)))["answer_he_relu_std"]
    assert not result.passed and "your own functions" in result.expected.en
    assert fmt(analysis.expected("answer_he_relu_std", Variant())[0]) not in both(result.expected)
