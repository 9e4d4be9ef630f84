"""The weight-initialisation lecture as the engine knows it: its ``ASSIGNMENT`` (engine/assignment.py)."""
from __future__ import annotations

from pathlib import Path

from autograder.engine.assignment import Assignment
from autograder.helper.text import T
from autograder.lectures.weight_init import HELPER_FILE
from autograder.lectures.weight_init.helper import CHECKS
from autograder.lectures.weight_init.instructor.numbers import WeightInitNumbers

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
#: The reference solution and the master notebook (solutions/ ships in the kit as autograder.reference).
SOLUTIONS = ROOT / "solutions" if (ROOT / "solutions" / "weight_init.ipynb").is_file() else ROOT / "autograder" / "reference"


def _answer_key(name: str, variant) -> tuple[float, float]:
    from autograder.lectures.weight_init.instructor.answer_key import expected

    return expected(name, variant)


def _prepare_class(variant) -> None:
    """What every submission of a class-wide week is compared with, computed once per judge: the answer
    key and the lecture cases' right layers (cached for the judge's life)."""
    from autograder.lectures.weight_init.helper.checks_probe import lecture_expected, lecture_seeds
    from autograder.lectures.weight_init.instructor.answer_key import BY_NAME, expected

    for name in BY_NAME:
        expected(name, variant)
    for case, seed in lecture_seeds(variant):
        lecture_expected(case, seed)


def _shared_inputs(variant) -> list:
    from autograder.lectures.weight_init.helper.checks_probe import lecture_seeds

    return lecture_seeds(variant)


def _after_checks(student, variant, results) -> dict:
    """The student's probe at the week's set-up, for the feedback figure (ungraded; see week_figure.py)."""
    from autograder.lectures.weight_init.instructor.week_figure import probe_at_week

    return probe_at_week(student, variant, results)


def _feedback_figure(sub, lang: str) -> str:
    from autograder.lectures.weight_init.instructor.figures import feedback_figure

    return feedback_figure(sub, lang)


def _plot(sub, folder: Path) -> Path:
    from autograder.lectures.weight_init.instructor.figures import save_histograms

    return save_histograms(sub, folder)


def _independent_solutions() -> list[str]:
    from autograder.lectures.weight_init.instructor.independent import independent_solutions

    return independent_solutions()


def _quiz(variant) -> list:
    from autograder.lectures.weight_init.instructor.quiz import quiz_items

    return quiz_items(variant)


#: Points of the written question (a TA grades it in formgrader; a release adds it only with --written).
WRITTEN_POINTS = 2


def _written(variant) -> list[dict]:
    """The lecture's 서술형: why a narrow initial std loses expressive power, asked with the week's std."""
    small = f"{variant.std_small:g}"

    def cell(kind: str, grade_id: str, source: str, **meta) -> dict:
        nbgrader = {"grade": False, "grade_id": grade_id, "locked": True, "schema_version": 3, "solution": False}
        nbgrader.update(meta)
        return {"cell_type": kind, "id": grade_id.replace("_", "-"), "metadata": {"nbgrader": nbgrader}, "source": source}

    return [
        cell("markdown", "text_written",
             f"### 서술형 / Written question ({WRITTEN_POINTS}점 / points)\n\n"
             f"표준편차 {small}인 정규분포로 초기화한 시그모이드 신경망에서 활성화 값은 어떻게 분포하며, 그것이 왜 문제인지 "
             "강의의 말로 설명하세요. 조교가 채점합니다.\n\n"
             f"*With weights drawn from a normal distribution of std {small}, how are the sigmoid activations "
             "distributed, and why is that a problem? Answer in the lecture's terms; a TA grades it.*"),
        cell("markdown", "written_std_small",
             "활성화 값들이 0.5 부근에 집중됩니다. 여러 뉴런이 거의 같은 값을 출력하므로 뉴런을 여러 개 둔 의미가 "
             "없어지고, 표현력이 제한됩니다. (기울기 소실은 아니지만, 층을 깊게 쌓는 의미가 줄어듭니다.)\n\n"
             "*The activations concentrate around 0.5: many units output almost the same value, so having many "
             "units means little, and the network's expressive power is limited.*",
             grade=True, solution=True, locked=False, points=WRITTEN_POINTS),
    ]


def _words(variant) -> dict[str, str]:
    """The histogram section's bullets with the week's two stds (the lecture's in brackets)."""
    large, small = f"{variant.std_large:g}", f"{variant.std_small:g}"
    if (large, small) == ("1", "0.01"):
        return {}
    return {"- 표준편차 1: 활성화": f"- 표준편차 {large} (강의: 1): 활성화",
            "*std 1: activations": f"*std {large} (lecture: 1): activations",
            "- 표준편차 0.01: 모두": f"- 표준편차 {small} (강의: 0.01): 모두",
            "*std 0.01: everything": f"*std {small} (lecture: 0.01): everything"}


def _commands(subparsers) -> None:
    from autograder.lectures.weight_init.experiments.command import register

    register(subparsers)


ASSIGNMENT = Assignment(
    name="weight_init",
    title=T("Weight initialisation", "가중치의 초깃값"),
    checks=CHECKS,
    helper_file=HELPER_FILE,
    helper_package="autograder.lectures.weight_init.helper",
    numbers=WeightInitNumbers,
    reference=SOLUTIONS / "weight_init.py",
    master=SOLUTIONS / "weight_init.ipynb",
    derived={"solution_py": ROOT / "solutions" / "weight_init.py",
             "student_ipynb": ROOT / "assignment" / "weight_init.ipynb",
             "student_py": ROOT / "assignment" / "weight_init.py"},
    answer_key=_answer_key,
    prepare_class=_prepare_class,
    shared_inputs=_shared_inputs,
    after_checks=_after_checks,
    feedback_figure=_feedback_figure,
    independent_solutions=_independent_solutions,
    plot=_plot,
    quiz=_quiz,
    student_columns=("node_num", "n_layers", "n_samples", "input_dim", "std_large", "std_small", "lam"),
    commands=_commands,
    words=_words,
    written=_written,
    written_after="code_09",
    code=(HELPER_FILE, HERE / "instructor" / "answer_key.py", HERE / "instructor" / "week_figure.py"),
)
