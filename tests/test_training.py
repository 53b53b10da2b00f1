"""Training on the bundled digits, its history, and every bad-input error."""

import numpy as np
import pytest

from scribble import Layer, NeuralNetwork, TrainingDivergedError, one_hot, relu, softmax


def _small_network(seed=0, dtype=np.float64):
    return NeuralNetwork.from_sizes([784, 32, 10], rng=seed, dtype=dtype)


def test_real_training_beats_85_percent(digits):
    X_train, y_train, X_test, y_test = digits
    network = NeuralNetwork.from_sizes([784, 128, 10], rng=0)
    network.train(
        X_train,
        y_train,
        epochs=5,
        learning_rate=0.1,
        batch_size=32,
        shuffle=True,
        seed=0,
        verbose=0,
    )
    accuracy = network.evaluate(X_test, y_test)["accuracy"]
    assert accuracy > 0.85
    assert np.mean(network.predict(X_test) == y_test) == pytest.approx(accuracy)


def test_same_seed_same_weights_and_losses(digits, capsys):
    X_train, y_train, _, _ = digits
    outputs = []
    for _ in range(2):
        network = _small_network(seed=4)
        history = network.train(
            X_train[:500], y_train[:500], 2, 0.1, batch_size=16, shuffle=True, seed=9
        )
        outputs.append(
            (network.layers[0].weights.copy(), history.loss, capsys.readouterr().out)
        )
    np.testing.assert_array_equal(outputs[0][0], outputs[1][0])
    assert outputs[0][1] == outputs[1][1]
    assert outputs[0][2] == outputs[1][2]


def test_shuffle_seed_changes_order(digits):
    X_train, y_train, _, _ = digits
    losses = []
    for seed in (1, 2):
        network = _small_network(seed=4)
        losses.append(
            network.train(
                X_train[:200], y_train[:200], 1, 0.1, shuffle=True, seed=seed, verbose=0
            ).loss
        )
    assert losses[0] != losses[1]


def test_history_contents(digits):
    X_train, y_train, X_test, y_test = digits
    network = _small_network()
    history = network.train(
        X_train[:320],
        y_train[:320],
        3,
        0.1,
        batch_size=32,
        validation_data=(X_test[:100], y_test[:100]),
        record_batch_loss=True,
        verbose=0,
    )
    assert history.epochs == 3
    assert len(history.accuracy) == 3
    assert len(history.val_loss) == 3
    assert len(history.val_accuracy) == 3
    assert len(history.batch_loss) == 30
    assert history.loss[0] == pytest.approx(np.mean(history.batch_loss[:10]))
    assert len(history.mean_abs_delta) == 2
    assert len(history.gradient_norm[1]) == 3
    assert all(value > 0 for value in history.mean_abs_delta[1])
    assert history.loss[2] < history.loss[0]
    assert history.val_loss[-1] == pytest.approx(
        network.evaluate(X_test[:100], y_test[:100])["loss"]
    )


def test_gradient_norm_per_sample_shortcut(rng):
    network = NeuralNetwork.from_sizes([5, 4, 3], rng=0)
    X = rng.standard_normal((1, 5))
    history = network.train(X, [2], 1, 0.1, verbose=0)
    layer = network.layers[0]
    expected = np.sqrt(np.sum(layer.d_weights**2) + np.sum(layer.d_biases**2))
    assert history.gradient_norm[0][0] == pytest.approx(expected)


def test_float32_training_keeps_dtype(digits):
    X_train, y_train, _, _ = digits
    network = _small_network(dtype=np.float32)
    network.train(X_train[:64], y_train[:64], 1, 0.1, batch_size=32, verbose=0)
    assert network.layers[0].weights.dtype == np.float32
    assert network.predict_proba(X_train[:3]).dtype == np.float32


def test_step_record_contents(digits):
    X_train, y_train, _, _ = digits
    network = _small_network()
    before = network.layers[0].weights.copy()
    record = network.record_step(X_train[0], int(y_train[0]), learning_rate=0.1)
    assert len(record.layers) == 2
    np.testing.assert_array_equal(record.target, one_hot([y_train[0]], 10)[0])
    np.testing.assert_allclose(record.loss_delta, record.predicted - record.target)
    first = record.layers[0]
    np.testing.assert_array_equal(first.weights_before, before)
    np.testing.assert_allclose(first.weights_after, before - 0.1 * first.d_weights)
    np.testing.assert_allclose(first.d_weights, np.outer(first.delta, first.inputs))
    assert first.z.shape == (32,)
    np.testing.assert_array_equal(network.layers[0].weights, first.weights_after)

    frozen = network.record_step(X_train[1], int(y_train[1]), 0.1, update=False)
    np.testing.assert_array_equal(
        frozen.layers[1].weights_before, frozen.layers[1].weights_after
    )


