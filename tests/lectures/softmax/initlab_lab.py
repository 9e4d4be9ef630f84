"""initlab's student helper for the softmax assignment: the self-check cells and the week's set-up.

이 파일은 과제 노트북 옆에 두는 도우미입니다 (numpy만 필요). 고치지 마세요.
This file sits beside the assignment notebook and needs numpy only. Do not edit it: grading uses the
course's own copy.
"""
from __future__ import annotations

import ast
import base64
import contextlib
import difflib
import functools
import hashlib
import html
import inspect
import io
import json
import keyword
import locale
import os
import re
import struct
import sys
import textwrap
import time
import traceback
import warnings
import zlib
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np


# ====================================================================================================
# autograder/helper/text.py: Bilingual text: every student-facing string exists in Korean and English.
# ====================================================================================================

LANGS = ("ko", "en")


@dataclass(frozen=True)
class Text:
    """One message in both languages; ``str()`` is never used for display, ``pick`` is."""

    en: str
    ko: str

    def pick(self, lang: str) -> str:
        return self.ko if lang == "ko" else self.en

    def format(self, **values) -> "Text":
        """Both languages formatted with ``values``; a value that is a Text gives each language its own."""
        return Text(self.en.format(**{k: pick(v, "en") if isinstance(v, Text) else v for k, v in values.items()}),
                    self.ko.format(**{k: pick(v, "ko") if isinstance(v, Text) else v for k, v in values.items()}))

    def to_dict(self) -> dict:
        return {"en": self.en, "ko": self.ko}


def T(en: str, ko: str) -> Text:
    return Text(en, ko)


def text_to_plain(text: "Text | str") -> "dict | str":
    """A Text as {"en", "ko"} (a plain str, such as a number, as itself): how results.json and the journal keep it."""
    return text.to_dict() if isinstance(text, Text) else text


def text_from_plain(value) -> "Text | str":
    """What :func:`text_to_plain` wrote, back: {"en", "ko"} is a Text, anything else the str it was (files
    written before expected/measured were bilingual hold a str)."""
    if isinstance(value, dict) and set(value) == {"en", "ko"}:
        return Text(en=str(value["en"]), ko=str(value["ko"]))
    return "" if value is None else str(value)


def pick(text: "Text | str | None", lang: str) -> str:
    if text is None:
        return ""
    return text.pick(lang) if isinstance(text, Text) else str(text)


def both(text: "Text | str | None") -> str:
    """Korean first, English beside it (the notebook's convention)."""
    if text is None:
        return ""
    if not isinstance(text, Text):
        return str(text)
    return text.ko if text.ko == text.en else f"{text.ko} / {text.en}"


def default_lang() -> str:
    """The language a person's environment asks for: INITLAB_LANG, else LANG, else the locale ('ko' or 'en')."""
    env = os.environ.get("INITLAB_LANG") or os.environ.get("LANG") or (locale.getlocale()[0] or "")
    return "ko" if env.lower().startswith("ko") else "en"


# ====================================================================================================
# autograder/helper/setup.py: The week's set-up as plain numbers, as a notebook and the sandbox's child see it.
# ====================================================================================================

#: The name this file has beside a released notebook (``import initlab_lab as lab``).
MODULE_NAME = "initlab_lab"
#: Bumped when the helper's interface to the notebook or the grader changes.
VERSION = "2"


def grading() -> bool:
    """True while initlab grades this code in its sandbox (read at call time: the sandbox's zygote
    imports this module before the child's environment says so)."""
    return os.environ.get("INITLAB_GRADING") == "1"


def seed_from(*parts: object) -> int:
    """A 63-bit seed from any parts; stable across runs, machines and Python versions."""
    digest = hashlib.sha256(json.dumps([str(p) for p in parts]).encode()).digest()
    return int.from_bytes(digest[:8], "big") >> 1


def analysis_seed(seed: int, week: int, student_id: str, tag: str) -> int:
    """The seed of the analysis question ``tag`` under a set-up (a 32-bit int, easy to print)."""
    return seed_from("analysis", seed, week, student_id, tag) % 2**32


#: A per-student week's set-up travels as one line of text the TA sends each student.
SETUP_CODE_PREFIX = "initlab1:"


#: The fields a code adds to its set-up: a checksum anyone can recompute (so the notebook notices an
#: edit and says so) and the course's signature (an HMAC with the course key, which only grading can
#: check: an edited code is flagged however well its checksum is redone).
CHECKSUM, SIGNATURE = "sum", "sig"


def canonical(values: dict) -> bytes:
    """The bytes a set-up's checksum and signature are taken over."""
    return json.dumps({k: v for k, v in values.items() if k not in (CHECKSUM, SIGNATURE)}, sort_keys=True,
                      separators=(",", ":")).encode()


def encode_setup(values: dict, signature: str = "") -> str:
    """A set-up as a code to paste into the notebook's SETUP_CODE (for a per-student week), with its
    checksum and, when the instructor's kit gives one, the course's ``signature``."""
    body = dict(values)
    body[CHECKSUM] = hashlib.sha256(canonical(values)).hexdigest()[:12]
    if signature:
        body[SIGNATURE] = signature
    raw = json.dumps(body, sort_keys=True, separators=(",", ":")).encode()
    return SETUP_CODE_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode().rstrip("=")


#: A set-up code is a few hundred characters; what it decompresses to, a few hundred bytes.
MAX_SETUP_CODE = 4096
MAX_SETUP_JSON = 16384


def decode_setup(code: str) -> dict:
    """The set-up a code holds; ValueError (in both languages) if it is not one.  Reading it is bounded:
    a long code, a decompression bomb or deeply nested JSON is a damaged code, never an error of its own."""
    text = "".join(str(code)[:MAX_SETUP_CODE * 2].split())
    if not text.startswith(SETUP_CODE_PREFIX):
        raise ValueError("설정 코드가 비어 있거나 잘못되었습니다. 조교가 보낸 코드를 SETUP_CODE에 그대로 붙여 넣으세요. / "
                         "The set-up code is empty or wrong: paste the code your TA sent you into SETUP_CODE.")
    body = text[len(SETUP_CODE_PREFIX):]
    try:
        if len(body) > MAX_SETUP_CODE:
            raise ValueError("too long")
        inflate = zlib.decompressobj()
        raw = inflate.decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_SETUP_JSON)
        if inflate.unconsumed_tail:
            raise ValueError("too large")
        values = json.loads(raw)
    except (ValueError, zlib.error, RecursionError, MemoryError) as exc:
        raise ValueError("설정 코드가 손상되었습니다. 다시 복사해 붙여 넣으세요. / "
                         "The set-up code is damaged: copy and paste it again.") from exc
    if not isinstance(values, dict):
        raise ValueError("not a set-up code")
    if CHECKSUM in values and values[CHECKSUM] != hashlib.sha256(canonical(values)).hexdigest()[:12]:
        raise ValueError("설정 코드가 수정되었습니다. 조교가 보낸 코드를 고치지 말고 그대로 붙여 넣으세요. / "
                         "The set-up code was edited: paste the code your TA sent you exactly as it is.")
    return {k: v for k, v in values.items() if k not in (CHECKSUM, SIGNATURE)}


def setup_signature(code: str) -> str:
    """The course's signature a set-up code carries ('' for none); the code must decode."""
    text = "".join(str(code)[:MAX_SETUP_CODE * 2].split())
    body = text[len(SETUP_CODE_PREFIX):]
    raw = zlib.decompressobj().decompress(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)), MAX_SETUP_JSON)
    signature = json.loads(raw).get(SIGNATURE, "")
    return signature if isinstance(signature, str) else ""


class GradedSetup:
    """A week's set-up as plain values: the notebook's SETUP, or what the judge sends the sandbox child.

    Attributes are the set-up's numbers (``V.n_samples``, ``V.lam``, ...); nothing here derives a
    set-up, so nothing here can give another week's or another student's.
    """

    def __init__(self, values: dict):
        for key, value in dict(values).items():
            setattr(self, key, _tuples(value))
        self.seed = int(values.get("seed", 0))
        self.week = int(values.get("week", 0))
        self.student_id = str(values.get("student_id", ""))
        self.per_student = bool(values.get("per_student", False))

    def analysis_seed(self, tag: str) -> int:
        """The seed of the analysis question ``tag`` (the notebook's own cells draw with it)."""
        return analysis_seed(self.seed, self.week, self.student_id, tag)

    def check_seed(self, check_id: str, student_id: str = "") -> int:
        """The seed of a self-check's inputs.  The grader's own seeds come from the course key, which
        is not here: the grader's inputs are as random as these, but not the same."""
        return seed_from("check", self.seed, self.week, self.student_id or student_id, check_id)


def _tuples(value):
    return tuple(_tuples(v) for v in value) if isinstance(value, list) else value


#: Set by the sandbox child before it runs a submission: what ``variant()`` returns while graded.
_GRADED_SETUP: GradedSetup | None = None


def use_graded_setup(values: dict | None) -> None:
    """Called by the sandbox child (never by a student): the set-up of this grading run."""
    global _GRADED_SETUP
    _GRADED_SETUP = GradedSetup(values) if values is not None else None


def setup_values(setup: dict | str | None, student_id: str, default: dict) -> dict:
    """The plain values of a notebook's SETUP: the week's numbers (a dict the release wrote into the
    notebook), a per-student week's code (a string), or the lecture's own set-up (``default``) when empty."""
    values = decode_setup(setup) if isinstance(setup, str) else dict(setup or {})
    typed = str(student_id or "").strip()
    if values.get("per_student") and typed and typed != values.get("student_id"):
        raise ValueError(f"이 설정 코드는 학번 {values.get('student_id')}의 것입니다. 내 코드를 붙여 넣으세요. / "
                         f"This set-up code belongs to student {values.get('student_id')}: paste your own.")
    return values or dict(default)


def setup_of(setup: dict | str | None, student_id: str, default: dict) -> GradedSetup:
    """This week's set-up, from the notebook's SETUP (see :func:`setup_values`).

    While graded, the set-up is the one the instructor grades against, whatever the notebook says.
    """
    if _GRADED_SETUP is not None:
        return _GRADED_SETUP
    return GradedSetup(setup_values(setup, student_id, default))


# ====================================================================================================
# autograder/helper/wire.py: Values that cross between the grader and a submission: plain data only.
# ====================================================================================================

#: Nesting deeper than this is refused when decoding (lists of lists of ...).
MAX_DEPTH = 6
#: At most this many items in one list/dict value.
MAX_ITEMS = 10_000
#: Strings are cut to this many characters.
MAX_STR = 10_000


class ProtocolError(ValueError):
    """The other side sent something that is not a well-formed frame or value."""


# --------------------------------------------------------------------------------------
# Values the judge sends that are not plain data: descriptions of grader-made objects.
# The child rebuilds them from its own trusted module (callables.py); only the
# description crosses the pipe.


@dataclass(frozen=True)
class RngSpec:
    """A ``numpy.random.Generator`` built in the child from ``default_rng(seed)``; with ``state``
    (a bit generator's state, plain ints), one that continues where the judge's own left off."""

    seed: int
    state: dict | None = field(default=None, compare=False, hash=False)


@dataclass(frozen=True)
class StudentFnSpec:
    """The submission's own function ``name``, called with ``extra`` appended to its arguments
    (e.g. ``normal_init`` with its std): how the judge hands a student's function to another one."""

    name: str
    extra: tuple = ()


@dataclass(frozen=True)
class NormalArraySpec:
    """A grader-made input array ``default_rng(seed).standard_normal(shape)``, built in the child.

    Large inputs are described instead of sent: the judge rebuilds the same array when it needs it.
    """

    seed: int
    shape: tuple[int, ...]

    def build(self) -> np.ndarray:
        made = PREBUILT.get(("normal", self.seed, tuple(self.shape)))
        if made is not None:
            return made.copy()  # the submission may write into it; the next one gets it untouched
        return np.random.default_rng(self.seed).standard_normal(self.shape)


