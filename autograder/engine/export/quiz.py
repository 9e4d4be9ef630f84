"""The eclass quiz bank: its questions, and the Moodle XML file (gift.py writes GIFT), with the standard library.

A bank is a flat sequence of items: a :class:`Category` marker, then the questions that go
into that category, then the next marker, and so on (Moodle's own layout, which lets a
quiz draw a "random question from category" per template)::

    bank = [
        Category("$course$/initlab/week01/xavier_std"),
        Numerical("xavier_std n=300", ("n=300일 때 Xavier 표준편차는?", "Xavier std for n=300?"),
                  answer=300 ** -0.5, tolerance=0.001),
        Category("$course$/initlab/week01/concepts"),
        MultiChoice("relu_init", ("ReLU에 맞는 초깃값은?", "Which init suits ReLU?"),
                    choices=(Choice("He", 100), Choice("Xavier"), Choice("0")))
    ]
    Path("week01.xml").write_text(to_moodle_xml(bank), encoding="utf-8")
    Path("week01.gift").write_text(to_gift(bank), encoding="utf-8")

Texts (question text, choices, feedback, category info) take one of three shapes:

- ``str``: plain text.  It shows exactly as written in both formats: it is HTML-escaped
  for Moodle XML (newlines become ``<br>``) and written as ``[plain]`` in GIFT.
- :class:`Html`: markup, passed through untouched (``[html]`` in GIFT).
- a pair ``(ko, en)`` of the two above, or an :class:`autograder.i18n.Text`: Korean
  first, English beside it (one paragraph each in a question text, ``ko / en`` in a choice).

The Moodle facts this relies on (from Moodle's question/format/xml/format.php and
question/format/gift/format.php; worked examples are in tests/engine/export/data/):

- The XML file's first line is exactly the declaration below; text is in CDATA when it holds
  any of ``& < > " '``, with ``]]>`` split across two sections (what Moodle's exporter does).
- Answer fractions are percents from a fixed list, matched by the importer to within 1e-5
  on the 0..1 scale; anything else ("33") makes the import fail.
- A numerical answer's ``<tolerance>`` is an absolute ± margin.
- GIFT escapes ``\\ ~ = # { } :`` with a backslash and newlines as ``\\n``; a blank line
  ends a question; a text starting with ``[`` is read as a format marker.

Both writers are pure functions of their input: equal items give byte-identical files.
"""
from __future__ import annotations

import html
import importlib.util
import math
import numbers
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from typing import Iterable, Sequence, Union

from autograder.helper.text import Text

__all__ = [
    "Html", "Category", "Choice", "Mistake", "Numerical", "MultiChoice", "Item", "Content",
    "MOODLE_FRACTIONS", "to_moodle_xml", "to_canvas_qti",
]

#: Percent values Moodle accepts for an answer's fraction (question_bank::fraction_options_full),
#: written the way Moodle's own exporter writes them.
MOODLE_FRACTIONS: tuple[float, ...] = tuple(
    sign * f
    for sign, fs in ((1, (100, 90, 83.33333, 80, 75, 70, 66.66667, 60, 50, 40, 33.33333, 30, 25, 20,
                          16.66667, 14.28571, 12.5, 11.11111, 10, 5, 0)),
                     (-1, (5, 10, 11.11111, 12.5, 14.28571, 16.66667, 20, 25, 30, 33.33333, 40, 50,
                           60, 66.66667, 70, 75, 80, 83.33333, 90, 100)))
    for f in fs
)
# Moodle's match_grade_options compares fractions (0..1) within 1e-5, i.e. 1e-3 in percent.
_FRACTION_MATCH_PERCENT = 1e-3

_NUMBERINGS = ("abc", "ABCD", "123", "iii", "IIII", "none")

XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>'

# Characters XML 1.0 forbids (a parser rejects the whole file), plus lone surrogates that
# cannot even be encoded as UTF-8.  Tab, LF and CR are fine; CR is normalised to LF below.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


