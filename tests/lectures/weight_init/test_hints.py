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
from autograder.helper.wording import failure_message
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


def korean(text: str) -> bool:
    """Does the text speak Korean (Hangul in it), not English with Korean punctuation?"""
    return re.search(r"[가-힣]", text) is not None


@pytest.mark.parametrize("form", ["1/1 + np.exp(-x)", "1/1+np.exp(-x)", "np.exp(-x) + 1/1"])
def test_a_missing_pair_of_parentheses_in_sigmoid_is_named_as_precedence(form):
    """`1/1 + np.exp(-x)` is 1 + e^-x (inf at x = -1000): was it blamed on exp(x)/(1+exp(x))?  Now the
    hint names operator precedence, in both languages."""
    code = eval(f"lambda x: (lambda x: {form})(np.asarray(x, dtype=float))", {"np": np})
    r = checked({"sigmoid": code}, "sigmoid")["check_sigmoid_values"]
    assert not r.passed
    assert "precedence" in r.hint.en and "1 / (1 + np.exp(-x))" in r.hint.en and "exp(x)/(1+exp(x))" not in r.hint.en
    assert "우선순위" in r.hint.ko and "1 / (1 + np.exp(-x))" in r.hint.ko and korean(r.hint.ko)


def test_a_sigmoid_of_exp_x_over_1_plus_exp_x_keeps_its_own_hint():
    """The nan of exp(x)/(1+exp(x)) at x = 1000 is still explained as that, not as precedence."""
    def sigmoid(x):
        x = np.asarray(x, dtype=float)
        return np.exp(x) / (1 + np.exp(x))

    r = checked({"sigmoid": sigmoid}, "sigmoid")["check_sigmoid_values"]
    assert not r.passed and "exp(x)/(1+exp(x))" in r.hint.en and "precedence" not in r.hint.en


@pytest.mark.parametrize("body", ["np.maximum(x, 0, x)", "(x.__setitem__(x < 0, 0), x)[1]"])
def test_relu_writing_into_its_input_names_both_forms_and_out(body):
    """np.maximum(x, 0, x) (out=x) and x[x<0] = 0 leave the same x behind: the hint names both, says
    that np.maximum's third argument is its output, and gives np.maximum(0, x)."""
    relu = eval(f"lambda x: {body}", {"np": np})
    r = checked({"relu": relu}, "relu")["check_relu_input_unchanged"]
    assert not r.passed and r.measured.en.startswith("x was modified in place")
    for text in (r.hint.en, r.hint.ko):
        assert "np.maximum(x, 0, x)" in text and "x[x < 0] = 0" in text and "out=" in text
        assert "np.maximum(0, x)" in text
    assert "third argument is the output" in r.hint.en and "세 번째 인자" in r.hint.ko and korean(r.hint.ko)


def test_np_maximum_into_a_scalar_input_is_explained_by_its_out_argument():
    """np.maximum(x, 0, x) on a single number raises 'return arrays must be of ArrayType': the hint says
    the third argument is out=, not to check the argument order."""
    r = checked({"relu": lambda x: np.maximum(x, 0, x)}, "relu")["check_relu_shapes"]
    assert r.status == "raised" and "ArrayType" in r.message.en
    assert "out=" in r.hint.en and "np.maximum(0, x)" in r.hint.en and "order of the template" not in r.hint.en
    assert "세 번째 인자" in r.hint.ko and "np.maximum(0, x)" in r.hint.ko


def test_relu_changing_its_input_otherwise_is_not_told_about_masks():
    def relu(x):
        x *= 2
        return np.maximum(0, x) / 2

    r = checked({"relu": relu}, "relu")["check_relu_input_unchanged"]
    assert not r.passed and "np.maximum(x, 0, x)" not in r.hint.en and "np.maximum(0, x)" in r.hint.en
    assert "np.maximum(0, x)" in r.hint.ko and korean(r.hint.ko)


# ---- runtime errors of code written for one number ----------------------------------------------------


