"""Categorical cross-entropy, the course's loss, and its gradient."""

import math

import numpy as np

__all__ = [
    "CLIP_EPSILON",
    "categorical_cross_entropy",
    "categorical_cross_entropy_delta",
]

# Predictions are clipped to [CLIP_EPSILON, 1 - CLIP_EPSILON] before the log, so a
# probability of exactly 0 costs -ln(1e-12) = 27.631 instead of inf.
CLIP_EPSILON = 1e-12


def categorical_cross_entropy(predicted, actual):
    """Cross-entropy ``-sum(actual * log(predicted))`` of one sample or a batch.

    Parameters
    ----------
    predicted : array of shape (num_classes,) or (batch_size, num_classes)
        Probabilities, for example a softmax output.
    actual : array of the same shape
        One-hot targets (use :func:`scribble.one_hot` to build them from labels).

    Returns
    -------
    float
        The loss of the sample, or the mean loss over the batch's rows.
    """
    predicted = np.asarray(predicted)
    actual = np.asarray(actual)
    if predicted.shape != actual.shape:
        num_classes = predicted.shape[-1] if predicted.ndim else "num_classes"
        raise ValueError(
            f"actual has shape {actual.shape} but predicted has shape "
            f"{predicted.shape}: pass one-hot targets, for example "
            f"one_hot(labels, {num_classes})"
        )
    clipped = np.clip(predicted, CLIP_EPSILON, 1 - CLIP_EPSILON)
    per_sample = -np.sum(actual * np.log(clipped), axis=-1)
    if per_sample.ndim == 0:
        return float(per_sample)  # one sample: its own mean, without np.mean's cost
    return float(np.mean(per_sample))


def categorical_cross_entropy_delta(predicted, actual):
    """Gradient of softmax followed by cross-entropy with respect to z.

    For ``p = softmax(z)`` and ``L = -sum(y * log p)`` with one-hot y, the chain rule
    through the softmax Jacobian collapses to ``dL/dz = p - y``.
    """
    return np.asarray(predicted) - np.asarray(actual)


def _unclipped_loss(clipped_loss, true_class_probability):
    """Return the clipped loss, or inf when the unclipped loss is not finite.

    The clip turns a true-class probability of exactly 0 into a loss of 27.6, which
    keeps lessons free of inf. During training such a 0 means the logits differ by
    more than about 745 (float64) or 104 (float32), so exp underflowed: the weights
    have blown up, and the unclipped loss is inf. A NaN loss is returned as it is.
    """
    if not math.isfinite(clipped_loss):
        return clipped_loss
    if not (true_class_probability > 0).all():
        return math.inf
    return clipped_loss
