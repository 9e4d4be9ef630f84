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
]


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
