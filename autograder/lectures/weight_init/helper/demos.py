"""The lecture's demonstrations in the notebook, drawn and run with the student's own functions."""
from __future__ import annotations

import numpy as np

from autograder.helper.notebook import attempt
from autograder.helper.setup import grading

def lecture_histograms(activation_probe, sigmoid, relu, normal_init, xavier_init, he_init,
                       n_samples: int = 1000, input_dim: int = 100, n_layers: int = 5, node_num: int = 100,
                       seed: int = 0, std_large: float = 1.0, std_small: float = 0.01):
    """The lecture's figure, drawn with the student's own functions.

    Rows: sigmoid with N(0, 1), N(0, 0.01^2), Xavier and He weights, then ReLU with He.
    Columns: the hidden layers, each a 30-bin histogram over (0, 1) as in the lecture.
    """
    if grading():
        return None
    import matplotlib.pyplot as plt

    rows = [
        (f"sigmoid, std={std_large:g}", sigmoid, lambda i, o, r: normal_init(i, o, r, std_large)),
        (f"sigmoid, std={std_small:g}", sigmoid, lambda i, o, r: normal_init(i, o, r, std_small)),
        ("sigmoid, Xavier", sigmoid, xavier_init),
        ("sigmoid, He", sigmoid, he_init),
        ("ReLU, He", relu, he_init),
    ]
    said: set = set()
    runs = []
    for label, act, init in rows:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n_samples, input_dim))
        runs.append(attempt(activation_probe, x, init, act, n_layers, node_num, rng, said=said))
    if all(acts is None for acts in runs):  # no empty grid: the note above says why
        print("그림을 그리려면 activation_probe와 초기화 함수가 동작해야 합니다. / "
              "The figure needs a working activation_probe and init functions.")
        return None
    fig, axes = plt.subplots(len(rows), n_layers, figsize=(2.2 * n_layers, 1.7 * len(rows)), squeeze=False)
    # The figure's size is fixed, so are its margins: tight_layout's measuring draw took a third of the
    # time, and one filled outline per histogram (stairs) draws far faster than hist's 30 bars.
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.05, top=0.95, wspace=0.08, hspace=0.35)
    for row, ((label, act, init), acts) in enumerate(zip(rows, runs)):
        for layer in range(n_layers):
            ax = axes[row, layer]
            if acts is not None and layer < len(acts):
                values = np.asarray(acts[layer], dtype=float).ravel()
                counts, edges = np.histogram(values[np.isfinite(values)], 30, range=(0, 1))  # as plt.hist(a, 30, range=(0,1))
                ax.stairs(counts, edges, fill=True)
                if act is relu and len(counts) > 1:  # like the book's ylim: show the part above 0
                    ax.set_ylim(0, 1.3 * max(counts[1:].max(), 1))
            ax.set_yticks([])
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
            if row == 0:
                ax.set_title(f"{layer + 1}-layer", fontsize=9)
            if layer == 0:
                ax.set_ylabel(label, fontsize=9)
    plt.show()
    return fig


def symmetry_demo(activation_probe, sigmoid, xavier_init, value: float = 0.5, seed: int = 0) -> None:
    """Equal initial weights: identical units forward, identical gradients backward."""
    if grading():
        return None
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 3))
    equal = lambda n_in, n_out, r: np.full((n_in, n_out), value)  # noqa: E731
    acts = attempt(activation_probe, x, equal, sigmoid, 2, 4, rng)
    step = 0
    if acts is not None:
        step += 1
        print(f"{step}) 모든 가중치가 같을 때 은닉층 활성화 값 (행 = 샘플, 열 = 노드) / equal weights, hidden activations:")
        print(np.round(np.asarray(acts[0], dtype=float), 6))
    t = np.array([0, 1, 0])
    for label, init in (("equal weights / 같은 초깃값", equal), ("Xavier", xavier_init)):
        r = np.random.default_rng(seed)
        w1, w2 = attempt(init, 3, 4, r), attempt(init, 4, 2, r)
        if w1 is None or w2 is None:
            continue
        dw1, dw2 = _two_layer_grads(x, t, np.asarray(w1, float), np.asarray(w2, float))
        same1 = np.allclose(dw1, dw1[:, :1])
        same2 = np.allclose(dw2, dw2[:1, :])
        step += 1
        print(f"\n{step}) {label}: dW1 열이 모두 같음 / columns of dW1 identical: {same1};"
              f" dW2 행이 모두 같음 / rows of dW2 identical: {same2}")
        print("dW2 =\n", np.round(dw2, 6))


def _two_layer_grads(x, t, w1, w2):
    """Gradients of softmax cross-entropy for x -> sigmoid(x W1) -> W2 (the notes' 3-4-2 example)."""
    h = 1.0 / (1.0 + np.exp(-(x @ w1)))
    y = h @ w2
    y = np.exp(y - y.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dy = y.copy()
    dy[np.arange(len(t)), t] -= 1
    dy /= len(t)
    dw2 = h.T @ dy
    dh = dy @ w2.T * h * (1 - h)
    return x.T @ dh, dw2


def weight_decay_demo(weight_decay_penalty, weight_decay_grad, lam: float = 0.1, lr: float = 0.1,
                      steps: int = 50, seed: int = 0) -> None:
    """Gradient descent on the decay term alone: W shrinks by (1 - lr * lam) each step."""
    if grading():
        return None
    w = np.random.default_rng(seed).standard_normal((4, 3))
    start = attempt(weight_decay_penalty, [w], lam)
    if start is None:
        return None
    for _ in range(steps):
        g = attempt(weight_decay_grad, w, lam)
        if g is None:
            return None
        w = w - lr * np.asarray(g, dtype=float)
    end = attempt(weight_decay_penalty, [w], lam)
    print(f"penalty: {float(start):.4f} -> {float(end):.4f} after {steps} steps "
          f"(expected factor (1 - lr*lam)^(2*steps) = {(1 - lr * lam) ** (2 * steps):.4f}, "
          f"measured {float(end) / float(start):.4f})")
