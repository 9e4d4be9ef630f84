"""The judge's side of the sandbox: load a submission into a child, call its functions.

A :class:`Sandbox` owns one submission's child (launchers.py starts it).  Every call has a
wall-clock deadline; a call that misses it, or a child that dies, costs that call only: the
child's process group is killed with SIGKILL and the next call starts a fresh child and
reloads the submission.  Replies are decoded as plain data (protocol.py) and nothing else.
"""
from __future__ import annotations

import time

from autograder.engine.sandbox.launchers import OUTPUT_CAP, ChildProcess
from autograder.engine.sandbox.limits import Limits
from autograder.helper.calls import (
    CallReply, Crashed, LoadReport, MissingFunction, NotAttempted, StudentFailure, StudentRaised, TimedOut, cap_text,
    excerpt, parse_reply,
)
from autograder.helper.wire import Unsupported, encode


# ---- one submission's sandbox ----------------------------------------------------------------


class Sandbox:
    """The child process of one submission, restarted whenever a call kills it."""

    def __init__(self, cells: list[dict], expect: list[str], limits: Limits, launcher, setup: dict | None = None):
        self.cells, self.expect, self.limits, self.launcher = cells, expect, limits, launcher
        self.setup = setup  # what the submission's lab.variant() returns (plain values; None: its own)
        self.child: ChildProcess | None = None
        self.report: LoadReport | None = None
        self.restarts = 0
        # A function that hung once is not called again: each further wait would cost the
        # whole timeout (nbgrader's 30 s per cell), and the verdict would not change.  One that
        # killed its process is not called again either: each call would cost a reload.
        self.timed_out: dict[str, float] = {}
        self.crashed: dict[str, str] = {}
        self.reload_failed = False
        self.replay: list[str] = []
        """How each cell is run again in a new child (after a call killed the last): "full", "defs", "skip"."""
        self._running: int | None = None  # the cell the child said it is running (while loading)
        self._load_started: float | None = None
        self.spent = 0.0  # wall-clock seconds of this submission so far, against limits.budget_s

    def _remaining(self, want: float) -> float:
        """``want`` seconds, or what is left of the submission's budget if less; TimedOut if none is."""
        left = self.limits.budget_s - self.spent
        if left <= 0:
            raise TimedOut(f"the submission used its whole time budget ({self.limits.budget_s:g} s); not run",
                           {"seconds": self.limits.budget_s, "budget": True})
        return min(want, left)

    def _timed(self, fn, *args):
        started = time.monotonic()
        try:
            return fn(*args)
        finally:
            self.spent += time.monotonic() - started

    # -- lifecycle
    def _start_child(self) -> ChildProcess:
        """A new child that said hello.  It says so before any student code exists in it, so a child that
        does not is the jail's failure, never the submission's: it is tried once more in a new jail."""
        retried = False
        while True:
            child = self.launcher.spawn(self.limits)
            try:
                hello, _ = child.channel.recv(self.limits.load_timeout_s)
                child.applied = hello.get("applied", {})
                return child
            except (TimeoutError, EOFError):
                child.kill()
                if retried:
                    raise RuntimeError("the sandbox child did not start") from None
                retried = True
                self.launcher.restart()

    def _load_into(self, child: ChildProcess, modes: list[str], timeout: float | None = None) -> dict:
        """Run the cells as ``modes`` says; the child reports each cell as it starts it, and each cell
        has its own limit (``timeout``, else a load's, and never past the budget).  On a timeout or a
        crash, ``self._running`` is the cell that was running."""
        child.channel.send({"op": "load", "cells": self.cells, "modes": modes, "expect": self.expect,
                            "setup": self.setup})
        limit = self.limits.load_timeout_s if timeout is None else timeout
        self._running = None
        deadline = time.monotonic() + min(limit, max(self._left(), 0.0))
        while True:
            header, _ = child.channel.recv(max(deadline - time.monotonic(), 0.0))
            progress = header.get("progress") if isinstance(header, dict) else None
            if type(progress) is int and 0 <= progress < len(self.cells) and set(header) <= {"progress", "blobs"}:
                self._running = progress
                deadline = time.monotonic() + min(limit, max(self._left(), 0.0))
                continue
            return header

    def load(self) -> LoadReport:
        """Run the submission.  A cell that hangs or kills the child costs that cell only: a new child
        runs the cells again with that one's definitions alone, so the cells after it still run."""
        if self.report is None:
            self._timed(self._load)
        return self.report

    def _left(self) -> float:
        return self.limits.budget_s - self.spent - self._load_started_ago()

    def _load_started_ago(self) -> float:
        return time.monotonic() - self._load_started if self._load_started is not None else 0.0

    def _load(self) -> None:
        self._load_started = time.monotonic()
        try:
            self._load_with_retries()
        finally:
            self._load_started = None

    def _load_with_retries(self) -> None:
        modes = ["full"] * len(self.cells)
        lost: list[dict] = []  # what the children could not report: the cells that hung or crashed
        problem = None
        while self._left() > 0:
            child = self._start_child()
            try:
                header = self._load_into(child, modes)
            except (TimeoutError, EOFError) as exc:
                child.kill()
                hung, i = isinstance(exc, TimeoutError), self._running
                problem = problem or ("timeout" if hung else "crashed")
                if i is None or modes[i] == "skip":
                    break  # it failed outside any cell: nothing more can be run
                if modes[i] == "full":
                    lost.append({"cell": self.cells[i]["name"], "type": "Timeout" if hung else "Crashed",
                                 "message": CELL_HUNG if hung else CELL_CRASHED})
                modes[i] = "defs" if modes[i] == "full" else "skip"  # then nothing of it, if its definitions hang
                continue
            self.child, self.replay = child, modes
            self.report = self._report(header, list(header.get("errors", [])) + lost,
                                       mode="full" if not lost else "cells", problem=problem)
            return
        self.child, self.replay = None, modes
        self.reload_failed = True
        self.report = LoadReport(functions={k: False for k in self.expect},
                                 errors=[_load_error(e) for e in lost[:50]], mode="none", problem=problem or "timeout")

    def _report(self, header: dict, errors: list, mode: str, problem: str | None) -> LoadReport:
        return LoadReport(
            functions={k: bool(v) for k, v in dict(header.get("functions", {})).items() if k in self.expect},
            errors=[_load_error(e) for e in errors[:50] if isinstance(e, dict)],
            stdout=cap_text(header.get("stdout", ""), OUTPUT_CAP),
            shell_notes=[excerpt(n, 80) for n in header.get("shell_notes", [])][:50],
            mode=mode, problem=problem, applied=self.child.applied if self.child else {},
        )

    def _ensure_child(self) -> ChildProcess:
        report = self.load()
        if self.child is None or not self.child.alive:
            if report.mode == "none":
                raise Crashed("the submission could not be loaded", {"problem": report.problem})
            if self.reload_failed:
                raise Crashed("the submission could not be reloaded after an earlier failure", {"earlier": True})
            self._timed(self._reload)
        return self.child

    def _reload(self) -> None:
        timeout = self._remaining(self.limits.load_timeout_s)
        self.child = self._start_child()
        self.restarts += 1
        try:
            self._load_into(self.child, self.replay, timeout)
        except (TimeoutError, EOFError):
            self.child.kill()
            self.reload_failed = True
            raise Crashed("the submission could not be reloaded after an earlier failure") from None

    def close(self) -> None:
        if self.child is not None:
            if self.child.alive:
                try:
                    self.child.channel.send({"op": "bye"})
                except (OSError, ValueError):  # the child is gone, or its channel closed
                    pass
            self.child.kill()
            self.child = None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- calls
    def value(self, name: str) -> CallReply:
        """The value of a top-level variable of the submission (e.g. an analysis answer)."""
        try:
            return _value_request(self, name)
        except StudentFailure as exc:
            exc.info.setdefault("fn", name)
            raise

    def call(self, fn: str, *args, timeout: float | None = None, return_args: bool = False) -> CallReply:
        """Call ``fn(*args)`` in the child.  Raises a :class:`StudentFailure` when no value came back.

        ``return_args``: the reply also holds the array arguments as they are after the call.
        """
        try:
            return self._call(fn, *args, timeout=timeout, return_args=return_args)
        except StudentFailure as exc:
            exc.info.setdefault("fn", fn)
            raise

    def _call(self, fn: str, *args, timeout: float | None = None, return_args: bool = False) -> CallReply:
        if not self.load().functions.get(fn, False):
            raise MissingFunction(f"{fn} is not defined")
        if fn in self.timed_out:
            raise TimedOut(f"{fn} did not return within {self.timed_out[fn]:g} s (in an earlier check; not run again)",
                           {"seconds": self.timed_out[fn], "earlier": True})
        if fn in self.crashed:
            raise Crashed(f"{self.crashed[fn]} (in an earlier check; not run again)", {"earlier": True})
        limit = self._remaining(self.limits.call_timeout_s if timeout is None else timeout)
        child = self._ensure_child()
        blobs: list[bytes] = []
        encoded = [encode(a, blobs) for a in args]
        limit = self._remaining(limit)
        started = time.monotonic()
        try:
            child.channel.send({"op": "call", "fn": fn, "args": encoded, "return_args": return_args}, blobs)
            header, reply_blobs = child.channel.recv(limit)
        except TimeoutError:
            child.kill()
            self.timed_out[fn] = limit
            raise TimedOut(f"{fn} did not return within {limit:g} s", {"seconds": limit}) from None
        except (EOFError, OSError):
            child.kill()
            self.crashed[fn] = f"the process running {fn} died (memory limit, os._exit or a crash)"
            raise Crashed(self.crashed[fn]) from None
        finally:
            self.spent += time.monotonic() - started
        return parse_reply(fn, header, reply_blobs)


