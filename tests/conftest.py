"""Shared fixtures: the reference solution, the stub, and ways to write submissions to disk."""
from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest

from tests import kernels


def package_helper():
    """The student helper as one module, from its package's modules (the names initlab_lab.py has, and
    the very classes the grader uses; tests/engine/test_build.py checks that the built file has the same)."""
    import importlib
    import types

    import autograder.lectures.weight_init.helper as lecture
    from autograder.engine.amalgamate import CORE

    module = types.ModuleType("initlab_lab", "the student helper, from its package")
    for name in [f"autograder.helper.{m}" for m in CORE] + [f"{lecture.__name__}.{m}" for m in lecture.MODULES]:
        module.__dict__.update({k: v for k, v in vars(importlib.import_module(name)).items()
                                if not k.startswith("__")})
    return module


lab = package_helper()
# Submissions import the helper beside them as `initlab_lab`; tests that run one in this process
# get the kit's, as the sandbox's child does.
sys.modules.setdefault(lab.MODULE_NAME, lab)

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_PY = ROOT / "solutions" / "weight_init.py"
MASTER_NB = ROOT / "solutions" / "weight_init.ipynb"
STUB_PY = ROOT / "assignment" / "weight_init.py"
STUB_NB = ROOT / "assignment" / "weight_init.ipynb"


def total_points() -> float:
    """Full marks: the sum of every check's points (functions and analysis answers)."""
    from autograder.engine.steps.run_checks import list_checks

    return sum(c.points for c in list_checks())


def reference_source() -> str:
    return REFERENCE_PY.read_text(encoding="utf-8")


def wait_until(predicate, timeout: float = 10.0, every: float = 0.02):
    """Call ``predicate`` until it returns something true or ``timeout`` seconds have passed; returns its
    last value (so ``assert wait_until(...)`` fails only when the condition never held).  For what
    another process does in its own time (a killed process disappearing, a folder being removed)."""
    import time

    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(every)


def notebook_of(text: str) -> str:
    """A .py file's `# %%` cells as a notebook's code cells (what Jupytext makes of it)."""
    cells = [{"cell_type": "code", "metadata": {}, "execution_count": None, "outputs": [], "source": part.strip()}
             for part in re.split(r"(?m)^# %%\n", text) if part.strip()]
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": cells}, ensure_ascii=False)


def notebook(cells: list[tuple[str, str]]) -> dict:
    """A minimal v4 notebook from (cell_type, source) pairs."""
    return {
        "nbformat": 4, "nbformat_minor": 5, "metadata": {},
        "cells": [{"cell_type": t, "metadata": {}, "source": s, **({"outputs": [], "execution_count": None}
                                                                   if t == "code" else {})} for t, s in cells],
    }


@pytest.fixture
def write_notebook(tmp_path):
    def write(cells, name="weight_init.ipynb") -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(notebook(cells), ensure_ascii=False), encoding="utf-8")
        return path
    return write


@pytest.fixture(scope="session", autouse=True)
def patient_nbgrader(tmp_path_factory):
    """Every nbgrader a test starts (also the one inside `initlab release`) gives its kernels the
    timeouts of tests/kernels.py, and reads no nbgrader_config.py from the user's ~/.jupyter."""
    config_dir = tmp_path_factory.mktemp("jupyter-config")
    (config_dir / "nbgrader_config.py").write_text(kernels.nbgrader_config(), encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
        yield config_dir


#: The test files that take longest (seconds of one run on a 2-core machine, rounded), so
#: `make test` starts them first: xdist hands out whole files, and one of these left for last
#: keeps a worker busy after the other has run out of work (30 s of a 4-minute run before this).
#: Only the order depends on it; a file renamed away from this table fails the run (below).
LONGEST_FILES = {
    "tests/engine/test_release.py": 41, "tests/engine/test_batch.py": 35, "tests/helper/test_notebook.py": 27,
    "tests/engine/sandbox/test_runner.py": 26, "tests/engine/test_similarity.py": 23,
    "tests/lectures/weight_init/instructor/test_answer_key.py": 22, "tests/engine/export/test_autograded.py": 21,
    "tests/lectures/weight_init/test_student_kit.py": 19, "tests/engine/sandbox/test_hostile.py": 18,
    "tests/engine/sandbox/test_seams.py": 18, "tests/lectures/weight_init/checks/test_mutants.py": 17,
    "tests/engine/export/test_lms_csv.py": 15, "tests/engine/test_cli_errors.py": 15,
    "tests/engine/test_pytest_plugin.py": 14, "tests/lectures/test_softmax.py": 14, "tests/engine/test_cells.py": 14,
    "tests/engine/export/test_nbgrader_db.py": 13, "tests/lectures/weight_init/checks/test_calibration.py": 12,
    "tests/engine/export/test_lms_end_to_end.py": 12, "tests/engine/sandbox/test_jail.py": 10,
}


def pytest_collection_modifyitems(config, items):
    """Longest files first, the rest in collection order (the Makefile turns off xdist's own
    reordering, which puts files with many tests first, however short)."""
    missing = [name for name in LONGEST_FILES if not (ROOT / name).is_file()]
    if missing:
        raise pytest.UsageError(f"tests/conftest.py LONGEST_FILES names files that are gone: {missing}")
    items.sort(key=lambda item: -LONGEST_FILES.get(item.nodeid.split("::")[0], 0))
