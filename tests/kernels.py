"""Jupyter kernels and child processes in tests, made to survive a busy two-core machine.

On a loaded machine a kernel can take tens of seconds to answer its first message, a heavy
cell several times its usual time, and now and then a kernel dies while starting (a missed
heartbeat, a port taken between being chosen and being bound). None of that is the notebook's
fault, so the helpers here wait generously and, when a kernel died or never came up, run the
whole thing once more. A second failure, and every other error, still fails the test.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Callable, TypeVar

T = TypeVar("T")

#: Seconds a kernel may take to answer its first message (nbclient's default is 60).
STARTUP_TIMEOUT = 120
#: Seconds one cell may run (nbgrader's default is 30; the lecture's figure is the heaviest cell).
CELL_TIMEOUT = 600
#: Seconds one child process (nbgrader, a fresh interpreter) may run: only a hang gets near it.
PROCESS_TIMEOUT = 1800

#: What a kernel that died or did not come up says (nbclient and jupyter_client), in an exception
#: or in the traceback nbgrader prints.
KERNEL_FAILURES = ("DeadKernelError", "Kernel died", "Kernel didn't respond")


class KernelRetry(UserWarning):
    """A kernel died or did not start, and the run was made once more."""


def kernel_failed(error: BaseException) -> bool:
    """Did ``error`` (or the output it carries) come from a kernel that died or never started?"""
    from nbclient.exceptions import DeadKernelError

    if isinstance(error, DeadKernelError):
        return True
    text = f"{type(error).__name__}: {error}"
    if isinstance(error, subprocess.CalledProcessError):
        text += f"\n{error.stdout or ''}\n{error.stderr or ''}"
    return any(s in text for s in KERNEL_FAILURES)


def retry_on_kernel_failure(run: Callable[[], T]) -> T:
    """``run()``, and once more if it failed because a Jupyter kernel died or did not start.

    ``run`` must start from scratch each time (a fresh notebook, a command that redoes what failed).
    The retry is reported as a :class:`KernelRetry` warning, so a flaky machine stays visible.
    """
    try:
        return run()
    except Exception as error:
        if not kernel_failed(error):
            raise
        first_line = str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__
        warnings.warn(f"a Jupyter kernel died or did not start ({first_line}); running once more", KernelRetry)
    return run()


def execute_notebook(path: Path, **options):
    """The notebook at ``path``, run top to bottom in a fresh ``python3`` kernel, with its outputs.

    It runs in a folder of its own with the student helper beside it (``initlab_lab.py``), as a
    released notebook is.  ``options`` go to :class:`nbclient.NotebookClient` (e.g. ``allow_errors=True``).
    """
    import tempfile

    import nbformat
    from nbclient import NotebookClient

    from autograder.engine.release import HELPER_NAME
    from autograder.lectures.weight_init import HELPER_FILE as HELPER

    def run():
        nb = nbformat.read(path, as_version=4)
        with tempfile.TemporaryDirectory(prefix="initlab-nb-") as folder:
            shutil.copyfile(HELPER, Path(folder) / HELPER_NAME)
            NotebookClient(nb, timeout=CELL_TIMEOUT, startup_timeout=STARTUP_TIMEOUT, kernel_name="python3",
                           resources={"metadata": {"path": folder}}, **options).execute()
        return nb

    return retry_on_kernel_failure(run)


def nbgrader_config() -> str:
    """An nbgrader_config.py giving nbgrader's kernels (autograde) the timeouts above."""
    return ("c = get_config()\n"
            f"c.Execute.timeout = {CELL_TIMEOUT}\n"
            f"c.Execute.startup_timeout = {STARTUP_TIMEOUT}\n")


def nbgrader_env() -> dict:
    # nbgrader runs `alembic` from PATH; the venv's bin folder is not on it under `.venv/bin/python`.
    return dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
                PYTHONWARNINGS="ignore")


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """``python -m nbgrader <args>`` in ``course``; fails with its output on a non-zero exit.

    Run once more if a kernel died or did not start (``autograde``): nbgrader removes what failed,
    so the same command grades it again and skips what was already graded.
    """
    def run():
        return subprocess.run([sys.executable, "-m", "nbgrader", *args], cwd=course, env=nbgrader_env(),
                              capture_output=True, text=True, check=True, timeout=PROCESS_TIMEOUT)

    try:
        return retry_on_kernel_failure(run)
    except subprocess.CalledProcessError as failed:
        raise AssertionError(f"nbgrader {' '.join(args)} failed ({failed.returncode}):\n"
                             f"{failed.stdout}\n{failed.stderr}") from None
