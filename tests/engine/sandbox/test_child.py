"""The process that runs student code (autograder/engine/sandbox/child.py): its cell loader, in this
process, and its request loop, driven in a child process over a socketpair with protocol.py's frames."""
from __future__ import annotations

import ast
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from tests.conftest import ROOT, lab  # first: the child module's `initlab_lab` is the kit's (see conftest)
from autograder.engine.sandbox.child import _definitions_only, load
from autograder.engine.sandbox.launchers import default_helper
from autograder.engine.sandbox.limits import HELPER_ENV
from autograder.engine.sandbox.protocol import read_frame, write_frame
from autograder.helper.wire import decode, encode
from tests.kernels import PROCESS_TIMEOUT, STARTUP_TIMEOUT

pytestmark = pytest.mark.sandbox


def cells(*sources: str) -> list[dict]:
    return [{"source": s, "name": f"cell {i}"} for i, s in enumerate(sources, 1)]


# ---- the loader, in this process ---------------------------------------------------------


def test_definitions_only_keeps_imports_defs_classes_and_constants():
    """What a cell that hung keeps: imports, functions, classes and assignments that call nothing."""
    tree = ast.parse("import math\nfrom os import path\nN = 3\nM: int = 4\nX = compute()\nY = [f(i) for i in range(3)]\n"
                     "def f():\n    return 1\nasync def g():\n    pass\nclass C:\n    pass\nwhile True:\n    pass\n"
                     "print('top level')\nN += 1\n")
    kept = _definitions_only(tree)
    assert [type(n).__name__ for n in kept.body] == ["Import", "ImportFrom", "Assign", "AnnAssign", "FunctionDef",
                                                     "AsyncFunctionDef", "ClassDef"]
    namespace: dict = {}
    exec(compile(kept, "<defs>", "exec"), namespace)  # still a valid module
    assert namespace["N"] == 3 and "X" not in namespace and callable(namespace["f"])


def test_each_cell_runs_as_its_mode_says_and_errors_stay_in_their_cell():
    """full runs the cell, defs its definitions only, skip nothing; SystemExit, a syntax error and an
    exception each cost their own cell only, and ``starting`` is told every cell that runs."""
    namespace: dict = {}
    started = []
    report = load(namespace, cells(
        "import sys\nA = 1\nsys.exit(3)\nB = 2",  # SystemExit: A is set, B is not
        "raise ValueError('never run')",  # skipped
        "SCALE = 3\nLOADED = expensive()\ndef triple(x):\n    return x * SCALE\nraise SystemExit('top level ran')",  # defs
        "def broken(x):\n    return x.nope",
        "broken(1)",
        "def oops(:\n    pass",
        "C = A + SCALE",
    ), ["full", "skip", "defs", "full", "full", "full", "full"], started.append)
    assert started == [0, 2, 3, 4, 5, 6]
    assert (namespace["A"], namespace["C"], namespace["triple"](2)) == (1, 4, 6)
    assert "B" not in namespace and "LOADED" not in namespace
    errors = report["errors"]
    assert [(e["cell"], e["type"]) for e in errors] == [("cell 1", "SystemExit"), ("cell 5", "AttributeError"),
                                                       ("cell 6", "SyntaxError")]
    assert errors[0]["line"] == 3
    # The error is placed where it happened, in the earlier cell whose function was called.
    assert (errors[1]["at"], errors[1]["line"]) == ("cell 4", 2)
    assert errors[2]["line"] == 1 and errors[2].get("at") is None


def test_tracebacks_show_the_students_own_lines():
    """A cell's text is registered for the traceback module, so a traceback quotes the student's line."""
    import traceback

    namespace: dict = {}
    load(namespace, cells("def f(x):\n    return x @ W"), ["full"])
    try:
        namespace["f"](1)
    except NameError as exc:
        lines = traceback.format_exception(exc)
    assert any(f'File "{lab.STUDENT_PREFIX} cell 1>", line 2' in line and "return x @ W" in line for line in lines)


