"""Optimizers, schedules and early stopping: hand-computed steps and training runs.

The expected numbers in the single-step tests are worked out by hand in the
comments beside them, not by calling the code under test.
"""

import numpy as np
import pytest

from scribble import Layer, NeuralNetwork
from scribble.optimizers import (
    SGD,
    Adam,
    CosineDecay,
    EarlyStopping,
    Momentum,
    StepDecay,
    get_optimizer,
)


def _layer_with(weights, bias):
    """A linear layer of one neuron with the given parameters and no gradient yet."""
    layer = Layer(len(weights), 1, "linear", rng=0)
    layer.weights = np.array([weights], dtype=float)
    layer.biases = np.array([bias], dtype=float)
    return layer


def _set_gradient(layer, d_weights, d_bias):
    layer.d_weights = np.array([d_weights], dtype=float)
    layer.d_biases = np.array([d_bias], dtype=float)


# -- single steps against hand-computed numbers ----------------------------------------


def test_sgd_step_by_hand():
    layer = _layer_with([1.0, -2.0], 0.5)
    _set_gradient(layer, [0.5, -1.0], 1.0)
    SGD().update(layer, learning_rate=0.1)
    # w = [1 - 0.1 * 0.5, -2 - 0.1 * -1] = [0.95, -1.9]; b = 0.5 - 0.1 * 1 = 0.4
    np.testing.assert_allclose(layer.weights, [[0.95, -1.9]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.biases, [0.4], rtol=0, atol=1e-15)


def test_sgd_weight_decay_step_by_hand():
    layer = _layer_with([1.0, -2.0], 0.5)
    _set_gradient(layer, [0.5, 0.5], 1.0)
    SGD(weight_decay=0.1).update(layer, learning_rate=0.1)
    # g + 0.1 * w = [0.5 + 0.1, 0.5 - 0.2] = [0.6, 0.3]
    # w = [1 - 0.06, -2 - 0.03] = [0.94, -2.03]
    np.testing.assert_allclose(layer.weights, [[0.94, -2.03]], rtol=0, atol=1e-15)
    # The bias is not decayed: 0.5 - 0.1 * 1 = 0.4.
    np.testing.assert_allclose(layer.biases, [0.4], rtol=0, atol=1e-15)


def test_momentum_two_steps_by_hand():
    layer = _layer_with([1.0, -2.0], 0.0)
    optimizer = Momentum(momentum=0.9)

    _set_gradient(layer, [0.5, -1.0], 1.0)
    optimizer.update(layer, learning_rate=0.1)
    # v = g = [0.5, -1]; w = [1 - 0.05, -2 + 0.1] = [0.95, -1.9]
    # bias: v = 1; b = 0 - 0.1 = -0.1
    np.testing.assert_allclose(layer.weights, [[0.95, -1.9]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.biases, [-0.1], rtol=0, atol=1e-15)

    _set_gradient(layer, [0.5, 1.0], 1.0)
    optimizer.update(layer, learning_rate=0.1)
    # v = 0.9 * [0.5, -1] + [0.5, 1] = [0.95, 0.1]
    # w = [0.95 - 0.095, -1.9 - 0.01] = [0.855, -1.91]
    # bias: v = 0.9 * 1 + 1 = 1.9; b = -0.1 - 0.19 = -0.29
    np.testing.assert_allclose(layer.weights, [[0.855, -1.91]], rtol=0, atol=1e-15)
    np.testing.assert_allclose(layer.biases, [-0.29], rtol=0, atol=1e-15)


def test_momentum_weight_decay_step_by_hand():
    layer = _layer_with([2.0], 0.0)
    _set_gradient(layer, [1.0], 0.0)
    Momentum(momentum=0.9, weight_decay=0.5).update(layer, learning_rate=0.1)
    # g + 0.5 * w = 1 + 1 = 2 = v; w = 2 - 0.1 * 2 = 1.8
    np.testing.assert_allclose(layer.weights, [[1.8]], rtol=0, atol=1e-15)


def test_adam_two_steps_by_hand():
    layer = _layer_with([1.0, -2.0], 0.0)
    optimizer = Adam(beta1=0.9, beta2=0.999, epsilon=1e-8)

    _set_gradient(layer, [0.5, -2.0], 0.0)
    optimizer.update(layer, learning_rate=0.01)
    # t = 1: m_hat = g and v_hat = g^2, so each weight moves by 0.01 * g / |g|,
    # opposite to its gradient's sign: w = [0.99, -1.99]. epsilon changes that by
    # 0.01 * 1e-8 / |g|, at most 2e-10.
    np.testing.assert_allclose(layer.weights, [[0.99, -1.99]], rtol=0, atol=1e-9)
    # The bias's gradient is 0, so m = v = 0 and it stays where it is.
    np.testing.assert_array_equal(layer.biases, [0.0])

    _set_gradient(layer, [0.5, 1.0], 0.0)
    optimizer.update(layer, learning_rate=0.01)
    # Weight 0 saw g = 0.5 twice:
    #   m = 0.9 * 0.05 + 0.1 * 0.5 = 0.095, m_hat = 0.095 / (1 - 0.81) = 0.5
    #   v = 0.999 * 0.00025 + 0.001 * 0.25 = 0.00049975,
    #   v_hat = 0.00049975 / (1 - 0.998001) = 0.25, sqrt = 0.5
    #   w = 0.99 - 0.01 * 0.5 / 0.5 = 0.98
    # Weight 1 saw g = -2, then 1:
    #   m = 0.9 * -0.2 + 0.1 * 1 = -0.08, m_hat = -0.08 / 0.19 = -0.4210526316
    #   v = 0.999 * 0.004 + 0.001 * 1 = 0.004996,
    #   v_hat = 0.004996 / 0.001999 = 2.4992496248, sqrt = 1.5809015228
    #   w = -1.99 - 0.01 * -0.4210526316 / 1.5809015228 = -1.9873366296
    np.testing.assert_allclose(
        layer.weights, [[0.98, -1.9873366296]], rtol=0, atol=1e-9
    )


def test_adam_steps_are_scale_free():
    # The same gradients, one set 1000 times larger: Adam's steps are the same.
    small, large = _layer_with([0.0, 0.0], 0.0), _layer_with([0.0, 0.0], 0.0)
    small_adam, large_adam = Adam(), Adam()
    for gradient in ([0.001, -0.002], [0.003, 0.001]):
        _set_gradient(small, gradient, 0.0)
        _set_gradient(large, np.multiply(gradient, 1000), 0.0)
        small_adam.update(small, 0.01)
        large_adam.update(large, 0.01)
    np.testing.assert_allclose(small.weights, large.weights, rtol=1e-4)


def test_optimizer_skips_frozen_layer():
    layer = _layer_with([1.0, -2.0], 0.5)
    layer.trainable = False
    _set_gradient(layer, [0.5, -1.0], 1.0)
    for optimizer in (SGD(), SGD(weight_decay=0.1), Momentum(), Adam()):
        optimizer.update(layer, 0.1)
    np.testing.assert_array_equal(layer.weights, [[1.0, -2.0]])
    np.testing.assert_array_equal(layer.biases, [0.5])


def test_optimizer_needs_backward_first():
    layer = Layer(3, 2, "relu", rng=0)
    with pytest.raises(RuntimeError, match="call backward before update"):
        Adam().update(layer, 0.01)


def test_adam_keeps_float32():
    layer = Layer(4, 3, "relu", rng=0, dtype=np.float32)
    layer.forward(np.ones(4, dtype=np.float32))
    layer.backward(np.ones(3, dtype=np.float32))
    Adam(weight_decay=1e-3).update(layer, 0.01)
    assert layer.weights.dtype == np.float32
    assert layer.biases.dtype == np.float32


# -- argument checks -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (
            lambda: Momentum(momentum=1.0),
            r"momentum must be a finite number >= 0 and < 1, got 1\.0",
        ),
        (lambda: Momentum(momentum=-0.1), r"momentum must be .* got -0\.1"),
        (
            lambda: Adam(beta1=1.5),
            r"beta1 must be a finite number >= 0 and < 1, got 1\.5",
        ),
        (lambda: Adam(beta2=float("nan")), r"beta2 must be a finite number"),
        (lambda: Adam(epsilon=0), r"epsilon must be a finite number > 0, got 0\.0"),
        (
            lambda: SGD(weight_decay=-1e-4),
            r"weight_decay must be a finite number >= 0, got -0\.0001",
        ),
        (lambda: StepDecay(every=0), r"every must be an integer >= 1, got 0"),
        (
            lambda: StepDecay(every=2, factor=1.5),
            r"factor must be a finite number > 0 and < 1, got 1\.5",
        ),
        (
            lambda: CosineDecay(epochs=10, final_factor=1.0),
            r"final_factor must be .* < 1, got 1\.0",
        ),
        (lambda: EarlyStopping(patience=0), r"patience must be an integer >= 1, got 0"),
        (
            lambda: EarlyStopping(min_delta=-1),
            r"min_delta must be a finite number >= 0",
        ),
        (
            lambda: get_optimizer("rmsprop"),
            r"optimizer must be None, one of \['adam', 'momentum', 'sgd'\].*got 'rmsprop'",
        ),
    ],
)
def test_bad_arguments_raise_valueerror(build, message):
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Momentum(momentum="0.9"), r"momentum must be a number, got '0\.9'"),
        (lambda: SGD(weight_decay=True), r"weight_decay must be a number, got True"),
        (
            lambda: EarlyStopping(restore_best_weights="yes"),
            r"restore_best_weights must be True or False, got 'yes'",
        ),
    ],
)
def test_bad_argument_types_raise_typeerror(build, message):
    with pytest.raises(TypeError, match=message):
        build()


