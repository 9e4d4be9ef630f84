"""This run's jails as the host sees them: a tag on every jail's command line, so that what is
still running when a grading run ends can be found in /proc and ended."""
from __future__ import annotations

import os
import signal
import time

_TAG_VAR = "INITLAB_RUN_TAG"


def run_tag() -> str:
    """A tag on the command line of every jail this process (and the judges it forks) starts."""
    tag = os.environ.get(_TAG_VAR)
    if not tag:
        import secrets

        tag = os.environ[_TAG_VAR] = f"initlab-run-{secrets.token_hex(6)}"
    return tag


def survivors(tag: str | None = None) -> list[int]:
    """Host pids of processes still running in (or as) a jail of this run: bwrap and the zygote carry
    the tag; whatever else a submission started dies with its zygote, the namespace's init."""
    tag_bytes = (tag or run_tag()).encode()
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as fh:
                cmdline = fh.read()
            with open(f"/proc/{entry}/stat", "rb") as fh:
                state = fh.read().rsplit(b")", 1)[-1].split()[0]
        except OSError:
            continue
        if tag_bytes in cmdline and state != b"Z":
            found.append(int(entry))
    return found


def end_survivors(wait_s: float = 10.0) -> int:
    """Wait up to ``wait_s`` for this run's jails to be gone, then SIGKILL what is left; returns how
    many had to be killed (0 when the judges closed them all, as they should)."""
    deadline = time.monotonic() + wait_s
    while time.monotonic() < deadline:
        if not survivors():
            return 0
        time.sleep(0.05)
    left = survivors()
    for pid in left:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
    return len(left)
