"""initlab's student helper: the self-check cells, the week's set-up and the lecture's demonstrations.

이 파일은 과제 노트북 옆에 두는 도우미입니다 (numpy와 matplotlib만 필요). 고치지 마세요: 채점은 조교의 사본으로 합니다.
This file sits beside the assignment notebook and needs numpy and matplotlib only. Do not edit it: grading
uses the course's own copy, never the one in your folder.

What it holds, and what it does not:

* the week's set-up as plain numbers (``variant``), given by the notebook's SETUP;
* every check of the functions the assignment asks for, run on inputs it makes itself
  (``check("sigmoid")``); the grader runs the very same checks on the same rules, only with
  inputs you cannot predict, so a function that passes here passes there;
* for the analysis answers, a check that an answer is a finite number and agrees with what
  your own functions give when the question's steps are run again.  It never knows, and so
  never prints, the reference's answer;
* the lecture's figures, drawn with your functions.

It holds no reference solution, no analysis answer, no quiz and no course key.  It is built from the
instructor's kit (autograder/helper/ and autograder/lectures/weight_init/helper/) by
``python -m autograder.engine.build``; the grader's sandbox runs submissions with this very file, under the
name ``initlab_lab``.
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
import math
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
# autograder/lectures/weight_init/helper/contract.py: The weight-initialisation lecture's contract: the functions a submission defines, in the order the
# ====================================================================================================

FUNCTIONS: tuple[str, ...] = ("sigmoid", "relu", "normal_init", "xavier_init", "he_init", "activation_probe",
                              "weight_decay_penalty", "weight_decay_grad")

SIGNATURES: dict[str, str] = {
    "sigmoid": "sigmoid(x)",
    "relu": "relu(x)",
    "normal_init": "normal_init(n_in, n_out, rng, std)",
    "xavier_init": "xavier_init(n_in, n_out, rng)",
    "he_init": "he_init(n_in, n_out, rng)",
    "activation_probe": "activation_probe(x, init, activation, n_layers, node_num, rng)",
    "weight_decay_penalty": "weight_decay_penalty(weights, lam)",
    "weight_decay_grad": "weight_decay_grad(W, lam)",
}

#: Analysis answers: top-level variables the notebook asks for.
ANSWERS: tuple[str, ...] = ("answer_saturated", "answer_xavier_std", "answer_he_relu_std", "answer_penalty")

#: Everything a check may grade: a function, or an analysis answer.
GRADED: tuple[str, ...] = FUNCTIONS + ANSWERS

#: The lecture's own set-up (the unreleased template's): what an empty SETUP means.  The
#: instructor's kit checks that this equals its default variant (tests/helper/test_setup.py).
LECTURE_SETUP: dict = {
    "seed": 0, "week": 0, "student_id": "", "node_num": 100, "n_layers": 5, "n_samples": 1000,
    "input_dim": 100, "activation": "sigmoid", "std_large": 1.0, "std_small": 0.01,
    "init_shapes": [[784, 100], [100, 400]], "probe_shape": [40, 30, 4, 25], "lam": 0.1,
    "decay_shapes": [[6, 5], [5, 3], [3, 1]], "per_student": False,
}

CONTRACT = Contract(FUNCTIONS, SIGNATURES, ANSWERS, stem="weight_init")

#: Every check of the lecture, in report order (the modules checks_*.py and questions.py register them).
CHECKS = CheckSet(CONTRACT)
graded_check = CHECKS.check


# ====================================================================================================
# autograder/lectures/weight_init/helper/callables.py: Grader-made callables handed to student functions (the ``init`` and ``activation`` of the probe).
# ====================================================================================================

class _Init(Recorded):
    def __call__(self, n_in, n_out, rng=None):
        n_in, n_out = int(n_in), int(n_out)
        self.log.append([n_in, n_out, rng_seed(rng)])
        return self.draw(n_in, n_out, rng)

    def draw(self, n_in: int, n_out: int, rng) -> np.ndarray:
        raise NotImplementedError


class ScaledNormal(_Init):
    """N(0, std^2) drawn from the rng passed in; ``std`` fixed (the lecture's 1 and 0.01)."""

    def draw(self, n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * float(self.params["std"])


class FanInNormal(_Init):
    """N(0, gain / n_in): gain 1 is Xavier, gain 2 is He."""

    def draw(self, n_in, n_out, rng):
        return rng.standard_normal((n_in, n_out)) * np.sqrt(float(self.params["gain"]) / n_in)


class TableInit(_Init):
    """Deterministic weights that ignore the rng: the k-th call returns a fixed matrix.

    The matrix depends on the call number and the requested shape, so a probe that
    transposes the shape, reuses one matrix or calls init too few times gives a
    different (and checkable) output.  Its scale is ``std``, or sqrt(``gain`` / n_in) (Xavier's
    and He's), or 1.5 / sqrt(n_in) when neither is given.
    """

    def draw(self, n_in, n_out, rng):
        return self.matrix(int(self.params["seed"]), len(self.log) - 1, n_in, n_out,
                           self.params.get("std"), self.params.get("gain"))

    @staticmethod
    def matrix(seed: int, k: int, n_in: int, n_out: int, std: float | None = None,
               gain: float | None = None) -> np.ndarray:
        """The k-th call's matrix (0-based) for the shape asked: the judge rebuilds it the same way."""
        key = ("table", seed, k, n_in, n_out, std, gain)
        if key in PREBUILT:
            return PREBUILT[key].copy()
        scale = float(std) if std is not None else np.sqrt((2.25 if gain is None else float(gain)) / n_in)
        table_rng = np.random.default_rng([seed, k, n_in, n_out])
        return table_rng.standard_normal((n_in, n_out)) * scale


class ConstantInit(_Init):
    """Every weight equal: the lecture's symmetry example."""

    def draw(self, n_in, n_out, rng):
        return np.full((n_in, n_out), float(self.params["value"]))


# ---- activations: a -> z ----------------------------------------------------------------


class _Activation(Recorded):
    fn: Callable[[np.ndarray], np.ndarray]

    def __call__(self, a):
        a = np.asarray(a, dtype=float)
        self.log.append(list(a.shape))
        return type(self).fn(a)


class Sigmoid(_Activation):
    @staticmethod
    def fn(a):
        # 1 / (1 + e^-a) in place: e^-a may overflow to inf for a < -709, and 1 / inf = 0 is the limit
        # (within 1e-308 of the value), so the overflow is expected, not reported.
        with np.errstate(over="ignore"):
            out = np.negative(a, out=np.empty_like(a))  # a new array (the caller's is never changed), then in place
            np.exp(out, out=out)
            out += 1.0
            return np.reciprocal(out, out=out)


class Relu(_Activation):
    fn = staticmethod(lambda a: np.maximum(0.0, a))


class Tanh(_Activation):
    fn = staticmethod(np.tanh)


class Softsign(_Activation):
    """x / (1 + |x|): an activation no student implements, for the exact probe check."""

    fn = staticmethod(lambda a: a / (1.0 + np.abs(a)))

register_callables({
    "scaled_normal": ScaledNormal,
    "fan_in_normal": FanInNormal,
    "table": TableInit,
    "constant": ConstantInit,
    "sigmoid": Sigmoid,
    "relu": Relu,
    "tanh": Tanh,
    "softsign": Softsign,
})


# ====================================================================================================
# autograder/lectures/weight_init/helper/stats.py: Statistics behind the statistical checks, with the false-fail rate of each decision rule.
# ====================================================================================================

# ---- normal tails ------------------------------------------------------------------------


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2.0))


# ---- weight-level rules (init checks) ----------------------------------------------------

#: |sample std / intended std - 1| allowed.  The sample std of n normal draws has relative
#: standard error 1/sqrt(2n); with n >= 40,000 this band is >= 8.4 standard errors wide.
STD_REL_TOL = 0.03
#: |sample mean| allowed, in units of the intended std; the standard error is 1/sqrt(n).
MEAN_TOL = 0.03
#: KS test p-value below which a sample is called "not normal".
KS_ALPHA = 1e-6
#: The init checks never look at fewer weights than this (Variant validates its shapes).
MIN_WEIGHTS = 40_000
#: Weights the KS rule looks at.  At alpha = 1e-6 the critical distance is 2.69 / sqrt(n) = 0.019;
#: a variance-matched uniform is at 0.06 and a 1/n or fan-out scale error further still.
KS_SAMPLE = 20_000


def std_rule_false_fail(n: int, rel_tol: float = STD_REL_TOL) -> float:
    """P(correct draw fails |s/sigma - 1| <= rel_tol): two normal tails at rel_tol*sqrt(2n)."""
    return 2 * normal_sf(rel_tol * math.sqrt(2 * n))


def mean_rule_false_fail(n: int, tol: float = MEAN_TOL) -> float:
    """P(correct draw fails |mean| <= tol*sigma): the mean has standard error sigma/sqrt(n)."""
    return 2 * normal_sf(tol * math.sqrt(n))