#: Grader-made inputs drawn once in the zygote, before any submission's process is forked from it
#: (see prebuild): every submission of a class-wide week gets the same lecture inputs, and a copy
#: costs a tenth of drawing them again.  Inputs only: no right answer is ever kept here.
PREBUILT: dict[tuple, np.ndarray] = {}


@dataclass(frozen=True)
class CallableSpec:
    """A grader-made callable (an init or an activation), registered by the lecture (calls.register_callables)."""

    name: str
    params: dict = field(default_factory=dict)

    def __hash__(self) -> int:  # params is a dict; specs are compared by value only
        return hash((self.name, json.dumps(self.params, sort_keys=True)))


@dataclass(frozen=True)
class Unsupported:
    """A returned object the child could not express as plain data (its type is kept for the hint)."""

    type_name: str


# --------------------------------------------------------------------------------------
# Encoding


class Blob:
    """An npy payload as parts (header, then the array's own memory): sent without a copy."""

    __slots__ = ("parts", "nbytes")

    def __init__(self, parts: tuple):
        self.parts = parts
        self.nbytes = sum(len(p) for p in parts)

    def tobytes(self) -> bytes:
        return b"".join(bytes(p) for p in self.parts)


def _npy_header(arr: np.ndarray) -> bytes:
    """The npy 1.0 header of a C-ordered array, byte-identical to np.save's (and ~1 ms faster)."""
    text = "{'descr': %r, 'fortran_order': False, 'shape': %r, }" % (
        np.lib.format.dtype_to_descr(arr.dtype), tuple(int(n) for n in arr.shape))
    text += " " * ((64 - (10 + len(text) + 1) % 64) % 64) + "\n"  # data starts 64-byte aligned
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1")


def _array_blob(arr: np.ndarray) -> Blob:
    if not arr.flags.c_contiguous:
        arr = np.array(arr, order="C")
    return Blob((_npy_header(arr), memoryview(arr).cast("B") if arr.size else b""))


def encode(value: Any, blobs: list, depth: int = 0) -> dict:
    """Turn ``value`` into a JSON-able description, appending array payloads to ``blobs``."""
    if depth > MAX_DEPTH:
        return {"k": "unsupported", "type": "too deeply nested"}
    if value is None:
        return {"k": "none"}
    if isinstance(value, bool):
        return {"k": "bool", "v": value}
    if isinstance(value, RngSpec):
        return {"k": "rng", "seed": int(value.seed), "state": value.state}
    if isinstance(value, StudentFnSpec):
        return {"k": "student_fn", "name": value.name, "extra": [encode(v, blobs, depth + 1) for v in value.extra]}
    if isinstance(value, CallableSpec):
        return {"k": "callable", "name": value.name, "params": value.params}
    if isinstance(value, NormalArraySpec):
        return {"k": "normal", "seed": int(value.seed), "shape": [int(n) for n in value.shape]}
    if type(value) is int:
        return {"k": "int", "v": value}
    if type(value) is float:
        return {"k": "float", "v": value}
    if type(value) is str:
        return {"k": "str", "v": value[:MAX_STR]}
    if isinstance(value, (np.ndarray, np.generic)):
        arr = np.asarray(value)
        if arr.dtype.kind not in "biuf":
            return {"k": "unsupported", "type": f"array of dtype {arr.dtype}"}
        blobs.append(_array_blob(arr))
        return {"k": "ndarray", "b": len(blobs) - 1, "scalar": isinstance(value, np.generic)}
    if isinstance(value, (list, tuple)):
        kind = "list" if isinstance(value, list) else "tuple"
        packed = _numeric_list(value)
        if packed is not None:  # many plain numbers: one npy blob, not a JSON header of megabytes
            blobs.append(_array_blob(packed))
            return {"k": kind, "arr": len(blobs) - 1}
        items = [encode(v, blobs, depth + 1) for v in list(value)[:MAX_ITEMS]]
        return {"k": kind, "items": items}
    if isinstance(value, dict):
        pairs = list(value.items())[:MAX_ITEMS]
        return {"k": "dict", "items": [[encode(a, blobs, depth + 1), encode(b, blobs, depth + 1)] for a, b in pairs]}
    return {"k": "unsupported", "type": f"{type(value).__module__}.{type(value).__qualname__}"}


def _numeric_list(value) -> np.ndarray | None:
    """A long (nested) list of plain numbers as one array, or None (short, ragged or not numbers)."""
    if len(value) < 64 or not all(type(v) in (int, float, list, tuple) for v in value[:64]):
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            arr = np.asarray(value[:MAX_ITEMS])
    except (ValueError, TypeError, OverflowError, RecursionError, MemoryError):
        return None
    return arr if arr.dtype.kind in "biuf" and 1 <= arr.ndim <= MAX_DEPTH else None


def decode(obj: Any, blobs: list[bytes], depth: int = 0) -> Any:
    """Inverse of :func:`encode`; validates every node and never runs code."""
    if depth > MAX_DEPTH or not isinstance(obj, dict):
        raise ProtocolError("malformed value")
    kind = obj.get("k")
    if kind == "none":
        return None
    if kind == "bool":
        return bool(obj["v"])
    if kind == "int":
        v = obj["v"]
        if type(v) is not int:
            raise ProtocolError("malformed int")
        return v
    if kind == "float":
        v = obj["v"]
        if type(v) not in (int, float):
            raise ProtocolError("malformed float")
        return float(v)
    if kind == "str":
        v = obj.get("v")
        if type(v) is not str:
            raise ProtocolError("malformed str")
        return v[:MAX_STR]
    if kind == "ndarray":
        idx = obj.get("b")
        if type(idx) is not int or not 0 <= idx < len(blobs):
            raise ProtocolError("array refers to a missing blob")
        arr = _read_array(blobs[idx])
        return arr[()] if obj.get("scalar") else arr
    if kind in ("list", "tuple") and "arr" in obj:
        idx = obj.get("arr")
        if type(idx) is not int or not 0 <= idx < len(blobs):
            raise ProtocolError("list refers to a missing blob")
        arr = _read_array(blobs[idx])
        if arr.ndim < 1 or arr.shape[0] > MAX_ITEMS:
            raise ProtocolError("malformed packed list")
        out = arr.tolist()
        return out if kind == "list" else tuple(out)
    if kind in ("list", "tuple"):
        items = obj.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ProtocolError("malformed list")
        out = [decode(v, blobs, depth + 1) for v in items]
        return out if kind == "list" else tuple(out)
    if kind == "dict":
        items = obj.get("items")
        if not isinstance(items, list) or len(items) > MAX_ITEMS:
            raise ProtocolError("malformed dict")
        result = {}
        for pair in items:
            if not isinstance(pair, list) or len(pair) != 2:
                raise ProtocolError("malformed dict item")
            key = decode(pair[0], blobs, depth + 1)
            if isinstance(key, np.ndarray):  # a 0-d array key (np.int64) becomes its Python value
                key = key.item() if key.ndim == 0 else repr(key.tolist())
            try:
                hash(key)
            except TypeError:
                key = repr(key)
            result[key] = decode(pair[1], blobs, depth + 1)
        return result
    if kind == "rng":
        state = obj.get("state")
        return RngSpec(int(obj["seed"]), state if isinstance(state, dict) else None)
    if kind == "student_fn":
        extra = obj.get("extra", [])
        if not isinstance(obj.get("name"), str) or not isinstance(extra, list):
            raise ProtocolError("malformed student function spec")
        return StudentFnSpec(obj["name"], tuple(decode(v, blobs, depth + 1) for v in extra))
    if kind == "callable":
        params = obj.get("params", {})
        if not isinstance(obj.get("name"), str) or not isinstance(params, dict):
            raise ProtocolError("malformed callable spec")
        return CallableSpec(obj["name"], params)
    if kind == "normal":
        shape = obj.get("shape")
        if not isinstance(shape, list) or len(shape) > 4 or not all(type(n) is int and 0 <= n <= 10**6 for n in shape) \
                or int(np.prod(shape)) > 10**8:
            raise ProtocolError("malformed array spec")
        return NormalArraySpec(int(obj["seed"]), tuple(shape))
    if kind == "unsupported":
        return Unsupported(str(obj.get("type", "?"))[:200])
    raise ProtocolError(f"unknown value kind {kind!r}")


_MAX_NPY_HEADER = 4096

#: The header _npy_header writes, which every reply of the child runtime holds.  Read without
#: numpy's literal eval (a third of the judge's time per array); anything else, numpy reads.
_PLAIN_NPY = re.compile(rb"\{'descr': '([<>|=]?[biuf][1248])', 'fortran_order': False, 'shape': \(([0-9, ]{0,200})\), \} *\n")


def _plain_header(blob) -> tuple[tuple[int, ...], bool, np.dtype, int] | None:
    """(shape, fortran order, dtype, data offset) of a header exactly as _npy_header writes it, else None."""
    if bytes(blob[:8]) != b"\x93NUMPY\x01\x00" or len(blob) < 10:
        return None
    end = 10 + struct.unpack("<H", bytes(blob[8:10]))[0]
    found = _PLAIN_NPY.fullmatch(bytes(blob[10:end]))
    if found is None:
        return None
    text = found.group(2).decode("ascii")
    try:
        shape = tuple(int(n) for n in text.split(",") if n.strip())
    except ValueError:
        return None
    if repr(shape)[1:-1] != text:  # exactly a tuple's repr: "3, 4", "5,", ""
        return None
    return shape, False, np.dtype(found.group(1).decode("ascii")), end


def _read_array(blob) -> np.ndarray:
    """An array over the received (private) buffer; refuses anything but plain numbers."""
    if isinstance(blob, Blob):
        blob = blob.tobytes()
    plain = _plain_header(blob)
    if plain is not None:
        shape, fortran, dtype, offset = plain
    else:
        try:
            head = io.BytesIO(bytes(blob[:_MAX_NPY_HEADER]))
            version = np.lib.format.read_magic(head)
            read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                           else np.lib.format.read_array_header_2_0)
            shape, fortran, dtype = read_header(head)
        except Exception as exc:  # malformed npy header (numpy parses it with a safe literal eval)
            raise ProtocolError(f"bad array payload: {exc}") from None
        offset = head.tell()
    if dtype.kind not in "biuf" or dtype.hasobject:
        raise ProtocolError(f"array of dtype {dtype} is not plain numbers")
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    if offset + count * dtype.itemsize != len(blob):
        raise ProtocolError("array payload has the wrong length")
    arr = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return arr.reshape(shape, order="F" if fortran else "C")


# ====================================================================================================
# autograder/helper/calls.py: Calling a submission's function: what happened, as plain data.
# ====================================================================================================

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


# ====================================================================================================
# autograder/helper/results.py: Results: what a check reports about one submission.
# ====================================================================================================

#: Statuses of a check, in the words the reports use.
STATUSES = ("passed", "failed", "not_attempted", "missing", "raised", "timeout", "crashed",
            "not_graded", "grader_error")


