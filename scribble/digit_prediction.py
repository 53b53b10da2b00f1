"""The digit explorer's computation: one image, its probabilities and the verdict.

:func:`predict_digit` runs the network on one image and returns a
:class:`DigitPrediction`, which formats and draws itself. :func:`draw_other_index`
picks the image a "random" button moves to, from a seeded numpy Generator.
"""

from dataclasses import dataclass

import numpy as np

from .plots import plot_digit, plot_probabilities
from .steps import format_number, set_margins

__all__ = ["DigitPrediction", "draw_other_index", "predict_digit"]


@dataclass
class DigitPrediction:
    """The network's prediction for one image.

    ``image`` has shape (height, width), ``probabilities`` (num_classes,).
    """

    index: int
    image: np.ndarray
    label: int
    probabilities: np.ndarray
    prediction: int

    @property
    def correct(self):
        """Whether the prediction equals the label."""
        return self.prediction == self.label

    def prediction_text(self):
        """Return ``"prediction: 7 (label 7, right)"`` or ``"... wrong)"``."""
        verdict = "right" if self.correct else "wrong"
        return f"prediction: {self.prediction} (label {self.label}, {verdict})"

    def probabilities_text(self):
        """Return one ``class: probability`` line per class, 4 significant digits."""
        return "\n".join(
            f"{digit}: {format_number(probability)}"
            for digit, probability in enumerate(self.probabilities)
        )

    def draw(self, fig):
        """Clear ``fig`` and draw the image beside its predicted probabilities."""
        fig.clear()
        set_margins(fig)
        image_ax, bars_ax = fig.subplots(1, 2, width_ratios=(1, 2))
        plot_digit(self.image, ax=image_ax, title=f"image {self.index}")
        plot_probabilities(self.probabilities, true_label=self.label, ax=bars_ax)
        return fig


def _image_shape(num_features):
    side = int(round(np.sqrt(num_features)))
    if side * side != num_features:
        raise ValueError(
            f"images of {num_features} values are not square: pass images of shape "
            "(num_images, height, width)"
        )
    return side, side


def predict_digit(network, images, labels, index):
    """Return the :class:`DigitPrediction` for ``images[index]``.

    Parameters
    ----------
    network : NeuralNetwork
    images : array of shape (num_images, height, width) or (num_images, pixels)
        Scaled as the network was trained, for example with :func:`scribble.normalize`.
    labels : array of shape (num_images,)
    index : int
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if images.ndim not in (2, 3):
        raise ValueError(
            "images must have shape (num_images, height, width) or (num_images, "
            f"pixels), got {images.shape}"
        )
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if (
        isinstance(index, bool)
        or not isinstance(index, (int, np.integer))
        or not (0 <= index < len(images))
    ):
        raise ValueError(
            f"index must be an integer from 0 to {len(images) - 1}, got {index!r}"
        )
    index = int(index)
    if images.ndim == 3:
        image = images[index]
    else:
        image = images[index].reshape(_image_shape(images.shape[1]))
    probabilities = network.predict_proba(image.reshape(-1))
    return DigitPrediction(
        index=index,
        image=image,
        label=int(labels[index]),
        probabilities=probabilities,
        prediction=int(np.argmax(probabilities)),
    )


def draw_other_index(rng, size, current):
    """Draw an index in ``0..size-1`` that differs from ``current``, uniformly.

    Drawing one of the other ``size - 1`` indices guarantees that a "random" button
    always changes what is shown. ``rng`` is a numpy Generator.
    """
    if size < 2:
        raise ValueError(f"need at least 2 images to draw another one, got {size}")
    index = int(rng.integers(size - 1))
    return index + 1 if index >= current else index
