"""The mutation suite: typical student mistakes, each injected into the reference one at a time.

Every mutant must lose points, and among the function checks only on checks of the function
it breaks (one bug costs points in one place).  The analysis answers are computed with the
student's own functions, so a broken function may also cost the answers that use it; those
are not function checks.  The textbook forms that are right (with warnings) lose nothing.
"""
from __future__ import annotations

import pytest

from autograder.lectures.weight_init.helper.contract import ANSWERS
from autograder.lectures.weight_init.instructor.samples import CORRECT_VARIANTS, MUTANTS, mutate
from autograder.engine.steps.load import load_python
from autograder.engine.steps.run_checks import grade_sources

pytestmark = pytest.mark.sandbox


@pytest.fixture(scope="module")
def graded():
    sources = {mid: load_python(mutate(fn, body).encode(), "weight_init.py") for mid, fn, body in MUTANTS + CORRECT_VARIANTS}
    return grade_sources(sources)


@pytest.mark.parametrize("mid,function,body", MUTANTS, ids=[m[0] for m in MUTANTS])
def test_each_mistake_loses_points_only_on_its_own_function(graded, mid, function, body):
    """Does the mutant lose points, all of them on checks of the function it breaks?"""
    lost = [r for r in graded[mid] if r.score < r.points and r.function not in ANSWERS]
    assert lost, f"{mid} lost no points"
    assert {r.function for r in lost} == {function}, [(r.check_id, r.status) for r in lost]
    assert all(function in r.check_id for r in lost)
    for r in lost:  # every lost point is explained: expected/measured or what happened, and a hint
        assert r.hint is not None and (r.expected or r.message is not None), r.check_id


@pytest.mark.parametrize("mid,function,body", CORRECT_VARIANTS, ids=[m[0] for m in CORRECT_VARIANTS])
def test_right_answers_in_other_forms_keep_full_marks(graded, mid, function, body):
    """Do other correct forms (the textbook sigmoid, loops, rng.normal) keep every point?"""
    lost = [(r.check_id, r.status, r.expected, r.measured) for r in graded[mid] if r.score < r.points]
    assert not lost


def test_the_textbook_sigmoid_gets_a_note_about_overflow_but_no_penalty(graded):
    """Is the overflow warning of 1/(1+np.exp(-x)) mentioned as a note while it scores full marks?"""
    values = next(r for r in graded["sigmoid-textbook"] if r.check_id == "check_sigmoid_values")
    assert values.passed and any("overflow" in n.en for n in values.notes)


@pytest.mark.parametrize("mid,needle", [
    ("xavier-fan-out", "n_out"), ("he-is-xavier", "Xavier"), ("he-no-sqrt", "square root"),
    ("probe-stores-pre-activation", "before the activation"), ("probe-no-chaining", "previous layer"),
    ("penalty-no-half", "0.5"), ("normal-reseeds-inside", "re-seed"), ("xavier-uniform-same-variance", "uniform"),
    ("probe-returns-lecture-dict", "list"), ("relu-in-place", "caller's array"), ("grad-twice", "0.5"),
])
def test_typical_mistakes_get_the_hint_that_names_them(graded, mid, needle):
    """Does the hint name the specific mistake (not only the generic rule)?"""
    hints = " ".join(r.hint.en for r in graded[mid] if r.score < r.points and r.hint)
    assert needle in hints


@pytest.fixture(scope="module")
def self_checked(tmp_path_factory):
    """Every mutant and right variant self-checked as a student does: in this process, with the
    helper's own loop (the notebook's `lab.run_checks()`, `python initlab_lab.py FILE`)."""
    from tests.conftest import lab

    folder = tmp_path_factory.mktemp("selfcheck")
    out = {}
    for mid, fn, body in MUTANTS + CORRECT_VARIANTS:
        path = folder / f"{mid}.py"
        path.write_text(mutate(fn, body), encoding="utf-8")
        namespace, _ = lab.run_file(str(path))
        out[mid] = lab.self_check(namespace, sid=mid)  # the grader's seeds for this key (no course key here)
    return out


def test_the_self_check_gives_the_graders_verdict_on_every_function_check(graded, self_checked):
    """For every typical mistake and every right variant, does each function check have the same
    status and score in the student's self-check (in the kernel) as in grading (in the jail), on the
    same inputs?  (A course's grading draws its inputs from the course key, so a mistake whose
    statistics vary with the draw, such as xavier-equal-units, may pass a statistical check in one
    and fail it in the other, as it may in two gradings; right code passes both but at the stated
    false-fail rates.)"""
    for mid in graded:
        grader = {r.check_id: (r.status, r.score) for r in graded[mid] if r.function not in ANSWERS}
        student = {r.check_id: (r.status, r.score) for r in self_checked[mid] if r.function not in ANSWERS}
        assert student == grader, (mid, {k: (student.get(k), v) for k, v in grader.items() if student.get(k) != v})


def test_no_answer_passes_a_self_check_while_a_function_it_uses_fails(graded, self_checked):
    """For every mutant: an analysis answer whose steps use a function that fails its own checks is not
    PASS in the self-check (it agrees with a broken function; grading would take the PASS back), and
    its hint names that function; the self-check never passes an answer that grading fails."""
    from autograder.lectures.weight_init.helper.contract import CHECKS

    blamed = 0
    for mid, results in self_checked.items():
        broken = {r.function for r in results if r.function not in ANSWERS and not r.passed}
        for r in results:
            if r.function not in ANSWERS:
                continue
            culprits = broken & set(CHECKS.uses.get(r.function, ()))
            if culprits:
                blamed += 1
                assert not r.passed and r.score == 0, (mid, r.check_id)
                assert any(f in r.hint.en and f in r.hint.ko for f in culprits), (mid, r.hint)
        grader = {r.check_id: r.passed for r in graded[mid] if r.function in ANSWERS}
        for r in results:
            if r.function in ANSWERS and r.passed:
                assert grader[r.check_id], (mid, r.check_id, "PASS in the self-check, failed in grading")
    assert blamed >= 10


def test_checking_one_answer_alone_also_checks_the_functions_it_uses():
    """`lab.check("answer_he_relu_std")` in a notebook runs only that cell's check, but its verdict
    still depends on he_init and relu passing theirs: He without the 2 is never PASS there."""
    from autograder.lectures.weight_init.instructor.samples import mutate
    from tests.conftest import lab

    import tempfile
    from pathlib import Path

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "weight_init.py"
        path.write_text(mutate("he_init", "return rng.standard_normal((n_in, n_out)) * np.sqrt(1.0 / n_in)"),
                        encoding="utf-8")
        namespace, _ = lab.run_file(str(path))
    (result,) = lab.self_check(namespace, ("answer_he_relu_std",))
    assert result.function == "answer_he_relu_std" and not result.passed and "he_init" in result.hint.en