@dataclass(frozen=True)
class CheckInfo:
    """A check as declared (no result yet): what grades.csv has one column for."""

    check_id: str
    """Unique name, e.g. 'check_init_std[xavier_init]'; always contains the graded function's name."""
    function: str
    """The one student function this check grades."""
    points: float
    title: Text
    false_fail_rate: float = 0.0
    """Probability that a correct solution fails this check (0 for deterministic checks)."""
    aspect: bool = False
    """An aspect of the output (shape, mean, symmetry...) rather than its values: it counts only when
    a value check of the same function passes (see :func:`count_aspects`)."""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check on one submission."""

    info: CheckInfo
    score: float
    status: str
    expected: str | Text = ""
    """What a right submission gives, in both languages (a plain str when it is only numbers or code)."""
    measured: str | Text = ""
    """What this submission gave, likewise."""
    hint: Text | None = None
    message: Text | None = None
    """For failures of student code (raised, timeout...): what happened, in words."""
    notes: tuple[Text, ...] = ()
    """Things worth knowing that cost nothing (e.g. an overflow warning)."""
    artifacts: dict = field(default_factory=dict)
    """Small plain data for reports (e.g. histogram counts of the probe)."""
    seconds: float = 0.0

    @property
    def check_id(self) -> str:
        return self.info.check_id

    @property
    def function(self) -> str:
        return self.info.function

    @property
    def points(self) -> float:
        return self.info.points

    @property
    def passed(self) -> bool:
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "check_id": self.check_id, "function": self.function, "points": self.points,
            "title": self.info.title.to_dict(), "false_fail_rate": self.info.false_fail_rate,
            "score": self.score, "status": self.status, "expected": text_to_plain(self.expected), "measured": text_to_plain(self.measured),
            "hint": self.hint.to_dict() if self.hint else None,
            "message": self.message.to_dict() if self.message else None,
            "notes": [n.to_dict() for n in self.notes], "seconds": round(self.seconds, 4),
        }


# ====================================================================================================
# autograder/helper/declare.py: How a lecture declares what it grades, and how a check speaks to the student.
# ====================================================================================================

@dataclass(frozen=True)
class Contract:
    """What a lecture's submission defines: its functions (in the order the lecture meets them, with
    the signatures the grader calls them by) and its analysis answers (top-level variables)."""

    functions: tuple[str, ...]
    signatures: dict[str, str]
    answers: tuple[str, ...] = ()
    stem: str = "submission"
    """The file name a student hands in (with .py or .ipynb)."""

    @property
    def graded(self) -> tuple[str, ...]:
        """Everything a check may grade: a function, or an analysis answer."""
        return self.functions + self.answers

@dataclass(frozen=True)
class GradedCheck:
    """One registered check: what it is (``info``), the function that runs it, its parameters."""

    info: CheckInfo
    run: Callable
    params: dict

    @property
    def wants(self) -> tuple[str, ...]:
        return _parameters(self.run)


@functools.lru_cache(maxsize=None)
def _parameters(fn: Callable) -> tuple[str, ...]:
    """The names a check asks for (inspect.signature once per check, not once per submission)."""
    return tuple(inspect.signature(fn).parameters)


class CheckSet:
    """A lecture's checks, in report order: the contract's order of functions, each function's checks
    in the order they were declared."""

    def __init__(self, contract: Contract):
        self.contract = contract
        self._checks: list[GradedCheck] = []
        self.uses: dict[str, tuple[str, ...]] = {}
        """The functions each answer's steps call (questions.add_answer_checks fills it): when one of them
        fails its own checks, that is the answer's hint."""

    def check(self, function: str, points: float, title: Text, false_fail_rate: float = 0.0,
              params: dict[str, tuple] | None = None, aspect: bool = False) -> Callable:
        """Register a check of ``function``.  With ``params`` ({name: values}) it is one check per value,
        named ``check[value]``; ``function`` and ``title`` may use ``{name}``.

        ``aspect=True`` marks a check of an aspect of the output (its shape, its mean, its symmetry,
        that it leaves the input alone) rather than of its values.  Such a check earns its points only
        when a value check of the same function passes: zeros of the right shape are not a partial answer.
        """

        def mark(fn: Callable) -> Callable:
            name, values = next(iter(params.items())) if params else ("", (None,))
            for value in values:
                kw = {name: value} if name else {}
                info = CheckInfo(f"{fn.__name__}[{value}]" if kw else fn.__name__, function.format(**kw),
                                 float(points), title.format(**kw) if kw else title, false_fail_rate, aspect)
                if info.function not in self.contract.graded:
                    raise ValueError(f"{info.check_id} grades {info.function}, which the contract does not name")
                self._checks.append(GradedCheck(info, fn, kw))
            self._checks.sort(key=lambda c: self.contract.graded.index(c.info.function))  # stable
            return fn

        return mark

    def __iter__(self):
        return iter(self._checks)

    def __len__(self) -> int:
        return len(self._checks)

    def of(self, functions: tuple[str, ...] = ()) -> list[GradedCheck]:
        """The checks of the named functions and answers (all when none are named), in report order."""
        unknown = [f for f in functions if f not in self.contract.graded]
        if unknown:
            raise ValueError(f"unknown name(s): {', '.join(unknown)}; choose from {', '.join(self.contract.graded)}")
        return [c for c in self._checks if not functions or c.info.function in functions]

    def infos(self) -> tuple[CheckInfo, ...]:
        """Every check as declared, in report order (what grades.csv has a column for)."""
        return tuple(c.info for c in self._checks)

class CheckFailed(AssertionError):
    """Raised through :class:`Feedback`; carries the student-facing explanation.  ``expected`` and
    ``measured`` are Texts (a plain str where the words are only numbers or code, the same in both)."""

    def __init__(self, expected: Text | str, measured: Text | str, hint: Text | None, fraction: float = 0.0):
        super().__init__(f"expected {pick(expected, 'en')}; measured {pick(measured, 'en')}")
        self.expected, self.measured, self.hint, self.fraction = expected, measured, hint, fraction


def fmt(x: Any) -> str:
    """Numbers as a student wants to read them: 4 significant digits, arrays abbreviated."""
    if isinstance(x, (float, np.floating)):
        x = float(x)
        if x != x or x in (float("inf"), float("-inf")):
            return str(x)
        return f"{x:.4g}"
    if isinstance(x, np.ndarray):
        with np.printoptions(precision=4, threshold=8, edgeitems=2, suppress=False):
            return np.array2string(x, separator=", ").replace("\n", "")
    return str(x)


def describe(value: Any) -> Text:
    """What a returned value is, in a few words (for 'expected an array, got ...')."""
    if isinstance(value, Unsupported):
        if value.type_name.startswith("array of dtype"):
            dtype = value.type_name[len("array of dtype"):].strip()
            return T(f"an {value.type_name} (not numbers)", f"숫자가 아닌 배열 (dtype {dtype})")
        return T(f"an object of type {value.type_name}", f"{value.type_name} 형식의 객체")
    if isinstance(value, np.ndarray):
        return T(f"an array of shape {value.shape} and dtype {value.dtype}",
                 f"모양 {value.shape}, dtype {value.dtype}인 배열")
    if isinstance(value, (list, tuple)):
        kind = type(value).__name__
        return T(f"a {kind} of {len(value)} items", f"항목 {len(value)}개인 {kind}")
    if isinstance(value, dict):
        return T(f"a dict with keys {list(value)[:6]}", f"키가 {list(value)[:6]}인 dict")
    if value is None:
        return T("None (did you forget `return`?)", "None (`return`을 빠뜨리지 않았나요?)")
    if isinstance(value, str):
        return T(f"str {excerpt(repr(value), 40)}", f"str {excerpt(repr(value), 40)}")
    return T(f"{type(value).__name__} {excerpt(fmt(value), 80)}", f"{type(value).__name__} {excerpt(fmt(value), 80)}")


#: How a Feedback method names what it judged by default.
THE_RESULT = T("the result", "결과")


def _of_shape(shape) -> Text:
    return T(f"shape {tuple(shape)}", f"모양 {tuple(shape)}")


@dataclass
class Feedback:
    """Per-check helper: assertions that explain themselves, plus notes that cost nothing.

    Every expected and measured line is a :class:`Text` (or a plain str of numbers or code), and so is
    ``what``, the name of the judged value in a message ("sigmoid(x)", "layer 2" / "2층")."""

    notes: list[Text] = field(default_factory=list)
    artifacts: dict = field(default_factory=dict)
    """Small plain data a report may show (the probe's histogram counts)."""

    def fail(self, expected: Text | str, measured: Text | str, hint: Text | None = None, fraction: float = 0.0):
        raise CheckFailed(expected, measured, hint, fraction)

    def expect(self, ok: bool, expected: Text | str, measured: Text | str, hint: Text | None = None) -> None:
        if not ok:
            self.fail(expected, measured, hint)

    def note(self, text: Text) -> None:
        if text not in self.notes:
            self.notes.append(text)

    # -- turning returned values into something comparable

    def array(self, value: Any, shape: tuple | None = None, what: Text | str = THE_RESULT,
              hint: Text | None = None) -> np.ndarray:
        """Coerce a returned value to a plain float64 array, failing clearly if it is not one."""
        if isinstance(value, (list, tuple)) and not isinstance(value, Unsupported):
            try:
                value = np.asarray(value, dtype=float)
            except (ValueError, TypeError):
                self.fail(T("a numpy array", "numpy 배열"), describe(value), hint or _ARRAY_HINT)
        if isinstance(value, (int, float, bool)) and not isinstance(value, np.ndarray):
            value = np.asarray(value, dtype=float)
        if not isinstance(value, np.ndarray):
            wanted = (T("{what}: a numpy array", "{what}: numpy 배열") if shape is None else
                      T("{what}: a numpy array of shape {shape}", "{what}: 모양 {shape}인 numpy 배열"))
            self.fail(wanted.format(what=what, shape=tuple(shape) if shape is not None else ""),
                      describe(value), hint_for_unsupported(value) or hint or _ARRAY_HINT)
        # Values were decoded from the child's bytes into buffers the judge owns: no copy needed.
        arr = np.asarray(value, dtype=np.float64)
        if shape is not None and arr.shape != tuple(shape):
            # One number where an array was asked for is not a dimension order slip.
            scalar = arr.ndim == 0 and len(tuple(shape)) > 0
            self.fail(T("{what} of shape {shape}", "{what}: 모양 {shape}").format(what=what, shape=tuple(shape)),
                      _of_shape(arr.shape), _SCALAR_HINT if scalar else hint or _SHAPE_HINT)
        return arr

    def number(self, value: Any, what: Text | str = THE_RESULT, hint: Text | None = None) -> float:
        """Coerce a returned value to a Python float (a 0-d or 1-element array is accepted)."""
        if isinstance(value, bool) or not isinstance(value, (int, float, np.ndarray)):
            self.fail(T("{what}: a number", "{what}: 숫자").format(what=what), describe(value), hint or _NUMBER_HINT)
        arr = np.asarray(value, dtype=np.float64)
        if arr.size != 1:
            self.fail(T("{what}: a single number", "{what}: 숫자 하나").format(what=what), describe(value),
                      hint or _NUMBER_HINT)
        return float(arr.reshape(()))

    def finite(self, arr: np.ndarray, what: Text | str, hint: Text | None = None) -> None:
        bad = ~np.isfinite(arr)
        if bad.any():
            n = int(bad.sum())
            self.fail(T("{what}: finite numbers", "{what}: 유한한 수").format(what=what),
                      T(f"{n} nan/inf values", f"nan·inf {n}개"), hint)

    def allclose(self, measured: np.ndarray, expected: np.ndarray, what: Text | str, rtol: float = 1e-7,
                 atol: float = 1e-12, hint: Text | None = None) -> None:
        """Elementwise comparison; the message shows the worst element."""
        measured = np.asarray(measured, dtype=float)
        expected = np.asarray(expected, dtype=float)
        if measured.shape != expected.shape:
            self.fail(T("{what} of shape {shape}", "{what}: 모양 {shape}").format(what=what, shape=expected.shape),
                      _of_shape(measured.shape), hint or _SHAPE_HINT)
        err = np.abs(measured - expected)
        bad = ~(err <= atol + rtol * np.abs(expected))  # nan counts as bad
        if bad.any():
            i = np.unravel_index(np.argmax(np.where(bad, np.nan_to_num(err, nan=np.inf), -1)), bad.shape)
            where = f"[{', '.join(map(str, i))}]" if measured.ndim else ""
            n, size = int(bad.sum()), bad.size
            self.fail(T("{what}{where} = {value}", "{what}{where} = {value}").format(
                          what=what, where=where, value=fmt(expected[i])),
                      T(f"{fmt(measured[i])} ({n} of {size} values differ)", f"{fmt(measured[i])} ({size}개 중 {n}개 다름)"),
                      hint)


