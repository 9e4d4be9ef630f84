"""The two anchors of the rubric: the reference scores full marks, the stub scores zero."""
from __future__ import annotations

import pytest

from autograder.lectures.weight_init.helper.contract import GRADED
from autograder.engine.pipeline import grade_file
from autograder.engine.steps.run_checks import list_checks
from tests.conftest import REFERENCE_PY, STUB_PY

pytestmark = pytest.mark.sandbox


def test_every_check_names_the_one_function_it_grades():
    """Does each check's id contain the name of the function it grades, and is each function graded?"""
    checks = list_checks()
    assert len({c.check_id for c in checks}) == len(checks)
    for c in checks:
        assert c.function in GRADED and c.function in c.check_id, c.check_id
    assert {c.function for c in checks} == set(GRADED)
    assert all(c.points > 0 for c in checks)


def test_statistical_checks_state_a_false_fail_rate_at_most_1e6():
    """Does every statistical check state its false-fail rate, and is it <= 1e-6?"""
    stat = [c for c in list_checks() if c.false_fail_rate > 0]
    names = {c.check_id.split("[")[0] for c in stat}
    assert names == {"check_init_mean", "check_init_std", "check_init_distribution"}
    assert all(c.false_fail_rate <= 1e-6 for c in stat)


def test_the_reference_gets_full_marks():
    """Does solutions/weight_init.py pass every check?"""
    sub = grade_file(REFERENCE_PY)
    failed = [(r.check_id, r.status, r.expected, r.measured) for r in sub.results if not r.passed]
    assert not failed
    assert sub.score == sub.max_score == sum(c.points for c in list_checks())


def test_the_stub_gets_zero_and_is_told_to_start():
    """Does assignment/weight_init.py score 0 with 'not implemented yet' on every check, and no crash?"""
    sub = grade_file(STUB_PY)
    assert sub.score == 0 and sub.max_score > 0
    assert {r.status for r in sub.results} == {"not_attempted"}
    assert all(r.message is not None and "NotImplementedError" in r.message.en for r in sub.results)