def test_learning_rate_10_stops_with_error(digits):
    X_train, y_train, _, _ = digits
    network = NeuralNetwork.from_sizes([784, 128, 10], rng=0)
    with pytest.raises(
        TrainingDivergedError,
        match=r"epoch 1, sample \d+.*Lower the learning rate \(now 10\)",
    ):
        network.train(X_train, y_train, 3, learning_rate=10.0, verbose=0)
    for layer in network.layers:
        assert np.isfinite(layer.weights).all()
        assert np.isfinite(layer.biases).all()
    # The kept weights are the last ones with a finite loss.
    probabilities = network.predict_proba(X_train[:10])
    assert np.isfinite(probabilities).all()


def test_divergence_names_batch(digits):
    X_train, y_train, _, _ = digits
    network = NeuralNetwork.from_sizes([784, 128, 10], rng=0)
    with pytest.raises(TrainingDivergedError, match=r"epoch 1, batch \d+"):
        network.train(X_train, y_train, 3, learning_rate=10.0, batch_size=32, verbose=0)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"learning_rate": 0}, "learning_rate must be a finite number > 0, got 0"),
        (
            {"learning_rate": -0.1},
            "learning_rate must be a finite number > 0, got -0.1",
        ),
        ({"learning_rate": float("nan")}, "learning_rate must be a finite number > 0"),
        ({"epochs": 0}, "epochs must be an integer >= 1, got 0"),
        ({"batch_size": 0}, "batch_size must be an integer >= 1, got 0"),
        ({"batch_size": 2.5}, "batch_size must be an integer >= 1, got 2.5"),
    ],
)
def test_train_rejects_bad_settings(kwargs, message):
    network = NeuralNetwork.from_sizes([3, 2], rng=0)
    settings = {"epochs": 1, "learning_rate": 0.1, **kwargs}
    with pytest.raises(ValueError, match=message):
        network.train(np.zeros((2, 3)), [0, 1], **settings)


def test_float32_rejects_overflowing_learning_rate():
    network = NeuralNetwork.from_sizes([3, 2], rng=0, dtype=np.float32)
    with pytest.raises(ValueError, match=r"learning_rate 1e\+300 overflows .* float32"):
        network.train(np.zeros((2, 3)), [0, 1], epochs=1, learning_rate=1e300)
    # In float64 the same number is finite, so only the divergence check remains.
    wide = NeuralNetwork.from_sizes([3, 2], rng=0)
    assert np.isfinite(np.float64(1e300))
    with pytest.raises(TrainingDivergedError):
        wide.train(np.ones((2, 3)), [0, 1], epochs=1, learning_rate=1e300, verbose=0)


def test_wrong_input_length_names_layer():
    network = NeuralNetwork.from_sizes([784, 16, 10], rng=0)
    with pytest.raises(
        ValueError, match="layer 0 expects 784 inputs per sample, got 28"
    ):
        network.forward(np.zeros(28))
    with pytest.raises(
        ValueError, match="layer 0 expects 784 inputs per sample, got 783"
    ):
        network.train(np.zeros((4, 783)), [0, 1, 2, 3], 1, 0.1)
    with pytest.raises(ValueError, match="flatten"):
        network.train(np.zeros((4, 28, 28)), [0, 1, 2, 3], 1, 0.1)


def test_mismatched_layers_rejected():
    with pytest.raises(
        ValueError, match="layer 1 has num_inputs=5 but layer 0 has num_neurons=4"
    ):
        NeuralNetwork([Layer(3, 4, "relu", rng=0), Layer(5, 2, "softmax", rng=0)])


