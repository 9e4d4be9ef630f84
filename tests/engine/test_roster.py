"""`initlab grade --roster`: Moodle's names matched to the roster's 학번 as people write them, and every
submission or student the roster cannot pair up kept, listed in unmatched.csv and said at the end."""
from __future__ import annotations

import csv
import io
import unicodedata
import zipfile

import pytest

from autograder.engine.batch import NO_SUBMISSION, UNMATCHED_FILE, apply_roster, name_key, split_name
from autograder.engine.submission import Submission


def moodle(participant: str, name: str) -> Submission:
    """A submission as a Moodle zip gives it: known by participant number and full name only."""
    return Submission(participant, name=name, extra={"moodle_participant": participant})


def matched(sub_name: str, roster: list[dict]) -> str:
    """The student id a Moodle name gets from ``roster`` (its participant number when none)."""
    subs, _ = apply_roster([moodle("101", sub_name)], roster)
    return subs[0].student_id


# ---- names as people write them ---------------------------------------------------------------


def test_a_space_inside_a_name_does_not_matter():
    assert matched("김 하늘", [{"student_id": "20260001", "name": "김하늘"}]) == "20260001"
    assert matched("김하늘", [{"student_id": "20260001", "name": "김 하늘"}]) == "20260001"
    assert matched("  kim   HANUL ", [{"student_id": "20260001", "name": "Kim Hanul"}]) == "20260001"


@pytest.mark.parametrize("row", [
    {"student_id": "20260002", "name": "김민준"},
    {"student_id": "20260002", "name": "김민준", "first_name": "민준", "last_name": "김"},
    {"student_id": "20260002", "first_name": "민준", "last_name": "김"},
    {"student_id": "20260002", "name": "김민준", "first_name": "Minjun", "last_name": "Kim"},
], ids=["name-only", "name-and-columns", "columns-only", "romanised-columns"])
def test_moodles_first_last_display_matches_a_family_name_first_roster(row):
    """Moodle shows "First Last" (민준 김); the roster writes 김민준: with and without first/last columns."""
    assert matched("민준 김", [row]) == "20260002"
    assert matched("김민준", [row]) == "20260002"


def test_a_romanised_first_last_name_matches_either_way():
    roster = [{"student_id": "20260003", "name": "Minsu Park", "first_name": "Minsu", "last_name": "Park"}]
    assert matched("Park Minsu", roster) == matched("minsu park", roster) == "20260003"


def test_a_name_typed_on_a_mac_nfd_matches_the_nfc_roster():
    nfd = unicodedata.normalize("NFD", "이서연")
    assert nfd != "이서연" and name_key(nfd) == name_key("이서연")
    assert matched(nfd, [{"student_id": "20260004", "name": "이서연"}]) == "20260004"
    assert matched("이서연", [{"student_id": "20260004", "name": nfd}]) == "20260004"
    assert matched(unicodedata.normalize("NFD", "연 남궁"), [{"student_id": "20260005", "name": "남궁연"}]) == "20260005"


@pytest.mark.parametrize("name, split", [
    ("남궁연", ("연", "남궁")), ("선우재덕", ("재덕", "선우")), ("남궁민수", ("민수", "남궁")), ("제갈량", ("량", "제갈")),
    ("황보관", ("관", "황보")), ("김민준", ("민준", "김")), ("김빛나리", ("빛나리", "김")), ("남궁", ("궁", "남")),
    (unicodedata.normalize("NFD", "남궁연"), ("연", "남궁")),
])
def test_two_syllable_family_names_are_known(name, split):
    """(first name, surname): 남궁연 is 남궁 / 연, 선우재덕 선우 / 재덕, while 김민준 stays 김 / 민준."""
    assert split_name(name) == split


def test_a_two_syllable_family_name_matches_in_either_order():
    roster = [{"student_id": "20260006", "name": "선우재덕"}]
    assert matched("재덕 선우", roster) == matched("선우 재덕", roster) == "20260006"
    assert matched("우재덕 선", roster) == "101"  # 선 / 우재덕 is not how 선우재덕 splits


