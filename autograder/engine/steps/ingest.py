"""Ingest step: find each student's submission in a folder or an LMS "download all" zip.

Nothing is extracted or executed here: this step lists entries (names, sizes, dates) and
decides, per student, which file will be graded.  Accepted layouts:

* a folder with one subfolder per student, the code anywhere below it
  (``SID/weight_init.py``, ``SID/weight_init.ipynb``, nbgrader's ``SID/<assignment>/weight_init.ipynb``);
* Moodle's "Download all submissions" zip (or its extracted folder): per-student folders
  ``<Full Name>_<participant id>_assignsubmission_file_/`` and ``..._onlinetext_/``, or the legacy
  flat files ``<Full Name>_<participant id>_assignsubmission_file_<filename>``; the student id
  is the participant id and the name is kept.

Symbolic links are never followed; zip entries with absolute or ``..`` paths are refused.  A file
or folder name that is not UTF-8 (a CP949 name from a Korean Windows zip, extracted as bytes) is
shown as CP949 when it reads as that, else with ``\\xNN`` escapes; the file is still read by its
real name.
"""
from __future__ import annotations

import io
import os
import re
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path, PurePosixPath

from autograder.helper.text import T, Text


CODE_SUFFIXES = (".py", ".ipynb")
#: The student helper's name beside a released notebook.
HELPER_FILE = "initlab_lab.py"
MOODLE = re.compile(r"^(?P<name>.+)_(?P<pid>\d+)_assignsubmission_(?P<plugin>file|onlinetext)_(?P<rest>.*)$")
IGNORED_PARTS = {"__MACOSX", ".ipynb_checkpoints", "__pycache__", ".git"}
MAX_DEPTH = 8
MAX_ENTRIES_PER_STUDENT = 500


@dataclass(frozen=True)
class Member:
    """One file of a submission, not yet read."""

    path: str
    """Where it is: a filesystem path, or the entry name inside the zip."""
    rel: str
    """Its path relative to the student's folder (what reports show)."""
    size: int
    mtime: float
    in_zip: bool = False
    inner: str | None = None
    """For a file inside a zip the student handed in: its entry name in that zip (``path`` is the zip)."""


@dataclass(frozen=True)
class Found:
    """What one student handed in, before staging."""

    student_id: str
    name: str = ""
    chosen: Member | None = None
    notes: tuple[Text, ...] = ()
    """What the student sees about how their file was chosen (their feedback page lists these)."""
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Source:
    """Where the submissions come from: a folder or a zip file."""

    path: Path
    found: tuple[Found, ...]
    warnings: tuple[str, ...] = ()

    @property
    def is_zip(self) -> bool:
        return self.path.is_file()


def readable_name(name: str) -> str:
    """A name from the file system as people read it (see the module docstring); never raises."""
    try:
        name.encode("utf-8")
        return name
    except UnicodeEncodeError:  # os.listdir gave the bytes that are not UTF-8 as surrogate escapes
        raw = name.encode("utf-8", "surrogateescape")
    try:
        return raw.decode("cp949")
    except UnicodeDecodeError:
        return raw.decode("utf-8", "backslashreplace")


# ---- choosing the file to grade ---------------------------------------------------------------


