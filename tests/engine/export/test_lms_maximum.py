"""Every LMS file says the maximum its grades are out of, --scale maps them to the grade item's real
maximum, a grade above the declared maximum is refused, and Moodle's grading worksheet carries the time
of its grading, so its upload updates grades Moodle already has (the rules: lms_rules.py)."""
from __future__ import annotations

import shutil
import subprocess
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from types import SimpleNamespace

import pytest

from autograder.engine import cli
from autograder.engine.export.lms_csv import AboveMaximum, export, maximum_line, moodle_time, parse_scale
from autograder.engine.export.nbgrader_db import open_gradebook
from autograder.engine.report.batch import MOODLE_WORKSHEET, moodle_worksheet
from tests.engine.export import lms_rules
from tests.engine.export.conftest import ASSIGNMENT, NOTEBOOK
from tests.engine.export.test_lms_csv import ABSENT, LATE, MAX, ROWS, course  # noqa: F401 (a fixture)
from tests.engine.export.test_lms_end_to_end import download_all

KST = timezone(timedelta(hours=9))
IDS = {r.student_id for r in ROWS} | {ABSENT[0]}
#: Raw points of each student of test_lms_csv's course (the late penalty taken), None: no submission.
POINTS = {"20231234": MAX - LATE, "20231235": 4.0, "20231236": 1.5, ABSENT[0]: None}


def run(capsys, *argv: str) -> tuple[int, list[str], str]:
    """``initlab ARGV`` in this process: (exit code, stdout lines, stderr)."""
    code = cli.main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out.strip().splitlines(), err


# ---- Moodle's worksheet rules, and the times it reads -------------------------------------------------------

def test_the_upload_reads_no_time_as_zero_and_moodles_own_format_in_the_sites_zone():
    """'-' and '' are strtotime's false (0); Moodle's userdate is read in the site's zone unless an offset
    follows; a weekday that is not the date's moves the date on, as PHP's day name does."""
    at = int(datetime(2026, 12, 5, 10, 15, tzinfo=KST).timestamp())
    assert lms_rules.worksheet_time("-") == lms_rules.worksheet_time("") == 0
    assert lms_rules.worksheet_time("Saturday, 5 December 2026, 10:15 AM") == at
    assert lms_rules.worksheet_time("Saturday, 5 December 2026, 1:15 AM +00:00") == at
    assert lms_rules.worksheet_time("Thursday, 5 December 2026, 10:15 AM") == at + 5 * 86400
    assert lms_rules.worksheet_time("2026-12-05 10:15") is None


@pytest.mark.parametrize("when", [
    datetime(2026, 12, 5, 10, 15, tzinfo=KST), datetime(2026, 3, 1, 0, 5, tzinfo=KST),
    datetime(2026, 7, 9, 12, 59, tzinfo=timezone.utc), datetime(2027, 1, 31, 23, 1, tzinfo=timezone(-timedelta(hours=3.5))),
])
def test_the_worksheet_time_is_read_back_to_the_minute_in_any_zone(when):
    """Does Moodle's upload read the kit's time as the very minute written, whatever the site's zone?"""
    text = moodle_time(when)
    assert text.endswith(("+09:00", "+00:00", "-03:30"))
    for site in (KST, timezone.utc, timezone(timedelta(hours=-7))):
        assert lms_rules.worksheet_time(text, site) == int(when.timestamp())


def test_the_rules_agree_with_phps_strtotime():
    """Where PHP is installed: does its strtotime (what Moodle's upload calls) read each form as the rules do?"""
    php = shutil.which("php")
    if php is None:
        pytest.skip("no php here")
    texts = ["-", "", "Saturday, 5 December 2026, 10:15 AM", "Thursday, 5 December 2026, 10:15 AM",
             "Saturday, 5 December 2026, 12:05 AM", "Saturday, 5 December 2026, 12:05 PM",
             *(moodle_time(datetime(2026, 1, 1, tzinfo=timezone.utc) + timedelta(minutes=7919 * i)) for i in range(40))]
    script = ("date_default_timezone_set('Asia/Seoul'); foreach (array_slice($argv, 1) as $t) "
              "{ $v = strtotime($t); echo ($v === false ? 0 : $v), \"\\n\"; }")
    done = subprocess.run([php, "-r", script, "--", *texts], capture_output=True, text=True, timeout=60, check=True)
    assert [int(x) for x in done.stdout.split()] == [lms_rules.worksheet_time(t) for t in texts]


