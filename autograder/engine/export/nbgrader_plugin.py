"""nbgrader export plugins that write the LMS CSVs of :mod:`autograder.engine.export.lms_csv`.

Run them from an nbgrader course folder::

    nbgrader export --exporter=autograder.engine.export.nbgrader_plugin.MoodleExporter --to grades_moodle.csv
    nbgrader export --exporter=autograder.engine.export.nbgrader_plugin.CanvasExporter --assignment=week01
    nbgrader export --exporter=autograder.engine.export.nbgrader_plugin.LongExporter --LmsExporter.per_function=True

nbgrader's ``--to``, ``--assignment`` and ``--student`` work as for its own CSV exporter. With no
``--assignment`` every assignment in the gradebook gets a column, in nbgrader's order. For
one assignment, the bytes are the same as ``initlab export --format ...`` writes.
"""
from __future__ import annotations

from pathlib import Path

from nbgrader.plugins import ExportPlugin
from traitlets import Bool

from autograder.engine.export.lms_csv import DEFAULT_FILES, export_gradebook


class LmsExporter(ExportPlugin):
    """Shared code of the three exporters; a subclass only names its format."""

    fmt = "long"

    per_function = Bool(False, help="Also give one column (or long-format item) per graded student "
                                    "function, after each assignment total.").tag(config=True)

    def export(self, gradebook) -> None:
        dest = Path(self.to or DEFAULT_FILES[self.fmt])
        # nbgrader's own exporter coerces these to strings too (the command line may give numbers).
        assignments = [str(a) for a in self.assignment] or [a.name for a in gradebook.assignments]
        students = [str(s) for s in self.student]
        self.log.info("Exporting %s grades of %s to %s", self.fmt, ", ".join(assignments) or "no assignment", dest)
        from autograder.engine.course import course_lecture

        # The course's initlab.toml says the lecture: the course is nbgrader's CourseDirectory.root (the
        # current folder unless --CourseDirectory.root names another).
        export_gradebook(gradebook, self.fmt, dest, assignments, per_function=self.per_function, students=students,
                         lecture=course_lecture(self._course_root()))

    def _course_root(self) -> Path:
        coursedir = getattr(self.parent, "coursedir", None)
        root = getattr(coursedir, "root", None)
        return Path(root) if root else Path.cwd()


class MoodleExporter(LmsExporter):
    """Moodle gradebook import CSV: UTF-8 with BOM, all fields quoted, '-' for no grade."""

    fmt = "moodle"


class CanvasExporter(LmsExporter):
    """Canvas gradebook import CSV, with a Points Possible row."""

    fmt = "canvas"


class LongExporter(LmsExporter):
    """One row per student and item: student_id, email, name, assignment, item, score, max_score, late_penalty."""

    fmt = "long"