def kolmogorov_sf(lam: float) -> float:
    """P(K > lam) for the Kolmogorov distribution (the limit law of sqrt(n) * D_n)."""
    if lam < 0.2:
        return 1.0
    total = 0.0
    for k in range(1, 101):
        term = (-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam)
        total += term
        if abs(term) < 1e-300:
            break
    return min(1.0, max(0.0, 2.0 * total))


def ks_normal_shape(sample: np.ndarray) -> tuple[float, float]:
    """KS distance and p-value of ``sample / sample.std()`` against N(0, 1).

    Standardising by the sample's own std tests the *shape* only (a scale error is the
    std rule's job).  Estimating the scale makes D stochastically smaller than under the
    Kolmogorov law (Lilliefors), so the p-value is conservative: the false-fail rate of
    "p < KS_ALPHA" is at most KS_ALPHA.  Stephens' small-sample correction is applied.
    """
    x = np.sort(np.asarray(sample, dtype=float).ravel())
    n = x.size
    s = x.std()
    if n == 0 or not np.isfinite(s) or s == 0:
        return 1.0, 0.0
    cdf = 0.5 * (1.0 + _erf(x / (s * math.sqrt(2.0))))
    i = np.arange(1, n + 1)
    d = float(max(np.max(i / n - cdf), np.max(cdf - (i - 1) / n)))
    sqrt_n = math.sqrt(n)
    return d, kolmogorov_sf((sqrt_n + 0.12 + 0.11 / sqrt_n) * d)


def _erf(x: np.ndarray) -> np.ndarray:
    """erf to 1.5e-7 (Abramowitz & Stegun 7.1.26), vectorised: numpy has no erf of its own.

    KS distances that matter here are >= 1e-3, so the approximation cannot move a decision.
    """
    sign = np.sign(x)
    a = np.abs(x)
    t = 1.0 / (1.0 + 0.3275911 * a)
    poly = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429))))
    return sign * (1.0 - poly * np.exp(-a * a))


# ---- the lecture's histograms ---------------------------------------------------------------

#: Fine bins over (0, 1): 150 bins of width 1/150 give, by summing, the lecture's 30-bin histogram
#: and the saturation (< 0.02 = 3 bins, > 0.98 = 3 bins) and centre (|z - 0.5| < 0.02) counts.
_FINE = 150


def fine_counts(a: np.ndarray) -> np.ndarray:
    """Counts of a's values in 150 equal bins over [0, 1] (values outside are not counted)."""
    v = a.ravel()
    inside = v[(v >= 0.0) & (v <= 1.0)]
    return np.bincount(np.minimum((inside * _FINE).astype(np.intp), _FINE - 1), minlength=_FINE)  # 1.0: last bin


