"""A small numpy network like the book's ``common/multi_layer_net.py`` (``MultiLayerNet``).

Affine layers with ReLU or sigmoid between them, softmax with cross-entropy on top, plain
SGD, and weight decay ``0.5 * lam * sum(W**2)`` over every affine weight (the output layer
included, no biases): the book's loss (reference-stats.md 1.2), with an exact log-softmax
in place of its ``log(y + 1e-7)``.

Two things differ from the book, on purpose:

* The weights are drawn by an ``init(n_in, n_out, rng) -> W`` callable (a student's
  ``xavier_init`` works as is), layer by layer from seeded generators (:func:`draw_weights`),
  so that a run is reproducible and the same weights come out in the judge and in a sandbox.
* :meth:`MultiLayerNet.train_step` fuses backprop with the SGD update and skips the gradient
  with respect to the input images, which nobody needs; it is the hot loop of the experiments.
"""
from __future__ import annotations

from typing import Callable, Sequence

import numpy as np

from autograder.helper.text import T, Text

#: ``init(n_in, n_out, rng) -> W``: the signature of the assignment's xavier_init / he_init.
Init = Callable[[int, int, np.random.Generator], np.ndarray]

ACTIVATIONS = ("relu", "sigmoid")


class InitProblem(ValueError):
    """An init callable gave no usable weight matrix; ``text`` says why, in both languages."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


def layer_seeds(seed: int, n_layers: int) -> list[int]:
    """One independent 63-bit seed per layer, derived from ``seed`` (same seeds for every init)."""
    # Sharing the seeds across inits gives the comparison common random numbers: std=0.01,
    # Xavier and He nets differ only by their scale when the inits all use standard_normal.
    state = np.random.SeedSequence([int(seed), 0x1A17]).generate_state(n_layers, dtype=np.uint64)
    return [int(s >> np.uint64(1)) for s in state]


def checked_weights(value, n_in: int, n_out: int, name: str = "init", type_name: str | None = None) -> np.ndarray:
    """``value`` as a private, writable float64 (n_in, n_out) matrix; :class:`InitProblem` says why not.

    Args:
        value: what the init returned.
        n_in, n_out: the shape asked for.
        name: the init's name, for the message.
        type_name: the type to report for a non-array (default: ``value``'s own).

    Returns:
        A C-ordered copy (the network updates its weights in place).
    """
    call = f"{name}({n_in}, {n_out}, rng)"
    if not isinstance(value, np.ndarray):
        kind = type_name or type(value).__name__
        got = T(f"a {kind}", f"{kind} 값")
    elif value.shape != (n_in, n_out):
        got = T(f"an array of shape {value.shape}", f"shape {value.shape} 배열")
    elif value.dtype != np.float64:
        got = T(f"an array of dtype {value.dtype}", f"dtype {value.dtype} 배열")
    elif not np.isfinite(value).all():
        got = T("an array with nan or inf values", "nan 또는 inf 가 들어 있는 배열")
    else:
        return np.array(value, dtype=np.float64, order="C", copy=True)
    if getattr(value, "shape", None) == (n_out, n_in):
        hint = T("rows are the previous layer's nodes: the shape is (n_in, n_out), not (n_out, n_in).",
                 "행이 앞 계층의 노드입니다. shape 는 (n_out, n_in) 이 아니라 (n_in, n_out) 입니다.")
    else:
        hint = T("draw it with the rng you are given, e.g. rng.standard_normal((n_in, n_out)) * std.",
                 "인자로 받은 rng 로 만드세요. 예: rng.standard_normal((n_in, n_out)) * std.")
    raise InitProblem(T(
        f"{call} returned {got.en}; expected a float64 numpy array of shape ({n_in}, {n_out}) with finite values. "
        f"Hint: {hint.en}",
        f"{call} 의 반환값이 {got.ko}입니다. shape ({n_in}, {n_out}) 의 유한한 float64 numpy 배열이어야 합니다. "
        f"힌트: {hint.ko}"))


def draw_weights(init: Init, sizes: Sequence[int], seed: int, name: str = "init") -> list[np.ndarray]:
    """The weight matrices of a net with layer sizes ``sizes``: ``init(n_in, n_out, default_rng(s_l))``.

    Args:
        init: the init callable.
        sizes: [input, hidden..., output], e.g. [784, 100, 100, 100, 100, 10].
        seed: the run's seed; layer l uses ``default_rng(layer_seeds(seed, L)[l])``.
        name: the init's name, for error messages.

    Returns:
        One validated float64 matrix per affine layer.
    """
    pairs = list(zip(sizes[:-1], sizes[1:]))
    # A Generator made from a plain int seed lets a sandboxed init send that int to its child
    # (RngSpec), so the judge and the child draw the very same numbers.
    return [checked_weights(init(n_in, n_out, np.random.default_rng(s)), n_in, n_out, name)
            for (n_in, n_out), s in zip(pairs, layer_seeds(seed, len(pairs)))]


def softmax_cross_entropy(scores: np.ndarray, t: np.ndarray) -> tuple[float, np.ndarray]:
    """Mean cross-entropy of softmax(scores) against one-hot ``t``, and its gradient wrt ``scores``.

    Args:
        scores: (N, C) output-layer values.
        t: (N, C) one-hot labels.

    Returns:
        (loss, dscores), with dscores = (softmax - t) / N.
    """
    n = scores.shape[0]
    z = scores - scores.max(axis=1, keepdims=True)  # shift: exp never overflows
    e = np.exp(z)
    total = e.sum(axis=1, keepdims=True)
    # -log softmax_true = log(total) - z_true, exactly; the book's log(p + 1e-7) would bias the gradient check.
    loss = (float(np.log(total).sum()) - float(np.vdot(z, t))) / n
    e /= total
    e -= t
    e /= n
    return loss, e


class MultiLayerNet:
    """Affine -> activation -> ... -> Affine -> softmax-with-loss, with SGD and weight decay.

    The network owns copies of the weights it is given and updates them in place; the
    biases start at zero as in the book.
    """

    def __init__(self, weights: Sequence[np.ndarray], activation: str = "relu", weight_decay: float = 0.0):
        """Args:
            weights: one (n_in, n_out) matrix per affine layer (see :func:`draw_weights`).
            activation: "relu" or "sigmoid", between the affine layers.
            weight_decay: lambda of the 0.5 * lambda * sum(W**2) term (0 switches it off).
        """
        if activation not in ACTIVATIONS:
            raise ValueError(f"activation must be one of {ACTIVATIONS}, not {activation!r}")
        self.W = [np.array(w, dtype=np.float64, order="C", copy=True) for w in weights]
        self.b = [np.zeros(w.shape[1]) for w in self.W]
        self.activation = activation
        self.weight_decay = float(weight_decay)

    @classmethod
    def from_init(cls, sizes: Sequence[int], init: Init, seed: int, activation: str = "relu",
                  weight_decay: float = 0.0, name: str = "init") -> "MultiLayerNet":
        """A network whose weights come from ``init`` (see :func:`draw_weights`)."""
        return cls(draw_weights(init, sizes, seed, name), activation, weight_decay)

    # ---- forward
    def _activate(self, z: np.ndarray) -> np.ndarray:
        if self.activation == "relu":
            return np.maximum(z, 0.0, out=z)
        # sigmoid via tanh: the same function, and no overflow warning for very negative z
        np.multiply(z, 0.5, out=z)
        np.tanh(z, out=z)
        z += 1.0
        z *= 0.5
        return z

    def _hidden(self, x: np.ndarray) -> list[np.ndarray]:
        """[x, h1, ..., h_last]: the input of every affine layer."""
        hs = [x]
        for W, b in zip(self.W[:-1], self.b[:-1]):
            z = hs[-1] @ W
            z += b
            hs.append(self._activate(z))
        return hs

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Output-layer scores (before softmax) for inputs ``x`` of shape (N, n_in)."""
        h = x
        for W, b in zip(self.W[:-1], self.b[:-1]):
            z = h @ W
            z += b
            h = self._activate(z)
        return h @ self.W[-1] + self.b[-1]

    def decay_penalty(self) -> float:
        """0.5 * lambda * the sum of squares of every weight matrix (biases excluded)."""
        if not self.weight_decay:
            return 0.0
        return 0.5 * self.weight_decay * sum(float(np.vdot(W, W)) for W in self.W)

    def loss(self, x: np.ndarray, t: np.ndarray) -> float:
        """Cross-entropy on (x, one-hot t) plus the weight-decay penalty, as the book's ``loss``."""
        return softmax_cross_entropy(self.predict(x), t)[0] + self.decay_penalty()

    def accuracy(self, x: np.ndarray, t: np.ndarray, chunk: int = 2048) -> float:
        """Fraction of rows of ``x`` whose arg-max score is the arg-max of one-hot ``t``."""
        hits = 0
        for start in range(0, len(x), chunk):  # chunks keep 60,000-image evaluations small in memory
            hits += int((self.predict(x[start:start + chunk]).argmax(axis=1)
                         == t[start:start + chunk].argmax(axis=1)).sum())
        return hits / len(x)

    # ---- backward
    def _backprop(self, x: np.ndarray, t: np.ndarray, lr: float | None):
        hs = self._hidden(x)
        loss, d = softmax_cross_entropy(hs[-1] @ self.W[-1] + self.b[-1], t)
        loss += self.decay_penalty()  # the penalty of the weights this step's gradient is taken at
        lam = self.weight_decay
        grads: list[tuple[np.ndarray, np.ndarray]] = []
        for layer in range(len(self.W) - 1, -1, -1):
            W, b = self.W[layer], self.b[layer]
            dW = hs[layer].T @ d
            db = d.sum(axis=0)
            if layer > 0:  # no gradient wrt the images: nothing uses it
                d = d @ W.T  # taken before W is updated below
                self._activation_backward(d, hs[layer])
            if lam:
                dW += lam * W  # d/dW of 0.5 * lam * sum(W**2); biases are not decayed
            if lr is None:
                grads.append((dW, db))
            else:
                dW *= lr
                W -= dW
                db *= lr
                b -= db
        grads.reverse()
        return loss, grads

    def _activation_backward(self, d: np.ndarray, h: np.ndarray) -> None:
        """d <- d * activation'(z), in place, from the activation's output h."""
        if self.activation == "relu":
            # The book's Relu masks x <= 0, i.e. exactly the units whose output h is 0.
            np.multiply(d, h > 0.0, out=d)
        else:
            d *= h
            d *= 1.0 - h

    def gradient(self, x: np.ndarray, t: np.ndarray) -> tuple[float, list[np.ndarray], list[np.ndarray]]:
        """Loss and its gradients by backprop, without changing the network.

        Args:
            x: (N, n_in) inputs.
            t: (N, C) one-hot labels.

        Returns:
            (loss, [dL/dW per layer], [dL/db per layer]); dL/dW includes lambda * W.
        """
        loss, grads = self._backprop(x, t, lr=None)
        return loss, [g[0] for g in grads], [g[1] for g in grads]

    def train_step(self, x: np.ndarray, t: np.ndarray, lr: float) -> float:
        """One SGD step on the mini-batch (x, t); returns the loss at the weights *before* the step.

        The book records the loss after the update, one more forward pass; the curves are one
        step apart, which no figure can show, and this saves a third of the work.
        """
        return self._backprop(x, t, lr=float(lr))[0]


__all__ = [
    "Init", "InitProblem", "MultiLayerNet", "checked_weights", "draw_weights", "layer_seeds",
    "softmax_cross_entropy",
]
