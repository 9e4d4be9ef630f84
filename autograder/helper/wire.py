"""Values that cross between the grader and a submission: plain data only.

A frame's values are JSON-able descriptions plus ``.npy`` blobs, written and read with
``allow_pickle=False``.  Nothing here unpickles, imports or calls anything named by the
other side.  The self-check sends every value through the same encoding, so a function is
judged on exactly what the grader would receive from it.
"""
from __future__ import annotations

import io
import json
import re
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

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
