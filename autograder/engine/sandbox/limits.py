"""Limits applied from outside to the process that runs student code.

Everything here happens in the child *before* any student code exists in it, and none of
it can be undone by that code: resource limits can only be lowered, a dropped uid cannot
be regained, and a network namespace cannot be left.  Wall-clock time is enforced by the
judge, which kills the child's whole process group with SIGKILL.
"""
from __future__ import annotations

import ctypes
import os
import sys
from dataclasses import dataclass, asdict

IS_POSIX = os.name == "posix"
#: The variable that names the student helper's file to the process that runs student code (child.py).
HELPER_ENV = "INITLAB_HELPER"
IS_LINUX = sys.platform.startswith("linux")


@dataclass(frozen=True)
class Limits:
    """What one submission's child may use."""

    call_timeout_s: float = 10.0
    """Wall-clock seconds for one call of a student function."""
    load_timeout_s: float = 15.0
    """Wall-clock seconds to execute the submission's top-level code (all cells); past it, the
    submission is loaded again with its definitions only (imports, def, class, assignments)."""
    budget_s: float = 60.0
    """Wall-clock seconds for the whole submission: loads, reloads and every call together.  Once it
    is spent, the remaining calls fail at once as timeouts (a submission cannot hold the batch)."""
    memory_mb: int = 2048
    """Address space the child may add to what it had when it started."""
    cpu_s: int = 300
    """CPU seconds over the child's whole life (a backstop; the wall clock acts first)."""
    max_processes: int = 16
    """Processes the submission may have at once (enforced when it runs under its own uid)."""
    max_file_mb: int = 16
    """Largest file the submission may write."""
    scratch_mb: int = 256
    """Size of the submission's own /tmp (jailed: a tmpfs of its own, freed when it ends)."""
    max_open_files: int = 256
    """Open file descriptors."""
    isolate_network: bool = True
    """Give the child an empty network namespace where the platform allows it."""
    sandbox_uid: int | None = None
    """Run as this uid (only when the judge is root and unconfined); None keeps the judge's uid."""
    unconfined: bool = False
    """Run student code without the jail (jail.py): only where none can be built and the user asked
    for it (``--unconfined``); every report then says so."""

    def to_dict(self) -> dict:
        return asdict(self)


_CLONE_NEWNET = 0x40000000


def unshare_network() -> bool:
    """Move the calling process into a new, empty network namespace (Linux, root); True if done."""
    return _unshare_network()


def _unshare_network() -> bool:
    if not IS_LINUX:
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.unshare(_CLONE_NEWNET) == 0
    except (OSError, AttributeError):
        return False


