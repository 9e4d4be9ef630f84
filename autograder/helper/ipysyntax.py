"""IPython's special syntax read as IPython reads it, in one pass over the text.

A notebook cell (or a ``.py`` file saved from one) may hold ``%matplotlib inline``, ``%%time``,
``!pip install x``, ``files = !ls``, ``x = %who_ls`` or ``np.mean?``.  IPython's own transformer
(``TransformerManager.transform_cell``) turns them into ``get_ipython()`` calls, but it tokenises
the whole cell again after every line it rewrites: a cell of a few hundred ``!`` lines took
seconds, and a file of them minutes, before any jail.  This module gives the same output for
what students write, with one scan of each line that tracks strings, comments, brackets and
backslash continuations, so its time grows with the text's length and nothing else.

The grader (steps/load.py) and the student helper's ``.py`` route use this same function, so a
file is read the same way by both.  It imports nothing but the standard library.
"""
from __future__ import annotations

import re
import textwrap

__all__ = ["transform_cell", "needs_transform"]

#: A cell holds IPython syntax only if some line starts with an escape, ends with ``?``, or assigns
#: from ``!`` / ``%``: the others are returned unchanged (most cells), without any scan.
_MAYBE = re.compile(r"^[ \t]*[%!?,;/]|\?[ \t]*$|=[ \t]*(?:![^=]|%[A-Za-z_])|^[ \t]*(?:>>>|In \[\d+\]:)", re.MULTILINE)

#: The characters one scan stops at: quotes, a comment, brackets, ``=`` and a backslash.  Everything
#: between them (names, numbers, other operators, spaces) is skipped by the regex engine in one step.
_SIGNIFICANT = re.compile(r"""['"#()\[\]{}=\\]""")
#: Characters before an ``=`` that make it part of another operator (``==``, ``<=``, ``+=``, ``:=``...).
_OPERATOR_BEFORE_EQUALS = set("=<>!+-*/%@&|^:")
#: The rest of a string after its opening quote, up to and with its closing one (loops unrolled: one
#: regex step per run of ordinary characters).  One-quote strings end at the line's end.
_STRING_END = {
    "'": re.compile(r"[^\\'\n]*(?:\\.[^\\'\n]*)*'"),
    '"': re.compile(r'[^\\"\n]*(?:\\.[^\\"\n]*)*"'),
    "'''": re.compile(r"[^\\']*(?:(?:\\.|'(?!''))[^\\']*)*'''", re.DOTALL),
    '"""': re.compile(r'[^\\"]*(?:(?:\\.|"(?!""))[^\\"]*)*"""', re.DOTALL),
}
_HELP_END = re.compile(r"""(%{0,2}(?!\d)[\w*]+(\.(?!\d)[\w*]+|\[-?[0-9]+\])*)(\?\??)$""")
_ESCAPE_SINGLES = set("!?%,;/")
#: Operators that start with an escape character: Python's tokenizer reads them whole.
_NOT_ESCAPE = re.compile(r"//|/=|%=|!=")
_PS1 = re.compile(r"^\s*>>>[ \t]?")
_PS2 = re.compile(r"^\s*\.\.\.[ \t]?")
_IPY_PROMPT = re.compile(r"^((\[nav\]|\[ins\])?\ )?In\ \[\d+\]:\ |^\s*\.{3,}:\ ?")


def needs_transform(source: str) -> bool:
    """Whether ``source`` may hold IPython syntax (a cheap test; :func:`transform_cell` is exact)."""
    return _MAYBE.search(source) is not None


def transform_cell(cell: str) -> str:
    """``cell`` with IPython's special syntax turned into plain Python, as IPython's
    ``TransformerManager().transform_cell`` gives it for the forms students write."""
    if not cell.endswith("\n"):
        cell += "\n"
    lines = cell.splitlines(keepends=True)
    lines = _cleanup(lines)
    if lines and lines[0].startswith("%%") and not re.match(r"%%\w+\?", lines[0]):
        name, _, first = lines[0][2:].rstrip().partition(" ")
        return "get_ipython().run_cell_magic(%r, %r, %r)\n" % (name, first, "".join(lines[1:]))
    return "".join(_transform_lines(lines))


