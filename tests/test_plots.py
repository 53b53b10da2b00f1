"""What each plot draws: line data, bar heights, image arrays and labels."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

import scribble
from scribble import plots


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def trained(digits):
    """A small network trained 3 epochs on 300 real digits, with batch losses."""
    X_train, y_train, X_test, y_test = digits
    network = scribble.NeuralNetwork.from_sizes([784, 16, 10], rng=0)
    history = network.train(
        X_train[:300],
        y_train[:300],
        epochs=3,
        learning_rate=0.05,
        batch_size=10,
        validation_data=(X_test[:100], y_test[:100]),
        verbose=0,
        record_batch_loss=True,
    )
    return network, history


def line_labelled(ax, label):
    lines = [line for line in ax.get_lines() if line.get_label() == label]
    assert len(lines) == 1, [line.get_label() for line in ax.get_lines()]
    return lines[0]


def test_plot_loss_per_epoch(trained):
    _, history = trained
    ax = plots.plot_loss(history)
    assert isinstance(ax, Axes)
    training = line_labelled(ax, "training, epoch mean")
    validation = line_labelled(ax, "validation")
    np.testing.assert_array_equal(training.get_xdata(), [1, 2, 3])
    np.testing.assert_allclose(training.get_ydata(), history.loss)
    np.testing.assert_allclose(validation.get_ydata(), history.val_loss)
    assert ax.get_ylabel() == "cross-entropy loss (nats)"
    assert ax.get_xlabel() == "epoch"
    assert ax.get_title() == "Loss per epoch"
    ticks = ax.get_xticks()
    assert np.array_equal(ticks, np.round(ticks)), ticks


def test_plot_loss_per_batch_positions(trained):
    _, history = trained
    ax = plots.plot_loss(history, per_batch=True)
    batches = line_labelled(ax, "training, per batch")
    assert len(batches.get_xdata()) == 90  # 3 epochs of 300 / 10 batches
    np.testing.assert_allclose(batches.get_ydata(), history.batch_loss)
    # Batch 30 closes epoch 1, so it sits at x = 1 beside that epoch's mean.
    assert batches.get_xdata()[29] == pytest.approx(1.0)
    assert batches.get_xdata()[-1] == pytest.approx(3.0)
    assert "per batch" in ax.get_title()


def test_plot_loss_per_batch_needs_record():
    history = scribble.History(loss=[1.0, 0.5], accuracy=[0.5, 0.7])
    with pytest.raises(ValueError, match="record_batch_loss=True"):
        plots.plot_loss(history, per_batch=True)


def test_plot_loss_without_validation_draws_one_line():
    history = scribble.History(loss=[1.0, 0.5], accuracy=[0.5, 0.7])
    ax = plots.plot_loss(history)
    assert [line.get_label() for line in ax.get_lines()] == ["training, epoch mean"]


def test_plot_loss_rejects_empty_history():
    with pytest.raises(ValueError, match="no epochs"):
        plots.plot_loss(scribble.History())


def test_plot_loss_draws_on_given_axes(trained):
    _, history = trained
    fig, (left, right) = plt.subplots(1, 2)
    assert plots.plot_loss(history, ax=right) is right
    assert not left.get_lines()


def test_plot_accuracy_in_percent(trained):
    _, history = trained
    ax = plots.plot_accuracy(history)
    np.testing.assert_allclose(
        line_labelled(ax, "training").get_ydata(), 100 * np.array(history.accuracy)
    )
    np.testing.assert_allclose(
        line_labelled(ax, "validation").get_ydata(),
        100 * np.array(history.val_accuracy),
    )
    assert ax.get_ylabel() == "accuracy (%)"


def test_plot_mean_abs_delta_per_layer(trained):
    _, history = trained
    ax = plots.plot_mean_abs_delta(history)
    hidden = line_labelled(ax, "layer 0 (hidden layer)")
    output = line_labelled(ax, "layer 1 (output layer)")
    np.testing.assert_allclose(hidden.get_ydata(), history.mean_abs_delta[0])
    np.testing.assert_allclose(output.get_ydata(), history.mean_abs_delta[1])
    assert ax.get_yscale() == "log"
    assert "mean |delta|" in ax.get_ylabel()


def small_record():
    network = scribble.NeuralNetwork.from_sizes([4, 3, 2], rng=1)
    return network.record_step(np.array([0.5, -1.0, 2.0, 0.1]), 1, 0.1)


def test_plot_deltas_bar_heights():
    record = small_record()
    ax = plots.plot_deltas(record)
    heights = [patch.get_height() for patch in ax.patches]
    expected = np.concatenate([layer.delta for layer in record.layers])
    np.testing.assert_allclose(heights, expected)
    # One blank slot separates the layers: bars at 0, 1, 2, then 4, 5.
    positions = [patch.get_x() + patch.get_width() / 2 for patch in ax.patches]
    np.testing.assert_allclose(positions, [0, 1, 2, 4, 5])
    labels = [tick.get_text() for tick in ax.get_xticklabels()]
    assert labels == ["layer 0 (relu)", "layer 1 (softmax)"]
    assert "dL/dz" in ax.get_ylabel()
    assert f"{record.loss:.4f}" in ax.get_title()


def test_plot_deltas_heatmap_for_wide_layers(digits):
    X_train, y_train, _, _ = digits
    network = scribble.NeuralNetwork.from_sizes([784, 64, 10], rng=0)
    record = network.record_step(X_train[0], y_train[0], 0.1)
    ax = plots.plot_deltas(record)
    (image,) = ax.get_images()
    grid = np.ma.getdata(image.get_array())
    assert grid.shape == (2, 64)
    np.testing.assert_allclose(grid[0], record.layers[0].delta)
    np.testing.assert_allclose(grid[1, :10], record.layers[1].delta)
    assert np.isnan(grid[1, 10:]).all()
    low, high = image.get_clim()
    assert low == -high


def test_plot_deltas_rejects_unknown_kind():
    with pytest.raises(ValueError, match="'bars' or 'heatmap'"):
        plots.plot_deltas(small_record(), kind="pie")


def test_plot_first_layer_weights_images(trained):
    network, _ = trained
    fig = plots.plot_first_layer_weights(network, num_neurons=10)
    assert isinstance(fig, Figure)
    images = [ax.get_images()[0] for ax in fig.axes if ax.get_images()]
    assert len(images) == 10
    for index, image in enumerate(images):
        np.testing.assert_array_equal(
            image.get_array(), network.layers[0].weights[index].reshape(28, 28)
        )
    titles = [ax.get_title() for ax in fig.axes if ax.get_images()]
    assert titles[3] == "neuron 3"


def test_plot_first_layer_weights_needs_square_inputs():
    network = scribble.NeuralNetwork.from_sizes([5, 3, 2], rng=0)
    with pytest.raises(ValueError, match="not a square image"):
        plots.plot_first_layer_weights(network)


def test_plot_digit_accepts_flat_uint8():
    (images, labels), _ = scribble.load_mnist()
    ax = plots.plot_digit(images[0].reshape(-1), title=f"label {labels[0]}")
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), images[0])
    assert image.get_clim() == (0, 255)
    assert ax.get_title() == f"label {labels[0]}"


def test_plot_digit_float_scale(digits):
    X_train, _, _, _ = digits
    ax = plots.plot_digit(X_train[0])
    assert ax.get_images()[0].get_clim() == (0, 1)


def test_plot_digit_rejects_non_square():
    with pytest.raises(ValueError, match="square number of pixels, got 10"):
        plots.plot_digit(np.zeros(10))


def test_plot_digit_grid_titles_mark_errors(digits):
    X_train, y_train, _, _ = digits
    predictions = y_train[:10].copy()
    predictions[2] = (predictions[2] + 1) % 10
    fig = plots.plot_digit_grid(X_train[:10], y_train[:10], predictions, ncols=4)
    axes = fig.axes
    assert len(axes) == 12  # 3 rows of 4, two of them empty
    assert axes[0].get_title() == f"label {y_train[0]}\npredicted {predictions[0]}"
    assert axes[2].get_title(loc="center").endswith(f"predicted {predictions[2]}")
    assert axes[2].title.get_color() == "red"
    assert axes[0].title.get_color() == "black"
    assert not axes[11].axison
    np.testing.assert_array_equal(
        axes[5].get_images()[0].get_array(), X_train[5].reshape(28, 28)
    )


def test_plot_digit_grid_checks_lengths(digits):
    X_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        plots.plot_digit_grid(X_train[:3], y_train[:2])


def test_plot_probabilities_bars_and_title():
    probabilities = np.array([0.1, 0.7, 0.2])
    ax = plots.plot_probabilities(probabilities, true_label=2, class_names="abc")
    heights = [patch.get_height() for patch in ax.patches]
    np.testing.assert_allclose(heights, probabilities)
    assert ax.get_title() == "Predicted b (70.0%), true c: wrong"
    assert ax.patches[2].get_linewidth() == 2
    assert [tick.get_text() for tick in ax.get_xticklabels()] == ["a", "b", "c"]
    assert ax.get_ylim() == (0, 1)


def test_plot_probabilities_right_prediction():
    ax = plots.plot_probabilities([0.05, 0.9, 0.05], true_label=1)
    assert ax.get_title().endswith("true 1: right")


def test_plot_probabilities_rejects_batch():
    with pytest.raises(ValueError, match=r"shape \(num_classes,\)"):
        plots.plot_probabilities(np.full((2, 3), 1 / 3))


def test_confusion_matrix_counts():
    counts = plots.confusion_matrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 2, 0])
    np.testing.assert_array_equal(counts, [[1, 1, 0], [0, 1, 0], [1, 0, 2]])


def test_plot_confusion_matrix_image_and_text():
    ax = plots.plot_confusion_matrix([0, 0, 1, 2], [0, 1, 1, 2], class_names="xyz")
    (image,) = ax.get_images()
    np.testing.assert_array_equal(image.get_array(), [[1, 1, 0], [0, 1, 0], [0, 0, 1]])
    texts = [text.get_text() for text in ax.texts]
    assert texts == ["1", "1", "0", "0", "1", "0", "0", "0", "1"]
    assert ax.get_title() == "Confusion matrix (75.0% correct)"
    assert ax.get_xlabel() == "predicted class"
    assert ax.get_ylabel() == "true class"


def test_plot_decision_line_solves_z_equals_zero():
    weights, bias = np.array([1.0, 2.0]), -1.0
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, -1.0]])
    ax = plots.plot_decision_line(weights, bias, points, labels=[0, 1, 1])
    line = line_labelled(ax, "z = 0")
    x, y = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose(weights[0] * x + weights[1] * y + bias, 0, atol=1e-12)
    offsets = np.concatenate([c.get_offsets() for c in ax.collections[-2:]])
    np.testing.assert_array_equal(offsets, points[[0, 1, 2]])


def test_plot_decision_line_vertical():
    ax = plots.plot_decision_line([2.0, 0.0], -1.0, np.array([[0.0, 0.0], [1.0, 1.0]]))
    np.testing.assert_allclose(line_labelled(ax, "z = 0").get_xdata(), [0.5, 0.5])


def test_plot_decision_line_rejects_zero_weights():
    with pytest.raises(ValueError, match="no line"):
        plots.plot_decision_line([0.0, 0.0], 1.0, np.zeros((2, 2)))


def test_plot_activation_functions_values():
    z = np.array([-2.0, -0.5, 0.0, 1.5])
    ax = plots.plot_activation_functions(["relu", "sigmoid"], z=z, derivative=True)
    np.testing.assert_allclose(line_labelled(ax, "relu").get_ydata(), [0, 0, 0, 1.5])
    np.testing.assert_allclose(
        line_labelled(ax, "relu derivative").get_ydata(), [0, 0, 0, 1]
    )
    sigmoid = 1 / (1 + np.exp(-z))
    np.testing.assert_allclose(line_labelled(ax, "sigmoid").get_ydata(), sigmoid)
    np.testing.assert_allclose(
        line_labelled(ax, "sigmoid derivative").get_ydata(), sigmoid * (1 - sigmoid)
    )
    assert ax.get_xlabel() == "pre-activation z"


def test_plot_activation_functions_rejects_softmax():
    with pytest.raises(ValueError, match="plot_probabilities"):
        plots.plot_activation_functions(["softmax"])


def test_plot_cross_entropy_curve():
    ax = plots.plot_cross_entropy()
    (line,) = ax.get_lines()
    p, loss = line.get_xdata(), line.get_ydata()
    np.testing.assert_allclose(loss, -np.log(p), atol=1e-11)
    assert p[0] == pytest.approx(0.001)
    assert loss[-1] == pytest.approx(1e-12, abs=1e-11)


def test_plot_cross_entropy_log_scale_levels_off():
    ax = plots.plot_cross_entropy(log_scale=True)
    line = line_labelled(ax, "-ln(clip(p))")
    p, loss = line.get_xdata(), line.get_ydata()
    assert ax.get_xscale() == "log"
    np.testing.assert_allclose(loss[p < 1e-12], -np.log(1e-12))
    assert loss.max() == pytest.approx(27.631, abs=1e-3)
