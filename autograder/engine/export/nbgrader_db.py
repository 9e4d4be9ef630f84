"""Write initlab's scores into an nbgrader course's gradebook, through nbgrader's own API.

After :func:`write_scores`, ``nbgrader export`` and formgrader show the same totals as
initlab's grades.csv, because the numbers live in ordinary nbgrader Grade rows.

Grade-cell policy (which nbgrader grade cells receive initlab's points):

* **function mode.** The notebook is already in the gradebook with grade cells named
  ``check_<function>`` (what ``nbgrader generate_assignment`` records from the master
  notebook). Each such cell gets the sum of that function's check scores, and no cell is
  added. Adding per-check cells beside them would count every point twice. nbgrader would
  also refuse to regenerate a notebook whose cells changed once it has submissions. Each
  function that initlab grades must have its cell, and the cell's points must equal the
  sum of the function's checks; otherwise a ``ValueError`` says what to fix. Other grade
  cells in the notebook (for example, manually graded written answers) are left to
  formgrader.
* **check mode.** In every other case (a new course, or a notebook that initlab created
  before), initlab owns the notebook. It keeps one grade cell per check, named by
  :func:`grade_id`, with the check's points. A grade cell in it that initlab does not know
  (for example, from an older check list) is an error, not something to guess about,
  because it would silently change the totals.

In both modes the auto score is set, ``needs_manual_grade`` is cleared, and a human's
manual score in formgrader still takes precedence (nbgrader's own rule).

Order of work: run ``nbgrader generate_assignment`` *before* the first ``initlab grade --course``
for that assignment. The other way round, the notebook is in check mode and has submissions,
and nbgrader refuses to replace its cells ("Cannot add or remove cells ... because there are
submissions").
"""
from __future__ import annotations

import contextlib
import hashlib
import math
import os
import re
import warnings
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from autograder.engine.startup import nbgrader_without_server_extensions
from autograder.engine.submission import CheckInfo

#: nbgrader's own rule for grade ids (the regex its create-assignment extension enforces).
_VALID_ID = re.compile(r"^[A-Za-z0-9_\-]+$")
#: Grade cell names are String(128) in nbgrader's schema.
_MAX_ID = 128
#: Scores may exceed the points by float noise only.
_EPS = 1e-9
CONFIG_FILE = "nbgrader_config.py"


@dataclass(frozen=True)
class ScoreRow:
    """One student's initlab scores for one notebook."""

    student_id: str
    first_name: str = ""
    last_name: str = ""
    email: str | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    """check_id -> points earned. A check that is missing here scores 0."""
    timestamp: datetime | str | None = None
    """Submission time (nbgrader uses it for late penalties). None keeps what the gradebook has."""

    def __post_init__(self):
        # Copy the mapping so that a caller who later changes its dict cannot change this record.
        object.__setattr__(self, "scores", dict(self.scores))


@dataclass(frozen=True)
class CellPlan:
    """One nbgrader grade cell that initlab writes, and the checks whose scores it sums."""

    name: str
    points: float
    check_ids: tuple[str, ...]


@dataclass(frozen=True)
class CourseSettings:
    """Where a course's gradebook is and under which course id, as nbgrader resolves them."""

    root: Path
    db_url: str
    course_id: str


# ---------------------------------------------------------------------------------------------
# Grade ids

def grade_id(check_id: str) -> str:
    """A readable nbgrader grade id for a check (only ``[A-Za-z0-9_-]``, as nbgrader requires).

    ``check_init_std[xavier_init]`` becomes ``check_init_std-xavier_init``, and
    ``check_activation_probe_lecture_stats[sigmoid-std=0.01]`` becomes
    ``check_activation_probe_lecture_stats-sigmoid-std_0_01``. Names that are too long get a
    hash suffix. Use :func:`grade_ids` for a whole list, because it also resolves clashes.

    Args:
        check_id: a check's id (a function name), optionally with ``[parameters]``.

    Returns:
        The grade id.
    """
    # A check's name is an identifier, so the first "-" marks where the parameters begin.
    name = check_id.replace("[", "-", 1)
    name = name[:-1] if name.endswith("]") and "[" in check_id else name
    name = re.sub(r"[^A-Za-z0-9_\-]+", "_", name).strip("_") or "check"
    if len(name) > _MAX_ID:
        name = f"{name[:_MAX_ID - 7]}-{_short_hash(check_id)}"
    return name


