"""Each jailed child starts from nothing and leaves nothing: its own /tmp, /dev/shm and IPC namespace.

The zygote keeps one capability, CAP_SYS_ADMIN inside the jail's user namespace (bubblewrap's
``--cap-add``; it gives no power over the host), only so that every child it forks can, before any
student code exists in it:

* enter a mount namespace and an IPC namespace of its own (``unshare``);
* mount a new, size-capped tmpfs at /tmp (and a tiny one at /dev/shm): what a submission writes
  there is freed by the kernel when its last process ends, with no clean-up to run (a recursive
  delete of a hostile tree can fail; an unmount cannot), and the next child never sees it;
* then drop every capability (:func:`drop_capabilities`), checked, never to regain one: the child's
  uid is not root in the jail, and ``no_new_privs`` stops an exec from granting any.

System V and POSIX IPC objects belong to the IPC namespace, so they die with the child too.
"""
from __future__ import annotations

import ctypes
import os

_CLONE_NEWNS, _CLONE_NEWIPC = 0x00020000, 0x08000000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE = 0x2, 0x4, 0x4000, 1 << 18
_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL = 47, 4
_LINUX_CAPABILITY_VERSION_3 = 0x20080522
#: /dev/shm of a child: POSIX shared memory needs a little room; Landlock refuses new files there anyway.
SHM_MB = 1


_LIBC = ctypes.CDLL(None, use_errno=True) if os.name == "posix" else None


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def isolate_child(scratch: str, scratch_mb: int) -> None:
    """Give the calling process its own mount and IPC namespace and a fresh tmpfs at ``scratch``."""
    libc = _LIBC
    _check(libc.unshare(_CLONE_NEWNS | _CLONE_NEWIPC), "unshare")
    # Mounts made from here on stay in this namespace (bubblewrap's are already private; this is not trusting it).
    _check(libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None), "mount --make-rprivate /")
    _check(libc.mount(b"tmpfs", scratch.encode(), b"tmpfs", _MS_NOSUID | _MS_NODEV,
                      f"size={int(scratch_mb)}m,mode=0700".encode()), f"tmpfs at {scratch}")
    if os.path.isdir("/dev/shm"):
        _check(libc.mount(b"tmpfs", b"/dev/shm", b"tmpfs", _MS_NOSUID | _MS_NODEV,
                          f"size={SHM_MB}m,mode=0700".encode()), "tmpfs at /dev/shm")


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [("effective", ctypes.c_uint32), ("permitted", ctypes.c_uint32), ("inheritable", ctypes.c_uint32)]


def drop_capabilities() -> None:
    """Clear the ambient, effective, permitted and inheritable sets; OSError unless all four are empty."""
    libc = _LIBC
    libc.prctl(_PR_CAP_AMBIENT, _PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0)
    header = _CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)
    _check(libc.capset(ctypes.byref(header), (_CapData * 2)()), "capset")
    left = (_CapData * 2)()
    _check(libc.capget(ctypes.byref(_CapHeader(_LINUX_CAPABILITY_VERSION_3, 0)), left), "capget")
    if any(d.effective or d.permitted or d.inheritable for d in left):  # (ambient is a subset of these)
        raise OSError(0, f"capabilities left after dropping them: {capabilities()}")


def capabilities() -> dict[str, int]:
    """The calling process's capability sets, from /proc/self/status."""
    sets = {}
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(("CapInh:", "CapPrm:", "CapEff:", "CapAmb:")):
                name, value = line.split(":")
                sets[name] = int(value, 16)
    return sets
