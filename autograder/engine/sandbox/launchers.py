"""How a judge starts the processes that run student code, and talks to them.

A launcher hands out :class:`ChildProcess` es: the :class:`ZygoteLauncher` forks each from a zygote
that has numpy and matplotlib imported already (in a jail, or bare with ``--unconfined``), the
:class:`SpawnLauncher` starts a fresh interpreter per child where fork is not available.  A
:class:`Channel` carries length-prefixed frames (protocol.py) with a deadline on every read.
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

from autograder.engine.sandbox.jail import JAIL_HELPER, JAIL_KIT, JAIL_SITE, build, jail_uid
from autograder.engine.sandbox.limits import (
    HELPER_ENV, IS_LINUX, IS_POSIX, Limits, apply_in_child, cgroup_path, join_pids_cgroup, kill_cgroup, remove_tree,
    sandbox_environment,
)
from autograder.engine.sandbox.reaper import run_tag
from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES, REPLY_MAX_HEADER, read_frame, write_frame
from autograder.helper.wire import ProtocolError

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
    from autograder.engine.assignment import helper_path

    return str(helper_path())


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
            boot = (f"import sys; sys.path[:0] = {[JAIL_SITE, JAIL_KIT]!r}; "
                    "from autograder.engine.sandbox.zygote import main; main(jailed=True)")
            env.update(LANG="C.UTF-8", HOME="/tmp", TMPDIR="/tmp", MPLCONFIGDIR="/tmp", PATH="/usr/bin:/bin")
            env[HELPER_ENV] = JAIL_HELPER
            # The tag names this run's jails in the host's /proc (see reaper.survivors).
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
    return ZygoteLauncher(max_frame, jail=build(helper), max_processes=(limits or Limits()).max_processes,
                          index=index, helper=helper)