# ---- the request loop, in a child process ------------------------------------------------


SERVE = ("import socket, sys\n"
         "from autograder.engine.sandbox.child import serve\n"
         "sock = socket.socket(fileno=int(sys.argv[1]))\n"
         "serve(sock.makefile('rb'), sock.makefile('wb'))\n"
         "print('served', flush=True)\n")


class Child:
    """child.serve in a fresh interpreter, at the other end of a socketpair."""

    def __init__(self):
        ours, theirs = socket.socketpair()
        ours.settimeout(STARTUP_TIMEOUT)  # a hang fails in minutes, not in half an hour
        env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
        env[HELPER_ENV] = default_helper()
        self.proc = subprocess.Popen([sys.executable, "-c", SERVE, str(theirs.fileno())], pass_fds=[theirs.fileno()],
                                     cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        theirs.close()
        self.sock, self.rx, self.tx = ours, ours.makefile("rb"), ours.makefile("wb")

    def ask(self, header: dict, blobs=()) -> tuple[dict, list]:
        write_frame(self.tx, header, blobs)
        return read_frame(self.rx)

    def call(self, fn: str, *args):
        blobs: list = []
        reply, reply_blobs = self.ask({"op": "call", "fn": fn, "args": [encode(a, blobs) for a in args]}, blobs)
        return reply, (decode(reply["value"], reply_blobs) if reply.get("ok") else None)

    def value(self, name: str):
        reply, blobs = self.ask({"op": "value", "name": name})
        return reply, (decode(reply["value"], blobs) if reply.get("ok") else None)

    def finish(self) -> subprocess.CompletedProcess:
        for closer in (self.tx.close, self.rx.close, self.sock.close):
            closer()
        out, err = self.proc.communicate(timeout=PROCESS_TIMEOUT)
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, err)


@pytest.fixture
def child():
    c = Child()
    yield c
    if c.proc.poll() is None:
        c.proc.kill()
        c.proc.wait()


def test_ping_and_an_unknown_op(child):
    """ping says the child's pid; an unknown op is refused in a reply, and the loop goes on."""
    assert child.ask({"op": "ping"}) == ({"ok": True, "pid": child.proc.pid, "blobs": []}, [])
    reply, _ = child.ask({"op": "format_disk"})
    assert reply["ok"] is False and reply["error"] == {"type": "Protocol", "message": "unknown op 'format_disk'"}
    assert child.ask({"op": "ping"})[0]["ok"] is True


def test_load_reports_progress_errors_output_and_the_functions_found(child):
    write_frame(child.tx, {"op": "load", "setup": None, "expect": ["double", "triple", "missing_fn", "ANSWER"],
                           "modes": ["full", "skip", "defs", "full"],
                           "cells": cells("print('hello from cell 1')\nimport numpy as np\ndef double(x):\n"
                                          "    return np.asarray(x) * 2\nANSWER = 0.25",
                                          "raise ValueError('never run')",
                                          "SCALE = 3\ndef triple(x):\n    return x * SCALE\nraise SystemExit('top level ran')",
                                          "get_ipython().system('pip install numpy')\nundefined_name")})
    frames = []
    while True:
        header, _ = read_frame(child.rx)
        frames.append(header)
        if "progress" not in header:
            break
    *progress, report = frames
    assert [p["progress"] for p in progress] == [0, 2, 3]
    assert report["ok"] is True and report["stdout"] == "hello from cell 1\n"
    assert report["functions"] == {"double": True, "triple": True, "missing_fn": False, "ANSWER": False}
    assert [(e["cell"], e["type"]) for e in report["errors"]] == [("cell 4", "NameError")]
    assert report["shell_notes"] == ["!pip install numpy"]  # noted, never run

    reply, value = child.call("double", np.arange(3))
    assert reply["ok"] and isinstance(value, np.ndarray) and value.tolist() == [0, 2, 4]
    assert child.call("triple", 2)[1] == 6
    assert child.value("ANSWER")[1] == 0.25
    missing, _ = child.value("not_there")
    assert missing["ok"] is False and missing["error"]["missing"] is True
    raised, _ = child.call("double", "x")
    assert raised["ok"] is False and raised["error"]["type"].endswith("Error")  # numpy's, whatever its name
    assert raised["error"]["frames"][-1][2] == "return np.asarray(x) * 2"


