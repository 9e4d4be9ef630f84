"""The process that runs student code.  It executes the submission, then serves calls.

This module runs *inside the untrusted process*: nothing it reports is believed by the
judge beyond "these are the numbers the student's function returned".  It holds no
expected value, no score and no grader secret.

Requests (JSON headers, see protocol.py):
  {"op": "load", "cells": [{"source": str, "name": str}], "mode": "full" | "defs", "setup": {...} | null}
  {"op": "call", "fn": str, "args": [value, ...]}
  {"op": "bye"}
"""
from __future__ import annotations

import ast
import builtins
import io
import linecache
import os
import sys
import time
import traceback
import warnings
from typing import Any

import numpy as np

from autograder.sandbox import callables
from autograder.sandbox.ipython_shim import ShellShim
from autograder.sandbox.protocol import (
    CallableSpec,
    NormalArraySpec,
    RngSpec,
    StudentFnSpec,
    decode,
    encode,
    read_frame,
    write_frame,
)

#: Printed output kept per request; the rest is counted and dropped.
OUTPUT_CAP = 16 * 1024
STUDENT_PREFIX = "<student"


class CappedText(io.TextIOBase):
    """A text sink that keeps the first ``cap`` characters and counts the rest."""

    def __init__(self, cap: int = OUTPUT_CAP):
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [{self.dropped} more characters not kept]"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


def _student_frames(tb) -> list[list]:
    """[line, text] of the frames that are in the student's code (never the grader's)."""
    frames = []
    for fs in traceback.extract_tb(tb):
        if fs.filename.startswith(STUDENT_PREFIX):
            frames.append([fs.filename, fs.lineno, (fs.line or "")[:200]])
    return frames[-3:]


def describe_exception(exc: BaseException) -> dict:
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "not_implemented": isinstance(exc, NotImplementedError),
        "frames": _student_frames(exc.__traceback__),
    }


# ---- loading the submission -------------------------------------------------------------

_KEEP_IN_DEFS_MODE = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def _definitions_only(tree: ast.Module) -> ast.Module:
    """Keep imports, defs, classes and assignments that call no function defined in the file.

    Used after a full run of the submission hung or crashed: demo code at top level
    (training loops, plots) is dropped so the functions themselves can still be graded.
    """
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}

    def calls_own_code(node) -> bool:
        return any(
            isinstance(sub, ast.Call) and isinstance(sub.func, ast.Name) and sub.func.id in defined
            for sub in ast.walk(node)
        )

    body = [
        n for n in tree.body
        if isinstance(n, _KEEP_IN_DEFS_MODE)
        or (isinstance(n, (ast.Assign, ast.AnnAssign)) and not calls_own_code(n))
    ]
    return ast.Module(body=body, type_ignores=[])


def load(namespace: dict, cells: list[dict], mode: str) -> dict:
    """Execute the cells in order; an error in one cell is recorded and the next cell runs."""
    errors = []
    for cell in cells:
        name = f"{STUDENT_PREFIX} {cell['name']}>"
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
            info = describe_exception(exc)
            errors.append({"cell": cell["name"], "type": info["type"], "message": info["message"],
                           "line": info["frames"][-1][1] if info["frames"] else None})
    return {"errors": errors}


# ---- serving calls -----------------------------------------------------------------------


def _materialise(value: Any, built: list, rngs: list, namespace: dict | None = None) -> Any:
    """Replace specs by real objects: Generators, grader-made callables, the submission's own functions."""
    if isinstance(value, RngSpec):
        rng = np.random.default_rng(value.seed)
        if value.state is not None:
            rng.bit_generator.state = value.state
        rngs.append(rng)
        return rng
    if isinstance(value, CallableSpec):
        obj = callables.build(value.name, value.params)
        built.append(obj)
        return obj
    if isinstance(value, StudentFnSpec):
        fn, extra = (namespace or {}).get(value.name), value.extra
        if not callable(fn):
            raise NameError(f"{value.name} is not defined")
        return lambda *args: fn(*args, *extra)
    if isinstance(value, NormalArraySpec):
        return value.build()
    if isinstance(value, list):
        return [_materialise(v, built, rngs, namespace) for v in value]
    if isinstance(value, tuple):
        return tuple(_materialise(v, built, rngs, namespace) for v in value)
    return value


def call(namespace: dict, fn_name: str, raw_args: list, blobs: list[bytes],
         return_args: bool = False) -> tuple[dict, list[bytes]]:
    """Call one student function on judge-made arguments; report only plain data.

    With ``return_args`` the reply also holds the arguments as they are after the call, so the
    judge itself can see whether the function changed its input (it compares them with what it
    sent).  ``callable_logs`` are the (n_in, n_out, rng seed) of each call of a grader-made init:
    values the judge checks against what the calls must have been.
    """
    fn = namespace.get(fn_name)
    if not callable(fn):
        return {"ok": False, "error": {"type": "Missing", "message": f"{fn_name} is not defined",
                                       "not_implemented": False, "frames": [], "missing": True}}, []
    built: list = []
    rngs: list = []
    try:
        args = [_materialise(decode(a, blobs), built, rngs, namespace) for a in raw_args]
    except NameError as exc:  # a function of the submission that the judge hands on is missing
        return {"ok": False, "error": {"type": "Missing", "message": str(exc), "not_implemented": False,
                                       "frames": [], "missing": True}}, []
    out = CappedText()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    started = time.perf_counter()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args)
    except BaseException as exc:
        return {"ok": False, "error": describe_exception(exc), "stdout": out.take()}, []
    finally:
        sys.stdout, sys.stderr = saved
    seconds = time.perf_counter() - started
    reply_blobs: list[bytes] = []
    value = encode(result, reply_blobs)
    header = {
        "ok": True,
        "value": value,
        "seconds": seconds,
        "stdout": out.take(),
        "warnings": [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]],
        "callable_logs": [obj.log[:1000] for obj in built],
    }
    if return_args:
        header["args_after"] = [encode(a, reply_blobs) if isinstance(a, np.ndarray) else {"k": "none"} for a in args]
    return header, reply_blobs


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
            import autograder.notebook

            autograder.notebook.use_graded_setup(header.get("setup"))
            out = CappedText()
            saved = sys.stdout, sys.stderr
            sys.stdout = sys.stderr = out
            try:
                with warnings.catch_warnings(record=True):
                    warnings.simplefilter("always")
                    report = load(namespace, header["cells"], header.get("mode", "full"))
            finally:
                sys.stdout, sys.stderr = saved
            report.update(ok=True, stdout=out.take(), shell_notes=shell.take_notes(),
                          functions={name: callable(namespace.get(name)) for name in header.get("expect", [])})
            write_frame(tx, report)
        elif op == "value":
            # A module-level variable (an analysis answer), as plain data.
            name = str(header.get("name", ""))
            if name not in namespace:
                write_frame(tx, {"ok": False, "error": {"type": "Missing", "message": f"{name} is not defined",
                                                        "not_implemented": False, "frames": [], "missing": True}})
            else:
                blobs_out: list = []
                write_frame(tx, {"ok": True, "value": encode(namespace[name], blobs_out)}, blobs_out)
        elif op == "call":
            reply, reply_blobs = call(namespace, header["fn"], header.get("args", []), blobs,
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
