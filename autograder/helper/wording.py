"""Wording that is not specific to one check: statuses, labels, and failures of student code."""
from __future__ import annotations

import re

from autograder.helper.text import T, Text

STATUS_LABEL: dict[str, Text] = {
    "passed": T("PASS", "통과"),
    "failed": T("FAIL", "실패"),
    "not_attempted": T("TODO", "미구현"),
    "missing": T("MISSING", "없음"),
    "raised": T("ERROR", "오류"),
    "timeout": T("TIMEOUT", "시간초과"),
    "crashed": T("CRASH", "중단"),
    "not_graded": T("NOT GRADED", "채점안됨"),
    "grader_error": T("GRADER ERROR", "채점기 오류"),
}

LABELS = {
    "expected": T("expected", "기댓값"),
    "measured": T("measured", "측정값"),
    "hint": T("hint", "힌트"),
    "note": T("note", "참고"),
    "score": T("score", "점수"),
    "check": T("check", "점검 항목"),
    "total": T("Total", "합계"),
}


#: Labels of the parts of a check's explanation, in the order they are shown.
DETAIL_LABELS: dict[str, Text] = {
    "message": T("what happened", "상황"),
    "expected": LABELS["expected"],
    "measured": LABELS["measured"],
    "hint": LABELS["hint"],
    "note": LABELS["note"],
}


def result_details(result, say) -> list[tuple[str, str]]:
    """(kind, text) of what a report shows under a check: what happened, expected, measured, the
    hint (only when points were lost) and notes.  ``say`` turns a Text into the report's language(s).

    Every report (terminal table, notebook, results.json, feedback page) shows the same parts.
    """
    parts = []
    if result.message is not None:
        parts.append(("message", say(result.message)))
    if result.expected:
        parts.append(("expected", result.expected))
    if result.measured:
        parts.append(("measured", result.measured))
    if result.hint is not None and not result.passed:
        parts.append(("hint", say(result.hint)))
    parts += [("note", say(n)) for n in result.notes]
    return parts


def _place(cell: str, line) -> str:
    """Where in the student's file: "cell 14, line 7" in a notebook; in a .py file the file's own line
    number says it all ("weight_init.py, line 83", not the cell's range of lines)."""
    cell = re.sub(r" lines \d+-\d+$", "", cell)
    return f"{cell}, line {line}" if line else cell


def cell_place(error: dict) -> str:
    """Where a cell's error happened: its line, in the cell that holds it (an earlier cell's function
    called from this one is placed there, and this one named as the one that ran it)."""
    if error.get("at"):
        return f"{_place(str(error['at']), error.get('line'))}, run from {_place(str(error.get('cell', '')), None)}"
    return _place(str(error.get("cell", "its cell")), error.get("line"))


