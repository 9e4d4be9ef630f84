"""Report step of batch grading: grades.csv, per-student results.json and feedback.html, summary.html.

Everything is written by the judge after every child is gone, into a fresh folder that
then replaces the old outputs, and nothing depends on the clock: a re-run of the same
class gives byte-identical files.  No check's source code ever appears in a report.
"""
from __future__ import annotations

import csv
import io
import json
import os
import shutil
import tempfile
from collections import Counter
from html import escape
from pathlib import Path

import numpy as np

from autograder.engine.assignment import Assignment, load as load_assignment
from autograder.helper.text import T, Text, pick
from autograder.helper.wording import DETAIL_LABELS, LABELS, STATUS_LABEL, result_details
from autograder.engine.report import svg
from autograder.engine.report.table import load_notes
from autograder.engine.steps.stage import safe_name
from autograder.engine.submission import CheckInfo, Submission
from autograder.engine.report.cells import SafeWriter
from autograder.engine.report.similarity import FOLDER as SIMILARITY_FOLDER, pair_pages, section_html as similarity_section
from autograder.engine.similarity import Report as SimilarityReport

FIXED_COLUMNS = ["student_id", "name", "score", "max_score", "status", "setup", "late_by", "late_penalty"]
STATUS_TEXT = {
    "graded": T("graded", "채점 완료"),
    "no_code": T("no .py or .ipynb file handed in", "제출한 .py / .ipynb 파일 없음"),
    "too_large": T("file too large to grade", "파일이 너무 커서 채점하지 않음"),
    "binary": T("not a text file", "텍스트 파일이 아님"),
    "empty": T("empty file", "빈 파일"),
    "not_a_notebook": T("not a readable notebook (truncated or not JSON)", "읽을 수 없는 노트북 (잘렸거나 JSON이 아님)"),
    "unreadable": T("file could not be read", "파일을 읽을 수 없음"),
    "grader_error": T("the grader failed on this submission", "채점기가 이 제출물에서 실패함"),
}


def folder_names(subs: list[Submission]) -> list[str]:
    """A distinct, safe folder name per submission (its student id, de-duplicated)."""
    seen: Counter = Counter()
    names = []
    for s in subs:
        base = safe_name(s.student_id)
        seen[base] += 1
        names.append(base if seen[base] == 1 else f"{base}-{seen[base]}")
    return names


# ---- grades.csv ------------------------------------------------------------------------------


def row_status(sub: Submission) -> str:
    """The status column: the pipeline's status, whether the code ran without the jail, and whether
    the set-up the file declares is not the one it was graded with."""
    flags = ((["unconfined"] if sub.extra.get("unconfined") else []) + (["set-up mismatch"] if mismatch(sub) else [])
             + (["id collision"] if identity(sub) else []) + (["late"] if sub.late else []))
    return "; ".join([sub.status, *flags])


def mismatch(sub: Submission) -> Text | None:
    """Why the submission's declared set-up or typed id differs from its grading (steps/bind.py), or None."""
    flag = sub.extra.get("setup")
    return flag if isinstance(flag, Text) else None


def identity(sub: Submission) -> Text | None:
    """Why this row shares its student id with another (batch.keep_apart), or None."""
    flag = sub.extra.get("identity")
    return flag if isinstance(flag, Text) else None