def hint_for_unsupported(value) -> Text | None:
    """The hint for an array that holds Python objects instead of numbers, whatever the check asked."""
    if isinstance(value, Unsupported) and value.type_name.startswith("array of dtype"):
        return T("Your array holds Python objects, not numbers (dtype object): build it with numpy "
                 "operations on whole arrays (np.exp, np.maximum) instead of math functions or lists of "
                 "different lengths.",
                 "배열에 숫자가 아닌 파이썬 객체가 들어 있습니다 (dtype object). math 함수나 길이가 다른 리스트 대신 "
                 "배열 전체에 numpy 연산(np.exp, np.maximum)을 쓰세요.")
    return None


_ARRAY_HINT = T("Return a numpy array (np.ndarray), e.g. by computing with numpy functions.",
                "numpy 배열(np.ndarray)을 반환하세요. numpy 함수로 계산하면 배열이 됩니다.")
_SHAPE_HINT = T("Check the order of the dimensions: rows are samples (or n_in), columns are units (n_out).",
                "차원 순서를 확인하세요: 행은 샘플(또는 n_in), 열은 노드(n_out)입니다.")
_SCALAR_HINT = T("Your function returned one number: compute elementwise on the whole array and return an array "
                 "of the input's shape.",
                 "함수가 숫자 하나를 반환했습니다: 배열 전체에 원소별로 계산해 입력과 같은 모양의 배열을 반환하세요.")
_NUMBER_HINT = T("Return one number (a float), not an array or a list.",
                 "배열이나 리스트가 아닌 숫자 하나(float)를 반환하세요.")


# ====================================================================================================
# autograder/helper/wording.py: Wording that is not specific to one check: statuses, labels, and failures of student code.
# ====================================================================================================

STATUS_LABEL: dict[str, Text] = {
    "passed": T("PASS", "통과"),
    "failed": T("FAIL", "실패"),
    "not_attempted": T("TODO", "미구현"),
    "missing": T("MISSING", "없음"),
    "raised": T("ERROR", "오류"),
    "timeout": T("TIMEOUT", "시간초과"),
    "crashed": T("CRASH", "중단"),
    "not_graded": T("NOT GRADED", "채점안됨"),
    "grader_error": T("GRADER ERROR", "채점기 오류"),
}

LABELS = {
    "expected": T("expected", "기댓값"),
    "measured": T("measured", "측정값"),
    "hint": T("hint", "힌트"),
    "note": T("note", "참고"),
    "score": T("score", "점수"),
    "check": T("check", "점검 항목"),
    "total": T("Total", "합계"),
}


#: Labels of the parts of a check's explanation, in the order they are shown.
DETAIL_LABELS: dict[str, Text] = {
    "message": T("what happened", "상황"),
    "expected": LABELS["expected"],
    "measured": LABELS["measured"],
    "hint": LABELS["hint"],
    "note": LABELS["note"],
}


def result_details(result, say) -> list[tuple[str, str]]:
    """(kind, text) of what a report shows under a check: what happened, expected, measured, the
    hint (only when points were lost) and notes.  ``say`` turns a Text into the report's language(s) (a
    plain str, such as a number, it keeps: expected and measured may be one).

    Every report (terminal table, notebook, results.json, feedback page) shows the same parts.
    """
    parts = []
    if result.message is not None:
        parts.append(("message", say(result.message)))
    if result.expected:
        parts.append(("expected", say(result.expected)))
    if result.measured:
        parts.append(("measured", say(result.measured)))
    if result.hint is not None and not result.passed:
        parts.append(("hint", say(result.hint)))
    parts += [("note", say(n)) for n in result.notes]
    return parts


def _place(cell: str, line, lang: str = "en") -> str:
    """Where in the student's file: "cell 14, line 7" in a notebook; in a .py file the file's own line
    number says it all ("weight_init.py, line 83", not the cell's range of lines).  In Korean "셀 14, 7번째 줄"."""
    cell = re.sub(r" lines \d+-\d+$", "", cell)
    if lang == "ko":
        cell = re.sub(r"^cell (\d+)$", r"셀 \1", cell)
        return f"{cell}, {line}번째 줄" if line else cell
    return f"{cell}, line {line}" if line else cell


def cell_place(error: dict, lang: str = "en") -> str:
    """Where a cell's error happened: its line, in the cell that holds it (an earlier cell's function
    called from this one is placed there, and this one named as the one that ran it)."""
    if error.get("at"):
        at, ran = _place(str(error["at"]), error.get("line"), lang), _place(str(error.get("cell", "")), None, lang)
        return f"{at}, {ran}에서 실행" if lang == "ko" else f"{at}, run from {ran}"
    return _place(str(error.get("cell", "해당 셀" if lang == "ko" else "its cell")), error.get("line"), lang)


def cell_error_text(error: dict, lang: str = "en") -> str:
    """``Type: message`` of a cell's error.  Python's own messages stay as Python wrote them; the ones the
    judge writes for a cell it had to stop (Timeout, Crashed) carry their Korean as ``message_ko``."""
    kind = error.get("type", "Error")
    if lang == "ko" and error.get("message_ko"):
        return f"{JUDGE_KINDS_KO.get(str(kind).lower(), kind)}: {error['message_ko']}"
    return f"{kind}: {error.get('message', '')}"


#: The judge's names for a cell or a load it stopped (a cell error's Timeout/Crashed, a load report's
#: timeout/crashed), in Korean by their lower case (Python's exception names stay as they are).
JUDGE_KINDS_KO = {"timeout": "시간 초과", "crashed": "비정상 종료"}


def failure_message(kind: str, fn: str, info: dict, timeout_s: float | None = None) -> tuple[Text, Text]:
    """(what happened, one hint) for a call of ``fn`` that returned no value."""
    if kind == "not_attempted" and fn.startswith("answer_"):
        return (T(f"{fn} is not computed yet (the cell still raises NotImplementedError).",
                  f"{fn}을(를) 아직 계산하지 않았습니다 (셀이 NotImplementedError를 냅니다)."),
                T("Replace `raise NotImplementedError()` in the analysis cell with your computation.",
                  "분석 문제 셀의 `raise NotImplementedError()` 를 지우고 계산을 작성하세요."))
    if kind == "not_attempted":
        return (T(f"{fn} is not implemented yet (it raises NotImplementedError).",
                  f"{fn} 함수를 아직 구현하지 않았습니다 (NotImplementedError)."),
                T("Replace `raise NotImplementedError()` with your code.",
                  "`raise NotImplementedError()` 를 지우고 코드를 작성하세요."))
    error = info.get("cell_error")
    if kind == "missing" and isinstance(error, dict):
        where, where_ko = cell_place(error), cell_place(error, "ko")
        what, what_ko = cell_error_text(error), cell_error_text(error, "ko")
        made = "computed" if fn.startswith("answer_") else "defined"
        message = T(f"{fn} was not {made}: the cell that {'computes' if fn.startswith('answer_') else 'defines'} "
                    f"it stopped ({where}) with {what}",
                    f"{fn}이(가) 만들어지지 않았습니다: 이 값을 만드는 셀이 멈췄습니다 ({where_ko}). {what_ko}")
        if "invalid character" in str(error.get("message", "")):
            return message, T("A character typed in Korean (or another non-English) input mode, such as the full-width "
                              "colon ： or parentheses （）, is not Python: switch to English input and type it again.",
                              "한글 입력 상태에서 친 전각 문자(예: 콜론 ：, 괄호 （）)는 파이썬 문법이 아닙니다. 영문 입력으로 "
                              "바꿔 다시 입력하세요.")
        frames = [f for f in error.get("frames") or [] if isinstance(f, (list, tuple)) and len(f) == 3]
        texts = [str(f[2]) for f in frames]
        if error.get("type") in ("NameError", "UnboundLocalError"):
            # Inside a function: raised in another cell than the one that ran (a function defined there), or a
            # traceback deeper than the cell's own top level.  Otherwise the cell's top level used the name.
            inside = bool(error.get("at")) or len(frames) >= 2
            return message, name_error_hint(str(error.get("message", "")), texts, inside,
                                            unbound=error.get("type") == "UnboundLocalError")
        specific = runtime_error_hint(str(error.get("type", "")), str(error.get("message", "")), texts)
        if specific is not None:
            return message, specific
        return message, T("Fix the error in that cell; the rest of the file was still run.",
                          "그 셀의 오류를 고치세요. 파일의 나머지 부분은 그대로 실행되었습니다.")
    if kind == "missing" and info.get("in_kernel"):
        what = "its analysis cell" if fn.startswith("answer_") else f"the cell with `def {fn}`"
        what_ko = "이 값을 계산하는 분석 문제 셀" if fn.startswith("answer_") else f"`def {fn}`이 있는 셀"
        return (T(f"{fn} is not defined yet in this notebook.", f"이 노트북에 아직 {fn}이(가) 없습니다."),
                T(f"Run {what} first (Shift+Enter), then this check again; if you did, check the name's spelling.",
                  f"먼저 {what_ko}을 실행(Shift+Enter)한 뒤 이 점검을 다시 실행하세요. 실행했다면 이름의 철자를 확인하세요."))
    if kind == "missing" and fn.startswith("answer_"):
        return (T(f"{fn} is not defined in the submitted file.", f"제출한 파일에 {fn} 변수가 없습니다."),
                T(f"Run the analysis cell so that it stores a number in {fn}.",
                  f"분석 문제 셀을 완성해 {fn}에 숫자를 저장하세요."))
    if kind == "missing":
        return (T(f"{fn} is not defined in the submitted file.", f"제출한 파일에 {fn} 함수가 없습니다."),
                T(f"Keep the name and signature of the template: def {fn}(...).",
                  f"템플릿의 함수 이름과 인자를 그대로 두세요: def {fn}(...)."))
    if kind == "timeout" and info.get("budget"):
        s = f"{timeout_s:g}" if timeout_s else "its"
        return (T(f"This submission used up its whole time budget ({s} s in all), so {fn} was not run.",
                  f"이 제출물이 전체 시간 한도({s}초)를 모두 써서 {fn}을(를) 실행하지 않았습니다."),
                T("Find the function or top-level code that is slow or never ends (earlier messages name it); "
                  "after that fix, every check runs again.",
                  "느리거나 끝나지 않는 함수나 최상위 코드를 찾아 고치세요 (앞의 메시지에 나옵니다). "
                  "고치면 모든 점검이 다시 실행됩니다."))
    if kind == "timeout":
        s = f"{timeout_s:g}" if timeout_s else "the allowed"
        if info.get("earlier"):
            return (T(f"{fn} did not return within {s} s in an earlier check, so it was not run again.",
                      f"{fn} 함수가 앞선 점검에서 {s}초 안에 끝나지 않아 다시 실행하지 않았습니다."),
                    T("Fix the loop that never ends; then every check of this function runs again.",
                      "끝나지 않는 반복문을 고치면 이 함수의 모든 점검이 다시 실행됩니다."))
        return (T(f"{fn} did not return within {s} s.", f"{fn} 함수가 {s}초 안에 끝나지 않았습니다."),
                T("Look for a loop that never ends, or work that grows with the input much faster than needed.",
                  "끝나지 않는 반복문이 없는지, 필요 이상으로 많은 계산을 하지 않는지 확인하세요."))
    if kind == "crashed":
        return (T(f"The process running {fn} stopped (memory limit, os._exit or a crash).",
                  f"{fn} 실행 중 프로세스가 멈췄습니다 (메모리 한도, os._exit 또는 비정상 종료)."),
                T("Avoid creating huge arrays and do not exit the interpreter from your functions.",
                  "너무 큰 배열을 만들거나 함수 안에서 인터프리터를 종료하지 마세요."))
    # raised
    where = where_ko = ""
    frames = info.get("frames") or []
    if frames:
        _file, line, text = frames[-1]
        cell = _file.replace('<student ', '').rstrip('>')
        if line:
            where, where_ko = (f" ({_place(cell, line, lang)}: {text.strip()})" for lang in ("en", "ko"))
    what = f"{info.get('type', 'Error')}: {info.get('message', '')}"
    message = T(f"{fn} raised {what}{where}", f"{fn} 실행 중 오류가 발생했습니다. {what}{where_ko}")
    kind_of = str(info.get("type", ""))
    texts = [str(f[2]) for f in frames if isinstance(f, (list, tuple)) and len(f) == 3]
    if kind_of in ("NameError", "UnboundLocalError"):
        # Raised while the grader called fn: in fn's own body (or a function it calls), never at a cell's top level.
        return message, name_error_hint(str(info.get("message", "")), texts, True,
                                        unbound=kind_of == "UnboundLocalError")
    specific = runtime_error_hint(kind_of, str(info.get("message", "")), texts)
    if specific is not None:
        return message, specific
    return (message,
            T("Run the function yourself on a small input (an array, and a single number) to see the error; the "
              "grader passes the arguments in the order of the template's signature.",
              "작은 입력(배열 하나, 숫자 하나)으로 함수를 직접 실행해 오류를 확인하세요. 채점기는 템플릿의 인자 "
              "순서대로 값을 넘깁니다."))


