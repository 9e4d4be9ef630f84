"""The quiz bank as a GIFT file (Moodle's plain-text question format); quiz.py has the questions.

See quiz.py's docstring for the Moodle facts both writers rely on.
"""
from __future__ import annotations

from typing import Iterable

from autograder.engine.export.quiz import (
    Category, Html, Item, MultiChoice, Numerical, _answer, _checked, _html_block, _html_inline, _number,
)



def to_gift(items: Iterable[Item]) -> str:
    """Write a GIFT question file.

    GIFT has no place for a question's mark, the shuffle flag, the numbering style or a
    category description: Moodle imports a mark of 1 and the site's defaults (shipped as
    shuffled, numbered abc).  Settings that differ from those are written as a ``//`` comment
    above the question, which the importer skips and the TA reads.

    Args:
        items: categories and questions, in order, as for :func:`to_moodle_xml`.

    Returns:
        The whole file as text (blank line between questions, newline-terminated);
        write it with ``encoding="utf-8"``.
    """
    blocks = []
    for item in _checked(items):
        if isinstance(item, Category):
            # The importer takes the rest of the line verbatim (no unescaping), so the path is
            # written raw; Category refuses the backslashes and newlines that would break it.
            blocks.append(f"$CATEGORY: {item.path}")
        elif isinstance(item, Numerical):
            fmt, text = _gift_content(item.text, block=True)
            answer = f"#{_answer(item.answer, item.tolerance)}:{_number(item.tolerance)}"
            if item.mistakes:  # several answers: each with '=', the mistakes at a weight of 0 %
                answer = f"#={_answer(item.answer, item.tolerance)}:{_number(item.tolerance)}" + "".join(
                    f" =%0%{_answer(m.value, tol)}:{_number(tol)}#{_gift_field(m.feedback, fmt, block=True)}"
                    for m, tol in item.mistake_answers())
            blocks.append(_gift_comment(item) + f"::{_gift_escape(item.name)}::[{fmt}]{_gift_escape(text)} "
                          f"{{{answer}{_gift_general_feedback(item, fmt)}}}")
        else:
            fmt, text = _gift_content(item.text, block=True)
            lines = [_gift_comment(item) + f"::{_gift_escape(item.name)}::[{fmt}]{_gift_escape(text)} {{"]
            for c in item.choices:
                if c.fraction == 100 and item.single:
                    mark = "="  # an '=' is also what tells the importer "single answer"
                elif c.fraction == 0:
                    mark = "~"
                else:
                    mark = f"~%{_number(c.fraction)}%"
                line = "\t" + mark + _gift_field(c.text, fmt, block=False)
                if c.feedback is not None:
                    line += "#" + _gift_field(c.feedback, fmt, block=True)
                lines.append(line)
            if item.feedback is not None:
                lines.append("\t" + _gift_general_feedback(item, fmt))
            lines.append("}")
            blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n" if blocks else ""


def _gift_comment(item: Numerical | MultiChoice) -> str:
    lost = []
    if item.points != 1:
        lost.append(f"points {_number(item.points)}")
    if isinstance(item, MultiChoice):
        if not item.shuffle:
            lost.append("do not shuffle")
        if item.numbering != "abc":
            lost.append(f"numbering {item.numbering}")
    if not lost:
        return ""
    return f"// Set by hand after import (GIFT cannot carry it): {', '.join(lost)}\n"


def _gift_general_feedback(item: Numerical | MultiChoice, fmt: str) -> str:
    return "" if item.feedback is None else "####" + _gift_field(item.feedback, fmt, block=True)


def _gift_field(content, question_fmt: str, *, block: bool) -> str:
    """A choice or feedback text, with a format marker only where the importer needs one."""
    fmt, text = _gift_content(content, block=block)
    # A field inherits the question text's format; a leading '[' would be read as a format
    # marker and a leading '%' as a weight, so those get an explicit marker in front.
    if fmt != question_fmt or text.startswith(("[", "%")):
        return f"[{fmt}]{_gift_escape(text)}"
    return _gift_escape(text)


def _gift_content(content, *, block: bool) -> tuple[str, str]:
    """('plain' | 'html', text) for GIFT: plain when no part of the content is Html."""
    if content is None:
        return "plain", ""
    parts = content if isinstance(content, tuple) else (content,)
    if any(isinstance(p, Html) for p in parts):
        return "html", (_html_block(content) if block else _html_inline(content))
    if isinstance(content, tuple):
        ko, en = content
        return "plain", f"{ko}\n{en}" if block else f"{ko} / {en}"
    return "plain", content


def _gift_escape(s: str) -> str:
    # Backslash first, or the escapes added after it would be doubled.
    s = s.replace("\\", "\\\\")
    for ch in "~=#{}:":
        s = s.replace(ch, "\\" + ch)
    # A raw newline could end the question (a blank line does); GIFT's '\n' escape restores it.
    return s.replace("\n", "\\n")
