"""The quiz-bank writers: Moodle XML and GIFT that Moodle's importers read back as intended.

Two oracles stand in for a live Moodle: Python's XML parser for the XML file, and
:func:`parse_gift`, a transcription of Moodle's qformat_gift::readquestion (escapes,
names, answer braces, format markers, weights, tolerances) for the GIFT file.
"""
from __future__ import annotations

import hashlib
import html
import os
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np
import pytest

from autograder.engine.export import quiz
from autograder.engine.export.gift import to_gift
from autograder.engine.export.quiz import Category, Choice, Html, MultiChoice, Numerical, to_moodle_xml
from autograder.helper.text import T
from tests.kernels import PROCESS_TIMEOUT

ROOT = Path(__file__).resolve().parents[3]
#: Worked Moodle XML and GIFT examples, copied into the repository (see data/README.md).
EXAMPLES = Path(__file__).resolve().parent / "data"

#: Moodle's accepted fractions in percent, copied from the notes (not from the module under test).
ACCEPTED = [100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20, 16.66667,
            14.28571, 12.5, 11.11111, 10, 5, 0]
ACCEPTED += [-f for f in ACCEPTED if f]

TEMPLATES = ("xavier_std", "he_std", "sigmoid_saturation", "weight_decay_penalty", "tanh_saturation")
HOSTILE = "a < b > c & d ]]> e \"f\" 'g' ]]]]> <![CDATA[ x"
GIFT_SPECIALS = "~ = # { } : \\ \\n \\: 가중치의 초깃값"


def week_bank(week: int = 1) -> list:
    """A bank shaped like the release command's: 5 numerical templates x 2 variants, then concepts."""
    items: list = []
    for t, template in enumerate(TEMPLATES):
        items.append(Category(f"$course$/initlab/week{week:02d}/{template}"))
        for v in (1, 2):
            n = 100 * (t + 1) + 37 * v + week
            items.append(Numerical(
                f"{template} v{v}",
                (f"입력 노드가 {n}개일 때 {template}의 값은?", f"Value of {template} for {n} inputs?"),
                answer=n ** -0.5, tolerance=0.01 * n ** -0.5,
                feedback=T(f"1/sqrt({n}) = {n ** -0.5:.4f}", f"1/√{n} ≈ {n ** -0.5:.4f}")))
    items.append(Category(f"$course$/initlab/week{week:02d}/concepts", info=("개념 문제", "Concept questions")))
    items.append(MultiChoice(
        "relu_init", ("ReLU 층에 알맞은 초깃값은?", "Which initialisation suits ReLU layers?"),
        choices=[Choice(("He 초깃값", "He"), 100, feedback=("맞습니다", "Right")),
                 Choice(("Xavier 초깃값", "Xavier")), Choice(("표준편차 0.01", "std 0.01"))]))
    items.append(MultiChoice(
        "equal_weights", ("모든 가중치를 같은 값으로 두면?", "What do equal initial weights do?"),
        choices=[Choice(("모든 뉴런이 같은 값을 갱신한다", "all units get the same update"), 50),
                 Choice(("대칭이 깨지지 않는다", "the symmetry is never broken"), 50),
                 Choice(("학습이 더 빨라진다", "learning gets faster"), -100)],
        single=False, points=2))
    return items


def parse_xml(text: str) -> ET.Element:
    return ET.fromstring(text.encode("utf-8"))


def questions(root: ET.Element, qtype: str) -> list[ET.Element]:
    return [q for q in root.findall("question") if q.get("type") == qtype]


def text_of(question: ET.Element, path: str) -> str:
    return question.find(path).findtext("text")


# ---------------------------------------------------------------------------------------------
# A transcription of Moodle's GIFT importer (question/format/gift/format.php), reduced to the
# parts this module writes: categories, numerical and multichoice questions.

WS = " \t\n\r\0\x0b"  # PHP trim()
_ESCAPES = (("\\:", "&&058;", ":"), ("\\#", "&&035;", "#"), ("\\=", "&&061;", "="), ("\\{", "&&123;", "{"),
            ("\\}", "&&125;", "}"), ("\\~", "&&126;", "~"), ("\\n", "&&010", "\n"))
_WEIGHT = re.compile(r"^%-*([0-9]{1,2})\.?([0-9]*)%")
_FORMATS = ("moodle", "html", "plain", "markdown")


