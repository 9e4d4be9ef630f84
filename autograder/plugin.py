"""The pytest plugin that turns the checks in autograder/checks/ into graded results.

The checks are ordinary pytest tests.  This plugin gives them their fixtures
(``student``: a handle on one submission; ``fb``: a Feedback; ``variant``; ``seed``),
parametrizes ``student`` over every submission of the run so one pytest session grades
many submissions, and turns each test report into a :class:`CheckResult`.

Programmatic use (what ``initlab check`` and ``initlab grade`` do)::

    run = GradingRun(handles={"s1": handle}, variant=Variant())
    pytest.main(checks_args(), plugins=[InitlabPlugin(run)])
    run.results["s1"]  # -> list[CheckResult]
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from autograder.config import Variant
from autograder.contract import GRADED
from autograder.feedback import CheckFailed, CheckSpec, Feedback
from autograder.messages import GRADER_ERROR, failure_message
from autograder.sandbox.runner import StudentFailure, TimedOut
from autograder.submission import CheckInfo, CheckResult

CHECKS_DIR = Path(__file__).with_name("checks")
_SID_PREFIX = "S~"  # submission ids in test ids look like "S~<n>"; stripped to get the check id


def checks_args(extra: list[str] | None = None) -> list[str]:
    """Arguments that make pytest run only our checks, quietly, ignoring the user's config."""
    return [
        str(CHECKS_DIR),
        "-c", str(CHECKS_DIR / "pytest.ini"),
        "--rootdir", str(CHECKS_DIR),
        "-p", "no:cacheprovider",
        "-p", "no:terminal",
        "-p", "no:warnings",
        # Student code never runs in this process, so pytest's per-test machinery for output
        # capture, logging and the like only costs time (~1 ms a check).
        "--capture=no",
        *(arg for name in ("logging", "junitxml", "doctest", "pastebin", "tmpdir", "monkeypatch", "recwarn",
                           "unittest", "setuponly", "setupplan", "stepwise", "legacypath", "debugging",
                           "faulthandler", "threadexception", "unraisableexception")
          for arg in ("-p", f"no:{name}")),
        "--noconftest",
        *(extra or []),
    ]


@dataclass
class GradingRun:
    """Inputs and outputs of one pytest session over one or more submissions."""

    handles: dict[str, object]
    """submission id -> student handle (SandboxStudent or InProcessStudent), in grading order."""
    variant: Variant = field(default_factory=Variant)
    call_timeout_s: float | None = None
    only_functions: tuple[str, ...] = ()
    """Run only the checks of these functions (the notebook's per-function self-check)."""
    select: Callable[[CheckInfo], bool] | None = None
    """Run only the checks this predicate accepts (e.g. the statistical ones, for calibration)."""
    show_answers: bool = False
    """Feedback may show the reference's analysis answers (``initlab grade --show-answers``, after the deadline)."""
    self_check: bool = False
    """A student checks their own work (``initlab check``, the notebook's cells): no reference answer is used."""
    own_variant: bool = False
    """Take each submission's variant from its SETUP cell (a student's self-check of a released week)."""
    on_done: Callable[[str, list[CheckResult]], None] | None = None
    """Called when the last check of a submission has run (progress bars)."""
    results: dict[str, list[CheckResult]] = field(default_factory=dict)
    checks: list[CheckInfo] = field(default_factory=list)


def check_id_of(item: pytest.Item) -> str:
    """'test_init_std[xavier_init-S~3]' -> 'test_init_std[xavier_init]'."""
    name = item.name
    if "[" not in name:
        return name
    base, params = name[:-1].split("[", 1)
    kept = [p for p in params.split("-") if not p.startswith(_SID_PREFIX)]
    return f"{base}[{'-'.join(kept)}]" if kept else base


def spec_of(item: pytest.Item) -> CheckSpec | None:
    return getattr(getattr(item, "function", None), "__initlab__", None)


