"""Helpers the assignment notebook calls: the self-check cells and the lecture's demonstrations.

``check("sigmoid")`` grades the function of that name defined in the notebook, shows the
same messages as ``initlab check`` (Korean first, English beside it) and returns the score
as a float, which is what nbgrader reads as the partial credit of a test cell.

These helpers run the student's functions in the notebook's own kernel (the trust model of
nbgrader: a student checks their own work).  Official grades come from ``initlab grade``,
which always runs submissions in the sandbox.  While a submission is being graded
(``INITLAB_GRADING=1``), the demonstrations do nothing so grading stays fast.
"""
from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import io
import json
import os
import sys
import warnings
import zlib

import numpy as np

# Only numpy and the standard library at import: while a submission is graded, this module is
# imported inside the jail, which holds none of the kit's other modules (see sandbox/jail.py).
# The self-check's report imports them when a student calls it.


def grading() -> bool:
    """True while initlab grades this code in its sandbox (read at call time: the sandbox's zygote
    imports this module before the child's environment says so)."""
    return os.environ.get("INITLAB_GRADING") == "1"



def _caller_namespace(depth: int = 2) -> dict:
    return sys._getframe(depth).f_globals


def _both(text) -> str:
    """Korean first, English beside it."""
    if text is None:
        return ""
    return text.ko if text.ko == text.en else f"{text.ko} / {text.en}"


