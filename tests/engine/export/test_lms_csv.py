"""LMS grade CSVs read from nbgrader's gradebook, and the nbgrader exporter plugins that write them."""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from autograder.lectures.weight_init.helper.contract import GRADED
from autograder.engine.export.lms_csv import FORMATS, export, full_name, sortable_name
from autograder.engine.export.nbgrader_db import ScoreRow, open_gradebook, write_scores
from autograder.engine.steps.run_checks import list_checks
from tests.engine.export.conftest import ASSIGNMENT, NOTEBOOK, run_nbgrader

pytestmark = pytest.mark.nbgrader

CHECKS = list_checks()
BOM = b"\xef\xbb\xbf"
FUNCTIONS = GRADED  # the functions, then the analysis answers
MAX = sum(c.points for c in CHECKS)
PER_FUNCTION = {f: sum(c.points for c in CHECKS if c.function == f) for f in GRADED}
ROWS = (
    ScoreRow("20231234", "길동", "홍", "hong@univ.ac.kr", {c.check_id: c.points for c in CHECKS}),
    ScoreRow("20231235", "영희", "이", "lee@univ.ac.kr", {"check_sigmoid_values": 2.0, "check_relu_values": 2.0}),
    # A comma, quotes and an apostrophe: the fields Moodle would split without quoting.
    ScoreRow("20231236", 'Robert "Bob"', "O'Neil, Jr.", "bob@univ.ac.kr", {"check_activation_probe_exact": 1.5}),
)
ABSENT = ("20231237", "민준", "박", "park@univ.ac.kr")  # enrolled, no submission
LATE = 2.0  # late penalty nbgrader charged 20231234


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def course(tmp_path_factory, generated_template) -> Path:
    """A generated course with three graded students, one late, and one enrolled student who handed in nothing."""
    course = Path(shutil.copytree(generated_template, tmp_path_factory.mktemp("lms") / "course"))
    write_scores(course, ASSIGNMENT, NOTEBOOK, CHECKS, ROWS)
    with open_gradebook(course) as gb:
        sid, first, last, email = ABSENT
        gb.update_or_create_student(sid, first_name=first, last_name=last, email=email)
        gb.find_submission_notebook(NOTEBOOK, ASSIGNMENT, ROWS[0].student_id).late_submission_penalty = LATE
        gb.db.commit()
    return course


@pytest.fixture(scope="module")
def plugin_outputs(course) -> dict[str, Path]:
    """Each format written by `nbgrader export --exporter=...`, plus nbgrader's own CSV, run side by side."""
    out = course / "plugin_out"
    out.mkdir()
    commands = [["export", f"--exporter=autograder.engine.export.nbgrader_plugin.{fmt.capitalize()}Exporter",
                 f"--to={out / f'{fmt}.csv'}", f"--assignment={ASSIGNMENT}"] for fmt in FORMATS]
    commands.append(["export", f"--to={out / 'nbgrader.csv'}"])
    run_nbgrader(course, *commands)
    return {fmt: out / f"{fmt}.csv" for fmt in (*FORMATS, "nbgrader")}


def test_moodle_csv_has_a_bom_quotes_every_field_and_keeps_korean_names(course, tmp_path):
    """Is the Moodle file UTF-8 with BOM, fully quoted, Korean intact, and '-' for the student with no submission?"""
    path = export(course, ASSIGNMENT, "moodle", tmp_path / "moodle.csv")
    raw = path.read_bytes()
    assert raw.startswith(BOM)
    lines = raw[len(BOM):].decode("utf-8").split("\r\n")
    assert lines[-1] == "" and len(lines) == 1 + 4 + 1  # header, four students, final newline
    for line in lines[:-1]:
        fields = next(csv.reader([line]))
        assert line == ",".join('"' + f.replace('"', '""') + '"' for f in fields)  # every field quoted
    rows = read(path)
    assert rows[0] == ["ID number", "Email address", "First name", "Surname", ASSIGNMENT]
    assert rows[1:] == [
        ["20231234", "hong@univ.ac.kr", "길동", "홍", f"{MAX - LATE:g}"],  # full marks minus the late penalty
        ["20231235", "lee@univ.ac.kr", "영희", "이", "4"],
        ["20231236", "bob@univ.ac.kr", 'Robert "Bob"', "O'Neil, Jr.", "1.5"],
        ["20231237", "park@univ.ac.kr", "민준", "박", "-"],
    ]
    assert "홍".encode() in raw  # UTF-8, not CP949


