"""The IDX reader on files written by the tests, and on the bundled sample."""

import gzip
import hashlib
import os
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from scribble.datasets import MNIST_FILES, data_dir, load_idx_dataset, load_mnist
from scribble.idx import IDXFormatError, read_idx, write_idx


def _idx_bytes(array, type_code=0x08):
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    return header + array.astype(">u1").tobytes()


def test_read_raw_and_gzip(tmp_path, rng):
    images = rng.integers(0, 256, size=(3, 28, 28), dtype=np.uint8)
    (tmp_path / "images").write_bytes(_idx_bytes(images))
    (tmp_path / "images.gz").write_bytes(gzip.compress(_idx_bytes(images)))
    np.testing.assert_array_equal(
        read_idx(tmp_path / "images", expected_magic=2051), images
    )
    np.testing.assert_array_equal(
        read_idx(tmp_path / "images.gz", expected_magic=2051), images
    )


def test_header_is_big_endian(tmp_path):
    labels = np.array([7, 2, 1], dtype=np.uint8)
    path = tmp_path / "labels"
    path.write_bytes(_idx_bytes(labels))
    assert path.read_bytes()[:4] == b"\x00\x00\x08\x01"
    assert struct.unpack(">I", path.read_bytes()[:4])[0] == 2049
    assert struct.unpack("<I", path.read_bytes()[:4])[0] == 17301504
    np.testing.assert_array_equal(read_idx(path, expected_magic=2049), labels)


@pytest.mark.parametrize(
    "dtype", ["uint8", "int8", "int16", "int32", "float32", "float64"]
)
def test_write_read_round_trip(tmp_path, dtype, rng):
    array = (rng.standard_normal((4, 5)) * 100).astype(dtype)
    path = write_idx(tmp_path / "array.gz", array)
    loaded = read_idx(path)
    assert loaded.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(loaded, array)


def test_wrong_magic_named(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(_idx_bytes(np.array([1, 2], dtype=np.uint8)))
    with pytest.raises(
        IDXFormatError, match=r"labels has magic number 2049.*expected 2051"
    ):
        read_idx(path, expected_magic=2051)


def test_not_idx_at_all(tmp_path):
    path = tmp_path / "readme"
    path.write_bytes(b"hello world, not a dataset")
    with pytest.raises(
        IDXFormatError,
        match=r"readme is not an IDX file: its first bytes are 68 65 6c 6c",
    ):
        read_idx(path)


def test_gzip_read_as_raw(tmp_path):
    path = tmp_path / "images"
    path.write_bytes(gzip.compress(_idx_bytes(np.zeros((1, 2, 2), dtype=np.uint8))))
    with pytest.raises(
        IDXFormatError,
        match="images is gzip-compressed but its name does not end in .gz",
    ):
        read_idx(path)


def test_raw_read_as_gzip(tmp_path):
    path = tmp_path / "images.gz"
    path.write_bytes(_idx_bytes(np.zeros((1, 2, 2), dtype=np.uint8)))
    with pytest.raises(
        IDXFormatError,
        match=r"images.gz is named .gz but is not gzip-compressed \(it starts with 00 00 08 03\)",
    ):
        read_idx(path)


def test_truncated_data(tmp_path):
    data = _idx_bytes(np.zeros((10, 28, 28), dtype=np.uint8))
    path = tmp_path / "images"
    path.write_bytes(data[:-100])
    with pytest.raises(
        IDXFormatError,
        match=r"truncated: the header declares shape \(10, 28, 28\), which needs 7840 data bytes, but the file has 7740",
    ):
        read_idx(path)


def test_truncated_gzip(tmp_path):
    data = gzip.compress(_idx_bytes(np.arange(200, dtype=np.uint8)))
    path = tmp_path / "labels.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        IDXFormatError, match="labels.gz is a damaged or truncated gzip file"
    ):
        read_idx(path)


def test_extra_data(tmp_path):
    path = tmp_path / "labels"
    path.write_bytes(_idx_bytes(np.arange(5, dtype=np.uint8)) + b"\x00")
    with pytest.raises(IDXFormatError, match="longer than declared"):
        read_idx(path)


def test_mismatched_counts(tmp_path):
    write_idx(tmp_path / MNIST_FILES["train_images"], np.zeros((5, 28, 28), np.uint8))
    write_idx(tmp_path / MNIST_FILES["train_labels"], np.zeros(4, np.uint8))
    write_idx(tmp_path / MNIST_FILES["test_images"], np.zeros((2, 28, 28), np.uint8))
    write_idx(tmp_path / MNIST_FILES["test_labels"], np.zeros(2, np.uint8))
    with pytest.raises(IDXFormatError, match="has 5 images but .* has 4 labels"):
        load_idx_dataset(tmp_path)


def test_missing_files_listed(tmp_path):
    with pytest.raises(FileNotFoundError, match="train-images-idx3-ubyte.gz"):
        load_idx_dataset(tmp_path)


def test_bundled_sample_shapes_and_balance():
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    assert train_images.shape == (4000, 28, 28)
    assert test_images.shape == (1000, 28, 28)
    assert train_images.dtype == np.uint8
    np.testing.assert_array_equal(np.bincount(train_labels), [400] * 10)
    np.testing.assert_array_equal(np.bincount(test_labels), [100] * 10)
    # Shuffled, not sorted by label as the source file is.
    assert len(np.unique(train_labels[:20])) > 3


def test_bundled_sample_checksums_match_readme():
    folder = data_dir() / "mnist-sample"
    readme = (data_dir() / "README.md").read_text()
    for name in MNIST_FILES.values():
        digest = hashlib.sha256((folder / name).read_bytes()).hexdigest()
        assert re.search(rf"{re.escape(name)}.*{digest}", readme), name
    assert Path(folder).is_dir()


def test_write_respects_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = write_idx(tmp_path / "labels.gz", np.arange(5, dtype=np.uint8))
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
    # No temporary file is left beside it.
    assert [entry.name for entry in tmp_path.iterdir()] == ["labels.gz"]
