"""``initlab``: one verb per user task.  Each verb parses its flags and calls one library function.

  initlab check [FILE]              a student checks their own file (weight_init.py / .ipynb)
  initlab grade SUBMISSIONS --out   an instructor grades a class (folder or Moodle zip), sandboxed
  initlab export --course --to      gradebook CSV for Moodle / Canvas / a long sheet, from nbgrader's gradebook
  initlab release --course --week   a TA releases a week's variant through nbgrader, with its eclass quiz bank
  initlab groups --course --roster  a TA draws the project groups from the course key (list + Moodle upload file)
  initlab doctor                    is student code jailed on this machine?

A lecture may add verbs of its own (the weight-initialisation lecture: ``initlab experiment``, its
MNIST figures).  The lecture is the course's (C/initlab.toml), else --lecture, else INITLAB_LECTURE,
else the weight-initialisation lecture.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import replace
from pathlib import Path

from autograder.engine.sandbox.limits import Limits
from autograder.engine.similarity import DEFAULT_THRESHOLD as DEFAULT_SIMILARITY
from autograder.helper.text import default_lang

#: The engine's own verbs; any other is looked for among the lecture's (Assignment.commands).
VERBS = ("check", "grade", "doctor", "export", "release", "groups")


def find_submission(cwd: Path, stem: str) -> Path | None:
    """The student's file: the newest <stem>.ipynb / .py here, else the one in assignment/."""
    for folder in (cwd, cwd / "assignment"):
        found = [p for p in (folder / f"{stem}.ipynb", folder / f"{stem}.py") if p.is_file()]
        if found:
            return max(found, key=lambda p: p.stat().st_mtime)
    return None


def confinement(unconfined_ok: bool, command: str) -> tuple[bool, str] | None:
    """Whether student code will run jailed here, and the line that says so.

    Returns (confined, line), or None after printing a one-line refusal when no jail can be
    built and ``unconfined_ok`` is False (``initlab grade`` without ``--unconfined``).
    """
    from autograder.engine.sandbox.doctor import status

    confined, detail = status()
    if confined:
        return True, f"jail: on ({detail})"
    if not unconfined_ok:
        print(f"initlab {command}: student code cannot be confined here: {detail}. Fix that (see `initlab doctor`), "
              "or pass --unconfined to run it without the jail (every report will say so).", file=sys.stderr)
        return None
    return False, f"jail: OFF, student code runs unconfined ({detail})"


def cmd_doctor(args: argparse.Namespace) -> int:
    """``initlab doctor``: is the jail available here, and does it hold?"""
    from autograder.engine.sandbox.doctor import JailUnavailable, build, self_test

    try:
        jail = build()
    except JailUnavailable as exc:
        print(f"jail: unavailable: {exc}")
        return 1
    print(f"jail: bubblewrap at {jail.bwrap}")
    ok = True
    for line, passed in self_test():
        ok &= passed
        print(f"  [{'ok' if passed else 'FAIL'}] {line}")
    print("jail: on" if ok else "jail: NOT sound on this machine; grade with care")
    return 0 if ok else 1


class NoSubmission(Exception):
    """:func:`check_file` found no file to check (its text says what was looked for)."""


