"""The weight-initialisation lecture's contract: the functions a submission defines, in the order the
lecture meets them, its analysis answers, and the lecture's own set-up.  The grader calls the functions
positionally with these signatures."""
from __future__ import annotations

from autograder.helper.declare import CheckSet, Contract

FUNCTIONS: tuple[str, ...] = ("sigmoid", "relu", "normal_init", "xavier_init", "he_init", "activation_probe",
                              "weight_decay_penalty", "weight_decay_grad")

SIGNATURES: dict[str, str] = {
    "sigmoid": "sigmoid(x)",
    "relu": "relu(x)",
    "normal_init": "normal_init(n_in, n_out, rng, std)",
    "xavier_init": "xavier_init(n_in, n_out, rng)",
    "he_init": "he_init(n_in, n_out, rng)",
    "activation_probe": "activation_probe(x, init, activation, n_layers, node_num, rng)",
    "weight_decay_penalty": "weight_decay_penalty(weights, lam)",
    "weight_decay_grad": "weight_decay_grad(W, lam)",
}

#: Analysis answers: top-level variables the notebook asks for.
ANSWERS: tuple[str, ...] = ("answer_saturated", "answer_xavier_std", "answer_he_relu_std", "answer_penalty")

#: Everything a check may grade: a function, or an analysis answer.
GRADED: tuple[str, ...] = FUNCTIONS + ANSWERS

#: The lecture's own set-up (the unreleased template's): what an empty SETUP means.  The
#: instructor's kit checks that this equals its default variant (tests/helper/test_setup.py).
LECTURE_SETUP: dict = {
    "seed": 0, "week": 0, "student_id": "", "node_num": 100, "n_layers": 5, "n_samples": 1000,
    "input_dim": 100, "activation": "sigmoid", "std_large": 1.0, "std_small": 0.01,
    "init_shapes": [[784, 100], [100, 400]], "probe_shape": [40, 30, 4, 25], "lam": 0.1,
    "decay_shapes": [[6, 5], [5, 3], [3, 1]], "per_student": False,
}

CONTRACT = Contract(FUNCTIONS, SIGNATURES, ANSWERS, stem="weight_init")

#: Every check of the lecture, in report order (the modules checks_*.py and questions.py register them).
CHECKS = CheckSet(CONTRACT)
graded_check = CHECKS.check
