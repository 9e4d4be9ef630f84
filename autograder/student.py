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

from autograder.contract import FUNCTIONS
from autograder.sandbox import child
from autograder.sandbox.limits import Limits
from autograder.sandbox.protocol import RngSpec, StudentFnSpec, encode, pack_frame
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


def variant_of_setup(setup):
    """The Variant a notebook's SETUP declares (its week's numbers, or a per-student code), or None."""
    from autograder.config import Variant
    from autograder.notebook import decode_setup

    try:
        values = decode_setup(setup) if isinstance(setup, str) else setup
        if not isinstance(values, dict):
            return None
        return Variant.from_dict(values) if values else Variant()
    except (ValueError, TypeError):
        return None


def variant_key_of(handle):
    """The variant a live notebook declares in SETUP (a student's self-check of a released week), or None."""
    try:
        return variant_of_setup(handle.value("SETUP").value)
    except StudentFailure:
        return None


def declared_variant(cells: list[dict]):
    """The variant a submission's source declares (a literal SETUP at top level), read without
    running it; None when it declares none."""
    import ast

    found: dict = {}  # SETUP, and SETUP_CODE (where a per-student week's SETUP points)
    for cell in cells:
        try:
            tree = ast.parse(cell["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in ("SETUP", "SETUP_CODE")):
                if isinstance(node.value, ast.Name):
                    found[node.targets[0].id] = ("name", node.value.id)
                    continue
                try:
                    found[node.targets[0].id] = ("value", ast.literal_eval(node.value))
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    found[node.targets[0].id] = ("value", None)
    kind, setup = found.get("SETUP", ("value", None))
    if kind == "name":
        setup = found.get(setup, ("value", None))[1]
    return variant_of_setup(setup) if setup is not None else None


def graded_setup(variant) -> dict:
    """What a submission's ``lab.variant()`` returns while graded: the variant's plain values (never
    the course key; the child gets numbers, never the derivation)."""
    return variant.public_dict()


class _Remote:
    """A submission's function as the judge sees it: calling it calls it in the sandbox child, with
    the judge's own objects (the submission's other functions, a Generator mid-stream) sent as specs."""

    def __init__(self, handle, name: str):
        self.handle, self.name = handle, name

    def __call__(self, *args):
        return self.handle.call(self.name, *[_as_spec(a) for a in args]).value


def _as_spec(value):
    from autograder.analysis import Bound

    if isinstance(value, _Remote):
        return StudentFnSpec(value.name)
    if isinstance(value, Bound) and isinstance(value.fn, _Remote):
        return StudentFnSpec(value.fn.name, tuple(value.extra))
    if isinstance(value, np.random.Generator):
        return RngSpec(0, value.bit_generator.state)
    return value


class _Namespace(dict):
    """A notebook's functions by name; a missing one is a MissingFunction, as in the sandbox."""

    def __missing__(self, name):
        raise MissingFunction(f"{name} is not defined", {"fn": name})


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

    def functions(self) -> dict:
        """The submission's functions, each callable from the judge (it runs in the child)."""
        return {name: _Remote(self, name) for name in FUNCTIONS}

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

    def functions(self) -> dict:
        """The notebook's own functions (its kernel runs them)."""
        return _Namespace({name: fn for name in FUNCTIONS if callable(fn := self.namespace.get(name))})

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
