"""``initlab groups``: the course's project groups, drawn at random from its secret key.

The draw is reproducible: the same course key, label and roster give the same groups, whatever the
roster's row order (students are sorted by id before the shuffle), and a new label draws anew.  The
randomness comes from :func:`derive_seed` (an HMAC with the course key), so nobody without the key
can predict or re-roll a draw; the key itself is never written.  Python's ``random.Random`` is used
through ``random()`` only, the one method whose sequence Python promises to keep across versions.

Sizes: ``--size s`` is a maximum.  n students make ceil(n / s) groups, the fewest that keep every group
at most s, and their sizes differ by at most one (13 students, size 4: 4 + 3 + 3 + 3).

Constraints (``--apart FILE``, ``--together FILE``): one set of student ids a line, separated by commas
or spaces; ``#`` starts a comment.  An apart line puts each of its students in a different group; a
together line puts all of its students in one group (lines sharing a student join).  A set no draw can
satisfy is refused, never silently broken.

Written to ``C/groups/<label>/`` (or ``--out``): ``groups.md`` and ``groups.html``, the readable list
for the course page, and with ``--moodle-course`` ``moodle_groups.csv`` for Moodle's Upload users.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from html import escape
from itertools import combinations
from pathlib import Path

from autograder.engine.config import derive_seed
from autograder.engine.course import SETTINGS_FILE
from autograder.engine.release import ReleaseError, course_key, read_roster
from autograder.engine.report.cells import SafeWriter, starts_formula

#: Draws tried, each from its own seed, before constraints are declared unsatisfiable.
MAX_ATTEMPTS = 200
LIST_MD, LIST_HTML, MOODLE_FILE = "groups.md", "groups.html", "moodle_groups.csv"
#: The characters of a Moodle username on a site without $CFG->extendedusernamechars (the default):
#: lib/moodlelib.php, clean_param(PARAM_USERNAME) lowercases and removes everything else.
MOODLE_USERNAME = re.compile(r"[-.@_a-z0-9]+")
#: A label is a folder name and starts every group name: 60 characters keep those far below Moodle's
#: limit for a group name (groups.name is varchar(254); group/group_form.php: maxlength="254").
_LABEL = re.compile(r"[^\W_][\w.-]{0,59}")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


class GroupsError(Exception):
    """The groups could not be drawn or written as asked; nothing was written.  Its text says why."""


@dataclass(frozen=True)
class Draw:
    label: str
    groups: tuple[tuple[str, ...], ...]
    """Student ids, each group sorted; group i is named by :func:`group_name` (label, i + 1)."""
    fingerprint: str
    """12 hex digits of a hash of the label and the groups: equal for the same draw, and nothing of the key."""


@dataclass(frozen=True)
class GroupsResult:
    draw: Draw
    written: tuple[Path, ...]
    moodle_file: Path | None


def group_sizes(students: int, size: int) -> list[int]:
    """The sizes of ceil(students / size) groups, larger first, differing by at most one."""
    count = -(-students // size)
    small, extra = divmod(students, count)
    return [small + 1] * extra + [small] * (count - extra)


def group_name(label: str, number: int, count: int) -> str:
    """'project1 03조 / Group 03': the same in the list and in Moodle, padded so Moodle sorts it right."""
    n = str(number).zfill(len(str(count)))
    return f"{label} {n}조 / Group {n}"


def read_sets(path: Path, known: set[str], what: str) -> list[tuple[str, ...]]:
    """The sets of a constraint file (see the module docstring); an unknown id is an error."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise GroupsError(f"cannot read the {what} file {path}: {exc}") from None
    sets = []
    for number, line in enumerate(text.splitlines(), 1):
        ids = tuple(dict.fromkeys(i for i in re.split(r"[,\s]+", line.split("#", 1)[0]) if i))
        unknown = [i for i in ids if i not in known]
        if unknown:
            raise GroupsError(f"{path}, line {number}: {', '.join(unknown)} not on the roster")
        if len(ids) > 1:
            sets.append(ids)
    return sets


def _below(rng: random.Random, m: int) -> int:
    return min(int(rng.random() * m), m - 1)


def _shuffled(rng: random.Random, items) -> list:
    out = list(items)
    for i in range(len(out) - 1, 0, -1):  # Fisher-Yates on random() alone (see the module docstring)
        j = _below(rng, i + 1)
        out[i], out[j] = out[j], out[i]
    return out


