"""The judge's side of the sandbox: start a child, load a submission into it, call functions.

A :class:`Sandbox` owns one submission's child.  Every call has a wall-clock deadline; a
call that misses it, or a child that dies, costs that call only: the child's process
group is killed with SIGKILL and the next call starts a fresh child and reloads the
submission.  Replies are decoded as plain data (protocol.py) and nothing else.
"""
from __future__ import annotations

import json
import os
import queue
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from autograder.sandbox.limits import (
    IS_LINUX, IS_POSIX, Limits, apply_in_child, cgroup_path, kill_cgroup, sandbox_environment,
)
from autograder.sandbox.protocol import ProtocolError, Unsupported, decode, encode, read_frame, write_frame

#: Printed output of the submission kept by the judge (the child caps it too; this is not trusting it).
OUTPUT_CAP = 16 * 1024

def cap_text(value, limit: int) -> str:
    """A child's text cut to ``limit`` characters, saying how much was cut."""
    text = str(value)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters not kept]"


# ---- failures of student code, as the checks see them -------------------------------------


class StudentFailure(Exception):
    """A call did not return a value; ``kind`` says why (the checks turn it into feedback)."""

    kind = "error"

    def __init__(self, message: str, info: dict | None = None):
        super().__init__(message)
        self.info = info or {}


class NotAttempted(StudentFailure):
    kind = "not_attempted"


class MissingFunction(StudentFailure):
    kind = "missing"


class StudentRaised(StudentFailure):
    kind = "raised"


class TimedOut(StudentFailure):
    kind = "timeout"


class Crashed(StudentFailure):
    kind = "crashed"


@dataclass
class CallReply:
    """What came back from one call: the value and what the child observed around it."""

    value: Any
    seconds: float = 0.0
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)
    mutated_args: list[int] = field(default_factory=list)
    rng_used: list[bool] = field(default_factory=list)
    callable_logs: list[list] = field(default_factory=list)


@dataclass
class LoadReport:
    """How executing the submission went."""

    functions: dict[str, bool]
    errors: list[dict]
    stdout: str = ""
    shell_notes: list[str] = field(default_factory=list)
    mode: str = "full"
    problem: str | None = None  # "timeout" / "crashed" when the full run failed and defs mode was used
    applied: dict = field(default_factory=dict)


# ---- channels and child processes ---------------------------------------------------------


class Channel:
    """Frames over a pair of byte streams, read by a thread so that reads can time out."""

    def __init__(self, rx, tx, max_bytes: int):
        self.tx = tx
        self._frames: queue.Queue = queue.Queue()
        self._thread = threading.Thread(target=self._pump, args=(rx, max_bytes), daemon=True)
        self._thread.start()

    def _pump(self, rx, max_bytes) -> None:
        try:
            while True:
                self._frames.put(read_frame(rx, max_bytes))
        except (EOFError, OSError, ValueError, ProtocolError) as exc:
            self._frames.put(exc)

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        write_frame(self.tx, header, blobs)

    def recv(self, timeout: float):
        try:
            item = self._frames.get(timeout=timeout)
        except queue.Empty:
            raise TimeoutError from None
        if isinstance(item, BaseException):
            self._frames.put(item)  # stays closed
            raise EOFError(str(item))
        return item


class SocketChannel:
    """Frames over a socket, read in the caller's thread with a deadline (no reader thread).

    Each ``recv`` gives the whole frame ``timeout`` seconds; a frame cut by the deadline leaves
    the channel unusable, which is fine: the child is killed then.
    """

    def __init__(self, sock: socket.socket, max_bytes: int):
        self.sock, self.max_bytes = sock, max_bytes
        self.tx = sock.makefile("wb", buffering=1 << 16)
        self._deadline = 0.0
        self._closed: BaseException | None = None

    def readinto(self, view) -> int:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        self.sock.settimeout(remaining)
        try:
            return self.sock.recv_into(view)
        except socket.timeout:
            raise TimeoutError from None

    def send(self, header: dict, blobs: list[bytes] = ()) -> None:
        write_frame(self.tx, header, blobs)

    def recv(self, timeout: float):
        if self._closed is not None:
            raise EOFError(str(self._closed))
        self._deadline = time.monotonic() + timeout
        try:
            return read_frame(self, self.max_bytes)
        except TimeoutError:
            raise
        except (EOFError, OSError, ValueError, ProtocolError) as exc:
            self._closed = exc
            raise EOFError(str(exc)) from None

    def close(self) -> None:
        for closer in (self.tx.close, self.sock.close):
            try:
                closer()
            except OSError:
                pass


class ChildProcess:
    def __init__(self, pid: int, channel: Channel, killer, applied: dict):
        self.pid, self.channel, self._killer, self.applied = pid, channel, killer, applied
        self.alive = True

    def kill(self) -> None:
        if self.alive:
            self.alive = False
            self._killer(self.pid)


