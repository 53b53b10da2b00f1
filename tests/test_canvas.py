"""The drawing canvas view, driven from Python without a browser."""

import numpy as np
import pytest

from scribble import NeuralNetwork
from scribble.canvas import DrawingCanvas
from scribble.drawing import predict_strokes

BAR = [[(140, 50), (140, 230)]]
HOOK = [[(100, 60), (140, 50)]]


@pytest.fixture(scope="module")
def network(digits):
    network = NeuralNetwork.from_sizes([784, 64, 10], rng=0)
    X_train, y_train, _, _ = digits
    network.train(
        X_train,
        y_train,
        epochs=4,
        learning_rate=0.1,
        batch_size=16,
        shuffle=True,
        seed=0,
        verbose=0,
    )
    return network


def test_empty_canvas_asks_for_digit(network):
    canvas = DrawingCanvas(network)
    assert canvas.prediction_text == "Draw a digit"
    assert "Draw a digit" in canvas.prediction.value
    assert canvas.result.is_empty


def test_strokes_update_prediction(network):
    canvas = DrawingCanvas(network)
    canvas.strokes = BAR
    expected = predict_strokes(network, BAR)
    assert canvas.result.label == expected.label == 1
    np.testing.assert_allclose(canvas.result.probabilities, expected.probabilities)
    assert canvas.prediction_text.startswith("Prediction: 1 (")
    assert canvas.prediction_text in canvas.prediction.value
    confidence = f"{expected.probabilities[1]:6.1%}"
    assert confidence in canvas.probabilities.value
    for image in canvas._step_images:
        assert bytes(image.value).startswith(b"\x89PNG")


def test_undo_and_clear_buttons(network):
    canvas = DrawingCanvas(network)
    canvas.strokes = BAR + HOOK
    with_hook = canvas.result.probabilities.copy()
    canvas.undo_button.click()
    assert canvas.strokes == [list(map(list, BAR[0]))]
    assert not np.allclose(canvas.result.probabilities, with_hook)
    np.testing.assert_allclose(
        canvas.result.probabilities, predict_strokes(network, BAR).probabilities
    )
    canvas.clear_button.click()
    assert canvas.strokes == []
    assert canvas.prediction_text == "Draw a digit"
    canvas.undo_button.click()  # undo on an empty pad does nothing
    assert canvas.strokes == []


def test_root_and_prediction_classes(network):
    canvas = DrawingCanvas(network)
    assert "scribble-drawing-canvas" in canvas._dom_classes
    assert "scribble-prediction" in canvas.prediction._dom_classes


def test_rejects_network_without_784_inputs():
    with pytest.raises(ValueError, match="takes 10 inputs"):
        DrawingCanvas(NeuralNetwork.from_sizes([10, 4, 10], rng=0))
