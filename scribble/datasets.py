"""Loading MNIST-style datasets.

Every loader returns ``(train_images, train_labels), (test_images, test_labels)``
as uint8 arrays of shape (num_samples, 28, 28) and (num_samples,), read through the
one IDX reader in :mod:`scribble.idx`.

The bundled sample lives in the repository's ``data/mnist-sample/`` (see
data/README.md). Set ``SCRIBBLE_DATA_DIR`` to use another data folder.
"""

import os
from pathlib import Path

from .idx import IMAGES_MAGIC, LABELS_MAGIC, IDXFormatError, read_idx

__all__ = ["MNIST_FILES", "data_dir", "load_idx_dataset", "load_mnist"]

# The four files of an MNIST-style dataset, in the original names.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}


def data_dir():
    """The data folder: ``$SCRIBBLE_DATA_DIR`` if set, else the repository's data/."""
    configured = os.environ.get("SCRIBBLE_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "data"


def load_idx_dataset(folder, files=MNIST_FILES):
    """Read the four IDX files of an MNIST-style dataset from ``folder``.

    Checks the magic numbers and that each image file has as many images as its
    label file has labels.
    """
    folder = Path(folder)
    missing = [name for name in files.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"missing in {folder}: {', '.join(missing)}")
    arrays = {}
    for key, name in files.items():
        magic = IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC
        arrays[key] = read_idx(folder / name, expected_magic=magic)
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{folder / files[part + '_images']} has {len(images)} images but "
                f"{folder / files[part + '_labels']} has {len(labels)} labels"
            )
    return (
        (arrays["train_images"], arrays["train_labels"]),
        (arrays["test_images"], arrays["test_labels"]),
    )


def load_mnist(kind="sample"):
    """Load MNIST digits.

    Parameters
    ----------
    kind : "sample"
        "sample" is the bundled 5,000 real digits: 4,000 for training and 1,000 for
        testing, 400 and 100 of each class.
    """
    if kind == "sample":
        return load_idx_dataset(data_dir() / "mnist-sample")
    raise ValueError(f"unknown kind {kind!r}: use 'sample'")