# ---- what the roster cannot pair up -------------------------------------------------------------


def test_two_roster_rows_of_one_name_leave_the_submission_kept_and_listed():
    roster = [{"student_id": "20260011", "name": "김하늘"}, {"student_id": "20260012", "name": "김 하늘"},
              {"student_id": "20260013", "name": "이서연"}]
    subs, unmatched = apply_roster([moodle("101", "김하늘"), moodle("102", "이서연")], roster)
    assert [s.student_id for s in subs] == ["101", "20260013"]  # kept, under its participant number
    assert subs[0].name == "김하늘" and subs[0].extra["roster_unmatched"].en == "matches 2 roster rows: 20260011, 20260012"
    assert [(u.participant, u.name, u.why, u.student_id) for u in unmatched] == [
        ("101", "김하늘", "matches 2 roster rows: 20260011, 20260012", ""),
        ("", "김하늘", NO_SUBMISSION, "20260011"), ("", "김 하늘", NO_SUBMISSION, "20260012")]


def test_a_name_nowhere_in_the_roster_is_kept_and_listed():
    roster = [{"student_id": "20260013", "name": "이서연"}]
    subs, unmatched = apply_roster([moodle("103", "최수아"), moodle("104", "")], roster)
    assert [s.student_id for s in subs] == ["103", "104"]
    assert [(u.participant, u.why) for u in unmatched] == [("103", "no roster row"), ("104", "no roster row"),
                                                           ("", NO_SUBMISSION)]
    assert unmatched[-1].student_id == "20260013"


def test_a_folder_class_matched_by_id_leaves_nothing_unmatched():
    roster = [{"student_id": "2026001", "name": "Park Minsu"}, {"student_id": "2026002", "name": "이서연"}]
    subs, unmatched = apply_roster([Submission("2026001"), Submission("2026002")], roster)
    assert unmatched == [] and [s.name for s in subs] == ["Park Minsu", "이서연"]


def test_the_summary_lists_the_unmatched_submissions_escaped():
    from autograder.engine.report.batch import summary_html
    from autograder.engine.steps.run_checks import list_checks

    roster = [{"student_id": "20260013", "name": "이서연"}]
    subs, _ = apply_roster([moodle("105", "<b>최수아</b>"), moodle("106", "이서연")], roster)
    page = summary_html(subs, list_checks(), "en")
    assert "Not matched to the roster (1)" in page and "unmatched.csv" in page
    assert "&lt;b&gt;최수아&lt;/b&gt;: no roster row" in page and "<b>최수아</b>" not in page
    assert "명단과 맞지 않은 제출물 (1)" in summary_html(subs, list_checks(), "ko")
    assert "Not matched to the roster" not in summary_html(subs[1:], list_checks(), "en")


# ---- the real command ------------------------------------------------------------------------------


def small_moodle_zip(path, sources: dict[str, str]):
    """eclass's "Download all submissions" zip: one <Full Name>_<participant>_assignsubmission_file_/ per student."""
    with zipfile.ZipFile(path, "w") as zf:
        for folder, text in sources.items():
            info = zipfile.ZipInfo(f"{folder}_assignsubmission_file_/weight_init.py", date_time=(2026, 5, 11, 9, 0, 0))
            info.flag_bits |= 0x800  # names are UTF-8, as Moodle writes them
            zf.writestr(info, text)
    return path


def write_roster(path, rows: list[tuple[str, str]]):
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["student_id", "name", "email"])
        for sid, name in rows:
            w.writerow([sid, name, f"{sid}@univ.ac.kr"])
    return path


