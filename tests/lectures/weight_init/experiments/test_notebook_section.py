"""The notebook's MNIST section: the student's own inits train the lecture's two figures."""
from __future__ import annotations

import json

import builtins

from autograder.lectures.weight_init.experiments.notebook import mnist_experiments
from autograder.reference import functions as ref
from tests.conftest import MASTER_NB


def test_the_notebook_section_draws_both_figures_with_the_given_inits(tmp_path, capsys):
    """Does mnist_experiments train with the functions it is given and write both figures?"""
    calls = []

    def counting_he(n_in, n_out, rng):
        calls.append((n_in, n_out))
        return ref.he_init(n_in, n_out, rng)

    mnist_experiments(ref.normal_init, ref.xavier_init, counting_he, iters=20, epochs=2, out=str(tmp_path))
    assert {p.name for p in tmp_path.iterdir()} == {"loss.csv", "loss.png", "accuracy.csv", "accuracy.png"}
    assert (784, 100) in calls  # the student's function drew the first layer's weights
    assert "figure:" in capsys.readouterr().out  # outside Jupyter the paths are printed


def test_a_stub_init_gets_a_friendly_message(tmp_path, capsys):
    """Does a not-yet-implemented init print a short note instead of a traceback?"""
    def stub(*args):
        raise NotImplementedError()

    mnist_experiments(stub, stub, stub, iters=5, epochs=1, out=str(tmp_path))
    assert "implement the init functions first" in capsys.readouterr().out


def _experiments_cell() -> str:
    cells = json.loads(MASTER_NB.read_text(encoding="utf-8"))["cells"]
    src = ["".join(c["source"]) for c in cells if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "experiments"]
    assert len(src) == 1
    return src[0]


def test_the_master_has_the_section_switched_off_by_default():
    """Is the slow section in the notebook, off until the student turns it on (graders stay fast), and does
    it take the experiments from the instructor's kit (the student helper holds none of them)?"""
    src = _experiments_cell()
    assert "RUN_EXPERIMENTS = False" in src and "mnist_experiments(normal_init, xavier_init, he_init, lam=LAM)" in src
    assert "from autograder.lectures.weight_init.experiments.notebook import mnist_experiments" in src


def test_without_the_kit_the_cell_says_where_it_runs(capsys):
    """Where the kit is not installed (a laptop, Colab), does the switched-on cell print where it runs
    instead of a traceback?"""
    real_import = builtins.__import__

    def no_kit(name, *args, **kwargs):
        if name.startswith("autograder"):
            raise ModuleNotFoundError(f"No module named {name!r}")
        return real_import(name, *args, **kwargs)

    namespace = {"__builtins__": dict(vars(builtins), __import__=no_kit)}
    exec(_experiments_cell().replace("RUN_EXPERIMENTS = False", "RUN_EXPERIMENTS = True"), namespace)
    out = capsys.readouterr().out
    assert "JupyterHub" in out and "not graded" in out