def grade_ids(checks: Sequence[CheckInfo]) -> dict[str, str]:
    """Unique grade ids for a list of checks.

    Args:
        checks: the checks, each with a unique check_id.

    Returns:
        check_id -> grade id. Check ids that would give the same grade id each get a short hash of
        their own check_id appended, so each name depends only on its check.
    """
    ids = {c.check_id: grade_id(c.check_id) for c in checks}
    counts: dict[str, int] = {}
    for name in ids.values():
        counts[name] = counts.get(name, 0) + 1
    ids = {cid: (f"{name[:_MAX_ID - 7]}-{_short_hash(cid)}" if counts[name] > 1 else name)
           for cid, name in ids.items()}
    # A per-check name equal to a function's cell name would make the two policies indistinguishable.
    functions = {function_cell(c.function) for c in checks}
    bad = sorted(n for n in ids.values() if n in functions or not _VALID_ID.match(n))
    if bad or len(set(ids.values())) != len(ids):
        raise ValueError(f"check ids give unusable nbgrader grade ids: {bad or sorted(ids.values())}")
    return ids


def function_cell(function: str) -> str:
    """The grade id that ``generate_assignment`` records for a function's self-check cell."""
    return f"check_{function}"


def _short_hash(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:6]


# ---------------------------------------------------------------------------------------------
# The grade-cell policy, as a pure function

def plan_cells(existing: Mapping[str, float], checks: Sequence[CheckInfo]) -> tuple[str, tuple[CellPlan, ...]]:
    """Decide which grade cells receive initlab's scores (see the module docstring).

    Args:
        existing: the notebook's grade cells already in the gradebook (name -> max score); empty
            for a new notebook.
        checks: every check initlab grades, in order.

    Returns:
        ``("function", plans)`` or ``("check", plans)``.

    Raises:
        ValueError: the notebook's cells do not fit either mode; the message says how to fix it.
    """
    ids = grade_ids(checks)
    by_function: dict[str, list[CheckInfo]] = {}
    for c in checks:
        by_function.setdefault(c.function, []).append(c)

    if any(function_cell(f) in existing for f in by_function):
        plans = []
        problems = []
        for function, group in by_function.items():
            name = function_cell(function)
            points = round(sum(c.points for c in group), 6)
            if name not in existing:
                problems.append(f"no grade cell {name!r} for {function} ({points:g} points)")
            elif not math.isclose(existing[name], points, abs_tol=1e-6):
                problems.append(f"grade cell {name!r} is worth {existing[name]:g} points, "
                                f"initlab's checks of {function} {points:g}")
            plans.append(CellPlan(name, points, tuple(c.check_id for c in group)))
        doubled = sorted(set(ids.values()) & set(existing))
        if doubled:
            problems.append(f"per-check cells {doubled} sit beside the notebook's own cells and would count "
                            f"twice; remove the notebook from the gradebook and regenerate it")
        if problems:
            raise ValueError("the gradebook's notebook does not match initlab's checks: " + "; ".join(problems)
                             + ". Regenerate it from the current master (nbgrader generate_assignment --force) "
                               "before grading.")
        return "function", tuple(plans)

    unknown = sorted(set(existing) - set(ids.values()))
    if unknown:
        raise ValueError(f"the gradebook's notebook has grade cells initlab does not write: {unknown}. "
                         f"They would change nbgrader's totals; remove them (nbgrader db assignment remove) "
                         f"or use a notebook made by nbgrader generate_assignment.")
    return "check", tuple(CellPlan(ids[c.check_id], float(c.points), (c.check_id,)) for c in checks)


def cell_items(cell_names: Sequence[str], checks: Sequence[CheckInfo]) -> dict[str, str]:
    """Name the item (a student function) that each grade cell belongs to, for per-function columns.

    Args:
        cell_names: the grade cells of a notebook.
        checks: initlab's checks (to recognise per-check cells).

    Returns:
        cell name -> function name, or the cell's own name when it belongs to no function (e.g. a
        manually graded answer).
    """
    owner = {name: c.function for c, name in zip(checks, grade_ids(checks).values())}
    owner.update({function_cell(c.function): c.function for c in checks})
    return {name: owner.get(name, name) for name in cell_names}


