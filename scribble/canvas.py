"""A drawing canvas for JupyterLab: draw a digit, watch the network read it.

:class:`DrawingCanvas` shows a square pad to draw on with the mouse, Clear and Undo
buttons, each preprocessing step of :func:`scribble.drawing.preprocess_drawing`,
and the network's probabilities, updated while you draw.

Why anywidget: the pad is an :class:`anywidget.AnyWidget`, whose browser side is
the small ES module below, with no build step and no labextension of its own. It
is actively maintained, and anywidget 0.11 works with JupyterLab 4.6 and ipywidgets
8.1 (checked on this project's environment). The strokes are drawn in the browser
as the pen moves, so drawing never waits for the kernel; the kernel receives the
stroke points and does the rest. ipycanvas (0.14) also supports JupyterLab 4, but
it sends every mouse move to the kernel and draws by sending commands back, so the
pen lags whenever the kernel is busy predicting.

The view only displays: rendering, preprocessing and prediction are
:func:`scribble.drawing.predict_strokes`, which tests call without a browser.
"""

import io

import anywidget
import ipywidgets as widgets
import numpy as np
import traitlets

from .drawing import area_resize, predict_strokes

__all__ = ["DrawingCanvas", "DrawingPad"]

# Browser side of the pad. Each stroke is a list of [x, y] points in canvas
# pixels. While the pen is down, the strokes so far plus the current one are sent
# at most every 100 ms, and once more when the pen lifts.
_ESM = """
function render({ model, el }) {
  const size = model.get("size");
  const canvas = document.createElement("canvas");
  canvas.width = size;
  canvas.height = size;
  canvas.className = "scribble-drawing-pad";
  el.appendChild(canvas);
  const context = canvas.getContext("2d");
  let committed = null;
  let current = null;
  let lastSent = 0;

  function drawStroke(points) {
    context.lineWidth = model.get("line_width");
    context.lineCap = "round";
    context.lineJoin = "round";
    context.strokeStyle = "#000";
    context.fillStyle = "#000";
    if (points.length === 1) {
      context.beginPath();
      context.arc(points[0][0], points[0][1], context.lineWidth / 2, 0, 2 * Math.PI);
      context.fill();
      return;
    }
    context.beginPath();
    context.moveTo(points[0][0], points[0][1]);
    for (const [x, y] of points.slice(1)) context.lineTo(x, y);
    context.stroke();
  }
  function redraw() {
    context.fillStyle = "#fff";
    context.fillRect(0, 0, size, size);
    const strokes = current ? [...committed, current] : model.get("strokes");
    for (const points of strokes) if (points.length) drawStroke(points);
  }
  function pointOf(event) {
    const box = canvas.getBoundingClientRect();
    const x = ((event.clientX - box.left) * size) / box.width;
    const y = ((event.clientY - box.top) * size) / box.height;
    return [Math.round(x * 10) / 10, Math.round(y * 10) / 10];
  }
  function send(force) {
    const now = Date.now();
    if (!force && now - lastSent < 100) return;
    lastSent = now;
    model.set("strokes", [...committed, current]);
    model.save_changes();
  }
  canvas.addEventListener("pointerdown", (event) => {
    canvas.setPointerCapture(event.pointerId);
    committed = model.get("strokes").slice();
    current = [pointOf(event)];
    redraw();
    send(true);
  });
  canvas.addEventListener("pointermove", (event) => {
    if (!current) return;
    current.push(pointOf(event));
    redraw();
    send(false);
  });
  const finish = () => {
    if (!current) return;
    send(true);
    current = null;
    committed = null;
  };
  canvas.addEventListener("pointerup", finish);
  canvas.addEventListener("pointercancel", finish);
  model.on("change:strokes", () => { if (!current) redraw(); });
  redraw();
}
export default { render };
"""

_CSS = """
.scribble-drawing-pad {
  border: 1px solid #888;
  background: #fff;
  cursor: crosshair;
  touch-action: none;
}
.scribble-step img { image-rendering: pixelated; border: 1px solid #ccc; }
"""

_STEP_PIXELS = 112  # display size of each preprocessing step


class DrawingPad(anywidget.AnyWidget):
    """A square pad that records mouse strokes.

    ``strokes`` is a list of strokes, each a list of ``[x, y]`` points in pixels
    of the ``size`` x ``size`` pad; assigning it from Python redraws the pad.
    """

    _esm = _ESM
    _css = _CSS
    strokes = traitlets.List().tag(sync=True)
    size = traitlets.Int(280).tag(sync=True)
    line_width = traitlets.Float(18.0).tag(sync=True)


def _png(image):
    """Encode a 2-D image in [0, 1] as a 112x112 PNG, ink dark on white, centered."""
    import matplotlib.image

    height, width = image.shape
    factor = _STEP_PIXELS / max(height, width)
    fitted = area_resize(
        image, (max(1, round(height * factor)), max(1, round(width * factor)))
    )
    shown = np.zeros((_STEP_PIXELS, _STEP_PIXELS))
    top = (_STEP_PIXELS - fitted.shape[0]) // 2
    left = (_STEP_PIXELS - fitted.shape[1]) // 2
    shown[top : top + fitted.shape[0], left : left + fitted.shape[1]] = fitted
    buffer = io.BytesIO()
    matplotlib.image.imsave(buffer, shown, cmap="gray_r", vmin=0, vmax=1, format="png")
    return buffer.getvalue()