def _blocks(ids: list[str], together: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The students as blocks that must share a group: together lines, joined where they overlap."""
    block = {i: frozenset([i]) for i in ids}
    for line in together:
        joined = frozenset().union(*(block[i] for i in line))
        block.update(dict.fromkeys(joined, joined))
    return sorted({tuple(sorted(b)) for b in block.values()})


def _attempt(rng, blocks, sizes, conflicts) -> list[list[int]] | None:
    """One greedy draw: blocks in random order (large and constrained ones first), each into a random
    group with room and none of the students it must stay apart from; None when one finds no group."""
    order = _shuffled(rng, range(len(blocks)))
    order.sort(key=lambda b: (-len(blocks[b]), -len(conflicts[b])))  # stable: ties keep the shuffle
    room, inside = list(sizes), [set() for _ in sizes]
    for b in order:
        fits = [g for g in range(len(sizes)) if room[g] >= len(blocks[b]) and not conflicts[b] & inside[g]]
        if not fits:
            return None
        g = fits[_below(rng, len(fits))]
        room[g] -= len(blocks[b])
        inside[g].add(b)
    return [sorted(g) for g in inside]


def draw(ids, size: int, key: str, label: str, apart=(), together=()) -> Draw:
    """The groups of ``ids`` (at most ``size`` each) for ``label``, keeping the apart and together sets."""
    apart, together = [tuple(s) for s in apart], [tuple(s) for s in together]
    ids = sorted(set(ids))
    unknown = sorted({i for line in (*apart, *together) for i in line} - set(ids))
    if unknown:
        raise GroupsError(f"{', '.join(unknown[:8])} in an apart or together set but not on the roster")
    if not ids:
        raise GroupsError("the roster has no students")
    if size < 1:
        raise GroupsError("--size must be at least 1")
    sizes = group_sizes(len(ids), size)
    blocks = _blocks(ids, together)
    for b in blocks:
        if len(b) > size:
            raise GroupsError(f"together set {', '.join(b)} has {len(b)} students, more than --size {size}")
        if len(b) > sizes[0]:
            raise GroupsError(f"together set {', '.join(b)} has {len(b)} students, but {len(ids)} students in "
                              f"groups of at most {size} make groups of at most {sizes[0]}")
    block_of = {i: n for n, b in enumerate(blocks) for i in b}
    conflicts: list[set[int]] = [set() for _ in blocks]
    for line in apart:
        for a, b in combinations(line, 2):
            if block_of[a] == block_of[b]:
                raise GroupsError(f"{a} and {b} are to be kept apart and together at once")
            conflicts[block_of[a]].add(block_of[b])
            conflicts[block_of[b]].add(block_of[a])
        if len(line) > len(sizes):
            raise GroupsError(f"apart set {', '.join(line)} has {len(line)} students but there are only "
                              f"{len(sizes)} groups")
    for attempt in range(MAX_ATTEMPTS):
        got = _attempt(random.Random(derive_seed("groups", label, attempt, key=key)), blocks, sizes, conflicts)
        if got is not None:
            break
    else:
        shown = "/".join(map(str, sorted(set(sizes))))
        raise GroupsError(f"none of {MAX_ATTEMPTS} draws of {len(sizes)} groups ({shown} students) keeps every "
                          "apart and together set: they most likely cannot all hold; "
                          "loosen them or change --size")
    groups = tuple(tuple(sorted(i for b in g for i in blocks[b])) for g in got)
    fingerprint = hashlib.sha256(json.dumps([label, groups], ensure_ascii=False).encode()).hexdigest()[:12]
    return Draw(label, groups, fingerprint)


def course_secret(course: Path) -> str:
    """The course's key from C/initlab.toml; never makes one (only a release does)."""
    path = course / SETTINGS_FILE
    if not path.is_file():
        raise GroupsError(f"{path} is missing: the course has no key yet; release a week first "
                          f"(initlab release --course {course} --week 1)")
    try:
        return course_key(course, None)
    except (tomllib.TOMLDecodeError, KeyError, ValueError, ReleaseError) as exc:
        raise GroupsError(f"{path} holds no course key ({exc})") from None


def display_name(row: dict) -> str:
    first, last = row.get("first_name", ""), row.get("last_name", "")
    name = row.get("name") or (f"{last}{first}" if _HANGUL.search(first + last) else f"{first} {last}".strip())
    return unicodedata.normalize("NFC", name)


def moodle_rows(d: Draw, roster: dict[str, dict], column: str, shortname: str) -> list[list[str]]:
    """Moodle's Upload users file that puts existing users into course groups.

    As admin/tool/uploaduser reads it (checked against moodle/moodle: locallib.php
    uu_validate_user_upload_columns, classes/process.php process_line, lib/csvlib.class.php):
    - columns are standard user fields or courseN/groupN ...; any other stops the upload (invalidfieldname);
    - a row's user is the existing one with that ``username`` (and the local mnethostid); usernames
      are stored lowercased (clean_param PARAM_USERNAME), so they are written so;
    - ``course1`` is the course's *shortname* (get_record('course', ['shortname' => ...]));
    - ``group1`` is a group name of that course; a missing group is created (groups_create_group), and a
      numeric name would be read as a group id, so names always carry words; the user must already be
      enrolled in the course (addedtogroupnotenrolled), and for every courseN Moodle also enrols the user
      through the course's manual enrolment method when it has one;
    - the file is read in the encoding and delimiter picked in the form (defaults UTF-8 and comma) with
      a UTF-8 BOM removed, through fgetcsv with '"' as the quote;
    - the form's default upload type, "Add new only, skip existing users", skips every row of this file
      (usernotaddedregistered): it must be "Update existing users only" (user_form.php, uutype).
    """
    shortname = shortname.strip()
    if not shortname or starts_formula(shortname):
        raise GroupsError(f"--moodle-course {shortname!r} is not a course short name")
    rows, seen, bad = [], {}, []
    for number, group in enumerate(d.groups, 1):
        name = group_name(d.label, number, len(d.groups))
        for sid in group:
            user = (given := roster[sid].get(column, "")).strip().lower()
            if not MOODLE_USERNAME.fullmatch(user) or starts_formula(user):
                bad.append(f"{sid} ({given!r})")
            elif user in seen:
                bad.append(f"{sid} and {seen[user]} share {user!r}")
            seen[user] = sid
            rows.append([user, shortname, name])
    if bad:
        raise GroupsError(f"roster column {column!r} holds no Moodle username for: {', '.join(bad[:8])}"
                          f"{' ...' if len(bad) > 8 else ''} (a Moodle username is a-z 0-9 . _ - @, each "
                          "student's own, and cannot start like a spreadsheet formula; name the roster column "
                          "with the eclass usernames with --username-column)")
    return [["username", "course1", "group1"], *sorted(rows, key=lambda r: (r[2], r[0]))]


def _md(text: str) -> str:
    return re.sub(r"([\\`*_\[\]|#])", r"\\\1", escape(text, quote=False))


def readable(d: Draw, roster: dict[str, dict], fmt: str) -> str:
    """The list for the course page, Markdown (``md``) or HTML, with the label and the fingerprint."""
    sizes = sorted({len(g) for g in d.groups})
    title = f"조 편성 / Project groups: {d.label}"
    facts = (f"학생 / students {sum(map(len, d.groups))} · 조 / groups {len(d.groups)} "
             f"({'–'.join(map(str, sizes))}명 / members) · 추첨 / draw {d.label}, "
             f"지문 / fingerprint {d.fingerprint}")
    lines = []
    for number, group in enumerate(d.groups, 1):
        people = [(display_name(roster[s]), s) for s in group]
        name = group_name(d.label, number, len(d.groups))
        if fmt == "md":
            lines.append(f"- **{_md(name)}**: " + ", ".join(f"{_md(n)} ({_md(s)})" if n else _md(s) for n, s in people))
        else:
            lines.append(f"<li><strong>{escape(name)}</strong>: "
                         + ", ".join(f"{escape(n)} ({escape(s)})" if n else escape(s) for n, s in people) + "</li>")
    if fmt == "md":
        return f"# {_md(title)}\n\n{_md(facts)}\n\n" + "\n".join(lines) + "\n"
    return (f'<!DOCTYPE html>\n<html lang="ko">\n<head><meta charset="utf-8"><title>{escape(title)}</title>'
            f"</head>\n<body>\n<h1>{escape(title)}</h1>\n<p>{escape(facts)}</p>\n<ul>\n"
            + "\n".join(lines) + "\n</ul>\n</body>\n</html>\n")


def make_groups(course, roster, size: int, label: str = "project1", apart=None, together=None, out=None,
                username_column: str | None = None, moodle_course: str | None = None) -> GroupsResult:
    """``initlab groups``: draw, check everything, then write (nothing is written when anything fails)."""
    course = Path(course)
    if not _LABEL.fullmatch(label):
        raise GroupsError(f"--label {label!r}: letters, digits, '.', '_' and '-' only (at most 60), "
                          "starting with a letter or digit")
    key = course_secret(course)
    try:
        rows = read_roster(Path(roster))
    except FileNotFoundError:
        raise GroupsError(f"no roster file {roster}") from None
    except ReleaseError as exc:
        raise GroupsError(str(exc)) from None
    by_id = {r["student_id"]: r for r in rows}
    d = draw(by_id, size, key, label, read_sets(Path(apart), set(by_id), "apart") if apart else [],
             read_sets(Path(together), set(by_id), "together") if together else [])
    moodle = None
    if moodle_course is not None:
        column = username_column or ("username" if "username" in rows[0] else "student_id")
        if column not in rows[0]:
            raise GroupsError(f"the roster has no column {column!r} (it has {', '.join(rows[0])})")
        moodle = moodle_rows(d, by_id, column, moodle_course)
    folder = Path(out) if out else course / "groups" / label
    folder.mkdir(parents=True, exist_ok=True)
    written = [folder / LIST_MD, folder / LIST_HTML]
    written[0].write_text(readable(d, by_id, "md"), encoding="utf-8")
    written[1].write_text(readable(d, by_id, "html"), encoding="utf-8")
    if moodle is not None:
        written.append(folder / MOODLE_FILE)
        # UTF-8 with a BOM, as the kit's other CSVs (Excel shows the Korean group names); Moodle's csvlib drops it.
        with open(written[-1], "w", encoding="utf-8-sig", newline="") as fh:
            SafeWriter(fh).writerows(moodle)
    return GroupsResult(d, tuple(written), written[-1] if moodle is not None else None)
