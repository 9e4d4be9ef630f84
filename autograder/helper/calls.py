"""Calling a submission's function: what happened, as plain data.

The side that runs a submission (the sandbox's child, or a notebook's own kernel) calls its
functions here on grader-made arguments: specs of the wire become Generators, the lecture's
grader-made callables (registered with :func:`register_callables`) and the submission's own
functions; what comes back is encoded, with what was printed, warned and logged around it.
"""
from __future__ import annotations

import io
import sys
import time
import traceback
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograder.helper.wire import (
    CallableSpec, NormalArraySpec, ProtocolError, RngSpec, StudentFnSpec, decode, encode,
)

class Recorded:
    """A grader-made callable (an init, an activation) with a call log of JSON-able entries: the
    side that runs student code rebuilds it from a CallableSpec; the judge builds the same to
    compute what is expected, so both agree by construction."""

    def __init__(self, params: dict):
        self.params = params
        self.log: list[Any] = []
        if _IN_STUDENT_CALL:  # made by the student's function itself, not handed to it: not their own work
            _STUDENT_MADE.append(type(self).__name__)


#: Set while a student function runs (call_function); grader-made callables it makes are noted.
_IN_STUDENT_CALL: list = []
_STUDENT_MADE: list = []


def rng_seed(rng) -> int | None:
    """The seed a Generator was made from (default_rng(seed)), or None for anything else: the judge
    compares it with the seed of the Generator it had the child make."""
    entropy = getattr(getattr(getattr(rng, "bit_generator", None), "seed_seq", None), "entropy", None)
    return entropy if type(entropy) is int else None


#: The lecture's grader-made callables by name (a lecture registers its own: register_callables).
CALLABLES: dict[str, type[Recorded]] = {}


def register_callables(classes: dict[str, type[Recorded]]) -> None:
    """Make a lecture's callables buildable from their specs; a name may not mean two things."""
    for name, cls in classes.items():
        if CALLABLES.setdefault(name, cls) is not cls:
            raise ValueError(f"grader callable {name!r} is registered twice")


def build_callable(name: str, params: dict) -> Recorded:
    """Rebuild a grader-made callable from its spec; unknown names are a protocol error."""
    try:
        cls = CALLABLES[name]
    except KeyError:
        raise ValueError(f"unknown grader callable {name!r}") from None
    return cls(dict(params))

#: Printed output of the submission kept per call; the rest is counted and dropped.
OUTPUT_CAP = 16 * 1024
#: The file name under which a submission's cells run (tracebacks keep only these frames).
STUDENT_PREFIX = "<student"


def cap_text(value, limit: int) -> str:
    """Text cut to ``limit`` characters, saying how much was cut."""
    text = str(value)
    if len(text) <= limit:
        return text
    return text[:limit] + f"\n... [{len(text) - limit} more characters not kept]"