def _pre(s: str) -> str:
    s = s.replace("\\\\", "&&092;")
    for escaped, placeholder, _ in _ESCAPES:
        s = s.replace(escaped, placeholder)
    return s.replace("&&092;", "\\")


def _post(s: str) -> str:
    for _, placeholder, char in _ESCAPES:
        s = s.replace(placeholder, char)
    return s


def _with_format(text: str, default: str) -> tuple[str, str]:
    fmt = default
    if text.startswith("["):
        end = text.find("]")
        if text[1:end] in _FORMATS:
            fmt, text = text[1:end], text[end + 1:]
    return fmt, _post(text).strip(WS)


def _weighted(answer: str) -> tuple[float, str]:
    answer = answer[1:]
    end = answer.find("%")
    return float(answer[:end]), answer[end + 1:]


def _comment(answer: str, fmt: str) -> tuple[tuple[str, str], tuple[str, str] | None]:
    bits = answer.split("#", 1)
    return _with_format(bits[0].strip(WS), fmt), (_with_format(bits[1].strip(WS), fmt) if len(bits) > 1 else None)


def _read_question(lines: list[str]) -> dict | None:
    lines = [" " if line.strip(WS).startswith("//") else line for line in lines]
    text = "\n".join(lines).strip(WS)
    if not text:
        return None
    text = _pre(text)
    if text.startswith("$CATEGORY:"):
        return {"type": "category", "path": text[10:].strip(WS)}
    name = None
    if text.startswith("::"):
        text = text[2:]
        end = text.find("::")
        name, text = _post(text[:end]).strip(WS), text[end + 2:].strip(WS)
    start, finish = text.find("{"), text.find("}")
    assert start >= 0 and finish > start, "answer braces not found"
    assert text.endswith("}"), "answer block is not at the end: Moodle would read a missing-word question"
    answertext = text[start + 1:finish].strip(WS)
    qtext = text[:start] + text[finish + 1:]
    general = ""
    if "####" in answertext:
        cut = answertext.rfind("####")
        general, answertext = answertext[cut + 4:], answertext[:cut].strip(WS)
    fmt, qtext = _with_format(qtext, "moodle")
    q = {"name": name, "format": fmt, "text": qtext,
         "general_feedback": _with_format(general, fmt) if general else None}
    if answertext.startswith("#"):
        q["type"], q["answers"] = "numerical", []
        for answer in [a for a in answertext[1:].split("=") if a.strip(WS)]:
            answer = answer.strip(WS)
            weight = 100.0
            if _WEIGHT.match(answer):
                weight, answer = _weighted(answer)
            (_, value), feedback = _comment(answer, fmt)
            if value.find("..") > 0:  # min..max, stored as mid +- half-width
                low, high = (float(v) for v in value.split("..", 1))
                ans, tol = repr((low + high) / 2), repr(high - (low + high) / 2)
            elif value.find(":") > 0:
                ans, tol = value.split(":", 1)
            else:
                ans, tol = value, "0"
            q["answers"].append({"answer": ans.strip(WS), "tolerance": tol.strip(WS), "fraction": weight,
                                 "feedback": feedback})
    elif "~" in answertext:
        q["type"], q["single"], q["answers"] = "multichoice", "=" in answertext, []
        answers = answertext.replace("=", "~=").split("~")
        if not answers[0].strip(WS):
            answers = answers[1:]
        assert len(answers) >= 2, "Moodle refuses a multiple-choice question with fewer than 2 answers"
        for answer in answers:
            answer = answer.strip(WS)
            if answer.startswith("="):
                weight, answer = 100.0, answer[1:]
            elif _WEIGHT.match(answer):
                weight, answer = _weighted(answer)
            else:
                weight = 0.0
            text_fmt, feedback = _comment(answer, fmt)
            q["answers"].append({"format": text_fmt[0], "text": text_fmt[1], "fraction": weight,
                                 "feedback": feedback})
    else:
        q["type"] = "other"
    return q


def parse_gift(source: str) -> list[dict]:
    """What Moodle's GIFT import makes of ``source``: blank lines split questions."""
    parsed, block = [], []
    for line in source.split("\n") + [""]:
        if line.strip(WS):
            block.append(line.strip(WS))
        elif block:
            q = _read_question(block)
            if q:
                parsed.append(q)
            block = []
    return parsed


# ---------------------------------------------------------------------------------------------
# Moodle XML


