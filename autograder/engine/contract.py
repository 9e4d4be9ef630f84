"""The student contract: the functions a submission defines, in the order the lecture meets them.

The functions, their signatures and the analysis answers are stated in the lecture's student helper
(autograder/lectures/weight_init/helper/contract.py), which students receive; they are read from there
on first use, so that importing this module (the command line's parser does) costs no numpy import.
"""
from __future__ import annotations

#: The assignment file name a student hands in (with .py or .ipynb).
SUBMISSION_STEM = "weight_init"

_FROM_HELPER = ("ANSWERS", "FUNCTIONS", "GRADED", "SIGNATURES")
__all__ = [*_FROM_HELPER, "SUBMISSION_STEM"]


def __getattr__(name: str):
    if name in _FROM_HELPER:
        from autograder.lectures.weight_init.helper import contract

        return getattr(contract, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