@pytest.mark.parametrize("relu,en,ko", [
    (lambda x: max(0, x), "np.maximum(0, x)", "np.maximum(0, x)"),
    (lambda x: x if x > 0 else 0, "np.where", "np.where"),
])
def test_code_for_one_number_gets_the_elementwise_form(relu, en, ko):
    """Python's max(0, x) and `x if x > 0 else 0` on an array: the ValueError's hint names numpy's
    elementwise form, in this process (no source lines of the student's code) as in the sandbox."""
    r = checked({"relu": relu}, "relu")["check_relu_values"]
    assert r.status == "raised" and "truth value" in r.message.en
    assert en in r.hint.en and ko in r.hint.ko and korean(r.hint.ko) and "order of the template" not in r.hint.en


def test_math_exp_on_an_array_is_told_to_use_np_exp():
    r = checked({"sigmoid": lambda x: 1 / (1 + math.exp(-x))}, "sigmoid")["check_sigmoid_values"]
    assert r.status == "raised" and "Python scalars" in r.message.en
    assert "math.exp" in r.hint.en and "np.exp(x)" in r.hint.en
    assert "math.exp" in r.hint.ko and "np.exp(x)" in r.hint.ko and korean(r.hint.ko)


def test_item_assignment_on_a_float_names_array_operations():
    def weight_decay_grad(W, lam):
        grad = 0.0
        for i in range(W.shape[0]):
            grad[i] = lam * W[i]
        return grad

    r = checked({"weight_decay_grad": weight_decay_grad}, "weight_decay_grad")["check_weight_decay_grad_value"]
    assert r.status == "raised" and "item assignment" in r.message.en
    assert "'float'" in r.hint.en and "lam * W" in r.hint.en and "np.zeros_like(W)" in r.hint.en
    assert "lam * W" in r.hint.ko and "배열" in r.hint.ko and korean(r.hint.ko)


@pytest.mark.parametrize("call,wrong,right", [("np.random.radn(n_in, n_out)", "np.random.radn", "np.random.randn"),
                                              ("np.random.randn(n_in, n_out) * np.sqroot(2 / n_in)", "np.sqroot",
                                               "np.sqrt")])
def test_a_misspelled_numpy_name_gets_the_closest_real_one(call, wrong, right):
    code = eval(f"lambda n_in, n_out, rng: {call}", {"np": np})
    r = checked({"he_init": code}, "he_init")["check_init_std[he_init]"]
    assert r.status == "raised" and "AttributeError" in r.message.en
    assert f"{wrong} does not exist" in r.hint.en and f"did you mean {right}?" in r.hint.en
    assert wrong in r.hint.ko and right in r.hint.ko and "없습니다" in r.hint.ko


def test_an_unknown_module_attribute_is_still_worded_without_numpy_guesses():
    """A module that is not numpy's (or not importable) gets no guess but still a hint, never an error."""
    _, hint = failure_message("raised", "he_init", {"type": "AttributeError", "frames": [],
                                                      "message": "module 'numpy.nosuchmodule' has no attribute 'radn'"})
    assert "np.nosuchmodule.radn does not exist" in hint.en and "did you mean" not in hint.en and korean(hint.ko)


# ---- NameError: a typo in the function, or a name an earlier cell makes -----------------------------------


def _name_error(kind: str, name: str, frames=(), **error) -> tuple:
    message = f"name '{name}' is not defined"
    if kind == "raised":
        return failure_message("raised", "weight_decay_penalty",
                               {"type": "NameError", "message": message, "frames": [list(f) for f in frames]})
    return failure_message("missing", "answer_penalty",
                           {"cell_error": {"cell": "cell 14", "type": "NameError", "message": message, **error}})


