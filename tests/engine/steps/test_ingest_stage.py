"""Ingest and stage: every student becomes one row, and nothing hostile gets out of its box."""
from __future__ import annotations

import os
import stat
import zipfile
from pathlib import Path

import pytest

from autograder.engine.steps.ingest import discover, from_folder, safe_parts, zip_entry_name
from autograder.engine.steps.stage import make_staging, safe_name, stage


def make_zip(path, entries: dict[str, bytes], utf8: bool = True, attrs: dict | None = None):
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in entries.items():
            info = zipfile.ZipInfo(name, date_time=(2026, 5, 11, 9, 0, 0))
            if utf8:
                info.flag_bits |= 0x800
            if attrs and name in attrs:
                info.external_attr = attrs[name]
            zf.writestr(info, data)
    return path


def staged(path, tmp_path):
    source = discover(path)
    return source, stage(source, make_staging(str(tmp_path)))


def test_moodle_folders_give_participant_ids_and_korean_names(tmp_path):
    """Are Moodle's '<name>_<id>_assignsubmission_file_' folders read as (participant id, name)?"""
    z = make_zip(tmp_path / "dl.zip", {
        "홍길동_1234567_assignsubmission_file_/weight_init.ipynb": b"{}",
        "홍길동_1234567_assignsubmission_onlinetext_/onlinetext.html": b"<p>hi</p>",
        "Kim Min-jun_7654321_assignsubmission_file_/sub/dir/weight_init.py": b"x = 1\n",
        "Lee_Seo_yeon_1111111_assignsubmission_file_weight_init.py": b"x = 2\n",  # legacy flat file
    })
    source, subs = staged(z, tmp_path)
    by_id = {s.student_id: s for s in subs}
    assert set(by_id) == {"1234567", "7654321", "1111111"}
    assert by_id["1234567"].name == "홍길동" and by_id["1234567"].path.endswith(".ipynb")
    assert by_id["7654321"].name == "Kim Min-jun" and by_id["7654321"].extra["file"] == "sub/dir/weight_init.py"
    assert by_id["1111111"].name == "Lee_Seo_yeon"


def test_zip_names_without_the_utf8_flag_are_decoded_as_cp949():
    """Does a Korean name stored in CP949 (no UTF-8 flag, as Windows zippers do) come back right?"""
    name = "김철수_5555_assignsubmission_file_/weight_init.py"
    info = zipfile.ZipInfo(name.encode("cp949").decode("cp437"))  # how zipfile reads such an entry
    assert zip_entry_name(info) == name


@pytest.mark.parametrize("name", ["../evil.py", "/etc/evil.py", "a/../../evil.py", "C:/evil.py", "..\\evil.py"])
def test_unsafe_zip_paths_are_refused(name):
    """Are absolute and climbing paths refused before anything is extracted?"""
    assert safe_parts(name) is None


def test_zip_slip_entries_never_land_outside_staging(tmp_path):
    """Is an entry named '../../x' left in the zip, and the honest entries still graded?"""
    z = make_zip(tmp_path / "dl.zip", {
        "../../pwned.py": b"boom",
        "s1/weight_init.py": b"x = 1\n",
        "s2/../../../pwned2.py": b"boom",
    })
    source, subs = staged(z, tmp_path)
    assert [s.student_id for s in subs] == ["s1"]
    assert any("unsafe path" in w for w in source.warnings)
    assert not (tmp_path.parent / "pwned.py").exists() and not (tmp_path / "pwned2.py").exists()


def test_symlinks_are_not_followed(tmp_path):
    """Is a link to /etc/passwd (or to another student's folder) ignored, not copied?"""
    root = tmp_path / "class"
    (root / "alice").mkdir(parents=True)
    (root / "alice" / "weight_init.py").write_text("x = 1\n")
    (root / "mallory").mkdir()
    os.symlink("/etc/passwd", root / "mallory" / "weight_init.py")
    os.symlink(root / "alice", root / "mallory" / "copied")
    os.symlink(root / "alice", root / "eve")
    source, subs = staged(root, tmp_path)
    by_id = {s.student_id: s for s in subs}
    assert by_id["mallory"].status == "no_code" and by_id["mallory"].path is None
    assert "eve" not in by_id and any("symbolic link" in w for w in source.warnings)
    assert any("symbolic link" in n.en for n in by_id["mallory"].extra["notes"])


def test_zip_symlink_entries_are_not_extracted(tmp_path):
    """Is a symlink stored in a zip skipped?"""
    z = make_zip(tmp_path / "dl.zip", {"s1/weight_init.py": b"/etc/passwd"},
                 attrs={"s1/weight_init.py": (stat.S_IFLNK | 0o777) << 16})
    source, subs = staged(z, tmp_path)
    assert subs == [] and any("symbolic link" in w for w in source.warnings)


