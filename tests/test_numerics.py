"""Inputs that naive implementations get wrong, each with its exact values."""

import math
import warnings

import numpy as np
import pytest

from scribble import (
    Layer,
    NeuralNetwork,
    Neuron,
    categorical_cross_entropy,
    normalize,
    one_hot,
    relu_derivative,
    softmax,
)


def test_softmax_large_logits_finite():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        probabilities = softmax(np.array([1000.0, 0.0, -1000.0]))
    assert np.isfinite(probabilities).all()
    assert probabilities.sum() == pytest.approx(1.0)
    assert probabilities[0] == pytest.approx(1.0)


def test_softmax_batch_rows_sum_to_one(rng):
    probabilities = softmax(rng.standard_normal((4, 5)) * 50)
    np.testing.assert_allclose(probabilities.sum(axis=1), np.ones(4))


def test_cross_entropy_zero_probability_is_clipped():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = categorical_cross_entropy(
            np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])
        )
    assert math.isfinite(loss)
    assert loss == pytest.approx(-math.log(1e-12))
    assert loss == pytest.approx(27.631, abs=1e-3)


def test_cross_entropy_batch_is_mean():
    predicted = np.array([[0.5, 0.5], [0.9, 0.1]])
    actual = np.array([[1.0, 0.0], [1.0, 0.0]])
    expected = (-math.log(0.5) - math.log(0.9)) / 2
    assert categorical_cross_entropy(predicted, actual) == pytest.approx(expected)


def test_cross_entropy_rejects_labels_for_one_hot():
    with pytest.raises(ValueError, match="one-hot"):
        categorical_cross_entropy(np.array([[0.5, 0.5]]), np.array([1]))


def test_relu_backward_multiplies_incoming_delta():
    layer = Layer(3, 3, "relu", rng=0)
    layer.weights = np.eye(3)
    layer.biases = np.zeros(3)
    layer.forward(np.array([1.0, 2.0, -1.0]))  # z = [1, 2, -1]
    layer.backward(np.array([0.3, -2.0, 5.0]))
    np.testing.assert_array_equal(layer.delta, [0.3, -2.0, 0.0])

    neuron = Neuron(1, "relu", rng=0)
    neuron.weights = np.array([1.0])
    neuron.bias = 0.0
    for z, incoming, expected in ((1.0, 0.3, 0.3), (2.0, -2.0, -2.0), (-1.0, 5.0, 0.0)):
        neuron.forward(np.array([z]))
        neuron.backward(incoming, 0.1)
        assert neuron.delta == expected


def test_relu_derivative_values():
    np.testing.assert_array_equal(
        relu_derivative(np.array([-2.0, 0.0, 3.0])), [0, 0, 1]
    )


def _dead_relu_network():
    hidden = Layer(2, 1, "relu", rng=0)
    hidden.weights = np.array([[-0.03, -0.02]])
    hidden.biases = np.array([0.0])
    output = Layer(1, 2, "softmax", rng=0)
    output.weights = np.array([[0.5], [-0.5]])
    output.biases = np.array([0.0, 0.0])
    return NeuralNetwork([hidden, output])


def test_dead_relu_unit_gets_zero_gradients():
    network = _dead_relu_network()
    X = np.array([[1.0, 2.0], [3.0, 1.0]])
    y = np.array([0, 1])
    history = network.train(X, y, epochs=1, learning_rate=0.5, batch_size=2, verbose=0)

    hidden, output = network.layers
    np.testing.assert_array_equal(hidden.output, [[0.0], [0.0]])
    np.testing.assert_allclose(output.output, [[0.5, 0.5], [0.5, 0.5]])
    assert history.loss[0] == pytest.approx(math.log(2), abs=1e-6)
    assert history.loss[0] == pytest.approx(0.693147, abs=1e-6)
    np.testing.assert_array_equal(hidden.delta, np.zeros((2, 1)))
    np.testing.assert_array_equal(hidden.d_weights, np.zeros((1, 2)))
    np.testing.assert_array_equal(hidden.d_biases, np.zeros(1))
    np.testing.assert_array_equal(hidden.weights, [[-0.03, -0.02]])
    np.testing.assert_array_equal(hidden.biases, [0.0])
    # The output weights multiply a zero input, and the mean output delta is zero.
    np.testing.assert_array_equal(output.weights, [[0.5], [-0.5]])
    np.testing.assert_array_equal(output.biases, [0.0, 0.0])


def test_dead_relu_step_record_holds_zeros():
    network = _dead_relu_network()
    record = network.record_step(np.array([1.0, 2.0]), 0, learning_rate=0.5)
    hidden = record.layers[0]
    for name in ("output", "delta", "d_weights", "d_bias"):
        array = getattr(hidden, name)
        assert np.isfinite(array).all(), name
        np.testing.assert_array_equal(array, np.zeros_like(array))
    assert record.loss == pytest.approx(math.log(2))


