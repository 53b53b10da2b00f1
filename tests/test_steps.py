"""The computation behind the step-through views: steps, training traces, digits."""

import io

import numpy as np
import pytest
from matplotlib.figure import Figure

import scribble
from scribble.digit_prediction import draw_other_index, predict_digit
from scribble.losses import categorical_cross_entropy
from scribble.steps import backprop_steps, format_number, format_numbers
from scribble.training_trace import epoch_steps, record_training


@pytest.fixture
def record():
    """One recorded step of a 3-4-5-3 network: two hidden ReLU layers."""
    network = scribble.NeuralNetwork.from_sizes([3, 4, 5, 3], rng=7)
    x = np.array([0.5, -1.2, 2.0])
    return network.record_step(x, 1, learning_rate=0.1)


def png_of(step):
    figure = Figure(figsize=(6, 3))
    step.draw(figure)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=40)
    return buffer.getvalue()


def test_steps_follow_backpropagation_order(record):
    names = [step.name for step in backprop_steps(record)]
    assert names == [
        "forward: layer 0 (relu)",
        "forward: layer 1 (relu)",
        "forward: layer 2 (softmax)",
        "loss",
        "output delta: layer 2",
        "hidden delta: layer 1",
        "hidden delta: layer 0",
        "gradients: layer 2",
        "gradients: layer 1",
        "gradients: layer 0",
        "update: layer 2",
        "update: layer 1",
        "update: layer 0",
    ]


def test_step_numbers_are_the_records(record):
    steps = {step.name: step for step in backprop_steps(record)}
    for layer in record.layers:
        forward = steps[f"forward: layer {layer.index} ({layer.activation_function})"]
        assert np.array_equal(forward.numbers["z"], layer.z)
        assert np.array_equal(forward.numbers["output"], layer.output)
        gradients = steps[f"gradients: layer {layer.index}"]
        assert np.array_equal(gradients.numbers["d_bias"], layer.d_bias)
        update = steps[f"update: layer {layer.index}"]
        assert np.array_equal(update.numbers["bias_before"], layer.bias_before)
        assert np.array_equal(update.numbers["bias_after"], layer.bias_after)
        assert update.numbers["learning_rate"] == record.learning_rate
    assert steps["loss"].numbers["loss"] == record.loss
    assert np.array_equal(steps["loss"].numbers["predicted"], record.predicted)
    assert np.array_equal(
        steps["output delta: layer 2"].numbers["delta"], record.loss_delta
    )
    for index in (0, 1):
        hidden = steps[f"hidden delta: layer {index}"]
        assert np.array_equal(hidden.numbers["delta"], record.layers[index].delta)


def test_weight_entries_use_the_largest_input(record):
    steps = {step.name: step for step in backprop_steps(record)}
    layer = record.layers[0]
    j = int(np.argmax(np.abs(layer.inputs)))  # x = [0.5, -1.2, 2.0] -> j = 2
    assert j == 2
    gradients = steps["gradients: layer 0"].numbers
    assert gradients["d_weights[0, 2]"] == layer.d_weights[0, 2]
    update = steps["update: layer 0"].numbers
    assert update["weights_before[0, 2]"] == layer.weights_before[0, 2]
    assert update["weights_after[0, 2]"] == layer.weights_after[0, 2]
    # The output layer's delta is never 0, so its example weight always moves.
    output_update = steps["update: layer 2"].numbers
    name = next(key for key in output_update if key.startswith("weights_after"))
    before = name.replace("after", "before")
    assert output_update[name] != output_update[before]


def test_hidden_dL_da_matches_finite_differences(record):
    # dL/da of the last hidden layer, checked by perturbing its output and running
    # the output layer with the weights it had during the backward pass.
    hidden, output_layer = record.layers[1], record.layers[2]
    step = next(s for s in backprop_steps(record) if s.name == "hidden delta: layer 1")

    def loss_of(a):
        z = output_layer.weights_before @ a + output_layer.bias_before
        return categorical_cross_entropy(scribble.softmax(z), record.target)

    epsilon = 1e-6
    numeric = np.empty_like(hidden.output)
    for i in range(len(numeric)):
        shift = np.zeros_like(hidden.output)
        shift[i] = epsilon
        numeric[i] = (
            loss_of(hidden.output + shift) - loss_of(hidden.output - shift)
        ) / (2 * epsilon)
    np.testing.assert_allclose(step.numbers["dL/da"], numeric, atol=1e-8)
    relu_derivative = (hidden.z > 0).astype(float)
    np.testing.assert_allclose(
        step.numbers["delta"], step.numbers["dL/da"] * relu_derivative, atol=1e-15
    )


