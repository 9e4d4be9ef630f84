"""``initlab grade``: a whole class, safely and in parallel.

ingest -> stage -> load (all sources into memory) -> run checks (N judge processes, each
with its own zygote and sandboxed children) -> score -> report (and nbgrader's gradebook).

Every student found becomes exactly one row.  A judge process that dies costs nothing but
time: its chunk is graded again here, and anything still failing is recorded as a grader
error rather than dropped.
"""
from __future__ import annotations

import io
import json
import multiprocessing
import os
import shutil
import threading
import unicodedata
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, replace
from typing import Callable
from pathlib import Path

from autograder.helper.text import T
from autograder.engine.assignment import load as load_assignment
from autograder.engine.pipeline import GradeConfig, load_step, run_checks_step, score_step
from autograder.engine.similarity import Options as SimilarityOptions, Report as SimilarityReport, find_similar
from autograder.engine.progress import ProgressBar
from autograder.engine.sandbox.limits import sandbox_uid_for
from autograder.engine.sandbox.reaper import end_survivors, run_tag
from autograder.engine.steps.bind import Declaration, bind_step
from autograder.engine.steps.ingest import discover
from autograder.engine.steps.journal import JOURNAL, record, resume, submission_key
from autograder.engine.steps.run_checks import list_checks
from autograder.engine.steps.stage import make_staging, stage
from autograder.engine.submission import Submission


class GradeInputError(Exception):
    """What was given to grade is not a class of submissions (the message is one line for the user)."""


def find_submissions(submissions: str | Path, stem: str | None = None):
    """The students at ``submissions``, or :class:`GradeInputError` saying in one line what is wrong."""
    import zipfile

    path = Path(submissions)
    if not path.exists():
        raise GradeInputError(f"{path}: no such file or folder")
    if path.is_file() and not zipfile.is_zipfile(path):
        raise GradeInputError(f"{path} is not a zip file; give a Moodle 'Download all submissions' zip "
                              "or a folder with one subfolder per student")
    try:
        source = discover(path, stem or load_assignment().stem)
    except (OSError, zipfile.BadZipFile, EOFError, ValueError) as exc:
        raise GradeInputError(f"{path} could not be read: {exc}") from None
    if not source.found:
        raise GradeInputError(f"{path} holds no submissions (expected one folder per student, "
                              "or a Moodle 'Download all submissions' zip)")
    return source


@dataclass(frozen=True)
class BatchResult:
    submissions: list[Submission]
    out: Path
    warnings: tuple[str, ...] = ()
    unmatched: tuple["Unmatched", ...] = ()
    """With a roster: the submissions it gave no 학번, then its students with no submission (unmatched.csv)."""
    similarity: SimilarityReport | None = None


# ---- the judge worker processes --------------------------------------------------------------

_WORKER: dict = {}


#: Address space a judge process may use: replies are capped (protocol.REPLY_MAX_BYTES), and this is
#: the backstop if anything still grows without bound.  A judge that hits it dies; its chunk is
#: graded again in the main process (Judges.grade), so no row is lost.
JUDGE_MEMORY_MB = 8192


def _limit_own_memory(megabytes: int) -> None:
    try:
        import resource

        soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        want = megabytes * 1024 * 1024
        if hard == resource.RLIM_INFINITY or want < hard:
            resource.setrlimit(resource.RLIMIT_AS, (want, hard))
    except (ImportError, ValueError, OSError):  # not on this platform
        pass


