"""The sandbox under hostile submissions: limits hold, failures stay local, only data returns."""
from __future__ import annotations

import os
import socket
import subprocess
import textwrap

import numpy as np
import pytest

from autograder.engine.sandbox.limits import Limits
from autograder.engine.sandbox.launchers import SpawnLauncher, ZygoteLauncher
from autograder.engine.sandbox.runner import Crashed, MissingFunction, NotAttempted, Sandbox, StudentRaised, TimedOut
from autograder.helper.wire import Unsupported
from tests.conftest import wait_until
from tests.kernels import PROCESS_TIMEOUT

pytestmark = pytest.mark.sandbox
IS_ROOT = hasattr(os, "getuid") and os.getuid() == 0
# A hang costs the whole call timeout, so it stays short; no test here waits out the load timeout,
# so it is generous (a busy machine may take seconds to start a child).
FAST = Limits(call_timeout_s=1.5, load_timeout_s=60.0, memory_mb=512)
EXPECT = ["good", "bad", "sigmoid", "relu"]


@pytest.fixture(scope="module", params=["zygote", "spawn"])
def launcher(request):
    launcher = ZygoteLauncher(1 << 28) if request.param == "zygote" else SpawnLauncher(1 << 28)
    launcher.start()
    yield launcher
    launcher.close()


def process_gone(pid: int) -> bool:
    """Is process ``pid`` dead: no longer in /proc, or a zombie its parent has not reaped yet?"""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except (FileNotFoundError, ProcessLookupError):
        return True