def test_get_optimizer_by_name():
    assert isinstance(get_optimizer(None), SGD)
    assert isinstance(get_optimizer("Adam"), Adam)
    assert isinstance(get_optimizer("momentum"), Momentum)
    adam = Adam()
    assert get_optimizer(adam) is adam


# -- schedules -------------------------------------------------------------------------


def test_step_decay_factors():
    schedule = StepDecay(every=2, factor=0.5)
    # 0.5 ** (epoch // 2) for epochs 0 to 4.
    assert [schedule(epoch) for epoch in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]


def test_cosine_decay_factors():
    schedule = CosineDecay(epochs=4)
    # (1 + cos(pi * epoch / 4)) / 2: cos(pi / 4) = 0.70710678, cos(3 pi / 4) = -0.70710678.
    expected = [1.0, 0.85355339, 0.5, 0.14644661, 0.0, 0.0]
    np.testing.assert_allclose([schedule(e) for e in range(6)], expected, atol=1e-8)
    # With final_factor 0.1 the middle epoch sits halfway: 0.1 + 0.9 * 0.5 = 0.55.
    assert CosineDecay(epochs=4, final_factor=0.1)(2) == pytest.approx(0.55)


# -- training with an optimizer --------------------------------------------------------


def _small_network(seed=3):
    return NeuralNetwork.from_sizes([784, 16, 10], rng=seed)


