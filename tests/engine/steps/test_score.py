"""The score step (autograder/engine/steps/score.py): one result per declared check, in declared order."""
from __future__ import annotations

import pytest

from autograder.engine.steps.score import NOT_GRADED, score
from autograder.engine.submission import CheckInfo, CheckResult, Submission
from autograder.helper.text import T

CHECKS = tuple(CheckInfo(f"test_{fn}_{what}", fn, pts, T(f"{fn} {what}", f"{fn} {what}"))
               for fn, what, pts in [("relu", "values", 2.0), ("relu", "shape", 1.0), ("sigmoid", "values", 3.0)])
RELU_VALUES, RELU_SHAPE, SIGMOID_VALUES = CHECKS


def test_results_follow_the_declared_order_and_a_missing_one_is_not_graded():
    sub = Submission("s", results=(CheckResult(SIGMOID_VALUES, 3.0, "passed"), CheckResult(RELU_VALUES, 2.0, "passed")))
    out = score(sub, CHECKS)
    assert [r.check_id for r in out.results] == [c.check_id for c in CHECKS]
    missing = out.results[1]
    assert (missing.status, missing.score, missing.message, missing.info) == ("not_graded", 0.0, NOT_GRADED, RELU_SHAPE)
    assert (out.score, out.max_score) == (5.0, 6.0)


def test_only_declared_checks_count():
    """A result for a check nobody declared (an old check id, a forged one) is dropped and earns nothing:
    the total is the sum over the declared checks only, and full marks are their points."""
    forged = CheckInfo("test_relu_bonus", "relu", 100.0, T("bonus", "보너스"))
    sub = Submission("s", results=tuple(CheckResult(c, c.points, "passed") for c in CHECKS)
                     + (CheckResult(forged, 100.0, "passed"),))
    out = score(sub, CHECKS)
    assert "test_relu_bonus" not in {r.check_id for r in out.results}
    assert (out.score, out.max_score) == (6.0, 6.0)


def test_partial_and_failed_scores_are_summed_as_given():
    sub = Submission("s", results=(CheckResult(RELU_VALUES, 0.5, "failed"), CheckResult(RELU_SHAPE, 1.0, "passed"),
                                   CheckResult(SIGMOID_VALUES, 0.0, "raised")))
    out = score(sub, CHECKS)
    assert out.score == 1.5 and [r.status for r in out.results] == ["failed", "passed", "raised"]


def test_a_duplicate_result_keeps_the_last_one():
    """Two results under one check id (a replayed call): one row, the later result."""
    sub = Submission("s", results=(CheckResult(RELU_VALUES, 2.0, "passed"), CheckResult(RELU_VALUES, 0.0, "timeout")))
    out = score(sub, CHECKS)
    assert len(out.results) == 3 and out.results[0].status == "timeout" and out.score == 0.0


@pytest.mark.parametrize("status, after", [("pending", "graded"), ("graded", "graded"), ("binary", "binary"),
                                           ("no_code", "no_code")])
def test_status_pending_becomes_graded_and_a_reason_not_to_grade_stays(status, after):
    out = score(Submission("s", status=status), CHECKS)
    assert out.status == after
    if status in ("binary", "no_code"):  # nothing ran: every check is there, at zero
        assert [r.status for r in out.results] == ["not_graded"] * 3 and out.score == 0.0 and out.max_score == 6.0


def test_scoring_is_a_new_record_and_idempotent():
    sub = Submission("s", results=(CheckResult(RELU_VALUES, 2.0, "passed"),), extra={"k": 1})
    once = score(sub, CHECKS)
    assert sub.results == (CheckResult(RELU_VALUES, 2.0, "passed"),) and sub.status == "pending"
    assert score(once, CHECKS) == once and once.extra == {"k": 1}


def test_no_declared_checks_give_nothing_to_score():
    out = score(Submission("s", results=(CheckResult(RELU_VALUES, 2.0, "passed"),)), ())
    assert out.results == () and (out.score, out.max_score) == (0.0, 0.0)


def test_a_score_over_the_declared_points_is_capped():
    over = score(Submission("s", results=(CheckResult(RELU_VALUES, 7.0, "passed"),)), CHECKS[:1])
    inflated = CheckInfo(RELU_VALUES.check_id, "relu", 50.0, RELU_VALUES.title)
    relabelled = score(Submission("s", results=(CheckResult(inflated, 50.0, "passed"),)), CHECKS[:1])
    assert (over.score, relabelled.score, relabelled.max_score) == (2.0, 2.0, 2.0)