def info_of(item: pytest.Item) -> CheckInfo:
    spec = spec_of(item)
    params = dict(getattr(getattr(item, "callspec", None), "params", {}))
    params.pop("student", None)
    function = spec.function
    if function.startswith("$"):  # the graded function is a parameter of the check
        function = params[function[1:]]
    title = spec.title.format(**params) if params else spec.title
    return CheckInfo(check_id_of(item), function, spec.points, title, spec.false_fail_rate)


class InitlabPlugin:
    def __init__(self, run: GradingRun):
        self.run = run
        self._sid_of_token: dict[str, str] = {}
        self._remaining: dict[str, int] = {}

    # ---- collection

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if "student" in metafunc.fixturenames:
            tokens = [f"{_SID_PREFIX}{i}" for i in range(len(self.run.handles))]
            self._sid_of_token = dict(zip(tokens, self.run.handles))
            metafunc.parametrize("student", tokens, indirect=True, scope="session", ids=tokens)

    def pytest_collection_modifyitems(self, session, config, items: list[pytest.Item]) -> None:
        kept = []
        for item in items:
            spec = spec_of(item)
            if spec is None:
                continue
            info = info_of(item)
            if self.run.only_functions and info.function not in self.run.only_functions:
                continue
            if self.run.select is not None and not self.run.select(info):
                continue
            kept.append(item)
        # Group by submission, then by the contract's order of functions, so reports read top-down.
        order = {name: i for i, name in enumerate(GRADED)}
        position = {id(item): i for i, item in enumerate(kept)}
        kept.sort(key=lambda it: (str(getattr(getattr(it, "callspec", None), "params", {}).get("student", "")).zfill(12),
                                  order.get(info_of(it).function, len(order)), position[id(it)]))
        items[:] = kept
        seen: set[str] = set()
        for item in kept:
            info = info_of(item)
            if info.check_id not in seen:
                seen.add(info.check_id)
                self.run.checks.append(info)
            sid = self._sid_of_token.get(item.callspec.params["student"]) if hasattr(item, "callspec") else None
            if sid is not None:
                self._remaining[sid] = self._remaining.get(sid, 0) + 1

    def pytest_configure(self, config: pytest.Config) -> None:
        config.stash[PLUGIN_KEY] = self

    # ---- results

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_call(self, item):
        item._initlab_started = time.perf_counter()
        yield

    @pytest.hookimpl(tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo):
        """Record a CheckResult and give pytest a cheap report.

        pytest's own report renders a full traceback for every failure (~20 ms each); the
        grader never shows tracebacks, so the report carries the check's one-line reason.
        """
        if spec_of(item) is None:
            return None
        if call.when == "call" or (call.when == "setup" and call.excinfo is not None):
            sid = self._sid_of_token[item.callspec.params["student"]]
            result = self._result(item, call)
            self.run.results.setdefault(sid, []).append(result)
            self._remaining[sid] -= 1
            if self._remaining[sid] == 0 and self.run.on_done:
                self.run.on_done(sid, self.run.results[sid])
        exc = call.excinfo
        return pytest.TestReport(
            item.nodeid, item.location, {}, "passed" if exc is None else "failed",
            None if exc is None else f"{exc.typename}: {str(exc.value)[:500]}",
            call.when, duration=call.duration, start=call.start, stop=call.stop,
        )

    def _result(self, item: pytest.Item, call: pytest.CallInfo) -> CheckResult:
        info = info_of(item)
        fb: Feedback | None = item.funcargs.get("fb") if hasattr(item, "funcargs") else None
        notes = tuple(fb.notes) if fb else ()
        artifacts = dict(getattr(fb, "artifacts", {}) or {}) if fb else {}
        seconds = time.perf_counter() - getattr(item, "_initlab_started", time.perf_counter())
        common = dict(info=info, notes=notes, artifacts=artifacts, seconds=seconds)
        exc = call.excinfo.value if call.excinfo is not None else None
        if exc is None:
            return CheckResult(score=info.points, status="passed", **common)
        if isinstance(exc, CheckFailed):
            return CheckResult(score=round(info.points * exc.fraction, 6), status="failed", expected=exc.expected,
                               measured=exc.measured, hint=exc.hint, **common)
        if isinstance(exc, StudentFailure):
            timeout = exc.info.get("seconds") if isinstance(exc, TimedOut) else None
            fn = _called_function(exc, info.function)
            message, hint = failure_message(exc.kind, fn, exc.info, timeout)
            return CheckResult(score=0.0, status=exc.kind, message=message, hint=hint, **common)
        message, hint = GRADER_ERROR
        return CheckResult(score=0.0, status="grader_error", message=message, hint=hint,
                           measured=f"{type(exc).__name__}: {exc}"[:300], **common)


