"""What a check holds: a handle that calls the student's functions and returns plain data.

Two handles share one code path for encoding, calling and validating:

* :class:`SandboxStudent` calls into the child process (grading and ``initlab check``).
* :class:`InProcessStudent` calls functions of the current Jupyter kernel, for the
  notebook's own self-check cells.  That is the trust model of nbgrader (student code and
  tests share a kernel), good enough for a student checking their own work; official
  grades come from ``initlab grade``, which always uses the sandbox.
"""
from __future__ import annotations

import hashlib
import json

import numpy as np

from autograder.contract import ANALYSIS_SEED_TAGS, FUNCTIONS
from autograder.sandbox import child
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import encode, pack_frame
from autograder.sandbox.runner import CallReply, LoadReport, MissingFunction, Sandbox, StudentFailure, parse_reply


def _call_key(fn: str, args: tuple) -> str:
    blobs: list = []
    header = json.dumps([fn, [encode(a, blobs) for a in args]], sort_keys=True)
    digest = hashlib.sha256(header.encode())
    for b in blobs:
        for part in b.parts:
            digest.update(part)
    return digest.hexdigest()


class _Reuse:
    """Replies of calls made with ``reuse=True``, by arguments: several checks may judge one draw.

    Only for calls whose repetition would prove nothing (the same seed, the same inputs); the
    rng-contract check calls twice on purpose and never reuses.
    """

    def __init__(self):
        self._replies: dict[str, CallReply] = {}
        self._failures: dict[str, StudentFailure] = {}

    def call(self, do_call, fn: str, args: tuple, reuse: bool) -> CallReply:
        if not reuse:
            return do_call(fn, *args)
        key = _call_key(fn, args)
        if key in self._failures:
            raise self._failures[key]
        if key not in self._replies:
            try:
                self._replies[key] = do_call(fn, *args)
            except StudentFailure as exc:
                self._failures[key] = exc
                raise
        return self._replies[key]


def variant_key_of(handle):
    """The (course seed, week, student id, per student) a notebook declares in VARIANT_KEY, or None.

    Used for a student's self-check of a released week: the notebook knows its own set-up.
    """
    try:
        key = handle.value("VARIANT_KEY").value
    except StudentFailure:
        return None
    if (isinstance(key, (list, tuple)) and len(key) == 4 and all(isinstance(k, (int, np.integer)) for k in key[:2])
            and isinstance(key[2], str) and isinstance(key[3], (bool, np.bool_))):
        from autograder.config import Variant

        try:
            return Variant.derive(int(key[0]), int(key[1]), key[2], bool(key[3]))
        except ValueError:
            return None
    return None


_KEY_NAMES = ("COURSE_SEED", "WEEK", "STUDENT_ID", "PER_STUDENT")


def declared_variant(cells: list[dict]):
    """The variant a submission's source declares (COURSE_SEED, WEEK, STUDENT_ID, PER_STUDENT as
    literals at top level), read without running it; None when it declares none."""
    import ast

    found: dict = {}
    for cell in cells:
        try:
            tree = ast.parse(cell["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if not isinstance(node, ast.Assign) or len(node.targets) != 1:
                continue
            target, value = node.targets[0], node.value
            pairs = [(target, value)]
            if isinstance(target, ast.Tuple) and isinstance(value, ast.Tuple) and len(target.elts) == len(value.elts):
                pairs = list(zip(target.elts, value.elts))
            for name, expr in pairs:
                if isinstance(name, ast.Name) and name.id in _KEY_NAMES:
                    try:
                        found[name.id] = ast.literal_eval(expr)
                    except (ValueError, TypeError, SyntaxError, RecursionError):
                        pass
    seed, week, sid, per = (found.get(k) for k in _KEY_NAMES)
    if type(seed) is not int or type(week) is not int or not isinstance(per, bool):
        return None
    from autograder.config import Variant

    try:
        return Variant.derive(seed, week, str(sid or "").strip(), per)
    except ValueError:
        return None


def graded_setup(variant) -> dict:
    """What a submission's ``lab.variant()`` returns while graded: the variant's plain values and
    the analysis questions' seeds (the child gets numbers, never the derivation)."""
    return dict(variant.to_dict(), analysis_seeds={tag: variant.analysis_seed(tag) for tag in ANALYSIS_SEED_TAGS})


class SandboxStudent:
    def __init__(self, sid: str, cells: list[dict], limits: Limits, launcher, variant=None):
        self.sid = sid
        self.variant = variant
        """The set-up this submission is graded against (None: the run's, for this student)."""
        self.sandbox = Sandbox(cells, list(FUNCTIONS), limits, launcher,
                               setup=graded_setup(variant) if variant is not None else None)
        self._reuse = _Reuse()

    def load(self) -> LoadReport:
        return self.sandbox.load()

    def call(self, fn: str, *args, reuse: bool = False, return_args: bool = False) -> CallReply:
        if return_args:
            return self.sandbox.call(fn, *args, return_args=True)
        return self._reuse.call(self.sandbox.call, fn, args, reuse)

    def value(self, name: str) -> CallReply:
        return self.sandbox.value(name)

    def close(self) -> None:
        self.sandbox.close()
        self._reuse = _Reuse()  # a class's worth of kept replies would hold gigabytes of arrays


class InProcessStudent:
    def __init__(self, sid: str, namespace: dict):
        self.sid = sid
        self.namespace = namespace
        self._reuse = _Reuse()

    def load(self) -> LoadReport:
        return LoadReport(functions={f: callable(self.namespace.get(f)) for f in FUNCTIONS}, errors=[])

    def call(self, fn: str, *args, reuse: bool = False, return_args: bool = False) -> CallReply:
        if return_args:
            return self._call(fn, *args, return_args=True)
        return self._reuse.call(self._call, fn, args, reuse)

    def value(self, name: str) -> CallReply:
        if name not in self.namespace:
            raise MissingFunction(f"{name} is not defined")
        blobs: list = []
        return parse_reply(name, {"ok": True, "value": encode(self.namespace[name], blobs)}, blobs)

    def _call(self, fn: str, *args, return_args: bool = False) -> CallReply:
        if not callable(self.namespace.get(fn)):
            raise MissingFunction(f"{fn} is not defined")
        blobs: list[bytes] = []
        encoded = [encode(a, blobs) for a in args]
        # Round-trip through the wire format so values are validated exactly as in the sandbox.
        header, reply_blobs = child.call(self.namespace, fn, encoded, blobs, return_args=return_args)
        pack_frame(header, reply_blobs)  # fails loudly if the reply would not serialise
        return parse_reply(fn, header, reply_blobs)

    def close(self) -> None:
        self._reuse = _Reuse()
