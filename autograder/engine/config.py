"""One frozen configuration object per variant of an exercise: the course's identity and the lecture's numbers.

A :class:`Variant` is two things.  The course's identity of a week: its seed, the week, the student
(per-student weeks), whether every student has their own, and the course's secret key.  And the
lecture's numbers (``Variant.numbers``): a frozen dataclass the lecture defines (its
Assignment.numbers), whose defaults are the lecture's own set-up; they read as the variant's own
(``variant.lam``).  Everything random in grading derives from the identity through
:func:`derive_seed`, so a re-run gives identical results.

A course's variants derive from its secret key (``C/initlab.toml``) with HMAC-SHA256: a released
notebook carries its own week's numbers (:meth:`Variant.public_dict`) and nothing from which another
week's, another student's or the quiz bank's numbers follow.
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import math
import tomllib
import typing
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from autograder.helper.setup import analysis_seed, seed_from


def derive_seed(*parts: object, key: str = "") -> int:
    """A 63-bit seed from any parts (strings, ints); stable across runs, machines and Python versions.

    With a course ``key`` it is an HMAC: nobody without the key can compute it from the parts.
    """
    if not key:
        return seed_from(*parts)
    digest = hmac.new(key.encode(), json.dumps([str(p) for p in parts]).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def default_numbers() -> type:
    """The numbers of the default lecture (engine/assignment.py): what ``Variant()`` holds."""
    from autograder.engine.assignment import load

    return load().numbers


#: The variant's own fields (the course's identity), in the order they are written.
IDENTITY = ("seed", "week", "student_id", "course_key", "per_student")


@dataclass(frozen=True)
class Variant:
    seed: int = 0
    """Root of every grader-made random input."""
    week: int = 0
    """The week this variant was released for (0: the unreleased default)."""
    student_id: str = ""
    """Set when the variant is per student ('' for the whole class)."""
    numbers: Any = None
    """The lecture's numbers (None: the default lecture's own set-up)."""
    course_key: str = field(default="", repr=False)
    """The course's secret key this variant was derived from (see :meth:`derive`): kept in the
    instructor's files only, never in a notebook, a quiz or what the sandbox child receives."""
    per_student: bool = False
    """Whether every student gets a variant of their own, derived from their student id."""

    def __post_init__(self):
        if self.numbers is None:
            object.__setattr__(self, "numbers", default_numbers()())

    def __getattr__(self, name: str):
        # Only for names the variant does not have itself: the lecture's numbers read as its own.
        numbers = self.__dict__.get("numbers")
        if numbers is None or name.startswith("__"):
            raise AttributeError(name)
        return getattr(numbers, name)

    @classmethod
    def derive(cls, course_key: str, week: int, student_id: str = "", per_student: bool = False,
               numbers: type | None = None) -> "Variant":
        """The variant of a week (and of one student when ``per_student``), from the course key only; its
        numbers are drawn by the lecture's ``numbers.derive`` (the default lecture's when None).

        Week 0 is the lecture's own set-up.  The same arguments always give the same variant.
        """
        numbers = numbers or default_numbers()
        sid = str(student_id) if per_student else ""
        key = str(course_key) if course_key else ""  # no key (0, ""): the unreleased default
        if week == 0:
            return cls(course_key=key, per_student=per_student, student_id=sid, numbers=numbers(),
                       seed=derive_seed("variant", 0, sid, key=key) if (key or sid) else 0)
        rng = np.random.default_rng(derive_seed("variant", week, sid, key=key) % 2**63)
        return cls(seed=derive_seed("variant-seed", week, sid, key=key), week=week, student_id=sid,
                   course_key=key, per_student=per_student, numbers=numbers.derive(rng))

    def for_student(self, student_id: str) -> "Variant":
        """This week's variant for one student (itself when the week is the same for everyone)."""
        if not self.per_student or not student_id:
            return self
        return Variant.derive(self.course_key, self.week, student_id, per_student=True, numbers=type(self.numbers))

    def with_numbers(self, **changes) -> "Variant":
        """This variant with some of the lecture's numbers changed."""
        return dataclasses.replace(self, numbers=dataclasses.replace(self.numbers, **changes))

    def to_dict(self) -> dict:
        """Every value, flat: the identity's, with the lecture's numbers between student_id and the key."""
        return {"seed": self.seed, "week": self.week, "student_id": self.student_id, **asdict(self.numbers),
                "course_key": self.course_key, "per_student": self.per_student}

    def public_dict(self) -> dict:
        """What a student may see of this variant: every number but the course key (the notebook's
        SETUP and what the sandbox child receives)."""
        return {k: v for k, v in self.to_dict().items() if k != "course_key"}

    def signature(self, values: dict | None = None) -> str:
        """The course's signature of a set-up (this variant's public values by default): an HMAC with the
        course key, so a set-up code nobody edited is one the course made."""
        from autograder.helper.setup import canonical

        values = self.public_dict() if values is None else values
        return hmac.new(self.course_key.encode(), b"initlab-setup:" + canonical(values), hashlib.sha256).hexdigest()[:32]

    def setup_code(self) -> str:
        """This variant as the signed code a student pastes into SETUP_CODE (a per-student week)."""
        from autograder.helper.setup import encode_setup

        return encode_setup(self.public_dict(), self.signature())

    def analysis_seed(self, tag: str) -> int:
        """The seed the notebook's analysis question ``tag`` draws with (a 32-bit int, easy to print);
        the notebook computes it from its SETUP the same way (helper/setup.py's analysis_seed)."""
        return analysis_seed(self.seed, self.week, self.student_id, tag)

    def to_toml(self) -> str:
        """The variant as a [variant] TOML table (readable by :meth:`load`)."""
        lines = ["# initlab variant: every number the week's notebook, checks and quiz use.", "[variant]"]
        for key, value in self.to_dict().items():
            lines.append(f"{key} = {_toml_value(value)}")
        return "\n".join(lines) + "\n"

    def check_seed(self, check_id: str, student_id: str = "") -> int:
        """The seed of one check's inputs for one student (keyed: a student cannot compute it)."""
        return derive_seed("check", self.seed, self.week, self.student_id or student_id, check_id,
                           key=self.course_key)

    def quiz_seed(self, *parts: object) -> int:
        """A seed of the week's quiz bank (keyed: the released notebook's numbers do not give the quiz's)."""
        return derive_seed("quiz", self.seed, self.week, *parts, key=self.course_key)

    @classmethod
    def from_dict(cls, table: dict, numbers: type | None = None) -> "Variant":
        """A variant from plain values (a TOML table, a notebook's SETUP): every value is checked for its
        type and size, so a forged or damaged set-up is a ValueError, never a wrong-typed variant."""
        if not isinstance(table, dict):
            raise ValueError("a set-up is a table of values")
        numbers = numbers or default_numbers()
        hints = typing.get_type_hints(numbers)
        unknown = set(table) - set(IDENTITY) - {f.name for f in fields(numbers)}
        if unknown:  # a misspelt key fails loudly
            raise ValueError(f"unknown variant keys: {', '.join(sorted(map(str, unknown))[:10])}")
        identity = {k: _checked(k, v, _IDENTITY_TYPES[k]) for k, v in table.items() if k in IDENTITY}
        values = {k: _checked(k, v, hints[k]) for k, v in table.items() if k not in IDENTITY}
        return cls(**identity, numbers=numbers(**values))

    @classmethod
    def load(cls, path: str | Path, numbers: type | None = None) -> "Variant":
        path = Path(path)
        if path.suffix == ".toml":
            return cls.from_dict(tomllib.loads(path.read_text(encoding="utf-8"))["variant"], numbers)
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")), numbers)