class SpawnLauncher:
    """Portable backend: a fresh ``python -m autograder.sandbox.child`` per child."""

    def __init__(self, max_frame: int):
        self.max_frame = max_frame

    def start(self) -> None:
        pass

    def spawn(self, limits: Limits) -> ChildProcess:
        workdir = tempfile.mkdtemp(prefix="initlab-run-")
        if limits.sandbox_uid is not None and IS_POSIX and os.getuid() == 0:
            os.chown(workdir, limits.sandbox_uid, limits.sandbox_uid)
        kwargs: dict = {}
        if IS_POSIX:
            kwargs.update(start_new_session=True, preexec_fn=lambda: apply_in_child(limits, workdir))
        env = sandbox_environment(workdir)
        env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p)
        proc = subprocess.Popen(
            [sys.executable, "-c", "from autograder.sandbox.child import stdio_main; stdio_main()"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            cwd=workdir, env=env, **kwargs,
        )
        channel = Channel(proc.stdout, proc.stdin, self.max_frame)

        def kill(pid: int) -> None:
            try:
                if IS_POSIX:
                    os.killpg(pid, signal.SIGKILL)
                else:
                    proc.kill()
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
            if IS_POSIX and os.getuid() == 0:
                kill_cgroup(cgroup_path(pid))
            for stream in (proc.stdin, proc.stdout):
                try:
                    stream.close()
                except OSError:
                    pass
            import shutil

            shutil.rmtree(workdir, ignore_errors=True)

        return ChildProcess(proc.pid, channel, kill, {})

    def close(self) -> None:
        pass


class ZygoteLauncher:
    """Linux backend: fork children from a preloaded zygote (see zygote.py)."""

    def __init__(self, max_frame: int):
        self.max_frame = max_frame
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        if self.proc is not None:
            return
        ours, theirs = socket.socketpair()
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1", MKL_NUM_THREADS="1",
                   MPLBACKEND="Agg", PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "autograder.sandbox.zygote", str(theirs.fileno())],
            pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
        )
        theirs.close()
        self.control = ours
        self._reader = ours.makefile("rb")

    def _wait_ready(self) -> None:
        if not getattr(self, "_ready", False):
            line = self._reader.readline()
            if not line:
                raise RuntimeError("the sandbox zygote did not start")
            self._ready = True

    def spawn(self, limits: Limits) -> ChildProcess:
        self.start()
        with self._lock:
            self._wait_ready()
            self.control.sendall(json.dumps({"op": "spawn", "limits": limits.to_dict()}).encode() + b"\n")
            msg, fds, _flags, _addr = socket.recv_fds(self.control, 4096, 1)
        info = json.loads(msg)
        channel = SocketChannel(socket.socket(fileno=fds[0]), self.max_frame)

        def kill(pid: int) -> None:
            try:
                os.killpg(pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            with self._lock:
                try:
                    self.control.sendall(json.dumps({"op": "kill", "pid": pid}).encode() + b"\n")
                    self._reader.readline()
                except OSError:
                    pass
            channel.close()

        return ChildProcess(info["pid"], channel, kill, {})

    def close(self) -> None:
        if self.proc is not None:
            try:
                self._reader.close()
                self.control.close()  # the zygote sees EOF, kills what is left and exits
            finally:
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                self.proc = None


def default_launcher(max_frame: int = 256 * 1024 * 1024):
    return ZygoteLauncher(max_frame) if IS_LINUX else SpawnLauncher(max_frame)


# ---- one submission's sandbox ----------------------------------------------------------------


class Sandbox:
    """The child process of one submission, restarted whenever a call kills it."""

    def __init__(self, cells: list[dict], expect: list[str], limits: Limits, launcher):
        self.cells, self.expect, self.limits, self.launcher = cells, expect, limits, launcher
        self.child: ChildProcess | None = None
        self.report: LoadReport | None = None
        self.restarts = 0
        # A function that hung once is not called again: each further wait would cost the
        # whole timeout (nbgrader's 30 s per cell), and the verdict would not change.
        self.timed_out: dict[str, float] = {}

    # -- lifecycle
    def _start_child(self) -> ChildProcess:
        child = self.launcher.spawn(self.limits)
        try:
            hello, _ = child.channel.recv(self.limits.load_timeout_s)
        except (TimeoutError, EOFError):
            child.kill()
            raise RuntimeError("the sandbox child did not start") from None
        child.applied = hello.get("applied", {})
        return child

    def _load_into(self, child: ChildProcess, mode: str) -> dict:
        child.channel.send({"op": "load", "cells": self.cells, "mode": mode, "expect": self.expect})
        header, _ = child.channel.recv(self.limits.load_timeout_s)
        return header

    def load(self) -> LoadReport:
        """Run the submission; if its top level hangs or kills the child, retry with definitions only."""
        if self.report is not None:
            return self.report
        problem = None
        for mode in ("full", "defs"):
            child = self._start_child()
            try:
                header = self._load_into(child, mode)
            except TimeoutError:
                child.kill()
                problem = "timeout"
                continue
            except EOFError:
                child.kill()
                problem = "crashed"
                continue
            self.child = child
            self.report = LoadReport(
                functions={k: bool(v) for k, v in dict(header.get("functions", {})).items() if k in self.expect},
                errors=list(header.get("errors", []))[:50],
                stdout=cap_text(header.get("stdout", ""), OUTPUT_CAP),
                shell_notes=[str(n)[:200] for n in header.get("shell_notes", [])][:50],
                mode=mode, problem=problem, applied=child.applied,
            )
            return self.report
        self.report = LoadReport(functions={k: False for k in self.expect}, errors=[], mode="none",
                                 problem=problem, applied={})
        return self.report

    def _ensure_child(self) -> ChildProcess:
        report = self.load()
        if self.child is None or not self.child.alive:
            if report.mode == "none":
                raise Crashed("the submission could not be loaded", {"problem": report.problem})
            self.child = self._start_child()
            self.restarts += 1
            try:
                self._load_into(self.child, report.mode)
            except (TimeoutError, EOFError):
                self.child.kill()
                raise Crashed("the submission could not be reloaded after an earlier failure") from None
        return self.child

    def close(self) -> None:
        if self.child is not None:
            try:
                self.child.channel.send({"op": "bye"})
            except OSError:
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
        return _value_request(self, name)

    def call(self, fn: str, *args, timeout: float | None = None) -> CallReply:
        """Call ``fn(*args)`` in the child.  Raises a :class:`StudentFailure` when no value came back."""
        if not self.load().functions.get(fn, False):
            raise MissingFunction(f"{fn} is not defined")
        if fn in self.timed_out:
            raise TimedOut(f"{fn} did not return within {self.timed_out[fn]:g} s (in an earlier check; not run again)",
                           {"seconds": self.timed_out[fn], "earlier": True})
        child = self._ensure_child()
        blobs: list[bytes] = []
        encoded = [encode(a, blobs) for a in args]
        limit = self.limits.call_timeout_s if timeout is None else timeout
        try:
            child.channel.send({"op": "call", "fn": fn, "args": encoded}, blobs)
            header, reply_blobs = child.channel.recv(limit)
        except TimeoutError:
            child.kill()
            self.timed_out[fn] = limit
            raise TimedOut(f"{fn} did not return within {limit:g} s", {"seconds": limit}) from None
        except (EOFError, OSError):
            child.kill()
            raise Crashed(f"the process running {fn} died (memory limit, os._exit or a crash)") from None
        return parse_reply(fn, header, reply_blobs)


def _value_request(sandbox: "Sandbox", name: str) -> CallReply:
    child = sandbox._ensure_child()
    try:
        child.channel.send({"op": "value", "name": name})
        header, blobs = child.channel.recv(sandbox.limits.call_timeout_s)
    except (TimeoutError, EOFError, OSError):
        child.kill()
        raise Crashed(f"reading {name} failed") from None
    return parse_reply(name, header, blobs)


def parse_reply(fn: str, header: dict, blobs: list[bytes]) -> CallReply:
    """Validate a child's reply and turn it into a :class:`CallReply` or a StudentFailure."""
    if not isinstance(header, dict):
        raise Crashed("malformed reply")
    if not header.get("ok"):
        err = header.get("error") if isinstance(header.get("error"), dict) else {}
        info = {
            "type": str(err.get("type", "Error"))[:100],
            "message": str(err.get("message", ""))[:500],
            "frames": [[str(f[0])[:80], f[1] if type(f[1]) is int else None, str(f[2])[:200]]
                       for f in err.get("frames", []) if isinstance(f, list) and len(f) == 3][:3],
            "stdout": cap_text(header.get("stdout", ""), 4000),
        }
        if err.get("missing"):
            raise MissingFunction(f"{fn} is not defined", info)
        if err.get("not_implemented"):
            raise NotAttempted(f"{fn} raises NotImplementedError", info)
        raise StudentRaised(f"{fn} raised {info['type']}: {info['message']}", info)
    try:
        value = decode(header.get("value"), blobs)
    except (ProtocolError, KeyError, TypeError, ValueError) as exc:
        raise Crashed(f"the value {fn} returned could not be read: {exc}") from None

    def _list(key, typ, cap):
        raw = header.get(key, [])
        return [x for x in raw if isinstance(x, typ)][:cap] if isinstance(raw, list) else []

    return CallReply(
        value=value,
        seconds=float(header.get("seconds", 0.0)) if isinstance(header.get("seconds"), (int, float)) else 0.0,
        stdout=cap_text(header.get("stdout", ""), 4000),
        warnings=[str(w)[:300] for w in _list("warnings", str, 20)],
        mutated_args=_list("mutated_args", int, 20),
        rng_used=_list("rng_used", bool, 20),
        callable_logs=_list("callable_logs", list, 20),
    )


__all__ = [
    "Sandbox", "CallReply", "LoadReport", "StudentFailure", "NotAttempted", "MissingFunction",
    "StudentRaised", "TimedOut", "Crashed", "default_launcher", "SpawnLauncher", "ZygoteLauncher",
    "Unsupported", "parse_reply",
]