class CheckReport:
    """What a self-check cell displays: one row per check; HTML in Jupyter, text elsewhere."""

    def __init__(self, results: list):
        self.results = results
        self.score = round(sum(r.score for r in results), 6)
        self.max_score = round(sum(r.points for r in results), 6)

    def _rows(self):
        from autograder.messages import DETAIL_LABELS, result_details

        for r in self.results:
            details = [("" if kind == "message" else _both(DETAIL_LABELS[kind]), text)
                       for kind, text in result_details(r, _both)]
            yield r, details

    def __repr__(self) -> str:
        from autograder.messages import LABELS, STATUS_LABEL

        lines = []
        for r, details in self._rows():
            lines.append(f"[{_both(STATUS_LABEL[r.status])}] {r.function}: {_both(r.info.title)}  {r.score:g}/{r.points:g}")
            lines += [f"    {label + ': ' if label else ''}{text}" for label, text in details]
        lines.append(f"{_both(LABELS['score'])}: {self.score:g} / {self.max_score:g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        from autograder.messages import LABELS, STATUS_LABEL

        colour = {"passed": "#1a7f37", "failed": "#cf222e"}
        rows = []
        for r, details in self._rows():
            c = colour.get(r.status, "#9a6700")
            extra = "".join(f"<div style='margin-left:1em'><b>{html.escape(label)}</b> {html.escape(text)}</div>"
                            if label else f"<div style='margin-left:1em'>{html.escape(text)}</div>"
                            for label, text in details)
            rows.append(f"<tr><td style='color:{c};font-weight:bold;white-space:nowrap'>"
                        f"{html.escape(_both(STATUS_LABEL[r.status]))}</td>"
                        f"<td style='text-align:left'><code>{html.escape(r.function)}</code>: "
                        f"{html.escape(_both(r.info.title))}{extra}</td>"
                        f"<td style='white-space:nowrap'>{r.score:g} / {r.points:g}</td></tr>")
        total = f"{html.escape(_both(LABELS['score']))}: <b>{self.score:g} / {self.max_score:g}</b>"
        return f"<table>{''.join(rows)}</table><p>{total}</p>"


def seed_from(*parts: object) -> int:
    """A 63-bit seed from any parts; stable across runs, machines and Python versions."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def analysis_seed(seed: int, week: int, student_id: str, tag: str) -> int:
    """The seed of the analysis question ``tag`` under a set-up (a 32-bit int, easy to print)."""
    return seed_from("analysis", seed, week, student_id, tag) % 2**32


#: A per-student week's set-up travels as one line of text the TA sends each student.
SETUP_CODE_PREFIX = "initlab1:"


def encode_setup(values: dict) -> str:
    """A set-up as a code to paste into the notebook's SETUP_CODE (for a per-student week)."""
    raw = json.dumps(values, sort_keys=True, separators=(",", ":")).encode()
    return SETUP_CODE_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


def decode_setup(code: str) -> dict:
    """The set-up a code holds; ValueError (in both languages) if it is not one."""
    text = "".join(str(code).split())
    if not text.startswith(SETUP_CODE_PREFIX):
        raise ValueError("설정 코드가 비어 있거나 잘못되었습니다. 조교가 보낸 코드를 SETUP_CODE에 그대로 붙여 넣으세요. / "
                         "The set-up code is empty or wrong: paste the code your TA sent you into SETUP_CODE.")
    body = text[len(SETUP_CODE_PREFIX):]
    try:
        values = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    except (ValueError, zlib.error) as exc:
        raise ValueError("설정 코드가 손상되었습니다. 다시 복사해 붙여 넣으세요. / "
                         "The set-up code is damaged: copy and paste it again.") from exc
    if not isinstance(values, dict):
        raise ValueError("not a set-up code")
    return values


class GradedSetup:
    """A week's set-up as plain values: the notebook's SETUP, or what the judge sends the sandbox child.

    Attributes are the variant's numbers (``V.n_samples``, ``V.lam``, ...); nothing here derives a
    set-up, so nothing here can give another week's or another student's.
    """

    def __init__(self, values: dict):
        for key, value in dict(values).items():
            setattr(self, key, _tuples(value))
        self.seed = int(values.get("seed", 0))
        self.week = int(values.get("week", 0))
        self.student_id = str(values.get("student_id", ""))

    def analysis_seed(self, tag: str) -> int:
        """The seed of the analysis question ``tag`` (the notebook's own cells draw with it)."""
        return analysis_seed(self.seed, self.week, self.student_id, tag)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


#: Set by the sandbox child before it runs a submission: what ``variant()`` returns while graded.
_GRADED_SETUP: GradedSetup | None = None


def use_graded_setup(values: dict | None) -> None:
    """Called by the sandbox child (never by a student): the set-up of this grading run."""
    global _GRADED_SETUP
    _GRADED_SETUP = GradedSetup(values) if values is not None else None


def variant(setup: dict | str | None = None, student_id: str = "") -> GradedSetup:
    """This week's set-up, from the notebook's SETUP: the week's numbers (a dict the release wrote
    into the notebook), or, in a per-student week, the code the TA sent (a string).  An empty SETUP
    is the lecture's own set-up.

    While graded, the set-up is the one the instructor grades against, whatever the notebook says.
    """
    if _GRADED_SETUP is not None:
        return _GRADED_SETUP
    values = decode_setup(setup) if isinstance(setup, str) else dict(setup or {})
    typed = str(student_id or "").strip()
    if values.get("per_student") and typed and typed != values.get("student_id"):
        raise ValueError(f"이 설정 코드는 학번 {values.get('student_id')}의 것입니다. 내 코드를 붙여 넣으세요. / "
                         f"This set-up code belongs to student {values.get('student_id')}: paste your own.")
    if not values:  # the lecture's own set-up (the unreleased template)
        from autograder.config import Variant

        values = Variant().public_dict()
    return GradedSetup(values)


def run_checks(*functions: str, namespace: dict | None = None) -> CheckReport:
    """Grade the named functions (all when none are named) of ``namespace`` and return the report."""
    from autograder.contract import GRADED
    from autograder.steps.run_checks import grade_namespace

    if grading():
        return CheckReport([])
    unknown = [f for f in functions if f not in GRADED]
    if unknown:
        raise ValueError(f"unknown name(s): {', '.join(unknown)}; choose from {', '.join(GRADED)}")
    ns = namespace if namespace is not None else _caller_namespace(2)
    # nbgrader gives a test cell 0 points if it writes anything to stderr, so nothing may.
    with warnings.catch_warnings(), np.errstate(all="ignore"), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        results = grade_namespace(ns, tuple(functions))
    return CheckReport(results)


def check(*functions: str, namespace: dict | None = None) -> float:
    """The self-check cell: show the table, return the score (nbgrader's partial credit).

    While initlab grades the notebook in its sandbox, the cell does nothing: the grader runs
    the same checks itself, from outside.
    """
    if grading():
        return 0.0
    report = run_checks(*functions, namespace=namespace if namespace is not None else _caller_namespace(2))
    _show(report)
    return float(report.score)


def _show(obj) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(obj)
            return
    except ImportError:
        pass
    print(repr(obj))


def _try(fn, *args):
    """Call a student function for a demonstration; a stub or an error gives None and a short note."""
    try:
        return fn(*args)
    except NotImplementedError:
        print(f"({fn.__name__}: 아직 구현하지 않았습니다 / not implemented yet)")
    except Exception as exc:  # a demo must not stop the notebook; the self-check explains errors
        print(f"({getattr(fn, '__name__', 'function')}: {type(exc).__name__}: {exc})")
    return None


# ---- the lecture's demonstrations ---------------------------------------------------------


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
    fig, axes = plt.subplots(len(rows), n_layers, figsize=(2.2 * n_layers, 1.7 * len(rows)), squeeze=False)
    for row, (label, act, init) in enumerate(rows):
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n_samples, input_dim))
        acts = _try(activation_probe, x, init, act, n_layers, node_num, rng)
        for layer in range(n_layers):
            ax = axes[row, layer]
            if acts is not None and layer < len(acts):
                values = np.asarray(acts[layer], dtype=float).ravel()
                counts, _, _ = ax.hist(values, 30, range=(0, 1))
                if act is relu and len(counts) > 1:  # like the book's ylim: show the part above 0
                    ax.set_ylim(0, 1.3 * max(counts[1:].max(), 1))
            ax.set_yticks([])
            if row == 0:
                ax.set_title(f"{layer + 1}-layer", fontsize=9)
            if layer == 0:
                ax.set_ylabel(label, fontsize=9)
    fig.tight_layout()
    plt.show()
    return fig


