"""Backpropagation against finite differences, for every activation."""

import numpy as np
import pytest

from scribble import Layer, NeuralNetwork, gradient_check


@pytest.mark.parametrize("activation", ["relu", "sigmoid", "tanh", "linear"])
def test_gradient_check_passes(activation, rng):
    network = NeuralNetwork(
        [
            Layer(4, 5, activation, rng=rng),
            Layer(5, 3, activation, rng=rng),
            Layer(3, 3, "softmax", rng=rng),
        ]
    )
    x = rng.standard_normal(4)
    result = gradient_check(network, x, 2, max_entries=None)
    assert result.max_error < 1e-6, str(result)
    assert result.passed
    assert set(result.errors) == {
        f"layer {i} {name}" for i in range(3) for name in ("weights", "biases")
    }


def test_gradient_check_batch(rng):
    network = NeuralNetwork.from_sizes([6, 4, 3], rng=1)
    X = rng.standard_normal((5, 6))
    result = gradient_check(network, X, [0, 1, 2, 1, 0], max_entries=None)
    assert result.max_error < 1e-6, str(result)


def test_gradient_check_leaves_parameters_unchanged(rng):
    network = NeuralNetwork.from_sizes([4, 3, 2], rng=2)
    weights = [layer.weights.copy() for layer in network.layers]
    gradient_check(network, rng.standard_normal(4), 1)
    for layer, original in zip(network.layers, weights):
        np.testing.assert_array_equal(layer.weights, original)


def test_gradient_check_names_wrong_parameter(rng, monkeypatch):
    network = NeuralNetwork.from_sizes([4, 5, 3], rng=3)
    hidden = network.layers[0]
    original_backward = Layer.backward

    def doubled_bias_gradient(self, delta, learning_rate=None):
        previous = original_backward(self, delta, learning_rate)
        if self is hidden:
            self.d_biases = self.d_biases * 2
        return previous

    monkeypatch.setattr(Layer, "backward", doubled_bias_gradient)
    result = gradient_check(network, rng.standard_normal(4), 0, max_entries=None)
    assert not result.passed
    assert result.worst == "layer 0 biases"
    assert result.failed_parameters == ["layer 0 biases"]
    assert "FAILED: check layer 0 biases" in str(result)
