"""The pytest plugin (autograder/engine/pytest_plugin.py): `pytest --pyargs autograder --initlab-submission F`
gives one item per registered check with `initlab check F`'s verdicts, points and texts.

Both are run as a course runs them, in child processes, on the reference and on typical mistakes of
the mutation suite (autograder/lectures/weight_init/instructor/samples.py); the plugin is found through
its installed pytest11 entry point.
"""
from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from autograder.engine.steps.run_checks import list_checks
from autograder.lectures.weight_init.instructor.samples import MUTANTS, mutate
from tests.kernels import PROCESS_TIMEOUT

pytestmark = pytest.mark.sandbox

ROOT = Path(__file__).resolve().parents[2]
REFERENCE_PY = ROOT / "solutions" / "weight_init.py"
#: Mistakes of four functions, failing in different ways: a value check (nan at x = 1000), a student
#: error and an in-place change (relu), a statistic (he_init's std), an answer blamed on its function.
MUTANT_IDS = ("sigmoid-nan-at-1000", "relu-in-place", "he-no-sqrt", "penalty-no-half")
#: A row of `initlab check`'s table: its number right-aligned in three columns (detail lines are indented).
ROW = re.compile(r"^[ \d]{2}\d  ")


def child_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTEST_ADDOPTS"}  # the child's run is its arguments only
    return {**env, "NO_COLOR": "1", **extra}


def run_pytest(file: Path, xml: Path, *more: str, env: dict | None = None) -> tuple[int, str, list[dict]]:
    """pytest on ``file`` through the plugin: (exit code, output, one dict per junit <testcase>, in order)."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--pyargs", "autograder",
                           "--initlab-submission", str(file), "--initlab-lang", "en", "--junitxml", str(xml), *more],
                          cwd=ROOT, capture_output=True, text=True, env=env or child_env(), timeout=PROCESS_TIMEOUT)
    cases = []
    if xml.is_file():
        for case in ET.parse(xml).getroot().iter("testcase"):
            props = {p.get("name"): p.get("value") for p in case.iter("property")}
            failure = case.find("failure")
            cases.append({"id": case.get("name"), "failed": failure is not None,
                          "text": failure.text if failure is not None else None,
                          "points": float(props["points"]), "max_points": float(props["max_points"])})
    return proc.returncode, proc.stdout + proc.stderr, cases


def run_cli(file: Path) -> tuple[int, str, list[tuple[bool, float, float]]]:
    """`initlab check FILE --lang en`: (exit code, output, (passed, points, max points) of each row, in order)."""
    proc = subprocess.run([sys.executable, "-m", "autograder", "check", str(file), "--lang", "en"], cwd=ROOT,
                          capture_output=True, text=True, env=child_env(), timeout=PROCESS_TIMEOUT)
    rows = []
    for line in proc.stdout.splitlines():
        if ROW.match(line):
            got, most = line.split()[-1].split("/")
            rows.append((line[5:15].strip() == "PASS", float(got), float(most)))
    return proc.returncode, proc.stdout, rows


def mutant_file(folder: Path, mid: str) -> Path:
    _, function, body = next(m for m in MUTANTS if m[0] == mid)
    path = folder / f"{mid}.py"
    path.write_text(mutate(function, body), encoding="utf-8")
    return path


def test_the_reference_passes_one_item_per_registered_check(tmp_path):
    """Is the reference one passing item per check the lecture registers, in report order, with its
    points in the junit XML, and pytest's exit code 0?"""
    code, out, cases = run_pytest(REFERENCE_PY, tmp_path / "ref.xml")
    checks = list_checks()
    assert code == 0, out
    assert [c["id"] for c in cases] == [c.check_id for c in checks], out
    assert not [c["id"] for c in cases if c["failed"]], out
    assert [(c["points"], c["max_points"]) for c in cases] == [(c.points, c.points) for c in checks]
    assert f"{len(checks)} passed" in out


@pytest.mark.parametrize("mid", MUTANT_IDS)
def test_a_mistake_gets_initlab_checks_verdicts_points_and_texts(tmp_path, mid):
    """For a typical mistake, does every item have the verdict and points `initlab check` prints for
    its check, pytest exit 1, and is each failing item's text the one printed under that check?"""
    path = mutant_file(tmp_path, mid)
    code, out, cases = run_pytest(path, tmp_path / "junit.xml")
    cli_code, cli_out, rows = run_cli(path)
    assert cli_code == 1 and code == 1, (cli_out, out)
    assert len(rows) == len(cases) == len(list_checks()), (cli_out, out)
    for case, (passed, got, most) in zip(cases, rows):
        assert (not case["failed"], case["points"], case["max_points"]) == (passed, got, most), (case, cli_out)
    failing = [c for c in cases if c["failed"]]
    assert failing, out
    for case in failing:  # expected / measured / hint (or what happened) as the CLI prints them under the check
        assert case["text"] and "hint: " in case["text"], case
        assert textwrap.indent(case["text"], " " * 6) in cli_out, (case["text"], cli_out)


EXTRA_CHECK = '''
"""A check a TA adds to the lecture: one decorated function, as its helper/checks_*.py declare them."""
from autograder.helper.text import T
from autograder.lectures.weight_init.helper.contract import graded_check


@graded_check("relu", points=1, title=T("relu(-2) is 0", "relu(-2)는 0"))
def test_relu_of_minus_two(student, fb):
    y = fb.number(student.call("relu", -2.0).value, "relu(-2.0)")
    fb.expect(y == 0.0, "relu(-2.0) = 0", f"{y:g}", T("A negative input gives 0.", "음수 입력은 0이 됩니다."))
'''


def test_a_check_a_ta_registers_is_an_item_too(tmp_path):
    """Is a check registered with the lecture's decorator (here by a module pytest loads with -p) an item
    in its place among its function's checks, passing on the reference and failing on relu-min with
    its own expected / measured / hint, as `initlab check` would grade it?"""
    (tmp_path / "ta_extra_check.py").write_text(EXTRA_CHECK, encoding="utf-8")
    env = child_env(PYTHONPATH=os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep))
    ids = [c.check_id for c in list_checks()]
    last_relu = max(i for i, c in enumerate(list_checks()) if c.function == "relu")
    expected_ids = ids[: last_relu + 1] + ["test_relu_of_minus_two"] + ids[last_relu + 1:]

    code, out, cases = run_pytest(REFERENCE_PY, tmp_path / "ref.xml", "-p", "ta_extra_check", env=env)
    assert code == 0, out
    assert [c["id"] for c in cases] == expected_ids, out
    assert not [c["id"] for c in cases if c["failed"]], out

    code, out, cases = run_pytest(mutant_file(tmp_path, "relu-min"), tmp_path / "mutant.xml", "-p", "ta_extra_check",
                                  env=env)
    extra = next(c for c in cases if c["id"] == "test_relu_of_minus_two")
    assert code == 1 and extra["failed"] and (extra["points"], extra["max_points"]) == (0.0, 1.0), out
    assert extra["text"].splitlines() == ["expected: relu(-2.0) = 0", "measured: -2", "hint: A negative input gives 0."]
