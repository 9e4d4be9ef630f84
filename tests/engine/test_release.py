"""`initlab release`: reproducible weekly variants, per-student variants, a quiz bank, self-validation."""
from __future__ import annotations

import csv
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest

import autograder

from autograder.engine.config import Variant
from autograder.engine.release import ReleaseError, _key_from_seed, course_variant, release
from autograder.engine.steps.handles import variant_of_setup
from tests.conftest import MASTER_NB, total_points
from tests.kernels import retry_on_kernel_failure

pytestmark = pytest.mark.nbgrader

FILES = ("initlab-private/week03/variant.toml", "source/week03/weight_init.ipynb", "release/week03/weight_init.ipynb",
         "quiz/week03.xml", "quiz/week03.gift")


@pytest.fixture(scope="module")
def two_courses(tmp_path_factory):
    a, b = tmp_path_factory.mktemp("a") / "course", tmp_path_factory.mktemp("b") / "course"
    release(a, 3, seed=99, check=False)
    release(b, 3, seed=99, check=False)
    release(a, 4, check=False)  # the stored course seed is reused
    return a, b


def test_same_seed_and_week_give_byte_identical_files(two_courses):
    """Are the variant, both notebooks and the quiz byte-identical across two courses with one seed?"""
    a, b = two_courses
    for rel in FILES:
        assert (a / rel).read_bytes() == (b / rel).read_bytes(), rel


def test_two_weeks_differ_and_the_seed_is_kept(two_courses):
    """Does week 4 get another set-up from the course seed stored at week 3?"""
    a, _ = two_courses
    w3, w4 = course_variant(a, "week03"), course_variant(a, "week04")
    assert w3.course_key == w4.course_key == _key_from_seed(99) and w3 != w4
    assert (a / "quiz" / "week03.xml").read_bytes() != (a / "quiz" / "week04.xml").read_bytes()
    with pytest.raises(ReleaseError):
        release(a, 5, seed=100, check=False)  # one course, one seed


def test_the_released_notebook_carries_the_variant_and_no_solutions(two_courses):
    """Does the release declare the week's set-up, keep the instructor files out, and hold no solution?"""
    a, _ = two_courses
    nb = json.loads((a / "release" / "week03" / "weight_init.ipynb").read_text(encoding="utf-8"))
    code = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code")
    w3 = course_variant(a, "week03")
    setup = next(line for line in code.splitlines() if line.startswith("SETUP = "))
    assert "'week': 3" in code and f"'node_num': {w3.node_num}" in code and f"'seed': {w3.seed}" in code, setup
    assert "BEGIN SOLUTION" not in code and "raise NotImplementedError()" in code
    assert sorted(p.name for p in (a / "release" / "week03").iterdir()) == ["initlab_lab.py", "weight_init.ipynb"]
    helper = (a / "release" / "week03" / "initlab_lab.py").read_bytes()
    assert helper == (Path(autograder.__file__).parent / "lectures" / "weight_init" / "initlab_lab.py").read_bytes()


def test_nothing_released_gives_the_course_key_or_other_set_ups(two_courses):
    """Is the course key (and the old course seed) in no released file, and is the course's key file the
    owner's only?  Another week's set-up follows only from the key."""
    a, _ = two_courses
    key = course_variant(a, "week03").course_key
    for path in (a / "release").rglob("*"):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert key not in text and "course_key" not in text and "COURSE_SEED" not in text, path
    assert (a / "initlab.toml").stat().st_mode & 0o077 == 0
    assert Variant.derive(key, 4) == course_variant(a, "week04")
    assert Variant.derive("not-the-key", 4) != course_variant(a, "week04")


