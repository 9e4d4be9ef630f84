"""The mutation suite: typical student mistakes, each injected into the reference one at a time.

Every mutant must lose points, and only on checks of the function it breaks (one bug costs
points in one place).  The textbook forms that are right (with warnings) must lose nothing.
"""
from __future__ import annotations

import re

import pytest

from autograder.steps.load import load_python
from autograder.steps.run_checks import grade_sources
from tests.conftest import reference_source

pytestmark = pytest.mark.sandbox

# (mutant id, function, body replacing the reference's solution region)
MUTANTS = [
    ("sigmoid-sign-flipped", "sigmoid", "return 1 / (1 + np.exp(x))"),
    ("sigmoid-nan-at-1000", "sigmoid", "return np.exp(x) / (1 + np.exp(x))"),
    ("sigmoid-math-exp", "sigmoid", "import math\nreturn 1 / (1 + math.exp(-x))"),
    ("sigmoid-cast-to-int", "sigmoid", "return (1 / (1 + np.exp(-x))).astype(int)"),
    ("relu-abs", "relu", "return np.abs(x)"),
    ("relu-min", "relu", "return np.minimum(0, x)"),
    ("relu-in-place", "relu", "x[x < 0] = 0\nreturn x"),
    ("normal-ignores-std", "normal_init", "return rng.standard_normal((n_in, n_out))"),
    ("normal-std-squared", "normal_init", "return rng.standard_normal((n_in, n_out)) * std ** 2"),
    ("normal-global-np-random", "normal_init", "return np.random.randn(n_in, n_out) * std"),
    ("normal-reseeds-inside", "normal_init", "return np.random.default_rng(0).standard_normal((n_in, n_out)) * std"),
    ("normal-transposed", "normal_init", "return rng.standard_normal((n_out, n_in)) * std"),
    ("normal-uniform", "normal_init", "return rng.uniform(-std, std, (n_in, n_out))"),
    ("xavier-fan-out", "xavier_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_out)"),
    ("xavier-one-over-n", "xavier_init", "return rng.standard_normal((n_in, n_out)) / n_in"),
    ("xavier-uniform-same-variance", "xavier_init",
     "b = np.sqrt(3.0 / n_in)\nreturn rng.uniform(-b, b, (n_in, n_out))"),
    ("xavier-equal-units", "xavier_init",
     "return np.tile(rng.standard_normal((n_in, 1)), (1, n_out)) * np.sqrt(1.0 / n_in)"),
    ("xavier-constant", "xavier_init", "return np.full((n_in, n_out), np.sqrt(1.0 / n_in))"),
    ("he-is-xavier", "he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)"),
    ("he-no-sqrt", "he_init", "return rng.standard_normal((n_in, n_out)) * (2.0 / n_in)"),
    ("he-glorot-fan-sum", "he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / (n_in + n_out))"),
    ("probe-stores-pre-activation", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n    a = prev @ init(prev.shape[1], node_num, rng)\n"
     "    prev = activation(a)\n    acts.append(a)\nreturn acts"),
    ("probe-no-chaining", "activation_probe",
     "return [activation(x @ init(x.shape[1], node_num, rng)) for _ in range(n_layers)]"),
    ("probe-reuses-first-w", "activation_probe",
     "acts, prev = [], x\nw = init(x.shape[1], node_num, rng)\nfor i in range(n_layers):\n"
     "    if i == 1:\n        w = w[:node_num] if w.shape[0] >= node_num else init(node_num, node_num, rng)\n"
     "    prev = activation(prev @ w)\n    acts.append(prev)\nreturn acts"),
    ("probe-one-layer-short", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers - 1):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n"
     "    acts.append(prev)\nreturn acts"),
    ("probe-transposed-init", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n    prev = activation(prev @ init(node_num, prev.shape[1], rng).T)\n"
     "    acts.append(prev)\nreturn acts"),
    ("probe-returns-lecture-dict", "activation_probe",
     "acts, prev = {}, x\nfor i in range(n_layers):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\n"
     "    acts[i] = prev\nreturn acts"),
    ("probe-new-rng-per-layer", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n"
     "    prev = activation(prev @ init(prev.shape[1], node_num, np.random.default_rng()))\n"
     "    acts.append(prev)\nreturn acts"),
    ("penalty-no-half", "weight_decay_penalty", "return lam * sum(float(np.sum(w ** 2)) for w in weights)"),
    ("penalty-l1", "weight_decay_penalty", "return 0.5 * lam * sum(float(np.sum(np.abs(w))) for w in weights)"),
    ("penalty-first-matrix-only", "weight_decay_penalty", "return 0.5 * lam * float(np.sum(weights[0] ** 2))"),
    ("penalty-array-per-matrix", "weight_decay_penalty", "return 0.5 * lam * np.array([np.sum(w ** 2) for w in weights])"),
    ("grad-twice", "weight_decay_grad", "return 2 * lam * W"),
    ("grad-scalar", "weight_decay_grad", "return lam"),
    ("grad-missing-lambda", "weight_decay_grad", "return W"),
]