def test_a_call_that_raises_or_prints_comes_back_as_data(child):
    write_frame(child.tx, {"op": "load", "cells": cells(
        "def noisy(x):\n    print('x is', x)\n    return x + 1\n"
        "def todo(x):\n    raise NotImplementedError()\n"
        "def bad(x):\n    return {}[x]"), "expect": []})
    assert read_frame(child.rx)[0] == {"progress": 0, "blobs": []}
    assert read_frame(child.rx)[0]["errors"] == []
    reply, value = child.call("noisy", 41)
    assert value == 42 and reply["stdout"] == "x is 41\n"
    todo, _ = child.call("todo", 1)
    assert todo["ok"] is False and todo["error"]["not_implemented"] is True
    bad, _ = child.call("bad", "k")
    assert bad["error"]["type"] == "KeyError" and bad["error"]["frames"][-1][1] == 7  # the student's line


def test_the_graded_setup_is_what_the_submission_sees(child):
    """A load's ``setup`` is what the helper's variant() returns, whatever the notebook's SETUP says."""
    write_frame(child.tx, {"op": "load", "setup": {"seed": 11, "week": 5, "student_id": ""},
                           "cells": cells("import initlab_lab\nV = initlab_lab.variant({}, '')\nWEEK, SEED = V.week, V.seed")})
    while "progress" in read_frame(child.rx)[0]:
        pass
    assert (child.value("WEEK")[1], child.value("SEED")[1]) == (5, 11)


@pytest.mark.parametrize("how", ["bye", "eof"])
def test_bye_or_a_closed_channel_ends_the_loop(child, how):
    if how == "bye":
        write_frame(child.tx, {"op": "bye"})
    done = child.finish()
    assert done.returncode == 0 and done.stdout == "served\n", done.stderr


def test_stdio_main_keeps_the_protocol_clear_of_what_the_student_writes():
    """Spawned (stdio_main), the frames travel on the original stdin/stdout: a submission writing to fd 1
    and printing lands elsewhere, and the first frame says hello with the pid."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), MPLBACKEND="Agg")
    env[HELPER_ENV] = default_helper()
    proc = subprocess.Popen([sys.executable, "-c", "from autograder.engine.sandbox.child import stdio_main; stdio_main()"],
                            cwd=ROOT, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    try:
        hello, _ = read_frame(proc.stdout)
        assert hello == {"ok": True, "pid": proc.pid, "applied": {}, "blobs": []}
        write_frame(proc.stdin, {"op": "load", "cells": cells(
            "import os\nos.write(1, b'garbage on fd 1')\ndef f(x):\n    os.write(1, b'more garbage')\n"
            "    print('printed')\n    return x * 2")})
        assert read_frame(proc.stdout)[0]["progress"] == 0
        assert read_frame(proc.stdout)[0]["errors"] == []
        blobs: list = []
        write_frame(proc.stdin, {"op": "call", "fn": "f", "args": [encode(21, blobs)]}, blobs)
        reply, reply_blobs = read_frame(proc.stdout)
        assert decode(reply["value"], reply_blobs) == 42 and reply["stdout"] == "printed\n"
        write_frame(proc.stdin, {"op": "bye"})
        assert proc.wait(timeout=PROCESS_TIMEOUT) == 0
        assert proc.stdout.read() == b""  # nothing after the frames
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
