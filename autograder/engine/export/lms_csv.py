"""Gradebook CSVs for LMS import (Moodle, Canvas, and a neutral long format), read from nbgrader.

The numbers come from the nbgrader gradebook through nbgrader's own API, so they are the
ones formgrader shows, manual scores included. An assignment total is nbgrader's
``score``, that is ``max(0, raw score - late penalty)``, exactly as ``nbgrader export``
computes it. Every student in the gradebook gets a row, including students with no
submission: Moodle shows them as ``-`` (no grade), and Canvas and the long format leave the
cell empty.

All three files are UTF-8 with a BOM. Korean Excel reads a CSV without a BOM as CP949 and
garbles the names. Moodle strips the BOM, and Canvas's header check only asks that the first
cell *contain* "Student", so the BOM does no harm there either.

``nbgrader export --exporter=autograder.engine.export.nbgrader_plugin.MoodleExporter`` writes the
same bytes through :mod:`autograder.engine.export.nbgrader_plugin`.

Every file assumes a maximum, and an LMS takes a bare number as out of *its* item's maximum: Moodle
imports 54 into an item out of 100 as 54/100, without a word. ``scale`` says which maximum the file
is for: ``points`` (the assignment's own, 54), or the grade item's real maximum N (``100``, a new
item's default, or ``20``): every score then becomes score / max * N, to 2 decimals. Canvas's
"Points Possible" row and the long format's ``max_score`` column state it in the file; Moodle's
gradebook import would take an extra column or row for a grade item or a student, so for Moodle
:func:`maximum_line` says it on the terminal (``initlab export``'s last line). A file whose grades
exceed the maximum it declares (nbgrader's extra credit) is refused (:class:`AboveMaximum`), never
written: Moodle refuses such a grade and its assignment worksheet upload skips it silently.
"""
from __future__ import annotations

import contextlib
import csv
import io
import math
import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from autograder.engine.export.nbgrader_db import cell_items, open_gradebook
from autograder.engine.report.cells import SafeWriter

FORMATS: tuple[str, ...] = ("moodle", "canvas", "long")
#: File names used when a destination is not given (the nbgrader exporter plugin's default).
DEFAULT_FILES = {"moodle": "grades_moodle.csv", "canvas": "grades_canvas.csv", "long": "grades_long.csv"}
#: Moodle's gradeimport_csv reads '-' (and '') as "no grade".
MOODLE_NO_GRADE = "-"
#: The item name of an assignment's total in the long format.
TOTAL = "total"

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


@dataclass(frozen=True)
class Item:
    """One graded column: an assignment's total, or one student function's part of it."""

    assignment: str
    name: str
    """``total``, or a function name (or an unrelated grade cell's name) for per-function items."""
    title: str
    """Column header in the wide formats."""
    max_score: float


@dataclass(frozen=True)
class StudentGrades:
    """One student's row: identity, then one score per item (None: no submission)."""

    student_id: str
    first_name: str
    last_name: str
    email: str
    scores: tuple[float | None, ...]
    late_penalties: tuple[float | None, ...]
    """Per item: the penalty nbgrader subtracted (totals only; None elsewhere)."""


# ---------------------------------------------------------------------------------------------
# Reading the gradebook

