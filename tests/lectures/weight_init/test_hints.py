"""Each kind of hint that was wrong or confusing on learners' code, and what a student reads now.

One test per kind: the message or hint a typical piece of code gets, in both languages.  Most run
the helper's checks in this process (the same code as grading, see tests/lectures/weight_init/checks/test_mutants.py);
those about cells and files go through the sandbox.
"""
from __future__ import annotations

import io
import json
import math
import re
from contextlib import redirect_stdout

import numpy as np
import pytest

from tests.conftest import lab
from autograder.helper.text import pick
from autograder.engine.pipeline import GradeConfig, grade_file
from autograder.engine.report.batch import feedback_html
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.load import load_notebook, load_python
from autograder.engine.steps.run_checks import grade_sources
from tests.conftest import reference_source


def reference_namespace() -> dict:
    namespace: dict = {"__name__": "__student__"}
    exec(compile(reference_source(), "weight_init.py", "exec"), namespace)
    return namespace


def checked(functions: dict, *names: str) -> dict[str, lab.CheckResult]:
    """The self-check results of the reference with some functions replaced, by check id."""
    namespace = reference_namespace()
    namespace.update(functions)
    return {r.check_id: r for r in lab.self_check(namespace, names)}


def both(text) -> str:
    return f"{pick(text, 'en')}\n{pick(text, 'ko')}"


def graded(text: str, **limits) -> dict[str, lab.CheckResult]:
    src = {"s": load_python(text.encode(), "weight_init.py")}
    return {r.check_id: r for r in grade_sources(src, limits=Limits(**limits) if limits else Limits())["s"]}


# ---- initialisers ------------------------------------------------------------------------------


@pytest.mark.parametrize("fn,gain", [("xavier_init", 1.0), ("he_init", 2.0)])
@pytest.mark.parametrize("glorot", ["np.sqrt(2 / (n_in + n_out))", "np.sqrt(1 / (n_in + n_out))"])
def test_glorots_rule_gets_the_glorot_hint(fn, gain, glorot):
    """Does Glorot's sqrt(2/(n_in+n_out)) (and the form without the 2) get the Glorot hint?"""
    code = eval(f"lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out)) * {glorot}", {"np": np})
    r = checked({fn: code}, fn)[f"check_init_std[{fn}]"]
    assert not r.passed and "Glorot" in r.hint.en and "Glorot" in r.hint.ko


def test_forgetting_the_scale_costs_the_std_points_only():
    """A centred draw of the wrong scale: does it lose the std check only (2 points), not the mean?"""
    results = checked({"xavier_init": lambda n_in, n_out, rng: rng.standard_normal((n_in, n_out))}, "xavier_init")
    lost = {k: r.points - r.score for k, r in results.items() if r.score < r.points}
    assert lost == {"check_init_std[xavier_init]": 2.0}
    assert "표준편차가 1" in results["check_init_std[xavier_init]"].hint.ko


def test_a_uniform_draw_in_0_1_is_told_it_is_not_centred():
    results = checked({"he_init": lambda n_in, n_out, rng: rng.random((n_in, n_out))}, "he_init")
    assert "[0, 1)" in both(results["check_init_mean[he_init]"].hint)


# ---- sigmoid and relu ----------------------------------------------------------------------------


def test_the_overflow_note_only_stands_under_right_values():
    """'Your values are still right' appears under a passing check, never under a failed one."""
    textbook = checked({"sigmoid": lambda x: 1 / (1 + np.exp(-np.asarray(x, dtype=float)))}, "sigmoid")
    flipped = checked({"sigmoid": lambda x: 1 / (1 + np.exp(np.asarray(x, dtype=float)))}, "sigmoid")
    assert textbook["check_sigmoid_values"].passed and lab.OVERFLOW_NOTE in textbook["check_sigmoid_values"].notes
    for r in flipped.values():
        assert lab.OVERFLOW_NOTE not in r.notes or r.passed


def test_an_array_of_python_objects_is_named_and_explained():
    """An ndarray of dtype object: measured says so (not 'Unsupported'), the hint says why."""
    def sigmoid(x):
        values = [1 / (1 + math.exp(-min(max(v, -500.0), 500.0))) for v in np.ravel(x)]
        return np.array(values + [None], dtype=object)[:-1].reshape(np.shape(x))

    results = checked({"sigmoid": sigmoid}, "sigmoid")
    for r in results.values():
        assert not r.passed and "Unsupported" not in r.measured
        assert "dtype object" in r.measured and "dtype object" in both(r.hint), (r.check_id, r.measured)


