"""The import rules of the LMSs, as their own importers apply them (../shared/notes/lms-formats.md §2).

Each function returns the problems an importer would stop at or silently get wrong; an empty list
means the file imports with no hand edits.  Sources: Moodle's grade/import/csv (gradeimport_csv,
load_data.php), Moodle's mod/assign/feedback/offline (importgradeslib.php), Moodle's
admin/tool/uploaduser (locallib.php, classes/process.php) with lib/csvlib.class.php, Canvas's
gradebook_importer.rb.
"""
from __future__ import annotations

import csv
import io
import re
from datetime import datetime, timedelta, timezone, tzinfo
from pathlib import Path


def rows_of(path: Path) -> list[list[str]]:
    """The CSV as an importer reads it: UTF-8, a BOM stripped (Moodle's csvlib and Canvas both do)."""
    return rows_of_text(path.read_bytes().decode("utf-8"))


def rows_of_text(text: str) -> list[list[str]]:
    """:func:`rows_of` for a file's text."""
    return list(csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


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


#: A Korean site's time zone (no summer time since 1988), where a worksheet time without an offset is read.
KST = timezone(timedelta(hours=9))
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
           "November", "December")
_MOODLE_TIME = re.compile(r"(?P<wday>[A-Za-z]+), (?P<day>\d{1,2}) (?P<month>[A-Za-z]+) (?P<year>\d{4}), "
                          r"(?P<hour>\d{1,2}):(?P<minute>\d{2}) (?P<ampm>AM|PM)(?: (?P<offset>[+-]\d{2}:\d{2}))?")


def worksheet_time(text: str, site_tz: tzinfo = KST) -> int | None:
    """What the worksheet upload makes of a "Last modified (grade)" cell: PHP's strtotime, then ``+ 60``
    compared with the grade's time (importgradesform.php / locallib.php process_import_grades).

    It knows the forms a worksheet holds: Moodle's English userdate ('%A, %d %B %Y, %I:%M %p' without
    leading zeros: 'Saturday, 5 December 2026, 10:15 AM'), read in the site's time zone, or with a UTC
    offset after it ('... 10:15 AM +09:00'), read exactly; a weekday that is not the date's moves the
    date on to that weekday, as strtotime's day name does ('Thursday, 5 December 2026' is 10 December).
    '-' and '' (Moodle's own cell for a student never graded) are strtotime's false, which counts as 0.
    Returns the Unix time, 0 for false, or None for text these rules do not read."""
    if text.strip() in ("", "-"):
        return 0
    m = _MOODLE_TIME.fullmatch(text.strip())
    if m is None or m["wday"].capitalize() not in _DAYS or m["month"].capitalize() not in _MONTHS:
        return None
    hour = int(m["hour"])
    if not 1 <= hour <= 12:
        return None
    hour = hour % 12 + (12 if m["ampm"] == "PM" else 0)
    zone = site_tz
    if m["offset"]:
        sign = -1 if m["offset"][0] == "-" else 1
        zone = timezone(sign * timedelta(hours=int(m["offset"][1:3]), minutes=int(m["offset"][4:6])))
    try:
        when = datetime(int(m["year"]), _MONTHS.index(m["month"].capitalize()) + 1, int(m["day"]), hour,
                        int(m["minute"]), tzinfo=zone)
    except ValueError:
        return None
    when += timedelta(days=(_DAYS.index(m["wday"].capitalize()) - when.weekday()) % 7)
    return int(when.timestamp())


def moodle_worksheet(rows: list[list[str]], participants: set[str], item_max: float | None = None,
                     existing: dict[str, int] | None = None, site_tz: tzinfo = KST) -> list[str]:
    """Moodle's assignment "Upload grading worksheet" (English site): it finds Identifier, Grade and
    "Last modified (grade)" by header text and rejects the file without any of them; it reads no other
    column (a row of another length is csvweirdcolumns).

    Args:
        rows: the worksheet (:func:`rows_of`).
        participants: the assignment's participant numbers.
        item_max: the assignment's Maximum grade in Moodle. The upload reads Grade as out of it and ignores
            the worksheet's "Maximum Grade", so a row whose Maximum Grade differs imports as grade/item_max;
            a grade above it is skipped as out of range, without a word.
        existing: participant number -> Unix time its current grade was last modified, for the students
            who have a grade already: the upload skips a row whose "Last modified (grade)" is more than 60 s
            older (:func:`worksheet_time`), unless the teacher ticks "Allow updating records that have been
            modified more recently in Moodle than in the spreadsheet".
        site_tz: the site's time zone, for a time without an offset.
    """
    header = rows[0]
    missing = [h for h in ("Identifier", "Grade", "Last modified (grade)") if h not in header]
    if missing:
        return [f"no {', '.join(missing)} column: the upload is rejected"]
    problems = formula_cells(rows)
    ident, grade, modified = header.index("Identifier"), header.index("Grade"), header.index("Last modified (grade)")
    row_max = header.index("Maximum Grade") if "Maximum Grade" in header else None
    for row in rows[1:]:
        if len(row) != len(header):
            problems.append(f"row {row[:1]} has {len(row)} fields, the header {len(header)} (csvweirdcolumns)")
            continue
        who = row[ident]
        m = re.fullmatch(r"Participant (\d+)", who)
        if m is None or m.group(1) not in participants:
            problems.append(f"{who!r} is not a participant of the assignment")
        if (p := _grade_problem(row[grade], float("inf"))):
            problems.append(p)
            continue
        if row[grade] in ("", "-"):
            continue  # no grade: the upload leaves the student as they are
        value = float(row[grade])
        if row_max is not None:
            try:
                maximum = float(row[row_max])
            except ValueError:
                maximum = None
            if maximum is not None and value > maximum:
                problems.append(f"{who}: grade {row[grade]} is above the row's Maximum Grade {row[row_max]}")
            if maximum is not None and item_max is not None and abs(maximum - item_max) > 1e-9:
                problems.append(f"{who}: Maximum Grade {row[row_max]} is not the assignment's {item_max:g}; the upload "
                                f"ignores that column, so {row[grade]} imports as {row[grade]}/{item_max:g}")
        if item_max is not None and value > item_max:
            problems.append(f"{who}: grade {row[grade]} is above the assignment's maximum {item_max:g}: the upload "
                            "skips it (out of range) without a word")
        if existing and m is not None and m.group(1) in existing:
            when = worksheet_time(row[modified], site_tz)
            if when is None:
                problems.append(f"{who}: 'Last modified (grade)' {row[modified]!r} is not a time these rules read")
            elif existing[m.group(1)] > when + 60:
                problems.append(f"{who}: 'Last modified (grade)' {row[modified]!r} is older than the grade Moodle has: "
                                "the upload skips the row unless 'Allow updating records that have been modified more "
                                "recently in Moodle than in the spreadsheet' is ticked")
    return problems