# ---------------------------------------------------------------------------------------------
# The course directory

nbgrader_without_server_extensions()  # before anything below imports nbgrader (engine/startup.py)


def course_settings(course_dir: Path) -> CourseSettings:
    """Read the course's nbgrader_config.py (if any) as nbgrader does, to find its db and course id.

    Args:
        course_dir: the nbgrader course root.

    Returns:
        Its settings. Without a config the course id is the folder's name, as in
        ``nbgrader quickstart <course_id>``.
    """
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=_course_config(Path(course_dir).resolve()))
    return CourseSettings(Path(coursedir.root), coursedir.db_url, coursedir.course_id)


def _course_config(root: Path):
    """The course's nbgrader_config.py, executed the way nbgrader executes it (an empty config naming the
    folder as course id when there is none), with the course's root."""
    from traitlets.config import Config
    from traitlets.config.loader import PyFileConfigLoader

    if (root / CONFIG_FILE).is_file():
        cfg = PyFileConfigLoader(CONFIG_FILE, path=str(root)).load_config()
    else:
        cfg = Config()
        cfg.CourseDirectory.course_id = root.name
    if "root" not in cfg.CourseDirectory:
        cfg.CourseDirectory.root = str(root)
    return cfg


def ensure_course(course_dir: Path) -> CourseSettings:
    """Create the course folder and a minimal nbgrader_config.py if they are missing.

    Args:
        course_dir: the nbgrader course root.

    Returns:
        The course's settings.
    """
    root = Path(course_dir)
    root.mkdir(parents=True, exist_ok=True)
    config = root / CONFIG_FILE
    if not config.exists():
        # repr() gives a valid Python string literal for any folder name.
        config.write_text(f"c = get_config()\nc.CourseDirectory.course_id = {root.resolve().name!r}\n",
                          encoding="utf-8")
    return course_settings(root)


@contextlib.contextmanager
def open_gradebook(course_dir: Path, create: bool = False) -> Iterator:
    """Open a course's gradebook with nbgrader's ``Gradebook``.

    Args:
        course_dir: the nbgrader course root.
        create: make the course files and gradebook.db if missing; otherwise a missing sqlite
            gradebook raises ``FileNotFoundError`` (opening it would create an empty one).

    Yields:
        An open ``nbgrader.api.Gradebook``.
    """
    from nbgrader.api import Gradebook

    settings = ensure_course(course_dir) if create else course_settings(course_dir)
    db_file = _sqlite_path(settings.db_url)
    if not create and db_file is not None and not db_file.is_file():
        raise FileNotFoundError(f"no nbgrader gradebook at {db_file}")
    with _quiet_sqlalchemy(), _schema_head_in_process(), Gradebook(settings.db_url, course_id=settings.course_id) as gb:
        yield gb


def alembic_head() -> str:
    """The head revision of nbgrader's gradebook schema: what nbgrader stamps a new gradebook.db with.

    nbgrader reads it by running ``alembic heads`` on its own migration scripts in a subprocess
    (~1 s per new gradebook, the start of every first release); this reads the same scripts with
    alembic's own API (tests/engine/export/test_nbgrader_db.py checks that both agree).
    """
    import nbgrader.api
    from alembic.script import ScriptDirectory

    return ScriptDirectory(os.path.join(os.path.dirname(nbgrader.api.__file__), "alembic")).get_current_head()


@contextlib.contextmanager
def _schema_head_in_process() -> Iterator[None]:
    """While nbgrader's Gradebook is made here, it gets the schema head from :func:`alembic_head`."""
    import nbgrader.api

    original = nbgrader.api.get_alembic_version
    nbgrader.api.get_alembic_version = alembic_head
    try:
        yield
    finally:
        nbgrader.api.get_alembic_version = original


def _sqlite_path(db_url: str) -> Path | None:
    prefix = "sqlite:///"
    return Path(db_url[len(prefix):]) if db_url.startswith(prefix) else None