# ---- hints for the errors learners' code typically raises ------------------------------------------------

#: Names that an import (or the notebook's first cells) makes, never a typo of the function's own code.
_IMPORTED_NAMES = {"np": "import numpy as np", "numpy": "import numpy as np", "math": "import math",
                   "plt": "import matplotlib.pyplot as plt", "lab": "import initlab_lab as lab"}


def _identifiers(texts: list[str]) -> list[str]:
    words = []
    for text in texts:
        for word in re.findall(r"[A-Za-z_][A-Za-z_0-9]*", text):
            if not keyword.iskeyword(word) and word not in words:
                words.append(word)
    return words


def _did_you_mean(name: str, candidates: list[str]) -> str | None:
    close = difflib.get_close_matches(name, [c for c in candidates if c != name], n=1, cutoff=0.6)
    return close[0] if close else None


def name_error_hint(message: str, texts: list[str], inside: bool, unbound: bool = False) -> Text:
    """The hint of a NameError: a typo in the function's own body (``inside``, e.g. ``sef.lam``), a
    name made by an import or an earlier cell (np, a notebook constant such as LAM, another function),
    or a name the cell's own top level uses.  ``texts`` are the student's source lines of the traceback."""
    found = re.search(r"'([A-Za-z_][A-Za-z_0-9]*)'", message)
    name = found.group(1) if found else None
    if name is None:
        return T("A name used there is not defined: check its spelling, and run the cells above first.",
                 "그곳에서 쓴 이름이 정의되어 있지 않습니다. 철자를 확인하고 위의 셀을 먼저 실행하세요.")
    if unbound:
        return T(f"`{name}` is assigned somewhere in this function, so Python treats it as a local variable, and "
                 "it is used before that assignment: assign it first (or use another name).",
                 f"`{name}`이(가) 이 함수 안 어딘가에서 대입되므로 파이썬은 지역 변수로 봅니다. 그런데 대입하기 전에 "
                 "사용했습니다. 먼저 값을 대입하세요 (또는 다른 이름을 쓰세요).")
    if name in _IMPORTED_NAMES:
        line = _IMPORTED_NAMES[name]
        return T(f"`{name}` is not imported: run the first cell (`{line}`) before this one, or add that line.",
                 f"`{name}`을(를) import하지 않았습니다. 맨 앞 셀(`{line}`)을 먼저 실행하거나 그 줄을 추가하세요.")
    if name.isupper():  # a notebook constant (LAM, NODE_NUM) that the set-up cell makes
        return T(f"`{name}` is made by an earlier cell (the set-up cell): run that cell first. Inside a graded "
                 "function, use its own arguments (such as lam) rather than the notebook's constants.",
                 f"`{name}`은(는) 앞 셀(설정 셀)에서 만들어집니다. 그 셀을 먼저 실행하세요. 채점되는 함수 안에서는 "
                 "노트북의 상수 대신 함수의 인자(예: lam)를 쓰세요.")
    called = any(re.search(rf"(?<![\w.]){re.escape(name)}\s*\(", t) for t in texts)
    guess = _did_you_mean(name, _identifiers(texts) + ["self"])
    mean_en = f" Did you mean `{guess}`?" if guess else ""
    mean_ko = f" `{guess}`을(를) 쓰려던 것인가요?" if guess else ""
    if called:  # another function: the cell that defines it should have run (or its name is misspelled)
        return T(f"`{name}(...)` is called but not defined: if it is another of your functions, run (or fix) the "
                 f"cell that defines it first; otherwise check the spelling.{mean_en}",
                 f"`{name}(...)`을(를) 호출했지만 정의되어 있지 않습니다. 직접 만든 다른 함수라면 그 함수를 정의하는 "
                 f"셀을 먼저 실행(또는 수정)하세요. 아니라면 철자를 확인하세요.{mean_ko}")
    if inside:
        return T(f"`{name}` is not defined in this function (a typo?).{mean_en} Every name a function uses must be "
                 "one of its arguments, a variable it assigns before using it, or an import such as np.",
                 f"`{name}`은(는) 이 함수 안에서 정의되지 않은 이름입니다 (오타인가요?).{mean_ko} 함수에서 쓰는 이름은 "
                 "인자, 사용하기 전에 대입한 변수, 또는 np 같은 import여야 합니다.")
    return T(f"That cell uses `{name}`, a name an earlier cell should have made: fix the first cell that failed "
             f"(or the function it names), and this one runs again; if no cell makes `{name}`, check its spelling.",
             f"그 셀은 앞 셀에서 만들어져야 할 이름 `{name}`을(를) 씁니다. 먼저 실패한 앞 셀(또는 오류에 나온 함수)을 "
             f"고치면 이 셀도 다시 실행됩니다. `{name}`을(를) 만드는 셀이 없다면 철자를 확인하세요.")


def _numpy_suggestion(module: str, attribute: str) -> str | None:
    """The closest existing name of a numpy module (np.random.radn -> randn); None if numpy or the module is
    not importable here, or nothing is close."""
    if module.split(".")[0] != "numpy":
        return None
    try:
        import importlib

        names = dir(importlib.import_module(module))
    except Exception:  # numpy missing, or a module name that is not one: no suggestion, the hint still stands
        return None
    return _did_you_mean(attribute, [n for n in names if not n.startswith("_")])


def runtime_error_hint(kind: str, message: str, texts: list[str]) -> Text | None:
    """A specific hint for the errors of code that works for one number only, or of a misspelled numpy name;
    None for anything else (the caller keeps its general hint)."""
    code = " ".join(texts)
    if "truth value of an array" in message:  # ValueError of max(0, x), if x > 0:, and/or on arrays
        python_max = re.search(r"(?<![\w.])(max|min)\s*\(", code)
        branch = re.search(r"(?m)^\s*(if|elif|while)\b|\bif\b.*\belse\b", code)
        if python_max and not branch:
            f = python_max.group(1)
            return T(f"Python's {f}(0, x) compares whole objects, and `x > 0` on an array is an array of True/False, "
                     f"which has no single truth value: use np.{f}imum(0, x), which works elementwise (for arrays "
                     "and single numbers alike).",
                     f"파이썬의 {f}(0, x)는 값을 하나씩만 비교합니다. 배열에서 `x > 0`은 True/False의 배열이라 하나의 "
                     f"참/거짓이 될 수 없습니다. 원소별로 계산하는 np.{f}imum(0, x)를 쓰세요 (배열과 숫자 모두 동작).")
        if branch and not python_max:
            return T("`if x > 0:` needs one True/False, but on an array `x > 0` is an array of them (one per "
                     "element): work elementwise instead, e.g. np.where(x > 0, x, 0) or np.maximum(0, x).",
                     "`if x > 0:`에는 참/거짓 하나가 필요하지만 배열에서 `x > 0`은 원소마다 하나씩인 배열입니다. "
                     "원소별로 계산하세요. 예: np.where(x > 0, x, 0) 또는 np.maximum(0, x).")
        return T("Code for one number (Python's max(0, x), `if x > 0:`, and/or) does not work on an array: `x > 0` "
                 "is an array of True/False.  Work elementwise: np.maximum(0, x), np.where(x > 0, x, 0).",
                 "숫자 하나용 코드(파이썬의 max(0, x), `if x > 0:`, and/or)는 배열에서 동작하지 않습니다. 배열에서 "
                 "`x > 0`은 True/False의 배열입니다. 원소별로 계산하세요: np.maximum(0, x), np.where(x > 0, x, 0).")
    if "converted to Python scalars" in message:  # math.exp(x), float(x) on an array
        m = re.search(r"\bmath\.(\w+)\s*\(", code)
        f = m.group(1) if m else "exp"
        return T(f"math.{f} (like float()) takes a single number, but x is an array: use np.{f}(x), which works "
                 "elementwise on arrays and on single numbers.",
                 f"math.{f}(float()도 마찬가지)는 숫자 하나만 받는데 x는 배열입니다. 배열과 숫자 모두에 원소별로 "
                 f"동작하는 np.{f}(x)를 쓰세요.")
    if "does not support item assignment" in message:  # a[i] = ... on a float (0.0, np.sum(...), a scalar x)
        m = re.search(r"'([\w.]+)' object", message)
        what = m.group(1) if m else "float"
        return T(f"`a[...] = ...` on a single number (a '{what}'): that variable is not an array (it started as a "
                 "number such as 0.0, or the grader passed a scalar).  Compute with array operations instead (lam * W, "
                 "np.maximum(0, x), np.where(...)), or make an array first (np.zeros_like(W)).",
                 f"숫자 하나('{what}')에 `a[...] = ...`를 했습니다. 그 변수는 배열이 아닙니다 (0.0 같은 숫자로 "
                 "시작했거나 채점기가 스칼라를 넘겼습니다). 배열 연산(lam * W, np.maximum(0, x), np.where(...))으로 "
                 "계산하거나 먼저 배열을 만드세요 (np.zeros_like(W)).")
    if "return arrays must be of ArrayType" in message:  # np.maximum(x, 0, x) on a scalar x
        return T("The third argument of np.maximum (and other ufuncs) is its output, out=: np.maximum(x, 0, x) writes "
                 "into x (changing the caller's array) and fails when x is a single number.  Return np.maximum(0, x).",
                 "np.maximum(그리고 다른 ufunc)의 세 번째 인자는 결과를 쓸 곳(out=)입니다. np.maximum(x, 0, x)는 x에 "
                 "결과를 덮어써서 호출한 쪽의 배열을 바꾸고, x가 숫자 하나이면 실패합니다. np.maximum(0, x)를 반환하세요.")
    m = re.search(r"module '([\w.]+)' has no attribute '(\w+)'", message)
    if kind == "AttributeError" and m:
        module, attribute = m.groups()
        shown = re.sub(r"^numpy\b", "np", module)
        guess = _numpy_suggestion(module, attribute)
        mean_en = f": did you mean {shown}.{guess}?" if guess else ": check the spelling in the numpy documentation."
        mean_ko = f". {shown}.{guess}을(를) 쓰려던 것인가요?" if guess else ". numpy 문서에서 철자를 확인하세요."
        return T(f"{shown}.{attribute} does not exist{mean_en} (numpy's functions work elementwise on whole arrays: "
                 "np.exp, np.maximum, rng.standard_normal.)",
                 f"{shown}.{attribute}은(는) 없습니다{mean_ko} (numpy 함수는 배열 전체에 원소별로 동작합니다: "
                 "np.exp, np.maximum, rng.standard_normal.)")
    return None


GRADER_ERROR = (T("The grader itself failed on this check; it is not your fault. Tell your instructor.",
                  "이 항목에서 채점기 자체에 오류가 났습니다. 학생의 잘못이 아니니 담당 교수/조교에게 알려 주세요."),
                None)


# ====================================================================================================
# autograder/helper/runner.py: Running the checks on one submission: the grader's loop and the self-check's are this one.
# ====================================================================================================

