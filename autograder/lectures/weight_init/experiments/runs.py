"""The lecture's two MNIST experiments, as the book runs them (reference-stats.md 1.3 and 1.4).

* :func:`init_compare` - book 6.2.4, ``ch06/weight_init_compare.py``: three 784-100-100-100-100-10
  ReLU nets, initialised with std 0.01, Xavier and He, trained side by side on the same
  mini-batches; the per-iteration loss shows that std 0.01 does not learn and He learns fastest.
* :func:`weight_decay_compare` - book 6.4.1/6.4.2, ``ch06/overfit_weight_decay.py``: a 7-layer
  ReLU/He net on only 300 training images overfits (train accuracy 100%, test far lower);
  weight decay lambda = 0.1 narrows the gap.

Both are deterministic for a given seed: the weights come from :func:`net.draw_weights` (the
same layer seeds for every init, so the nets differ only by the init) and the mini-batches
from their own generator, drawn with replacement as the book's ``np.random.choice`` does.
Both write a CSV and a PNG when given a folder.
"""
from __future__ import annotations

import contextlib
import csv
import functools
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Mapping, Sequence

import numpy as np

from autograder.lectures.weight_init.experiments.mnist import Mnist, load_mnist
from autograder.lectures.weight_init.experiments.net import Init, MultiLayerNet

#: ``progress(done, total)``, called as the work advances (the CLI draws a bar with it).
Progress = Callable[[int, int], None]

#: Stream ids mixed into the seed, so the batches never reuse the weights' random numbers.
_BATCH_STREAM = 0xBA7C


@dataclass(frozen=True)
class TrainSetup:
    """The network and optimiser of one experiment (the book's values by default)."""

    hidden: tuple[int, ...] = (100, 100, 100, 100)
    """Sizes of the hidden layers; the input and output sizes come from the data."""
    activation: str = "relu"
    """The activation, "relu" or "sigmoid"; the book's comparison uses ReLU for all three inits."""
    lr: float = 0.01
    """SGD learning rate."""
    batch_size: int = 128
    """Mini-batch size (drawn with replacement)."""


#: Book 6.2.4: MultiLayerNet(784, [100]*4, 10), SGD(lr=0.01), batch 128.
INIT_COMPARE_SETUP = TrainSetup()
#: Book 6.4: MultiLayerNet(784, [100]*6, 10), He init, SGD(lr=0.01), batch 100.
WEIGHT_DECAY_SETUP = TrainSetup(hidden=(100,) * 6, batch_size=100)

#: The book's 201 epochs (accuracy measurements, 601 steps), kept for the 5k subset: there
#: (seeds 0-4) lambda=0 first reaches train accuracy 1.0 at epochs 95-143 and ends at train
#: 1.000 / test 0.79-0.82 (gap 0.18-0.21); lambda=0.1 ends at train 0.84-0.91 / test 0.71-0.77
#: (gap 0.10-0.19), always the smaller gap.  The book's picture (its full MNIST: gaps 0.25, 0.2).
DEFAULT_EPOCHS = 201
DEFAULT_ITERS = 2000
#: Markers of the book's figures, by label (others cycle through the rest).
_MARKERS = {"std=0.01": "o", "Xavier": "s", "He": "D"}


@dataclass(frozen=True)
class InitCompareResult:
    """Per-iteration mini-batch losses of :func:`init_compare`."""

    losses: dict[str, np.ndarray]
    """Init label -> (iters,) loss of each step's mini-batch, before that step's update."""
    seed: int
    source: str
    """The data's description (see :class:`mnist.Mnist`)."""
    files: tuple[Path, ...] = field(default_factory=tuple)
    """The CSV and PNG written, if a folder was given."""


@dataclass(frozen=True)
class WeightDecayResult:
    """Accuracy per epoch of :func:`weight_decay_compare`, one run per lambda."""

    train_acc: dict[float, np.ndarray]
    """Lambda -> (epochs,) accuracy on the training images."""
    test_acc: dict[float, np.ndarray]
    """Lambda -> (epochs,) accuracy on the test images."""
    seed: int
    source: str
    """The data's description (see :class:`mnist.Mnist`)."""
    train_size: int
    """Training images used (the first ones of the training set)."""
    files: tuple[Path, ...] = field(default_factory=tuple)
    """The CSV and PNG written, if a folder was given."""

    def gap(self, lam: float) -> float:
        """Final train accuracy minus final test accuracy of the run with this lambda."""
        return float(self.train_acc[lam][-1] - self.test_acc[lam][-1])


