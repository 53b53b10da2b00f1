"""How good a trained network is: accuracy with its uncertainty, errors, confidence.

Everything here works on plain arrays (true labels, predicted labels, predicted
probabilities), so it applies to any classifier and the lessons can test every
number it returns. Plots of these numbers are in :mod:`scribble.plots`.

It leaves out what needs a second model or resampling, such as comparing two
networks on the same test set or bootstrap intervals.
"""

import math
from dataclasses import dataclass
from statistics import NormalDist

import numpy as np

__all__ = [
    "AccuracyEstimate",
    "ReliabilityTable",
    "accuracy_with_interval",
    "confusion_matrix",
    "misclassified_indices",
    "most_confused_pairs",
    "reliability_table",
    "wilson_interval",
]


def _check_labels(name, labels):
    labels = np.asarray(labels)
    if labels.ndim != 1:
        raise ValueError(
            f"{name} must be class labels of shape (num_samples,), got shape "
            f"{labels.shape}; turn one-hot rows or probabilities into labels with "
            "argmax(axis=1)"
        )
    if labels.size and (labels.dtype.kind not in "iu" or labels.min() < 0):
        raise ValueError(
            f"{name} must be integer class labels >= 0, got dtype {labels.dtype} "
            f"with minimum {labels.min() if labels.size else None}"
        )
    return labels


def _check_pair(y_true, y_pred):
    y_true = _check_labels("y_true", y_true)
    y_pred = _check_labels("y_pred", y_pred)
    if len(y_true) != len(y_pred):
        raise ValueError(
            f"y_true has {len(y_true)} labels but y_pred has {len(y_pred)}: "
            "they must describe the same samples"
        )
    if len(y_true) == 0:
        raise ValueError("y_true and y_pred are empty: evaluation needs samples")
    return y_true, y_pred


def _check_probabilities(probabilities, y_true):
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 2:
        raise ValueError(
            f"probabilities must have shape (num_samples, num_classes), got "
            f"{probabilities.shape}; use network.predict_proba(X)"
        )
    y_true = _check_labels("y_true", y_true)
    if len(y_true) != len(probabilities):
        raise ValueError(
            f"probabilities has {len(probabilities)} rows but y_true has "
            f"{len(y_true)} labels"
        )
    if len(y_true) == 0:
        raise ValueError("probabilities and y_true are empty: evaluation needs samples")
    if y_true.max() >= probabilities.shape[1]:
        raise ValueError(
            f"y_true contains label {y_true.max()} but probabilities has only "
            f"{probabilities.shape[1]} classes"
        )
    return probabilities, y_true


# -- accuracy and its uncertainty ------------------------------------------------------


def wilson_interval(num_correct, num_samples, confidence=0.95):
    """Return the Wilson score interval ``(low, high)`` for an accuracy.

    With ``p = num_correct / num_samples``, ``n = num_samples`` and ``z`` the normal
    quantile for ``confidence`` (1.96 for 95%)::

        center = (p + z**2 / (2 n)) / (1 + z**2 / n)
        half   = z / (1 + z**2 / n) * sqrt(p (1 - p) / n + z**2 / (4 n**2))

    Unlike ``p +- z * standard_error`` it stays inside [0, 1] and does not shrink to
    a point at 0% or 100% accuracy (Wilson, 1927; Brown, Cai and DasGupta, 2001).
    """
    for name, value in (("num_correct", num_correct), ("num_samples", num_samples)):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise TypeError(f"{name} must be an integer, got {value!r}")
    if num_samples < 1 or not 0 <= num_correct <= num_samples:
        raise ValueError(
            f"need 0 <= num_correct <= num_samples and num_samples >= 1, got "
            f"num_correct={num_correct}, num_samples={num_samples}"
        )
    if isinstance(confidence, bool) or not 0 < confidence < 1:
        raise ValueError(
            f"confidence must be a probability between 0 and 1 (exclusive), got "
            f"{confidence!r}; 0.95 is usual"
        )
    n = int(num_samples)
    p = int(num_correct) / n
    z = NormalDist().inv_cdf(0.5 + confidence / 2)
    denominator = 1 + z**2 / n
    center = (p + z**2 / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z**2 / (4 * n**2))
    # At p = 0 or 1 the bound is exactly 0 or 1; rounding would leave 1e-17.
    low = 0.0 if num_correct == 0 else center - half
    high = 1.0 if num_correct == n else center + half
    return low, high


