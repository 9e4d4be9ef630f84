"""The process that runs student code.  It executes the submission, then serves calls.

This module runs *inside the untrusted process*: nothing it reports is believed by the
judge beyond "these are the numbers the student's function returned".  It holds no
score and no grader secret: besides the sandbox's runtime it imports only the student helper, the
very file every student has (initlab_lab.py, built from autograder/helper/ and the lecture's helper).

Requests (JSON headers, see protocol.py):
  {"op": "load", "cells": [{"source": str, "name": str}], "modes": ["full" | "defs" | "skip", ...],
   "setup": {...} | null}
  {"op": "call", "fn": str, "args": [value, ...]}
  {"op": "bye"}
"""
from __future__ import annotations

import ast
import builtins
import linecache
import os
import sys
import warnings

from autograder.engine.sandbox.ipython_shim import ShellShim
from autograder.engine.sandbox.limits import HELPER_ENV
from autograder.engine.sandbox.protocol import read_frame, write_frame

HELPER_MODULE = "initlab_lab"


#: What the helper a submission imports does not have while graded: the grader-made callables (and the
#: registry that builds them), which a graded function could otherwise call instead of computing.
GRADER_ONLY = ("CALLABLES", "register_callables", "build_callable", "Recorded")


def _exec_helper(name: str):
    import importlib.util

    spec = importlib.util.spec_from_file_location(name, os.environ[HELPER_ENV])
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # its dataclasses look their module up while they are made
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[name]
    return module


def load_helper():
    """The student helper, from the file the launcher names, twice: the grader's own copy (returned:
    it rebuilds grader-made callables and encodes replies) and, as ``initlab_lab``, the copy a
    submission's ``import initlab_lab`` gets: the course's own file (which also holds the set-up being
    graded), never a file of the submission's, and without the grader-made callables (GRADER_ONLY and
    every class built on them), so points come only from the student's own code."""
    grader = getattr(load_helper, "grader", None)
    if grader is not None:
        return grader
    if HELPER_MODULE in sys.modules:  # a process that has the helper already (the kit's own tests): that one
        load_helper.grader = sys.modules[HELPER_MODULE]
        return load_helper.grader
    grader = _exec_helper("_initlab_grader")
    facing = _exec_helper(HELPER_MODULE)
    recorded = facing.Recorded
    for name, value in list(vars(facing).items()):
        if name in GRADER_ONLY or (isinstance(value, type) and issubclass(value, recorded)):
            delattr(facing, name)
    sys.modules[HELPER_MODULE] = facing
    load_helper.grader = grader
    return grader


lab = load_helper()


# ---- loading the submission -------------------------------------------------------------

_KEEP_IN_DEFS_MODE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _definitions_only(tree: ast.Module) -> ast.Module:
    """Keep imports, defs, classes and assignments that call nothing (constants).

    Used for a cell that hung or crashed: its functions can still be graded, while what it
    computed at top level (an answer, a training loop, a plot) is not, as it never finished.
    """

    def calls(node) -> bool:
        return any(isinstance(sub, ast.Call) for sub in ast.walk(node))

    body = [n for n in tree.body
            if isinstance(n, _KEEP_IN_DEFS_MODE) or (isinstance(n, (ast.Assign, ast.AnnAssign)) and not calls(n))]
    return ast.Module(body=body, type_ignores=[])


