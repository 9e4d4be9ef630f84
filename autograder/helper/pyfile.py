"""A .py file as cells, as the grader and the helper's own .py route both run it.

A file that compiles is split at its ``# %%`` markers (the percent format of VS Code, Spyder, PyCharm
and Jupytext), or without markers into top-level groups; one that does not compile is split into
top-level blocks, so a syntax error costs its own block only.  Every cell keeps the file's line
numbers (padded with blank lines).  The grader's load step (engine/steps/load.py) and
``python initlab_lab.py FILE.py`` use these same functions, so both run a file alike.
"""
from __future__ import annotations

import ast
import re


def compiles(source: str) -> bool:
    try:
        compile(source, "<check>", "exec", flags=ast.PyCF_ONLY_AST)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


_BLOCK_START = re.compile(r"^(def |async def |class |@|import |from )")


#: Lines at column 0 that continue the statement above them rather than start one.
_CONTINUES = (")", "]", "}", "else", "elif", "except", "finally", "#")


def _NEW_STATEMENT(lines: list[str], i: int) -> bool:
    """A column-0 line after a blank line starts a statement of its own (an analysis answer's lines),
    unless it closes a bracket or continues an if/try."""
    line = lines[i]
    return bool(line) and not line[0].isspace() and not lines[i - 1].strip() and not line.startswith(_CONTINUES)


def split_top_level(source: str, name: str) -> list[dict]:
    """Split a file that does not compile into top-level blocks (defs, classes, imports).

    A block starts at a column-0 ``def``/``class``/``import``/``@decorator`` line, or at any column-0
    statement after a blank line (so one broken answer costs its own lines only), together
    with the comment lines right above it; a def under a decorator belongs to the
    decorator's block.  Each block keeps its line numbers (it is padded with blank lines),
    so errors still point at the right line of the student's file.
    """
    lines = source.split("\n")
    starts = [0]
    previous = ""  # the last non-blank line before i
    for i, line in enumerate(lines):
        if i and (_BLOCK_START.match(line) or _NEW_STATEMENT(lines, i)) and not previous.startswith("@"):
            j = i
            while j - 1 > starts[-1] and lines[j - 1].startswith("#"):
                j -= 1
            starts.append(j)
        if line.strip():
            previous = line
    starts.append(len(lines))
    blocks = []
    for a, b in zip(starts, starts[1:]):
        chunk = "\n".join(lines[a:b])
        if chunk.strip():
            blocks.append({"source": "\n" * a + chunk + "\n", "name": f"{name}:{a + 1}"})
    return blocks


#: A cell marker of the percent format (VS Code, Spyder, PyCharm, Jupytext): ``# %%`` at the start of a line.
_PERCENT = re.compile(r"^#\s*%%")


def python_cells(text: str, filename: str) -> list[dict]:
    """A .py file (that compiles) as cells, graded one by one as a notebook's are: split at its ``# %%``
    markers, or without markers into top-level groups (each def or class alone, other statements in
    runs that blank lines separate).  Every cell keeps the file's line numbers (it is padded with blank
    lines) and is named by the lines it holds."""
    lines = text.split("\n")
    if any(_PERCENT.match(line) for line in lines):
        starts = [0] + [i for i, line in enumerate(lines) if i and _PERCENT.match(line)]
    else:
        starts = _group_starts(text, lines)
    starts.append(len(lines))
    cells = []
    for a, b in zip(starts, starts[1:]):
        chunk = "\n".join(lines[a:b])
        if chunk.strip():
            last = a + len(chunk.rstrip("\n").split("\n"))
            cells.append({"source": "\n" * a + chunk + "\n", "name": f"{filename} lines {a + 1}-{last}"})
    return cells


def _group_starts(text: str, lines: list[str]) -> list[int]:
    """0-based first lines of the top-level groups of a file that compiles (comments above a statement
    belong to it)."""
    body = ast.parse(text).body
    starts = [0]
    for prev, node in zip(body, body[1:]):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        between = lines[prev.end_lineno:first]
        alone = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or \
            isinstance(prev, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if alone or any(not line.strip() for line in between):
            start = first
            while start > prev.end_lineno and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            starts.append(start)
    return starts