@contextlib.contextmanager
def _quiet_sqlalchemy():
    # SQLAlchemy 2.1 warns "... not in session" about the backref cascades inside nbgrader's own
    # add_submission. Its rows are saved anyway, because it adds the submission afterwards. The
    # tests check that our own rows are saved, since this filter would hide the same warning for them.
    from sqlalchemy.exc import SAWarning

    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r".*not in session", category=SAWarning)
        yield


# ---------------------------------------------------------------------------------------------
# Writing

@dataclass(frozen=True)
class Lateness:
    """How late a submission was against the assignment's due date (with the student's extension), and
    the penalty the course's late-submission plugin gave it, as ``nbgrader autograde`` records them."""

    seconds: float = 0.0
    penalty: float = 0.0
    problem: str = ""
    """Why lateness could not be judged (an unreadable timestamp.txt), or ''."""


def _parse_timestamp(text) -> tuple[datetime | None, str]:
    from nbgrader.utils import parse_utc

    if text is None or isinstance(text, datetime):
        return text, ""
    try:
        return parse_utc(str(text)), ""
    except (ValueError, OverflowError, TypeError) as exc:
        return None, f"its timestamp.txt ({str(text)[:60]!r}) is not a time nbgrader reads ({type(exc).__name__})"


def _late_penalties(course_dir: Path):
    """nbgrader's AssignLatePenalties as the course configures it (its plugin class and penalty method)."""
    from nbgrader.preprocessors import AssignLatePenalties

    assigner = AssignLatePenalties(config=_course_config(Path(course_dir).resolve()))
    assigner.init_plugin()
    return assigner


def write_scores(course_dir: Path, assignment: str, notebook: str, checks: Sequence[CheckInfo],
                 rows: Sequence[ScoreRow]) -> dict[str, Lateness]:
    """Write initlab's scores into ``course_dir``'s gradebook, so nbgrader shows the same totals.

    Creates the course config, gradebook, assignment, notebook, grade cells (in check mode),
    students and submissions as needed. Running it again with the same rows leaves the
    gradebook unchanged. Students who are not in ``rows`` are left alone.

    Args:
        course_dir: the nbgrader course root (may not exist yet).
        assignment: nbgrader assignment name, e.g. ``week01``.
        notebook: notebook name without ``.ipynb``, e.g. ``weight_init``.
        checks: every check initlab graded (``autograder.engine.steps.run_checks.list_checks()``).
        rows: one per student.

    Returns:
        student id -> :class:`Lateness`, for every row: with a timestamp and the assignment's due date,
        the late penalty is what ``nbgrader autograde`` would record (nbgrader's own AssignLatePenalties
        and the course's late-submission plugin, on the notebook's score), and it is recorded so.

    Raises:
        ValueError: bad rows (duplicate or empty student id, unknown check, score out of range),
            or a gradebook notebook that fits neither policy (see the module docstring).
    """
    from nbgrader.api import Grade, SubmittedNotebook

    checks = tuple(checks)
    _validate(assignment, notebook, checks, rows)
    with open_gradebook(course_dir, create=True) as gb, _one_transaction(gb):
        # No keyword arguments, so an existing assignment keeps its due date and notebook its kernelspec.
        gb.update_or_create_assignment(assignment)
        nb = gb.update_or_create_notebook(notebook, assignment)
        mode, plans = plan_cells({c.name: c.max_score for c in nb.grade_cells}, checks)
        if mode == "check":
            for plan in plans:
                cell = _find_cell(nb, plan.name)
                if cell is None or cell.max_score != plan.points or cell.cell_type != "code":
                    gb.update_or_create_grade_cell(plan.name, notebook, assignment,
                                                   max_score=plan.points, cell_type="code")
        cells = {plan.name: _find_cell(nb, plan.name) for plan in plans}
        # A cell added after some submissions exist has no Grade rows in them yet (nbgrader's
        # add_submission only mirrors the cells present at that time), so add them, as it would.
        for snb in list(nb.submissions):
            _ensure_grades(gb, snb, cells.values(), Grade)

        assigner = None
        lateness: dict[str, Lateness] = {}
        for row in rows:
            names = {k: v for k, v in (("first_name", row.first_name), ("last_name", row.last_name),
                                       ("email", row.email)) if v}
            # Empty fields never overwrite what the gradebook knows (e.g. from `nbgrader db student import`).
            gb.update_or_create_student(row.student_id, **names)
            timestamp, problem = _parse_timestamp(row.timestamp)
            extra = {"timestamp": timestamp} if timestamp is not None else {}
            sub = gb.update_or_create_submission(assignment, row.student_id, **extra)
            snb = next((n for n in sub.notebooks if n.notebook_id == nb.id), None)
            if snb is None:  # the notebook joined the assignment after this submission was made
                snb = SubmittedNotebook(notebook=nb, assignment=sub)
                gb.db.add(snb)
            grades = _ensure_grades(gb, snb, cells.values(), Grade)
            for plan in plans:
                grade = grades[cells[plan.name].id]
                score = round(sum(row.scores.get(cid, 0.0) for cid in plan.check_ids), 6)
                if grade.auto_score != score or grade.needs_manual_grade:
                    grade.auto_score = score
                    grade.needs_manual_grade = False
            # What nbgrader autograde's AssignLatePenalties does, on the score just written.
            gb.db.flush()
            gb.db.expire(snb)
            gb.db.expire(sub)
            snb.late_submission_penalty = None
            late = float(sub.total_seconds_late or 0.0)
            penalty = 0.0
            if late > 0:
                assigner = assigner or _late_penalties(course_dir)
                value = assigner.plugin_inst.late_submission_penalty(row.student_id, snb.score, late)
                if value is not None:
                    penalty = float(assigner._check_late_penalty(snb, value))
                    snb.late_submission_penalty = penalty
            lateness[row.student_id] = Lateness(late, penalty, problem)
        return lateness


