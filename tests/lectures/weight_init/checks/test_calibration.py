"""Calibration: the reference never fails a statistical check, over >= 1,000 seeds.

Each statistical check states a false-fail rate (<= 1e-6).  Here the reference solution runs
through the real check code (the student helper's checks, in-process handles for speed) with
1,000 independent seeds per check; every run must pass.  (The probe's lecture-histogram checks
are exact: their fixed weight tables make the right layers known, so there is no band to
calibrate, and none that would tell a student the analysis answers.)
"""
from __future__ import annotations

import multiprocessing

import numpy as np
from concurrent.futures import ProcessPoolExecutor

import pytest

from tests.conftest import lab as stats
from autograder.engine.config import Variant

SEEDS = 1000
pytestmark = pytest.mark.slow


def _calibrate(first: int, last: int) -> list[tuple[str, str, dict]]:
    """Grade the reference with seeds first..last-1 (one handle per seed); return plain results."""
    from autograder.reference import functions as ref
    from autograder.engine.steps.run_checks import GradingRun, run_grading
    from autograder.engine.steps.handles import InProcessStudent

    namespace = {k: getattr(ref, k) for k in dir(ref)}
    handles = {f"cal{i}": InProcessStudent(f"cal{i}", namespace, stats.CONTRACT) for i in range(first, last)}
    run = run_grading(GradingRun(handles=handles, select=lambda info: info.false_fail_rate > 0))
    return [(r.check_id, r.status) for results in run.results.values() for r in results]


@pytest.fixture(scope="module")
def calibration():
    ctx = multiprocessing.get_context("spawn")
    half = SEEDS // 2
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        parts = list(pool.map(_calibrate, [0, half], [half, SEEDS]))
    return [row for part in parts for row in part]


def test_the_reference_never_fails_a_statistical_check_over_1000_seeds(calibration):
    """Do all statistical checks pass for the reference on every one of 1,000 seeds?"""
    by_check: dict[str, list[str]] = {}
    for check_id, status in calibration:
        by_check.setdefault(check_id, []).append(status)
    assert len(by_check) == 9  # 3 inits x (mean, std, distribution)
    for check_id, statuses in by_check.items():
        assert len(statuses) == SEEDS, check_id
        failures = [s for s in statuses if s != "passed"]
        assert not failures, f"{check_id}: {len(failures)} of {SEEDS} failed"


@pytest.mark.parametrize("shape", Variant().init_shapes)
def test_init_rules_have_the_stated_false_fail_rates(shape):
    """Are the std and mean rules' analytic rates within what the checks state (and <= 1e-6)?"""
    from autograder.engine.steps.run_checks import list_checks

    n = shape[0] * shape[1]
    assert n >= stats.MIN_WEIGHTS
    stated = {c.check_id.split("[")[0]: c.false_fail_rate for c in list_checks() if c.false_fail_rate}
    # two matrices per check: a union bound over both draws
    assert 2 * stats.std_rule_false_fail(n) <= stated["check_init_std"] <= 1e-6
    assert 2 * stats.mean_rule_false_fail(n) <= stated["check_init_mean"] <= 1e-6
    assert stated["check_init_distribution"] == stats.KS_ALPHA <= 1e-6


def test_ks_p_values_are_conservative_for_normal_samples():
    """Under the null (normal draws, scale estimated), is P(p < 0.01) at most about 0.01?"""
    rng = np.random.default_rng(7)
    p = np.array([stats.ks_normal_shape(rng.standard_normal(2000) * 0.3)[1] for _ in range(400)])
    assert (p < 0.01).mean() <= 0.02
    assert (p < 0.5).mean() < 0.5  # conservative: p-values pile up high when the scale is estimated


def test_ks_rejects_a_variance_matched_uniform():
    """Does the KS rule catch the mistake the std rule cannot see?"""
    rng = np.random.default_rng(8)
    w = rng.uniform(-np.sqrt(3), np.sqrt(3), 40_000)
    assert stats.ks_normal_shape(w)[1] < stats.KS_ALPHA
