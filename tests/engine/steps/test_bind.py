"""The bind step (autograder/engine/steps/bind.py): what a submission declares of its set-up and author,
read without running it, and how it is compared with the set-up it is graded with."""
from __future__ import annotations

import pprint

import pytest

from autograder.engine.config import Variant
from autograder.engine.steps.bind import MATCHES, Declaration, bind_step, setup_mismatch
from autograder.engine.steps.handles import MAX_DECLARATION_CELL
from autograder.engine.submission import Submission
from autograder.helper.setup import encode_setup
from autograder.helper.text import Text

KEY = "ab" * 32
WEEK3 = Variant.derive(KEY, 3)
PER_STUDENT = Variant.derive(KEY, 3, per_student=True)


def cells(*sources: str) -> list[dict]:
    return [{"source": s, "name": f"cell {i}"} for i, s in enumerate(sources, 1)]


def released(variant: Variant, student_id: str = "") -> str:
    """The SETUP cell a released notebook has (release.py writes the public values with pprint)."""
    return f'STUDENT_ID = "{student_id}"\nSETUP = ' + pprint.pformat(variant.public_dict(), width=110, sort_dicts=False)


def per_student_code(student_id: str, typed: str | None = None) -> str:
    """A per-student week's cell: the code the TA sent ``student_id``, pasted, and the id typed."""
    code = PER_STUDENT.for_student(student_id).setup_code()
    return f'STUDENT_ID = "{typed if typed is not None else student_id}"\nSETUP_CODE = "{code}"\nSETUP = SETUP_CODE'


def test_a_released_notebook_declares_its_week_and_author():
    d = Declaration.of(cells("import numpy as np", released(WEEK3, "20231234"), "def relu(x):\n    return x"))
    assert (d.week, d.student_id, d.problem) == (3, "20231234", None)
    assert d.variant.public_dict() == WEEK3.public_dict()


def test_the_last_top_level_assignment_counts_and_nested_ones_do_not():
    """Like running the cells: a later cell's STUDENT_ID replaces an earlier one; one inside a def never runs."""
    d = Declaration.of(cells('STUDENT_ID = "first"', 'STUDENT_ID = "second"',
                             'def f():\n    STUDENT_ID = "inside"\n    SETUP = 42'))
    assert (d.student_id, d.variant, d.problem) == ("second", None, None)


def test_a_per_student_code_declares_that_students_set_up():
    d = Declaration.of(cells(per_student_code("20231234")))
    assert d.problem is None and d.student_id == "20231234"
    assert d.variant.public_dict() == PER_STUDENT.for_student("20231234").public_dict()


@pytest.mark.parametrize("source", [
    "SETUP = 42", 'SETUP = "hello"', "SETUP = [1, 2]", "SETUP = {'week': 'three'}",
    "SETUP = " + "[" * 150 + "]" * 150,  # deep, but within what the parser reads
    "SETUP = " + '{"a": ' * 90 + "1" + "}" * 90,
    'SETUP_CODE = "initlab1:AAAA"\nSETUP = SETUP_CODE',  # a damaged code
    f'SETUP_CODE = "{encode_setup({"a": [[[[[]]]]]})}"\nSETUP = SETUP_CODE',  # a code the course never made
], ids=["int", "str", "list", "wrong-types", "deep-list", "deep-dict", "damaged-code", "foreign-code"])
def test_a_setup_of_the_wrong_type_or_shape_is_flagged_not_raised(source):
    """Whatever a SETUP (or the code it names) holds, reading it never raises: it is flagged as no set-up
    the course made, and grading goes on with the instructor's."""
    d = Declaration.of(cells(source))
    assert d.variant is None and d.week == 0
    assert isinstance(d.problem, Text) and "damaged or edited" in d.problem.en and "손상" in d.problem.ko


def test_a_deep_nested_setup_code_is_a_damaged_code():
    """A SETUP_CODE whose JSON nests past the interpreter's limit (a decoder's RecursionError) is a damaged
    declaration, not an exception."""
    import base64
    import zlib

    from autograder.helper.setup import SETUP_CODE_PREFIX

    raw = ("[" * 8000 + "]" * 8000).encode()  # under the code's size bound: it is the depth that fails
    code = SETUP_CODE_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")
    d = Declaration.of(cells(f'SETUP_CODE = "{code}"\nSETUP = SETUP_CODE'))
    assert d.variant is None and "damaged or edited" in d.problem.en


def test_an_oversized_declaration_cell_is_flagged_unread():
    """A cell over the size the step parses that spells STUDENT_ID is not read: flagged with its size."""
    source = 'STUDENT_ID = "' + "9" * MAX_DECLARATION_CELL + '"'
    d = Declaration.of(cells(source))
    assert (d.variant, d.student_id) == (None, None)
    assert "too large to read" in d.problem.en and f"{len(source):,}" in d.problem.en
    # The same size without a declared name is code like any other: nothing to flag.
    assert Declaration.of(cells("x = '" + "9" * MAX_DECLARATION_CELL + "'")).problem is None


def test_a_cell_the_load_step_did_not_keep_is_flagged_with_its_size():
    d = Declaration.of([{"source": "", "name": "cell 1", "unread_declaration": 123_456}])
    assert "123,456" in d.problem.en


