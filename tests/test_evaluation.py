"""Accuracy intervals, confusion matrices, misclassified samples and calibration."""

import numpy as np
import pytest

from scribble import NeuralNetwork
from scribble.evaluation import (
    accuracy_with_interval,
    confusion_matrix,
    misclassified_indices,
    most_confused_pairs,
    reliability_table,
    wilson_interval,
)

# -- Wilson interval and standard error ------------------------------------------------


def test_wilson_interval_90_of_100():
    # z = 1.959964, z^2 = 3.841459, z^2 / n = 0.0384146
    # center = (0.9 + 0.0192073) / 1.0384146 = 0.8852026
    # half = 1.959964 / 1.0384146 * sqrt(0.0009 + 0.0000960365) = 0.0595683
    low, high = wilson_interval(90, 100)
    assert low == pytest.approx(0.8256343, abs=1e-6)
    assert high == pytest.approx(0.9447709, abs=1e-6)


def test_wilson_interval_at_the_ends():
    # 0 of 10: center = half = (3.841459 / 20) / 1.3841459 = 0.1387664,
    # so high = 0.2775328.
    assert wilson_interval(0, 10) == (0.0, pytest.approx(0.2775328, abs=1e-6))
    assert wilson_interval(10, 10) == (pytest.approx(0.7224672, abs=1e-6), 1.0)


def test_wilson_interval_narrows_with_confidence():
    low_90, high_90 = wilson_interval(900, 1000, confidence=0.90)
    low_99, high_99 = wilson_interval(900, 1000, confidence=0.99)
    assert low_99 < low_90 < 0.9 < high_90 < high_99


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            (11, 10),
            r"0 <= num_correct <= num_samples .* num_correct=11, num_samples=10",
        ),
        ((0, 0), r"num_samples >= 1, got num_correct=0, num_samples=0"),
        ((5, 10, 1.0), r"confidence must be a probability .* got 1\.0"),
        ((5, 10, 95), r"confidence must be a probability .* got 95"),
    ],
)
def test_wilson_interval_rejects_bad_counts(arguments, message):
    with pytest.raises(ValueError, match=message):
        wilson_interval(*arguments)


def test_wilson_interval_rejects_fractions():
    with pytest.raises(TypeError, match=r"num_correct must be an integer, got 0\.9"):
        wilson_interval(0.9, 100)


def test_accuracy_with_interval_by_hand():
    y_true = np.array([0, 1, 2, 3, 4, 5, 6, 7, 8, 9] * 10)
    y_pred = y_true.copy()
    y_pred[:10] = 0  # samples 1 to 9 wrong, sample 0 still right: 91 of 100
    estimate = accuracy_with_interval(y_true, y_pred)
    assert estimate.num_correct == 91
    assert estimate.num_samples == 100
    assert estimate.accuracy == 0.91
    # sqrt(0.91 * 0.09 / 100) = sqrt(0.000819) = 0.0286182
    assert estimate.standard_error == pytest.approx(0.0286182, abs=1e-7)
    assert (estimate.low, estimate.high) == wilson_interval(91, 100)
    assert str(estimate) == (
        "accuracy 91.00% (91/100), standard error 2.86%, 95% interval "
        f"[{estimate.low:.2%}, {estimate.high:.2%}]"
    )


def test_accuracy_with_interval_rejects_mismatch():
    with pytest.raises(ValueError, match=r"y_true has 3 labels but y_pred has 2"):
        accuracy_with_interval([0, 1, 2], [0, 1])
    with pytest.raises(
        ValueError,
        match=r"y_pred must be class labels of shape \(num_samples,\), got shape \(2, 10\).*argmax",
    ):
        accuracy_with_interval([0, 1], np.zeros((2, 10)))
    with pytest.raises(
        ValueError, match=r"y_true must be integer class labels >= 0, got dtype float64"
    ):
        accuracy_with_interval([0.5, 1.0], [0, 1])


# -- confusion matrix ------------------------------------------------------------------


def test_confusion_matrix_counts():
    y_true = [0, 0, 1, 1, 1, 2]
    y_pred = [0, 1, 1, 1, 2, 2]
    expected = [
        [1, 1, 0],
        [0, 2, 1],
        [0, 0, 1],
    ]
    np.testing.assert_array_equal(confusion_matrix(y_true, y_pred), expected)
    assert confusion_matrix(y_true, y_pred, num_classes=4).shape == (4, 4)


def test_confusion_matrix_rejects_small_num_classes():
    with pytest.raises(
        ValueError, match=r"labels go up to 2, so num_classes must be at least 3, got 2"
    ):
        confusion_matrix([0, 2], [0, 1], num_classes=2)


