"""Similarity across a class: planted copies rank above every independent pair, the page renders, nothing
about a grade changes, and a hostile file costs its own comparison only."""
from __future__ import annotations

import csv
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from autograder.engine import similarity as S
from autograder.engine.steps.load import load_file
from autograder.lectures.weight_init.assignment import ASSIGNMENT
from autograder.lectures.weight_init.instructor.independent import forms, independent_solutions
from autograder.lectures.weight_init.instructor.samples import mutate, reference_source
from tests.engine.planted import DISGUISES, planted_class

TEMPLATE = [Path(ASSIGNMENT.derived["student_py"]).read_text(encoding="utf-8"),
            Path(ASSIGNMENT.helper_file).read_text(encoding="utf-8")]


def write_class(base: Path, files: dict[str, tuple[str, str]]) -> Path:
    for sid, (name, text) in files.items():
        (base / sid).mkdir(parents=True)
        (base / sid / name).write_text(text, encoding="utf-8")
    return base


def documents(folder: Path) -> list[S.Document]:
    """The class as grading reads it: each file through the load step."""
    return [S.Document(d.name, d.name, S.code_text(load_file(str(next(d.iterdir()))).cells))
            for d in sorted(folder.iterdir())]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    """A smaller planted class for the command's end-to-end runs (each grades every file in the jail)."""
    files, pairs = planted_class(8, seed=3)
    return write_class(tmp_path_factory.mktemp("small") / "class", files), pairs, None


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    files, pairs = planted_class(30)
    folder = write_class(tmp_path_factory.mktemp("planted") / "class", files)
    # Every pair with anything shared beyond the baseline is listed: threshold almost 0.
    found = S.compare({"documents": [S.asdict(d) for d in documents(folder)], "template": TEMPLATE,
                       "independent": independent_solutions(), "threshold": 1e-9, "jobs": 1})
    return folder, pairs, found


def test_every_planted_copy_ranks_above_every_independent_pair(planted):
    _, pairs, found = planted
    planted_keys = {frozenset(p) for p in pairs}
    assert len(planted_keys) == len(DISGUISES)
    score = {frozenset((p["a"], p["b"])): max(p["own"]) for p in found["pairs"]}
    copies = {k: score.get(k, 0.0) for k in planted_keys}
    independent = [s for k, s in score.items() if k not in planted_keys]
    assert min(copies.values()) > max(independent, default=0.0), (copies, sorted(independent)[-5:])
    # ... and the default threshold lists the copies and no independent pair.
    assert min(copies.values()) >= S.DEFAULT_THRESHOLD > max(independent, default=0.0)


def test_the_baseline_is_measured_on_independent_correct_solutions_and_said(planted):
    _, _, found = planted
    b = found["baseline"]
    assert b["n"] == 40 and 0.2 < b["mean"] < b["p95"] <= b["max"] <= 1.0, b
    from autograder.engine.report.similarity import explanation

    text = explanation(S.Report((), 0.5, 36, b))
    assert f"{100 * b['mean']:.0f}%" in text.en and f"{100 * b['mean']:.0f}%" in text.ko


@pytest.mark.sandbox
def test_the_independent_solutions_are_correct():
    """Every correct form of every function, each in at least one solution, keeps full marks."""
    from autograder.engine.steps.load import load_python
    from autograder.engine.steps.run_checks import grade_sources

    table = forms()
    sources = {}
    for k in range(max(len(v) for v in table.values())):
        text = reference_source()
        for fn, bodies in table.items():
            text = mutate(fn, bodies[k % len(bodies)], text)
        sources[f"all-forms-{k}.py"] = load_python(text.encode(), "weight_init.py")
    for name, results in grade_sources(sources).items():
        lost = [(r.check_id, r.status, r.measured) for r in results if r.score < r.points]
        assert not lost, (name, lost)


def _grades(out: Path) -> list[list[str]]:
    with open(out / "grades.csv", encoding="utf-8-sig", newline="") as fh:
        return list(csv.reader(fh))


@pytest.mark.sandbox
def test_grade_lists_the_copies_beside_their_page_and_changes_no_grade(small, tmp_path):
    folder, pairs, _ = small
    run = lambda out, *extra: subprocess.run(  # noqa: E731
        [sys.executable, "-m", "autograder.engine.cli", "grade", str(folder), "--out", str(out), "--lang", "en",
         "--show", "0", "--jobs", "2", *extra], capture_output=True, text=True, timeout=600)
    on, off = run(tmp_path / "on"), run(tmp_path / "off", "--similarity", "off")
    assert on.returncode == 0 and off.returncode == 0, (on.stderr[-2000:], off.stderr[-2000:])
    assert f"similar:   {len(pairs)} pairs" in on.stdout and "similar:" not in off.stdout
    assert _grades(tmp_path / "on") == _grades(tmp_path / "off")  # evidence only: not one cell differs
    summary = (tmp_path / "on" / "summary.html").read_text(encoding="utf-8")
    assert "id='similarity'" in summary and "id='similarity'" not in (tmp_path / "off" / "summary.html").read_text()
    for a, b in pairs:
        assert a in summary and b in summary
    pages = sorted((tmp_path / "on" / "_similarity").glob("pair-*.html"))
    assert len(pages) == len(pairs)
    assert all("<mark>" in p.read_text(encoding="utf-8") for p in pages)
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium:  # as a person sees it: the summary with its similarity section, rendered by a real browser
        shot = tmp_path / "summary.png"
        subprocess.run([chromium, "--headless", "--no-sandbox", "--disable-gpu", f"--screenshot={shot}",
                        "--window-size=1200,1600", (tmp_path / "on" / "summary.html").as_uri()],
                       capture_output=True, timeout=120)
        assert shot.is_file() and shot.stat().st_size > 20_000, shot


