"""What a check holds: a handle that calls the student's functions and returns plain data.

Two handles share one code path for encoding, calling and validating:

* :class:`SandboxStudent` calls into the child process (grading and ``initlab check``).
* :class:`InProcessStudent` (the student helper's KernelStudent) calls functions of a live
  namespace: the notebook's own self-check cells.
"""
from __future__ import annotations

import contextlib
import re

import numpy as np

from autograder.helper.calls import CallReply, LoadReport, MissingFunction, StudentFailure
from autograder.helper.questions import Bound
from autograder.helper.runner import KernelStudent, Reuse
from autograder.helper.setup import decode_setup
from autograder.engine.sandbox.limits import Limits
from autograder.helper.wire import RngSpec, StudentFnSpec
from autograder.engine.sandbox.runner import Sandbox

#: The notebook's own functions, called in its kernel (autograder/helper/runner.py).
InProcessStudent = KernelStudent


def variant_of_setup(setup, numbers: type | None = None):
    """The Variant a notebook's SETUP declares (its week's numbers, or a per-student code), or None;
    ``numbers`` is the lecture's (the default lecture's when None)."""
    from autograder.engine.config import Variant

    try:
        values = decode_setup(setup) if isinstance(setup, str) else setup
        if not isinstance(values, dict):
            return None
        return Variant.from_dict(values, numbers) if values else Variant(numbers=numbers() if numbers else None)
    except (ValueError, TypeError, RecursionError, MemoryError):
        return None


def variant_key_of(handle, numbers: type | None = None):
    """The variant a live notebook declares in SETUP (a student's self-check of a released week), or None."""
    try:
        return variant_of_setup(handle.value("SETUP").value, numbers)
    except StudentFailure:
        return None


#: A cell that declares the set-up is a few lines; a larger one that spells a declared name is not
#: parsed (Python's parser takes ~500 bytes of memory per byte of a literal): the declaration is unreadable.
MAX_DECLARATION_CELL = 64 * 1024
#: The key of :func:`top_level_literals`'s result that names a cell too large to read (its size).
UNREADABLE = "<unreadable>"
#: Key of top_level_literals' result when a cell that assigns a declared name does not parse: (``"error"``, its kind).
UNPARSED = "<unparsed>"


def top_level_literals(cells: list[dict], names: tuple[str, ...]) -> dict[str, tuple[str, object]]:
    """The last top-level ``name = ...`` of each of ``names`` in the cells, read without running them:
    ("value", the literal) for a literal (None when it is not one), ("name", other) for ``name = other``.
    A cell over MAX_DECLARATION_CELL that spells a name is not read: ``UNREADABLE`` gives its size."""
    import ast
    import unicodedata

    found: dict = {}
    for cell in cells:
        # Only a cell that spells one of the names can assign it (identifiers are NFKC-normalised, as
        # Python reads them): the others are not parsed, so the bind step parses few cells.
        source = cell["source"]
        if cell.get("unread_declaration"):  # a cell too large to run (steps/load.py): it was not kept
            found[UNREADABLE] = ("size", cell["unread_declaration"])
            continue
        if len(source) > MAX_DECLARATION_CELL:
            if any(name in source for name in names):
                found[UNREADABLE] = ("size", len(source))
            continue
        text = unicodedata.normalize("NFKC", source)
        if not any(name in text for name in names):
            continue
        try:
            tree = ast.parse(cell["source"])
        except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
            # A cell that would assign one of the names but does not parse: what it declares is unknown.
            if re.search(rf"(?m)^\s*(?:{'|'.join(map(re.escape, names))})\s*=[^=]", text):
                found[UNPARSED] = ("error", type(exc).__name__)
            continue
        for node in tree.body:
            if (isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name)
                    and node.targets[0].id in names):
                if isinstance(node.value, ast.Name):
                    found[node.targets[0].id] = ("name", node.value.id)
                    continue
                try:
                    found[node.targets[0].id] = ("value", ast.literal_eval(node.value))
                except (ValueError, TypeError, SyntaxError, RecursionError, MemoryError):
                    found[node.targets[0].id] = ("value", None)
    return found


#: The top-level names a submission declares its set-up and its author with.
DECLARED_NAMES = ("SETUP", "SETUP_CODE", "STUDENT_ID")


def declared_variant(cells: list[dict], numbers: type | None = None):
    """The variant a submission's source declares (a literal SETUP at top level, or the SETUP_CODE a
    per-student week's SETUP points to), read without running it; None when it declares none."""
    return variant_of_literals(top_level_literals(cells, DECLARED_NAMES), numbers)


def declared_setup(found: dict):
    """The literal SETUP (or the SETUP_CODE it names) among what :func:`top_level_literals` found; None
    when there is none (an empty code, not yet pasted, is none)."""
    kind, setup = found.get("SETUP", ("value", None))
    if kind == "name":
        setup = found.get(setup, ("value", None))[1]
    return None if isinstance(setup, str) and not setup.strip() else setup


def variant_of_literals(found: dict, numbers: type | None = None):
    """:func:`declared_variant` from what :func:`top_level_literals` found."""
    setup = declared_setup(found)
    return variant_of_setup(setup, numbers) if setup is not None else None


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
    if isinstance(value, _Remote):
        return StudentFnSpec(value.name)
    if isinstance(value, Bound) and isinstance(value.fn, _Remote):
        return StudentFnSpec(value.fn.name, tuple(value.extra))
    if isinstance(value, np.random.Generator):
        return RngSpec(0, value.bit_generator.state)
    return value


class SandboxStudent:
    def __init__(self, sid: str, cells: list[dict], limits: Limits, launcher, variant=None, contract=None):
        self.sid = sid
        self.variant = variant
        """The set-up this submission is graded against (None: the run's, for this student)."""
        if contract is None:
            from autograder.engine.assignment import load

            contract = load().contract
        self.contract = contract
        self.sandbox = Sandbox(cells, list(contract.functions), limits, launcher,
                               setup=graded_setup(variant) if variant is not None else None)
        self._reuse = Reuse()

    def load(self) -> LoadReport:
        return self.sandbox.load()

    def call(self, fn: str, *args, reuse: bool = False, return_args: bool = False) -> CallReply:
        with self._explained_if_missing(fn):
            if return_args:
                return self.sandbox.call(fn, *args, return_args=True)
            return self._reuse.call(self.sandbox.call, fn, args, reuse)

    def value(self, name: str) -> CallReply:
        with self._explained_if_missing(name):
            return self.sandbox.value(name)

    @contextlib.contextmanager
    def _explained_if_missing(self, name: str):
        """A name the submission lacks because the cell that makes it stopped: say which cell, and why."""
        try:
            yield
        except MissingFunction as exc:
            error = self.cell_error(name)
            if error is not None:
                exc.info.setdefault("cell_error", error)
            raise

    def cell_error(self, name: str) -> dict | None:
        """The load error of the cell that defines ``name`` (``def name`` or ``name = ...``), if it had one."""
        pattern = re.compile(rf"(?m)^\s*(?:def\s+{re.escape(name)}\b|{re.escape(name)}\s*=[^=])")
        errors = {e.get("cell"): e for e in self.sandbox.load().errors}
        for cell in self.sandbox.cells:
            if pattern.search(cell.get("source", "")) and cell.get("name") in errors:
                return errors[cell["name"]]
        return None

    def functions(self) -> dict:
        """The submission's functions, each callable from the judge (it runs in the child)."""
        return {name: _Remote(self, name) for name in self.contract.functions}

    def close(self) -> None:
        self.sandbox.close()
        self._reuse = Reuse()  # a class's worth of kept replies would hold gigabytes of arrays
