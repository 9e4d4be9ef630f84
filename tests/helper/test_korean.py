"""What a Korean-mode student reads: no English-only expected/measured lines from the shared checks, the
right cause for `return 0`, numbered demo steps, and a status label that does not wrap."""
from __future__ import annotations

import contextlib
import io
import re
import tempfile
from pathlib import Path

import numpy as np

from autograder.helper.text import pick
from autograder.helper.wording import result_details
from autograder.lectures.weight_init.helper.contract import ANSWERS, FUNCTIONS, SIGNATURES
from autograder.lectures.weight_init.instructor.samples import MUTANTS, mutate, reference_source
from tests.conftest import lab


def _self_check(source: str, names: tuple[str, ...]):
    namespace: dict = {"np": np}
    exec(source, namespace)
    return lab.self_check(namespace, names)


def test_a_function_returning_one_number_is_told_so_not_to_check_the_dimension_order():
    results = _self_check("def sigmoid(x):\n    return 0\n", ("sigmoid",))
    shaped = [r for r in results if r.hint is not None and "숫자 하나" in r.hint.ko]
    assert shaped, [(r.check_id, r.hint) for r in results]
    assert all("차원 순서" not in r.hint.ko for r in shaped) and "one number" in shaped[0].hint.en
    assert any("모양" in pick(r.expected, "ko") for r in results if not r.passed)


def test_nan_results_are_said_in_korean_too():
    results = _self_check("def sigmoid(x):\n    return x * np.nan\n", ("sigmoid",))
    said = " ".join(f"{pick(r.expected, 'ko')} {pick(r.measured, 'ko')}" for r in results if not r.passed)
    assert "유한한 수" in said or "개 중" in said, said


def test_the_symmetry_demo_numbers_its_steps_in_order():
    def probe(x, init, activation, n_layers, node_num, rng):
        out, prev = [], x
        for _ in range(n_layers):
            prev = activation(prev @ init(prev.shape[1], node_num, rng))
            out.append(prev)
        return out

    def xavier(n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) / np.sqrt(n_in)

    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        lab.symmetry_demo(probe, lambda a: 1 / (1 + np.exp(-a)), xavier)
    steps = [line.split(")")[0].strip() for line in buf.getvalue().splitlines() if line[:3].strip().rstrip(")").isdigit()]
    assert steps == ["1", "2", "3"], buf.getvalue()


def test_the_feedback_pages_status_column_does_not_wrap():
    from autograder.engine.report.batch import _CSS

    assert "td:first-child{white-space:nowrap}" in _CSS


def test_a_self_check_cells_result_is_its_score_never_an_empty_prompt():
    """nbgrader reads the cell result's text/plain as partial credit (a bare number); Jupyter shows its
    HTML, which says the score out of the points in both languages instead of an empty Out[n]."""
    from autograder.helper.notebook import Score

    score = Score(3.0, 5.0)
    assert repr(score) == "3.0" and float(score) == 3.0
    shown = score._repr_html_()
    assert "3 / 5" in shown and "점수" in shown and "score" in shown


# ---- Korean mode entirely in Korean (issue 21) ---------------------------------------------------------------

#: Mistakes beyond the mutation suite, for the lines it never reaches: describe() of None, a str, a list, a
#: dict and an object array; a shape kept for arrays only; an input changed otherwise than into relu(x); units
#: made to differ by noise; a NaN weight.
MORE_MUTANTS = [
    ("sigmoid-returns-none", "sigmoid", "y = 1 / (1 + np.exp(-x))"),
    ("sigmoid-scalar-becomes-array", "sigmoid", "return np.atleast_1d(1 / (1 + np.exp(-x)))"),
    ("relu-returns-str", "relu", "return 'relu'"),
    ("relu-zeroes-input", "relu", "y = np.maximum(0, x)\nif np.ndim(x):\n    x[...] = 0\nreturn y"),
    ("xavier-object-array", "xavier_init", "return np.empty((n_in, n_out), dtype=object)"),
    ("he-nan", "he_init", "w = rng.standard_normal((n_in, n_out)) * np.sqrt(2 / n_in)\nw[0, 0] = np.nan\nreturn w"),
    ("probe-last-layer-only", "activation_probe",
     "prev = x\nfor _ in range(n_layers):\n    prev = activation(prev @ init(prev.shape[1], node_num, rng))\nreturn prev"),
    ("probe-noisy-weights", "activation_probe",
     "acts, prev = [], x\nfor _ in range(n_layers):\n    w = init(prev.shape[1], node_num, rng)\n"
     "    prev = activation(prev @ (w + 1e-3 * rng.standard_normal(w.shape)))\n    acts.append(prev)\nreturn acts"),
    ("penalty-list-per-matrix", "weight_decay_penalty", "return [0.5 * lam * float(np.sum(w ** 2)) for w in weights]"),
    ("grad-dict", "weight_decay_grad", "return {'W': lam * W}"),
]