@pytest.mark.sandbox
def test_compare_with_an_earlier_folder_finds_copies_across_it(small, tmp_path):
    """This year's copies of last year's files are found; last year's files are not compared among themselves."""
    folder, pairs, _ = small
    earlier, now = tmp_path / "2025", tmp_path / "2026"
    originals = {a for a, _ in pairs}
    for d in folder.iterdir():
        shutil.copytree(d, (earlier if d.name in originals or not d.name.startswith("2027") else now) / d.name)
    # Last year holds the originals and the independent students; this year only the copiers.
    done = subprocess.run([sys.executable, "-m", "autograder.engine.cli", "grade", str(now), "--out", str(tmp_path / "out"),
                           "--lang", "en", "--show", "0", "--compare-with", str(earlier)],
                          capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    summary = (tmp_path / "out" / "summary.html").read_text(encoding="utf-8")
    for a, b in pairs:
        assert f"2025/{a}" in summary and b in summary
    assert f"similar:   {len(pairs)} pairs" in done.stdout


def test_a_hostile_file_costs_its_own_comparison_only(monkeypatch):
    honest = [S.Document(f"s{i}", f"s{i}", text) for i, text in enumerate(independent_solutions(4, seed=9))]
    hostile = [
        S.Document("huge", "huge", "x = 1\n" * (S.MAX_CODE_CHARS // 3)),
        S.Document("nested", "nested", "(" * 200_000 + ")" * 200_000),
        S.Document("binary", "binary", bytes(range(256)).decode("latin-1") * 100),
        S.Document("empty", "empty", ""),
    ]
    found = S.compare({"documents": [S.asdict(d) for d in honest + hostile], "template": TEMPLATE,
                       "independent": independent_solutions(6), "threshold": 0.5, "jobs": 1})
    assert any(n.startswith("huge: only its first") for n in found["notes"]), found["notes"]
    assert found["compared"] >= len(honest)

    # A file slower than its limit is cut, noted, and the others are compared.
    monkeypatch.setattr(S, "FILE_SECONDS", 1e-4)
    assert S._fingerprint_one("def f(x):\n    return x\n" * 20_000).startswith("took over")


def test_a_comparison_that_fails_or_stalls_is_a_note_never_an_error(monkeypatch):
    docs = [S.Document("a", "a", "x = 1\n"), S.Document("b", "b", "x = 1\n")]
    monkeypatch.setattr(S, "RUN_SECONDS", 1e-3)
    monkeypatch.setattr(S, "RUN_SECONDS_PER_FILE", 0.0)
    report = S.run(docs, TEMPLATE, independent_solutions(4))
    assert report.pairs == () and "stopped" in report.notes[0]
    monkeypatch.setattr(S, "RUN_SECONDS", 60.0)
    monkeypatch.setattr(S, "MEMORY_MB", 16)  # the process cannot even start Python
    report = S.run(docs, TEMPLATE, independent_solutions(4))
    assert report.pairs == () and "failed" in report.notes[0]


def test_the_threshold_option():
    assert S.parse_threshold("off") is None and S.parse_threshold("40") == 0.4 and S.parse_threshold("75%") == 0.75
    for bad in ("0", "101", "-5"):
        with pytest.raises(ValueError):
            S.parse_threshold(bad)


def test_beside_the_pairs_are_the_rows_with_someone_elses_set_up_or_id_not_the_late_ones():
    from autograder.engine.report.batch import summary_html
    from autograder.engine.submission import Submission
    from autograder.helper.text import T

    borrowed = Submission("2026000001", status="graded",
                          extra={"setup": T("set-up code of 2026000002", "2026000002의 설정 코드")})
    late = Submission("2026000003", status="graded", extra={"late": {"seconds": 3600, "penalty": 0.0}})
    report = S.Report((S.Pair("2026000001", "2026000002", (1.0, 1.0), (0.3, 0.3), (1.0, 1.0), 40, ("<mark>a</mark>", "b")),),
                      0.5, 3, {"n": 40, "mean": 0.5, "p95": 0.7, "max": 0.9}, {"2026000001": "2026000001 김민준"})
    page = summary_html([borrowed, late], (), "en", similarity=report)
    section = page[page.index("id='similarity'"):]
    assert "set-up code of 2026000002" in section and "2026000003" not in section
    assert "2026000001 김민준" in section and "_similarity/pair-001.html" in section
