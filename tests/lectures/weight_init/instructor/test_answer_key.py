"""Variants and analysis questions: reproducible, different where they should be, fairly tolerant."""
from __future__ import annotations

import dataclasses
import tomllib

import numpy as np
import pytest

from autograder.lectures.weight_init.instructor import answer_key as analysis
from autograder.engine.config import Variant

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
        Variant().with_numbers(**bad)


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


def test_the_spread_table_holds_every_set_up_a_release_can_pick():
    """Does autograder/lectures/weight_init/instructor/calibrated.py hold a spread for every probe statistic under every set-up
    Variant.derive can pick (the lecture's own among them), and nothing else?"""
    from autograder.lectures.weight_init.instructor.calibrated import SPREADS

    assert set(SPREADS) == set(analysis.released_spread_keys())
    for week in range(1, 40):  # every released week finds its spreads in the table
        v = Variant.derive(2026, week)
        assert all(analysis.spread_key(v, which) in SPREADS for which in analysis.SPREAD_FIELDS)
    assert all(analysis.spread_key(Variant(), which) in SPREADS for which in analysis.SPREAD_FIELDS)
    assert all(v > 0 for v in SPREADS.values())


def test_stored_spreads_are_what_the_reference_measures():
    """Measured again now, do the lecture's set-up and an even sample of the others (every 12th
    entry, all three statistics) give the stored spreads?  (`python -m autograder.lectures.weight_init.instructor.answer_key --check`
    measures all 300.)"""
    keys = analysis.released_spread_keys()
    sample = [analysis.spread_key(Variant(), which) for which in analysis.SPREAD_FIELDS] + keys[::12]
    assert {k[0] for k in sample} == set(analysis.SPREAD_FIELDS)
    assert analysis.stale_calibrated(sample) == []


def test_a_stale_table_entry_is_reported(monkeypatch):
    """Would the check notice a stored spread that the reference no longer gives?"""
    from autograder.lectures.weight_init.instructor import calibrated

    key = analysis.spread_key(Variant(), "xavier")
    monkeypatch.setitem(calibrated.SPREADS, key, calibrated.SPREADS[key] * 1.001)
    assert len(analysis.stale_calibrated([key])) == 1


def test_a_spread_depends_only_on_its_key_fields():
    """Changing every field outside SPREAD_FIELDS leaves each measured spread exactly as it was, and
    changing a field inside it does not: so a stored spread is never used for a set-up it was not
    measured under."""
    from autograder.lectures.weight_init.instructor.calibrated import SPREADS

    base = Variant()
    other = dataclasses.replace(base, seed=99, week=7, student_id="s1", per_student=True, course_key="k").with_numbers(
        n_layers=3, activation="tanh", std_small=0.02, lam=0.2, init_shapes=((300, 200), (150, 500)),
        probe_shape=(30, 20, 3, 16), decay_shapes=((2, 3), (3, 4), (4, 1)))
    for which, names in analysis.SPREAD_FIELDS.items():
        assert analysis.measure_spread(other, which) == analysis.measure_spread(base, which), which
        for name in names:
            changed = base.with_numbers(**{name: {"std_large": 2.0, "node_num": 64}.get(name, 128)})
            assert analysis.measure_spread(changed, which) != analysis.measure_spread(base, which), (which, name)
        # outside the table, the spread is measured
        odd = base.with_numbers(node_num=90)
        assert analysis.spread_key(odd, which) not in SPREADS
        assert analysis.spread(odd, which) == analysis.measure_spread(odd, which)