def test_a_zip_bomb_entry_is_cut_at_the_size_limit(tmp_path):
    """Does a file that expands past the limit give 'too_large' without filling the disk?"""
    z = make_zip(tmp_path / "dl.zip", {"s1/weight_init.py": b"#" * (3 << 20)})
    _, subs = staged(z, tmp_path)
    assert subs[0].status == "too_large" and subs[0].path is None


def test_every_student_folder_is_a_row_even_without_code(tmp_path):
    """Does a student with no .py/.ipynb get a row with status no_code?"""
    root = tmp_path / "class"
    for sid, files in {"a": {"weight_init.py": "x=1"}, "b": {"notes.txt": "hi"}, "c": {}}.items():
        (root / sid).mkdir(parents=True)
        for name, text in files.items():
            (root / sid / name).write_text(text)
    _, subs = staged(root, tmp_path)
    assert [(s.student_id, s.status) for s in subs] == [("a", "pending"), ("b", "no_code"), ("c", "no_code")]


def test_the_named_file_wins_and_the_rest_is_noted(tmp_path):
    """With several code files, is weight_init.* graded and are the others named in a note?"""
    root = tmp_path / "class" / "s1"
    (root / ".ipynb_checkpoints").mkdir(parents=True)
    (root / "scratch.py").write_text("x=1")
    (root / "weight_init.py").write_text("x=2")
    (root / ".ipynb_checkpoints" / "weight_init-checkpoint.ipynb").write_text("{}")
    _, subs = staged(tmp_path / "class", tmp_path)
    assert subs[0].extra["file"] == "weight_init.py"
    assert any("scratch.py" in n.en for n in subs[0].extra["notes"])


def test_nbgrader_submitted_layout(tmp_path):
    """Is nbgrader's submitted/<student>/<assignment>/weight_init.ipynb found?"""
    nb = tmp_path / "submitted" / "bitdiddle" / "week01"
    nb.mkdir(parents=True)
    (nb / "weight_init.ipynb").write_text("{}")
    (nb / "timestamp.txt").write_text("2026-05-11 09:00:00")
    _, subs = staged(tmp_path / "submitted", tmp_path)
    assert subs[0].student_id == "bitdiddle" and subs[0].extra["file"] == "week01/weight_init.ipynb"


def test_staging_is_private(tmp_path):
    """Is the staging folder readable by its owner only?"""
    assert stat.S_IMODE(os.stat(make_staging(str(tmp_path))).st_mode) == 0o700


@pytest.mark.parametrize("text,expected", [("2026-00001", "2026-00001"), ("../../etc", "etc"), ("홍 길동", "홍_길동"),
                                           ("", "student"), ("a/b\\c", "a_b_c")])
def test_safe_names(text, expected):
    """Do student ids become safe folder names (no separators, no '..')?"""
    assert safe_name(text) == expected


def test_the_student_helper_handed_back_is_never_graded(tmp_path):
    """A student's folder holds the released helper beside their work: is the work graded, the helper
    neither graded nor listed (even when it is newer and the work has another name)?"""
    root = tmp_path / "class"
    for sid in ("a", "b"):
        (root / sid).mkdir(parents=True)
    (root / "a" / "weight_init.ipynb").write_text("{}")
    (root / "b" / "my_homework.py").write_text("x=1")
    for sid in ("a", "b"):
        helper = root / sid / "initlab_lab.py"
        helper.write_text("x=0")
        os.utime(helper, (2e9, 2e9))
    (root / "c").mkdir()
    (root / "c" / "initlab_lab.py").write_text("x=0")
    _, subs = staged(root, tmp_path)
    by_id = {s.student_id: s for s in subs}
    assert by_id["a"].extra["file"] == "weight_init.ipynb" and by_id["b"].extra["file"] == "my_homework.py"
    assert not any("initlab_lab" in n.en for s in (by_id["a"], by_id["b"]) for n in s.extra.get("notes", []))
    assert by_id["c"].status == "no_code"