def test_a_name_error_inside_the_function_is_a_typo_there_not_an_earlier_cell():
    """`sef.lam` in the function's own body: the hint quotes the name, says it is not defined in this
    function and suggests self; it does not send the student to an earlier cell."""
    _, hint = _name_error("raised", "sef", [("<student cell 8>", 8, "return 0.5 * sef.lam * sum(np.sum(w ** 2) for w in ws)")])
    assert "`sef` is not defined in this function" in hint.en and "`self`" in hint.en and "earlier cell" not in hint.en
    assert "`sef`" in hint.ko and "이 함수 안에서" in hint.ko and "`self`" in hint.ko and "앞 셀" not in hint.ko


def test_a_misspelled_local_is_matched_against_the_line_it_is_in():
    _, hint = _name_error("raised", "weigths", [("<student cell 8>", 3, "total = sum(np.sum(w * w) for w in weigths)")])
    assert "`weigths` is not defined in this function" in hint.en and "earlier cell" not in hint.en


def test_a_name_error_in_an_earlier_cells_function_called_from_this_cell_is_placed_in_that_function():
    """The answer cell ran a function of cell 8 that raised (error 'at' cell 8): the name is that function's."""
    _, hint = _name_error("missing", "sef", at="cell 8", line=8)
    assert "`sef` is not defined in this function" in hint.en and "`sef`" in hint.ko and "이 함수 안에서" in hint.ko


@pytest.mark.parametrize("name,frames", [("LAM", [("<student cell 8>", 2, "return 0.5 * LAM * total")]),
                                         ("sigmoid", [("<student cell 6>", 5, "prev = sigmoid(prev @ w)")])])
def test_names_that_an_earlier_cell_makes_keep_the_earlier_cell_hint(name, frames):
    """A notebook constant (LAM) or another function (called) inside a graded function: run the cell that makes it."""
    _, hint = _name_error("raised", name, frames)
    assert f"`{name}" in hint.en and ("earlier cell" in hint.en or "cell that defines it" in hint.en)
    assert "앞 셀" in hint.ko or "정의하는 셀" in hint.ko


def test_a_name_error_at_the_top_level_of_a_cell_is_an_earlier_cells_name():
    _, hint = _name_error("missing", "matrices", line=3)
    assert "earlier cell" in hint.en and "`matrices`" in hint.en and "앞 셀" in hint.ko and "`matrices`" in hint.ko


def test_a_class_style_decay_with_sef_is_a_typo_in_the_function_when_graded():
    """Through the sandbox: a class-style weight decay whose method says sef.lam."""
    body = ("class WeightDecay:\n    def __init__(self, lam):\n        self.lam = lam\n\n"
            "    def penalty(self, weights):\n        return 0.5 * sef.lam * sum(np.sum(w ** 2) for w in weights)\n\n"
            "return WeightDecay(lam).penalty(weights)")
    from autograder.lectures.weight_init.instructor.samples import mutate

    r = graded(mutate("weight_decay_penalty", body))["check_weight_decay_penalty_value"]
    assert r.status == "raised" and "sef.lam" in r.message.en
    assert "`sef` is not defined in this function" in r.hint.en and "`self`" in r.hint.en
    assert "이 함수 안에서" in r.hint.ko and "earlier cell" not in r.hint.en


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
        assert not r.passed and "Unsupported" not in both(r.measured)
        assert all("dtype object" in text for text in (r.measured.en, r.measured.ko, both(r.hint))), (r.check_id, r.measured)


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
    assert not r.passed and r.measured.en.startswith("layer 3 of 5") and r.measured.ko.startswith("5개 층 중 3층")
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


def _probe_with(store=lambda a, z: z, draw=lambda init, prev, node_num, rng, k: init(prev.shape[1], node_num, rng)):
    def probe(x, init, activation, n_layers, node_num, rng):
        out, prev = [], x
        for k in range(n_layers):
            a = prev @ draw(init, prev, node_num, rng, k)
            prev = activation(a)
            out.append(store(a, prev))
        return out
    return probe


