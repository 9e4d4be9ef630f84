"""The book's conclusions on shortened, fixed-seed runs of the two MNIST experiments (5k subset)."""
from __future__ import annotations

import csv
import math
import socket

import numpy as np
import pytest

from autograder.lectures.weight_init.experiments.runs import init_compare, smooth_curve, weight_decay_compare

LN10 = math.log(10)
#: Shortened runs: long enough for the book's picture, short enough for CI (a few seconds each).
INIT_ITERS = 300
DECAY_EPOCHS = 80


@pytest.fixture(scope="module")
def init_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("init-compare")
    return init_compare(out, iters=INIT_ITERS, seed=0), out


@pytest.fixture(scope="module")
def decay_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("weight-decay")
    return weight_decay_compare(out, lam=0.1, epochs=DECAY_EPOCHS, seed=0), out


def test_std_001_stays_near_ln_10(init_run):
    """Does std 0.01 stay near ln 10 (2.3026) for the whole run: it does not learn at all?"""
    losses = init_run[0].losses["std=0.01"]
    assert np.abs(losses - LN10).max() < 0.01  # seeds 0-9: at most 0.0013


def test_he_below_xavier_early(init_run):
    """Is He's loss below Xavier's early on (iterations 50-300), and do both fall clearly below ln 10?"""
    losses = init_run[0].losses
    he, xavier = losses["He"][50:].mean(), losses["Xavier"][50:].mean()
    assert he < xavier - 0.5  # seeds 0-9: He 0.95-1.18, Xavier 2.02-2.18
    assert xavier < LN10 - 0.1


def test_gap_smaller_with_weight_decay(decay_run):
    """Is the train/test gap under lambda 0.1 smaller than under lambda 0, where training nearly memorises?"""
    result = decay_run[0]

    def tail_mean(acc):  # last 10 epochs: one epoch's accuracy jumps by a few images
        return float(acc[-10:].mean())

    gap0 = tail_mean(result.train_acc[0.0]) - tail_mean(result.test_acc[0.0])
    gap1 = tail_mean(result.train_acc[0.1]) - tail_mean(result.test_acc[0.1])
    assert tail_mean(result.train_acc[0.0]) > 0.9
    assert gap0 > 0.1
    assert gap1 < gap0 - 0.03
    assert tail_mean(result.train_acc[0.1]) < tail_mean(result.train_acc[0.0])


def test_loss_csv_and_png(init_run):
    """Does loss.csv have the columns iteration,std=0.01,Xavier,He and one row per iteration, next to a PNG?"""
    result, out = init_run
    with (out / "loss.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["iteration", "std=0.01", "Xavier", "He"]
    assert len(rows) == INIT_ITERS + 1 and rows[-1][0] == str(INIT_ITERS - 1)
    assert float(rows[1][3]) == pytest.approx(result.losses["He"][0], abs=1e-6)
    assert (out / "loss.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert result.files == (out / "loss.csv", out / "loss.png")


def test_accuracy_csv_and_png(decay_run):
    """Does accuracy.csv have one row per epoch with train and test columns for both lambdas, next to a PNG?"""
    _, out = decay_run
    with (out / "accuracy.csv").open(newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["epoch", "train_lambda_0", "test_lambda_0", "train_lambda_0.1", "test_lambda_0.1"]
    assert len(rows) == DECAY_EPOCHS + 1
    assert all(0.0 <= float(v) <= 1.0 for row in rows[1:] for v in row[1:])
    assert (out / "accuracy.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_same_seed_same_losses_and_offline(monkeypatch):
    """Do two runs with one seed give identical losses, with every network connection refused?"""
    def refuse(*args, **kwargs):
        raise AssertionError("the experiments must never open a network connection")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    calls = []
    a = init_compare(iters=5, seed=3, progress=lambda done, total: calls.append((done, total)))
    b = init_compare(iters=5, seed=3)
    c = init_compare(iters=5, seed=4)
    for label in a.losses:
        np.testing.assert_array_equal(a.losses[label], b.losses[label])
    assert not np.array_equal(a.losses["He"], c.losses["He"])
    assert calls == [(i, 5) for i in range(1, 6)]
    assert a.files == ()


def test_weight_decay_progress_and_lambda_zero():
    """With --lam 0, is there a single run, and does progress count every epoch of it?"""
    calls = []
    result = weight_decay_compare(lam=0.0, epochs=3, progress=lambda done, total: calls.append((done, total)))
    assert list(result.train_acc) == [0.0]
    assert calls == [(1, 3), (2, 3), (3, 3)]


def test_smooth_curve_like_the_book():
    """Does the book's Kaiser smoothing keep the length, keep a constant, and flatten noise around it?"""
    assert np.allclose(smooth_curve(np.full(50, 2.3)), 2.3)
    noisy = 1.0 + 0.1 * np.random.default_rng(0).standard_normal(500)
    smooth = smooth_curve(noisy)
    assert smooth.shape == noisy.shape
    assert smooth.std() < 0.5 * noisy.std()
    ramp = np.arange(30.0)
    assert np.allclose(smooth_curve(ramp)[5:-5], ramp[5:-5])  # a symmetric window leaves a line alone
    assert np.array_equal(smooth_curve([1.0, 2.0]), [1.0, 2.0])  # shorter than the window: unchanged
