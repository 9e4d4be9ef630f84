"""The notebook's cells: the self-check table, and running a .py file from a terminal.

``check("sigmoid")`` checks the function of that name defined in the notebook, shows the messages
(Korean first, English beside it) and returns the score as a float, which is what nbgrader reads as
the partial credit of a test cell.  While a submission is being graded (``INITLAB_GRADING=1``),
these cells do nothing: the grader runs the same checks itself.  A lecture binds them to its own
checks with :func:`notebook_cells` and :func:`file_main`.
"""
from __future__ import annotations

import html
import sys

from autograder.helper.calls import excerpt
from autograder.helper.declare import CheckSet
from autograder.helper.ipysyntax import needs_transform, transform_cell
from autograder.helper.pyfile import compiles, python_cells, split_top_level
from autograder.helper.runner import check_namespace
from autograder.helper.setup import MODULE_NAME, GradedSetup, grading, setup_of
from autograder.helper.text import both
from autograder.helper.wording import DETAIL_LABELS, LABELS, STATUS_LABEL, result_details

def _caller_namespace(depth: int = 2) -> dict:
    return sys._getframe(depth).f_globals

class CheckReport:
    """What a self-check cell displays: one row per check; HTML in Jupyter, text elsewhere."""

    def __init__(self, results: list):
        self.results = results
        self.score = round(sum(r.score for r in results), 6)
        self.max_score = round(sum(r.points for r in results), 6)

    def _rows(self):
        for r in self.results:
            details = [("" if kind == "message" else both(DETAIL_LABELS[kind]), text)
                       for kind, text in result_details(r, both)]
            yield r, details

    def __repr__(self) -> str:
        lines = []
        for r, details in self._rows():
            lines.append(f"[{both(STATUS_LABEL[r.status])}] {r.function}: {both(r.info.title)}  {r.score:g}/{r.points:g}")
            lines += [f"    {label + ': ' if label else ''}{text}" for label, text in details]
        lines.append(f"{both(LABELS['score'])}: {self.score:g} / {self.max_score:g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "failed": "#cf222e"}
        rows = []
        for r, details in self._rows():
            c = colour.get(r.status, "#9a6700")
            extra = "".join(f"<div style='margin-left:1em'><b>{html.escape(label)}</b> {html.escape(text)}</div>"
                            if label else f"<div style='margin-left:1em'>{html.escape(text)}</div>"
                            for label, text in details)
            rows.append(f"<tr><td style='color:{c};font-weight:bold;white-space:nowrap'>"
                        f"{html.escape(both(STATUS_LABEL[r.status]))}</td>"
                        f"<td style='text-align:left'><code>{html.escape(r.function)}</code>: "
                        f"{html.escape(both(r.info.title))}{extra}</td>"
                        f"<td style='white-space:nowrap'>{r.score:g} / {r.points:g}</td></tr>")
        total = f"{html.escape(both(LABELS['score']))}: <b>{self.score:g} / {self.max_score:g}</b>"
        return f"<table>{''.join(rows)}</table><p>{total}</p>"

def notebook_cells(checks: CheckSet, default_setup: dict):
    """The notebook's ``run_checks`` and ``check`` for a lecture's ``checks`` (see the module docstring)."""

    def run_checks(*functions: str, namespace: dict | None = None) -> CheckReport:
        """Check the named functions (all when none are named) of ``namespace`` and return the report."""
        if grading():
            return CheckReport([])
        ns = namespace if namespace is not None else _caller_namespace(2)
        return CheckReport(check_namespace(ns, checks, default_setup, tuple(functions)))

    def check(*functions: str, namespace: dict | None = None) -> float:
        """The self-check cell: show the table, return the score (nbgrader's partial credit).

        While initlab grades the notebook in its sandbox, the cell does nothing: the grader runs
        the same checks itself, from outside.
        """
        if grading():
            return Score(0.0)
        report = run_checks(*functions, namespace=namespace if namespace is not None else _caller_namespace(2))
        show(report)
        return Score(report.score, report.max_score)

    return run_checks, check

class Score(float):
    """A self-check cell's score.  nbgrader reads it as the cell's partial credit (the ``text/plain``
    of the cell's result, which must stay a bare number); Jupyter shows the cell's result as HTML:
    the score out of its points, so the result line says something rather than nothing."""

    def __new__(cls, value: float, points: float | None = None):
        score = super().__new__(cls, value)
        score.points = points
        return score

    def _repr_html_(self) -> str:
        out_of = f" / {self.points:g}" if self.points is not None else ""
        return f"<span style='color:#555'>{html.escape(both(LABELS['score']))}: {float(self):g}{out_of}</span>"


def show(obj) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(obj)
            return
    except ImportError:
        pass
    print(repr(obj))


def attempt(fn, *args, said: set | None = None):
    """Call a student function for a demonstration; a stub or an error gives None and a short note
    (said once: ``said`` collects the notes already printed by this demonstration)."""
    name = getattr(fn, "__name__", "function")
    try:
        return fn(*args)
    except NotImplementedError:
        note = f"({name}: 아직 구현하지 않았습니다 / not implemented yet)"
    except Exception as exc:  # a demo must not stop the notebook; the self-check explains errors
        note = (f"({name}: {type(exc).__name__}: {excerpt(exc, 200)} — 위의 자가 점검 셀에서 원인을 확인하세요 / "
                "the self-check cell above says why)")
    if said is None or note not in said:
        print(note)
    if said is not None:
        said.add(note)
    return None

class _Shell:
    """``get_ipython()`` for a file run outside Jupyter (nbconvert's script of a notebook calls it for
    every %magic and !line): timing magics run their code, other magics do nothing, shell lines are
    not run (noted), as the grader's sandbox treats them."""

    def __init__(self, namespace: dict, problems: list[str]):
        self.namespace, self.problems = namespace, problems

    def run_line_magic(self, name, line="", *args):
        if name in ("time", "timeit", "prun") and line.strip():
            return eval(compile(line.split(" ")[-1] if line.startswith("-") else line, "<magic>", "eval"),
                        self.namespace)
        return None

    def run_cell_magic(self, name, line="", cell="", *args):
        if name in ("time", "timeit", "prun", "capture"):
            exec(compile(cell, "<magic>", "exec"), self.namespace)
        return None

    def system(self, command, *args):
        self.problems.append(f"shell line not run: !{str(command)[:60]}")

    getoutput = system

    def __getattr__(self, name):  # anything else a script asks of the shell does nothing
        return lambda *args, **kwargs: None


def _read_python(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def run_file(path: str) -> tuple[dict, list[str]]:
    """Run a .py file as the grader does: IPython syntax (% and ! lines) rewritten, then cell by cell
    (its ``# %%`` cells, else its top-level groups; with a syntax error, its top-level blocks), each
    error noted and the next cell run: an unfinished answer does not stop the functions' checks."""
    source = _read_python(path)
    problems: list[str] = []
    namespace: dict = {"__name__": "__student__", "__file__": path}
    namespace["get_ipython"] = lambda: shell
    shell = _Shell(namespace, problems)
    if not compiles(source) and needs_transform(source):
        try:
            transformed = transform_cell(source)
        except Exception:
            transformed = source
        source = transformed if compiles(transformed) else source
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    cells = python_cells(source, name) if compiles(source) else split_top_level(source, name)
    for cell in cells:
        try:
            code = compile(cell["source"], path, "exec")
        except SyntaxError as exc:
            problems.append(f"line {exc.lineno}: SyntaxError: {exc.msg}")
            continue
        try:
            exec(code, namespace)
        except Exception as exc:  # noted; the next cell still runs
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename != path:
                tb = tb.tb_next
            line = tb.tb_lineno if tb is not None else "?"
            problems.append(f"line {line}: {type(exc).__name__}: {excerpt(exc, 120)}")
    return namespace, problems


def file_main(argv: list[str] | None, checks: CheckSet, default_setup: dict, module) -> int:
    """Self-check a .py file: run it here (it is your own code, on your own machine), then check
    its functions and answers as the notebook's cells do.  Exit code 0 when everything passes."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python {MODULE_NAME}.py", description=file_main.__doc__)
    parser.add_argument("file", help=f"your {checks.contract.stem}.py")
    parser.add_argument("names", nargs="*",
                        help=f"functions or answers to check (default: all): {', '.join(checks.contract.graded)}")
    args = parser.parse_args(argv)
    sys.modules.setdefault(MODULE_NAME, module)  # the file's `import initlab_lab` gets this one
    namespace, problems = run_file(args.file)
    for line in problems:
        print(f"({args.file} {line})")
    report = CheckReport(check_namespace(namespace, checks, default_setup, tuple(args.names)))
    print(repr(report))
    return 0 if report.score == report.max_score else 1


class LectureAPI:
    """What a lecture's helper offers a notebook, bound to that lecture's checks and set-up: a lecture's
    helper ends with ``variant, run_checks, check, self_check, main = LectureAPI(CHECKS, SETUP, __name__)``."""

    def __init__(self, checks: CheckSet, default_setup: dict, module_name: str):
        self.checks, self.default_setup, self.module_name = checks, default_setup, module_name
        self.run_checks, self.check = notebook_cells(checks, default_setup)

    def __iter__(self):
        return iter((self.variant, self.run_checks, self.check, self.self_check, self.main))

    def variant(self, setup: dict | str | None = None, student_id: str = "") -> GradedSetup:
        """This week's set-up, from the notebook's SETUP (the lecture's own when it is empty).

        While graded, the set-up is the one the instructor grades against, whatever the notebook says.
        """
        return setup_of(setup, student_id, self.default_setup)

    def self_check(self, namespace: dict, functions: tuple[str, ...] = (), setup: GradedSetup | None = None,
                   sid: str = "notebook") -> list:
        """The checks of ``functions`` (all when none are named) on a live namespace's functions."""
        return check_namespace(namespace, self.checks, self.default_setup, functions, setup, sid)

    def main(self, argv: list[str] | None = None) -> int:
        """``python initlab_lab.py FILE.py [names]``: check a .py file on your own machine."""
        return file_main(argv, self.checks, self.default_setup, sys.modules[self.module_name])