def test_moodle_xml_parses_and_starts_with_the_exact_declaration():
    """Does the file start with Moodle's exact first line and parse as <quiz> with every question?"""
    out = to_moodle_xml(week_bank())
    assert out.split("\n", 1)[0] == '<?xml version="1.0" encoding="UTF-8"?>'
    root = parse_xml(out)
    assert root.tag == "quiz"
    assert [q.get("type") for q in root] == (["category"] + ["numerical"] * 2) * 5 + ["category"] + ["multichoice"] * 2
    for q in root:
        if q.get("type") != "category":
            assert text_of(q, "name") and q.find("questiontext").get("format") == "html"
            assert q.find("generalfeedback") is not None and q.findtext("defaultgrade")


def test_each_template_gets_its_own_category_right_before_its_questions():
    """Is there exactly one category per template, directly followed by that template's questions only?"""
    root = parse_xml(to_moodle_xml(week_bank(week=3)))
    assert root[0].get("type") == "category", "a question before any category lands in the import form's default"
    placed: dict[str, list[str]] = {}
    current = None
    for q in root:
        if q.get("type") == "category":
            current = text_of(q, "category")
            assert current not in placed, f"category {current} appears twice"
            placed[current] = []
        else:
            placed[current].append(text_of(q, "name"))
    for template in TEMPLATES:
        assert placed[f"$course$/initlab/week03/{template}"] == [f"{template} v1", f"{template} v2"]
    assert placed["$course$/initlab/week03/concepts"] == ["relu_init", "equal_weights"]


def test_every_numerical_question_has_a_tolerance_and_a_numeric_answer():
    """Does each numerical answer carry a positive tolerance and a plain number near the reference value?"""
    bank = [i for i in week_bank() if isinstance(i, Numerical)]
    root = parse_xml(to_moodle_xml(week_bank()))
    found = questions(root, "numerical")
    assert len(found) == len(bank) == 10
    for item, q in zip(bank, found):
        answers = q.findall("answer")
        assert answers and all(a.find("tolerance") is not None for a in answers)
        answer = answers[0]
        assert answer.get("fraction") == "100"
        value, tol = answer.findtext("text"), answer.findtext("tolerance")
        assert re.fullmatch(r"-?\d+(\.\d+)?", value) and re.fullmatch(r"\d+(\.\d+)?", tol), (value, tol)
        assert float(tol) == item.tolerance > 0
        # Written rounded for the student's review page, moving the accepted interval by <= 0.5 %.
        assert abs(float(value) - item.answer) <= 0.005 * item.tolerance


@pytest.mark.parametrize("answer, tolerance, written", [
    (300 ** -0.5, 0.001, "0.05774"),
    (0.1, 0.01, "0.1"),
    (-2.5, 0.05, "-2.5"),
    (1.234e-7, 1e-9, "0.0000001234"),   # never an exponent
    (12345.678, 50, "12345.7"),
    (7, 0, "7"),
])
def test_numerical_answers_are_written_in_plain_decimals(answer, tolerance, written):
    """Is the answer a plain decimal with two digits past the tolerance's first digit?"""
    q = questions(parse_xml(to_moodle_xml([Numerical("n", "q", answer, tolerance)])), "numerical")[0]
    assert q.find("answer").findtext("text") == written


def test_multichoice_fractions_are_in_moodles_list_and_single_has_one_100():
    """Are all written fractions accepted by Moodle, with one 100 when single and a 100 sum when multiple?"""
    root = parse_xml(to_moodle_xml(week_bank()))
    mcs = questions(root, "multichoice")
    assert [q.findtext("single") for q in mcs] == ["true", "false"]
    for q in mcs:
        fractions = [float(a.get("fraction")) for a in q.findall("answer")]
        assert all(any(abs(f - ok) < 1e-9 for ok in ACCEPTED) for f in fractions), fractions
        assert all(a.get("format") == "html" for a in q.findall("answer"))
        if q.findtext("single") == "true":
            assert fractions.count(100) == 1
        else:
            assert abs(sum(f for f in fractions if f > 0) - 100) < 1e-3


def test_thirds_are_written_the_way_moodle_stores_them():
    """Does a fraction of 100/3 come out as 33.33333, the value Moodle's list holds?"""
    q = MultiChoice("thirds", "pick", [Choice(c, 100 / 3) for c in "abc"] + [Choice("d", -100)], single=False)
    root = parse_xml(to_moodle_xml([q]))
    assert [a.get("fraction") for a in root.iter("answer")] == ["33.33333"] * 3 + ["-100"]


