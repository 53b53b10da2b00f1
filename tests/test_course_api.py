"""The learner's API, used exactly as the course writes it."""

import numpy as np
import pytest

from scribble import (
    Layer,
    NeuralNetwork,
    Neuron,
    categorical_cross_entropy,
    one_hot,
    relu,
    relu_derivative,
    softmax,
)


def test_neuron_attributes_and_forward(rng):
    neuron = Neuron(3, "relu", rng=rng)
    assert neuron.num_inputs == 3
    assert neuron.activation_function == "relu"
    assert neuron.weights.shape == (3,)
    assert np.ndim(neuron.bias) == 0
    for name in ("output", "inputs", "d_weights", "d_bias", "delta"):
        assert getattr(neuron, name) is None

    neuron.weights = np.array([0.2, -0.5, 1.0])
    neuron.bias = 0.1
    inputs = np.array([1.0, 2.0, 3.0])
    output = neuron.forward(inputs)
    expected = max(0.0, np.dot([0.2, -0.5, 1.0], inputs) + 0.1)
    assert output == pytest.approx(expected)
    assert neuron.output == pytest.approx(expected)
    assert neuron.inputs is not None
    np.testing.assert_array_equal(neuron.inputs, inputs)


def test_neuron_backward_and_update():
    neuron = Neuron(2, "relu", rng=0)
    neuron.weights = np.array([0.5, -0.25])
    neuron.bias = 0.0
    neuron.forward(np.array([2.0, 1.0]))  # z = 0.75 > 0

    share = neuron.backward(0.4, learning_rate=0.1)
    np.testing.assert_allclose(share, [0.4 * 0.5, 0.4 * -0.25])
    np.testing.assert_allclose(neuron.d_weights, [0.8, 0.4])
    assert neuron.d_bias == pytest.approx(0.4)
    assert neuron.delta == pytest.approx(0.4)

    neuron.update(0.1)
    np.testing.assert_allclose(neuron.weights, [0.5 - 0.08, -0.25 - 0.04])
    assert neuron.bias == pytest.approx(-0.04)


def test_neuron_backward_dead_relu_blocks_delta():
    neuron = Neuron(2, "relu", rng=0)
    neuron.weights = np.array([-1.0, -1.0])
    neuron.bias = 0.0
    neuron.forward(np.array([1.0, 1.0]))
    share = neuron.backward(3.0, 0.1)
    np.testing.assert_array_equal(share, [0.0, 0.0])
    np.testing.assert_array_equal(neuron.d_weights, [0.0, 0.0])


def test_layer_neurons_are_views_of_matrix(rng):
    layer = Layer(4, 3, "relu", rng=rng)
    assert layer.weights.shape == (3, 4)
    assert layer.biases.shape == (3,)
    assert len(layer.neurons) == 3
    assert all(isinstance(neuron, Neuron) for neuron in layer.neurons)

    layer.neurons[1].weights[2] = 7.0
    assert layer.weights[1, 2] == 7.0
    layer.neurons[2].bias = -3.0
    assert layer.biases[2] == -3.0
    layer.weights[0, 0] = 5.0
    assert layer.neurons[0].weights[0] == 5.0


def test_layer_forward_matches_per_neuron_dot(rng):
    layer = Layer(5, 4, "relu", rng=rng)
    inputs = rng.standard_normal(5)
    output = layer.forward(inputs)
    for neuron, value in zip(layer.neurons, output):
        assert value == pytest.approx(
            relu(np.dot(neuron.weights, inputs) + neuron.bias)
        )
        assert neuron.output == pytest.approx(value)


def test_layer_forward_batch_shape(rng):
    layer = Layer(5, 4, "tanh", rng=rng)
    batch = rng.standard_normal((7, 5))
    output = layer.forward(batch)
    assert output.shape == (7, 4)
    np.testing.assert_allclose(output[3], layer.forward(batch[3]))


def test_softmax_layer_normalizes_whole_layer(rng):
    layer = Layer(3, 4, "softmax", rng=rng)
    output = layer.forward(rng.standard_normal(3))
    assert output.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(output, softmax(layer.z))


def test_layer_backward_returns_sum_of_neuron_shares(rng):
    layer = Layer(3, 2, "relu", rng=rng)
    layer.weights = np.array([[0.5, 0.1, -0.2], [0.3, -0.4, 0.6]])
    layer.biases = np.array([0.1, 0.2])
    layer.forward(np.array([1.0, 0.5, 0.25]))
    incoming = np.array([0.7, -0.3])
    previous = layer.backward(incoming, 0.1)
    delta = incoming * relu_derivative(layer.output)
    expected = delta[0] * layer.weights[0] + delta[1] * layer.weights[1]
    np.testing.assert_allclose(previous, expected)
    np.testing.assert_allclose(layer.neurons[1].d_weights, delta[1] * layer.inputs)


