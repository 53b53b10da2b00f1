"""The steps of one training step, as the backprop stepper shows them.

:func:`backprop_steps` turns one :class:`~scribble.records.StepRecord` into an
ordered list of :class:`Step`: forward through each layer, the loss, the output
delta, each hidden delta, then the gradients and the update of each layer. Each step
has a ``name``, a LaTeX ``formula`` with the actual numbers substituted for one
neuron (neuron 0 unless chosen otherwise), the ``numbers`` it shows, copied from the
record, and ``draw(fig)``, which plots it on a matplotlib Figure.

No widget code is here: :mod:`scribble.widgets` only displays these steps, so what a
view shows is testable without a browser or a kernel. Layers are numbered from 0,
the first hidden layer, as in :mod:`scribble.records`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from matplotlib.ticker import MaxNLocator

from .activations import activation_derivative

__all__ = [
    "Step",
    "backprop_steps",
    "bar_chart",
    "format_number",
    "format_numbers",
    "set_margins",
]

# Arrays longer than this are shown as their first entries and a count.
MAX_SHOWN_ENTRIES = 16

# Bar colours: one for every neuron, one to pick out the neuron the formula uses.
BAR_COLOR = "tab:blue"
SECOND_BAR_COLOR = "tab:orange"
HIGHLIGHT_COLOR = "tab:red"


@dataclass
class Step:
    """One screen of a step-through view.

    Attributes
    ----------
    name : str
        Short title, for example ``"forward: layer 0 (relu)"``.
    formula : str
        LaTeX without ``$`` delimiters, with the step's numbers substituted.
    numbers : dict of str to float or numpy array
        The values the step shows, copied from the record it was built from.
    kind : str
        "forward", "loss", "output delta", "hidden delta", "gradients", "update" or
        "epoch".
    layer : int or None
        The layer the step is about, None for the loss and for epochs.
    plot : callable
        ``plot(fig)`` draws the step on an empty matplotlib Figure.
    """

    name: str
    formula: str
    numbers: dict
    kind: str
    layer: object
    plot: Callable = field(repr=False)

    def draw(self, fig):
        """Clear ``fig``, draw this step on it and return it."""
        fig.clear()
        set_margins(fig)
        self.plot(fig)
        return fig

    def numbers_text(self):
        """Return :attr:`numbers` as text, one ``name = value`` line each."""
        return format_numbers(self.numbers)


def set_margins(fig):
    """Give ``fig`` fixed margins that fit the titles, labels and colorbars here.

    Fixed margins cost nothing, while matplotlib's constrained layout doubles the
    time of every redraw, which a slider makes on each move.
    """
    fig.set_layout_engine(None)
    fig.subplots_adjust(left=0.08, right=0.97, bottom=0.16, top=0.88, wspace=0.4)


# -- formatting -------------------------------------------------------------------


def format_number(value):
    """Format one number with 4 significant digits, as every view prints it."""
    return f"{float(value):.4g}"


def _term(value):
    """Format a number for use after an operator: negatives get brackets."""
    text = format_number(value)
    return f"({text})" if text.startswith("-") else text


def format_numbers(numbers):
    """Return ``numbers`` as lines of ``name = value`` with 4 significant digits.

    Parameters
    ----------
    numbers : dict of str to number or numpy array
        Arrays of up to ``MAX_SHOWN_ENTRIES`` entries are written out in full, longer
        ones as their first entries, "..." and their shape.
    """
    lines = []
    for name, value in numbers.items():
        array = np.asarray(value)
        if array.ndim == 0:
            lines.append(f"{name} = {format_number(array)}")
            continue
        flat = array.ravel()
        shown = ", ".join(format_number(entry) for entry in flat[:MAX_SHOWN_ENTRIES])
        if flat.size > MAX_SHOWN_ENTRIES:
            shown += f", ... ({flat.size} values, shape {array.shape})"
        lines.append(f"{name} = [{shown}]")
    return "\n".join(lines)


# -- backpropagation steps --------------------------------------------------------


def _activation_formula(name, layer, neuron, z, z_value, output_value):
    """LaTeX for ``a = f(z)`` of one neuron, with its numbers."""
    a = rf"a^{{({layer})}}_{{{neuron}}}"
    z_text = format_number(z_value)
    output_text = format_number(output_value)
    if name == "relu":
        return rf"{a} = \max(0,\ {z_text}) = {output_text}"
    if name == "sigmoid":
        return rf"{a} = \frac{{1}}{{1 + e^{{-{_term(z_value)}}}}} = {output_text}"
    if name == "tanh":
        return rf"{a} = \tanh({z_text}) = {output_text}"
    if name == "linear":
        return rf"{a} = z^{{({layer})}}_{{{neuron}}} = {output_text}"
    # softmax: written with the maximum subtracted, as it is computed.
    shifted = np.exp(z - np.max(z))
    numerator = format_number(shifted[neuron])
    denominator = format_number(shifted.sum())
    return (
        rf"{a} = \frac{{e^{{z_{{{neuron}}} - \max_k z_k}}}}"
        rf"{{\sum_k e^{{z_k - \max_k z_k}}}} = \frac{{{numerator}}}{{{denominator}}}"
        rf" = {output_text}"
    )


def _derivative_formula(name, layer, neuron, output_value, derivative_value):
    """LaTeX for the activation's derivative of one neuron, with its numbers."""
    a = rf"a^{{({layer})}}_{{{neuron}}}"
    output_term = _term(output_value)
    derivative_text = format_number(derivative_value)
    if name == "relu":
        z = rf"z^{{({layer})}}_{{{neuron}}}"
        return rf"\mathrm{{ReLU}}'({z}) = [{z} > 0] = {derivative_text}"
    if name == "sigmoid":
        return (
            rf"{a}(1 - {a}) = {output_term} \cdot (1 - {output_term})"
            rf" = {derivative_text}"
        )
    if name == "tanh":
        return rf"1 - ({a})^2 = 1 - {output_term}^2 = {derivative_text}"
    return rf"f'(z) = {derivative_text}"


