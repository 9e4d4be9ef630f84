"""What students receive: a released week's folder works alone, and holds no answer-key material.

A released week (C/release/weekNN/, what `nbgrader fetch_assignment` gives a student) is the
notebook and the student helper initlab_lab.py.  These tests take that folder as a student
would, in an environment with only numpy, matplotlib, ipykernel and nbclient, and as a student
looking for answers would, reading every byte of it.
"""
from __future__ import annotations

import ast
import csv
import importlib.util
import json
import re
import shutil
import sys
from pathlib import Path

import pytest

from autograder.lectures.weight_init.instructor import answer_key as analysis
from tests.conftest import lab
from autograder.engine.config import Variant
from autograder.engine.export.quiz import Numerical
from autograder.lectures.weight_init.instructor.quiz import quiz_items
from autograder.engine.release import HELPER_NAME, course_variant, release
from autograder.lectures.weight_init import HELPER_FILE as HELPER
from autograder.engine.steps.run_checks import list_checks
from tests.conftest import MASTER_NB
from tests.fresh_env import STUDENT_DISTRIBUTIONS, FreshEnv

ROSTER = [("2026000001", "김민수"), ("2026000002", "Park Jiwoo")]


# ---- the released folder, as a student gets it ---------------------------------------------------


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with a class-wide week 2 and a per-student week 3 (released without their
    self-validation, which tests/engine/test_release.py runs)."""
    root = tmp_path_factory.mktemp("kit") / "course"
    roster = root.parent / "roster.csv"
    with open(roster, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows([("student_id", "name"), *ROSTER])
    release(root, 2, seed=4242, check=False)
    release(root, 3, seed=4242, roster=roster, check=False)
    return root


def fetch(course: Path, week: int, dest: Path) -> Path:
    """What a student fetches: the release folder, copied; returns its notebook."""
    shutil.copytree(course / "release" / f"week{week:02d}", dest)
    return dest / "weight_init.ipynb"


def solution_cells() -> dict[str, str]:
    """grade_id -> the master's solution cell, markers removed: the right code."""
    nb = json.loads(MASTER_NB.read_text(encoding="utf-8"))
    out = {}
    for cell in nb["cells"]:
        meta = cell.get("metadata", {}).get("nbgrader", {})
        if meta.get("solution"):
            src = "".join(cell["source"])
            out[meta["grade_id"]] = "\n".join(line for line in src.splitlines() if "### " not in line)
    return out


def fill(notebook: Path, cells: dict[str, str]) -> None:
    """Replace the source of the cells with these grade ids (a student typing their code)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        grade_id = cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")
        if grade_id in cells:
            cell["source"] = cells[grade_id]
    notebook.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")


def graded_cells(nb: dict) -> list[dict]:
    return [c for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade")]


def score_of(cell: dict) -> float | None:
    for out in cell.get("outputs", []):
        if out["output_type"] == "execute_result":
            return float("".join(out["data"]["text/plain"]))
    return None


def shown(cell: dict) -> str:
    return "".join("".join(out.get("data", {}).get("text/plain", "")) + "".join(out.get("text", ""))
                   for out in cell.get("outputs", []))


def errors(nb: dict) -> list[tuple[str, str]]:
    return [("".join(c["source"])[:60], out.get("ename", "") + ": " + out.get("evalue", ""))
            for c in nb["cells"] for out in c.get("outputs", []) if out["output_type"] == "error"]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory):
    return FreshEnv.build(tmp_path_factory.mktemp("fresh") / "env")


def assert_full_marks_in_a_bare_environment(nb: dict, env: FreshEnv) -> None:
    assert not errors(nb), errors(nb)
    for cell in graded_cells(nb):
        assert score_of(cell) == cell["metadata"]["nbgrader"]["points"], shown(cell)[-1500:]
    assert nb["probe"]["python"] == str(env.python) and nb["probe"]["kit"] == [], nb["probe"]
    assert not {"initlab", "nbgrader", "pytest", "nbconvert"} & set(nb["probe"]["distributions"])
    assert set(STUDENT_DISTRIBUTIONS) <= set(nb["probe"]["distributions"])
    # the lecture's figure, drawn by the helper with the student's functions
    assert any("image/png" in out.get("data", {}) for c in nb["cells"] for out in c.get("outputs", []))


@pytest.mark.slow
def test_a_released_week_runs_alone_with_numpy_and_matplotlib_only(course, fresh, tmp_path):
    """With only numpy, matplotlib, ipykernel and nbclient, does the released folder run top to
    bottom with right code, every self-check cell giving its full points?"""
    notebook = fetch(course, 2, tmp_path / "week02")
    fill(notebook, solution_cells())
    assert_full_marks_in_a_bare_environment(fresh.execute(notebook), fresh)


@pytest.mark.slow
def test_a_per_student_week_runs_alone_with_the_students_id_and_code(course, fresh, tmp_path):
    """Does a per-student week run the same way once the student types their id and set-up code,
    with that student's own numbers?"""
    sid = ROSTER[1][0]
    rows = {r["student_id"]: r for r in csv.DictReader(open(course / "initlab-private" / "week03" / "students.csv",
                                                             encoding="utf-8-sig"))}
    notebook = fetch(course, 3, tmp_path / "week03")
    fill(notebook, {**solution_cells(), "student_id": f'STUDENT_ID = "{sid}"\nSETUP_CODE = "{rows[sid]["setup_code"]}"'})
    nb = fresh.execute(notebook)
    assert_full_marks_in_a_bare_environment(nb, fresh)
    mine = course_variant(course, "week03").for_student(sid)
    printed = next(shown(c) for c in nb["cells"] if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "variant")
    assert f"{mine.n_samples}x{mine.input_dim}" in printed and f"λ = {mine.lam:g}" in printed


