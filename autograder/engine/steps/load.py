"""Load step: a submitted file (.py or .ipynb) becomes a list of code cells to execute.

Nothing here runs student code; it only reads bytes and rewrites text:

* .py files may be UTF-8, UTF-8 with a BOM, or CP949 (Korean Windows editors save it with
  no coding line); a PEP 263 coding line is honoured; CRLF and CR line ends are normalised.
* notebooks keep their code cells in order; IPython syntax (``%matplotlib``, ``%%time``,
  ``!pip``) is rewritten into the ``get_ipython()`` calls IPython makes of it (autograder/helper/ipysyntax.py,
  one scan of the text, bounded in time), which the child's shim gives their grading meaning
  (see sandbox/ipython_shim.py).
* a .py file with a syntax error is split into top-level blocks, so one broken function
  costs that function only.

Parsing is bounded: a file larger than :data:`IN_PROCESS_BYTES` (Python's parser takes about 500
bytes of memory per byte of a dense literal, ``json`` about 30 per byte of notebook) is read in a
process of its own under a memory and a time limit, and a file it cannot read costs its own row.
"""
from __future__ import annotations

import codecs
import io
import json
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

from autograder.helper.ipysyntax import needs_transform, transform_cell
from autograder.helper.pyfile import compiles as _compiles, python_cells, split_top_level
from autograder.helper.text import T, Text

#: Larger files are not graded (a weight_init.py is a few kB; a notebook with figures, a few MB).
MAX_SOURCE_BYTES = 2 * 1024 * 1024
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024
#: Files up to this size are read in the grading process (at most ~70 MB of parse memory each); larger
#: ones in a process of their own, limited to BOUNDED_MEMORY_MB and BOUNDED_SECONDS.
IN_PROCESS_BYTES = {".py": 128 * 1024, ".ipynb": 4 * 1024 * 1024}
#: A cell with more characters is not run (compiling a huge literal takes the child far more time and memory
#: than any real cell): it raises an error that says so, which costs that cell only.  Real cells are a few kB.
MAX_CELL_CHARS = 1_000_000
BOUNDED_MEMORY_MB = 2048
BOUNDED_SECONDS = 30.0


IPYTHON_REWRITTEN = T("IPython syntax (magics, shell escapes) read as IPython does; shell lines are not run",
                      "IPython 문법(매직, 셸 명령)을 IPython처럼 읽음. 셸 명령은 실행하지 않음")


class LoadError(Exception):
    """The file cannot be graded at all; ``status`` is a short machine-readable reason."""

    def __init__(self, status: str, text: Text):
        super().__init__(text.en)
        self.status, self.text = status, text


@dataclass(frozen=True)
class LoadedSource:
    """The submission as the child will execute it."""

    filename: str
    kind: str  # "py" or "ipynb"
    cells: tuple[dict, ...]  # {"source": str, "name": str}
    encoding: str = "utf-8"
    notes: tuple[Text, ...] = field(default_factory=tuple)


def decode_python(data: bytes) -> tuple[str, str]:
    """Bytes of a .py file -> (text with \\n line ends, encoding used)."""
    if data.startswith(codecs.BOM_UTF8):
        text, encoding = data[len(codecs.BOM_UTF8):].decode("utf-8", errors="replace"), "utf-8-sig"
    else:
        try:
            declared, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
        except SyntaxError:  # an unknown coding name in the cookie
            declared = "utf-8"
        candidates = [declared] + [e for e in ("utf-8", "cp949") if e != declared]
        for encoding in candidates:
            try:
                text = data.decode(encoding)
                break
            except (UnicodeDecodeError, LookupError):
                continue
        else:
            text, encoding = data.decode("utf-8", errors="replace"), "utf-8 (with replacements)"
    return text.replace("\r\n", "\n").replace("\r", "\n"), encoding


def _transform_ipython(source: str) -> str:
    if not needs_transform(source):
        return source  # the common case: nothing to rewrite
    try:
        return transform_cell(source)
    except Exception:  # left as it is: the child reports the cell's syntax error
        return source


