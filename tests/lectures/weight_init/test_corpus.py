"""A corpus of the code learners write for this chapter, graded as .py and as a notebook.

The cases are written here, after reading how public learner repositories implement chapter 6 of
"Deep Learning from Scratch" (밑바닥부터 시작하는 딥러닝, weight_init_activation_histogram.py and
its variations) and their own initialisers: the book's dict of activations, np.random.randn with
the node count of the book's square layers, np.random.rand typed for randn, the chaining typo
activations[i-i], a probe with the book's sigmoid built in, the variance passed as a std,
Glorot's rule, loops instead of arrays.  For each case the test states
which functions lose points and which analysis answers (computed with those functions by the
student's own cells) lose points with them: nothing else may.
"""
from __future__ import annotations

import re

import pytest

from autograder.lectures.weight_init.helper.contract import ANSWERS
from autograder.lectures.weight_init.instructor.samples import mutate
from autograder.engine.steps.load import load_notebook, load_python
from autograder.engine.steps.run_checks import grade_sources
from tests.conftest import notebook_of

pytestmark = pytest.mark.sandbox

BOOK_LOOP = ("activations = {}\nfor i in range(n_layers):\n    if i != 0:\n        x = activations[i - 1]\n"
             "    w = init(x.shape[1], node_num, rng)\n    a = np.dot(x, w)\n    z = activation(a)\n"
             "    activations[i] = z\n")

