"""Wording that is not specific to one check: statuses, labels, and failures of student code."""
from __future__ import annotations

import difflib
import keyword
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
    hint (only when points were lost) and notes.  ``say`` turns a Text into the report's language(s) (a
    plain str, such as a number, it keeps: expected and measured may be one).

    Every report (terminal table, notebook, results.json, feedback page) shows the same parts.
    """
    parts = []
    if result.message is not None:
        parts.append(("message", say(result.message)))
    if result.expected:
        parts.append(("expected", say(result.expected)))
    if result.measured:
        parts.append(("measured", say(result.measured)))
    if result.hint is not None and not result.passed:
        parts.append(("hint", say(result.hint)))
    parts += [("note", say(n)) for n in result.notes]
    return parts


def _place(cell: str, line, lang: str = "en") -> str:
    """Where in the student's file: "cell 14, line 7" in a notebook; in a .py file the file's own line
    number says it all ("weight_init.py, line 83", not the cell's range of lines).  In Korean "셀 14, 7번째 줄"."""
    cell = re.sub(r" lines \d+-\d+$", "", cell)
    if lang == "ko":
        cell = re.sub(r"^cell (\d+)$", r"셀 \1", cell)
        return f"{cell}, {line}번째 줄" if line else cell
    return f"{cell}, line {line}" if line else cell


def cell_place(error: dict, lang: str = "en") -> str:
    """Where a cell's error happened: its line, in the cell that holds it (an earlier cell's function
    called from this one is placed there, and this one named as the one that ran it)."""
    if error.get("at"):
        at, ran = _place(str(error["at"]), error.get("line"), lang), _place(str(error.get("cell", "")), None, lang)
        return f"{at}, {ran}에서 실행" if lang == "ko" else f"{at}, run from {ran}"
    return _place(str(error.get("cell", "해당 셀" if lang == "ko" else "its cell")), error.get("line"), lang)


def cell_error_text(error: dict, lang: str = "en") -> str:
    """``Type: message`` of a cell's error.  Python's own messages stay as Python wrote them; the ones the
    judge writes for a cell it had to stop (Timeout, Crashed) carry their Korean as ``message_ko``."""
    kind = error.get("type", "Error")
    if lang == "ko" and error.get("message_ko"):
        return f"{JUDGE_KINDS_KO.get(str(kind).lower(), kind)}: {error['message_ko']}"
    return f"{kind}: {error.get('message', '')}"


#: The judge's names for a cell or a load it stopped (a cell error's Timeout/Crashed, a load report's
#: timeout/crashed), in Korean by their lower case (Python's exception names stay as they are).
JUDGE_KINDS_KO = {"timeout": "시간 초과", "crashed": "비정상 종료"}


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
        where, where_ko = cell_place(error), cell_place(error, "ko")
        what, what_ko = cell_error_text(error), cell_error_text(error, "ko")
        made = "computed" if fn.startswith("answer_") else "defined"
        message = T(f"{fn} was not {made}: the cell that {'computes' if fn.startswith('answer_') else 'defines'} "
                    f"it stopped ({where}) with {what}",
                    f"{fn}이(가) 만들어지지 않았습니다: 이 값을 만드는 셀이 멈췄습니다 ({where_ko}). {what_ko}")
        if "invalid character" in str(error.get("message", "")):
            return message, T("A character typed in Korean (or another non-English) input mode, such as the full-width "
                              "colon ： or parentheses （）, is not Python: switch to English input and type it again.",
                              "한글 입력 상태에서 친 전각 문자(예: 콜론 ：, 괄호 （）)는 파이썬 문법이 아닙니다. 영문 입력으로 "
                              "바꿔 다시 입력하세요.")
        frames = [f for f in error.get("frames") or [] if isinstance(f, (list, tuple)) and len(f) == 3]
        texts = [str(f[2]) for f in frames]
        if error.get("type") in ("NameError", "UnboundLocalError"):
            # Inside a function: raised in another cell than the one that ran (a function defined there), or a
            # traceback deeper than the cell's own top level.  Otherwise the cell's top level used the name.
            inside = bool(error.get("at")) or len(frames) >= 2
            return message, name_error_hint(str(error.get("message", "")), texts, inside,
                                            unbound=error.get("type") == "UnboundLocalError")
        specific = runtime_error_hint(str(error.get("type", "")), str(error.get("message", "")), texts)
        if specific is not None:
            return message, specific
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
    where = where_ko = ""
    frames = info.get("frames") or []
    if frames:
        _file, line, text = frames[-1]
        cell = _file.replace('<student ', '').rstrip('>')
        if line:
            where, where_ko = (f" ({_place(cell, line, lang)}: {text.strip()})" for lang in ("en", "ko"))
    what = f"{info.get('type', 'Error')}: {info.get('message', '')}"
    message = T(f"{fn} raised {what}{where}", f"{fn} 실행 중 오류가 발생했습니다. {what}{where_ko}")
    kind_of = str(info.get("type", ""))
    texts = [str(f[2]) for f in frames if isinstance(f, (list, tuple)) and len(f) == 3]
    if kind_of in ("NameError", "UnboundLocalError"):
        # Raised while the grader called fn: in fn's own body (or a function it calls), never at a cell's top level.
        return message, name_error_hint(str(info.get("message", "")), texts, True,
                                        unbound=kind_of == "UnboundLocalError")
    specific = runtime_error_hint(kind_of, str(info.get("message", "")), texts)
    if specific is not None:
        return message, specific
    return (message,
            T("Run the function yourself on a small input (an array, and a single number) to see the error; the "
              "grader passes the arguments in the order of the template's signature.",
              "작은 입력(배열 하나, 숫자 하나)으로 함수를 직접 실행해 오류를 확인하세요. 채점기는 템플릿의 인자 "
              "순서대로 값을 넘깁니다."))


# ---- hints for the errors learners' code typically raises ------------------------------------------------

#: Names that an import (or the notebook's first cells) makes, never a typo of the function's own code.
_IMPORTED_NAMES = {"np": "import numpy as np", "numpy": "import numpy as np", "math": "import math",
                   "plt": "import matplotlib.pyplot as plt", "lab": "import initlab_lab as lab"}


def _identifiers(texts: list[str]) -> list[str]:
    words = []
    for text in texts:
        for word in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text):
            if not keyword.iskeyword(word) and word not in words:
                words.append(word)
    return words


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1, cutoff=0.6)
    return close[0] if close else None