@pytest.mark.parametrize("make, error, says", [
    (lambda: Choice("a", 33), ValueError, "33%"),
    (lambda: Choice("a", 101), ValueError, "Moodle refuses"),
    (lambda: Choice("a", True), TypeError, "real number"),
    (lambda: MultiChoice("m", "q", [Choice("a", 100), Choice("b", 100)]), ValueError, "exactly one"),
    (lambda: MultiChoice("m", "q", [Choice("a", 50), Choice("b", 50)]), ValueError, "exactly one"),
    (lambda: MultiChoice("m", "q", [Choice("a", 50), Choice("b", 40)], single=False), ValueError, "sum to 100"),
    (lambda: MultiChoice("m", "q", [Choice("a", 100)]), ValueError, "two choices"),
    (lambda: MultiChoice("m", "q", [Choice("a", 100), Choice("a")]), ValueError, "identical"),
    (lambda: MultiChoice("m", "q", Choice("a", 100)), TypeError, "sequence of Choice"),
    (lambda: MultiChoice("m", "q", ["a", "b"]), TypeError, "sequence of Choice"),
    (lambda: MultiChoice("m", "q", [Choice("a", 100), Choice("b")], numbering="xyz"), ValueError, "numbering"),
    (lambda: Numerical("n", "q", 0.5, -0.1), ValueError, "negative"),
    (lambda: Numerical("n", "q", 0.5, 0), ValueError, "tolerance > 0"),
    (lambda: Numerical("n", "q", float("nan"), 0.1), ValueError, "nan"),
    (lambda: Numerical("n", "q", 0.5, 0.1, points=0), ValueError, "positive"),
    (lambda: Numerical("n", "q", "0.5", 0.1), TypeError, "real number"),
    (lambda: Numerical("", "q", 0.5, 0.1), ValueError, "non-empty"),
    (lambda: Numerical("two\nlines", "q", 0.5, 0.1), ValueError, "one non-empty line"),
    (lambda: Numerical("n" * 256, "q", 0.5, 0.1), ValueError, "255"),
    (lambda: Numerical("n", "  ", 0.5, 0.1), ValueError, "empty"),
    (lambda: Numerical("n", ("한국어만",), 0.5, 0.1), ValueError, "(ko, en) pair"),
    (lambda: Numerical("n", "bad \x00 char", 0.5, 0.1), ValueError, "XML file cannot hold"),
    (lambda: Numerical("n", 42, 0.5, 0.1), TypeError, "must be a str"),
    (lambda: Numerical("n <b>", "q", 0.5, 0.1), ValueError, "strips tags"),
    (lambda: Category("$course$/a<b>"), ValueError, "strips tags"),
    (lambda: Category("initlab/week01"), ValueError, "$course$/"),
    (lambda: Category("$course$/initlab//week01"), ValueError, "empty or space-padded"),
    (lambda: Category("$course$/initlab/ week01"), ValueError, "empty or space-padded"),
    (lambda: Category("$course$/a\\b"), ValueError, "backslash"),
])
def test_invalid_questions_are_refused_when_built(make, error, says):
    """Does a question Moodle would reject (or silently alter) fail at construction, saying why?"""
    with pytest.raises(error) as caught:
        make()
    assert says in str(caught.value)


def test_duplicate_names_in_one_category_are_refused_but_allowed_across_categories():
    """Can two variants not share a name inside one category, while different categories may reuse it?"""
    q = Numerical("same", "q", 0.5, 0.1)
    with pytest.raises(ValueError, match="two questions are named 'same'"):
        to_moodle_xml([Category("$course$/a"), q, q])
    with pytest.raises(ValueError, match="two questions are named 'same'"):
        to_gift([Category("$course$/a"), q, Category("$course$/b"), Category("$course$/a"), q])
    assert to_moodle_xml([Category("$course$/a"), q, Category("$course$/b"), q])
    with pytest.raises(TypeError, match="not a quiz item"):
        to_moodle_xml(["just a string"])


