"""Does nothing a submission sends, names or leaves behind stop the class, reach the next student or touch the host?

A class is graded by the real ``initlab grade`` with one judge (so every child runs after the one
before it, in the same jail): honest students, LEAVER/LOOKER pairs (tests/engine/sandbox/seams.py), and
files hostile to the steps around the jail.  As the user running the tests and, when that is root,
as an ordinary uid.  Afterwards: every submission has a row; honest students and lookers have full
marks (a looker breaks its own sigmoid if it finds anything a leaver left); no leaver held memory
outside its limit; the host's device nodes, /tmp, /dev/shm and System V IPC are as they were; no
cell of grades.csv starts a formula.  How long the hostile files cost is a benchmark's question
(benchmarks/hostile_class.py), not a timed assertion here: the tests share the machine.
"""
from __future__ import annotations

import csv
import json
import os
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_PY, ROOT, total_points
from tests.engine.export.lms_rules import formula_cells
from tests.engine.sandbox import seams
from tests.engine.sandbox.test_hostile import ORDINARY_UID, as_an_ordinary_user, as_ordinary_user, ordinary_folder

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

HONEST = 24


def _device_state() -> dict:
    """What a submission must not change of the host's device nodes (ctime moves with any change)."""
    state = {}
    for dev in seams.DEVICES:
        try:
            st = os.stat(dev)
        except OSError:
            continue
        state[dev] = (st.st_mode, st.st_uid, st.st_gid, st.st_ctime_ns)
    return state


def _host_ipc() -> set[str]:
    """The host's System V objects whose key a leaver uses."""
    keys = {f"{k:>10}" for k in seams.SHM_KEYS}
    found = set()
    for table in ("/proc/sysvipc/shm", "/proc/sysvipc/msg", "/proc/sysvipc/sem"):
        try:
            lines = Path(table).read_text().splitlines()[1:]
        except OSError:
            continue
        found |= {f"{table}: {line.split()[0]}" for line in lines if line.split() and line.split()[0] in keys}
    return found


def _host_leftovers() -> set[str]:
    return {os.path.join(d, n) for d in ("/tmp", "/dev/shm", "/var/tmp") if os.path.isdir(d)
            for n in os.listdir(d) if n.startswith(seams.MARK)}


def write_class(base: Path, hostile: bool) -> tuple[Path, dict[str, str]]:
    """The class folder, and which student id is which kind (honest students' ids sort first)."""
    subs = base / ("hostile" if hostile else "clean")
    reference = REFERENCE_PY.read_text(encoding="utf-8")
    kinds: dict[str, str] = {}

    def put(sid: str, kind: str, name: str, data: str | bytes) -> None:
        folder = subs / sid
        folder.mkdir(parents=True)
        (folder / name).write_bytes(data.encode() if isinstance(data, str) else data)
        kinds[sid] = kind

    for i in range(HONEST):
        put(f"2026{i:06d}", "honest", "weight_init.py", reference)
    if hostile:
        for i in range(3):  # leaver, then looker, in id order: one judge runs them one after the other
            put(f"5500{2 * i:04d}", "leaver", "weight_init.py", seams.leaver(reference))
            put(f"5500{2 * i + 1:04d}", "looker", "weight_init.py", seams.looker(reference))
        put("56000001", "shell_lines", "weight_init.ipynb", seams.shell_lines(reference))
        put("56000002", "huge_declaration", "weight_init.ipynb", seams.huge_declaration(reference))
        put("56000003", "setup_bomb", "weight_init.py", seams.setup_bomb(reference))
        put("56000004", "setup_types", "weight_init.py", seams.setup_of_wrong_types(reference))
        put("56000005", "cp949_file", "weight_init.py", reference)
        (subs / "56000005" / os.fsdecode(seams.CP949_NAME + b".py")).write_bytes(b"# another file\n")
        cp949 = subs / os.fsdecode(seams.CP949_NAME)
        cp949.mkdir()
        (cp949 / "weight_init.py").write_text(reference, encoding="utf-8")
        kinds["홍길동"] = "cp949_folder"
        put(seams.FORMULA_FOLDER, "formula_name", "weight_init.py", reference)
        kinds["9001"] = kinds.pop(seams.FORMULA_FOLDER)
    return subs, kinds