def choose(members: list[Member], stem: str) -> tuple[Member | None, list[str]]:
    """The file to grade among a student's files (``stem``.ipynb or .py first), and notes on what was left out."""
    # The student helper released beside the notebook is never a submission (the grader has its own copy).
    code = [m for m in members if m.rel.lower().endswith(CODE_SUFFIXES)
            and PurePosixPath(m.rel).name.lower() != HELPER_FILE]
    if not code:
        names = sorted(m.rel for m in members)[:5]
        found, quoted = ", ".join(names), ", ".join(f"'{n}'" for n in names)
        return None, ([T(f"no .py or .ipynb file (found: {found})", f".py 나 .ipynb 파일이 없습니다 (받은 파일: {quoted})")]
                      if members else [T("no files", "제출된 파일이 없습니다")])
    exact = [m for m in code if PurePosixPath(m.rel).stem.lower() == stem]
    named = [m for m in code if stem in PurePosixPath(m.rel).name.lower()]
    pool = exact or named or code
    # Newest first; on a tie the notebook (the course's main format), then the shorter path.
    best = max(pool, key=lambda m: (m.mtime, m.rel.endswith(".ipynb"), -len(m.rel), m.rel))
    notes = []
    if len(code) > 1:
        others = sorted(m.rel for m in code if m is not best)
        plain, quoted = ", ".join(others[:5]), ", ".join(f"'{o}'" for o in others[:5])
        notes.append(T(f"graded {best.rel}; also handed in: {plain}",
                       f"'{best.rel}' 을(를) 채점했습니다. 함께 낸 파일: {quoted}"))
    if not exact:
        notes.append(T(f"no file named {stem}.ipynb/.py; graded {best.rel}",
                       f"'{stem}.ipynb' 나 '{stem}.py' 라는 파일이 없어 '{best.rel}' 을(를) 채점했습니다"))
    return best, notes


# ---- folders --------------------------------------------------------------------------------


def _walk(root: Path, notes: list[str]) -> list[Member]:
    """Regular files under ``root``, never following symbolic links."""
    out: list[Member] = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        rel_dir = Path(dirpath).relative_to(root)
        depth = len(rel_dir.parts)
        kept = []
        for d in sorted(dirnames):
            full = Path(dirpath) / d
            if d in IGNORED_PARTS:
                continue
            if full.is_symlink():
                link = readable_name(str(rel_dir / d))
                notes.append(T(f"symbolic link {link} not followed", f"심볼릭 링크 '{link}' 은(는) 따라가지 않았습니다"))
                continue
            if depth < MAX_DEPTH:
                kept.append(d)
        dirnames[:] = kept
        for f in sorted(filenames):
            full = Path(dirpath) / f
            st = os.lstat(full)
            rel = readable_name((rel_dir / f).as_posix())
            if stat.S_ISLNK(st.st_mode):
                notes.append(T(f"symbolic link {rel} not followed", f"심볼릭 링크 '{rel}' 은(는) 따라가지 않았습니다"))
            elif stat.S_ISREG(st.st_mode):
                out.append(Member(str(full), rel, st.st_size, st.st_mtime))
            if len(out) >= MAX_ENTRIES_PER_STUDENT:
                notes.append(T(f"more than {MAX_ENTRIES_PER_STUDENT} files; the rest were not looked at",
                               f"파일이 {MAX_ENTRIES_PER_STUDENT}개를 넘어 나머지는 보지 않았습니다"))
                return out
    return out


def _student_key(folder_name: str) -> tuple[str, str, dict]:
    m = MOODLE.match(folder_name)
    if m and not m.group("rest"):
        return m.group("pid"), m.group("name"), {"moodle_participant": m.group("pid"), "plugin": m.group("plugin")}
    return folder_name, "", {}


def from_folder(root: Path, stem: str | None = None) -> Source:
    """One student per subfolder (Moodle folder names are parsed); flat Moodle files too."""
    groups: dict[str, dict] = {}
    warnings: list[str] = []
    for entry in sorted(root.iterdir(), key=lambda p: p.name):
        if entry.name in IGNORED_PARTS or entry.name.startswith("."):
            continue
        shown = readable_name(entry.name)
        if entry.is_symlink():
            warnings.append(f"{shown}: symbolic link not followed")
            continue
        if entry.is_dir():
            sid, name, extra = _student_key(shown)
            g = groups.setdefault(sid, {"name": name, "members": [], "notes": [], "extra": {}})
            g["extra"].update(extra)
            g["extra"].setdefault("folders", []).append(shown)
            before = len(g["members"])
            g["members"] += [Member(m.path, m.rel, m.size, m.mtime) for m in _walk(entry, g["notes"])]
            if extra.get("plugin") == "onlinetext" and len(g["members"]) > before:
                g["extra"]["onlinetext"] = True
        elif entry.is_file():
            m = MOODLE.match(shown)
            if m and m.group("rest"):
                st = entry.stat()
                g = groups.setdefault(m.group("pid"), {"name": m.group("name"), "members": [], "notes": [],
                                                       "extra": {"moodle_participant": m.group("pid")}})
                g["members"].append(Member(str(entry), m.group("rest"), st.st_size, st.st_mtime))
            else:
                warnings.append(f"{shown}: a file outside any student folder was ignored")
    for g in groups.values():
        _look_into_zips(g, None)
    stem = stem or _default_stem()
    return Source(root, tuple(_found(sid, g, stem) for sid, g in sorted(groups.items())), tuple(warnings))


