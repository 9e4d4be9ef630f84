"""The nbgrader export plugins (autograder/engine/export/nbgrader_plugin.py), in this process: as nbgrader
makes them (its ExportApp, with command-line options) and as plain ExportPlugins given a Gradebook.

The course is written with nbgrader's own API (nbgrader_db.write_scores), without running nbgrader's
commands, so this file takes a second or two; tests/engine/export/test_lms_csv.py runs `nbgrader export` itself.
"""
from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest
from nbgrader.plugins import ExportPlugin
from traitlets.config import Config

from autograder.engine.export import nbgrader_plugin
from autograder.engine.export.lms_csv import DEFAULT_FILES, FORMATS, export
from autograder.engine.export.nbgrader_db import ScoreRow, open_gradebook, write_scores
from autograder.engine.steps.run_checks import list_checks

pytestmark = pytest.mark.nbgrader

CHECKS = list_checks()
MAX = sum(c.points for c in CHECKS)
FIRST, SECOND, NOTEBOOK = "week01", "week02", "weight_init"
EXPORTERS = {"moodle": nbgrader_plugin.MoodleExporter, "canvas": nbgrader_plugin.CanvasExporter,
             "long": nbgrader_plugin.LongExporter}


def read(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"), newline="")))


@pytest.fixture(scope="module")
def course(tmp_path_factory) -> Path:
    """Two assignments: in week01 a full-marks student and one with 4 points; in week02 only the second."""
    course = tmp_path_factory.mktemp("plugin") / "course"
    write_scores(course, FIRST, NOTEBOOK, CHECKS, [
        ScoreRow("20231234", "길동", "홍", "hong@univ.ac.kr", {c.check_id: c.points for c in CHECKS}),
        ScoreRow("20231235", "영희", "이", "lee@univ.ac.kr", {"check_sigmoid_values": 2.0, "check_relu_values": 2.0}),
    ])
    write_scores(course, SECOND, NOTEBOOK, CHECKS, [ScoreRow("20231235", scores={"check_relu_values": 2.0})])
    return course


def run(exporter: type, course: Path, monkeypatch, **traits) -> None:
    """The exporter's export(gradebook), run in the course's folder as nbgrader runs it."""
    monkeypatch.chdir(course)
    with open_gradebook(course) as gb:
        exporter(**traits).export(gb)


def test_the_exporters_are_nbgrader_export_plugins_of_their_format():
    for fmt, exporter in EXPORTERS.items():
        assert issubclass(exporter, ExportPlugin) and exporter.fmt == fmt
    assert set(EXPORTERS) == set(FORMATS)


@pytest.mark.parametrize("fmt", FORMATS)
def test_one_assignment_gives_the_same_bytes_as_initlab_export(course, tmp_path, monkeypatch, fmt):
    """--assignment A: the very file `initlab export --format fmt` writes for A."""
    to = tmp_path / f"{fmt}.csv"
    run(EXPORTERS[fmt], course, monkeypatch, to=str(to), assignment=[FIRST])
    assert to.read_bytes() == export(course, FIRST, fmt, tmp_path / f"direct-{fmt}.csv").read_bytes()


def test_without_to_the_file_gets_the_formats_default_name_in_the_course(course, tmp_path, monkeypatch):
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    run(nbgrader_plugin.CanvasExporter, copy, monkeypatch, assignment=[FIRST])
    written = copy / DEFAULT_FILES["canvas"]
    assert read(written)[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", FIRST]
    assert not (copy / DEFAULT_FILES["moodle"]).exists()


def test_without_an_assignment_every_assignment_gets_a_column_in_order(course, tmp_path, monkeypatch):
    """No --assignment: both weeks, in the gradebook's order; a student without a submission has no grade."""
    to = tmp_path / "all.csv"
    run(nbgrader_plugin.MoodleExporter, course, monkeypatch, to=str(to))
    rows = read(to)
    assert rows[0][4:] == [FIRST, SECOND]
    assert {r[0]: r[4:] for r in rows[1:]} == {"20231234": [f"{MAX:g}", "-"], "20231235": ["4", "2"]}


def test_students_and_assignments_given_as_numbers_are_read_as_ids(course, tmp_path, monkeypatch):
    """The command line may give 20231235 as a number: it is the student id "20231235"."""
    to = tmp_path / "one.csv"
    run(nbgrader_plugin.LongExporter, course, monkeypatch, to=str(to), student=[20231235], assignment=[SECOND])
    rows = read(to)
    assert rows[1:] == [["20231235", "lee@univ.ac.kr", "이영희", SECOND, "total", "2", f"{MAX:g}", "0"]]


def test_an_unknown_assignment_or_student_is_refused_and_writes_nothing(course, tmp_path, monkeypatch):
    to = tmp_path / "x.csv"
    with pytest.raises(ValueError, match="no assignment 'week99'"):
        run(nbgrader_plugin.MoodleExporter, course, monkeypatch, to=str(to), assignment=["week99"])
    with pytest.raises(ValueError, match="no student '99999999'"):
        run(nbgrader_plugin.MoodleExporter, course, monkeypatch, to=str(to), student=["99999999"])
    assert not to.exists()


def test_per_function_is_a_config_option_shared_by_the_three_exporters(course, tmp_path, monkeypatch):
    """`--LmsExporter.per_function=True` (config of the shared base class) reaches each subclass."""
    config = Config({"LmsExporter": {"per_function": True}})
    for fmt, exporter in EXPORTERS.items():
        to = tmp_path / f"{fmt}.csv"
        run(exporter, course, monkeypatch, to=str(to), assignment=[FIRST], config=config)
        direct = export(course, FIRST, fmt, tmp_path / f"direct-{fmt}.csv", per_function=True)
        assert to.read_bytes() == direct.read_bytes(), fmt
    assert read(tmp_path / "moodle.csv")[0][4:6] == [FIRST, f"{FIRST}: sigmoid"]
    assert nbgrader_plugin.MoodleExporter().per_function is False  # off unless asked


def test_the_lecture_comes_from_the_initlab_toml_of_the_folder_it_runs_in(course, tmp_path, monkeypatch):
    """Per-function items are the lecture's functions: the course's initlab.toml names the lecture (a
    lecture the kit does not have is an error, not another lecture's columns)."""
    copy = tmp_path / "course"
    shutil.copytree(course, copy)
    (copy / "initlab.toml").write_text('[course]\nkey = "00"\nlecture = "no_such_lecture"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="no_such_lecture"):
        run(nbgrader_plugin.MoodleExporter, copy, monkeypatch, to=str(tmp_path / "x.csv"), assignment=[FIRST],
            config=Config({"LmsExporter": {"per_function": True}}))


def test_nbgraders_export_app_loads_the_plugin_by_name_with_its_options(course, tmp_path, monkeypatch):
    """What `nbgrader export --exporter=... --to --assignment --student --LmsExporter.per_function` does,
    through nbgrader's own ExportApp in this process."""
    from nbgrader.apps import ExportApp

    monkeypatch.chdir(course)
    to = tmp_path / "canvas.csv"
    app = ExportApp()
    app.initialize(["--exporter=autograder.engine.export.nbgrader_plugin.CanvasExporter", f"--to={to}",
                    f"--assignment={SECOND}", "--student=20231235", "--LmsExporter.per_function=True"])
    app.start()
    rows = read(to)
    assert rows[0][5:7] == [SECOND, f"{SECOND}: sigmoid"]
    assert rows[1][:6] == ["    Points Possible", "", "", "", "", f"{MAX:g}"]
    assert [r[2] for r in rows[2:]] == ["20231235"] and rows[2][5] == "2"


def test_the_course_root_given_to_nbgrader_decides_the_lecture_not_the_current_folder(course, tmp_path, monkeypatch):
    """`nbgrader export --CourseDirectory.root=C` run from elsewhere: the lecture is C's (its
    initlab.toml), never that of the folder the command happens to run in."""
    from nbgrader.apps import ExportApp

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "initlab.toml").write_text('[course]\nkey = "00"\nlecture = "no_such_lecture"\n', encoding="utf-8")
    monkeypatch.chdir(elsewhere)
    to = tmp_path / "moodle.csv"
    app = ExportApp()
    app.initialize(["--exporter=autograder.engine.export.nbgrader_plugin.MoodleExporter", f"--to={to}",
                    f"--assignment={FIRST}", f"--CourseDirectory.root={course}", "--LmsExporter.per_function=True"])
    app.start()
    assert read(to)[0][4:6] == [FIRST, f"{FIRST}: sigmoid"]