def histogram(acts: list[np.ndarray], bins: int = 30, fine: list[np.ndarray] | None = None) -> list[list[int]]:
    """The lecture's plot data: 30 bins over (0, 1) per layer (as plt.hist(a.flatten(), 30, range=(0,1)))."""
    return [c.reshape(bins, _FINE // bins).sum(axis=1).astype(int).tolist()
            for c in (fine or [fine_counts(a) for a in acts])]


# ====================================================================================================
# autograder/lectures/weight_init/helper/checks_activations.py: Checks of sigmoid and relu: values (x = ±1000 included), shapes, dtype, no side effects.
# ====================================================================================================

#: float32 arithmetic is ~1e-7 relative; anything looser than that is a real error.
ACT_RTOL, ACT_ATOL = 1e-6, 1e-12

OVERFLOW_NOTE = T(
    "np.exp overflowed for large |x| (RuntimeWarning). Your values are still right, so no points are lost; "
    "a form without the warning: e = np.exp(-np.abs(x)); np.where(x >= 0, 1/(1+e), e/(1+e)).",
    "큰 |x|에서 np.exp가 오버플로 경고(RuntimeWarning)를 냈습니다. 값은 맞으므로 감점은 없습니다. "
    "경고 없는 형태: e = np.exp(-np.abs(x)); np.where(x >= 0, 1/(1+e), e/(1+e)).",
)


PRECEDENCE_HINT = T(
    "Operator precedence: 1/1 + np.exp(-x) is (1/1) + e^-x = 1 + e^-x, not a fraction; write 1 / (1 + np.exp(-x)).",
    "연산자 우선순위: 1/1 + np.exp(-x)는 (1/1) + e^-x = 1 + e^-x로 계산되어 분수가 되지 않습니다. "
    "1 / (1 + np.exp(-x))처럼 괄호로 묶으세요.",
)


def _is_one_plus_exp(y: np.ndarray, x: np.ndarray) -> bool:
    """Are the values 1 + e^-x (or 1 + e^x): a missing pair of parentheses in 1 / (1 + np.exp(-x))?"""
    with np.errstate(over="ignore", invalid="ignore"):
        return any(np.allclose(y, 1.0 + np.exp(s * x), rtol=ACT_RTOL, atol=ACT_ATOL, equal_nan=True)
                   for s in (-1.0, 1.0))


def _sigmoid_grid(seed: int) -> np.ndarray:
    fixed = [-1000.0, -710.0, -30.0, -5.0, -1.0, -1e-3, 0.0, 1e-3, 1.0, 5.0, 30.0, 710.0, 1000.0]
    return np.concatenate([fixed, np.random.default_rng(seed).normal(0.0, 4.0, 40)])


def _same_shape(fn: str, x) -> Text:
    """What a shape check expects of ``fn(x)``: the shape of x, a scalar for a scalar."""
    shape = np.shape(x)
    if not shape:
        return T(f"{fn} of a scalar -> a scalar", f"스칼라의 {fn} -> 스칼라")
    return T(f"{fn} of shape {shape} -> same shape", f"모양 {shape}의 {fn} -> 같은 모양")


def _note_overflow(fb, reply) -> None:
    if any("overflow" in w for w in reply.warnings):
        fb.note(OVERFLOW_NOTE)


@graded_check("sigmoid", points=2, title=T("values, including x = ±1000", "값 (x = ±1000 포함)"))
def check_sigmoid_values(student, fb, seed):
    x = _sigmoid_grid(seed)
    reply = student.call("sigmoid", x)
    y = fb.array(reply.value, shape=x.shape, what="sigmoid(x)")
    # Named by its values: `1/1 + np.exp(-x)` is (1/1) + e^-x, inf at x = -1000 (not exp(x)/(1+exp(x))'s nan).
    precedence = _is_one_plus_exp(y, x)
    fb.finite(y, T("sigmoid(x) for x in [-1000, 1000]", "x가 [-1000, 1000]일 때의 sigmoid(x)"),
              PRECEDENCE_HINT if precedence else
              T("exp(x)/(1+exp(x)) gives inf/inf = nan at x = 1000; use 1/(1+np.exp(-x)).",
                "x = 1000에서 exp(x)/(1+exp(x))는 inf/inf = nan이 됩니다. 1/(1+np.exp(-x))를 쓰세요."))
    sign_flipped = np.allclose(y, Sigmoid.fn(-x), rtol=ACT_RTOL, atol=ACT_ATOL)
    fb.allclose(y, Sigmoid.fn(x), "sigmoid(x)", ACT_RTOL, ACT_ATOL,
                PRECEDENCE_HINT if precedence else
                T("The sign in e^-x matters: sigmoid(0) = 0.5 and sigmoid(x) -> 1 as x -> +inf."
                  if sign_flipped else "sigmoid(x) = 1 / (1 + np.exp(-x)), elementwise.",
                  "e^-x의 부호가 중요합니다: sigmoid(0) = 0.5이고 x → +∞이면 1에 가까워집니다."
                  if sign_flipped else "sigmoid(x) = 1 / (1 + np.exp(-x)) 를 원소별로 계산하세요."))
    _note_overflow(fb, reply)  # only under right values: the note says they are


@graded_check("sigmoid", points=2, title=T("keeps the shape: scalar, 1-D, 2-D", "모양 유지: 스칼라, 1차원, 2차원"),
              aspect=True)
def check_sigmoid_shapes(student, fb, seed):
    rng = np.random.default_rng(seed)
    for x in (np.float64(rng.normal()), rng.normal(size=7), rng.normal(size=(3, 4))):
        y = student.call("sigmoid", x).value
        fb.expect(isinstance(y, (np.ndarray, np.generic, float, int)) and np.shape(y) == np.shape(x),
                  _same_shape("sigmoid", x), describe(y),
                  hint_for_unsupported(y) or T("Work elementwise with numpy (np.exp), not with loops that build a list or math.exp.",
                    "math.exp나 리스트를 만드는 반복문 대신 numpy(np.exp)로 원소별 계산을 하세요."))


@graded_check("sigmoid", points=1, title=T("float output for integer input", "정수 입력에도 실수 출력"), aspect=True)
def check_sigmoid_float_output(student, fb):
    x = np.array([-3, -1, 0, 2, 4])
    reply = student.call("sigmoid", x)
    y = reply.value
    fb.expect(isinstance(y, np.ndarray) and y.dtype.kind == "f", T("an array of floats", "실수(float) 배열"), describe(y),
              hint_for_unsupported(y) or
              T("Do not round or cast to int: sigmoid values lie strictly between 0 and 1.",
                "반올림하거나 int로 바꾸지 마세요: 시그모이드 값은 0과 1 사이의 실수입니다."))


@graded_check("relu", points=2, title=T("values: max(0, x)", "값: max(0, x)"))
def check_relu_values(student, fb, seed):
    x = np.random.default_rng(seed).normal(0.0, 3.0, size=(20, 6))
    x[0, :3] = [0.0, -1e300, 1e300]
    reply = student.call("relu", x)
    y = fb.array(reply.value, shape=x.shape, what="relu(x)")
    fb.allclose(y, np.maximum(0.0, x), "relu(x)", ACT_RTOL, ACT_ATOL,
                T("relu keeps positive values unchanged and turns negative values into 0: np.maximum(0, x).",
                  "relu는 양수는 그대로, 음수는 0으로 바꿉니다: np.maximum(0, x)."))


@graded_check("relu", points=1, title=T("keeps the shape: scalar, 1-D, 2-D", "모양 유지: 스칼라, 1차원, 2차원"),
              aspect=True)
def check_relu_shapes(student, fb, seed):
    rng = np.random.default_rng(seed)
    for x in (np.float64(-1.5), rng.normal(size=9), rng.normal(size=(4, 5))):
        y = student.call("relu", x).value
        fb.expect(isinstance(y, (np.ndarray, np.generic, float, int)) and np.shape(y) == np.shape(x),
                  _same_shape("relu", x), describe(y),
                  hint_for_unsupported(y) or T("np.maximum(0, x) works for scalars and arrays alike.",
                    "np.maximum(0, x)는 스칼라와 배열 모두에 동작합니다."))


RELU_IN_PLACE_HINT = T(
    "x was changed in place: `x[x < 0] = 0`, or `np.maximum(x, 0, x)` (its third argument is the output, out=), "
    "writes into the caller's array (backprop needs the original x); return np.maximum(0, x) instead (or work on "
    "x.copy()).",
    "x가 그 자리에서 바뀌었습니다: `x[x < 0] = 0`이나 `np.maximum(x, 0, x)`(세 번째 인자는 결과를 쓸 "
    "곳, out=)는 호출한 쪽의 배열에 값을 덮어씁니다 (역전파에 원래 x가 필요). 대신 np.maximum(0, x)를 "
    "반환하세요 (또는 x.copy()에서 작업하세요).",
)


@graded_check("relu", points=1, title=T("leaves its input unchanged", "입력 배열을 바꾸지 않음"), aspect=True)
def check_relu_input_unchanged(student, fb, seed):
    x = np.random.default_rng(seed).normal(size=(5, 5))
    reply = student.call("relu", x, return_args=True)
    # Judged here, from the array the child sent back after the call, not from what it says of itself.
    after = reply.args_after[0] if reply.args_after else None
    unchanged = isinstance(after, np.ndarray) and after.shape == x.shape and np.array_equal(after, x, equal_nan=True)
    if unchanged:
        return
    # x turned into relu(x) itself: `x[x < 0] = 0` and `np.maximum(x, 0, x)` leave the same x behind (and return
    # it), so the hint names both; any other change is named as such.
    relu_in_place = isinstance(after, np.ndarray) and after.shape == x.shape and np.array_equal(after, np.maximum(0.0, x))
    fb.expect(unchanged, T("x unchanged after relu(x)", "relu(x) 뒤에도 x 그대로"),
              T("x was modified in place: it now holds relu(x)", "x가 바뀌어 relu(x)가 됨") if relu_in_place
              else T("x was modified in place", "x가 바뀜"),
              RELU_IN_PLACE_HINT if relu_in_place else
              T("relu changed the caller's array x (backprop needs the original x): do not assign into x "
                "(x[...] = ..., x *= ..., an out= argument); return a new array such as np.maximum(0, x).",
                "relu가 호출한 쪽의 배열 x를 바꿨습니다 (역전파에 원래 x가 필요). x에 값을 대입하지 마세요 "
                "(x[...] = ..., x *= ..., out= 인자). np.maximum(0, x)처럼 새 배열을 반환하세요."))


# ====================================================================================================
# autograder/lectures/weight_init/helper/checks_inits.py: Checks of normal_init, xavier_init and he_init.
# ====================================================================================================

INITS = ("normal_init", "xavier_init", "he_init")
RULE = {"normal_init": "std", "xavier_init": "1/sqrt(n_in)", "he_init": "sqrt(2/n_in)"}


def target_std(fn: str, n_in: int, std: float | None = None) -> float:
    if fn == "normal_init":
        return float(std)
    return float(np.sqrt((1.0 if fn == "xavier_init" else 2.0) / n_in))


def draw(student, fn: str, n_in: int, n_out: int, seed: int, std: float | None = None, reuse: bool = False):
    args = (n_in, n_out, RngSpec(seed)) + ((std,) if fn == "normal_init" else ())
    return student.call(fn, *args, reuse=reuse)


def cases(fn: str, variant) -> list[tuple[int, int, float | None]]:
    """(n_in, n_out, std argument) of every matrix the shape and statistical checks judge."""
    if fn == "normal_init":
        (a, b), (c, d) = variant.init_shapes[:2]
        return [(a, b, variant.std_large), (c, d, variant.std_small)]
    return [(n_in, n_out, None) for n_in, n_out in variant.init_shapes]


def draws(student, fn: str, variant, seed_for) -> list[tuple]:
    """The matrices of ``cases``, drawn once per submission and shared by the shape, mean, std and
    distribution checks (each judges the same draw; a correct draw fails any of them with the
    rates in the table above)."""
    return [(n_in, n_out, std, draw(student, fn, n_in, n_out, seed_for(f"draws:{fn}:{k}"), std, reuse=True))
            for k, (n_in, n_out, std) in enumerate(cases(fn, variant))]


def finite_draws(fb, student, fn: str, variant, seed_for):
    """``draws`` as float arrays of the right shape with finite values, or a failure saying otherwise."""
    for n_in, n_out, std, reply in draws(student, fn, variant, seed_for):
        w = fb.array(reply.value, shape=(n_in, n_out), what=fn)
        fb.finite(w, fn)
        yield n_in, n_out, std, w


def mistake_hint(fn: str, ratio: float, n_in: int, n_out: int, std: float | None) -> Text:
    """Name the typical mistake whose std ratio (measured / intended) matches the measurement."""
    if fn == "normal_init":
        known = {1.0 / std: T("The weights have std 1: multiply the standard normal draw by std.",
                              "표준편차가 1입니다: 표준정규분포에서 뽑은 값에 std를 곱하세요."),
                 std: T("That is std squared (the variance); multiply by std, not std**2.",
                        "std의 제곱(분산)을 곱했습니다. std**2가 아니라 std를 곱하세요."),
                 1.0 / np.sqrt(std): T("That is sqrt(std); multiply by std itself.",
                                       "sqrt(std)를 곱했습니다. std 자체를 곱하세요."),
                 1.0 / np.sqrt(3.0): T("A uniform draw U(-std, std) has std/sqrt(3); use rng.normal(0, std, ...).",
                                       "균등분포 U(-std, std)의 표준편차는 std/sqrt(3)입니다. rng.normal(0, std, ...)을 쓰세요.")}
    else:
        gain = 1.0 if fn == "xavier_init" else 2.0
        glorot = T("That is the Glorot rule with (n_in + n_out); the lecture's rule uses the previous layer's "
                   "n_in only.", "(n_in + n_out)을 쓰는 Glorot 규칙입니다. 강의의 규칙은 앞 층의 n_in만 씁니다.")
        known = {np.sqrt(n_in / n_out): T("You scaled by n_out; the rule uses the previous layer's node count n_in.",
                                          "n_out으로 나눴습니다. 규칙은 앞 층의 노드 수 n_in을 씁니다."),
                 np.sqrt(n_in / gain): T("The weights have std 1: scale the standard normal draw.",
                                        "표준편차가 1입니다: 표준정규분포 값에 배율을 곱하세요."),
                 np.sqrt(gain / n_in): T("You used gain/n without the square root; the std is the square root of the variance.",
                                         "제곱근 없이 gain/n을 곱했습니다. 표준편차는 분산의 제곱근입니다."),
                 # Glorot's sqrt(2 / (n_in + n_out)), and the same without its factor 2
                 np.sqrt(2.0 * n_in / (gain * (n_in + n_out))): glorot,
                 np.sqrt(n_in / (gain * (n_in + n_out))): glorot,
                 1.0 / np.sqrt(3.0): T("A uniform draw U(-s, s) has std s/sqrt(3); draw from a normal distribution.",
                                       "균등분포 U(-s, s)의 표준편차는 s/sqrt(3)입니다. 정규분포에서 뽑으세요.")}
        if fn == "xavier_init":
            known[np.sqrt(2.0)] = T("That is He's sqrt(2/n_in); Xavier is 1/sqrt(n_in).",
                                    "He의 sqrt(2/n_in)입니다. Xavier는 1/sqrt(n_in)입니다.")
        else:
            known[np.sqrt(0.5)] = T("That is Xavier's 1/sqrt(n_in); He is sqrt(2/n_in) (for ReLU).",
                                    "Xavier의 1/sqrt(n_in)입니다. He는 sqrt(2/n_in)입니다 (ReLU용).")
    for r, hint in known.items():
        if abs(ratio / r - 1.0) < 0.04:
            return hint
    return T(f"{fn}: draw N(0, 1) with the rng and multiply by {RULE[fn]}.",
             f"{fn}: rng로 N(0, 1)을 뽑고 {RULE[fn]}을 곱하세요.")


@graded_check("{fn}", points=1, title=T("returns shape (n_in, n_out)", "(n_in, n_out) 모양 반환"),
              params={"fn": INITS}, aspect=True)
def check_init_shape(student, fb, variant, seed_for, fn):
    for n_in, n_out, _std, reply in draws(student, fn, variant, seed_for):
        fb.array(reply.value, shape=(n_in, n_out), what=f"{fn}({n_in}, {n_out}, ...)",
                 hint=T("Rows are the n_in inputs, columns the n_out units: shape (n_in, n_out).",
                        "행은 입력 n_in개, 열은 노드 n_out개입니다: 모양 (n_in, n_out)."))


@graded_check("{fn}", points=1, title=T("mean close to 0", "평균이 0에 가까움"), false_fail_rate=4e-9,
              params={"fn": INITS}, aspect=True)
def check_init_mean(student, fb, variant, seed_for, fn):
    """Judged against the weights' own spread (the std check judges the scale), so a centred draw of
    the wrong scale keeps this point."""
    for n_in, n_out, std, w in finite_draws(fb, student, fn, variant, seed_for):
        s = float(w.std())
        unit_interval = bool(w.min() >= 0.0 and w.max() < 1.0)
        fb.expect(abs(w.mean()) <= MEAN_TOL * s,
                  T(f"mean 0 ± {fmt(MEAN_TOL * s)} (0.03 × the weights' std {fmt(s)}), {w.size:,} weights",
                    f"평균 0 ± {fmt(MEAN_TOL * s)} (가중치 표준편차 {fmt(s)}의 0.03배), 가중치 {w.size:,}개"),
                  T(f"mean {fmt(w.mean())}", f"평균 {fmt(w.mean())}"),
                  T("Weights are centred at 0: N(0, std^2), not a draw from [0, 1) (rng.random).",
                    "가중치의 중심은 0입니다: [0, 1) 범위(rng.random)가 아니라 N(0, std^2)에서 뽑으세요.")
                  if unit_interval else
                  T("Weights are centred at 0: draw N(0, 1) and multiply by the scale; do not add an offset.",
                    "가중치의 중심은 0입니다: N(0, 1)에서 뽑아 배율만 곱하고 값을 더하지 마세요."))


@graded_check("{fn}", points=2, title=T("std follows the rule", "표준편차가 규칙을 따름"), false_fail_rate=1e-15,
              params={"fn": INITS})
def check_init_std(student, fb, variant, seed_for, fn):
    for n_in, n_out, std, w in finite_draws(fb, student, fn, variant, seed_for):
        s = target_std(fn, n_in, std)
        measured = float(w.std())
        rule = f"std={std}" if fn == "normal_init" else f"{RULE[fn]}, n_in={n_in}, n_out={n_out}"
        fb.expect(abs(measured / s - 1.0) <= STD_REL_TOL,
                  T(f"std {fmt(s)} ± 3% ({rule})", f"표준편차 {fmt(s)} ± 3% ({rule})"),
                  T(f"std {fmt(measured)} over {w.size:,} weights", f"가중치 {w.size:,}개의 표준편차 {fmt(measured)}"),
                  mistake_hint(fn, measured / s, n_in, n_out, std))


@graded_check("{fn}", points=1, title=T("normally distributed (KS test)", "정규분포를 따름 (KS 검정)"),
       false_fail_rate=KS_ALPHA, params={"fn": INITS})
def check_init_distribution(student, fb, variant, seed_for, fn):
    n_in, n_out, std, reply = draws(student, fn, variant, seed_for)[0]
    w = fb.array(reply.value, shape=(n_in, n_out), what=fn)
    fb.finite(w, fn)
    sample = w.ravel()[:KS_SAMPLE]  # enough for the rule (see KS_SAMPLE), a quarter of the sort
    d, p = ks_normal_shape(sample)
    if p >= KS_ALPHA:
        return
    centred = w - w.mean()  # only to choose the hint: a uniform draw has excess kurtosis -1.2
    kurt = float(np.mean(centred**4) / max(np.mean(centred**2) ** 2, 1e-300) - 3.0)
    uniform = abs(kurt + 1.2) < 0.2
    fb.expect(p >= KS_ALPHA,
              T(f"KS p-value >= {KS_ALPHA:g} against a normal shape ({sample.size:,} weights)",
                f"정규분포 모양에 대한 KS 검정 p값 >= {KS_ALPHA:g} (가중치 {sample.size:,}개)"),
              T(f"KS distance {d:.4f}, p = {p:.2g}, excess kurtosis {kurt:.2f} (normal: 0, uniform: -1.2)",
                f"KS 거리 {d:.4f}, p = {p:.2g}, 초과 첨도 {kurt:.2f} (정규분포: 0, 균등분포: -1.2)"),
              T("The weights look uniform: use rng.standard_normal or rng.normal, not rng.random/rng.uniform."
                if uniform else "Draw from a normal distribution: rng.standard_normal((n_in, n_out)) * scale.",
                "균등분포처럼 보입니다: rng.random/rng.uniform 대신 rng.standard_normal 또는 rng.normal을 쓰세요."
                if uniform else "정규분포에서 뽑으세요: rng.standard_normal((n_in, n_out)) * 배율."))


@graded_check("{fn}", points=1, title=T("uses the rng it is given", "주어진 rng를 사용함"),
              params={"fn": INITS}, aspect=True)
def check_init_rng(student, fb, seed, fn):
    n_in, n_out = 30, 20
    a = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    b = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    c = fb.array(draw(student, fn, n_in, n_out, seed + 1, 0.5).value, shape=(n_in, n_out), what=fn)
    fb.expect(np.array_equal(a, b), T("the same weights from two Generators in the same state",
                                      "상태가 같은 두 Generator에서 같은 가중치"),
              T("different weights", "서로 다른 가중치"),
              T("Draw with the rng argument (rng.standard_normal(...)), not np.random.* or a new default_rng().",
                "np.random.*나 새 default_rng() 대신 인자로 받은 rng로 뽑으세요 (rng.standard_normal(...))."))
    fb.expect(not np.array_equal(a, c), T("different weights from Generators in different states",
                                          "상태가 다른 Generator에서 서로 다른 가중치"),
              T("identical weights", "똑같은 가중치"),
              T("Do not re-seed inside the function (e.g. default_rng(0)): the caller's rng decides the draw.",
                "함수 안에서 시드를 다시 정하지 마세요 (예: default_rng(0)). 뽑는 값은 호출한 쪽의 rng가 정합니다."))


@graded_check("{fn}", points=1, title=T("units start different (symmetry broken)", "노드마다 다른 초깃값 (대칭 깨기)"),
              params={"fn": INITS}, aspect=True)
def check_init_units_differ(student, fb, seed, fn):
    n_in, n_out = 100, 50
    w = fb.array(draw(student, fn, n_in, n_out, seed, 0.5).value, shape=(n_in, n_out), what=fn)
    fb.finite(w, fn)
    # Columns compared by their bytes (+ 0.0 turns -0.0 into 0.0, as np.unique's equality does):
    # np.unique(w, axis=1) sorted the whole matrix for the same count.
    distinct = len({column.tobytes() for column in np.ascontiguousarray((w + 0.0).T)})
    fb.expect(distinct == n_out, T(f"{n_out} different columns (one per unit)", f"서로 다른 열 {n_out}개 (노드마다 하나)"),
              T(f"{distinct} different columns", f"서로 다른 열 {distinct}개"),
              T("Equal initial weights make every unit compute and learn the same thing: draw every weight independently.",
                "초깃값이 같으면 모든 노드가 같은 값을 계산하고 똑같이 갱신됩니다. 가중치를 모두 독립적으로 뽑으세요."))


# ====================================================================================================
# autograder/lectures/weight_init/helper/checks_probe.py: Checks of activation_probe, with grader-made inits and activations only.
# ====================================================================================================

EXACT_RTOL, EXACT_ATOL = 1e-9, 1e-12

#: The lecture's protocol: x ~ N(0,1) of shape (1000, 100); 5 layers of 100 units; no bias.
LECTURE_SAMPLES, LECTURE_INPUT_DIM, LECTURE_LAYERS, LECTURE_NODES = 1000, 100, 5, 100

#: (activation, init, init params) of each of the lecture's cases (the init's seed is added per check).
PROBE_CASES: dict[str, tuple[str, str, dict]] = {
    "sigmoid-std=1": ("sigmoid", "table", {"std": 1.0}),
    "sigmoid-std=0.01": ("sigmoid", "table", {"std": 0.01}),
    "sigmoid-Xavier": ("sigmoid", "table", {"gain": 1.0}),
    "sigmoid-He": ("sigmoid", "table", {"gain": 2.0}),
    "relu-He": ("relu", "table", {"gain": 2.0}),
}

LIST_HINT = T("Return a list with one array per layer, in order (the lecture's dict {0: ..., 1: ...} "
              "becomes [a1, a2, ...]).",
              "층마다 배열 하나씩, 순서대로 담은 리스트를 반환하세요 (강의의 딕셔너리 {0: ..., 1: ...} 대신 [a1, a2, ...]).")
LAYER_HINT = T("Layer i computes activation(prev @ W) with a new W = init(n_prev, node_num, rng), and prev is the "
               "previous layer's activations (x for the first layer).",
               "i번째 층은 새 W = init(n_prev, node_num, rng)로 activation(prev @ W)를 계산합니다. prev는 앞 층의 "
               "활성화 값입니다 (첫 층은 x).")


def layers_of(fb, value, n_layers: int, rows: int, node_num: int) -> list[np.ndarray]:
    """The returned layers as float arrays, or a failure that says what came back instead."""
    listed = T(f"a list of {n_layers} arrays", f"배열 {n_layers}개의 리스트")
    if isinstance(value, dict):
        fb.fail(listed, describe(value), LIST_HINT)
    if not isinstance(value, (list, tuple)):
        fb.fail(listed, describe(value),
                T("Collect every layer's activations and return them all, not only the last layer.",
                  "마지막 층만이 아니라 모든 층의 활성화 값을 모아 반환하세요."))
    fb.expect(len(value) == n_layers, T(f"{n_layers} layers", f"층 {n_layers}개"),
              T(f"{len(value)} layers", f"층 {len(value)}개"),
              T("One entry per hidden layer: loop n_layers times and append each layer's output.",
                "은닉층마다 하나씩: n_layers번 반복하며 각 층의 출력을 추가하세요."))
    return [fb.array(a, shape=(rows, node_num), what=layer_name(i + 1)) for i, a in enumerate(value)]


def layer_name(i: int) -> Text:
    return T(f"layer {i}", f"{i}층")


def expected_layers(x, init_spec, act_spec, n_layers, node_num, store_pre=False, chain=True):
    """The rule's layers for a grader-made init that ignores the rng (a table of fixed matrices);
    ``store_pre`` and ``chain=False`` model two typical mistakes, for the hints."""
    init = build_callable(init_spec.name, init_spec.params)
    act = build_callable(act_spec.name, act_spec.params)
    out, prev = [], x
    for _ in range(n_layers):
        a = (prev if chain else x) @ init(prev.shape[1] if chain else x.shape[1], node_num, None)
        z = act(a)
        out.append(a if store_pre else z)
        prev = z
    return out


_CHAIN_HINT = T("The matrices do not chain: layer 1 needs W = init(x.shape[1], node_num, rng) and every later layer "
                "init(node_num, node_num, rng), i.e. always init(prev.shape[1], node_num, rng), then prev @ W.",
                "행렬 크기가 이어지지 않습니다: 첫 층은 W = init(x.shape[1], node_num, rng), 그다음 층부터는 "
                "init(node_num, node_num, rng), 즉 항상 init(prev.shape[1], node_num, rng)로 뽑고 prev @ W를 계산하세요.")


def probe_call(student, *args, reuse: bool = False) -> CallReply:
    """A call of the probe; a matrix-shape error it raises gets the hint that explains it."""
    try:
        return student.call("activation_probe", *args, reuse=reuse)
    except StudentRaised as exc:
        text = str(exc.info.get("message", ""))
        if any(s in text for s in ("matmul", "not aligned", "core dimension", "shapes")):
            exc.info.setdefault("hint", _CHAIN_HINT)
        raise


def exact_inputs(variant, seed: int):
    rows, cols, n_layers, node_num = variant.probe_shape
    x = np.random.default_rng(seed).normal(size=(rows, cols))
    return x, n_layers, node_num, CallableSpec("table", {"seed": seed % 2**31}), CallableSpec("softsign")


def exact_run(student, variant, seed: int):
    """The probe on the exact check's inputs: one call per submission, judged by three checks."""
    x, n_layers, node_num, init, act = exact_inputs(variant, seed)
    reply = probe_call(student, x, init, act, n_layers, node_num, RngSpec(seed), reuse=True)
    return reply, x, n_layers, node_num, init, act


@graded_check("activation_probe", points=1, title=T("returns one (len(x), node_num) array per layer",
                                                    "층마다 (len(x), node_num) 배열 하나씩 반환"), aspect=True)
def check_activation_probe_layers(student, fb, variant, seed_for):
    reply, x, n_layers, node_num, _, _ = exact_run(student, variant, seed_for("probe-exact"))
    layers_of(fb, reply.value, n_layers, len(x), node_num)


@graded_check("activation_probe", points=2, title=T("exact activations for a known init and activation",
                                                    "정해진 초깃값·활성화 함수에서 정확한 값"))
def check_activation_probe_exact(student, fb, variant, seed_for):
    seed = seed_for("probe-exact")
    reply, x, n_layers, node_num, init, act = exact_run(student, variant, seed)
    got = layers_of(fb, reply.value, n_layers, len(x), node_num)
    want = expected_layers(x, init, act, n_layers, node_num)
    hint = LAYER_HINT
    if all(np.allclose(g, w) for g, w in zip(got, expected_layers(x, init, act, n_layers, node_num, store_pre=True))):
        hint = T("You stored prev @ W (before the activation); store activation(prev @ W).",
                 "활성화 함수 적용 전의 prev @ W를 저장했습니다. activation(prev @ W)를 저장하세요.")
    elif all(np.allclose(g, w) for g, w in zip(got, expected_layers(x, init, act, n_layers, node_num, chain=False))):
        hint = T("Every layer starts from x; each layer must take the previous layer's activations.",
                 "모든 층이 x에서 시작합니다. 각 층은 앞 층의 활성화 값을 입력으로 받아야 합니다.")
    elif reply.callable_logs and len(reply.callable_logs[0]) == 1 and n_layers > 1:
        hint = T("init was called once: draw a new W for every layer.",
                 "init을 한 번만 호출했습니다. 층마다 새 W를 뽑으세요.")
    for i, (g, w) in enumerate(zip(got, want), start=1):
        fb.allclose(g, w, layer_name(i), EXACT_RTOL, EXACT_ATOL, hint)


@graded_check("activation_probe", points=1, title=T("calls init(n_prev, node_num, rng) once per layer",
                                                    "층마다 init(n_prev, node_num, rng)을 한 번씩 호출"), aspect=True)
def check_activation_probe_init_calls(student, fb, variant, seed_for):
    """Judged from the calls alone: init is called once per layer with the shape (n_prev, node_num), n_prev
    being x.shape[1] for the first layer and node_num after it, and with the Generator the probe was given.
    What the probe returns is the other checks' business: a probe whose only bug is in its values (the
    activation skipped, a layer stored twice) keeps this point.  The calls are the ones the grader's init
    recorded as it ran in the child (their count, shapes and the seed of the rng it received).

    An aspect check, as it judges no value: like the shape checks, its point counts only beside a passing
    value check of the probe (else right calls and arrays of zeros would score), and is held with the
    aspect rule's message, which names the values, not the calls."""
    seed = seed_for("probe-exact")
    reply, x, n_layers, node_num, _init, _act = exact_run(student, variant, seed)
    log = reply.callable_logs[0] if reply.callable_logs else []
    shapes = [tuple(c[:2]) for c in log]
    want = [(x.shape[1] if i == 0 else node_num, node_num) for i in range(n_layers)]
    listed = f"{shapes[:8]}{' ...' if len(shapes) > 8 else ''}"
    shown = T(f"{len(log)} call(s): {listed}", f"{len(log)}번 호출: {listed}")
    expected = T(f"{n_layers} calls: {want}", f"{n_layers}번 호출: {want}")
    if len(log) != n_layers:
        fb.fail(expected, shown,
                T("init was never called: draw each layer's W with W = init(prev.shape[1], node_num, rng)."
                  if not log else
                  "init was called once: draw a new W for every layer, inside the loop over layers."
                  if len(log) == 1 else
                  "Draw one new weight matrix per layer, inside the loop over layers (n_layers calls in all).",
                  "init을 한 번도 호출하지 않았습니다. 층마다 W = init(prev.shape[1], node_num, rng)로 뽑으세요."
                  if not log else
                  "init을 한 번만 호출했습니다. 층 반복문 안에서 층마다 새 W를 뽑으세요."
                  if len(log) == 1 else
                  "층 반복문 안에서 층마다 새 가중치 행렬을 하나씩 뽑으세요 (모두 n_layers번)."))
    if shapes != want:
        if shapes == [w_[::-1] for w_ in want]:
            hint = T("init(n_in, n_out, ...) takes the previous layer's width first: init(prev.shape[1], node_num, rng).",
                     "init(n_in, n_out, ...)은 앞 층의 너비를 먼저 받습니다: init(prev.shape[1], node_num, rng).")
        else:
            hint = T("The first layer's n_in is x.shape[1]; after that it is node_num.",
                     "첫 층의 n_in은 x.shape[1], 그다음 층부터는 node_num입니다.")
        fb.fail(expected, shown, hint)
    fb.expect(all(c[2] == seed for c in log), T("init receives the rng given to the probe",
                                                "activation_probe가 받은 rng를 init이 받음"),
              T("a different rng (or none)", "다른 rng (또는 rng 없음)"),
              T("Pass the probe's own rng argument to init; do not create a new Generator.",
                "probe가 받은 rng를 그대로 init에 넘기세요. 새 Generator를 만들지 마세요."))


def lecture_specs(case: str, seed: int):
    """(x, init, activation) of one lecture case: x is built where it is used, not sent."""
    act_name, init_name, params = PROBE_CASES[case]
    return (NormalArraySpec(seed, (LECTURE_SAMPLES, LECTURE_INPUT_DIM)),
            CallableSpec(init_name, dict(params, seed=seed % 2**31)), CallableSpec(act_name))


def lecture_seeds(variant) -> list[tuple[str, int]]:
    """(case, seed) of each lecture case under ``variant``: the same for every submission of a
    class-wide week (they are the checks' ``class_seed_for``)."""
    return [(case, variant.check_seed(f"lecture:{case}", "")) for case in PROBE_CASES]


def prebuild(cases: list[tuple[str, int]]) -> None:
    """Draw the inputs of these lecture cases (x and every layer's weight table) into PREBUILT; run
    by the zygote before it forks the submissions' processes, which then copy instead of drawing."""
    for case, seed in cases:
        x, init, _act = lecture_specs(case, int(seed))
        keyed = [(("normal", x.seed, tuple(x.shape)), x.build)]
        params = init.params
        for k in range(LECTURE_LAYERS):
            n_in = LECTURE_INPUT_DIM if k == 0 else LECTURE_NODES
            keyed.append((("table", params["seed"], k, n_in, LECTURE_NODES, params.get("std"), params.get("gain")),
                          functools.partial(TableInit.matrix, params["seed"], k, n_in, LECTURE_NODES,
                                            params.get("std"), params.get("gain"))))
        for key, make in keyed:
            if key not in PREBUILT:
                made = make()
                made.flags.writeable = False
                PREBUILT[key] = made


CASE_HINTS = {
    "sigmoid-std=1": T("With std 1 the sigmoid outputs pile up at 0 and 1; check that each layer applies the "
                       "activation to prev @ W with the W that init returns.",
                       "표준편차 1이면 시그모이드 출력이 0과 1에 몰립니다. 각 층이 init이 준 W로 activation(prev @ W)를 "
                       "계산하는지 확인하세요."),
    "sigmoid-std=0.01": T("With std 0.01 every output sits near 0.5; check the chaining of layers.",
                          "표준편차 0.01이면 모든 출력이 0.5 근처에 모입니다. 층 연결을 확인하세요."),
    "sigmoid-Xavier": T("Under Xavier the spread narrows with depth but stays wide; each layer must feed the next.",
                        "Xavier에서는 깊어질수록 분포가 좁아지지만 넓게 퍼져 있습니다. 각 층이 다음 층의 입력이 되어야 합니다."),
    "sigmoid-He": T("Under He the first layer is wider than under Xavier; each layer must feed the next.",
                    "He에서는 첫 층이 Xavier보다 넓게 퍼집니다. 각 층이 다음 층의 입력이 되어야 합니다."),
    "relu-He": T("He with ReLU keeps the same spread in every layer; store relu(prev @ W) for every layer.",
                 "ReLU와 He를 쓰면 모든 층에서 퍼짐이 비슷합니다. 층마다 relu(prev @ W)를 저장하세요."),
}

_STORE_ACTIVATION = T("Store activation(prev @ W), not prev @ W.", "prev @ W가 아니라 activation(prev @ W)를 저장하세요.")


@functools.lru_cache(maxsize=16)
def lecture_expected(case: str, seed: int) -> tuple[tuple[np.ndarray, ...], list[list[int]]]:
    """The right layers of a lecture case and their histogram: the same for every submission of a
    class-wide week (its seed comes from the set-up, not the student), so computed once per batch."""
    x, init, act = lecture_specs(case, seed)
    layers = tuple(expected_layers(x.build(), init, act, LECTURE_LAYERS, LECTURE_NODES))
    for layer in layers:
        layer.flags.writeable = False
    return layers, histogram(list(layers))


@graded_check("activation_probe", points=1, title=T("lecture histogram {case}", "강의의 히스토그램 {case}"),
              params={"case": tuple(PROBE_CASES)})
def check_activation_probe_lecture_stats(student, fb, class_seed_for, case):
    """Exact, on the lecture's protocol with fixed weight tables; the inputs are the set-up's (not each
    student's), so the right layers are computed once per class."""
    seed = class_seed_for(f"lecture:{case}")
    x, init, act = lecture_specs(case, seed)
    reply = probe_call(student, x, init, act, LECTURE_LAYERS, LECTURE_NODES, RngSpec(seed))
    acts = layers_of(fb, reply.value, LECTURE_LAYERS, LECTURE_SAMPLES, LECTURE_NODES)
    want, want_counts = lecture_expected(case, seed)
    right = all(np.array_equal(g, w) or np.allclose(g, w, rtol=EXACT_RTOL, atol=EXACT_ATOL) for g, w in zip(acts, want))
    # The figure's data: the student's histogram and the reference's on the same inputs (ungraded).
    fb.artifacts["histogram"] = {"case": case, "counts": want_counts if right else histogram(acts), "seed": seed,
                                 "reference": want_counts}
    if right:
        return
    high = 1.0 if act.name == "sigmoid" else np.inf
    outside = [i for i, a in enumerate(acts, start=1) if not (a.min() >= 0.0 and a.max() <= high)]
    if outside:
        k = outside[0]
        a = acts[k - 1]
        span = "[0, 1]" if high == 1.0 else "[0, inf)"
        low_, high_ = f"{float(a.min()):.3g}", f"{float(a.max()):.3g}"
        fb.fail(T(f"{act.name} activations in {span} in every layer", f"모든 층의 {act.name} 활성화 값이 {span} 안"),
                T(f"layer {k} of {len(acts)} has values from {low_} to {high_}"
                  + (f" (layers out of range: {outside})" if len(outside) > 1 else ""),
                  f"{len(acts)}개 층 중 {k}층의 값이 {low_}부터 {high_}까지"
                  + (f" (범위를 벗어난 층: {outside})" if len(outside) > 1 else "")),
                _STORE_ACTIVATION if len(outside) == len(acts) else
                T(f"Only layer(s) {outside} are out of range: every layer must store activation(prev @ W) with the "
                  "activation the probe is given.",
                  f"{outside}층만 범위를 벗어났습니다: 모든 층이 probe가 받은 활성화 함수로 activation(prev @ W)를 "
                  "저장해야 합니다."))
    for i, (g, w) in enumerate(zip(acts, want), start=1):
        fb.allclose(g, w, T(f"{case}: layer {i}", f"{case}: {i}층"), EXACT_RTOL, EXACT_ATOL, CASE_HINTS[case])


@graded_check("activation_probe", points=1, title=T("equal initial weights give identical units",
                                                    "같은 초깃값이면 모든 노드가 같은 값"), aspect=True)
def check_activation_probe_symmetry(student, fb, seed):
    x = np.random.default_rng(seed).normal(size=(50, 20))
    reply = probe_call(student, x, CallableSpec("constant", {"value": 0.05}), CallableSpec("sigmoid"), 3, 10,
                       RngSpec(seed))
    for i, layer in enumerate(layers_of(fb, reply.value, 3, len(x), 10), start=1):
        spread = float(np.max(np.abs(layer - layer[:, :1])))
        fb.expect(spread <= 1e-12, T(f"layer {i}: every unit (column) identical", f"{i}층: 모든 노드(열)가 같음"),
                  T(f"units differ by up to {spread:.3g}", f"노드 사이의 차이가 최대 {spread:.3g}"),
                  T("With equal weights each unit sums the same inputs with the same weights; the probe must use "
                    "exactly the W that init returns (no extra noise, no reordering).",
                    "가중치가 모두 같으면 모든 노드가 같은 입력을 같은 가중치로 더합니다. probe는 init이 반환한 W를 "
                    "그대로 써야 합니다 (잡음 추가나 순서 변경 없이)."))


# ====================================================================================================
# autograder/lectures/weight_init/helper/checks_decay.py: Checks of weight_decay_penalty and weight_decay_grad (exact; no statistics involved).
# ====================================================================================================

DECAY_RTOL = 1e-9


def decay_inputs(variant, seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(0.0, 1.0, size=shape) for shape in variant.decay_shapes]


def decay_penalty(weights, lam: float) -> float:
    """0.5 * lam * sum of squares: the lecture's weight-decay term (grader's own)."""
    return 0.5 * lam * sum(float(np.sum(w * w)) for w in weights)


@graded_check("weight_decay_penalty", points=2, title=T("0.5·λ·ΣW² over every matrix", "모든 행렬에 대한 0.5·λ·ΣW²"))
def check_weight_decay_penalty_value(student, fb, variant, seed):
    weights = decay_inputs(variant, seed)
    lam = variant.lam
    got = fb.number(student.call("weight_decay_penalty", weights, lam).value, "weight_decay_penalty")
    want = decay_penalty(weights, lam)
    candidates = {
        2 * want: T("That is λ·ΣW²: the lecture's term has the factor 0.5 (so that its gradient is λW).",
                    "λ·ΣW²입니다. 강의의 항에는 0.5가 곱해집니다 (그래야 기울기가 λW)."),
        decay_penalty(weights[:1], lam): T("Only the first matrix counted: sum over every matrix in weights.",
                                     "첫 행렬만 더했습니다. weights의 모든 행렬을 더하세요."),
        decay_penalty(weights[-1:], lam): T("Only the last matrix counted: sum over every matrix in weights.",
                                      "마지막 행렬만 더했습니다. weights의 모든 행렬을 더하세요."),
        0.5 * lam * sum(float(np.sum(np.abs(w))) for w in weights): T(
            "That is the sum of |W| (L1); weight decay squares the weights.",
            "|W|의 합(L1)입니다. 가중치 감소는 가중치를 제곱합니다."),
        decay_penalty(weights, 1.0): T("λ is missing: multiply by lam.", "λ가 빠졌습니다. lam을 곱하세요."),
        0.5 * lam * sum(float(np.sum(w)) ** 2 for w in weights): T(
            "That squares the sum; square each weight, then add: np.sum(W ** 2).",
            "합을 제곱했습니다. 각 가중치를 제곱한 뒤 더하세요: np.sum(W ** 2)."),
    }
    hint = next((h for v, h in candidates.items() if np.isclose(got, v, rtol=1e-6)),
                T("penalty = 0.5 * lam * sum over matrices of np.sum(W ** 2).",
                  "penalty = 0.5 * lam * (각 행렬의 np.sum(W ** 2)의 합)."))
    shapes = ", ".join(f"{w.shape[0]}x{w.shape[1]}" for w in weights)
    fb.expect(np.isclose(got, want, rtol=DECAY_RTOL, atol=0.0),
              T(f"{fmt(want)} (λ={lam:g}, matrices {shapes})", f"{fmt(want)} (λ={lam:g}, 행렬 {shapes})"), fmt(got), hint)


@graded_check("weight_decay_penalty", points=1, title=T("λ = 0 gives 0", "λ = 0이면 0"), aspect=True)
def check_weight_decay_penalty_lam_zero(student, fb, variant, seed):
    got = fb.number(student.call("weight_decay_penalty", decay_inputs(variant, seed), 0.0).value, "weight_decay_penalty")
    fb.expect(abs(got) <= 1e-12, "0.0", fmt(got),
              T("The whole term is multiplied by lam, so lam = 0 switches weight decay off.",
                "항 전체에 lam이 곱해지므로 lam = 0이면 가중치 감소가 꺼집니다."))


@graded_check("weight_decay_grad", points=2, title=T("gradient equals λW", "기울기가 λW와 같음"))
def check_weight_decay_grad_value(student, fb, variant, seed):
    w = np.random.default_rng(seed).normal(size=(7, 3))
    lam = variant.lam
    got = fb.array(student.call("weight_decay_grad", w, lam).value, shape=w.shape, what="weight_decay_grad(W, lam)",
                   hint=T("The gradient has the shape of W: lam * W.", "기울기는 W와 같은 모양입니다: lam * W."))
    twice = np.allclose(got, 2 * lam * w, rtol=1e-6)
    fb.allclose(got, lam * w, "weight_decay_grad(W, lam)", DECAY_RTOL, 1e-15,
                T("d/dW of 0.5·λ·W² is λW: the 0.5 cancels the 2." if twice else "The gradient is lam * W, elementwise.",
                  "0.5·λ·W²를 W로 미분하면 λW입니다: 0.5가 2를 상쇄합니다." if twice else "기울기는 원소별로 lam * W입니다."))


@graded_check("weight_decay_grad", points=1, title=T("agrees with a numerical derivative of the penalty",
                                              "벌칙 항의 수치 미분과 일치"))
def check_weight_decay_grad_numerical(student, fb, variant, seed):
    w = np.random.default_rng(seed + 1).normal(size=(4, 5))
    lam = variant.lam * 3.0
    got = fb.array(student.call("weight_decay_grad", w, lam).value, shape=w.shape, what="weight_decay_grad(W, lam)")
    h = 1e-5
    numeric = np.zeros_like(w)
    for idx in np.ndindex(*w.shape):  # central differences of the grader's penalty
        step = np.zeros_like(w)
        step[idx] = h
        numeric[idx] = (decay_penalty([w + step], lam) - decay_penalty([w - step], lam)) / (2 * h)
    fb.allclose(got, numeric, T("numerical dPenalty/dW", "벌칙 항을 수치 미분한 값"), rtol=1e-5, atol=1e-8,
                hint=T("Check your formula against (penalty(W + h) - penalty(W - h)) / 2h for a small h.",
                       "작은 h에 대해 (penalty(W + h) - penalty(W - h)) / 2h와 비교해 보세요."))


# ====================================================================================================
# autograder/lectures/weight_init/helper/questions.py: The lecture's analysis questions: their steps, run with some functions (see autograder/helper/questions.py).
# ====================================================================================================

def probe_layer1(variant, fns: dict, init, activation, seed: int) -> np.ndarray:
    """The first hidden layer of the probe under the question's steps (x first, then the probe)."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((variant.n_samples, variant.input_dim))
    acts = fns["activation_probe"](x, init, activation, 1, variant.node_num, rng)
    return np.asarray(acts[0], dtype=float)


def _saturation(a1: np.ndarray) -> float:
    return float(np.mean((a1 < 0.02) | (a1 > 0.98)))


def _std(a1: np.ndarray) -> float:
    return float(a1.std())


#: The statistic of each probe question: (its init, its activation, what is measured), from the functions.
PROBE_QUESTIONS = {
    "saturated": (lambda v, f: Bound(f["normal_init"], (v.std_large,)), "sigmoid", _saturation),
    "xavier": (lambda v, f: f["xavier_init"], "sigmoid", _std),
    "he": (lambda v, f: f["he_init"], "relu", _std),
}


def _probe_answer(which: str):
    def compute(variant, fns, seed: int | None = None):
        init, activation, statistic = PROBE_QUESTIONS[which]
        seed = variant.analysis_seed(which) if seed is None else seed
        return statistic(probe_layer1(variant, fns, init(variant, fns), fns[activation], seed))

    return compute


def decay_matrices(variant) -> list[np.ndarray]:
    """The matrices of the penalty question (the notebook draws the same with the same seed)."""
    rng = np.random.default_rng(variant.analysis_seed("penalty"))
    return [rng.standard_normal(shape) for shape in ((variant.input_dim, variant.node_num),
                                                     (variant.node_num, variant.node_num), (variant.node_num, 10))]


def _penalty_answer(variant, fns):
    return float(fns["weight_decay_penalty"](decay_matrices(variant), variant.lam))


#: Seeds over which a statistic's spread is measured (any correct student's draw is one more such seed).
SPREAD_SEEDS = range(1000, 1032)


def spread_of(variant, which: str, fns: dict) -> float:
    """The standard deviation across seeds of the probe question ``which``'s statistic, computed with
    ``fns``: what a student who draws in another order may differ by.  Tolerances are at least 7 of
    these (at least 6 even when this 32-seed estimate is 15 % low)."""
    compute = _probe_answer(which)
    return float(np.std([compute(variant, fns, seed) for seed in SPREAD_SEEDS], ddof=1))

def _penalty_slip(got: float, want: float, variant):
    """The hint of a known slip the penalty answer shows: twice the term, or λ left out."""
    if want and np.isclose(got, 2 * want, rtol=1e-6):
        return T("Your number is twice the term: the weight-decay term is 0.5·λ·ΣW² (with the factor 0.5).",
                 "값이 정확히 두 배입니다: 가중치 감소 항은 0.5·λ·ΣW²입니다 (0.5를 곱하세요).")
    if want and variant.lam and np.isclose(got * variant.lam, want, rtol=1e-6):
        return T("λ is missing: pass LAM to weight_decay_penalty.", "λ가 빠졌습니다: LAM을 weight_decay_penalty에 넘기세요.")
    return None

QUESTIONS: tuple[Question, ...] = (
    Question(
        "answer_saturated", 2,
        T("Fraction of layer-1 sigmoid activations below 0.02 or above 0.98 with N(0, std_large^2) weights.",
          "가중치가 N(0, std_large^2)일 때 1층 시그모이드 활성화 값 중 0.02 미만 또는 0.98 초과인 비율."),
        lambda v, value, spread: max(0.03, 7 * spread("saturated")), _probe_answer("saturated"),
        T("Use normal_init with STD_LARGE, sigmoid, and count both ends: (a1 < 0.02) | (a1 > 0.98).",
          "STD_LARGE로 normal_init, sigmoid를 쓰고 양 끝을 모두 세세요: (a1 < 0.02) | (a1 > 0.98)."),
        ("normal_init", "sigmoid", "activation_probe"), spread_of,
    ),
    Question(
        "answer_xavier_std", 2,
        T("Standard deviation of the layer-1 sigmoid activations under Xavier initialisation.",
          "Xavier 초깃값에서 1층 시그모이드 활성화 값의 표준편차."),
        lambda v, value, spread: max(0.012, 7 * spread("xavier")), _probe_answer("xavier"),
        T("Pass xavier_init and sigmoid to a one-layer probe and take .std() of the first layer's activations.",
          "xavier_init과 sigmoid를 1층 probe에 넘기고 첫 층 활성화 값의 .std()를 구하세요."),
        ("xavier_init", "sigmoid", "activation_probe"), spread_of,
    ),
    Question(
        "answer_he_relu_std", 2,
        T("Standard deviation of the layer-1 ReLU activations under He initialisation.",
          "He 초깃값에서 1층 ReLU 활성화 값의 표준편차."),
        # ReLU layers vary more between draws when the layer is narrow: a relative tolerance
        # (10 %, >= 6 sd at 50 units x 500 inputs) still rejects Xavier's value (-29 %).
        lambda v, value, spread: 0.1 * abs(value), _probe_answer("he"),
        T("Pass he_init and relu (not sigmoid) to a one-layer probe and take .std() of its activations.",
          "he_init과 (sigmoid가 아닌) relu를 1층 probe에 넘기고 활성화 값의 .std()를 구하세요."),
        ("he_init", "relu", "activation_probe"), spread_of,
    ),
    Question(
        "answer_penalty", 2,
        T("Weight-decay penalty 0.5·λ·ΣW² of the three matrices drawn in the notebook.",
          "노트북에서 뽑은 세 행렬의 가중치 감소 항 0.5·λ·ΣW²."),
        lambda v, value, spread: 1e-6 * max(abs(value), 1.0), _penalty_answer,
        T("Pass all three matrices and LAM to weight_decay_penalty.",
          "세 행렬 모두와 LAM을 weight_decay_penalty에 넘기세요."),
        ("weight_decay_penalty",), mistakes=_penalty_slip,
    ),
)

QUESTION_BY_NAME = {q.name: q for q in QUESTIONS}
add_answer_checks(CHECKS, QUESTIONS)


# ====================================================================================================
# autograder/lectures/weight_init/helper/demos.py: The lecture's demonstrations in the notebook, drawn and run with the student's own functions.
# ====================================================================================================

def lecture_histograms(activation_probe, sigmoid, relu, normal_init, xavier_init, he_init,
                       n_samples: int = 1000, input_dim: int = 100, n_layers: int = 5, node_num: int = 100,
                       seed: int = 0, std_large: float = 1.0, std_small: float = 0.01):
    """The lecture's figure, drawn with the student's own functions.

    Rows: sigmoid with N(0, 1), N(0, 0.01^2), Xavier and He weights, then ReLU with He.
    Columns: the hidden layers, each a 30-bin histogram over (0, 1) as in the lecture.
    """
    if grading():
        return None
    import matplotlib.pyplot as plt

    rows = [
        (f"sigmoid, std={std_large:g}", sigmoid, lambda i, o, r: normal_init(i, o, r, std_large)),
        (f"sigmoid, std={std_small:g}", sigmoid, lambda i, o, r: normal_init(i, o, r, std_small)),
        ("sigmoid, Xavier", sigmoid, xavier_init),
        ("sigmoid, He", sigmoid, he_init),
        ("ReLU, He", relu, he_init),
    ]
    said: set = set()
    runs = []
    for label, act, init in rows:
        rng = np.random.default_rng(seed)
        x = rng.standard_normal((n_samples, input_dim))
        runs.append(attempt(activation_probe, x, init, act, n_layers, node_num, rng, said=said))
    if all(acts is None for acts in runs):  # no empty grid: the note above says why
        print("그림을 그리려면 activation_probe와 초기화 함수가 동작해야 합니다. / "
              "The figure needs a working activation_probe and init functions.")
        return None
    fig, axes = plt.subplots(len(rows), n_layers, figsize=(2.2 * n_layers, 1.7 * len(rows)), squeeze=False)
    # The figure's size is fixed, so are its margins: tight_layout's measuring draw took a third of the
    # time, and one filled outline per histogram (stairs) draws far faster than hist's 30 bars.
    fig.subplots_adjust(left=0.05, right=0.99, bottom=0.05, top=0.95, wspace=0.08, hspace=0.35)
    for row, ((label, act, init), acts) in enumerate(zip(rows, runs)):
        for layer in range(n_layers):
            ax = axes[row, layer]
            if acts is not None and layer < len(acts):
                values = np.asarray(acts[layer], dtype=float).ravel()
                counts, edges = np.histogram(values[np.isfinite(values)], 30, range=(0, 1))  # as plt.hist(a, 30, range=(0,1))
                ax.stairs(counts, edges, fill=True)
                if act is relu and len(counts) > 1:  # like the book's ylim: show the part above 0
                    ax.set_ylim(0, 1.3 * max(counts[1:].max(), 1))
            ax.set_yticks([])
            ax.set_xlim(0, 1)
            ax.set_xticks([0, 0.5, 1], ["0", "0.5", "1"], fontsize=8)
            if row == 0:
                ax.set_title(f"{layer + 1}-layer", fontsize=9)
            if layer == 0:
                ax.set_ylabel(label, fontsize=9)
    plt.show()
    return fig


def symmetry_demo(activation_probe, sigmoid, xavier_init, value: float = 0.5, seed: int = 0) -> None:
    """Equal initial weights: identical units forward, identical gradients backward."""
    if grading():
        return None
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((3, 3))
    equal = lambda n_in, n_out, r: np.full((n_in, n_out), value)  # noqa: E731
    acts = attempt(activation_probe, x, equal, sigmoid, 2, 4, rng)
    step = 0
    if acts is not None:
        step += 1
        print(f"{step}) 모든 가중치가 같을 때 은닉층 활성화 값 (행 = 샘플, 열 = 노드) / equal weights, hidden activations:")
        print(np.round(np.asarray(acts[0], dtype=float), 6))
    t = np.array([0, 1, 0])
    for label, init in (("equal weights / 같은 초깃값", equal), ("Xavier", xavier_init)):
        r = np.random.default_rng(seed)
        w1, w2 = attempt(init, 3, 4, r), attempt(init, 4, 2, r)
        if w1 is None or w2 is None:
            continue
        dw1, dw2 = _two_layer_grads(x, t, np.asarray(w1, float), np.asarray(w2, float))
        same1 = np.allclose(dw1, dw1[:, :1])
        same2 = np.allclose(dw2, dw2[:1, :])
        step += 1
        print(f"\n{step}) {label}: dW1 열이 모두 같음 / columns of dW1 identical: {same1};"
              f" dW2 행이 모두 같음 / rows of dW2 identical: {same2}")
        print("dW2 =\n", np.round(dw2, 6))


def _two_layer_grads(x, t, w1, w2):
    """Gradients of softmax cross-entropy for x -> sigmoid(x W1) -> W2 (the notes' 3-4-2 example)."""
    h = 1.0 / (1.0 + np.exp(-(x @ w1)))
    y = h @ w2
    y = np.exp(y - y.max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    dy = y.copy()
    dy[np.arange(len(t)), t] -= 1
    dy /= len(t)
    dw2 = h.T @ dy
    dh = dy @ w2.T * h * (1 - h)
    return x.T @ dh, dw2


def weight_decay_demo(weight_decay_penalty, weight_decay_grad, lam: float = 0.1, lr: float = 0.1,
                      steps: int = 50, seed: int = 0) -> None:
    """Gradient descent on the decay term alone: W shrinks by (1 - lr * lam) each step."""
    if grading():
        return None
    w = np.random.default_rng(seed).standard_normal((4, 3))
    start = attempt(weight_decay_penalty, [w], lam)
    if start is None:
        return None
    for _ in range(steps):
        g = attempt(weight_decay_grad, w, lam)
        if g is None:
            return None
        w = w - lr * np.asarray(g, dtype=float)
    end = attempt(weight_decay_penalty, [w], lam)
    print(f"penalty: {float(start):.4f} -> {float(end):.4f} after {steps} steps "
          f"(expected factor (1 - lr*lam)^(2*steps) = {(1 - lr * lam) ** (2 * steps):.4f}, "
          f"measured {float(end) / float(start):.4f})")


# ====================================================================================================
# autograder/lectures/weight_init/helper/api.py: What a notebook calls: the week's set-up (``variant``), the self-check cells (``check``, ``run_checks``),
# ====================================================================================================

variant, run_checks, check, self_check, main = LectureAPI(CHECKS, LECTURE_SETUP, __name__)


if __name__ == "__main__":
    sys.exit(main())
