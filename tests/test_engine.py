"""The buffered training loop (scribble._engine) against the layer-method loop.

``train`` runs scribble._engine for plain layers and plain SGD. With
``network.fast_training = False`` the same call runs every layer's own backward and
update, the path that Layer subclasses and other optimizers take. Mini-batches must
give the same bits; one sample at a time the first layer's deferred updates may
round differently, within 1e-12.
"""

import re

import numpy as np
import pytest

from scribble import Layer, NeuralNetwork, TrainingDivergedError, _engine
from scribble.network import _EpochStats
from scribble.optimizers import SGD, Momentum


def _pair(sizes, dtype, seed=3, activation="relu"):
    fast = NeuralNetwork.from_sizes(sizes, activation, rng=seed, dtype=dtype)
    slow = NeuralNetwork.from_sizes(sizes, activation, rng=seed, dtype=dtype)
    slow.fast_training = False
    return fast, slow


def _history_fields(history):
    return {
        "loss": history.loss,
        "accuracy": history.accuracy,
        "mean_abs_delta": history.mean_abs_delta,
        "gradient_norm": history.gradient_norm,
        "batch_loss": history.batch_loss,
    }


def _train_both(fast, slow, X, y, **kwargs):
    return fast.train(X, y, verbose=0, **kwargs), slow.train(X, y, verbose=0, **kwargs)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("batch_size", [16, 100])
