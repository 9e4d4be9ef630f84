"""Statistics behind the statistical checks, with the false-fail rate of each decision rule.

A false fail is a correct solution losing points.  Every rule below has an analytic rate (the sampling
distribution of a std, a mean, a KS statistic); the instructor's kit re-measures them over 1,000 seeds
(tests/lectures/weight_init/checks/test_calibration.py).
"""
from __future__ import annotations

import math

import numpy as np

# ---- normal tails ------------------------------------------------------------------------


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


# ---- weight-level rules (init checks) ----------------------------------------------------

#: |sample std / intended std - 1| allowed.  The sample std of n normal draws has relative
#: standard error 1/sqrt(2n); with n >= 40,000 this band is >= 8.4 standard errors wide.
STD_REL_TOL = 0.03
#: |sample mean| allowed, in units of the intended std; the standard error is 1/sqrt(n).
MEAN_TOL = 0.03
#: KS test p-value below which a sample is called "not normal".
KS_ALPHA = 1e-6
#: The init checks never look at fewer weights than this (Variant validates its shapes).
MIN_WEIGHTS = 40_000
#: Weights the KS rule looks at.  At alpha = 1e-6 the critical distance is 2.69 / sqrt(n) = 0.019;
#: a variance-matched uniform is at 0.06 and a 1/n or fan-out scale error further still.
KS_SAMPLE = 20_000


def std_rule_false_fail(n: int, rel_tol: float = STD_REL_TOL) -> float:
    """P(correct draw fails |s/sigma - 1| <= rel_tol): two normal tails at rel_tol*sqrt(2n)."""
    return 2 * normal_sf(rel_tol * math.sqrt(2 * n))


def mean_rule_false_fail(n: int, tol: float = MEAN_TOL) -> float:
    """P(correct draw fails |mean| <= tol*sigma): the mean has standard error sigma/sqrt(n)."""
    return 2 * normal_sf(tol * math.sqrt(n))


def kolmogorov_sf(lam: float) -> float:
    """P(K > lam) for the Kolmogorov distribution (the limit law of sqrt(n) * D_n)."""
    if lam < 0.2:
        return 1.0
    total = 0.0
    for k in range(1, 101):
        term = (-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam)
        total += term
        if abs(term) < 1e-300:
            break
    return min(1.0, max(0.0, 2.0 * total))


def ks_normal_shape(sample: np.ndarray) -> tuple[float, float]:
    """KS distance and p-value of ``sample / sample.std()`` against N(0, 1).

    Standardising by the sample's own std tests the *shape* only (a scale error is the
    std rule's job).  Estimating the scale makes D stochastically smaller than under the
    Kolmogorov law (Lilliefors), so the p-value is conservative: the false-fail rate of
    "p < KS_ALPHA" is at most KS_ALPHA.  Stephens' small-sample correction is applied.
    """
    x = np.sort(np.asarray(sample, dtype=float).ravel())
    n = x.size
    s = x.std()
    if n == 0 or not np.isfinite(s) or s == 0:
        return 1.0, 0.0
    cdf = 0.5 * (1.0 + _erf(x / (s * math.sqrt(2.0))))
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))
    sqrt_n = math.sqrt(n)
    return d, kolmogorov_sf((sqrt_n + 0.12 + 0.11 / sqrt_n) * d)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz & Stegun 7.1.26), vectorised: numpy has no erf of its own.

    KS distances that matter here are >= 1e-3, so the approximation cannot move a decision.
    """
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


# ---- the lecture's histograms ---------------------------------------------------------------

#: Fine bins over (0, 1): 150 bins of width 1/150 give, by summing, the lecture's 30-bin histogram
#: and the saturation (< 0.02 = 3 bins, > 0.98 = 3 bins) and centre (|z - 0.5| < 0.02) counts.
_FINE = 150


def fine_counts(a: np.ndarray) -> np.ndarray:
    """Counts of a's values in 150 equal bins over [0, 1] (values outside are not counted)."""
    v = a.ravel()
    inside = v[(v >= 0.0) & (v <= 1.0)]
    return np.bincount(np.minimum((inside * _FINE).astype(np.intp), _FINE - 1), minlength=_FINE)  # 1.0: last bin


def histogram(acts: list[np.ndarray], bins: int = 30, fine: list[np.ndarray] | None = None) -> list[list[int]]:
    """The lecture's plot data: 30 bins over (0, 1) per layer (as plt.hist(a.flatten(), 30, range=(0,1)))."""
    return [c.reshape(bins, _FINE // bins).sum(axis=1).astype(int).tolist()
            for c in (fine or [fine_counts(a) for a in acts])]
