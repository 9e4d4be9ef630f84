"""The fork server (autograder/engine/sandbox/zygote.py), bare (unconfined, as with ``--unconfined``),
driven over its control socket with the JSON lines ZygoteLauncher sends; and its helpers."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import types

import pytest

from autograder.engine.sandbox import zygote
from autograder.engine.sandbox.launchers import default_helper
from autograder.engine.sandbox.limits import HELPER_ENV, IS_LINUX, Limits
from autograder.engine.sandbox.protocol import read_frame, write_frame
from autograder.helper.wire import decode
from tests.conftest import ROOT, wait_until
from tests.kernels import PROCESS_TIMEOUT, STARTUP_TIMEOUT

pytestmark = [pytest.mark.sandbox, pytest.mark.skipif(not IS_LINUX, reason="the zygote forks: Linux only")]

LIMITS = Limits(unconfined=True).to_dict()


def gone(pid: int) -> bool:
    """Is process ``pid`` dead: no longer there, or a zombie its parent has not reaped yet?"""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except FileNotFoundError:
        return True


class ChildEnd:
    """The judge's end of one forked child's socket."""

    def __init__(self, pid: int, fd: int):
        self.pid = pid
        self.sock = socket.socket(fileno=fd)
        self.sock.settimeout(STARTUP_TIMEOUT)  # a hang fails in minutes, not in half an hour
        self.rx, self.tx = self.sock.makefile("rb"), self.sock.makefile("wb")
        self.hello, _ = read_frame(self.rx)

    def ask(self, header: dict) -> dict:
        write_frame(self.tx, header)
        reply, blobs = read_frame(self.rx)
        while "progress" in reply:
            reply, blobs = read_frame(self.rx)
        if "value" in reply:
            reply["value"] = decode(reply["value"], blobs)
        return reply

    def close(self) -> None:
        for closer in (self.tx.close, self.rx.close, self.sock.close):
            try:
                closer()
            except OSError:
                pass


class Zygote:
    """``python -m autograder.engine.sandbox.zygote FD`` as ZygoteLauncher starts it unconfined."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        ours.settimeout(STARTUP_TIMEOUT)  # a hang fails in minutes, not in half an hour
        env = dict(os.environ, OPENBLAS_NUM_THREADS="1", MPLBACKEND="Agg", PYTHONPATH=str(ROOT))
        env[HELPER_ENV] = default_helper()
        self.proc = subprocess.Popen([sys.executable, "-m", "autograder.engine.sandbox.zygote", str(theirs.fileno())],
                                     pass_fds=[theirs.fileno()], env=env, cwd=ROOT, stdin=subprocess.DEVNULL)
        theirs.close()
        self.control, self.reader = ours, ours.makefile("rb")
        self.ready = json.loads(self.reader.readline())
        self.children: list[ChildEnd] = []

    def send(self, request: dict) -> None:
        self.control.sendall(json.dumps(request).encode() + b"\n")

    def spawn(self) -> ChildEnd:
        self.send({"op": "spawn", "limits": LIMITS})
        msg, fds, _flags, _addr = socket.recv_fds(self.control, 4096, 1)
        assert len(fds) == 1, msg
        child = ChildEnd(json.loads(msg)["pid"], fds[0])
        self.children.append(child)
        return child

    def kill(self, pid: int) -> dict:
        self.send({"op": "kill", "pid": pid})
        return json.loads(self.reader.readline())

    def close(self) -> int:
        """Close the control socket (the judge is done): the zygote's exit status."""
        for child in self.children:
            child.close()
        self.reader.close()
        self.control.close()
        return self.proc.wait(timeout=PROCESS_TIMEOUT)


@pytest.fixture(scope="module")
def bare():
    z = Zygote()
    yield z
    if z.proc.poll() is None:
        z.close()


def cwd_of(child: ChildEnd) -> str:
    child.ask({"op": "load", "cells": [{"source": "import os\nCWD = os.getcwd()", "name": "cell 1"}]})
    return child.ask({"op": "value", "name": "CWD"})["value"]


