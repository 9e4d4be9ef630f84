"""The week's quiz bank: answers from the reference, valid for every week of every course."""
from __future__ import annotations

import numpy as np
import pytest

from autograder.config import Variant
from autograder.export.quiz import Numerical, to_gift, to_moodle_xml
from autograder.quizbank import numerical_templates, quiz_items


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