#: (case, {function: body}, functions that lose points, answers that lose points)
CASES = [
    ("book-dict-of-activations", {"activation_probe": BOOK_LOOP + "return activations"},
     {"activation_probe"}, set()),  # the analysis cells' acts[0] still works on the dict
    ("book-loop-as-a-list", {"activation_probe": BOOK_LOOP + "return [activations[i] for i in range(n_layers)]"},
     set(), set()),
    ("book-sigmoid-built-into-the-probe",
     {"activation_probe": BOOK_LOOP.replace("z = activation(a)", "z = 1 / (1 + np.exp(-a))")
      + "return list(activations.values())"},
     {"activation_probe"}, {"answer_he_relu_std"}),
    ("book-square-layers-in-the-inits",
     {"xavier_init": "return np.random.randn(n_out, n_out) * np.sqrt(1.0 / n_out)"},
     {"xavier_init"}, set()),  # the probe's square hidden layers hide it in the answer (n_in = node_num)
    ("global-np-random-instead-of-rng",
     {"normal_init": "return np.random.randn(n_in, n_out) * std",
      "he_init": "return np.random.randn(n_in, n_out) * np.sqrt(2 / n_in)"},
     {"normal_init", "he_init"}, set()),  # the rng contract only: the statistics are right
    ("variance-passed-as-std", {"normal_init": "return rng.normal(0, std ** 2, size=(n_in, n_out))"},
     {"normal_init"}, set()),  # the lecture's std_large is 1 and 1 ** 2 = 1: the answer cannot tell
    ("glorot-for-he", {"he_init": "return rng.standard_normal((n_in, n_out)) * np.sqrt(2 / (n_in + n_out))"},
     {"he_init"}, {"answer_he_relu_std"}),
    ("sqrt-2-over-n", {"he_init": "return rng.standard_normal((n_in, n_out)) * np.sqrt(2) / n_in"},
     {"he_init"}, {"answer_he_relu_std"}),
    ("sigmoid-with-math-exp-in-a-loop",
     {"sigmoid": "import math\nx = np.asarray(x, dtype=float)\nout = np.empty_like(x)\n"
                 "for i, v in np.ndenumerate(x):\n    out[i] = 1 / (1 + math.exp(-v)) if v > -700 else 0.0\nreturn out"},
     set(), set()),
    ("relu-by-a-mask-in-place", {"relu": "x[x <= 0] = 0\nreturn x"}, {"relu"}, set()),
    ("penalty-of-the-last-layer-only",
     {"weight_decay_penalty": "W = weights[-1]\nreturn 0.5 * lam * np.sum(W ** 2)"},
     {"weight_decay_penalty"}, {"answer_penalty"}),
    ("penalty-summed-then-squared",
     {"weight_decay_penalty": "return 0.5 * lam * sum(np.sum(w) ** 2 for w in weights)"},
     {"weight_decay_penalty"}, {"answer_penalty"}),
    ("grad-of-the-sum", {"weight_decay_grad": "return lam * np.sum(W)"}, {"weight_decay_grad"}, set()),
    ("uniform-rand-instead-of-randn", {"he_init": "return rng.random((n_in, n_out)) * np.sqrt(2 / n_in)"},
     {"he_init"}, {"answer_he_relu_std"}),  # np.random.rand for randn, seen in learners' He runs
    ("chaining-typo-i-minus-i", {"activation_probe": BOOK_LOOP.replace("activations[i - 1]", "activations[i - i]")
                                 + "return [activations[i] for i in range(n_layers)]"},
     {"activation_probe"}, set()),  # every layer after the first reads layer 1: the one-layer answers are right
    ("probe-one-layer-short",
     {"activation_probe": "acts, prev = [], x\nfor _ in range(n_layers - 1):\n"
                          "    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n    acts.append(prev)\nreturn acts"},
     {"activation_probe"}, {"answer_saturated", "answer_xavier_std", "answer_he_relu_std"}),
    # Code that works for one number only, typos and precedence: each with the hint of its real cause (HINTS).
    ("sigmoid-one-over-one-plus", {"sigmoid": "return 1/1+np.exp(-x)"},
     {"sigmoid"}, {"answer_saturated", "answer_xavier_std"}),
    ("relu-maximum-with-out-x", {"relu": "return np.maximum(x, 0, x)"}, {"relu"}, set()),  # right values: the
    # answers are right too, only the input (and a scalar input) show it
    ("relu-python-max", {"relu": "return max(0, x)"}, {"relu"}, {"answer_he_relu_std"}),
    ("relu-if-branch", {"relu": "if x > 0:\n    return x\nelse:\n    return 0"}, {"relu"}, {"answer_he_relu_std"}),
    ("sigmoid-math-exp", {"sigmoid": "import math\nreturn 1/(1+math.exp(-x))"},
     {"sigmoid"}, {"answer_saturated", "answer_xavier_std"}),
    ("he-init-np-random-radn", {"he_init": "W = np.random.radn(n_in, n_out) * np.sqrt(2 / n_in)\nreturn W"},
     {"he_init"}, {"answer_he_relu_std"}),
    ("decay-class-with-sef",
     {"weight_decay_penalty": "class WeightDecay:\n    def __init__(self, lam):\n        self.lam = lam\n\n"
                              "    def penalty(self, weights):\n        total = 0\n        for w in weights:\n"
                              "            total += np.sum(w ** 2)\n        return 0.5 * sef.lam * total\n\n"
                              "return WeightDecay(lam).penalty(weights)"},
     {"weight_decay_penalty"}, {"answer_penalty"}),
    ("grad-filled-into-a-float",
     {"weight_decay_grad": "grad = 0.0\nfor i in range(W.shape[0]):\n    grad[i] = lam * W[i]\nreturn grad"},
     {"weight_decay_grad"}, set()),
    ("probe-stores-pre-activations",
     {"activation_probe": "acts, prev = [], x\nfor _ in range(n_layers):\n    a = prev @ init(prev.shape[1], node_num, rng)\n"
                          "    acts.append(a)\n    prev = activation(a)\nreturn acts"},
     {"activation_probe"}, {"answer_saturated", "answer_xavier_std", "answer_he_relu_std"}),
]

