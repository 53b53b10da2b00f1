import os

# One BLAS thread, as in CI, set before NumPy loads its BLAS.
for variable in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(variable, "1")

import matplotlib  # noqa: E402

matplotlib.use("Agg")

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import scribble  # noqa: E402


@pytest.fixture(scope="session")
def digits():
    """The bundled sample as flattened pixels in [0, 1] and integer labels."""
    (train_images, train_labels), (test_images, test_labels) = scribble.load_mnist()
    X_train = scribble.normalize(train_images.reshape(len(train_images), -1))
    X_test = scribble.normalize(test_images.reshape(len(test_images), -1))
    return X_train, train_labels, X_test, test_labels


@pytest.fixture
def rng():
    return np.random.default_rng(12345)


def in_ci():
    """Whether this run is CI's (which sets CI=true)."""
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def require_fashion_mnist(folder=None):
    """Return the folder of Debian's Fashion-MNIST files, or skip, or fail in CI.

    CI installs the package dataset-fashion-mnist (.ci/run), so there a missing
    file is an error; elsewhere the test is skipped with the command to install it.
    """
    from pathlib import Path

    from scribble.datasets import FASHION_MNIST_FILES, FASHION_MNIST_SYSTEM_DIR

    folder = Path(folder or FASHION_MNIST_SYSTEM_DIR)
    missing = [s.name for s in FASHION_MNIST_FILES if not (folder / s.name).is_file()]
    if missing:
        message = (
            f"Fashion-MNIST is not installed in {folder} "
            f"(missing {', '.join(missing)}): run `apt-get install "
            "dataset-fashion-mnist` (as root, after apt-get update)"
        )
        if in_ci():
            pytest.fail(f"CI=true, but {message}; .ci/run should have installed it")
        pytest.skip(message)
    return folder


@pytest.fixture(scope="session")
def fashion_mnist_dir():
    return require_fashion_mnist()


@pytest.fixture
def fashion_mnist_check():
    """The function behind ``fashion_mnist_dir``, for tests of its skip and fail."""
    return require_fashion_mnist
