"""The wire format between the judge and the child that runs student code: frames of plain data.

Only plain data crosses: a frame is a JSON header followed by raw blobs, and every array
is an ``.npy`` blob written and read with ``allow_pickle=False``.  Nothing here ever
unpickles, imports or calls anything named by the other side, so a hostile child can at
worst send wrong numbers, which the judge then grades as wrong numbers.

Frame layout: ``>Q`` header length, the UTF-8 JSON header, then the blobs back to back;
the header's ``"blobs"`` key lists their sizes.
"""
from __future__ import annotations

import json
import struct
from typing import BinaryIO

# The values inside frames (plain data, specs of grader-made objects) are the student helper's
# (autograder/helper/wire.py): a self-check encodes every value exactly as the sandbox does.  Framing
# needs none of it: a blob is bytes, or anything with ``parts`` and ``nbytes`` (wire.Blob).

__all__ = ["MAX_FRAME_BYTES", "REPLY_MAX_HEADER", "REPLY_MAX_BYTES", "FrameError", "pack_frame", "write_frame",
           "read_frame"]

#: A frame larger than this is refused (a child cannot make the judge allocate without bound).
MAX_FRAME_BYTES = 256 * 1024 * 1024
#: What the judge accepts from a child: a header (JSON) of at most 1 MB, and arrays whose
#: sizes are declared up front, at most 64 MB in all (the largest honest reply is ~4 MB).
REPLY_MAX_HEADER = 1024 * 1024
REPLY_MAX_BYTES = 64 * 1024 * 1024

_LEN = struct.Struct(">Q")


class FrameError(ValueError):
    """The other side sent something that is not a well-formed frame."""


class _Bytes:
    __slots__ = ("parts", "nbytes")

    def __init__(self, data):
        self.parts, self.nbytes = (data,), len(data)


# --------------------------------------------------------------------------------------
# Framing


def _frame_parts(header: dict, blobs) -> list:
    blobs = [b if hasattr(b, "parts") else _Bytes(b) for b in blobs]
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
        raise FrameError(f"header of {n} bytes is over the limit")
    try:
        header = json.loads(_read_exact(stream, n))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        raise FrameError(f"header is not JSON: {type(exc).__name__}") from None
    sizes = header.get("blobs", []) if isinstance(header, dict) else None
    if not isinstance(sizes, list) or not all(type(s) is int and s >= 0 for s in sizes):
        raise FrameError("malformed blob list")
    if sum(sizes) + n > max_bytes:
        raise FrameError(f"frame of {sum(sizes) + n} bytes is over the limit")
    return header, [_read_exact(stream, s) for s in sizes]