def load_python(data: bytes, filename: str) -> LoadedSource:
    if len(data) > MAX_SOURCE_BYTES:
        raise LoadError("too_large", T(f"{filename} is {len(data)} bytes; at most {MAX_SOURCE_BYTES} are graded",
                                       f"{filename}은(는) {len(data)}바이트입니다. {MAX_SOURCE_BYTES}바이트까지만 채점합니다"))
    if b"\x00" in data:
        raise LoadError("binary", T(f"{filename} is not a text file", f"{filename}은(는) 텍스트 파일이 아닙니다"))
    text, encoding = decode_python(data)
    notes = []
    if encoding not in ("utf-8",):
        notes.append(T(f"read as {encoding}", f"{encoding}(으)로 읽음"))
    if not text.strip():
        raise LoadError("empty", T(f"{filename} is empty", f"{filename}이(가) 비어 있습니다"))
    if not _compiles(text):
        transformed = _transform_ipython(text)
        if transformed != text and _compiles(transformed):
            notes.append(T("IPython syntax (% or ! lines) found in a .py file; graded as in a notebook",
                           ".py 파일에 IPython 문법(% 또는 ! 줄)이 있어 노트북처럼 채점함"))
            text = transformed
        else:
            notes.append(T("syntax error: each top-level block was loaded on its own",
                           "문법 오류: 최상위 블록을 하나씩 따로 불러옴"))
            return LoadedSource(filename, "py", _capped(split_top_level(text, filename)), encoding, tuple(notes))
    return LoadedSource(filename, "py", _capped(python_cells(text, filename)), encoding, tuple(notes))


def _capped(cells: list[dict]) -> tuple[dict, ...]:
    """The cells, each one over MAX_CELL_CHARS replaced by a line that raises an error saying why (and,
    if it spelled a name that declares the set-up, marked so: the bind step flags what it could not read)."""
    from autograder.engine.steps.handles import DECLARED_NAMES

    out = []
    for cell in cells:
        size = len(cell["source"])
        if size > MAX_CELL_CHARS:
            why = (f"이 셀은 {size:,}자라서 실행하지 않았습니다 ({MAX_CELL_CHARS:,}자까지 실행) / "
                   f"this cell has {size:,} characters and was not run (at most {MAX_CELL_CHARS:,} are)")
            declares = any(name in cell["source"] for name in DECLARED_NAMES)
            cell = dict(cell, source=f"raise RuntimeError({why!r})\n", **({"unread_declaration": size} if declares else {}))
        out.append(cell)
    return tuple(out)


def notebook_code_cells(nb: dict) -> list[str]:
    """The code cells' sources of a v4 notebook (v3 'worksheets' too), in order: "cell 14" is the 14th
    code cell, the one Jupyter shows as In [14] after "Run All"."""
    cells = nb.get("cells")
    if cells is None and isinstance(nb.get("worksheets"), list):  # nbformat 3
        cells = [c for ws in nb["worksheets"] for c in ws.get("cells", [])]
    if not isinstance(cells, list):
        raise LoadError("not_a_notebook", T("the notebook has no cells", "노트북에 셀이 없습니다"))
    out = []
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        src = cell.get("source", cell.get("input", ""))
        if isinstance(src, list) and all(isinstance(line, str) for line in src):
            src = "".join(src)
        if not isinstance(src, str):
            raise LoadError("not_a_notebook", T("a code cell's source is not text", "코드 셀의 내용이 텍스트가 아닙니다"))
        out.append(src)
    return out