def test_markup_characters_round_trip_through_the_xml_parser():
    """Do < > & ]]> " ' survive in names, HTML texts, plain texts, choices, feedback and categories?"""
    in_names = "& \"f\" 'g'"  # names are tag-stripped by Moodle, so < and > are refused there
    items = [
        Category(f"$course$/initlab/{in_names}", info=Html(HOSTILE)),
        Numerical(f"name {in_names}", Html(HOSTILE), 0.5, 0.1, feedback=HOSTILE),
        MultiChoice("mc", HOSTILE, [Choice(HOSTILE, 100, feedback=Html(HOSTILE)), Choice(Html(HOSTILE))]),
    ]
    out = to_moodle_xml(items)
    assert "]]]]><![CDATA[>" in out  # the split Moodle's own exporter makes
    root = parse_xml(out)
    cat, num, mc = root
    assert text_of(cat, "category") == f"$course$/initlab/{in_names}"
    assert text_of(cat, "info") == HOSTILE
    assert text_of(num, "name") == f"name {in_names}"
    assert text_of(num, "questiontext") == HOSTILE
    # A plain str is HTML-escaped inside a paragraph, so the browser shows it as written.
    plain = text_of(num, "generalfeedback")
    assert plain.startswith("<p>") and html.unescape(plain[3:-4]) == HOSTILE
    first, second = mc.findall("answer")
    assert html.unescape(first.findtext("text")) == HOSTILE
    assert text_of(first, "feedback") == HOSTILE
    assert second.findtext("text") == HOSTILE
    assert html.unescape(text_of(mc, "questiontext")[3:-4]) == HOSTILE


def test_carriage_returns_and_outer_space_are_normalised():
    """Are CRLF line ends made LF (which the XML parser would do anyway) and outer spaces trimmed like Moodle does?"""
    a = Numerical(" n ", "line 1\r\nline 2\rline 3  ", 0.5, 0.1)
    b = Numerical("n", "line 1\nline 2\nline 3", 0.5, 0.1)
    assert a == b and to_moodle_xml([a]) == to_moodle_xml([b])
    assert text_of(parse_xml(to_moodle_xml([a]))[0], "questiontext") == "<p>line 1<br>line 2<br>line 3</p>"


def test_bilingual_text_puts_korean_first_in_both_formats():
    """Does a (ko, en) pair or an i18n Text show Korean first and English beside it?"""
    pair = Numerical("n", ("초깃값 <b>", "initial value <b>"), 0.5, 0.1)
    as_text = Numerical("n", T("initial value <b>", "초깃값 <b>"), 0.5, 0.1)
    assert pair == as_text
    q = parse_xml(to_moodle_xml([pair]))[0]
    assert text_of(q, "questiontext") == '<p lang="ko">초깃값 &lt;b&gt;</p><p lang="en">initial value &lt;b&gt;</p>'
    (g,) = parse_gift(to_gift([pair]))
    assert (g["format"], g["text"]) == ("plain", "초깃값 <b>\ninitial value <b>")
    mc = MultiChoice("m", "q", [Choice(("예", "yes"), 100), Choice(Html("<i>no</i>"))])
    assert [a.findtext("text") for a in parse_xml(to_moodle_xml([mc]))[0].findall("answer")] == ["예 / yes", "<i>no</i>"]


def test_the_xml_matches_the_worked_example_for_equivalent_questions():
    """Does every element and value of the notes' example appear, in the same order, in what we write for the same questions?"""
    example = parse_xml((EXAMPLES / "moodle_quiz_example.xml").read_text(encoding="utf-8"))
    ours = parse_xml(to_moodle_xml([
        Category("$course$/Week 03 quiz"),
        Numerical("Q1 mean of x", Html("<p>Mean of <code>x</code>? (±0.01)</p>"), answer=0.1, tolerance=0.01),
        MultiChoice("Q2 complexity", "Binary search is", [Choice("O(log n)", 100), Choice("O(n)")]),
    ]))
    wanted = [q for q in example if q.get("type") in ("category", "numerical", "multichoice")]
    assert len(wanted) == len(ours) == 3

    def facts(q: ET.Element) -> list[tuple]:
        out = []
        for child in q:
            for el in child.iter():
                if not list(el):
                    path = child.tag if el is child else f"{child.tag}/{el.tag}"
                    out.append((path, tuple(sorted(child.attrib.items())), (el.text or "").strip()))
        return out

    for theirs, mine in zip(wanted, ours):
        assert theirs.get("type") == mine.get("type")
        theirs_facts, mine_facts = facts(theirs), facts(mine)
        missing = [f for f in theirs_facts if f not in mine_facts]
        assert not missing, missing
        # Same relative order of the example's elements (we only add, e.g. generalfeedback).
        positions = [mine_facts.index(f) for f in theirs_facts]
        assert positions == sorted(positions)


