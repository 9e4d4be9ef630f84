"""A .py file is graded cell by cell, as a notebook is: one cell's crash or hang costs that cell only.

Each case breaks the cell of one analysis answer (answer_xavier_std, the second of four) in a way
learners' code does; the other answers must keep their points, in .py and .ipynb form alike, and
the broken answer must say which cell stopped and why.
"""
from __future__ import annotations


import pytest

from autograder.lectures.weight_init.helper.contract import ANSWERS
from autograder.helper.text import pick
from autograder.helper.wording import JUDGE_KINDS_KO
from autograder.engine.sandbox.limits import Limits
from autograder.engine.sandbox.runner import CELL_CRASHED, CELL_HUNG, JUDGE_MESSAGES_KO
from autograder.engine.steps.load import load_notebook, load_python
from autograder.engine.steps.run_checks import grade_sources
from tests.conftest import notebook_of, reference_source

pytestmark = pytest.mark.sandbox

STEP = 'acts = activation_probe(x, xavier_init, sigmoid, 1, NODE_NUM, rng)\n'
BREAKS = {
    "loops-forever": ("while True:\n    pass\n", "Timeout"),
    "ignores-signals-and-loops": ("import signal\nfor s in (signal.SIGTERM, signal.SIGINT, signal.SIGALRM):\n"
                                  "    signal.signal(s, signal.SIG_IGN)\nwhile True:\n    pass\n", "Timeout"),
    "memory-bomb": ("hog = []\nwhile True:\n    hog.append(np.ones(10**7))\n", None),
    "calls-a-missing-function": ("acts = [softmax(x)]\n", "NameError"),
    "exits-the-interpreter": ("import os\nos._exit(1)\n", "Crashed"),
}


def broken(case: str) -> str:
    source = reference_source()
    assert STEP in source
    return source.replace(STEP, BREAKS[case][0] + STEP, 1)


@pytest.fixture(scope="module")
def graded():
    limits = Limits(load_timeout_s=2, call_timeout_s=2)
    sources = {}
    for case in BREAKS:
        text = broken(case)
        sources[f"{case}.py"] = load_python(text.encode(), "weight_init.py")
        sources[f"{case}.ipynb"] = load_notebook(notebook_of(text).encode(), "weight_init.ipynb")
    return grade_sources(sources, limits=limits)


@pytest.mark.parametrize("form", ["py", "ipynb"])
@pytest.mark.parametrize("case", list(BREAKS))
def test_a_broken_answer_cell_costs_that_answer_only(graded, case, form):
    """Do the functions and the other three answers keep every point, and does the lost answer name
    the cell that stopped and why?"""
    results = {r.function: r for r in graded[f"{case}.{form}"] if r.function in ANSWERS}
    lost = [r.check_id for r in graded[f"{case}.{form}"] if r.score < r.points]
    assert lost == ["check_analysis_answer[answer_xavier_std]"], lost
    message = pick(results["answer_xavier_std"].message, "en")
    kind = BREAKS[case][1]
    assert "the cell that computes it stopped" in message and (kind is None or kind in message), message
    if kind in ("Timeout", "Crashed"):  # the judge's own words for a cell it stopped are Korean in Korean
        korean = pick(results["answer_xavier_std"].message, "ko")
        english = CELL_HUNG if kind == "Timeout" else CELL_CRASHED
        assert english in message and JUDGE_MESSAGES_KO[english] in korean and english not in korean, korean
        assert f"{JUDGE_KINDS_KO[kind.lower()]}: " in korean and kind not in korean, korean