def live_processes_of(uid: int) -> int:
    """How many processes of ``uid`` are alive (zombies not counted): what kill_uid would kill, without killing."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/status") as fh:
                fields = dict(line.split(":", 1) for line in fh.read().splitlines() if ":" in line)
        except OSError:
            continue
        if fields.get("Uid", "").split()[:1] == [str(uid)] and fields.get("State", "").split()[:1] != ["Z"]:
            count += 1
    return count


def sandbox(launcher, source: str, limits: Limits = FAST, cells: list[str] | None = None) -> Sandbox:
    cells = cells or [source]
    return Sandbox([{"source": textwrap.dedent(c), "name": f"cell {i}"} for i, c in enumerate(cells, 1)],
                   EXPECT, limits, launcher)


GOOD = "import numpy as np\ndef good(x):\n    return np.asarray(x) * 2\n"


def test_a_hang_costs_only_that_call(launcher):
    """Is an infinite loop cut off at the call timeout, and does the next call run in a fresh child?"""
    with sandbox(launcher, GOOD + "def bad(x):\n    while True:\n        pass\n") as sb:
        with pytest.raises(TimedOut) as hung:
            sb.call("bad", 1)
        # The judge stopped waiting at the call's own limit (not the far longer load timeout); a
        # stopwatch would also count starting the child, which a busy machine makes slow.
        assert hung.value.info["seconds"] == FAST.call_timeout_s and hung.value.info["fn"] == "bad"
        np.testing.assert_array_equal(sb.call("good", np.arange(3)).value, [0, 2, 4])
        assert sb.restarts == 1


def test_a_signal_handler_cannot_outlive_the_timeout(launcher):
    """Is the child killed with SIGKILL, whatever it does with SIGTERM/SIGINT?"""
    src = GOOD + textwrap.dedent("""
        import signal
        def bad(x):
            for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
                signal.signal(s, signal.SIG_IGN)
            while True:
                pass
    """)
    with sandbox(launcher, src) as sb:
        with pytest.raises(TimedOut):
            sb.call("bad", 1)
        assert sb.call("good", 2).value == 4


@pytest.mark.parametrize("body", ["os._exit(0)", "os.kill(os.getpid(), 9)", "sys.exit(0)", "raise SystemExit(3)"])
def test_exiting_costs_only_that_call(launcher, body):
    """Do os._exit, a self-kill and sys.exit give a failure for that call, never a pass?"""
    with sandbox(launcher, GOOD + f"import os, sys\ndef bad(x):\n    {body}\n") as sb:
        with pytest.raises((Crashed, StudentRaised)):
            sb.call("bad", 1)
        assert sb.call("good", 1).value == 2


def test_memory_is_limited(launcher):
    """Does a huge allocation fail inside the child instead of exhausting the machine?"""
    with sandbox(launcher, GOOD + "import numpy as np\ndef bad(x):\n    return np.ones((1 << 31,)).sum()\n") as sb:
        with pytest.raises((StudentRaised, Crashed)) as info:
            sb.call("bad", 1)
        if isinstance(info.value, StudentRaised):
            assert info.value.info["type"] in ("MemoryError", "_ArrayMemoryError")
        assert sb.call("good", 1).value == 2


def test_file_size_is_limited(launcher):
    """Is a file larger than the limit refused (EFBIG) inside the child?"""
    src = GOOD + "def bad(x):\n    with open('big.bin', 'wb') as fh:\n        fh.write(b'0' * (40 << 20))\n    return 1\n"
    with sandbox(launcher, src, Limits(call_timeout_s=5, max_file_mb=8)) as sb:
        with pytest.raises((StudentRaised, Crashed)):
            sb.call("bad", 1)


def test_output_is_captured_and_capped(launcher):
    """Is printed output kept up to the cap and never mixed into the protocol?"""
    src = GOOD + "import os\ndef bad(x):\n    print('x' * 10_000_000)\n    os.write(1, b'garbage on fd 1')\n    return 5.0\n"
    with sandbox(launcher, src) as sb:
        reply = sb.call("bad", 1)
        assert reply.value == 5.0
        assert len(reply.stdout) < 20_000 and "more characters not kept" in reply.stdout


def test_type_confusion_returns_as_unsupported(launcher):
    """Does an object that fakes equality come back as 'unsupported', not as a number?"""
    src = GOOD + textwrap.dedent("""
        class Liar(float):
            def __eq__(self, other): return True
            def __array__(self, *a, **k): raise RuntimeError
        def bad(x):
            return Liar(0.5)
    """)
    with sandbox(launcher, src) as sb:
        assert isinstance(sb.call("bad", 1).value, Unsupported)


def test_atexit_hooks_never_run(launcher, tmp_path):
    """Are atexit handlers of the submission skipped when the child ends?"""
    flag = tmp_path / "atexit-ran"
    os.chmod(tmp_path, 0o777)
    src = GOOD + f"import atexit\natexit.register(lambda: open({str(flag)!r}, 'w').write('x'))\n"
    sb = sandbox(launcher, src)
    assert sb.call("good", 1).value == 2
    pid = sb.child.pid
    sb.close()
    assert wait_until(lambda: process_gone(pid))  # the child ended: any atexit hook would have run by now
    assert not flag.exists()


def test_stub_missing_and_raising_functions_are_told_apart(launcher):
    """Are NotImplementedError, a missing function and another exception three different failures?"""
    src = "def sigmoid(x):\n    raise NotImplementedError()\ndef relu(x):\n    return x.nope\n"
    with sandbox(launcher, src) as sb:
        with pytest.raises(NotAttempted):
            sb.call("sigmoid", 1.0)
        with pytest.raises(MissingFunction):
            sb.call("good", 1.0)
        with pytest.raises(StudentRaised) as info:
            sb.call("relu", 1.0)
        assert info.value.info["type"] == "AttributeError"
        assert info.value.info["frames"][-1][1] == 4  # the student's line, not the grader's


def test_a_broken_cell_does_not_hide_the_others(launcher):
    """Does an error (even SystemExit) in one notebook cell leave later cells running?"""
    cells = ["import sys\nsys.exit(1)\n", "x = 1/0\n", GOOD]
    with sandbox(launcher, "", cells=cells) as sb:
        report = sb.load()
        assert report.functions["good"] is True
        assert [e["type"] for e in report.errors] == ["SystemExit", "ZeroDivisionError"]


def test_a_hanging_top_level_falls_back_to_definitions(launcher):
    """If a cell's top level never ends, are its functions still graded (that cell's definitions only)?"""
    src = GOOD + "while True:\n    pass\n"
    with sandbox(launcher, src, Limits(call_timeout_s=1.5, load_timeout_s=1.5)) as sb:
        report = sb.load()
        assert report.mode == "cells" and report.problem == "timeout"
        assert [e["type"] for e in report.errors] == ["Timeout"]
        assert sb.call("good", 3).value == 6


@pytest.mark.parametrize("bad", ["while True:\n    pass\n", "import os\nos._exit(3)\n"], ids=["hangs", "exits"])
def test_cells_after_one_that_hangs_or_crashes_still_run_with_what_came_before(launcher, bad):
    """Does a cell that never ends (or ends the process) cost that cell only: the cells before it keep
    their state, the ones after it run, and a call that kills the child later is replayed the same way?"""
    cells = ["import numpy as np\nscale = 2.0\n", bad, "def good(x):\n    return x * scale\nanswer_after = 7.0\n"]
    with sandbox(launcher, "", Limits(call_timeout_s=1.5, load_timeout_s=1.5), cells=cells) as sb:
        report = sb.load()
        assert report.mode == "cells"
        assert [(e["cell"], e["type"]) for e in report.errors] == [("cell 2", "Timeout" if "while" in bad else "Crashed")]
        assert sb.call("good", 3).value == 6.0 and sb.value("answer_after").value == 7.0


def test_the_child_works_in_an_empty_private_directory(launcher):
    """Does student code start in an empty temporary directory, not the judge's?"""
    src = GOOD + "import os\ndef bad(x):\n    return [float(len(os.listdir('.'))), float(os.getcwd() == %r)]\n" % os.getcwd()
    with sandbox(launcher, src) as sb:
        assert sb.call("bad", 0).value == [0.0, 0.0]