def test_the_zygote_says_ready_then_forks_children_that_answer(bare):
    """Each spawn is a new process, a child of the zygote, that greets on the socket handed over and
    answers; it runs in an empty folder of its own (not the judge's), with the judge's environment gone."""
    assert bare.ready == {"ready": True}
    first, second = bare.spawn(), bare.spawn()
    assert first.pid != second.pid
    for child in (first, second):
        assert child.hello["ok"] is True and child.hello["pid"] == child.pid
        assert child.ask({"op": "ping"})["pid"] == child.pid
        with open(f"/proc/{child.pid}/stat") as fh:
            assert int(fh.read().rsplit(")", 1)[1].split()[1]) == bare.proc.pid  # its parent is the zygote
    folder = cwd_of(first)
    assert folder != cwd_of(second) and os.path.basename(folder).startswith("initlab-run-")
    assert os.listdir(folder) == []
    first.ask({"op": "load", "cells": [{"source": "import os\nHOME = os.environ.get('HOME')\n"
                                                  "JUDGE = 'PYTHONPATH' in os.environ", "name": "cell 1"}]})
    assert first.ask({"op": "value", "name": "HOME"})["value"] == folder
    assert first.ask({"op": "value", "name": "JUDGE"})["value"] is False
    for child in (first, second):
        assert bare.kill(child.pid)["status"] is not None


def test_kill_ends_the_child_reaps_it_and_removes_its_folder(bare):
    child = bare.spawn()
    folder = cwd_of(child)
    status = bare.kill(child.pid)["status"]
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
    assert not os.path.exists(f"/proc/{child.pid}")  # reaped: not even a zombie
    assert not os.path.exists(folder)
    with pytest.raises(EOFError):  # its socket is closed
        read_frame(child.rx)


def test_a_child_that_dies_does_not_take_the_zygote_with_it(bare):
    """A child killed from outside (or that crashed) is reaped at the zygote's next request and its folder
    removed; the zygote lives on and forks the next child as before."""
    doomed = bare.spawn()
    folder = cwd_of(doomed)
    os.kill(doomed.pid, signal.SIGKILL)
    assert wait_until(lambda: gone(doomed.pid))
    with pytest.raises(EOFError):
        read_frame(doomed.rx)
    assert bare.proc.poll() is None
    survivor = bare.spawn()  # the request on which the zygote reaps the dead one
    assert survivor.ask({"op": "ping"})["pid"] == survivor.pid
    assert not os.path.exists(f"/proc/{doomed.pid}") and not os.path.exists(folder)
    assert bare.kill(doomed.pid) == {"status": None}  # already reaped: nothing to kill, no error
    # A child that ends itself mid-call is no different.
    survivor.ask({"op": "load", "cells": [{"source": "import os\ndef die():\n    os._exit(7)", "name": "cell 1"}]})
    write_frame(survivor.tx, {"op": "call", "fn": "die", "args": []})
    with pytest.raises(EOFError):
        read_frame(survivor.rx)
    assert wait_until(lambda: gone(survivor.pid))
    assert bare.spawn().ask({"op": "ping"})["ok"] is True and bare.proc.poll() is None


def test_prebuilt_inputs_are_inherited_by_every_child(bare):
    """prebuild draws the lecture's inputs once in the zygote: a child forked afterwards has them already."""
    from autograder.engine.config import Variant
    from tests.conftest import lab

    cases = [list(c) for c in lab.lecture_seeds(Variant())]
    bare.send({"op": "prebuild", "cases": cases})
    assert json.loads(bare.reader.readline()) == {"ok": True}
    child = bare.spawn()
    # The grader's own copy of the helper has them; the copy a submission imports has none (nor the
    # grader-made callables): a submission cannot read the grader's inputs from it.
    source = ("import sys, initlab_lab\nKEYS = sorted({k[0] for k in sys.modules['autograder.engine.sandbox.child'].lab.PREBUILT})\n"
              "MINE = sorted({k[0] for k in initlab_lab.PREBUILT})\nHAS = hasattr(initlab_lab, 'Sigmoid')")
    child.ask({"op": "load", "cells": [{"source": source, "name": "cell 1"}]})
    assert child.ask({"op": "value", "name": "KEYS"})["value"] == ["normal", "table"]
    assert child.ask({"op": "value", "name": "MINE"})["value"] == []
    assert child.ask({"op": "value", "name": "HAS"})["value"] is False


