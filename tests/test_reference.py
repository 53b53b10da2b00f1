"""The vectorized network against the literal per-neuron reference."""

import numpy as np

from scribble import Layer, NeuralNetwork, one_hot, reference


def _reference_parameters(layer):
    weights = np.array([neuron.weights for neuron in layer.neurons])
    biases = np.array([neuron.bias for neuron in layer.neurons])
    return weights, biases


def _pair(sizes, seed):
    """A reference and a vectorized network drawn from the same seed."""
    ref_rng, vec_rng = np.random.default_rng(seed), np.random.default_rng(seed)
    ref_layers, vec_layers = [], []
    for index, (n_in, n_out) in enumerate(zip(sizes, sizes[1:])):
        activation = "softmax" if index == len(sizes) - 2 else "relu"
        ref_layers.append(reference.Layer(n_in, n_out, activation, rng=ref_rng))
        vec_layers.append(Layer(n_in, n_out, activation, rng=vec_rng))
    return reference.NeuralNetwork(ref_layers), NeuralNetwork(vec_layers)


def test_same_seed_same_initial_weights():
    ref_net, vec_net = _pair([784, 32, 10], seed=7)
    for ref_layer, vec_layer in zip(ref_net.layers, vec_net.layers):
        weights, biases = _reference_parameters(ref_layer)
        np.testing.assert_array_equal(weights, vec_layer.weights)
        np.testing.assert_array_equal(biases, vec_layer.biases)


def test_training_matches_reference_on_300_digits(digits):
    X_train, y_train, _, _ = digits
    X, Y = X_train[:300], one_hot(y_train[:300], 10)
    ref_net, vec_net = _pair([784, 32, 10], seed=11)

    ref_losses = ref_net.train(X, Y, epochs=2, learning_rate=0.05, verbose=False)
    history = vec_net.train(X, Y, epochs=2, learning_rate=0.05, batch_size=1, verbose=0)

    np.testing.assert_allclose(history.loss, ref_losses, rtol=0, atol=1e-12)
    for ref_layer, vec_layer in zip(ref_net.layers, vec_net.layers):
        weights, biases = _reference_parameters(ref_layer)
        np.testing.assert_allclose(vec_layer.weights, weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(vec_layer.biases, biases, rtol=0, atol=1e-12)
    # The weights moved: equality is not the trivial case of untrained networks.
    untouched = _pair([784, 32, 10], seed=11)[1]
    assert np.abs(untouched.layers[0].weights - vec_net.layers[0].weights).max() > 1e-3


def test_per_neuron_forward_matches_layer_forward(digits):
    X_train, _, _, _ = digits
    ref_net, vec_net = _pair([784, 16, 10], seed=5)
    for sample in X_train[:5]:
        np.testing.assert_allclose(
            ref_net.forward(sample), vec_net.forward(sample), rtol=0, atol=1e-14
        )
