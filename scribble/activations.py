"""Activation functions and their derivatives.

Each activation comes as a value and a derivative. The derivatives take the
activation's *output* a = f(z), not z, because that is what a neuron stores after
its forward pass and what the course's backward step multiplies by.

Softmax is the exception: it mixes every neuron of a layer, so it has no
per-neuron derivative here. scribble uses it only on the output layer together with
categorical cross-entropy, whose combined gradient with respect to z is simply
``predicted - actual`` (see :func:`scribble.losses.categorical_cross_entropy_delta`).
"""

import numpy as np

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "activation_derivative",
    "apply_activation",
    "check_activation_name",
    "linear",
    "linear_derivative",
    "relu",
    "relu_derivative",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "tanh",
    "tanh_derivative",
]


def relu(x):
    """Rectified linear unit, ``max(0, x)`` element by element."""
    return np.maximum(0, x)


def relu_derivative(x):
    """Return 1 where ``x > 0`` and 0 elsewhere, in the dtype of ``x``.

    ``x`` may be the pre-activation z or the ReLU output: both are positive in the
    same places. At exactly 0 the derivative is taken as 0.
    """
    x = np.asarray(x)
    dtype = x.dtype if np.issubdtype(x.dtype, np.floating) else np.float64
    return (x > 0).astype(dtype)


def sigmoid(x):
    """Logistic function ``1 / (1 + exp(-x))``, computed without overflow."""
    x = _as_float(x)
    # exp of a large positive number overflows, so each sign gets the form whose
    # exponent is never positive.
    positive = x >= 0
    exp_neg_abs = np.exp(-np.abs(x))
    return np.where(positive, 1 / (1 + exp_neg_abs), exp_neg_abs / (1 + exp_neg_abs))


def sigmoid_derivative(output):
    """Derivative of the sigmoid from its output a: ``a * (1 - a)``."""
    return output * (1 - output)


def tanh(x):
    """Hyperbolic tangent."""
    return np.tanh(x)


def tanh_derivative(output):
    """Derivative of tanh from its output a: ``1 - a**2``."""
    return 1 - output**2


def linear(x):
    """Identity activation: the output is z itself."""
    return np.asarray(x)


def linear_derivative(output):
    """Derivative of the identity: 1 everywhere."""
    return np.ones_like(output)


def softmax(x):
    """Turn logits into probabilities along the last axis.

    ``softmax(z)_i = exp(z_i - max(z)) / sum_j exp(z_j - max(z))``. Subtracting the
    maximum changes nothing mathematically but keeps every exponent <= 0, so
    ``exp`` never overflows: logits ``[1000, 0, -1000]`` give ``[1, 0, 0]``, not NaN.

    Parameters
    ----------
    x : array of shape (num_classes,) or (batch_size, num_classes)

    Returns
    -------
    array of the same shape whose last axis sums to 1.
    """
    x = _as_float(x)
    shifted = x - np.max(x, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def _as_float(x):
    # Integer input (uint8 pixels, say) is computed in float64 so nothing wraps.
    x = np.asarray(x)
    return x if np.issubdtype(x.dtype, np.floating) else x.astype(np.float64)


# Name -> (activation, derivative from the output). Softmax has no per-neuron
# derivative: its gradient is folded into the cross-entropy delta.
ACTIVATION_FUNCTIONS = {
    "relu": (relu, relu_derivative),
    "sigmoid": (sigmoid, sigmoid_derivative),
    "tanh": (tanh, tanh_derivative),
    "linear": (linear, linear_derivative),
    "softmax": (softmax, None),
}


def check_activation_name(name):
    """Return ``name`` if it is a known activation, else raise ValueError."""
    if not isinstance(name, str) or name not in ACTIVATION_FUNCTIONS:
        valid = ", ".join(repr(key) for key in ACTIVATION_FUNCTIONS)
        raise ValueError(f"unknown activation_function {name!r}: use one of {valid}")
    return name


def apply_activation(name, z):
    """Apply the activation called ``name`` to the pre-activation ``z``."""
    return ACTIVATION_FUNCTIONS[name][0](z)


def activation_derivative(name, output):
    """Derivative of activation ``name`` given its output, or None for softmax."""
    derivative = ACTIVATION_FUNCTIONS[name][1]
    return None if derivative is None else derivative(output)
