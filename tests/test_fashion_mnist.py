"""The real Fashion-MNIST files from Debian's package dataset-fashion-mnist.

CI installs the package (.ci/run), so there a missing file is a failure. On a
machine without it the test is skipped, saying how to install it.
"""

import gzip
import hashlib

import numpy as np
import pytest

import scribble
from scribble.datasets import (
    FASHION_MNIST_CLASSES,
)

# SHA-256 of each file's decompressed IDX bytes. Debian recompressed the .gz files,
# so their own checksums differ from the published downloads, but the content is
# the same as Zalando's files.
CONTENT_SHA256 = {
    "train-images-idx3-ubyte.gz": (
        "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"
    ),
    "train-labels-idx1-ubyte.gz": (
        "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"
    ),
    "t10k-images-idx3-ubyte.gz": (
        "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"
    ),
    "t10k-labels-idx1-ubyte.gz": (
        "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"
    ),
}


@pytest.fixture(scope="module")
def debian_files(fashion_mnist_dir):
    return fashion_mnist_dir


@pytest.fixture(scope="module")
def fashion(debian_files):
    return scribble.load_fashion_mnist()


def test_read_from_the_debian_package(fashion, debian_files):
    assert fashion.folder == debian_files


def test_shapes_and_dtypes(fashion):
    (train_images, train_labels), (test_images, test_labels) = fashion
    assert train_images.shape == (60000, 28, 28)
    assert test_images.shape == (10000, 28, 28)
    assert train_labels.shape == (60000,) and test_labels.shape == (10000,)
    for array in (train_images, train_labels, test_images, test_labels):
        assert array.dtype == np.uint8


def test_balanced_classes(fashion):
    (_, train_labels), (_, test_labels) = fashion
    assert np.bincount(train_labels, minlength=10).tolist() == [6000] * 10
    assert np.bincount(test_labels, minlength=10).tolist() == [1000] * 10


def test_pixels_use_the_full_range(fashion):
    (train_images, _), (test_images, _) = fashion
    for images in (train_images, test_images):
        assert images.min() == 0 and images.max() == 255
        assert 70 < images.mean() < 75  # clothing covers about half the frame


def test_class_names(fashion):
    assert fashion.classes == FASHION_MNIST_CLASSES
    assert len(fashion.classes) == 10
    assert fashion.classes[0] == "T-shirt/top" and fashion.classes[9] == "Ankle boot"


def test_content_is_zalandos(debian_files):
    for name, expected in CONTENT_SHA256.items():
        content = gzip.decompress((debian_files / name).read_bytes())
        assert hashlib.sha256(content).hexdigest() == expected, name


def test_missing_files_skip_outside_ci(tmp_path, monkeypatch, fashion_mnist_check):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(
        pytest.skip.Exception, match="apt-get install dataset-fashion-mnist"
    ):
        fashion_mnist_check(tmp_path)


def test_missing_files_fail_in_ci(tmp_path, monkeypatch, fashion_mnist_check):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="CI=true, but Fashion-MNIST"):
        fashion_mnist_check(tmp_path)