#: admin/tool/uploaduser/classes/process.php (find_standard_fields) and the name fields
#: (get_all_user_name_fields): the columns Upload users knows besides courseN, groupN and the like.
UPLOADUSER_STANDARD = {
    "id", "username", "email", "emailstop", "city", "country", "lang", "timezone", "mailformat", "maildisplay",
    "maildigest", "htmleditor", "autosubscribe", "institution", "department", "idnumber", "skype", "msn", "aim",
    "yahoo", "icq", "phone1", "phone2", "address", "url", "description", "descriptionformat", "password", "auth",
    "oldusername", "suspended", "theme", "deleted", "mnethostid", "interests", "firstname", "lastname",
    "firstnamephonetic", "lastnamephonetic", "middlename", "alternatename"}
#: groups.name is varchar(254) (lib/db/install.xml; group/group_form.php has maxlength="254").
MOODLE_GROUP_NAME_MAX = 254


def moodle_user_upload(rows: list[list[str]], course_shortname: str, usernames: set[str] | None = None,
                       raw: bytes | None = None) -> list[str]:
    """Moodle's Site administration > Users > Upload users, putting existing users into course groups.

    Its header is checked by uu_validate_user_upload_columns (locallib.php): fewer than two columns is
    csvfewcolumns, an unknown one invalidfieldname, a repeated one duplicatefieldname; csvlib stops at a
    row of another length (csvweirdcolumns).  process.php then finds each user by ``username`` (stored
    lowercase: a name clean_param(PARAM_USERNAME) would change is invalidusername), courseN by the
    course's shortname, and groupN by name in that course, creating it if missing; a numeric group name
    is taken for a group id (the group cache keys non-numeric names only).

    Args:
        rows: the file as csvlib reads it (:func:`rows_of`: UTF-8, the BOM dropped).
        course_shortname: the course the file is for: every courseN must name it.
        usernames: the site's usernames, when known: a row of another user is skipped
            ("Update existing users only"), so the student gets no group.
        raw: the file's bytes, to check they are UTF-8 (the form's default encoding).
    """
    problems = []
    if raw is not None:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            problems.append(f"not UTF-8 ({exc.reason} at byte {exc.start})")
    if not rows or len(rows[0]) < 2:
        return problems + ["fewer than two columns (csvfewcolumns)"]
    header = [h.strip().lower() for h in rows[0]]
    for h in header:
        if h not in UPLOADUSER_STANDARD and not re.fullmatch(
                r"(sysrole|cohort|course|group|type|role|enrolperiod|enrolstatus)\d+", h):
            problems.append(f"column {h!r} is no Upload users field (invalidfieldname): nothing is uploaded")
    problems += [f"column {h!r} twice (duplicatefieldname)" for h in sorted(set(header)) if header.count(h) > 1]
    if "username" not in header:
        problems.append("no username column: no existing user can be matched")
    groups = [h for h in header if re.fullmatch(r"group\d+", h)]
    if not groups:
        problems.append("no groupN column: nobody is put into a group")
    problems += [f"{g} without {g.replace('group', 'course')}" for g in groups
                 if g.replace("group", "course") not in header]
    if problems:
        return problems
    problems = formula_cells(rows)
    at = {h: i for i, h in enumerate(header)}
    for row in rows[1:]:
        if len(row) != len(header):
            problems.append(f"row {row[:1]} has {len(row)} fields, the header {len(header)} (csvweirdcolumns)")
            continue
        user = row[at["username"]].strip()
        if not user:
            problems.append(f"row {row}: empty username (missingfield)")
        elif user != user.lower() or not re.fullmatch(r"[-.@_a-z0-9]+", user):
            problems.append(f"username {user!r} is not as Moodle stores usernames (invalidusername)")
        elif usernames is not None and user not in usernames:
            problems.append(f"username {user!r} is no user of the site: the row is skipped")
        for g in groups:
            course, name = row[at[g.replace("group", "course")]].strip(), row[at[g]].strip()
            if course != course_shortname:
                problems.append(f"{user}: course {course!r} is not the course's shortname {course_shortname!r}")
            if not name:
                problems.append(f"{user}: empty {g}")
            elif len(name) > MOODLE_GROUP_NAME_MAX:
                problems.append(f"{user}: group name of {len(name)} characters, above Moodle's {MOODLE_GROUP_NAME_MAX}")
            elif re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*", name):
                problems.append(f"{user}: group name {name!r} is numeric: Moodle takes it for a group id")
    return problems
