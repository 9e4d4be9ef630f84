"""Every place where the kit reaches into another package's internals or the process's own workings,
gathered here, each with the condition it assumes and one switch that turns them all off.

They save the instructor's time and change no result:

* :func:`nbgrader_without_server_extensions`: ``import nbgrader.api`` without nbgrader's package
  ``__init__`` (which imports its Jupyter server extensions, never used by a gradebook).  It assumes
  nbgrader's layout of the 0.9 series; with another nbgrader it stays off.
* :func:`reuse_freed_memory`: in the judge, glibc's malloc keeps freed blocks for reuse (Linux with glibc).
* :func:`forked_writers`: the gradebook writer (export/gradebook_writer.py) imports nbgrader in a
  forked process while the class is graded.
* :func:`leave`: ``initlab`` leaves with ``os._exit`` once everything is written and closed, rather
  than tearing down nbgrader, sqlalchemy, numpy and matplotlib module by module.

``INITLAB_NO_SHORTCUTS=1`` in the environment turns every one of them off: the kit then imports,
forks and exits as any Python program does (the first thing to try when another version of a
package misbehaves with the kit).  Inside the jail the zygote has shortcuts of its own (its
stand-in modules, os._exit of children): those are the sandbox's design, not shortcuts, and stay.
"""
from __future__ import annotations

import importlib.util
import os
import sys
import types
from importlib import metadata
from pathlib import Path

SWITCH = "INITLAB_NO_SHORTCUTS"
#: The nbgrader series whose package layout nbgrader_without_server_extensions assumes.
NBGRADER_SERIES = ((0, 9),)


def enabled() -> bool:
    return os.environ.get(SWITCH, "") in ("", "0")


def _series(version: str) -> tuple[int, ...]:
    parts = []
    for piece in version.split(".")[:2]:
        digits = "".join(ch for ch in piece if ch.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def nbgrader_assumed() -> bool:
    """Is the installed nbgrader one whose package layout the shortcut assumes?"""
    try:
        return _series(metadata.version("nbgrader")) in NBGRADER_SERIES
    except metadata.PackageNotFoundError:
        return False


def nbgrader_without_server_extensions() -> bool:
    """Let ``import nbgrader.api`` skip nbgrader's package ``__init__``; True when it now does.

    The package module starts empty; a submodule is imported as usual, and anything else asked of
    the package (its server-extension hooks, its version) runs the real ``__init__`` first, so nothing
    differs for its users.  Off with the switch, with an nbgrader of another series, or once nbgrader
    is imported.
    """
    if not enabled() or "nbgrader" in sys.modules or not nbgrader_assumed():
        return False
    spec = importlib.util.find_spec("nbgrader")
    if spec is None or spec.origin is None or not spec.submodule_search_locations:
        return False
    package = types.ModuleType("nbgrader")
    package.__file__, package.__spec__, package.__loader__ = spec.origin, spec, spec.loader
    package.__package__ = "nbgrader"
    package.__path__ = list(spec.submodule_search_locations)

    def __getattr__(name: str):
        if importlib.util.find_spec(f"nbgrader.{name}") is not None:  # `from nbgrader import utils`
            return importlib.import_module(f"nbgrader.{name}")
        del package.__getattr__
        exec(compile(Path(spec.origin).read_text(encoding="utf-8"), spec.origin, "exec"), package.__dict__)
        return getattr(package, name)

    package.__getattr__ = __getattr__
    sys.modules["nbgrader"] = package
    return True


def reuse_freed_memory() -> None:
    """The judge's side of sandbox.zygote.reuse_freed_memory (which the zygote, in the jail, always uses)."""
    if enabled():
        from autograder.engine.sandbox.zygote import reuse_freed_memory as reuse

        reuse()


def forked_writers() -> bool:
    """May a writer be forked off before a class is graded (no threads yet, and fork exists)?"""
    import threading

    return enabled() and hasattr(os, "fork") and threading.active_count() == 1


def leave(code) -> None:
    """End the ``initlab`` process once everything is written: ``os._exit`` after flushing, or, with the
    switch, the usual interpreter shutdown."""
    sys.stdout.flush()
    sys.stderr.flush()
    if not enabled():
        sys.exit(code)
    os._exit(code if isinstance(code, int) else 0)
