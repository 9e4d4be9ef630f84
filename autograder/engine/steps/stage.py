"""Stage step: copy each chosen file into a private staging area before any student code runs.

Only the bytes of the one file to grade are copied, under a fresh name inside a 0700
directory; a size cap applies while reading (a zip entry may lie about its size).  Every
student found becomes one Submission, whatever went wrong, so no row is ever lost.
"""
from __future__ import annotations

import os
import re
import tempfile
import zipfile
from pathlib import Path

from autograder.engine.steps.ingest import Found, Source, nested_zip
from autograder.engine.steps.load import MAX_NOTEBOOK_BYTES, MAX_SOURCE_BYTES
from autograder.engine.submission import Submission
from autograder.helper.text import T

CHUNK = 1 << 16


class TooLarge(Exception):
    pass


def _limit_for(name: str) -> int:
    return MAX_NOTEBOOK_BYTES if name.lower().endswith(".ipynb") else MAX_SOURCE_BYTES


def _copy_limited(read, out, limit: int) -> int:
    total = 0
    while True:
        chunk = read(CHUNK)
        if not chunk:
            return total
        total += len(chunk)
        if total > limit:
            raise TooLarge
        out.write(chunk)


def safe_name(text: str, fallback: str = "student") -> str:
    """A file/folder name from any text: letters (Hangul too), digits, '.', '_' and '-' only."""
    cleaned = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE).strip("._")
    return cleaned[:80] or fallback


def make_staging(base: str | None = None) -> Path:
    """A fresh directory only the judge can read."""
    path = Path(tempfile.mkdtemp(prefix="initlab-stage-", dir=base))
    os.chmod(path, 0o700)
    return path


def stage(source: Source, staging: Path) -> list[Submission]:
    """One Submission per student found, with its file copied into ``staging``."""
    subs = []
    zf = zipfile.ZipFile(source.path) if source.is_zip else None
    try:
        for i, found in enumerate(source.found):
            try:
                subs.append(_stage_one(found, i, staging, zf))
            except Exception as exc:  # anything unforeseen costs this student's file, never the batch
                kind = type(exc).__name__
                subs.append(Submission(student_id=found.student_id, name=found.name, status="unreadable",
                                       message=T(f"the file could not be staged ({kind})",
                                                 f"파일을 채점용으로 복사하지 못했습니다 ({kind})"),
                                       extra=dict(found.extra, notes=list(found.notes))))
    finally:
        if zf is not None:
            zf.close()
    return subs


def _stage_one(found: Found, index: int, staging: Path, zf: zipfile.ZipFile | None) -> Submission:
    extra = dict(found.extra, notes=list(found.notes))
    base = Submission(student_id=found.student_id, name=found.name, extra=extra)
    member = found.chosen
    if member is None:
        return base.with_(status="no_code", message=T("; ".join(n.en for n in found.notes) or "no code file",
                                                      "; ".join(n.ko for n in found.notes) or "코드 파일이 없습니다"))
    extra["file"] = member.rel
    if not member.in_zip:
        extra["submitted_path"] = member.path  # nbgrader's submitted/ file, for the autograded notebook
    limit = _limit_for(member.rel)
    if member.size > limit:
        return base.with_(status="too_large", message=T(f"{member.rel} is {member.size:,} bytes (limit {limit:,})",
                                                        f"'{member.rel}' 은(는) {member.size:,} 바이트입니다 (한도 {limit:,})"))
    target_dir = staging / f"{index:05d}"
    target_dir.mkdir(mode=0o700)
    suffix = ".ipynb" if member.rel.lower().endswith(".ipynb") else ".py"
    target = target_dir / f"weight_init{suffix}"
    try:
        with open(target, "xb") as out:
            if member.inner is not None:  # inside a zip the student handed in
                with nested_zip(zf, member) as inner, inner.open(member.inner) as src:
                    _copy_limited(src.read, out, limit)
            elif zf is not None:
                with zf.open(member.path) as src:
                    _copy_limited(src.read, out, limit)
            else:
                # O_NOFOLLOW: the file was a regular file when listed; refuse if it became a link since.
                fd = os.open(member.path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
                with os.fdopen(fd, "rb") as src:
                    _copy_limited(src.read, out, limit)
    except TooLarge:
        target.unlink(missing_ok=True)
        return base.with_(status="too_large", message=T(f"{member.rel} is larger than {limit:,} bytes",
                                                        f"'{member.rel}' 은(는) {limit:,} 바이트보다 큽니다"))
    except (zipfile.BadZipFile, RuntimeError, OSError, EOFError, ValueError) as exc:  # CRC, encrypted, I/O
        target.unlink(missing_ok=True)
        return base.with_(status="unreadable", message=T(f"{member.rel} could not be read: {exc}",
                                                         f"'{member.rel}' 을(를) 읽지 못했습니다: {exc}"))
    return base.with_(path=str(target))
