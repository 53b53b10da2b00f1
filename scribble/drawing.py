"""Turning a digit drawn with the mouse into an MNIST-like 28x28 input.

MNIST's digits were not simply shrunk. The MNIST database page by LeCun, Cortes and
Burges describes how each digit was scaled to fit a 20x20 box keeping its aspect
ratio, with anti-aliasing that produces grey levels. Each was then placed in a
28x28 image so that its center of mass lies at the center. A network trained on
MNIST expects exactly that framing, so a drawing has to go through the same steps:

1. crop to the bounding box of the ink,
2. scale so that the longer side is 20 pixels (area averaging, keeping the ratio),
3. paste into 28x28 with the center of mass moved to pixel (14, 14),
4. normalize to [0, 1], the strongest ink becoming 1.

:func:`render_strokes` turns mouse strokes into the ink image that step 1 starts
from; :func:`preprocess_drawing` runs the steps and returns each intermediate.
Nothing here needs a browser: the canvas in :mod:`scribble.canvas` only collects
strokes and shows these results.
"""

from dataclasses import dataclass

import numpy as np

__all__ = [
    "DrawingPrediction",
    "DrawingSteps",
    "EmptyDrawingError",
    "area_resize",
    "center_of_mass",
    "predict_strokes",
    "preprocess_drawing",
    "render_strokes",
]

FIT_SIZE = 20
IMAGE_SIZE = 28
# Where MNIST's digits have their center of mass, as (row, column) in pixels with
# pixel centers at 0, 1, ..., 27: the 4,000 training digits of the bundled sample
# average (13.99, 14.01), so (14, 14) rather than the geometric middle 13.5.
MASS_CENTER = 14.0


class EmptyDrawingError(ValueError):
    """The drawing has no ink, so there is no digit to preprocess."""


@dataclass
class DrawingSteps:
    """Every intermediate of :func:`preprocess_drawing`.

    Attributes
    ----------
    original : array of shape (height, width)
        The ink image as given, as float64.
    bounding_box : (top, bottom, left, right)
        Rows ``top:bottom`` and columns ``left:right`` of ``original`` with ink.
    cropped : array of shape (bottom - top, right - left)
    scaled : array whose longer side is 20
        ``cropped`` resized by area averaging, keeping the aspect ratio.
    centered : array of shape (28, 28)
        ``scaled`` pasted so that its center of mass is as close to (14, 14) as a
        whole-pixel shift allows.
    normalized : array of shape (28, 28)
        ``centered / centered.max()``, values in [0, 1]: the network's input.
    center_of_mass : (row, column)
        Of ``normalized``, in pixel coordinates (pixel centers at 0, 1, ..., 27).
    """

    original: np.ndarray
    bounding_box: tuple
    cropped: np.ndarray
    scaled: np.ndarray
    centered: np.ndarray
    normalized: np.ndarray
    center_of_mass: tuple

    @property
    def vector(self):
        """The normalized image flattened to shape (784,), ready for a network."""
        return self.normalized.reshape(-1)


def center_of_mass(image):
    """Return the ink-weighted mean (row, column) of a 2-D image.

    Raises
    ------
    EmptyDrawingError
        When the image has no positive ink.
    """
    image = np.asarray(image, dtype=np.float64)
    total = image.sum()
    if not total > 0:
        raise EmptyDrawingError("the image has no ink, so it has no center of mass")
    rows = np.arange(image.shape[0])
    columns = np.arange(image.shape[1])
    row = float(rows @ image.sum(axis=1)) / total
    column = float(columns @ image.sum(axis=0)) / total
    return row, column


def _area_weights(source_size, target_size):
    """Matrix (target_size, source_size) of the share of each source pixel per target.

    Target pixel i covers the source interval [i * s, (i + 1) * s) with s =
    source_size / target_size; each weight is the overlap length divided by s, so
    every row sums to 1 and a constant image stays constant.
    """
    scale = source_size / target_size
    starts = np.arange(target_size)[:, np.newaxis] * scale
    ends = starts + scale
    left = np.arange(source_size)[np.newaxis, :]
    overlap = np.minimum(ends, left + 1) - np.maximum(starts, left)
    return np.clip(overlap, 0, None) / scale


def area_resize(image, shape):
    """Resize a 2-D image to ``shape`` = (rows, columns) by area averaging.

    Each output pixel is the mean of the input area it covers, the resampling that
    keeps thin strokes as grey levels instead of dropping them. Works for shrinking
    and enlarging.
    """
    image = np.asarray(image, dtype=np.float64)
    rows, columns = shape
    if rows < 1 or columns < 1:
        raise ValueError(f"shape must be at least (1, 1), got {shape}")
    row_weights = _area_weights(image.shape[0], rows)  # (rows, height)
    column_weights = _area_weights(image.shape[1], columns)  # (columns, width)
    return row_weights @ image @ column_weights.T