def _cleanup(lines: list[str]) -> list[str]:
    """Leading blank lines, a common indent and pasted prompts removed, as IPython does first."""
    for i, line in enumerate(lines):
        if line and not line.isspace():
            lines = lines[i:]
            break
    lines = textwrap.dedent("".join(lines)).splitlines(keepends=True)
    if any(_PS1.match(line) for line in lines[:2]) or any(line.lstrip().startswith(">>>") for line in lines):
        stripped = [_PS2.sub("", _PS1.sub("", line, count=1), count=1) for line in lines]
        if stripped != lines:
            lines = textwrap.dedent("".join(stripped)).splitlines(keepends=True)
    if lines and (_IPY_PROMPT.match(lines[0]) or (len(lines) > 1 and _IPY_PROMPT.match(lines[1]))):
        lines = [_IPY_PROMPT.sub("", line, count=1) for line in lines]
    return lines


class _Line:
    """What the scan learnt of one logical line: where its first token starts, its first
    top-level ``=``, and whether it ends in ``?`` outside strings and comments."""

    __slots__ = ("first", "assign", "ends_with_help", "end")

    def __init__(self):
        self.first: tuple[int, int] | None = None
        self.assign: tuple[int, int] | None = None
        self.ends_with_help = False
        self.end = 0


#: Work allowed per character of a cell before the transform gives up (and leaves the cell as it is:
#: its syntax error then costs that cell only).  Real cells need about one unit per character.
WORK_PER_CHAR = 20


class _TooMuchWork(Exception):
    pass


def _transform_lines(lines: list[str]) -> list[str]:
    out: list[str] = []
    budget = [WORK_PER_CHAR * sum(len(line) for line in lines) + 10_000]
    i = 0
    try:
        while i < len(lines):
            info = _scan_logical_line(lines, i, budget)
            replacement = _rewrite(lines, i, info)
            if replacement is None:
                out.extend(lines[i:info.end + 1])
                i = info.end + 1
            else:
                new_line, last = replacement
                out.append(new_line)
                i = last + 1
    except _TooMuchWork:
        return lines
    return out


def _scan_logical_line(lines: list[str], start: int, budget: list[int]) -> _Line:
    """Scan from physical line ``start`` to the end of its logical line (brackets, strings and
    backslashes continue it), recording what the rewrites need.  ``budget[0]`` is the work left."""
    info = _Line()
    depth = 0
    quote: str | None = None  # the open string a line ends inside of (triple, or continued by a backslash)
    last_sig = ""  # the last significant character outside strings and comments
    row = start
    while row < len(lines):
        text = lines[row]
        budget[0] -= len(text) + 1
        if budget[0] < 0:
            raise _TooMuchWork
        pos = 0
        if quote is not None:  # inside a string that began on an earlier line
            m = _STRING_END[quote].match(text)
            if m is None and (len(quote) == 3 or text.rstrip("\r\n").endswith("\\")):
                row += 1
                continue
            pos, quote, last_sig = (m.end() if m else len(text)), None, '"'
        body_end = len(text.rstrip("\r\n"))
        code_end = body_end  # where the line's code ends (a comment may end it sooner)
        backslash = False
        if row == start:
            first = len(text) - len(text.lstrip(" \t\f"))
            if first < body_end and text[first] != "#":
                info.first = (row, first)
        while True:
            m = _SIGNIFICANT.search(text, pos, body_end)
            if m is None:
                break
            ch, at = m.group(), m.start()
            pos = at + 1
            if ch == "#":
                code_end = at
                break
            if ch in "'\"":
                q = ch * 3 if text.startswith(ch * 3, at) else ch
                end = _STRING_END[q].match(text, at + len(q))
                if end is not None:
                    pos = end.end()
                elif len(q) == 3 or text[:body_end].endswith("\\"):  # the string goes on past this line
                    quote = q
                    break
                # else an unterminated quote: Python's tokenizer reports it alone and goes on after it
            elif ch in "([{":
                depth += 1
            elif ch in ")]}":
                depth = max(depth - 1, 0)
            elif ch == "=":
                if (depth == 0 and info.assign is None and text[at - 1:at] not in _OPERATOR_BEFORE_EQUALS
                        and text[at + 1:at + 2] != "="):
                    info.assign = (row, at)
                if text[at + 1:at + 2] == "=":
                    pos = at + 2
            elif ch == "\\" and at == body_end - 1:
                backslash = True  # an explicit continuation
                code_end = at
                break
        code = text[:code_end].rstrip() if quote is None else ""
        if code:
            last_sig = code[-1]
        if quote is None and depth == 0 and not backslash:
            info.end = row
            info.ends_with_help = last_sig == "?"
            return info
        row += 1
    info.end = len(lines) - 1  # the cell ends inside a string or a bracket: the rest is one line
    info.ends_with_help = quote is None and last_sig == "?"
    return info


