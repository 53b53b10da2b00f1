"""MNIST-style preprocessing of drawn digits, on made-up strokes."""

import numpy as np
import pytest

from scribble import NeuralNetwork
from scribble.drawing import (
    MASS_CENTER,
    EmptyDrawingError,
    area_resize,
    center_of_mass,
    preprocess_drawing,
    render_strokes,
)

# A whole-pixel shift leaves the center of mass up to half a pixel off.
VERTICAL_BAR = [[(140, 50), (140, 230)]]


def test_vertical_bar_is_one_like():
    steps = preprocess_drawing(render_strokes(VERTICAL_BAR))
    image = steps.normalized
    assert image.shape == (28, 28)
    # Tall and thin: 20 rows of ink, only a few columns.
    ink_rows = np.flatnonzero(image.max(axis=1) > 0)
    ink_columns = np.flatnonzero(image.max(axis=0) > 0)
    assert len(ink_rows) == 20
    assert len(ink_columns) <= 4
    row, column = steps.center_of_mass
    assert abs(row - 14) <= 0.5 + 1e-9
    assert abs(column - 14) <= 0.5 + 1e-9
    assert image.max() == 1.0
    assert image.min() == 0.0


def test_vertical_bar_reads_as_one(digits):
    X_train, y_train, _, _ = digits
    network = NeuralNetwork.from_sizes([784, 64, 10], rng=0)
    network.train(
        X_train,
        y_train,
        epochs=4,
        learning_rate=0.1,
        batch_size=16,
        shuffle=True,
        seed=0,
        verbose=0,
    )
    steps = preprocess_drawing(render_strokes(VERTICAL_BAR))
    assert network.predict(steps.vector) == 1


def test_off_center_blob_is_centered():
    blob = render_strokes([[(30, 40)]], line_width=30)  # a dot near the corner
    steps = preprocess_drawing(blob)
    assert center_of_mass(blob)[0] < 60
    row, column = steps.center_of_mass
    assert abs(row - 14) <= 0.5 + 1e-9
    assert abs(column - 14) <= 0.5 + 1e-9
    # A round blob fills the 20x20 box both ways.
    assert steps.scaled.shape == (20, 20)


def test_wide_stroke_keeps_aspect_ratio():
    steps = preprocess_drawing(render_strokes([[(20, 100), (260, 100)]], line_width=24))
    top, bottom, left, right = steps.bounding_box
    assert steps.cropped.shape == (bottom - top, right - left)
    assert steps.scaled.shape[1] == 20
    expected_rows = round(20 * steps.cropped.shape[0] / steps.cropped.shape[1])
    assert steps.scaled.shape[0] == expected_rows


def test_lopsided_digit_stays_inside():
    # All mass at the far left of a wide shape: the paste is clamped to the image.
    image = np.zeros((50, 100))
    image[:, :3] = 1.0
    image[25, 99] = 0.01
    steps = preprocess_drawing(image)
    assert steps.centered.sum() == pytest.approx(steps.scaled.sum())


def test_empty_canvas_raises():
    with pytest.raises(EmptyDrawingError, match="the drawing is empty: draw a digit"):
        preprocess_drawing(render_strokes([]))


@pytest.mark.parametrize(
    "image, message",
    [
        (np.zeros(5), "must be 2-D"),
        (np.full((4, 4), np.nan), "NaN or inf"),
        (-np.ones((4, 4)), "negative values"),
    ],
)
def test_bad_images_rejected(image, message):
    with pytest.raises(ValueError, match=message):
        preprocess_drawing(image)


def test_mass_center_matches_mnist(digits):
    X_train = digits[0].reshape(-1, 28, 28)
    centers = np.array([center_of_mass(image) for image in X_train])
    np.testing.assert_allclose(centers.mean(axis=0), [MASS_CENTER] * 2, atol=0.05)


def test_area_resize_keeps_mean():
    image = np.random.default_rng(0).uniform(size=(60, 45))
    smaller = area_resize(image, (20, 15))
    assert smaller.mean() == pytest.approx(image.mean())
    np.testing.assert_allclose(smaller[0, 0], image[:3, :3].mean())
    larger = area_resize(np.array([[0.0, 1.0]]), (2, 4))
    np.testing.assert_allclose(larger, [[0, 0, 1, 1], [0, 0, 1, 1]])


def test_render_draws_segment_and_dot():
    image = render_strokes([[(10, 10), (50, 10)], [(100, 100)]], size=128, line_width=6)
    assert image[10, 30] == 1.0  # on the line
    assert image[30, 30] == 0.0  # far from it
    assert image[100, 100] == 1.0  # the dot
    assert image.max() == 1.0


def test_render_rejects_bad_points():
    with pytest.raises(ValueError, match="stroke 0 has a NaN"):
        render_strokes([[(1, float("nan"))]])
    with pytest.raises(ValueError, match="line_width must be > 0"):
        render_strokes([], line_width=0)
