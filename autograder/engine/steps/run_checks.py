"""Run-checks step: the student helper's checks over one or more loaded submissions.

The checks live in the student helper (the lecture's, with autograder/helper/), so a student's
self-check and the grader run the very same code; here they run on sandboxed handles, with the
lecture's answer key for the analysis answers, and with seeds derived from the course key.  The
lecture is an :class:`Assignment` (engine/assignment.py): the default one unless a run names another.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

from autograder.engine.assignment import Assignment, load
from autograder.engine.config import Variant
from autograder.helper.results import CheckInfo, CheckResult
from autograder.helper.runner import grader_failure, run_check, settle
from autograder.engine.sandbox.limits import Limits
from autograder.engine.sandbox.launchers import default_launcher
from autograder.engine.steps.load import LoadedSource
from autograder.engine.steps.handles import InProcessStudent, SandboxStudent, declared_variant, variant_key_of


@dataclass
class GradingRun:
    """Inputs and outputs of one grading run over one or more submissions."""

    handles: dict[str, object]
    """submission id -> student handle (SandboxStudent or InProcessStudent), in grading order."""
    assignment: Assignment = field(default_factory=load)
    """The lecture whose checks run."""
    variant: Variant | None = None
    """The week's set-up (None: the lecture's own)."""
    only_functions: tuple[str, ...] = ()
    """Run only the checks of these functions (the notebook's per-function self-check)."""
    select: Callable[[CheckInfo], bool] | None = None
    """Run only the checks this predicate accepts (e.g. the statistical ones, for calibration)."""
    show_answers: bool = False
    """Feedback may show the reference's analysis answers (``initlab grade --show-answers``, after the deadline)."""
    self_check: bool = False
    """A student checks their own work (``initlab check``): no reference answer is used."""
    own_variant: bool = False
    """Take each submission's variant from its SETUP (a student's self-check of a released week)."""
    on_done: Callable[[str, list[CheckResult]], None] | None = None
    """Called when the last check of a submission has run (progress bars)."""
    results: dict[str, list[CheckResult]] = field(default_factory=dict)

    def __post_init__(self):
        if self.variant is None:
            self.variant = Variant(numbers=self.assignment.numbers())


def _variant_of(run: GradingRun, sid: str, handle) -> Variant:
    """The submission's variant: set before it ran (sandboxed), the one its notebook declares (a
    self-check with ``own_variant``), or the week's for this student."""
    if getattr(handle, "variant", None) is not None:
        return handle.variant
    if run.own_variant:
        declared = variant_key_of(handle, run.assignment.numbers)
        if declared is not None:
            return declared
    return run.variant.for_student(sid)


def look_after(after_checks: Callable, handle, variant, results: list[CheckResult]) -> dict:
    """What the lecture's ``after_checks`` adds to a submission's settled results ({} if it fails)."""
    try:
        added = after_checks(handle, variant, results)
    except Exception:  # an ungraded look: it can only add to the reports, never take the results away
        return {}
    return added if isinstance(added, dict) else {}


def with_artifacts(results: list[CheckResult], added: dict) -> list[CheckResult]:
    """``results`` with ``added[check_id]`` merged into each one's artifacts (scores, statuses untouched)."""
    if not added:
        return results
    return [replace(r, artifacts={**r.artifacts, **added[r.check_id]}) if isinstance(added.get(r.check_id), dict)
            else r for r in results]


def run_grading(run: GradingRun) -> GradingRun:
    """Run the selected checks on every handle of ``run``, one submission after the other; results
    land in ``run.results`` (each handle is loaded first and closed after its checks)."""
    lecture = run.assignment.checks
    asked = tuple(run.only_functions)
    # An answer's check needs the verdicts of the functions its steps use (helper.runner.settle).
    used = tuple(f for name in asked for f in lecture.uses.get(name, ()) if f not in asked)
    checks = [c for c in lecture.of(tuple(dict.fromkeys(asked + used)) if asked else ())
              if run.select is None or run.select(c.info)]
    answer_key = None if run.self_check else run.assignment.answer_key
    for sid, handle in run.handles.items():
        try:
            handle.load()
            variant = _variant_of(run, sid, handle)
            results = settle([run_check(c, handle, variant, handle.sid, answer_key, run.show_answers)
                              for c in checks], lecture, self_check=run.self_check)
            if run.assignment.after_checks is not None and not run.self_check:
                results = with_artifacts(results, look_after(run.assignment.after_checks, handle, variant, results))
        except Exception as exc:  # the sandbox itself failed (twice, in two jails): this submission only
            results = [grader_failure(c.info, exc) for c in checks]
        finally:
            handle.close()
        run.results[sid] = [r for r in results if not asked or r.function in asked]
        if run.on_done:
            run.on_done(sid, results)
    return run


def grade_sources(sources: dict[str, LoadedSource], variant: Variant | None = None, limits: Limits = Limits(),
                  launcher=None, on_done=None, load_reports: dict | None = None,
                  student_ids: dict[str, str] | None = None, own_variant: bool = False, self_check: bool = False,
                  show_answers: bool = False, assignment: Assignment | None = None) -> dict[str, list[CheckResult]]:
    """Grade several loaded submissions, each in its own sandbox child.

    ``student_ids`` maps each key of ``sources`` to the student id that seeds the grader's
    inputs (default: the key itself), so a student's inputs never depend on the batch.
    ``load_reports``, when given, receives each submission's LoadReport (functions found,
    cell errors, shell commands that were not run).
    """
    assignment = assignment or load()
    variant = variant or Variant(numbers=assignment.numbers())
    student_ids = student_ids or {}
    own = launcher is None
    launcher = launcher or default_launcher(limits, helper=str(assignment.helper_file))
    launcher.start()
    # Every submission of a class-wide week gets the same inputs: the zygote draws them once.
    if not variant.per_student and not own_variant and assignment.shared_inputs is not None:
        launcher.prebuild(assignment.shared_inputs(variant))

    def variant_of(key: str, src: LoadedSource) -> Variant:
        declared = declared_variant(list(src.cells), assignment.numbers) if own_variant else None
        return declared or variant.for_student(student_ids.get(key, key))

    try:
        handles = {key: SandboxStudent(student_ids.get(key, key), list(src.cells), limits, launcher,
                                       variant=variant_of(key, src), contract=assignment.contract)
                   for key, src in sources.items()}

        def finished(key: str, results: list[CheckResult]) -> None:
            if load_reports is not None:
                load_reports[key] = handles[key].sandbox.report
            if on_done:
                on_done(key, results)

        run = run_grading(GradingRun(handles=handles, assignment=assignment, variant=variant, on_done=finished,
                                     own_variant=own_variant, self_check=self_check, show_answers=show_answers))
        return {sid: run.results.get(sid, []) for sid in sources}
    finally:
        if own:
            launcher.close()


def grade_namespace(namespace: dict, functions: tuple[str, ...] = (), variant: Variant | None = None,
                    assignment: Assignment | None = None) -> list[CheckResult]:
    """Grade the functions of a live namespace in-process, as a self-check (the notebook's SETUP,
    when it has one, decides the variant)."""
    assignment = assignment or load()
    run = run_grading(GradingRun(handles={"notebook": InProcessStudent("notebook", namespace, assignment.contract)},
                                 assignment=assignment, variant=variant or Variant(numbers=assignment.numbers()),
                                 only_functions=functions, own_variant=True, self_check=True))
    return run.results.get("notebook", [])


def list_checks(assignment: Assignment | None = None) -> tuple[CheckInfo, ...]:
    """Every check the grader runs (the default lecture's unless one is given), in report order."""
    return (assignment or load()).checks.infos()