def _init_worker(indices, cfg: GradeConfig, journal: Path | None = None) -> None:
    from autograder.engine.sandbox.launchers import default_launcher
    from autograder.engine.startup import reuse_freed_memory

    index = indices.get()
    _limit_own_memory(JUDGE_MEMORY_MB)
    reuse_freed_memory()  # each reply's arrays (20 MB a submission) are read into reused memory
    limits = cfg.limits
    if limits.unconfined and limits.sandbox_uid is None:  # the jail has a user namespace of its own
        limits = replace(limits, sandbox_uid=sandbox_uid_for(index))
    launcher = default_launcher(limits, index=index, helper=str(cfg.assignment.helper_file))
    launcher.start()  # the jail boots in processes of its own...
    _class_key(cfg)  # ...while this judge computes what the checks compare with
    _WORKER.update(cfg=replace(cfg, limits=limits), launcher=launcher, journal=journal)
    # Run when the worker exits (multiprocessing skips atexit): the zygote and everything it started
    # are gone before the pool reports the worker done.
    from multiprocessing.util import Finalize

    Finalize(None, launcher.close, exitpriority=10)


def _started() -> int:
    return os.getpid()


def _journal_writer(journal: Path | None, cfg: GradeConfig):
    if journal is None:
        return None
    return lambda sub: record(journal, submission_key(sub, cfg), sub)


def _grade_chunk(chunk: list[tuple[int, Submission]]) -> list[tuple[int, Submission]]:
    subs = run_checks_step([s for _, s in chunk], _WORKER["cfg"], _WORKER["launcher"],
                           on_done=_journal_writer(_WORKER["journal"], _WORKER["cfg"]))
    return [(i, s) for (i, _), s in zip(chunk, subs)]


def _context():
    # fork is fast and safe here (no threads yet); elsewhere start clean interpreters.
    if hasattr(os, "fork") and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _class_key(cfg: GradeConfig) -> None:
    """Compute, once per judge, what every submission of a class-wide week is compared with (the
    lecture's prepare_class: its answer key, shared expected values), cached for the judge's life; a
    per-student week's differ by student and are computed as they come."""
    if cfg.variant.per_student or cfg.self_check or cfg.own_variant or cfg.assignment.prepare_class is None:
        return
    cfg.assignment.prepare_class(cfg.variant)