def test_network_train_prints_course_epoch_line(capsys, rng):
    layers = [Layer(2, 3, "relu", rng=rng), Layer(3, 2, "softmax", rng=rng)]
    network = NeuralNetwork(layers)
    assert network.layers is not None
    assert len(network.layers) == 2
    X = np.array([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
    y = one_hot([0, 1, 1], 2)
    history = network.train(X, y, epochs=3, learning_rate=0.1)
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[2].startswith(f"Epoch 3/3, Loss: {history.loss[2]:.4f}")


def test_train_accepts_labels_or_one_hot(rng):
    X = rng.standard_normal((6, 2))
    labels = np.array([0, 1, 1, 0, 1, 0])
    histories = []
    for targets in (labels, one_hot(labels, 2)):
        network = NeuralNetwork(
            [Layer(2, 3, "relu", rng=1), Layer(3, 2, "softmax", rng=2)]
        )
        histories.append(network.train(X, targets, 2, 0.1, verbose=0).loss)
    assert histories[0] == histories[1]


def test_calc_loss_delta_is_predicted_minus_actual():
    network = NeuralNetwork([Layer(2, 3, "softmax", rng=0)])
    predicted = np.array([0.2, 0.5, 0.3])
    actual = np.array([0.0, 1.0, 0.0])
    np.testing.assert_allclose(
        network.calc_loss_delta(predicted, actual), [0.2, -0.5, 0.3]
    )


def test_activations_sigmoid_tanh_linear(rng):
    inputs = np.array([0.5, -1.0])
    for name, function in (
        ("sigmoid", lambda z: 1 / (1 + np.exp(-z))),
        ("tanh", np.tanh),
        ("linear", lambda z: z),
    ):
        layer = Layer(2, 3, name, rng=rng)
        z = layer.weights @ inputs + layer.biases
        np.testing.assert_allclose(layer.forward(inputs), function(z))


def test_unknown_activation_lists_valid_names():
    with pytest.raises(
        ValueError, match="unknown activation_function 'selu'.*'relu'.*'softmax'"
    ):
        Layer(2, 2, "selu")
    with pytest.raises(ValueError, match="'sigmoid'.*'tanh'.*'linear'"):
        Neuron(2, "Relu")


def test_learner_classes_with_scribble_functions_match(digits):
    """A learner's own per-neuron classes, built on scribble's functions, agree."""
    X_train, y_train, _, _ = digits
    X, Y = X_train[:50], one_hot(y_train[:50], 10)

    class LearnerNeuron:
        def __init__(self, weights, bias, activation_function):
            self.weights = weights.copy()
            self.bias = float(bias)
            self.activation_function = activation_function

        def forward(self, inputs):
            self.inputs = inputs
            z = np.dot(self.weights, inputs) + self.bias
            self.output = relu(z) if self.activation_function == "relu" else z
            return self.output

        def backward(self, delta, learning_rate):
            if self.activation_function == "relu":
                delta = delta * relu_derivative(self.output)
            self.d_weights = delta * self.inputs
            self.d_bias = delta
            return delta * self.weights

        def update(self, learning_rate):
            self.weights -= learning_rate * self.d_weights
            self.bias -= learning_rate * self.d_bias

    network = NeuralNetwork.from_sizes([784, 16, 10], rng=3)
    learner_layers = [
        [
            LearnerNeuron(w, b, layer.activation_function)
            for w, b in zip(layer.weights, layer.biases)
        ]
        for layer in network.layers
    ]
    network.train(X, Y, epochs=1, learning_rate=0.05, verbose=0)

    for inputs, actual in zip(X, Y):
        hidden = np.array([neuron.forward(inputs) for neuron in learner_layers[0]])
        predicted = softmax(
            np.array([neuron.forward(hidden) for neuron in learner_layers[1]])
        )
        categorical_cross_entropy(predicted, actual)
        delta = predicted - actual
        for neurons in reversed(learner_layers):
            shares = [neuron.backward(d, 0.05) for neuron, d in zip(neurons, delta)]
            delta = np.sum(shares, axis=0)
            for neuron in neurons:
                neuron.update(0.05)

    for layer, neurons in zip(network.layers, learner_layers):
        learner_weights = np.array([neuron.weights for neuron in neurons])
        np.testing.assert_allclose(layer.weights, learner_weights, rtol=0, atol=1e-12)