def run_check(check: GradedCheck, student, variant, sid: str = "", answer_key: Callable | None = None,
              answers_shown: bool = False) -> CheckResult:
    """Run one check on one submission's handle and turn what happened into a CheckResult.

    ``answer_key(name, variant) -> (value, tolerance)`` grades analysis answers (the instructor's
    kit has it); without it an answer is self-checked against the student's own functions.
    """
    info = check.info
    fb = Feedback()
    given = {"student": student, "fb": fb, "variant": variant, "answer_key": answer_key,
             "answers_shown": answers_shown, **check.params,
             "seed": variant.check_seed(info.check_id, sid),
             "seed_for": lambda name: variant.check_seed(name, sid),
             # inputs shared by a class-wide week's submissions (a per-student set-up still has its own);
             # lecture_seeds is the same rule
             "class_seed_for": lambda name: variant.check_seed(name, "")}
    started = time.perf_counter()
    exc: BaseException | None = None
    try:
        check.run(**{name: given[name] for name in check.wants})
    except (CheckFailed, StudentFailure) as failure:
        exc = failure
    except Exception as failure:  # a bug of the checks themselves, never the student's fault
        exc = failure
    common = dict(notes=tuple(fb.notes), artifacts=dict(fb.artifacts), seconds=time.perf_counter() - started)
    if exc is None:
        return CheckResult(info=info, score=info.points, status="passed", **common)
    if isinstance(exc, CheckFailed):
        return CheckResult(info=info, score=round(info.points * exc.fraction, 6), status="failed",
                           expected=exc.expected, measured=exc.measured, hint=exc.hint, **common)
    if isinstance(exc, StudentFailure):
        timeout = exc.info.get("seconds") if isinstance(exc, TimedOut) else None
        fn = exc.info.get("fn")
        fn = fn if isinstance(fn, str) and fn.isidentifier() else info.function
        message, hint = failure_message(exc.kind, fn, exc.info, timeout)
        if isinstance(exc.info.get("hint"), Text):  # the check knows what this failure usually means
            hint = exc.info["hint"]
        return CheckResult(info=info, score=0.0, status=exc.kind, message=message, hint=hint, **common)
    return grader_failure(info, exc, **common)


def grader_failure(info: CheckInfo, exc: BaseException, **common) -> CheckResult:
    """A check that could not run because the grader failed, not the student: 0 points, and it says so."""
    message, hint = GRADER_ERROR
    return CheckResult(info=info, score=0.0, status="grader_error", message=message, hint=hint,
                       measured=f"{type(exc).__name__}: {exc}"[:300], **common)


#: What a held aspect check says (see :func:`count_aspects`).
ASPECT_HELD = (T("Right in this respect, but it counts only when the function's values are right: "
                 "every value check of this function failed.",
                 "이 항목은 맞지만, 함수의 값이 맞을 때만 점수가 됩니다: 이 함수의 값 점검이 모두 실패했습니다."),
               T("Fix the values first (the value checks above say how); this check then counts again.",
                 "먼저 값을 고치세요 (위의 값 점검에 방법이 있습니다). 그러면 이 항목도 다시 점수가 됩니다."))


def count_aspects(results: list[CheckResult]) -> list[CheckResult]:
    """The rule for aspect checks (shape, mean, symmetry, ...): they earn points only together with a
    passing value check of the same function.  A function whose every value check failed keeps no
    aspect points, so output of the right shape with no right value (zeros, NaN) earns nothing."""
    values_right: dict[str, bool] = {}
    for r in results:
        if not r.info.aspect:
            values_right[r.function] = values_right.get(r.function, False) or r.passed
    held, hint = ASPECT_HELD
    return [CheckResult(info=r.info, score=0.0, status="failed", message=held, hint=hint, notes=r.notes,
                        artifacts=r.artifacts, seconds=r.seconds)
            if r.info.aspect and r.passed and not values_right.get(r.function, True) else r
            for r in results]

def blame_functions(results: list[CheckResult], checks: CheckSet, self_check: bool = False) -> list[CheckResult]:
    """A wrong answer whose steps use a function that fails its own checks gets that function as its
    hint (the answer is wrong because of it, not because of how it was computed).  In a self-check,
    which compares an answer with the student's own functions, such an answer is not passed either:
    it agrees with a broken function, and grading (which compares with the reference) would take the
    PASS back."""
    broken = [f for f in checks.contract.functions if any(r.function == f and not r.passed for r in results)]
    out = []
    for r in results:
        culprits = [f for f in broken if f in checks.uses.get(r.function, ())]
        # A failed answer, or one its cell could not store because a function raised, is blamed on the
        # broken function; an unattempted one (the template's stub) is not.
        if culprits and (r.status in ("failed", "missing", "raised") or (self_check and r.status == "passed")):
            names = ", ".join(culprits)
            if r.status == "passed":
                expected = T("first: every function the question uses passing its own checks (then the number "
                             "your own functions give)",
                             "먼저 이 문제가 쓰는 함수가 모두 각자의 점검을 통과해야 함 (그다음 내 함수로 계산한 값)")
                measured = T(f"{names} fails its own checks", f"{names}의 점검이 실패함")
                status = "failed"
            else:
                expected, measured, status = r.expected, r.measured, r.status
            r = CheckResult(info=r.info, score=0.0, status=status, expected=expected, measured=measured,
                            message=r.message, notes=r.notes, artifacts=r.artifacts, seconds=r.seconds,
                            hint=T(f"This answer is computed with {names}, which fails its own checks above: "
                                   "fix that first, then run this cell again (the answer will likely change).",
                                   f"이 답은 {names}(으)로 계산하는데, 그 함수가 위의 점검에서 실패했습니다. "
                                   "먼저 그 함수를 고친 뒤 이 셀을 다시 실행하세요 (답이 바뀔 가능성이 큽니다)."))
        out.append(r)
    return out


def settle(results: list[CheckResult], checks: CheckSet, self_check: bool = False) -> list[CheckResult]:
    """A submission's results once every check has run: aspect points held (:func:`count_aspects`) and
    answers pointed at a broken function they use (:func:`blame_functions`)."""
    return blame_functions(count_aspects(results), checks, self_check)


def _call_key(fn: str, args: tuple) -> str:
    blobs: list = []
    header = json.dumps([fn, [encode(a, blobs) for a in args]], sort_keys=True)
    digest = hashlib.sha256(header.encode())
    for b in blobs:
        for part in b.parts:
            digest.update(part)
    return digest.hexdigest()


class Reuse:
    """Replies of calls made with ``reuse=True``, by arguments: several checks may judge one draw.

    Only for calls whose repetition would prove nothing (the same seed, the same inputs); the
    rng-contract check calls twice on purpose and never reuses.
    """

    def __init__(self):
        self._replies: dict[str, CallReply] = {}
        self._failures: dict[str, StudentFailure] = {}

    def call(self, do_call, fn: str, args: tuple, reuse: bool) -> CallReply:
        if not reuse:
            return do_call(fn, *args)
        key = _call_key(fn, args)
        if key in self._failures:
            raise self._failures[key]
        if key not in self._replies:
            try:
                self._replies[key] = do_call(fn, *args)
            except StudentFailure as exc:
                self._failures[key] = exc
                raise
        return self._replies[key]


class _Namespace(dict):
    """A notebook's functions by name; a missing one is a MissingFunction, as in the sandbox."""

    def __missing__(self, name):
        raise MissingFunction(f"{name} is not defined", {"fn": name})


@contextlib.contextmanager
def _in_kernel():
    """A name missing from a live notebook is a cell not run yet, not a file without it: say so."""
    try:
        yield
    except MissingFunction as exc:
        exc.info["in_kernel"] = True
        raise


class KernelStudent:
    """The functions of a live namespace (a Jupyter kernel's), called where they are.

    Every argument and every returned value goes through the encoding the grader's sandbox uses,
    so a check sees exactly what it would see while grading.  That is the trust model of nbgrader
    (student code and checks share a kernel), right for a student checking their own work;
    official grades come from ``initlab grade``, which runs submissions in a jail.
    """

    def __init__(self, sid: str, namespace: dict, contract: Contract):
        self.sid = sid
        self.namespace = namespace
        self.contract = contract
        self._reuse = Reuse()

    def load(self) -> LoadReport:
        return LoadReport(functions={f: callable(self.namespace.get(f)) for f in self.contract.functions}, errors=[])

    def call(self, fn: str, *args, reuse: bool = False, return_args: bool = False) -> CallReply:
        if return_args:
            return self._call(fn, *args, return_args=True)
        return self._reuse.call(self._call, fn, args, reuse)

    def functions(self) -> dict:
        """The namespace's own functions (this kernel runs them)."""
        return _Namespace({name: fn for name in self.contract.functions if callable(fn := self.namespace.get(name))})

    def value(self, name: str) -> CallReply:
        header, blobs = value_reply(self.namespace, name)
        with _in_kernel():
            return parse_reply(name, header, [bytearray(b.tobytes()) for b in blobs])

    def _call(self, fn: str, *args, return_args: bool = False) -> CallReply:
        blobs: list = []
        encoded = [encode(a, blobs) for a in args]
        header, reply_blobs = call_function(self.namespace, fn, encoded, [bytearray(b.tobytes()) for b in blobs],
                                            return_args=return_args)
        with _in_kernel():
            return parse_reply(fn, json.loads(json.dumps(header)), [bytearray(b.tobytes()) for b in reply_blobs])

    def close(self) -> None:
        self._reuse = Reuse()

def check_namespace(namespace: dict, checks: CheckSet, default_setup: dict, functions: tuple[str, ...] = (),
               setup: GradedSetup | None = None, sid: str = "notebook") -> list[CheckResult]:
    """Run the checks of ``functions`` (all when none are named) on a live namespace's functions,
    under the set-up its SETUP declares (``default_setup`` when it declares none), or ``setup``;
    ``sid`` seeds the checks' inputs."""
    if setup is None:
        setup = setup_of(namespace.get("SETUP"), namespace.get("STUDENT_ID", ""), default_setup)
    student = KernelStudent(sid, namespace, checks.contract)
    # nbgrader gives a test cell 0 points if it writes anything to stderr, so nothing may.  (numpy's own
    # error state is left alone: a student function's overflow warning is recorded, as in grading.)
    with warnings.catch_warnings(), contextlib.redirect_stderr(io.StringIO()):
        warnings.simplefilter("ignore")
        asked = tuple(functions)
        # An answer's check needs the verdicts of the functions its steps use (settle): those run too.
        used = tuple(f for name in asked for f in checks.uses.get(name, ()) if f not in asked)
        run = tuple(dict.fromkeys(asked + used)) if asked else ()
        results = settle([run_check(c, student, setup, student.sid) for c in checks.of(run)], checks,
                         self_check=True)
        return [r for r in results if not asked or r.function in asked]


# ====================================================================================================
# autograder/helper/questions.py: Analysis questions: numbers a student computes with their own functions under a set-up.
# ====================================================================================================

@dataclass(frozen=True)
class Question:
    """One analysis question; the student stores the answer in a variable named ``name``."""

    name: str
    points: float
    text: Text
    tolerance: Callable
    """``tolerance(variant, value, spread)``: the absolute tolerance around ``value``, where
    ``spread(which)`` is the standard deviation across seeds of the statistic ``which``."""
    compute: Callable
    """The question's steps, run with the functions in the given namespace."""
    hint: Text
    uses: tuple[str, ...] = ()
    """The functions the steps call: when one of them fails its own checks, that is the answer's hint."""
    spread: Callable | None = None
    """``spread(variant, which, fns)``: the statistic ``which``'s standard deviation across seeds, computed
    with the functions ``fns`` (what a self-check's tolerance rests on); None where no tolerance uses one."""
    mistakes: Callable | None = None
    """``mistakes(got, want, variant)``: the hint of a known slip the number shows, or None."""


@dataclass(frozen=True)
class Bound:
    """``fn`` with its trailing arguments fixed (``normal_init`` with its std, as an init(n_in, n_out, rng)):
    a plain object rather than a lambda, so the judge can hand a student's function on to another one."""

    fn: Callable
    extra: tuple

    def __call__(self, *args):
        return self.fn(*args, *self.extra)


