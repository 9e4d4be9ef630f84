"""The notebook's MNIST section: the student's own inits train the lecture's two figures."""
from __future__ import annotations

import json

from tests.conftest import lab
from autograder.reference import functions as ref
from tests.conftest import MASTER_NB


def test_the_notebook_section_draws_both_figures_with_the_given_inits(tmp_path, capsys):
    """Does lab.mnist_experiments train with the functions it is given and write both figures?"""
    calls = []

    def counting_he(n_in, n_out, rng):
        calls.append((n_in, n_out))
        return ref.he_init(n_in, n_out, rng)

    lab.mnist_experiments(ref.normal_init, ref.xavier_init, counting_he, iters=20, epochs=2, out=str(tmp_path))
    assert {p.name for p in tmp_path.iterdir()} == {"loss.csv", "loss.png", "accuracy.csv", "accuracy.png"}
    assert (784, 100) in calls  # the student's function drew the first layer's weights
    assert "figure:" in capsys.readouterr().out  # outside Jupyter the paths are printed


def test_a_stub_init_gets_a_friendly_message(tmp_path, capsys):
    """Does a not-yet-implemented init print a short note instead of a traceback?"""
    def stub(*args):
        raise NotImplementedError()

    lab.mnist_experiments(stub, stub, stub, iters=5, epochs=1, out=str(tmp_path))
    assert "implement the init functions first" in capsys.readouterr().out


def test_the_master_has_the_section_switched_off_by_default():
    """Is the ~20 s section in the notebook, off until the student turns it on (graders stay fast)?"""
    cells = json.loads(MASTER_NB.read_text(encoding="utf-8"))["cells"]
    src = ["".join(c["source"]) for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "experiments"]
    assert src and "RUN_EXPERIMENTS = False" in src[0] and "lab.mnist_experiments(normal_init, xavier_init, he_init)" in src[0]