@contextlib.contextmanager
def _one_transaction(gb) -> Iterator[None]:
    """Turn the commit inside each of nbgrader's Gradebook methods into a flush; commit once at the end.

    Gradebook commits after every student and every submission. On SQLite each commit is an
    fsync (about 10 ms, so 6 s for 300 students), and a failure half-way would leave half a
    class written. Flushing still runs every INSERT and constraint check at the same point,
    so nbgrader's own error handling is unchanged. It rolls back, and so undoes the whole write.
    """
    session = gb.db
    commit = session.commit
    session.commit = session.flush
    try:
        yield
    except BaseException:
        session.rollback()
        raise
    else:
        commit()
    finally:
        del session.commit


def _find_cell(nb, name: str):
    return next((c for c in nb.grade_cells if c.name == name), None)


def _ensure_grades(gb, snb, cells, grade_class) -> dict:
    grades = {g.cell_id: g for g in snb.grades}
    for cell in cells:
        if cell.id not in grades:
            grades[cell.id] = grade_class(cell_id=cell.id, notebook=snb)
            # SQLAlchemy 2 no longer cascades along the many-to-one side, so add it explicitly.
            gb.db.add(grades[cell.id])
    return grades


def _validate(assignment: str, notebook: str, checks: tuple[CheckInfo, ...], rows: Sequence[ScoreRow]) -> None:
    if not assignment.strip() or not notebook.strip():
        raise ValueError("assignment and notebook names must not be empty")
    if notebook.endswith(".ipynb"):
        raise ValueError(f"give the notebook name without .ipynb: {notebook!r}")
    points = {c.check_id: c.points for c in checks}
    if len(points) != len(checks):
        raise ValueError("check ids must be unique")
    seen: set[str] = set()
    for row in rows:
        if not row.student_id or row.student_id != row.student_id.strip():
            raise ValueError(f"bad student id {row.student_id!r}")
        if row.student_id in seen:
            raise ValueError(f"student {row.student_id!r} appears twice")
        seen.add(row.student_id)
        for cid, score in row.scores.items():
            if cid not in points:
                raise ValueError(f"student {row.student_id}: unknown check {cid!r}")
            if not (math.isfinite(score) and -_EPS <= score <= points[cid] + _EPS):
                raise ValueError(f"student {row.student_id}: {cid} scored {score!r} of {points[cid]:g}")
