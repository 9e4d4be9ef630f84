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

from autograder.engine.sandbox.limits import (
    HELPER_ENV, IS_LINUX, IS_POSIX, Limits, apply_in_child, cgroup_path, join_pids_cgroup, kill_cgroup, remove_tree,
    sandbox_environment,
)
from autograder.helper.calls import (
    CallReply, Crashed, LoadReport, MissingFunction, NotAttempted, StudentFailure, StudentRaised, TimedOut, cap_text, excerpt, parse_reply,
)
from autograder.helper.wire import ProtocolError
from autograder.helper.wire import Unsupported, encode
from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES, REPLY_MAX_HEADER, read_frame, write_frame

#: Printed output of the submission kept by the judge (the child caps it too; this is not trusting it).
OUTPUT_CAP = 16 * 1024


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
                self._frames.put(read_frame(rx, max_bytes, REPLY_MAX_HEADER))
        except (EOFError, OSError, ValueError, ProtocolError, RecursionError, MemoryError) as exc:
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
            return read_frame(self, self.max_bytes, REPLY_MAX_HEADER)
        except TimeoutError:
            raise
        except (EOFError, OSError, ValueError, ProtocolError, RecursionError, MemoryError) as exc:
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


def default_helper() -> str:
    """The student helper a launcher gives its children when none is named: the default lecture's."""
    from autograder.lectures.weight_init import HELPER_FILE

    return str(HELPER_FILE)


