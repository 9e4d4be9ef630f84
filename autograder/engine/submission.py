"""Records that flow through the pipeline: a Submission and the CheckResults it collects.

All are frozen; a pipeline step returns a new record (``dataclasses.replace``) instead of
mutating one.  Everything in them is plain data, so they serialise to JSON for reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from autograder.helper.results import CheckInfo, CheckResult, STATUSES
from autograder.helper.text import Text

__all__ = ["STATUSES", "CheckInfo", "CheckResult", "Submission"]


@dataclass(frozen=True)
class Submission:
    """One student's hand-in as it moves through the pipeline."""

    student_id: str
    name: str = ""
    path: str | None = None
    """The staged file that is graded (None when the student handed in no code)."""
    status: str = "pending"
    """'pending', 'graded', or why it could not be graded ('no_code', 'too_large', 'binary', ...)."""
    message: "str | Text" = ""
    source: Any = None
    """LoadedSource after the load step."""
    load_report: Any = None
    """LoadReport of the sandbox (functions found, cell errors, shell notes)."""
    results: tuple[CheckResult, ...] = ()
    extra: dict = field(default_factory=dict)
    """Ingest details: original path, Moodle participant id, notes."""

    @property
    def graded_id(self) -> str:
        """The student id the grading uses (set-up, seeds): a row kept apart as ``id#2`` is still graded as ``id``."""
        return self.extra.get("graded_as") or self.student_id

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 6)

    @property
    def max_score(self) -> float:
        return round(sum(r.points for r in self.results), 6)

    @property
    def late(self) -> dict | None:
        """{"seconds": how late, "penalty": points nbgrader's late-submission plugin took} for a late
        submission of an nbgrader course (batch.grade_class), else None."""
        late = self.extra.get("late")
        return late if isinstance(late, dict) else None

    @property
    def final_score(self) -> float:
        """The score after the late-submission penalty: what nbgrader's export and the LMS get."""
        penalty = (self.late or {}).get("penalty") or 0.0
        return round(max(0.0, self.score - penalty), 6)

    def with_(self, **changes) -> "Submission":
        return replace(self, **changes)