def bar_chart(ax, values, title, ylabel, neuron=None, color=BAR_COLOR):
    """Draw one bar per neuron on ``ax``, the chosen ``neuron`` highlighted.

    Shared with :mod:`scribble.training_trace`, whose views use the same bars.
    """
    values = np.asarray(values).ravel()
    colors = [color] * len(values)
    if neuron is not None and neuron < len(values):
        colors[neuron] = HIGHLIGHT_COLOR
    ax.bar(np.arange(len(values)), values, color=colors)
    ax.axhline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.set_xlabel("neuron")
    ax.set_ylabel(ylabel)


def _grouped_bars(ax, first, second, labels, title, ylabel):
    """Draw two bars per neuron side by side, for two quantities of one layer."""
    positions = np.arange(len(first))
    ax.bar(positions - 0.2, first, width=0.4, color=BAR_COLOR, label=labels[0])
    ax.bar(positions + 0.2, second, width=0.4, color=SECOND_BAR_COLOR, label=labels[1])
    ax.axhline(0, color="black", linewidth=0.8)
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.set_xlabel("neuron")
    ax.set_ylabel(ylabel)
    ax.legend()


def _heatmap(fig, ax, matrix, title, colorbar_label):
    """Draw a matrix with 0 in white, as for a weight gradient or weight change."""
    limit = float(np.max(np.abs(matrix))) or 1.0
    image = ax.imshow(
        matrix,
        cmap="RdBu_r",
        vmin=-limit,
        vmax=limit,
        aspect="auto",
        interpolation="nearest",
    )
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    ax.set_xlabel("input j")
    ax.set_ylabel("neuron i")
    fig.colorbar(image, ax=ax, label=colorbar_label)


def _input_symbol(layer_index, bold=False):
    """LaTeX for a layer's inputs: ``x`` for layer 0, the previous ``a`` after it."""
    letter = "x" if layer_index == 0 else "a"
    if bold:
        letter = rf"\mathbf{{{letter}}}"
    return letter if layer_index == 0 else f"{letter}^{{({layer_index - 1})}}"


def _forward_step(layer, neuron):
    index = layer.index
    z_value = layer.z[neuron]
    weighted_sum = float(layer.weights_before[neuron] @ layer.inputs)
    inputs = _input_symbol(index, bold=True)
    formula = (
        rf"z^{{({index})}}_{{{neuron}}} = \mathbf{{w}}^{{({index})}}_{{{neuron}}} "
        rf"\cdot {inputs} + b^{{({index})}}_{{{neuron}}} = "
        rf"{format_number(weighted_sum)} + {_term(layer.bias_before[neuron])} = "
        rf"{format_number(z_value)}"
        r",\qquad "
        + _activation_formula(
            layer.activation_function,
            index,
            neuron,
            layer.z,
            z_value,
            layer.output[neuron],
        )
    )

    def plot(fig):
        ax = fig.subplots()
        _grouped_bars(
            ax,
            layer.z,
            layer.output,
            ("z (weighted sum)", "output a"),
            f"Layer {index} forward ({layer.activation_function}): z and a per neuron",
            "value",
        )

    return Step(
        name=f"forward: layer {index} ({layer.activation_function})",
        formula=formula,
        numbers={"z": layer.z, "output": layer.output},
        kind="forward",
        layer=index,
        plot=plot,
    )