MISTAKES = {
    "solution_sigmoid": "def sigmoid(x):\n    return np.exp(x) / (1 + np.exp(x))",
    "solution_xavier_init": "def xavier_init(n_in, n_out, rng):\n    return rng.standard_normal((n_in, n_out)) * np.sqrt(2.0 / n_in)",
    "solution_activation_probe": ("def activation_probe(x, init, activation, n_layers, node_num, rng):\n"
                                  "    out, prev = [], x\n    for _ in range(n_layers):\n"
                                  "        a = prev @ init(prev.shape[1], node_num, rng)\n"
                                  "        out.append(a)\n        prev = activation(a)\n    return out"),
    "solution_weight_decay_penalty": ("def weight_decay_penalty(weights, lam):\n"
                                      "    return lam * sum(float(np.sum(w ** 2)) for w in weights)"),
}


@pytest.mark.slow
def test_typical_mistakes_get_their_hints_and_no_answer_is_ever_printed(course, fresh, tmp_path):
    """Do typical mistakes get the specific hints, and does no output of the notebook (its
    self-check included) show an analysis answer's reference value?"""
    notebook = fetch(course, 2, tmp_path / "week02")
    typed = {"solution_answer_penalty": "answer_penalty = 123.0"}
    fill(notebook, {**solution_cells(), **MISTAKES, **typed})
    nb = fresh.execute(notebook)
    by_id = {c["metadata"]["nbgrader"]["grade_id"]: c for c in graded_cells(nb)}
    hints = {"check_sigmoid": "inf/inf = nan", "check_xavier_init": "He의 sqrt(2/n_in)",
             "check_activation_probe": "활성화 함수 적용 전의 prev @ W를 저장했습니다",
             "check_weight_decay_penalty": "0.5가 곱해집니다",
             # the answer uses weight_decay_penalty, which is wrong here: that is named first
             "check_answer_penalty": "weight_decay_penalty(으)로 계산하는데"}
    for grade_id, hint in hints.items():
        cell = by_id[grade_id]
        assert score_of(cell) < cell["metadata"]["nbgrader"]["points"] and hint in shown(cell), shown(cell)[-800:]
    everything = "\n".join(shown(c) for c in nb["cells"])
    for needle in answer_strings(course_variant(course, "week02")):
        assert not writes(everything, needle), needle


# ---- nothing of the answer key -----------------------------------------------------------------


def answer_strings(variant) -> set[str]:
    """The reference's analysis answers under ``variant``, as a report or a student would write them
    (4 to 8 significant digits: shorter forms are too common to mean anything)."""
    return {text for name in lab.ANSWERS for text in number_strings(analysis.expected(name, variant)[0])}


def number_strings(value: float) -> set[str]:
    """``value`` written with 4 to 8 significant digits, and in full."""
    texts = {repr(float(value))} | {f"{value:.{digits}g}" for digits in range(4, 9)}
    return {text for text in texts if len(re.sub(r"\D", "", text.split("e")[0]).strip("0")) >= 4}


def writes(text: str, number: str) -> bool:
    """Does ``text`` hold ``number`` as a number of its own (not as the start of a longer one)?"""
    return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d)", text) is not None


def released_texts(course: Path, week: int) -> dict[str, str]:
    folder = course / "release" / f"week{week:02d}"
    return {p.name: p.read_text(encoding="utf-8") for p in folder.iterdir()}