def _value_request(sandbox: "Sandbox", name: str) -> CallReply:
    limit = sandbox._remaining(sandbox.limits.call_timeout_s)
    child = sandbox._ensure_child()
    started = time.monotonic()
    try:
        child.channel.send({"op": "value", "name": name})
        header, blobs = child.channel.recv(limit)
    except (TimeoutError, EOFError, OSError):
        child.kill()
        raise Crashed(f"reading {name} failed") from None
    finally:
        sandbox.spent += time.monotonic() - started
    return parse_reply(name, header, blobs)


#: What the judge says of a cell it had to stop, and its Korean (Python's own messages have none).
CELL_HUNG = "the cell did not finish within its time limit"
CELL_CRASHED = "the process stopped while the cell ran (memory limit, os._exit or a crash)"
JUDGE_MESSAGES_KO = {CELL_HUNG: "셀이 시간 제한 안에 끝나지 않았습니다",
                     CELL_CRASHED: "셀을 실행하는 중에 프로세스가 멈췄습니다 (메모리 한도, os._exit 또는 비정상 종료)"}


def _load_error(e: dict) -> dict:
    """A cell error as the child reported it (or the judge wrote it), cut to plain, short fields; the
    judge's own messages get their Korean (wording.cell_error_text)."""
    message = excerpt(e.get("message", ""), 160)
    error = {"cell": excerpt(e.get("cell", ""), 40), "type": excerpt(e.get("type", "Error"), 60),
             "message": message, "line": e.get("line") if type(e.get("line")) is int else None,
             "at": excerpt(e["at"], 40) if isinstance(e.get("at"), str) else None}
    if message in JUDGE_MESSAGES_KO:
        error["message_ko"] = JUDGE_MESSAGES_KO[message]
    return error


__all__ = [
    "Sandbox", "CallReply", "LoadReport", "StudentFailure", "NotAttempted", "MissingFunction",
    "StudentRaised", "TimedOut", "Crashed", "Unsupported", "parse_reply",
]
