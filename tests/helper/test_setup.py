"""A week's set-up as students receive it: the notebook's SETUP and per-student set-up codes."""
from __future__ import annotations

import json

import pytest

from tests.conftest import lab
from autograder.engine.config import Variant
from autograder.engine.steps.handles import declared_variant, graded_setup, variant_of_setup

KEY = "a-course-key"


def test_a_set_up_code_holds_one_students_numbers_and_nothing_of_the_key():
    """Does a code round-trip to exactly that student's public numbers, without the course key?"""
    v = Variant.derive(KEY, 3, "2026001", per_student=True)
    code = lab.encode_setup(v.public_dict())
    assert code.startswith(lab.SETUP_CODE_PREFIX) and KEY not in code
    assert Variant.from_dict(lab.decode_setup(code)) == Variant.from_dict(v.public_dict())  # JSON has no tuples
    assert variant_of_setup(code) == Variant.from_dict(v.public_dict())


@pytest.mark.parametrize("bad", ["", "hello", lab.SETUP_CODE_PREFIX + "not-base64!!"])
def test_a_wrong_code_is_explained_in_both_languages(bad):
    with pytest.raises(ValueError) as info:
        lab.variant(bad, "2026001")
    assert "SETUP" in str(info.value) or "설정 코드" in str(info.value)
    assert "/" in str(info.value)  # Korean, then English


def test_another_students_code_is_refused():
    """Pasting a friend's code with one's own student id says so."""
    code = lab.encode_setup(Variant.derive(KEY, 3, "2026002", per_student=True).public_dict())
    with pytest.raises(ValueError, match="2026002"):
        lab.variant(code, "2026001")


def test_the_notebook_computes_the_same_analysis_seeds_as_the_grader():
    """Are the seeds a notebook draws with (from its SETUP alone) the grader's?"""
    for v in (Variant(), Variant.derive(KEY, 2), Variant.derive(KEY, 5, "2026001", per_student=True)):
        mine = lab.variant(v.public_dict(), v.student_id)
        for tag in ("saturated", "xavier", "he", "penalty"):
            assert mine.analysis_seed(tag) == v.analysis_seed(tag)
        assert (mine.n_samples, mine.lam, mine.init_shapes) == (v.n_samples, v.lam, v.init_shapes)


def test_an_empty_setup_is_the_lectures_own():
    """Does an empty SETUP give the kit's default variant, number for number, without the kit?"""
    assert lab.variant({}, "").n_samples == Variant().n_samples == 1000
    assert lab.LECTURE_SETUP == json.loads(json.dumps(Variant().public_dict()))
    mine, kit = lab.variant({}, ""), Variant()
    assert [mine.check_seed("c", "s"), mine.analysis_seed("xavier")] == [kit.check_seed("c", "s"), kit.analysis_seed("xavier")]


def test_what_the_child_receives_has_no_key():
    """Is the course key absent from what the sandbox child gets (and from the public numbers)?"""
    v = Variant.derive(KEY, 4)
    assert "course_key" not in graded_setup(v) and KEY not in repr(graded_setup(v))
    assert KEY not in repr(v)  # not even in a log line or a traceback


def test_the_declared_setup_is_read_without_running_the_code():
    """SETUP as a literal, and SETUP = SETUP_CODE in a per-student week."""
    v = Variant.derive(KEY, 2)
    cells = [{"source": f"import os\nos._exit(1)\nSETUP = {v.public_dict()!r}\n", "name": "c"}]
    assert declared_variant(cells) == Variant.from_dict(v.public_dict())
    p = Variant.derive(KEY, 2, "2026001", per_student=True)
    code = lab.encode_setup(p.public_dict())
    cells = [{"source": f'STUDENT_ID = "2026001"\nSETUP_CODE = "{code}"\n', "name": "a"},
             {"source": "SETUP = SETUP_CODE\n", "name": "b"}]
    assert declared_variant(cells) == Variant.from_dict(p.public_dict())
    assert declared_variant([{"source": "x = 1\n", "name": "c"}]) is None


def _code_of(raw: bytes) -> str:
    import base64
    import zlib

    return lab.SETUP_CODE_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


