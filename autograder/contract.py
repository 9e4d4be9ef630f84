"""The student contract: the functions a submission defines, in the order the lecture meets them.

The grader calls them positionally with the signatures below (see the assignment text).
"""
from __future__ import annotations

FUNCTIONS: tuple[str, ...] = (
    "sigmoid",
    "relu",
    "normal_init",
    "xavier_init",
    "he_init",
    "activation_probe",
    "weight_decay_penalty",
    "weight_decay_grad",
)

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

#: Analysis answers: top-level variables the notebook asks for (see autograder/analysis.py).
ANSWERS: tuple[str, ...] = ("answer_saturated", "answer_xavier_std", "answer_he_relu_std", "answer_penalty")

#: Everything a check may grade: a function, or an analysis answer.
GRADED: tuple[str, ...] = FUNCTIONS + ANSWERS

#: The assignment file name a student hands in (with .py or .ipynb).
SUBMISSION_STEM = "weight_init"
