"""Records that flow through the pipeline: a Submission and the CheckResults it collects.

All are frozen; a pipeline step returns a new record (``dataclasses.replace``) instead of
mutating one.  Everything in them is plain data, so they serialise to JSON for reports.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from autograder.i18n import Text

#: Statuses of a check, in the words the reports use.
STATUSES = ("passed", "failed", "not_attempted", "missing", "raised", "timeout", "crashed",
            "not_graded", "grader_error")


@dataclass(frozen=True)
class CheckInfo:
    """A check as declared (no result yet): what grades.csv has one column for."""

    check_id: str
    """Unique name, e.g. 'test_init_std[xavier_init]'; always contains the graded function's name."""
    function: str
    """The one student function this check grades."""
    points: float
    title: Text
    false_fail_rate: float = 0.0


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission."""

    info: CheckInfo
    score: float
    status: str
    expected: str = ""
    measured: str = ""
    hint: Text | None = None
    message: Text | None = None
    """For failures of student code (raised, timeout...): what happened, in words."""
    notes: tuple[Text, ...] = ()
    """Things worth knowing that cost nothing (e.g. an overflow warning)."""
    artifacts: dict = field(default_factory=dict)
    """Small plain data for reports (e.g. histogram counts of the probe)."""
    seconds: float = 0.0

    @property
    def check_id(self) -> str:
        return self.info.check_id

    @property
    def function(self) -> str:
        return self.info.function

    @property
    def points(self) -> float:
        return self.info.points

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id, "function": self.function, "points": self.points,
            "title": self.info.title.to_dict(), "false_fail_rate": self.info.false_fail_rate,
            "score": self.score, "status": self.status, "expected": self.expected, "measured": self.measured,
            "hint": self.hint.to_dict() if self.hint else None,
            "message": self.message.to_dict() if self.message else None,
            "notes": [n.to_dict() for n in self.notes], "seconds": round(self.seconds, 4),
        }


@dataclass(frozen=True)
class Submission:
    """One student's hand-in as it moves through the pipeline."""

    student_id: str
    name: str = ""
    path: str | None = None
    """The staged file that is graded (None when the student handed in no code)."""
    status: str = "pending"
    """'pending', 'graded', or why it could not be graded ('no_code', 'too_large', 'binary', ...)."""
    message: str = ""
    source: Any = None
    """LoadedSource after the load step."""
    load_report: Any = None
    """LoadReport of the sandbox (functions found, cell errors, shell notes)."""
    results: tuple[CheckResult, ...] = ()
    extra: dict = field(default_factory=dict)
    """Ingest details: original path, Moodle participant id, notes."""

    @property
    def score(self) -> float:
        return round(sum(r.score for r in self.results), 6)

    @property
    def max_score(self) -> float:
        return round(sum(r.points for r in self.results), 6)

    def with_(self, **changes) -> "Submission":
        return replace(self, **changes)