def test_the_moodle_quiz_bank(two_courses):
    """>= 5 numerical templates x >= 2 variants, each in its own category, every answer with a tolerance?"""
    a, _ = two_courses
    text = (a / "quiz" / "week03.xml").read_text(encoding="utf-8")
    assert text.startswith('<?xml version="1.0" encoding="UTF-8"?>')
    root = ET.fromstring(text.encode())
    category, per_category = None, {}
    for q in root.findall("question"):
        if q.get("type") == "category":
            category = q.find("category/text").text
            continue
        per_category.setdefault(category, []).append(q)
    numeric = {c: qs for c, qs in per_category.items() if all(q.get("type") == "numerical" for q in qs)}
    assert len(numeric) >= 5 and all(len(qs) >= 2 for qs in numeric.values())
    assert all(c.startswith("$course$/initlab/week03/") for c in per_category)
    for qs in numeric.values():
        for q in qs:
            for ans in q.findall("answer"):
                assert float(ans.find("text").text) == float(ans.find("text").text)
                assert float(ans.find("tolerance").text) > 0
    mc = [q for qs in per_category.values() for q in qs if q.get("type") == "multichoice"]
    assert len(mc) >= 2
    texts = " ".join(q.find("questiontext/text").text for q in mc)
    assert "ReLU" in texts and "equal" in texts  # which init for ReLU; what equal weights do
    for q in mc:  # Korean with English, exactly one right answer
        text = q.find("questiontext/text").text
        assert re.search("[\uac00-\ud7a3]", text) and re.search("[A-Za-z]{4}", text)
        assert [a.get("fraction") for a in q.findall("answer")].count("100") == 1


def test_the_gift_bank_escapes_what_gift_reads_specially(two_courses):
    """In GIFT, are '=' ':' '~' '{' '}' '#' in texts escaped, and Korean left as is?"""
    a, _ = two_courses
    gift = (a / "quiz" / "week03.gift").read_text(encoding="utf-8")
    assert "a \\= x·w" in gift and "가중치" in gift
    for line in gift.splitlines():
        if line.startswith("::"):
            body = line.split("{", 1)[0] if "{#" in line else line
            assert re.search(r"(?<!\\)[~=]", body.split("::", 2)[-1]) is None, line


