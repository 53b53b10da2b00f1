"""What training returns: losses, accuracies and per-layer signals over epochs."""

from dataclasses import dataclass, field

__all__ = ["History"]


@dataclass
class History:
    """Training history, one entry per epoch unless stated otherwise.

    Attributes
    ----------
    loss : list of float
        Mean cross-entropy over the epoch's training samples, each measured in the
        forward pass just before its own update.
    accuracy : list of float
        Fraction of the epoch's training samples classified correctly in that same
        forward pass.
    val_loss, val_accuracy : list of float
        Loss and accuracy on ``validation_data`` after each epoch; empty without it.
    batch_loss : list of float
        Mean loss of every batch in order, filled only with ``record_batch_loss=True``.
    mean_abs_delta : list of list of float
        ``mean_abs_delta[layer][epoch]``: mean of |delta| of that layer over the
        epoch's samples, where delta is dL/dz.
    gradient_norm : list of list of float
        ``gradient_norm[layer][epoch]``: mean over the epoch's batches of the
        Euclidean norm of that layer's (d_weights, d_biases).
    """

    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    val_loss: list = field(default_factory=list)
    val_accuracy: list = field(default_factory=list)
    batch_loss: list = field(default_factory=list)
    mean_abs_delta: list = field(default_factory=list)
    gradient_norm: list = field(default_factory=list)

    @property
    def epochs(self):
        """Number of completed epochs."""
        return len(self.loss)

    def to_dict(self):
        """Plain dict of lists, for JSON."""
        return {name: list(value) for name, value in self.__dict__.items()}
