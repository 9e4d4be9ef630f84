"""The feedback figure follows the week's set-up (instructor/week_figure.py), without touching grading.

The lecture-histogram checks grade on the lecture's set-up; after them, ungraded, the student's probe is
called at the week's numbers for the figure only.  Scores, statuses and what the checks say must be those of
grading without that look, whatever the probe does at the week's numbers.
"""
from __future__ import annotations

import dataclasses
import html

import pytest

from autograder.engine.assignment import load
from autograder.engine.config import Variant
from autograder.engine.report.batch import feedback_html
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.load import load_python
from autograder.engine.steps.run_checks import grade_sources
from autograder.engine.submission import Submission
from autograder.lectures.weight_init.instructor.figures import week_histograms
from autograder.lectures.weight_init.instructor.samples import MUTANTS, mutate
from autograder.lectures.weight_init.instructor.week_figure import FIGURE_SAMPLES, LECTURE_SET_UP, week_setup
from tests.conftest import reference_source

pytestmark = pytest.mark.sandbox

WEEK = Variant.derive("demo-course-key", 1)  # 5 layers of 128 units, 800 inputs of 64, std 2 / 0.01
PROBE_BODY = ("acts, prev = [], x\nfor _ in range(n_layers):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n"
              "    acts.append(prev)\nreturn acts")
SOURCES = {
    "right": reference_source(),
    "no-chaining": mutate("activation_probe", dict((m[0], m[2]) for m in MUTANTS)["probe-no-chaining"]),
    # Right wherever grading calls it, an error (a hang) only where the figure's look does: the week's 800
    # inputs through several layers (the analysis answers call it with the week's inputs and one layer).
    "raises-elsewhere": mutate("activation_probe", f"if len(x) == {FIGURE_SAMPLES} and n_layers > 1:\n"
                               "    raise ValueError('not here')\n" + PROBE_BODY),
    "hangs-elsewhere": mutate("activation_probe", f"import time\nif len(x) == {FIGURE_SAMPLES} and n_layers > 1:\n"
                              "    time.sleep(60)\n" + PROBE_BODY),
}


def _graded(variant, after: bool):
    assignment = load()
    if not after:
        assignment = dataclasses.replace(assignment, after_checks=None)
    sources = {k: load_python(v.encode(), "weight_init.py") for k, v in SOURCES.items()}
    return grade_sources(sources, variant, Limits(call_timeout_s=2), assignment=assignment)


@pytest.fixture(scope="module")
def week_runs():
    return _graded(WEEK, after=True), _graded(WEEK, after=False)


def _verdicts(results):
    return [(r.check_id, r.status, r.score, r.expected, r.measured, r.hint) for r in results]


def test_the_week_differs_from_the_lecture_and_the_lecture_set_up_is_left_alone():
    assert week_setup(WEEK) == (800, 64, 5, 128, 2.0, 0.01) != LECTURE_SET_UP
    assert week_setup(Variant()) is None  # the lecture's own: nothing is called again


def test_the_look_at_the_week_changes_no_score_status_or_message(week_runs):
    with_look, without = week_runs
    for sid in SOURCES:
        assert _verdicts(with_look[sid]) == _verdicts(without[sid]), sid
    assert sum(r.score for r in with_look["raises-elsewhere"]) == sum(r.score for r in with_look["right"])
    assert sum(r.score for r in with_look["hangs-elsewhere"]) == sum(r.score for r in with_look["right"])


def test_the_right_probe_matches_the_reference_at_the_weeks_set_up(week_runs):
    sub = Submission("s", status="graded", results=tuple(week_runs[0]["right"]))
    week = week_histograms(sub)
    labels = {f"sigmoid-std={WEEK.std_large:g}", f"sigmoid-std={WEEK.std_small:g}", "sigmoid-Xavier", "relu-He"}
    assert len(week) == 5 and {h["case"] for h in week.values()} >= labels
    for h in week.values():
        assert tuple(h["setup"]) == (FIGURE_SAMPLES,) + week_setup(WEEK)[1:] and h["counts"] == h["reference"]
        assert len(h["counts"]) == WEEK.n_layers and sum(h["counts"][0]) <= FIGURE_SAMPLES * WEEK.node_num
    wrong = week_histograms(Submission("s", results=tuple(week_runs[0]["no-chaining"])))
    assert len(wrong) == 5 and any(h["counts"] != h["reference"] for h in wrong.values())
    # A probe that fails at the week's numbers is not looked at again: its page keeps the lecture's figure.
    assert not week_histograms(Submission("s", results=tuple(week_runs[0]["raises-elsewhere"])))
    assert not week_histograms(Submission("s", results=tuple(week_runs[0]["hangs-elsewhere"])))


@pytest.mark.parametrize("lang,words", [
    ("en", ("this week's set-up", "Not graded", f"{FIGURE_SAMPLES} inputs of {WEEK.input_dim} values")),
    ("ko", ("이번 주 설정", "채점과는 무관", f"입력 {FIGURE_SAMPLES}개 × {WEEK.input_dim}차원")),
])
def test_the_page_says_which_set_up_its_figure_shows(week_runs, lang, words):
    page = html.unescape(feedback_html(Submission("s", status="graded", results=tuple(week_runs[0]["right"])), lang))
    assert all(w in page for w in words) and f"sigmoid-std={WEEK.std_large:g}" in page
    lecture = html.unescape(feedback_html(Submission("s", status="graded",
                                                     results=tuple(week_runs[0]["raises-elsewhere"])), lang))
    assert not any(w in lecture for w in words[:2]) and "sigmoid-std=1" in lecture
