"""The experiments' network: backprop against numerical gradients, weight decay, init validation."""
from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from autograder.lectures.weight_init.experiments.net import (
    InitProblem, MultiLayerNet, checked_weights, draw_weights, layer_seeds, softmax_cross_entropy,
)
from autograder.reference import functions as ref


def small_problem(activation: str, lam: float, seed: int = 0):
    """A 6-5-4-3 net with non-zero biases on 4 samples (biases matter for the check)."""
    rng = np.random.default_rng(seed)
    net = MultiLayerNet.from_init([6, 5, 4, 3], ref.he_init, seed, activation, weight_decay=lam)
    net.b = [rng.standard_normal(b.shape) * 0.1 for b in net.b]
    x = rng.standard_normal((4, 6))
    t = np.eye(3)[rng.integers(0, 3, 4)]
    return net, x, t


def numerical_gradient(f, param: np.ndarray, h: float = 1e-5) -> np.ndarray:
    """Central differences of f() with respect to every entry of ``param`` (changed in place, then restored)."""
    grad = np.zeros_like(param)
    for i in np.ndindex(param.shape):
        keep = param[i]
        param[i] = keep + h
        up = f()
        param[i] = keep - h
        down = f()
        param[i] = keep
        grad[i] = (up - down) / (2 * h)
    return grad


@pytest.mark.parametrize("activation", ["relu", "sigmoid"])
@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_backprop_matches_numerical_gradient(activation, lam):
    """Does backprop, weight-decay term included, agree with central differences to ~1e-7?"""
    net, x, t = small_problem(activation, lam)
    _, dWs, dbs = net.gradient(x, t)
    loss = functools.partial(net.loss, x, t)
    for layer in range(len(net.W)):
        np.testing.assert_allclose(dWs[layer], numerical_gradient(loss, net.W[layer]), rtol=0, atol=1e-7)
        np.testing.assert_allclose(dbs[layer], numerical_gradient(loss, net.b[layer]), rtol=0, atol=1e-7)


def test_decay_covers_every_weight_and_no_bias():
    """Is the penalty 0.5*lambda*sum(W^2) over all layers, output included, biases excluded (the notes' 1.525)?"""
    net = MultiLayerNet([np.array([[1.0, 2.0], [3.0, 4.0]]), np.array([[0.5], [-0.5]])], weight_decay=0.1)
    net.b = [np.full(2, 7.0), np.full(1, 7.0)]  # would change the value if biases were decayed
    assert net.decay_penalty() == pytest.approx(1.525, abs=1e-12)
    x, t = np.zeros((1, 2)), np.ones((1, 1))
    assert net.loss(x, t) == pytest.approx(0.0 + 1.525, abs=1e-12)  # one class: cross-entropy is 0


@pytest.mark.parametrize("lam", [0.0, 0.1])
def test_train_step_is_one_sgd_step_of_the_gradient(lam):
    """Does train_step return the pre-step loss and move every parameter by -lr times its gradient?"""
    net, x, t = small_problem("relu", lam)
    loss, dWs, dbs = net.gradient(x, t)
    before_W, before_b = [w.copy() for w in net.W], [b.copy() for b in net.b]
    assert net.train_step(x, t, lr=0.05) == pytest.approx(loss, abs=1e-12)
    for w0, w, g in zip(before_W, net.W, dWs):
        np.testing.assert_allclose(w, w0 - 0.05 * g, rtol=0, atol=1e-14)
    for b0, b, g in zip(before_b, net.b, dbs):
        np.testing.assert_allclose(b, b0 - 0.05 * g, rtol=0, atol=1e-14)


def test_equal_scores_give_ln_10():
    """Does a net that cannot tell the classes apart cost ln 10, the level std 0.01 stays at?"""
    loss, d = softmax_cross_entropy(np.zeros((5, 10)), np.eye(10)[[0, 3, 5, 7, 9]])
    assert loss == pytest.approx(math.log(10), abs=1e-12)
    np.testing.assert_allclose(d.sum(axis=1), 0, atol=1e-15)


def test_huge_scores_do_not_overflow():
    """Does the loss stay finite for scores of 1e4 (the shifted softmax)?"""
    loss, d = softmax_cross_entropy(np.array([[1e4, 0.0, -1e4]]), np.array([[0.0, 1.0, 0.0]]))
    assert loss == pytest.approx(1e4) and np.isfinite(d).all()


def test_draw_weights_is_seeded_and_shared_across_inits():
    """Do the same seed give the same weights, and do Xavier and He differ only by their scale?"""
    sizes = [784, 100, 100, 10]
    xavier = draw_weights(ref.xavier_init, sizes, seed=7)
    again = draw_weights(ref.xavier_init, sizes, seed=7)
    he = draw_weights(ref.he_init, sizes, seed=7)
    other = draw_weights(ref.xavier_init, sizes, seed=8)
    assert all(np.array_equal(a, b) for a, b in zip(xavier, again))
    assert all(np.allclose(h, x * math.sqrt(2)) for h, x in zip(he, xavier))
    assert not np.allclose(xavier[0], other[0])
    assert len(set(layer_seeds(7, 5))) == 5


@pytest.mark.parametrize("value, fragment", [
    ([[0.0] * 3] * 2, "a list"),
    (np.zeros((3, 2)), "shape (3, 2)"),
    (np.zeros((2, 3), dtype=np.float32), "dtype float32"),
    (np.zeros((2, 3), dtype=np.int64), "dtype int64"),
    (np.full((2, 3), np.nan), "nan or inf"),
])
def test_unusable_weights_are_explained(value, fragment):
    """Does a wrong return value give a message in both languages naming what came back and what is wanted?"""
    with pytest.raises(InitProblem) as info:
        checked_weights(value, 2, 3, name="xavier_init")
    assert fragment in info.value.text.en and "xavier_init(2, 3, rng)" in info.value.text.en
    assert "(2, 3)" in info.value.text.ko and "float64" in info.value.text.ko


def test_weights_are_private_copies():
    """Does the network leave the caller's array (and a read-only one) untouched when it trains?"""
    w = np.ones((3, 2))
    w.setflags(write=False)
    copy = checked_weights(w, 3, 2)
    copy += 1
    assert w[0, 0] == 1.0
