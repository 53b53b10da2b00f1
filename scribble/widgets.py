"""Step-through views for the lessons, built with ipywidgets.

- :class:`BackpropStepper` walks through one training step with Previous / Next
  buttons and a slider.
- :class:`TrainingExplorer` moves over the epochs of a training run with a slider.
- :class:`DigitExplorer` picks a test digit with a slider, an index box or a
  "random" button.

The views only display: what they show comes from :mod:`scribble.steps`,
:mod:`scribble.training_trace` and :mod:`scribble.digit_prediction`, so it is tested
without a browser. Each view

- draws on one matplotlib Figure of its own that is not registered with pyplot, so
  moving a slider neither opens new figures nor makes the inline backend show one;
- draws exactly once per move: the buttons and the index box only set the slider,
  and the slider's observer draws;
- puts the PNG into an Output widget by setting its ``outputs``, not by displaying
  into it, so nothing leaks into the output of the cell that made the view;
- catches any error raised while drawing and shows its traceback in that Output,
  because ipywidgets would otherwise only write it to the kernel's log;
- carries a PNG of its first figure in its display data, so a notebook read without
  a live kernel (a web page, nbval's saved outputs) still shows a figure.

CSS classes for browser tests: the root widget has ``scribble-backprop-stepper``,
``scribble-training-explorer`` or ``scribble-digit-explorer``; the figure Output has
``scribble-figure`` (and ``scribble-error`` while it shows an error); the HTML
widgets have ``scribble-step-name``, ``scribble-step-formula``,
``scribble-step-numbers``, ``scribble-prediction`` and ``scribble-probabilities``.
"""

import base64
import html
import io
import traceback

import ipywidgets as widgets
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from .digit_prediction import draw_other_index, predict_digit
from .records import StepRecord
from .steps import backprop_steps
from .training_trace import TrainingTrace, epoch_steps

__all__ = ["BackpropStepper", "DigitExplorer", "TrainingExplorer"]

# Resolution of the PNG each move sends to the browser, in dots per inch.
FIGURE_DPI = 80


def _png_output(png):
    """Return an nbformat display_data output that shows ``png`` (bytes)."""
    return {
        "output_type": "display_data",
        "data": {
            "image/png": base64.b64encode(png).decode("ascii"),
            "text/plain": "<scribble figure>",
        },
        "metadata": {},
    }


def _error_output(error):
    """Return an nbformat error output with the traceback of ``error``."""
    lines = traceback.format_exception(type(error), error, error.__traceback__)
    return {
        "output_type": "error",
        "ename": type(error).__name__,
        "evalue": str(error),
        "traceback": [line.rstrip("\n") for line in lines],
    }


def _pre(text):
    """HTML for ``text`` in a preformatted block, escaped."""
    return f"<pre style='margin: 0'>{html.escape(text)}</pre>"


class _FigureView(widgets.VBox):
    """A VBox with one private Figure, drawn into an Output widget on demand.

    Subclasses build their controls, call :meth:`_show` from exactly one observer,
    and implement :meth:`_draw_current` and :meth:`summary`.
    """

    def __init__(self, css_class, figsize, **kwargs):
        super().__init__(**kwargs)
        self.add_class(css_class)
        # A Figure made without pyplot is not in pyplot's list of open figures, and
        # the inline backend never displays it on its own.
        self.figure = Figure(figsize=figsize)
        FigureCanvasAgg(self.figure)
        self.figure_output = widgets.Output()
        self.figure_output.add_class("scribble-figure")
        self.draw_count = 0
        self.last_error = None
        self._png = None

    def _draw_current(self, fig):
        raise NotImplementedError

    def _update_text(self):
        """Update the HTML widgets for the current position."""

    def summary(self):
        raise NotImplementedError

    def _show(self):
        """Redraw the figure and the text for the current position, once.

        An error is shown in the figure Output instead of being raised, because an
        exception in a widget callback never reaches the notebook.
        """
        try:
            self._update_text()
            self._draw_current(self.figure)
            self.draw_count += 1
            buffer = io.BytesIO()
            self.figure.savefig(buffer, format="png", dpi=FIGURE_DPI)
            self._png = buffer.getvalue()
            self.figure_output.outputs = (_png_output(self._png),)
            self.figure_output.remove_class("scribble-error")
            self.last_error = None
        except Exception as error:  # shown to the learner instead of raised
            self.last_error = error
            self.figure_output.outputs = (_error_output(error),)
            self.figure_output.add_class("scribble-error")

    def _repr_mimebundle_(self, **kwargs):
        # The widget view for a live kernel, a PNG of the current figure for
        # renderers without one, and a stable text line for nbval to compare (the
        # default text lists every child widget).
        data = super()._repr_mimebundle_(**kwargs)
        data["text/plain"] = self.summary()
        if self._png is not None:
            data["image/png"] = base64.b64encode(self._png).decode("ascii")
        return data


