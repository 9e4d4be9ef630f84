"""A stand-in for ``get_ipython()`` when a notebook's code runs outside Jupyter.

The load step turns IPython syntax into plain Python as IPython's own transformer does
(autograder/helper/ipysyntax.py), so ``%%time`` becomes
``get_ipython().run_cell_magic('time', '', body)`` and ``!pip install x`` becomes
``get_ipython().system('pip install x')``.  This shim gives those calls the meaning the
student intended for grading: timing magics run their code, display and
configuration magics do nothing, and shell commands are never run (they are noted).
"""
from __future__ import annotations

import shlex
import sys

#: Magics whose code is the point: run it (once) in the student's namespace.
RUNS_CODE = {"time", "timeit", "prun", "capture"}
#: Magics with an option syntax "-x value" before the statement.
_OPTIONS_WITH_VALUE = {"-n", "-r", "-p", "-s", "-T", "-D", "-l"}


def _strip_options(line: str) -> str:
    """'-n 3 -r 1 f(x)' -> 'f(x)' (the options of %timeit / %prun)."""
    words = line.split(" ")
    i = 0
    while i < len(words) and words[i].startswith("-"):
        i += 2 if words[i] in _OPTIONS_WITH_VALUE else 1
    return " ".join(words[i:])


class _Inert:
    """Any attribute chain off the shell (``get_ipython().kernel.do_shutdown``) ends here."""

    def __getattr__(self, name):
        return self

    def __call__(self, *args, **kwargs):
        return None


class ShellShim:
    def __init__(self):
        self.user_ns: dict = {}
        self.notes: list[str] = []

    def _note(self, text: str) -> None:
        if len(self.notes) < 50 and text not in self.notes:
            self.notes.append(text)

    def take_notes(self) -> list[str]:
        notes, self.notes = self.notes, []
        return notes

    def _run(self, source: str, frame_depth: int) -> None:
        caller = sys._getframe(frame_depth)
        env = self.user_ns if caller.f_globals is self.user_ns else caller.f_globals
        local = caller.f_locals if caller.f_locals is not caller.f_globals else None
        code = compile(source, "<student magic>", "exec")
        exec(code, env, local if local is not None else env)

    def run_line_magic(self, magic_name, line, _stack_depth=1):
        if magic_name in RUNS_CODE:
            self._run(_strip_options(line), 2)
        else:
            self._note(f"%{magic_name} {line}".strip())

    def run_cell_magic(self, magic_name, line, cell):
        if magic_name in RUNS_CODE:
            self._run(cell, 2)
        else:
            first = shlex.split(line)[0] if line.strip() else ""
            self._note(f"%%{magic_name} {first}".strip())

    def system(self, cmd):
        self._note(f"!{cmd}")

    def getoutput(self, cmd, split=True, depth=0):
        self._note(f"!{cmd}")
        return []

    def __getattr__(self, name):
        return _Inert()
