"""Checking backpropagation against finite differences.

For a parameter theta, the central difference
``(L(theta + eps) - L(theta - eps)) / (2 eps)`` approximates dL/dtheta with an error of
order eps**2. If backpropagation is right, the two agree to about 1e-7 relative error
in float64; a wrong gradient usually disagrees in the first digit.
"""

from dataclasses import dataclass, field

import numpy as np

from ._random import as_generator
from .losses import categorical_cross_entropy

__all__ = ["GradientCheckResult", "gradient_check"]


@dataclass
class GradientCheckResult:
    """Outcome of :func:`gradient_check`.

    ``errors`` maps a parameter name such as ``"layer 0 weights"`` to the maximum
    relative error among its checked entries; ``worst`` names the parameter with the
    largest one.
    """

    errors: dict = field(default_factory=dict)
    tolerance: float = 1e-6

    @property
    def max_error(self):
        return max(self.errors.values())

    @property
    def worst(self):
        return max(self.errors, key=self.errors.get)

    @property
    def passed(self):
        return self.max_error < self.tolerance

    @property
    def failed_parameters(self):
        """Names of every parameter whose error is at or above the tolerance."""
        return [name for name, error in self.errors.items() if error >= self.tolerance]

    def __str__(self):
        lines = [
            f"{name}: max relative error {error:.2e}"
            + ("" if error < self.tolerance else "  <- wrong gradient")
            for name, error in self.errors.items()
        ]
        verdict = "passed" if self.passed else f"FAILED: check {self.worst}"
        return "\n".join(lines + [f"gradient check {verdict}"])


def gradient_check(network, x, y, epsilon=1e-5, tolerance=1e-6, max_entries=50, seed=0):
    """Compare backpropagation's gradients with central finite differences.

    Parameters
    ----------
    network : NeuralNetwork
        Left unchanged: every perturbed parameter is restored exactly.
    x : array of shape (num_inputs,) or (batch_size, num_inputs)
    y : class labels or one-hot rows for ``x``
    epsilon : float
        Step of the finite difference.
    tolerance : float
        Relative error below which a parameter counts as correct.
    max_entries : int or None
        Entries checked per parameter array, drawn at random with ``seed``; None
        checks all of them (two forward passes per entry).

    Returns
    -------
    GradientCheckResult
    """
    x = np.asarray(x)
    targets = network.sample_target(y) if x.ndim == 1 else network.targets_for(y)
    rng = as_generator(seed)

    def loss():
        return categorical_cross_entropy(network.predict_proba(x), targets)

    # Backpropagation without an update.
    predicted = network.forward(x)
    delta = network.calc_loss_delta(predicted, targets)
    analytic = {}
    for layer in reversed(network.layers):
        delta = layer.backward(delta)
        analytic[layer.index] = (layer.d_weights.copy(), layer.d_biases.copy())

    result = GradientCheckResult(tolerance=tolerance)
    for layer in network.layers:
        d_weights, d_biases = analytic[layer.index]
        for name, parameter, gradient in (
            ("weights", layer.weights, d_weights),
            ("biases", layer.biases, d_biases),
        ):
            flat_parameter = parameter.reshape(-1)  # a view: edits reach the layer
            flat_gradient = gradient.reshape(-1)
            count = flat_parameter.size
            if max_entries is None or max_entries >= count:
                entries = np.arange(count)
            else:
                entries = rng.choice(count, size=max_entries, replace=False)
            worst = 0.0
            for entry in entries:
                original = flat_parameter[entry]
                flat_parameter[entry] = original + epsilon
                loss_plus = loss()
                flat_parameter[entry] = original - epsilon
                loss_minus = loss()
                flat_parameter[entry] = original
                numeric = (loss_plus - loss_minus) / (2 * epsilon)
                exact = flat_gradient[entry]
                # Below 1e-4 the error is taken as absolute: a loss difference has
                # rounding noise near 1e-11 (for epsilon=1e-5), which would swamp
                # the relative error of a tiny true gradient.
                scale = max(abs(numeric) + abs(exact), 1e-4)
                worst = max(worst, abs(numeric - exact) / scale)
            result.errors[f"layer {layer.index} {name}"] = worst
    return result
