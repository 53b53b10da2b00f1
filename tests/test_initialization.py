"""Redrawing initial weights and measuring each layer's output spread."""

import numpy as np
import pytest

from scribble import NeuralNetwork
from scribble.initialization import initialize, output_spread

DEEP = [784] + [256] * 6 + [10]


def test_he_weights_have_variance_two_over_n():
    network = initialize(NeuralNetwork.from_sizes([784, 256, 10], rng=0), "he", rng=1)
    # Var = 2 / 784 = 0.002551 for layer 0, 2 / 256 = 0.0078125 for layer 1.
    assert np.var(network.layers[0].weights) == pytest.approx(2 / 784, rel=0.02)
    assert np.var(network.layers[1].weights) == pytest.approx(2 / 256, rel=0.1)
    assert not network.layers[0].biases.any()


def test_normal_weights_have_the_given_std():
    network = NeuralNetwork.from_sizes([784, 256, 10], rng=0)
    initialize(network, "normal", std=0.01, rng=1)
    assert np.std(network.layers[0].weights) == pytest.approx(0.01, rel=0.02)
    assert np.std(network.layers[1].weights) == pytest.approx(0.01, rel=0.1)


def test_same_rng_same_weights():
    first = initialize(NeuralNetwork.from_sizes([20, 5, 3], rng=0), "he", rng=7)
    second = initialize(NeuralNetwork.from_sizes([20, 5, 3], rng=99), "he", rng=7)
    for layer_a, layer_b in zip(first.layers, second.layers):
        np.testing.assert_array_equal(layer_a.weights, layer_b.weights)


def test_he_keeps_spread_and_naive_loses_it(digits):
    X_train = digits[0][:300]
    he = output_spread(
        initialize(NeuralNetwork.from_sizes(DEEP, rng=0), "he", rng=1), X_train
    )
    small = output_spread(
        initialize(NeuralNetwork.from_sizes(DEEP, rng=0), "normal", std=0.01, rng=1),
        X_train,
    )
    large = output_spread(
        initialize(NeuralNetwork.from_sizes(DEEP, rng=0), "normal", std=1.0, rng=1),
        X_train,
    )
    hidden = slice(0, len(DEEP) - 2)
    # He: every hidden layer within a factor of 2 of the first one.
    assert np.all(he[hidden] / he[0] > 0.5) and np.all(he[hidden] / he[0] < 2)
    # std 0.01 with 256 inputs scales the spread by about 0.01 * sqrt(128) = 0.11 a
    # layer, std 1 by about 11.
    assert np.all(np.diff(np.log10(small[hidden])) < -0.7)
    assert np.all(np.diff(np.log10(large[hidden])) > 0.7)


def test_output_spread_leaves_layer_state(digits):
    network = NeuralNetwork.from_sizes([784, 8, 10], rng=0)
    network.forward(digits[0][:3])
    before = network.layers[0].output.copy()
    spreads = output_spread(network, digits[0][:50])
    np.testing.assert_array_equal(network.layers[0].output, before)
    assert spreads.shape == (2,)


def test_initialize_rejects_bad_arguments():
    network = NeuralNetwork.from_sizes([4, 3, 2], rng=0)
    with pytest.raises(
        ValueError, match=r"scheme must be one of \('he', 'normal'\), got 'xavier'"
    ):
        initialize(network, "xavier")
    with pytest.raises(ValueError, match=r"std must be a number > 0, got 0"):
        initialize(network, "normal", std=0)
    with pytest.raises(
        ValueError, match=r"X must have shape \(num_samples, 4\), got \(4,\)"
    ):
        output_spread(network, np.ones(4))