# ---- activation_probe ---------------------------------------------------------------------------


def test_an_activation_skipped_in_one_layer_names_that_layer():
    """If one layer stores prev @ W, does the message say which layer, and the hint say only that one?"""
    def probe(x, init, activation, n_layers, node_num, rng):
        out, prev = [], x
        for k in range(n_layers):
            a = prev @ init(prev.shape[1], node_num, rng)
            prev = a if k == 2 else activation(a)
            out.append(prev)
        return out

    r = checked({"activation_probe": probe}, "activation_probe")["check_activation_probe_lecture_stats[sigmoid-std=1]"]
    assert not r.passed and r.measured.startswith("layer 3 of 5")
    assert "[3]" in r.hint.en and "[3]층" in r.hint.ko


def test_a_probe_that_raises_on_shapes_keeps_its_specific_hint():
    """init(node_num, node_num) in the first layer raises in matmul: is the hint the n_in one?"""
    def probe(x, init, activation, n_layers, node_num, rng):
        out, prev = [], x
        for _ in range(n_layers):
            prev = activation(prev @ init(node_num, node_num, rng))
            out.append(prev)
        return out

    r = checked({"activation_probe": probe}, "activation_probe")["check_activation_probe_exact"]
    assert r.status == "raised" and "x.shape[1]" in r.hint.en and "x.shape[1]" in r.hint.ko


# ---- analysis answers ---------------------------------------------------------------------------


def test_an_answer_twice_the_right_one_is_told_the_half_is_missing():
    """answer_penalty exactly twice the reference's: is the hint the missing 0.5?"""
    text = reference_source().replace("answer_penalty = float(weight_decay_penalty(matrices, LAM))",
                                      "answer_penalty = 2 * float(weight_decay_penalty(matrices, LAM))")
    r = graded(text)["check_analysis_answer[answer_penalty]"]
    assert not r.passed and "0.5" in r.hint.en and "두 배" in r.hint.ko


def test_an_answer_wrong_because_of_a_broken_function_blames_that_function():
    """A probe that drops the activation makes answer_xavier_std wrong: is activation_probe blamed
    (and not xavier_init, which passes)?"""
    body = "    activations = []\n    prev = x\n    for _ in range(n_layers):\n        w = init(prev.shape[1], node_num, rng)\n        prev = activation(prev @ w)\n"
    text = reference_source()
    assert body in text
    text = text.replace(body, body.replace("prev = activation(prev @ w)", "prev = prev @ w"))
    r = graded(text)["check_analysis_answer[answer_xavier_std]"]
    assert not r.passed and "activation_probe" in both(r.hint) and "xavier_init" not in both(r.hint)


# ---- cells and files -----------------------------------------------------------------------------


def test_a_full_width_colon_is_explained_not_reported_missing():
    """`def sigmoid(x)：` typed with a Korean input method: is the syntax error and the fix named?"""
    text = reference_source().replace("def sigmoid(x):", "def sigmoid(x)：", 1)
    r = graded(text)["check_sigmoid_values"]
    assert r.status == "missing" and "SyntaxError" in r.message.en and "line" in r.message.en
    assert "：" in both(r.hint) and "전각" in r.hint.ko


def test_a_missing_answer_names_the_cell_that_failed_and_why():
    """An answer whose cell stopped: does the message name that cell, its line and its error?"""
    text = reference_source().replace("answer_penalty = float(weight_decay_penalty(matrices, LAM))",
                                      "answer_penalty = float(weight_decay_penaltyy(matrices, LAM))")
    r = graded(text)["check_analysis_answer[answer_penalty]"]
    assert r.status == "missing" and "NameError" in r.message.en and "weight_decay_penaltyy" in r.message.en
    assert re.search(r"\(weight_init\.py, line \d+\)", r.message.en) and "멈췄습니다" in r.message.ko