def vm_bytes() -> int:
    """The process's current virtual memory size (Linux), or 0 when unknown."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def apply_in_child(limits: Limits, workdir: str, network_isolated: bool = False, jailed: bool = False) -> dict:
    """Lock the current (child) process down; returns what could be applied.

    Order matters: namespaces need privileges, so they come before the uid is dropped,
    and the address-space limit is set relative to what the process already maps.
    """
    applied = {"network": network_isolated, "uid": os.getuid() if IS_POSIX else None, "jail": jailed}
    if not IS_POSIX:
        os.chdir(workdir)
        return applied
    import resource

    if limits.isolate_network and not network_isolated:
        applied["network"] = _unshare_network()

    def cap(which, soft, hard=None):
        try:
            resource.setrlimit(which, (soft, soft if hard is None else hard))
        except (ValueError, OSError):
            pass

    base = vm_bytes()
    if base:
        cap(resource.RLIMIT_AS, base + limits.memory_mb * 1024 * 1024)
    cap(resource.RLIMIT_CPU, limits.cpu_s, limits.cpu_s + 5)
    cap(resource.RLIMIT_FSIZE, limits.max_file_mb * 1024 * 1024)
    cap(resource.RLIMIT_NOFILE, limits.max_open_files)
    cap(resource.RLIMIT_CORE, 0)

    if jailed:
        # The jail's processes run as an unprivileged uid of their own (the judge's own, or, for a root
        # judge, one per judge: jail.jail_uid), so RLIMIT_NPROC counts them; a root judge's launcher
        # also puts the whole jail in a pids cgroup (launchers.ZygoteLauncher).
        cap(resource.RLIMIT_NPROC, limits.max_processes + 1)
        applied["max_processes"] = limits.max_processes
        from autograder.engine.sandbox.isolate import drop_capabilities
        from autograder.engine.sandbox.landlock import restrict_jail

        # Landlock's domain is the child's own (its signals and abstract sockets stay inside it, and it
        # may write only its own /tmp), made after its /tmp was mounted: Landlock forbids mounting.
        try:
            applied["landlock"] = restrict_jail(workdir)
        except OSError:
            applied["landlock"] = 0
        drop_capabilities()  # raises if any is left: the child then never starts
        os.chdir(workdir)
        return applied

    if os.getuid() == 0 and limits.sandbox_uid is None:
        # Root ignores RLIMIT_NPROC; a pids cgroup is the way to bound processes then.
        applied["pids_cgroup"] = join_pids_cgroup(limits.max_processes)

    os.chdir(workdir)
    if limits.sandbox_uid is not None and os.getuid() == 0:
        os.setgroups([])
        os.setgid(limits.sandbox_uid)
        os.setuid(limits.sandbox_uid)
        applied["uid"] = limits.sandbox_uid
    # RLIMIT_NPROC counts every process of the real uid and is ignored for root.  Under a sandbox
    # uid of its own the child gets max_processes; under the judge's own (non-root) uid, what the
    # user already runs plus max_processes, so a fork bomb stops there.
    if os.getuid() != 0:
        already = 0 if limits.sandbox_uid is not None else processes_of(os.getuid())
        cap(resource.RLIMIT_NPROC, already + limits.max_processes)
        applied["max_processes"] = already + limits.max_processes
    return applied


def processes_of(uid: int) -> int:
    """How many processes ``uid`` runs now (Linux /proc; 0 where unknown)."""
    if not IS_LINUX:
        return 0
    count = 0
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.stat(f"/proc/{entry}").st_uid == uid:
                    count += 1
            except OSError:
                continue
    return count


# ---- a pids cgroup per child (Linux, when the judge may create one) -------------------------

_CGROUP_ROOTS = ("/sys/fs/cgroup/pids", "/sys/fs/cgroup")


def _cgroup_base() -> str | None:
    for root in _CGROUP_ROOTS:
        base = os.path.join(root, "initlab")
        v2 = root == "/sys/fs/cgroup"
        if v2 and "pids" not in _read(os.path.join(root, "cgroup.controllers")):
            continue
        if not os.path.isdir(root) or not os.access(root, os.W_OK):
            continue
        try:
            os.makedirs(base, exist_ok=True)
            if v2:
                with open(os.path.join(root, "cgroup.subtree_control"), "w") as fh:
                    fh.write("+pids")
                with open(os.path.join(base, "cgroup.subtree_control"), "w") as fh:
                    fh.write("+pids")
            return base
        except OSError:
            continue
    return None


def _read(path: str) -> str:
    try:
        with open(path) as fh:
            return fh.read()
    except OSError:
        return ""


def cgroup_path(pid: int) -> str | None:
    """Where the child ``pid``'s pids cgroup is (or would be) on this machine."""
    base = _cgroup_base() if IS_LINUX else None
    return os.path.join(base, str(pid)) if base else None


def join_pids_cgroup(max_processes: int) -> str | None:
    """Move the calling process into a new pids cgroup limited to ``max_processes``; None if impossible."""
    path = cgroup_path(os.getpid())
    if path is None:
        return None
    try:
        os.makedirs(path, exist_ok=True)
        with open(os.path.join(path, "pids.max"), "w") as fh:
            fh.write(str(max_processes))
        with open(os.path.join(path, "cgroup.procs"), "w") as fh:
            fh.write(str(os.getpid()))
        return path
    except OSError:
        return None