def test_formulas_substitute_the_numbers(record):
    steps = {step.name: step for step in backprop_steps(record)}
    layer0 = record.layers[0]
    forward = steps["forward: layer 0 (relu)"].formula
    assert format_number(layer0.z[0]) in forward
    assert r"\max(0" in forward
    loss = steps["loss"].formula
    assert f"-\\ln {format_number(record.predicted[1])}" in loss
    assert format_number(record.loss) in loss
    output_delta = steps["output delta: layer 2"].formula
    assert format_number(record.loss_delta[0]) in output_delta
    update = steps["update: layer 0"].formula
    assert format_number(layer0.weights_after[0, 2]) in update


def test_neuron_choice_changes_the_formulas(record):
    default = backprop_steps(record)[0].formula
    third = backprop_steps(record, neuron=2)[0].formula
    assert "z^{(0)}_{2}" in third
    assert "z^{(0)}_{2}" not in default
    assert format_number(record.layers[0].z[2]) in third


@pytest.mark.parametrize("neuron", [-1, 3, 2.0, True])
def test_neuron_outside_smallest_layer_raises(record, neuron):
    with pytest.raises(ValueError, match="neuron must be an integer from 0 to 2"):
        backprop_steps(record, neuron=neuron)


def test_backprop_steps_rejects_other_objects():
    with pytest.raises(TypeError, match="needs a StepRecord"):
        backprop_steps({"loss": 1.0})


def test_update_false_says_nothing_changes():
    network = scribble.NeuralNetwork.from_sizes([2, 3, 2], rng=0)
    record = network.record_step(np.array([1.0, -2.0]), 0, 0.5, update=False)
    update = backprop_steps(record)[-1]
    assert "update=False" in update.formula
    assert np.array_equal(update.numbers["bias_before"], update.numbers["bias_after"])


def test_every_step_draws_a_different_figure(record):
    images = [png_of(step) for step in backprop_steps(record)]
    for before, after in zip(images, images[1:]):
        assert before != after


def test_sigmoid_and_tanh_layers_get_their_derivatives():
    layers = [
        scribble.Layer(2, 3, "sigmoid", rng=1),
        scribble.Layer(3, 3, "tanh", rng=2),
        scribble.Layer(3, 2, "softmax", rng=3),
    ]
    network = scribble.NeuralNetwork(layers)
    record = network.record_step(np.array([0.3, -0.7]), 1, 0.1)
    formulas = {step.name: step.formula for step in backprop_steps(record)}
    assert r"\frac{1}{1 + e^{-" in formulas["forward: layer 0 (sigmoid)"]
    assert r"\tanh(" in formulas["forward: layer 1 (tanh)"]
    assert "(1 - a^{(0)}_{0})" in formulas["hidden delta: layer 0"]
    assert "1 - (a^{(1)}_{0})^2" in formulas["hidden delta: layer 1"]


def test_format_numbers_shortens_long_arrays():
    text = format_numbers({"loss": 0.123456, "delta": np.arange(20) / 7})
    lines = text.splitlines()
    assert lines[0] == "loss = 0.1235"
    assert lines[1].startswith("delta = [0, 0.1429, 0.2857")
    assert lines[1].endswith("... (20 values, shape (20,))]")


# -- training traces ---------------------------------------------------------------


@pytest.fixture(scope="module")
def small_digits():
    (train_images, train_labels), (test_images, test_labels) = scribble.load_mnist()
    X_train = scribble.normalize(train_images[:600].reshape(600, -1))
    X_test = scribble.normalize(test_images[:200].reshape(200, -1))
    return X_train, train_labels[:600], X_test, test_labels[:200]


def test_record_training_equals_one_train_call(small_digits):
    X, y, X_val, y_val = small_digits
    options = dict(batch_size=16, shuffle=True, validation_data=(X_val, y_val))
    traced = scribble.NeuralNetwork.from_sizes([784, 12, 10], rng=3)
    trace = record_training(traced, X, y, 3, 0.2, seed=5, verbose=0, **options)
    plain = scribble.NeuralNetwork.from_sizes([784, 12, 10], rng=3)
    history = plain.train(X, y, 3, 0.2, seed=5, verbose=0, **options)

    assert trace.history.loss == history.loss
    assert trace.history.val_accuracy == history.val_accuracy
    assert trace.history.mean_abs_delta == history.mean_abs_delta
    assert trace.history.gradient_norm == history.gradient_norm
    for traced_layer, plain_layer in zip(traced.layers, plain.layers):
        assert np.array_equal(traced_layer.weights, plain_layer.weights)


