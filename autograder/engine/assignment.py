"""What the engine knows of a lecture: the one interface a lecture provides, :class:`Assignment`.

The engine (sandbox, steps, pipeline, batch, reports, exports, release, CLI) never imports a
lecture by name.  A lecture is a Python package whose module ``assignment`` defines ``ASSIGNMENT``,
an :class:`Assignment`;
:func:`load` finds it by the name a course's ``initlab.toml`` gives (or ``--lecture``, or the
``INITLAB_LECTURE`` variable), the weight-initialisation lecture being the default.  Writing a new
lecture means filling one of these (docs/design.md, "Adding a lecture").
"""
from __future__ import annotations

import importlib
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable

from autograder.helper.declare import CheckSet, Contract
from autograder.helper.text import Text

#: The lecture a course uses when nothing names one.
DEFAULT_LECTURE = "weight_init"
#: Where a short lecture name is looked for (a dotted module path is used as it is).
LECTURES_PACKAGE = "autograder.lectures"


@dataclass(frozen=True)
class Assignment:
    """A lecture, as the engine uses it.  Only the first fields are required; every hook is optional."""

    name: str
    """Its short name (``weight_init``): a course's initlab.toml says it."""
    title: Text
    """Shown on pages and in a released notebook's first heading."""
    checks: CheckSet
    """Every check, registered in report order; ``checks.contract`` says what a submission defines."""
    helper_file: Path
    """The one file students get (built from autograder/helper/ and the lecture's helper package):
    the jail binds it and every submission's ``import initlab_lab`` gets it."""
    helper_package: str
    """The lecture's helper package (its MODULES, in build order, and HEADER): what the build joins with
    autograder/helper/ into ``helper_file``."""
    numbers: type
    """The lecture's set-up numbers: a frozen dataclass whose defaults are the lecture's own set-up,
    with ``derive(rng)`` (a released week's numbers) as a classmethod."""
    reference: Path
    """The reference solution, a whole submission (never bound into a jail)."""
    master: Path | None = None
    """The master notebook in nbgrader's source format (release, and the derived files of the build)."""
    derived: dict[str, Path] = field(default_factory=dict)
    """The files the build makes from ``master``: ``solution_py``, ``student_ipynb``, ``student_py``."""
    answer_key: Callable[[str, Any], tuple[float, float]] | None = None
    """``answer_key(answer name, variant) -> (reference value, tolerance)`` of the analysis answers."""
    prepare_class: Callable[[Any], None] | None = None
    """Called once in each judge before a class-wide week is graded (what every submission is compared with)."""
    shared_inputs: Callable[[Any], list] | None = None
    """``shared_inputs(variant)``: input cases the sandbox's zygote draws once for every child (prebuild)."""
    after_checks: Callable[[Any, Any, list], dict] | None = None
    """``after_checks(student, variant, results) -> {check_id: {name: data}}``: an ungraded look at a graded
    submission (never a self-check), run once its checks' results are settled and before its sandbox
    closes; the data are added to those results' artifacts for the reports, never scored.  Whatever it
    raises is ignored (the results stay as they were)."""
    feedback_figure: Callable[[Any, str], str] | None = None
    """``feedback_figure(submission, lang)``: an HTML fragment for the feedback page (inline SVG), or ''."""
    plot: Callable[[Any, Path], Path] | None = None
    """``plot(submission, folder)``: a PNG for ``initlab check --plots``; returns its path."""
    quiz: Callable[[Any], list] | None = None
    """``quiz(variant)``: the week's quiz items (engine/export/quiz.py writes them for Moodle)."""
    student_columns: tuple[str, ...] = ()
    """The set-up numbers a per-student week's students.csv lists for the TA."""
    commands: Callable[[Any], None] | None = None
    """``commands(subparsers)``: the lecture's own command-line verbs (``initlab experiment``)."""
    words: Callable[[Any], dict[str, str]] | None = None
    """``words(variant)``: exact replacements in the master's markdown cells at release, so the notebook's
    prose names the week's numbers (the lecture's own in brackets) rather than only the lecture's."""
    written: Callable[[Any], list[dict]] | None = None
    """``written(variant)``: the cells of a short written question (서술형) a release adds when asked
    (``initlab release --written``): nbgrader cells, the answer one a manually graded solution cell
    holding the model answer, which nbgrader's release replaces and a TA grades in formgrader."""
    written_after: str = ""
    """The grade id of the master's cell the written question follows (the end of the notebook if none)."""
    independent_solutions: Callable[[], list[str]] | None = None
    """``independent_solutions()``: correct whole submissions written independently of each other; what they
    share is what the similarity report does not count as copying (engine/similarity.py)."""
    code: tuple[Path, ...] = ()
    """Files whose change makes a journal line stale: the checks' and the answer key's code."""

    @property
    def contract(self) -> Contract:
        return self.checks.contract

    @property
    def stem(self) -> str:
        """The file name a student hands in, without .py or .ipynb."""
        return self.contract.stem


def lecture_name(name: str | None = None) -> str:
    """The lecture to use: ``name``, else INITLAB_LECTURE, else the default."""
    return name or os.environ.get("INITLAB_LECTURE") or DEFAULT_LECTURE


def helper_path(name: str | None = None) -> Path:
    """Where the lecture's built helper is (``initlab_lab.py`` in its package folder), found without
    importing the lecture (and numpy): a jail can be built, and its zygote started, meanwhile."""
    import importlib.util

    name = lecture_name(name)
    spec = importlib.util.find_spec(name if "." in name else f"{LECTURES_PACKAGE}.{name}")
    if spec is None or not spec.origin:
        raise ValueError(f"no lecture named {name!r}")
    return Path(spec.origin).resolve().parent / "initlab_lab.py"


def load(name: str | None = None) -> Assignment:
    """The lecture ``name`` (a short name under autograder/lectures/, or a dotted module path)."""
    return _load(lecture_name(name))


@lru_cache(maxsize=None)
def _load(name: str) -> Assignment:
    module_name = (name if "." in name else f"{LECTURES_PACKAGE}.{name}") + ".assignment"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name and module_name.startswith(exc.name):
            raise ValueError(f"no lecture named {name!r} (looked for the module {module_name})") from None
        raise
    found = getattr(module, "ASSIGNMENT", None)
    if not isinstance(found, Assignment):
        raise ValueError(f"{module_name} has no ASSIGNMENT (see docs/design.md, 'Adding a lecture')")
    if Path(found.helper_file).resolve() != helper_path(name):
        raise ValueError(f"{module_name}: the built helper must be initlab_lab.py beside the package's __init__.py")
    return found