@dataclass(frozen=True)
class Html:
    """Markup to show as HTML, untouched; a plain ``str`` is escaped instead."""

    markup: str
    """The HTML fragment, e.g. ``'<code>xavier_init</code>의 표준편차'``."""

    def __post_init__(self) -> None:
        if not isinstance(self.markup, str):
            raise TypeError(f"Html markup must be a str, not {type(self.markup).__name__}")
        object.__setattr__(self, "markup", _clean(self.markup, "Html markup"))


Fragment = Union[str, Html]
#: What a text field accepts: a plain str, Html, a (ko, en) pair of those, or an i18n Text.
Content = Union[str, Html, tuple, Text]


@dataclass(frozen=True)
class Category:
    """Marks that the questions after it go into a Moodle question category."""

    path: str
    """Slash-separated, starting with ``$course$/``, e.g. ``$course$/initlab/week01/xavier_std``;
    Moodle creates missing levels (when the TA ticks "Get category from file")."""
    info: Content | None = None
    """Category description; Moodle XML only (GIFT has no place for it)."""

    def __post_init__(self) -> None:
        if not isinstance(self.path, str):
            raise TypeError(f"category path must be a str, not {type(self.path).__name__}")
        path = self.path
        if "\\" in path or "\n" in path or "\r" in path or _XML_INVALID.search(path):
            raise ValueError(f"category path {path!r} contains a backslash or a control character")
        # Only $course$ was checked against Moodle's fixtures; other context tokens are spelt
        # differently across versions, so they are refused rather than guessed.
        if "<" in path or ">" in path:
            raise ValueError(f"category path {path!r} contains < or >; Moodle strips tags from category names")
        if not path.startswith("$course$/"):
            raise ValueError(f"category path {path!r} must start with '$course$/'")
        # Moodle splits on a single '/', reads '//' as a literal slash and trims each level: an
        # empty or padded level would silently become a different path than the one written.
        for level in path.split("/")[1:]:
            if not level or level != level.strip():
                raise ValueError(f"category path {path!r} has an empty or space-padded level")
        object.__setattr__(self, "info", _content(self.info, "category info", optional=True))