# Right answers in other forms: they must keep full marks.
CORRECT_VARIANTS = [
    ("sigmoid-textbook", "sigmoid", "return 1 / (1 + np.exp(-x))"),
    ("sigmoid-tanh-form", "sigmoid", "return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))"),
    ("relu-mask", "relu", "return x * (x > 0)"),
    ("xavier-rng-normal", "xavier_init", "return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))"),
    ("he-loop-over-columns", "he_init",
     "cols = [rng.standard_normal(n_in) * np.sqrt(2 / n_in) for _ in range(n_out)]\nreturn np.stack(cols, axis=1)"),
    ("probe-lecture-style-loop", "activation_probe",
     "activations = {}\nfor i in range(n_layers):\n    if i != 0:\n        x = activations[i - 1]\n"
     "    w = init(x.shape[1], node_num, rng)\n    activations[i] = activation(np.dot(x, w))\n"
     "return [activations[i] for i in range(n_layers)]"),
    ("penalty-loop", "weight_decay_penalty",
     "total = 0.0\nfor w in weights:\n    total += 0.5 * lam * np.sum(w * w)\nreturn total"),
]


def mutate(function: str, body: str) -> str:
    """The reference with ``function``'s solution region replaced by ``body``."""
    source = reference_source()
    pattern = re.compile(rf"(def {function}\(.*?### BEGIN SOLUTION\n)(.*?)(\s*### END SOLUTION)", re.S)
    indent = "    "
    replaced, n = pattern.subn(lambda m: m.group(1) + "\n".join(indent + line for line in body.split("\n")) + m.group(3),
                               source, count=1)
    assert n == 1, function
    return replaced


@pytest.fixture(scope="module")
def graded():
    sources = {mid: load_python(mutate(fn, body).encode(), "weight_init.py") for mid, fn, body in MUTANTS + CORRECT_VARIANTS}
    return grade_sources(sources)


@pytest.mark.parametrize("mid,function,body", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_each_mistake_loses_points_only_on_its_own_function(graded, mid, function, body):
    """Does the mutant lose points, all of them on checks of the function it breaks?"""
    lost = [r for r in graded[mid] if r.score < r.points]
    assert lost, f"{mid} lost no points"
    assert {r.function for r in lost} == {function}, [(r.check_id, r.status) for r in lost]
    assert all(function in r.check_id for r in lost)
    for r in lost:  # every lost point is explained: expected/measured or what happened, and a hint
        assert r.hint is not None and (r.expected or r.message is not None), r.check_id


@pytest.mark.parametrize("mid,function,body", CORRECT_VARIANTS, ids=[m[0] for m in CORRECT_VARIANTS])
def test_right_answers_in_other_forms_keep_full_marks(graded, mid, function, body):
    """Do other correct forms (the textbook sigmoid, loops, rng.normal) keep every point?"""
    lost = [(r.check_id, r.status, r.expected, r.measured) for r in graded[mid] if r.score < r.points]
    assert not lost


def test_the_textbook_sigmoid_gets_a_note_about_overflow_but_no_penalty(graded):
    """Is the overflow warning of 1/(1+np.exp(-x)) mentioned as a note while it scores full marks?"""
    values = next(r for r in graded["sigmoid-textbook"] if r.check_id == "test_sigmoid_values")
    assert values.passed and any("overflow" in n.en for n in values.notes)


@pytest.mark.parametrize("mid,needle", [
    ("xavier-fan-out", "n_out"), ("he-is-xavier", "Xavier"), ("he-no-sqrt", "square root"),
    ("probe-stores-pre-activation", "before the activation"), ("probe-no-chaining", "previous layer"),
    ("penalty-no-half", "0.5"), ("normal-reseeds-inside", "re-seed"), ("xavier-uniform-same-variance", "uniform"),
    ("probe-returns-lecture-dict", "list"), ("relu-in-place", "caller's array"), ("grad-twice", "0.5"),
])
def test_typical_mistakes_get_the_hint_that_names_them(graded, mid, needle):
    """Does the hint name the specific mistake (not only the generic rule)?"""
    hints = " ".join(r.hint.en for r in graded[mid] if r.score < r.points and r.hint)
    assert needle in hints