def worksheet_rows(*rows: list[str], header: tuple[str, ...] = ("Identifier", "Grade", "Maximum Grade",
                                                                   "Last modified (grade)")) -> list[list[str]]:
    return [list(header), *map(list, rows)]


def test_the_worksheet_rules_catch_what_moodle_skips_or_reads_out_of_another_maximum():
    """A '-' or empty time against a grade Moodle has, a grade above its row's or the assignment's maximum,
    and a row out of 54 into an assignment out of 100: each is a problem; a fresh time and a right maximum are not."""
    fresh = "Saturday, 5 December 2026, 10:15 AM +09:00"
    before = int(datetime(2026, 12, 5, 9, 0, tzinfo=KST).timestamp())
    rows = worksheet_rows(["Participant 1", "50", "54", fresh], ["Participant 2", "40", "54", "-"],
                          ["Participant 3", "30", "54", ""])
    problems = lms_rules.moodle_worksheet(rows, {"1", "2", "3"}, item_max=54, existing={"1": before, "2": before,
                                                                                           "3": before})
    assert len(problems) == 2 and all("older than the grade Moodle has" in p for p in problems)
    assert "Participant 2" in problems[0] and "Participant 3" in problems[1]
    assert lms_rules.moodle_worksheet(rows, {"1", "2", "3"}, item_max=54) == []  # nobody has a grade yet
    later = int(datetime(2026, 12, 5, 10, 17, tzinfo=KST).timestamp())  # a grade changed after the worksheet
    assert any("older" in p for p in lms_rules.moodle_worksheet(rows[:2], {"1"}, item_max=54, existing={"1": later}))
    over = worksheet_rows(["Participant 1", "56", "54", fresh])
    assert [p for p in lms_rules.moodle_worksheet(over, {"1"}, item_max=54) if "above" in p] == [
        "Participant 1: grade 56 is above the row's Maximum Grade 54",
        "Participant 1: grade 56 is above the assignment's maximum 54: the upload skips it (out of range) without a word"]
    (wrong,) = lms_rules.moodle_worksheet(rows[:2], {"1"}, item_max=100)
    assert "imports as 50/100" in wrong


# ---- the worksheet -----------------------------------------------------------------------------------------

def sample(scores: dict[str, float], maximum: float = MAX) -> list:
    """Graded submissions as moodle_worksheet reads them."""
    return [SimpleNamespace(student_id=pid, name=f"학생 {pid}", status="graded", final_score=s, max_score=maximum)
            for pid, s in scores.items()]


def test_the_worksheet_says_its_maximum_scales_to_the_assignments_and_carries_its_time():
    """With scale 20 and a time: is each grade score/max*20 to 2 decimals, the Maximum Grade 20, the note
    column's header the maximum, and the time one Moodle reads back, so grades it has are updated?"""
    graded_at = datetime(2026, 12, 5, 10, 15, 42, tzinfo=KST)
    subs = sample({"101": MAX, "102": 50.0, "103": 4.0, "104": 0.0})
    rows = lms_rules.rows_of_text(moodle_worksheet(subs, "en", scale="20", graded_at=graded_at))
    header = rows[0]
    assert header[-1] == maximum_line("Note", "worksheet", MAX, "20", "grade")
    assert "grades out of 20" in header[-1] and "Maximum grade to 20" in header[-1]
    grade, top, when = (header.index(h) for h in ("Grade", "Maximum Grade", "Last modified (grade)"))
    assert [r[grade] for r in rows[1:]] == ["20", f"{round(50 * 20 / MAX, 2):g}", f"{round(4 * 20 / MAX, 2):g}", "0"]
    assert {r[top] for r in rows[1:]} == {"20"}
    assert {r[when] for r in rows[1:]} == {"Saturday, 5 December 2026, 10:15 AM +09:00"}
    had = {pid: int(graded_at.timestamp()) - 3600 for pid in ("101", "102", "103", "104")}
    assert lms_rules.moodle_worksheet(rows, set(had), item_max=20, existing=had) == []
    assert any("imports as" in p for p in lms_rules.moodle_worksheet(rows, set(had), item_max=100))