def test_gradients_recomputed_not_accumulated(rng):
    layer = Layer(4, 3, "relu", rng=rng)
    inputs = rng.standard_normal((5, 4))
    delta = rng.standard_normal((5, 3))
    layer.forward(inputs)
    first_previous = layer.backward(delta)
    first = (layer.d_weights.copy(), layer.d_biases.copy())
    layer.forward(inputs)
    second_previous = layer.backward(delta)
    np.testing.assert_array_equal(layer.d_weights, first[0])
    np.testing.assert_array_equal(layer.d_biases, first[1])
    np.testing.assert_array_equal(first_previous, second_previous)


def test_update_with_zero_learning_rate_changes_nothing(rng):
    layer = Layer(4, 3, "relu", rng=rng)
    weights, biases = layer.weights.copy(), layer.biases.copy()
    layer.forward(rng.standard_normal(4))
    layer.backward(rng.standard_normal(3))
    layer.update(0.0)
    np.testing.assert_array_equal(layer.weights, weights)
    np.testing.assert_array_equal(layer.biases, biases)
    neuron = layer.neurons[0]
    neuron.update(0.0)
    np.testing.assert_array_equal(neuron.weights, weights[0])


def test_he_initialization_scale():
    layer = Layer(784, 128, "relu", rng=np.random.default_rng(0))
    expected_std = math.sqrt(2 / 784)
    assert expected_std == pytest.approx(0.050508, abs=1e-6)
    assert abs(layer.weights.std() - expected_std) / expected_std < 0.02
    assert abs(layer.weights.mean()) < 0.001
    for wrong in (math.sqrt(1 / 784), math.sqrt(2 / 128), math.sqrt(2 / (784 + 128))):
        assert abs(layer.weights.std() - wrong) / wrong > 0.02


def test_same_seed_same_layer_other_seed_differs():
    first = Layer(784, 128, "relu", rng=np.random.default_rng(3))
    again = Layer(784, 128, "relu", rng=np.random.default_rng(3))
    other = Layer(784, 128, "relu", rng=np.random.default_rng(4))
    np.testing.assert_array_equal(first.weights, again.weights)
    np.testing.assert_array_equal(first.biases, again.biases)
    assert not np.array_equal(first.weights, other.weights)


def test_normalize_uint8_no_wraparound():
    pixels = np.array([0, 128, 255], dtype=np.uint8)
    np.testing.assert_allclose(normalize(pixels), [0.0, 0.50196, 1.0], atol=1e-5)
    assert normalize(pixels).dtype == np.float64
    assert (normalize(pixels) * 255 + 1)[2] == pytest.approx(256.0)


def test_activations_on_uint8_do_not_wrap():
    pixels = np.array([[255, 0, 1]], dtype=np.uint8)
    layer = Layer(3, 1, "linear", rng=0)
    layer.weights = np.array([[1.0, 1.0, 1.0]])
    layer.biases = np.array([1.0])
    assert layer.forward(pixels)[0, 0] == 257.0
    assert softmax(np.array([255, 254], dtype=np.uint8))[0] > 0.5


def test_one_hot_accepts_equivalent_label_forms():
    expected = np.zeros((3, 10))
    expected[[0, 1, 2], [3, 0, 9]] = 1
    for labels in (
        [3.0, 0.0, 9.0],
        [[3], [0], [9]],
        np.array([3, 0, 9], dtype=np.uint8),
    ):
        np.testing.assert_array_equal(one_hot(labels, 10), expected)


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ([2.5], "2.5.*not a whole number"),
        ([-1], "-1.*outside 0..9"),
        ([10], "10.*outside 0..9"),
    ],
)
def test_one_hot_rejects_bad_labels(labels, message):
    with pytest.raises(ValueError, match=message):
        one_hot(labels, 10)


def test_frozen_network_loss_is_epoch_mean():
    X = np.random.default_rng(0).standard_normal((7, 4))
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    for batch_size in (1, 2, 3, 7):
        layers = [Layer(4, 5, "relu", rng=0), Layer(5, 3, "softmax", rng=0)]
        for layer in layers:
            layer.weights = np.zeros_like(layer.weights)
            layer.biases = np.zeros_like(layer.biases)
            layer.trainable = False  # a learning rate of 0: nothing moves
        network = NeuralNetwork(layers)
        history = network.train(
            X, y, epochs=3, learning_rate=0.1, batch_size=batch_size, verbose=0
        )
        np.testing.assert_allclose(history.loss, [1.098612] * 3, atol=1e-6)
        np.testing.assert_array_equal(layers[1].biases, np.zeros(3))


def test_inputs_check_survives_overflowing_sum():
    # The values are finite, but their float32 sum overflows to inf.
    layer = Layer(3, 2, "relu", rng=0, dtype=np.float32)
    large = np.array([3e38, 3e38, 1.0], dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(layer.check_inputs(large), large)
    for bad in ([np.nan, 1.0, 2.0], [np.inf, -np.inf, 0.0], [1.0, 2.0, np.inf]):
        with pytest.raises(ValueError, match="NaN or inf"):
            layer.check_inputs(np.array(bad, dtype=np.float32))