def _loss_step(record):
    predicted = record.predicted
    target = record.target
    is_one_hot = np.count_nonzero(target) == 1 and np.max(target) == 1
    if is_one_hot:
        true_class = int(np.argmax(target))
        formula = (
            rf"L = -\sum_k y_k \ln p_k = -\ln p_{{{true_class}}} = "
            rf"-\ln {format_number(predicted[true_class])} = "
            rf"{format_number(record.loss)}"
        )
    else:
        true_class = None
        formula = rf"L = -\sum_k y_k \ln p_k = {format_number(record.loss)}"

    def plot(fig):
        ax = fig.subplots()
        _grouped_bars(
            ax,
            predicted,
            target,
            ("predicted p", "target y"),
            f"Loss: cross-entropy {format_number(record.loss)} nats",
            "probability",
        )
        ax.set_xlabel("class")
        ax.set_ylim(0, 1.05)

    numbers = {"loss": record.loss, "predicted": predicted, "target": target}
    return Step("loss", formula, numbers, "loss", None, plot)


def _output_delta_step(record, layer, neuron):
    index = layer.index
    p, y = record.predicted[neuron], record.target[neuron]
    delta = rf"\delta^{{({index})}}_{{{neuron}}}"
    if layer.activation_function == "softmax":
        formula = (
            rf"\delta^{{({index})}} = \mathbf{{p}} - \mathbf{{y}},\qquad "
            rf"{delta} = p_{{{neuron}}} - y_{{{neuron}}} = {format_number(p)} - "
            rf"{_term(y)} = {format_number(layer.delta[neuron])}"
        )
    else:
        derivative = activation_derivative(layer.activation_function, layer.output)
        formula = (
            rf"{delta} = (p_{{{neuron}}} - y_{{{neuron}}})\, f'(z_{{{neuron}}}) = "
            rf"{_term(p - y)} \cdot {_term(derivative[neuron])} = "
            rf"{format_number(layer.delta[neuron])}"
        )

    def plot(fig):
        ax = fig.subplots()
        bar_chart(
            ax,
            layer.delta,
            f"Output delta (layer {index}): predicted - target",
            "delta = dL/dz",
            neuron,
        )

    return Step(
        name=f"output delta: layer {index}",
        formula=formula,
        numbers={"delta": layer.delta},
        kind="output delta",
        layer=index,
        plot=plot,
    )


def _hidden_delta_step(layer, next_layer, neuron):
    index = layer.index
    # dL/da of this layer: the next layer's delta sent back through the weights it
    # had during the backward pass (its weights before the update).
    d_output = next_layer.weights_before.T @ next_layer.delta
    derivative = activation_derivative(layer.activation_function, layer.output)
    if derivative is None:
        raise ValueError(
            f"layer {index} uses softmax, which scribble supports only on the output "
            "layer; use relu, sigmoid, tanh or linear for hidden layers"
        )
    name = layer.activation_function
    derivative_symbol = (
        rf"\mathrm{{ReLU}}'(\mathbf{{z}}^{{({index})}})"
        if name == "relu"
        else rf"f'(\mathbf{{z}}^{{({index})}})"
    )
    formula = (
        rf"\delta^{{({index})}} = \left(W^{{({index + 1})\top}} "
        rf"\delta^{{({index + 1})}}\right) \odot {derivative_symbol},\qquad "
        rf"\delta^{{({index})}}_{{{neuron}}} = \left(\sum_k "
        rf"w^{{({index + 1})}}_{{k{neuron}}} \delta^{{({index + 1})}}_k\right) "
        rf"f'(z^{{({index})}}_{{{neuron}}}) = {format_number(d_output[neuron])} \cdot "
        rf"{_term(derivative[neuron])} = {format_number(layer.delta[neuron])},\qquad "
        + _derivative_formula(
            name, index, neuron, layer.output[neuron], derivative[neuron]
        )
    )

    def plot(fig):
        ax = fig.subplots()
        _grouped_bars(
            ax,
            d_output,
            layer.delta,
            (f"dL/da from layer {index + 1}", "delta = dL/dz"),
            f"Hidden delta (layer {index}): passed back, then times {name}'",
            "gradient",
        )

    return Step(
        name=f"hidden delta: layer {index}",
        formula=formula,
        numbers={"dL/da": d_output, "delta": layer.delta},
        kind="hidden delta",
        layer=index,
        plot=plot,
    )


def _largest_input(layer):
    """Return the index of the largest input by magnitude, so the example is not 0."""
    return int(np.argmax(np.abs(layer.inputs)))


