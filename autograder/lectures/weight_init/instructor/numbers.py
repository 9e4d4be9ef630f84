"""The weight-initialisation lecture's set-up numbers, and how a released week picks them.

The defaults are the lecture's own set-up (its helper's LECTURE_SETUP says the same; a test keeps them
equal).  A released week's numbers are drawn by :meth:`WeightInitNumbers.derive` from a Generator the
engine seeds with the course key (engine/config.py), so they follow from the key and the week only.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from autograder.lectures.weight_init.helper.stats import MIN_WEIGHTS

#: What :meth:`WeightInitNumbers.derive` picks a released week's probe from (instructor/calibrated.py
#: holds the analysis questions' spread for every combination).
NODE_NUMS = (50, 64, 80, 100, 128)
INPUT_DIMS = (64, 100, 128, 196)
SAMPLE_COUNTS = (500, 800, 1000)
STD_LARGES = (0.5, 1.0, 2.0)
INIT_SHAPES = (((784, 100), (100, 400)), ((300, 200), (150, 500)), ((500, 120), (120, 600)),
               ((256, 400), (400, 128)), ((1000, 64), (64, 800)))


@dataclass(frozen=True)
class WeightInitNumbers:
    node_num: int = 100
    """Units per hidden layer in the notebook's histograms and analysis questions."""
    n_layers: int = 5
    """Hidden layers of the probe in the notebook."""
    n_samples: int = 1000
    """Rows of the probe's input in the notebook."""
    input_dim: int = 100
    """Columns of the probe's input in the notebook."""
    activation: str = "sigmoid"
    """Activation of the notebook's first histogram series ('sigmoid' or 'tanh')."""
    std_large: float = 1.0
    """The 'too wide' plain std of the lecture's comparison."""
    std_small: float = 0.01
    """The 'too narrow' plain std of the lecture's comparison."""
    init_shapes: tuple[tuple[int, int], ...] = ((784, 100), (100, 400))
    """(n_in, n_out) given to the init checks; never square, so fan-in and fan-out differ."""
    probe_shape: tuple[int, int, int, int] = (40, 30, 4, 25)
    """(rows, input columns, n_layers, node_num) of the exact probe check (columns != node_num)."""
    lam: float = 0.1
    """Weight-decay lambda of the decay checks."""
    decay_shapes: tuple[tuple[int, int], ...] = ((6, 5), (5, 3), (3, 1))
    """Shapes of the matrices handed to weight_decay_penalty."""

    def __post_init__(self):
        for n_in, n_out in self.init_shapes:
            if n_in == n_out or n_in * n_out < MIN_WEIGHTS:
                raise ValueError(f"init shape {(n_in, n_out)}: need n_in != n_out and >= {MIN_WEIGHTS} weights")
        rows, cols, layers, nodes = self.probe_shape
        if cols == nodes or min(rows, cols, layers, nodes) < 2:
            raise ValueError(f"probe_shape {self.probe_shape}: need input columns != node_num, all >= 2")
        if self.activation not in ("sigmoid", "tanh"):
            raise ValueError(f"activation {self.activation!r}: 'sigmoid' or 'tanh'")

    @classmethod
    def derive(cls, rng: np.random.Generator) -> "WeightInitNumbers":
        """A released week's numbers, drawn with ``rng`` (always in this order: a change of it would
        change every course's weeks)."""
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        node_num = pick(NODE_NUMS)
        input_dim = pick(INPUT_DIMS)
        shapes = pick(INIT_SHAPES)
        rows, cols, layers = int(rng.integers(25, 61)), int(rng.integers(12, 41)), int(rng.integers(3, 6))
        nodes = pick(tuple(n for n in (16, 20, 24, 28, 32) if n != cols))
        n_layers = pick((4, 5, 6))
        n_samples = pick(SAMPLE_COUNTS)
        std_large = pick(STD_LARGES)
        std_small = pick((0.005, 0.01, 0.02))
        lam = pick((0.01, 0.05, 0.1, 0.2))
        decay = tuple((int(rng.integers(2, 9)), int(rng.integers(1, 8))) for _ in range(3))
        return cls(node_num=node_num, n_layers=n_layers, n_samples=n_samples, input_dim=input_dim,
                   activation="sigmoid", std_large=std_large, std_small=std_small, init_shapes=shapes,
                   probe_shape=(rows, cols, layers, nodes), lam=lam, decay_shapes=decay)