#: A zip a student hands in is looked into when it is at most this large (their notebook is a few MB).
MAX_NESTED_ZIP_BYTES = 64 << 20


def _open_zip_member(zf: zipfile.ZipFile | None, member: Member):
    """The bytes of a member as a binary file: from the class's zip, or from disk (never following links)."""
    if member.in_zip:
        return zf.open(member.path)
    return os.fdopen(os.open(member.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0)), "rb")


def nested_zip(zf: zipfile.ZipFile | None, member: Member) -> zipfile.ZipFile:
    """A zip the student handed in, read into memory under its cap (ValueError when larger)."""
    with _open_zip_member(zf, member) as fh:
        data = fh.read(MAX_NESTED_ZIP_BYTES + 1)
    if len(data) > MAX_NESTED_ZIP_BYTES:
        raise ValueError(f"larger than {MAX_NESTED_ZIP_BYTES:,} bytes")
    return zipfile.ZipFile(io.BytesIO(data))


def _look_into_zips(g: dict, zf: zipfile.ZipFile | None) -> None:
    """A student who handed in no code file but a zip: list the code files in it, under the same caps as the
    class's zip (safe paths, no links, at most MAX_ENTRIES_PER_STUDENT entries), as members to choose from."""
    if any(m.rel.lower().endswith(CODE_SUFFIXES) for m in g["members"]):
        return
    for member in [m for m in g["members"] if m.rel.lower().endswith(".zip")]:
        try:
            with nested_zip(zf, member) as inner:
                infos = inner.infolist()[:MAX_ENTRIES_PER_STUDENT]
        except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
            g["notes"].append(T(f"{member.rel} could not be opened ({exc})", f"'{member.rel}' 을(를) 열 수 없었습니다 ({exc})"))
            continue
        for info in infos:
            parts = safe_parts(zip_entry_name(info))
            if (parts is None or info.is_dir() or not parts or any(p in IGNORED_PARTS for p in parts)
                    or stat.S_ISLNK(info.external_attr >> 16)):
                continue
            mtime = datetime(*info.date_time).timestamp() if info.date_time[0] >= 1980 else 0.0
            g["members"].append(Member(member.path, f"{member.rel}/{'/'.join(parts)}", info.file_size, mtime,
                                       member.in_zip, info.filename))


def _default_stem() -> str:
    from autograder.engine.assignment import load

    return load().stem


#: nbgrader's record of when a submission was made, beside the notebook in submitted/<id>/<assignment>/.
TIMESTAMP_FILE = "timestamp.txt"
#: A timestamp is one short line; more is not one.
MAX_TIMESTAMP_BYTES = 200


def _submitted_at(members: list[Member], chosen: Member | None) -> str | None:
    """The text of nbgrader's timestamp.txt beside the chosen file (a plain folder on disk only), or None.
    nbgrader's own autograde trusts this file as it is; so does initlab, read bounded."""
    if chosen is None or chosen.in_zip:
        return None
    folder = chosen.rel.rpartition("/")[0]
    wanted = f"{folder}/{TIMESTAMP_FILE}" if folder else TIMESTAMP_FILE
    found = next((m for m in members if m.rel == wanted and not m.in_zip), None)
    if found is None or found.size > MAX_TIMESTAMP_BYTES:
        return None
    try:
        with open(found.path, "rb") as fh:
            return fh.read(MAX_TIMESTAMP_BYTES).decode("utf-8", errors="replace").strip()
    except OSError:
        return None


