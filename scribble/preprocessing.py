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


def _check_float_dtype(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise ValueError(f"dtype must be a float type such as float32, got {dtype}")
    return dtype


def _check_numeric(name, array):
    if array.dtype.kind not in "uif":
        raise TypeError(f"{name} expects numeric values, got dtype {array.dtype}")


def normalize(images, max_value=255, dtype=np.float64):
    """Scale pixel values from ``0..max_value`` to floats in [0, 1].

    Parameters
    ----------
    images : array of any shape, usually uint8
    max_value : number
        The largest possible pixel value, 255 for 8-bit images.
    dtype : float dtype
        Of the result; float32 halves the memory of a full-size training set.

    Returns
    -------
    array of ``dtype`` and the same shape. The input is converted before the
    division, so uint8 values never wrap around.
    """
    images = np.asarray(images)
    _check_numeric("normalize", images)
    if not max_value > 0:
        raise ValueError(f"max_value must be > 0, got {max_value!r}")
    dtype = _check_float_dtype(dtype)
    result = images.astype(dtype)  # a new array: the input is never modified
    result /= dtype.type(max_value)
    return result


# Rows converted at a time by standardize, so that a full-size uint8 training set
# is never held as an extra float64 copy.
_CHUNK_ROWS = 4096


def _mean_and_std(data, axis):
    """Mean and standard deviation in float64, working through ``data`` in chunks."""
    if axis is None:
        count = data.size
        total = 0.0
        for start in range(0, len(data), _CHUNK_ROWS):
            total += float(data[start : start + _CHUNK_ROWS].sum(dtype=np.float64))
        mean = total / count
        squares = 0.0
        for start in range(0, len(data), _CHUNK_ROWS):
            centered = data[start : start + _CHUNK_ROWS].astype(np.float64) - mean
            squares += float(np.vdot(centered, centered))
        return np.float64(mean), np.float64(np.sqrt(squares / count))
    count = len(data)
    total = np.zeros(data.shape[1:])
    for start in range(0, count, _CHUNK_ROWS):
        total += data[start : start + _CHUNK_ROWS].sum(axis=0, dtype=np.float64)
    mean = total / count
    squares = np.zeros(data.shape[1:])
    for start in range(0, count, _CHUNK_ROWS):
        centered = data[start : start + _CHUNK_ROWS].astype(np.float64) - mean
        squares += np.einsum("i...,i...->...", centered, centered)
    return mean, np.sqrt(squares / count)


def _scale(std, epsilon):
    """``std`` with (near-)constant features replaced by 1, so they divide safely."""
    std = np.asarray(std, dtype=np.float64)
    return np.where(std > epsilon, std, 1.0)


def _apply(data, mean, scale, dtype):
    out = np.empty(data.shape, dtype=dtype)
    for start in range(0, len(data), _CHUNK_ROWS):
        rows = slice(start, start + _CHUNK_ROWS)
        out[rows] = (data[rows].astype(np.float64) - mean) / scale
    return out


def standardize(
    train, test=None, mean=None, std=None, epsilon=1e-8, dtype=np.float64, axis=0
):
    """Shift and scale features to mean 0 and standard deviation 1.

    The statistics come from ``train`` only and are returned, so that the same
    shift and scale apply to validation and test data. Computing them on the test
    set would leak information about it into training.

    Parameters
    ----------
    train : array of shape (num_samples, num_features), any numeric dtype
    test : array of shape (num_test_samples, num_features), optional
        Transformed with the statistics of ``train``.
    mean, std : arrays of shape (num_features,) (or scalars for ``axis=None``)
        Statistics computed earlier; ``train`` is then only transformed.
    epsilon : float
        A feature whose standard deviation is at most ``epsilon`` (a border pixel
        that is always 0) is only shifted, not divided: dividing by almost 0 would
        turn a single nonzero test pixel into an enormous input.
    dtype : float dtype
        Of the results. The statistics are always computed in float64, in chunks,
        so no float64 copy of a large training set is made.
    axis : 0 or None
        0: one mean and standard deviation per feature (per pixel). None: a single
        mean and standard deviation over all values, as is common for images.

    Returns
    -------
    (train_standardized, test_standardized or None, mean, std)
        ``mean`` and ``std`` are float64 (arrays for ``axis=0``, scalars for
        ``axis=None``); ``std`` is the plain standard deviation, possibly 0.
    """
    train = np.asarray(train)
    _check_numeric("standardize", train)
    dtype = _check_float_dtype(dtype)
    if axis not in (0, None):
        raise ValueError(f"axis must be 0 (per feature) or None (global), got {axis!r}")
    if train.ndim < 1 or len(train) == 0:
        raise ValueError(
            f"standardize needs at least one sample, got shape {train.shape}"
        )
    if (mean is None) != (std is None):
        raise ValueError("pass both mean and std, or neither")
    if mean is None:
        mean, std = _mean_and_std(train, axis)
    else:
        mean = np.asarray(mean, dtype=np.float64)
        std = np.asarray(std, dtype=np.float64)
        for name, value in (("mean", mean), ("std", std)):
            if value.shape not in ((), train.shape[1:]):
                raise ValueError(
                    f"{name} has shape {value.shape}, but the samples have shape "
                    f"{train.shape[1:]}"
                )
    scale = _scale(std, epsilon)
    train_out = _apply(train, mean, scale, dtype)
    test_out = None
    if test is not None:
        test = np.asarray(test)
        _check_numeric("standardize", test)
        if test.shape[1:] != train.shape[1:]:
            raise ValueError(
                f"test samples have shape {test.shape[1:]} but training samples "
                f"have shape {train.shape[1:]}"
            )
        test_out = _apply(test, mean, scale, dtype)
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
    if (
        isinstance(num_classes, bool)
        or not isinstance(num_classes, (int, np.integer))
        or num_classes < 1
    ):
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
    if len(X) == 0:
        raise ValueError("train_validation_split needs at least one sample")
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
    if (
        isinstance(batch_size, bool)
        or not isinstance(batch_size, (int, np.integer))
        or batch_size < 1
    ):
        raise ValueError(f"batch_size must be an integer >= 1, got {batch_size!r}")
    if len(X) != len(y):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    order = as_generator(seed).permutation(len(X)) if shuffle else np.arange(len(X))
    for start in range(0, len(X), batch_size):
        batch = order[start : start + batch_size]
        yield X[batch], y[batch]