def test_a_probe_whose_only_bug_is_its_values_keeps_the_init_call_point():
    """The book's sigmoid built into the probe (not the activation it is given): the exact check fails,
    the calls are right, so the call check passes (it judges the calls only, never the values)."""
    probe = _probe_with(store=lambda a, z: 1 / (1 + np.exp(-a)))
    results = checked({"activation_probe": probe}, "activation_probe")
    assert not results["check_activation_probe_exact"].passed
    assert results["check_activation_probe_lecture_stats[sigmoid-He]"].passed
    assert results["check_activation_probe_init_calls"].passed


@pytest.mark.parametrize("store", [lambda a, z: a, lambda a, z: 2 * z])
def test_a_probe_with_every_value_wrong_is_told_about_values_not_calls(store):
    """Every value check fails (prev @ W stored, or 2x the activations): the call check is an aspect
    check, so its point is held, and what it says is that the calls are right and the values are not."""
    r = checked({"activation_probe": _probe_with(store=store)}, "activation_probe")["check_activation_probe_init_calls"]
    assert not r.passed and r.expected == "" and "Right in this respect" in r.message.en
    assert "Fix the values first" in r.hint.en and "값을 고치세요" in r.hint.ko and "init(" not in r.hint.en


def test_the_init_call_check_still_judges_the_calls():
    """A transposed shape, a Generator of its own, one matrix reused for every layer: each fails the calls."""
    drawn = {}

    def draw_reused(init, prev, node_num, rng, k):  # one W per input width, reused by the later layers
        if prev.shape[1] not in drawn:
            drawn[prev.shape[1]] = init(prev.shape[1], node_num, rng)
        return drawn[prev.shape[1]]

    transposed = _probe_with(draw=lambda init, prev, node_num, rng, k: init(node_num, prev.shape[1], rng).T)
    own_rng = _probe_with(draw=lambda init, prev, node_num, rng, k: init(prev.shape[1], node_num,
                                                                         np.random.default_rng(0)))
    r = checked({"activation_probe": transposed}, "activation_probe")["check_activation_probe_init_calls"]
    assert not r.passed and "previous layer's width first" in r.hint.en and "앞 층의 너비" in r.hint.ko
    r = checked({"activation_probe": own_rng}, "activation_probe")["check_activation_probe_init_calls"]
    assert not r.passed and "rng" in r.hint.en and "rng" in r.hint.ko and korean(r.hint.ko)
    r = checked({"activation_probe": _probe_with(draw=draw_reused)}, "activation_probe")["check_activation_probe_init_calls"]
    assert not r.passed and "per layer" in r.hint.en and "층마다" in r.hint.ko


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
    # In Korean the place is Korean too (issue 21).
    assert "(셀 2, 3번째 줄: return y + missing_name)" in results["check_sigmoid_values"].message.ko
    assert "(셀 2, 3번째 줄, 셀 3에서 실행)" in answer.message.ko


def test_a_crash_names_the_function_that_was_running():
    text = reference_source().replace("return lam * W", "import os\n    os._exit(1)", 1)
    r = graded(text, call_timeout_s=5)["check_weight_decay_grad_value"]
    assert r.status == "crashed" and "weight_decay_grad" in r.message.en and "weight_decay_grad" in r.message.ko


def test_korean_output_has_no_english_fragments_where_it_was_measured(tmp_path):
    """'(52 of 53 values differ)', the IPython note and an unreadable notebook speak Korean too, and a
    broken notebook's page says why once, not under each of its checks."""
    r = checked({"relu": lambda x: np.abs(x)}, "relu")["check_relu_values"]
    assert "값이 다름" not in r.measured.ko and "개 다름" in r.measured.ko and "values differ" not in r.measured.ko
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


def test_a_check_cells_result_is_a_bare_number_for_nbgrader_and_a_line_for_people():
    """The score is nbgrader's partial credit (text/plain, a bare number); Jupyter shows its HTML, a short
    score line rather than an empty Out[n] (tests/helper/test_korean.py checks the points too)."""
    score = lab.Score(5.0)
    assert repr(score) == "5.0" and float(score) == 5.0 and "5" in score._repr_html_()
