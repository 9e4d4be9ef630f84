"""Does a hostile submission change nothing but its own score?

A class of honest and hostile submissions (tests/engine/sandbox/hostile.py: one per kind of attack)
is graded by the real ``initlab grade`` in a subprocess: as the user running the tests, and, when
that is root, once more as an ordinary uid (in a mount namespace where the interpreter's home is
reachable, as it would be for an instructor's own account).  Afterwards: the submissions, the
kit, site-packages, the course folder and a canary in the instructor's tree are unchanged; the
canary's text is in no report; no process of any submission is alive; the local port the test
listens on saw no connection; honest students have full marks; every student has a row.
"""
from __future__ import annotations

import csv
import hashlib
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import sysconfig
import threading
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_PY, ROOT, total_points
from tests.engine.sandbox import hostile

pytestmark = [pytest.mark.sandbox, pytest.mark.slow]

HONEST = ("2026000001", "2026000002")
ORDINARY_UID = 64999  # an unprivileged uid with no account: the jail needs nothing from /etc/passwd


def tree_digest(root: Path) -> str:
    """Names, modes and bytes of every file under ``root`` (bytecode caches left out)."""
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        if "__pycache__" in path.parts or path.is_symlink():
            continue
        digest.update(str(path.relative_to(root)).encode())
        digest.update(oct(path.stat().st_mode).encode())
        if path.is_file():
            digest.update(path.read_bytes())
    return digest.hexdigest()


def graded_processes(tag: str) -> list[int]:
    """Host pids of processes that ran student code for the grading run ``tag`` (their environment
    says INITLAB_GRADING=1 and the run's tag: another run on the machine is not this test's)."""
    found = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/environ", "rb") as fh:
                environ = fh.read().split(b"\0")
        except (OSError, ValueError):
            continue
        if b"INITLAB_GRADING=1" in environ and f"INITLAB_RUN_TAG={tag}".encode() in environ:
            found.append(int(entry))
    return found


