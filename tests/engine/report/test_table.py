"""The self-check table of ``initlab check`` (autograder/engine/report/table.py), in English and Korean."""
from __future__ import annotations

import pytest

from autograder.engine.report.table import detail_lines, load_notes, pad, render, width
from autograder.engine.submission import CheckInfo, CheckResult, Submission
from autograder.helper.calls import LoadReport
from autograder.helper.text import T

RELU = CheckInfo("check_relu_values", "relu", 2.0, T("ReLU values", "ReLU 값"))
SIGMOID = CheckInfo("check_sigmoid_values", "sigmoid", 3.0, T("Sigmoid values on a grid", "격자에서 시그모이드 값"))
HINT = T("use np.exp, not math.exp", "math.exp 대신 np.exp를 쓰세요")


def one_failing(**extra) -> Submission:
    """A graded submission: relu passes (2/2), sigmoid fails with expected, measured and a hint (0/3)."""
    return Submission("20231234", path="weight_init.py", status="graded", results=(
        CheckResult(RELU, 2.0, "passed", hint=T("never shown: it passed", "통과: 보이지 않음")),
        CheckResult(SIGMOID, 0.0, "failed", expected="[0.5, 0.731]", measured="[0.0, 0.0]", hint=HINT),
    ), **extra)


@pytest.mark.parametrize("lang, want", [
    ("en", ["initlab self-check: weight_init.py",
            "",
            "  1  PASS       relu: ReLU values                     2/2",
            "  2  FAIL       sigmoid: Sigmoid values on a grid     0/3",
            "      expected: [0.5, 0.731]",
            "      measured: [0.0, 0.0]",
            "      hint: use np.exp, not math.exp",
            "",
            "Total: 2 / 5"]),
    ("ko", ["initlab 자가 점검: weight_init.py",
            "",
            "  1  통과       relu: ReLU 값                       2/2",
            "  2  실패       sigmoid: 격자에서 시그모이드 값     0/3",
            "      기댓값: [0.5, 0.731]",
            "      측정값: [0.0, 0.0]",
            "      힌트: math.exp 대신 np.exp를 쓰세요",
            "",
            "합계: 2 / 5"]),
])
def test_a_failing_check_shows_expected_measured_and_hint_and_the_total(lang, want):
    """One line per check, details only under the failure (a passed check's hint is not shown), the total."""
    assert render(one_failing(), lang, colour=False).splitlines() == want


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_the_points_column_lines_up_in_terminal_columns(lang):
    """Hangul takes two columns: names are padded by display width, so the points end in one column."""
    rows = [line for line in render(one_failing(), lang, colour=False).splitlines() if line.endswith(("2/2", "0/3"))]
    assert len(rows) == 2 and width(rows[0]) == width(rows[1])


def test_colour_marks_the_status_only_when_asked():
    """ANSI colours: green for a pass, red for a failure, none at all with colour=False."""
    coloured = render(one_failing(), "en", colour=True)
    assert "\033[32mPASS      \033[0m" in coloured and "\033[31mFAIL      \033[0m" in coloured
    assert "\033[" not in render(one_failing(), "en", colour=False)


def test_the_same_failure_message_of_one_function_is_said_once():
    """"Not implemented" for every check of a function: the explanation comes under the first check only."""
    message = T("sigmoid is not implemented yet.", "sigmoid 함수를 아직 구현하지 않았습니다.")
    second = CheckInfo("test_sigmoid_shape", "sigmoid", 1.0, T("Sigmoid shape", "시그모이드 모양"))
    sub = Submission("s", path="w.py", status="graded", results=(
        CheckResult(SIGMOID, 0.0, "not_attempted", message=message),
        CheckResult(second, 0.0, "not_attempted", message=message),
    ))
    out = render(sub, "en", colour=False)
    assert out.count("what happened: sigmoid is not implemented yet.") == 1
    assert out.count("TODO") == 2 and out.endswith("Total: 0 / 4")


def test_a_submission_that_could_not_be_graded_says_why():
    """A status other than graded/pending adds a line with the status and the message, in the language asked."""
    sub = Submission("20231234", status="binary", message=T("not a text file", "텍스트 파일이 아닙니다"),
                     results=(CheckResult(RELU, 0.0, "not_graded"),))
    assert render(sub, "en", colour=False).splitlines()[-1] == "not graded: binary — not a text file"
    assert render(sub, "ko", colour=False).splitlines()[-1] == "채점 불가: binary — 텍스트 파일이 아닙니다"
    assert render(sub, "en", colour=False).splitlines()[0] == "initlab self-check: 20231234"  # no path: the id


def test_long_names_are_cut_to_the_terminal_width():
    """A name wider than the room left is cut with an ellipsis, so the line fits ``cols`` (English)."""
    long = CheckInfo("check_relu_values", "relu", 2.0, T("ReLU values on a very long grid of inputs " * 3, "ReLU 값"))
    out = render(Submission("s", results=(CheckResult(long, 2.0, "passed"),)), "en", colour=False, cols=60)
    row = next(line for line in out.splitlines() if line.endswith("2/2"))
    assert "…" in row and width(row) <= 60


def test_long_korean_names_are_cut_to_the_terminal_width():
    long = CheckInfo("check_relu_values", "relu", 2.0, T("ReLU values", "아주 긴 입력 격자에서 계산한 렐루 함수의 값이 맞는지 확인하는 점검"))
    out = render(Submission("s", results=(CheckResult(long, 2.0, "passed"),)), "ko", colour=False, cols=60)
    row = next(line for line in out.splitlines() if line.endswith("2/2"))
    assert width(row) <= 60


def test_details_wrap_under_their_label():
    """A long measured value wraps, its next lines indented under the text (not under the label)."""
    r = CheckResult(SIGMOID, 0.0, "failed", measured=" ".join(["0.123456"] * 30))
    lines = detail_lines(r, "en", indent=6, cols=60)
    assert len(lines) > 1 and lines[0].startswith("      measured: 0.123456")
    assert all(line.startswith(" " * len("      measured: ")) for line in lines[1:])
    assert all(width(line) <= 60 for line in lines)
    assert " ".join(part.strip() for part in lines).replace("measured: ", "") == r.measured


def test_load_notes_say_how_the_file_ran():
    """The fallback to cell-by-cell running, at most five cell errors (placed by cell and line) and the
    shell lines that were not run, as "!" lines under the title."""
    errors = [{"cell": f"cell {i}", "type": "NameError", "message": f"name 'x{i}' is not defined", "line": 2}
              for i in range(1, 8)]
    report = LoadReport(functions={}, errors=errors, shell_notes=["!pip install numpy"], mode="cells", problem="timeout")
    sub = one_failing(load_report=report)
    notes = load_notes(sub, "en")
    assert notes[0].startswith("running the whole file ended in a timeout")
    assert notes[1:6] == [f"cell {i}, line 2: NameError: name 'x{i}' is not defined" for i in range(1, 6)]
    assert notes[6] == "not run while grading: !pip install numpy" and len(notes) == 7
    assert load_notes(sub, "ko")[-1] == "채점 중 실행하지 않음: !pip install numpy"
    out = render(sub, "en", colour=False).splitlines()
    assert out[1:8] == [f"  ! {n}" for n in notes]


def test_width_and_pad_count_wide_characters_twice():
    assert width("abc") == 3 and width("합계") == 4 and width("ＡＢ") == 4  # fullwidth Latin too
    assert pad("합계", 6) == "합계  " and pad("toolong", 3) == "toolong"