#: ASCII words a Korean line may hold: the contract's names (functions, answers, arguments), numpy's and
#: Python's names of things, and the lecture's proper names.  Anything else is English left untranslated.
_SIGNATURE_WORDS = {w for s in SIGNATURES.values() for w in re.findall(r"[A-Za-z_]\w*", s)}
CODE_WORDS = set(FUNCTIONS) | set(ANSWERS) | _SIGNATURE_WORDS | {
    "np", "numpy", "nan", "inf", "dtype", "float", "int", "str", "list", "dict", "tuple", "object", "None", "True",
    "False", "return", "float64", "int64", "ndarray", "Generator", "softsign", "KS", "Xavier", "He", "ReLU", "L1",
    "prev",  # the template's name of the previous layer's activations (activation(prev @ W))
    "py", "ipynb",  # file name extensions (.py, .ipynb)
}


def english_words(text: str) -> list[str]:
    """The ASCII words of ``text`` that are not code: backticked spans, quoted values (a student's own
    strings), dotted names (np.exp) and calls (f(...)) are code; so are names with _ or a digit, single
    letters (x, W, p, e of 1e-06), exception names and the words of CODE_WORDS."""
    text = re.sub(r"`[^`]*`|(?<![A-Za-z])'[^']*'|\"[^\"]*\"", " ", text)
    text = re.sub(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Za-z_]\w*(?=\()", " ", text)
    words = re.findall(r"[A-Za-z][A-Za-z0-9_]*", text)
    return [w for w in words if not (len(w) == 1 or "_" in w or any(c.isdigit() for c in w) or w in CODE_WORDS
                                     or w.endswith(("Error", "Warning")))]


_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _mutant_results() -> dict[str, list]:
    """Every mistake's failing results, from the self-check on the mistaken reference (run as a student's
    file is, cell by cell); for two of them, every check (the analysis answers blame the broken function)."""
    ref = reference_source()
    out = {}
    with tempfile.TemporaryDirectory() as tmp:
        for mid, fn, body in MUTANTS + MORE_MUTANTS:
            path = Path(tmp) / f"{mid}.py"
            path.write_text(mutate(fn, body, ref), encoding="utf-8")
            with contextlib.redirect_stdout(io.StringIO()):
                namespace, _ = lab.run_file(str(path))
            names = () if mid in ("penalty-no-half", "probe-no-chaining") else (fn,)
            out[mid] = [r for r in lab.self_check(namespace, names) if not r.passed]
        # An answer that is not a number, and one that disagrees with the student's own functions.
        path = Path(tmp) / "answers.py"
        path.write_text(ref, encoding="utf-8")
        with contextlib.redirect_stdout(io.StringIO()):
            namespace, _ = lab.run_file(str(path))
        namespace.update(answer_penalty="about one", answer_xavier_std=123.0)
        out["answers"] = [r for r in lab.self_check(namespace, ("answer_penalty", "answer_xavier_std"))
                          if not r.passed]
    return out


_RESULTS: dict = {}


def mutant_results() -> dict[str, list]:
    if not _RESULTS:
        _RESULTS.update(_mutant_results())
    return _RESULTS


def _said(r, lang: str) -> list[tuple[str, str]]:
    """(kind, text) of what a report says of the result's expected, measured and what happened, in ``lang``;
    a Python error's own message (English, from the interpreter) is the student's, not ours."""
    parts = result_details(r, lambda t: pick(t, lang))
    return [(kind, re.sub(r"\b\w+(Error|Exception): .*", "", text) if kind == "message" else text)
            for kind, text in parts if kind in ("expected", "measured", "message")]


def test_every_mistakes_expected_and_measured_are_korean_in_korean_mode():
    results = mutant_results()
    assert all(results.values()), [mid for mid, rs in results.items() if not rs]
    english = [(mid, r.check_id, kind, text, english_words(text))
               for mid, rs in results.items() for r in rs for kind, text in _said(r, "ko") if english_words(text)]
    assert not english, "\n".join(map(str, english))


def test_every_mistakes_expected_and_measured_are_english_only_in_english_mode():
    korean = [(mid, r.check_id, kind, text) for mid, rs in mutant_results().items() for r in rs
              for kind, text in _said(r, "en") if _HANGUL.search(text)]
    assert not korean, "\n".join(map(str, korean))


def test_the_english_word_filter_lets_code_through_and_catches_english():
    assert english_words("평균 0 ± 0.0029, 가중치 40,000개") == []
    assert english_words("np.random.default_rng(0)로 `return` 값 xavier_init(784, 100, ...) 'about one' 6x5 1e-06") == []
    assert english_words("mean 0 ± 0.0029 (0.03 × the spread's std)") == ["mean", "the", "spread"]
    assert english_words("None (did you forget `return`?)") == ["did", "you", "forget"]


def _submission(mid: str = "xavier-constant"):
    from autograder.engine.submission import Submission

    return Submission("2026000001", name="김민준", status="graded", results=tuple(mutant_results()[mid]),
                      extra={"file": "weight_init.py"})


def _texts(sub):
    """The failing results' expected and measured lines that differ between the languages."""
    return [t for r in sub.results for t in (r.expected, r.measured) if not isinstance(t, str) and t.en != t.ko]


def test_every_report_shows_expected_and_measured_in_its_own_language():
    """The terminal table (`initlab check --lang ko`), the pytest plugin, results.json, the feedback page and
    nbgrader's autograded cells pick the language; the notebook shows Korean first, English beside it."""
    import html
    import json

    from autograder.engine.export.autograded import verdicts
    from autograder.engine.pytest_plugin import failure_text
    from autograder.engine.report.batch import feedback_html, results_json
    from autograder.engine.report.table import render
    from autograder.helper.notebook import CheckReport

    sub = _submission()
    texts = _texts(sub)
    assert len(texts) >= 8
    for lang, other in (("ko", "en"), ("en", "ko")):
        shown = {
            "terminal": render(sub, lang, colour=False, cols=400),
            "pytest": "\n".join(failure_text(r, lang) for r in sub.results),
            "results.json": "\n".join(t["output"] for t in json.loads(results_json(sub, lang))["tests"]),
            "feedback.html": html.unescape(feedback_html(sub, lang)),
            "autograded": verdicts(sub, "xavier_init", lang),
        }
        for where, out in shown.items():
            out = " ".join(out.split())  # the terminal's and pytest's lines are wrapped
            for t in texts:
                assert " ".join(pick(t, lang).split()) in out and " ".join(pick(t, other).split()) not in out, \
                    (where, lang, t)
    notebook = repr(CheckReport(list(sub.results))) + html.unescape(CheckReport(list(sub.results))._repr_html_())
    for t in texts:
        assert f"{t.ko} / {t.en}" in notebook, t


def test_the_korean_feedback_page_is_korean_throughout():
    """Apart from code (function names, the lecture's case names, numbers), no English on a Korean page:
    statuses, labels, expected, measured, hints, the figure's caption and its labels."""
    import html

    from autograder.engine.report.batch import feedback_html

    for mid in ("xavier-constant", "probe-no-chaining", "relu-returns-str"):
        page = feedback_html(_submission(mid), "ko")
        assert "<html lang='ko'>" in page
        body = page.split("<body>", 1)[1]
        visible = html.unescape(re.sub(r"<code>.*?</code>|<[^>]+>", " ", body))
        assert not english_words(visible), (mid, english_words(visible))
        assert "FAIL" not in visible and "실패" in visible