def collect(gradebook, assignments: Sequence[str], per_function: bool = False,
            students: Sequence[str] = (), lecture: str = "") -> tuple[tuple[Item, ...], tuple[StudentGrades, ...]]:
    """Read the items and every student's scores from an open nbgrader gradebook.

    Args:
        gradebook: an open ``nbgrader.api.Gradebook``.
        assignments: assignment names, in column order.
        per_function: also give one item per graded student function (after each total).
        students: only these student ids (all students of the gradebook when empty).
        lecture: the course's lecture, whose functions group the per-function items ('' for the default).

    Returns:
        (items, one StudentGrades per student, sorted by student id).

    Raises:
        ValueError: an assignment or student that the gradebook does not have.
    """
    from nbgrader.api import MissingEntry

    known = {a.name: a for a in gradebook.assignments}
    missing = [a for a in assignments if a not in known]
    if missing:
        raise ValueError(f"no assignment {', '.join(map(repr, missing))} in the gradebook "
                         f"(it has: {', '.join(sorted(known)) or 'none'})")
    everyone = {s.id: s for s in gradebook.students}
    unknown = [s for s in students if s not in everyone]
    if unknown:
        raise ValueError(f"no student {', '.join(map(repr, unknown))} in the gradebook")
    chosen = sorted(students or everyone)

    items: list[Item] = []
    layouts = []  # per assignment: (name, index of its total, cell id -> index of its per-function item)
    for name in assignments:
        assignment = known[name]
        total = len(items)
        items.append(Item(name, TOTAL, name, float(assignment.max_score or 0.0)))
        cell_to_item: dict[str, int] = {}
        if per_function:
            for item_name, cells in _function_groups(assignment, lecture).items():
                cell_to_item.update({cell.id: len(items) for cell in cells})
                items.append(Item(name, item_name, f"{name}: {item_name}",
                                  round(sum(c.max_score for c in cells), 6)))
        layouts.append((name, total, cell_to_item))

    rows = []
    for sid in chosen:
        student = everyone[sid]
        scores: list[float | None] = [None] * len(items)
        penalties: list[float | None] = [None] * len(items)
        for name, total, cell_to_item in layouts:
            try:
                sub = gradebook.find_submission(name, sid)
            except MissingEntry:
                continue  # no submission: no grade, not zero
            penalty = float(sub.late_submission_penalty or 0.0)
            # The same arithmetic as nbgrader's CsvExportPlugin, so the totals agree with it.
            scores[total] = max(0.0, float(sub.score) - penalty)
            penalties[total] = penalty
            for index in set(cell_to_item.values()):
                scores[index] = 0.0
            for snb in sub.notebooks:
                for grade in snb.grades:
                    if grade.cell_id in cell_to_item:
                        scores[cell_to_item[grade.cell_id]] += float(grade.score or 0.0)
        rows.append(StudentGrades(sid, student.first_name or "", student.last_name or "", student.email or "",
                                  tuple(s if s is None else round(s, 6) for s in scores), tuple(penalties)))
    return tuple(items), tuple(rows)


def _function_groups(assignment, lecture: str = "") -> dict[str, list]:
    """Group an assignment's graded cells by the student function they grade, in the lecture's order."""
    # Imported here: the checks load the student helper and numpy, which plain totals never need.
    from autograder.engine.assignment import load
    from autograder.engine.steps.run_checks import list_checks

    checks = list_checks(load(lecture or None))
    order = {f: i for i, f in enumerate(dict.fromkeys(c.function for c in checks))}
    notebooks = sorted(assignment.notebooks, key=lambda nb: nb.name)
    groups: dict[str, list] = {}
    for nb in notebooks:
        cells = list(nb.grade_cells) + list(nb.task_cells)
        owner = cell_items([c.name for c in cells], checks)
        for cell in cells:
            # With several notebooks the same function could be graded twice: keep them apart.
            key = owner[cell.name] if len(notebooks) == 1 else f"{nb.name}/{owner[cell.name]}"
            groups.setdefault(key, []).append(cell)

    def rank(key: str) -> tuple:
        notebook, _, item = key.rpartition("/")
        return (notebook, order.get(item, len(order)), item)

    return {k: groups[k] for k in sorted(groups, key=rank)}


# ---------------------------------------------------------------------------------------------
# Formatting

#: The named scales; any positive number N is a scale too (the LMS grade item's maximum): ``points`` keeps the
#: assignment's own points, ``100`` is a new Moodle or Canvas item's default maximum, so the LMS shows 50/54 as
#: 92.59/100 rather than 50/100.
SCALES = ("points", "100")
#: What the maximum is called where each file goes (``worksheet``: Moodle's assignment grading worksheet).
LMS_MAXIMUM = {"moodle": "the eclass grade item's maximum", "canvas": "the Canvas assignment's Points Possible",
               "long": "the maximum of the sheet it goes into", "worksheet": "the eclass assignment's Maximum grade"}


class AboveMaximum(ValueError):
    """Grades above the maximum their file declares: Moodle's gradebook import refuses such a grade, its
    assignment worksheet upload skips it without a word, and Canvas takes it as extra credit."""


