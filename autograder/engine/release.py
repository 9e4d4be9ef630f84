"""``initlab release``: a week's variant through nbgrader, with its quiz bank, validated before it counts.

  C/initlab.toml                      the course's secret key (written at the first release, then reused)
  C/initlab-private/weekNN/variant.toml  the week's Variant (derived from the course key and week only)
  C/initlab-private/weekNN/students.csv  per-student weeks: each student's numbers and signed set-up code
  C/source/weekNN/weight_init.ipynb   the master rendered with the week's set-up
  C/source/weekNN/initlab_lab.py      the lecture's built student helper (numpy and matplotlib only)
  C/release/weekNN/                   what students fetch, made by nbgrader's own generate_assignment:
                                      weight_init.ipynb and initlab_lab.py, nothing else
  C/quiz/weekNN.xml, weekNN.gift      the eclass (Moodle) quiz bank, answers from the reference

Before it reports success the release grades itself: the source notebook must score full
marks and the released one zero, under ``initlab grade --course`` and under
``nbgrader autograde``, in a throw-away copy of the course.  A release that fails removes
everything it made (files and the gradebook entry) and says why.

Nothing secret is in source/: nbgrader copies that folder's files into autograded/ and feedback/
(and so to students) whichever of its commands runs.  The key and the week's private files live in
C/initlab.toml and C/initlab-private/, owner-only, which no nbgrader command reads.
"""
from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import os
import pprint
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Callable

from autograder.engine.assignment import Assignment, load as load_assignment
from autograder.engine.config import Variant
from autograder.engine.course import course_lecture
from autograder.engine.report.cells import SafeWriter
from autograder.helper.text import pick

#: The student helper's name beside a released notebook (the lecture's helper_file is copied there).
HELPER_NAME = "initlab_lab.py"
VARIANT_LINE = "SETUP = {}"
IGNORE_IN_RELEASE = tuple(f"--CourseDirectory.ignore={p}" for p in (
    ".ipynb_checkpoints", "*.pyc", "__pycache__", "feedback", ".*", "variant.toml", "students.csv"))


class ReleaseError(Exception):
    """The release could not be made or did not validate; nothing of it was left behind."""


@dataclass(frozen=True)
class ReleaseResult:
    assignment: str
    variant: Variant
    source: Path
    release: Path
    variant_file: Path
    quiz_xml: Path | None
    quiz_gift: Path | None
    validation: dict = field(default_factory=dict)
    students: int = 0


def assignment_name(week: int) -> str:
    return f"week{week:02d}"


# ---- the course seed ----------------------------------------------------------------------------


def course_key(course: Path, seed: int | None, lecture: str = "") -> str:
    """The course's secret key: the one in C/initlab.toml, else a new random one (or, with ``seed``,
    one made from that number, for demos and tests that must be reproducible), then stored there
    with the course's ``lecture``."""
    path = course / "initlab.toml"
    if path.is_file():
        table = tomllib.loads(path.read_text(encoding="utf-8"))["course"]
        stored = str(table["key"]) if "key" in table else _key_from_seed(int(table["seed"]))  # an older course
        if seed is not None and _key_from_seed(seed) != stored:
            raise ReleaseError(f"{path} holds this course's key; every week of a course uses it "
                               f"(remove the file to start a new course)")
        return stored
    key = _key_from_seed(seed) if seed is not None else secrets.token_hex(32)
    course.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # never readable by others, not even briefly
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        fh.write("# initlab course settings: the key derives every week's and every student's set-up.\n"
                 "# Keep it private (students who had it could compute other set-ups and the quiz).\n"
                 f"[course]\nkey = \"{key}\"\nlecture = \"{lecture or load_assignment().name}\"\n")
    return key


def _key_from_seed(seed: int) -> str:
    return hashlib.sha256(f"initlab-course-seed:{int(seed)}".encode()).hexdigest()


# ---- rendering the source notebook -----------------------------------------------------------


def setup_line(variant: Variant) -> str:
    """The release's SETUP line: the week's numbers, or (per student) where each student's code goes."""
    if variant.per_student:  # the code goes in the student's own (unlocked) cell: nbgrader restores locked ones
        return "SETUP = SETUP_CODE  # 학생별 설정: 위 칸에 붙여 넣은 코드 / per-student: the code pasted above"
    return "SETUP = " + pprint.pformat(variant.public_dict(), width=110, sort_dicts=False)