@pytest.mark.parametrize("bad", [np.nan, np.inf, -np.inf])
def test_nan_or_inf_inputs_rejected(bad):
    network = NeuralNetwork.from_sizes([3, 2], rng=0)
    X = np.zeros((2, 3))
    X[1, 2] = bad
    with pytest.raises(ValueError, match="NaN or inf"):
        network.train(X, [0, 1], 1, 0.1)
    with pytest.raises(ValueError, match="NaN or inf"):
        network.predict(X)


def test_labels_out_of_range_rejected():
    network = NeuralNetwork.from_sizes([3, 2], rng=0)
    with pytest.raises(ValueError, match="label 2 at index 1 is outside 0..1"):
        network.train(np.zeros((2, 3)), [0, 2], 1, 0.1)


def test_targets_not_one_hot_rejected():
    network = NeuralNetwork.from_sizes([3, 2], rng=0)
    with pytest.raises(ValueError, match=r"target row 1 is \[1.0, 1.0\], not one-hot"):
        network.train(np.zeros((2, 3)), np.array([[1.0, 0.0], [1.0, 1.0]]), 1, 0.1)
    with pytest.raises(ValueError, match="expected class labels"):
        network.train(np.zeros((2, 3)), np.zeros((2, 5)), 1, 0.1)


def test_sample_count_mismatch_rejected():
    network = NeuralNetwork.from_sizes([3, 2], rng=0)
    with pytest.raises(ValueError, match="X has 3 samples but y has 2"):
        network.train(np.zeros((3, 3)), [0, 1], 1, 0.1)


def test_predict_proba_uses_subclass_forward(digits):
    X_train, _, _, _ = digits

    class TemperatureLayer(Layer):
        # A learner's own forward pass: softmax of z / 2 instead of z.
        def forward(self, inputs):
            inputs = self.check_inputs(inputs)
            self.inputs = inputs
            self.z = inputs @ self.weights.T + self.biases
            self.output = softmax(self.z / 2)
            return self.output

    hidden = Layer(784, 8, "relu", rng=0)
    output = TemperatureLayer(8, 10, "softmax", rng=1)
    network = NeuralNetwork([hidden, output])
    network.forward(X_train[0])
    stored = (output.inputs, output.z, output.output)

    probabilities = network.predict_proba(X_train[:4])

    logits = relu(X_train[:4] @ hidden.weights.T + hidden.biases) @ output.weights.T
    np.testing.assert_allclose(probabilities, softmax((logits + output.biases) / 2))
    # What forward stored for one sample is still there.
    assert output.inputs is stored[0]
    assert output.z is stored[1]
    assert output.output is stored[2]


def test_subclass_forward_used_everywhere(digits):
    X_train, y_train, _, _ = digits

    class OneSampleLayer(Layer):
        # A forward that takes one sample (W x + b) and halves the ReLU output.
        def forward(self, inputs):
            inputs = self.check_inputs(inputs)
            self.inputs = inputs
            self.z = self.weights @ inputs + self.biases
            self.output = relu(self.z) / 2
            return self.output

    network = NeuralNetwork(
        [OneSampleLayer(784, 16, "relu", rng=0), Layer(16, 10, "softmax", rng=1)]
    )
    network.train(X_train[:50], y_train[:50], epochs=1, learning_rate=0.05, verbose=0)

    single = network.predict_proba(X_train[0])
    assert single.shape == (10,)
    hidden = relu(network.layers[0].weights @ X_train[0] + network.layers[0].biases)
    output = network.layers[1]
    np.testing.assert_allclose(
        single, softmax(output.weights @ (hidden / 2) + output.biases), rtol=1e-12
    )
    np.testing.assert_array_equal(single, network.forward(X_train[0]))
    # A batch goes through the one-sample forward row by row.
    batch = network.predict_proba(X_train[:3])
    assert batch.shape == (3, 10)
    for row, sample in zip(batch, X_train[:3]):
        np.testing.assert_array_equal(row, network.forward(sample))
    # No samples give no rows, as for a plain network.
    assert network.predict_proba(X_train[:0]).shape == (0, 10)
    # Loss from evaluate and from forward agree: one forward pass everywhere.
    loss = network.evaluate(X_train[:3], y_train[:3])["loss"]
    targets = network.targets_for(y_train[:3])
    forward_loss = np.mean(
        [network.loss(network.forward(x), t) for x, t in zip(X_train[:3], targets)]
    )
    assert abs(loss - forward_loss) < 1e-12