def kill_cgroup(path: str | None) -> int:
    """SIGKILL every process in a child's cgroup (escaped sessions included), then remove it."""
    import signal
    import time

    if not path or not os.path.isdir(path):
        return 0
    killed = 0
    for _ in range(50):  # processes may fork while we kill; loop until the group is empty
        pids = [int(p) for p in _read(os.path.join(path, "cgroup.procs")).split()]
        if not pids:
            break
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
                killed += 1
            except ProcessLookupError:
                pass
        time.sleep(0.005)
    for _ in range(100):
        try:
            os.rmdir(path)
            break
        except OSError:
            time.sleep(0.01)
    return killed


def interpreter_readable_by_others() -> bool:
    """Can a uid other than ours read the interpreter's library (needed to drop to a sandbox uid)?"""
    import sysconfig

    for lib in {sysconfig.get_paths()["stdlib"], os.path.dirname(os.path.dirname(__file__))}:
        path = os.path.realpath(lib)
        while True:
            try:
                mode = os.stat(path).st_mode
            except OSError:
                return False
            if not mode & 0o001:
                return False
            parent = os.path.dirname(path)
            if parent == path:
                break
            path = parent
    return True


#: Sandbox uids are 61000 + the judge worker's index: unused by any real account.
SANDBOX_UID_BASE = 61000
_READABLE: list[bool] = []


def sandbox_uid_for(worker_index: int) -> int | None:
    """The uid a judge worker's children run as: only when the judge is root and the
    interpreter is readable by other users (otherwise imports would fail after the drop)."""
    if not IS_POSIX or os.getuid() != 0:
        return None
    if not _READABLE:
        _READABLE.append(interpreter_readable_by_others())
    return SANDBOX_UID_BASE + worker_index if _READABLE[0] else None


def sandbox_environment(workdir: str) -> dict:
    """The environment of the child: nothing from the judge's but what numpy needs."""
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": workdir,
        "LANG": "C.UTF-8",
        "MPLBACKEND": "Agg",
        "MPLCONFIGDIR": workdir,
        "OPENBLAS_NUM_THREADS": "1",
        "OMP_NUM_THREADS": "1",
        "MKL_NUM_THREADS": "1",
        "INITLAB_GRADING": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if not IS_POSIX:
        env.update({k: v for k, v in os.environ.items() if k.upper() in ("SYSTEMROOT", "PATH", "TEMP", "TMP")})
    return env


def remove_tree(path: str) -> None:
    """Delete ``path`` whatever a submission left in it: modes that forbid deleting, or a tree too deep
    for shutil.rmtree's recursion (then ``rm -rf``, which walks any depth).  Never raises."""
    def make_writable(func, target, _exc):
        try:
            os.chmod(os.path.dirname(target), 0o700)
            os.chmod(target, 0o700)
            func(target)
        except OSError:
            pass

    import shutil

    try:
        shutil.rmtree(path, onerror=make_writable)
    except RecursionError:
        pass
    except OSError:
        pass
    if os.path.lexists(path):
        import subprocess

        try:
            subprocess.run(["chmod", "-R", "u+rwx", path], capture_output=True, timeout=120)
            subprocess.run(["rm", "-rf", "--one-file-system", path], capture_output=True, timeout=120)
        except (OSError, subprocess.SubprocessError):
            pass


def kill_uid(uid: int) -> int:
    """SIGKILL every process owned by ``uid`` (a sandbox uid nobody else uses); returns the count."""
    import signal

    killed = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                status = fh.read()
        except OSError:
            continue
        state = status.split("State:", 1)[-1].split(None, 1)[0] if "State:" in status else ""
        owner = status.split("Uid:", 1)[-1].split(None, 1)[0] if "Uid:" in status else ""
        if owner == str(uid) and state != "Z":  # zombies are already dead; their parent reaps them
            try:
                os.kill(int(entry), signal.SIGKILL)
                killed += 1
            except OSError:
                pass
    return killed

