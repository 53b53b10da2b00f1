"""Gradient health: how each layer's learning signal evolves during training.

When a network does not learn, the loss curve only says *that* something is wrong.
Three numbers per layer usually say *where*:

- the **delta norm**, the mean over a probe batch of ``||delta||`` with ``delta =
  dL/dz``: near 0 means the layer receives no learning signal (vanishing), huge
  values mean it explodes;
- the **dead fraction** of a ReLU layer, the share of its units whose output is 0 on
  every sample of the probe batch: a dead unit has a zero derivative everywhere the
  data goes, so it never learns again;
- the **update-to-weight ratio** ``||learning_rate * d_weights|| / ||weights||``
  (Frobenius norms, gradient averaged over the probe batch): a rule of thumb says
  about 1e-3 is healthy; 1e-1 and above rewrites the weights each step, 1e-6 and
  below freezes them.

:func:`train_with_health` trains with :meth:`NeuralNetwork.train` in chunks and
measures between chunks on a fixed probe batch, so the training loop itself is the
unchanged one. The measurement runs a forward and a backward pass without an
update: it changes the layers' stored ``inputs``, ``delta`` and ``d_weights`` but
never their weights.
"""

import math
from dataclasses import dataclass, field

import numpy as np

from ._random import as_generator
from .network import TrainingDivergedError

__all__ = [
    "HealthHistory",
    "HealthSnapshot",
    "measure_health",
    "plot_health",
    "train_with_health",
]

# Update-to-weight ratios around this value are the usual sign of a healthy step size.
HEALTHY_UPDATE_RATIO = 1e-3


@dataclass
class HealthSnapshot:
    """The health of every layer at one moment, measured on a probe batch.

    Lists have one entry per layer, layer 0 first. ``dead_fraction`` is NaN for
    layers that do not use ReLU.
    """

    loss: float
    accuracy: float
    delta_norm: list
    dead_fraction: list
    update_ratio: list


@dataclass
class HealthHistory:
    """Health snapshots over training.

    Attributes
    ----------
    samples_seen : list of int
        Training samples processed before each snapshot; the first snapshot is taken
        before training (0).
    loss, accuracy : list of float
        Cross-entropy and accuracy on the probe batch at each snapshot.
    delta_norm, dead_fraction, update_ratio : list of list of float
        ``delta_norm[layer][snapshot]`` and likewise; see the module docstring.
    learning_rate : float
    stopped : str or None
        The message of the :class:`~scribble.TrainingDivergedError` that ended
        training early, or None when every epoch completed.
    """

    learning_rate: float
    samples_seen: list = field(default_factory=list)
    loss: list = field(default_factory=list)
    accuracy: list = field(default_factory=list)
    delta_norm: list = field(default_factory=list)
    dead_fraction: list = field(default_factory=list)
    update_ratio: list = field(default_factory=list)
    stopped: str = None

    @property
    def num_layers(self):
        return len(self.delta_norm)

    def append(self, samples_seen, snapshot):
        """Add one :class:`HealthSnapshot` taken after ``samples_seen`` samples."""
        if not self.delta_norm:
            num_layers = len(snapshot.delta_norm)
            self.delta_norm = [[] for _ in range(num_layers)]
            self.dead_fraction = [[] for _ in range(num_layers)]
            self.update_ratio = [[] for _ in range(num_layers)]
        self.samples_seen.append(int(samples_seen))
        self.loss.append(snapshot.loss)
        self.accuracy.append(snapshot.accuracy)
        for index in range(len(snapshot.delta_norm)):
            self.delta_norm[index].append(snapshot.delta_norm[index])
            self.dead_fraction[index].append(snapshot.dead_fraction[index])
            self.update_ratio[index].append(snapshot.update_ratio[index])

    def summary(self):
        """Return one line per layer with its first and last values, for printing."""
        lines = []
        for index in range(self.num_layers):
            dead = self.dead_fraction[index]
            dead_text = (
                "not ReLU"
                if math.isnan(dead[-1])
                else f"{dead[0]:.1%} -> {dead[-1]:.1%}"
            )
            lines.append(
                f"layer {index}: delta norm {self.delta_norm[index][0]:.3e} -> "
                f"{self.delta_norm[index][-1]:.3e}, dead {dead_text}, update ratio "
                f"{self.update_ratio[index][0]:.1e} -> "
                f"{self.update_ratio[index][-1]:.1e}"
            )
        if self.stopped:
            lines.append(f"stopped early: {self.stopped}")
        return "\n".join(lines)


