"""Preprocessing: every function, its promises and its refusals."""

import numpy as np
import pytest

from scribble import preprocessing
from scribble.preprocessing import (
    as_class_labels,
    flatten,
    iterate_minibatches,
    normalize,
    one_hot,
    standardize,
    train_validation_split,
)

# -- normalize


def test_normalize_maps_uint8_to_unit_interval_without_wrapping():
    pixels = np.array([[0, 128, 255]], dtype=np.uint8)
    result = normalize(pixels)
    np.testing.assert_allclose(result, [[0.0, 128 / 255, 1.0]])
    assert result.dtype == np.float64
    assert (result * 255 + 1)[0, 2] == pytest.approx(256.0)  # not 0
    assert pixels.tolist() == [[0, 128, 255]]  # the input is left alone


def test_normalize_float32_and_other_max_values():
    result = normalize(np.array([0, 500, 1000], dtype=np.int16), 1000, np.float32)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, [0.0, 0.5, 1.0])


def test_normalize_refuses_bad_input():
    with pytest.raises(TypeError, match="numeric"):
        normalize(np.array(["a"]))
    with pytest.raises(ValueError, match="max_value must be > 0"):
        normalize(np.zeros(3), max_value=0)
    with pytest.raises(ValueError, match="float type"):
        normalize(np.zeros(3), dtype=np.int32)


# -- standardize