def _parameters(network):
    return [(layer.weights.copy(), layer.biases.copy()) for layer in network.layers]


def _assert_same_parameters(first, second):
    for (weights_a, biases_a), (weights_b, biases_b) in zip(first, second):
        np.testing.assert_array_equal(weights_a, weights_b)
        np.testing.assert_array_equal(biases_a, biases_b)


def test_sgd_optimizer_matches_default_training_exactly(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:200], y_train[:200]
    runs = []
    for optimizer in (None, "sgd", SGD(), Momentum(momentum=0.0)):
        network = _small_network()
        history = network.train(X, y, 2, 0.05, optimizer=optimizer, verbose=0)
        runs.append((history.loss, _parameters(network)))
    for loss, parameters in runs[1:3]:
        assert loss == runs[0][0]
        _assert_same_parameters(parameters, runs[0][1])

    # Momentum(0) goes through the generic step, which rounds lr * (delta * x) where
    # the per-sample fast path rounds (lr * delta) * x: equal to the last bits only.
    momentum_loss, momentum_parameters = runs[3]
    np.testing.assert_allclose(momentum_loss, runs[0][0], rtol=0, atol=1e-12)
    for (weights, biases), (expected_weights, expected_biases) in zip(
        momentum_parameters, runs[0][1]
    ):
        np.testing.assert_allclose(weights, expected_weights, rtol=0, atol=1e-12)
        np.testing.assert_allclose(biases, expected_biases, rtol=0, atol=1e-12)


def test_momentum_and_adam_learn_faster_than_sgd(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:1000], y_train[:1000]
    final_loss = {}
    for name, optimizer, learning_rate in [
        ("sgd", SGD(), 0.01),
        ("momentum", Momentum(0.9), 0.01),
        ("adam", Adam(), 0.001),
    ]:
        network = _small_network()
        history = network.train(
            X, y, 3, learning_rate, batch_size=32, optimizer=optimizer, verbose=0
        )
        final_loss[name] = history.loss[-1]
    assert final_loss["momentum"] < final_loss["sgd"]
    assert final_loss["adam"] < final_loss["sgd"]


def test_weight_decay_shrinks_weights(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:300], y_train[:300]
    norms = []
    for weight_decay in (0.0, 0.01):
        network = _small_network()
        network.train(
            X, y, 2, 0.05, optimizer=SGD(weight_decay=weight_decay), verbose=0
        )
        norms.append(np.linalg.norm(network.layers[0].weights))
    assert norms[1] < 0.95 * norms[0]


def test_schedule_equals_training_in_stages(digits):
    X_train, y_train, _, _ = digits
    X, y = X_train[:200], y_train[:200]
    scheduled = _small_network()
    scheduled.train(
        X, y, 2, 0.05, lr_schedule=StepDecay(every=1, factor=0.5), verbose=0
    )
    staged = _small_network()
    staged.train(X, y, 1, 0.05, verbose=0)
    staged.train(X, y, 1, 0.025, verbose=0)
    _assert_same_parameters(_parameters(scheduled), _parameters(staged))