def symmetry_demo(activation_probe, sigmoid, xavier_init, value: float = 0.5, seed: int = 0) -> None:
    """Equal initial weights: identical units forward, identical gradients backward."""
    if grading():
        return None
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 3))
    equal = lambda n_in, n_out, r: np.full((n_in, n_out), value)  # noqa: E731
    acts = _try(activation_probe, x, equal, sigmoid, 2, 4, rng)
    if acts is not None:
        print("1) 모든 가중치가 같을 때 은닉층 활성화 값 (행 = 샘플, 열 = 노드) / equal weights, hidden activations:")
        print(np.round(np.asarray(acts[0], dtype=float), 6))
    t = np.array([0, 1, 0])
    for label, init in (("equal weights / 같은 초깃값", equal), ("Xavier", xavier_init)):
        r = np.random.default_rng(seed)
        w1, w2 = _try(init, 3, 4, r), _try(init, 4, 2, r)
        if w1 is None or w2 is None:
            continue
        dw1, dw2 = _two_layer_grads(x, t, np.asarray(w1, float), np.asarray(w2, float))
        same1 = np.allclose(dw1, dw1[:, :1])
        same2 = np.allclose(dw2, dw2[:1, :])
        print(f"\n2) {label}: dW1 열이 모두 같음 / columns of dW1 identical: {same1};"
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
    start = _try(weight_decay_penalty, [w], lam)
    if start is None:
        return None
    for _ in range(steps):
        g = _try(weight_decay_grad, w, lam)
        if g is None:
            return None
        w = w - lr * np.asarray(g, dtype=float)
    end = _try(weight_decay_penalty, [w], lam)
    print(f"penalty: {float(start):.4f} -> {float(end):.4f} after {steps} steps "
          f"(expected factor (1 - lr*lam)^(2*steps) = {(1 - lr * lam) ** (2 * steps):.4f}, "
          f"measured {float(end) / float(start):.4f})")


def mnist_experiments(normal_init, xavier_init, he_init, iters: int = 2000, epochs: int = 201, seed: int = 0,
                      out: str = "experiments") -> None:
    """The lecture's two MNIST figures, trained with the student's own initialisers (about 20 s).

    Book 6.2.4 (std 0.01 vs Xavier vs He on a 5-layer ReLU net) and 6.4 (weight decay on 300
    images); data: the MNIST subset shipped with the kit, nothing is downloaded.  The CSV and
    PNG files go to ``out``.
    """
    if grading():
        return None
    import matplotlib

    from autograder.experiments.runs import init_compare, weight_decay_compare

    backend = matplotlib.get_backend()  # the experiments draw to files; keep the notebook's backend
    try:
        inits = {"std=0.01": lambda n_in, n_out, rng: normal_init(n_in, n_out, rng, 0.01),
                 "Xavier": xavier_init, "He": he_init}
        first = init_compare(out, inits=inits, iters=iters, seed=seed)
        second = weight_decay_compare(out, init=he_init, epochs=epochs, seed=seed)
    except NotImplementedError:
        print("(초기화 함수를 먼저 구현하세요 / implement the init functions first)")
        return None
    finally:
        matplotlib.use(backend)
    for result in (first, second):
        for path in result.files:
            if str(path).endswith(".png"):
                _show_image(path)


def _show_image(path) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import Image, display

        if get_ipython() is not None:
            display(Image(filename=str(path)))
            return
    except ImportError:
        pass
    print(f"figure: {path}")
