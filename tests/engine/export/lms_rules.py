"""The import rules of the LMSs, as their own importers apply them (../shared/notes/lms-formats.md §2).

Each function returns the problems an importer would stop at or silently get wrong; an empty list
means the file imports with no hand edits.  Sources: Moodle's grade/import/csv (gradeimport_csv,
load_data.php), Moodle's mod/assign/feedback/offline (importgradeslib.php), Canvas's
gradebook_importer.rb.
"""
from __future__ import annotations

import csv
import io
import re
from pathlib import Path


def rows_of(path: Path) -> list[list[str]]:
    """The CSV as an importer reads it: UTF-8, a BOM stripped (Moodle's csvlib and Canvas both do)."""
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


def formula_cells(rows: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run as a formula (OWASP's CSV injection rule): text starting with
    =, +, -, @, a tab or a carriage return that is not a number (or a lone '-', the 'no grade')."""
    return [f"cell {cell[:40]!r} starts a formula" for row in rows for cell in row
            if cell.startswith(("=", "+", "-", "@", "\t", "\r"))
            and not re.fullmatch(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?|-", cell)]


def _grade_problem(value: str, maximum: float) -> str | None:
    if value in ("", "-"):
        return None  # no grade
    try:
        grade = float(value)  # unformat_float: a decimal point (a comma only in some locales)
    except ValueError:
        return f"{value!r} is not a grade (badgrade)"
    return f"{value} is above the item's maximum {maximum:g}" if grade > maximum else None


def moodle_gradebook(rows: list[list[str]], id_numbers: set[str], item_max: float = 100.0) -> list[str]:
    """Moodle's "Import -> CSV file", mapping "ID number" to the users' ID number (the 학번).

    A row whose ID number matches no user aborts the whole import; a ragged row is csvweirdcolumns; a
    "Last downloaded from this course" column blocks edited grades; a grade above the item's maximum
    (100 for a new item) needs site settings a course does not have."""
    problems = formula_cells(rows)
    header = rows[0]
    if "ID number" not in header:
        return ["no 'ID number' column to map users by"]
    if any("Last downloaded" in h for h in header):
        problems.append("a 'Last downloaded from this course' column")
    idx = header.index("ID number")
    grade_columns = [i for i, h in enumerate(header) if h not in ("ID number", "Email address", "First name", "Surname")]
    for row in rows[1:]:
        if len(row) != len(header):
            problems.append(f"row {row[:1]} has {len(row)} fields, the header {len(header)} (csvweirdcolumns)")
            continue
        if row[idx] not in id_numbers:
            problems.append(f"user with ID number {row[idx]!r} not found: the whole import stops")
        problems += [p for i in grade_columns if (p := _grade_problem(row[i], item_max))]
    return problems


def canvas_gradebook(rows: list[list[str]], sis_ids: set[str], assignment_ids: dict[str, str]) -> list[str]:
    """Canvas's gradebook importer: its header rules, its "Title (id)" matching, its student matching."""
    problems = formula_cells(rows)
    header = rows[0]
    if "Student" not in header[0] or "ID" not in header[1]:
        return ["the header must start with Student, ID"]
    info = 2
    while info < len(header) and header[info] in ("SIS User ID", "SIS Login ID", "Integration ID", "Root Account"):
        info += 1
    if info >= len(header) or "Section" not in header[info]:
        return ["the last student column must be Section (Invalid header row)"]
    for title in header[info + 1:]:
        m = re.fullmatch(r"(.*) \((\d+)\)", title)
        if m is None or assignment_ids.get(m.group(1)) != m.group(2):
            problems.append(f"column {title!r} is not 'Title (id)' of an existing assignment: Canvas would make a new one")
    body = rows[1:]
    if body and "Points Possible" in body[0][0]:
        body = body[1:]
    sis = header.index("SIS User ID") if "SIS User ID" in header else None
    for row in body:
        if len(row) != len(header):
            problems.append(f"row {row[:1]} has {len(row)} fields, the header {len(header)}")
            continue
        if sis is None or row[sis] not in sis_ids:
            problems.append(f"student {row[:1]} matches no SIS User ID")
        for value in row[info + 1:]:
            if value not in ("", "-", "EX"):
                try:
                    float(value.replace(",", "."))
                except ValueError:
                    problems.append(f"{value!r} is not a score")
    return problems


def moodle_worksheet(rows: list[list[str]], participants: set[str]) -> list[str]:
    """Moodle's assignment "Upload grading worksheet" (English site): it finds Identifier, Grade and
    "Last modified (grade)" by header text and rejects the file without any of them."""
    header = rows[0]
    missing = [h for h in ("Identifier", "Grade", "Last modified (grade)") if h not in header]
    if missing:
        return [f"no {', '.join(missing)} column: the upload is rejected"]
    problems = formula_cells(rows)
    ident, grade = header.index("Identifier"), header.index("Grade")
    for row in rows[1:]:
        m = re.fullmatch(r"Participant (\d+)", row[ident])
        if m is None or m.group(1) not in participants:
            problems.append(f"{row[ident]!r} is not a participant of the assignment")
        if (p := _grade_problem(row[grade], float("inf"))):
            problems.append(p)
    return problems