def check_file(file: Path | None, lecture: str | None = None, lang: str = "en",
               timeout: float = Limits.call_timeout_s, variant_file: str | None = None, seed: int | None = None,
               on_unconfined=None):
    """Grade one student file as ``initlab check`` does: in the jail where one can be built (else
    unconfined, and ``on_unconfined`` gets the line that says so), as the student's own check.

    ``file`` None means the lecture's file in the current folder or its assignment/.  Returns
    (Submission, Assignment); raises :class:`NoSubmission` when there is no file to check.  The pytest
    plugin (engine/pytest_plugin.py) calls this too, so its items are ``initlab check``'s verdicts.
    """
    from autograder.engine.assignment import helper_path, load
    from autograder.engine.sandbox.launchers import default_launcher

    # A student's own file may run unconfined where no jail can be built (a Mac, an old kernel).
    confined, line = confinement(True, "check")
    if not confined and on_unconfined is not None:
        on_unconfined(line)
    limits = Limits(call_timeout_s=timeout, unconfined=not confined)
    # The jail's zygote imports numpy and matplotlib, the slowest part of its start: started first, it does
    # so while this process imports the lecture and the pipeline and reads the file, on the other core.
    launcher = default_launcher(limits, helper=str(helper_path(lecture)))
    launcher.start()
    try:
        assignment = load(lecture)
        path = Path(file) if file else find_submission(Path.cwd(), assignment.stem)
        if path is None:
            raise NoSubmission(f"no {assignment.stem}.ipynb / .py found here or in assignment/")
        from autograder.engine.pipeline import GradeConfig, grade_file

        # Without --variant, a released notebook's own set-up (its SETUP cell) decides.
        cfg = GradeConfig(variant=_variant_of(assignment, variant_file, seed), limits=limits, lang=lang,
                          own_variant=not variant_file, self_check=True, lecture=assignment.name)
        sub = grade_file(path, cfg, launcher=launcher)
    finally:
        launcher.close()
    return sub, assignment


def cmd_check(args: argparse.Namespace) -> int:
    if args.file and not Path(args.file).is_file():
        print(f"initlab check: no {args.file} found", file=sys.stderr)
        return 2
    try:
        sub, lecture = check_file(Path(args.file) if args.file else None, args.lecture, args.lang, args.timeout,
                                  args.variant, args.seed, on_unconfined=lambda line: print(line, file=sys.stderr))
    except NoSubmission as exc:
        print(f"initlab check: {exc}", file=sys.stderr)
        return 2
    from autograder.engine.report.table import render

    print(render(sub, args.lang))
    if args.plots and lecture.plot is not None:
        print(f"\nfigure: {lecture.plot(sub, Path(args.plots))}")
    return 0 if sub.max_score > 0 and sub.score == sub.max_score else 1


def _variant(args: argparse.Namespace, lecture):
    return _variant_of(lecture, getattr(args, "variant", None), getattr(args, "seed", None))


def _variant_of(lecture, variant_file: str | None = None, seed: int | None = None):
    """The lecture's own set-up, or the week's (``variant_file``), with ``seed`` when one is given."""
    from autograder.engine.config import Variant

    variant = Variant.load(variant_file, lecture.numbers) if variant_file else Variant(numbers=lecture.numbers())
    return replace(variant, seed=seed) if seed is not None else variant


def cmd_grade(args: argparse.Namespace) -> int:
    if (args.course is None) != (args.assignment is None):
        print("initlab grade: --course and --assignment go together", file=sys.stderr)
        return 2
    writer = None
    if args.course:
        # Forked first: nbgrader's import, which is slow, runs beside this command's own start.
        from autograder.engine.export.gradebook_writer import ScoresWriter
        from autograder.engine.release import course_notebook

        writer = ScoresWriter(Path(args.course), args.assignment, course_notebook(args.course, args.assignment))
    try:
        return _grade(args, writer)
    finally:
        if writer is not None:
            writer.close()