def load(namespace: dict, cells: list[dict], modes: list[str], starting=lambda index: None) -> dict:
    """Execute the cells in order, each as ``modes`` says ("full", "defs": definitions only, "skip");
    an error in one cell is recorded and the next cell runs.  ``starting(i)`` is called as cell i
    starts (the judge times each cell, and knows which one hung)."""
    errors = []
    for index, (cell, mode) in enumerate(zip(cells, modes)):
        if mode == "skip":
            continue
        starting(index)
        name = f"{lab.STUDENT_PREFIX} {cell['name']}>"
        # Tracebacks show the student's own line ("line 7: return x @ W"): the cell's text is
        # registered where the traceback module looks for source lines.
        linecache.cache[name] = (len(cell["source"]), None, cell["source"].splitlines(True), name)
        try:
            tree = ast.parse(cell["source"], filename=name)
            if mode == "defs":
                tree = _definitions_only(tree)
            code = compile(tree, name, "exec")
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            errors.append({"cell": cell["name"], "type": type(exc).__name__,
                           "message": str(exc)[:300], "line": getattr(exc, "lineno", None)})
            continue
        try:
            exec(code, namespace)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt too: the next cell still runs
            info = lab.describe_exception(exc)
            # Where it went wrong: the innermost line of the student's code, which may be in an earlier
            # cell (a function defined there, called from this one): "cell 14, line 7", run from cell 23.
            at = info["frames"][-1][0][len(lab.STUDENT_PREFIX) + 1:-1] if info["frames"] else cell["name"]
            errors.append({"cell": cell["name"], "type": info["type"], "message": info["message"],
                           "line": info["frames"][-1][1] if info["frames"] else None,
                           "at": at if at != cell["name"] else None})
    return {"errors": errors}


# ---- serving calls -----------------------------------------------------------------------


def serve(rx, tx, filename: str = "submission") -> None:
    """The child's main loop: one request in, one reply out, until 'bye' or EOF."""
    shell = ShellShim()
    namespace: dict = {
        "__name__": "__student__",
        "__builtins__": builtins,
        "__file__": filename,
        "get_ipython": lambda: shell,
    }
    shell.user_ns = namespace
    while True:
        try:
            header, blobs = read_frame(rx)
        except EOFError:
            return
        op = header.get("op")
        if op == "bye":
            return
        if op == "ping":
            write_frame(tx, {"ok": True, "pid": os.getpid()})
        elif op == "load":
            lab.use_graded_setup(header.get("setup"))
            if sys.modules[HELPER_MODULE] is not lab:  # the submission's copy: what its variant() returns
                sys.modules[HELPER_MODULE].use_graded_setup(header.get("setup"))
            out = lab.CappedText()
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = out
            try:
                with warnings.catch_warnings(record=True):
                    warnings.simplefilter("always")
                    cells = header["cells"]
                    modes = header.get("modes") or [header.get("mode", "full")] * len(cells)
                    report = load(namespace, cells, modes, lambda i: write_frame(tx, {"progress": i}))
            finally:
                sys.stdout, sys.stderr = saved
            report.update(ok=True, stdout=out.take(), shell_notes=shell.take_notes(),
                          functions={name: callable(namespace.get(name)) for name in header.get("expect", [])})
            write_frame(tx, report)
        elif op == "value":
            # A module-level variable (an analysis answer), as plain data.
            write_frame(tx, *lab.value_reply(namespace, str(header.get("name", ""))))
        elif op == "call":
            reply, reply_blobs = lab.call_function(namespace, header["fn"], header.get("args", []), blobs,
                                      return_args=header.get("return_args") is True)
            write_frame(tx, reply, reply_blobs)
        else:
            write_frame(tx, {"ok": False, "error": {"type": "Protocol", "message": f"unknown op {op!r}"}})


def stdio_main() -> None:
    """Entry point of the spawned backend: the protocol runs on the original stdin/stdout.

    Both are moved to private descriptors first, so whatever the student writes to fd 1
    lands in /dev/null instead of in the protocol stream.
    """
    rx = os.fdopen(os.dup(0), "rb", buffering=1 << 16)
    tx = os.fdopen(os.dup(1), "wb", buffering=1 << 16)
    devnull = os.open(os.devnull, os.O_RDWR)
    os.dup2(devnull, 0)
    os.dup2(devnull, 1)
    write_frame(tx, {"ok": True, "pid": os.getpid(), "applied": {}})
    serve(rx, tx)
    os._exit(0)  # no atexit handlers or finalizers of the submission run after grading
