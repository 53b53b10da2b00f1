"""The course's network exactly as it is taught: one Python object per neuron.

This module is deliberately slow and literal. Each neuron keeps its own weight vector
and bias, each layer loops over its neurons, and training loops over samples. It is
the readable version of what :mod:`scribble.layer` and :mod:`scribble.network` compute
with matrices, and the tests use it as the oracle: from the same initial weights both
end training with the same weights to 1e-12.

Only per-sample training (one sample, then one update) is here, because that is the
course's algorithm; mini-batches, histories and safety checks live in the fast code.
"""

import numpy as np

from ._random import as_generator
from .activations import apply_activation, relu_derivative, softmax
from .losses import categorical_cross_entropy

__all__ = ["Layer", "NeuralNetwork", "Neuron"]


class Neuron:
    def __init__(self, num_inputs, activation_function, rng=None):
        rng = as_generator(rng)
        self.num_inputs = num_inputs
        self.activation_function = activation_function
        # He initialization: standard normal scaled by sqrt(2 / num_inputs).
        self.weights = rng.standard_normal(num_inputs) * np.sqrt(2 / num_inputs)
        self.bias = rng.standard_normal()
        self.output = None
        self.inputs = None
        self.d_weights = None
        self.d_bias = None
        self.delta = None

    def forward(self, inputs):
        self.inputs = inputs
        z = np.dot(self.weights, inputs) + self.bias
        if self.activation_function == "softmax":
            # Softmax needs the whole layer, so the layer applies it.
            self.output = z
        else:
            self.output = apply_activation(self.activation_function, z)
        return self.output

    def backward(self, delta, learning_rate):
        if self.activation_function == "relu":
            delta = delta * relu_derivative(self.output)
        elif self.activation_function == "sigmoid":
            delta = delta * self.output * (1 - self.output)
        elif self.activation_function == "tanh":
            delta = delta * (1 - self.output**2)
        self.d_weights = delta * self.inputs
        self.d_bias = delta
        self.delta = delta
        # This neuron's share of the previous layer's delta, before the update.
        return delta * self.weights

    def update(self, learning_rate):
        self.weights -= learning_rate * self.d_weights
        self.bias -= learning_rate * self.d_bias


class Layer:
    def __init__(self, num_inputs, num_neurons, activation_function, rng=None):
        rng = as_generator(rng)
        self.num_inputs = num_inputs
        self.num_neurons = num_neurons
        self.activation_function = activation_function
        self.neurons = [
            Neuron(num_inputs, activation_function, rng) for _ in range(num_neurons)
        ]

    def forward(self, inputs):
        outputs = np.array([neuron.forward(inputs) for neuron in self.neurons])
        if self.activation_function == "softmax":
            outputs = softmax(outputs)
            for neuron, probability in zip(self.neurons, outputs):
                neuron.output = probability
        return outputs

    def backward(self, delta, learning_rate):
        previous_delta = np.zeros(self.num_inputs)
        for neuron, neuron_delta in zip(self.neurons, delta):
            previous_delta += neuron.backward(neuron_delta, learning_rate)
        return previous_delta

    def update(self, learning_rate):
        for neuron in self.neurons:
            neuron.update(learning_rate)


class NeuralNetwork:
    def __init__(self, layers):
        self.layers = layers

    def forward(self, inputs):
        for layer in self.layers:
            inputs = layer.forward(inputs)
        return inputs

    def calc_loss_delta(self, predicted_outputs, actual_outputs):
        return predicted_outputs - actual_outputs

    def train(self, X, y, epochs, learning_rate, verbose=True):
        """Per-sample SGD over one-hot targets ``y``; returns the loss per epoch."""
        losses = []
        for epoch in range(epochs):
            total_loss = 0.0
            for inputs, actual in zip(X, y):
                predicted = self.forward(inputs)
                total_loss += categorical_cross_entropy(predicted, actual)
                delta = self.calc_loss_delta(predicted, actual)
                for layer in reversed(self.layers):
                    delta = layer.backward(delta, learning_rate)
                    layer.update(learning_rate)
            losses.append(total_loss / len(X))
            if verbose:
                print(f"Epoch {epoch + 1}/{epochs}, Loss: {losses[-1]:.4f}")
        return losses
