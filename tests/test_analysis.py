"""Variants and analysis questions: reproducible, different where they should be, fairly tolerant."""
from __future__ import annotations

import dataclasses
import tomllib

import numpy as np
import pytest

from autograder import analysis
from autograder.config import Variant

VARIANTS = [Variant()] + [Variant.derive(2026, week) for week in (1, 2, 3)] + [Variant.derive(2026, 1, "2026123456", True)]


def test_the_same_seed_and_week_give_the_same_variant():
    """Is a variant a pure function of (course seed, week, student id)?"""
    assert Variant.derive(7, 3) == Variant.derive(7, 3)
    assert Variant.derive(7, 3, "s1", True) == Variant.derive(7, 3, "s1", True)
    assert Variant.derive(7, 3).to_toml() == Variant.derive(7, 3).to_toml()


def test_weeks_and_students_differ():
    """Do two weeks, and two students of a per-student week, get different set-ups?"""
    weeks = [Variant.derive(7, w) for w in range(1, 9)]
    assert len({dataclasses.astuple(v) for v in weeks}) == 8
    a, b = Variant.derive(7, 1, "2026001", True), Variant.derive(7, 1, "2026002", True)
    assert a != b and a.seed != b.seed
    assert analysis.expected("answer_penalty", a)[0] != analysis.expected("answer_penalty", b)[0]
    assert Variant.derive(7, 1, "2026001", False) == Variant.derive(7, 1, "2026002", False)  # class-wide week


def test_week_zero_is_the_lecture():
    """Is week 0 the lecture's own set-up (5 layers of 100, 1000 inputs, std 1 and 0.01)?"""
    v = Variant.derive(0, 0)
    assert (v.n_layers, v.node_num, v.n_samples, v.std_large, v.std_small) == (5, 100, 1000, 1.0, 0.01)


def test_toml_round_trip(tmp_path):
    """Does variant.toml load back to the same variant?"""
    v = Variant.derive(11, 4)
    (tmp_path / "variant.toml").write_text(v.to_toml(), encoding="utf-8")
    assert Variant.load(tmp_path / "variant.toml") == v
    assert tomllib.loads(v.to_toml())["variant"]["week"] == 4


@pytest.mark.parametrize("bad", [{"init_shapes": ((100, 100), (100, 400))}, {"init_shapes": ((10, 20), (100, 400))},
                                 {"probe_shape": (10, 25, 3, 25)}, {"activation": "softmax"}])
def test_invalid_variants_fail_loudly(bad):
    """Are square or tiny init shapes, a probe whose input width equals node_num, unknown activations refused?"""
    with pytest.raises(ValueError):
        dataclasses.replace(Variant(), **bad)


def _layer1(v: Variant, seed: int, init, act) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((v.n_samples, v.input_dim))
    return act(x @ init(v.input_dim, v.node_num, rng))


def _spread(v: Variant, name: str, seeds=range(120)) -> float:
    """The statistic's sd across seeds: what a correct student with another draw order could get."""
    from autograder.reference import functions as ref

    if name == "answer_saturated":
        f = lambda s: np.mean(np.abs(_layer1(v, s, lambda i, o, r: ref.normal_init(i, o, r, v.std_large), ref.sigmoid) - 0.5) > 0.48)  # noqa: E731
    elif name == "answer_xavier_std":
        f = lambda s: _layer1(v, s, ref.xavier_init, ref.sigmoid).std()  # noqa: E731
    elif name == "answer_he_relu_std":
        f = lambda s: _layer1(v, s, ref.he_init, ref.relu).std()  # noqa: E731
    else:
        return 0.0  # deterministic: the matrices are given
    return float(np.std([f(s) for s in seeds], ddof=1))


@pytest.mark.slow
@pytest.mark.parametrize("variant", VARIANTS, ids=[f"week{v.week}{'-student' if v.per_student else ''}" for v in VARIANTS])
def test_tolerances_are_wide_for_any_seed_and_narrow_for_wrong_code(variant):
    """Is each tolerance >= 6 sd of the answer across seeds, yet smaller than the error of typical mistakes?"""
    from autograder.reference import functions as ref

    fns = analysis.reference_functions()
    wrong = {
        "answer_saturated": dict(fns, normal_init=lambda i, o, r, std: r.standard_normal((i, o)) * np.sqrt(1 / i)),
        "answer_xavier_std": dict(fns, xavier_init=fns["he_init"]),
        "answer_he_relu_std": dict(fns, he_init=fns["xavier_init"]),
        "answer_penalty": dict(fns, weight_decay_penalty=lambda ws, lam: lam * sum(float(np.sum(w * w)) for w in ws)),
    }
    for q in analysis.QUESTIONS:
        want, tol = analysis.expected(q.name, variant)
        sd = _spread(variant, q.name)
        assert tol >= 6 * sd, (q.name, tol, sd)
        assert abs(q.compute(variant, wrong[q.name]) - want) > tol, q.name
        assert abs(q.compute(variant, fns) - want) == 0.0  # the protocol is deterministic
    # the stored pre-activation mistake is caught by the saturation question too
    pre = dict(fns, activation_probe=lambda x, init, act, n, k, rng: [x @ init(x.shape[1], k, rng)] * n)
    assert abs(analysis.BY_NAME["answer_saturated"].compute(variant, pre) - analysis.expected("answer_saturated", variant)[0]) > 0.03
    assert ref is not None