def parse_scale(scale: str | float) -> str:
    """``points``, or the positive number N a scale names, written as the files write numbers ('100', '20', '12.5').

    Raises:
        ValueError: anything else (0, a negative number, a word).
    """
    text = str(scale).strip().lower()
    if text == "points":
        return text
    try:
        n = float(text)
    except ValueError:
        n = math.nan
    if not (math.isfinite(n) and n > 0) or _num(n) == "0":
        raise ValueError(f"unknown scale {str(scale)!r}: give points (the assignment's own) or the LMS grade item's "
                         "maximum, a positive number such as 100 or 20")
    return _num(n)


def scale_maximum(maximum: float, scale: str) -> float:
    """The maximum an item out of ``maximum`` points has on ``scale`` (an item worth nothing keeps 0)."""
    return maximum if scale == "points" or not maximum else float(scale)


def on_scale(score: float, maximum: float, scale: str) -> float:
    """A score out of ``maximum`` on ``scale``: as it is for ``points``, else score / maximum * N to 2 decimals
    (a score within the maximum never rounds above N)."""
    if scale == "points" or not maximum:
        return score
    n = float(scale)
    value = round(score / maximum * n, 2)
    return min(value, n) if score <= maximum else value


def rescaled(items: Sequence[Item], rows: Sequence[StudentGrades], scale: str) -> tuple[tuple, tuple]:
    """Items and rows with every score on ``scale``: out of N (a positive number), or as they are (``points``)."""
    scale = parse_scale(scale)
    if scale == "points":
        return tuple(items), tuple(rows)
    new_items = tuple(Item(i.assignment, i.name, i.title, scale_maximum(i.max_score, scale)) for i in items)
    new_rows = tuple(StudentGrades(r.student_id, r.first_name, r.last_name, r.email,
                                   tuple(None if x is None else on_scale(x, i.max_score, scale)
                                         for x, i in zip(r.scores, items)),
                                   tuple(None if p is None else round(on_scale(p, i.max_score, scale), 2)
                                         for p, i in zip(r.late_penalties, items)))
                     for r in rows)
    return new_items, new_rows


def above_maximum(items: Sequence[Item], rows: Sequence[StudentGrades]) -> list[str]:
    """Each grade above its item's maximum, as 'student (item: grade > maximum)'."""
    return [f"{r.student_id} ({i.title}: {_num(s)} > {_num(i.max_score)})" for r in rows
            for i, s in zip(items, r.scores) if s is not None and s > i.max_score + 1e-9]


def check_maximum(items: Sequence[Item], rows: Sequence[StudentGrades]) -> None:
    """Raise :class:`AboveMaximum`, naming the rows, when a grade exceeds the maximum its file declares."""
    above = above_maximum(items, rows)
    if above:
        raise AboveMaximum(
            f"{len(above)} grade(s) above the maximum the file declares, so nothing was written: "
            f"{', '.join(above[:10])}{' ...' if len(above) > 10 else ''}. An LMS refuses or skips such a grade; "
            "lower it in formgrader (nbgrader's extra credit counts above the maximum)")


def maximum_line(name: str, target: str, maximum: float, scale: str, command: str = "export",
                 per_function: bool = False) -> str:
    """The line that says which maximum a file's grades are out of, and what to set where they go.

    Args:
        name: the file's name.
        target: where it goes: a key of :data:`LMS_MAXIMUM` (``moodle``, ``canvas``, ``long``, ``worksheet``).
        maximum: the assignment's points.
        scale: ``points`` or N (:func:`parse_scale`).
        command: the command whose ``--scale`` changes it (``export``, ``grade``).
        per_function: the file has per-function columns too.
    """
    scale = parse_scale(scale)
    where = LMS_MAXIMUM[target]
    if scale == "points":
        own = "; each per-function column out of its own points" if per_function else ""
        other = "" if maximum == 100 else f", or {command} with --scale 100 for an item out of 100"
        return (f"{name}: grades out of {_num(maximum)} (the assignment's points{own}); "
                f"set {where} to {_num(maximum)}{other}")
    default = " (a new item's default)" if float(scale) == 100 else ""
    return (f"{name}: grades out of {scale} (--scale {scale}: score / {_num(maximum)} x {scale}, to 2 decimals); "
            f"set {where} to {scale}{default}")


#: Moodle's English names, as its userdate() writes them whatever the machine's locale.
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")