def add_answer_checks(checks: CheckSet, questions: tuple[Question, ...]) -> None:
    """Register ``answer_value[name]``, the check of each question's stored answer, in ``checks``."""
    by_name = {q.name: q for q in questions}
    checks.uses.update({q.name: q.uses for q in questions})

    def check_analysis_answer(student, fb, variant, name, answer_key, answers_shown):
        """Graded (``answer_key`` given): the answer must be within the tolerance of the reference's,
        shown only with ``answers_shown``.  A self-check (no key) never knows the reference's answer: it
        runs the question's steps again with the student's own functions and checks that the stored
        answer agrees, and says so without printing that number either."""
        answer_check(by_name[name], student, fb, variant, answer_key, answers_shown)

    for q in questions:  # one registration per points value keeps each question's own points
        checks.check(q.name, points=q.points, title=T("the value, within its tolerance", "허용 오차 안의 값"),
                     params={"name": (q.name,)})(check_analysis_answer)


def answer_check(question: Question, student, fb, variant, answer_key, answers_shown) -> None:
    name = question.name
    try:
        reply = student.value(name)
    except MissingFunction:
        # The template's `raise NotImplementedError()` stopped the cell before the answer was stored.
        if any(e.get("type") == "NotImplementedError" for e in student.load().errors):
            raise NotAttempted(f"{name} is not computed yet", {"fn": name}) from None
        raise
    got = fb.number(reply.value, name,
                    T(f"Store a single number in {name} (e.g. float(...)).",
                      f"{name}에 숫자 하나를 저장하세요 (예: float(...))."))
    fb.finite(np.asarray(got), name, question.hint)
    if answer_key is None:
        _agrees_with_own_functions(fb, question, variant, student, got)
        return
    want, tol = answer_key(name, variant)
    if getattr(variant, "per_student", False):
        typed = _typed_student_id(student)
        if typed is not None and typed != variant.student_id:
            fb.note(T(f"Your notebook's STUDENT_ID is {typed!r} but this submission is {variant.student_id!r}; "
                      "your numbers were computed for another student's set-up.",
                      f"노트북의 STUDENT_ID는 {typed!r}인데 제출자는 {variant.student_id!r}입니다. "
                      "다른 학생의 설정으로 계산되었습니다."))
    # The tolerance is not shown either: some are relative to the answer, and would give it away.
    shown = f"{fmt(want)} ± {fmt(tol)}" if answers_shown else HIDDEN_ANSWER
    slip = question.mistakes(got, want, variant) if question.mistakes is not None else None
    fb.expect(abs(got - want) <= tol, shown, fmt(got), slip or question.hint)


#: What grading says it compared with when the answers are not shown (nor the tolerance: some are relative).
HIDDEN_ANSWER = T("the reference's value, within its tolerance (not shown)", "허용 오차 안의 정답 값 (공개하지 않음)")

#: What a self-check says it compared with: never the number itself (with right functions it is the answer).
OWN_STEPS = T("the number your own functions give when the question's steps are run again "
              "(not shown: with right functions it is the answer)",
              "문제의 단계를 내 함수로 다시 실행해서 나오는 값 (함수가 맞으면 그 값이 답이므로 보여 주지 않음)")


def _agrees_with_own_functions(fb, question, variant, student, got: float) -> None:
    fns = student.functions()
    try:
        mine = float(question.compute(variant, fns))
    except StudentFailure:
        raise
    except Exception as exc:  # the functions returned something the steps cannot use
        fb.fail(T("the question's steps run with your own functions", "문제의 단계가 내 함수로 실행됨"),
                T(f"they stopped: {type(exc).__name__}", f"실행이 멈춤: {type(exc).__name__}"),
                T("Check the functions the question uses with the self-check cells above first.",
                  "먼저 위의 자가 점검 셀로 이 문제가 쓰는 함수들을 확인하세요."))
    if not np.isfinite(mine):
        fb.fail(T("a finite number from your own functions", "내 함수로 계산한 유한한 수"),
                T("not a finite number", "유한한 수가 아님"),
                T("Check the functions the question uses with the self-check cells above first.",
                  "먼저 위의 자가 점검 셀로 이 문제가 쓰는 함수들을 확인하세요."))
    if abs(got - mine) <= 1e-9 * max(1.0, abs(mine)):  # the very steps: the very number
        return
    tol = question.tolerance(variant, mine, lambda which: question.spread(variant, which, fns))
    fb.expect(abs(got - mine) <= tol, OWN_STEPS, fmt(got), question.hint)


def _typed_student_id(student):
    try:
        value = student.value("STUDENT_ID").value
    except StudentFailure:  # not there, or not data: nothing to compare
        return None
    return str(value) if isinstance(value, (str, int)) else None


# ====================================================================================================
# autograder/helper/notebook.py: The notebook's cells: the self-check table, and running a .py file from a terminal.
# ====================================================================================================

def _caller_namespace(depth: int = 2) -> dict:
    return sys._getframe(depth).f_globals