def test_two_roster_students_get_different_variants(tmp_path):
    """With --roster, do two students get different numbers, each always the same?"""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id,name,email\n2026001,홍길동,hong@u.ac.kr\n2026002,김철수,kim@u.ac.kr\n", encoding="utf-8")
    r = release(tmp_path / "course", 2, seed=5, roster=roster, check=False)
    assert r.variant.per_student and r.students == 2
    a, b = r.variant.for_student("2026001"), r.variant.for_student("2026002")
    assert a != b and a == Variant.derive(_key_from_seed(5), 2, "2026001", True)
    with open(tmp_path / "course" / "initlab-private" / "week02" / "students.csv", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [r["student_id"] for r in rows] == ["2026001", "2026002"] and rows[0]["name"] == "홍길동"
    # Each student's code holds exactly their own set-up, and no other's.
    assert variant_of_setup(rows[0]["setup_code"]) == replace(a, course_key="")
    assert variant_of_setup(rows[1]["setup_code"]) == replace(b, course_key="")
    nb = (tmp_path / "course" / "release" / "week02" / "weight_init.ipynb").read_text(encoding="utf-8")
    assert "SETUP = SETUP_CODE" in nb and "STUDENT_ID" in nb and rows[0]["setup_code"] not in nb


@pytest.mark.slow
def test_a_broken_master_does_not_release_and_leaves_nothing(tmp_path):
    """Does validation catch a master whose solution is wrong, and remove every file it made?"""
    nb = json.loads(MASTER_NB.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        src = "".join(cell["source"])
        if src.startswith("def xavier_init"):
            cell["source"] = src.replace("np.sqrt(1.0 / n_in)", "np.sqrt(1.0 / n_out)")
    broken = tmp_path / "broken.ipynb"
    broken.write_text(json.dumps(nb, ensure_ascii=False), encoding="utf-8")
    course = tmp_path / "course"
    with pytest.raises(ReleaseError) as info:
        # validation runs nbgrader autograde, whose kernels may die on a busy machine
        retry_on_kernel_failure(lambda: release(course, 1, seed=1, master=broken))
    assert "validator-full scored" in str(info.value) and "xavier_init" in str(info.value)
    assert not (course / "source" / "week01").exists() and not (course / "release" / "week01").exists()
    assert not (course / "quiz" / "week01.xml").exists()
    from autograder.engine.export.nbgrader_db import open_gradebook
    with open_gradebook(course) as gb:
        assert "week01" not in [a.name for a in gb.assignments]


@pytest.mark.slow
def test_a_per_student_release_validates_with_both_graders(tmp_path):
    """Does a per-student week's source score full marks and its release zero, in initlab and nbgrader?"""
    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\n2026001\n", encoding="utf-8")
    r = retry_on_kernel_failure(lambda: release(tmp_path / "course", 1, seed=3, roster=roster))
    for grader in ("initlab", "initlab gradebook", "nbgrader autograde"):
        assert r.validation[grader] == {"validator-full": total_points(), "validator-zero": 0.0}


def test_a_release_says_each_step_as_it_ends(tmp_path):
    """Does `initlab release` print a line per step with its time, instead of nothing for a minute?"""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "release", "--course", str(tmp_path / "c"),
                           "--week", "4", "--seed", "3", "--no-validate"], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    steps = [line for line in done.stdout.splitlines() if re.search(r"\(\d+\.\d s\)$", line)]
    assert len(steps) == 3 and "generate_assignment" in steps[1] and "quiz" in steps[2], done.stdout
    assert done.stdout.index(steps[-1]) < done.stdout.index("released week04")


@pytest.mark.slow
def test_nbgraders_own_autograde_and_feedback_copy_no_secret(tmp_path):
    """A per-student week run through nbgrader's own commands, as a course might click them in formgrader:
    `nbgrader autograde` then `nbgrader generate_feedback`.  Does any file they make (or source/ or
    release/) hold the course key or any student's set-up code (from which their numbers follow), and
    does a course released by an earlier initlab (secrets in source/) get them moved out first?"""
    import shutil

    from autograder.engine.release import PRIVATE_FOLDER, nbgrader

    roster = tmp_path / "roster.csv"
    roster.write_text("student_id\n2026001\n2026002\n2026003\n", encoding="utf-8")
    course = tmp_path / "course"
    release(course, 1, seed=11, roster=roster, check=False)
    private = course / PRIVATE_FOLDER / "week01"
    with open(private / "students.csv", encoding="utf-8-sig") as fh:
        codes = {row["student_id"]: row["setup_code"] for row in csv.DictReader(fh)}
    key = course_variant(course, "week01").course_key
    assert (course / PRIVATE_FOLDER).stat().st_mode & 0o077 == 0
    # An earlier initlab's layout: the secrets beside the source notebook.  The next command moves them.
    shutil.copy(private / "variant.toml", course / "source" / "week01" / "variant.toml")
    shutil.copy(private / "students.csv", course / "source" / "week01" / "students.csv")
    assert course_variant(course, "week01").course_key == key
    assert not (course / "source" / "week01" / "variant.toml").exists()
    assert not (course / "source" / "week01" / "students.csv").exists()

    source = json.loads((course / "source" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8"))
    for cell in source["cells"]:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "student_id":
            cell["source"] = f'STUDENT_ID = "2026001"\nSETUP_CODE = "{codes["2026001"]}"'
    submitted = course / "submitted" / "2026001" / "week01"
    submitted.mkdir(parents=True)
    (submitted / "weight_init.ipynb").write_text(json.dumps(source, ensure_ascii=False), encoding="utf-8")
    (submitted / "timestamp.txt").write_text("2026-03-10 10:00:00.000000 KST", encoding="utf-8")
    retry_on_kernel_failure(lambda: nbgrader(course, "autograde", "week01", "--force"))
    nbgrader(course, "generate_feedback", "week01", "--force")
    made = [p for folder in ("autograded", "feedback", "source", "release") for p in (course / folder).rglob("*")
            if p.is_file()]
    assert any("feedback" in p.parts and p.suffix == ".html" for p in made)  # nbgrader did make feedback
    others = [code for sid, code in codes.items() if sid != "2026001"]
    for path in made:
        text = path.read_bytes().decode("utf-8", errors="replace")
        assert key not in text and "course_key" not in text, path
        assert not [c for c in others if c in text], path
        assert path.name not in ("variant.toml", "students.csv"), path


def test_the_released_prose_names_the_weeks_stds(tmp_path):
    """The histogram section's bullets describe the week's stds (the lecture's in brackets), and the MNIST
    section runs with the week's λ."""
    for seed in range(40):  # a course whose week 1 does not use the lecture's own 1 and 0.01
        v = Variant.derive(_key_from_seed(seed), 1)
        if (v.std_large, v.std_small) != (1.0, 0.01):
            break
    release(tmp_path / "course", 1, seed=seed, check=False)
    text = (tmp_path / "course" / "release" / "week01" / "weight_init.ipynb").read_text(encoding="utf-8")
    assert f"표준편차 {v.std_large:g} (강의: 1)" in text and f"std {v.std_small:g} (lecture: 0.01)" in text
    assert "lam=LAM" in text