def _with_written(nb: dict, variant: Variant, assignment: Assignment) -> None:
    """Insert the lecture's written question after its anchor cell (see Assignment.written)."""
    if assignment.written is None:
        raise ReleaseError(f"the lecture {assignment.name!r} has no written question")
    cells = assignment.written(variant)
    at = next((i + 1 for i, c in enumerate(nb["cells"])
               if c.get("metadata", {}).get("nbgrader", {}).get("grade_id") == assignment.written_after), len(nb["cells"]))
    nb["cells"][at:at] = cells


def render_source(master: Path, variant: Variant, assignment: Assignment | None = None, written: bool = False) -> str:
    """The master with the week's set-up in its variant cell and the week in its title (the master's
    first heading is ``# <Korean title> / <English title>``, as the lecture's title gives them)."""
    title = (assignment or load_assignment()).title
    heading = f"# {title.ko} / {title.en}"
    nb = json.loads(master.read_text(encoding="utf-8"))
    lecture = assignment or load_assignment()
    if written:
        _with_written(nb, variant, lecture)
    words = lecture.words(variant) if lecture.words is not None else {}
    found = False
    for cell in nb["cells"]:
        src = "".join(cell["source"]) if isinstance(cell["source"], list) else cell["source"]
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "variant":
            if VARIANT_LINE not in src:
                raise ReleaseError(f"the master's variant cell no longer contains {VARIANT_LINE!r}")
            src, found = src.replace(VARIANT_LINE, setup_line(variant)), True
        elif cell["cell_type"] == "markdown" and src.startswith(heading):
            src = src.replace(heading, f"# {variant.week}주차: {title.ko} / Week {variant.week}: {title.en}", 1)
        if cell["cell_type"] == "markdown":
            for old, new in words.items():
                src = src.replace(old, new)
        cell["source"] = src
    if not found:
        raise ReleaseError("the master notebook has no cell with grade_id 'variant'")
    return json.dumps(nb, ensure_ascii=False, indent=1, sort_keys=True) + "\n"


# ---- nbgrader ---------------------------------------------------------------------------------


def nbgrader(course: Path, *args: str) -> subprocess.CompletedProcess:
    """Run an nbgrader command in the course (its `alembic` sits beside this interpreter)."""
    return NbgraderRun.start(course, *args).finish()


@dataclass
class NbgraderRun:
    """An nbgrader command running in a course.  Its output goes to a file, so it never waits for
    us to read a pipe while we do other work (the release validates beside it)."""

    command: str
    proc: subprocess.Popen
    log: IO[str]

    @classmethod
    def start(cls, course: Path, *args: str) -> "NbgraderRun":
        env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""),
                   PYTHONWARNINGS="ignore")
        log = tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace")
        proc = subprocess.Popen([sys.executable, "-m", "nbgrader", *args], cwd=course, env=env, stdout=log,
                                stderr=subprocess.STDOUT, text=True)
        return cls(args[0], proc, log)

    def finish(self) -> subprocess.CompletedProcess:
        """Wait for it; a failure is a ReleaseError with the end of its output."""
        self.proc.wait()
        with self.log:
            self.log.seek(0)
            out = self.log.read()
        if self.proc.returncode != 0:
            tail = out.strip().splitlines()[-15:]
            raise ReleaseError(f"nbgrader {self.command} failed:\n" + "\n".join(tail))
        return subprocess.CompletedProcess(self.proc.args, self.proc.returncode, out, "")

    def stop(self) -> None:
        self.proc.kill()
        self.proc.wait()
        self.log.close()


