"""nbgrader's autograded/ folder, written by ``initlab grade --course``: so nbgrader's own tools go on.

formgrader counts a submission as autograded when autograded/<student>/<assignment>/ exists and the
gradebook's timestamp is the submitted one (nbgrader_db.write_scores records it), and
``nbgrader generate_feedback`` turns the notebooks there into each student's feedback, with the
grades of the gradebook.  For each graded submission this writes, in place of nbgrader's executed
notebook, the week's source notebook (its locked cells and nbgrader metadata, as nbgrader's
autograde restores them) with:

* each solution cell and the student-id cell holding the student's own cell of that grade id (a
  cell the submission lacks becomes a note, never the source's solution);
* each self-check cell's output saying initlab's verdicts for its function, in the feedback's
  language (nbgrader shows the cell's points from the gradebook beside it);

and copies timestamp.txt and initlab's own feedback page (``initlab_feedback.html``) beside it.
The submitted notebook is read with the load step's in-process bound; a larger one keeps none of
its cells (its verdicts and grades still show).
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

from autograder.engine.steps.load import IN_PROCESS_BYTES
from autograder.engine.submission import Submission
from autograder.helper.text import T, pick
from autograder.helper.wording import STATUS_LABEL, result_details

MISSING = T("(이 칸은 제출물에 없었습니다 / this cell was not in the submission)",
            "(이 칸은 제출물에 없었습니다 / this cell was not in the submission)")
FEEDBACK_PAGE = "initlab_feedback.html"


def _nbgrader(cell: dict) -> dict:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    found = meta.get("nbgrader") if isinstance(meta, dict) else None
    return found if isinstance(found, dict) else {}


def _text(source) -> str:
    return "".join(source) if isinstance(source, list) else str(source or "")


def students_cells(path: str | None) -> dict[str, str]:
    """grade id -> the submitted notebook's cell source, read within the load step's bound ({} if not)."""
    if not path:
        return {}
    try:
        file = Path(path)
        if file.stat().st_size > IN_PROCESS_BYTES[".ipynb"]:
            return {}
        nb = json.loads(file.read_bytes().decode("utf-8-sig"))
        cells = nb.get("cells") if isinstance(nb, dict) else None
        out = {}
        for cell in cells if isinstance(cells, list) else []:
            grade_id = _nbgrader(cell).get("grade_id")
            if isinstance(grade_id, str) and grade_id not in out:
                out[grade_id] = _text(cell.get("source"))
        return out
    except (OSError, ValueError, RecursionError, TypeError, AttributeError):
        return {}


def verdicts(sub: Submission, function: str, lang: str) -> str:
    """initlab's verdicts of ``function`` as a self-check cell's output."""
    lines = []
    for r in sub.results:
        if r.function != function:
            continue
        lines.append(f"[{pick(STATUS_LABEL[r.status], lang)}] {pick(r.info.title, lang)}  {r.score:g}/{r.points:g}")
        lines += [f"    {text}" for _, text in result_details(r, lambda t: pick(t, lang))]
    return "\n".join(lines) + "\n" if lines else ""


def autograded_notebook(source_nb: dict, sub: Submission, lang: str) -> dict:
    """The source notebook with the student's cells and initlab's verdicts (see the module docstring)."""
    mine = students_cells(sub.extra.get("submitted_path"))
    functions = {r.function for r in sub.results}
    nb = json.loads(json.dumps(source_nb))
    for cell in nb.get("cells", []):
        meta = _nbgrader(cell)
        grade_id = meta.get("grade_id", "")
        code = cell.get("cell_type") == "code"
        if meta.get("solution") or grade_id == "student_id":  # a written answer (markdown) too: never the model's
            cell["source"] = mine.get(grade_id, ("# " if code else "") + pick(MISSING, lang))
        if not code:
            continue
        cell["outputs"], cell["execution_count"] = [], None
        if meta.get("solution") or grade_id == "student_id":
            continue
        elif meta.get("grade") and grade_id.startswith("check_") and grade_id[len("check_"):] in functions:
            text = verdicts(sub, grade_id[len("check_"):], lang)
            cell["outputs"] = [{"name": "stdout", "output_type": "stream", "text": text}] if text else []
    return nb


def write_autograded(course: Path, assignment: str, notebook: str, subs: list[Submission], lang: str,
                     pages: Path) -> list[str]:
    """Write autograded/<student>/<assignment>/ for every graded submission of an nbgrader course; returns
    notes for the command's last lines (what could not be written, and why)."""
    course = Path(course)
    source_path = course / "source" / assignment / f"{notebook}.ipynb"
    if not source_path.is_file():
        return [f"no {source_path}: nbgrader's autograded/ was not written (formgrader will not show these "
                "submissions as autograded)"]
    source_nb = json.loads(source_path.read_text(encoding="utf-8"))
    from autograder.engine.report.batch import folder_names
    from autograder.engine.steps.stage import safe_name

    notes = []
    manual = [_nbgrader(c) for c in source_nb.get("cells", []) if _nbgrader(c).get("grade") and _nbgrader(c).get("solution")]
    if manual:
        points = sum(float(m.get("points", 0) or 0) for m in manual)
        notes.append(f"{assignment} has {len(manual)} manually graded answer{'s' if len(manual) != 1 else ''} "
                     f"({points:g} points), graded in formgrader: grades.csv holds the automatic part only; "
                     "nbgrader's gradebook and `initlab export` hold the total (a re-run of initlab grade keeps "
                     "the manual scores)")
    for name, sub in zip(folder_names(subs), subs):
        if sub.extra.get("identity") is not None:  # kept apart as id#2: its row is not in the gradebook either
            continue
        if safe_name(sub.student_id) != sub.student_id or sub.student_id in (".", ".."):
            notes.append(f"{sub.student_id!r}: no autograded/ folder for an id that is no folder name")
            continue
        folder = course / "autograded" / sub.student_id / assignment
        try:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{notebook}.ipynb").write_text(
                json.dumps(autograded_notebook(source_nb, sub, lang), ensure_ascii=False, indent=1), encoding="utf-8")
            submitted = sub.extra.get("submitted_path")
            stamp = Path(submitted).with_name("timestamp.txt") if submitted else None
            if stamp is not None and stamp.is_file():
                shutil.copyfile(stamp, folder / "timestamp.txt")
            page = pages / name / "feedback.html"
            if page.is_file():
                shutil.copyfile(page, folder / FEEDBACK_PAGE)
        except OSError as exc:
            notes.append(f"{sub.student_id}: autograded/ not written ({type(exc).__name__}: {exc})")
    return notes
