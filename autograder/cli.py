"""``initlab``: one verb per user task.  Each verb parses its flags and calls one library function.

  initlab check [FILE]        a student checks their own weight_init.py / .ipynb
"""
from __future__ import annotations

import argparse
import locale
import os
import sys
from dataclasses import replace
from pathlib import Path

from autograder.contract import SUBMISSION_STEM


def default_lang() -> str:
    env = os.environ.get("INITLAB_LANG") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "ko" if env.lower().startswith("ko") else "en"


def find_submission(cwd: Path) -> Path | None:
    """The student's file: the newest weight_init.ipynb / .py here, else the one in assignment/."""
    for folder in (cwd, cwd / "assignment"):
        found = [p for p in (folder / f"{SUBMISSION_STEM}.ipynb", folder / f"{SUBMISSION_STEM}.py") if p.is_file()]
        if found:
            return max(found, key=lambda p: p.stat().st_mtime)
    return None


def cmd_check(args: argparse.Namespace) -> int:
    from autograder.config import Variant
    from autograder.pipeline import GradeConfig, grade_file
    from autograder.report.table import render
    from autograder.sandbox.limits import Limits

    path = Path(args.file) if args.file else find_submission(Path.cwd())
    if path is None or not path.is_file():
        print(f"initlab check: no {args.file or SUBMISSION_STEM + '.ipynb / .py'} found", file=sys.stderr)
        return 2
    variant = Variant.load(args.variant) if args.variant else Variant()
    if args.seed is not None:
        variant = replace(variant, seed=args.seed)
    cfg = GradeConfig(variant=variant, limits=Limits(call_timeout_s=args.timeout), lang=args.lang)
    sub = grade_file(path, cfg)
    print(render(sub, args.lang))
    if args.plots:
        from autograder.report.plots import save_histograms

        print(f"\nhistograms: {save_histograms(sub, args.plots, args.lang)}")
    return 0 if sub.max_score > 0 and sub.score == sub.max_score else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="initlab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("check", help="self-check one weight_init.py / .ipynb (exit 0 iff full marks)")
    p.add_argument("file", nargs="?", help=f"default: {SUBMISSION_STEM}.ipynb or .py here or in assignment/")
    p.add_argument("--lang", choices=("ko", "en"), default=default_lang(), help="language of the messages")
    p.add_argument("--plots", metavar="DIR", help="write the lecture's histogram figure (yours vs the reference) here")
    p.add_argument("--seed", type=int, help="seed of the grader's inputs (default: the variant's)")
    p.add_argument("--variant", metavar="FILE", help="variant.toml / variant.json of a released week")
    p.add_argument("--timeout", type=float, default=10.0, help="seconds one call of your function may take")
    p.set_defaults(run=cmd_check)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.run(args)


if __name__ == "__main__":
    sys.exit(main())