# ---------------------------------------------------------------------------------------------
# GIFT


def test_gift_escapes_exactly_the_special_characters():
    """Is each of ~ = # { } : and backslash escaped with a backslash, newlines as \\n, and Korean left as is?"""
    q = Numerical("a{b}:c~d=e#f\\g", "x = {1} ~ #2: \\ 가중치\n둘째 줄", 0.5, 0.01)
    assert to_gift([q]) == (
        "::a\\{b\\}\\:c\\~d\\=e\\#f\\\\g::[plain]x \\= \\{1\\} \\~ \\#2\\: \\\\ 가중치\\n둘째 줄 {#0.5:0.01}\n")


@pytest.mark.parametrize("special", list("~=#{}:\\") + ["\\n", "\\:", "::", "{#1:2}", "####", "=%50%", "가중치의 초깃값"])
def test_gift_round_trips_each_special_through_moodles_parser(special):
    """Does Moodle's GIFT parser read back names, texts, choices and feedback holding each special unchanged?"""
    s = f"a {special} b"
    items = [Category("$course$/initlab/gift"),
             Numerical(f"num {s}", s, 0.25, 0.01, feedback=s),
             MultiChoice(f"mc {s}", s, [Choice(f"right {s}", 100, feedback=s), Choice(f"wrong {s}")], feedback=s)]
    cat, num, mc = parse_gift(to_gift(items))
    assert cat == {"type": "category", "path": "$course$/initlab/gift"}
    assert (num["type"], num["name"], num["text"], num["general_feedback"]) == ("numerical", f"num {s}", s, ("plain", s))
    assert num["answers"] == [{"answer": "0.25", "tolerance": "0.01", "fraction": 100.0, "feedback": None}]
    assert (mc["type"], mc["name"], mc["text"], mc["single"]) == ("multichoice", f"mc {s}", s, True)
    assert mc["general_feedback"] == ("plain", s)
    assert mc["answers"] == [
        {"format": "plain", "text": f"right {s}", "fraction": 100.0, "feedback": ("plain", s)},
        {"format": "plain", "text": f"wrong {s}", "fraction": 0.0, "feedback": None},
    ]


def test_gift_keeps_korean_text_byte_for_byte():
    """Is Korean written as UTF-8 text, not escaped or transliterated?"""
    out = to_gift(week_bank())
    assert "입력 노드가" in out and "맞습니다" in out and "\\u" not in out
    assert "모든 뉴런이 같은 값을 갱신한다".encode("utf-8") in out.encode("utf-8")


def test_gift_bank_reads_back_with_the_same_questions_as_the_xml():
    """Does Moodle's GIFT parser find the same categories, answers, tolerances and fractions as the XML holds?"""
    bank = week_bank()
    parsed = parse_gift(to_gift(bank))
    root = parse_xml(to_moodle_xml(bank))
    assert [p["type"] for p in parsed] == [q.get("type") for q in root]
    for p, q in zip(parsed, root):
        if p["type"] == "category":
            assert p["path"] == text_of(q, "category")
            continue
        assert p["name"] == text_of(q, "name")
        if p["type"] == "numerical":
            (a,) = p["answers"]
            x = q.find("answer")
            assert (a["answer"], a["tolerance"], a["fraction"]) == (x.findtext("text"), x.findtext("tolerance"), 100.0)
        else:
            assert p["single"] == (q.findtext("single") == "true")
            assert [a["fraction"] for a in p["answers"]] == [float(x.get("fraction")) for x in q.findall("answer")]
            assert [a["text"] for a in p["answers"]] == [html.unescape(x.findtext("text")) for x in q.findall("answer")]


def test_gift_guards_texts_the_importer_would_misread():
    """Does a choice starting with '[' or '%' keep its text, and Html get an [html] marker?"""
    mc = MultiChoice("m", "plain question", [
        Choice("[html] is not a format here", 100), Choice("%50% looks like a weight"),
        Choice(Html("<b>bold</b>"), feedback=Html("<i>why</i>"))])
    (p,) = parse_gift(to_gift([mc]))
    assert p["format"] == "plain"
    assert [(a["format"], a["text"], a["fraction"]) for a in p["answers"]] == [
        ("plain", "[html] is not a format here", 100.0), ("plain", "%50% looks like a weight", 0.0),
        ("html", "<b>bold</b>", 0.0)]
    assert p["answers"][2]["feedback"] == ("html", "<i>why</i>")