class DrawingCanvas(widgets.VBox):
    """Draw a digit, see the MNIST preprocessing steps and the network's guess.

    Parameters
    ----------
    network : NeuralNetwork
        A network trained on normalized 28x28 digits (784 inputs, 10 classes).
    size : int
        Pad width and height in pixels.
    line_width : float
        Pen diameter in pad pixels; 18 on a 280-pixel pad gives MNIST-like strokes.

    Attributes
    ----------
    pad : DrawingPad
    result : scribble.drawing.DrawingPrediction
        The latest prediction, recomputed whenever the strokes change.
    prediction_text : str
        What the prediction element shows.
    """

    def __init__(self, network, size=280, line_width=18.0):
        if network.sizes[0] != 784:
            raise ValueError(
                f"the canvas feeds 28x28 = 784 pixels, but the network takes "
                f"{network.sizes[0]} inputs: build it with 784 inputs"
            )
        self.network = network
        self.pad = DrawingPad(size=size, line_width=line_width)
        self.clear_button = widgets.Button(description="Clear", icon="eraser")
        self.undo_button = widgets.Button(description="Undo", icon="undo")
        self.clear_button.on_click(lambda _: self.clear())
        self.undo_button.on_click(lambda _: self.undo())
        self.clear_button.add_class("scribble-clear")
        self.undo_button.add_class("scribble-undo")

        names = ("cropped to the ink", "scaled to fit 20x20", "centered in 28x28")
        self._step_images = [
            widgets.Image(format="png", width=_STEP_PIXELS, height=_STEP_PIXELS)
            for _ in names
        ]
        steps = []
        for name, image in zip(names, self._step_images):
            box = widgets.VBox(
                [widgets.HTML(f"<b>{name}</b>"), image],
                layout=widgets.Layout(width="150px", margin="0 12px 0 0"),
            )
            box.add_class("scribble-step")
            steps.append(box)
        self.prediction = widgets.HTML()
        self.prediction.add_class("scribble-prediction")
        self.probabilities = widgets.HTML()
        self.probabilities.add_class("scribble-probabilities")
        # Errors raised while updating show here instead of vanishing.
        self.errors = widgets.Output()

        super().__init__(
            [
                widgets.HBox(
                    [
                        widgets.VBox(
                            [
                                self.pad,
                                widgets.HBox([self.clear_button, self.undo_button]),
                            ]
                        ),
                        widgets.VBox([self.prediction, self.probabilities]),
                    ]
                ),
                widgets.HBox(steps),
                self.errors,
            ]
        )
        self.add_class("scribble-drawing-canvas")
        self.pad.observe(self._on_strokes, names="strokes")
        self.update()

    def __repr__(self):
        return f"DrawingCanvas(network={self.network!r})"

    @property
    def strokes(self):
        return self.pad.strokes

    @strokes.setter
    def strokes(self, value):
        self.pad.strokes = [list(map(list, stroke)) for stroke in value]

    def clear(self):
        """Remove every stroke."""
        self.pad.strokes = []

    def undo(self):
        """Remove the last stroke, if any."""
        self.pad.strokes = self.pad.strokes[:-1]

    def _on_strokes(self, change):
        with self.errors:
            self.update()

    def update(self):
        """Recompute the prediction from the current strokes and show it."""
        self.result = predict_strokes(
            self.network,
            self.pad.strokes,
            size=self.pad.size,
            line_width=self.pad.line_width,
        )
        if self.result.is_empty:
            self.prediction_text = "Draw a digit"
            blank = _png(np.zeros((28, 28)))
            for image in self._step_images:
                image.value = blank
            self.prediction.value = f"<h3>{self.prediction_text}</h3>"
            self.probabilities.value = _probability_table(None)
            return
        steps = self.result.steps
        for image, array in zip(
            self._step_images, (steps.cropped, steps.scaled, steps.normalized)
        ):
            image.value = _png(array / array.max())
        confidence = self.result.probabilities[self.result.label]
        self.prediction_text = f"Prediction: {self.result.label} ({confidence:.1%})"
        self.prediction.value = f"<h3>{self.prediction_text}</h3>"
        self.probabilities.value = _probability_table(self.result.probabilities)


def _probability_table(probabilities):
    """HTML bars of the ten class probabilities; empty bars for None."""
    rows = []
    for digit in range(10):
        value = 0.0 if probabilities is None else float(probabilities[digit])
        rows.append(
            f'<div class="scribble-probability" data-digit="{digit}" '
            f'style="display:flex;align-items:center;gap:6px;font-family:monospace">'
            f"<span>{digit}</span>"
            f'<span style="display:inline-block;width:160px;height:10px;'
            f'background:#eee"><span style="display:block;height:10px;'
            f'width:{100 * value:.1f}%;background:#4477aa"></span></span>'
            f"<span>{value:6.1%}</span></div>"
        )
    return "".join(rows)
