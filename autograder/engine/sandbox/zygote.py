"""A fork server: a clean interpreter with numpy and matplotlib already imported.

Starting Python and importing numpy and matplotlib is slow; forking a process that already
has them is cheap, so every submission's child is forked.  The zygote holds no grader
state (it never sees an expected value), so a forked child inherits nothing worth
stealing.  Linux only; elsewhere the judge spawns a fresh interpreter per submission.

Jailed (the default, see jail.py) the zygote is the init of the jail's PID namespace and runs
one child at a time: killing a child kills *every* other process of the jail (``kill(-1)``
from init), so daemons, double forks and thread-group leaders that exit alone all end with
it.  Each child has a mount and IPC namespace of its own with a fresh /tmp (isolate.py), so
nothing it wrote or allocated there outlives it or reaches the next child.

Control messages are JSON lines on a Unix socket from the judge:
  {"op": "spawn", "limits": {...}}   -> {"pid": int} plus one fd (SCM_RIGHTS):
                                        the judge's end of a socket to the new child
  {"op": "kill", "pid": int, "limits": {...}} -> {"status": int | null}: everything of the child killed
                                        (jailed, the next child is then forked ahead with ``limits``)
  {"op": "prebuild", "cases": [[case, seed], ...]} -> {"ok": true}: those lecture inputs drawn once
                                        here (the helper's prebuild), so that every child copies them
The zygote exits when the judge closes the socket, killing whatever children remain.
"""
from __future__ import annotations

import gc
import importlib
import importlib.util
import json
import os
import signal
import socket
import sys
import tempfile
import types

from autograder.engine.sandbox.limits import remove_tree

#: Set in the jail: this process is PID 1 of the jail's namespace (see jail.py).
JAILED = False
#: Whether this zygote (and so every child it forks) already sits in an empty network namespace.
NETWORK_ISOLATED = False
#: The jail's scratch folder: each child mounts a size-capped tmpfs of its own there.
SCRATCH = "/tmp"
#: The grading run's tag (reaper.run_tag), given on the command line; children carry it in their environment.
RUN_TAG = ""
#: Whether the jailed zygote installed the seccomp filter (seccomp.py) that every child inherits.
SECCOMP = False


#: matplotlib's font list made for this jail (jail.font_cache), bound read-only when there is one.
FONT_CACHE = "/initlab/mpl"


def _preload() -> None:
    # Imported once here so every child starts with them; matplotlib with a non-GUI backend.
    os.environ.setdefault("MPLBACKEND", "Agg")
    import numpy  # noqa: F401
    import matplotlib

    matplotlib.use("Agg")
    if JAILED:
        # Notebooks import pyplot in their first cell, but under grading nothing of theirs draws: pyplot
        # (a large part of a jail's start) is bound now and loaded by the first child that uses it.  (A child
        # that dropped to another uid, unjailed, could not read it later: it is loaded here then.)
        _bind_on_first_use("matplotlib.pyplot")
    else:
        import matplotlib.pyplot  # noqa: F401

    import autograder.engine.sandbox.child  # noqa: F401  (it loads the student helper, initlab_lab)
    import autograder.engine.sandbox.landlock  # noqa: F401
    import autograder.engine.sandbox.limits  # noqa: F401  (each child applies its limits: imported once, here)
    # Modules students commonly import; preloading them also keeps them importable after
    # the child has dropped to a uid that cannot read the interpreter's directory.
    for name in ("math", "random", "time", "collections", "itertools", "functools", "copy", "typing",
                 "dataclasses", "statistics", "json", "re", "string", "operator", "heapq", "bisect", "decimal",
                 "fractions", "datetime", "pathlib", "csv", "struct", "socket", "subprocess", "encodings.idna",
                 "numpy.random", "numpy.linalg", "numpy.fft", "numpy.testing", "resource"):
        try:
            __import__(name)
        except ImportError:
            pass