def excerpt(value, limit: int = 160) -> str:
    """A short, printable excerpt of text a submission controls (exception messages, strings it
    returns, its source lines): shown to the student at most ``limit`` characters long, with
    control characters (terminal escapes, newlines) replaced, so nothing long can leave through
    feedback.  Reports still escape it for HTML."""
    text = "".join(ch if ch.isprintable() else "?" for ch in str(value)[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


class StudentFailure(Exception):
    """A call did not return a value; ``kind`` says why (the checks turn it into feedback).

    ``info["fn"]`` names the function (or answer) whose call failed, when one was called.
    """

    kind = "error"

    def __init__(self, message: str, info: dict | None = None):
        super().__init__(message)
        self.info = info or {}


class NotAttempted(StudentFailure):
    kind = "not_attempted"


class MissingFunction(StudentFailure):
    kind = "missing"


class StudentRaised(StudentFailure):
    kind = "raised"


class TimedOut(StudentFailure):
    kind = "timeout"


class Crashed(StudentFailure):
    kind = "crashed"


@dataclass
class CallReply:
    """What came back from one call: the value and what was observed around it."""

    value: Any
    seconds: float = 0.0
    stdout: str = ""
    warnings: list[str] = field(default_factory=list)
    callable_logs: list[list] = field(default_factory=list)
    """[n_in, n_out, rng seed] of each call of each grader-made init, as the child recorded them."""
    args_after: list = field(default_factory=list)
    """The array arguments as they were after the call (``return_args=True``); None for others."""


@dataclass
class LoadReport:
    """How executing the submission went."""

    functions: dict[str, bool]
    errors: list[dict]
    stdout: str = ""
    shell_notes: list[str] = field(default_factory=list)
    mode: str = "full"
    problem: str | None = None  # "timeout" / "crashed" when the full run failed and defs mode was used
    applied: dict = field(default_factory=dict)


class CappedText(io.TextIOBase):
    """A text sink that keeps the first ``cap`` characters and counts the rest."""

    def __init__(self, cap: int = OUTPUT_CAP):
        self.cap = cap
        self.parts: list[str] = []
        self.kept = 0
        self.dropped = 0

    def writable(self) -> bool:
        return True

    def write(self, s) -> int:
        s = str(s)
        room = self.cap - self.kept
        if room > 0:
            self.parts.append(s[:room])
            self.kept += min(room, len(s))
        self.dropped += max(0, len(s) - max(room, 0))
        return len(s)

    def take(self) -> str:
        text = "".join(self.parts)
        if self.dropped:
            text += f"\n... [{self.dropped} more characters not kept]"
        self.parts, self.kept, self.dropped = [], 0, 0
        return text


def _is_student_file(name: str) -> bool:
    """A submission's cell in the sandbox, or a notebook cell in a Jupyter kernel (a self-check)."""
    return name.startswith(STUDENT_PREFIX) or name.startswith("<ipython-input") or "ipykernel_" in name


def _student_frames(tb) -> list[list]:
    """[file, line, text] of the frames that are in the student's code (never the grader's)."""
    frames = []
    for fs in traceback.extract_tb(tb):
        if _is_student_file(fs.filename):
            frames.append([fs.filename, fs.lineno, (fs.line or "")[:200]])
    return frames[-3:]


def describe_exception(exc: BaseException) -> dict:
    return {
        "type": type(exc).__name__,
        "message": str(exc)[:500],
        "not_implemented": isinstance(exc, NotImplementedError),
        "frames": _student_frames(exc.__traceback__),
    }


def _materialise(value: Any, built: list, rngs: list, namespace: dict | None = None) -> Any:
    """Replace specs by real objects: Generators, grader-made callables, the submission's own functions."""
    if isinstance(value, RngSpec):
        rng = np.random.default_rng(value.seed)
        if value.state is not None:
            rng.bit_generator.state = value.state
        rngs.append(rng)
        return rng
    if isinstance(value, CallableSpec):
        obj = build_callable(value.name, value.params)
        built.append(obj)
        return obj
    if isinstance(value, StudentFnSpec):
        fn, extra = (namespace or {}).get(value.name), value.extra
        if not callable(fn):
            raise NameError(f"{value.name} is not defined")
        return lambda *args: fn(*args, *extra)
    if isinstance(value, NormalArraySpec):
        return value.build()
    if isinstance(value, list):
        return [_materialise(v, built, rngs, namespace) for v in value]
    if isinstance(value, tuple):
        return tuple(_materialise(v, built, rngs, namespace) for v in value)
    return value


def _missing(message: str) -> dict:
    return {"ok": False, "error": {"type": "Missing", "message": message, "not_implemented": False,
                                   "frames": [], "missing": True}}


def call_function(namespace: dict, fn_name: str, raw_args: list, blobs: list,
                  return_args: bool = False) -> tuple[dict, list]:
    """Call one student function on grader-made arguments; report only plain data.

    With ``return_args`` the reply also holds the arguments as they are after the call, so the
    judge itself can see whether the function changed its input (it compares them with what it
    sent).  ``callable_logs`` are the (n_in, n_out, rng seed) of each call of a grader-made init:
    values the judge checks against what the calls must have been.
    """
    fn = namespace.get(fn_name)
    if not callable(fn):
        return _missing(f"{fn_name} is not defined"), []
    built: list = []
    rngs: list = []
    try:
        args = [_materialise(decode(a, blobs), built, rngs, namespace) for a in raw_args]
    except NameError as exc:  # a function of the submission that the judge hands on is missing
        return _missing(str(exc)), []
    out = CappedText()
    saved = sys.stdout, sys.stderr
    sys.stdout = sys.stderr = out
    started = time.perf_counter()
    _STUDENT_MADE.clear()
    _IN_STUDENT_CALL.append(True)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = fn(*args)
    except BaseException as exc:
        return {"ok": False, "error": describe_exception(exc), "stdout": out.take()}, []
    finally:
        _IN_STUDENT_CALL.clear()
        sys.stdout, sys.stderr = saved
    if _STUDENT_MADE:
        used = ", ".join(sorted(set(_STUDENT_MADE)))
        _STUDENT_MADE.clear()
        message = (f"uses the grader's own {used} (initlab_lab): write it yourself, it scores 0 / "
                   f"채점용 {used}(initlab_lab)를 쓰지 말고 직접 작성하세요 (0점)")
        return {"ok": False, "error": {"type": "UsesGraderCode", "message": message[:500], "not_implemented": False,
                                       "frames": []},
                "stdout": out.take()}, []
    seconds = time.perf_counter() - started
    reply_blobs: list = []
    value = encode(result, reply_blobs)
    header = {
        "ok": True,
        "value": value,
        "seconds": seconds,
        "stdout": out.take(),
        "warnings": [f"{w.category.__name__}: {w.message}"[:300] for w in caught[:20]],
        "callable_logs": [obj.log[:1000] for obj in built],
    }
    if return_args:
        header["args_after"] = [encode(a, reply_blobs) if isinstance(a, np.ndarray) else {"k": "none"} for a in args]
    return header, reply_blobs


def value_reply(namespace: dict, name: str) -> tuple[dict, list]:
    """A module-level variable (an analysis answer), as plain data."""
    if name not in namespace:
        return _missing(f"{name} is not defined"), []
    blobs: list = []
    return {"ok": True, "value": encode(namespace[name], blobs)}, blobs


def parse_reply(fn: str, header: dict, blobs: list) -> CallReply:
    """Validate a reply and turn it into a :class:`CallReply` or a StudentFailure."""
    if not isinstance(header, dict):
        raise Crashed("malformed reply")
    if not header.get("ok"):
        err = header.get("error") if isinstance(header.get("error"), dict) else {}
        info = {
            "type": excerpt(err.get("type", "Error"), 60),
            "message": excerpt(err.get("message", ""), 160),
            "frames": [[excerpt(f[0], 80), f[1] if type(f[1]) is int else None, excerpt(f[2], 120)]
                       for f in err.get("frames", []) if isinstance(f, list) and len(f) == 3][:3],
            "stdout": cap_text(header.get("stdout", ""), 4000),
            "fn": fn,
        }
        if err.get("missing"):
            raise MissingFunction(f"{fn} is not defined", info)
        if err.get("not_implemented"):
            raise NotAttempted(f"{fn} raises NotImplementedError", info)
        raise StudentRaised(f"{fn} raised {info['type']}: {info['message']}", info)
    try:
        value = decode(header.get("value"), blobs)
    except (ProtocolError, KeyError, TypeError, ValueError) as exc:
        raise Crashed(f"the value {fn} returned could not be read: {exc}", {"fn": fn}) from None

    def _list(key, typ, cap):
        raw = header.get(key, [])
        return [x for x in raw if isinstance(x, typ)][:cap] if isinstance(raw, list) else []

    return CallReply(
        value=value,
        seconds=float(header.get("seconds", 0.0)) if isinstance(header.get("seconds"), (int, float)) else 0.0,
        stdout=cap_text(header.get("stdout", ""), 4000),
        warnings=[excerpt(w, 160) for w in _list("warnings", str, 20)],
        callable_logs=_logs(header.get("callable_logs")),
        args_after=_args_after(header.get("args_after"), blobs),
    )


def _logs(raw) -> list[list]:
    """Init call logs as [[n_in, n_out, seed | None], ...] per init; anything else is dropped."""
    if not isinstance(raw, list):
        return []
    out = []
    for log in raw[:20]:
        calls = log if isinstance(log, list) else []
        out.append([[c[0], c[1], c[2] if type(c[2]) is int else None] for c in calls[:1000]
                    if isinstance(c, list) and len(c) == 3 and type(c[0]) is int and type(c[1]) is int])
    return out


def _args_after(raw, blobs) -> list:
    if not isinstance(raw, list):
        return []
    out = []
    for item in raw[:20]:
        try:
            value = decode(item, blobs)
        except (ProtocolError, KeyError, TypeError, ValueError):
            value = None
        out.append(value if isinstance(value, np.ndarray) else None)
    return out
