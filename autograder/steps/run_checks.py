"""Run-checks step: one pytest session over the checks for one or more loaded submissions."""
from __future__ import annotations

import io
import contextlib
from functools import lru_cache

import pytest

from autograder.config import Variant
from autograder import plugin as plugin_module
from autograder.plugin import GradingRun, InitlabPlugin, checks_args
from autograder.sandbox.limits import Limits
from autograder.sandbox.runner import default_launcher
from autograder.steps.load import LoadedSource, load_file
from autograder.student import InProcessStudent, SandboxStudent, declared_variant
from autograder.submission import CheckInfo, CheckResult


def run_pytest(run: GradingRun) -> GradingRun:
    """Collect and run the checks with ``run``'s handles; results land in ``run.results``."""
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        code = pytest.main(checks_args(), plugins=[plugin_module, InitlabPlugin(run)])
    if code not in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
        raise RuntimeError(f"the grader's checks could not run (pytest exit {int(code)}):\n{sink.getvalue()[-3000:]}")
    return run


def grade_sources(sources: dict[str, LoadedSource], variant: Variant = Variant(), limits: Limits = Limits(),
                  launcher=None, on_done=None, load_reports: dict | None = None,
                  student_ids: dict[str, str] | None = None, own_variant: bool = False, self_check: bool = False,
                  show_answers: bool = False) -> dict[str, list[CheckResult]]:
    """Grade several loaded submissions in one pytest session, each in its own sandbox child.

    ``student_ids`` maps each key of ``sources`` to the student id that seeds the grader's
    inputs (default: the key itself), so a student's inputs never depend on the batch.
    ``load_reports``, when given, receives each submission's LoadReport (functions found,
    cell errors, shell commands that were not run).
    """
    student_ids = student_ids or {}
    own = launcher is None
    launcher = launcher or default_launcher(limits)
    launcher.start()

    def variant_of(key: str, src: LoadedSource) -> Variant:
        declared = declared_variant(list(src.cells)) if own_variant else None
        return declared or variant.for_student(student_ids.get(key, key))

    try:
        handles = {key: SandboxStudent(student_ids.get(key, key), list(src.cells), limits, launcher,
                                       variant=variant_of(key, src))
                   for key, src in sources.items()}
        def finished(key: str, results: list[CheckResult]) -> None:
            if load_reports is not None:
                load_reports[key] = handles[key].sandbox.report
            if on_done:
                on_done(key, results)

        run = run_pytest(GradingRun(handles=handles, variant=variant, on_done=finished, own_variant=own_variant,
                                    self_check=self_check, show_answers=show_answers))
        if load_reports is not None:
            load_reports.update({sid: h.sandbox.report for sid, h in handles.items()})
        return {sid: run.results.get(sid, []) for sid in sources}
    finally:
        if own:
            launcher.close()


def grade_namespace(namespace: dict, functions: tuple[str, ...] = (), variant: Variant = Variant()) -> list[CheckResult]:
    """Grade the functions of a live namespace in-process (the notebook's self-check cells).

    The notebook's own SETUP, when it has one, decides the variant.
    """
    run = run_pytest(GradingRun(handles={"notebook": InProcessStudent("notebook", namespace)},
                                variant=variant, only_functions=functions, own_variant=True, self_check=True))
    return run.results.get("notebook", [])


@lru_cache(maxsize=1)
def list_checks() -> tuple[CheckInfo, ...]:
    """Every check the grader runs, in order (from a collection over an empty namespace)."""
    run = GradingRun(handles={"_": InProcessStudent("_", {})})
    sink = io.StringIO()
    with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
        pytest.main(checks_args(["--collect-only"]), plugins=[plugin_module, InitlabPlugin(run)])
    return tuple(run.checks)


def sandbox_handles(paths: list[str]):
    """Handles for files named on the pytest command line (``-p autograder.plugin``)."""
    launcher = default_launcher(Limits())
    launcher.start()
    handles = {}
    for path in paths:
        src = load_file(path)
        handles[path] = SandboxStudent(path, list(src.cells), Limits(), launcher, variant=Variant())
    return handles, launcher