def test_a_worksheet_without_a_time_is_what_moodle_skips():
    """Without a time (a library caller's default) the cell is '-': the rules flag every student who has a grade."""
    subs = sample({"101": 50.0, "102": 4.0})
    rows = lms_rules.rows_of_text(moodle_worksheet(subs, "en"))
    assert {r[rows[0].index("Last modified (grade)")] for r in rows[1:]} == {"-"}
    assert lms_rules.moodle_worksheet(rows, {"101", "102"}, item_max=MAX) == []
    assert len(lms_rules.moodle_worksheet(rows, {"101", "102"}, item_max=MAX, existing={"101": 10**9, "102": 10**9})) == 2


@pytest.mark.nbgrader
@pytest.mark.sandbox
@pytest.mark.parametrize("scale", ["points", "20"])
def test_the_worksheet_of_a_graded_class_updates_existing_grades_out_of_the_right_maximum(tmp_path, capsys, scale):
    """`initlab grade` of a Moodle zip (no roster): does its worksheet line say the maximum, and does the
    worksheet pass the upload's rules into an assignment with that maximum whose students all have grades
    from before, while an assignment out of 100 (Moodle's default) is caught?"""
    from autograder.engine.steps.ingest import discover

    moodle_zip = download_all(tmp_path / "download-all.zip")
    participants = {f.student_id for f in discover(moodle_zip).found}
    started = int(time.time())
    code, stdout, stderr = run(capsys, "grade", moodle_zip, "--out", tmp_path / "out", "--jobs", "2", "--timeout", "3",
                               "--scale", scale)
    assert code == 0, stderr
    finished = int(time.time())
    line = next(x for x in stdout if f"{MOODLE_WORKSHEET}: grades out of" in x)
    item_max = MAX if scale == "points" else 20
    assert f"grades out of {item_max:g}" in line and f"set the eclass assignment's Maximum grade to {item_max:g}" in line
    rows = lms_rules.rows_of(tmp_path / "out" / MOODLE_WORKSHEET)
    assert len(rows) - 1 == len(participants)
    graded_before = {p: started - 1 for p in participants}
    assert lms_rules.moodle_worksheet(rows, participants, item_max=item_max, existing=graded_before) == []
    assert lms_rules.moodle_worksheet(rows, participants, item_max=100) != []
    # Moodle's safety check still holds: a grade someone changed after this grading is not overwritten.
    changed_after = {p: finished + 120 for p in participants}
    assert len(lms_rules.moodle_worksheet(rows, participants, item_max=item_max, existing=changed_after)) == len(participants)
    # The command's scale and time were its own: a library caller after it in this process still gets
    # the defaults (they were module globals the command set, and leaked into every later worksheet).
    later = lms_rules.rows_of_text(moodle_worksheet(sample({"101": 50.0}), "en"))
    assert [later[1][later[0].index(h)] for h in ("Last modified (grade)", "Maximum Grade")] == ["-", f"{MAX:g}"]


# ---- the gradebook exports ---------------------------------------------------------------------------------

