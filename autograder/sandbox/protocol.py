"""The wire format between the judge and the child that runs student code.

Only plain data crosses: a frame is a JSON header followed by raw blobs, and every array
is an ``.npy`` blob written and read with ``allow_pickle=False``.  Nothing here ever
unpickles, imports or calls anything named by the other side, so a hostile child can at
worst send wrong numbers, which the judge then grades as wrong numbers.

Frame layout: ``>Q`` header length, the UTF-8 JSON header, then the blobs back to back;
the header's ``"blobs"`` key lists their sizes.
"""
from __future__ import annotations

import io
import json
import struct
import warnings
from dataclasses import dataclass, field
from typing import Any, BinaryIO

import numpy as np

#: A frame larger than this is refused (a child cannot make the judge allocate without bound).
MAX_FRAME_BYTES = 256 * 1024 * 1024
#: What the judge accepts from a child: a header (JSON) of at most 1 MB, and arrays whose
#: sizes are declared up front, at most 64 MB in all (the largest honest reply is ~4 MB).
REPLY_MAX_HEADER = 1024 * 1024
REPLY_MAX_BYTES = 64 * 1024 * 1024
#: Nesting deeper than this is refused when decoding (lists of lists of ...).
MAX_DEPTH = 6
#: At most this many items in one list/dict value.
MAX_ITEMS = 10_000
#: Strings are cut to this many characters.
MAX_STR = 10_000

_LEN = struct.Struct(">Q")


class ProtocolError(Exception):
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
        return np.random.default_rng(self.seed).standard_normal(self.shape)


@dataclass(frozen=True)
class CallableSpec:
    """A grader-made callable (an init or an activation), named in callables.REGISTRY."""

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


def _read_array(blob) -> np.ndarray:
    """An array over the received (private) buffer; refuses anything but plain numbers."""
    if isinstance(blob, Blob):
        blob = blob.tobytes()
    try:
        head = io.BytesIO(bytes(blob[:_MAX_NPY_HEADER]))
        version = np.lib.format.read_magic(head)
        read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
        shape, fortran, dtype = read_header(head)
    except Exception as exc:  # malformed npy header (numpy parses it with a safe literal eval)
        raise ProtocolError(f"bad array payload: {exc}") from None
    if dtype.kind not in "biuf" or dtype.hasobject:
        raise ProtocolError(f"array of dtype {dtype} is not plain numbers")
    count = int(np.prod(shape, dtype=np.int64)) if shape else 1
    offset = head.tell()
    if offset + count * dtype.itemsize != len(blob):
        raise ProtocolError("array payload has the wrong length")
    arr = np.frombuffer(blob, dtype=dtype, count=count, offset=offset)
    return arr.reshape(shape, order="F" if fortran else "C")


# --------------------------------------------------------------------------------------
# Framing


def _frame_parts(header: dict, blobs) -> list:
    blobs = [b if isinstance(b, Blob) else Blob((b,)) for b in blobs]
    raw = json.dumps(dict(header, blobs=[b.nbytes for b in blobs]), allow_nan=True).encode()
    return [_LEN.pack(len(raw)), raw, *(p for b in blobs for p in b.parts)]


def pack_frame(header: dict, blobs=()) -> bytes:
    return b"".join(bytes(p) for p in _frame_parts(header, blobs))


def write_frame(stream: BinaryIO, header: dict, blobs=()) -> None:
    for part in _frame_parts(header, blobs):
        stream.write(part)
    stream.flush()


def _read_exact(stream: BinaryIO, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = stream.readinto(view[got:])
        if not k:
            raise EOFError("the other side closed the channel")
        got += k
    return buf


def read_frame(stream: BinaryIO, max_bytes: int = MAX_FRAME_BYTES,
               max_header: int | None = None) -> tuple[dict, list[bytearray]]:
    """One frame; a header over ``max_header`` or a frame over ``max_bytes`` is refused before it is read."""
    (n,) = _LEN.unpack(_read_exact(stream, _LEN.size))
    if n > min(max_bytes, max_header or max_bytes):
        raise ProtocolError(f"header of {n} bytes is over the limit")
    try:
        header = json.loads(_read_exact(stream, n))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise ProtocolError(f"header is not JSON: {type(exc).__name__}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes):
        raise ProtocolError("malformed blob list")
    if sum(sizes) + n > max_bytes:
        raise ProtocolError(f"frame of {sum(sizes) + n} bytes is over the limit")
    return header, [_read_exact(stream, s) for s in sizes]
