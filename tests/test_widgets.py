"""The step-through views, driven from Python as a browser would drive them."""

import html
import re

import matplotlib.pyplot as plt
import numpy as np
import pytest

import scribble
from scribble.digit_prediction import draw_other_index
from scribble.training_trace import record_training
from scribble.widgets import BackpropStepper, DigitExplorer, TrainingExplorer


def text_of(html_widget):
    """The text a browser shows for an HTML widget's value."""
    return html.unescape(re.sub(r"<[^>]+>", "", html_widget.value))


@pytest.fixture
def record():
    network = scribble.NeuralNetwork.from_sizes([3, 4, 3], rng=2)
    return network.record_step(np.array([1.0, -0.5, 0.25]), 2, learning_rate=0.1)


@pytest.fixture
def stepper(record):
    return BackpropStepper(record)


@pytest.fixture(scope="module")
def digit_data():
    (_, _), (test_images, test_labels) = scribble.load_mnist()
    X_test = scribble.normalize(test_images[:50].reshape(50, -1))
    network = scribble.NeuralNetwork.from_sizes([784, 8, 10], rng=4)
    network.train(X_test, test_labels[:50], 2, 0.1, verbose=0)
    return network, X_test, test_labels[:50]


@pytest.fixture(scope="module")
def trace():
    (train_images, train_labels), _ = scribble.load_mnist()
    X = scribble.normalize(train_images[:300].reshape(300, -1))
    network = scribble.NeuralNetwork.from_sizes([784, 8, 10], rng=4)
    return record_training(
        network, X, train_labels[:300], 4, 0.2, batch_size=10, verbose=0
    )


def test_stepper_starts_at_first_step(stepper):
    assert stepper.index == 0
    assert text_of(stepper.name_html) == stepper.steps[0].name
    assert "scribble-backprop-stepper" in stepper._dom_classes


def test_next_and_previous_change_the_step(stepper):
    names, formulas = [], []
    for _ in range(len(stepper.steps)):
        names.append(text_of(stepper.name_html))
        formulas.append(stepper.formula_html.value)
        stepper.next_button.click()
    assert stepper.index == len(stepper.steps) - 1
    assert names == [step.name for step in stepper.steps]
    assert len(set(formulas)) == len(stepper.steps)
    stepper.previous_button.click()
    assert stepper.index == len(stepper.steps) - 2
    assert text_of(stepper.name_html) == stepper.steps[-2].name


def test_slider_moves_the_step(stepper):
    stepper.slider.value = 4  # the slider counts from 1
    assert stepper.index == 3
    assert text_of(stepper.name_html) == stepper.steps[3].name
    assert stepper.formula_html.value.startswith("$$")


def test_shown_numbers_are_the_records(stepper, record):
    stepper.go_to(0)
    assert text_of(stepper.numbers_html) == stepper.numbers_text(0)
    assert np.array_equal(stepper.steps[0].numbers["z"], record.layers[0].z)
    loss_index = [step.kind for step in stepper.steps].index("loss")
    stepper.go_to(loss_index)
    shown = text_of(stepper.numbers_html)
    assert shown == stepper.numbers_text(loss_index)
    assert shown.splitlines()[0] == f"loss = {record.loss:.4g}"


def test_go_to_rejects_steps_outside(stepper):
    with pytest.raises(ValueError, match="index must be from 0 to 8, got 9"):
        stepper.go_to(9)


def test_stepper_rejects_a_history():
    with pytest.raises(TypeError, match="needs the StepRecord"):
        BackpropStepper(scribble.History())


def test_each_move_draws_once(stepper):
    assert stepper.draw_count == 1  # the first figure, drawn on construction
    stepper.next()
    assert stepper.draw_count == 2
    stepper.slider.value = 5
    assert stepper.draw_count == 3
    stepper.go_to(len(stepper.steps) - 1)
    stepper.next()  # already at the last step: nothing to draw
    assert stepper.draw_count == 4


def test_twenty_moves_open_no_figures(record):
    plt.close("all")
    stepper = BackpropStepper(record)
    figure = stepper.figure
    for move in range(20):
        if move % 3 == 2:
            stepper.previous()
        else:
            stepper.next()
    assert plt.get_fignums() == []
    assert stepper.figure is figure
    # One output at a time: the new figure replaces the old one.
    assert len(stepper.figure_output.outputs) == 1


def test_figure_is_a_png_that_changes(stepper):
    first = stepper.figure_output.outputs[0]["data"]["image/png"]
    stepper.next()
    second = stepper.figure_output.outputs[0]["data"]["image/png"]
    assert first != second
    assert "scribble-figure" in stepper.figure_output._dom_classes


def test_error_in_callback_shows_in_view(stepper):
    def broken_plot(fig):
        raise RuntimeError("plot failed on purpose")

    stepper.steps[1].plot = broken_plot
    stepper.next_button.click()
    (output,) = stepper.figure_output.outputs
    assert output["output_type"] == "error"
    assert output["evalue"] == "plot failed on purpose"
    assert any("broken_plot" in line for line in output["traceback"])
    assert "scribble-error" in stepper.figure_output._dom_classes
    assert isinstance(stepper.last_error, RuntimeError)

    stepper.next_button.click()  # a working step clears the error
    assert stepper.figure_output.outputs[0]["output_type"] == "display_data"
    assert "scribble-error" not in stepper.figure_output._dom_classes