@pytest.mark.skipif(not IS_ROOT, reason="network namespaces, cgroups and a sandbox uid need root")
@pytest.mark.parametrize("uid", [None, 61_999], ids=["cgroup", "sandbox-uid"])
def test_no_network_and_no_escape_as_root(uid):
    """As root: is the child cut off from the judge's loopback, and are its stray processes killed?"""
    launcher = ZygoteLauncher(1 << 28)
    launcher.start()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    src = GOOD + textwrap.dedent(f"""
        import socket, subprocess
        def bad(x):
            try:
                socket.create_connection(("127.0.0.1", {port}), timeout=1).close()
                return 1.0
            except OSError:
                return 0.0
        def relu(x):
            p = subprocess.Popen(["sleep", "300"], start_new_session=True)
            return float(p.pid)
    """)
    limits = Limits(call_timeout_s=3, sandbox_uid=uid)
    try:
        sb = sandbox(launcher, src, limits)
        assert sb.call("bad", 0).value == 0.0
        pid = int(sb.call("relu", 0).value)
        sb.close()
        assert wait_until(lambda: process_gone(pid))
    finally:
        server.close()
        launcher.close()


@pytest.mark.skipif(not IS_ROOT, reason="process limits as root need a sandbox uid or a pids cgroup")
@pytest.mark.parametrize("uid", [None, 61_998], ids=["cgroup", "sandbox-uid"])
def test_a_fork_bomb_is_contained(uid):
    """As root with a sandbox uid: does a fork bomb hit the process limit and get killed with its group?"""
    launcher = ZygoteLauncher(1 << 28)
    launcher.start()
    src = GOOD + "import os, time\ndef bad(x):\n    while True:\n        try:\n            os.fork()\n        except OSError:\n            time.sleep(0.01)\n"
    try:
        with sandbox(launcher, src, Limits(call_timeout_s=2, sandbox_uid=uid, max_processes=8)) as sb:
            sb.load()
            children = [sb.child.pid]
            with pytest.raises((TimedOut, Crashed)):
                sb.call("bad", 0)
            assert sb.call("good", 1).value == 2
            children.append(sb.child.pid)
        from autograder.engine.sandbox.limits import cgroup_path, kill_uid
        if uid is not None:
            assert wait_until(lambda: live_processes_of(uid) == 0)
            assert kill_uid(uid) == 0
        # Every child's cgroup is gone with it.  (Only this test's: another run on the machine may
        # have cgroups of its own there at the same time.)
        paths = [p for p in map(cgroup_path, children) if p is not None]
        assert wait_until(lambda: not any(os.path.exists(p) for p in paths)), [p for p in paths if os.path.exists(p)]
    finally:
        launcher.close()


