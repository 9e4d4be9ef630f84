"""Student inits as callables: the seed sent to the child, and what happens to what comes back."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.lectures.weight_init.experiments.net import InitProblem
from autograder.lectures.weight_init.experiments.sandboxed import SandboxInit, generator_seed
from autograder.engine.sandbox.limits import Limits
from autograder.helper.wire import RngSpec, Unsupported
from autograder.engine.sandbox.runner import CallReply, NotAttempted


class FakeSandbox:
    """Stands in for a Sandbox: records the call and returns a canned value (no child process)."""

    limits = Limits()

    def __init__(self, value=None, error: Exception | None = None):
        self.value, self.error, self.calls = value, error, []

    def call(self, fn, *args):
        self.calls.append((fn, args))
        if self.error is not None:
            raise self.error
        return CallReply(value=self.value)


def test_a_fresh_generator_is_sent_as_its_seed():
    """Does default_rng(s), still unused, reach the child as RngSpec(s), so both sides draw the same numbers?"""
    assert generator_seed(np.random.default_rng(12345)) == 12345


def test_a_used_generator_is_not_replayed():
    """Does a generator that has already drawn give some other seed, not its fresh seed again?"""
    rng = np.random.default_rng(12345)
    rng.random()
    assert generator_seed(rng) != 12345
    assert generator_seed(np.random.default_rng([1, 2])) >= 0  # a list seed: a seed is drawn instead


def test_sandbox_init_passes_shape_seed_and_extra_arguments():
    """Does the call carry (n_in, n_out, RngSpec(seed), std), and is the value a private writable copy?"""
    value = np.ones((4, 3))
    value.setflags(write=False)  # as the reply's arrays are
    sandbox = FakeSandbox(value)
    w = SandboxInit(sandbox, "normal_init", (0.01,))(4, 3, np.random.default_rng(9))
    assert sandbox.calls == [("normal_init", (4, 3, RngSpec(9), 0.01))]
    assert w.flags.writeable and np.array_equal(w, value)


def test_an_object_the_child_could_not_send():
    """Is an unsendable return value (a torch tensor, say) reported by its type name?"""
    with pytest.raises(InitProblem, match="torch.Tensor"):
        SandboxInit(FakeSandbox(Unsupported("torch.Tensor")), "he_init")(4, 3, np.random.default_rng(0))


def test_a_stub_becomes_a_bilingual_not_attempted_message():
    """Does NotImplementedError in the child become 'not implemented yet', with a hint, in both languages?"""
    sandbox = FakeSandbox(error=NotAttempted("he_init raises NotImplementedError"))
    with pytest.raises(InitProblem) as info:
        SandboxInit(sandbox, "he_init")(4, 3, np.random.default_rng(0))
    assert "not implemented yet" in info.value.text.en and "Hint:" in info.value.text.en
    assert "구현하지 않았습니다" in info.value.text.ko and "힌트" in info.value.text.ko
