"""Bind step: the set-up a submission declares, against the set-up it is graded with.

A notebook carries its week's set-up (its SETUP cell, or the set-up code a per-student week asks
for) and the student id its author typed.  Grading always uses the instructor's set-up; this step
only reads the declaration (statically: nothing runs) and says when it differs, so a file made for
another week, another student's code or a wrong ``--assignment`` is a visible flag rather than a
silently different grade.
"""
from __future__ import annotations

import hmac
import zlib
from dataclasses import dataclass

from autograder.engine.config import Variant
from autograder.helper.text import T, Text
from autograder.engine.steps.handles import (DECLARED_NAMES, UNPARSED, UNREADABLE, declared_setup, top_level_literals,
                                             variant_of_setup)
from autograder.engine.submission import Submission

#: What the ``setup`` column of grades.csv says for a submission whose declaration agrees.
MATCHES = "ok"


@dataclass(frozen=True)
class Declaration:
    """What a submission says of itself, read without running it (one parse of its cells)."""

    variant: Variant | None
    """The set-up its SETUP (or per-student SETUP_CODE) declares; None for none."""
    student_id: str | None
    """The literal STUDENT_ID it sets ('' and absent give None)."""
    problem: Text | None = None
    """Why the declaration could not be read (then it is flagged, and grading uses the instructor's set-up)."""
    signature: str | None = None
    """The course's signature its set-up code carries ('' for none); None when it declares no code."""

    @classmethod
    def of(cls, cells: list[dict], numbers: type | None = None) -> "Declaration":
        """Read what ``cells`` declare (a set-up of the lecture's ``numbers``); never raises (what cannot
        be read is a ``problem``)."""
        try:
            found = top_level_literals(cells, DECLARED_NAMES)
            kind, value = found.get("STUDENT_ID", ("value", None))
            typed = _typed_id(value) if kind == "value" else ""
            unreadable = found.get(UNREADABLE)
            setup = declared_setup(found)
            variant = variant_of_setup(setup, numbers) if setup is not None else None
            signature = _signature_of(setup) if isinstance(setup, str) and variant is not None else None
            problem = None
            if unreadable is not None:
                size = unreadable[1]
                problem = T(f"the cell that declares its set-up or STUDENT_ID is too large to read ({size:,} characters)",
                            f"설정이나 STUDENT_ID를 적은 셀이 너무 커서 읽지 않았습니다 ({size:,}자)")
            elif found.get(UNPARSED) is not None:
                kind = found[UNPARSED][1]
                problem = T(f"the cell that declares its set-up or STUDENT_ID does not parse ({kind}), so what it "
                            "declares was not read",
                            f"설정이나 STUDENT_ID를 적은 셀을 파이썬이 읽지 못해({kind}) 그 선언을 확인하지 못했습니다")
            elif setup is not None and variant is None:
                problem = T("its SETUP (or SETUP_CODE) is damaged or edited: it is no set-up the course made",
                            "SETUP(또는 SETUP_CODE)이 손상되었거나 고쳐졌습니다: 강의에서 만든 설정이 아닙니다")
            return cls(variant, typed or None, problem, signature)
        except Exception as exc:  # a declaration is evidence, never a reason to lose the row
            return cls(None, None, T(f"its set-up could not be read ({type(exc).__name__})",
                                     f"설정을 읽을 수 없었습니다 ({type(exc).__name__})"))

    @property
    def week(self) -> int:
        return self.variant.week if self.variant is not None else 0


def _signature_of(code: str) -> str:
    from autograder.helper.setup import setup_signature

    try:
        return setup_signature(code)
    except (ValueError, TypeError, RecursionError, MemoryError, zlib.error):
        return ""


def _typed_id(value) -> str:
    """A STUDENT_ID as typed: a string or a whole number (学번 typed without quotes), cut to 40 characters.
    A number too long to be an id keeps only its start; True and False are no id."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return ""
    if isinstance(value, int):
        return str(value)[:40] if value.bit_length() <= 200 else "(a number too long to be a student id)"
    return value.strip()[:40]


def setup_mismatch(declaration: Declaration, graded: Variant, submitter: str) -> Text | None:
    """Why the submission's declared set-up or typed id is not the one it is graded with, or None."""
    declared = declaration.variant
    problems = []
    if declaration.problem is not None:
        problems.append(declaration.problem)
    elif declared is None and graded.week:
        problems.append(T(f"it declares no set-up (an empty SETUP: the lecture's own), not week {graded.week}'s",
                          f"설정이 없습니다 (빈 SETUP: 강의 기본 설정). {graded.week}주차 설정이 아닙니다"))
    elif declared is not None and declaration.signature is not None and graded.course_key and not hmac.compare_digest(
            declaration.signature, graded.signature(declared.public_dict())):
        problems.append(T("its set-up code is not one the course made (edited or forged: the course's signature "
                          "does not match)", "설정 코드가 강의에서 만든 것이 아닙니다 (수정 또는 위조: 강의의 서명이 맞지 않음)"))
    elif declared is not None and declared.week != graded.week:
        what = f"week {declared.week}'s" if declared.week else "the lecture's own"
        what_ko = f"{declared.week}주차" if declared.week else "강의 기본"
        problems.append(T(f"it declares {what} set-up, but it is graded as week {graded.week}",
                          f"{what_ko} 설정으로 작성되었는데 {graded.week}주차로 채점합니다"))
    elif declared is not None and declared.public_dict() != graded.public_dict():
        if declared.student_id and declared.student_id != graded.student_id:
            problems.append(T(f"its set-up code is student {declared.student_id}'s",
                              f"설정 코드가 학번 {declared.student_id}의 것입니다"))
        else:
            problems.append(T("its set-up differs from the week's (an edited SETUP cell?)",
                              "설정이 이번 주 설정과 다릅니다 (SETUP 셀을 고쳤나요?)"))
    typed = declaration.student_id
    if typed is not None and typed != submitter:
        problems.append(T(f"its STUDENT_ID is {typed}, not the submitter's {submitter}",
                          f"STUDENT_ID가 제출자({submitter})가 아닌 {typed}입니다"))
    if not problems:
        return None
    return T("; ".join(p.en for p in problems) + ". Graded with the instructor's set-up.",
             "; ".join(p.ko for p in problems) + ". 채점은 교수자의 설정으로 했습니다.")


def bind_step(sub: Submission, variant: Variant, declaration: Declaration) -> Submission:
    """Record, in ``extra["setup"]``, whether the declared set-up and typed id agree with the grading."""
    try:
        mismatch = setup_mismatch(declaration, variant.for_student(sub.graded_id), sub.graded_id)
    except Exception as exc:  # this row is flagged; the batch goes on
        mismatch = T(f"its set-up could not be checked ({type(exc).__name__}). Graded with the instructor's set-up.",
                     f"설정을 확인할 수 없었습니다 ({type(exc).__name__}). 채점은 교수자의 설정으로 했습니다.")
    return sub.with_(extra=dict(sub.extra, setup=mismatch if mismatch is not None else MATCHES))