def test_standardize_uses_training_statistics_only(rng):
    train = rng.normal(5.0, 2.0, size=(500, 4))
    test = rng.normal(-3.0, 9.0, size=(200, 4))  # a different distribution
    train_out, test_out, mean, std = standardize(train, test)
    np.testing.assert_allclose(mean, train.mean(axis=0))
    np.testing.assert_allclose(std, train.std(axis=0))
    np.testing.assert_allclose(train_out.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(train_out.std(axis=0), 1, atol=1e-12)
    np.testing.assert_allclose(test_out, (test - mean) / std)
    # The test set was not standardized on its own statistics.
    assert abs(test_out.mean()) > 1


def test_standardize_returned_statistics_reapply_identically(rng):
    train, later = rng.normal(size=(100, 3)), rng.normal(size=(30, 3))
    _, expected, mean, std = standardize(train, later)
    again, none, mean_again, std_again = standardize(later, mean=mean, std=std)
    np.testing.assert_array_equal(again, expected)
    assert none is None
    assert mean_again is not None and np.array_equal(std_again, std)


def test_standardize_uint8_never_wraps():
    train = np.array([[255, 0], [255, 255], [0, 255]], dtype=np.uint8)
    test = np.array([[255, 255]], dtype=np.uint8)
    train_out, test_out, mean, std = standardize(train, test)
    as_float = train.astype(np.float64)
    np.testing.assert_allclose(mean, as_float.mean(axis=0))  # 170, not a wrapped sum
    np.testing.assert_allclose(std, as_float.std(axis=0))
    np.testing.assert_allclose(train_out, (as_float - mean) / std)
    np.testing.assert_allclose(test_out[0], (255 - mean) / std)


def test_standardize_constant_feature_is_shifted_not_blown_up():
    train = np.array([[0.0, 1.0], [0.0, 3.0]])  # feature 0 is always 0
    test = np.array([[0.5, 2.0]])
    train_out, test_out, _, std = standardize(train, test)
    assert std[0] == 0
    np.testing.assert_array_equal(train_out[:, 0], [0.0, 0.0])
    assert test_out[0, 0] == pytest.approx(0.5)  # not 0.5 / 1e-8
    assert np.isfinite(train_out).all() and np.isfinite(test_out).all()


def test_standardize_float32_global_and_chunked(rng, monkeypatch):
    monkeypatch.setattr(preprocessing, "_CHUNK_ROWS", 7)  # many uneven chunks
    train = rng.integers(0, 256, size=(50, 6), dtype=np.uint8)
    test = rng.integers(0, 256, size=(9, 6), dtype=np.uint8)
    per_feature, _, mean, std = standardize(train, dtype=np.float32)
    assert per_feature.dtype == np.float32
    reference = (train - train.mean(axis=0)) / train.std(axis=0)
    np.testing.assert_allclose(per_feature, reference, rtol=1e-5, atol=1e-5)

    train_out, test_out, mean, std = standardize(train, test, axis=None)
    assert np.ndim(mean) == 0 and np.ndim(std) == 0
    assert mean == pytest.approx(train.mean()) and std == pytest.approx(train.std())
    np.testing.assert_allclose(test_out, (test - train.mean()) / train.std())
    assert train_out.mean() == pytest.approx(0, abs=1e-12)


def test_standardize_refuses_bad_input(rng):
    train = rng.normal(size=(10, 3))
    with pytest.raises(ValueError, match="pass both mean and std"):
        standardize(train, mean=np.zeros(3))
    with pytest.raises(ValueError, match="mean has shape"):
        standardize(train, mean=np.zeros(4), std=np.ones(4))
    with pytest.raises(ValueError, match="test samples have shape"):
        standardize(train, rng.normal(size=(5, 4)))
    with pytest.raises(ValueError, match="at least one sample"):
        standardize(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="axis must be"):
        standardize(train, axis=1)
    with pytest.raises(TypeError, match="numeric"):
        standardize(np.array([["a"]]))


# -- flatten


def test_flatten():
    images = np.arange(2 * 3 * 4).reshape(2, 3, 4)
    flat = flatten(images)
    assert flat.shape == (2, 12)
    np.testing.assert_array_equal(flat[1], np.arange(12, 24))
    assert flatten(np.zeros((5, 7))).shape == (5, 7)
    with pytest.raises(ValueError, match="batch of images"):
        flatten(np.zeros(4))


# -- one_hot and as_class_labels


def test_one_hot_encodes_labels():
    encoded = one_hot(np.array([2, 0, 1], dtype=np.uint8), 3)
    np.testing.assert_array_equal(encoded, [[0, 0, 1], [1, 0, 0], [0, 1, 0]])
    np.testing.assert_array_equal(one_hot([[1.0], [0.0]], 2), [[0, 1], [1, 0]])


@pytest.mark.parametrize(
    "labels, message",
    [
        ([0, 10], r"label 10 at index 1 is outside 0\.\.9"),
        ([-1, 3], r"label -1 at index 0 is outside 0\.\.9"),
        (np.array([255], dtype=np.uint8), r"label 255 at index 0 is outside"),
        ([1.0, 2.5], r"label 2\.5 at index 1 is not a whole number"),
        ([np.nan], "is not a whole number"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, 10)


def test_one_hot_rejects_non_numbers_and_bad_class_counts():
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot(np.array([True, False]), 2)
    with pytest.raises(TypeError, match="labels must be integers"):
        one_hot(np.array(["cat"]), 2)
    for bad in (0, -3, 2.0, True):
        with pytest.raises(ValueError, match="num_classes must be a positive integer"):
            one_hot([0], bad)
    with pytest.raises(ValueError, match="must be 1-D"):
        one_hot(np.zeros((2, 3), dtype=int), 3)


def test_as_class_labels():
    labels = as_class_labels(np.array([[3.0], [1.0]]))
    assert labels.dtype == np.int64 and labels.tolist() == [3, 1]
    with pytest.raises(ValueError, match="is negative"):
        as_class_labels([0, -2])


# -- train_validation_split


def _labelled(counts, rng):
    y = np.repeat(np.arange(len(counts)), counts)
    y = y[rng.permutation(len(y))]
    X = np.column_stack([np.arange(len(y)), y])  # row id and its label
    return X, y


def test_split_is_stratified_and_complete(rng):
    X, y = _labelled([100, 50, 200, 30], rng)
    X_train, X_val, y_train, y_val = train_validation_split(X, y, 0.2, seed=3)
    assert np.bincount(y_val).tolist() == [20, 10, 40, 6]
    assert np.bincount(y_train).tolist() == [80, 40, 160, 24]
    # Rows keep their labels; the two parts are disjoint and cover every row.
    np.testing.assert_array_equal(X_train[:, 1], y_train)
    np.testing.assert_array_equal(X_val[:, 1], y_val)
    ids = np.concatenate([X_train[:, 0], X_val[:, 0]])
    assert sorted(ids.tolist()) == list(range(len(X)))


def test_split_is_seeded(rng):
    X, y = _labelled([60, 60, 60], rng)
    first = train_validation_split(X, y, 0.25, seed=11)
    second = train_validation_split(X, y, 0.25, seed=11)
    other = train_validation_split(X, y, 0.25, seed=12)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[1], other[1])
    generator = np.random.default_rng(11)
    from_generator = train_validation_split(X, y, 0.25, seed=generator)
    np.testing.assert_array_equal(from_generator[1], first[1])


def test_split_keeps_uint8_images_uint8(rng):
    images = rng.integers(0, 256, size=(40, 28, 28), dtype=np.uint8)
    labels = np.arange(40) % 4
    X_train, X_val, _, _ = train_validation_split(images, labels, 0.1, seed=0)
    assert X_train.dtype == np.uint8 and X_train.shape == (36, 28, 28)
    assert X_val.shape == (4, 28, 28)


def test_split_refuses_bad_input():
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        train_validation_split(np.zeros((3, 2)), [0, 1], 0.5)
    for fraction in (0, 1, 1.5, -0.1):
        with pytest.raises(ValueError, match="validation_fraction must be between"):
            train_validation_split(np.zeros((4, 2)), [0, 0, 1, 1], fraction)
    with pytest.raises(ValueError, match="at least one sample"):
        train_validation_split(np.zeros((0, 2)), [], 0.5)


# -- iterate_minibatches


def test_minibatches_cover_every_sample_once():
    X, y = np.arange(10)[:, None] * 1.0, np.arange(10)
    batches = list(iterate_minibatches(X, y, 4))
    assert [len(b[0]) for b in batches] == [4, 4, 2]
    np.testing.assert_array_equal(np.concatenate([b[1] for b in batches]), y)


def test_minibatches_shuffle_is_seeded_and_pairs_rows():
    X, y = np.arange(20)[:, None] * 10, np.arange(20)
    first = [b[1].tolist() for b in iterate_minibatches(X, y, 6, shuffle=True, seed=5)]
    second = [b[1].tolist() for b in iterate_minibatches(X, y, 6, shuffle=True, seed=5)]
    assert first == second
    assert sum(first, []) != list(range(20)) and sorted(sum(first, [])) == list(
        range(20)
    )
    for X_batch, y_batch in iterate_minibatches(X, y, 6, shuffle=True, seed=5):
        np.testing.assert_array_equal(X_batch[:, 0], y_batch * 10)


def test_minibatches_refuse_bad_input():
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="batch_size must be an integer"):
            list(iterate_minibatches(np.zeros((4, 1)), np.zeros(4), bad))
    with pytest.raises(ValueError, match="X has 4 samples but y has 3"):
        list(iterate_minibatches(np.zeros((4, 1)), np.zeros(3), 2))
