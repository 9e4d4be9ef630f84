"""The registered checks as pytest items, for a course whose CI, grader or IDE speaks pytest.

    python -m pytest --pyargs autograder --initlab-submission weight_init.py [--junitxml report.xml]

reports one item per check of the lecture, with ``initlab check``'s verdicts, points and hints: the
file is graded once, by the very function ``initlab check`` uses (cli.check_file: in the jail, as the
student's own check), and each item replays one result.  So a course's pytest tooling (junit XML for a
CI, ``-k`` to look at one function, an IDE's test tree) shows what a student sees, and a check a TA
registers with the lecture's decorator is an item without a line here.  Students never need pytest.

Installed as the ``pytest11`` entry point ``initlab``, so it is loaded by every pytest run where the kit
is installed: without ``--initlab-submission`` it only adds its options, imports nothing of the kit
and touches no run.
"""
from __future__ import annotations

from pathlib import Path

import pytest

#: Where the graded file and its results live during a run (config.stash).
_RUN = pytest.StashKey["InitlabRun"]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("initlab", "initlab: run a lecture's checks on one submission as test items")
    group.addoption("--initlab-submission", metavar="FILE", default=None,
                    help="grade FILE (.py or .ipynb) as `initlab check FILE` does; one item per check")
    group.addoption("--initlab-lecture", metavar="NAME", default=None,
                    help="the lecture (default: INITLAB_LECTURE, else the kit's default lecture)")
    group.addoption("--initlab-lang", choices=("en", "ko"), default=None,
                    help="language of the failure texts (default: as `initlab check`'s)")
    group.addoption("--initlab-timeout", metavar="S", type=float, default=None,
                    help="seconds one call of a submitted function may take (default: as `initlab check`'s)")


def pytest_configure(config: pytest.Config) -> None:
    file = config.getoption("initlab_submission", None)
    if not file:
        return  # not asked for: this run is none of the plugin's business
    path = Path(file)
    if not path.is_absolute():
        path = config.invocation_params.dir / path
    if not path.is_file():
        raise pytest.UsageError(f"--initlab-submission: no {file} found")
    run = InitlabRun(config, path.resolve())
    config.stash[_RUN] = run
    config.pluginmanager.register(run, "initlab-run")


class InitlabRun:
    """The hooks of a run that grades a submission (registered only when one is given)."""

    def __init__(self, config: pytest.Config, path: Path):
        from autograder.engine.sandbox.limits import Limits
        from autograder.helper.text import default_lang

        self.path = path
        self.lecture = config.getoption("initlab_lecture")
        self.lang = config.getoption("initlab_lang") or default_lang()
        timeout = config.getoption("initlab_timeout")
        self.timeout = Limits.call_timeout_s if timeout is None else timeout
        self.submission = None
        self.unconfined: list[str] = []

    def grade(self):
        """The submission's results, graded on first use (once per run)."""
        if self.submission is None:
            from autograder.engine.cli import NoSubmission, check_file

            try:
                self.submission, _ = check_file(self.path, self.lecture, self.lang, self.timeout,
                                                on_unconfined=self.unconfined.append)
            except NoSubmission as exc:  # check_file was given a file, so this is only a safeguard
                raise pytest.UsageError(f"--initlab-submission: {exc}") from None
        return self.submission

    # tryfirst: the items are there before -k, -m and --deselect filter the list.
    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_modifyitems(self, session: pytest.Session, items: list[pytest.Item]) -> None:
        # The checks are not in any test file (`--pyargs autograder` collects none): their collector is
        # made here and collected like a file of the run, so the terminal and -k see its items.
        try:
            nodeid = self.path.relative_to(session.config.rootpath).as_posix()
        except ValueError:
            nodeid = self.path.name
        collector = SubmissionFile.from_parent(session, path=self.path, nodeid=nodeid)
        items.extend(session.genitems(collector))

    def pytest_report_collectionfinish(self, config: pytest.Config) -> list[str]:
        return [f"initlab: {self.path}, {self.lang}"] + [f"initlab: {line}" for line in self.unconfined]

    def pytest_terminal_summary(self, terminalreporter) -> None:
        sub = self.submission
        if sub is None:
            return
        from autograder.engine.report.table import load_notes
        from autograder.helper.text import T, pick
        from autograder.helper.wording import LABELS

        tr = terminalreporter
        tr.section("initlab")
        for line in self.unconfined:
            tr.write_line(line)
        for note in load_notes(sub, self.lang):
            tr.write_line(f"! {note}")
        tr.write_line(f"{pick(LABELS['total'], self.lang)}: {sub.score:g} / {sub.max_score:g}")
        if sub.status not in ("graded", "pending"):
            not_graded = pick(T("not graded", "채점 불가"), self.lang)
            tr.write_line(f"{not_graded}: {sub.status} — {pick(sub.message, self.lang)}")


class SubmissionFile(pytest.File):
    """The graded file: its children are its check results, in ``initlab check``'s order."""

    def collect(self):
        run: InitlabRun = self.config.stash[_RUN]
        for result in run.grade().results:
            yield CheckItem.from_parent(self, name=result.check_id, result=result, lang=run.lang)


class CheckFailed(Exception):
    """A check that did not pass; its text is what ``initlab check`` prints under it."""


class CheckItem(pytest.Item):
    """One check's result on the submission: it was run when the file was graded, so running the
    item only reports it."""

    def __init__(self, *, result, lang: str, **kwargs):
        super().__init__(**kwargs)
        self.result = result
        self.lang = lang
        # In a junit XML each <testcase> carries them (<properties>), for a gradebook that reads one.
        self.user_properties += [("points", result.score), ("max_points", result.points)]

    def runtest(self) -> None:
        if not self.result.passed:
            raise CheckFailed(self.result.check_id)

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, CheckFailed):
            return failure_text(self.result, self.lang)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        from autograder.helper.text import pick
        from autograder.helper.wording import STATUS_LABEL

        r = self.result
        return self.path, None, (f"{r.check_id} ({r.function}: {pick(r.info.title, self.lang)}, "
                                 f"{pick(STATUS_LABEL[r.status], self.lang)} {r.score:g}/{r.points:g})")


def failure_text(result, lang: str) -> str:
    """What ``initlab check`` prints under a check that lost points (what happened, expected, measured,
    hint, notes), with the same wrapping, without the table's indent."""
    import textwrap

    from autograder.engine.report.table import detail_lines

    return textwrap.dedent("\n".join(detail_lines(result, lang)))