def name_error_hint(message: str, texts: list[str], inside: bool, unbound: bool = False) -> Text:
    """The hint of a NameError: a typo in the function's own body (``inside``, e.g. ``sef.lam``), a
    name made by an import or an earlier cell (np, a notebook constant such as LAM, another function),
    or a name the cell's own top level uses.  ``texts`` are the student's source lines of the traceback."""
    found = re.search(r"'([A-Za-z_][A-Za-z_0-9]*)'", message)
    name = found.group(1) if found else None
    if name is None:
        return T("A name used there is not defined: check its spelling, and run the cells above first.",
                 "그곳에서 쓴 이름이 정의되어 있지 않습니다. 철자를 확인하고 위의 셀을 먼저 실행하세요.")
    if unbound:
        return T(f"`{name}` is assigned somewhere in this function, so Python treats it as a local variable, and "
                 "it is used before that assignment: assign it first (or use another name).",
                 f"`{name}`이(가) 이 함수 안 어딘가에서 대입되므로 파이썬은 지역 변수로 봅니다. 그런데 대입하기 전에 "
                 "사용했습니다. 먼저 값을 대입하세요 (또는 다른 이름을 쓰세요).")
    if name in _IMPORTED_NAMES:
        line = _IMPORTED_NAMES[name]
        return T(f"`{name}` is not imported: run the first cell (`{line}`) before this one, or add that line.",
                 f"`{name}`을(를) import하지 않았습니다. 맨 앞 셀(`{line}`)을 먼저 실행하거나 그 줄을 추가하세요.")
    if name.isupper():  # a notebook constant (LAM, NODE_NUM) that the set-up cell makes
        return T(f"`{name}` is made by an earlier cell (the set-up cell): run that cell first. Inside a graded "
                 "function, use its own arguments (such as lam) rather than the notebook's constants.",
                 f"`{name}`은(는) 앞 셀(설정 셀)에서 만들어집니다. 그 셀을 먼저 실행하세요. 채점되는 함수 안에서는 "
                 "노트북의 상수 대신 함수의 인자(예: lam)를 쓰세요.")
    called = any(re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", t) for t in texts)
    guess = _did_you_mean(name, _identifiers(texts) + ["self"])
    mean_en = f" Did you mean `{guess}`?" if guess else ""
    mean_ko = f" `{guess}`을(를) 쓰려던 것인가요?" if guess else ""
    if called:  # another function: the cell that defines it should have run (or its name is misspelled)
        return T(f"`{name}(...)` is called but not defined: if it is another of your functions, run (or fix) the "
                 f"cell that defines it first; otherwise check the spelling.{mean_en}",
                 f"`{name}(...)`을(를) 호출했지만 정의되어 있지 않습니다. 직접 만든 다른 함수라면 그 함수를 정의하는 "
                 f"셀을 먼저 실행(또는 수정)하세요. 아니라면 철자를 확인하세요.{mean_ko}")
    if inside:
        return T(f"`{name}` is not defined in this function (a typo?).{mean_en} Every name a function uses must be "
                 "one of its arguments, a variable it assigns before using it, or an import such as np.",
                 f"`{name}`은(는) 이 함수 안에서 정의되지 않은 이름입니다 (오타인가요?).{mean_ko} 함수에서 쓰는 이름은 "
                 "인자, 사용하기 전에 대입한 변수, 또는 np 같은 import여야 합니다.")
    return T(f"That cell uses `{name}`, a name an earlier cell should have made: fix the first cell that failed "
             f"(or the function it names), and this one runs again; if no cell makes `{name}`, check its spelling.",
             f"그 셀은 앞 셀에서 만들어져야 할 이름 `{name}`을(를) 씁니다. 먼저 실패한 앞 셀(또는 오류에 나온 함수)을 "
             f"고치면 이 셀도 다시 실행됩니다. `{name}`을(를) 만드는 셀이 없다면 철자를 확인하세요.")


def _numpy_suggestion(module: str, attribute: str) -> str | None:
    """The closest existing name of a numpy module (np.random.radn -> randn); None if numpy or the module is
    not importable here, or nothing is close."""
    if module.split(".")[0] != "numpy":
        return None
    try:
        import importlib

        names = dir(importlib.import_module(module))
    except Exception:  # numpy missing, or a module name that is not one: no suggestion, the hint still stands
        return None
    return _did_you_mean(attribute, [n for n in names if not n.startswith("_")])


def runtime_error_hint(kind: str, message: str, texts: list[str]) -> Text | None:
    """A specific hint for the errors of code that works for one number only, or of a misspelled numpy name;
    None for anything else (the caller keeps its general hint)."""
    code = " ".join(texts)
    if "truth value of an array" in message:  # ValueError of max(0, x), if x > 0:, and/or on arrays
        python_max = re.search(r"(?<![\w.])(max|min)\s*\(", code)
        branch = re.search(r"(?m)^\s*(if|elif|while)\b|\bif\b.*\belse\b", code)
        if python_max and not branch:
            f = python_max.group(1)
            return T(f"Python's {f}(0, x) compares whole objects, and `x > 0` on an array is an array of True/False, "
                     f"which has no single truth value: use np.{f}imum(0, x), which works elementwise (for arrays "
                     "and single numbers alike).",
                     f"파이썬의 {f}(0, x)는 값을 하나씩만 비교합니다. 배열에서 `x > 0`은 True/False의 배열이라 하나의 "
                     f"참/거짓이 될 수 없습니다. 원소별로 계산하는 np.{f}imum(0, x)를 쓰세요 (배열과 숫자 모두 동작).")
        if branch and not python_max:
            return T("`if x > 0:` needs one True/False, but on an array `x > 0` is an array of them (one per "
                     "element): work elementwise instead, e.g. np.where(x > 0, x, 0) or np.maximum(0, x).",
                     "`if x > 0:`에는 참/거짓 하나가 필요하지만 배열에서 `x > 0`은 원소마다 하나씩인 배열입니다. "
                     "원소별로 계산하세요. 예: np.where(x > 0, x, 0) 또는 np.maximum(0, x).")
        return T("Code for one number (Python's max(0, x), `if x > 0:`, and/or) does not work on an array: `x > 0` "
                 "is an array of True/False.  Work elementwise: np.maximum(0, x), np.where(x > 0, x, 0).",
                 "숫자 하나용 코드(파이썬의 max(0, x), `if x > 0:`, and/or)는 배열에서 동작하지 않습니다. 배열에서 "
                 "`x > 0`은 True/False의 배열입니다. 원소별로 계산하세요: np.maximum(0, x), np.where(x > 0, x, 0).")
    if "converted to Python scalars" in message:  # math.exp(x), float(x) on an array
        m = re.search(r"\bmath\.(\w+)\s*\(", code)
        f = m.group(1) if m else "exp"
        return T(f"math.{f} (like float()) takes a single number, but x is an array: use np.{f}(x), which works "
                 "elementwise on arrays and on single numbers.",
                 f"math.{f}(float()도 마찬가지)는 숫자 하나만 받는데 x는 배열입니다. 배열과 숫자 모두에 원소별로 "
                 f"동작하는 np.{f}(x)를 쓰세요.")
    if "does not support item assignment" in message:  # a[i] = ... on a float (0.0, np.sum(...), a scalar x)
        m = re.search(r"'([\w.]+)' object", message)
        what = m.group(1) if m else "float"
        return T(f"`a[...] = ...` on a single number (a '{what}'): that variable is not an array (it started as a "
                 "number such as 0.0, or the grader passed a scalar).  Compute with array operations instead (lam * W, "
                 "np.maximum(0, x), np.where(...)), or make an array first (np.zeros_like(W)).",
                 f"숫자 하나('{what}')에 `a[...] = ...`를 했습니다. 그 변수는 배열이 아닙니다 (0.0 같은 숫자로 "
                 "시작했거나 채점기가 스칼라를 넘겼습니다). 배열 연산(lam * W, np.maximum(0, x), np.where(...))으로 "
                 "계산하거나 먼저 배열을 만드세요 (np.zeros_like(W)).")
    if "return arrays must be of ArrayType" in message:  # np.maximum(x, 0, x) on a scalar x
        return T("The third argument of np.maximum (and other ufuncs) is its output, out=: np.maximum(x, 0, x) writes "
                 "into x (changing the caller's array) and fails when x is a single number.  Return np.maximum(0, x).",
                 "np.maximum(그리고 다른 ufunc)의 세 번째 인자는 결과를 쓸 곳(out=)입니다. np.maximum(x, 0, x)는 x에 "
                 "결과를 덮어써서 호출한 쪽의 배열을 바꾸고, x가 숫자 하나이면 실패합니다. np.maximum(0, x)를 반환하세요.")
    m = re.search(r"module '([\w.]+)' has no attribute '(\w+)'", message)
    if kind == "AttributeError" and m:
        module, attribute = m.groups()
        shown = re.sub(r"^numpy\b", "np", module)
        guess = _numpy_suggestion(module, attribute)
        mean_en = f": did you mean {shown}.{guess}?" if guess else ": check the spelling in the numpy documentation."
        mean_ko = f". {shown}.{guess}을(를) 쓰려던 것인가요?" if guess else ". numpy 문서에서 철자를 확인하세요."
        return T(f"{shown}.{attribute} does not exist{mean_en} (numpy's functions work elementwise on whole arrays: "
                 "np.exp, np.maximum, rng.standard_normal.)",
                 f"{shown}.{attribute}은(는) 없습니다{mean_ko} (numpy 함수는 배열 전체에 원소별로 동작합니다: "
                 "np.exp, np.maximum, rng.standard_normal.)")
    return None


GRADER_ERROR = (T("The grader itself failed on this check; it is not your fault. Tell your instructor.",
                  "이 항목에서 채점기 자체에 오류가 났습니다. 학생의 잘못이 아니니 담당 교수/조교에게 알려 주세요."),
                None)