@pytest.mark.nbgrader
@pytest.mark.parametrize("fmt", ["moodle", "canvas"])
@pytest.mark.parametrize("scale, item_max", [("points", MAX), ("100", 100), ("20", 20)])
def test_an_export_says_its_maximum_last_and_its_grades_fit_the_item(course, tmp_path, capsys, fmt, scale, item_max):
    """Does `initlab export --scale S` give score/max*N to 2 decimals (the points as they are), end on the line
    that says the maximum, and pass the importer's rules for an item of that maximum?"""
    to = tmp_path / f"{fmt}.csv"
    code, out, err = run(capsys, "export", "--course", course, "--assignment", ASSIGNMENT, "--format", fmt, "--to", to,
                         "--scale", scale)
    assert code == 0, err
    assert out[-1] == maximum_line(to.name, fmt, MAX, scale)
    if scale == "points":
        target = "eclass grade item's maximum" if fmt == "moodle" else "Canvas assignment's Points Possible"
        assert out[-1] == (f"{fmt}.csv: grades out of {MAX:g} (the assignment's points); set the {target} to {MAX:g}, "
                           "or export with --scale 100 for an item out of 100")
    else:
        assert f"grades out of {scale} (--scale {scale}" in out[-1]
    rows = lms_rules.rows_of(to)
    first = 4 if fmt == "moodle" else 5
    body = rows[1:] if fmt == "moodle" else rows[2:]
    sid = 0 if fmt == "moodle" else 2
    want = {k: v if v is None or scale == "points" else round(v / MAX * float(scale), 2) for k, v in POINTS.items()}
    got = {r[sid]: None if r[first] in ("-", "") else float(r[first]) for r in body}
    assert got == want
    if fmt == "moodle":
        assert lms_rules.moodle_gradebook(rows, IDS, item_max=item_max) == []
    else:
        assert rows[1][first] == f"{item_max:g}"  # Points Possible: the file says its maximum
        assert lms_rules.canvas_gradebook(rows, IDS, {}) == [f"column {ASSIGNMENT!r} is not 'Title (id)' of an existing "
                                                              "assignment: Canvas would make a new one"]


@pytest.mark.nbgrader
def test_the_long_sheet_states_its_maximum_in_every_row(course, tmp_path, capsys):
    code, out, _ = run(capsys, "export", "--course", course, "--assignment", ASSIGNMENT, "--format", "long",
                       "--to", tmp_path / "long.csv", "--scale", "20")
    assert code == 0 and "grades out of 20" in out[-1]
    rows = lms_rules.rows_of(tmp_path / "long.csv")
    assert {r[rows[0].index("max_score")] for r in rows[1:]} == {"20"}


@pytest.fixture
def extra_credit(course, tmp_path) -> Path:
    """test_lms_csv's course with 5 points of nbgrader extra credit for 20231234: 57 of 54 (late penalty taken)."""
    copy = Path(shutil.copytree(course, tmp_path / "extra"))
    with open_gradebook(copy) as gb:
        gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, "20231234").grades[0].extra_credit = 5.0
        gb.db.commit()
    return copy


@pytest.mark.nbgrader
@pytest.mark.parametrize("scale", ["points", "100", "20"])
def test_a_grade_above_the_declared_maximum_is_refused_and_nothing_written(extra_credit, tmp_path, capsys, scale):
    """Is an export whose grade exceeds the maximum the file would declare refused (exit 2), naming the row,
    with no file written and an older one left as it was?"""
    to = tmp_path / "moodle.csv"
    code, out, err = run(capsys, "export", "--course", extra_credit, "--assignment", ASSIGNMENT, "--to", to,
                         "--scale", scale)
    assert (code, out, to.exists()) == (2, [], False)
    assert "1 grade(s) above the maximum" in err and "20231234 (week01: " in err and "20231235" not in err
    to.write_bytes(b"an earlier export")
    with pytest.raises(AboveMaximum, match="20231234"):
        export(extra_credit, ASSIGNMENT, "canvas", to, scale=scale)
    assert to.read_bytes() == b"an earlier export"


@pytest.mark.parametrize("bad", ["0", "-20", "abc", "inf", "nan"])
def test_a_scale_that_is_no_maximum_is_refused_by_both_commands(bad, capsys):
    """Is --scale anything but points or a positive number a usage error (exit 2) of export and of grade?"""
    for argv in (["export", "--course", "C", "--assignment", "A", "--to", "x.csv", "--scale", bad],
                 ["grade", "zip", "--out", "o", "--scale", bad]):
        with pytest.raises(SystemExit) as stop:
            cli.build_parser(lecture_verbs=False).parse_args(argv)
        assert stop.value.code == 2 and "invalid scale value" in capsys.readouterr().err
    with pytest.raises(ValueError, match="positive number"):
        parse_scale(bad)
