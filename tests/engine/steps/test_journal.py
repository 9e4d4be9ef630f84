"""The journal (autograder/engine/steps/journal.py): a killed batch keeps what it graded, a re-run resumes."""
from __future__ import annotations

import shutil

import pytest

from autograder.engine.batch import grade_class
from autograder.engine.pipeline import GradeConfig
from autograder.engine.sandbox.limits import Limits
from autograder.engine.steps.journal import JOURNAL, replay
from tests.conftest import REFERENCE_PY, STUB_PY

pytestmark = pytest.mark.sandbox


def make_class(root, n: int = 4):
    for i in range(n):
        folder = root / f"2026{i:06d}"
        folder.mkdir(parents=True)
        shutil.copy(REFERENCE_PY if i % 2 == 0 else STUB_PY, folder / "weight_init.py")
    return root


def test_a_killed_batch_resumes_from_its_journal(tmp_path):
    """With half the journal (and a torn last line, as a kill leaves it), does a re-run grade only the
    rest and write the same grades as an uninterrupted run?"""
    subs = make_class(tmp_path / "class")
    cfg = GradeConfig(limits=Limits(call_timeout_s=5))
    first = grade_class(subs, tmp_path / "out", cfg, jobs=2, show_progress=False)
    journal = tmp_path / "out" / JOURNAL
    lines = journal.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(lines) == 4 and len(replay(journal)) == 4
    grades = (tmp_path / "out" / "grades.csv").read_bytes()

    journal.write_text("".join(lines[:2]) + lines[2][: len(lines[2]) // 2], encoding="utf-8")
    (tmp_path / "out" / "grades.csv").unlink()
    again = grade_class(subs, tmp_path / "out", cfg, jobs=2, show_progress=False)
    assert any("2 submissions were already graded" in w for w in again.warnings)
    assert (tmp_path / "out" / "grades.csv").read_bytes() == grades
    assert [s.score for s in again.submissions] == [s.score for s in first.submissions]


def test_a_changed_file_is_graded_again(tmp_path):
    """Is a journal line reused only for the same bytes of code?"""
    subs = make_class(tmp_path / "class", n=2)
    cfg = GradeConfig(limits=Limits(call_timeout_s=5))
    grade_class(subs, tmp_path / "out", cfg, jobs=1, show_progress=False)
    shutil.copy(REFERENCE_PY, subs / "2026000001" / "weight_init.py")  # the stub became a solution
    again = grade_class(subs, tmp_path / "out", cfg, jobs=1, show_progress=False)
    assert any("1 submission was already graded" in w for w in again.warnings)
    assert again.submissions[1].score == again.submissions[0].score > 0


def test_a_journal_line_keeps_bilingual_expected_and_measured_and_reads_old_plain_ones(tmp_path):
    """expected/measured are written as {"en", "ko"} and read back as Texts; a line written before they were
    bilingual (plain strings) is still read, as those strings."""
    import json

    from autograder.engine.steps.journal import record
    from autograder.engine.submission import CheckInfo, CheckResult, Submission
    from autograder.helper.text import T

    info = CheckInfo("check_x", "sigmoid", 1.0, T("t", "제목"))
    new = CheckResult(info, 0.0, "failed", expected=T("mean 0", "평균 0"), measured="0.5", hint=T("h", "힌트"))
    journal = tmp_path / JOURNAL
    record(journal, "new", Submission("s", results=(new,)))
    old = json.loads(journal.read_text(encoding="utf-8"))
    assert old["results"][0]["expected"] == {"en": "mean 0", "ko": "평균 0"} and old["results"][0]["measured"] == "0.5"
    old["key"] = "old"
    old["results"][0].update(expected="mean 0 / 평균 0", measured="0.5")
    with journal.open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(old, ensure_ascii=False) + "\n")
    done = replay(journal)
    assert done["new"][0][0].expected == T("mean 0", "평균 0") and done["new"][0][0].measured == "0.5"
    assert done["old"][0][0].expected == "mean 0 / 평균 0"
