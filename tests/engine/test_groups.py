"""`initlab groups`: project groups drawn from the course key, reproducibly, balanced, keeping the TA's
apart and together sets, written as a readable list and as a file Moodle's Upload users takes."""
from __future__ import annotations

import csv
import math
import random
from pathlib import Path

import pytest

from autograder.engine.cli import main
from autograder.engine.groups import GroupsError, draw, group_sizes
from autograder.engine.release import course_key
from tests.engine.export.lms_rules import moodle_user_upload, rows_of, rows_of_text

SURNAMES, GIVEN = "김이박최정강조윤장임한오서신권황", ["민준", "서연", "도윤", "하은", "시우", "지민", "예준", "수아", "지호", "유나"]


def students(n: int) -> list[dict]:
    """A roster of ``n``: 학번, Korean name, and an eclass username that is not the 학번 (upper case, as people type it)."""
    return [{"student_id": f"2026{i:06d}", "name": SURNAMES[i % len(SURNAMES)] + GIVEN[i % len(GIVEN)],
             "username": f"KU{i:04d}"} for i in range(1, n + 1)]


def write_roster(path: Path, rows: list[dict]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    return path


@pytest.fixture
def course(tmp_path) -> Path:
    """A course with a key, as its first release leaves it."""
    course_key(tmp_path / "course", seed=2026)
    return tmp_path / "course"


def groups(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["groups", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def partition(d) -> set[frozenset]:
    return {frozenset(g) for g in d.groups}


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


# ---- reproducible from the course key and the label ---------------------------------------------


def test_the_same_key_label_and_roster_give_the_same_files_in_any_row_order(course, tmp_path, capsys):
    """Are the list and the Moodle file byte-identical when the roster's rows come in another order?"""
    rows = students(30)
    shuffled = rows[:]
    random.Random(5).shuffle(shuffled)
    outs = []
    for name, order in (("a", rows), ("b", shuffled)):
        roster = write_roster(tmp_path / f"{name}.csv", order)
        code, _, err = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "4",
                              "--moodle-course", "DL2026", "--out", str(tmp_path / name))
        assert code == 0, err
        outs.append(files(tmp_path / name))
    assert outs[0] == outs[1] and set(outs[0]) == {"groups.md", "groups.html", "moodle_groups.csv"}


def test_a_new_label_or_another_course_key_draws_anew(course):
    """Does another label, or another course's key, give another grouping (and another fingerprint)?"""
    ids = [s["student_id"] for s in students(40)]
    key = course_key(course, None)
    base = draw(ids, 4, key, "project1")
    assert partition(draw(ids, 4, key, "project1")) == partition(base)
    for other in (draw(ids, 4, key, "project2"), draw(ids, 4, course_key(course.parent / "other", seed=2027),
                                                          "project1")):
        assert partition(other) != partition(base) and other.fingerprint != base.fingerprint


# ---- balanced -----------------------------------------------------------------------------------


def test_groups_are_as_few_as_the_size_allows_and_differ_by_at_most_one():
    """For every class of 1 to 60 and size 1 to 8: ceil(n/size) groups, none above size, sizes within one."""
    for n in range(1, 61):
        ids = [f"s{i:03d}" for i in range(n)]
        for size in range(1, 9):
            d = draw(ids, size, "key", f"draw-{n}-{size}")
            sizes = [len(g) for g in d.groups]
            assert len(sizes) == math.ceil(n / size) and max(sizes) <= size and max(sizes) - min(sizes) <= 1, (n, size)
            assert sorted(i for g in d.groups for i in g) == ids, (n, size)
            assert sizes == group_sizes(n, size)


# ---- apart and together -------------------------------------------------------------------------


def constrained_class(trial: int):
    """A class with apart and together sets some grouping keeps: drawn from a hidden grouping of the
    same sizes (together sets inside a hidden group, apart sets across hidden groups)."""
    rng = random.Random(trial)
    n, size = rng.randint(8, 45), rng.randint(2, 6)
    ids = [f"s{i:03d}" for i in range(n)]
    order = rng.sample(ids, n)
    hidden, at = [], 0
    for k in group_sizes(n, size):
        hidden.append(order[at:at + k])
        at += k
    together = [rng.sample(g, rng.randint(2, len(g))) for g in rng.sample(hidden, len(hidden) // 2) if len(g) > 1]
    apart = [[rng.choice(g) for g in rng.sample(hidden, min(len(hidden), rng.randint(2, 3)))]
             for _ in range(rng.randint(1, n // 3))]
    return ids, size, apart, together


def kept(d, apart, together) -> bool:
    where = {i: n for n, g in enumerate(d.groups) for i in g}
    return all(len({where[i] for i in s}) == 1 for s in together) and \
        all(len({where[i] for i in s}) == len(s) for s in apart)


def test_apart_and_together_sets_hold_in_every_draw():
    """Over 60 classes, each with its own key: every together set in one group, every apart set spread,
    sizes still balanced; and drawing without the sets breaks some of them (so the check can fail)."""
    broken_without = 0
    for trial in range(60):
        ids, size, apart, together = constrained_class(trial)
        d = draw(ids, size, f"course-{trial}", "project1", apart=apart, together=together)
        assert kept(d, apart, together), trial
        assert [len(g) for g in d.groups] == group_sizes(len(ids), size), trial
        broken_without += not kept(draw(ids, size, f"course-{trial}", "project1"), apart, together)
    assert broken_without > 30


def test_together_lines_that_share_a_student_are_one_set():
    ids = [f"s{i}" for i in range(12)]
    for label in ("a", "b", "c", "d"):
        d = draw(ids, 4, "key", label, together=[("s1", "s2"), ("s2", "s3")])
        assert any({"s1", "s2", "s3"} <= set(g) for g in d.groups)


@pytest.mark.parametrize("n, size, apart, together, says", [
    (12, 3, "", "2026000001,2026000002,2026000003,2026000004", "more than --size 3"),
    (9, 4, "", "2026000001 2026000002 2026000003 2026000004", "make groups of at most 3"),
    (12, 4, "2026000001,2026000002", "2026000002,2026000001", "kept apart and together at once"),
    (8, 4, "2026000001,2026000002,2026000003", "", "only 2 groups"),
    (8, 4, "", "2026000001,2026000002,2026000003\n2026000004,2026000005,2026000006\n2026000007,2026000008",
     "keeps every apart and together set"),
    (8, 4, "2026000001, 2026009999", "", "2026009999 not on the roster"),
], ids=["together above size", "together above the balanced size", "apart and together", "apart above groups",
        "sets that cannot be packed", "unknown id"])
def test_constraints_no_draw_can_keep_are_refused(course, tmp_path, capsys, n, size, apart, together, says):
    """Exit 2, one line saying why, and nothing written: never a draw that quietly breaks a set."""
    args = ["--course", str(course), "--roster", str(write_roster(tmp_path / "r.csv", students(n))),
            "--size", str(size), "--out", str(tmp_path / "out")]
    for flag, text in (("--apart", apart), ("--together", together)):
        if text:
            (tmp_path / flag[2:]).write_text(f"# {flag[2:]}\n{text}\n", encoding="utf-8")
            args += [flag, str(tmp_path / flag[2:])]
    code, _, err = groups(capsys, *args)
    assert code == 2 and says in err, err
    assert len(err.strip().splitlines()) == 1 and err.startswith("initlab groups: ")
    assert not (tmp_path / "out").exists()


# ---- the course key: read, never made -----------------------------------------------------------


@pytest.mark.parametrize("made", [True, False], ids=["empty course folder", "no course folder"])
def test_a_course_without_a_key_is_refused_and_gets_none(tmp_path, capsys, made):
    bare = tmp_path / "bare"
    if made:
        bare.mkdir()
    roster = write_roster(tmp_path / "r.csv", students(8))
    code, out, err = groups(capsys, "--course", str(bare), "--roster", str(roster), "--size", "4")
    assert code == 2 and "initlab.toml is missing" in err and "release a week first" in err, err
    assert len(err.strip().splitlines()) == 1 and not out
    assert not (bare / "initlab.toml").exists() and bare.exists() == made


def test_the_key_is_written_nowhere_and_the_list_names_the_draw(course, tmp_path, capsys):
    roster = write_roster(tmp_path / "r.csv", students(13))
    code, out, _ = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "4",
                          "--label", "project2", "--moodle-course", "DL2026")
    assert code == 0
    folder = course / "groups" / "project2"
    d = draw([s["student_id"] for s in students(13)], 4, course_key(course, None), "project2")
    key = course_key(course, None)
    for name, data in files(folder).items():
        text = data.decode("utf-8-sig")
        assert key not in text and key[:16] not in text, name
    assert key not in out
    for name in ("groups.md", "groups.html"):
        text = (folder / name).read_text(encoding="utf-8")
        assert "project2" in text and d.fingerprint in text and "조" in text and "Group" in text, name
    assert d.fingerprint in out
    md = (folder / "groups.md").read_text(encoding="utf-8")
    # one line per group, 4 + 3 + 3 + 3, each student once with their 학번
    lines = [line for line in md.splitlines() if line.startswith("- **project2 ")]
    assert [line.count("(2026") for line in lines] == [4, 3, 3, 3]
    assert all(f"{s['name']} ({s['student_id']})" in md for s in students(13))


def test_names_are_escaped_in_the_lists(course, tmp_path, capsys):
    rows = students(6)
    rows[0]["name"], rows[1]["name"] = "<script>alert(1)</script>", "*별*_표_"
    code, _, err = groups(capsys, "--course", str(course), "--roster", str(write_roster(tmp_path / "r.csv", rows)),
                          "--size", "3", "--out", str(tmp_path / "out"))
    assert code == 0, err
    page, md = ((tmp_path / "out" / n).read_text(encoding="utf-8") for n in ("groups.html", "groups.md"))
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>" not in md and r"\*별\*\_표\_" in md


# ---- the Moodle upload file ---------------------------------------------------------------------


def test_the_moodle_file_passes_moodles_upload_users_rules(course, tmp_path, capsys):
    """username,course1,group1: every student once, by their eclass username (the roster's username
    column, lowercased as Moodle stores it), into the group the readable list names."""
    rows = students(31)
    roster = write_roster(tmp_path / "r.csv", rows)
    code, out, err = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "4",
                            "--moodle-course", "DL2026-01")
    assert code == 0, err
    path = course / "groups" / "project1" / "moodle_groups.csv"
    assert str(path) in out and "Upload users" in out
    raw = path.read_bytes()
    table = rows_of(path)
    assert moodle_user_upload(table, "DL2026-01", usernames={r["username"].lower() for r in rows}, raw=raw) == []
    assert table[0] == ["username", "course1", "group1"]
    assert sorted(r[0] for r in table[1:]) == sorted(r["username"].lower() for r in rows)
    md = (course / "groups" / "project1" / "groups.md").read_text(encoding="utf-8")
    by_user = {r["username"].lower(): r for r in rows}
    for user, _, group in table[1:]:
        line = next(line for line in md.splitlines() if line.startswith(f"- **{group}**"))
        assert by_user[user]["student_id"] in line


def test_without_a_username_column_the_student_id_is_the_username(course, tmp_path, capsys):
    rows = [{k: v for k, v in r.items() if k != "username"} for r in students(9)]
    roster = write_roster(tmp_path / "r.csv", rows)
    code, _, err = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "3",
                          "--moodle-course", "DL2026", "--out", str(tmp_path / "out"))
    assert code == 0, err
    table = rows_of(tmp_path / "out" / "moodle_groups.csv")
    assert sorted(r[0] for r in table[1:]) == [r["student_id"] for r in rows]
    assert moodle_user_upload(table, "DL2026") == []
    code, _, err = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "3",
                          "--moodle-course", "DL2026", "--username-column", "email", "--out", str(tmp_path / "o2"))
    assert code == 2 and "no column 'email'" in err and not (tmp_path / "o2").exists()


def test_without_a_moodle_course_only_the_list_is_written_and_the_command_says_why(course, tmp_path, capsys):
    roster = write_roster(tmp_path / "r.csv", students(10))
    code, out, _ = groups(capsys, "--course", str(course), "--roster", str(roster), "--size", "4",
                          "--out", str(tmp_path / "out"))
    assert code == 0 and set(files(tmp_path / "out")) == {"groups.md", "groups.html"}
    assert "--moodle-course" in out


@pytest.mark.parametrize("username, says", [
    ("=HYPERLINK(\"http://x\")", "=HYPERLINK"),
    ("-2+3", "-2+3"),
    ("김민준", "김민준"),
    ("", "''"),
], ids=["formula", "arithmetic", "not a Moodle username", "empty"])
def test_usernames_moodle_would_not_match_are_refused(course, tmp_path, capsys, username, says):
    """A cell neutralised for spreadsheets (a leading ') would match nobody in Moodle: refused, not altered."""
    rows = students(6)
    rows[2]["username"] = username
    code, _, err = groups(capsys, "--course", str(course), "--roster", str(write_roster(tmp_path / "r.csv", rows)),
                          "--size", "3", "--moodle-course", "DL2026", "--out", str(tmp_path / "out"))
    assert code == 2 and rows[2]["student_id"] in err and says in err, err
    assert not (tmp_path / "out").exists()


def test_two_students_with_one_username_are_refused(course, tmp_path, capsys):
    rows = students(6)
    rows[4]["username"] = rows[1]["username"].lower()
    code, _, err = groups(capsys, "--course", str(course), "--roster", str(write_roster(tmp_path / "r.csv", rows)),
                          "--size", "3", "--moodle-course", "DL2026")
    assert code == 2 and "share 'ku0002'" in err, err


GOOD = "username,course1,group1\r\nku0001,DL2026,project1 1조 / Group 1\r\nku0002,DL2026,project1 2조 / Group 2\r\n"


@pytest.mark.parametrize("edit, says", [
    (lambda t: t.replace("username,", "user,"), "invalidfieldname"),
    (lambda t: t.replace("course1,group1", "group1,group1"), "duplicatefieldname"),
    (lambda t: t.replace(",course1,group1", ",course1,group2"), "group2 without course2"),
    (lambda t: t.replace("ku0001,", "KU0001,"), "invalidusername"),
    (lambda t: t.replace("ku0001,", ","), "empty username"),
    (lambda t: t.replace("project1 2조 / Group 2", "12"), "numeric"),
    (lambda t: t.replace("DL2026,project1 1", "DL2025,project1 1"), "not the course's shortname"),
    (lambda t: t.replace("project1 1조 / Group 1", "x" * 255), "above Moodle's 254"),
    (lambda t: t.replace("project1 1조 / Group 1", "=cmd|' /C calc'!A0"), "starts a formula"),
    (lambda t: t.replace("ku0002,DL2026,", "ku0002,"), "csvweirdcolumns"),
    (lambda t: t.replace(",project1 1조 / Group 1", ","), "empty group1"),
], ids=["unknown column", "repeated column", "group without course", "upper-case username", "empty username",
        "numeric group", "other course", "long group name", "formula", "ragged row", "empty group"])
def test_the_upload_rule_catches_broken_files(edit, says):
    """Does moodle_user_upload find each way an Upload users file goes wrong (so its [] above means something)?"""
    assert moodle_user_upload(rows_of_text(GOOD), "DL2026", raw=GOOD.encode("utf-8")) == []
    broken = edit(GOOD)
    problems = moodle_user_upload(rows_of_text(broken), "DL2026", raw=broken.encode("utf-8"))
    assert any(says in p for p in problems), problems


def test_the_upload_rule_catches_a_file_that_is_not_utf8():
    problems = moodle_user_upload(rows_of_text(GOOD), "DL2026", raw=GOOD.encode("cp949"))
    assert any("not UTF-8" in p for p in problems), problems
    assert any("no user of the site" in p for p in moodle_user_upload(rows_of_text(GOOD), "DL2026", {"ku0001"}))


def test_the_draw_refuses_sets_with_students_it_does_not_have():
    with pytest.raises(GroupsError, match="not on the roster"):
        draw(["a", "b", "c"], 2, "key", "x", apart=[("a", "z")])