def test_mini_batches_same_bits(digits, dtype, batch_size):
    X_train, y_train, _, _ = digits
    X, y = X_train[:900].astype(dtype), y_train[:900]
    fast, slow = _pair([784, 32, 16, 10], dtype)
    fast_history, slow_history = _train_both(
        fast,
        slow,
        X,
        y,
        epochs=2,
        learning_rate=0.1,
        batch_size=batch_size,
        shuffle=True,
        seed=5,
        record_batch_loss=True,
    )
    assert _engine.supports(fast, SGD())
    assert not _engine.supports(slow, SGD())
    for fast_layer, slow_layer in zip(fast.layers, slow.layers):
        np.testing.assert_array_equal(fast_layer.weights, slow_layer.weights)
        np.testing.assert_array_equal(fast_layer.biases, slow_layer.biases)
        # What the last batch left behind, which lessons read after training.
        for name in ("inputs", "z", "output", "delta", "d_weights", "d_biases"):
            np.testing.assert_array_equal(
                getattr(fast_layer, name), getattr(slow_layer, name), err_msg=name
            )
    assert _history_fields(fast_history) == _history_fields(slow_history)
    # 900 is not a multiple of either batch size: the short last batch ran too.
    assert len(fast_history.batch_loss) == 2 * -(-900 // batch_size)


def test_batch_larger_than_data(digits):
    X_train, y_train, _, _ = digits
    fast, slow = _pair([784, 16, 10], np.float64)
    # One batch of all 50 samples; the buffers are sized by the data, not 10**9.
    _train_both(
        fast,
        slow,
        X_train[:50],
        y_train[:50],
        epochs=2,
        learning_rate=0.1,
        batch_size=10**9,
    )
    np.testing.assert_array_equal(fast.layers[0].weights, slow.layers[0].weights)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_per_sample_matches_layer_methods(digits, dtype):
    X_train, y_train, _, _ = digits
    # 75 samples is not a multiple of the deferred block, so the last flush is short.
    X, y = X_train[:75].astype(dtype), y_train[:75]
    fast, slow = _pair([784, 24, 10], dtype)
    fast_history, slow_history = _train_both(
        fast, slow, X, y, epochs=3, learning_rate=0.05, record_batch_loss=True
    )
    tolerance = 1e-12 if dtype == np.float64 else 1e-5
    for fast_layer, slow_layer in zip(fast.layers, slow.layers):
        np.testing.assert_allclose(
            fast_layer.weights, slow_layer.weights, rtol=0, atol=tolerance
        )
        np.testing.assert_allclose(
            fast_layer.biases, slow_layer.biases, rtol=0, atol=tolerance
        )
        for name in ("inputs", "output", "delta", "d_weights", "d_biases"):
            np.testing.assert_allclose(
                getattr(fast_layer, name),
                getattr(slow_layer, name),
                rtol=0,
                atol=tolerance,
                err_msg=name,
            )
    for name, values in _history_fields(fast_history).items():
        np.testing.assert_allclose(
            np.asarray(values, dtype=float),
            np.asarray(_history_fields(slow_history)[name], dtype=float),
            rtol=1e-4 if dtype == np.float32 else 1e-12,
            atol=1e-5 if dtype == np.float32 else 0,
            err_msg=name,
        )
    # The first layer's weights moved, so the deferred updates were applied.
    untouched = NeuralNetwork.from_sizes([784, 24, 10], rng=3, dtype=dtype)
    assert np.abs(fast.layers[0].weights - untouched.layers[0].weights).max() > 1e-3


def test_soft_targets_general_loss(digits):
    X_train, y_train, _, _ = digits
    X = X_train[:64]
    # Label smoothing: 0.91 on the true class and 0.01 on each other class.
    targets = np.full((64, 10), 0.01)
    targets[np.arange(64), y_train[:64]] = 0.91
    for batch_size in (1, 16):
        fast, slow = _pair([784, 16, 10], np.float64)
        fast_history, slow_history = _train_both(
            fast, slow, X, targets, epochs=2, learning_rate=0.1, batch_size=batch_size
        )
        np.testing.assert_allclose(fast_history.loss, slow_history.loss, rtol=1e-12)
        np.testing.assert_allclose(
            fast.layers[0].weights, slow.layers[0].weights, rtol=0, atol=1e-12
        )


@pytest.mark.parametrize("activation", ["sigmoid", "tanh", "linear"])
def test_other_hidden_activations(digits, activation):
    X_train, y_train, _, _ = digits
    X, y = X_train[:96], y_train[:96]
    for batch_size in (1, 32):
        fast, slow = _pair([784, 12, 10], np.float64, activation=activation)
        _train_both(
            fast, slow, X, y, epochs=1, learning_rate=0.1, batch_size=batch_size
        )
        for fast_layer, slow_layer in zip(fast.layers, slow.layers):
            np.testing.assert_allclose(
                fast_layer.weights, slow_layer.weights, rtol=0, atol=1e-12
            )


def test_one_layer_network(digits):
    X_train, y_train, _, _ = digits
    fast, slow = _pair([784, 10], np.float64)
    _train_both(fast, slow, X_train[:50], y_train[:50], epochs=2, learning_rate=0.1)
    np.testing.assert_allclose(
        fast.layers[0].weights, slow.layers[0].weights, rtol=0, atol=1e-12
    )


def test_divergence_keeps_earlier_updates(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:200], y_train[:200]
    errors = []
    fast, slow = _pair([784, 32, 10], np.float64)
    for network in (fast, slow):
        with pytest.raises(TrainingDivergedError) as error:
            network.train(X, y, epochs=1, learning_rate=3.0, verbose=0)
        errors.append(str(error.value))
    # Both stop at the same sample, after the same updates, with finite weights.
    assert errors[0] == errors[1]
    # Several deferred updates were pending when the loss blew up.
    assert int(re.search(r"sample (\d+) ", errors[0]).group(1)) > 1
    for fast_layer, slow_layer in zip(fast.layers, slow.layers):
        assert np.isfinite(fast_layer.weights).all()
        np.testing.assert_allclose(
            fast_layer.weights, slow_layer.weights, rtol=1e-9, atol=1e-9
        )


def test_interrupt_applies_pending_updates(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:40], y_train[:40]
    fast, slow = _pair([784, 16, 10], np.float64)
    targets = fast.targets_for(y)
    trainer = _engine.Trainer(fast, X, targets, batch_size=1)

    def batches_then_interrupt():
        yield from range(37)  # one full block of 32 and 5 pending samples
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        trainer.run_epoch(batches_then_interrupt(), None, 0.1, _EpochStats(2), None)
    assert trainer.num_pending == 0
    slow.train(X[:37], y[:37], epochs=1, learning_rate=0.1, verbose=0)
    np.testing.assert_allclose(
        fast.layers[0].weights, slow.layers[0].weights, rtol=0, atol=1e-12
    )


def test_other_setups_use_layer_methods():
    def network():
        return NeuralNetwork.from_sizes([4, 3, 2], rng=0)

    assert _engine.supports(network(), SGD())
    assert not _engine.supports(network(), SGD(weight_decay=1e-4))
    assert not _engine.supports(network(), Momentum(0.0))

    frozen = network()
    frozen.layers[0].trainable = False
    assert not _engine.supports(frozen, SGD())

    class LoggingLayer(Layer):
        pass

    subclassed = NeuralNetwork(
        [LoggingLayer(4, 3, "relu", rng=0), Layer(3, 2, "softmax", rng=1)]
    )
    assert not _engine.supports(subclassed, SGD())

    class OwnLoss(NeuralNetwork):
        def calc_loss_delta(self, predicted_outputs, actual_outputs):
            return 2 * (predicted_outputs - actual_outputs)

    assert not _engine.supports(OwnLoss(network().layers), SGD())
    no_softmax = NeuralNetwork([Layer(4, 3, "relu", rng=0), Layer(3, 2, "linear")])
    assert not _engine.supports(no_softmax, SGD())