def read_roster(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = [{k.strip(): (v or "").strip() for k, v in row.items() if k} for row in csv.DictReader(fh)]
    if not rows or "student_id" not in rows[0]:
        raise ReleaseError(f"{path}: a roster needs a 'student_id' column (and optionally name, email)")
    ids = [r["student_id"] for r in rows]
    if len(set(ids)) != len(ids) or not all(ids):
        raise ReleaseError(f"{path}: student ids must be unique and non-empty")
    return rows


def _add_students(course: Path, roster: list[dict]) -> None:
    from autograder.engine.batch import split_name
    from autograder.engine.export.nbgrader_db import open_gradebook

    with open_gradebook(course, create=True) as gb:
        for row in roster:
            first, last = (row.get("first_name", ""), row.get("last_name", "")) if row.get("first_name") or \
                row.get("last_name") else split_name(row.get("name", ""))
            gb.update_or_create_student(row["student_id"], first_name=first or None, last_name=last or None,
                                        email=row.get("email") or None)


def _remove_assignment(course: Path, assignment: str) -> None:
    from autograder.engine.export.nbgrader_db import open_gradebook

    try:
        with open_gradebook(course) as gb:
            gb.remove_assignment(assignment)
    except Exception:  # nothing recorded yet, or no gradebook: nothing to undo
        pass


# ---- self-validation ----------------------------------------------------------------------------


class Steps:
    """Says, as each step of a release ends, what it was and how long it took (``say`` gets one line)."""

    def __init__(self, say: Callable[[str], None] | None):
        self.say = say

    @contextlib.contextmanager
    def __call__(self, what: str):
        started = time.perf_counter()
        yield
        if self.say is not None:
            self.say(f"  {what} ({time.perf_counter() - started:.1f} s)")


def validate(course: Path, assignment: str, variant: Variant, step: Steps = Steps(None),
             lecture: Assignment | None = None) -> dict:
    """Grade the source (expects full marks) and the release (expects 0) with both graders."""
    lecture = lecture or load_assignment()
    notebook = f"{lecture.stem}.ipynb"
    from autograder.engine.batch import grade_class
    from autograder.engine.export.nbgrader_db import open_gradebook
    from autograder.engine.pipeline import GradeConfig
    from autograder.engine.steps.run_checks import list_checks

    full = sum(c.points for c in list_checks(lecture))
    expect = {"validator-full": full, "validator-zero": 0.0}
    with tempfile.TemporaryDirectory(prefix="initlab-validate-") as tmp:
        copy = Path(tmp) / "course"
        copy.mkdir()
        for name in ("nbgrader_config.py", "gradebook.db"):
            if (course / name).exists():
                shutil.copy2(course / name, copy / name)
        for sub in ("source", "release"):
            shutil.copytree(course / sub / assignment, copy / sub / assignment)
        for sid, nb_path in (("validator-full", course / "source" / assignment / notebook),
                             ("validator-zero", course / "release" / assignment / notebook)):
            target = copy / "submitted" / sid / assignment / notebook
            target.parent.mkdir(parents=True)
            nb = json.loads(nb_path.read_text(encoding="utf-8"))
            if variant.per_student:  # the student types their id and code; the validator is a student too
                code = variant.for_student(sid).setup_code()
                for cell in nb["cells"]:
                    if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "student_id":
                        cell["source"] = f'STUDENT_ID = "{sid}"\nSETUP_CODE = "{code}"'
            target.write_text(json.dumps(nb, ensure_ascii=False, indent=1), encoding="utf-8")
        # nbgrader's own autograde, one process per notebook, each in a copy of the course with its own
        # gradebook (the course's, as it was): they run beside initlab's grading, which then needs one judge.
        nb_copies = {sid: Path(tmp) / f"nbgrader-{sid}" for sid in expect}
        for sid, nb_copy in nb_copies.items():
            shutil.copytree(copy, nb_copy, ignore=shutil.ignore_patterns("gradebook.db", *(set(expect) - {sid})))
            if (course / "gradebook.db").exists():
                shutil.copy2(course / "gradebook.db", nb_copy / "gradebook.db")
        scores: dict = {"expected": expect}
        with step("validated with initlab grade and nbgrader autograde, side by side (source: full marks, "
                  "release: 0)"):
            running = [NbgraderRun.start(nb_copy, "autograde", assignment, "--create", "--force")
                       for nb_copy in nb_copies.values()]
            try:
                # initlab, into the copy's gradebook, as `initlab grade --course C --assignment A` would
                result = grade_class(copy / "submitted", copy / "initlab-out",
                                     GradeConfig(variant=variant, lecture=lecture.name), jobs=1,
                                     course=copy, assignment=assignment, show_progress=False)
            except BaseException:
                for run in running:
                    run.stop()
                raise
            for run in running:
                run.finish()
        scores["initlab"] = {s.student_id: s.score for s in result.submissions}
        with open_gradebook(copy) as gb:
            scores["initlab gradebook"] = {sid: gb.find_submission(assignment, sid).score for sid in expect}
        scores["nbgrader autograde"] = {}
        for sid, nb_copy in nb_copies.items():
            with open_gradebook(nb_copy) as gb:
                scores["nbgrader autograde"][sid] = gb.find_submission(assignment, sid).score
        problems = [f"{grader}: {sid} scored {got[sid]:g}, expected {want:g}"
                    for grader, got in scores.items() if grader != "expected"
                    for sid, want in expect.items() if abs(got.get(sid, -1) - want) > 1e-6]
        if problems:
            failing = [f"  {r.check_id}: {r.status} (expected {pick(r.expected, 'en')}; measured {pick(r.measured, 'en')})"
                       for s in result.submissions if s.student_id == "validator-full"
                       for r in s.results if not r.passed][:10]
            raise ReleaseError("the release did not validate:\n  " + "\n  ".join(problems)
                               + ("\nchecks the source notebook failed:\n" + "\n".join(failing) if failing else ""))
    return scores


# ---- the whole release -----------------------------------------------------------------------


def release(course: str | Path, week: int, seed: int | None = None, roster: str | Path | None = None,
            master: Path | None = None, check: bool = True, progress: Callable[[str], None] | None = None,
            lecture: str = "", written: bool = False) -> ReleaseResult:
    """Make week ``week`` of course ``course``; see the module docstring for what is written.

    The course's lecture is the one its initlab.toml names (``lecture`` at its first release; the
    default lecture when neither says).  ``progress`` receives a line as each step ends (the command
    line prints them as they come)."""
    step = Steps(progress)
    from autograder.engine.export.nbgrader_db import ensure_course, open_gradebook
    from autograder.engine.export.gift import to_gift
    from autograder.engine.export.quiz import to_moodle_xml

    if week < 1 or week > 99:
        raise ReleaseError("weeks are numbered 1 to 99")
    course = Path(course)
    stored = course_lecture(course)
    if stored and lecture and stored != lecture:
        raise ReleaseError(f"{course} is a course of the lecture {stored!r}, not {lecture!r}")
    lecture_of = load_assignment(stored or lecture or None)
    master = master or lecture_of.master
    notebook = f"{lecture_of.stem}.ipynb"
    assignment = assignment_name(week)
    students = read_roster(Path(roster)) if roster else []
    ensure_course(course)
    move_secrets_out_of_source(course)
    # A new course's gradebook made here: nbgrader's generate_assignment would start `alembic` for it.
    with open_gradebook(course, create=True):
        pass
    variant = Variant.derive(course_key(course, seed, lecture_of.name), week, per_student=bool(students),
                             numbers=lecture_of.numbers)
    source_dir, release_dir = course / "source" / assignment, course / "release" / assignment
    private_dir = private_folder(course, assignment)
    quiz_dir = course / "quiz"
    quiz_xml, quiz_gift = quiz_dir / f"{assignment}.xml", quiz_dir / f"{assignment}.gift"
    made = [p for p in (source_dir, release_dir, private_dir, quiz_xml, quiz_gift) if not p.exists()]
    try:
        with step(f"set-up and source notebook written to {source_dir}"):
            source_dir.mkdir(parents=True, exist_ok=True)
            private_dir.mkdir(parents=True, exist_ok=True)
            os.chmod(private_dir.parent, 0o700)
            (private_dir / "variant.toml").write_text(variant.to_toml(), encoding="utf-8")
            (source_dir / notebook).write_text(render_source(master, variant, lecture_of, written), encoding="utf-8")
            # The student helper beside the notebook: nbgrader releases it with it, and autograde puts the
            # course's copy back over whatever a student hands in.
            shutil.copyfile(lecture_of.helper_file, source_dir / HELPER_NAME)
            if students:
                _add_students(course, students)
                _write_student_variants(private_dir / "students.csv", variant, students, lecture_of.student_columns)
        with step(f"nbgrader generate_assignment made {release_dir}"):
            nbgrader(course, "generate_assignment", assignment, "--force", *IGNORE_IN_RELEASE)
        if lecture_of.quiz is not None:
            with step(f"quiz bank written to {quiz_dir}"):
                quiz_dir.mkdir(exist_ok=True)
                items = lecture_of.quiz(variant)
                quiz_xml.write_text(to_moodle_xml(items), encoding="utf-8")
                quiz_gift.write_text(to_gift(items), encoding="utf-8")
        validation = validate(course, assignment, variant, step, lecture_of) if check else {}
    except BaseException as exc:
        for path in made:
            if path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
            elif path.exists():
                path.unlink()
        _remove_assignment(course, assignment)
        if isinstance(exc, ReleaseError):
            raise
        raise ReleaseError(f"{type(exc).__name__}: {exc}") from exc
    keep_private(course)
    return ReleaseResult(assignment, variant, source_dir / notebook, release_dir / notebook,
                         private_dir / "variant.toml", quiz_xml if quiz_xml.exists() else None,
                         quiz_gift if quiz_gift.exists() else None, validation, len(students))


#: Where a course keeps what nbgrader must never copy: each week's variant and students' set-up codes.
PRIVATE_FOLDER = "initlab-private"
#: What only the instructor may read: the answers' source, the grades and the course's secret.
PRIVATE = ("source", "gradebook.db", "initlab.toml", "quiz", PRIVATE_FOLDER)
#: Files an earlier initlab wrote into source/<assignment>/, where nbgrader copies them to students.
MOVED_OUT_OF_SOURCE = ("variant.toml", "students.csv")


def private_folder(course: str | Path, assignment: str) -> Path:
    """C/initlab-private/<assignment>/: the week's variant.toml and students.csv."""
    return Path(course) / PRIVATE_FOLDER / assignment


def move_secrets_out_of_source(course: str | Path) -> list[Path]:
    """Move what an earlier initlab left in C/source/<assignment>/ (variant.toml, students.csv) to the
    private folder; returns the files moved.  Called before anything reads a course."""
    moved = []
    source = Path(course) / "source"
    if not source.is_dir():
        return moved
    for folder in sorted(p for p in source.iterdir() if p.is_dir()):
        for name in MOVED_OUT_OF_SOURCE:
            old = folder / name
            if old.is_file():
                new = private_folder(course, folder.name) / name
                new.parent.mkdir(parents=True, exist_ok=True)
                os.chmod(new.parent.parent, 0o700)
                if not new.exists():
                    shutil.copy2(old, new)
                old.unlink()
                moved.append(new)
    return moved


def keep_private(course: Path) -> None:
    """Make the course's secrets readable by their owner only (folders 0700, files 0600)."""
    for name in PRIVATE:
        path = course / name
        if path.is_dir():
            for root, dirs, files in os.walk(path):
                os.chmod(root, 0o700)
                for f in files:
                    os.chmod(os.path.join(root, f), 0o600)
        elif path.is_file():
            os.chmod(path, 0o600)


def _write_student_variants(path: Path, variant: Variant, students: list[dict], keys: tuple[str, ...]) -> None:
    """For the TA: each student's own numbers and the set-up code to send them (eclass message,
    feedback comment or e-mail); a student pastes it into the notebook's SETUP."""
    with open(path, "w", encoding="utf-8-sig", newline="") as fh:
        w = SafeWriter(fh)
        w.writerow(["student_id", "name", *keys, "setup_code"])
        for row in students:
            v = variant.for_student(row["student_id"])
            w.writerow([row["student_id"], row.get("name", "")] + [getattr(v, k) for k in keys]
                       + [v.setup_code()])


def released_assignments(course: str | Path) -> list[str]:
    """The assignments of an nbgrader course (its source/ folders), sorted."""
    source = Path(course) / "source"
    return sorted(p.name for p in source.iterdir() if p.is_dir() and not p.name.startswith(".")) \
        if source.is_dir() else []


def course_notebook(course: str | Path, assignment: str) -> str:
    """The notebook an assignment of an nbgrader course grades (its name without .ipynb): the one in
    C/source/<assignment>/, else the course's lecture's file name.  Read without importing the lecture."""
    found = sorted(p.stem for p in (Path(course) / "source" / assignment).glob("*.ipynb"))
    if len(found) == 1:
        return found[0]
    return load_assignment(course_lecture(course) or None).stem


def course_variant(course: str | Path, assignment: str) -> Variant | None:
    """The variant a released assignment was made with (None if it was not made by initlab)."""
    move_secrets_out_of_source(course)
    path = private_folder(course, assignment) / "variant.toml"
    return Variant.load(path, load_assignment(course_lecture(course) or None).numbers) if path.is_file() else None
