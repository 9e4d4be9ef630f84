"""Landlock, the jail's second layer (Linux >= 5.13), through its three system calls.

Each jailed child restricts itself once its own /tmp is mounted (limits.apply_in_child calls
:func:`restrict_jail`; Landlock forbids mounting afterwards): it may read and run what the jail
shows, write only under its /tmp and to the character devices of /dev, neither bind nor connect
TCP sockets (ABI >= 4), and its signals and abstract Unix sockets are scoped to its own domain
(ABI >= 6), so a submission cannot signal the zygote.  Every restriction is inherited and none can
be lifted.  Where the kernel has no Landlock, nothing is applied and ``abi_version()`` says 0:
bubblewrap's namespaces remain the jail.
"""
from __future__ import annotations

import ctypes
import os
import sys

# The syscall numbers are the same on every architecture (they came after the tables merged).
_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446
_CREATE_RULESET_VERSION = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_WRITES_ABI1 = sum(1 << i for i in range(4, 13))  # remove, make dir/file/fifo/sock/symlink/devices
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
NET_BIND_TCP, NET_CONNECT_TCP = 1 << 0, 1 << 1
SCOPE_ABSTRACT_UNIX_SOCKET, SCOPE_SIGNAL = 1 << 0, 1 << 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def _libc():
    return ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The Landlock ABI the kernel offers (0 when it has none or it is disabled)."""
    if not sys.platform.startswith("linux"):
        return 0
    try:
        version = _libc().syscall(_CREATE_RULESET, None, 0, _CREATE_RULESET_VERSION)
    except (OSError, AttributeError):
        return 0
    return max(0, int(version))


def _fs_access(abi: int) -> int:
    access = EXECUTE | WRITE_FILE | READ_FILE | READ_DIR | _WRITES_ABI1
    if abi >= 2:
        access |= REFER
    if abi >= 3:
        access |= TRUNCATE
    if abi >= 5:
        access |= IOCTL_DEV
    return access


def _attr(abi: int, fs: int, net: int, scoped: int) -> tuple[_RulesetAttr, int]:
    attr = _RulesetAttr(fs, net if abi >= 4 else 0, scoped if abi >= 6 else 0)
    size = 24 if abi >= 6 else 16 if abi >= 4 else 8
    return attr, size


def _restrict(attr: _RulesetAttr, size: int, rules: list[tuple[str, int]]) -> None:
    libc = _libc()
    fd = libc.syscall(_CREATE_RULESET, ctypes.byref(attr), size, 0)
    if fd < 0:
        raise OSError(ctypes.get_errno(), "landlock_create_ruleset")
    try:
        for path, access in rules:
            try:
                target = os.open(path, os.O_PATH | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                if os.path.isdir(path):
                    allowed = access & attr.handled_access_fs
                else:  # rules on files may only name file rights
                    allowed = access & attr.handled_access_fs & (EXECUTE | WRITE_FILE | READ_FILE | TRUNCATE | IOCTL_DEV)
                rule = _PathBeneathAttr(allowed, target)
                if libc.syscall(_ADD_RULE, fd, _RULE_PATH_BENEATH, ctypes.byref(rule), 0) != 0:
                    raise OSError(ctypes.get_errno(), f"landlock_add_rule {path}")
            finally:
                os.close(target)
        if libc.prctl(_PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "PR_SET_NO_NEW_PRIVS")
        if libc.syscall(_RESTRICT_SELF, fd, 0) != 0:
            raise OSError(ctypes.get_errno(), "landlock_restrict_self")
    finally:
        os.close(fd)


def restrict_jail(scratch: str) -> int:
    """A jailed child's domain: read and run what the jail shows, write only under ``scratch`` and the
    character devices of /dev; no TCP; signals and abstract sockets stay inside.  Returns the ABI (0: none)."""
    abi = abi_version()
    if not abi:
        return 0
    fs = _fs_access(abi)
    read = EXECUTE | READ_FILE | READ_DIR
    attr, size = _attr(abi, fs, NET_BIND_TCP | NET_CONNECT_TCP, SCOPE_ABSTRACT_UNIX_SOCKET | SCOPE_SIGNAL)
    _restrict(attr, size, [("/", read), (scratch, fs), ("/dev", read | WRITE_FILE | (IOCTL_DEV if abi >= 5 else 0))])
    return abi


def scope_child() -> bool:
    """A child's own nested domain: it can signal only itself and what it starts (ABI >= 6)."""
    abi = abi_version()
    if abi < 6:
        return False
    attr, size = _attr(abi, 0, 0, SCOPE_SIGNAL | SCOPE_ABSTRACT_UNIX_SOCKET)
    _restrict(attr, size, [])
    return True
