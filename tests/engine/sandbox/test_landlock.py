"""Landlock, the jail's second layer (autograder/engine/sandbox/landlock.py).

Restricting is for good (a Landlock domain cannot be left), so every restriction is made in a child
process started for the test, which reports what it could and could not do as one JSON line.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import textwrap

import pytest

from autograder.engine.sandbox import landlock
from tests.conftest import ROOT
from tests.kernels import PROCESS_TIMEOUT

pytestmark = pytest.mark.sandbox

ABI = landlock.abi_version()
needs_landlock = pytest.mark.skipif(ABI < 1, reason="this kernel has no Landlock (or it is disabled)")

#: Runs in the child: ``attempt(name, fn)`` records "ok" or the OSError's class name under ``name``.
PRELUDE = textwrap.dedent("""
    import json, os, signal, socket, subprocess, sys
    from autograder.engine.sandbox import landlock
    out = {}
    def attempt(name, fn):
        try:
            fn()
            out[name] = "ok"
        except OSError as exc:
            out[name] = type(exc).__name__
""")


def in_child(body: str, *args: str) -> dict:
    """Run ``body`` (after PRELUDE) in a fresh interpreter with ``args`` as sys.argv[1:]; its ``out``."""
    script = PRELUDE + textwrap.dedent(body) + "\nprint(json.dumps(out))\n"
    done = subprocess.run([sys.executable, "-c", script, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=PROCESS_TIMEOUT, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture
def folders(tmp_path):
    allowed, outside = tmp_path / "allowed", tmp_path / "outside"
    allowed.mkdir()
    outside.mkdir()
    (outside / "existing.txt").write_text("kept", encoding="utf-8")
    return allowed, outside


@pytest.fixture
def bystander():
    """A process outside any domain the test makes (as the zygote is, seen from a child)."""
    proc = subprocess.Popen(["sleep", "60"])
    yield proc
    proc.kill()
    proc.wait()


def test_abi_version_is_a_non_negative_int():
    assert type(ABI) is int and ABI >= 0
    assert landlock.abi_version() == ABI  # asking again changes nothing


def test_no_landlock_means_abi_zero_and_nothing_restricted(monkeypatch):
    """Off Linux, or where the syscall fails (ENOSYS, EOPNOTSUPP: -1), the ABI is 0 and restrict_jail
    applies nothing (it never calls into the kernel) and says 0; scope_child says False."""
    class NoLandlock:
        def syscall(self, *args):
            return -1

    monkeypatch.setattr(landlock, "_libc", NoLandlock)
    assert landlock.abi_version() == 0
    monkeypatch.setattr(landlock, "_restrict", lambda *a: pytest.fail("restricted without Landlock"))
    assert landlock.restrict_jail("/tmp") == 0 and landlock.scope_child() is False
    monkeypatch.setattr(sys, "platform", "darwin")
    assert landlock.abi_version() == 0


def test_rights_and_struct_size_follow_the_abi():
    """Each ABI handles the rights it knows (refer from 2, truncate from 3, ioctl from 5), the network
    from 4 and scopes from 6, and the ruleset struct is sized for the ABI (8, 16 or 24 bytes)."""
    base = landlock._fs_access(1)
    assert base & landlock.WRITE_FILE and base & landlock.READ_DIR and not base & landlock.REFER
    assert landlock._fs_access(2) == base | landlock.REFER
    assert landlock._fs_access(3) == base | landlock.REFER | landlock.TRUNCATE
    assert landlock._fs_access(5) == landlock._fs_access(3) | landlock.IOCTL_DEV
    net, scoped = landlock.NET_CONNECT_TCP, landlock.SCOPE_SIGNAL
    for abi, size, has_net, has_scope in [(1, 8, False, False), (3, 8, False, False), (4, 16, True, False),
                                          (6, 24, True, True), (7, 24, True, True)]:
        attr, got = landlock._attr(abi, base, net, scoped)
        assert got == size and bool(attr.handled_access_net) == has_net and bool(attr.scoped) == has_scope
        assert got <= landlock.ctypes.sizeof(attr)  # the kernel never reads past the struct


@needs_landlock
def test_a_restricted_process_writes_only_under_its_folder(folders):
    """After restrict_jail(allowed): it writes and creates under ``allowed`` (and /dev/null), reads
    anywhere, and can neither write, create, remove nor rename anything elsewhere."""
    allowed, outside = folders
    out = in_child("""
        allowed, outside = sys.argv[1], sys.argv[2]
        out["abi"] = landlock.restrict_jail(allowed)
        attempt("write_allowed", lambda: open(os.path.join(allowed, "new.txt"), "w").write("x"))
        attempt("mkdir_allowed", lambda: os.mkdir(os.path.join(allowed, "sub")))
        attempt("devnull", lambda: open(os.devnull, "w").write("x"))
        attempt("read_outside", lambda: open(os.path.join(outside, "existing.txt")).read())
        attempt("list_outside", lambda: os.listdir(outside))
        attempt("write_outside", lambda: open(os.path.join(outside, "new.txt"), "w").write("x"))
        attempt("append_outside", lambda: open(os.path.join(outside, "existing.txt"), "a").write("x"))
        attempt("mkdir_outside", lambda: os.mkdir(os.path.join(outside, "sub")))
        attempt("remove_outside", lambda: os.remove(os.path.join(outside, "existing.txt")))
        attempt("move_out", lambda: os.rename(os.path.join(allowed, "new.txt"), os.path.join(outside, "moved.txt")))
    """, str(allowed), str(outside))
    assert out.pop("abi") == ABI
    assert out == {"write_allowed": "ok", "mkdir_allowed": "ok", "devnull": "ok", "read_outside": "ok",
                   "list_outside": "ok", "write_outside": "PermissionError", "append_outside": "PermissionError",
                   "mkdir_outside": "PermissionError", "remove_outside": "PermissionError",
                   "move_out": "PermissionError"}
    # Seen from here: only the allowed folder changed.
    assert (allowed / "new.txt").read_text() == "x" and (allowed / "sub").is_dir()
    assert sorted(p.name for p in outside.iterdir()) == ["existing.txt"]
    assert (outside / "existing.txt").read_text() == "kept"


@needs_landlock
def test_a_restriction_cannot_be_widened_and_binds_what_the_process_starts(folders):
    """A second restrict_jail naming the outside folder adds nothing (domains only narrow), and a
    process started afterwards (a shell's `touch`) is held by the same rules."""
    allowed, outside = folders
    out = in_child("""
        allowed, outside = sys.argv[1], sys.argv[2]
        landlock.restrict_jail(allowed)
        landlock.restrict_jail(outside)  # an attempt to widen: a nested domain that allows only outside
        attempt("write_outside", lambda: open(os.path.join(outside, "new.txt"), "w").write("x"))
        attempt("write_allowed", lambda: open(os.path.join(allowed, "new.txt"), "w").write("x"))
        out["touch"] = subprocess.run(["touch", os.path.join(outside, "by-child.txt")]).returncode
    """, str(allowed), str(outside))
    assert out["write_outside"] == "PermissionError" and out["write_allowed"] == "PermissionError"
    assert out["touch"] != 0 and not (outside / "by-child.txt").exists()


@pytest.mark.skipif(ABI < 4, reason="Landlock's TCP rules need ABI 4")
def test_a_restricted_process_cannot_connect_over_tcp():
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    try:
        unrestricted = in_child("""
            attempt("connect", lambda: socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close())
        """, str(server.getsockname()[1]))
        restricted = in_child("""
            landlock.restrict_jail(os.getcwd())
            attempt("connect", lambda: socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5).close())
        """, str(server.getsockname()[1]))
    finally:
        server.close()
    assert unrestricted == {"connect": "ok"} and restricted == {"connect": "PermissionError"}


@pytest.mark.skipif(ABI < 6, reason="signal scoping needs Landlock ABI 6")
def test_a_scoped_child_signals_only_itself_and_what_it_starts(bystander):
    """scope_child(): the process may no longer signal one outside its domain (the zygote, in the jail),
    but still itself and a process it starts afterwards."""
    out = in_child("""
        target = int(sys.argv[1])
        attempt("before", lambda: os.kill(target, 0))
        out["scoped"] = landlock.scope_child()
        attempt("outside", lambda: os.kill(target, signal.SIGTERM))
        attempt("self", lambda: os.kill(os.getpid(), 0))
        own = subprocess.Popen(["sleep", "30"])
        attempt("own_child", lambda: os.kill(own.pid, signal.SIGKILL))
        own.wait()
    """, str(bystander.pid))
    assert out == {"before": "ok", "scoped": True, "outside": "PermissionError", "self": "ok", "own_child": "ok"}
    assert bystander.poll() is None  # the SIGTERM never arrived
    assert os.kill(bystander.pid, signal.SIGCONT) is None  # and the bystander is still ours to signal
