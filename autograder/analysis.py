"""Analysis questions, the instructor's side: the reference's answers and their tolerances.

The questions and their steps live in the student helper (autograder/lab.py), which runs the
steps with a student's own functions in a self-check.  Here the same steps run with the
reference functions, which students never receive.  A student whose functions are right gets
the same number when they follow the steps exactly, and a number from the same distribution
when they draw in another (still correct) way; so every tolerance is wide enough for any seed
(>= 6 standard deviations of the statistic across seeds, measured in tests/test_analysis.py)
and narrow enough to tell a wrong implementation (the test lists the wrong values each one
rejects).
"""
from __future__ import annotations

from functools import lru_cache

from autograder.config import Variant
from autograder.lab import QUESTION_BY_NAME, QUESTIONS, SPREAD_SEEDS, Bound, Question, decay_matrices, spread_of

__all__ = ["BY_NAME", "QUESTIONS", "SPREAD_SEEDS", "Bound", "Question", "decay_matrices", "expected",
           "reference_functions", "spread"]

BY_NAME = QUESTION_BY_NAME


def reference_functions() -> dict:
    from autograder.reference import functions as ref

    return {name: getattr(ref, name) for name in dir(ref) if not name.startswith("_")}


@lru_cache(maxsize=512)
def spread(variant: Variant, which: str) -> float:
    """The standard deviation across seeds of a layer-1 statistic under ``variant``, with the
    reference functions: what a correct student who draws in another order may differ by.
    Tolerances are at least 7 of these (at least 6 even when this 32-seed estimate is 15 % low),
    so no correct student fails for any set-up of the variant space; tests/test_analysis.py
    checks them against 120 seeds."""
    return spread_of(variant, which, reference_functions())


@lru_cache(maxsize=512)
def expected(name: str, variant: Variant) -> tuple[float, float]:
    """(reference answer, tolerance) of question ``name`` under ``variant``."""
    q = BY_NAME[name]
    value = q.compute(variant, reference_functions())
    return value, q.tolerance(variant, value, lambda which: spread(variant, which))