def _grade(args: argparse.Namespace, writer) -> int:
    from autograder.engine.assignment import load
    from autograder.engine.batch import grade_class
    from autograder.engine.pipeline import GradeConfig
    from autograder.engine.course import course_lecture

    lecture = load(args.lecture or course_lecture(args.course) or None)
    variant = _variant(args, lecture)
    if args.course:
        from autograder.engine.release import course_variant, released_assignments

        released = released_assignments(args.course)
        if args.assignment not in released:
            listed = ", ".join(released) or "none"
            print(f"initlab grade: {args.assignment} was never released in {args.course} (released: {listed}); "
                  "check --assignment and --course", file=sys.stderr)
            return 2
        if not args.variant:  # a week released by initlab carries its own variant
            variant = course_variant(args.course, args.assignment) or variant
    from autograder.engine.batch import GradeInputError, find_submissions

    try:
        find_submissions(args.submissions, lecture.stem)  # a wrong path or an empty zip: one line, before any work
    except GradeInputError as exc:
        print(f"initlab grade: {exc}", file=sys.stderr)
        return 2
    jail = confinement(args.unconfined, "grade")
    if jail is None:
        return 2
    confined, line = jail
    print(line, file=sys.stderr if not confined else sys.stdout)
    from datetime import datetime

    # The Moodle worksheet's grades on --scale, and its "Last modified (grade)" this grading's time.
    cfg = GradeConfig(variant=variant, lang=args.lang, show_answers=args.show_answers, lecture=lecture.name,
                      worksheet_scale=args.scale, graded_at=datetime.now().astimezone(),
                      limits=Limits(call_timeout_s=args.timeout, memory_mb=args.memory, budget_s=args.budget,
                                    load_timeout_s=min(Limits.load_timeout_s, args.budget), unconfined=not confined))
    roster = None
    if args.roster:
        from autograder.engine.release import ReleaseError, read_roster

        try:
            roster = read_roster(Path(args.roster))
        except ReleaseError as exc:
            print(f"initlab grade: {exc}", file=sys.stderr)
            return 2
    if args.compare_with and args.similarity is None:
        print("initlab grade: --compare-with needs the similarity report (not --similarity off)", file=sys.stderr)
        return 2
    from autograder.engine.similarity import Options

    similarity = Options(args.similarity, tuple(args.compare_with)) if args.similarity is not None else None
    try:
        result = grade_class(args.submissions, args.out, cfg, jobs=args.jobs, course=args.course,
                             assignment=args.assignment, title=args.title or "", roster=roster, force=args.force,
                             writer=writer, similarity=similarity)
    except GradeInputError as exc:
        print(f"initlab grade: {exc}", file=sys.stderr)
        return 2
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    subs = result.submissions
    print(f"{'student_id':<16} {'name':<20} {'score':>7}  status")
    for s in subs[: args.show]:
        print(f"{s.student_id[:16]:<16} {s.name[:20]:<20} {s.final_score:>7g}  {s.status}{' (late)' if s.late else ''}"
              f"{'' if confined else ' (UNCONFINED)'}")
    if len(subs) > args.show:
        print(f"... and {len(subs) - args.show} more (all in grades.csv)")
    out = Path(args.out)
    print(f"\n{len(subs)} submissions graded into {out}/, {'in the jail' if confined else 'UNCONFINED'}")
    print(f"  grades:    {out / 'grades.csv'}")
    print(f"  summary:   {out / 'summary.html'}")
    print(f"  feedback:  {out}/<student_id>/feedback.html and results.json")
    if result.similarity is not None:
        found = result.similarity
        print(f"  similar:   {len(found.pairs)} pair{'s' if len(found.pairs) != 1 else ''} with {found.threshold:.0%} or "
              f"more of one file's own code in the other, of {found.compared} files in {found.seconds:.1f} s "
              f"({out / 'summary.html'}#similarity"
              f"{'; ' + str(len(found.notes)) + ' note(s) there' if found.notes else ''}); evidence, not a penalty")
    from autograder.engine.report.batch import MOODLE_WORKSHEET, by_participant

    if by_participant(subs):
        from autograder.engine.export.lms_csv import maximum_line

        print(f"  moodle:    {out / MOODLE_WORKSHEET} (rows are Moodle participant numbers, not 학번: upload it "
              "in the assignment's 'Upload grading worksheet', or give --roster to key the grades by ID number)\n"
              f"             {maximum_line(MOODLE_WORKSHEET, 'worksheet', max(s.max_score for s in subs), args.scale, 'grade')}")
    if args.course:
        print(f"  gradebook: {Path(args.course) / 'gradebook.db'} (assignment {args.assignment})")
    from autograder.engine.batch import id_collision

    shared = [s for s in subs if id_collision(s)]
    if shared:
        print(f"attention: {len(shared)} submissions share a student id with another (status 'id collision' in "
              f"grades.csv, listed in summary.html); they are not in the gradebook until you decide who is who")
    if roster:  # last: what the roster could not pair up is never dropped, and a person must see it
        from autograder.engine.batch import UNMATCHED_FILE

        left = sum(bool(u.participant) for u in result.unmatched)
        absent = len(result.unmatched) - left
        if absent:
            print(f"{absent} roster student{'s have' if absent != 1 else ' has'} no submission (listed in "
                  f"{out / UNMATCHED_FILE})")
        if left:
            print(f"{left} submission{'s' if left != 1 else ''} not matched to the roster: see {out / UNMATCHED_FILE}; "
                  f"{'they are' if left != 1 else 'it is'} not in the --roster LMS export")
    return 0