def test_a_non_root_judge_bounds_the_processes_of_its_children():
    """Without root, is RLIMIT_NPROC set to what the user runs now plus max_processes?"""
    import subprocess
    import sys

    if not IS_ROOT:
        pytest.skip("needs root to become an unprivileged user for the test")
    # Import first, then drop to nobody: the interpreter may live where nobody cannot read.
    script = (
        "import os, resource, tempfile\n"
        "from autograder.engine.sandbox.limits import Limits, apply_in_child, processes_of\n"
        "os.setgid(65534); os.setuid(65534)\n"
        "applied = apply_in_child(Limits(max_processes=7, isolate_network=False), tempfile.gettempdir())\n"
        "print(resource.getrlimit(resource.RLIMIT_NPROC)[0], applied['max_processes'], processes_of(os.getuid()))\n"
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
    assert out.returncode == 0, out.stderr
    soft, applied, running = map(int, out.stdout.split())
    assert soft == applied and 7 <= applied <= running + 7


def test_prebuilt_lecture_inputs_are_the_drawn_ones_and_each_caller_gets_its_own_copy():
    """Are the inputs the zygote draws once the very arrays the checks would draw, handed out as copies
    (so a submission that writes into them changes nothing for the next), and inputs only?"""
    from tests.conftest import lab
    from autograder.engine.config import Variant

    cases = lab.lecture_seeds(Variant())
    lab.prebuild(cases)
    try:
        assert {key[0] for key in lab.PREBUILT} == {"normal", "table"}  # no right answer is kept
        for case, seed in cases:
            x_spec, init_spec, _ = lab.lecture_specs(case, seed)
            x = x_spec.build()
            np.testing.assert_array_equal(x, np.random.default_rng(x_spec.seed).standard_normal(x_spec.shape))
            x *= 0.0  # a submission writing into its input
            assert np.any(x_spec.build() != 0.0) and x_spec.build().flags.writeable
            params = init_spec.params
            w = lab.TableInit.matrix(params["seed"], 2, lab.LECTURE_NODES, lab.LECTURE_NODES, params.get("std"),
                                     params.get("gain"))
            scale = params["std"] if params.get("std") is not None else np.sqrt(params["gain"] / lab.LECTURE_NODES)
            drawn = np.random.default_rng([params["seed"], 2, lab.LECTURE_NODES, lab.LECTURE_NODES]).standard_normal(
                (lab.LECTURE_NODES, lab.LECTURE_NODES)) * scale
            np.testing.assert_array_equal(w, drawn)
    finally:
        lab.PREBUILT.clear()


@pytest.mark.sandbox
def test_a_submission_that_writes_into_its_lecture_input_changes_nothing_for_the_next():
    """In a jail whose zygote prebuilt the lecture inputs, does a probe that zeroes its x in place leave
    the next submission's x (and so its full marks on the lecture checks) untouched?"""
    from autograder.lectures.weight_init.instructor.samples import reference_source
    from autograder.engine.steps.load import load_python
    from autograder.engine.steps.run_checks import grade_sources

    ref = reference_source()
    vandal = ref + "\n\n_probe = activation_probe\n\ndef activation_probe(x, *rest):\n    out = _probe(x, *rest)\n" \
                   "    x *= 0.0\n    return out\n"
    results = grade_sources({"a-vandal": load_python(vandal.encode(), "weight_init.py"),
                             "b-reference": load_python(ref.encode(), "weight_init.py")},
                            limits=Limits(call_timeout_s=20))
    for key in ("a-vandal", "b-reference"):
        lecture = [r for r in results[key] if r.check_id.startswith("check_activation_probe_lecture_stats")]
        assert len(lecture) == 5 and all(r.passed for r in lecture), (key, [r.status for r in lecture])


@pytest.mark.sandbox
def test_a_submission_that_draws_with_pyplot_at_top_level_still_gets_its_points():
    """The jail's zygote binds pyplot without loading it (most notebooks only import it): does a file that
    really draws at top level load pyplot in its own child and lose nothing?"""
    from autograder.lectures.weight_init.instructor.samples import reference_source
    from autograder.engine.steps.load import load_python
    from autograder.engine.steps.run_checks import grade_sources

    drawing = ("import matplotlib.pyplot as plt\nfig, ax = plt.subplots()\nax.hist([0.1, 0.2, 0.2], 3)\n"
               "DRAWN = len(ax.patches)\nplt.close(fig)\n\n") + reference_source()
    reports: dict = {}
    results = grade_sources({"drawing": load_python(drawing.encode(), "weight_init.py")},
                            limits=Limits(call_timeout_s=20), load_reports=reports)
    assert all(r.passed for r in results["drawing"]), [r.check_id for r in results["drawing"] if not r.passed]
    assert not reports["drawing"].errors


@pytest.mark.sandbox
def test_importing_pyplot_without_drawing_does_not_load_it_in_the_child():
    """A notebook's first cell imports pyplot; under grading nothing draws. Does that import leave pyplot
    unloaded in a jailed child (loading it there cost 0.2 s a notebook), while a name of it still works?"""
    from autograder.engine.sandbox.launchers import default_launcher
    from autograder.engine.sandbox.runner import Sandbox

    source = ("import sys\nimport matplotlib.pyplot as plt\nfrom matplotlib import pyplot\n"
              "LOADED_AFTER_IMPORT = 'matplotlib.figure' in sys.modules\nHAS_FIGURE = callable(plt.figure)\n"
              "LOADED_AFTER_USE = 'matplotlib.figure' in sys.modules\n")
    launcher = default_launcher(Limits())
    launcher.start()
    try:
        with Sandbox([{"source": source, "name": "imports"}], [], Limits(), launcher, setup={}) as sandbox:
            sandbox.load()
            assert sandbox.value("LOADED_AFTER_IMPORT").value is False
            assert sandbox.value("HAS_FIGURE").value is True and sandbox.value("LOADED_AFTER_USE").value is True
    finally:
        launcher.close()


def test_a_tree_too_deep_for_a_recursive_delete_is_still_removed(tmp_path):
    """Unconfined, a child's folder is deleted by the judge: does a 1,500-deep tree of read-only
    folders (past Python's recursion limit) go, without an error escaping?"""
    from autograder.engine.sandbox.limits import remove_tree

    root = tmp_path / "child"
    root.mkdir()
    back = os.getcwd()
    os.chdir(root)  # relative steps: the full path is longer than PATH_MAX
    try:
        for _ in range(1500):
            os.mkdir("d")
            os.chdir("d")
    finally:
        os.chdir(back)
    os.chmod(root / "d", 0o500)
    os.chmod(root / "d" / "d", 0o500)
    try:
        remove_tree(str(root))
        assert not root.exists()
    finally:  # pytest's own clean-up of old temporary folders recurses: never leave it this tree
        subprocess.run(["sh", "-c", f"chmod -R u+rwx {root} 2>/dev/null; rm -rf {root}"], check=False)