class Judges:
    """The judge processes of a class, each with its own jail.

    They start before the submissions are read: while this process stages, loads and binds the
    class, each jail boots and each judge computes the class's answer key.  Every judge is
    forked at once, before this process starts any thread of its own.
    """

    def __init__(self, cfg: GradeConfig, jobs: int, journal: Path | None = None):
        self.cfg, self.jobs, self.journal = cfg, jobs, journal
        ctx = _context()
        indices = ctx.Queue()
        for k in range(jobs):
            indices.put(k)
        self.pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker,
                                        initargs=(indices, cfg, journal))
        # The pool forks its workers at the first task (spawned ones, one per task): start them now.
        for _ in range(jobs):
            self.pool.submit(_started)

    def __enter__(self) -> "Judges":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        self.pool.shutdown(wait=True, cancel_futures=True)

    def grade(self, subs: list[Submission], progress: Callable[[int, int], None] | None = None,
              graded: Callable[[int, Submission], None] | None = None) -> list[Submission]:
        """Run the checks of every loadable submission; order is kept.

        ``graded(i, sub)`` is called here as each submission's checks come back (the per-student
        pages are made then, not after the last one).  A judge process that dies costs nothing but
        time: its chunk is graded again here.
        """
        todo = [(i, s) for i, s in enumerate(subs)
                if s.status == "pending" and s.source is not None and not s.extra.get("resumed")]
        done: dict[int, Submission] = {}
        finished = len(subs) - len(todo)  # nothing to run for files that could not be loaded

        def advance(n: int) -> None:
            nonlocal finished
            finished += n
            if progress:
                progress(finished, len(subs))

        def back(i: int, sub: Submission) -> None:
            done[i] = sub
            if graded:
                graded(i, sub)

        advance(0)
        if not todo:
            return subs
        # Chunks of at most 32 (each starts a run of the checks), eight per judge at least: a submission
        # that hangs holds up the rest of its chunk, so smaller chunks spread the slow ones over the judges.
        size = max(1, min(32, -(-len(todo) // (self.jobs * 8))))
        chunks = [todo[k:k + size] for k in range(0, len(todo), size)]
        failed: list[list[tuple[int, Submission]]] = []
        try:
            futures = {self.pool.submit(_grade_chunk, chunk): chunk for chunk in chunks}
        except Exception:  # the pool broke before grading began (a judge died starting)
            futures, failed = {}, chunks
        for fut in as_completed(futures):
            try:
                results = fut.result()
            except Exception:  # a judge process died or the pool broke: grade that chunk here
                failed.append(futures[fut])
                continue
            for i, s in results:
                back(i, s)
            advance(len(results))
        for chunk in failed:
            for i, s in chunk:
                back(i, _grade_here(s, self.cfg, self.journal))
                advance(1)
        return [done.get(i, s) for i, s in enumerate(subs)]


def _grade_here(sub: Submission, cfg: GradeConfig, journal: Path | None = None) -> Submission:
    try:
        return run_checks_step([sub], cfg, on_done=_journal_writer(journal, cfg))[0]
    except Exception as exc:  # never lose the row
        return sub.with_(status="grader_error", message=f"{type(exc).__name__}: {exc}"[:300])


# ---- the whole job ---------------------------------------------------------------------------


#: Written into --out when a roster is given: what the roster and the submissions could not pair up.
UNMATCHED_FILE = "unmatched.csv"
#: Why a roster student is in unmatched.csv (not an error: they handed nothing in, or their name matched no one).
NO_SUBMISSION = "no submission"


@dataclass(frozen=True)
class Unmatched:
    """A row of unmatched.csv: a submission the roster gave no 학번 (it keeps its Moodle participant number,
    so a --roster LMS export leaves it out), or a roster student no submission was matched to."""

    participant: str
    """The submission's Moodle participant number (its folder for a folder class); "" for a roster student."""
    name: str
    """The name as submitted (a roster student's: the roster's)."""
    why: str
    """"no roster row", "matches N roster rows: id, id", or "no submission" (:data:`NO_SUBMISSION`)."""
    student_id: str = ""
    """A roster student's id ("no submission" rows)."""


def name_key(name: str) -> str:
    """A name as the roster matching compares it: Unicode NFC (a name typed on a Mac is NFD), case-folded,
    without any whitespace ("김 하늘" and "김하늘" are one name)."""
    folded = unicodedata.normalize("NFC", unicodedata.normalize("NFC", name or "").casefold())
    return "".join(folded.split())


def roster_keys(row: dict) -> set[str]:
    """The names (as :func:`name_key` gives them) a roster row answers to: its full name, family + given
    and given + family (Moodle's "First Last" display: 민준 김 for 김민준).  The family and given names
    are the row's first_name / last_name columns when it has them, and :func:`split_name` of its full
    name as well (a roster whose name columns are romanised still matches a Hangul display)."""
    name = row.get("name") or ""
    pairs = []
    if row.get("first_name") or row.get("last_name"):
        pairs.append((row.get("first_name") or "", row.get("last_name") or ""))
    if name:
        pairs.append(split_name(unicodedata.normalize("NFC", name)))
    keys = {name_key(name)} | {name_key(last + first) for first, last in pairs} | {name_key(first + last)
                                                                                   for first, last in pairs}
    keys.discard("")
    return keys


def apply_roster(subs: list[Submission], roster: list[dict]) -> tuple[list[Submission], list[Unmatched]]:
    """Give submissions their 학번 from the roster: by id, else by a name that matches exactly one roster row.

    A Moodle zip knows students by participant id and full name only; per-student variants and
    the LMS's "ID number" column need the student id the roster has.  Names are compared as
    :func:`name_key` gives them, against each row's :func:`roster_keys`.  A submission whose name
    matches no row, or several (two students of one name), is never dropped nor guessed: it keeps its
    participant id and is marked (``extra["roster_unmatched"]``, shown in summary.html).  Returns the
    submissions, and the :class:`Unmatched` rows: those submissions, then the roster's students that
    no submission was matched to (why :data:`NO_SUBMISSION`).
    """
    by_id = {r["student_id"]: r for r in roster}
    by_key: dict[str, list[dict]] = {}
    for r in roster:
        for key in roster_keys(r):
            by_key.setdefault(key, []).append(r)
    out: list[Submission] = []
    unmatched: list[Unmatched] = []
    for s in subs:
        if s.student_id in by_id:
            out.append(_named(s, by_id[s.student_id]))
            continue
        matches = by_key.get(name_key(s.name), []) if name_key(s.name) else []
        if len(matches) == 1:
            out.append(_named(s.with_(student_id=matches[0]["student_id"], extra=dict(s.extra, submitted_as=s.student_id)),
                              matches[0]))
            continue
        ids = ", ".join(r["student_id"] for r in matches)
        why = (T(f"matches {len(matches)} roster rows: {ids}", f"명단의 {len(matches)}명과 이름이 같음: {ids}") if matches
               else T("no roster row", "명단에 없음"))
        out.append(s.with_(extra=dict(s.extra, roster_unmatched=why)))
        unmatched.append(Unmatched(str(s.extra.get("moodle_participant") or s.student_id), s.name, why.en))
    graded = {s.student_id for s in out}
    for r in roster:
        if r["student_id"] not in graded:
            name = r.get("name") or " ".join(p for p in (r.get("first_name"), r.get("last_name")) if p)
            unmatched.append(Unmatched("", name, NO_SUBMISSION, r["student_id"]))
    return out, unmatched


def unmatched_csv(rows: list[Unmatched] | tuple[Unmatched, ...]) -> str:
    """unmatched.csv: one row per :class:`Unmatched`; UTF-8 with BOM so Korean Excel reads the names."""
    from autograder.engine.report.cells import SafeWriter

    buf = io.StringIO()
    w = SafeWriter(buf, lineterminator="\n")
    w.writerow(["moodle participant", "name as submitted", "why", "roster student_id"])
    for u in rows:
        w.writerow([u.participant, u.name, u.why, u.student_id])
    return "\ufeff" + buf.getvalue()


def keep_apart(subs: list[Submission]) -> tuple[list[Submission], list[str]]:
    """Submissions that map to one student id are all kept, never merged: the second is ``id#2``, the
    third ``id#3``, ...; each is flagged (its row's status, the summary) and none of them is written to
    the gradebook or an LMS file until a person says who is who.  Returns the rows and one line per id."""
    rows: dict[str, list[int]] = {}
    for i, s in enumerate(subs):
        rows.setdefault(s.student_id, []).append(i)
    out, lines = list(subs), []
    for sid, where in rows.items():
        if len(where) < 2:
            continue
        who = ", ".join(_origin(subs[i]) for i in where)
        why = T(f"{len(where)} submissions map to student {sid} ({who}): all are kept and graded, and none is "
                "written to the gradebook or an LMS file until you decide who is who",
                f"제출물 {len(where)}개가 학번 {sid}에 해당합니다 ({who}): 모두 남겨 채점했고, 누가 누구인지 정할 "
                "때까지 성적부와 LMS 파일에는 넣지 않았습니다")
        for k, i in enumerate(where):
            s = subs[i]
            out[i] = s.with_(student_id=sid if k == 0 else f"{sid}#{k + 1}",
                             extra=dict(s.extra, identity=why, graded_as=sid))
        lines.append(why.en)
    return out, lines


def _origin(sub: Submission) -> str:
    """Where a submission came from, for a person to tell two apart: its name and Moodle number or folder."""
    where = sub.extra.get("submitted_as") or sub.extra.get("moodle_participant") or ""
    return " ".join(p for p in (sub.name, f"#{where}" if where else "") if p) or sub.student_id


def id_collision(sub: Submission) -> bool:
    """Is this row one of several that map to one student id (see :func:`keep_apart`)?"""
    return sub.extra.get("identity") is not None


def _named(sub: Submission, row: dict) -> Submission:
    """The submission with the roster's name for it (and its first/last name, when the roster splits it)."""
    first, last = row.get("first_name", ""), row.get("last_name", "")
    name = row.get("name") or " ".join(p for p in (first, last) if p) or sub.name
    return sub.with_(name=name, extra=dict(sub.extra, roster_name=(first, last) if first or last else None))


def gradebook_name(sub: Submission) -> tuple[str, str]:
    """(first name, surname) for nbgrader's gradebook: as the roster splits it, else from the full name."""
    given = sub.extra.get("roster_name")
    return tuple(given) if given else split_name(sub.name)


def grade_class(submissions: str | Path, out: str | Path, cfg: GradeConfig | None = None, jobs: int | None = None,
                course: str | Path | None = None, assignment: str | None = None, show_progress: bool = True,
                title: str = "", roster: list[dict] | None = None, force: bool = False,
                writer=None, similarity: SimilarityOptions | None = None) -> BatchResult:
    """Grade every submission under ``submissions`` (folder or zip) and write the reports to ``out``.

    ``out`` may hold an earlier run of the same grading (its rows are reused); another run there (another
    class, week or set-up) is refused unless ``force`` replaces it.  With ``course``, the scores go into
    its nbgrader gradebook too, through ``writer`` (a gradebook_writer.ScoresWriter the caller started
    for that course and assignment; one is started here otherwise).  With ``similarity``, summary.html
    gets the class's similar pairs (engine/similarity.py): evidence, never a change of score.
    """
    from autograder.engine.report.batch import student_pages, write_reports

    cfg = cfg or GradeConfig()

    jobs = max(1, jobs or os.cpu_count() or 1)
    source = find_submissions(submissions, cfg.assignment.stem)
    claim_out(Path(out), run_identity(submissions, cfg, assignment), force)
    if not cfg.limits.unconfined:
        run_tag()  # before the judges fork: they tag their jails with it, and end_survivors finds them
    out = Path(out)
    journal = out / JOURNAL
    scored: dict[int, Submission] = {}
    pages: dict[int, dict[str, str]] = {}

    def graded(i: int, sub: Submission) -> None:  # scored, and its pages made, while the judges grade the others
        scored[i] = score_step(sub, cfg)
        pages[i] = student_pages(scored[i], cfg.lang, title, cfg.assignment)

    if course is None:
        writer = None
    elif writer is None:  # forked before the judges: nbgrader is imported beside them
        from autograder.engine.export.gradebook_writer import ScoresWriter

        writer = ScoresWriter(Path(course), assignment or "week01", cfg.assignment.stem)
    try:
        with Judges(cfg, min(jobs, len(source.found)), journal) as judges:
            subs, roster_warnings, unmatched = _read_class(source, cfg, roster)
            subs, reused = resume(subs, cfg, journal)
            subs = judges.grade(subs, ProgressBar("grading") if show_progress else None, graded)
        notes: list[str] = []
        if reused:
            notes.append(f"{reused} submission{'s were' if reused != 1 else ' was'} already graded in {out} "
                         "(an earlier run); their rows were reused")
        if not cfg.limits.unconfined and end_survivors():
            notes.append("processes of submissions were still running after grading; they were killed")
        checks = list_checks(cfg.assignment)
        subs = [scored[i] if i in scored else score_step(s, cfg) for i, s in enumerate(subs)]
        failure = None
        if writer is not None:
            from autograder.engine.export.nbgrader_db import ScoreRow

            try:
                lateness = writer.write(list(checks), [
                    ScoreRow(student_id=s.student_id, first_name=gradebook_name(s)[0], last_name=gradebook_name(s)[1],
                             scores={r.check_id: r.score for r in s.results}, timestamp=s.extra.get("submitted_at"))
                    for s in subs if not id_collision(s)])
            except Exception as exc:  # the reports are written all the same (grades.csv has every score)
                failure, lateness = exc, {}
            subs, late_notes = apply_lateness(subs, lateness, pages)
            notes += late_notes
        found = find_similar(subs, cfg.assignment, similarity, jobs) if similarity is not None else None
        write_reports(out, subs, checks, cfg.lang, title, pages, cfg.assignment, similarity=found,
                      worksheet_scale=cfg.worksheet_scale, graded_at=cfg.graded_at)
        if roster:  # what the roster could not pair up, by name: never dropped, listed for a person
            (out / UNMATCHED_FILE).write_text(unmatched_csv(unmatched), encoding="utf-8", errors="backslashreplace")
        else:  # an earlier run's list is not this one's
            (out / UNMATCHED_FILE).unlink(missing_ok=True)
        if failure is not None:
            raise failure
        if course is not None:
            from autograder.engine.export.autograded import write_autograded

            notes += write_autograded(Path(course), assignment or "week01", cfg.assignment.stem,
                                      [s for s in subs if s.status == "graded"], cfg.lang, out)
    finally:
        if writer is not None:
            writer.close()
    return BatchResult(subs, out, source.warnings + tuple(roster_warnings) + tuple(notes), tuple(unmatched), found)


def apply_lateness(subs: list[Submission], lateness: dict, pages: dict) -> tuple[list[Submission], list[str]]:
    """Each submission with its lateness as the gradebook recorded it (nbgrader_db.Lateness: how late, the
    penalty of the course's late-submission plugin); a late one's pages are made again to say so."""
    out, notes = [], []
    late = 0
    for i, sub in enumerate(subs):
        found = lateness.get(sub.student_id)
        if found is not None and found.problem:
            notes.append(f"{sub.student_id}: {found.problem}; graded as on time, as nbgrader would")
        if found is None or found.seconds <= 0:
            out.append(sub)
            continue
        late += 1
        out.append(sub.with_(extra=dict(sub.extra, late={"seconds": found.seconds, "penalty": found.penalty})))
        pages.pop(i, None)
    if late:
        notes.append(f"{late} submission{'s were' if late != 1 else ' was'} late (see the late columns of "
                     "grades.csv; penalties as the course's nbgrader late-submission plugin gives them)")
    return out, notes


def _read_class(source, cfg: GradeConfig, roster: list[dict] | None
                ) -> tuple[list[Submission], list[str], list[Unmatched]]:
    """stage -> (roster) -> load -> bind: every source in memory, bound to its set-up.  Returns the
    submissions, warnings, and what the roster could not pair up (:func:`apply_roster`)."""
    staging = make_staging()
    warnings: list[str] = []
    unmatched: list[Unmatched] = []
    try:
        subs = stage(source, staging)
        if roster:
            subs, unmatched = apply_roster(subs, roster)
        subs, collisions = keep_apart(subs)
        warnings += collisions
        # Every source is in memory before any student code runs; the staged copies go away,
        # so no child can read or change another student's file.
        subs = [load_step(s, cfg) for s in subs]
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    subs = bind(subs, cfg)
    if cfg.limits.unconfined:
        subs = [s.with_(extra=dict(s.extra, unconfined=True)) for s in subs]
    return subs, warnings, unmatched


#: What an --out folder says it holds: the run that wrote it.
RUN_FILE = ".initlab-run.json"


def run_identity(submissions: str | Path, cfg: GradeConfig, assignment: str | None) -> dict:
    """What makes two gradings the same run: the class graded, the set-up and the assignment."""
    return {"submissions": str(Path(submissions).resolve()), "assignment": assignment or "",
            "variant": json.dumps(cfg.variant.public_dict(), sort_keys=True)}


def claim_out(out: Path, identity: dict, force: bool) -> None:
    """Make ``out`` this run's.  A folder holding another initlab run is refused (GradeInputError) unless
    ``force``, which replaces it; a folder holding anything else is always refused."""
    marker = out / RUN_FILE
    if out.exists() and any(out.iterdir()):
        try:
            held = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            held = None
        if not isinstance(held, dict):  # never deleted, --force or not: nothing is lost
            raise GradeInputError(f"{out} holds files that are not an initlab run; choose another --out")
        if held != identity and not force:
            what = f"a grading of {held.get('submissions')}" + (f" ({held['assignment']})" if held.get("assignment") else "")
            raise GradeInputError(f"{out} already holds {what}; choose another --out, or add --force to replace it")
        if held != identity:
            shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    marker.write_text(json.dumps(identity, indent=1), encoding="utf-8")


def bind(subs: list[Submission], cfg: GradeConfig) -> list[Submission]:
    """The bind step for a class: released notebooks graded without their week's set-up are refused
    (one line, GradeInputError); otherwise each submission records whether its declared set-up and
    typed id agree with the set-up it is graded with."""
    numbers = cfg.assignment.numbers
    declared = {i: Declaration.of(list(s.source.cells), numbers) for i, s in enumerate(subs) if s.source is not None}
    released = [d.week for d in declared.values() if d.week]
    weeks = sorted(set(released))
    unreleased = cfg.variant.week == 0 and not cfg.variant.course_key
    # Most of the class holds released notebooks: the instructor forgot --course.  A few that claim a week
    # (an edited SETUP) are flagged row by row instead: one student's file never stops the class.
    if weeks and unreleased and not cfg.own_variant and 2 * len(released) > len(declared):
        named = ", ".join(f"week{w:02d}" for w in weeks)
        raise GradeInputError(f"these notebooks were released for {named}, but no set-up was given: grade them "
                              f"with --course C --assignment {named.split(', ')[0]} (or --variant FILE); "
                              "their set-up comes from the course key, which only the instructor has")
    if cfg.own_variant:
        return subs
    return [bind_step(s, cfg.variant, declared[i]) if i in declared else s for i, s in enumerate(subs)]


#: Korean two-syllable family names (복성): :func:`split_name` takes these two syllables as the family
#: name of a Hangul name written without a space (남궁연 -> 남궁 / 연, 선우재덕 -> 선우 / 재덕); any other
#: such name's family name is its first syllable (김민준 -> 김 / 민준, 김빛나리 -> 김 / 빛나리).
TWO_SYLLABLE_SURNAMES = frozenset({"남궁", "선우", "제갈", "황보", "독고", "사공", "서문", "동방", "어금", "망절",
                                   "황목", "소봉", "장곡"})


def split_name(name: str) -> tuple[str, str]:
    """(first name, surname) for the gradebook, when the roster gives only a full name.

    Hangul names put the family name first: 홍 길동 -> (길동, 홍), and without a space the family
    name is the first syllable (홍길동 -> (길동, 홍)), or the first two when they are one of
    :data:`TWO_SYLLABLE_SURNAMES` and a given name follows (남궁민수 -> (민수, 남궁), 남궁연 -> (연, 남궁)).
    Other names are "First Last"; a roster with first_name and last_name columns is used as it is
    (romanised Korean names such as "Park Minsu" are ambiguous).  The name is read as Unicode NFC
    (a name typed on a Mac is NFD).
    """
    name = unicodedata.normalize("NFC", name)
    parts = name.split()
    if not parts:
        return "", ""
    if any("\uac00" <= ch <= "\ud7a3" for ch in name):
        if len(parts) > 1:
            return " ".join(parts[1:]), parts[0]
        family = 2 if len(name) > 2 and name[:2] in TWO_SYLLABLE_SURNAMES else 1
        return (name[family:], name[:family]) if len(name) > 1 else ("", name)
    return (" ".join(parts[:-1]), parts[-1]) if len(parts) > 1 else (name, "")