def test_a_long_student_id_literal_is_cut_and_an_unreadable_one_flagged():
    """A typed id is kept to 40 characters; an integer literal too long to print (a 5,000-digit hex
    number) is no id (and the mismatch says so), while the rest of the declaration is still read."""
    assert Declaration.of(cells('STUDENT_ID = "' + "7" * 1000 + '"')).student_id == "7" * 40
    assert Declaration.of(cells("STUDENT_ID = 20231234")).student_id == "20231234"
    d = Declaration.of(cells(released(WEEK3, "0x" + "f" * 5000).replace('"0x', "0x").replace('f"', "f")))
    assert d.problem is None and d.variant is not None and d.variant.week == 3
    assert "too long" in d.student_id and "too long" in setup_mismatch(d, WEEK3, "20231234").en


@pytest.mark.parametrize("source", ['STUDENT_ID = ""', "STUDENT_ID = '   '", "STUDENT_ID = [1, 2]",
                                    "STUDENT_ID = None", "STUDENT_ID = other_name", "STUDENT_ID = f(1)",
                                    "STUDENT_ID = True"])
def test_a_student_id_that_is_no_string_or_number_is_no_id(source):
    d = Declaration.of(cells(source))
    assert (d.student_id, d.problem) == (None, None)


def test_a_malformed_cell_list_is_a_problem_not_an_exception():
    d = Declaration.of([{"name": "cell without source"}])
    assert d.variant is None and "could not be read (KeyError)" in d.problem.en


# ---- comparing with the set-up it is graded with --------------------------------------------


def test_a_matching_declaration_gives_no_mismatch_and_bind_records_ok():
    d = Declaration.of(cells(released(WEEK3, "20231234")))
    assert setup_mismatch(d, WEEK3, "20231234") is None
    sub = Submission("20231234", extra={"original": "a.ipynb"})
    bound = bind_step(sub, WEEK3, d)
    assert bound.extra == {"original": "a.ipynb", "setup": MATCHES} and sub.extra == {"original": "a.ipynb"}


def test_another_week_and_another_typed_id_are_both_said():
    d = Declaration.of(cells(released(Variant.derive(KEY, 2), "someone-else")))
    why = setup_mismatch(d, WEEK3, "20231234")
    assert "it declares week 2's set-up, but it is graded as week 3" in why.en
    assert "its STUDENT_ID is someone-else, not the submitter's 20231234" in why.en
    assert why.en.endswith("Graded with the instructor's set-up.") and why.ko.endswith("교수자의 설정으로 했습니다.")


def test_no_declaration_under_a_released_week_is_flagged_but_fine_when_unreleased():
    nothing = Declaration.of(cells("def relu(x):\n    return x"))
    assert "declares no set-up" in setup_mismatch(nothing, WEEK3, "s").en
    assert setup_mismatch(nothing, Variant(), "s") is None


@pytest.mark.parametrize("source", ['STUDENT_ID = "20231234"\nSETUP = ' + "[" * 1000 + "]" * 1000,
                                    'STUDENT_ID = "20231234\nSETUP = ""', 'STUDENT_ID = 20231234)'])
def test_an_unparseable_declaration_cell_is_flagged_as_unread(source):
    """A declaring cell Python cannot parse (a SETUP nested past the parser's limit, a quote or a
    bracket left open) is not read at all, its STUDENT_ID with it: flagged as unread, under a released
    week and under the lecture's own set-up alike (the typed id could not be compared)."""
    d = Declaration.of(cells(source))
    assert (d.variant, d.student_id) == (None, None)
    for graded in (WEEK3, Variant()):
        said = setup_mismatch(d, graded, "20231234")
        assert "does not parse" in said.en and "읽지 못해" in said.ko, said


def test_a_syntax_error_in_a_cell_that_only_reads_the_names_is_no_declaration_problem():
    """A broken cell that uses STUDENT_ID without assigning it declares nothing: no flag."""
    d = Declaration.of(cells('STUDENT_ID = "s"', 'print(STUDENT_ID, SETUP'))
    assert d.problem is None and d.student_id == "s"


def test_an_edited_setup_of_the_right_week_is_flagged():
    edited = released(WEEK3.with_numbers(lam=WEEK3.lam * 10), "20231234")
    d = Declaration.of(cells(edited))
    assert d.week == 3 and d.problem is None
    assert "its set-up differs from the week's" in setup_mismatch(d, WEEK3, "20231234").en


def test_a_per_student_week_flags_another_students_code_in_bind_step():
    """The graded set-up is the submitter's own (for_student): a classmate's pasted code is named as theirs."""
    sub = Submission("20231234")
    own = bind_step(sub, PER_STUDENT, Declaration.of(cells(per_student_code("20231234"))))
    assert own.extra["setup"] == MATCHES
    copied = bind_step(sub, PER_STUDENT, Declaration.of(cells(per_student_code("20239999", typed="20231234"))))
    assert isinstance(copied.extra["setup"], Text) and "its set-up code is student 20239999's" in copied.extra["setup"].en
    # A row kept apart as "id#2" is still graded (and compared) as "id".
    twin = bind_step(Submission("20231234#2", extra={"graded_as": "20231234"}), PER_STUDENT,
                     Declaration.of(cells(per_student_code("20231234"))))
    assert twin.extra["setup"] == MATCHES


def test_bind_step_never_raises_on_a_declaration_it_cannot_compare():
    """A comparison that fails (here: a declared variant without a week) is a flagged row, not a crash."""
    broken = Declaration(variant=object(), student_id=None)
    bound = bind_step(Submission("s"), WEEK3, broken)
    assert "its set-up could not be checked (AttributeError)" in bound.extra["setup"].en