def test_per_function_columns_add_up_to_the_raw_total(course, tmp_path):
    """With per_function, is there one column per function after the total, summing to the raw score?"""
    rows = read(export(course, ASSIGNMENT, "moodle", tmp_path / "m.csv", per_function=True))
    assert rows[0][4:] == [ASSIGNMENT, *(f"{ASSIGNMENT}: {f}" for f in FUNCTIONS)]
    by_id = {r[0]: r[4:] for r in rows[1:]}
    assert by_id["20231234"] == [f"{MAX - LATE:g}", *(f"{PER_FUNCTION[f]:g}" for f in FUNCTIONS)]
    assert by_id["20231235"] == ["4", "2", "2"] + ["0"] * (len(FUNCTIONS) - 2)
    assert by_id["20231237"] == ["-"] * (1 + len(FUNCTIONS))


def test_canvas_csv_has_the_header_canvas_checks_and_a_points_possible_row(course, tmp_path):
    """Does the Canvas file start with Student, ID, SIS User ID, SIS Login ID, Section, then Points Possible?"""
    path = export(course, ASSIGNMENT, "canvas", tmp_path / "canvas.csv")
    assert path.read_bytes().startswith(BOM + b"Student,ID,SIS User ID,SIS Login ID,Section,week01\r\n"
                                        + f"    Points Possible,,,,,{MAX:g}\r\n".encode())
    rows = read(path)
    assert rows[2:] == [
        ["홍, 길동", "", "20231234", "", "", f"{MAX - LATE:g}"],
        ["이, 영희", "", "20231235", "", "", "4"],
        ['O\'Neil, Jr., Robert "Bob"', "", "20231236", "", "", "1.5"],
        ["박, 민준", "", "20231237", "", "", ""],
    ]


@pytest.mark.parametrize("per_function, items", [(False, 1), (True, 1 + len(FUNCTIONS))])
def test_long_csv_has_one_row_per_student_and_item(course, tmp_path, per_function, items):
    """Are there students x items rows, with Korean names in Korean order and empty scores for no submission?"""
    rows = read(export(course, ASSIGNMENT, "long", tmp_path / "long.csv", per_function=per_function))
    assert rows[0] == ["student_id", "email", "name", "assignment", "item", "score", "max_score", "late_penalty"]
    assert len(rows) - 1 == 4 * items
    assert rows[1] == ["20231234", "hong@univ.ac.kr", "홍길동", ASSIGNMENT, "total", f"{MAX - LATE:g}", f"{MAX:g}", "2"]
    absent = [r for r in rows[1:] if r[0] == "20231237"]
    assert len(absent) == items and all(r[5] == "" for r in absent)
    if per_function:
        assert [r[4] for r in rows[1:1 + items]] == ["total", *FUNCTIONS]


@pytest.mark.slow  # runs nbgrader commands
def test_lms_totals_equal_nbgrader_export(plugin_outputs):
    """Does every Moodle total equal the score nbgrader's own exporter gives (late penalty included)?"""
    nbgrader = {r["student_id"]: r for r in csv.DictReader(io.StringIO(plugin_outputs["nbgrader"].read_text("utf-8")))
                if r["student_id"] != "20231236"}  # its comma breaks nbgrader's unquoted CSV
    moodle = {r[0]: r[4] for r in read(plugin_outputs["moodle"])[1:]}
    assert len(nbgrader) == 3
    for sid, row in nbgrader.items():
        if sid == ABSENT[0]:  # nbgrader writes 0 for no submission; Moodle must get "no grade"
            assert (moodle[sid], float(row["score"])) == ("-", 0.0)
        else:
            assert float(moodle[sid]) == float(row["score"])


@pytest.mark.slow  # runs nbgrader commands
@pytest.mark.parametrize("fmt", FORMATS)
def test_the_nbgrader_plugin_writes_the_same_bytes_as_lms_csv(course, plugin_outputs, tmp_path, fmt):
    """Does `nbgrader export --exporter=...{Fmt}Exporter` give byte-identical output to lms_csv.export?"""
    ours = export(course, ASSIGNMENT, fmt, tmp_path / f"{fmt}.csv")
    assert plugin_outputs[fmt].read_bytes() == ours.read_bytes()


def test_a_course_without_a_gradebook_is_an_error_and_stays_empty(tmp_path):
    """Does exporting from a folder with no gradebook say so, without creating one?"""
    with pytest.raises(FileNotFoundError, match="no nbgrader gradebook"):
        export(tmp_path, ASSIGNMENT, "moodle", tmp_path / "out.csv")
    assert sorted(p.name for p in tmp_path.iterdir()) == []


