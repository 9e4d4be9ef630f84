"""The weight-initialisation lecture (가중치의 초깃값): its student helper and the instructor's side."""
from __future__ import annotations

from pathlib import Path

#: The one file students get, built from autograder/helper/ and helper/ here (python -m autograder.engine.build).
HELPER_FILE = Path(__file__).with_name("initlab_lab.py")