def test_a_zip_in_a_students_folder_is_looked_into_under_the_same_caps(tmp_path):
    """A student who hands in their work zipped: is the code file inside found and staged (from a folder
    and from a Moodle zip alike), and are an unsafe entry and a link inside it left out?"""
    def student_zip() -> bytes:
        import io

        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("homework/weight_init.py", "x = 2\n")
            zf.writestr("../escape.py", "x = 3\n")
            link = zipfile.ZipInfo("homework/link.py")
            link.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(link, "/etc/passwd")
        return buf.getvalue()

    folder = tmp_path / "class" / "s1"
    folder.mkdir(parents=True)
    (folder / "hw.zip").write_bytes(student_zip())
    moodle = tmp_path / "moodle.zip"
    make_zip(moodle, {"Kim Minsu_1234567_assignsubmission_file_/hw.zip": student_zip()})
    for root in (tmp_path / "class", moodle):
        staging, subs = staged(root, tmp_path)
        sub = subs[0]
        assert sub.status == "pending" and sub.extra["file"] == "hw.zip/homework/weight_init.py", sub
        assert open(sub.path, encoding="utf-8").read() == "x = 2\n"
        assert not any("escape" in n.en or "link.py" in n.en for n in sub.extra["notes"])


@pytest.mark.parametrize("raw,shown", [("홍길동".encode("cp949"), "홍길동"), (b"\xff\xfe-x", "\\xff\\xfe-x"),
                                       ("김하늘".encode(), "김하늘")])
def test_names_that_are_not_utf8_are_shown_readably_and_still_read(tmp_path, raw, shown):
    """A Korean Windows zip extracted on Linux leaves CP949 bytes in names: is a student folder and a
    file with such a name shown as CP949 (or escaped when it is not that either), and the file still read?"""
    from autograder.engine.steps.ingest import readable_name

    folder = tmp_path / os.fsdecode(raw)
    folder.mkdir()
    (folder / "weight_init.py").write_text("x = 1\n", encoding="utf-8")
    (folder / os.fsdecode(raw + b".py")).write_text("y = 2\n", encoding="utf-8")
    source = from_folder(tmp_path)
    (found,) = source.found
    assert found.student_id == shown == readable_name(os.fsdecode(raw))
    assert any(f"{shown}.py" in note.en and f"{shown}.py" in note.ko for note in found.notes)
    assert all(note.en.encode("utf-8") and note.ko.encode("utf-8") for note in found.notes)  # nothing a UTF-8 report cannot write
    (sub,) = stage(source, make_staging(str(tmp_path)))
    assert Path(sub.path).read_text() == "x = 1\n"


def test_what_a_student_is_told_about_their_files_is_in_korean_too(tmp_path):
    """Is every note and message a student's page shows about how their file was chosen (another file
    graded, files beside it, links skipped, no code, too large) said in Korean as well, with no English
    words left in the Korean?"""
    from autograder.engine.report.batch import student_pages
    from autograder.engine.steps.load import MAX_SOURCE_BYTES
    from autograder.helper.text import pick
    from tests.helper.test_korean import _HANGUL, english_words

    root = tmp_path / "class"
    for sid in ("misnamed", "only-notes", "big"):
        (root / sid).mkdir(parents=True)
    (root / "misnamed" / "hw6.py").write_text("x = 1\n")
    (root / "misnamed" / "old.py").write_text("x = 0\n")
    os.symlink("/etc/passwd", root / "misnamed" / "passwd")
    (root / "only-notes" / "notes.txt").write_text("hi")
    os.symlink("/etc/passwd", root / "only-notes" / "passwd")  # two notes: the message joins them
    (root / "big" / "weight_init.py").write_bytes(b"#" * (MAX_SOURCE_BYTES + 1))
    _, subs = staged(root, tmp_path)
    by_id = {s.student_id: s for s in subs}
    assert [by_id[k].status for k in ("big", "misnamed", "only-notes")] == ["too_large", "pending", "no_code"]
    said = [*by_id["misnamed"].extra["notes"], by_id["only-notes"].message, by_id["big"].message]
    assert len(by_id["misnamed"].extra["notes"]) == 3  # another file graded, one beside it, a link
    for text in said:
        assert _HANGUL.search(text.ko) and english_words(text.ko) == [], text
    shown = by_id["misnamed"].with_(status="no_code", message=by_id["only-notes"].message)
    page = student_pages(shown, "ko")["feedback.html"]
    from html import unescape

    page = unescape(page)
    assert pick(by_id["only-notes"].message, "ko") in page and "no .py or .ipynb file" not in page
    assert all(pick(n, "ko") in page for n in by_id["misnamed"].extra["notes"]) and "also handed in" not in page
    codeless = unescape(student_pages(by_id["only-notes"], "ko")["feedback.html"])
    assert len(by_id["only-notes"].extra["notes"]) == 2 and " — — " not in codeless
    for note in by_id["only-notes"].extra["notes"]:  # in the message, and not once more after it
        assert codeless.count(pick(note, "ko")) == 1, pick(note, "ko")