def cmd_release(args: argparse.Namespace) -> int:
    from autograder.engine.release import ReleaseError, release

    try:
        print(f"releasing week {args.week} of {args.course}:", flush=True)
        r = release(args.course, args.week, seed=args.seed, roster=args.roster, check=not args.no_validate,
                    progress=lambda line: print(line, flush=True), lecture=args.lecture or "",
                    written=args.written)
    except ReleaseError as exc:
        print(f"initlab release: {exc}", file=sys.stderr)
        return 1
    v = r.variant
    print(f"released {r.assignment} of {args.course}"
          f"{' (one set-up per student: ' + str(r.students) + ' students)' if v.per_student else ''}")
    print(f"  key:      {Path(args.course) / 'initlab.toml'} (the course's secret: keep it private)")
    if v.per_student:
        print(f"  set-up:   one per student; send each student their set-up code from "
              f"{r.variant_file.with_name('students.csv')}")
    else:
        from autograder.engine.assignment import load
        from autograder.engine.course import course_lecture

        shown = load(course_lecture(args.course) or None).student_columns
        print(f"  set-up:   {', '.join(f'{k} {getattr(v, k)}' for k in shown) or 'the lecture’s own'}")
    print(f"  variant:  {r.variant_file}")
    print(f"  source:   {r.source}")
    print(f"  release:  {r.release}")
    if r.quiz_xml is not None:
        print(f"  quiz:     {r.quiz_xml} and {r.quiz_gift}")
    if r.validation:
        for grader in ("initlab", "initlab gradebook", "nbgrader autograde"):
            got = r.validation[grader]
            print(f"  validated ({grader}): source {got['validator-full']:g}, release {got['validator-zero']:g}")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from autograder.engine.export.lms_csv import graded_outside, students_outside
    from autograder.engine.release import ReleaseError, read_roster

    try:
        students: list[str] = []
        if args.roster:  # the LMS's own students only: one it does not know stops Moodle's whole import
            ids = [r["student_id"] for r in read_roster(Path(args.roster))]
            students, left_out = students_outside(Path(args.course), ids)
            if left_out:
                print(f"initlab export: left out {len(left_out)} gradebook student(s) not on the roster: "
                      f"{', '.join(left_out[:10])}{' ...' if len(left_out) > 10 else ''}", file=sys.stderr)
            graded = graded_outside(Path(args.course), args.assignment, ids) if left_out else []
            if graded and not args.allow_missing:  # the LMS would import the others without a word about them
                print(f"initlab export: {len(graded)} student(s) with a grade in {args.assignment} are not on the "
                      f"roster, so the LMS would never get their grade: {', '.join(graded)}. Put them on the roster "
                      "(a Moodle participant number is a submission `initlab grade --roster` could not match: see its "
                      "unmatched.csv), or pass --allow-missing to export the others anyway; nothing was written",
                      file=sys.stderr)
                return 2
            if not students:
                print("initlab export: no student of the roster is in the gradebook", file=sys.stderr)
                return 2
        from autograder.engine.export.lms_csv import write_export

        # A grade above the maximum the file declares (AboveMaximum, a ValueError) is refused: nothing written.
        done = write_export(Path(args.course), args.assignment, args.format, Path(args.to),
                            per_function=args.per_function, scale=args.scale, canvas_id=args.canvas_id,
                            students=students)
    except (FileNotFoundError, ValueError, ReleaseError) as exc:  # no gradebook, unknown assignment, bad roster
        print(f"initlab export: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {done.path}")
    print(done.line)  # last: the maximum the LMS item must have, or 54 imports as 54/100
    return 0


