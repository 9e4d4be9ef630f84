"""Grader-made callables handed to student functions (the ``init`` and ``activation`` of the probe).

The judge never passes a student's own function into another student function: a check
of ``activation_probe`` must not depend on the student's ``sigmoid``.  It passes a
:class:`~autograder.sandbox.protocol.CallableSpec` instead, and the child rebuilds the
callable from this module.  The judge builds the same callables to compute expected
values, so both sides agree by construction.

Every callable records how it was called (shapes, whether it got the rng the probe was
given); the log goes back to the judge as plain data and feeds the hints.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np


class Recorded:
    """Base class: a callable with a call log of JSON-able entries."""

    def __init__(self, params: dict):
        self.params = params
        self.log: list[Any] = []


# ---- inits: (n_in, n_out, rng) -> W ---------------------------------------------------


def rng_seed(rng) -> int | None:
    """The seed a Generator was made from (default_rng(seed)), or None for anything else: the judge
    compares it with the seed of the Generator it had the child make for the probe."""
    entropy = getattr(getattr(getattr(rng, "bit_generator", None), "seed_seq", None), "entropy", None)
    return entropy if type(entropy) is int else None


class _Init(Recorded):
    def __call__(self, n_in, n_out, rng=None):
        n_in, n_out = int(n_in), int(n_out)
        self.log.append([n_in, n_out, rng_seed(rng)])
        return self.draw(n_in, n_out, rng)

    def draw(self, n_in: int, n_out: int, rng) -> np.ndarray:
        raise NotImplementedError


class ScaledNormal(_Init):
    """N(0, std^2) drawn from the rng passed in; ``std`` fixed (the lecture's 1 and 0.01)."""

    def draw(self, n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * float(self.params["std"])


class FanInNormal(_Init):
    """N(0, gain / n_in): gain 1 is Xavier, gain 2 is He."""

    def draw(self, n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * np.sqrt(float(self.params["gain"]) / n_in)


class TableInit(_Init):
    """Deterministic weights that ignore the rng: the k-th call returns a fixed matrix.

    The matrix depends on the call number and the requested shape, so a probe that
    transposes the shape, reuses one matrix or calls init too few times gives a
    different (and checkable) output.
    """

    def draw(self, n_in, n_out, rng):
        return self.matrix(int(self.params["seed"]), len(self.log) - 1, n_in, n_out)

    @staticmethod
    def matrix(seed: int, k: int, n_in: int, n_out: int) -> np.ndarray:
        """The k-th call's matrix (0-based) for the shape asked: the judge rebuilds it the same way."""
        table_rng = np.random.default_rng([seed, k, n_in, n_out])
        return table_rng.standard_normal((n_in, n_out)) * (1.5 / np.sqrt(n_in))


class ConstantInit(_Init):
    """Every weight equal: the lecture's symmetry example."""

    def draw(self, n_in, n_out, rng):
        return np.full((n_in, n_out), float(self.params["value"]))


# ---- activations: a -> z ----------------------------------------------------------------


class _Activation(Recorded):
    fn: Callable[[np.ndarray], np.ndarray]

    def __call__(self, a):
        a = np.asarray(a, dtype=float)
        self.log.append(list(a.shape))
        return type(self).fn(a)


class Sigmoid(_Activation):
    @staticmethod
    def fn(a):
        e = np.exp(-np.abs(a))  # never overflows
        return np.where(a >= 0, 1.0, e) / (1.0 + e)


class Relu(_Activation):
    fn = staticmethod(lambda a: np.maximum(0.0, a))


class Tanh(_Activation):
    fn = staticmethod(np.tanh)


class Softsign(_Activation):
    """x / (1 + |x|): an activation no student implements, for the exact probe check."""

    fn = staticmethod(lambda a: a / (1.0 + np.abs(a)))


REGISTRY: dict[str, type[Recorded]] = {
    "scaled_normal": ScaledNormal,
    "fan_in_normal": FanInNormal,
    "table": TableInit,
    "constant": ConstantInit,
    "sigmoid": Sigmoid,
    "relu": Relu,
    "tanh": Tanh,
    "softsign": Softsign,
}


def build(name: str, params: dict) -> Recorded:
    """Rebuild a grader-made callable from its spec; unknown names are a protocol error."""
    try:
        cls = REGISTRY[name]
    except KeyError:
        raise ValueError(f"unknown grader callable {name!r}") from None
    return cls(dict(params))