def measure_health(network, X_probe, y_probe, learning_rate):
    """Measure every layer's health on a probe batch, without updating the weights.

    Parameters
    ----------
    network : NeuralNetwork
    X_probe : array of shape (probe_size, num_inputs)
    y_probe : class labels of shape (probe_size,) or one-hot rows
    learning_rate : float
        The step size whose update-to-weight ratio is reported.

    Returns
    -------
    HealthSnapshot
    """
    X_probe = np.asarray(X_probe)
    if X_probe.ndim != 2 or len(X_probe) == 0:
        raise ValueError(
            f"X_probe must be a non-empty batch of shape (probe_size, num_inputs), "
            f"got shape {X_probe.shape}"
        )
    if not learning_rate > 0:
        raise ValueError(f"learning_rate must be > 0, got {learning_rate!r}")
    targets = network.targets_for(y_probe)
    if len(targets) != len(X_probe):
        raise ValueError(
            f"X_probe has {len(X_probe)} samples but y_probe has {len(targets)}"
        )

    # Forward and backward on the whole probe batch; no layer.update().
    predicted = network.forward(X_probe)
    loss = network.loss(predicted, targets)
    accuracy = float(np.mean(np.argmax(predicted, 1) == np.argmax(targets, 1)))
    delta = network.calc_loss_delta(predicted, targets)
    for layer in reversed(network.layers):
        delta = layer.backward(delta, learning_rate)

    delta_norm, dead_fraction, update_ratio = [], [], []
    for layer in network.layers:
        # layer.delta: (probe_size, num_neurons); one norm per sample, then the mean.
        delta_norm.append(float(np.mean(np.linalg.norm(layer.delta, axis=1))))
        if layer.activation_function == "relu":
            never_active = ~(layer.output > 0).any(axis=0)  # (num_neurons,)
            dead_fraction.append(float(np.mean(never_active)))
        else:
            dead_fraction.append(math.nan)
        weight_norm = float(np.linalg.norm(layer.weights))
        update_norm = learning_rate * float(np.linalg.norm(layer.d_weights))
        update_ratio.append(update_norm / weight_norm if weight_norm else math.inf)
    return HealthSnapshot(
        loss=float(loss),
        accuracy=accuracy,
        delta_norm=delta_norm,
        dead_fraction=dead_fraction,
        update_ratio=update_ratio,
    )


