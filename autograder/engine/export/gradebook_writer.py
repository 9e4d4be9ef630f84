"""The gradebook writer of ``initlab grade --course``: nbgrader's gradebook, written from a process of its own.

This module imports nothing but the standard library (and engine/startup.py, which imports nothing else), so the command can fork the writer first
thing, before it imports numpy and the pipeline itself: the writer's imports (nbgrader, sqlalchemy,
alembic, traitlets, nbformat) then run beside the command's own start, the judges'
jails booting and the grading, never in a thread of the command.
"""
from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from autograder.engine.startup import forked_writers


class ScoresWriter:
    """nbgrader_db.write_scores from a process of its own, started before a class is graded.

    Importing nbgrader's gradebook (sqlalchemy, alembic, traitlets, nbformat) happens
    there while the caller loads the class and grades it, in no thread of the caller's.
    :meth:`write` then hands over the rows and waits: the same single transaction, and the same
    exception raised in the caller if it fails.  Where a process cannot be forked safely (no
    fork, or threads already running), :meth:`write` writes in the caller.
    """

    def __init__(self, course_dir: Path, assignment: str, notebook: str):
        import multiprocessing

        self.course_dir, self.assignment, self.notebook = Path(course_dir), assignment, notebook
        self._proc = self._conn = None
        if forked_writers():
            ctx = multiprocessing.get_context("fork")
            self._conn, theirs = ctx.Pipe()
            self._proc = ctx.Process(target=_serve_one_write, name="initlab-gradebook", daemon=True,
                                     args=(theirs, self._conn, self.course_dir, assignment, notebook))
            self._proc.start()
            theirs.close()

    @property
    def in_process(self) -> bool:
        """Whether :meth:`write` writes in the caller's process."""
        return self._proc is None

    def write(self, checks: Sequence, rows: Sequence) -> dict:
        """Write ``rows`` (nbgrader_db.ScoreRow) of ``checks`` (CheckInfo) as nbgrader_db.write_scores does;
        returns what it returns (each student's lateness) and raises what it raises."""
        if self._proc is None:
            from autograder.engine.export.nbgrader_db import write_scores

            return write_scores(self.course_dir, self.assignment, self.notebook, checks, rows)
        try:
            self._conn.send((list(checks), list(rows)))
            failure, result = self._conn.recv()
        except (EOFError, OSError):
            self._proc.join(timeout=5)
            raise RuntimeError("nbgrader's gradebook was not written: its writer process stopped "
                               f"(exit code {self._proc.exitcode}); grades.csv has every score") from None
        finally:
            self.close()
        if failure is not None:
            raise failure
        return result

    def close(self) -> None:
        """Stop the writer.  Before :meth:`write` it has written nothing and never will; stopped in the
        middle of a write, SQLite rolls the transaction back."""
        if self._proc is not None:
            self._conn.close()
            self._proc.kill()  # it may still be importing nbgrader: no need to wait for that
            self._proc.join()
            self._proc = None

    def __enter__(self) -> "ScoresWriter":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def _serve_one_write(conn, callers_end, course_dir: Path, assignment: str, notebook: str) -> None:
    """The writer process: import nbgrader now, write the rows when they come, send back what failed."""
    import pickle

    callers_end.close()  # our copy of it: once the caller closes theirs, we read EOF
    from autograder.engine.export.nbgrader_db import write_scores

    import nbgrader.api  # noqa: F401  (the slow part, while the caller grades)

    try:
        checks, rows = conn.recv()
    except EOFError:  # the caller stopped: nothing is written
        return
    result = {}
    try:
        result = write_scores(course_dir, assignment, notebook, checks, rows)
        failure = None
    except Exception as exc:  # raised again in the caller, as itself when it can travel
        try:
            failure = pickle.loads(pickle.dumps(exc))
        except Exception:
            failure = RuntimeError(f"{type(exc).__name__}: {exc}")
    conn.send((failure, result))