class CheckReport:
    """What a self-check cell displays: one row per check; HTML in Jupyter, text elsewhere."""

    def __init__(self, results: list):
        self.results = results
        self.score = round(sum(r.score for r in results), 6)
        self.max_score = round(sum(r.points for r in results), 6)

    def _rows(self):
        for r in self.results:
            details = [("" if kind == "message" else both(DETAIL_LABELS[kind]), text)
                       for kind, text in result_details(r, both)]
            yield r, details

    def __repr__(self) -> str:
        lines = []
        for r, details in self._rows():
            lines.append(f"[{both(STATUS_LABEL[r.status])}] {r.function}: {both(r.info.title)}  {r.score:g}/{r.points:g}")
            lines += [f"    {label + ': ' if label else ''}{text}" for label, text in details]
        lines.append(f"{both(LABELS['score'])}: {self.score:g} / {self.max_score:g}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        colour = {"passed": "#1a7f37", "failed": "#cf222e"}
        rows = []
        for r, details in self._rows():
            c = colour.get(r.status, "#9a6700")
            extra = "".join(f"<div style='margin-left:1em'><b>{html.escape(label)}</b> {html.escape(text)}</div>"
                            if label else f"<div style='margin-left:1em'>{html.escape(text)}</div>"
                            for label, text in details)
            rows.append(f"<tr><td style='color:{c};font-weight:bold;white-space:nowrap'>"
                        f"{html.escape(both(STATUS_LABEL[r.status]))}</td>"
                        f"<td style='text-align:left'><code>{html.escape(r.function)}</code>: "
                        f"{html.escape(both(r.info.title))}{extra}</td>"
                        f"<td style='white-space:nowrap'>{r.score:g} / {r.points:g}</td></tr>")
        total = f"{html.escape(both(LABELS['score']))}: <b>{self.score:g} / {self.max_score:g}</b>"
        return f"<table>{''.join(rows)}</table><p>{total}</p>"

def notebook_cells(checks: CheckSet, default_setup: dict):
    """The notebook's ``run_checks`` and ``check`` for a lecture's ``checks`` (see the module docstring)."""

    def run_checks(*functions: str, namespace: dict | None = None) -> CheckReport:
        """Check the named functions (all when none are named) of ``namespace`` and return the report."""
        if grading():
            return CheckReport([])
        ns = namespace if namespace is not None else _caller_namespace(2)
        return CheckReport(check_namespace(ns, checks, default_setup, tuple(functions)))

    def check(*functions: str, namespace: dict | None = None) -> float:
        """The self-check cell: show the table, return the score (nbgrader's partial credit).

        While initlab grades the notebook in its sandbox, the cell does nothing: the grader runs
        the same checks itself, from outside.
        """
        if grading():
            return Score(0.0)
        report = run_checks(*functions, namespace=namespace if namespace is not None else _caller_namespace(2))
        show(report)
        return Score(report.score, report.max_score)

    return run_checks, check

class Score(float):
    """A self-check cell's score.  nbgrader reads it as the cell's partial credit (the ``text/plain``
    of the cell's result, which must stay a bare number); Jupyter shows the cell's result as HTML:
    the score out of its points, so the result line says something rather than nothing."""

    def __new__(cls, value: float, points: float | None = None):
        score = super().__new__(cls, value)
        score.points = points
        return score

    def _repr_html_(self) -> str:
        out_of = f" / {self.points:g}" if self.points is not None else ""
        return f"<span style='color:#555'>{html.escape(both(LABELS['score']))}: {float(self):g}{out_of}</span>"


def show(obj) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display

        if get_ipython() is not None:
            display(obj)
            return
    except ImportError:
        pass
    print(repr(obj))


def attempt(fn, *args, said: set | None = None):
    """Call a student function for a demonstration; a stub or an error gives None and a short note
    (said once: ``said`` collects the notes already printed by this demonstration)."""
    name = getattr(fn, "__name__", "function")
    try:
        return fn(*args)
    except NotImplementedError:
        note = f"({name}: 아직 구현하지 않았습니다 / not implemented yet)"
    except Exception as exc:  # a demo must not stop the notebook; the self-check explains errors
        note = (f"({name}: {type(exc).__name__}: {excerpt(exc, 200)} — 위의 자가 점검 셀에서 원인을 확인하세요 / "
                "the self-check cell above says why)")
    if said is None or note not in said:
        print(note)
    if said is not None:
        said.add(note)
    return None

class _Shell:
    """``get_ipython()`` for a file run outside Jupyter (nbconvert's script of a notebook calls it for
    every %magic and !line): timing magics run their code, other magics do nothing, shell lines are
    not run (noted), as the grader's sandbox treats them."""

    def __init__(self, namespace: dict, problems: list[str]):
        self.namespace, self.problems = namespace, problems

    def run_line_magic(self, name, line="", *args):
        if name in ("time", "timeit", "prun") and line.strip():
            return eval(compile(line.split(" ")[-1] if line.startswith("-") else line, "<magic>", "eval"),
                        self.namespace)
        return None

    def run_cell_magic(self, name, line="", cell="", *args):
        if name in ("time", "timeit", "prun", "capture"):
            exec(compile(cell, "<magic>", "exec"), self.namespace)
        return None

    def system(self, command, *args):
        self.problems.append(f"shell line not run: !{str(command)[:60]}")

    getoutput = system

    def __getattr__(self, name):  # anything else a script asks of the shell does nothing
        return lambda *args, **kwargs: None


def _read_python(path: str) -> str:
    with open(path, "rb") as fh:
        data = fh.read()
    for encoding in ("utf-8-sig", "cp949"):
        try:
            return data.decode(encoding).replace("\r\n", "\n").replace("\r", "\n")
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", errors="replace")


def run_file(path: str) -> tuple[dict, list[str]]:
    """Run a .py file as the grader does: IPython syntax (% and ! lines) rewritten, then cell by cell
    (its ``# %%`` cells, else its top-level groups; with a syntax error, its top-level blocks), each
    error noted and the next cell run: an unfinished answer does not stop the functions' checks."""
    source = _read_python(path)
    problems: list[str] = []
    namespace: dict = {"__name__": "__student__", "__file__": path}
    namespace["get_ipython"] = lambda: shell
    shell = _Shell(namespace, problems)
    if not compiles(source) and needs_transform(source):
        try:
            transformed = transform_cell(source)
        except Exception:
            transformed = source
        source = transformed if compiles(transformed) else source
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    cells = python_cells(source, name) if compiles(source) else split_top_level(source, name)
    for cell in cells:
        try:
            code = compile(cell["source"], path, "exec")
        except SyntaxError as exc:
            problems.append(f"line {exc.lineno}: SyntaxError: {exc.msg}")
            continue
        try:
            exec(code, namespace)
        except Exception as exc:  # noted; the next cell still runs
            tb = exc.__traceback__
            while tb is not None and tb.tb_next is not None and tb.tb_frame.f_code.co_filename != path:
                tb = tb.tb_next
            line = tb.tb_lineno if tb is not None else "?"
            problems.append(f"line {line}: {type(exc).__name__}: {excerpt(exc, 120)}")
    return namespace, problems


def file_main(argv: list[str] | None, checks: CheckSet, default_setup: dict, module) -> int:
    """Self-check a .py file: run it here (it is your own code, on your own machine), then check
    its functions and answers as the notebook's cells do.  Exit code 0 when everything passes."""
    import argparse

    parser = argparse.ArgumentParser(prog=f"python {MODULE_NAME}.py", description=file_main.__doc__)
    parser.add_argument("file", help=f"your {checks.contract.stem}.py")
    parser.add_argument("names", nargs="*",
                        help=f"functions or answers to check (default: all): {', '.join(checks.contract.graded)}")
    args = parser.parse_args(argv)
    sys.modules.setdefault(MODULE_NAME, module)  # the file's `import initlab_lab` gets this one
    namespace, problems = run_file(args.file)
    for line in problems:
        print(f"({args.file} {line})")
    report = CheckReport(check_namespace(namespace, checks, default_setup, tuple(args.names)))
    print(repr(report))
    return 0 if report.score == report.max_score else 1


class LectureAPI:
    """What a lecture's helper offers a notebook, bound to that lecture's checks and set-up: a lecture's
    helper ends with ``variant, run_checks, check, self_check, main = LectureAPI(CHECKS, SETUP, __name__)``."""

    def __init__(self, checks: CheckSet, default_setup: dict, module_name: str):
        self.checks, self.default_setup, self.module_name = checks, default_setup, module_name
        self.run_checks, self.check = notebook_cells(checks, default_setup)

    def __iter__(self):
        return iter((self.variant, self.run_checks, self.check, self.self_check, self.main))

    def variant(self, setup: dict | str | None = None, student_id: str = "") -> GradedSetup:
        """This week's set-up, from the notebook's SETUP (the lecture's own when it is empty).

        While graded, the set-up is the one the instructor grades against, whatever the notebook says.
        """
        return setup_of(setup, student_id, self.default_setup)

    def self_check(self, namespace: dict, functions: tuple[str, ...] = (), setup: GradedSetup | None = None,
                   sid: str = "notebook") -> list:
        """The checks of ``functions`` (all when none are named) on a live namespace's functions."""
        return check_namespace(namespace, self.checks, self.default_setup, functions, setup, sid)

    def main(self, argv: list[str] | None = None) -> int:
        """``python initlab_lab.py FILE.py [names]``: check a .py file on your own machine."""
        return file_main(argv, self.checks, self.default_setup, sys.modules[self.module_name])


# ====================================================================================================
# autograder/helper/ipysyntax.py: IPython's special syntax read as IPython reads it, in one pass over the text.
# ====================================================================================================

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


# ====================================================================================================
# autograder/helper/pyfile.py: A .py file as cells, as the grader and the helper's own .py route both run it.
# ====================================================================================================

def compiles(source: str) -> bool:
    try:
        compile(source, "<check>", "exec", flags=ast.PyCF_ONLY_AST)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


_BLOCK_START = re.compile(r"^(def |async def |class |@|import |from )")


#: Lines at column 0 that continue the statement above them rather than start one.
_CONTINUES = (")", "]", "}", "else", "elif", "except", "finally", "#")


def _NEW_STATEMENT(lines: list[str], i: int) -> bool:
    """A column-0 line after a blank line starts a statement of its own (an analysis answer's lines),
    unless it closes a bracket or continues an if/try."""
    line = lines[i]
    return bool(line) and not line[0].isspace() and not lines[i - 1].strip() and not line.startswith(_CONTINUES)


def split_top_level(source: str, name: str) -> list[dict]:
    """Split a file that does not compile into top-level blocks (defs, classes, imports).

    A block starts at a column-0 ``def``/``class``/``import``/``@decorator`` line, or at any column-0
    statement after a blank line (so one broken answer costs its own lines only), together
    with the comment lines right above it; a def under a decorator belongs to the
    decorator's block.  Each block keeps its line numbers (it is padded with blank lines),
    so errors still point at the right line of the student's file.
    """
    lines = source.split("\n")
    starts = [0]
    previous = ""  # the last non-blank line before i
    for i, line in enumerate(lines):
        if i and (_BLOCK_START.match(line) or _NEW_STATEMENT(lines, i)) and not previous.startswith("@"):
            j = i
            while j - 1 > starts[-1] and lines[j - 1].startswith("#"):
                j -= 1
            starts.append(j)
        if line.strip():
            previous = line
    starts.append(len(lines))
    blocks = []
    for a, b in zip(starts, starts[1:]):
        chunk = "\n".join(lines[a:b])
        if chunk.strip():
            blocks.append({"source": "\n" * a + chunk + "\n", "name": f"{name}:{a + 1}"})
    return blocks


#: A cell marker of the percent format (VS Code, Spyder, PyCharm, Jupytext): ``# %%`` at the start of a line.
_PERCENT = re.compile(r"^#\s*%%")


def python_cells(text: str, filename: str) -> list[dict]:
    """A .py file (that compiles) as cells, graded one by one as a notebook's are: split at its ``# %%``
    markers, or without markers into top-level groups (each def or class alone, other statements in
    runs that blank lines separate).  Every cell keeps the file's line numbers (it is padded with blank
    lines) and is named by the lines it holds."""
    lines = text.split("\n")
    if any(_PERCENT.match(line) for line in lines):
        starts = [0] + [i for i, line in enumerate(lines) if i and _PERCENT.match(line)]
    else:
        starts = _group_starts(text, lines)
    starts.append(len(lines))
    cells = []
    for a, b in zip(starts, starts[1:]):
        chunk = "\n".join(lines[a:b])
        if chunk.strip():
            last = a + len(chunk.rstrip("\n").split("\n"))
            cells.append({"source": "\n" * a + chunk + "\n", "name": f"{filename} lines {a + 1}-{last}"})
    return cells


def _group_starts(text: str, lines: list[str]) -> list[int]:
    """0-based first lines of the top-level groups of a file that compiles (comments above a statement
    belong to it)."""
    body = ast.parse(text).body
    starts = [0]
    for prev, node in zip(body, body[1:]):
        first = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])]) - 1
        between = lines[prev.end_lineno:first]
        alone = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) or \
            isinstance(prev, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
        if alone or any(not line.strip() for line in between):
            start = first
            while start > prev.end_lineno and lines[start - 1].lstrip().startswith("#"):
                start -= 1
            starts.append(start)
    return starts


# ====================================================================================================
# tests/lectures/softmax/helper/contract.py: What a softmax submission defines, and the lecture's own set-up.
# ====================================================================================================

FUNCTIONS: tuple[str, ...] = ("softmax", "cross_entropy")
SIGNATURES: dict[str, str] = {"softmax": "softmax(z)", "cross_entropy": "cross_entropy(p, labels)"}
ANSWERS: tuple[str, ...] = ("answer_uniform_loss",)

#: The lecture's own set-up (an unreleased template's); the instructor's SoftmaxNumbers has the same defaults.
LECTURE_SETUP: dict = {"seed": 0, "week": 0, "student_id": "", "n_classes": 10, "batch": 8, "per_student": False}

CONTRACT = Contract(FUNCTIONS, SIGNATURES, ANSWERS, stem="softmax")
CHECKS = CheckSet(CONTRACT)
graded_check = CHECKS.check


# ====================================================================================================
# tests/lectures/softmax/helper/checks.py: Checks of softmax and cross_entropy (exact, on the grader's own logits).
# ====================================================================================================

#: The book's cross_entropy_error adds delta = 1e-7 inside the log: a relative 1e-4 lets it pass.
LOSS_RTOL = 1e-4


def logits(variant, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, 3.0, size=(variant.batch, variant.n_classes))


def softmax_of(z: np.ndarray) -> np.ndarray:
    """Row-wise softmax (the grader's own)."""
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@graded_check("softmax", points=2, title=T("each row is the softmax of its logits", "각 행이 로짓의 소프트맥스"))
def check_softmax_values(student, fb, variant, seed):
    z = logits(variant, seed)
    got = fb.array(student.call("softmax", z).value, shape=z.shape, what="softmax(z)",
                   hint=T("Return an array of z's shape: one row of probabilities per row of logits.",
                          "z와 같은 모양을 반환하세요: 로짓 한 행마다 확률 한 행."))
    sums_to_one_overall = np.isclose(got.sum(), 1.0)
    fb.allclose(got, softmax_of(z), "softmax(z)", 1e-9, 1e-12,
                T("The sum runs over each row (axis=1, keepdims=True), not over the whole batch."
                  if sums_to_one_overall else "Each row: np.exp(z - max) / its sum over the row.",
                  "합은 전체가 아니라 각 행에 대해 구합니다 (axis=1, keepdims=True)."
                  if sums_to_one_overall else "각 행: np.exp(z - max) / 그 행의 합."))


@graded_check("softmax", points=1, title=T("large logits do not overflow", "큰 로짓에서도 넘침 없음"))
def check_softmax_stable(student, fb, variant, seed):
    z = logits(variant, seed) + 1000.0
    got = fb.array(student.call("softmax", z).value, shape=z.shape, what="softmax(z + 1000)")
    fb.allclose(got, softmax_of(z), "softmax(z + 1000)", 1e-9, 1e-12,
                T("Subtract each row's maximum before np.exp: the softmax is the same and exp cannot overflow.",
                  "np.exp 전에 각 행의 최댓값을 빼세요: 소프트맥스는 같고 exp가 넘치지 않습니다."))


@graded_check("cross_entropy", points=2, title=T("mean cross-entropy of the true labels", "정답 레이블의 평균 교차 엔트로피"))
def check_cross_entropy_value(student, fb, variant, seed):
    rng = np.random.default_rng(seed + 1)
    p = softmax_of(logits(variant, seed))
    labels = rng.integers(0, variant.n_classes, size=variant.batch)
    got = fb.number(student.call("cross_entropy", p, labels).value, "cross_entropy(p, labels)")
    picked = -np.log(p[np.arange(variant.batch), labels])
    want = float(picked.mean())
    hint = T("Take -log of each row's probability of its label, then the mean over the batch.",
             "각 행에서 정답 레이블의 확률에 -log를 취하고 배치에 대해 평균을 내세요.")
    if np.isclose(got, float(picked.sum()), rtol=LOSS_RTOL):
        hint = T("That is the sum over the batch: divide by the batch size (the mean).",
                 "배치에 대한 합입니다: 배치 크기로 나누세요 (평균).")
    fb.expect(bool(np.isclose(got, want, rtol=LOSS_RTOL)), f"{fmt(want)} (batch {variant.batch})", fmt(got), hint)


# ====================================================================================================
# tests/lectures/softmax/helper/questions.py: The lecture's one analysis question: the loss of a net that knows nothing yet.
# ====================================================================================================

def uniform_loss(variant, fns) -> float:
    """Cross-entropy of all-zero logits (a uniform prediction): log(n_classes) for any labels."""
    z = np.zeros((variant.batch, variant.n_classes))
    labels = np.arange(variant.batch) % variant.n_classes
    return float(fns["cross_entropy"](fns["softmax"](z), labels))


QUESTIONS: tuple[Question, ...] = (
    Question("answer_uniform_loss", 1,
             T("Cross-entropy of the softmax of all-zero logits.", "모든 로짓이 0일 때 소프트맥스의 교차 엔트로피."),
             lambda v, value, spread: 1e-4 * max(abs(value), 1.0), uniform_loss,
             T("Pass softmax of the zero logits and the labels to cross_entropy.",
               "0인 로짓의 softmax와 레이블을 cross_entropy에 넘기세요."),
             ("softmax", "cross_entropy")),
)

add_answer_checks(CHECKS, QUESTIONS)


# ====================================================================================================
# tests/lectures/softmax/helper/api.py: What a notebook calls: the week's set-up (``variant``), the self-check cells (``check``, ``run_checks``),
# ====================================================================================================

variant, run_checks, check, self_check, main = LectureAPI(CHECKS, LECTURE_SETUP, __name__)


if __name__ == "__main__":
    sys.exit(main())