@dataclass
class AccuracyEstimate:
    """An accuracy measured on ``num_samples`` samples, with its uncertainty.

    Attributes
    ----------
    accuracy : float
        ``num_correct / num_samples``.
    num_correct, num_samples : int
    standard_error : float
        Binomial standard error ``sqrt(accuracy * (1 - accuracy) / num_samples)``:
        how far the measured accuracy typically is from the accuracy on all digits
        of the same kind.
    low, high : float
        Wilson score interval at ``confidence``.
    confidence : float
    """

    accuracy: float
    num_correct: int
    num_samples: int
    standard_error: float
    low: float
    high: float
    confidence: float

    def __str__(self):
        return (
            f"accuracy {self.accuracy:.2%} ({self.num_correct}/{self.num_samples}), "
            f"standard error {self.standard_error:.2%}, {self.confidence:.0%} "
            f"interval [{self.low:.2%}, {self.high:.2%}]"
        )


def accuracy_with_interval(y_true, y_pred, confidence=0.95):
    """Return the accuracy of ``y_pred`` with its standard error and Wilson interval.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (num_samples,)
        Integer class labels.
    confidence : float in (0, 1)

    Returns
    -------
    AccuracyEstimate
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    num_samples = len(y_true)
    num_correct = int(np.sum(y_true == y_pred))
    accuracy = num_correct / num_samples
    low, high = wilson_interval(num_correct, num_samples, confidence)
    return AccuracyEstimate(
        accuracy=accuracy,
        num_correct=num_correct,
        num_samples=num_samples,
        standard_error=math.sqrt(accuracy * (1 - accuracy) / num_samples),
        low=low,
        high=high,
        confidence=float(confidence),
    )


# -- errors ----------------------------------------------------------------------------


def confusion_matrix(y_true, y_pred, num_classes=None):
    """Count how often each true class was predicted as each class.

    Parameters
    ----------
    y_true, y_pred : arrays of shape (num_samples,)
        Integer class labels.
    num_classes : int, optional
        Defaults to the largest label plus one.

    Returns
    -------
    array of int, shape (num_classes, num_classes)
        ``matrix[i, j]`` is the number of samples of true class ``i`` predicted as
        ``j``. Rows sum to the class counts and the diagonal holds the correct ones.
    """
    y_true, y_pred = _check_pair(y_true, y_pred)
    largest = int(max(y_true.max(), y_pred.max()))
    if num_classes is None:
        num_classes = largest + 1
    elif largest >= num_classes:
        raise ValueError(
            f"the labels go up to {largest}, so num_classes must be at least "
            f"{largest + 1}, got {num_classes}"
        )
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y_true, y_pred), 1)
    return matrix


def most_confused_pairs(matrix, top=5):
    """Return the ``top`` largest off-diagonal cells of a confusion matrix.

    Returns
    -------
    list of (true_class, predicted_class, count)
        Largest count first; ties in ascending order of (true, predicted). Cells
        with a count of 0 are left out, so the list can be shorter than ``top``.
    """
    matrix = np.asarray(matrix)
    if matrix.ndim != 2 or matrix.shape[0] != matrix.shape[1]:
        raise ValueError(f"matrix must be square, got shape {matrix.shape}")
    if isinstance(top, bool) or not isinstance(top, (int, np.integer)) or top < 1:
        raise ValueError(f"top must be an integer >= 1, got {top!r}")
    cells = [
        (
            int(true_class),
            int(predicted_class),
            int(matrix[true_class, predicted_class]),
        )
        for true_class in range(matrix.shape[0])
        for predicted_class in range(matrix.shape[1])
        if true_class != predicted_class and matrix[true_class, predicted_class] > 0
    ]
    cells.sort(key=lambda cell: (-cell[2], cell[0], cell[1]))
    return cells[:top]


def misclassified_indices(y_true, probabilities):
    """Return the indices of the wrongly classified samples, most confident first.

    Parameters
    ----------
    y_true : array of shape (num_samples,)
    probabilities : array of shape (num_samples, num_classes)
        For example ``network.predict_proba(X)``.

    Returns
    -------
    array of int
        Indices where ``argmax(probabilities) != y_true``, ordered by the probability
        the network gave its wrong answer, highest first. Ties keep index order.
    """
    probabilities, y_true = _check_probabilities(probabilities, y_true)
    predicted = np.argmax(probabilities, axis=1)
    wrong = np.flatnonzero(predicted != y_true)
    confidence = probabilities[wrong, predicted[wrong]]
    return wrong[np.argsort(-confidence, kind="stable")]


# -- confidence against correctness ----------------------------------------------------


@dataclass
class ReliabilityTable:
    """Samples grouped by confidence (the max probability), with accuracy per group.

    For a calibrated network, the samples it gives 80% confidence are right about
    80% of the time, so ``accuracy`` equals ``mean_confidence`` in every bin.

    Attributes
    ----------
    bin_edges : array of shape (num_bins + 1,)
        From 0 to 1; bin ``k`` holds confidences in (edges[k], edges[k + 1]], and
        bin 0 also holds a confidence of exactly 0.
    counts : array of int, shape (num_bins,)
    mean_confidence, accuracy : arrays of shape (num_bins,)
        NaN in empty bins.
    expected_calibration_error : float
        ``sum_k counts[k] / n * |accuracy[k] - mean_confidence[k]|`` over the
        non-empty bins: the mean gap between confidence and accuracy.
    """

    bin_edges: np.ndarray
    counts: np.ndarray
    mean_confidence: np.ndarray
    accuracy: np.ndarray
    expected_calibration_error: float


def reliability_table(probabilities, y_true, num_bins=10):
    """Group the predictions by confidence into equal-width bins and score each bin.

    Parameters
    ----------
    probabilities : array of shape (num_samples, num_classes)
    y_true : array of shape (num_samples,)
    num_bins : int >= 1

    Returns
    -------
    ReliabilityTable
    """
    probabilities, y_true = _check_probabilities(probabilities, y_true)
    if isinstance(num_bins, bool) or not isinstance(num_bins, (int, np.integer)):
        raise ValueError(f"num_bins must be an integer >= 1, got {num_bins!r}")
    if num_bins < 1:
        raise ValueError(f"num_bins must be an integer >= 1, got {num_bins!r}")
    confidence = probabilities.max(axis=1)
    correct = np.argmax(probabilities, axis=1) == y_true
    edges = np.linspace(0.0, 1.0, num_bins + 1)
    # Right-closed bins: a confidence equal to an edge belongs to the bin below it.
    bins = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, num_bins - 1)

    counts = np.bincount(bins, minlength=num_bins)
    mean_confidence = np.full(num_bins, np.nan)
    accuracy = np.full(num_bins, np.nan)
    filled = counts > 0
    mean_confidence[filled] = (
        np.bincount(bins, weights=confidence, minlength=num_bins)[filled]
        / counts[filled]
    )
    accuracy[filled] = (
        np.bincount(bins, weights=correct, minlength=num_bins)[filled] / counts[filled]
    )
    gaps = np.abs(accuracy[filled] - mean_confidence[filled])
    calibration_error = float(np.sum(counts[filled] / len(y_true) * gaps))
    return ReliabilityTable(edges, counts, mean_confidence, accuracy, calibration_error)