def preprocess_drawing(image, threshold=0.0):
    """Frame a drawn digit the way MNIST framed its digits.

    Parameters
    ----------
    image : array of shape (height, width)
        Ink intensity, 0 for background and larger for ink, any scale (a canvas
        raster in [0, 1] or 0..255).
    threshold : float
        Pixels above ``threshold * image.max()`` count as ink for the bounding box.

    Returns
    -------
    DrawingSteps

    Raises
    ------
    EmptyDrawingError
        When no pixel has ink (an empty canvas).
    ValueError
        For an image that is not 2-D, or has NaN, inf or negative values.
    """
    original = np.asarray(image, dtype=np.float64)
    if original.ndim != 2:
        raise ValueError(
            f"image must be 2-D (height, width), got shape {original.shape}"
        )
    if not np.isfinite(original).all():
        raise ValueError("image contains NaN or inf: pass ink intensities")
    if (original < 0).any():
        raise ValueError(
            f"image has negative values (min {original.min():g}): pass ink "
            "intensities with 0 as background"
        )
    if not original.max() > 0:
        raise EmptyDrawingError(
            "the drawing is empty: draw a digit before preprocessing it"
        )

    # 1. Crop to the rows and columns that contain ink.
    ink = original > threshold * original.max()
    ink_rows = np.flatnonzero(ink.any(axis=1))
    ink_columns = np.flatnonzero(ink.any(axis=0))
    top, bottom = int(ink_rows[0]), int(ink_rows[-1]) + 1
    left, right = int(ink_columns[0]), int(ink_columns[-1]) + 1
    cropped = original[top:bottom, left:right]

    # 2. Longer side to 20 pixels, the shorter one in proportion (at least 1).
    height, width = cropped.shape
    factor = FIT_SIZE / max(height, width)
    scaled_shape = (
        max(1, round(height * factor)),
        max(1, round(width * factor)),
    )
    scaled = area_resize(cropped, scaled_shape)

    # 3. Paste into 28x28 with the center of mass on the image center.
    mass_row, mass_column = center_of_mass(scaled)
    row_offset = _clamped_offset(MASS_CENTER - mass_row, scaled.shape[0])
    column_offset = _clamped_offset(MASS_CENTER - mass_column, scaled.shape[1])
    centered = np.zeros((IMAGE_SIZE, IMAGE_SIZE))
    centered[
        row_offset : row_offset + scaled.shape[0],
        column_offset : column_offset + scaled.shape[1],
    ] = scaled

    # 4. Strongest ink -> 1.
    normalized = centered / centered.max()
    return DrawingSteps(
        original=original,
        bounding_box=(top, bottom, left, right),
        cropped=cropped,
        scaled=scaled,
        centered=centered,
        normalized=normalized,
        center_of_mass=center_of_mass(normalized),
    )


def _clamped_offset(shift, length):
    # A whole-pixel shift that keeps the pasted box inside the 28x28 image.
    return int(np.clip(np.round(shift), 0, IMAGE_SIZE - length))


def render_strokes(strokes, size=280, line_width=18.0):
    """Draw mouse strokes as an anti-aliased ink image of shape (size, size).

    Parameters
    ----------
    strokes : list of strokes, each a list of (x, y) points
        Canvas coordinates in pixels, x to the right and y downwards, as a browser
        reports them. A stroke of one point draws a dot.
    size : int
        Width and height of the square canvas, in pixels.
    line_width : float
        Pen diameter in pixels.

    Returns
    -------
    float64 array of shape (size, size), 0 for paper and 1 for full ink.
    """
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"size must be an integer >= 1, got {size!r}")
    if not line_width > 0:
        raise ValueError(f"line_width must be > 0, got {line_width!r}")
    radius = line_width / 2
    image = np.zeros((size, size))
    for number, stroke in enumerate(strokes):
        points = np.asarray(stroke, dtype=np.float64).reshape(-1, 2)
        if len(points) == 0:
            continue
        if not np.isfinite(points).all():
            raise ValueError(f"stroke {number} has a NaN or inf coordinate")
        if len(points) == 1:
            points = np.vstack([points, points])
        for start, end in zip(points[:-1], points[1:]):
            _draw_segment(image, start, end, radius)
    return image


def _draw_segment(image, start, end, radius):
    """Max-blend one round-capped segment into ``image``, touching only its box."""
    size = image.shape[0]
    low = np.floor(np.minimum(start, end) - radius - 1).astype(int)
    high = np.ceil(np.maximum(start, end) + radius + 1).astype(int)
    x0, y0 = np.clip(low, 0, size)
    x1, y1 = np.clip(high, 0, size)
    if x0 >= x1 or y0 >= y1:
        return
    # Pixel centers of the box, as (y, x) grids.
    ys, xs = np.mgrid[y0:y1, x0:x1] + 0.5
    direction = end - start
    length_squared = float(direction @ direction)
    if length_squared == 0:
        t = np.zeros_like(xs)
    else:
        t = ((xs - start[0]) * direction[0] + (ys - start[1]) * direction[1]) / (
            length_squared
        )
        t = np.clip(t, 0, 1)
    distance = np.hypot(
        xs - (start[0] + t * direction[0]), ys - (start[1] + t * direction[1])
    )
    # Full ink inside the pen, a one-pixel linear ramp at its edge.
    ink = np.clip(radius + 0.5 - distance, 0, 1)
    np.maximum(image[y0:y1, x0:x1], ink, out=image[y0:y1, x0:x1])


@dataclass
class DrawingPrediction:
    """A network's reading of a drawing.

    ``steps`` is None and ``probabilities`` and ``label`` are None for an empty
    drawing; otherwise ``probabilities`` has shape (num_classes,).
    """

    steps: DrawingSteps
    probabilities: np.ndarray
    label: int

    @property
    def is_empty(self):
        return self.steps is None


def predict_strokes(network, strokes, size=280, line_width=18.0):
    """Render ``strokes``, preprocess them like MNIST and run ``network`` on them.

    Parameters
    ----------
    network : NeuralNetwork
        Trained on 784 normalized MNIST pixels.
    strokes, size, line_width
        As for :func:`render_strokes`.

    Returns
    -------
    DrawingPrediction
        Empty (``is_empty``) when the strokes leave no ink.
    """
    image = render_strokes(strokes, size=size, line_width=line_width)
    if not image.max() > 0:
        return DrawingPrediction(steps=None, probabilities=None, label=None)
    steps = preprocess_drawing(image)
    probabilities = network.predict_proba(steps.vector)
    return DrawingPrediction(
        steps=steps,
        probabilities=probabilities,
        label=int(np.argmax(probabilities)),
    )