class _StepView(_FigureView):
    """A view of a list of :class:`~scribble.steps.Step`, one at a time.

    The slider counts from 1 for the learner; :attr:`index` counts from 0 into
    :attr:`steps`.
    """

    def __init__(self, steps, css_class, slider_label, figsize, buttons=True, start=0):
        super().__init__(css_class, figsize)
        if not steps:
            raise ValueError("a step view needs at least one step, got none")
        self.steps = list(steps)
        if not 0 <= start < len(self.steps):
            raise ValueError(
                f"start must be from 0 to {len(self.steps) - 1}, got {start}"
            )
        self.slider = widgets.IntSlider(
            value=start + 1,
            min=1,
            max=len(self.steps),
            description=slider_label,
            continuous_update=False,
        )
        self.name_html = widgets.HTML()
        self.name_html.add_class("scribble-step-name")
        self.formula_html = widgets.HTMLMath()
        self.formula_html.add_class("scribble-step-formula")
        self.numbers_html = widgets.HTML()
        self.numbers_html.add_class("scribble-step-numbers")

        controls = [self.slider]
        if buttons:
            self.previous_button = widgets.Button(
                description="Previous", icon="arrow-left"
            )
            self.next_button = widgets.Button(description="Next", icon="arrow-right")
            self.previous_button.on_click(lambda _button: self.previous())
            self.next_button.on_click(lambda _button: self.next())
            controls = [self.previous_button, self.slider, self.next_button]
        self.children = [
            widgets.HBox(controls),
            self.name_html,
            self.formula_html,
            self.figure_output,
            self.numbers_html,
        ]
        self.slider.observe(self._on_slider, names="value")
        self._show()

    @property
    def index(self):
        """Position of the current step in :attr:`steps`, from 0."""
        return self.slider.value - 1

    @index.setter
    def index(self, value):
        self.go_to(value)

    @property
    def step(self):
        """The current :class:`~scribble.steps.Step`."""
        return self.steps[self.index]

    def go_to(self, index):
        """Show step ``index`` (from 0); raises ValueError outside the steps."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"index must be an integer, got {index!r}")
        if not 0 <= index < len(self.steps):
            raise ValueError(
                f"index must be from 0 to {len(self.steps) - 1}, got {index}"
            )
        self.slider.value = int(index) + 1

    def next(self):
        """Show the next step; at the last step nothing changes."""
        if self.index < len(self.steps) - 1:
            self.go_to(self.index + 1)

    def previous(self):
        """Show the previous step; at the first step nothing changes."""
        if self.index > 0:
            self.go_to(self.index - 1)

    def numbers_text(self, index=None):
        """Return the numbers of step ``index`` (default: the current one) as text."""
        if index is None:
            index = self.index
        return self.steps[index].numbers_text()

    def summary(self):
        step = self.step
        return (
            f"{type(self).__name__}: step {self.index + 1} of {len(self.steps)}, "
            f"{step.name}"
        )

    def _on_slider(self, _change):
        self._show()

    def _update_text(self):
        step = self.step
        self.name_html.value = f"<b>{html.escape(step.name)}</b>"
        self.formula_html.value = f"$${html.escape(step.formula)}$$"
        self.numbers_html.value = _pre(self.numbers_text())

    def _draw_current(self, fig):
        self.step.draw(fig)


class BackpropStepper(_StepView):
    """Walk through one training step: forward, loss, deltas, gradients, update.

    Parameters
    ----------
    record : StepRecord
        From ``network.record_step(x, y, learning_rate)``.
    neuron : int
        The neuron whose numbers the formulas substitute.

    Attributes
    ----------
    steps : list of Step
        From :func:`scribble.steps.backprop_steps`.
    index : int
        The current step, from 0.
    """

    def __init__(self, record, neuron=0):
        if not isinstance(record, StepRecord):
            raise TypeError(
                "BackpropStepper needs the StepRecord of network.record_step(x, y, "
                f"learning_rate), got {type(record).__name__}"
            )
        self.record = record
        super().__init__(
            backprop_steps(record, neuron=neuron),
            "scribble-backprop-stepper",
            "step",
            figsize=(9, 3.6),
        )


class TrainingExplorer(_StepView):
    """Move over the epochs of a training run with a slider.

    Each epoch shows the loss curve up to it, its mean |delta| per layer and the
    output delta of one fixed sample after it.

    Parameters
    ----------
    trace : TrainingTrace
        From :func:`scribble.training_trace.record_training`.

    Attributes
    ----------
    steps : list of Step
        One per epoch, from :func:`scribble.training_trace.epoch_steps`.
    index : int
        The current epoch minus 1.
    """

    def __init__(self, trace):
        if not isinstance(trace, TrainingTrace):
            raise TypeError(
                "TrainingExplorer needs the TrainingTrace of record_training(...), "
                f"got {type(trace).__name__}"
            )
        self.trace = trace
        super().__init__(
            epoch_steps(trace),
            "scribble-training-explorer",
            "epoch",
            figsize=(12, 3.6),
            buttons=False,
            # The finished run is the most telling figure to show first.
            start=trace.epochs - 1,
        )

    def summary(self):
        return f"TrainingExplorer: {self.step.name}"


class DigitExplorer(_FigureView):
    """Pick an image and see the network's probabilities and whether it is right.

    Parameters
    ----------
    network : NeuralNetwork
    images : array of shape (num_images, height, width) or (num_images, pixels)
        Scaled as the network was trained on.
    labels : array of shape (num_images,)
    seed : int or numpy.random.Generator
        Seeds the "random" button, so the same seed visits the same images.
    index : int
        The image shown first.

    Attributes
    ----------
    index : int
        The image shown.
    prediction : int
        The network's class for it.
    probabilities : numpy array of shape (num_classes,)
    """

    def __init__(self, network, images, labels, seed=0, index=0):
        super().__init__("scribble-digit-explorer", figsize=(8, 3.4))
        self.network = network
        self.images = np.asarray(images)
        self.labels = np.asarray(labels)
        self.rng = np.random.default_rng(seed)
        # Checks the arguments and computes the first prediction before any widget
        # exists, so bad input raises here instead of inside a callback.
        self.current = predict_digit(network, self.images, self.labels, index)

        count = len(self.images)
        self.slider = widgets.IntSlider(
            value=index,
            min=0,
            max=count - 1,
            description="image",
            continuous_update=False,
        )
        self.index_box = widgets.BoundedIntText(
            value=index, min=0, max=count - 1, description="index"
        )
        self.random_button = widgets.Button(description="random", icon="random")
        self.prediction_html = widgets.HTML()
        self.prediction_html.add_class("scribble-prediction")
        self.probabilities_html = widgets.HTML()
        self.probabilities_html.add_class("scribble-probabilities")

        self.random_button.on_click(lambda _button: self.random())
        self.index_box.observe(self._on_index_box, names="value")
        self.slider.observe(self._on_slider, names="value")
        self.children = [
            widgets.HBox([self.slider, self.index_box, self.random_button]),
            self.prediction_html,
            self.figure_output,
            self.probabilities_html,
        ]
        self._show()

    @property
    def index(self):
        """Index of the image shown."""
        return self.slider.value

    @index.setter
    def index(self, value):
        self.go_to(value)

    @property
    def prediction(self):
        return self.current.prediction

    @property
    def probabilities(self):
        return self.current.probabilities

    @property
    def label(self):
        return self.current.label

    @property
    def correct(self):
        return self.current.correct

    def go_to(self, index):
        """Show image ``index``; raises ValueError outside the images."""
        if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
            raise ValueError(f"index must be an integer, got {index!r}")
        if not 0 <= index < len(self.images):
            raise ValueError(
                f"index must be from 0 to {len(self.images) - 1}, got {index}"
            )
        self.slider.value = int(index)

    def random(self):
        """Show an image drawn from the seeded generator, never the current one."""
        self.go_to(draw_other_index(self.rng, len(self.images), self.index))

    def prediction_text(self):
        return self.current.prediction_text()

    def probabilities_text(self):
        return self.current.probabilities_text()

    def summary(self):
        return f"DigitExplorer: image {self.index}, {self.prediction_text()}"

    def _on_index_box(self, change):
        # The box only moves the slider; the slider's observer draws.
        self.slider.value = change["new"]

    def _on_slider(self, change):
        self.index_box.value = change["new"]
        self._show()

    def _update_text(self):
        self.current = predict_digit(
            self.network, self.images, self.labels, self.slider.value
        )
        self.prediction_html.value = f"<b>{html.escape(self.prediction_text())}</b>"
        self.probabilities_html.value = _pre(self.probabilities_text())

    def _draw_current(self, fig):
        self.current.draw(fig)