def late_by(seconds: float) -> str:
    """How late, as a person says it: "2 d 3 h", "3 h 20 min", "45 min", "30 s"."""
    seconds = int(round(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min" if minutes else f"{secs} s"


def lateness(sub: Submission) -> Text | None:
    """That the submission was late, by how much, and what the course's late-submission rule took, or None."""
    late = sub.late
    if late is None:
        return None
    when, penalty = late_by(late["seconds"]), late.get("penalty") or 0.0
    if penalty:
        return T(f"submitted {when} after the due date: the course's late-submission rule took {penalty:g} points "
                 f"({sub.score:g} before, {sub.final_score:g} after)",
                 f"마감 {when} 뒤에 제출했습니다: 강의의 지각 제출 규칙으로 {penalty:g}점을 뺐습니다 "
                 f"(원점수 {sub.score:g}, 최종 {sub.final_score:g})")
    return T(f"submitted {when} after the due date (the course's late-submission rule takes no points)",
             f"마감 {when} 뒤에 제출했습니다 (강의의 지각 제출 규칙은 감점하지 않습니다)")


def flags(sub: Submission) -> list[Text]:
    """What a person should look at in this row: a set-up mismatch, an id shared with another row, lateness."""
    return [why for why in (mismatch(sub), identity(sub), lateness(sub)) if why is not None]


def setup_cell(sub: Submission) -> str:
    """The ``setup`` column: "ok", what differs (in English, for the instructor), or "" (not read)."""
    flag = mismatch(sub)
    return flag.en if flag is not None else str(sub.extra.get("setup", ""))


UNCONFINED_TEXT = T("This submission's code ran WITHOUT the jail (--unconfined): it could read and write what the "
                    "grader can.", "이 제출물의 코드는 격리 없이(--unconfined) 실행되었습니다: 채점기가 읽고 쓸 수 있는 "
                    "모든 것에 접근할 수 있었습니다.")


def check_column(check: CheckInfo, lang: str = "en") -> str:
    """A check's column in grades.csv, as a person reads it ("xavier_init: std follows the rule"); the
    stable id (check_init_std[xavier_init]) is each test's "number" in results.json."""
    return f"{check.function}: {pick(check.title, lang)}"


def grades_csv(subs: list[Submission], checks: tuple[CheckInfo, ...], lang: str = "en") -> str:
    """One row per submission, always; UTF-8 with BOM so Korean Excel reads the names."""
    buf = io.StringIO()
    w = SafeWriter(buf, lineterminator="\n")
    w.writerow(FIXED_COLUMNS + [check_column(c, lang) for c in checks])
    for s in subs:
        by_id = {r.check_id: r.score for r in s.results}
        late = s.late or {}
        w.writerow([s.student_id, s.name, f"{s.final_score:g}", f"{s.max_score:g}", row_status(s), setup_cell(s),
                    late_by(late["seconds"]) if late else "", f"{late.get('penalty') or 0.0:g}" if late else ""]
                   + [f"{by_id.get(c.check_id, 0.0):g}" for c in checks])
    return "\ufeff" + buf.getvalue()


# ---- results.json (Gradescope's schema) -------------------------------------------------------


def _result_output(r, lang: str) -> str:
    return "\n".join(text if kind == "message" else f"{pick(DETAIL_LABELS[kind], lang)}: {text}"
                     for kind, text in result_details(r, lambda t: pick(t, lang)))


def results_json(sub: Submission, lang: str) -> str:
    doc = {
        "score": sub.final_score,
        "output": "\n".join([pick(STATUS_TEXT.get(sub.status, T(sub.status, sub.status)), lang)]
                            + ([pick(UNCONFINED_TEXT, lang)] if sub.extra.get("unconfined") else [])
                            + [pick(why, lang) for why in flags(sub)]
                            + ([pick(sub.message, lang)] if sub.message else []) + load_notes(sub, lang)),
        "tests": [
            {"name": f"{r.function}: {pick(r.info.title, lang)}", "number": r.check_id, "score": r.score,
             "max_score": r.points, "status": "passed" if r.passed else "failed",
             "output": _result_output(r, lang), "visibility": "visible"}
            for r in sub.results
        ],
        "extra_data": {"student_id": sub.student_id, "name": sub.name, "status": row_status(sub),
                       "max_score": sub.max_score, "file": sub.extra.get("file", "")},
    }
    return json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n"


# ---- feedback.html ---------------------------------------------------------------------------

_CSS = """
body{font-family:-apple-system,'Segoe UI','Noto Sans KR','Malgun Gothic',sans-serif;margin:2em;max-width:1100px;color:#222}
table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ddd;padding:6px;vertical-align:top;text-align:left}
.passed{color:#1a7f37;font-weight:bold}.failed,.raised,.crashed,.timeout,.grader_error{color:#cf222e;font-weight:bold}
.not_attempted,.missing,.not_graded{color:#9a6700;font-weight:bold}td:first-child{white-space:nowrap}.detail{color:#444;font-size:.92em;margin-top:3px}
.notes{background:#f6f8fa;padding:.6em 1em;border-radius:6px}code{background:#f6f8fa;padding:0 3px}
"""


def feedback_html(sub: Submission, lang: str, title: str = "", assignment: Assignment | None = None) -> str:
    """A self-contained page: score, how the file was read, the lecture's figure, every check."""
    assignment = assignment or load_assignment()
    heading = pick(T("Feedback", "피드백"), lang)
    rows = []
    # A file that could not be graded: why is said once, above, not under each of the 41 checks.
    said_above = bool(sub.results) and all(r.status == "not_graded" for r in sub.results)
    for r in sub.results:
        details = _result_output(r, lang).split("\n") if (not r.passed or r.notes) and not said_above else []
        detail_html = "".join(f"<div class='detail'>{escape(d)}</div>" for d in details if d)
        rows.append(f"<tr><td class='{r.status}'>{escape(pick(STATUS_LABEL[r.status], lang))}</td>"
                    f"<td><code>{escape(r.function)}</code> {escape(pick(r.info.title, lang))}{detail_html}</td>"
                    f"<td>{r.score:g}&nbsp;/&nbsp;{r.points:g}</td></tr>")
    notes = (([pick(UNCONFINED_TEXT, lang)] if sub.extra.get("unconfined") else [])
             + [pick(why, lang) for why in flags(sub)]
             + ([pick(sub.results[0].message, lang)] if said_above and sub.results[0].message else [])
             + load_notes(sub, lang) + ([pick(sub.message, lang)] if sub.message else [])
             + [pick(n, lang) for n in sub.extra.get("notes", [])])
    # Each said once: a codeless hand-in's message is its ingest notes joined, which follow it.
    notes = [n for i, n in enumerate(notes) if not any(n in earlier for earlier in notes[:i])]
    notes_html = ("<div class='notes'>" + "".join(f"<div>{escape(n)}</div>" for n in notes) + "</div>") if notes else ""
    figure = assignment.feedback_figure(sub, lang) if assignment.feedback_figure else ""
    status = pick(STATUS_TEXT.get(sub.status, T(sub.status, sub.status)), lang)
    who = escape(f"{sub.name} ({sub.student_id})" if sub.name else sub.student_id)
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{escape(heading)} — {who}</title>"
            f"<style>{_CSS}</style></head><body><h1>{escape(title or heading)}</h1>"
            f"<p><b>{who}</b> — {' — '.join(escape(x) for x in (sub.extra.get('file', ''), status) if x)}</p>"
            f"<p style='font-size:1.4em'>{escape(pick(LABELS['score'], lang))}: <b>{sub.final_score:g} / {sub.max_score:g}</b></p>"
            f"{notes_html}<h2>{escape(pick(T('Checks', '점검 항목'), lang))}</h2><table>{''.join(rows)}</table>"
            f"{figure}</body></html>\n")


# ---- summary.html ----------------------------------------------------------------------------


def summary_html(subs: list[Submission], checks: tuple[CheckInfo, ...], lang: str, title: str = "",
                 similarity: SimilarityReport | None = None) -> str:
    """What the class got right and wrong: score histogram, pass rate and commonest hint per check."""
    graded = [s for s in subs if s.status == "graded"]
    max_score = sum(c.points for c in checks)
    scores = [s.final_score for s in subs]
    rows = []
    for c in checks:
        results = [r for s in graded for r in s.results if r.check_id == c.check_id]
        passed = sum(r.passed for r in results)
        rate = passed / len(results) if results else 0.0
        hints = Counter(pick(r.hint, lang) for r in results if not r.passed and r.hint is not None)
        top = hints.most_common(1)[0] if hints else None
        bar = f"<div style='background:#1f77b4;height:10px;width:{rate * 160:.0f}px'></div>"
        rows.append((rate, f"<tr><td><code>{escape(c.function)}</code></td><td>{escape(pick(c.title, lang))}</td>"
                           f"<td>{c.points:g}</td><td>{rate:.0%} ({passed}/{len(results)}){bar}</td>"
                           f"<td>{escape(f'{top[1]}× {top[0]}') if top else ''}</td></tr>"))
    rows = [row for _, row in sorted(rows, key=lambda r: r[0])]  # the most failed first (stable: then in order)
    flagged = [(s, why) for s in subs for why in flags(s)]
    flagged_html = ""
    if flagged:
        items = "".join(f"<li><b>{escape(s.student_id)}</b> {escape(s.name)}: {escape(pick(why, lang))}</li>"
                        for s, why in flagged)
        flagged_html = (f"<h2 style='color:#cf222e'>{escape(pick(T('Set-up and ID mismatches', '설정·학번 불일치'), lang))}"
                        f" ({len(flagged)})</h2><ul>{items}</ul>")
    # Submissions a --roster gave no 학번 (batch.apply_roster): kept under their Moodle participant number.
    unmatched = [(s, s.extra["roster_unmatched"]) for s in subs if s.extra.get("roster_unmatched") is not None]
    if unmatched:
        items = "".join(f"<li><b>{escape(s.student_id)}</b> {escape(s.name)}: {escape(pick(why, lang))}</li>"
                        for s, why in unmatched)
        note = T("They keep their Moodle participant number and are not in the --roster LMS export; unmatched.csv "
                 "lists them, and the roster's students with no submission.",
                 "Moodle 참여자 번호로 남아 있으며 --roster LMS 내보내기에 들어가지 않습니다. unmatched.csv에 이 제출물과 "
                 "제출물이 없는 명단의 학생이 있습니다.")
        flagged_html += (f"<h2 style='color:#cf222e'>{escape(pick(T('Not matched to the roster', '명단과 맞지 않은 제출물'), lang))}"
                         f" ({len(unmatched)})</h2><p>{escape(pick(note, lang))}</p><ul>{items}</ul>")
    # Beside the similar pairs: whoever carries someone else's set-up code or 학번 (not lateness).
    borrowed = [(s.student_id, why) for s in subs for why in (mismatch(s), identity(s)) if why is not None]
    statuses = Counter(s.status for s in subs)
    unconfined = sum(bool(s.extra.get("unconfined")) for s in subs)
    warn = T(f"{unconfined} submissions ran WITHOUT the jail (--unconfined).",
             f"제출물 {unconfined}개가 격리 없이(--unconfined) 실행되었습니다.")
    banner = f"<p style='color:#cf222e;font-weight:bold'>{escape(pick(warn, lang))}</p>" if unconfined else ""
    status_rows = "".join(f"<tr><td>{escape(pick(STATUS_TEXT.get(k, T(k, k)), lang))}</td><td>{v}</td></tr>"
                          for k, v in sorted(statuses.items()))
    mean = float(np.mean(scores)) if scores else 0.0
    median = float(np.median(scores)) if scores else 0.0
    L = lambda en, ko: escape(pick(T(en, ko), lang))  # noqa: E731
    return (f"<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>{L('Class summary', '전체 요약')}</title>"
            f"<style>{_CSS}</style></head><body><h1>{escape(title) or L('Class summary', '전체 요약')}</h1>{banner}"
            f"<p>{L('Submissions', '제출물')}: <b>{len(subs)}</b> — {L('mean', '평균')} {mean:.1f}, "
            f"{L('median', '중앙값')} {median:.1f} / {max_score:g}</p>"
            f"<h2>{L('Scores', '점수 분포')}</h2>{svg.score_histogram(scores, max_score)}"
            f"<h2>{L('Status', '상태')}</h2><table>{status_rows}</table>{flagged_html}"
            f"{similarity_section(similarity, borrowed, lang)}"
            f"<h2>{L('Checks: which mistakes the class makes', '항목별 통과율: 학생들이 자주 틀리는 부분')}</h2>"
            f"<table><tr><th>{L('function', '함수')}</th><th>{L('check', '점검 항목')}</th><th>{L('points', '배점')}</th>"
            f"<th>{L('passed', '통과율')}</th><th>{L('most frequent hint', '가장 많이 나온 힌트')}</th></tr>"
            f"{''.join(rows)}</table></body></html>\n")


# ---- writing everything -------------------------------------------------------------------------


# ---- Moodle's assignment grading worksheet ------------------------------------------------------

#: Written when the class came from a Moodle zip and no roster gave the students' ID numbers.
MOODLE_WORKSHEET = "moodle_grading_worksheet.csv"


def by_participant(subs: list[Submission]) -> bool:
    """Are the rows known by Moodle's per-assignment participant numbers only (a Moodle zip, no roster)?"""
    return bool(subs) and all(s.extra.get("moodle_participant") == s.student_id for s in subs)


def moodle_worksheet(subs: list[Submission], lang: str, scale: str = "points", graded_at=None) -> str:
    """Moodle's assignment "offline grading worksheet", keyed by participant number, which is all a
    Moodle zip tells of its students.  The assignment's "Upload grading worksheet" finds its columns by
    their names in the site's language: these are the English ones (Identifier, Grade, Last modified
    (grade), Feedback comments); a Korean site's own worksheet has Korean names, and the Grade column
    can be copied into it.  Any other column is not read.

    Moodle reads "Grade" as out of the assignment's own Maximum grade and ignores "Maximum Grade":
    ``scale`` is ``points`` (the assignment's, e.g. 54) or that
    Maximum grade N (grades become score / max * N, to 2 decimals), and the last column's header says
    which.  The upload applies a row only if its "Last modified (grade)", read by PHP's strtotime, is
    not more than a minute older than the student's current grade: it holds ``graded_at`` (a datetime)
    in Moodle's own format with its UTC offset, else '-' (a re-run stays byte-identical, but Moodle's
    upload reads '-' as time 0 and skips every student who already has a grade).  The
    feedback comment keeps the assignment's points."""
    from autograder.engine.export.lms_csv import maximum_line, moodle_time, on_scale, parse_scale, scale_maximum

    scale = parse_scale(scale)
    modified = moodle_time(graded_at) if graded_at else "-"
    maximum = max((s.max_score for s in subs), default=0.0)
    buf = io.StringIO()
    w = SafeWriter(buf, lineterminator="\n", quoting=csv.QUOTE_ALL)
    w.writerow(["Identifier", "Full name", "Status", "Grade", "Maximum Grade", "Grade can be changed",
                "Last modified (submission)", "Last modified (grade)", "Feedback comments",
                maximum_line("Note", "worksheet", maximum, scale, "grade")])
    for s in subs:
        comment = pick(STATUS_TEXT.get(s.status, T(s.status, s.status)), lang)
        w.writerow([f"Participant {s.student_id}", s.name, "", f"{on_scale(s.final_score, maximum, scale):g}",
                    f"{scale_maximum(maximum, scale):g}", "Yes", "", modified,
                    f"{comment}: {s.final_score:g} / {s.max_score:g}", ""])
    return "\ufeff" + buf.getvalue()


def student_pages(sub: Submission, lang: str, title: str = "", assignment: Assignment | None = None) -> dict[str, str]:
    """A scored submission's own files: results.json (Gradescope's format) and feedback.html.  Never
    raises: if a page cannot be made, a short one says so (the row and every other page stay)."""
    try:
        return {"results.json": results_json(sub, lang), "feedback.html": feedback_html(sub, lang, title, assignment)}
    except Exception as exc:
        why = f"{type(exc).__name__}: {exc}"[:200]
        doc = {"score": sub.score, "output": f"the feedback page could not be made ({why})", "tests": []}
        page = (f"<!DOCTYPE html><html><head><meta charset='utf-8'></head><body><p>{escape(str(sub.student_id))}: "
                f"{sub.score:g} / {sub.max_score:g}</p><p>{escape(doc['output'])}</p></body></html>\n")
        return {"results.json": json.dumps(doc, ensure_ascii=True) + "\n", "feedback.html": page}


def write_reports(out: Path, subs: list[Submission], checks: tuple[CheckInfo, ...], lang: str,
                  title: str = "", pages: dict[int, dict[str, str]] | None = None,
                  assignment: Assignment | None = None, similarity: SimilarityReport | None = None,
                  worksheet_scale: str = "points", graded_at=None) -> dict[str, Path]:
    """Write all reports into a fresh folder, then move them into ``out`` (replacing old outputs).
    ``worksheet_scale`` and ``graded_at`` go to :func:`moodle_worksheet`.

    ``pages`` holds the i-th submission's :func:`student_pages` when they were made already (as its
    checks came back); the others are made here."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".initlab-out-", dir=out))
    try:
        files = {"grades.csv": grades_csv(subs, checks, lang),
                 "summary.html": summary_html(subs, checks, lang, title, similarity), **pair_pages(similarity, lang)}
        if by_participant(subs):
            files[MOODLE_WORKSHEET] = moodle_worksheet(subs, lang, worksheet_scale, graded_at)
        for i, (name, sub) in enumerate(zip(folder_names(subs), subs)):
            for file, text in ((pages or {}).get(i) or student_pages(sub, lang, title, assignment)).items():
                files[f"{name}/{file}"] = text
        for rel, text in files.items():
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            # A text no encoder takes (a lone surrogate) is escaped, never the end of the reports.
            path.write_text(text, encoding="utf-8", errors="backslashreplace")
        # An earlier run's side-by-side pages are not this run's.
        stale = out / SIMILARITY_FOLDER
        if stale.is_dir() and not stale.is_symlink() and not any(r.startswith(SIMILARITY_FOLDER + "/") for r in files):
            shutil.rmtree(stale)
        for rel in sorted({r.split("/")[0] for r in files}):
            final = out / rel
            if final.is_dir() and not final.is_symlink():
                shutil.rmtree(final)
            elif final.exists() or final.is_symlink():
                final.unlink()
            os.replace(tmp / rel, final)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return {"grades": out / "grades.csv", "summary": out / "summary.html"}