def _found(sid: str, g: dict, stem: str) -> Found:
    members = [m for m in g["members"] if not m.rel.endswith("onlinetext.html")]
    chosen, notes = choose(members, stem)
    if chosen is None and any(m.rel.endswith("onlinetext.html") for m in g["members"]):
        notes = [T("only online text was submitted (no file)", "온라인 텍스트만 제출되었습니다 (파일 없음)")]
    extra = dict(g["extra"])
    stamp = _submitted_at(members, chosen)
    if stamp:
        extra["submitted_at"] = stamp
    return Found(sid, g["name"], chosen, tuple(g["notes"] + notes), extra)


# ---- zips -----------------------------------------------------------------------------------


def zip_entry_name(info: zipfile.ZipInfo) -> str:
    """The entry's real name: zips without the UTF-8 flag are CP437 by spec, often CP949 in Korea."""
    if info.flag_bits & 0x800:
        return info.filename
    raw = info.filename.encode("cp437", errors="replace")
    for encoding in ("utf-8", "cp949"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return info.filename


def safe_parts(name: str) -> tuple[str, ...] | None:
    """Path parts of a zip entry, or None if it is absolute or climbs out ('..', drive letters)."""
    name = name.replace("\\", "/")
    if name.startswith("/") or re.match(r"^[A-Za-z]:", name):
        return None
    parts = tuple(p for p in name.split("/") if p not in ("", "."))
    if any(p == ".." for p in parts):
        return None
    return parts


def from_zip(path: Path, stem: str | None = None) -> Source:
    """Students of a Moodle (or any one-folder-per-student) zip, listed without extracting."""
    warnings: list[str] = []
    with zipfile.ZipFile(path) as zf:
        entries = []
        for info in zf.infolist():
            name = zip_entry_name(info)
            parts = safe_parts(name)
            if parts is None:
                warnings.append(f"{name}: unsafe path (absolute or '..'), never extracted")
                continue
            if info.is_dir() or not parts or any(p in IGNORED_PARTS for p in parts):
                continue
            if stat.S_ISLNK(info.external_attr >> 16):
                warnings.append(f"{name}: symbolic link, never extracted")
                continue
            entries.append((parts, info))
    # A zip of a folder of student folders: strip the one top folder.
    tops = {parts[0] for parts, _ in entries}
    if len(tops) == 1 and all(len(p) > 2 for p, _ in entries) and not MOODLE.match(next(iter(tops))):
        entries = [(parts[1:], info) for parts, info in entries]
    groups: dict[str, dict] = {}
    for parts, info in entries:
        mtime = datetime(*info.date_time).timestamp() if info.date_time[0] >= 1980 else 0.0
        if len(parts) == 1:
            m = MOODLE.match(parts[0])
            if m and m.group("rest"):
                g = groups.setdefault(m.group("pid"), {"name": m.group("name"), "members": [], "notes": [],
                                                       "extra": {"moodle_participant": m.group("pid")}})
                g["members"].append(Member(info.filename, m.group("rest"), info.file_size, mtime, True))
            else:
                warnings.append(f"{parts[0]}: a file outside any student folder was ignored")
            continue
        sid, name, extra = _student_key(parts[0])
        g = groups.setdefault(sid, {"name": name, "members": [], "notes": [], "extra": {}})
        g["extra"].update(extra)
        g["members"].append(Member(info.filename, "/".join(parts[1:]), info.file_size, mtime, True))
    with zipfile.ZipFile(path) as zf:
        for g in groups.values():
            _look_into_zips(g, zf)
    stem = stem or _default_stem()
    return Source(path, tuple(_found(sid, g, stem) for sid, g in sorted(groups.items())), tuple(warnings))


def discover(path: str | Path, stem: str | None = None) -> Source:
    """The submissions at ``path`` (a folder or a .zip)."""
    path = Path(path)
    if path.is_dir():
        return from_folder(path, stem)
    if path.is_file() and zipfile.is_zipfile(path):
        return from_zip(path, stem)
    raise FileNotFoundError(f"{path} is neither a folder of submissions nor a zip file")
