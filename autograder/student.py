"""What a check holds: a handle that calls the student's functions and returns plain data.

Two handles share one code path for encoding, calling and validating:

* :class:`SandboxStudent` calls into the child process (grading and ``initlab check``).
* :class:`InProcessStudent` calls functions of the current Jupyter kernel, for the
  notebook's own self-check cells.  That is the trust model of nbgrader (student code and
  tests share a kernel), good enough for a student checking their own work; official
  grades come from ``initlab grade``, which always uses the sandbox.
"""
from __future__ import annotations

from autograder.contract import FUNCTIONS
from autograder.sandbox import child
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import encode, pack_frame
from autograder.sandbox.runner import CallReply, LoadReport, MissingFunction, Sandbox, parse_reply


class SandboxStudent:
    def __init__(self, sid: str, cells: list[dict], limits: Limits, launcher):
        self.sid = sid
        self.sandbox = Sandbox(cells, list(FUNCTIONS), limits, launcher)

    def load(self) -> LoadReport:
        return self.sandbox.load()

    def call(self, fn: str, *args) -> CallReply:
        return self.sandbox.call(fn, *args)

    def close(self) -> None:
        self.sandbox.close()


class InProcessStudent:
    def __init__(self, sid: str, namespace: dict):
        self.sid = sid
        self.namespace = namespace

    def load(self) -> LoadReport:
        return LoadReport(functions={f: callable(self.namespace.get(f)) for f in FUNCTIONS}, errors=[])

    def call(self, fn: str, *args) -> CallReply:
        if not callable(self.namespace.get(fn)):
            raise MissingFunction(f"{fn} is not defined")
        blobs: list[bytes] = []
        encoded = [encode(a, blobs) for a in args]
        # Round-trip through the wire format so values are validated exactly as in the sandbox.
        header, reply_blobs = child.call(self.namespace, fn, encoded, blobs)
        pack_frame(header, reply_blobs)  # fails loudly if the reply would not serialise
        return parse_reply(fn, header, reply_blobs)

    def close(self) -> None:
        pass