@pytest.mark.sandbox
@pytest.mark.slow
def test_initlab_grade_keeps_lists_and_ends_by_saying_what_the_roster_did_not_match(tmp_path, capsys):
    from autograder.engine.cli import main
    from tests.conftest import STUB_PY

    stub = STUB_PY.read_text(encoding="utf-8")
    zip_path = small_moodle_zip(tmp_path / "download-all.zip", {
        "민준 김_201": stub,  # Moodle's "First Last"
        "김하늘_202": stub,  # two 김하늘 in the roster
        "최수아_203": stub,  # not in the roster
        f"{unicodedata.normalize('NFD', '이서연')}_204": stub,  # typed on a Mac
    })
    roster = write_roster(tmp_path / "roster.csv", [("20260001", "김민준"), ("20260002", "김하늘"),
                                                    ("20260003", "김하늘"), ("20260004", "이서연"),
                                                    ("20260005", "박지호")])  # 박지호 handed nothing in
    out = tmp_path / "out"
    assert main(["grade", str(zip_path), "--out", str(out), "--roster", str(roster), "--jobs", "1",
                 "--timeout", "3", "--lang", "en"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert lines[-1] == (f"2 submissions not matched to the roster: see {out / UNMATCHED_FILE}; "
                         "they are not in the --roster LMS export")
    assert lines[-2] == f"3 roster students have no submission (listed in {out / UNMATCHED_FILE})"

    grades = {r["student_id"]: r["name"] for r in csv.DictReader(open(out / "grades.csv", encoding="utf-8-sig"))}
    assert grades == {"20260001": "김민준", "202": "김하늘", "203": "최수아", "20260004": "이서연"}
    rows = list(csv.reader(io.StringIO((out / UNMATCHED_FILE).read_text(encoding="utf-8-sig"))))
    assert rows == [["moodle participant", "name as submitted", "why", "roster student_id"],
                    ["202", "김하늘", "matches 2 roster rows: 20260002, 20260003", ""],
                    ["203", "최수아", "no roster row", ""],
                    ["", "김하늘", "no submission", "20260002"], ["", "김하늘", "no submission", "20260003"],
                    ["", "박지호", "no submission", "20260005"]]
    summary = (out / "summary.html").read_text(encoding="utf-8")
    assert "Not matched to the roster (2)" in summary and "<b>203</b> 최수아: no roster row" in summary


# ---- initlab export --roster -----------------------------------------------------------------------


@pytest.mark.nbgrader
@pytest.mark.slow
def test_an_export_whose_roster_leaves_out_a_graded_student_stops_unless_allowed(tmp_path, capsys):
    """A submission `grade --roster` could not match is in the gradebook under its participant number: a
    --roster export would leave its grade out without a word, so it exits 2 naming it; --allow-missing
    writes the others.  A student left out with no grade (no submission) does not stop it."""
    from autograder.engine.cli import main
    from autograder.engine.export.nbgrader_db import ScoreRow, open_gradebook, write_scores
    from autograder.engine.steps.run_checks import list_checks

    checks = list_checks()
    course = tmp_path / "course"
    write_scores(course, "week01", "weight_init", checks, [
        ScoreRow("20260001", "민준", "김", "kim@univ.ac.kr", {c.check_id: c.points for c in checks}),
        ScoreRow("202", "하늘", "김", "", {checks[0].check_id: checks[0].points}),
    ])
    with open_gradebook(course) as gb:
        gb.update_or_create_student("20269999", first_name="지호", last_name="박")  # enrolled, nothing handed in
    roster = write_roster(tmp_path / "roster.csv", [("20260001", "김민준"), ("20260004", "이서연")])
    to = tmp_path / "moodle.csv"
    args = ["export", "--course", str(course), "--assignment", "week01", "--format", "moodle", "--to", str(to),
            "--roster", str(roster)]

    assert main(args) == 2
    err = capsys.readouterr().err
    assert "1 student(s) with a grade in week01 are not on the roster" in err and "never get their grade: 202." in err
    assert "--allow-missing" in err and not to.exists()

    assert main([*args, "--allow-missing"]) == 0
    err = capsys.readouterr().err
    assert "not on the roster: 202, 20269999" in err and "with a grade" not in err
    assert [r[0] for r in csv.reader(io.StringIO(to.read_bytes().decode("utf-8-sig")))] == ["ID number", "20260001"]

    write_roster(roster, [("20260001", "김민준"), ("202", "김하늘")])  # only 20269999 (no grade) left out
    assert main(args) == 0
    assert "not on the roster: 20269999" in capsys.readouterr().err
