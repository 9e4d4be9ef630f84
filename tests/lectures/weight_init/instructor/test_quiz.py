"""The week's quiz bank: answers from the reference, valid for every week of every course."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.engine.config import Variant
from autograder.engine.export.gift import to_gift
from autograder.engine.export.quiz import Numerical, to_moodle_xml
from autograder.lectures.weight_init.instructor.quiz import numerical_templates, quiz_items


@pytest.mark.parametrize("course_seed", range(25))
def test_every_bank_renders_for_many_courses_and_weeks(course_seed):
    """Do the banks of 25 courses x 4 weeks render in both formats (names unique, fractions valid)?"""
    for week in (1, 2, 7, 15):
        items = quiz_items(Variant.derive(course_seed, week))
        assert to_moodle_xml(items) and to_gift(items)


def test_numerical_answers_come_from_the_reference():
    """Are the answers the reference's numbers (Xavier 1/sqrt(n), He sqrt(2/n), decay factor 1 - lr*lam)?"""
    templates = numerical_templates(Variant.derive(4, 2))
    assert len(templates) >= 5 and all(len(qs) >= 2 for qs in templates.values())
    for q in templates["xavier_std"]:
        n = int(q.name.split("n=")[1])
        assert q.answer == pytest.approx(1 / np.sqrt(n))
    for q in templates["he_std"]:
        assert q.answer == pytest.approx(np.sqrt(2 / int(q.name.split("n=")[1])))
    for q in templates["decay_step"]:
        lr, lam = (float(part.split("=")[1]) for part in q.name.split()[2:4])
        assert q.answer == pytest.approx(1 - lr * lam)
    assert all(isinstance(q, Numerical) and q.tolerance > 0 for qs in templates.values() for q in qs)


def test_concept_questions_follow_the_weeks_set_up_and_rotate():
    """Does the depth in a question follow the week (no '5층' in a 6-layer week), and do consecutive
    weeks ask different concept questions?"""
    from autograder.lectures.weight_init.instructor.quiz import concept_questions

    weeks = {w: Variant.derive(9, w) for w in range(1, 5)}
    names = {w: [q.name.split()[1] for q in concept_questions(v)] for w, v in weeks.items()}
    for w, v in weeks.items():
        for q in concept_questions(v):
            if q.name.endswith("std_small_sigmoid"):
                assert f"{v.n_layers}층" in q.text[0] and f"{v.n_layers}-layer" in q.text[1]
    for w in (1, 2, 3):
        assert len(set(names[w]) & set(names[w + 1])) <= 2, names


def test_numerical_questions_state_their_precision_and_round_their_tolerance():
    """Does every numerical question say how many decimals, with a tolerance of one unit there (or say its
    own ±), and is the saturation code one self-contained <pre> block?"""
    import re

    from autograder.engine.export.quiz import Html

    for qs in numerical_templates(Variant.derive(9, 3)).values():
        for q in qs:
            text = q.text.markup if isinstance(q.text, Html) else " ".join(q.text)
            decimals = re.search(r"(\d) decimals", text)
            assert decimals, text
            assert q.tolerance == pytest.approx(10.0 ** -int(decimals.group(1))) or f"±{q.tolerance:g}" in text
            assert repr(q.tolerance) == f"{q.tolerance:g}" or len(repr(q.tolerance)) <= 6, q.tolerance
            if isinstance(q.text, Html):  # the code runs alone and prints the answer
                import contextlib
                import html
                import io

                assert text.count("<pre>") == 1
                code = html.unescape(text.split("<pre>")[1].split("</pre>")[0])
                printed = io.StringIO()
                with contextlib.redirect_stdout(printed):
                    exec(code, {})
                assert abs(float(printed.getvalue()) - q.answer) <= 1e-3, (code, printed.getvalue(), q.answer)


def _moodle_grade(xml_question, typed: float) -> float | None:
    """What Moodle's numerical question gives a typed value: the fraction of the first answer whose range
    holds it (qtype_numerical_question::get_matching_answer), None when none does."""
    for answer in xml_question.findall("answer"):
        if abs(typed - float(answer.findtext("text"))) <= float(answer.findtext("tolerance")) + 1e-12:
            return float(answer.get("fraction"))
    return None


def test_no_generated_bank_accepts_a_typical_mistake():
    """Over many courses and weeks: does every numerical question list its typical mistakes, keep its
    tolerance at most half the distance to each, and, read as Moodle grades it, give the right value
    100 % and every mistake 0 % (the decay-step question with η = λ = 0.01 used to accept 1 and 0.9998)?"""
    import xml.etree.ElementTree as ET

    checked = 0
    for course in range(40):
        for week in (1, 3, 8, 14):
            items = [q for q in quiz_items(Variant.derive(course, week)) if isinstance(q, Numerical)]
            root = ET.fromstring(to_moodle_xml(items).split("\n", 1)[1])
            written = [q for q in root if q.get("type") == "numerical"]
            for q, xml_q in zip(items, written):
                assert q.mistakes, q.name
                for m in q.mistakes:
                    assert q.tolerance <= abs(m.value - q.answer) / 2, (q.name, m.value)
                    assert _moodle_grade(xml_q, m.value) == 0.0, (q.name, m.value)
                assert _moodle_grade(xml_q, q.answer) == 100.0
                checked += 1
            assert not any(q.name.endswith("lr=0.01 lam=0.01") for q in items)
    assert checked >= 40 * 4 * 10
