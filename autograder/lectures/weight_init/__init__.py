"""The weight-initialisation lecture (가중치의 초깃값).

helper/        what students get (built with autograder/helper/ into initlab_lab.py, beside this file)
instructor/    the instructor's side: answer key and its calibration, set-up numbers, quiz bank, sample
               class, figures
experiments/   the lecture's MNIST experiments (``initlab experiment``)
assignment.py  the lecture as the engine knows it: its ASSIGNMENT (engine/assignment.py)
"""
from __future__ import annotations

from pathlib import Path

#: The one file students get, built from autograder/helper/ and helper/ here (python -m autograder.engine.build).
HELPER_FILE = Path(__file__).resolve().with_name("initlab_lab.py")