@pytest.mark.parametrize("raw", [b"[" * 100_000 + b"]" * 100_000, b" " * 10_000_000, b'{"a": "' + b"x" * 100_000 + b'"}'],
                         ids=["nested", "inflates-to-10-MB", "large"])
def test_a_set_up_code_built_to_hurt_is_only_a_damaged_code(raw):
    """Is a code that inflates to a bomb, or to JSON nested 100,000 deep, refused as damaged (bounded work),
    never an error of its own?"""
    with pytest.raises(ValueError, match="damaged"):
        lab.decode_setup(_code_of(raw))
    assert variant_of_setup(_code_of(raw)) is None


@pytest.mark.parametrize("table", [{"week": [1]}, {"week": True}, {"lam": "0.1"}, {"lam": float("nan")},
                                   {"node_num": 10 ** 40}, {"init_shapes": [[1e9, "x"]]}, {"probe_shape": [1, 2]},
                                   {"student_id": "x" * 1000}, {"per_student": "yes"}, {"no_such_key": 1}])
def test_a_set_up_of_the_wrong_types_is_refused(table):
    """Does every value of a set-up have to have its type and a sane size (a forged SETUP is a student's text)?"""
    with pytest.raises(ValueError):
        Variant.from_dict(table)
    assert variant_of_setup(table) is None


def test_every_released_variant_reads_back_through_the_checks():
    """Do the checks on set-up values accept every variant a release can make?"""
    for week in range(1, 30):
        v = Variant.derive(KEY, week, str(week), per_student=week % 2 == 0)
        assert Variant.from_dict(json.loads(json.dumps(v.to_dict()))) == v


# ---- signed set-up codes ---------------------------------------------------------------------


def _edited(code: str, change, keep_checksum: bool = False) -> str:
    """``code`` with its set-up changed by ``change`` (a dict -> None); with ``keep_checksum``, the
    checksum recomputed as a careful forger would (the course's signature cannot be)."""
    import base64
    import zlib

    from autograder.helper.setup import CHECKSUM, canonical

    body = code[len(lab.SETUP_CODE_PREFIX):]
    values = json.loads(zlib.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))
    change(values)
    if keep_checksum:
        import hashlib

        values[CHECKSUM] = hashlib.sha256(canonical(values)).hexdigest()[:12]
    return _code_of(json.dumps(values, sort_keys=True, separators=(",", ":")).encode())


def test_an_edited_code_is_refused_in_the_notebook_in_both_languages():
    """A student who makes their set-up easier (λ = 0) by editing the code is told, in Korean then
    English, that the code was edited."""
    code = Variant.derive(KEY, 3, "2026001", per_student=True).setup_code()
    assert lab.variant(code, "2026001").week == 3
    edited = _edited(code, lambda v: v.update(lam=0.0))
    with pytest.raises(ValueError) as info:
        lab.variant(edited, "2026001")
    assert "수정" in str(info.value) and "edited" in str(info.value)


def test_a_forged_code_with_a_redone_checksum_is_flagged_at_grading():
    """The checksum only tells the notebook; the course's signature (an HMAC with the key) tells grading:
    a forged code is flagged, an untouched one is not, and a code signed by another course is flagged."""
    from autograder.engine.steps.bind import Declaration, setup_mismatch

    week = Variant.derive(KEY, 3, per_student=True)
    mine = week.for_student("2026001")

    def cells(code):
        return [{"source": f'STUDENT_ID = "2026001"\nSETUP_CODE = "{code}"\nSETUP = SETUP_CODE\n', "name": "c"}]

    assert setup_mismatch(Declaration.of(cells(mine.setup_code())), mine, "2026001") is None
    forged = _edited(mine.setup_code(), lambda v: v.update(lam=0.0), keep_checksum=True)
    assert lab.variant(forged, "2026001").lam == 0.0  # the notebook cannot tell
    flag = setup_mismatch(Declaration.of(cells(forged)), mine, "2026001")
    assert flag is not None and "not one the course made" in flag.en and "위조" in flag.ko
    other_course = Variant.derive("another-key", 3, per_student=True).for_student("2026001")
    flag = setup_mismatch(Declaration.of(cells(other_course.setup_code())), mine, "2026001")
    assert flag is not None and "not one the course made" in flag.en
    assert KEY not in mine.setup_code() and mine.signature() not in repr(mine)