_IDENTITY_TYPES = {"seed": int, "week": int, "student_id": str, "course_key": str, "per_student": bool}
_LIMIT = 2 ** 63
#: A set-up's sizes and how many of them: a forged SETUP is a student's text.
_SIZE_MAX, _ITEMS_MAX = 1_000_000, 8


def _checked(key: str, value, hint):
    """``value`` if it has the type ``hint`` states (int, float, str, bool, or tuples of those), else ValueError.

    Lists stand for tuples (JSON and TOML have no tuples); an int may stand for a float.
    """
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if hint is bool:
        if not isinstance(value, bool):
            raise ValueError(f"set-up value {key}: expected true or false")
        return value
    if hint is int or hint is float:
        if isinstance(value, bool) or not isinstance(value, (int, float) if hint is float else int) \
                or not math.isfinite(value) or not -_LIMIT < value < _LIMIT:
            raise ValueError(f"set-up value {key}: expected a {'number' if hint is float else 'whole number'}")
        return float(value) if hint is float else value
    if hint is str:
        if not isinstance(value, str) or len(value) > 200:
            raise ValueError(f"set-up value {key}: expected a short text")
        return value
    if origin is tuple:
        if not isinstance(value, (list, tuple)) or not 0 < len(value) <= _ITEMS_MAX:
            raise ValueError(f"set-up value {key}: expected a few values")
        repeated = len(args) == 2 and args[1] is Ellipsis
        if not repeated and len(value) != len(args):
            raise ValueError(f"set-up value {key}: expected {len(args)} values")
        kinds = [args[0]] * len(value) if repeated else list(args)
        items = tuple(_checked(key, v, kind) for v, kind in zip(value, kinds))
        if any(type(v) is int and not 0 < v <= _SIZE_MAX for v in items):
            raise ValueError(f"set-up value {key}: sizes from 1 to {_SIZE_MAX:,}")
        return items
    raise ValueError(f"set-up value {key}: not read")


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"no TOML form for {type(value).__name__}")