def cmd_groups(args: argparse.Namespace) -> int:
    from autograder.engine.groups import GroupsError, make_groups

    try:
        done = make_groups(args.course, args.roster, args.size, args.label, apart=args.apart, together=args.together,
                           out=args.out, username_column=args.username_column, moodle_course=args.moodle_course)
    except GroupsError as exc:
        print(f"initlab groups: {exc}", file=sys.stderr)
        return 2
    d = done.draw
    sizes = sorted({len(g) for g in d.groups})
    print(f"drew {len(d.groups)} groups of {'-'.join(map(str, sizes))} from {sum(map(len, d.groups))} students "
          f"(label {d.label}, fingerprint {d.fingerprint})")
    print(f"  list:    {done.written[0]} and {done.written[1].name} (for the course page)")
    if done.moodle_file is not None:
        print(f"  moodle:  {done.moodle_file} (Site administration > Users > Upload users, upload type 'Update "
              "existing users only'; the students must already be enrolled in the course)")
    else:
        print("  moodle:  no upload file: give --moodle-course SHORTNAME (the eclass course's short name) for one")
    return 0


def build_parser(lecture_verbs: bool = True) -> argparse.ArgumentParser:
    """The command line; ``lecture_verbs`` adds the default lecture's own verbs (it imports the lecture)."""
    parser = argparse.ArgumentParser(prog="initlab", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    lecture_help = "the lecture (default: the course's, else INITLAB_LECTURE, else weight_init)"

    p = sub.add_parser("check", help="self-check one student file (exit 0 iff full marks)")
    p.add_argument("file", nargs="?", help="default: the lecture's file (weight_init.ipynb or .py) here or in assignment/")
    p.add_argument("--lecture", help=lecture_help)
    p.add_argument("--lang", choices=("ko", "en"), default=default_lang(), help="language of the messages")
    p.add_argument("--plots", metavar="DIR", help="write the lecture's figure (yours vs the reference) here")
    p.add_argument("--seed", type=int, help="seed of the grader's inputs (default: the variant's)")
    p.add_argument("--variant", metavar="FILE", help="variant.toml / variant.json of a released week")
    p.add_argument("--timeout", type=float, default=Limits.call_timeout_s,
                   help="seconds one call of your function may take")
    p.set_defaults(run=cmd_check)

    if lecture_verbs:
        from autograder.engine.assignment import load

        lecture = load()
        if lecture.commands is not None:
            lecture.commands(sub)

    p = sub.add_parser("grade", help="grade a class: a folder of submissions or a Moodle 'download all' zip")
    p.add_argument("submissions", help="folder with one subfolder per student, or a Moodle zip")
    p.add_argument("--out", required=True, help="where grades.csv, summary.html and per-student feedback go")
    p.add_argument("--course", help="nbgrader course folder: also write the scores into its gradebook.db")
    p.add_argument("--assignment", help="nbgrader assignment name (with --course), e.g. week01")
    p.add_argument("--lecture", help=lecture_help)
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="judge processes (default: cores)")
    p.add_argument("--timeout", type=float, default=Limits.call_timeout_s,
                   help="seconds one call of a student function may take")
    p.add_argument("--memory", type=int, default=Limits.memory_mb, help="MB of memory each submission may add")
    p.add_argument("--budget", type=float, default=Limits.budget_s,
                   help="seconds one submission may take in all (loads and calls); then its remaining checks fail")
    p.add_argument("--lang", choices=("ko", "en"), default=default_lang(), help="language of the feedback")
    p.add_argument("--seed", type=int, help="seed of the grader's inputs (default: the variant's)")
    p.add_argument("--variant", metavar="FILE", help="variant.toml / variant.json of a released week")
    p.add_argument("--title", help="title of the feedback pages (e.g. the course and week)")
    p.add_argument("--roster", help="CSV with student_id (and name): maps Moodle participants to student ids by name")
    p.add_argument("--show", type=int, default=15, help="rows of the result table to print")
    p.add_argument("--show-answers", action="store_true",
                   help="feedback shows the reference's analysis answers (after the deadline)")
    p.add_argument("--unconfined", action="store_true",
                   help="where no jail can be built, run student code without it (reports say so)")
    p.add_argument("--force", action="store_true",
                   help="replace what --out holds when it is another run (another class, week or set-up)")

    def similarity(text: str) -> float | None:  # argparse names the type in its error: "invalid similarity value"
        from autograder.engine.similarity import parse_threshold

        return parse_threshold(text)

    p.add_argument("--similarity", type=similarity, default=DEFAULT_SIMILARITY, metavar="off|N",
                   help="list pairs of submissions whose own code is N%% or more shared, in summary.html "
                        f"(default {DEFAULT_SIMILARITY * 100:g}); evidence for a person, never a change of score")
    p.add_argument("--compare-with", action="append", default=[], metavar="DIR",
                   help="also compare with an earlier week's or year's submissions (folder or Moodle zip); repeatable")

    def scale(text: str) -> str:  # its name is argparse's: "argument --scale: invalid scale value: 'x'"
        from autograder.engine.export.lms_csv import parse_scale

        return parse_scale(text)

    p.add_argument("--scale", type=scale, default="points", metavar="points|100|N",
                   help="the Moodle grading worksheet's grades: in the assignment's points (default), or out of N, "
                        "the eclass assignment's Maximum grade: score / max * N, to 2 decimals")
    p.set_defaults(run=cmd_grade)

    p = sub.add_parser("doctor", help="is student code jailed on this machine? (checks that the jail holds)")
    p.set_defaults(run=cmd_doctor)

    p = sub.add_parser("export", help="gradebook CSV for LMS import (Moodle, Canvas, long), from an nbgrader course")
    p.add_argument("--course", required=True, help="nbgrader course folder (with gradebook.db)")
    p.add_argument("--assignment", required=True, help="assignment name, e.g. week01")
    p.add_argument("--format", choices=("moodle", "canvas", "long"), default="moodle")
    p.add_argument("--to", required=True, help="CSV file to write")
    p.add_argument("--per-function", action="store_true", help="also one column per graded function")
    p.add_argument("--scale", type=scale, default="points", metavar="points|100|N",
                   help="scores in the assignment's points (default), or out of N, the LMS grade item's maximum "
                        "(100: a new item's default): score / max * N, to 2 decimals")
    p.add_argument("--canvas-id", help="the Canvas assignment id: the column is headed 'Title (id)' so Canvas "
                                       "fills that assignment instead of making a new one")
    p.add_argument("--roster", help="CSV with student_id: only these students (one the LMS does not know "
                                    "would stop Moodle's whole import); the others are named on stderr")
    p.add_argument("--allow-missing", action="store_true",
                   help="with --roster, export even when students with a grade are not on the roster (they get "
                        "no grade in the LMS); without it that stops the export (exit 2)")
    p.set_defaults(run=cmd_export)

    p = sub.add_parser("release", help="release a week's variant through nbgrader, with its quiz bank")
    p.add_argument("--course", required=True, help="nbgrader course folder (created if missing)")
    p.add_argument("--week", type=int, required=True, help="week number; the assignment is weekNN")
    p.add_argument("--seed", type=int, help="make the course key from this number (reproducible demos and tests; "
                   "first release only); without it the key is random. Stored in C/initlab.toml")
    p.add_argument("--roster", help="CSV with a student_id column: one variant per student")
    p.add_argument("--lecture", help="the course's lecture, at its first release (default: weight_init); "
                                     "stored in C/initlab.toml")
    p.add_argument("--no-validate", action="store_true", help="skip grading the release with both graders")
    p.add_argument("--written", action="store_true", help="add the lecture's short written question (서술형), "
                   "graded by hand in formgrader (off by default: the total stays the automatic checks')")
    p.set_defaults(run=cmd_release)

    p = sub.add_parser("groups", help="draw the project groups from the course key: a list and a Moodle upload file")
    p.add_argument("--course", required=True, help="the course folder; its key (C/initlab.toml, made by the first "
                                                   "release) seeds the draw")
    p.add_argument("--roster", required=True, help="CSV with student_id (and name, username, ...)")
    p.add_argument("--size", type=int, required=True, help="at most this many students a group; sizes differ "
                                                           "by at most one")
    p.add_argument("--label", default="project1", help="names the draw: the same label draws the same groups, "
                                                      "a new one draws anew (default: project1)")
    p.add_argument("--apart", metavar="FILE", help="one set of student ids a line (commas or spaces): "
                                                   "each in a different group")
    p.add_argument("--together", metavar="FILE", help="one set of student ids a line: all in one group")
    p.add_argument("--out", metavar="DIR", help="where to write (default: C/groups/LABEL/)")
    p.add_argument("--moodle-course", metavar="SHORTNAME",
                   help="the eclass course's short name: also write moodle_groups.csv for Upload users")
    p.add_argument("--username-column", help="the roster column with the Moodle usernames (default: "
                                             "username if the roster has it, else student_id)")
    p.set_defaults(run=cmd_groups)
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    # The engine's own verbs need no lecture to be parsed (``initlab check`` starts its jail first).
    args = build_parser(lecture_verbs=not argv or argv[0] not in VERBS).parse_args(argv)
    return args.run(args)


