"""Training one epoch at a time, kept for the training explorer.

:func:`record_training` trains a network exactly as one ``network.train`` call would,
but epoch by epoch, and after each epoch records a step without update on one fixed
sample, so the explorer can show that sample's deltas shrinking. :func:`epoch_steps`
turns the run into one :class:`~scribble.steps.Step` per epoch: the loss curve up to
that epoch, the epoch's mean |delta| per layer and the fixed sample's output delta.
"""

from dataclasses import dataclass

import numpy as np

from ._random import as_generator
from .history import History
from .steps import BAR_COLOR, Step, bar_chart, format_number

__all__ = ["TrainingTrace", "epoch_steps", "record_training"]


@dataclass
class TrainingTrace:
    """A training run kept epoch by epoch, for the training explorer.

    Attributes
    ----------
    history : History
        The run's history, the same as one ``network.train`` call would return.
    snapshots : list of StepRecord
        ``snapshots[e]`` is a step recorded without an update on the fixed sample
        after ``e`` epochs; ``snapshots[0]`` is from before training.
    learning_rate : float
    sample_label : int
        The class of the fixed sample.
    """

    history: History
    snapshots: list
    learning_rate: float
    sample_label: int

    @property
    def epochs(self):
        """Number of epochs trained."""
        return self.history.epochs


def _append_epoch(history, epoch_history):
    """Append the one epoch of ``epoch_history`` to ``history``."""
    for name in ("loss", "accuracy", "val_loss", "val_accuracy", "batch_loss"):
        getattr(history, name).extend(getattr(epoch_history, name))
    for per_layer, epoch_values in zip(
        history.mean_abs_delta, epoch_history.mean_abs_delta
    ):
        per_layer.extend(epoch_values)
    for per_layer, epoch_values in zip(
        history.gradient_norm, epoch_history.gradient_norm
    ):
        per_layer.extend(epoch_values)


def _epoch_line(history, epoch, epochs):
    line = (
        f"Epoch {epoch}/{epochs}, Loss: {history.loss[-1]:.4f}, "
        f"Accuracy: {history.accuracy[-1]:.4f}"
    )
    if history.val_loss:
        line += (
            f", Val loss: {history.val_loss[-1]:.4f}, "
            f"Val accuracy: {history.val_accuracy[-1]:.4f}"
        )
    return line


def record_training(
    network,
    X,
    y,
    epochs,
    learning_rate,
    sample=None,
    seed=None,
    verbose=1,
    **train_options,
):
    """Train ``network`` one epoch at a time and snapshot its deltas after each.

    The training is the same as ``network.train(X, y, epochs, learning_rate,
    seed=seed, **train_options)``: one generator made from ``seed`` shuffles every
    epoch, so the weights and the history match one multi-epoch call. After each
    epoch (and once before the first) the network records one step on ``sample``
    with ``update=False``, which leaves the weights as they are.

    Parameters
    ----------
    network : NeuralNetwork
    X : array of shape (num_samples, num_inputs)
    y : array of shape (num_samples,) with labels, or (num_samples, num_classes)
    epochs : int >= 1
    learning_rate : float > 0
    sample : (x, label), optional
        The fixed sample whose deltas the explorer shows, ``x`` of shape
        (num_inputs,); the default is ``(X[0], y[0])``.
    seed : int, numpy.random.Generator or None
        Seeds the shuffling when ``shuffle=True`` is among ``train_options``.
    verbose : int
        1 prints one line per epoch, 0 nothing.
    **train_options
        ``batch_size``, ``shuffle``, ``validation_data``, ``record_batch_loss``:
        passed to :meth:`NeuralNetwork.train`.

    Returns
    -------
    TrainingTrace
    """
    if isinstance(epochs, bool) or not isinstance(epochs, (int, np.integer)):
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    if epochs < 1:
        raise ValueError(f"epochs must be an integer >= 1, got {epochs!r}")
    for name in ("epochs", "verbose", "seed"):
        train_options.pop(name, None)
    if sample is None:
        sample = (np.asarray(X)[0], np.asarray(y)[0])
    x_sample, y_sample = sample
    sample_target = network.sample_target(y_sample)
    generator = as_generator(seed) if seed is not None else None

    history = History(
        mean_abs_delta=[[] for _ in network.layers],
        gradient_norm=[[] for _ in network.layers],
    )
    snapshots = [network.record_step(x_sample, y_sample, learning_rate, update=False)]
    for epoch in range(1, epochs + 1):
        epoch_history = network.train(
            X, y, 1, learning_rate, seed=generator, verbose=0, **train_options
        )
        _append_epoch(history, epoch_history)
        snapshots.append(
            network.record_step(x_sample, y_sample, learning_rate, update=False)
        )
        if verbose:
            print(_epoch_line(history, epoch, epochs), flush=True)
    return TrainingTrace(
        history=history,
        snapshots=snapshots,
        learning_rate=float(learning_rate),
        sample_label=int(np.argmax(sample_target)),
    )