def moodle_time(when: datetime) -> str:
    """``when`` as Moodle's English worksheet writes a time (userdate, '%A, %d %B %Y, %I:%M %p' without leading
    zeros: 'Saturday, 5 December 2026, 10:15 AM'), then its UTC offset ('+09:00').  Moodle's upload reads it
    back with PHP's strtotime, which takes the offset, so the time is exact whatever the site's time zone; a
    naive ``when`` is taken as this machine's local time."""
    when = when if when.tzinfo is not None else when.astimezone()
    offset = when.utcoffset()
    minutes = round(offset.total_seconds() / 60) if offset is not None else 0
    sign, minutes = ("-" if minutes < 0 else "+"), abs(minutes)
    hour = when.hour % 12 or 12
    return (f"{_DAYS[when.weekday()]}, {when.day} {_MONTHS[when.month - 1]} {when.year}, "
            f"{hour}:{when.minute:02d} {'AM' if when.hour < 12 else 'PM'} {sign}{minutes // 60:02d}:{minutes % 60:02d}")


def render(fmt: str, items: Sequence[Item], rows: Sequence[StudentGrades], scale: str = "points",
           canvas_ids: dict[str, str] | None = None) -> bytes:
    """The CSV file's bytes in one of :data:`FORMATS`.

    Args:
        fmt: ``moodle``, ``canvas`` or ``long``.
        items: the graded items (from :func:`collect`).
        rows: the students (from :func:`collect`).
        scale: ``points`` (the assignment's own), or the LMS item's maximum N (``100``, ``20``): every score
            becomes score / max * N, to 2 decimals.
        canvas_ids: assignment name -> Canvas assignment id: its column is then headed ``Title (id)``,
            which Canvas matches to that assignment (a bare title it does not know makes a new one).

    Returns:
        The file content, UTF-8 with BOM, CRLF line ends (RFC 4180).

    Raises:
        AboveMaximum: a grade above the maximum the file declares (the rows are named).
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    items, rows = rescaled(items, rows, scale)
    check_maximum(items, rows)
    if canvas_ids:
        items = tuple(Item(i.assignment, i.name, f"{i.title} ({canvas_ids[i.assignment]})"
                           if i.name == TOTAL and i.assignment in canvas_ids else i.title, i.max_score) for i in items)
    buf = io.StringIO(newline="")
    if fmt == "moodle":
        # Every field quoted, as the kit's notes recommend; Moodle's importer accepts both.
        out = SafeWriter(buf, quoting=csv.QUOTE_ALL)
        out.writerow(["ID number", "Email address", "First name", "Surname", *(i.title for i in items)])
        for r in rows:
            out.writerow([r.student_id, r.email, r.first_name, r.last_name,
                          *(MOODLE_NO_GRADE if s is None else _num(s) for s in r.scores)])
    elif fmt == "canvas":
        # Canvas wants "Student", "ID", the SIS columns, and "Section" last. The Canvas user id is
        # unknown here, so it is left empty and Canvas matches on the SIS User ID (the student id).
        out = SafeWriter(buf)
        out.writerow(["Student", "ID", "SIS User ID", "SIS Login ID", "Section", *(i.title for i in items)])
        out.writerow(["    Points Possible", "", "", "", "", *(_num(i.max_score) for i in items)])
        for r in rows:
            out.writerow([sortable_name(r.first_name, r.last_name) or r.student_id, "", r.student_id, "", "",
                          *("" if s is None else _num(s) for s in r.scores)])
    else:
        out = SafeWriter(buf)
        out.writerow(["student_id", "email", "name", "assignment", "item", "score", "max_score", "late_penalty"])
        for r in rows:
            for item, score, penalty in zip(items, r.scores, r.late_penalties):
                out.writerow([r.student_id, r.email, full_name(r.first_name, r.last_name), item.assignment,
                              item.name, "" if score is None else _num(score), _num(item.max_score),
                              "" if penalty is None else _num(penalty)])
    return buf.getvalue().encode("utf-8-sig")


def full_name(first: str, last: str) -> str:
    """A display name: Korean order without a space (홍길동) for Hangul names, else 'First Last'."""
    if first and last and _HANGUL.search(first + last):
        return f"{last}{first}"
    return " ".join(p for p in (first, last) if p)


def sortable_name(first: str, last: str) -> str:
    """Canvas's sortable name, 'Last, First'."""
    return ", ".join(p for p in (last, first) if p)