@pytest.mark.parametrize("assignment, fmt, message", [
    (ASSIGNMENT, "xlsx", "unknown format 'xlsx'"),
    ("week99", "moodle", "no assignment 'week99' in the gradebook (it has: week01)"),
])
def test_bad_requests_are_refused_and_write_nothing(course, tmp_path, assignment, fmt, message):
    """Are an unknown format or assignment refused with a reason, leaving no file?"""
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        export(course, assignment, fmt, tmp_path / "out.csv")
    assert not (tmp_path / "out.csv").exists()


@pytest.mark.parametrize("first, last, name, sortable", [
    ("길동", "홍", "홍길동", "홍, 길동"),
    ("Gildong", "Hong", "Gildong Hong", "Hong, Gildong"),
    ("Gildong", "", "Gildong", "Gildong"),
    ("", "홍", "홍", "홍"),
    ("", "", "", ""),
])
def test_names(first, last, name, sortable):
    """Are Korean names shown family name first without a space, and others as 'First Last'?"""
    assert (full_name(first, last), sortable_name(first, last)) == (name, sortable)


def test_scale_100_gives_every_score_out_of_100(course, tmp_path):
    """With --scale 100, is every score score/max*100 to 2 decimals, in both wide formats (so a new
    Moodle or Canvas item, whose maximum is 100, shows the right grade)?  (Other scales: test_lms_maximum.py.)"""
    moodle = read(export(course, ASSIGNMENT, "moodle", tmp_path / "m.csv", scale="100"))
    by_id = {r[0]: r for r in moodle[1:]}
    assert float(by_id["20231234"][4]) == round((MAX - LATE) * 100 / MAX, 2)
    assert float(by_id["20231235"][4]) == round(4.0 * 100 / MAX, 2)
    canvas = read(export(course, ASSIGNMENT, "canvas", tmp_path / "c.csv", scale="100"))
    assert canvas[1][5] == "100"  # Points Possible


def test_a_canvas_id_heads_the_column_title_id(course, tmp_path):
    """With --canvas-id, is the column 'Title (id)', the form Canvas matches to an existing assignment?"""
    rows = read(export(course, ASSIGNMENT, "canvas", tmp_path / "c.csv", canvas_id="12345"))
    assert rows[0][5] == f"{ASSIGNMENT} (12345)"
    assert read(export(course, ASSIGNMENT, "canvas", tmp_path / "d.csv"))[0][5] == ASSIGNMENT


def test_the_nbgrader_exporters_write_only_the_assignment_asked_for(course, tmp_path):
    """With a second assignment in the gradebook, does `nbgrader export --assignment=A` with the kit's
    exporters give A's column only (and every assignment without --assignment)?"""
    copy = Path(shutil.copytree(course, tmp_path / "two"))
    with open_gradebook(copy) as gb:
        gb.update_or_create_assignment("week99")
    one, every = tmp_path / "one.csv", tmp_path / "every.csv"
    run_nbgrader(copy, ["export", "--exporter=autograder.engine.export.nbgrader_plugin.MoodleExporter", f"--to={one}",
                        f"--assignment={ASSIGNMENT}"],
                 ["export", "--exporter=autograder.engine.export.nbgrader_plugin.MoodleExporter", f"--to={every}"])
    assert read(one)[0][4:] == [ASSIGNMENT]
    assert sorted(read(every)[0][4:]) == sorted([ASSIGNMENT, "week99"])


def test_a_roster_keeps_students_the_lms_does_not_know_out_of_the_file(course, tmp_path):
    """Moodle stops its whole import at one unknown student: with --roster (and --allow-missing, as
    20231236 has a grade), are only the roster's students written, the others named in one line, and
    the exit code 0?  (Without --allow-missing: tests/engine/test_roster.py.)"""
    import subprocess
    import sys

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name\n20231234,홍길동\n20231235,이영희\n", encoding="utf-8")
    to = tmp_path / "moodle.csv"
    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "export", "--course", str(course), "--assignment",
                           ASSIGNMENT, "--format", "moodle", "--to", str(to), "--roster", str(roster),
                           "--allow-missing"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert [r[0] for r in read(to)[1:]] == ["20231234", "20231235"]
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "20231236" in lines[0] and "20231237" in lines[0]
