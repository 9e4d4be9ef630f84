"""``initlab experiment``: parsing, the files written, the progress bar, and --student through the sandbox."""
from __future__ import annotations

import argparse
import io
import subprocess
import sys

import pytest

from autograder.lectures.weight_init.experiments import runs
from autograder.lectures.weight_init.experiments.command import HELP_DEFAULTS, register
from autograder.engine.progress import ProgressBar
from tests.conftest import STUB_PY, reference_source
from tests.kernels import PROCESS_TIMEOUT


#: A submission with correct normal_init and he_init; each test supplies xavier_init's body.
STUDENT_TEMPLATE = """import numpy as np

def normal_init(n_in, n_out, rng, std):
    return rng.standard_normal((n_in, n_out)) * std

def xavier_init(n_in, n_out, rng):
    {xavier_body}

def he_init(n_in, n_out, rng):
    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)
"""


def run(argv: list[str]) -> int:
    """Parse ``argv`` with a parser that only has the experiment verb (as cli.py will hook it) and run it."""
    parser = argparse.ArgumentParser(prog="initlab")
    register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(argv)
    return args.run(args)


def test_init_compare_verb_writes_both_files(tmp_path, capsys):
    """Does `experiment init-compare --iters 3 --out DIR` write loss.csv and loss.png and report them?"""
    assert run(["experiment", "init-compare", "--iters", "3", "--seed", "1", "--out", str(tmp_path),
                "--lang", "en"]) == 0
    out, err = capsys.readouterr()
    assert (tmp_path / "loss.csv").is_file() and (tmp_path / "loss.png").is_file()
    assert "loss.csv" in out and "Xavier" in out
    assert "init-compare [" in err and "3/3" in err  # the progress bar goes to stderr


def test_weight_decay_verb_in_korean(tmp_path, capsys):
    """Does `experiment weight-decay --epochs 2` write accuracy.csv and .png and summarise in Korean?"""
    assert run(["experiment", "weight-decay", "--epochs", "2", "--lam", "0.1", "--out", str(tmp_path),
                "--lang", "ko"]) == 0
    out = capsys.readouterr().out
    assert (tmp_path / "accuracy.csv").is_file() and (tmp_path / "accuracy.png").is_file()
    assert "훈련 정확도" in out and "lambda=0.1" in out


@pytest.mark.parametrize("argv", [
    ["experiment", "init-compare", "--iters", "0", "--out", "x"],
    ["experiment", "weight-decay", "--lam", "-1", "--out", "x"],
    ["experiment", "init-compare"],  # --out is required
    ["experiment"],  # a sub-verb is required
])
def test_bad_flags_are_usage_errors(argv):
    """Do a zero --iters, a negative --lam, a missing --out or a missing sub-verb stop with usage (exit 2)?"""
    with pytest.raises(SystemExit) as info:
        run(argv)
    assert info.value.code == 2


def test_missing_data_folder(tmp_path, capsys):
    """Does --data pointing nowhere exit 2 with a message naming the path, and write nothing?"""
    code = run(["experiment", "weight-decay", "--data", str(tmp_path / "none"), "--out", str(tmp_path / "o"),
                "--lang", "en"])
    assert code == 2
    assert "none" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_parser_is_cheap_and_its_help_tells_the_real_defaults():
    """Does building the parser leave numpy unimported, and does its help quote runs' real defaults?"""
    code = ("import sys, argparse; from autograder.lectures.weight_init.experiments.command import register; "
            "register(argparse.ArgumentParser().add_subparsers()); print('numpy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
    assert out.stdout.strip() == "False", out.stderr
    assert HELP_DEFAULTS == {"iters": runs.DEFAULT_ITERS, "epochs": runs.DEFAULT_EPOCHS}


def test_progress_bar_in_a_log_prints_quarters():
    """Off a terminal, does the bar print a handful of plain lines instead of thousands of redraws?"""
    stream = io.StringIO()
    bar = ProgressBar("demo", stream=stream)
    for i in range(1, 2001):
        bar(i, 2000)
    lines = stream.getvalue().splitlines()
    assert len(lines) == 5 and lines[-1].startswith("demo [" + "#" * 30 + "]") and "2000/2000" in lines[-1]


@pytest.mark.sandbox
def test_student_reference_matches_the_builtin_run(tmp_path):
    """Does --student with the reference solution, run in the sandbox child, give exactly the built-in CSV?"""
    student = tmp_path / "weight_init.py"
    student.write_text(reference_source(), encoding="utf-8")
    assert run(["experiment", "init-compare", "--iters", "15", "--out", str(tmp_path / "builtin")]) == 0
    assert run(["experiment", "init-compare", "--iters", "15", "--student", str(student),
                "--out", str(tmp_path / "student")]) == 0
    assert (tmp_path / "student" / "loss.csv").read_text() == (tmp_path / "builtin" / "loss.csv").read_text()


@pytest.mark.sandbox
@pytest.mark.parametrize("body, fragment_en, fragment_ko", [
    ("return rng.standard_normal((n_out, n_in)) * np.sqrt(1.0 / n_in)", "shape (100, 784)", "(784, 100)"),
    ("return (rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)).tolist()", "a list", "list"),
    ("raise ValueError('nope')", "ValueError: nope", "ValueError"),
])
def test_student_mistakes_are_explained(tmp_path, capsys, body, fragment_en, fragment_ko):
    """Does a wrong xavier_init stop the run (exit 1) with a message in the chosen language, before training?"""
    student = tmp_path / "weight_init.py"
    student.write_text(STUDENT_TEMPLATE.format(xavier_body=body), encoding="utf-8")
    for lang, fragment in (("en", fragment_en), ("ko", fragment_ko)):
        code = run(["experiment", "init-compare", "--iters", "5", "--student", str(student),
                    "--out", str(tmp_path / "out"), "--lang", lang])
        assert code == 1
        assert fragment in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


@pytest.mark.sandbox
def test_student_stub_is_not_attempted(tmp_path, capsys):
    """Does the unmodified assignment stub say the function is not implemented yet?"""
    code = run(["experiment", "init-compare", "--iters", "5", "--student", str(STUB_PY), "--out", str(tmp_path),
                "--lang", "en"])
    assert code == 1
    assert "not implemented" in capsys.readouterr().err