def _called_function(exc: StudentFailure, default: str) -> str:
    """The student function (or answer) the failed call was for: the sandbox says so in ``info``."""
    fn = exc.info.get("fn")
    return fn if isinstance(fn, str) and fn.isidentifier() else default


# ---- fixtures (module level: pytest looks them up in this module, registered with the plugin)

PLUGIN_KEY = pytest.StashKey["InitlabPlugin"]()


def _plugin(request) -> "InitlabPlugin":
    return request.config.stash[PLUGIN_KEY]


@pytest.fixture(scope="session")
def student(request):
    """A handle on the submission this test is parametrized with (loaded once per session)."""
    plugin = _plugin(request)
    handle = plugin.run.handles[plugin._sid_of_token[request.param]]
    handle.load()
    yield handle
    handle.close()


@pytest.fixture
def fb() -> Feedback:
    return Feedback()


@pytest.fixture
def self_check(request) -> bool:
    """Whether this is a student's self-check (it never sees a reference answer), not grading."""
    return _plugin(request).run.self_check


@pytest.fixture
def answers_shown(request) -> bool:
    """Whether feedback may show the reference's analysis answers."""
    return _plugin(request).run.show_answers


@pytest.fixture
def variant(request, student) -> Variant:
    """The submission's variant: the week's, the student's own when the week is per student, or
    (for a self-check with ``own_variant``) the one the notebook declares."""
    run = _plugin(request).run
    if getattr(student, "variant", None) is not None:  # a sandboxed submission: set before it ran
        return student.variant
    if run.own_variant:
        from autograder.student import variant_key_of

        if not hasattr(student, "_declared_variant"):
            student._declared_variant = variant_key_of(student)
        if student._declared_variant is not None:
            return student._declared_variant
    return run.variant.for_student(student.sid)


@pytest.fixture
def seed(request, student, variant) -> int:
    """The seed of this check's grader-made inputs: from the variant, the check and the student."""
    return variant.check_seed(check_id_of(request.node), student.sid)


@pytest.fixture
def seed_for(request, student, variant):
    """Seeds shared by several checks (``seed_for("draws:xavier_init")``): they then judge one draw."""
    return lambda name: variant.check_seed(name, student.sid)


# When loaded with `pytest -p autograder.plugin --initlab-submission FILE`, grade that file.


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("initlab")
    group.addoption("--initlab-submission", action="append", default=[],
                    help="a student's weight_init.py / .ipynb to grade (repeatable)")


def pytest_configure(config: pytest.Config) -> None:
    paths = config.getoption("--initlab-submission", default=[])
    if paths and not any(isinstance(p, InitlabPlugin) for p in config.pluginmanager.get_plugins()):
        from autograder.steps.run_checks import sandbox_handles

        handles, launcher = sandbox_handles(paths)
        config._initlab_launcher = launcher
        config.pluginmanager.register(InitlabPlugin(GradingRun(handles=handles)), "initlab-run")


def pytest_unconfigure(config: pytest.Config) -> None:
    launcher = getattr(config, "_initlab_launcher", None)
    if launcher is not None:
        launcher.close()
