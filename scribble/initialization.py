"""Initial weights, and how far each layer's activations spread from the start.

A new :class:`~scribble.Layer` already draws He-initialized weights. This module
redraws a whole network's weights with another scheme, so a lesson can compare
schemes on one architecture, and measures the spread (standard deviation) of every
layer's output on a batch of inputs. It covers only the schemes the lessons compare,
not Xavier/Glorot or orthogonal initialization.
"""

import numpy as np

from ._random import as_generator
from .activations import apply_activation

__all__ = ["INITIALIZATIONS", "initialize", "output_spread"]

INITIALIZATIONS = ("he", "normal")


def initialize(network, scheme="he", *, std=0.01, rng=None):
    """Redraw every layer's weights in place and set the biases to zero.

    Schemes, with ``n`` the layer's ``num_inputs``:

    - ``"he"``: ``weights ~ N(0, 2 / n)``. A ReLU zeroes about half of its inputs,
      so this variance keeps ``Var(z)`` about the same from layer to layer
      (He et al., 2015).
    - ``"normal"``: ``weights ~ N(0, std**2)`` whatever ``n`` is. Each layer then
      multiplies the spread of its ReLU output by about ``std * sqrt(n / 2)``,
      which is 0.2 for ``std=0.01, n=784`` (the activations vanish) and 20 for
      ``std=1`` (they explode).

    The biases are zero in both schemes, unlike a new Layer's standard-normal biases,
    so that only the weights differ between the schemes.

    Parameters
    ----------
    network : scribble.NeuralNetwork
    scheme : "he" or "normal"
    std : float > 0, keyword-only
        Standard deviation for ``"normal"``; ignored by ``"he"``.
    rng : int, numpy.random.Generator or None, keyword-only

    Returns
    -------
    network
        The same network, for chaining.
    """
    if scheme not in INITIALIZATIONS:
        raise ValueError(f"scheme must be one of {INITIALIZATIONS}, got {scheme!r}")
    if isinstance(std, bool) or not isinstance(std, (int, float)) or not std > 0:
        raise ValueError(f"std must be a number > 0, got {std!r}")
    generator = as_generator(rng)
    for layer in network.layers:
        shape = layer.weights.shape  # (num_neurons, num_inputs)
        scale = np.sqrt(2.0 / layer.num_inputs) if scheme == "he" else float(std)
        layer.weights = generator.standard_normal(shape) * scale
        layer.biases = np.zeros(layer.num_neurons)
    return network


def output_spread(network, X):
    """Return the standard deviation of each layer's output over a batch.

    Parameters
    ----------
    network : scribble.NeuralNetwork
    X : array of shape (num_samples, num_inputs)

    Returns
    -------
    array of shape (num_layers,)
        Entry ``k`` is the standard deviation of layer ``k``'s output over all
        samples and neurons; the last entry is the output layer's probabilities.
        Layers' stored state is left as it was.
    """
    X = np.asarray(X)
    if X.ndim != 2:
        raise ValueError(
            f"X must have shape (num_samples, {network.layers[0].num_inputs}), got "
            f"{X.shape}; flatten images first"
        )
    activations = network.layers[0].check_inputs(X)
    spreads = []
    with np.errstate(over="ignore", invalid="ignore"):
        for layer in network.layers:
            z = activations @ layer.weights.T + layer.biases
            activations = apply_activation(layer.activation_function, z)
            spreads.append(float(np.std(activations)))
    return np.array(spreads)