@pytest.mark.parametrize("week", [2, 3])
def test_the_release_folder_and_the_helper_hold_no_answer_key(course, week):
    """Is there, in what a student receives, no reference solution, no analysis answer, no quiz, no
    course key, no other week's or other student's set-up, and no file but the notebook and helper?"""
    texts = released_texts(course, week)
    assert sorted(texts) == [HELPER_NAME, "weight_init.ipynb"]
    assert texts[HELPER_NAME] == HELPER.read_text(encoding="utf-8")
    everything = "\n".join(texts.values())
    # the reference solution: no solution region, and no line of an analysis answer's solution
    for grade_id, code in solution_cells().items():
        body = [line.strip() for line in code.splitlines() if line.strip()]
        assert "\n".join(body) not in "\n".join(line.strip() for line in everything.splitlines()), grade_id
        if grade_id.startswith("solution_answer_"):
            for line in body:
                if line.startswith("answer_") or "activation_probe(" in line:
                    assert line not in everything, (grade_id, line)
    # the analysis answers: this week's (every student's, in a per-student week), the lecture's, another week's
    week_variant = course_variant(course, f"week{week:02d}")
    other = course_variant(course, "week03" if week == 2 else "week02")
    variants = [week_variant, Variant(), other.for_student(ROSTER[0][0])]
    variants += [week_variant.for_student(sid) for sid, _ in ROSTER if week_variant.per_student]
    for variant in variants:
        for needle in answer_strings(variant):
            assert not writes(everything, needle), (variant.week, variant.student_id, needle)
    # the quiz bank: none of its numerical answers
    for item in quiz_items(week_variant.for_student(ROSTER[0][0])):
        if isinstance(item, Numerical):
            for needle in number_strings(item.answer):
                assert not writes(everything, needle), (item.name, needle)
    # the course key, and the instructor's files
    key = re.search(r'key = "([^"]+)"', (course / "initlab.toml").read_text(encoding="utf-8")).group(1)
    assert key not in everything
    # another week's and every student's own set-up
    assert f"'seed': {other.seed}" not in everything and str(other.seed) not in everything
    rows = list(csv.DictReader(open(course / "initlab-private" / "week03" / "students.csv", encoding="utf-8-sig")))
    for row in rows:
        assert row["setup_code"] not in everything and row["student_id"] not in everything
        if week_variant.per_student:
            assert str(week_variant.for_student(row["student_id"]).seed) not in everything


def test_the_helper_runs_every_check_the_grader_runs_and_needs_numpy_and_matplotlib_only(tmp_path):
    """Loaded alone from a copy (as initlab_lab.py beside a notebook), does the helper hold exactly the
    grader's checks with their points (no hidden check), importing nothing but the standard
    library, numpy and matplotlib (and IPython for display, the kit for MNIST, both optional)?"""
    copy = tmp_path / HELPER_NAME
    shutil.copyfile(HELPER, copy)
    spec = importlib.util.spec_from_file_location("initlab_lab_copy", copy)
    alone = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = alone  # as `import` does (its dataclasses look themselves up there)
    try:
        spec.loader.exec_module(alone)
    finally:
        del sys.modules[spec.name]
    assert [(c.info.check_id, c.info.points) for c in alone.CHECKS] == [(c.check_id, c.points) for c in list_checks()]
    tree = ast.parse(copy.read_text(encoding="utf-8"))
    top_level = set()
    optional = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
            roots = {n.split(".")[0] for n in names}
            (top_level if node.col_offset == 0 else optional).update(roots)
    assert top_level - {"__future__"} <= set(sys.stdlib_module_names) | {"numpy"}, top_level
    assert optional <= set(sys.stdlib_module_names) | {"numpy", "matplotlib", "IPython", "autograder"}, optional
    assert not any(isinstance(n, ast.ImportFrom) and (n.module or "").startswith("autograder")
                   and not (n.module or "").startswith("autograder.lectures.weight_init.experiments") for n in ast.walk(tree))


def test_the_packaging_states_the_split():
    """Is the student's side a distribution of one module needing numpy and matplotlib only (the
    file every release ships), and is everything else the instructor kit's?"""
    import tomllib

    root = Path(__file__).resolve().parents[3]
    student = tomllib.loads((root / "assignment" / "pyproject.toml").read_text(encoding="utf-8"))
    kit = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))

    def names(deps):
        return {re.split(r"[<>=!~;\[ ]", d, maxsplit=1)[0].lower() for d in deps}

    assert names(student["project"]["dependencies"]) == {"numpy", "matplotlib"}
    assert student["project"]["requires-python"] == ">=3.10"
    assert student["tool"]["setuptools"]["py-modules"] == ["initlab_lab"]
    assert (root / "assignment" / HELPER_NAME).resolve() == HELPER.resolve()
    assert {"nbgrader", "pytest"} <= names(kit["project"]["dependencies"])
    assert "autograder.reference" in kit["tool"]["setuptools"]["packages"]  # the kit keeps what it has
