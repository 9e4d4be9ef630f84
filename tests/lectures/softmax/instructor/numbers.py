"""The softmax lecture's set-up numbers and how a released week picks them (from the engine's Generator)."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class SoftmaxNumbers:
    n_classes: int = 10
    """Classes: the columns of the logits."""
    batch: int = 8
    """Rows of the logits handed to the checks and the question."""

    def __post_init__(self):
        if self.n_classes < 2 or self.batch < 1:
            raise ValueError(f"n_classes {self.n_classes}, batch {self.batch}: need at least 2 classes and 1 row")

    @classmethod
    def derive(cls, rng: np.random.Generator) -> "SoftmaxNumbers":
        return cls(n_classes=(3, 5, 10, 20)[int(rng.integers(4))], batch=int(rng.integers(4, 17)))
