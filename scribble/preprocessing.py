"""Turning raw pixels and labels into what a network trains on.

Every function returns new float arrays and never computes in the input's integer
dtype, so uint8 pixels cannot wrap around (255 + 1 stays 256, not 0).
"""

import numpy as np

from ._random import as_generator

__all__ = [
    "as_class_labels",
    "flatten",
    "iterate_minibatches",
    "normalize",
    "one_hot",
    "standardize",
    "train_validation_split",
]


def normalize(images, max_value=255):
    """Scale pixel values from ``0..max_value`` to floats in [0, 1].

    Parameters
    ----------
    images : array of any shape, usually uint8
    max_value : number
        The largest possible pixel value, 255 for 8-bit images.

    Returns
    -------
    float64 array of the same shape.
    """
    images = np.asarray(images)
    if images.dtype.kind not in "uif":
        raise TypeError(f"normalize expects numeric pixels, got dtype {images.dtype}")
    if not max_value > 0:
        raise ValueError(f"max_value must be > 0, got {max_value!r}")
    return images.astype(np.float64) / max_value


def standardize(train, test=None, mean=None, std=None, epsilon=1e-8):
    """Shift and scale features to mean 0 and standard deviation 1.

    The statistics come from ``train`` only, one value per feature, and are returned
    so that the same shift and scale apply to validation and test data. Computing
    them on the test set would leak information about it into training.

    Parameters
    ----------
    train : array of shape (num_samples, num_features)
    test : array of shape (num_test_samples, num_features), optional
    mean, std : arrays of shape (num_features,), optional
        Statistics computed earlier; ``train`` is then only transformed.
    epsilon : float
        Added to ``std`` so that constant features (a border pixel that is always 0)
        divide by a small number instead of 0.

    Returns
    -------
    (train_standardized, test_standardized or None, mean, std)
    """
    train = np.asarray(train, dtype=np.float64)
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std, or neither")
    if mean is None:
        mean = train.mean(axis=0)
        std = train.std(axis=0)
    train_out = (train - mean) / (std + epsilon)
    test_out = None
    if test is not None:
        test_out = (np.asarray(test, dtype=np.float64) - mean) / (std + epsilon)
    return train_out, test_out, mean, std


def flatten(images):
    """Reshape images of shape (num_samples, height, width) to (num_samples, pixels)."""
    images = np.asarray(images)
    if images.ndim < 2:
        raise ValueError(
            f"flatten expects a batch of images, got an array of shape {images.shape}"
        )
    return images.reshape(images.shape[0], -1)  # (num_samples, height * width)


def as_class_labels(labels, num_classes=None):
    """Check integer class labels and return them as a 1-D int64 array.

    Accepts ints, floats that are whole numbers (3.0) and a column (shape (n, 1)).
    Raises ValueError for non-integer values (2.5) and for labels outside
    ``0..num_classes-1``, because a blind cast would map 2.5 to class 2 and -1 to the
    last class without a word.
    """
    labels = np.asarray(labels)
    if labels.ndim == 2 and labels.shape[1] == 1:
        labels = labels[:, 0]  # a column of labels -> (num_samples,)
    if labels.ndim != 1:
        raise ValueError(
            f"labels must be 1-D (one class index per sample), got shape {labels.shape}"
        )
    if labels.dtype.kind == "b" or labels.dtype.kind not in "uif":
        raise TypeError(f"labels must be integers, got dtype {labels.dtype}")
    if labels.dtype.kind == "f":
        bad = ~np.isfinite(labels) | (labels != np.round(labels))
        if bad.any():
            value = labels[np.argmax(bad)].item()
            raise ValueError(
                f"label {value!r} at index {int(np.argmax(bad))} is not a whole "
                "number: class labels must be integers 0, 1, 2, ..."
            )
    as_int = labels.astype(np.int64)
    if num_classes is not None:
        outside = (as_int < 0) | (as_int >= num_classes)
        if outside.any():
            index = int(np.argmax(outside))
            raise ValueError(
                f"label {labels[index].item()!r} at index {index} is outside "
                f"0..{num_classes - 1}: "
                f"check the labels or raise num_classes (now {num_classes})"
            )
    elif (as_int < 0).any():
        index = int(np.argmax(as_int < 0))
        raise ValueError(f"label {labels[index].item()!r} at index {index} is negative")
    return as_int


def one_hot(labels, num_classes):
    """Encode class labels as one-hot rows.

    Parameters
    ----------
    labels : array of shape (num_samples,) or (num_samples, 1)
        Whole-number class indices in ``0..num_classes-1`` (int, uint8 or float).
    num_classes : int

    Returns
    -------
    float64 array of shape (num_samples, num_classes) with a single 1 per row.
    """
    if not isinstance(num_classes, (int, np.integer)) or num_classes < 1:
        raise ValueError(f"num_classes must be a positive integer, got {num_classes!r}")
    indices = as_class_labels(labels, num_classes)
    encoded = np.zeros((indices.shape[0], int(num_classes)))
    encoded[np.arange(indices.shape[0]), indices] = 1.0
    return encoded


def train_validation_split(X, y, validation_fraction=0.1, seed=None):
    """Split samples into training and validation parts, stratified by class.

    Each class contributes ``round(validation_fraction * its count)`` samples to the
    validation part, chosen by a seeded shuffle, so both parts keep the class balance.

    Returns
    -------
    (X_train, X_validation, y_train, y_validation)
    """
    X = np.asarray(X)
    y_labels = as_class_labels(y)
    if len(X) != len(y_labels):
        raise ValueError(f"X has {len(X)} samples but y has {len(y_labels)} labels")
    if not 0 < validation_fraction < 1:
        raise ValueError(
            f"validation_fraction must be between 0 and 1, got {validation_fraction!r}"
        )
    rng = as_generator(seed)
    validation_indices = []
    for label in np.unique(y_labels):
        members = np.flatnonzero(y_labels == label)
        count = int(round(validation_fraction * len(members)))
        validation_indices.append(rng.permutation(members)[:count])
    is_validation = np.zeros(len(X), dtype=bool)
    is_validation[np.concatenate(validation_indices)] = True
    y = np.asarray(y)
    return X[~is_validation], X[is_validation], y[~is_validation], y[is_validation]


def iterate_minibatches(X, y, batch_size, shuffle=False, seed=None):
    """Yield ``(X_batch, y_batch)`` pairs that cover every sample once.

    The last batch is smaller when ``batch_size`` does not divide the sample count.
    With ``shuffle`` the order comes from a generator seeded by ``seed``.
    """
    if not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    order = as_generator(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        yield X[batch], y[batch]