def test_schedule_accepts_a_plain_function(digits):
    X_train, y_train, _, _ = digits
    network = _small_network()
    seen = []

    def schedule(epoch):
        seen.append(epoch)
        return 1.0

    network.train(X_train[:50], y_train[:50], 3, 0.05, lr_schedule=schedule, verbose=0)
    assert seen == [0, 1, 2]


def test_diverged_message_names_scheduled_rate(digits):
    from scribble import TrainingDivergedError

    X_train, y_train, _, _ = digits
    network = _small_network()
    with pytest.raises(TrainingDivergedError, match=r"now 500\)"):
        network.train(
            X_train[:200],
            y_train[:200],
            2,
            1000.0,
            lr_schedule=lambda e: 0.5,
            verbose=0,
        )


def test_bad_schedule_return_raises(digits):
    X_train, y_train, _, _ = digits
    network = _small_network()
    with pytest.raises(
        ValueError, match=r"lr_schedule\(0\) returned 0: .* finite factor > 0"
    ):
        network.train(X_train[:10], y_train[:10], 1, 0.05, lr_schedule=lambda e: 0)
    with pytest.raises(
        TypeError, match=r"lr_schedule must be a function of the epoch.*got 0\.5"
    ):
        network.train(X_train[:10], y_train[:10], 1, 0.05, lr_schedule=0.5)


def test_bad_optimizer_in_train_raises(digits):
    X_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match=r"optimizer must be None.*got 'adamw'"):
        _small_network().train(X_train[:10], y_train[:10], 1, 0.05, optimizer="adamw")


# -- early stopping --------------------------------------------------------------------


def test_early_stopping_needs_validation_data(digits):
    X_train, y_train, _, _ = digits
    with pytest.raises(ValueError, match=r"pass validation_data=\(X_val, y_val\)"):
        _small_network().train(
            X_train[:10], y_train[:10], 1, 0.05, early_stopping=EarlyStopping()
        )
    with pytest.raises(
        TypeError,
        match=r"early_stopping must be a scribble.optimizers.EarlyStopping, got 3",
    ):
        _small_network().train(
            X_train[:10],
            y_train[:10],
            1,
            0.05,
            validation_data=(X_train[:10], y_train[:10]),
            early_stopping=3,
        )


def test_early_stopping_restores_best_epoch(digits, capsys):
    # 100 training digits and many epochs: the network overfits, so the
    # validation loss turns upwards and training stops early.
    X_train, y_train, X_test, y_test = digits
    X, y = X_train[:100], y_train[:100]
    validation = (X_test[:300], y_test[:300])
    stopper = EarlyStopping(patience=2)
    network = _small_network()
    history = network.train(
        X, y, 40, 0.05, validation_data=validation, early_stopping=stopper, verbose=1
    )

    assert stopper.stopped_epoch is not None
    assert history.epochs == stopper.stopped_epoch + 1 < 40
    assert stopper.stopped_epoch - stopper.best_epoch == 2
    assert stopper.best_loss == min(history.val_loss)
    assert history.val_loss[stopper.best_epoch] == stopper.best_loss
    last_line = capsys.readouterr().out.strip().splitlines()[-1]
    assert last_line.startswith(f"Early stopping after epoch {history.epochs}")

    # The restored network is the one after the best epoch: the same network trained
    # for exactly that many epochs has the same parameters.
    rerun = _small_network()
    rerun.train(X, y, stopper.best_epoch + 1, 0.05, verbose=0)
    _assert_same_parameters(_parameters(network), _parameters(rerun))
    assert network.evaluate(*validation)["loss"] == pytest.approx(stopper.best_loss)


def test_early_stopping_without_restore_keeps_last_weights(digits):
    X_train, y_train, X_test, y_test = digits
    X, y = X_train[:100], y_train[:100]
    stopper = EarlyStopping(patience=2, restore_best_weights=False)
    network = _small_network()
    history = network.train(
        X,
        y,
        40,
        0.05,
        validation_data=(X_test[:300], y_test[:300]),
        early_stopping=stopper,
        verbose=0,
    )
    rerun = _small_network()
    rerun.train(X, y, history.epochs, 0.05, verbose=0)
    _assert_same_parameters(_parameters(network), _parameters(rerun))


def test_early_stopping_runs_all_epochs_while_improving(digits):
    X_train, y_train, X_test, y_test = digits
    stopper = EarlyStopping(patience=3)
    history = _small_network().train(
        X_train[:1000],
        y_train[:1000],
        2,
        0.01,
        validation_data=(X_test[:300], y_test[:300]),
        early_stopping=stopper,
        verbose=0,
    )
    assert history.epochs == 2
    assert stopper.stopped_epoch is None
    assert stopper.best_epoch == 1
