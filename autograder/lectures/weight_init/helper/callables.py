"""Grader-made callables handed to student functions (the ``init`` and ``activation`` of the probe).

A check of ``activation_probe`` must not depend on the student's ``sigmoid``: the grader passes a
CallableSpec instead, and the side that runs the student's code rebuilds the callable from here.  The
grader builds the same callables to compute expected values, so both sides agree by construction.
Every callable records how it was called (shapes, whether it got the rng the probe was given); the log
feeds the hints.
"""
from __future__ import annotations

from typing import Callable

import numpy as np

from autograder.helper.calls import Recorded, register_callables, rng_seed
from autograder.helper.wire import PREBUILT

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
    different (and checkable) output.  Its scale is ``std``, or sqrt(``gain`` / n_in) (Xavier's
    and He's), or 1.5 / sqrt(n_in) when neither is given.
    """

    def draw(self, n_in, n_out, rng):
        return self.matrix(int(self.params["seed"]), len(self.log) - 1, n_in, n_out,
                           self.params.get("std"), self.params.get("gain"))

    @staticmethod
    def matrix(seed: int, k: int, n_in: int, n_out: int, std: float | None = None,
               gain: float | None = None) -> np.ndarray:
        """The k-th call's matrix (0-based) for the shape asked: the judge rebuilds it the same way."""
        key = ("table", seed, k, n_in, n_out, std, gain)
        if key in PREBUILT:
            return PREBUILT[key].copy()
        scale = float(std) if std is not None else np.sqrt((2.25 if gain is None else float(gain)) / n_in)
        table_rng = np.random.default_rng([seed, k, n_in, n_out])
        return table_rng.standard_normal((n_in, n_out)) * scale


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
        # 1 / (1 + e^-a) in place: e^-a may overflow to inf for a < -709, and 1 / inf = 0 is the limit
        # (within 1e-308 of the value), so the overflow is expected, not reported.
        with np.errstate(over="ignore"):
            out = np.negative(a, out=np.empty_like(a))  # a new array (the caller's is never changed), then in place
            np.exp(out, out=out)
            out += 1.0
            return np.reciprocal(out, out=out)


class Relu(_Activation):
    fn = staticmethod(lambda a: np.maximum(0.0, a))


class Tanh(_Activation):
    fn = staticmethod(np.tanh)


class Softsign(_Activation):
    """x / (1 + |x|): an activation no student implements, for the exact probe check."""

    fn = staticmethod(lambda a: a / (1.0 + np.abs(a)))

register_callables({
    "scaled_normal": ScaledNormal,
    "fan_in_normal": FanInNormal,
    "table": TableInit,
    "constant": ConstantInit,
    "sigmoid": Sigmoid,
    "relu": Relu,
    "tanh": Tanh,
    "softsign": Softsign,
})
