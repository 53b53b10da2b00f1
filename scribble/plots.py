"""Plots for lessons and the command line.

Every function takes data or a training :class:`~scribble.History`, draws on the
given matplotlib ``ax`` (or a new figure when ``ax`` is None), and returns the Axes.
Nothing here needs a notebook, so the same plots work in a terminal.
"""

import matplotlib.pyplot as plt

__all__ = ["plot_loss"]


def _axes(ax, figsize=(6, 4)):
    if ax is None:
        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_loss(history, ax=None):
    """Plot the training loss per epoch, and the validation loss if recorded."""
    ax = _axes(ax)
    epochs = range(1, history.epochs + 1)
    ax.plot(epochs, history.loss, marker="o", label="training")
    if history.val_loss:
        ax.plot(epochs, history.val_loss, marker="o", label="validation")
    ax.set_xlabel("epoch")
    ax.set_ylabel("cross-entropy loss (nats)")
    ax.set_title("Loss per epoch")
    ax.legend()
    return ax
