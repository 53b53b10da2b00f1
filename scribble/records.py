"""A record of every intermediate of one training step, for lessons and views.

:func:`record_step` runs one forward pass, the loss, one backward pass and (by
default) the update on one sample, and copies what each layer computed into plain
NumPy arrays. Layers are numbered from 0, the first hidden layer, to
``len(network.layers) - 1``, the output layer.
"""

from dataclasses import dataclass

import numpy as np

__all__ = ["LayerStep", "StepRecord", "record_step"]


@dataclass
class LayerStep:
    """What one layer computed in one training step, all arrays copied.

    Shapes for a layer of n neurons with m inputs: ``inputs`` (m,); ``z``,
    ``output``, ``delta``, ``d_bias``, ``bias_before``, ``bias_after`` (n,);
    ``d_weights``, ``weights_before``, ``weights_after`` (n, m).
    """

    index: int
    activation_function: str
    inputs: np.ndarray
    z: np.ndarray
    output: np.ndarray
    delta: np.ndarray
    d_weights: np.ndarray
    d_bias: np.ndarray
    weights_before: np.ndarray
    weights_after: np.ndarray
    bias_before: np.ndarray
    bias_after: np.ndarray


@dataclass
class StepRecord:
    """One training step on one sample.

    ``target`` is the one-hot row, ``predicted`` the output layer's probabilities,
    ``loss`` the cross-entropy, ``loss_delta`` = predicted - target, and ``layers``
    one :class:`LayerStep` per layer, first hidden layer first.
    """

    inputs: np.ndarray
    target: np.ndarray
    predicted: np.ndarray
    loss: float
    loss_delta: np.ndarray
    learning_rate: float
    updated: bool
    layers: list


def record_step(network, x, y, learning_rate, update=True):
    """Run one training step on one sample and return its :class:`StepRecord`.

    Parameters
    ----------
    network : NeuralNetwork
    x : array of shape (num_inputs,)
    y : int class label or one-hot array of shape (num_classes,)
    learning_rate : float
    update : bool
        False computes everything but leaves the weights unchanged, so
        ``weights_after`` equals ``weights_before``.
    """
    x = np.asarray(x)
    if x.ndim != 1:
        raise ValueError(
            f"record_step takes one sample of shape (num_inputs,), got {x.shape}"
        )
    target = network.sample_target(y)
    before = [(layer.weights.copy(), layer.biases.copy()) for layer in network.layers]

    predicted = network.forward(x)
    loss = network.loss(predicted, target)
    loss_delta = network.calc_loss_delta(predicted, target)
    delta = loss_delta
    for layer in reversed(network.layers):
        delta = layer.backward(delta, learning_rate)
        if update:
            layer.update(learning_rate)

    layers = []
    for index, (layer, (weights_before, bias_before)) in enumerate(
        zip(network.layers, before)
    ):
        layers.append(
            LayerStep(
                index=index,
                activation_function=layer.activation_function,
                inputs=layer.inputs.copy(),
                z=layer.z.copy(),
                output=layer.output.copy(),
                delta=layer.delta.copy(),
                d_weights=layer.d_weights.copy(),
                d_bias=layer.d_biases.copy(),
                weights_before=weights_before,
                weights_after=layer.weights.copy(),
                bias_before=bias_before,
                bias_after=layer.biases.copy(),
            )
        )
    return StepRecord(
        inputs=x.copy(),
        target=target.copy(),
        predicted=np.array(predicted, copy=True),
        loss=loss,
        loss_delta=np.array(loss_delta, copy=True),
        learning_rate=float(learning_rate),
        updated=bool(update),
        layers=layers,
    )