def link_font_list(folder: str) -> None:
    """Link the jail's font list (jail.font_cache) into ``folder``, a child's MPLCONFIGDIR: a child that
    draws then reads it instead of scanning the fonts.  matplotlib wants the folder writable,
    so the list is linked into it rather than read where it is bound."""
    try:
        names = [n for n in os.listdir(FONT_CACHE) if n.startswith("fontlist-") and n.endswith(".json")]
        for name in names:
            os.symlink(os.path.join(FONT_CACHE, name), os.path.join(folder, name))
    except OSError:  # no list was made (no cache folder on this machine): matplotlib scans the fonts itself
        pass


class _OnFirstUse(types.ModuleType):
    """A module put in sys.modules under the real one's name and spec, empty until one of its names is
    asked for: then the real module is imported and takes its place (and this one mirrors it).

    ``import matplotlib.pyplot as plt`` alone asks for nothing (importlib's LazyLoader would load at
    that import already: the import system reads ``__spec__`` of what it finds in sys.modules).
    """

    def __getattr__(self, attr: str):  # only for names not defined here yet
        name = self.__name__
        if sys.modules.get(name) is self:
            del sys.modules[name]
        real = importlib.import_module(name)
        parent, _, child = name.rpartition(".")
        if parent:
            setattr(sys.modules[parent], child, real)
        self.__dict__.update(real.__dict__)
        return getattr(real, attr)


def _bind_on_first_use(name: str) -> None:
    """Bind module ``name`` (its parent already imported) as an :class:`_OnFirstUse`."""
    spec = importlib.util.find_spec(name)
    if spec is None:
        return
    module = _OnFirstUse(name)
    module.__spec__, module.__loader__, module.__file__ = spec, spec.loader, spec.origin
    sys.modules[name] = module
    parent, _, child = name.rpartition(".")
    if parent:
        setattr(sys.modules[parent], child, module)