def _num(x: float) -> str:
    # 4 decimals hide float noise (0.1 + 0.2) and stay within Moodle's 5 stored decimals.
    text = f"{round(float(x), 4):.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


# ---------------------------------------------------------------------------------------------
# Files

def export_gradebook(gradebook, fmt: str, to: Path, assignments: Sequence[str], per_function: bool = False,
                     students: Sequence[str] = (), scale: str = "points", canvas_ids: dict | None = None,
                     lecture: str = "") -> Path:
    """Write one LMS CSV from an open gradebook (shared by :func:`export` and the nbgrader plugin).

    Args:
        gradebook: an open ``nbgrader.api.Gradebook``.
        fmt: one of :data:`FORMATS`.
        to: destination file; replaced atomically.
        assignments: assignment names, in column order.
        per_function: add per-function items after each total.
        students: only these student ids (all when empty).

    Returns:
        The path written.
    """
    if fmt not in FORMATS:  # before reading anything
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    data = render(fmt, *collect(gradebook, assignments, per_function, students, lecture), scale=scale,
                  canvas_ids=canvas_ids)
    return write_atomic(Path(to), data)


def export(course_dir: Path, assignment: str, fmt: str, to: Path, per_function: bool = False,
           scale: str = "points", canvas_id: str | None = None, students: Sequence[str] = ()) -> Path:
    """Write an LMS gradebook CSV for one assignment of an nbgrader course.

    Args:
        course_dir: the nbgrader course root (its nbgrader_config.py is honoured).
        assignment: the assignment name in the gradebook.
        fmt: ``moodle`` (wide, all fields quoted, '-' for no grade), ``canvas`` (wide, Points
            Possible row) or ``long`` (one row per student and item).
        to: destination file.
        per_function: also give one column (or long-format item) per graded student function.

    Returns:
        The path written.

    Raises:
        FileNotFoundError: the course has no gradebook.
        ValueError: unknown format or scale, or an assignment the gradebook does not have.
        AboveMaximum: a grade above the maximum the file would declare (nothing is written).
    """
    return write_export(course_dir, assignment, fmt, to, per_function, scale, canvas_id, students).path


@dataclass(frozen=True)
class Exported:
    """What :func:`write_export` wrote."""

    path: Path
    maximum: float
    """The maximum the assignment's grades are out of in the file."""
    line: str
    """What ``initlab export`` says last: that maximum, and what to set in the LMS (:func:`maximum_line`)."""


def write_export(course_dir: Path, assignment: str, fmt: str, to: Path, per_function: bool = False,
                 scale: str = "points", canvas_id: str | None = None, students: Sequence[str] = ()) -> Exported:
    """:func:`export`, also telling the maximum the file assumes (the same arguments, the same bytes)."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    scale = parse_scale(scale)
    from autograder.engine.course import course_lecture

    with open_gradebook(Path(course_dir)) as gb:
        items, rows = collect(gb, [assignment], per_function, students, course_lecture(course_dir))
    data = render(fmt, items, rows, scale=scale, canvas_ids={assignment: canvas_id} if canvas_id else None)
    path = write_atomic(Path(to), data)
    total = items[0].max_score
    return Exported(path, scale_maximum(total, scale),
                    maximum_line(path.name, fmt, total, scale, "export", per_function=per_function))


def students_outside(course_dir: Path, roster_ids: Sequence[str]) -> tuple[list[str], list[str]]:
    """(the roster's students the gradebook has, the gradebook's students the roster lacks): Moodle's
    import stops at the first student it does not know, so only the roster's go in the file."""
    with open_gradebook(Path(course_dir)) as gb:
        known = {s.id for s in gb.students}
    wanted = set(roster_ids)
    return sorted(wanted & known), sorted(known - wanted)


def graded_outside(course_dir: Path, assignment: str, roster_ids: Sequence[str]) -> list[str]:
    """The gradebook's students with a submission of ``assignment`` that the roster lacks: a --roster export
    leaves them out, and the LMS imports the others without a word about them (``initlab export`` stops)."""
    with open_gradebook(Path(course_dir)) as gb:
        graded = {s.student_id for s in gb.assignment_submissions(assignment)}
    return sorted(graded - set(roster_ids))


def write_atomic(path: Path, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder, so no reader sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
        raise
    return path
