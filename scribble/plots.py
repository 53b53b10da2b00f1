"""Plots for the lessons, the widgets and the command line.

Every function takes data, a training :class:`~scribble.History` or a
:class:`~scribble.StepRecord`, draws with matplotlib and returns what it drew on:
the Axes for one-panel plots, the Figure for grids. Functions that take ``ax`` draw
on it, or on a new figure when it is None. Nothing here calls notebook-only APIs, so
the same plots work in a terminal with the Agg backend. Titles and axis labels carry
units; cross-entropy is in nats because scribble's loss uses the natural log.

Layers are numbered from 0, the first hidden layer, as everywhere in scribble.
"""

import math

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

from .activations import apply_activation, relu_derivative
from .evaluation import confusion_matrix
from .losses import CLIP_EPSILON

__all__ = [
    "confusion_matrix",
    "plot_accuracy",
    "plot_activation_functions",
    "plot_confusion_matrix",
    "plot_cross_entropy",
    "plot_decision_line",
    "plot_deltas",
    "plot_digit",
    "plot_digit_grid",
    "plot_first_layer_weights",
    "plot_histories",
    "plot_loss",
    "plot_mean_abs_delta",
    "plot_output_spread",
    "plot_probabilities",
    "plot_reliability",
]

LOSS_LABEL = "cross-entropy loss (nats)"
DELTA_LABEL = "delta = dL/dz (nats per unit of z)"
# plot_deltas switches from bars to a heatmap when a layer has more neurons.
MAX_BARS_PER_LAYER = 32


