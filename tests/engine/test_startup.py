"""engine/startup.py: the kit's shortcuts into other packages and the process, and the switch that ends them."""
from __future__ import annotations

import os
import subprocess
import sys

from autograder.engine import startup
from tests.conftest import ROOT

PROBE = ("import sys; import autograder.engine.export.nbgrader_db, nbgrader.api; "
         "print('jupyter_server' in sys.modules, sys.modules['nbgrader'].__version__)")


def _run(code: str, switch: bool) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop(startup.SWITCH, None)
    if switch:
        env[startup.SWITCH] = "1"
    return subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)


def test_the_nbgrader_shortcut_assumes_the_installed_series_and_changes_nothing_visible():
    """Is the installed nbgrader one the shortcut knows, does the shortcut keep nbgrader's server side
    out of a gradebook's process, and does the switch bring it back (same version seen either way)?"""
    assert startup.nbgrader_assumed()
    short, plain = _run(PROBE, switch=False), _run(PROBE, switch=True)
    assert short.returncode == 0 and plain.returncode == 0, short.stderr + plain.stderr
    assert short.stdout.split()[0] == "False" and plain.stdout.split()[0] == "True"
    assert short.stdout.split()[1] == plain.stdout.split()[1]


def test_an_nbgrader_of_another_series_gets_no_shortcut(monkeypatch):
    monkeypatch.setattr(startup.metadata, "version", lambda name: "0.11.0")
    assert not startup.nbgrader_assumed()
    monkeypatch.setattr(startup.metadata, "version", lambda name: "0.9.6")
    assert startup.nbgrader_assumed()


def test_leave_skips_teardown_only_without_the_switch():
    code = ("import atexit; atexit.register(lambda: print('torn down')); "
            "from autograder.engine.startup import leave; print('done', flush=True); leave(3)")
    short, plain = _run(code, switch=False), _run(code, switch=True)
    assert (short.returncode, plain.returncode) == (3, 3)
    assert short.stdout.split() == ["done"] and plain.stdout.split() == ["done", "torn", "down"]


def test_the_switch_stops_forked_writers(monkeypatch):
    monkeypatch.delenv(startup.SWITCH, raising=False)
    assert startup.forked_writers() == (hasattr(os, "fork") and __import__("threading").active_count() == 1)
    monkeypatch.setenv(startup.SWITCH, "1")
    assert not startup.forked_writers()