def reference_inits() -> dict[str, Init]:
    """The book's three inits from the reference solution: std 0.01, Xavier and He."""
    from autograder.reference import functions as ref

    return {"std=0.01": functools.partial(ref.normal_init, std=0.01), "Xavier": ref.xavier_init, "He": ref.he_init}


def _sizes(data: Mnist, setup: TrainSetup) -> list[int]:
    return [data.x_train.shape[1], *setup.hidden, data.t_train.shape[1]]


def one_blas_thread():
    """A context in which numpy's BLAS uses one thread (a no-op where threadpoolctl is missing).

    The experiments multiply 128x784 by 784x100 at most: splitting such products over threads
    costs more than it saves, and collapses when the cores are shared (measured on 2 busy
    cores: 7.2 ms per training step with 2 BLAS threads, 1.75 ms with 1).  threadpoolctl
    comes with mlxtend (through scikit-learn); the import is optional all the same.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _batches(n: int, size: int, seed: int):
    """Endless row indices of mini-batches drawn with replacement, like np.random.choice(n, size)."""
    rng = np.random.default_rng([int(seed), _BATCH_STREAM])
    while True:
        yield rng.integers(0, n, size)


# ---- 6.2.4: the weight-init comparison ---------------------------------------------------


def init_compare(out: str | Path | None = None, *, inits: Mapping[str, Init] | None = None,
                 iters: int = DEFAULT_ITERS, seed: int = 0, data: str | Path | None = None,
                 progress: Progress | None = None, setup: TrainSetup = INIT_COMPARE_SETUP) -> InitCompareResult:
    """Train one net per init on the same mini-batches and record every step's loss (book 6.2.4).

    Args:
        out: folder for loss.csv and loss.png (created); None writes nothing.
        inits: label -> ``init(n_in, n_out, rng)``; default :func:`reference_inits`.
        iters: SGD steps (the book: 2000).
        seed: seeds the weights and the mini-batches.
        data: MNIST location for :func:`mnist.load_mnist` (None: the embedded 5k subset).
        progress: called as ``progress(done, iters)`` after every step.
        setup: network and optimiser.

    Returns:
        The losses, and the files written.
    """
    mnist = load_mnist(data)
    inits = dict(inits) if inits is not None else reference_inits()
    if not inits:
        raise ValueError("init_compare needs at least one init")
    sizes = _sizes(mnist, setup)
    nets = {label: MultiLayerNet.from_init(sizes, init, seed, setup.activation, name=label)
            for label, init in inits.items()}
    losses = {label: np.empty(iters) for label in nets}
    batches = _batches(len(mnist.x_train), setup.batch_size, seed)
    # A badly scaled init may overflow to inf/nan; that is a result to plot, not a crash.
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread():
        for i in range(iters):
            idx = next(batches)
            x, t = mnist.x_train[idx], mnist.t_train[idx]  # one batch for all nets, as in the book
            for label, net in nets.items():
                losses[label][i] = net.train_step(x, t, setup.lr)
            if progress is not None:
                progress(i + 1, iters)
    result = InitCompareResult(losses=losses, seed=seed, source=mnist.source)
    if out is not None:
        result = replace(result, files=write_init_compare(result, out, setup))
    return result


def smooth_curve(values: Sequence[float], window: int = 11, beta: float = 2.0) -> np.ndarray:
    """The book's ``common/util.py smooth_curve``: a Kaiser-window moving average, ends mirrored.

    Args:
        values: a loss curve.
        window: odd window length (the book: 11).
        beta: Kaiser shape parameter (the book: 2).

    Returns:
        An array as long as ``values``.
    """
    x = np.asarray(values, dtype=float)
    if len(x) < window:
        return x.copy()
    # Mirror window-1 points at each end (without repeating the end point) so the ends are not damped.
    padded = np.r_[x[window - 1:0:-1], x, x[-1:-window:-1]]
    w = np.kaiser(window, beta)
    smoothed = np.convolve(w / w.sum(), padded, mode="valid")
    half = window // 2
    return smoothed[half:len(smoothed) - half]


def write_init_compare(result: InitCompareResult, out: str | Path,
                       setup: TrainSetup = INIT_COMPARE_SETUP) -> tuple[Path, Path]:
    """Write ``out/loss.csv`` (iteration, one column per init) and ``out/loss.png``; returns both paths."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    labels = list(result.losses)
    iters = len(next(iter(result.losses.values()))) if labels else 0
    csv_path = out / "loss.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["iteration", *labels])
        for i in range(iters):
            writer.writerow([i, *(f"{result.losses[label][i]:.6f}" for label in labels)])

    plt = _pyplot()
    fig, ax = plt.subplots(figsize=(6.4, 4.8))
    x = np.arange(iters)
    spare = iter("^vxP*")
    for label in labels:
        ax.plot(x, smooth_curve(result.losses[label]), marker=_MARKERS.get(label) or next(spare, "."),
                markevery=max(1, iters // 20), label=label)
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 2.5)
    ax.legend()
    arch = _arch(setup)
    ax.set_title(f"MNIST, {arch} {setup.activation}, SGD lr={setup.lr:g}, batch {setup.batch_size}\n"
                 f"{result.source}, seed {result.seed} (smoothed as in the book)", fontsize=9)
    return csv_path, _save(plt, fig, out / "loss.png")


# ---- 6.4: overfitting and weight decay ----------------------------------------------------


def train_with_decay(mnist: Mnist, lam: float, *, epochs: int, seed: int, train_size: int,
                     init: Init | None = None, setup: TrainSetup = WEIGHT_DECAY_SETUP,
                     progress: Callable[[], None] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """One run of the book's overfit_weight_decay.py: (train accuracy, test accuracy) per epoch.

    As in the book, an "epoch" is ``max(train_size / batch_size, 1)`` steps, accuracy is
    measured after the update of every step ``i`` with ``i % steps_per_epoch == 0`` (so
    epoch 0 follows one step), and the run stops after ``epochs`` measurements.

    Args:
        mnist: the data; the first ``train_size`` training images are used.
        lam: weight-decay lambda.
        epochs: number of measurements.
        seed: seeds the weights and the batches (the same for every lambda).
        train_size: training images used (the book: 300).
        init: ``init(n_in, n_out, rng)``; default the reference He init (the book's default).
        setup: network and optimiser.
        progress: called with no argument after every measurement.

    Returns:
        Two (epochs,) arrays.
    """
    if init is None:
        from autograder.reference import functions as _ref
        init = _ref.he_init
    x_train, t_train = mnist.x_train[:train_size], mnist.t_train[:train_size]
    net = MultiLayerNet.from_init(_sizes(mnist, setup), init, seed, setup.activation, weight_decay=lam)
    steps_per_epoch = max(train_size // setup.batch_size, 1)
    train_acc, test_acc = np.empty(epochs), np.empty(epochs)
    batches = _batches(train_size, setup.batch_size, seed)
    epoch, step = 0, 0
    with np.errstate(over="ignore", invalid="ignore", divide="ignore"), one_blas_thread():
        while epoch < epochs:
            idx = next(batches)
            net.train_step(x_train[idx], t_train[idx], setup.lr)
            if step % steps_per_epoch == 0:
                train_acc[epoch] = net.accuracy(x_train, t_train)
                test_acc[epoch] = net.accuracy(mnist.x_test, mnist.t_test)
                epoch += 1
                if progress is not None:
                    progress()
            step += 1
    return train_acc, test_acc


def weight_decay_compare(out: str | Path | None = None, *, lam: float = 0.1, epochs: int = DEFAULT_EPOCHS,
                         seed: int = 0, data: str | Path | None = None, progress: Progress | None = None,
                         train_size: int = 300, init: Init | None = None,
                         setup: TrainSetup = WEIGHT_DECAY_SETUP) -> WeightDecayResult:
    """Overfitting without and with weight decay (book 6.4.1 and 6.4.2).

    Runs :func:`train_with_decay` for lambda = 0 and ``lam`` from the same initial weights and
    the same mini-batches, so only the decay differs.

    Args:
        out: folder for accuracy.csv and accuracy.png (created); None writes nothing.
        lam: the weight-decay lambda compared with 0 (the book: 0.1).
        epochs: measurements per run (default 201, as the book).
        seed: seeds the weights and the mini-batches.
        data: MNIST location for :func:`mnist.load_mnist` (None: the embedded 5k subset).
        progress: called as ``progress(done, total)``, total = epochs times the number of runs.
        train_size: training images (the book: the first 300).
        init: ``init(n_in, n_out, rng)``; default the reference He init.
        setup: network and optimiser.

    Returns:
        Accuracies per lambda, and the files written.
    """
    mnist = load_mnist(data)
    if not 0 < train_size <= len(mnist.x_train):
        raise ValueError(f"train_size must be in 1..{len(mnist.x_train)}, not {train_size}")
    lams = [0.0] if float(lam) == 0.0 else [0.0, float(lam)]
    total, done = epochs * len(lams), 0

    def tick() -> None:
        nonlocal done
        done += 1
        if progress is not None:
            progress(done, total)

    train_acc, test_acc = {}, {}
    for value in lams:
        train_acc[value], test_acc[value] = train_with_decay(
            mnist, value, epochs=epochs, seed=seed, train_size=train_size, init=init, setup=setup, progress=tick)
    result = WeightDecayResult(train_acc, test_acc, seed, mnist.source, train_size)
    if out is not None:
        result = replace(result, files=write_weight_decay(result, out, setup))
    return result


def _lam_text(lam: float) -> str:
    return f"{lam:g}"


def write_weight_decay(result: WeightDecayResult, out: str | Path,
                       setup: TrainSetup = WEIGHT_DECAY_SETUP) -> tuple[Path, Path]:
    """Write ``out/accuracy.csv`` and ``out/accuracy.png`` (one panel per lambda); returns both paths.

    The CSV has the columns epoch, then train_lambda_<l> and test_lambda_<l> for each lambda.
    """
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    lams = list(result.train_acc)
    epochs = len(result.train_acc[lams[0]])
    csv_path = out / "accuracy.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["epoch", *(f"{part}_lambda_{_lam_text(lam)}" for lam in lams for part in ("train", "test"))])
        for e in range(epochs):
            writer.writerow([e, *(f"{acc[lam][e]:.4f}" for lam in lams for acc in (result.train_acc, result.test_acc))])

    plt = _pyplot()
    fig, axes = plt.subplots(1, len(lams), figsize=(5.2 * len(lams), 4.2), sharey=True, squeeze=False)
    x = np.arange(epochs)
    for ax, lam in zip(axes[0], lams):
        ax.plot(x, result.train_acc[lam], marker="o", markevery=max(1, epochs // 20), label="train")
        ax.plot(x, result.test_acc[lam], marker="s", markevery=max(1, epochs // 20), label="test")
        ax.set_xlabel("epochs")
        ax.set_ylim(0, 1.0)
        ax.legend(loc="lower right")
        gap = result.gap(lam)
        ax.set_title(f"lambda = {_lam_text(lam)}: final train {result.train_acc[lam][-1]:.3f}, "
                     f"test {result.test_acc[lam][-1]:.3f} (gap {gap:.3f})", fontsize=9)
    axes[0][0].set_ylabel("accuracy")
    arch = _arch(setup)
    fig.suptitle(f"Weight decay on {result.train_size} training images: {arch} {setup.activation}, He, "
                 f"SGD lr={setup.lr:g}, batch {setup.batch_size}; {result.source}, seed {result.seed}", fontsize=9)
    return csv_path, _save(plt, fig, out / "accuracy.png")


def _arch(setup: TrainSetup) -> str:
    return "-".join(str(n) for n in [784, *setup.hidden, 10])


def _save(plt, fig, path: Path) -> Path:
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def _pyplot():
    import matplotlib

    matplotlib.use("Agg", force=False)  # files only; never a window (and no display in CI)
    import matplotlib.pyplot as plt

    return plt


__all__ = [
    "DEFAULT_EPOCHS", "DEFAULT_ITERS", "INIT_COMPARE_SETUP", "WEIGHT_DECAY_SETUP", "InitCompareResult", "Progress",
    "TrainSetup", "WeightDecayResult", "init_compare", "one_blas_thread", "reference_inits", "smooth_curve",
    "train_with_decay", "weight_decay_compare", "write_init_compare", "write_weight_decay",
]
