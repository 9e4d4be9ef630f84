"""Results: what a check reports about one submission."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from autograder.helper.text import Text, text_to_plain

#: Statuses of a check, in the words the reports use.
STATUSES = ("passed", "failed", "not_attempted", "missing", "raised", "timeout", "crashed",
            "not_graded", "grader_error")


@dataclass(frozen=True)
class CheckInfo:
    """A check as declared (no result yet): what grades.csv has one column for."""

    check_id: str
    """Unique name, e.g. 'check_init_std[xavier_init]'; always contains the graded function's name."""
    function: str
    """The one student function this check grades."""
    points: float
    title: Text
    false_fail_rate: float = 0.0
    """Probability that a correct solution fails this check (0 for deterministic checks)."""
    aspect: bool = False
    """An aspect of the output (shape, mean, symmetry...) rather than its values: it counts only when
    a value check of the same function passes (see :func:`count_aspects`)."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission."""

    info: CheckInfo
    score: float
    status: str
    expected: str | Text = ""
    """What a right submission gives, in both languages (a plain str when it is only numbers or code)."""
    measured: str | Text = ""
    """What this submission gave, likewise."""
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
            "score": self.score, "status": self.status, "expected": text_to_plain(self.expected), "measured": text_to_plain(self.measured),
            "hint": self.hint.to_dict() if self.hint else None,
            "message": self.message.to_dict() if self.message else None,
            "notes": [n.to_dict() for n in self.notes], "seconds": round(self.seconds, 4),
        }
