"""The test helpers of tests/kernels.py: a kernel that died or never started gets one more run, nothing else does."""
from __future__ import annotations

import subprocess

import pytest
from nbclient.exceptions import DeadKernelError

from tests.kernels import KernelRetry, kernel_failed, retry_on_kernel_failure


def flaky(*errors: Exception):
    """A callable that raises ``errors`` one per call, then returns the number of calls."""
    calls = []

    def run():
        calls.append(1)
        if len(calls) <= len(errors):
            raise errors[len(calls) - 1]
        return len(calls)
    return run


@pytest.mark.parametrize("error", [
    DeadKernelError("Kernel died"),
    RuntimeError("Kernel didn't respond in 120 seconds"),
    RuntimeError("Kernel died before replying to kernel_info"),
    subprocess.CalledProcessError(1, ["nbgrader", "autograde"], "",
                                  "nbclient.exceptions.DeadKernelError: Kernel died\n[AutogradeApp | ERROR] ..."),
])
def test_a_kernel_that_died_or_did_not_start_gets_one_more_run(error):
    """Is the run made again once, with a warning, when the kernel died or did not come up?"""
    assert kernel_failed(error)
    with pytest.warns(KernelRetry):
        assert retry_on_kernel_failure(flaky(error)) == 2


def test_a_second_kernel_failure_is_not_retried():
    """Does a kernel that dies twice fail the test?"""
    with pytest.warns(KernelRetry), pytest.raises(DeadKernelError):
        retry_on_kernel_failure(flaky(DeadKernelError("Kernel died"), DeadKernelError("Kernel died")))


@pytest.mark.parametrize("error", [AssertionError("score 0 != 46"), RuntimeError("nbgrader failed"),
                                   subprocess.CalledProcessError(1, ["nbgrader"], "", "No such assignment")])
def test_other_failures_are_never_retried(error):
    """Does any other error (a wrong score, a failed command) fail at once, without a second run?"""
    assert not kernel_failed(error)
    with pytest.raises(type(error)):
        retry_on_kernel_failure(flaky(error))