def _continued_end(lines: list[str], row: int) -> int:
    while lines[row].endswith("\\\n") and row + 1 < len(lines):
        row += 1
    return row


def _assemble(lines: list[str], row: int, col: int, end: int) -> str:
    parts = [lines[row][col:]] + lines[row + 1:end + 1]
    return " ".join([p.rstrip()[:-1] for p in parts[:-1]] + [parts[-1].rstrip()])


def _rewrite(lines: list[str], row: int, info: _Line) -> tuple[str, int] | None:
    """The rewritten line for the logical line at ``row`` and the last physical line it replaces,
    or None when it holds no IPython syntax.  Candidates are tried as IPython orders them: by
    position, then help (``x?``) before an escape."""
    if info.first is None:
        return None
    candidates = []
    first_row, first_col = info.first
    first_char = lines[first_row][first_col]
    if info.ends_with_help:
        candidates.append((first_row, first_col, 5, _help))
    if first_char in _ESCAPE_SINGLES and not _NOT_ESCAPE.match(lines[first_row], first_col):
        candidates.append((first_row, first_col, 10, _escaped))
    if info.assign is not None:
        a_row, a_col = info.assign
        rest = lines[a_row][a_col + 1:]
        after = rest.lstrip(" \t")
        col = a_col + 1 + len(rest) - len(after)
        stripped = lines[a_row].strip()
        if re.match(r"%[^\W\d]", after):
            candidates.append((a_row, col, 10, _magic_assign))
        elif after.startswith("!") and not after.startswith("!=") and not stripped.startswith("="):
            candidates.append((a_row, col, 10, _system_assign))
    for c_row, c_col, _, rewrite in sorted(candidates, key=lambda c: c[:3]):
        try:
            return rewrite(lines, c_row, c_col, info)
        except SyntaxError:
            continue
    return None


def _magic_assign(lines, row, col, info):
    end = _continued_end(lines, row)
    rhs = _assemble(lines, row, col, end)
    name, _, args = rhs[1:].partition(" ")
    return f"{lines[row][:col]}get_ipython().run_line_magic({name!r}, {args!r})\n", end


def _system_assign(lines, row, col, info):
    end = _continued_end(lines, row)
    rhs = _assemble(lines, row, col, end)
    return f"{lines[row][:col]}get_ipython().getoutput({rhs[1:]!r})\n", end


def _escaped(lines, row, col, info):
    end = _continued_end(lines, row)
    line = _assemble(lines, row, col, end)
    if line[:2] in ("!!", "??"):
        escape, content = line[:2], line[2:]
    else:
        escape, content = line[:1], line[1:]
    return lines[row][:col] + _ESCAPE_CALL[escape](content) + "\n", end


def _help(lines, row, col, info):
    piece = "".join(lines[row:info.end + 1])
    m = _HELP_END.search(piece[col:])
    if not m:
        raise SyntaxError("not a help request")
    return lines[row][:col] + _help_call(m.group(1), m.group(3)) + "\n", info.end


def _help_call(target: str, esc: str) -> str:
    method = "pinfo2" if esc == "??" else "psearch" if "*" in target else "pinfo"
    name, _, arg = f"{method} {target}".partition(" ")
    return "get_ipython().run_line_magic({!r}, {!r})".format(name.lstrip("%"), arg)


def _paren(content: str) -> str:
    name, _, args = content.partition(" ")
    if not name:
        raise SyntaxError("'/' must be followed by a callable name")
    return "{}({})".format(name, ", ".join(args.split()))


_ESCAPE_CALL = {
    "!": "get_ipython().system({!r})".format,
    "!!": "get_ipython().getoutput({!r})".format,
    "?": lambda c: _help_call(c, "?") if c else "get_ipython().show_usage()",
    "??": lambda c: _help_call(c, "??") if c else "get_ipython().show_usage()",
    "%": lambda c: "get_ipython().run_line_magic({!r}, {!r})".format(*c.partition(" ")[::2]),
    ",": lambda c: '{}("{}")'.format(c.partition(" ")[0], '", "'.join(c.partition(" ")[2].split())),
    ";": lambda c: '{}("{}")'.format(*c.partition(" ")[::2]),
    "/": _paren,
}