def _child_main(conn: socket.socket, limits_dict: dict, workdir: str, keep_fd: int) -> None:
    from autograder.engine.sandbox.child import serve
    from autograder.engine.sandbox.limits import Limits, apply_in_child, sandbox_environment

    try:
        os.setsid()  # own session and process group: the judge kills the whole group
        os.closerange(3, keep_fd)
        os.closerange(keep_fd + 1, 65536)
        devnull = os.open(os.devnull, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(devnull, fd)
        if JAILED:  # its own /tmp and IPC namespace, before anything of the submission exists
            from autograder.engine.sandbox.isolate import isolate_child

            isolate_child(SCRATCH, Limits(**limits_dict).scratch_mb)
        os.environ.clear()
        os.environ.update(sandbox_environment(workdir))
        if JAILED:
            link_font_list(workdir)
        if RUN_TAG:  # which grading run a process belongs to, for whoever checks that none outlives it
            os.environ["INITLAB_RUN_TAG"] = RUN_TAG
        applied = apply_in_child(Limits(**limits_dict), workdir, network_isolated=NETWORK_ISOLATED, jailed=JAILED)
        if JAILED:
            applied["seccomp"] = SECCOMP
        rx = os.fdopen(keep_fd, "rb", buffering=1 << 16, closefd=False)
        tx = os.fdopen(os.dup(keep_fd), "wb", buffering=1 << 16)
        from autograder.engine.sandbox.protocol import write_frame

        write_frame(tx, {"ok": True, "pid": os.getpid(), "applied": applied})
        serve(rx, tx)
    finally:
        os._exit(0)


def _prctl(option: int, value: int) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            ctypes.CDLL(None).prctl(option, value, 0, 0, 0)
        except (OSError, AttributeError):
            pass


def reuse_freed_memory() -> None:
    """Have glibc's malloc keep freed blocks of up to 32 MB for reuse, not unmap them.

    A lecture probe makes dozens of arrays of under 1 MB per submission; by default each is a new
    mapping, zero-filled page by page, and the page faults are a noticeable share of a child's time.
    Forked children inherit the setting.  Elsewhere (musl, macOS) nothing changes.
    """
    if sys.platform.startswith("linux"):
        import ctypes

        try:
            libc = ctypes.CDLL(None)
            libc.mallopt(-3, 32 << 20)  # M_MMAP_THRESHOLD: blocks below it come from the heap
            libc.mallopt(-1, 256 << 20)  # M_TRIM_THRESHOLD: the heap keeps this much free memory
        except (OSError, AttributeError):
            pass


def _become_subreaper() -> None:
    """Orphans of a submission (a fork bomb's children) are re-parented to us, so we can reap them.

    Otherwise they would become zombies of PID 1, which in a container often never reaps,
    and zombies still count against the sandbox uid's process limit.  (In the jail we are PID 1.)
    """
    _prctl(36, 1)  # PR_SET_CHILD_SUBREAPER


def _reap(children: dict) -> dict:
    """Collect exited children and orphans; returns {pid: status} of our direct children reaped."""
    done = {}
    while True:  # orphans re-parented to us (we are a subreaper) and exited children
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            break
        if pid == 0:
            break
        if pid in children:
            done[pid] = status
            _remove(children.pop(pid))
    for pid in list(children):
        try:
            got, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:
            got, status = pid, None
        if got:
            done[pid] = status
            _remove(children.pop(pid))
            if os.getuid() == 0 and not JAILED:
                from autograder.engine.sandbox.limits import cgroup_path, kill_cgroup

                kill_cgroup(cgroup_path(pid))
    return done


def _remove(workdir: str) -> None:
    """Remove an unconfined child's folder (a jailed child's /tmp is its own tmpfs: the kernel frees it)."""
    if not JAILED:
        remove_tree(workdir)


def kill_jail_processes() -> None:
    """As the jail's init: SIGKILL every other process of the namespace and reap them all.

    ``kill(-1)`` reaches every process we may signal but ourselves; from init that is the whole
    namespace, setsid daemons and double forks included.  Repeated until /proc shows nobody
    else, because a process may be forking while the signal is delivered.
    """
    for _ in range(100):
        try:
            os.kill(-1, signal.SIGKILL)
        except ProcessLookupError:
            pass  # nobody else is left
        while True:
            try:
                os.waitpid(-1, 0)
            except ChildProcessError:
                break
            except InterruptedError:
                continue
        if not any(p.isdigit() and p != "1" for p in os.listdir("/proc")):
            return


def _kill(pid: int, children: dict, sandbox_uid) -> int | None:
    if JAILED:
        kill_jail_processes()
        _remove(children.pop(pid, ""))
        return None
    from autograder.engine.sandbox.limits import cgroup_path, kill_cgroup, kill_uid

    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
    # Anything the submission started in a new session of its own is found by uid or cgroup.
    if sandbox_uid is not None and os.getuid() == 0:
        kill_uid(sandbox_uid)
    if os.getuid() == 0:
        kill_cgroup(cgroup_path(pid))
    status = None
    if pid in children:
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:
            pass
        remove_tree(children.pop(pid))
    _reap(children)
    return status


def _fork_child(limits: dict, reader, control: socket.socket) -> tuple[int, socket.socket, str]:
    """Fork a child for ``limits``: (its pid, the judge's end of its socket, its folder)."""
    sandbox_uid = limits.get("sandbox_uid") if not JAILED else None
    workdir = SCRATCH if JAILED else tempfile.mkdtemp(prefix="initlab-run-")
    if sandbox_uid is not None and os.getuid() == 0:
        os.chown(workdir, sandbox_uid, sandbox_uid)
    ours, theirs = socket.socketpair()
    for end in (ours, theirs):  # a probe's reply is ~4 MB: big buffers, fewer wake-ups
        end.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
        end.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    pid = os.fork()
    if pid == 0:
        reader.close()
        control.close()
        ours.close()
        _child_main(theirs, limits, workdir, theirs.fileno())
    theirs.close()
    return pid, ours, workdir


def serve(control: socket.socket) -> None:
    """Answer the judge's requests until it closes the socket.

    Jailed, the next child is forked as soon as the last one is killed (it makes its namespaces, mounts
    its /tmp, drops its capabilities and says hello meanwhile, while the judge scores the last
    submission), and handed over at the next spawn with the same limits.  It is never alive beside a
    child that ran student code: a kill ends every process of the jail, and a spawn while another child
    lives kills both first.
    """
    children: dict[int, str] = {}
    reader = control.makefile("rb")
    sandbox_uid = None
    warm: tuple[int, socket.socket, str, dict] | None = None  # a child forked ahead, not yet handed over
    try:
        for line in reader:
            request = json.loads(line)
            _reap(children)
            if warm is not None and warm[0] not in children:
                warm[1].close()  # it died waiting (memory pressure...): fork afresh
                warm = None
            if request["op"] == "spawn":
                limits = request["limits"]
                sandbox_uid = limits.get("sandbox_uid") if not JAILED else None
                if warm is not None and (warm[3] != limits or len(children) > 1):
                    warm[1].close()
                    warm = None
                if JAILED and children and warm is None:  # one child at a time: nothing of the last one may see this one
                    for pid in list(children):
                        _kill(pid, children, None)
                if warm is not None:
                    pid, ours, _, _ = warm
                    warm = None
                else:
                    pid, ours, workdir = _fork_child(limits, reader, control)
                    children[pid] = workdir
                socket.send_fds(control, [json.dumps({"pid": pid}).encode() + b"\n"], [ours.fileno()])
                ours.close()
            elif request["op"] == "prebuild":  # the judge's lecture inputs, drawn before any child is forked
                from autograder.engine.sandbox.child import lab

                if hasattr(lab, "prebuild"):  # a lecture whose checks share large inputs draws them here
                    lab.prebuild([(str(case), int(seed)) for case, seed in request["cases"]])
                control.sendall(b'{"ok": true}\n')
            elif request["op"] == "kill":
                status = _kill(int(request["pid"]), children, sandbox_uid)
                control.sendall(json.dumps({"status": status}).encode() + b"\n")
                if JAILED and not children and "limits" in request:  # the next one, while the judge goes on
                    pid, ours, workdir = _fork_child(request["limits"], reader, control)
                    children[pid] = workdir
                    warm = (pid, ours, workdir, request["limits"])
    finally:
        if warm is not None:
            warm[1].close()
        for pid in list(children):
            _kill(pid, children, sandbox_uid)


def main(jailed: bool = False) -> None:
    """Serve the judge on the socket whose fd is ``sys.argv[1]``; ``jailed`` when started by jail.py."""
    global JAILED, NETWORK_ISOLATED, RUN_TAG, SECCOMP
    control = socket.socket(fileno=int(sys.argv[1]))
    RUN_TAG = sys.argv[2] if len(sys.argv) > 2 else ""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C goes to the judge, which then closes us
    if jailed:
        JAILED = NETWORK_ISOLATED = True
        # Not dumpable: a child (same uid) can neither ptrace us nor read our memory or environment.
        # (Each child makes its own Landlock domain, after mounting its /tmp: see limits.apply_in_child.)
        _prctl(4, 0)  # PR_SET_DUMPABLE
        # The seccomp filter once, here: every child inherits it (the zygote needs none of what it refuses).
        from autograder.engine.sandbox.seccomp import refuse_kernel_state

        SECCOMP = refuse_kernel_state()
    else:
        _become_subreaper()
    reuse_freed_memory()
    _preload()
    # Everything loaded so far is moved out of the collector's reach: a collection in a child would
    # otherwise write to every object's header and copy most of the zygote's pages (copy-on-write).
    gc.freeze()
    if not jailed:
        # The zygote talks to the judge over a socketpair only, so it can give up the network once
        # for all its children (making a network namespace per child is slow).
        from autograder.engine.sandbox.limits import unshare_network

        NETWORK_ISOLATED = unshare_network()
    control.sendall(b'{"ready": true}\n')
    serve(control)  # returns once every child is killed and reaped
    # No interpreter teardown: freeing numpy's and matplotlib's modules is time the judge would wait
    # for at every close (and the jail ends with its init anyway).
    os._exit(0)


if __name__ == "__main__":
    main()
