"""Journal step: every graded submission is written down the moment it is done.

Each judge appends one JSON line per submission to ``OUT/.initlab-journal.jsonl`` (one
``write`` on a file opened with O_APPEND, so lines of parallel judges never interleave).
A batch that is killed keeps what it graded; a re-run with the same OUT reads the journal and
grades only what is not in it.  A line counts only for the same student, the same bytes of
code, the same set-up and the same checks (its key says so), so a changed file is graded again.
"""
from __future__ import annotations

import hashlib
import json
import os
from dataclasses import asdict
from functools import lru_cache
from pathlib import Path

import numpy as np

from autograder.helper.text import Text, text_from_plain
from autograder.engine.sandbox.runner import LoadReport
from autograder.engine.submission import CheckInfo, CheckResult, Submission

JOURNAL = ".initlab-journal.jsonl"


@lru_cache(maxsize=8)
def _checks_digest(lecture: str) -> str:
    """The checks' own code (the lecture's helper as students get it, its answer key, and the step that
    runs them): a journal written by other checks is not reused."""
    from autograder.engine.assignment import load

    digest = hashlib.sha256()
    for path in (*load(lecture or None).code, Path(__file__).with_name("run_checks.py")):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


def submission_key(sub: Submission, cfg) -> str:
    """What a journal line is valid for: student, code, set-up, limits and checks."""
    limits = dict(cfg.limits.to_dict(), sandbox_uid=None)
    digest = hashlib.sha256()
    digest.update(json.dumps([sub.student_id, list(sub.source.cells) if sub.source else None,
                              cfg.variant.to_dict(), limits, _checks_digest(cfg.lecture)], sort_keys=True, default=str).encode())
    return digest.hexdigest()


def _plain(value):
    if isinstance(value, np.ndarray):
        return {"__ndarray__": value.tolist(), "dtype": str(value.dtype)}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value


def _restore(value):
    if isinstance(value, dict):
        if set(value) == {"__ndarray__", "dtype"}:
            return np.asarray(value["__ndarray__"], dtype=value["dtype"])
        return {k: _restore(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_restore(v) for v in value]
    return value


def _text(d: dict | None) -> Text | None:
    return Text(en=d["en"], ko=d["ko"]) if d else None


def _result_to_dict(r: CheckResult) -> dict:
    return dict(r.to_dict(), artifacts=_plain(r.artifacts))


def _result_from_dict(d: dict) -> CheckResult:
    info = CheckInfo(check_id=d["check_id"], function=d["function"], points=d["points"], title=_text(d["title"]),
                     false_fail_rate=d["false_fail_rate"])
    return CheckResult(info=info, score=d["score"], status=d["status"], expected=text_from_plain(d["expected"]),
                       measured=text_from_plain(d["measured"]), hint=_text(d["hint"]), message=_text(d["message"]),
                       notes=tuple(_text(n) for n in d["notes"]), artifacts=_restore(d["artifacts"]),
                       seconds=d["seconds"])


def record(path: Path, key: str, sub: Submission) -> None:
    """Append one finished submission to the journal."""
    line = json.dumps({"key": key, "results": [_result_to_dict(r) for r in sub.results],
                       "load_report": asdict(sub.load_report) if sub.load_report is not None else None},
                      ensure_ascii=False, allow_nan=True) + "\n"
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, line.encode())
    finally:
        os.close(fd)


def replay(path: Path) -> dict[str, tuple[tuple[CheckResult, ...], LoadReport | None]]:
    """What an earlier run of this OUT finished, by key; a torn last line (a killed run) is skipped."""
    done = {}
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return done
    for line in lines:
        try:
            entry = json.loads(line)
            results = tuple(_result_from_dict(d) for d in entry["results"])
            report = LoadReport(**entry["load_report"]) if entry.get("load_report") else None
        except (ValueError, KeyError, TypeError):
            continue
        done[entry["key"]] = (results, report)
    return done


def resume(subs: list[Submission], cfg, journal: Path) -> tuple[list[Submission], int]:
    """Fill in the submissions the journal already holds; returns them and how many were reused."""
    done = replay(journal)
    out, reused = [], 0
    for s in subs:
        hit = done.get(submission_key(s, cfg)) if s.status == "pending" and s.source is not None else None
        if hit is not None:
            s = s.with_(results=hit[0], load_report=hit[1], extra=dict(s.extra, resumed=True))
            reused += 1
        out.append(s)
    return out, reused
