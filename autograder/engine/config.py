"""One frozen configuration object per variant of the exercise.

A :class:`Variant` holds every number the checks and the notebook use that is not fixed by
the lecture's calibrated protocol: the shapes handed to the init functions, the weight-
decay lambda, the probe's depth and width in the deterministic check.  The default is
the lecture's own set-up.  Everything random in grading derives from ``Variant.seed``
through :func:`derive_seed`, so a re-run gives identical results.

A course's variants derive from its secret key (``C/initlab.toml``) with HMAC-SHA256: a
released notebook carries its own week's numbers (:meth:`Variant.public_dict`) and nothing
from which another week's, another student's or the quiz bank's numbers follow.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import tomllib
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

import numpy as np

from autograder.helper.setup import analysis_seed, seed_from
from autograder.lectures.weight_init.helper.stats import MIN_WEIGHTS


def derive_seed(*parts: object, key: str = "") -> int:
    """A 63-bit seed from any parts (strings, ints); stable across runs, machines and Python versions.

    With a course ``key`` it is an HMAC: nobody without the key can compute it from the parts.
    """
    if not key:
        return seed_from(*parts)
    digest = hmac.new(key.encode(), json.dumps([str(p) for p in parts]).encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") >> 1


#: What :meth:`Variant.derive` picks a released week's probe from (autograder/lectures/weight_init/instructor/calibrated.py holds the
#: analysis questions' spread for every combination).
NODE_NUMS = (50, 64, 80, 100, 128)
INPUT_DIMS = (64, 100, 128, 196)
SAMPLE_COUNTS = (500, 800, 1000)
STD_LARGES = (0.5, 1.0, 2.0)


@dataclass(frozen=True)
class Variant:
    seed: int = 0
    """Root of every grader-made random input."""
    week: int = 0
    """The week this variant was released for (0: the unreleased default)."""
    student_id: str = ""
    """Set when the variant is per student ('' for the whole class)."""

    node_num: int = 100
    """Units per hidden layer in the notebook's histograms and analysis questions."""
    n_layers: int = 5
    """Hidden layers of the probe in the notebook."""
    n_samples: int = 1000
    """Rows of the probe's input in the notebook."""
    input_dim: int = 100
    """Columns of the probe's input in the notebook."""
    activation: str = "sigmoid"
    """Activation of the notebook's first histogram series ('sigmoid' or 'tanh')."""
    std_large: float = 1.0
    """The 'too wide' plain std of the lecture's comparison."""
    std_small: float = 0.01
    """The 'too narrow' plain std of the lecture's comparison."""

    init_shapes: tuple[tuple[int, int], ...] = ((784, 100), (100, 400))
    """(n_in, n_out) given to the init checks; never square, so fan-in and fan-out differ."""
    probe_shape: tuple[int, int, int, int] = (40, 30, 4, 25)
    """(rows, input columns, n_layers, node_num) of the exact probe check (columns != node_num)."""
    lam: float = 0.1
    """Weight-decay lambda of the decay checks."""
    decay_shapes: tuple[tuple[int, int], ...] = ((6, 5), (5, 3), (3, 1))
    """Shapes of the matrices handed to weight_decay_penalty."""

    course_key: str = field(default="", repr=False)
    """The course's secret key this variant was derived from (see :meth:`derive`): kept in the
    instructor's files only, never in a notebook, a quiz or what the sandbox child receives."""
    per_student: bool = False
    """Whether every student gets a variant of their own, derived from their student id."""

    def __post_init__(self):
        for n_in, n_out in self.init_shapes:
            if n_in == n_out or n_in * n_out < MIN_WEIGHTS:
                raise ValueError(f"init shape {(n_in, n_out)}: need n_in != n_out and >= {MIN_WEIGHTS} weights")
        rows, cols, layers, nodes = self.probe_shape
        if cols == nodes or min(rows, cols, layers, nodes) < 2:
            raise ValueError(f"probe_shape {self.probe_shape}: need input columns != node_num, all >= 2")
        if self.activation not in ("sigmoid", "tanh"):
            raise ValueError(f"activation {self.activation!r}: 'sigmoid' or 'tanh'")

    @classmethod
    def derive(cls, course_key: str, week: int, student_id: str = "", per_student: bool = False) -> "Variant":
        """The variant of a week (and of one student when ``per_student``), from the course key only.

        Week 0 is the lecture's own set-up.  The same arguments always give the same variant.
        """
        sid = str(student_id) if per_student else ""
        key = str(course_key) if course_key else ""  # no key (0, ""): the unreleased default
        if week == 0:
            return cls(course_key=key, per_student=per_student, student_id=sid,
                       seed=derive_seed("variant", 0, sid, key=key) if (key or sid) else 0)
        rng = np.random.default_rng(derive_seed("variant", week, sid, key=key) % 2**63)
        pick = lambda options: options[int(rng.integers(len(options)))]  # noqa: E731
        node_num = pick(NODE_NUMS)
        input_dim = pick(INPUT_DIMS)
        shapes = pick((((784, 100), (100, 400)), ((300, 200), (150, 500)), ((500, 120), (120, 600)),
                       ((256, 400), (400, 128)), ((1000, 64), (64, 800))))
        rows, cols, layers, nodes = int(rng.integers(25, 61)), int(rng.integers(12, 41)), int(rng.integers(3, 6)), 0
        nodes = pick(tuple(n for n in (16, 20, 24, 28, 32) if n != cols))
        return cls(
            seed=derive_seed("variant-seed", week, sid, key=key), week=week, student_id=sid,
            course_key=key, per_student=per_student,
            node_num=node_num, n_layers=pick((4, 5, 6)), n_samples=pick(SAMPLE_COUNTS), input_dim=input_dim,
            activation="sigmoid", std_large=pick(STD_LARGES), std_small=pick((0.005, 0.01, 0.02)),
            init_shapes=shapes, probe_shape=(rows, cols, layers, nodes), lam=pick((0.01, 0.05, 0.1, 0.2)),
            decay_shapes=tuple((int(rng.integers(2, 9)), int(rng.integers(1, 8))) for _ in range(3)),
        )

    def for_student(self, student_id: str) -> "Variant":
        """This week's variant for one student (itself when the week is the same for everyone)."""
        if not self.per_student or not student_id:
            return self
        return Variant.derive(self.course_key, self.week, student_id, per_student=True)

    def public_dict(self) -> dict:
        """What a student may see of this variant: every number but the course key (the notebook's
        SETUP and what the sandbox child receives)."""
        return {k: v for k, v in self.to_dict().items() if k != "course_key"}

    def analysis_seed(self, tag: str) -> int:
        """The seed the notebook's analysis question ``tag`` draws with (a 32-bit int, easy to print);
        the notebook computes it from its SETUP the same way (notebook.analysis_seed)."""
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

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, table: dict) -> "Variant":
        """A variant from plain values (a TOML table, a notebook's SETUP): every value is checked for its
        type and size, so a forged or damaged set-up is a ValueError, never a wrong-typed variant."""
        if not isinstance(table, dict):
            raise ValueError("a set-up is a table of values")
        known = {f.name: f for f in fields(cls)}
        unknown = set(table) - set(known)
        if unknown:  # a misspelt key fails loudly
            raise ValueError(f"unknown variant keys: {', '.join(sorted(map(str, unknown))[:10])}")
        return cls(**{key: _checked(key, value) for key, value in table.items()})

    @classmethod
    def load(cls, path: str | Path) -> "Variant":
        path = Path(path)
        if path.suffix == ".toml":
            return cls.from_dict(tomllib.loads(path.read_text(encoding="utf-8"))["variant"])
        return cls.from_dict(json.loads(path.read_text(encoding="utf-8")))