def failure_message(kind: str, fn: str, info: dict, timeout_s: float | None = None) -> tuple[Text, Text]:
    """(what happened, one hint) for a call of ``fn`` that returned no value."""
    if kind == "not_attempted" and fn.startswith("answer_"):
        return (T(f"{fn} is not computed yet (the cell still raises NotImplementedError).",
                  f"{fn}을(를) 아직 계산하지 않았습니다 (셀이 NotImplementedError를 냅니다)."),
                T("Replace `raise NotImplementedError()` in the analysis cell with your computation.",
                  "분석 문제 셀의 `raise NotImplementedError()` 를 지우고 계산을 작성하세요."))
    if kind == "not_attempted":
        return (T(f"{fn} is not implemented yet (it raises NotImplementedError).",
                  f"{fn} 함수를 아직 구현하지 않았습니다 (NotImplementedError)."),
                T("Replace `raise NotImplementedError()` with your code.",
                  "`raise NotImplementedError()` 를 지우고 코드를 작성하세요."))
    error = info.get("cell_error")
    if kind == "missing" and isinstance(error, dict):
        where = cell_place(error)
        what = f"{error.get('type', 'Error')}: {error.get('message', '')}"
        made = "computed" if fn.startswith("answer_") else "defined"
        message = T(f"{fn} was not {made}: the cell that {'computes' if fn.startswith('answer_') else 'defines'} "
                    f"it stopped ({where}) with {what}",
                    f"{fn}이(가) 만들어지지 않았습니다: 이 값을 만드는 셀이 멈췄습니다 ({where}). {what}")
        if "invalid character" in str(error.get("message", "")):
            return message, T("A character typed in Korean (or another non-English) input mode, such as the full-width "
                              "colon ： or parentheses （）, is not Python: switch to English input and type it again.",
                              "한글 입력 상태에서 친 전각 문자(예: 콜론 ：, 괄호 （）)는 파이썬 문법이 아닙니다. 영문 입력으로 "
                              "바꿔 다시 입력하세요.")
        if error.get("type") == "NameError":
            return message, T("That cell uses a name an earlier cell should have made: fix the first cell that failed "
                              "(or the function it names), and this one runs again.",
                              "그 셀은 앞 셀에서 만들어져야 할 이름을 씁니다. 먼저 실패한 앞 셀(또는 오류에 나온 함수)을 "
                              "고치면 이 셀도 다시 실행됩니다.")
        return message, T("Fix the error in that cell; the rest of the file was still run.",
                          "그 셀의 오류를 고치세요. 파일의 나머지 부분은 그대로 실행되었습니다.")
    if kind == "missing" and info.get("in_kernel"):
        what = "its analysis cell" if fn.startswith("answer_") else f"the cell with `def {fn}`"
        what_ko = "이 값을 계산하는 분석 문제 셀" if fn.startswith("answer_") else f"`def {fn}`이 있는 셀"
        return (T(f"{fn} is not defined yet in this notebook.", f"이 노트북에 아직 {fn}이(가) 없습니다."),
                T(f"Run {what} first (Shift+Enter), then this check again; if you did, check the name's spelling.",
                  f"먼저 {what_ko}을 실행(Shift+Enter)한 뒤 이 점검을 다시 실행하세요. 실행했다면 이름의 철자를 확인하세요."))
    if kind == "missing" and fn.startswith("answer_"):
        return (T(f"{fn} is not defined in the submitted file.", f"제출한 파일에 {fn} 변수가 없습니다."),
                T(f"Run the analysis cell so that it stores a number in {fn}.",
                  f"분석 문제 셀을 완성해 {fn}에 숫자를 저장하세요."))
    if kind == "missing":
        return (T(f"{fn} is not defined in the submitted file.", f"제출한 파일에 {fn} 함수가 없습니다."),
                T(f"Keep the name and signature of the template: def {fn}(...).",
                  f"템플릿의 함수 이름과 인자를 그대로 두세요: def {fn}(...)."))
    if kind == "timeout" and info.get("budget"):
        s = f"{timeout_s:g}" if timeout_s else "its"
        return (T(f"This submission used up its whole time budget ({s} s in all), so {fn} was not run.",
                  f"이 제출물이 전체 시간 한도({s}초)를 모두 써서 {fn}을(를) 실행하지 않았습니다."),
                T("Find the function or top-level code that is slow or never ends (earlier messages name it); "
                  "after that fix, every check runs again.",
                  "느리거나 끝나지 않는 함수나 최상위 코드를 찾아 고치세요 (앞의 메시지에 나옵니다). "
                  "고치면 모든 점검이 다시 실행됩니다."))
    if kind == "timeout":
        s = f"{timeout_s:g}" if timeout_s else "the allowed"
        if info.get("earlier"):
            return (T(f"{fn} did not return within {s} s in an earlier check, so it was not run again.",
                      f"{fn} 함수가 앞선 점검에서 {s}초 안에 끝나지 않아 다시 실행하지 않았습니다."),
                    T("Fix the loop that never ends; then every check of this function runs again.",
                      "끝나지 않는 반복문을 고치면 이 함수의 모든 점검이 다시 실행됩니다."))
        return (T(f"{fn} did not return within {s} s.", f"{fn} 함수가 {s}초 안에 끝나지 않았습니다."),
                T("Look for a loop that never ends, or work that grows with the input much faster than needed.",
                  "끝나지 않는 반복문이 없는지, 필요 이상으로 많은 계산을 하지 않는지 확인하세요."))
    if kind == "crashed":
        return (T(f"The process running {fn} stopped (memory limit, os._exit or a crash).",
                  f"{fn} 실행 중 프로세스가 멈췄습니다 (메모리 한도, os._exit 또는 비정상 종료)."),
                T("Avoid creating huge arrays and do not exit the interpreter from your functions.",
                  "너무 큰 배열을 만들거나 함수 안에서 인터프리터를 종료하지 마세요."))
    # raised
    where = ""
    frames = info.get("frames") or []
    if frames:
        _file, line, text = frames[-1]
        where = f" ({_place(_file.replace('<student ', '').rstrip('>'), line)}: {text.strip()})" if line else ""
    what = f"{info.get('type', 'Error')}: {info.get('message', '')}"
    return (T(f"{fn} raised {what}{where}", f"{fn} 실행 중 오류가 발생했습니다. {what}{where}"),
            T("Run the function yourself on a small input to see the error; the grader passes the arguments "
              "in the order of the template's signature.",
              "작은 입력으로 함수를 직접 실행해 오류를 확인하세요. 채점기는 템플릿의 인자 순서대로 값을 넘깁니다."))


GRADER_ERROR = (T("The grader itself failed on this check; it is not your fault. Tell your instructor.",
                  "이 항목에서 채점기 자체에 오류가 났습니다. 학생의 잘못이 아니니 담당 교수/조교에게 알려 주세요."),
                None)