@dataclass(frozen=True)
class Choice:
    """One answer of a multiple-choice question."""

    text: Content
    """What the student picks; a pair shows as ``ko / en``."""
    fraction: float = 0.0
    """Credit in percent, one of :data:`MOODLE_FRACTIONS` (100 = right, 0 = wrong, negatives allowed)."""
    feedback: Content | None = None
    """Shown to a student who picked this choice."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "text", _content(self.text, "choice text"))
        object.__setattr__(self, "fraction", _moodle_fraction(self.fraction))
        object.__setattr__(self, "feedback", _content(self.feedback, "choice feedback", optional=True))


@dataclass(frozen=True)
class Mistake:
    """A typical wrong value of a numerical question: it must fall outside the tolerance, and a student
    who types it gets this feedback (a 0 % answer of its own in Moodle)."""

    value: float
    feedback: Content

    def __post_init__(self) -> None:
        object.__setattr__(self, "value", _real(self.value, "value of a mistake") + 0.0)
        object.__setattr__(self, "feedback", _content(self.feedback, "feedback of a mistake"))


@dataclass(frozen=True)
class Numerical:
    """A question answered with a number, right within an absolute tolerance."""

    name: str
    """Question-bank name: one line of plain text without ``<`` or ``>`` (e.g. ``'xavier_std v1'``),
    unique within its category."""
    text: Content
    """The question shown to the student."""
    answer: float
    """The right value, as computed by the reference solution."""
    tolerance: float
    """Absolute ± margin (Moodle's numerical type has no relative one: pass ``abs(answer) * rel``)."""
    feedback: Content | None = None
    """General feedback shown after the attempt, e.g. how the answer is derived."""
    points: float = 1.0
    """Default mark of the question (Moodle's ``defaultgrade``)."""
    mistakes: Sequence[Mistake] = ()
    """The typical wrong values the question is meant to catch.  The tolerance must be at most half the
    distance from the answer to each of them (else the question is refused: draw other numbers)."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _name(self.name))
        object.__setattr__(self, "text", _content(self.text, f"text of {self.name!r}"))
        answer = _real(self.answer, f"answer of {self.name!r}")
        tolerance = _real(self.tolerance, f"tolerance of {self.name!r}")
        if tolerance < 0:
            raise ValueError(f"tolerance of {self.name!r} is negative ({tolerance})")
        # A zero margin only works when a student can type the answer exactly.
        if tolerance == 0 and answer != int(answer):
            raise ValueError(f"{self.name!r}: a non-integer answer ({answer!r}) needs a tolerance > 0")
        object.__setattr__(self, "answer", answer + 0.0)  # + 0.0 turns -0.0 into 0.0
        object.__setattr__(self, "tolerance", tolerance)
        object.__setattr__(self, "feedback", _content(self.feedback, f"feedback of {self.name!r}", optional=True))
        object.__setattr__(self, "points", _points(self.points, self.name))
        mistakes = tuple(self.mistakes)
        if not all(isinstance(m, Mistake) for m in mistakes):
            raise TypeError(f"{self.name!r}: mistakes must be Mistake objects")
        for m in mistakes:
            if abs(m.value - answer) < 2 * tolerance or m.value == answer:
                raise ValueError(f"{self.name!r}: the mistake {m.value:g} is within twice the tolerance "
                                 f"({tolerance:g}) of the answer {answer:g}; draw other numbers")
        object.__setattr__(self, "mistakes", mistakes)

    def mistake_answers(self) -> list[tuple[Mistake, float]]:
        """Each distinct mistake with the tolerance of its own 0 % answer: at most the question's, and at
        most half the distance to the answer and to every other mistake, so no two ranges overlap."""
        distinct: list[Mistake] = []
        for m in self.mistakes:
            if all(m.value != d.value for d in distinct):
                distinct.append(m)
        out = []
        for m in distinct:
            gaps = [abs(m.value - v) for v in [self.answer] + [d.value for d in distinct if d is not m]]
            out.append((m, min([self.tolerance] + [g / 2 for g in gaps])))
        return out


@dataclass(frozen=True)
class MultiChoice:
    """A multiple-choice question, with one right answer or several."""

    name: str
    """Question-bank name, as for :attr:`Numerical.name`."""
    text: Content
    """The question shown to the student."""
    choices: Sequence[Choice]
    """At least two; stored as a tuple."""
    single: bool = True
    """True: exactly one choice is worth 100.  False: several may be ticked, and the positive
    fractions add up to 100 (wrong ticks may cost a negative fraction)."""
    shuffle: bool = True
    """Shuffle the choices per attempt (the quiz's own shuffle setting must allow it too)."""
    feedback: Content | None = None
    """General feedback shown after the attempt."""
    points: float = 1.0
    """Default mark of the question."""
    numbering: str = "abc"
    """How choices are numbered: abc, ABCD, 123, iii, IIII or none."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", _name(self.name))
        where = f"multiple-choice question {self.name!r}"
        object.__setattr__(self, "text", _content(self.text, f"text of {self.name!r}"))
        if isinstance(self.choices, (str, Choice)):
            raise TypeError(f"{where}: choices must be a sequence of Choice, not one {type(self.choices).__name__}")
        choices = tuple(self.choices)
        if not all(isinstance(c, Choice) for c in choices):
            raise TypeError(f"{where}: choices must be a sequence of Choice")
        if len(choices) < 2:
            raise ValueError(f"{where} needs at least two choices (GIFT's importer refuses fewer)")
        seen = [_html_inline(c.text) for c in choices]
        if len(set(seen)) != len(seen):
            raise ValueError(f"{where} has two identical choices")
        for flag in ("single", "shuffle"):
            if not isinstance(getattr(self, flag), bool):
                raise TypeError(f"{where}: {flag} must be True or False")
        if self.single:
            # Moodle only needs the best choice to be 100; exactly one keeps "single" honest.
            if sum(c.fraction == 100 for c in choices) != 1:
                raise ValueError(f"{where} is single-answer, so exactly one choice must be worth 100")
        else:
            positive = sum(c.fraction for c in choices if c.fraction > 0)
            # Moodle refuses a multiple-answer question whose positive fractions do not sum to 100%.
            if abs(positive - 100) > 0.01:
                raise ValueError(f"{where} allows several answers, so its positive fractions must "
                                 f"sum to 100 (they sum to {positive:g})")
        if self.numbering not in _NUMBERINGS:
            raise ValueError(f"{where}: numbering must be one of {', '.join(_NUMBERINGS)}")
        object.__setattr__(self, "choices", choices)
        object.__setattr__(self, "feedback", _content(self.feedback, f"feedback of {self.name!r}", optional=True))
        object.__setattr__(self, "points", _points(self.points, self.name))


#: One entry of a quiz bank.
Item = Union[Category, Numerical, MultiChoice]


# ---------------------------------------------------------------------------------------------
# Moodle XML


def to_moodle_xml(items: Iterable[Item]) -> str:
    """Write a Moodle XML question file.

    Args:
        items: categories and questions, in order; each question goes into the category
            that precedes it (or into the one picked on the import form if none does).

    Returns:
        The whole file as text, first line ``<?xml version="1.0" encoding="UTF-8"?>``,
        newline-terminated; write it with ``encoding="utf-8"``.
    """
    lines = [XML_DECLARATION, "<quiz>"]
    for item in _checked(items):
        lines += _xml_item(item)
    lines.append("</quiz>")
    return "\n".join(lines) + "\n"


def _xml_item(item: Item) -> list[str]:
    if isinstance(item, Category):
        body = [f"<category><text>{_xml_text(item.path)}</text></category>",
                _xml_field("info", _html_block(item.info))]
        return _xml_question("category", body)
    body = [f"<name><text>{_xml_text(item.name)}</text></name>",
            _xml_field("questiontext", _html_block(item.text)),
            _xml_field("generalfeedback", _html_block(item.feedback)),
            f"<defaultgrade>{_number(item.points)}</defaultgrade>"]
    if isinstance(item, Numerical):
        # The answer is plain text to Moodle (no format attribute), as in its own exporter.
        body.append(f'<answer fraction="100"><text>{_answer(item.answer, item.tolerance)}</text>'
                    f"<tolerance>{_number(item.tolerance)}</tolerance>"
                    f"{_xml_field('feedback', '')}</answer>")
        for mistake, tolerance in item.mistake_answers():
            body.append(f'<answer fraction="0"><text>{_answer(mistake.value, tolerance)}</text>'
                        f"<tolerance>{_number(tolerance)}</tolerance>"
                        f"{_xml_field('feedback', _html_block(mistake.feedback))}</answer>")
        return _xml_question("numerical", body)
    body += [f"<single>{_xml_bool(item.single)}</single>",
             f"<shuffleanswers>{_xml_bool(item.shuffle)}</shuffleanswers>",
             f"<answernumbering>{item.numbering}</answernumbering>"]
    for c in item.choices:
        body.append(f'<answer fraction="{_number(c.fraction)}" format="html">'
                    f"<text>{_xml_text(_html_inline(c.text))}</text>"
                    f"{_xml_field('feedback', _html_block(c.feedback))}</answer>")
    return _xml_question("multichoice", body)


def _xml_question(qtype: str, body: list[str]) -> list[str]:
    # Layout of Moodle's docs example: one line per child of <question>.
    return [f'  <question type="{qtype}">', *("    " + line for line in body), "  </question>"]


def _xml_field(tag: str, html_text: str) -> str:
    return f'<{tag} format="html"><text>{_xml_text(html_text)}</text></{tag}>'


def _xml_bool(flag: bool) -> str:
    return "true" if flag else "false"


def _xml_text(s: str) -> str:
    """Character data, in CDATA when it holds markup characters (Moodle's xml_escape rule)."""
    if not any(ch in s for ch in "&<>\"'"):
        return s
    # ']]>' would end the section early, so it is cut between ']]' and '>' into two sections.
    return "<![CDATA[" + s.replace("]]>", "]]]]><![CDATA[>") + "]]>"


# ---------------------------------------------------------------------------------------------
# Canvas


def to_canvas_qti(items: Iterable[Item], path) -> None:
    """Canvas QTI export through text2qti: not implemented.

    Args:
        items: as for :func:`to_moodle_xml`.
        path: where the QTI zip would go.

    Raises:
        ImportError: text2qti is not installed (``pip install text2qti`` to get it).
        NotImplementedError: always otherwise; the bridge was not written because text2qti
            could not be installed to test it, and an untested QTI file fails silently in Canvas.
    """
    if importlib.util.find_spec("text2qti") is None:
        raise ImportError("Canvas QTI export needs the optional package text2qti "
                          "(BSD-3; `pip install text2qti`), which is not installed.  Moodle XML "
                          "(to_moodle_xml) and GIFT (to_gift) need nothing extra.")
    raise NotImplementedError("text2qti is installed, but initlab's bridge to it is not written yet: "
                              "export Moodle XML or GIFT, or write text2qti's plain-text quiz by hand.")


# ---------------------------------------------------------------------------------------------
# Shared helpers


def _checked(items: Iterable[Item]) -> list[Item]:
    """The items as a list, after checks that need the whole bank."""
    items = list(items)
    seen: set[tuple[str | None, str]] = set()
    category = None
    for item in items:
        if isinstance(item, Category):
            category = item.path
        elif isinstance(item, (Numerical, MultiChoice)):
            # Moodle would import both, and a TA could not tell two variants apart in the bank.
            if (category, item.name) in seen:
                raise ValueError(f"two questions are named {item.name!r} in category {category}")
            seen.add((category, item.name))
        else:
            raise TypeError(f"not a quiz item: {item!r}")
    return items


def _clean(s: str, what: str) -> str:
    """Text with CR line ends made LF and outer space removed (both importers trim)."""
    s = s.replace("\r\n", "\n").replace("\r", "\n").strip()
    bad = _XML_INVALID.search(s)
    if bad:
        raise ValueError(f"{what} contains {bad.group()!r}, which an XML file cannot hold")
    return s


def _name(name) -> str:
    if not isinstance(name, str):
        raise TypeError(f"question name must be a str, not {type(name).__name__}")
    name = _clean(name, "question name")
    if not name or "\n" in name or "\t" in name:
        raise ValueError(f"question name {name!r} must be one non-empty line")
    # The importer cleans names as PARAM_TEXT, which strips anything that looks like a tag.
    if "<" in name or ">" in name:
        raise ValueError(f"question name {name!r} contains < or >; Moodle strips tags from names")
    if len(name) > 255:  # Moodle shortens longer names on import
        raise ValueError(f"question name is {len(name)} characters long; Moodle keeps 255")
    return name


def _content(value, what: str, *, optional: bool = False):
    """A text field in its stored shape: str, Html, or a (ko, en) tuple of those."""
    if value is None and optional:
        return None
    if isinstance(value, Text):
        value = (value.ko, value.en)
    if isinstance(value, list):
        value = tuple(value)
    if isinstance(value, tuple):
        if len(value) != 2:
            raise ValueError(f"{what}: a bilingual text is a (ko, en) pair, got {len(value)} parts")
        return tuple(_fragment(v, f"{what} ({lang})") for v, lang in zip(value, ("ko", "en")))
    return _fragment(value, what)


def _fragment(value, what: str) -> Fragment:
    if isinstance(value, Html):
        fragment, text = value, value.markup
    elif isinstance(value, str):
        fragment = text = _clean(value, what)
    else:
        raise TypeError(f"{what} must be a str, Html, (ko, en) pair or Text, not {type(value).__name__}")
    if not text:
        raise ValueError(f"{what} is empty")
    return fragment


def _real(x, what: str) -> float:
    # bool is an int, but True as an answer is a caller's bug; numpy scalars are Reals.
    if isinstance(x, bool) or not isinstance(x, numbers.Real):
        raise TypeError(f"{what} must be a real number, not {type(x).__name__}")
    x = float(x)  # np.float64 would otherwise repr as 'np.float64(...)'
    if not math.isfinite(x):
        raise ValueError(f"{what} is {x}")
    return x


def _points(points, name: str) -> float:
    points = _real(points, f"points of {name!r}")
    if points <= 0:
        raise ValueError(f"points of {name!r} must be positive")
    return points


def _moodle_fraction(fraction) -> float:
    fraction = _real(fraction, "choice fraction")
    for allowed in MOODLE_FRACTIONS:
        if abs(fraction - allowed) < _FRACTION_MATCH_PERCENT:
            return allowed  # 100/3 becomes 33.33333, the value Moodle stores
    raise ValueError(f"Moodle refuses a fraction of {fraction:g}%; use one of "
                     f"{', '.join(_number(f) for f in MOODLE_FRACTIONS)}")


_DECIMAL = Context(prec=80)  # enough digits for any float in positional notation


def _number(x: float) -> str:
    """A float in positional notation with the fewest digits that read back the same value."""
    # repr is the shortest round-trip form; Decimal turns '1e-05' into '0.00001', which every
    # importer reads (PHP's is_numeric would take '1e-05' too, but a TA reads this more easily).
    s = format(Decimal(repr(float(x))), "f")
    if "." in s:
        s = s.rstrip("0").rstrip(".")
    return "0" if s in ("-0", "") else s


def _answer(value: float, tolerance: float) -> str:
    """The answer rounded to two digits past the tolerance's first significant digit.

    Moodle shows this text as "the correct answer", so 0.05773502691896258 becomes 0.05774
    for a tolerance of 0.001; the accepted interval moves by at most 0.5 % of the tolerance.
    """
    if tolerance == 0:
        return _number(value)
    decimals = max(0, 2 - Decimal(repr(tolerance)).adjusted())
    rounded = Decimal(repr(value)).quantize(Decimal(1).scaleb(-decimals), ROUND_HALF_EVEN, _DECIMAL)
    return _number(float(rounded))


def _escape_plain(text: str) -> str:
    # Quotes need no escape in element content; newlines must become visible line breaks.
    return html.escape(text, quote=False).replace("\n", "<br>")


def _html_inline(content) -> str:
    """Content as an HTML fragment for a choice: a pair reads 'ko / en' on one line."""
    if content is None:
        return ""
    if isinstance(content, tuple):
        return " / ".join(_html_inline(part) for part in content)
    return content.markup if isinstance(content, Html) else _escape_plain(content)


def _html_block(content) -> str:
    """Content as HTML for a question text or feedback: a pair is Korean first, then English."""
    if content is None:
        return ""
    if isinstance(content, Html):
        return content.markup
    if isinstance(content, str):
        return f"<p>{_escape_plain(content)}</p>"
    # Markup may hold blocks (<pre>, <ul>) that cannot sit inside a <p>, hence a <div> for it.
    return "".join(f'<div lang="{lang}">{part.markup}</div>' if isinstance(part, Html)
                   else f'<p lang="{lang}">{_escape_plain(part)}</p>'
                   for part, lang in zip(content, ("ko", "en")))
