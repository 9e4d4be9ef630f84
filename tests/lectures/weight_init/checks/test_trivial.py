"""Points only for values that are right: output of the right shape with no right value earns at most 2/54.

The rule (see `count_aspects` in autograder/helper/runner.py): a check of an aspect of the output (shape,
mean, symmetry, input left alone, λ = 0) counts only when a value check of the same function passes.
"""
from __future__ import annotations

import pytest

from autograder.engine.steps.load import load_python
from autograder.engine.steps.run_checks import grade_sources

pytestmark = pytest.mark.sandbox

FUNCTIONS = """
import numpy as np

def sigmoid(x):
    return {elementwise}

def relu(x):
    return {elementwise}

def normal_init(n_in, n_out, rng, std):
    return {matrix}

def xavier_init(n_in, n_out, rng):
    return {matrix}

def he_init(n_in, n_out, rng):
    return {matrix}

def activation_probe(x, init, activation, n_layers, node_num, rng):
    return [{layer} for _ in range(n_layers)]

def weight_decay_penalty(weights, lam):
    return {number}

def weight_decay_grad(W, lam):
    return {like_w}

answer_saturated = answer_xavier_std = answer_he_relu_std = answer_penalty = {number}
"""

TRIVIAL = {
    "zeros": dict(elementwise="np.zeros(np.shape(x))", matrix="np.zeros((n_in, n_out))",
                  layer="np.zeros((len(x), node_num))", number="0.0", like_w="np.zeros_like(W)"),
    "nan": dict(elementwise="np.full(np.shape(x), np.nan)", matrix="np.full((n_in, n_out), np.nan)",
                layer="np.full((len(x), node_num), np.nan)", number="float('nan')", like_w="np.full_like(W, np.nan)"),
    "nan-columns": dict(elementwise="np.full(np.shape(x), np.nan)",
                        matrix="np.where(np.arange(n_out) % 2 == 0, np.nan, np.inf) * np.ones((n_in, 1))",
                        layer="np.full((len(x), node_num), np.nan)", number="float('nan')",
                        like_w="np.full_like(W, np.nan)"),
    "ones": dict(elementwise="np.ones(np.shape(x))", matrix="np.ones((n_in, n_out))",
                 layer="np.ones((len(x), node_num))", number="1.0", like_w="np.ones_like(W)"),
    "echo-the-input": dict(elementwise="np.asarray(x, dtype=float).copy()",
                           matrix="rng.standard_normal((n_in, n_out)) * 0 + np.arange(n_out)",
                           layer="x[:, :1] * np.ones((1, node_num))", number="lam", like_w="W"),
}


@pytest.fixture(scope="module")
def graded():
    sources = {name: load_python(FUNCTIONS.format(**parts).encode(), "weight_init.py") for name, parts in TRIVIAL.items()}
    return grade_sources(sources)


@pytest.mark.parametrize("name", list(TRIVIAL))
def test_trivial_output_earns_at_most_2_of_54(graded, name):
    results = graded[name]
    assert sum(r.points for r in results) == 54
    earned = [(r.check_id, r.score) for r in results if r.score > 0]
    assert sum(score for _, score in earned) <= 2, earned
