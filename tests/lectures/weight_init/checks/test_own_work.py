"""Points come only from the student's own work: a graded function that wraps one of the helper's
grader-made callables (Sigmoid, Relu, ScaledNormal, FanInNormal, ...) earns nothing for it in grading,
because the helper a graded submission imports does not have them."""
from __future__ import annotations

import pytest

from autograder.engine.pipeline import GradeConfig, grade_file
from autograder.engine.sandbox.limits import Limits
from autograder.lectures.weight_init.instructor.samples import mutate
from tests.conftest import total_points

pytestmark = pytest.mark.sandbox

WRAPPERS = {
    "sigmoid": "import initlab_lab\nreturn initlab_lab.Sigmoid({})(x)",
    "relu": "import initlab_lab\nreturn initlab_lab.Relu({})(x)",
    "he_init": "import initlab_lab\nreturn initlab_lab.FanInNormal({'gain': 2.0})(n_in, n_out, rng)",
    "xavier_init": ("import initlab_lab\n"
                    "return initlab_lab.build_callable('fan_in_normal', {'gain': 1.0})(n_in, n_out, rng)"),
}


def test_wrapping_the_graders_callables_earns_nothing(tmp_path):
    source = None
    for function, body in WRAPPERS.items():
        source = mutate(function, body, source)
    path = tmp_path / "weight_init.py"
    path.write_text(source, encoding="utf-8")
    sub = grade_file(path, GradeConfig(limits=Limits(call_timeout_s=10)))
    by_function: dict[str, float] = {}
    for r in sub.results:
        by_function[r.function] = by_function.get(r.function, 0.0) + r.score
    for function in WRAPPERS:
        assert by_function[function] == 0, (function, [(r.check_id, r.status, r.message) for r in sub.results
                                                       if r.function == function][:2])
    # Everything else is the reference's own code: full marks there (the answers use the wrapped
    # functions, so they may not; the probe and weight decay must).
    for function in ("normal_init", "activation_probe", "weight_decay_penalty", "weight_decay_grad"):
        points = sum(r.points for r in sub.results if r.function == function)
        assert by_function[function] == points, function
    assert sub.score < total_points()


def test_the_self_check_says_why_wrapping_earns_nothing(tmp_path):
    """In a notebook the helper has the callables (it runs the checks): a function that makes one of them
    itself fails its self-check with a message that says so, in both languages, instead of a PASS that
    grading would take back."""
    from tests.conftest import lab

    path = tmp_path / "weight_init.py"
    path.write_text(mutate("sigmoid", "import initlab_lab\nreturn initlab_lab.Sigmoid({})(x)"), encoding="utf-8")
    namespace, _ = lab.run_file(str(path))
    results = lab.self_check(namespace, ("sigmoid",))
    assert results and all(not r.passed for r in results)
    said = " ".join(f"{r.message.en if r.message else ''} {r.message.ko if r.message else ''}" for r in results)
    assert "grader's own Sigmoid" in said and "채점용 Sigmoid" in said
