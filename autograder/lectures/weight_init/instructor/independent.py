"""Correct solutions written independently of each other: what similarity must not take for copying.

These short functions leave little room: two students who never met often write the same
``np.maximum(0, x)``.  Each function has several correct forms, taken from the kit's samples and
from the forms learners' public chapter-6 repositories use; a solution picks one form per function
at random.  The similarity report (engine/similarity.py) measures how much such solutions share and
counts only what a pair of submissions shares beyond it.
"""
from __future__ import annotations

import random

from autograder.lectures.weight_init.instructor.samples import CORRECT_VARIANTS, mutate, reference_source

#: Correct bodies of each function, other than the reference's (which every solution may also pick).
FORMS: dict[str, list[str]] = {
    "sigmoid": [
        "return 1 / (1 + np.exp(-x))",
        "return 1.0 / (1.0 + np.exp(-np.asarray(x, dtype=float)))",
        "return 0.5 * (1 + np.tanh(0.5 * np.asarray(x, dtype=float)))",
        "x = np.clip(x, -500, 500)\nreturn 1 / (1 + np.exp(-x))",
        "z = np.exp(-np.logaddexp(0, -np.asarray(x, dtype=float)))\nreturn z",
    ],
    "relu": [
        "return np.maximum(0, x)",
        "return x * (x > 0)",
        "return np.where(x > 0, x, 0)",
        "y = np.array(x, dtype=float, copy=True)\ny[y < 0] = 0\nreturn y",
        "return np.clip(x, 0, None)",
    ],
    "normal_init": [
        "return rng.normal(0, std, size=(n_in, n_out))",
        "return std * rng.standard_normal((n_in, n_out))",
        "w = rng.standard_normal(size=(n_in, n_out))\nreturn w * std",
        "return rng.normal(loc=0.0, scale=std, size=(n_in, n_out))",
    ],
    "xavier_init": [
        "return rng.normal(0.0, 1.0 / np.sqrt(n_in), size=(n_in, n_out))",
        "return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)",
        "scale = 1 / np.sqrt(n_in)\nreturn rng.standard_normal(size=(n_in, n_out)) * scale",
        "std = np.sqrt(1.0 / n_in)\nreturn rng.normal(0, std, (n_in, n_out))",
    ],
    "he_init": [
        "return rng.normal(0.0, np.sqrt(2.0 / n_in), size=(n_in, n_out))",
        "return rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)",
        "scale = np.sqrt(2.0 / n_in)\nw = rng.standard_normal(size=(n_in, n_out))\nreturn w * scale",
        "cols = [rng.standard_normal(n_in) * np.sqrt(2 / n_in) for _ in range(n_out)]\nreturn np.stack(cols, axis=1)",
    ],
    "activation_probe": [
        "activations = {}\nfor i in range(n_layers):\n    if i != 0:\n        x = activations[i - 1]\n"
        "    w = init(x.shape[1], node_num, rng)\n    activations[i] = activation(np.dot(x, w))\n"
        "return [activations[i] for i in range(n_layers)]",
        "out = []\nh = x\nfor _ in range(n_layers):\n    W = init(h.shape[1], node_num, rng)\n"
        "    h = activation(h @ W)\n    out.append(h)\nreturn out",
        "layers = []\nfor layer in range(n_layers):\n    inp = x if layer == 0 else layers[-1]\n"
        "    weight = init(inp.shape[1], node_num, rng)\n    layers.append(activation(np.dot(inp, weight)))\n"
        "return layers",
        "result = []\ncur = x\ni = 0\nwhile i < n_layers:\n    a = cur.dot(init(cur.shape[1], node_num, rng))\n"
        "    cur = activation(a)\n    result.append(cur)\n    i += 1\nreturn result",
    ],
    "weight_decay_penalty": [
        "total = 0.0\nfor w in weights:\n    total += 0.5 * lam * np.sum(w * w)\nreturn total",
        "return 0.5 * lam * sum(np.sum(W ** 2) for W in weights)",
        "s = 0\nfor W in weights:\n    s += np.sum(np.square(W))\nreturn 0.5 * lam * s",
        "return lam / 2 * np.sum([np.sum(w ** 2) for w in weights])",
    ],
    "weight_decay_grad": [
        "return lam * W",
        "return lam * np.asarray(W)",
        "grad = lam * W\nreturn grad",
    ],
}


def forms() -> dict[str, list[str]]:
    """Every correct form of each function: the kit's correct variants are among them."""
    out = {fn: list(bodies) for fn, bodies in FORMS.items()}
    for _label, fn, body in CORRECT_VARIANTS:
        if body not in out[fn]:
            out[fn].append(body)
    return out


def independent_solutions(n: int = 40, seed: int = 0) -> list[str]:
    """``n`` whole correct submissions (.py), each a random choice of one form per function (or the reference's)."""
    rng = random.Random(seed)
    base = reference_source()
    choices = forms()
    out = []
    for _ in range(n):
        source = base
        for fn, bodies in choices.items():
            pick = rng.randrange(len(bodies) + 1)
            if pick < len(bodies):  # the last choice keeps the reference's own body
                source = mutate(fn, bodies[pick], source)
        out.append(source)
    return out