class SpawnLauncher:
    """Portable backend: a fresh ``python -m autograder.engine.sandbox.child`` per child."""

    def __init__(self, max_frame: int, helper: str | None = None):
        self.max_frame = max_frame
        self.helper = helper or default_helper()

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
        env[HELPER_ENV] = self.helper
        proc = subprocess.Popen(
            [sys.executable, "-c", "from autograder.engine.sandbox.child import stdio_main; stdio_main()"],
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
            remove_tree(workdir)

        return ChildProcess(proc.pid, channel, kill, {})

    def prebuild(self, cases: list[tuple[str, int]]) -> None:
        """Nothing to do: each child is a new interpreter and draws its own inputs."""

    def restart(self) -> None:
        """Nothing to replace: every child is a new interpreter."""

    def close(self) -> None:
        pass


class ZygoteLauncher:
    """Linux backend: fork children from a preloaded zygote (see zygote.py), in a jail when given one."""

    def __init__(self, max_frame: int, jail=None, max_processes: int = Limits.max_processes, index: int = 0,
                 helper: str | None = None):
        self.max_frame = max_frame
        self.jail = jail
        self.helper = helper or default_helper()
        """The student helper's file (unconfined; a jail binds its own, see jail.build)."""
        self.max_processes = max_processes
        self.index = index
        """Which judge this is: a root judge's jail runs as a uid of its own (jail.jail_uid)."""
        self._cgroup: str | None = None
        self.proc: subprocess.Popen | None = None
        self.control: socket.socket | None = None
        self._lock = threading.Lock()
        self._ready = False
        self.generation = 0
        """How many zygotes this launcher has started: a child of an earlier one died with it."""
        self.restarts = 0
        self._prebuilt: list[tuple[str, int]] = []

    @property
    def confined(self) -> bool:
        return self.jail is not None

    def start(self) -> None:
        if self.proc is not None:
            return
        self.generation += 1
        self._ready = False
        ours, theirs = socket.socketpair()
        env = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1", "MPLBACKEND": "Agg"}
        if self.jail is not None:
            from autograder.engine.sandbox.jail import JAIL_HELPER, JAIL_KIT, JAIL_SITE, run_tag

            boot = (f"import sys; sys.path[:0] = {[JAIL_SITE, JAIL_KIT]!r}; "
                    "from autograder.engine.sandbox.zygote import main; main(jailed=True)")
            env.update(LANG="C.UTF-8", HOME="/tmp", TMPDIR="/tmp", MPLCONFIGDIR="/tmp", PATH="/usr/bin:/bin")
            env[HELPER_ENV] = JAIL_HELPER
            # The tag names this run's jails in the host's /proc (see jail.survivors).
            argv = self.jail.argv(["python", "-c", boot, str(theirs.fileno()), run_tag()], env)
            env = {}  # bwrap's own environment does not reach the jail (--clearenv)
        else:
            argv = [sys.executable, "-m", "autograder.engine.sandbox.zygote", str(theirs.fileno())]
            env = dict(os.environ, **env, PYTHONPATH=os.pathsep.join(p for p in sys.path if p))
            env[HELPER_ENV] = self.helper
        preexec = None
        if self.jail is not None and IS_POSIX and os.getuid() == 0:
            # A pids cgroup around the whole jail, as well as RLIMIT_NPROC of its uid; the margin covers
            # bwrap itself and the zygote.  Then the jail's own unprivileged uid (jail.jail_uid).
            from autograder.engine.sandbox.jail import jail_uid

            limit = self.max_processes + 8
            preexec = self.jail.preexec(jail_uid(self.index), then=lambda: join_pids_cgroup(limit))
        self.proc = subprocess.Popen(argv, pass_fds=[theirs.fileno()], env=env, stdin=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL if self.jail is not None else None,
                                     preexec_fn=preexec)
        self._cgroup = cgroup_path(self.proc.pid) if preexec is not None else None
        theirs.close()
        self.control = ours
        self._reader = ours.makefile("rb")

    def _wait_ready(self) -> None:
        if not self._ready:
            line = self._reader.readline()
            if not line:
                raise RuntimeError("the sandbox zygote did not start")
            self._ready = True

    def spawn(self, limits: Limits) -> ChildProcess:
        """A new child; if the zygote (or its jail) is gone, a new one is started and asked once more."""
        try:
            return self._spawn(limits)
        except (OSError, RuntimeError, ValueError):
            self.restart()
            return self._spawn(limits)

    def restart(self) -> None:
        """Replace the zygote (and its jail) with a new one, with the same lecture inputs drawn."""
        self.close()
        self.restarts += 1
        self.start()
        if self._prebuilt:
            self._prebuild(self._prebuilt)

    def _spawn(self, limits: Limits) -> ChildProcess:
        self.start()
        generation = self.generation
        with self._lock:
            self._wait_ready()
            self.control.sendall(json.dumps({"op": "spawn", "limits": limits.to_dict()}).encode() + b"\n")
            msg, fds, _flags, _addr = socket.recv_fds(self.control, 4096, 1)
        if not fds:
            raise RuntimeError("the sandbox zygote stopped")
        info = json.loads(msg)
        channel = SocketChannel(socket.socket(fileno=fds[0]), self.max_frame)

        def kill(pid: int) -> None:
            if self.jail is None:  # in the jail, pids are the jail's: only the zygote may signal them
                try:
                    os.killpg(pid, signal.SIGKILL)
                except (ProcessLookupError, PermissionError):
                    pass
            with self._lock:
                # A child of an earlier zygote died with it; the new zygote must not kill its own for it.
                if generation == self.generation and self.control is not None:
                    try:
                        # With this child's limits: a jailed zygote forks the next child ahead with them.
                        self.control.sendall(json.dumps({"op": "kill", "pid": pid, "limits": limits.to_dict()}).encode()
                                             + b"\n")
                        self._reader.readline()
                    except (OSError, ValueError):
                        pass
            channel.close()

        return ChildProcess(info["pid"], channel, kill, {})

    def prebuild(self, cases: list[tuple[str, int]]) -> None:
        """Have the zygote draw these lecture cases' inputs (lab.prebuild) before it forks more children."""
        self._prebuilt = [tuple(c) for c in cases]
        try:
            self._prebuild(self._prebuilt)
        except (OSError, RuntimeError, ValueError):
            self.restart()

    def _prebuild(self, cases) -> None:
        self.start()
        with self._lock:
            self._wait_ready()
            self.control.sendall(json.dumps({"op": "prebuild", "cases": [list(c) for c in cases]}).encode() + b"\n")
            if not self._reader.readline():
                raise RuntimeError("the sandbox zygote stopped")

    def close(self) -> None:
        if self.proc is not None:
            try:
                self._reader.close()
                self.control.close()  # the zygote sees EOF, kills what is left and exits
                self.control = None
            finally:
                try:
                    self.proc.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.proc.kill()  # bwrap's --die-with-parent / init's death take the jail with it
                    self.proc.wait()
                self.proc = None
                if self._cgroup is not None:
                    kill_cgroup(self._cgroup)
                    self._cgroup = None


def default_launcher(limits: Limits | None = None, max_frame: int = REPLY_MAX_BYTES, index: int = 0,
                     helper: str | None = None):
    """The launcher ``limits`` asks for: jailed (raises JailUnavailable where no jail can be built),
    or, with ``limits.unconfined``, a bare zygote (Linux) or a fresh interpreter per child.  ``index``
    is the judge's (a root judge's jail runs as a uid of its own); ``helper``, the student helper's file
    its children run submissions with (the default lecture's when None)."""
    helper = helper or default_helper()
    if limits is not None and limits.unconfined:
        return ZygoteLauncher(max_frame, helper=helper) if IS_LINUX else SpawnLauncher(max_frame, helper=helper)
    from autograder.engine.sandbox.jail import build

    return ZygoteLauncher(max_frame, jail=build(helper), max_processes=(limits or Limits()).max_processes,
                          index=index, helper=helper)


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
                                 "message": "the cell did not finish within its time limit" if hung else
                                 "the process stopped while the cell ran (memory limit, os._exit or a crash)"})
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


def _load_error(e: dict) -> dict:
    """A cell error as the child reported it, cut to plain, short fields."""
    return {"cell": excerpt(e.get("cell", ""), 40), "type": excerpt(e.get("type", "Error"), 60),
            "message": excerpt(e.get("message", ""), 160), "line": e.get("line") if type(e.get("line")) is int else None,
            "at": excerpt(e["at"], 40) if isinstance(e.get("at"), str) else None}


__all__ = [
    "Sandbox", "CallReply", "LoadReport", "StudentFailure", "NotAttempted", "MissingFunction",
    "StudentRaised", "TimedOut", "Crashed", "default_launcher", "SpawnLauncher", "ZygoteLauncher",
    "Unsupported", "parse_reply",
]
