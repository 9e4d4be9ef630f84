"""The wire format: plain data only, validated on the way in."""
from __future__ import annotations

import io
import json
import pickle
import struct

import numpy as np
import pytest

from autograder.helper.wire import CallableSpec, ProtocolError, RngSpec, Unsupported, decode, encode
from autograder.engine.sandbox.protocol import FrameError, pack_frame, read_frame


def roundtrip(value):
    blobs: list[bytes] = []
    header = {"v": encode(value, blobs)}
    got_header, got_blobs = read_frame(io.BytesIO(pack_frame(header, blobs)))
    return decode(got_header["v"], got_blobs)


@pytest.mark.parametrize("value", [
    None, True, 3, -2.5, float("inf"),
    np.arange(12, dtype=np.int32).reshape(3, 4), np.float64(0.25), np.zeros((0, 5)), np.array(7.0),
    [np.ones(3), 2.0, (1, 2)], {"a": np.eye(2), 0: 1.5},
])
def test_values_survive_the_round_trip(value):
    """Do numbers, arrays, lists, tuples and dicts come back equal and of the same kind?"""
    got = roundtrip(value)
    if isinstance(value, np.ndarray):
        assert isinstance(got, np.ndarray) and got.dtype == value.dtype and got.shape == value.shape
        np.testing.assert_array_equal(got, value)
    elif isinstance(value, dict):
        assert set(got) == set(value)
    elif isinstance(value, float) and value != value:
        assert got != got
    else:
        assert type(got) is type(value) or isinstance(value, np.generic)


def test_a_zero_dimensional_array_keeps_its_shape():
    """Does a 0-d array come back 0-d (np.ascontiguousarray would make it 1-d)?"""
    assert roundtrip(np.asarray(0.5)).shape == ()


def test_specs_cross_as_descriptions():
    """Are grader-made rngs and callables sent as specs, never as objects?"""
    assert roundtrip(RngSpec(5)) == RngSpec(5)
    assert roundtrip(CallableSpec("table", {"seed": 3})) == CallableSpec("table", {"seed": 3})


def test_objects_that_are_not_data_become_unsupported():
    """Is an arbitrary object (or an object array) reported by type name instead of being pickled?"""
    class Evil(float):
        def __eq__(self, other):
            return True
    assert isinstance(roundtrip(Evil(1.0)), Unsupported)
    assert isinstance(roundtrip(np.array([object()], dtype=object)), Unsupported)
    assert isinstance(roundtrip(lambda: 0), Unsupported)


def test_a_pickled_array_payload_is_refused():
    """Can a child smuggle a pickle in place of an npy blob?"""
    blob = pickle.dumps(np.ones(3))
    with pytest.raises(ProtocolError):
        decode({"k": "ndarray", "b": 0}, [blob])
    buf = io.BytesIO()
    np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
    with pytest.raises(ProtocolError):
        decode({"k": "ndarray", "b": 0}, [buf.getvalue()])


@pytest.mark.parametrize("bad", [
    {"k": "int", "v": "3"}, {"k": "ndarray", "b": 5}, {"k": "list", "items": "x"}, {"k": "what"}, [1, 2],
    {"k": "dict", "items": [[1]]},
])
def test_malformed_values_are_protocol_errors(bad):
    """Are malformed descriptions rejected instead of half-decoded?"""
    with pytest.raises(ProtocolError):
        decode(bad, [])


def test_deep_nesting_is_refused():
    """Is a value nested deeper than the limit refused?"""
    v = {"k": "none"}
    for _ in range(20):
        v = {"k": "list", "items": [v]}
    with pytest.raises(ProtocolError):
        decode(v, [])


def test_oversized_and_broken_frames_are_refused():
    """Does the reader refuse frames over the limit, non-JSON headers and truncated blobs?"""
    with pytest.raises(FrameError):
        read_frame(io.BytesIO(struct.pack(">Q", 10**12)), max_bytes=1000)
    with pytest.raises(FrameError):
        read_frame(io.BytesIO(struct.pack(">Q", 3) + b"{x}"))
    header = json.dumps({"blobs": [100]}).encode()
    with pytest.raises(EOFError):
        read_frame(io.BytesIO(struct.pack(">Q", len(header)) + header + b"short"))
    header = json.dumps({"blobs": [10**9]}).encode()
    with pytest.raises(FrameError):
        read_frame(io.BytesIO(struct.pack(">Q", len(header)) + header), max_bytes=10**6)


@pytest.mark.parametrize("value", [
    np.zeros(()), np.arange(5.0), np.ones((3, 4), dtype=np.int32), np.zeros((0, 3)), np.array([True, False]),
    np.ones((1000, 100)), np.arange(24, dtype=np.uint8).reshape(2, 3, 4), np.array([1.5], dtype=">f8"),
])
def test_the_fast_header_reader_agrees_with_numpys(value):
    """Is every header the child writes read by the fast path, exactly as np.load reads the same bytes?"""
    from autograder.helper.wire import _plain_header, _read_array

    blobs: list = []
    encode(value, blobs)
    raw = bytes(blobs[0].tobytes())
    buf = io.BytesIO()
    np.save(buf, value)
    assert raw == buf.getvalue()  # byte for byte what np.save writes
    assert _plain_header(raw) is not None
    got, want = _read_array(raw), np.load(io.BytesIO(raw))
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("header", [
    "{'descr': '<f8', 'fortran_order': False, 'shape': (2, ), }",  # not a tuple's repr
    "{'descr': '<f8', 'fortran_order': False, 'shape': (-2,), }",
    "{'descr': '<f8', 'fortran_order': True, 'shape': (2, 1), }",
    "{'descr': '|O', 'fortran_order': False, 'shape': (2,), }",
    "{'descr': '<f8', 'shape': (2,), 'fortran_order': False, }",
])
def test_other_headers_take_numpys_reader_and_its_checks(header):
    """A header the child runtime never writes is not read by the fast path: numpy's own parser reads it,
    and the decoder's checks (plain numbers, exact length) still hold."""
    from autograder.helper.wire import _plain_header, _read_array

    text = header + " " * ((64 - (10 + len(header) + 1) % 64) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(text)) + text.encode("latin1") + b"\x00" * 16
    assert _plain_header(raw) is None
    try:
        arr = _read_array(raw)
    except ProtocolError:
        return
    assert arr.dtype.kind in "biuf" and arr.nbytes == 16