def test_gift_multiple_answer_questions_use_weights_and_no_equals_sign():
    """Is a multiple-answer question written with ~%w% only, so the importer sets single = 0?"""
    (p,) = [q for q in parse_gift(to_gift(week_bank())) if q.get("name") == "equal_weights"]
    assert p["single"] is False
    assert [a["fraction"] for a in p["answers"]] == [50.0, 50.0, -100.0]
    thirds = MultiChoice("t", "q", [Choice(c, 100 / 3) for c in "abc"] + [Choice("d", -100)], single=False)
    assert [a["fraction"] for a in parse_gift(to_gift([thirds]))[0]["answers"]] == [33.33333] * 3 + [-100.0]
    # One choice worth all the credit, yet several may be ticked: still no '='.
    one_full = MultiChoice("f", "q", [Choice("a", 100), Choice("b", -50), Choice("c")], single=False)
    (p,) = parse_gift(to_gift([one_full]))
    assert p["single"] is False and [a["fraction"] for a in p["answers"]] == [100.0, -50.0, 0.0]


def test_gift_notes_the_settings_it_cannot_carry():
    """Does a question worth 2 points, or not shuffled, get a // note the importer ignores?"""
    out = to_gift(week_bank())
    assert "// Set by hand after import (GIFT cannot carry it): points 2\n::equal_weights::" in out
    assert to_gift([Numerical("n", "q", 0.5, 0.1)]).count("//") == 0
    unshuffled = MultiChoice("m", "q", [Choice("a", 100), Choice("b")], shuffle=False, numbering="123")
    assert to_gift([unshuffled]).startswith("// Set by hand after import (GIFT cannot carry it): do not shuffle, numbering 123\n")
    assert parse_gift(to_gift([unshuffled]))[0]["name"] == "m"


def test_gift_matches_the_worked_example_for_equivalent_questions():
    """Does Moodle's parser read the same category, names, texts and answers from the example and from us?"""
    example = [q for q in parse_gift((EXAMPLES / "gift_example.txt").read_text(encoding="utf-8"))
               if q["type"] == "category" or q.get("name") in ("Q1 mean of x", "Q2 complexity")]
    ours = parse_gift(to_gift([
        Category("$course$/Week 03 quiz"),
        Numerical("Q1 mean of x", "What is the mean of x (±0.01)?", answer=0.1, tolerance=0.01),
        MultiChoice("Q2 complexity", "Binary search is",
                    [Choice("O(log n)", 100), Choice("O(n)"), Choice("O(n log n)")]),
    ]))
    assert len(example) == len(ours) == 3
    for theirs, mine in zip(example, ours):
        # The example relies on GIFT's default 'moodle' format; we always say [plain].
        theirs.pop("format", None), mine.pop("format", None)
        for a in theirs.get("answers", []) + mine.get("answers", []):
            a.pop("format", None)
        assert theirs == mine


# ---------------------------------------------------------------------------------------------
# Both formats


def test_equal_input_gives_byte_identical_output():
    """Do two separately built, equal banks give identical files, also from numpy numbers?"""
    assert to_moodle_xml(week_bank()) == to_moodle_xml(week_bank())
    assert to_gift(week_bank()) == to_gift(week_bank())
    assert to_moodle_xml(week_bank(1)) != to_moodle_xml(week_bank(2))
    as_numpy = Numerical("n", "q", np.float64(0.1), np.float32(0.25), points=np.int64(2))
    as_float = Numerical("n", "q", 0.1, 0.25, points=2)
    assert as_numpy == as_float
    assert to_moodle_xml([as_numpy]) == to_moodle_xml([as_float]) and to_gift([as_numpy]) == to_gift([as_float])