def test_display_data_has_static_figure_and_stable_text(stepper):
    data = stepper._repr_mimebundle_()
    assert data["text/plain"] == (
        "BackpropStepper: step 1 of 9, forward: layer 0 (relu)"
    )
    assert data["image/png"] == stepper.figure_output.outputs[0]["data"]["image/png"]
    assert "application/vnd.jupyter.widget-view+json" in data


def test_css_classes_for_browser_tests(stepper):
    assert "scribble-step-name" in stepper.name_html._dom_classes
    assert "scribble-step-formula" in stepper.formula_html._dom_classes
    assert "scribble-step-numbers" in stepper.numbers_html._dom_classes


# -- training explorer ---------------------------------------------------------------


def test_training_explorer_starts_at_last_epoch(trace):
    explorer = TrainingExplorer(trace)
    assert explorer.index == 3
    assert explorer.slider.value == 4
    assert text_of(explorer.name_html) == "epoch 4 of 4"
    assert "scribble-training-explorer" in explorer._dom_classes
    assert explorer.draw_count == 1


def test_training_explorer_slider_shows_each_epoch(trace):
    explorer = TrainingExplorer(trace)
    for epoch in range(1, 5):
        explorer.slider.value = epoch
        numbers = explorer.steps[explorer.index].numbers
        assert numbers["loss"] == trace.history.loss[epoch - 1]
        assert text_of(explorer.numbers_html) == explorer.numbers_text(epoch - 1)
        assert f"loss = {trace.history.loss[epoch - 1]:.4g}" in explorer.numbers_text()
    # One draw on construction (epoch 4), then one per move to epochs 1, 2, 3, 4.
    assert explorer.draw_count == 5


def test_training_explorer_rejects_a_record(record):
    with pytest.raises(TypeError, match="needs the TrainingTrace"):
        TrainingExplorer(record)


# -- digit explorer ------------------------------------------------------------------


def test_digit_explorer_shows_the_networks_prediction(digit_data):
    network, images, labels = digit_data
    explorer = DigitExplorer(network, images, labels, seed=0, index=7)
    assert explorer.index == 7
    assert explorer.prediction == network.predict(images[7])
    assert np.array_equal(explorer.probabilities, network.predict_proba(images[7]))
    verdict = "right" if explorer.prediction == labels[7] else "wrong"
    assert text_of(explorer.prediction_html) == (
        f"prediction: {explorer.prediction} (label {labels[7]}, {verdict})"
    )
    assert text_of(explorer.probabilities_html) == explorer.probabilities_text()
    assert "scribble-digit-explorer" in explorer._dom_classes
    assert "scribble-prediction" in explorer.prediction_html._dom_classes
    assert "scribble-probabilities" in explorer.probabilities_html._dom_classes


def test_index_box_and_slider_agree_and_draw_once(digit_data):
    explorer = DigitExplorer(*digit_data)
    explorer.index_box.value = 12
    assert explorer.slider.value == 12
    assert explorer.draw_count == 2
    explorer.slider.value = 30
    assert explorer.index_box.value == 30
    assert explorer.draw_count == 3
    assert explorer.prediction == digit_data[0].predict(digit_data[1][30])


def test_random_button_is_reproducible(digit_data):
    first = DigitExplorer(*digit_data, seed=11)
    second = DigitExplorer(*digit_data, seed=11)
    visited_first, visited_second = [], []
    for _ in range(10):
        first.random_button.click()
        second.random_button.click()
        visited_first.append(first.index)
        visited_second.append(second.index)
    assert visited_first == visited_second

    rng = np.random.default_rng(11)
    expected, current = [], 0
    for _ in range(10):
        current = draw_other_index(rng, 50, current)
        expected.append(current)
    assert visited_first == expected
    assert all(a != b for a, b in zip(visited_first, visited_first[1:]))


def test_random_moves_draw_once_each_without_new_figures(digit_data):
    plt.close("all")
    explorer = DigitExplorer(*digit_data, seed=3)
    for _ in range(20):
        explorer.random()
    assert explorer.draw_count == 21
    assert plt.get_fignums() == []


def test_digit_explorer_rejects_bad_index(digit_data):
    with pytest.raises(ValueError, match="index must be an integer from 0 to 49"):
        DigitExplorer(*digit_data, index=50)
    explorer = DigitExplorer(*digit_data)
    with pytest.raises(ValueError, match="index must be from 0 to 49, got -1"):
        explorer.go_to(-1)


def test_digit_explorer_shows_errors(digit_data, monkeypatch):
    explorer = DigitExplorer(*digit_data)

    def broken_draw(fig):
        raise ValueError("digit drawing failed on purpose")

    monkeypatch.setattr(explorer, "_draw_current", broken_draw)
    explorer.random_button.click()
    (output,) = explorer.figure_output.outputs
    assert output["output_type"] == "error"
    assert output["evalue"] == "digit drawing failed on purpose"