def grade(subs: Path, out: Path, ordinary: bool) -> float:
    """Seconds the real ``initlab grade`` took on ``subs`` with one judge."""
    argv = [sys.executable, "-m", "autograder.engine.cli", "grade", str(subs), "--out", str(out), "--jobs", "1",
            "--timeout", "5", "--budget", "20", "--lang", "en", "--show", "0"]
    if ordinary:
        for path in [subs.parent, *subs.parent.rglob("*")]:
            os.chown(path, ORDINARY_UID, ORDINARY_UID, follow_symlinks=False)
        keep = [Path(sys.base_prefix).resolve(), Path(sys.executable).parent.resolve(), ROOT, subs.parent.parent]
        argv = as_ordinary_user(argv, keep)
    started = time.monotonic()
    import subprocess

    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, cwd=subs.parent,
                          env=dict(os.environ, HOME=str(subs.parent)))
    assert done.returncode == 0, done.stderr[-3000:]
    assert "jail: on" in done.stdout
    return time.monotonic() - started


def run_seams(base: Path, ordinary: bool) -> None:
    devices, ipc, leftovers = _device_state(), _host_ipc(), _host_leftovers()
    hostile, kinds = write_class(base, hostile=True)
    grade(hostile, base / "out-hostile", ordinary)
    out = base / "out-hostile"

    # Nothing of the host changed, and nothing was left on it.
    assert _device_state() == devices
    assert _host_ipc() == ipc
    assert _host_leftovers() == leftovers

    # Every submission has a row; honest students and the lookers after each leaver have full marks.
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as fh:
        table = list(csv.reader(fh))
    rows = {r[0]: dict(zip(table[0], r)) for r in table[1:]}
    assert set(rows) == set(kinds), (set(rows) ^ set(kinds))
    full = total_points()
    for sid, kind in kinds.items():
        if kind in ("honest", "looker", "cp949_file", "cp949_folder", "formula_name", "setup_bomb", "setup_types"):
            assert float(rows[sid]["score"]) == full, (kind, rows[sid]["status"], rows[sid]["score"])
        if kind == "leaver":  # its relu is right only if it held nothing outside its memory limit
            results = json.loads((out / sid / "results.json").read_text(encoding="utf-8"))
            relu = [t for t in results["tests"] if t["name"].startswith("relu:")]
            assert relu and all(t["score"] == t["max_score"] for t in relu), relu
    # Hostile bytes cost their own row a flag, never the batch.
    assert rows["56000001"]["status"] == "graded"
    assert "too large to read" in rows["56000002"]["setup"]
    for sid in ("56000003", "56000004"):
        assert rows[sid]["setup"] not in ("", "ok"), rows[sid]
    assert "홍길동.py" in (out / "56000005" / "feedback.html").read_text(encoding="utf-8")
    assert rows["9001"]["name"].startswith("'=HYPERLINK"), rows["9001"]["name"]
    assert formula_cells(table) == []


def test_nothing_a_submission_leaves_reaches_the_next_or_the_host(tmp_path):
    """As the user running the tests (root in CI)."""
    run_seams(tmp_path, ordinary=False)


@as_an_ordinary_user
def test_nothing_a_submission_leaves_reaches_the_next_or_the_host_as_an_ordinary_user(tmp_path):
    """As an ordinary uid, when the tests run as root (CI does)."""
    run_seams(ordinary_folder(tmp_path), ordinary=True)


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="the host's root only")
def test_doctor_would_see_a_jail_that_runs_as_the_hosts_root(monkeypatch):
    """Do the doctor's two root lines fail for a jail started as root without a uid of its own (as the
    jail was before), so they are worth their place?  (Here, beside the test above: its chmod of the
    host's /dev/null, allowed to such a jail, moves that node's ctime, which the test above watches.)"""
    from autograder.engine.sandbox import launchers

    monkeypatch.setattr(launchers, "jail_uid", lambda index=0: None)
    from autograder.engine.sandbox import doctor

    held = dict(doctor.self_test())
    assert held["is not the host's root (owns none of its system files)"] is False
    assert held["cannot change the host's device nodes"] is False
