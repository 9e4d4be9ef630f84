"""A small seccomp filter for each child: no memory outside its limits, no kernel state it could leave behind.

RLIMIT_AS bounds what a child maps and the tmpfs at /tmp bounds what it writes, but the kernel
keeps some memory outside both: System V shared memory, message queues and semaphores live
until removed (and a segment need not stay attached to be kept), ``memfd_create`` files hold
pages nobody maps, and keys added to a user's keyring are seen by the next process of that uid.
Grading a weight-initialisation exercise needs none of them, so these calls fail with EPERM
(Python raises PermissionError) in every child of the jail; everything else is allowed.

The filter is plain classic BPF, built here for x86-64 and AArch64 (on other machines none is
applied, and the child's own IPC namespace (zygote.py) still keeps objects from reaching the next one).
"""
from __future__ import annotations

import ctypes
import errno
import platform
import struct

# <linux/audit.h> architecture tags and <asm/unistd.h> numbers of the refused calls.
_ARCHES = {
    "x86_64": (0xC000003E, {"shmget": 29, "shmat": 30, "semget": 64, "msgget": 68, "mq_open": 240,
                            "add_key": 248, "request_key": 249, "keyctl": 250, "memfd_create": 319,
                            "memfd_secret": 447}),
    "aarch64": (0xC00000B7, {"mq_open": 180, "msgget": 186, "semget": 190, "shmget": 194, "shmat": 196,
                             "add_key": 217, "request_key": 218, "keyctl": 219, "memfd_create": 279,
                             "memfd_secret": 447}),
}
_X32_BIT = 0x40000000  # x86-64's x32 ABI: the same calls under other numbers, refused as a whole

# BPF opcodes (<linux/filter.h>) and seccomp return values (<linux/seccomp.h>).
_LD_W_ABS, _JEQ_K, _JGE_K, _RET_K = 0x20, 0x15, 0x35, 0x06
_RET_ALLOW, _RET_ERRNO = 0x7FFF0000, 0x00050000
_NR, _ARCH = 0, 4  # offsets in struct seccomp_data
_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER = 22, 2

REFUSED = tuple(sorted(_ARCHES["x86_64"][1]))


def _insn(code: int, jt: int, jf: int, k: int) -> bytes:
    return struct.pack("HBBI", code, jt, jf, k)


def program(machine: str | None = None) -> bytes | None:
    """The filter's instructions for ``machine`` (this one by default), or None where it has none."""
    arch = _ARCHES.get(machine or platform.machine())
    if arch is None:
        return None
    audit_arch, numbers = arch
    refused = sorted(numbers.values())
    deny = _RET_ERRNO | errno.EPERM
    code = [_insn(_LD_W_ABS, 0, 0, _ARCH),
            _insn(_JEQ_K, 1, 0, audit_arch),  # another ABI's numbers mean other calls: refuse them all
            _insn(_RET_K, 0, 0, deny),
            _insn(_LD_W_ABS, 0, 0, _NR)]
    if audit_arch == _ARCHES["x86_64"][0]:
        code.append(_insn(_JGE_K, len(refused) + 1, 0, _X32_BIT))
    for i, nr in enumerate(refused):
        code.append(_insn(_JEQ_K, len(refused) - i, 0, nr))  # to the "deny" at the end
    code += [_insn(_RET_K, 0, 0, _RET_ALLOW), _insn(_RET_K, 0, 0, deny)]
    return b"".join(code)


class _SockFprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]


_PROGRAM = program()


def refuse_kernel_state() -> bool:
    """Install the filter on the calling process (and everything it starts); True if installed.

    Needs ``no_new_privs`` (bubblewrap and Landlock set it) or CAP_SYS_ADMIN.
    """
    code = _PROGRAM
    if code is None:
        return False
    buffer = ctypes.create_string_buffer(code, len(code))
    prog = _SockFprog(len(code) // 8, ctypes.cast(buffer, ctypes.c_void_p))
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_SECCOMP, _SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0) != 0:
        raise OSError(ctypes.get_errno(), "seccomp filter")
    return True