#: case: (check id, text in the English hint, text in the Korean hint) of checks that name the real cause.
HINTS = {
    "sigmoid-one-over-one-plus": [("check_sigmoid_values", "Operator precedence", "우선순위")],
    "relu-maximum-with-out-x": [("check_relu_input_unchanged", "np.maximum(x, 0, x)", "세 번째 인자"),
                                ("check_relu_shapes", "out=", "세 번째 인자")],
    "relu-python-max": [("check_relu_values", "np.maximum(0, x)", "np.maximum(0, x)"),
                        ("check_relu_values", "Python's max(0, x)", "파이썬의 max(0, x)")],
    "relu-if-branch": [("check_relu_values", "`if x > 0:`", "원소별로"),
                       ("check_relu_values", "np.where(x > 0, x, 0)", "np.where(x > 0, x, 0)")],
    "sigmoid-math-exp": [("check_sigmoid_values", "use np.exp(x)", "np.exp(x)")],
    "he-init-np-random-radn": [("check_init_std[he_init]", "did you mean np.random.randn?", "np.random.randn")],
    "decay-class-with-sef": [("check_weight_decay_penalty_value", "`sef` is not defined in this function",
                              "이 함수 안에서")],
    "grad-filled-into-a-float": [("check_weight_decay_grad_value", "'float'", "배열 연산")],
    # the calls are right: the values are blamed (the call check's point is held by the aspect rule, saying so)
    "probe-stores-pre-activations": [("check_activation_probe_exact", "You stored prev @ W", "활성화 함수 적용 전"),
                                     ("check_activation_probe_init_calls", "Fix the values first", "값을 고치세요")],
}

#: case: checks that must pass: the mistake is not theirs to judge.
KEPT = {"book-sigmoid-built-into-the-probe": ["check_activation_probe_init_calls", "check_activation_probe_layers"],
        "relu-maximum-with-out-x": ["check_relu_values"]}


def source_of(changes: dict[str, str]) -> str:
    text = None
    for function, body in changes.items():
        text = mutate(function, body, text)
    return text


@pytest.fixture(scope="module")
def graded():
    sources = {}
    for case, changes, _, _ in CASES:
        text = source_of(changes)
        sources[f"{case}.py"] = load_python(text.encode(), "weight_init.py")
        sources[f"{case}.ipynb"] = load_notebook(notebook_of(text).encode(), "weight_init.ipynb")
    return grade_sources(sources)


@pytest.mark.parametrize("form", ["py", "ipynb"])
@pytest.mark.parametrize("case,changes,functions,answers", CASES, ids=[c[0] for c in CASES])
def test_a_learners_mistake_costs_its_function_and_the_answers_it_computes(graded, case, changes, functions,
                                                                          answers, form):
    """Do exactly these functions and answers lose points, each with a hint?"""
    results = graded[f"{case}.{form}"]
    lost = [r for r in results if r.score < r.points]
    assert {r.function for r in lost if r.function not in ANSWERS} == functions, \
        [(r.check_id, r.status, r.measured) for r in lost]
    assert {r.function for r in lost if r.function in ANSWERS} == answers, \
        [(r.check_id, r.status, r.measured) for r in lost]
    assert all(r.hint is not None for r in lost)


@pytest.mark.parametrize("form", ["py", "ipynb"])
@pytest.mark.parametrize("case", sorted(HINTS))
def test_a_learners_error_gets_the_hint_of_its_real_cause(graded, case, form):
    """Does each check named in HINTS lose points with a hint naming the real cause, in English and in
    Korean (Hangul, not the English text again), and not the generic 'argument order' or 'earlier cell'?"""
    results = {r.check_id: r for r in graded[f"{case}.{form}"]}
    for check_id, en, ko in HINTS[case]:
        r = results[check_id]
        assert r.score < r.points and r.hint is not None, (check_id, r.status)
        assert en in r.hint.en, (check_id, r.hint.en)
        assert ko in r.hint.ko and re.search(r"[가-힣]", r.hint.ko), (check_id, r.hint.ko)
        assert "order of the template" not in r.hint.en and "earlier cell should have made" not in r.hint.en


@pytest.mark.parametrize("form", ["py", "ipynb"])
@pytest.mark.parametrize("case", sorted(KEPT))
def test_a_learners_mistake_leaves_the_checks_it_does_not_concern(graded, case, form):
    results = {r.check_id: r for r in graded[f"{case}.{form}"]}
    assert [c for c in KEPT[case] if not results[c].passed] == []
