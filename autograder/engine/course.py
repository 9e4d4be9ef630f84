"""What a course folder says of itself: its C/initlab.toml (the lecture it uses, its key).

Read by the release, the grading of a course and the exports alike; it imports nothing of the
kit, so any of them can use it.
"""
from __future__ import annotations

import tomllib
from pathlib import Path

#: The course's own settings file (written at its first release; owner-only).
SETTINGS_FILE = "initlab.toml"


def course_settings(course: str | Path) -> dict:
    """The [course] table of C/initlab.toml ({} for a course not made by initlab)."""
    path = Path(course) / SETTINGS_FILE
    return tomllib.loads(path.read_text(encoding="utf-8"))["course"] if path.is_file() else {}


def course_lecture(course: str | Path | None) -> str:
    """The lecture a course uses (its initlab.toml says; '' for the default one)."""
    return str(course_settings(course).get("lecture", "")) if course else ""
