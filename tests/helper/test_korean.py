"""What a Korean-mode student reads: no English-only expected/measured lines from the shared checks, the
right cause for `return 0`, numbered demo steps, and a status label that does not wrap."""
from __future__ import annotations

import contextlib
import io

import numpy as np

from tests.conftest import lab


def _self_check(source: str, names: tuple[str, ...]):
    namespace: dict = {"np": np}
    exec(source, namespace)
    return lab.self_check(namespace, names)


def test_a_function_returning_one_number_is_told_so_not_to_check_the_dimension_order():
    results = _self_check("def sigmoid(x):\n    return 0\n", ("sigmoid",))
    shaped = [r for r in results if r.hint is not None and "숫자 하나" in r.hint.ko]
    assert shaped, [(r.check_id, r.hint) for r in results]
    assert all("차원 순서" not in r.hint.ko for r in shaped) and "one number" in shaped[0].hint.en
    assert any("모양" in r.expected for r in results if not r.passed)


def test_nan_results_are_said_in_korean_too():
    results = _self_check("def sigmoid(x):\n    return x * np.nan\n", ("sigmoid",))
    said = " ".join(f"{r.expected} {r.measured}" for r in results if not r.passed)
    assert "유한한 수" in said or "개 중" in said, said


def test_the_symmetry_demo_numbers_its_steps_in_order():
    def probe(x, init, activation, n_layers, node_num, rng):
        out, prev = [], x
        for _ in range(n_layers):
            prev = activation(prev @ init(prev.shape[1], node_num, rng))
            out.append(prev)
        return out

    def xavier(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        lab.symmetry_demo(probe, lambda a: 1 / (1 + np.exp(-a)), xavier)
    steps = [line.split(")")[0].strip() for line in buf.getvalue().splitlines() if line[:3].strip().rstrip(")").isdigit()]
    assert steps == ["1", "2", "3"], buf.getvalue()


def test_the_feedback_pages_status_column_does_not_wrap():
    from autograder.engine.report.batch import _CSS

    assert "td:first-child{white-space:nowrap}" in _CSS


def test_a_self_check_cells_result_is_its_score_never_an_empty_prompt():
    """nbgrader reads the cell result's text/plain as partial credit (a bare number); Jupyter shows its
    HTML, which says the score out of the points in both languages instead of an empty Out[n]."""
    from autograder.helper.notebook import Score

    score = Score(3.0, 5.0)
    assert repr(score) == "3.0" and float(score) == 3.0
    shown = score._repr_html_()
    assert "3 / 5" in shown and "점수" in shown and "score" in shown
