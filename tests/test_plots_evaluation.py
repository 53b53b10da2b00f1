"""The lesson 7 and 8 plots: reliability, runs side by side, activation spread."""

import matplotlib.pyplot as plt
import numpy as np
import pytest

from scribble import History
from scribble.evaluation import reliability_table
from scribble.plots import plot_histories, plot_output_spread, plot_reliability


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_reliability_bars_and_points():
    probabilities = np.array([[0.95, 0.05], [0.15, 0.85], [0.55, 0.45], [0.4, 0.6]])
    table = reliability_table(probabilities, [0, 0, 0, 1], num_bins=5)
    ax = plot_reliability(table)
    # Two non-empty bins, (0.4, 0.6] and (0.8, 1]: accuracies 100% and 50%.
    heights = [patch.get_height() for patch in ax.patches]
    lefts = [patch.get_x() for patch in ax.patches]
    np.testing.assert_allclose(heights, [100.0, 50.0])
    np.testing.assert_allclose(lefts, [40.0, 80.0])
    points = ax.get_lines()[0]
    np.testing.assert_allclose(points.get_xdata(), [57.5, 90.0])
    assert "41.2%" in ax.get_title()


def test_histories_one_line_per_run():
    runs = {
        "sgd": History(loss=[2.0, 1.0, 0.5], val_accuracy=[0.5, 0.6, 0.7]),
        "adam": History(loss=[1.0, 0.4, 0.2], val_accuracy=[0.7, 0.8, 0.9]),
    }
    ax = plot_histories(runs, "loss")
    assert [line.get_label() for line in ax.get_lines()] == ["sgd", "adam"]
    np.testing.assert_allclose(ax.get_lines()[1].get_ydata(), [1.0, 0.4, 0.2])
    np.testing.assert_allclose(ax.get_lines()[1].get_xdata(), [1, 2, 3])
    ax = plot_histories(runs, "val_accuracy")
    np.testing.assert_allclose(ax.get_lines()[0].get_ydata(), [50.0, 60.0, 70.0])
    assert ax.get_ylabel() == "validation accuracy (%)"


def test_histories_rejects_missing_metric():
    with pytest.raises(
        ValueError,
        match=r"history 'sgd' has no val_loss: train it with validation_data",
    ):
        plot_histories({"sgd": History(loss=[1.0])}, "val_loss")
    with pytest.raises(ValueError, match=r"metric must be one of .* got 'lr'"):
        plot_histories({"sgd": History(loss=[1.0])}, "lr")


def test_output_spread_drops_output_layer():
    ax = plot_output_spread(
        {"he": [0.3, 0.28, 0.3, 0.07], "small": [0.05, 0.005, 0.0005, 0.1]}
    )
    he, small = ax.get_lines()
    np.testing.assert_allclose(he.get_ydata(), [0.3, 0.28, 0.3])
    np.testing.assert_allclose(small.get_xdata(), [0, 1, 2])
    assert ax.get_yscale() == "log"