#: The type each variant value must have: a set-up from a notebook is a student's text.
_INTS = ("seed", "week", "node_num", "n_layers", "n_samples", "input_dim")
_FLOATS = ("std_large", "std_small", "lam")
_STRS = ("student_id", "activation", "course_key")
_SHAPES = {"init_shapes": 2, "decay_shapes": 2}
_LIMIT = 2 ** 63


def _checked(key: str, value):
    def number(v, kinds=(int,)):
        if isinstance(v, bool) or not isinstance(v, kinds) or not (-_LIMIT < v < _LIMIT) or v != v:
            raise ValueError(f"set-up value {key}: expected a {'number' if float in kinds else 'whole number'}")
        return v

    if key in _INTS:
        return number(value)
    if key in _FLOATS:
        return float(number(value, (int, float)))
    if key in _STRS:
        if not isinstance(value, str) or len(value) > 200:
            raise ValueError(f"set-up value {key}: expected a short text")
        return value
    if key == "per_student":
        if not isinstance(value, bool):
            raise ValueError("set-up value per_student: expected true or false")
        return value

    def sizes(v, n: int | None):
        if not isinstance(v, (list, tuple)) or (n is not None and len(v) != n) or not 0 < len(v) <= 8:
            raise ValueError(f"set-up value {key}: expected {n or 'a few'} sizes")
        out = tuple(number(x) for x in v)
        if any(not 0 < x <= 1_000_000 for x in out):
            raise ValueError(f"set-up value {key}: sizes from 1 to 1,000,000")
        return out

    if key in _SHAPES:
        if not isinstance(value, (list, tuple)) or not 0 < len(value) <= 8:
            raise ValueError(f"set-up value {key}: expected a few shapes")
        return tuple(sizes(shape, _SHAPES[key]) for shape in value)
    if key == "probe_shape":
        return sizes(value, 4)
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


DEFAULT = Variant()
