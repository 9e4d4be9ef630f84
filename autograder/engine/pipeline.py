"""The grading pipeline: load -> run checks -> score, over Submission records.

Every step is a plain function of records and the :class:`GradeConfig`; a step that cannot
go on records why on the Submission (its ``status``) instead of raising, so a batch
never loses a row.  Ingest, staging, parallelism and reports live in steps/ and report/
and call these.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Callable

from autograder.engine.assignment import Assignment, load as load_assignment
from autograder.engine.config import Variant
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.load import LoadError, load_file
from autograder.engine.steps.run_checks import grade_sources, list_checks
from autograder.engine.steps.score import score
from autograder.engine.submission import Submission


@dataclass(frozen=True)
class GradeConfig:
    variant: Variant = None  # type: ignore[assignment]
    """The week's set-up (None: the lecture's own)."""
    limits: Limits = field(default_factory=Limits)
    lang: str = "en"
    show_answers: bool = False
    """Feedback shows the reference's analysis answers (after the deadline)."""
    self_check: bool = False
    """A student's own check: analysis answers are compared with their own functions, never the reference."""
    own_variant: bool = False
    """Trust the variant the submission declares (its SETUP cell): for a student's own self-check only."""
    lecture: str = ""
    """The lecture graded (engine/assignment.py; '' for the default one)."""
    worksheet_scale: str = "points"
    """The Moodle worksheet's grades: ``points`` or the eclass assignment's Maximum grade N (--scale)."""
    graded_at: datetime | None = None
    """The worksheet's "Last modified (grade)" (``initlab grade``: now); None writes '-', so a re-run
    stays byte-identical, but Moodle's upload then skips every student who already has a grade."""

    def __post_init__(self):
        if self.variant is None:
            object.__setattr__(self, "variant", Variant(numbers=self.assignment.numbers()))

    @property
    def assignment(self) -> Assignment:
        return load_assignment(self.lecture or None)


def load_step(sub: Submission, cfg: GradeConfig) -> Submission:
    """Read the staged file into cells, or record why it cannot be graded."""
    if sub.status != "pending":
        return sub
    if sub.path is None:
        return sub.with_(status="no_code", message="no weight_init.py or weight_init.ipynb was handed in")
    try:
        source = load_file(sub.path)
    except LoadError as exc:
        return sub.with_(status=exc.status, message=exc.text)
    except OSError as exc:
        return sub.with_(status="unreadable", message=f"could not read the file: {exc.strerror or exc}")
    except Exception as exc:  # RecursionError on a nested notebook, ...: this row's status, not the batch's end
        return sub.with_(status="unreadable", message=f"the file could not be read ({type(exc).__name__})")
    return sub.with_(source=source)


def run_checks_step(subs: list[Submission], cfg: GradeConfig, launcher=None,
                    on_done: Callable[[Submission], None] | None = None) -> list[Submission]:
    """Run every check on every loadable submission (each in its own sandbox child)."""
    ready = {str(i): s for i, s in enumerate(subs) if s.status == "pending" and s.source is not None}
    reports: dict[str, object] = {}

    def done(key, results):
        if on_done:
            on_done(ready[key].with_(results=tuple(results), load_report=reports.get(key)))

    results = grade_sources({k: s.source for k, s in ready.items()}, cfg.variant, cfg.limits, launcher,
                            on_done=done if on_done else None, load_reports=reports,
                            student_ids={k: s.graded_id for k, s in ready.items()},
                            own_variant=cfg.own_variant, self_check=cfg.self_check,
                            show_answers=cfg.show_answers, assignment=cfg.assignment) if ready else {}
    out = []
    for i, s in enumerate(subs):
        key = str(i)
        if key in ready:
            s = s.with_(results=tuple(results.get(key, [])), load_report=reports.get(key))
        out.append(s)
    return out


def score_step(sub: Submission, cfg: GradeConfig) -> Submission:
    return score(sub, list_checks(cfg.assignment))


def grade_many(subs: list[Submission], cfg: GradeConfig, launcher=None, on_done=None) -> list[Submission]:
    subs = [load_step(s, cfg) for s in subs]
    subs = run_checks_step(subs, cfg, launcher, on_done)
    return [score_step(s, cfg) for s in subs]


def grade_file(path: str | Path, cfg: GradeConfig | None = None, student_id: str = "", launcher=None) -> Submission:
    """The whole pipeline for one file (what ``initlab check`` runs); ``launcher``, when given, is
    already started and stays open (the caller closes it)."""
    cfg = cfg or GradeConfig()
    return grade_many([Submission(student_id=student_id or Path(path).stem, path=str(path))], cfg, launcher)[0]