def test_closing_the_control_socket_ends_the_zygote_and_its_children():
    z = Zygote()
    children = [z.spawn(), z.spawn()]
    folders = [cwd_of(c) for c in children]
    assert z.close() == 0
    # The zygote killed and reaped them before it exited (they were its children, so no zombie is left).
    assert all(not os.path.exists(f"/proc/{c.pid}") for c in children)
    assert not any(os.path.exists(f) for f in folders)


# ---- helpers ---------------------------------------------------------------------------------


@pytest.fixture
def lazy_package(tmp_path, monkeypatch):
    """A package ``lazy_parent`` whose submodule ``heavy`` records, in a file, that it was imported."""
    name = f"lazy_parent_{os.getpid()}"
    package = tmp_path / name
    package.mkdir()
    (package / "__init__.py").write_text("", encoding="utf-8")
    marker = tmp_path / "imported"
    (package / "heavy.py").write_text(f"open({str(marker)!r}, 'a').write('x')\nVALUE = 42\ndef f():\n    return 7\n",
                                      encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    yield name, marker
    for key in [k for k in sys.modules if k == name or k.startswith(name + ".")]:
        del sys.modules[key]


def test_a_module_bound_on_first_use_loads_only_when_a_name_is_asked(lazy_package):
    """The zygote binds pyplot without loading it: `import parent.heavy as h` runs nothing; the first
    attribute asked loads the real module once, which then takes its place everywhere."""
    import importlib

    name, marker = lazy_package
    importlib.import_module(name)
    zygote._bind_on_first_use(f"{name}.heavy")
    placeholder = sys.modules[f"{name}.heavy"]
    exec(f"import {name}.heavy as h\nfrom {name} import heavy", {})
    assert not marker.exists() and isinstance(placeholder, zygote._OnFirstUse)
    assert placeholder.VALUE == 42 and placeholder.f() == 7
    real = sys.modules[f"{name}.heavy"]
    assert real is not placeholder and isinstance(real, types.ModuleType) and not isinstance(real, zygote._OnFirstUse)
    assert getattr(sys.modules[name], "heavy") is real
    assert marker.read_text() == "x"  # imported once
    zygote._bind_on_first_use(f"{name}.nothing_here")  # an unknown module: nothing bound, no error
    assert f"{name}.nothing_here" not in sys.modules


def test_the_font_list_is_linked_into_a_childs_folder(tmp_path, monkeypatch):
    cache, folder = tmp_path / "mpl", tmp_path / "child"
    cache.mkdir()
    folder.mkdir()
    for f in ("fontlist-v390.json", "fontlist-v330.json", "other.json", "fontlist-v390.txt"):
        (cache / f).write_text("{}", encoding="utf-8")
    monkeypatch.setattr(zygote, "FONT_CACHE", str(cache))
    zygote.link_font_list(str(folder))
    assert sorted(p.name for p in folder.iterdir()) == ["fontlist-v330.json", "fontlist-v390.json"]
    assert all(p.is_symlink() and p.resolve() == cache / p.name for p in folder.iterdir())
    # No cache on this machine (or a name already there): nothing happens, nothing raises.
    monkeypatch.setattr(zygote, "FONT_CACHE", str(tmp_path / "absent"))
    zygote.link_font_list(str(folder))
    assert len(list(folder.iterdir())) == 2