def _epoch_step(trace, epoch, limits):
    history = trace.history
    snapshot = trace.snapshots[epoch]
    num_layers = len(history.mean_abs_delta)
    mean_abs_delta = [
        history.mean_abs_delta[layer][epoch - 1] for layer in range(num_layers)
    ]
    output_delta = snapshot.layers[-1].delta

    numbers = {
        "epoch": epoch,
        "loss": history.loss[epoch - 1],
        "accuracy": history.accuracy[epoch - 1],
    }
    if history.val_loss:
        numbers["val_loss"] = history.val_loss[epoch - 1]
        numbers["val_accuracy"] = history.val_accuracy[epoch - 1]
    for layer, value in enumerate(mean_abs_delta):
        numbers[f"mean |delta| layer {layer}"] = value
    numbers["sample output delta"] = output_delta

    delta_terms = r",\quad ".join(
        rf"\overline{{|\delta^{{({layer})}}|}} = {format_number(value)}"
        for layer, value in enumerate(mean_abs_delta)
    )
    formula = (
        rf"\text{{epoch {epoch}:}}\quad L = \frac{{1}}{{N}}\sum_n L_n = "
        rf"{format_number(numbers['loss'])},\quad {delta_terms}"
    )

    def plot(fig):
        loss_ax, delta_ax, sample_ax = fig.subplots(1, 3)
        epochs_so_far = np.arange(1, epoch + 1)
        loss_ax.plot(epochs_so_far, history.loss[:epoch], marker="o", label="training")
        if history.val_loss:
            loss_ax.plot(
                epochs_so_far, history.val_loss[:epoch], marker="o", label="validation"
            )
        loss_ax.set_xlim(0.5, trace.epochs + 0.5)
        loss_ax.set_ylim(0, limits["loss"])
        loss_ax.set_xlabel("epoch")
        loss_ax.set_ylabel("cross-entropy loss (nats)")
        loss_ax.set_title(f"Loss up to epoch {epoch}")
        loss_ax.legend()

        delta_ax.bar(
            [f"layer {layer}" for layer in range(num_layers)],
            mean_abs_delta,
            color=BAR_COLOR,
        )
        delta_ax.set_ylim(0, limits["mean_abs_delta"])
        delta_ax.set_ylabel("mean |delta| over the epoch")
        delta_ax.set_title(f"Mean |delta| per layer, epoch {epoch}")

        bar_chart(
            sample_ax,
            output_delta,
            f"Output delta of one sample (label {trace.sample_label})",
            "delta = p - y",
            trace.sample_label,
        )
        sample_ax.set_xlabel("class")
        sample_ax.set_ylim(-limits["sample_delta"], limits["sample_delta"])

    return Step(
        name=f"epoch {epoch} of {trace.epochs}",
        formula=formula,
        numbers=numbers,
        kind="epoch",
        layer=None,
        plot=plot,
    )


def epoch_steps(trace):
    """Return one :class:`Step` per trained epoch of ``trace``, epoch 1 first.

    Each step shows the loss curve up to its epoch, the epoch's mean |delta| per
    layer and the fixed sample's output delta after it. The axes limits are the
    same for every epoch, so moving between epochs shows the values shrink.
    """
    if not isinstance(trace, TrainingTrace):
        raise TypeError(
            "epoch_steps needs the TrainingTrace that record_training returns, got "
            f"{type(trace).__name__}"
        )
    history = trace.history
    all_deltas = [value for per_layer in history.mean_abs_delta for value in per_layer]
    sample_deltas = [np.max(np.abs(s.layers[-1].delta)) for s in trace.snapshots]
    limits = {
        "loss": 1.05 * max(history.loss + history.val_loss),
        "mean_abs_delta": 1.05 * max(all_deltas) or 1.0,
        "sample_delta": 1.05 * max(sample_deltas) or 1.0,
    }
    return [_epoch_step(trace, epoch, limits) for epoch in range(1, trace.epochs + 1)]