def test_an_error_message_quotes_the_students_line():
    """Does an ERROR end with the student's own source line, not an empty '(file, line N: )'?"""
    text = reference_source().replace("return lam * W", "return lam * W + undefined_name", 1)
    r = graded(text)["check_weight_decay_grad_value"]
    assert r.status == "raised" and re.search(r"line \d+: return lam \* W \+ undefined_name\)", r.message.en)


def test_error_cells_are_named_so_a_student_finds_them():
    """An error in a function of code cell 2 (In [2] after "Run All"), raised while code cell 3 ran: is it
    placed at cell 2 and its line, run from cell 3, and not at cell 3 with cell 2's line number?"""
    cells = [("code", "import numpy as np"), ("markdown", "# text"),
             ("code", "def sigmoid(x):\n    y = x\n    return y + missing_name"),
             ("code", "# the answer\n\nanswer_penalty = float(sigmoid(1.0))")]
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": t, "metadata": {}, "source": s, **({"outputs": [], "execution_count": None}
                                                                       if t == "code" else {})} for t, s in cells]}
    src = {"s": load_notebook(json.dumps(nb).encode(), "weight_init.ipynb")}
    results = {x.check_id: x for x in grade_sources(src)["s"]}
    assert "(cell 2, line 3: return y + missing_name)" in results["check_sigmoid_values"].message.en
    answer = results["check_analysis_answer[answer_penalty]"]
    assert "(cell 2, line 3, run from cell 3)" in answer.message.en and "NameError" in answer.message.en


def test_a_crash_names_the_function_that_was_running():
    text = reference_source().replace("return lam * W", "import os\n    os._exit(1)", 1)
    r = graded(text, call_timeout_s=5)["check_weight_decay_grad_value"]
    assert r.status == "crashed" and "weight_decay_grad" in r.message.en and "weight_decay_grad" in r.message.ko


def test_korean_output_has_no_english_fragments_where_it_was_measured(tmp_path):
    """'(52 of 53 values differ)', the IPython note and an unreadable notebook speak Korean too, and a
    broken notebook's page says why once, not under each of its checks."""
    r = checked({"relu": lambda x: np.abs(x)}, "relu")["check_relu_values"]
    assert "값이 다름" not in r.measured and "개 다름" in r.measured
    broken = tmp_path / "weight_init.ipynb"
    broken.write_text('{"cells": [', encoding="utf-8")
    sub = grade_file(broken, GradeConfig())
    page = feedback_html(sub, "ko")
    assert "읽을 수 있는 노트북이 아닙니다" in page and "is not a readable notebook" not in page
    assert page.count(pick(sub.results[0].message, "ko")) == 1
    nb = {"nbformat": 4, "nbformat_minor": 5, "metadata": {},
          "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
                     "source": "%matplotlib inline\nimport numpy as np"}]}
    notes = load_notebook(json.dumps(nb).encode(), "weight_init.ipynb").notes
    assert notes and all(pick(n, "ko") != pick(n, "en") for n in notes)


# ---- in the notebook ---------------------------------------------------------------------------


def test_a_check_run_before_its_def_cell_says_to_run_that_cell():
    namespace = reference_namespace()
    del namespace["sigmoid"]
    r = {x.check_id: x for x in lab.self_check(namespace, ("sigmoid",))}["check_sigmoid_values"]
    assert r.status == "missing" and "def sigmoid" in r.hint.en and "Shift+Enter" in r.hint.ko
    assert "submitted file" not in r.message.en


def test_a_broken_probe_draws_no_empty_grid_and_says_why_once(monkeypatch):
    """lecture_histograms with a probe that raises: no blank 5x6 grid, one message (not one per row)."""
    import matplotlib

    matplotlib.use("Agg")
    ns = reference_namespace()

    def probe(*args):
        raise ValueError("matmul: Input operand 1 has a mismatch in its core dimension 0")

    out = io.StringIO()
    with redirect_stdout(out):
        fig = lab.lecture_histograms(probe, ns["sigmoid"], ns["relu"], ns["normal_init"], ns["xavier_init"],
                                     ns["he_init"])
    assert fig is None and out.getvalue().count("matmul") == 1 and "activation_probe" in out.getvalue()


def test_a_check_cell_does_not_echo_its_score():
    """The score is nbgrader's partial credit (text/plain) but Jupyter shows nothing more."""
    score = lab.Score(5.0)
    assert repr(score) == "5.0" and float(score) == 5.0 and score._repr_html_() == ""