def test_record_training_snapshots_each_epoch(small_digits, capsys):
    X, y, _, _ = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 12, 10], rng=3)
    trace = record_training(network, X, y, 2, 0.2, batch_size=16, sample=(X[5], y[5]))
    assert len(trace.snapshots) == 3
    assert trace.sample_label == y[5]
    assert not any(snapshot.updated for snapshot in trace.snapshots)
    # The last snapshot belongs to the trained weights.
    last = trace.snapshots[-1]
    assert np.array_equal(last.layers[0].weights_before, network.layers[0].weights)
    assert np.allclose(last.predicted, network.predict_proba(X[5]))
    lines = capsys.readouterr().out.splitlines()
    assert [line.split(",")[0] for line in lines] == ["Epoch 1/2", "Epoch 2/2"]


def test_record_training_rejects_zero_epochs(small_digits):
    X, y, _, _ = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 4, 10], rng=0)
    with pytest.raises(ValueError, match="epochs must be an integer >= 1, got 0"):
        record_training(network, X, y, 0, 0.1)


def test_epoch_steps_show_the_history(small_digits):
    X, y, X_val, y_val = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 12, 10], rng=3)
    trace = record_training(
        network, X, y, 3, 0.2, batch_size=16, validation_data=(X_val, y_val), verbose=0
    )
    steps = epoch_steps(trace)
    assert [step.name for step in steps] == [
        "epoch 1 of 3",
        "epoch 2 of 3",
        "epoch 3 of 3",
    ]
    for epoch, step in enumerate(steps, start=1):
        assert step.numbers["loss"] == trace.history.loss[epoch - 1]
        assert step.numbers["val_loss"] == trace.history.val_loss[epoch - 1]
        for layer in (0, 1):
            assert (
                step.numbers[f"mean |delta| layer {layer}"]
                == trace.history.mean_abs_delta[layer][epoch - 1]
            )
        assert np.array_equal(
            step.numbers["sample output delta"], trace.snapshots[epoch].layers[-1].delta
        )
    images = [png_of(step) for step in steps]
    assert images[0] != images[1] != images[2]


def test_epoch_steps_rejects_a_history():
    with pytest.raises(TypeError, match="needs the TrainingTrace"):
        epoch_steps(scribble.History(loss=[1.0]))


# -- digit predictions -------------------------------------------------------------


def test_predict_digit_matches_the_network(small_digits):
    _, _, X_test, y_test = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 8, 10], rng=1)
    for index in (0, 17, 199):
        digit = predict_digit(network, X_test, y_test, index)
        assert digit.image.shape == (28, 28)
        assert np.array_equal(digit.probabilities, network.predict_proba(X_test[index]))
        assert digit.prediction == network.predict(X_test[index])
        assert digit.label == y_test[index]
        verdict = "right" if digit.prediction == digit.label else "wrong"
        assert digit.prediction_text() == (
            f"prediction: {digit.prediction} (label {digit.label}, {verdict})"
        )
        assert digit.probabilities_text().splitlines()[3] == (
            f"3: {format_number(digit.probabilities[3])}"
        )


def test_predict_digit_takes_image_batches(small_digits):
    _, _, X_test, y_test = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 8, 10], rng=1)
    flat = predict_digit(network, X_test, y_test, 3)
    square = predict_digit(network, X_test.reshape(-1, 28, 28), y_test, 3)
    assert np.array_equal(flat.probabilities, square.probabilities)


@pytest.mark.parametrize("index", [-1, 200, 1.0])
def test_predict_digit_rejects_bad_index(small_digits, index):
    _, _, X_test, y_test = small_digits
    network = scribble.NeuralNetwork.from_sizes([784, 8, 10], rng=1)
    with pytest.raises(ValueError, match="index must be an integer from 0 to 199"):
        predict_digit(network, X_test, y_test, index)


def test_predict_digit_rejects_non_square_images():
    network = scribble.NeuralNetwork.from_sizes([10, 4, 3], rng=1)
    with pytest.raises(ValueError, match="images of 10 values are not square"):
        predict_digit(network, np.zeros((2, 10)), np.array([0, 1]), 0)


def test_predict_digit_rejects_missing_labels():
    network = scribble.NeuralNetwork.from_sizes([4, 4, 3], rng=1)
    with pytest.raises(ValueError, match="3 images but 2 labels"):
        predict_digit(network, np.zeros((3, 4)), np.array([0, 1]), 0)


def test_draw_other_index_never_repeats_the_current():
    rng = np.random.default_rng(0)
    drawn = [draw_other_index(rng, 4, 2) for _ in range(200)]
    assert 2 not in drawn
    assert set(drawn) == {0, 1, 3}


def test_draw_other_index_needs_two_images():
    with pytest.raises(ValueError, match="at least 2 images"):
        draw_other_index(np.random.default_rng(0), 1, 0)