def test_output_does_not_depend_on_hash_seed():
    """Does a fresh interpreter with another hash seed write the same bytes?"""
    script = ("import hashlib; from tests.engine.export.test_quiz import week_bank; "
              "from autograder.engine.export.quiz import to_moodle_xml; from autograder.engine.export.gift import to_gift; "
              "print(hashlib.sha256((to_moodle_xml(week_bank()) + to_gift(week_bank())).encode()).hexdigest())")
    here = hashlib.sha256((to_moodle_xml(week_bank()) + to_gift(week_bank())).encode()).hexdigest()
    for seed in ("0", "4242"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        run = subprocess.run([sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True, check=True,
                             timeout=PROCESS_TIMEOUT)
        assert run.stdout.strip() == here


def test_an_empty_bank_is_still_a_valid_file():
    """Does an empty list give a parseable empty quiz and an empty GIFT file?"""
    assert list(parse_xml(to_moodle_xml([]))) == []
    assert to_gift([]) == ""


# ---------------------------------------------------------------------------------------------
# Canvas


def test_canvas_qti_says_how_to_get_text2qti_when_it_is_missing(monkeypatch, tmp_path):
    """Without text2qti, does the Canvas export fail with the pip command instead of writing a fake file?"""
    real = quiz.importlib.util.find_spec
    monkeypatch.setattr(quiz.importlib.util, "find_spec", lambda name, *a: None if name == "text2qti" else real(name, *a))
    with pytest.raises(ImportError, match="pip install text2qti"):
        quiz.to_canvas_qti(week_bank(), tmp_path / "quiz.zip")
    assert not list(tmp_path.iterdir())


def test_canvas_qti_is_honestly_unimplemented_even_with_text2qti(monkeypatch, tmp_path):
    """With text2qti present, does the stub say it is not implemented rather than pretend?"""
    monkeypatch.setattr(quiz.importlib.util, "find_spec", lambda name, *a: object())
    with pytest.raises(NotImplementedError, match="not written"):
        quiz.to_canvas_qti(week_bank(), tmp_path / "quiz.zip")
    assert not list(tmp_path.iterdir())


# ---------------------------------------------------------------------------------------------
# Typical mistakes


def test_a_mistake_inside_twice_the_tolerance_is_refused():
    """Is a question refused when a typical mistake's value is within twice the tolerance of the answer
    (then the tolerance would be more than half the distance: Moodle could accept the mistake)?"""
    from autograder.engine.export.quiz import Mistake

    with pytest.raises(ValueError, match="draw other numbers"):
        Numerical("decay", "factor?", 0.9999, 1e-4, mistakes=(Mistake(1.0, "no decay"),))
    ok = Numerical("decay", "factor?", 0.999, 1e-4, mistakes=(Mistake(1.0, "no decay"), Mistake(0.998, "2ηλ")))
    assert [round(t, 10) for _, t in ok.mistake_answers()] == [1e-4, 1e-4]


def test_close_mistakes_get_ranges_that_do_not_overlap_and_duplicates_go():
    from autograder.engine.export.quiz import Mistake

    q = Numerical("q", "value?", 1.0, 0.01, mistakes=(Mistake(2.0, "a"), Mistake(2.004, "b"), Mistake(2.0, "a again")))
    answers = q.mistake_answers()
    assert [m.value for m, _ in answers] == [2.0, 2.004]
    assert all(t <= 0.002 + 1e-12 for _, t in answers)


def test_mistakes_are_zero_percent_answers_with_feedback_in_both_formats():
    """Does a student who types the mistake get 0 % and its feedback, in Moodle XML and in GIFT as
    Moodle's importer reads it, with the right answer still first and worth 100 %?"""
    from autograder.engine.export.quiz import Mistake

    q = Numerical("decay", ("몇 배?", "What factor?"), 0.999, 1e-4,
                  mistakes=(Mistake(1.0, ("감소가 빠졌습니다", "the decay is missing")), Mistake(0.998, "2ηλ")))
    (xml_q,) = questions(parse_xml(to_moodle_xml([q])), "numerical")
    answers = xml_q.findall("answer")
    assert [a.get("fraction") for a in answers] == ["100", "0", "0"]
    assert [float(a.findtext("text")) for a in answers] == [0.999, 1.0, 0.998]
    assert "the decay is missing" in answers[1].find("feedback").findtext("text")
    (gift_q,) = parse_gift(to_gift([q]))
    assert [(float(a["answer"]), a["fraction"]) for a in gift_q["answers"]] == [(0.999, 100.0), (1.0, 0.0), (0.998, 0.0)]
    assert "the decay is missing" in gift_q["answers"][1]["feedback"][1]