def train_with_health(
    network,
    X,
    y,
    epochs,
    learning_rate,
    batch_size=1,
    checks_per_epoch=4,
    probe=None,
    probe_size=256,
    shuffle=False,
    seed=None,
):
    """Train ``network`` and take a health snapshot before training and after chunks.

    Each epoch is cut into ``checks_per_epoch`` chunks whose boundaries fall on
    whole batches, and each chunk is trained by ``network.train(chunk, epochs=1,
    ...)``. The updates are therefore exactly those of one
    ``network.train(X, y, epochs, learning_rate, batch_size, shuffle, seed=seed)``
    call: same batches, same order, same weights at the end.

    Parameters
    ----------
    network : NeuralNetwork
    X : array of shape (num_samples, num_inputs)
    y : class labels of shape (num_samples,) or one-hot rows
    epochs : int >= 1
    learning_rate : float > 0
    batch_size : int >= 1
    checks_per_epoch : int >= 1
        Snapshots per epoch, after the first one taken before training.
    probe : (X_probe, y_probe), optional
        The batch that every snapshot measures; by default the first
        ``probe_size`` training samples.
    probe_size : int >= 1
    shuffle : bool
        Reshuffle before each epoch, drawing the order as ``network.train`` does.
    seed : int, numpy.random.Generator or None
        Source of the shuffling order.

    Returns
    -------
    HealthHistory
        If training diverges, the history ends with the last finite state and
        ``stopped`` contains the error message.
    """
    for name, value in (
        ("epochs", epochs),
        ("batch_size", batch_size),
        ("checks_per_epoch", checks_per_epoch),
        ("probe_size", probe_size),
    ):
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
        if value < 1:
            raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    X = np.asarray(X)
    y = np.asarray(y)
    if X.ndim != 2:
        raise ValueError(f"X must have shape (num_samples, num_inputs), got {X.shape}")
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} samples but y has {len(y)}")
    X_probe, y_probe = probe if probe is not None else (X[:probe_size], y[:probe_size])
    rng = as_generator(seed)

    history = HealthHistory(learning_rate=float(learning_rate))
    history.append(0, measure_health(network, X_probe, y_probe, learning_rate))
    num_batches = math.ceil(len(X) / batch_size)
    # Chunk boundaries in batches: 0 = b_0 < b_1 < ... = num_batches.
    boundaries = np.unique(np.linspace(0, num_batches, checks_per_epoch + 1).round())
    samples_seen = 0
    for _ in range(epochs):
        order = rng.permutation(len(X)) if shuffle else np.arange(len(X))
        for first, last in zip(boundaries[:-1], boundaries[1:]):
            chunk = order[int(first) * batch_size : int(last) * batch_size]
            try:
                network.train(
                    X[chunk],
                    y[chunk],
                    epochs=1,
                    learning_rate=learning_rate,
                    batch_size=batch_size,
                    verbose=0,
                )
            except TrainingDivergedError as error:
                history.stopped = str(error)
                return history
            samples_seen += len(chunk)
            snapshot = measure_health(network, X_probe, y_probe, learning_rate)
            history.append(samples_seen, snapshot)
    return history


def plot_health(health, axes=None):
    """Plot probe loss, delta norm, dead fraction and update ratio per layer.

    Parameters
    ----------
    health : HealthHistory
    axes : sequence of 4 matplotlib Axes, optional
        A new 2x2 figure when None.

    Returns
    -------
    numpy array of the 4 Axes
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(2, 2, figsize=(10, 6.5), constrained_layout=True)
    axes = np.asarray(axes).ravel()
    if axes.size != 4:
        raise ValueError(f"plot_health needs 4 axes, got {axes.size}")
    seen = health.samples_seen
    loss_ax, delta_ax, dead_ax, ratio_ax = axes

    loss_ax.plot(seen, health.loss, marker=".", color="black")
    loss_ax.set_title("Probe loss")
    loss_ax.set_ylabel("cross-entropy (nats)")
    for index in range(health.num_layers):
        label = f"layer {index}"
        delta_ax.plot(seen, health.delta_norm[index], marker=".", label=label)
        ratio_ax.plot(seen, health.update_ratio[index], marker=".", label=label)
        if not all(math.isnan(value) for value in health.dead_fraction[index]):
            dead_ax.plot(seen, health.dead_fraction[index], marker=".", label=label)
    delta_ax.set_title("Mean delta norm ||dL/dz||")
    delta_ax.set_yscale("log")
    dead_ax.set_title("Dead ReLU units (never active on the probe)")
    dead_ax.set_ylabel("fraction of units")
    dead_ax.set_ylim(-0.02, 1.02)
    ratio_ax.set_title("Update-to-weight ratio")
    ratio_ax.set_yscale("log")
    ratio_ax.axhline(HEALTHY_UPDATE_RATIO, color="gray", linestyle="--", linewidth=1)
    for ax in axes:
        ax.set_xlabel("training samples seen")
    for ax in (delta_ax, dead_ax, ratio_ax):
        if ax.lines:
            ax.legend(fontsize="small")
    if health.stopped:
        loss_ax.set_title("Probe loss (training diverged)")
    return axes