class Listener:
    """A local TCP port that counts the connections it accepts."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.port = self.sock.getsockname()[1]
        self.connections = 0
        self._stop = False
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self):
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
                self.connections += 1
                conn.close()
            except OSError:
                continue

    def close(self):
        self._stop = True
        self._thread.join()
        self.sock.close()


def make_class(base: Path, listener: Listener, canary: str) -> dict:
    """The instructor's tree: a class folder, a course folder with a canary, and OUT's parent."""
    home = base / "instructor"
    subs, course, out = home / "class", home / "course", home / "graded"
    course.mkdir(parents=True)
    canary_file = home / "secret.txt"
    canary_file.write_text(canary)
    (course / "gradebook.db").write_text(canary)
    paths = dict(kit=str(ROOT), submissions=str(subs), out=str(out), site=sysconfig.get_paths()["purelib"],
                 canary_file=str(canary_file), course=str(course), marker=str(base / "daemon-was-here"),
                 port=listener.port)
    for sid in HONEST:
        (subs / sid).mkdir(parents=True)
        shutil.copy(REFERENCE_PY, subs / sid / "weight_init.py")
    ids = {}
    for i, name in enumerate(hostile.ATTACKS):
        ids[name] = f"66{i:06d}"
        (subs / ids[name]).mkdir()
        (subs / ids[name] / "weight_init.py").write_text(hostile.render(name, **paths), encoding="utf-8")
    for i, (name, data) in enumerate(hostile.MALFORMED_NOTEBOOKS.items()):
        ids[name] = f"77{i:06d}"
        (subs / ids[name]).mkdir()
        (subs / ids[name] / "weight_init.ipynb").write_bytes(data)
    return {"home": home, "subs": subs, "course": course, "out": out, "canary_file": canary_file,
            "marker": base / "daemon-was-here", "ids": ids}


def _unreachable_ancestor(path: Path) -> Path | None:
    """The highest folder above ``path`` that others may not enter (e.g. /root, 0700), if any."""
    for parent in reversed(path.parents):
        if parent != Path("/") and not os.stat(parent).st_mode & 0o001:
            return parent
    return None


def as_ordinary_user(argv: list[str], keep: list[Path]) -> list[str]:
    """``argv`` run as ORDINARY_UID, in a mount namespace where every path in ``keep`` is reachable.

    A folder that others may not enter (root's home holds this machine's Python) is covered by a
    world-readable tmpfs into which the kept paths are bound back: what an instructor who installed
    Python in their own home sees.
    """
    script = ["set -e", "mount --make-rprivate /"]
    blocked = {a for a in (_unreachable_ancestor(p) for p in keep) if a is not None}
    stash = Path(f"/tmp/initlab-keep-{secrets.token_hex(4)}")  # mount points only, removed once moved
    for i, path in enumerate(keep):
        if any(b == path or b in path.parents for b in blocked):
            script += [f"mkdir -p {stash}/{i}", f"mount --bind {path} {stash}/{i}"]
    for b in blocked:
        script.append(f"mount -t tmpfs -o mode=0755 tmpfs {b}")
    for i, path in enumerate(keep):
        if any(b == path or b in path.parents for b in blocked):
            script += [f"mkdir -p {path}", f"mount --move {stash}/{i} {path}"]
    script.append(f"rm -rf {stash}")
    script.append(f"exec setpriv --reuid={ORDINARY_UID} --regid={ORDINARY_UID} --clear-groups "
                  f"--inh-caps=-all --bounding-set=-all " + " ".join(f"'{a}'" for a in argv))
    return ["unshare", "--mount", "sh", "-c", "\n".join(script)]


def grade(tree: dict, env: dict, ordinary: bool) -> subprocess.CompletedProcess:
    argv = [sys.executable, "-m", "autograder.engine.cli", "grade", str(tree["subs"]), "--out", str(tree["out"]),
            "--timeout", "2", "--budget", "6", "--jobs", "2", "--lang", "en", "--show", "0"]
    if ordinary:
        for path in [tree["home"], *tree["home"].rglob("*")]:
            os.chown(path, ORDINARY_UID, ORDINARY_UID)
        os.chmod(tree["canary_file"], 0o600)
        keep = [Path(sys.base_prefix).resolve(), Path(sys.executable).parent.resolve(), ROOT, tree["home"].parent]
        argv = as_ordinary_user(argv, keep)
    return subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, cwd=tree["home"])


def run_hostile_class(base: Path, ordinary: bool) -> None:
    canary = f"CANARY-{secrets.token_hex(8)}"
    listener = Listener()
    try:
        tree = make_class(base, listener, canary)
        site = Path(sysconfig.get_paths()["purelib"])
        before = {"submissions": tree_digest(tree["subs"]), "kit": tree_digest(ROOT / "autograder"),
                  "solutions": tree_digest(ROOT / "solutions"), "course": tree_digest(tree["course"]),
                  "canary": tree["canary_file"].read_text(), "site": sorted(p.name for p in site.iterdir())}
        scratch_before = {d: set(os.listdir(d)) for d in ("/tmp", "/dev/shm", "/var/tmp") if os.path.isdir(d)}
        tag = f"initlab-run-test-{secrets.token_hex(6)}"
        env = dict(os.environ, INITLAB_TEST_CANARY=canary, HOME=str(tree["home"]), INITLAB_RUN_TAG=tag)
        done = grade(tree, env, ordinary)
        assert done.returncode == 0, done.stderr[-3000:]
        assert "jail: on" in done.stdout, done.stdout[-2000:]
        assert "UNCONFINED" not in done.stdout + done.stderr

        # No process of a submission survives the batch.
        assert graded_processes(tag) == []
        assert not tree["marker"].exists()

        # Nothing the instructor owns changed.
        after = {"submissions": tree_digest(tree["subs"]), "kit": tree_digest(ROOT / "autograder"),
                 "solutions": tree_digest(ROOT / "solutions"), "course": tree_digest(tree["course"]),
                 "canary": tree["canary_file"].read_text(), "site": sorted(p.name for p in site.iterdir())}
        assert after == before
        for folder, names in scratch_before.items():
            assert not [n for n in set(os.listdir(folder)) - names if n.startswith("initlab-hostile")]
        assert listener.connections == 0

        # The canary (from a file, the course folder and the judge's environment) is in no report.
        for path in tree["out"].rglob("*"):
            if path.is_file():
                assert canary not in path.read_text(encoding="utf-8", errors="replace"), path

        # Every student has one row; honest students keep full marks; stealing earns nothing.
        with open(tree["out"] / "grades.csv", encoding="utf-8-sig") as fh:
            rows = {r["student_id"]: r for r in csv.DictReader(fh)}
        ids = tree["ids"]
        assert set(rows) == set(HONEST) | set(ids.values())
        for sid in HONEST:
            assert float(rows[sid]["score"]) == total_points(), rows[sid]
        assert float(rows[ids["steal_reference"]]["score"]) == 0
        for name in hostile.MALFORMED_NOTEBOOKS:
            assert rows[ids[name]]["status"] == "not_a_notebook", rows[ids[name]]
        # The sleeper is stopped by its time budget, not by one timeout per check.
        results = json.loads((tree["out"] / ids["sleeper"] / "results.json").read_text(encoding="utf-8"))
        assert any("time budget" in t["output"] for t in results["tests"]), results["tests"][:3]
    finally:
        listener.close()


def test_hostile_class_changes_nothing_but_its_own_scores(tmp_path):
    """As the user running the tests (root in CI)."""
    run_hostile_class(tmp_path, ordinary=False)


#: A test run again as an ordinary uid, which only a root test run can become (CI runs as root).
as_an_ordinary_user = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0 or not shutil.which("setpriv") or not shutil.which("unshare"),
    reason="needs root to become an ordinary user")


def ordinary_folder(tmp_path) -> Path:
    """A folder under ``tmp_path`` that the ordinary uid can reach."""
    base = tmp_path / "ordinary"
    base.mkdir()
    os.chmod(tmp_path, 0o755)
    return base


@as_an_ordinary_user
def test_hostile_class_graded_by_an_ordinary_user(tmp_path):
    """As an ordinary uid, when the tests run as root (CI does): the jail needs no privilege."""
    run_hostile_class(ordinary_folder(tmp_path), ordinary=True)