def load_notebook(data: bytes, filename: str) -> LoadedSource:
    if len(data) > MAX_NOTEBOOK_BYTES:
        raise LoadError("too_large", T(f"{filename} is {len(data)} bytes; at most {MAX_NOTEBOOK_BYTES} are graded",
                                       f"{filename}은(는) {len(data)}바이트입니다. {MAX_NOTEBOOK_BYTES}바이트까지만 채점합니다"))
    try:
        nb = json.loads(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise LoadError("not_a_notebook", T(f"{filename} is not a readable notebook ({exc.__class__.__name__})",
                                             f"{filename}은(는) 읽을 수 있는 노트북이 아닙니다 ({exc.__class__.__name__}): "
                                             "잘렸거나 JSON이 아닙니다")) from None
    if not isinstance(nb, dict):
        raise LoadError("not_a_notebook", T(f"{filename} is not a notebook", f"{filename}은(는) 노트북이 아닙니다"))
    sources = notebook_code_cells(nb)
    cells, notes = [], []
    for i, src in enumerate(sources, start=1):
        src = src.replace("\r\n", "\n").replace("\r", "\n")
        transformed = _transform_ipython(src)
        if transformed != src and IPYTHON_REWRITTEN not in notes:
            notes.append(IPYTHON_REWRITTEN)
        cells.append({"source": transformed, "name": f"cell {i}"})
    if not any(c["source"].strip() for c in cells):
        raise LoadError("empty", T(f"{filename} has no code", f"{filename}에 코드가 없습니다"))
    return LoadedSource(filename, "ipynb", _capped(cells), "utf-8", tuple(notes))


def load_file(path: str | Path, data: bytes | None = None) -> LoadedSource:
    """Read a submission from disk (or from ``data``) by its suffix; a large one in a limited process."""
    path = Path(path)
    if data is None:
        data = path.read_bytes()
    suffix = ".ipynb" if path.suffix.lower() == ".ipynb" else ".py"
    if len(data) > IN_PROCESS_BYTES[suffix]:
        return _load_bounded(data, path.name, suffix)
    return _load(data, path.name, suffix)


def _load(data: bytes, filename: str, suffix: str) -> LoadedSource:
    return load_notebook(data, filename) if suffix == ".ipynb" else load_python(data, filename)


def _load_bounded(data: bytes, filename: str, suffix: str) -> LoadedSource:
    """:func:`_load` in a new interpreter limited to BOUNDED_MEMORY_MB and BOUNDED_SECONDS; what it sends back
    is JSON (cells, notes, or the LoadError), read here as data."""
    import os
    import subprocess
    import sys

    def limit_memory():
        import resource

        limit = BOUNDED_MEMORY_MB * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    code = "from autograder.engine.steps.load import _bounded_main; _bounded_main()"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in sys.path if p), OPENBLAS_NUM_THREADS="1")
    try:
        done = subprocess.run([sys.executable, "-c", code, filename, suffix], input=data, capture_output=True,
                              timeout=BOUNDED_SECONDS, env=env,
                              preexec_fn=limit_memory if os.name == "posix" else None)
        reply = json.loads(done.stdout.decode("utf-8")) if done.returncode == 0 else None
    except subprocess.TimeoutExpired:
        raise LoadError("unreadable", T(f"{filename} could not be read within {BOUNDED_SECONDS:g} s",
                                        f"{filename}을(를) {BOUNDED_SECONDS:g}초 안에 읽지 못했습니다")) from None
    except (OSError, ValueError):
        reply = None
    if not isinstance(reply, dict):
        raise LoadError("unreadable", T(f"{filename} could not be read within {BOUNDED_MEMORY_MB} MB of memory",
                                        f"{filename}을(를) {BOUNDED_MEMORY_MB} MB 메모리 안에서 읽지 못했습니다"))
    if "error" in reply:
        status, en, ko = reply["error"]
        raise LoadError(status, T(en, ko))
    return LoadedSource(reply["filename"], reply["kind"], tuple(reply["cells"]), reply["encoding"],
                        tuple(T(en, ko) for en, ko in reply["notes"]))


def _bounded_main() -> None:
    """The limited process of :func:`_load_bounded`: the file's bytes on stdin, JSON on stdout."""
    import sys

    filename, suffix = sys.argv[1], sys.argv[2]
    try:
        src = _load(sys.stdin.buffer.read(), filename, suffix)
        reply = {"filename": src.filename, "kind": src.kind, "cells": list(src.cells), "encoding": src.encoding,
                 "notes": [[n.en, n.ko] for n in src.notes]}
    except LoadError as exc:
        reply = {"error": [exc.status, exc.text.en, exc.text.ko]}
    sys.stdout.write(json.dumps(reply))