def _axes(ax, figsize=(6, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def _figure(fig, figsize):
    if fig is None:
        fig = plt.figure(figsize=figsize)
    else:
        fig.clear()
    # Constrained layout keeps the suptitle, panel titles and colour bar apart.
    fig.set_layout_engine("constrained")
    return fig


def _epochs(history):
    if history.epochs == 0:
        raise ValueError("history has no epochs: train for at least one epoch first")
    return np.arange(1, history.epochs + 1)


# -- training curves ----------------------------------------------------------------


def plot_loss(history, ax=None, per_batch=False):
    """Plot the training loss per epoch, and the validation loss if recorded.

    Parameters
    ----------
    history : History
    ax : matplotlib Axes, optional
    per_batch : bool
        Also draw every batch's loss, from ``history.batch_loss``, with the x axis in
        epochs: batch k of an epoch of n batches sits at ``epoch - 1 + (k + 1) / n``.
        Needs a history trained with ``record_batch_loss=True``.

    Returns
    -------
    matplotlib Axes
    """
    epochs = _epochs(history)
    ax = _axes(ax)
    if per_batch:
        if not history.batch_loss:
            raise ValueError(
                "history.batch_loss is empty: train with record_batch_loss=True "
                "to plot the loss per batch"
            )
        num_batches = len(history.batch_loss)
        if num_batches % history.epochs:
            raise ValueError(
                f"history.batch_loss has {num_batches} entries, not a multiple of "
                f"its {history.epochs} epochs"
            )
        per_epoch = num_batches // history.epochs
        positions = np.arange(1, num_batches + 1) / per_epoch
        ax.plot(
            positions,
            history.batch_loss,
            linewidth=0.8,
            alpha=0.5,
            label="training, per batch",
        )
    ax.plot(epochs, history.loss, marker="o", label="training, epoch mean")
    if history.val_loss:
        ax.plot(epochs, history.val_loss, marker="s", label="validation")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(LOSS_LABEL)
    ax.set_title("Loss per batch and per epoch" if per_batch else "Loss per epoch")
    ax.legend()
    return ax


def plot_accuracy(history, ax=None):
    """Plot the training accuracy per epoch, and the validation accuracy if recorded.

    Accuracies are drawn in percent.
    """
    epochs = _epochs(history)
    ax = _axes(ax)
    ax.plot(epochs, 100 * np.asarray(history.accuracy), marker="o", label="training")
    if history.val_accuracy:
        ax.plot(
            epochs,
            100 * np.asarray(history.val_accuracy),
            marker="s",
            label="validation",
        )
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("accuracy (%)")
    ax.set_title("Accuracy per epoch")
    ax.legend()
    return ax


def plot_mean_abs_delta(history, ax=None):
    """Plot each layer's mean |delta| over epochs, one line per layer.

    The y axis is logarithmic when every value is positive, because the layers'
    deltas often differ by orders of magnitude.
    """
    epochs = _epochs(history)
    ax = _axes(ax)
    values = np.asarray(history.mean_abs_delta, dtype=float)
    last = len(history.mean_abs_delta) - 1
    for index, layer_values in enumerate(values):
        name = "output layer" if index == last else "hidden layer"
        ax.plot(epochs, layer_values, marker="o", label=f"layer {index} ({name})")
    if values.size and (values > 0).all():
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel("mean |delta| (nats per unit of z)")
    ax.set_title("Mean absolute delta per layer")
    ax.legend()
    return ax


# -- one backward step --------------------------------------------------------------


def plot_deltas(record, ax=None, kind="auto"):
    """Plot the delta of every neuron of every layer for one backward step.

    Parameters
    ----------
    record : StepRecord
        From ``network.record_step(x, y, learning_rate)``.
    ax : matplotlib Axes, optional
    kind : "auto", "bars" or "heatmap"
        "bars" draws one bar per neuron, the layers side by side in their own
        colours. "heatmap" draws one row per layer, padded with blank cells to the
        widest layer, on a colour scale symmetric around 0. "auto" uses bars unless
        a layer has more than ``MAX_BARS_PER_LAYER`` neurons.

    Returns
    -------
    matplotlib Axes

    NOTE: the heatmap adds a colour bar beside ``ax`` on every call, so a view that
    redraws should clear the figure first (``fig.clear()``) and make a new Axes.
    """
    deltas = [np.asarray(layer.delta, dtype=float).ravel() for layer in record.layers]
    if not deltas:
        raise ValueError("record has no layers")
    if kind == "auto":
        widest = max(len(delta) for delta in deltas)
        kind = "heatmap" if widest > MAX_BARS_PER_LAYER else "bars"
    if kind not in ("bars", "heatmap"):
        raise ValueError(f"kind must be 'auto', 'bars' or 'heatmap', got {kind!r}")
    ax = _axes(ax, figsize=(8, 4))
    names = [
        f"layer {layer.index} ({layer.activation_function})" for layer in record.layers
    ]
    if kind == "bars":
        _delta_bars(ax, deltas, names)
    else:
        _delta_heatmap(ax, deltas, names)
    ax.set_title(f"Deltas of one backward step (loss {record.loss:.4f} nats)")
    return ax


def _delta_bars(ax, deltas, names):
    start = 0
    centres = []
    for delta, name in zip(deltas, names):
        # One blank slot between layers keeps them apart.
        positions = start + np.arange(len(delta))
        ax.bar(positions, delta, label=name)
        centres.append(positions.mean())
        start += len(delta) + 1
    ax.axhline(0, color="black", linewidth=0.8)
    ax.set_xticks(centres, names)
    ax.set_xlabel("neurons, in order within each layer")
    ax.set_ylabel(DELTA_LABEL)
    ax.legend()


def _delta_heatmap(ax, deltas, names):
    widest = max(len(delta) for delta in deltas)
    grid = np.full((len(deltas), widest), np.nan)  # (num_layers, widest layer)
    for row, delta in enumerate(deltas):
        grid[row, : len(delta)] = delta
    limit = np.nanmax(np.abs(grid)) or 1.0
    image = ax.imshow(
        grid,
        aspect="auto",
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        interpolation="nearest",
    )
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("neuron index")
    ax.figure.colorbar(image, ax=ax, label=DELTA_LABEL)


# -- digits and weights -------------------------------------------------------------


def _as_square_image(image):
    image = np.asarray(image)
    if image.ndim == 1:
        side = math.isqrt(image.size)
        if side * side != image.size:
            raise ValueError(
                f"a flat image needs a square number of pixels, got {image.size}"
            )
        image = image.reshape(side, side)  # (784,) -> (28, 28)
    if image.ndim != 2:
        raise ValueError(
            f"image must have shape (height, width) or (pixels,), got {image.shape}"
        )
    return image


def plot_digit(image, ax=None, title=None):
    """Show one digit in grey, dark ink on white.

    Parameters
    ----------
    image : array of shape (28, 28) or (784,)
        uint8 pixels 0..255 or floats in [0, 1]; the grey scale spans that range.
    ax : matplotlib Axes, optional
    title : str, optional

    Returns
    -------
    matplotlib Axes
    """
    image = _as_square_image(image)
    ax = _axes(ax, figsize=(3, 3))
    vmax = 255 if image.dtype == np.uint8 or image.max() > 1 else 1
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=vmax, interpolation="nearest")
    ax.set_xticks([])
    ax.set_yticks([])
    if title is not None:
        ax.set_title(title)
    return ax


def plot_digit_grid(images, labels, predictions=None, ncols=8, fig=None):
    """Show digits in a grid, each titled with its label and, if given, prediction.

    A digit whose prediction differs from its label gets a red title.

    Parameters
    ----------
    images : array of shape (num_images, 28, 28) or (num_images, 784)
    labels : array of shape (num_images,)
    predictions : array of shape (num_images,), optional
    ncols : int
    fig : matplotlib Figure, optional
        Cleared and reused.

    Returns
    -------
    matplotlib Figure
    """
    images = np.asarray(images)
    labels = np.asarray(labels)
    if len(images) == 0:
        raise ValueError("images is empty: pass at least one image")
    if len(labels) != len(images):
        raise ValueError(f"{len(images)} images but {len(labels)} labels")
    if predictions is not None:
        predictions = np.asarray(predictions)
        if len(predictions) != len(images):
            raise ValueError(f"{len(images)} images but {len(predictions)} predictions")
    ncols = min(ncols, len(images))
    nrows = math.ceil(len(images) / ncols)
    fig = _figure(fig, figsize=(1.3 * ncols, 1.6 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    for index, ax in enumerate(axes.flat):
        if index >= len(images):
            ax.set_axis_off()
            continue
        title = f"label {labels[index]}"
        color = "black"
        if predictions is not None:
            title += f"\npredicted {predictions[index]}"
            if predictions[index] != labels[index]:
                color = "red"
        plot_digit(images[index], ax=ax)
        ax.set_title(title, fontsize=9, color=color)
    fig.suptitle("Digits" if predictions is None else "Digits: label and prediction")
    return fig


def plot_first_layer_weights(network, num_neurons=16, fig=None):
    """Show the first layer's weights of each neuron as an image of the input.

    Each of the first ``num_neurons`` neurons gets a panel: its weight vector
    reshaped to the input image (784 -> 28x28), red for positive and blue for
    negative weights, on a scale symmetric around 0 shared by all panels.

    Returns
    -------
    matplotlib Figure
    """
    weights = np.asarray(network.layers[0].weights)  # (num_neurons, num_inputs)
    side = math.isqrt(weights.shape[1])
    if side * side != weights.shape[1]:
        raise ValueError(
            f"the first layer has {weights.shape[1]} inputs, not a square image: "
            "plot_first_layer_weights needs square images such as 28x28 = 784"
        )
    if not isinstance(num_neurons, (int, np.integer)) or num_neurons < 1:
        raise ValueError(f"num_neurons must be an integer >= 1, got {num_neurons!r}")
    shown = weights[:num_neurons]
    ncols = min(8, len(shown))
    nrows = math.ceil(len(shown) / ncols)
    fig = _figure(fig, figsize=(1.4 * ncols + 1, 1.6 * nrows + 0.5))
    axes = fig.subplots(nrows, ncols, squeeze=False)
    limit = np.abs(shown).max() or 1.0
    image = None
    for index, ax in enumerate(axes.flat):
        ax.set_xticks([])
        ax.set_yticks([])
        if index >= len(shown):
            ax.set_axis_off()
            continue
        image = ax.imshow(
            shown[index].reshape(side, side),  # (num_inputs,) -> (side, side)
            cmap="RdBu_r",
            vmin=-limit,
            vmax=limit,
            interpolation="nearest",
        )
        ax.set_title(f"neuron {index}", fontsize=9)
    fig.suptitle("First-layer weights per neuron, as input images")
    fig.colorbar(image, ax=axes.ravel().tolist(), label="weight")
    return fig


# -- one prediction and many ----------------------------------------------------------


def plot_probabilities(probabilities, true_label=None, ax=None, class_names=None):
    """Plot one input's predicted probability per class as bars.

    The predicted class (the largest probability) is orange; the true class, if
    given, has a black outline, and the title states whether the prediction is right.

    Parameters
    ----------
    probabilities : array of shape (num_classes,)
    true_label : int, optional
    ax : matplotlib Axes, optional
    class_names : sequence of str, optional
        Tick labels; the class indices by default.

    Returns
    -------
    matplotlib Axes
    """
    probabilities = np.asarray(probabilities, dtype=float)
    if probabilities.ndim != 1:
        raise ValueError(
            "probabilities must have shape (num_classes,) for one input, got "
            f"{probabilities.shape}"
        )
    num_classes = len(probabilities)
    names = _class_names(class_names, num_classes)
    if true_label is not None and not 0 <= true_label < num_classes:
        raise ValueError(f"true_label {true_label!r} is outside 0..{num_classes - 1}")
    predicted = int(np.argmax(probabilities))
    ax = _axes(ax)
    colors = ["tab:blue"] * num_classes
    colors[predicted] = "tab:orange"
    bars = ax.bar(range(num_classes), probabilities, color=colors)
    title = f"Predicted {names[predicted]} ({probabilities[predicted]:.1%})"
    if true_label is not None:
        bars[true_label].set_edgecolor("black")
        bars[true_label].set_linewidth(2)
        verdict = "right" if predicted == true_label else "wrong"
        title += f", true {names[true_label]}: {verdict}"
    ax.set_xticks(range(num_classes), names)
    ax.set_ylim(0, 1)
    ax.set_xlabel("class")
    ax.set_ylabel("predicted probability")
    ax.set_title(title)
    return ax


def plot_confusion_matrix(y_true, y_pred, ax=None, class_names=None):
    """Plot the confusion matrix with a count in every cell.

    Rows are the true classes, columns the predicted ones, so the diagonal holds
    the correct predictions.

    Returns
    -------
    matplotlib Axes
    """
    num_classes = None if class_names is None else len(class_names)
    counts = confusion_matrix(y_true, y_pred, num_classes)
    names = _class_names(class_names, len(counts))
    ax = _axes(ax, figsize=(6, 5))
    image = ax.imshow(counts, cmap="Blues", interpolation="nearest")
    threshold = counts.max() / 2
    for (row, column), count in np.ndenumerate(counts):
        color = "white" if count > threshold else "black"
        ax.text(column, row, str(count), ha="center", va="center", color=color)
    ax.set_xticks(range(len(names)), names)
    ax.set_yticks(range(len(names)), names)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title(f"Confusion matrix ({accuracy:.1%} correct)")
    ax.figure.colorbar(image, ax=ax, label="samples")
    return ax


def _class_names(class_names, num_classes):
    if class_names is None:
        return [str(index) for index in range(num_classes)]
    names = [str(name) for name in class_names]
    if len(names) != num_classes:
        raise ValueError(f"{len(names)} class_names for {num_classes} classes")
    return names


# -- lessons 1 to 4: a neuron, activations, the loss ---------------------------------


def plot_decision_line(weights, bias, points, labels=None, ax=None):
    """Plot 2-D points and the line where a neuron's z = w . x + b is 0.

    The neuron's z is positive on the shaded side of the line. Points are coloured
    by ``labels`` (0 or 1, say) if given.

    Parameters
    ----------
    weights : array of shape (2,)
    bias : float
    points : array of shape (num_points, 2)
    labels : array of shape (num_points,), optional
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    weights = np.asarray(weights, dtype=float)
    points = np.asarray(points, dtype=float)
    if weights.shape != (2,):
        raise ValueError(f"weights must have shape (2,), got {weights.shape}")
    if points.ndim != 2 or points.shape[1] != 2:
        raise ValueError(f"points must have shape (num_points, 2), got {points.shape}")
    if not weights.any():
        raise ValueError("weights are all 0, so z is constant and there is no line")
    ax = _axes(ax, figsize=(5, 5))
    margin = 0.5
    low = points.min(axis=0) - margin
    high = points.max(axis=0) + margin

    # Shade z > 0 on a grid, then draw the line z = 0 itself.
    grid_x, grid_y = np.meshgrid(
        np.linspace(low[0], high[0], 200), np.linspace(low[1], high[1], 200)
    )
    z = weights[0] * grid_x + weights[1] * grid_y + bias
    ax.contourf(
        grid_x, grid_y, z > 0, levels=[0.5, 1.5], colors=["tab:orange"], alpha=0.15
    )
    if weights[1] != 0:
        line_x = np.array([low[0], high[0]])
        line_y = -(weights[0] * line_x + bias) / weights[1]
    else:
        line_x = np.full(2, -bias / weights[0])
        line_y = np.array([low[1], high[1]])
    ax.plot(line_x, line_y, color="black", label="z = 0")

    if labels is None:
        ax.scatter(points[:, 0], points[:, 1], color="tab:blue")
    else:
        labels = np.asarray(labels)
        for label in np.unique(labels):
            chosen = points[labels == label]
            ax.scatter(chosen[:, 0], chosen[:, 1], label=f"class {label}")
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    ax.set_xlabel("input x1 (no unit)")
    ax.set_ylabel("input x2 (no unit)")
    ax.set_title(
        f"Neuron w = ({weights[0]:.2f}, {weights[1]:.2f}), b = {bias:.2f}: z > 0 shaded"
    )
    ax.legend(loc="best")
    return ax


def plot_activation_functions(names=("relu",), z=None, ax=None, derivative=False):
    """Plot activation functions of one neuron against z.

    Parameters
    ----------
    names : sequence of str
        "relu", "sigmoid", "tanh" or "linear" (softmax mixes a layer's neurons and
        has its own lesson plot, :func:`plot_probabilities`).
    z : array of shape (num_points,), optional
        Where to evaluate; -5..5 by default.
    ax : matplotlib Axes, optional
    derivative : bool
        Also draw each derivative, dashed.

    Returns
    -------
    matplotlib Axes
    """
    if isinstance(names, str):
        names = (names,)
    if "softmax" in names:
        raise ValueError(
            "softmax is not a function of one z: plot its probabilities with "
            "plot_probabilities(softmax(logits))"
        )
    z = np.linspace(-5, 5, 401) if z is None else np.asarray(z, dtype=float)
    ax = _axes(ax)
    for name in names:
        output = apply_activation(name, z)
        (line,) = ax.plot(z, output, label=name)
        if derivative:
            ax.plot(
                z,
                _derivative_of(name, z, output),
                linestyle="--",
                color=line.get_color(),
                label=f"{name} derivative",
            )
    ax.axhline(0, color="grey", linewidth=0.6)
    ax.axvline(0, color="grey", linewidth=0.6)
    ax.set_xlabel("pre-activation z")
    ylabel = "output a = f(z)"
    if derivative:
        ylabel += ", and f'(z) dashed"
    ax.set_ylabel(ylabel)
    ax.set_title("Activation functions")
    ax.legend()
    return ax


def _derivative_of(name, z, output):
    if name == "relu":
        return relu_derivative(z)
    if name == "sigmoid":
        return output * (1 - output)
    if name == "tanh":
        return 1 - output**2
    return np.ones_like(z)


def plot_cross_entropy(ax=None, log_scale=False, epsilon=CLIP_EPSILON):
    """Plot the loss -ln(p) against the probability p given to the true class.

    The curve is the loss of one sample whose one-hot target picks the class that
    got probability p, with p clipped to ``[epsilon, 1 - epsilon]`` as scribble's
    loss does.

    Parameters
    ----------
    ax : matplotlib Axes, optional
    log_scale : bool
        False draws p from 0.001 to 1 on a linear axis. True draws p from 1e-16 to 1
        on a log axis, which shows the loss levelling off at -ln(epsilon) where
        clipping starts.
    epsilon : float
        The clipping bound, scribble's ``CLIP_EPSILON`` by default.

    Returns
    -------
    matplotlib Axes
    """
    if not 0 < epsilon < 0.5:
        raise ValueError(f"epsilon must be between 0 and 0.5, got {epsilon!r}")
    ax = _axes(ax)
    if log_scale:
        p = np.logspace(-16, 0, 400)
    else:
        p = np.linspace(0.001, 1, 400)
    loss = -np.log(np.clip(p, epsilon, 1 - epsilon))
    ax.plot(p, loss, label="-ln(clip(p))")
    if log_scale:
        ax.set_xscale("log")
        ax.axvline(epsilon, linestyle=":", color="grey", label=f"p = {epsilon:g}")
    ax.set_xlabel("predicted probability of the true class, p")
    ax.set_ylabel(LOSS_LABEL)
    ax.set_title("Categorical cross-entropy of one sample")
    ax.legend()
    return ax


# -- lessons 7 and 8: calibration and comparing runs -------------------------------

HISTORY_METRICS = {
    "loss": LOSS_LABEL,
    "val_loss": "validation " + LOSS_LABEL,
    "accuracy": "training accuracy (%)",
    "val_accuracy": "validation accuracy (%)",
}


def plot_reliability(table, ax=None):
    """Plot accuracy against confidence per bin of a reliability table.

    Bars show each non-empty bin's accuracy at its mean confidence; the dashed
    diagonal is perfect calibration, where the two are equal. A bar below the
    diagonal means the network was more confident than it was right.

    Parameters
    ----------
    table : scribble.evaluation.ReliabilityTable
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    edges = np.asarray(table.bin_edges) * 100  # in percent, like the axes
    filled = np.asarray(table.counts) > 0
    ax = _axes(ax, figsize=(5, 5))
    ax.bar(
        edges[:-1][filled],
        np.asarray(table.accuracy)[filled] * 100,
        width=np.diff(edges)[filled],
        align="edge",
        edgecolor="black",
        alpha=0.7,
        label="accuracy in the bin",
    )
    ax.plot(
        np.asarray(table.mean_confidence)[filled] * 100,
        np.asarray(table.accuracy)[filled] * 100,
        "o",
        color="tab:orange",
        label="(mean confidence, accuracy)",
    )
    ax.plot([0, 100], [0, 100], "--", color="grey", label="perfectly calibrated")
    ax.set_xlim(0, 100)
    ax.set_ylim(0, 100)
    ax.set_xlabel("confidence: largest predicted probability (%)")
    ax.set_ylabel("accuracy (%)")
    ax.set_title(
        f"Reliability (calibration error {table.expected_calibration_error:.1%})"
    )
    ax.legend(loc="upper left")
    return ax


def plot_histories(histories, metric="loss", ax=None, log_scale=False):
    """Plot one metric per epoch for several training runs on one Axes.

    Parameters
    ----------
    histories : dict of str to History
        The run's name (the legend entry) to its history.
    metric : "loss", "val_loss", "accuracy" or "val_accuracy"
        Accuracies are drawn in percent.
    ax : matplotlib Axes, optional
    log_scale : bool
        A log y axis, for losses that differ by orders of magnitude.

    Returns
    -------
    matplotlib Axes
    """
    if metric not in HISTORY_METRICS:
        raise ValueError(
            f"metric must be one of {sorted(HISTORY_METRICS)}, got {metric!r}"
        )
    if not histories:
        raise ValueError("histories is empty: pass a dict of name to History")
    ax = _axes(ax)
    for name, history in histories.items():
        values = np.asarray(getattr(history, metric), dtype=float)
        if values.size == 0:
            raise ValueError(
                f"history {name!r} has no {metric}: train it with validation_data"
            )
        if "accuracy" in metric:
            values = values * 100
        ax.plot(np.arange(1, len(values) + 1), values, marker="o", label=name)
    if log_scale:
        ax.set_yscale("log")
    ax.set_xlabel("epoch")
    ax.set_ylabel(HISTORY_METRICS[metric])
    ax.set_title(f"{HISTORY_METRICS[metric].split(' (')[0].capitalize()} per epoch")
    ax.legend()
    return ax


def plot_output_spread(spreads, ax=None):
    """Plot the standard deviation of each layer's output, one line per network.

    Parameters
    ----------
    spreads : dict of str to array of shape (num_layers,)
        A name (the legend entry) to the spreads that
        :func:`scribble.initialization.output_spread` returns. The last entry,
        the output layer's probabilities, is left out because softmax bounds it.
    ax : matplotlib Axes, optional

    Returns
    -------
    matplotlib Axes
    """
    if not spreads:
        raise ValueError("spreads is empty: pass a dict of name to spreads per layer")
    ax = _axes(ax)
    for name, values in spreads.items():
        hidden = np.asarray(values, dtype=float)[:-1]
        ax.plot(np.arange(len(hidden)), hidden, marker="o", label=name)
    ax.set_yscale("log")
    ax.set_xlabel("hidden layer (0 = first)")
    ax.set_ylabel("standard deviation of the layer's output")
    ax.set_title("Spread of the activations per layer")
    ax.legend()
    return ax