def _gradients_step(layer, neuron):
    index = layer.index
    j = _largest_input(layer)
    delta_value = layer.delta[neuron]
    symbol = _input_symbol(index)
    vector = _input_symbol(index, bold=True)
    formula = (
        rf"\frac{{\partial L}}{{\partial W^{{({index})}}}} = \delta^{{({index})}} "
        rf"{{{vector}}}^\top,\qquad "
        rf"\frac{{\partial L}}{{\partial w^{{({index})}}_{{{neuron},{j}}}}} = "
        rf"\delta^{{({index})}}_{{{neuron}}}\, {symbol}_{{{j}}} = "
        rf"{format_number(delta_value)} \cdot {_term(layer.inputs[j])} = "
        rf"{format_number(layer.d_weights[neuron, j])},\qquad "
        rf"\frac{{\partial L}}{{\partial b^{{({index})}}_{{{neuron}}}}} = "
        rf"\delta^{{({index})}}_{{{neuron}}} = {format_number(layer.d_bias[neuron])}"
    )

    def plot(fig):
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))
        _heatmap(fig, left, layer.d_weights, f"Layer {index}: d_weights", "dL/dw")
        bar_chart(right, layer.d_bias, f"Layer {index}: d_bias", "dL/db", neuron)

    return Step(
        name=f"gradients: layer {index}",
        formula=formula,
        numbers={
            f"d_weights[{neuron}, {j}]": layer.d_weights[neuron, j],
            "d_bias": layer.d_bias,
        },
        kind="gradients",
        layer=index,
        plot=plot,
    )


def _update_step(layer, neuron, learning_rate, updated):
    index = layer.index
    j = _largest_input(layer)
    w_before = layer.weights_before[neuron, j]
    w_after = layer.weights_after[neuron, j]
    eta = format_number(learning_rate)
    formula = (
        rf"W^{{({index})}} \leftarrow W^{{({index})}} - \eta\, "
        rf"\frac{{\partial L}}{{\partial W^{{({index})}}}},\qquad "
        rf"w^{{({index})}}_{{{neuron},{j}}} = {format_number(w_before)} - {eta} \cdot "
        rf"{_term(layer.d_weights[neuron, j])} = {format_number(w_after)},\qquad "
        rf"b^{{({index})}}_{{{neuron}}} = {format_number(layer.bias_before[neuron])} - "
        rf"{eta} \cdot {_term(layer.d_bias[neuron])} = "
        rf"{format_number(layer.bias_after[neuron])}"
    )
    if not updated:
        formula = r"\text{recorded with update=False: nothing changes},\quad " + formula

    def plot(fig):
        left, right = fig.subplots(1, 2, width_ratios=(3, 2))
        _heatmap(
            fig,
            left,
            layer.weights_after - layer.weights_before,
            f"Layer {index}: weight change",
            "change of w",
        )
        _grouped_bars(
            right,
            layer.bias_before,
            layer.bias_after,
            ("before", "after"),
            f"Layer {index}: bias, learning rate {eta}",
            "bias",
        )

    return Step(
        name=f"update: layer {index}",
        formula=formula,
        numbers={
            "learning_rate": learning_rate,
            f"weights_before[{neuron}, {j}]": w_before,
            f"weights_after[{neuron}, {j}]": w_after,
            "bias_before": layer.bias_before,
            "bias_after": layer.bias_after,
        },
        kind="update",
        layer=index,
        plot=plot,
    )


def backprop_steps(record, neuron=0):
    """Return the steps of one training step, in the order backpropagation runs.

    First the forward pass of each layer, the loss and the output delta. Then the
    hidden deltas from the last hidden layer back to layer 0. Last, the gradients of
    each layer from the output backwards, and the updates in the same order.

    Parameters
    ----------
    record : StepRecord
        From ``network.record_step(x, y, learning_rate)``.
    neuron : int
        The neuron whose numbers the formulas substitute, in every layer. The weight
        formulas use that neuron's weight from the input with the largest magnitude,
        because a zero input (a blank pixel) makes the example gradient 0.

    Returns
    -------
    list of Step
        ``4 * num_layers + 1`` steps: one forward, delta, gradients and update step
        per layer, and the loss.
    """
    layers = getattr(record, "layers", None)
    if not layers:
        raise TypeError(
            f"backprop_steps needs a StepRecord from network.record_step(x, y, "
            f"learning_rate), got {type(record).__name__}"
        )
    smallest = min(len(layer.z) for layer in layers)
    if (
        isinstance(neuron, bool)
        or not isinstance(neuron, (int, np.integer))
        or not (0 <= neuron < smallest)
    ):
        raise ValueError(
            f"neuron must be an integer from 0 to {smallest - 1} (the smallest layer "
            f"has {smallest} neurons), got {neuron!r}"
        )
    neuron = int(neuron)

    steps = [_forward_step(layer, neuron) for layer in layers]
    steps.append(_loss_step(record))
    steps.append(_output_delta_step(record, layers[-1], neuron))
    for index in range(len(layers) - 2, -1, -1):
        steps.append(_hidden_delta_step(layers[index], layers[index + 1], neuron))
    for layer in reversed(layers):
        steps.append(_gradients_step(layer, neuron))
    for layer in reversed(layers):
        steps.append(_update_step(layer, neuron, record.learning_rate, record.updated))
    return steps
