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
