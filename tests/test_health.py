"""The gradient-health view: its numbers against hand computations and training."""

import math

import matplotlib.pyplot as plt
import numpy as np
import pytest

from scribble import Layer, NeuralNetwork
from scribble.health import measure_health, plot_health, train_with_health


def test_snapshot_matches_hand_computation(rng):
    network = NeuralNetwork.from_sizes([6, 5, 3], rng=4)
    X = rng.standard_normal((7, 6))
    y = np.array([0, 1, 2, 0, 1, 2, 0])
    snapshot = measure_health(network, X, y, learning_rate=0.1)

    # The same quantities, step by step.
    hidden, output = network.layers
    a0 = np.maximum(0, X @ hidden.weights.T + hidden.biases)
    z1 = a0 @ output.weights.T + output.biases
    p = np.exp(z1 - z1.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    delta1 = p - np.eye(3)[y]
    delta0 = (delta1 @ output.weights) * (a0 > 0)
    d_w1 = delta1.T @ a0 / 7
    d_w0 = delta0.T @ X / 7

    assert snapshot.delta_norm[1] == pytest.approx(
        np.linalg.norm(delta1, axis=1).mean()
    )
    assert snapshot.delta_norm[0] == pytest.approx(
        np.linalg.norm(delta0, axis=1).mean()
    )
    assert snapshot.update_ratio[1] == pytest.approx(
        0.1 * np.linalg.norm(d_w1) / np.linalg.norm(output.weights)
    )
    assert snapshot.update_ratio[0] == pytest.approx(
        0.1 * np.linalg.norm(d_w0) / np.linalg.norm(hidden.weights)
    )
    assert snapshot.dead_fraction[0] == pytest.approx(np.mean(~(a0 > 0).any(0)))
    assert math.isnan(snapshot.dead_fraction[1])


def test_snapshot_leaves_weights_unchanged(rng):
    network = NeuralNetwork.from_sizes([6, 5, 3], rng=4)
    before = [layer.weights.copy() for layer in network.layers]
    measure_health(network, rng.standard_normal((4, 6)), [0, 1, 2, 0], 0.5)
    for layer, weights in zip(network.layers, before):
        np.testing.assert_array_equal(layer.weights, weights)


def test_dead_units_are_counted(rng):
    network = NeuralNetwork([Layer(3, 4, "relu", rng=1), Layer(4, 2, "softmax", rng=2)])
    hidden = network.layers[0]
    hidden.weights[:2] = 0.0
    hidden.biases[:2] = -1.0  # units 0 and 1 output 0 for every input
    hidden.biases[2:] = 100.0  # units 2 and 3 are active for these inputs
    X = rng.uniform(-1, 1, (10, 3))
    snapshot = measure_health(network, X, np.zeros(10, dtype=int), 0.1)
    assert snapshot.dead_fraction[0] == 0.5


def test_training_equals_plain_train(digits):
    X, y = digits[0][:300], digits[1][:300]
    plain = NeuralNetwork.from_sizes([784, 16, 10], rng=7)
    plain.train(
        X,
        y,
        epochs=2,
        learning_rate=0.05,
        batch_size=8,
        shuffle=True,
        seed=3,
        verbose=0,
    )
    watched = NeuralNetwork.from_sizes([784, 16, 10], rng=7)
    health = train_with_health(
        watched,
        X,
        y,
        epochs=2,
        learning_rate=0.05,
        batch_size=8,
        checks_per_epoch=3,
        shuffle=True,
        seed=3,
    )
    for a, b in zip(plain.layers, watched.layers):
        np.testing.assert_allclose(a.weights, b.weights, rtol=0, atol=1e-12)
    assert health.samples_seen[0] == 0
    assert health.samples_seen[-1] == 600
    assert len(health.samples_seen) == 1 + 2 * 3
    assert health.stopped is None
    assert health.loss[-1] < health.loss[0]


def test_divergence_is_recorded(digits):
    X, y = digits[0][:200] * 255, digits[1][:200]  # unnormalized pixels
    network = NeuralNetwork.from_sizes([784, 16, 10], rng=7)
    health = train_with_health(network, X, y, epochs=1, learning_rate=0.5, batch_size=8)
    assert health.stopped is not None
    assert "diverged" in health.stopped
    assert all(math.isfinite(value) for value in health.loss)
    assert "stopped early" in health.summary()


def test_plot_health_draws_every_layer(digits):
    X, y = digits[0][:100], digits[1][:100]
    network = NeuralNetwork.from_sizes([784, 16, 8, 10], rng=1)
    health = train_with_health(
        network, X, y, epochs=1, learning_rate=0.05, batch_size=10, checks_per_epoch=2
    )
    axes = plot_health(health)
    assert len(axes) == 4
    loss_ax, delta_ax, dead_ax, ratio_ax = axes
    np.testing.assert_allclose(loss_ax.lines[0].get_ydata(), health.loss)
    assert len(delta_ax.lines) == 3
    assert len(dead_ax.lines) == 2  # only the ReLU layers
    np.testing.assert_allclose(ratio_ax.lines[2].get_ydata(), health.update_ratio[2])
    plt.close("all")


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"epochs": 0}, "epochs must be an integer >= 1, got 0"),
        ({"checks_per_epoch": 1.5}, "checks_per_epoch must be an integer"),
        ({"batch_size": True}, "batch_size must be an integer"),
    ],
)
def test_bad_arguments_rejected(kwargs, message):
    network = NeuralNetwork.from_sizes([4, 3, 2], rng=0)
    arguments = {"epochs": 1, "learning_rate": 0.1} | kwargs
    with pytest.raises(ValueError, match=message):
        train_with_health(network, np.zeros((4, 4)), [0, 1, 0, 1], **arguments)


def test_probe_must_be_batch():
    network = NeuralNetwork.from_sizes([4, 3, 2], rng=0)
    with pytest.raises(ValueError, match=r"got shape \(4,\)"):
        measure_health(network, np.zeros(4), [0], 0.1)