#: Environment variables that give numpy's BLAS one thread (any the user set are kept).
ONE_BLAS_THREAD = ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")


def command_process_settings() -> None:
    """How the ``initlab`` command's own process runs numpy; before anything imports it.

    - One BLAS thread.  The command's arrays are small (1000 x 100 at most), and its cores go to
      the judges and jails: a second OpenBLAS thread would only wait, spinning, for work, doubling
      the CPU the answer key takes without making it faster; the numbers are the same.  The
      sandbox children run with one thread too.
    - Freed blocks of up to 32 MB are kept for reuse (zygote.reuse_freed_memory): otherwise each of
      the answer key's probes makes fresh arrays of under 1 MB, zero-filled page by page.
    """
    for name in ONE_BLAS_THREAD:
        os.environ.setdefault(name, "1")
    for stream in (sys.stdout, sys.stderr):  # a name no encoder takes is escaped, never a crash at the end
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    from autograder.engine.startup import reuse_freed_memory

    reuse_freed_memory()


def run() -> None:
    """The ``initlab`` command: :func:`main`, then out without tearing the interpreter down.

    By the time main returns every report, gradebook and release file is written and closed, the
    judges and jails are gone, and temporary folders are removed; freeing the modules of nbgrader,
    sqlalchemy, numpy and matplotlib would only make each command wait longer.  An error or
    SystemExit leaves the usual way.
    """
    from autograder.engine.startup import leave

    command_process_settings()
    leave(main())


if __name__ == "__main__":
    run()
