"""A student's init functions as ``init(n_in, n_out, rng)`` callables that run in the sandbox child.

The judge never imports or executes a submission: each weight matrix is drawn by calling the
student's function in the child (exactly as grading does), with an :class:`RngSpec` in place
of the generator, and only the returned numbers come back.  They are validated here, in the
parent, and the training happens in the parent.

A generator freshly made from an int seed, which is what :func:`net.draw_weights` hands out,
is sent as that same seed, so the reference solution run through the sandbox gives exactly
the weights of the in-process reference.
"""
from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from pathlib import Path
from typing import Iterator

import numpy as np

from autograder.lectures.weight_init.experiments.net import Init, InitProblem, checked_weights
from autograder.helper.text import T
from autograder.helper.wording import failure_message
from autograder.engine.sandbox.limits import Limits
from autograder.helper.wire import RngSpec, Unsupported
from autograder.engine.sandbox.launchers import default_launcher
from autograder.engine.sandbox.runner import Sandbox, StudentFailure

#: Label in the figures -> (the assignment's function, extra arguments after rng).
STUDENT_INITS: dict[str, tuple[str, tuple]] = {
    "std=0.01": ("normal_init", (0.01,)),
    "Xavier": ("xavier_init", ()),
    "He": ("he_init", ()),
}


class SubmissionProblem(Exception):
    """The submitted file could not be read or loaded; ``text`` says why, in both languages."""

    def __init__(self, text):
        super().__init__(text.en)
        self.text = text


def generator_seed(rng: np.random.Generator) -> int:
    """The int seed that rebuilds ``rng`` with ``default_rng(seed)``, else a seed drawn from ``rng``.

    Args:
        rng: the generator an init was given.

    Returns:
        A seed for an :class:`RngSpec`.
    """
    seq = getattr(rng.bit_generator, "seed_seq", None)
    entropy = getattr(seq, "entropy", None)
    if isinstance(entropy, int) and not getattr(seq, "spawn_key", ()):
        # Only if rng is still untouched: a used generator must not replay a fresh one's numbers.
        if np.random.default_rng(entropy).bit_generator.state == rng.bit_generator.state:
            return entropy
    return int(rng.integers(0, 2**63 - 1))


class SandboxInit:
    """``init(n_in, n_out, rng)`` that calls the student's ``fn(n_in, n_out, rng, *extra)`` in the child."""

    def __init__(self, sandbox: Sandbox, fn: str, extra: tuple = ()):
        self.sandbox, self.fn, self.extra = sandbox, fn, tuple(extra)

    def __call__(self, n_in: int, n_out: int, rng: np.random.Generator) -> np.ndarray:
        try:
            reply = self.sandbox.call(self.fn, int(n_in), int(n_out), RngSpec(generator_seed(rng)), *self.extra)
        except StudentFailure as exc:
            what, hint = failure_message(exc.kind, self.fn, exc.info, self.sandbox.limits.call_timeout_s)
            raise InitProblem(T(f"{what.en} Hint: {hint.en}", f"{what.ko} 힌트: {hint.ko}")) from None
        value = reply.value
        # An object the child could not send as plain data arrives as Unsupported(its type).
        type_name = value.type_name if isinstance(value, Unsupported) else None
        # The reply's array is a read-only view of the received bytes; checked_weights copies it.
        return checked_weights(value, int(n_in), int(n_out), name=self.fn, type_name=type_name)


@contextlib.contextmanager
def student_inits(path: str | Path, limits: Limits = Limits()) -> Iterator[dict[str, Init]]:
    """The student's normal_init (std 0.01), xavier_init and he_init, running in a sandbox child.

    Args:
        path: the submission, a .py or .ipynb file.
        limits: the child's limits (time per call, memory, ...).

    Yields:
        Label -> init callable, labelled as the book's figure ("std=0.01", "Xavier", "He");
        the child is stopped when the block ends. Raises :class:`SubmissionProblem` when the
        file cannot be read, and the callables raise :class:`InitProblem` when a call fails.
    """
    from autograder.engine.steps.load import LoadError, load_file

    path = Path(path)
    try:
        cells = list(load_file(path).cells)
    except (OSError, LoadError) as exc:
        raise SubmissionProblem(T(f"Could not read {path}: {exc}", f"{path} 파일을 읽을 수 없습니다: {exc}")) from None
    from autograder.engine.sandbox.jail import JailUnavailable

    try:
        launcher = default_launcher(limits)
    except JailUnavailable as exc:  # the student's own inits on their own machine, as `initlab check` does
        print(f"jail: OFF, your code runs unconfined ({exc})", file=sys.stderr)
        launcher = default_launcher(replace(limits, unconfined=True))
    launcher.start()
    from autograder.engine.config import Variant
    from autograder.engine.steps.handles import declared_variant, graded_setup

    setup = graded_setup(declared_variant(cells) or Variant())
    sandbox = Sandbox(cells, [fn for fn, _ in STUDENT_INITS.values()], limits, launcher, setup=setup)
    try:
        report = sandbox.load()
        if report.mode == "none":
            raise SubmissionProblem(T(f"{path.name} could not be run (its top-level code {report.problem}).",
                                      f"{path.name} 을(를) 실행할 수 없습니다 (최상위 코드: {report.problem})."))
        yield {label: SandboxInit(sandbox, fn, extra) for label, (fn, extra) in STUDENT_INITS.items()}
    finally:
        sandbox.close()
        launcher.close()


__all__ = ["STUDENT_INITS", "SandboxInit", "SubmissionProblem", "generator_seed", "student_inits"]