def test_most_confused_pairs_order():
    matrix = np.array(
        [
            [50, 3, 0],
            [7, 40, 3],
            [0, 1, 45],
        ]
    )
    # 1->0 (7), then the tie 0->1 and 1->2 (3 each) in (true, predicted) order.
    assert most_confused_pairs(matrix, top=3) == [(1, 0, 7), (0, 1, 3), (1, 2, 3)]
    # Only four cells are non-zero off the diagonal.
    assert len(most_confused_pairs(matrix, top=10)) == 4


def test_most_confused_pairs_rejects_bad_input():
    with pytest.raises(ValueError, match=r"matrix must be square, got shape \(2, 3\)"):
        most_confused_pairs(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"top must be an integer >= 1, got 0"):
        most_confused_pairs(np.zeros((2, 2)), top=0)


# -- misclassified samples -------------------------------------------------------------


def test_misclassified_most_confident_first():
    probabilities = np.array(
        [
            [0.9, 0.1],  # predicts 0, true 0: right
            [0.6, 0.4],  # predicts 0, true 1: wrong with 0.6
            [0.2, 0.8],  # predicts 1, true 0: wrong with 0.8
            [0.3, 0.7],  # predicts 1, true 1: right
        ]
    )
    np.testing.assert_array_equal(
        misclassified_indices([0, 1, 0, 1], probabilities), [2, 1]
    )


def test_misclassified_rejects_label_out_of_range():
    with pytest.raises(
        ValueError,
        match=r"y_true contains label 5 but probabilities has only 2 classes",
    ):
        misclassified_indices([0, 5], np.full((2, 2), 0.5))
    with pytest.raises(
        ValueError, match=r"probabilities has 2 rows but y_true has 3 labels"
    ):
        misclassified_indices([0, 1, 1], np.full((2, 2), 0.5))


# -- reliability -----------------------------------------------------------------------


def test_reliability_table_by_hand():
    probabilities = np.array(
        [
            [0.95, 0.05],  # confidence 0.95, right
            [0.15, 0.85],  # confidence 0.85, wrong (true 0)
            [0.55, 0.45],  # confidence 0.55, right
            [0.40, 0.60],  # confidence 0.60, right (true 1): an edge, bin 1
        ]
    )
    table = reliability_table(probabilities, [0, 0, 0, 1], num_bins=5)
    np.testing.assert_allclose(table.bin_edges, [0.0, 0.2, 0.4, 0.6, 0.8, 1.0])
    np.testing.assert_array_equal(table.counts, [0, 0, 2, 0, 2])
    np.testing.assert_allclose(table.mean_confidence[[2, 4]], [0.575, 0.9])
    np.testing.assert_allclose(table.accuracy[[2, 4]], [1.0, 0.5])
    assert np.isnan(table.accuracy[[0, 1, 3]]).all()
    # ECE = 2/4 * |1 - 0.575| + 2/4 * |0.5 - 0.9| = 0.2125 + 0.2 = 0.4125
    assert table.expected_calibration_error == pytest.approx(0.4125)


def test_reliability_table_rejects_bad_bins():
    with pytest.raises(ValueError, match=r"num_bins must be an integer >= 1, got 0"):
        reliability_table(np.full((2, 2), 0.5), [0, 1], num_bins=0)
    with pytest.raises(
        ValueError,
        match=r"probabilities must have shape \(num_samples, num_classes\), got \(2,\)",
    ):
        reliability_table([0.5, 0.5], [0, 1])


def test_evaluation_of_a_trained_network(digits):
    X_train, y_train, X_test, y_test = digits
    network = NeuralNetwork.from_sizes([784, 32, 10], rng=0)
    network.train(X_train[:1000], y_train[:1000], 2, 0.05, verbose=0)
    probabilities = network.predict_proba(X_test)
    predicted = probabilities.argmax(axis=1)

    estimate = accuracy_with_interval(y_test, predicted)
    assert estimate.accuracy == pytest.approx(
        network.evaluate(X_test, y_test)["accuracy"]
    )
    assert estimate.low < estimate.accuracy < estimate.high
    assert estimate.high - estimate.low < 0.06

    matrix = confusion_matrix(y_test, predicted, num_classes=10)
    assert matrix.sum() == len(y_test)
    assert np.trace(matrix) == estimate.num_correct
    np.testing.assert_array_equal(matrix.sum(axis=1), np.bincount(y_test, minlength=10))

    wrong = misclassified_indices(y_test, probabilities)
    assert len(wrong) == len(y_test) - estimate.num_correct
    assert sum(count for _, _, count in most_confused_pairs(matrix, top=90)) == len(
        wrong
    )

    table = reliability_table(probabilities, y_test)
    assert table.counts.sum() == len(y_test)
    assert 0 <= table.expected_calibration_error < 0.2
