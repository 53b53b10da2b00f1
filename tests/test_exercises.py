"""The exercise checkers: right functions pass, classic bugs are named."""

import numpy as np
import pytest

import scribble
import scribble.drawing
from scribble import exercises
from scribble.evaluation import accuracy_with_interval, confusion_matrix
from scribble.exercises import Bug, Case, Exercise
from scribble.optimizers import Adam, Momentum


def _optimizer_step(optimizer, weights, gradient, state, t=1):
    """One step of a scribble optimizer on ``weights``; returns the new weights."""
    layer = scribble.Layer(weights.size, 1, "linear", rng=0)
    layer.weights = weights.reshape(1, -1)
    layer.d_weights = gradient.reshape(1, -1)
    layer.d_biases = np.zeros(1)
    optimizer._state[layer] = {"weights": state}
    optimizer.update(layer, optimizer.learning_rate)
    return layer.weights.reshape(weights.shape)


def _momentum_with_scribble(weights, gradient, velocity, learning_rate, momentum):
    optimizer = Momentum(momentum)
    optimizer.learning_rate = learning_rate
    velocity = velocity.reshape(1, -1).copy()
    new_weights = _optimizer_step(optimizer, weights, gradient, velocity)
    return new_weights, velocity.reshape(weights.shape)


def _adam_with_scribble(
    weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999
):
    optimizer = Adam(beta1, beta2)
    optimizer.learning_rate = learning_rate
    m, v = m.reshape(1, -1).copy(), v.reshape(1, -1).copy()
    new_weights = _optimizer_step(optimizer, weights, gradient, (m, v, t - 1))
    return new_weights, m.reshape(weights.shape), v.reshape(weights.shape)


# scribble's own functions, in the signatures the exercises ask for.
CORRECT = {
    "neuron_output": lambda inputs, weights, bias: np.dot(weights, inputs) + bias,
    "layer_output": lambda inputs, weights, biases: inputs @ weights.T + biases,
    "relu": scribble.relu,
    "relu_derivative": scribble.relu_derivative,
    "softmax": scribble.softmax,
    "one_hot": scribble.one_hot,
    "categorical_cross_entropy": scribble.categorical_cross_entropy,
    "output_delta": lambda predicted, actual: predicted - actual,
    "neuron_backward": lambda delta, inputs, weights, output: (
        delta * scribble.relu_derivative(output) * inputs,
        delta * scribble.relu_derivative(output),
        delta * scribble.relu_derivative(output) * weights,
    ),
    "normalize": scribble.normalize,
    "batch_weight_gradient": lambda delta, inputs: delta.T @ inputs / len(delta),
    "relu_backward": lambda output_gradient, z: output_gradient * (z > 0),
    "update_to_weight_ratio": lambda weights, d_weights, learning_rate: (
        learning_rate * np.linalg.norm(d_weights) / np.linalg.norm(weights)
    ),
    "my_center_of_mass": scribble.drawing.center_of_mass,
    # Lessons 7 and 8: scribble.evaluation and scribble.optimizers.
    "standard_error": lambda num_correct, num_samples: (
        accuracy_with_interval(
            (np.arange(num_samples) < num_correct).astype(int),
            np.ones(num_samples, int),
        ).standard_error
    ),
    "confusion_matrix": confusion_matrix,
    "momentum_step": _momentum_with_scribble,
    "adam_step": _adam_with_scribble,
}


def test_every_exercise_has_a_correct_function():
    assert sorted(CORRECT) == sorted(exercises.exercise_names())


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_scribble_function_passes(name):
    result = exercises.evaluate(name, CORRECT[name])
    assert result.status == "passed", result.report()


@pytest.mark.parametrize("name", sorted(CORRECT))
def test_printed_solution_passes(name):
    namespace = {"np": np}
    exec(exercises.get_exercise(name).solution, namespace)
    result = exercises.evaluate(name, namespace[name])
    assert result.passed, result.report()


BUG_CASES = [
    (exercise.name, index)
    for exercise in map(exercises.get_exercise, exercises.exercise_names())
    for index in range(len(exercise.bugs))
]


@pytest.mark.parametrize(("name", "bug_index"), BUG_CASES)
def test_classic_bug_is_named(name, bug_index):
    bug = exercises.get_exercise(name).bugs[bug_index]
    result = exercises.evaluate(name, bug.wrong_function)
    assert result.status == "failed"
    assert result.bug is bug
    assert bug.message.split(":")[0][:40] in result.report().replace("\n  ", " ")


def test_softmax_overflow_message(capsys):
    def softmax(z):
        exponentials = np.exp(z)
        return exponentials / np.sum(exponentials)

    exercises.check("softmax", softmax)
    output = capsys.readouterr().out
    assert "softmax: case 3 of 6 failed: large logits" in output
    assert "softmax overflows for large inputs" in output
    assert "subtract the maximum first".lower() in output.lower()
    assert "expected: [0.5, 0.5, 0. ]" in output
    assert "actual:   [nan, nan,  0.]" in output


def test_softmax_uint8_wraparound():
    def softmax(z):
        exponentials = np.exp(z - np.max(z, axis=-1, keepdims=True))
        return exponentials / np.sum(exponentials, axis=-1, keepdims=True)

    result = exercises.evaluate("softmax", softmax)
    assert result.case.description == "uint8 logits"
    assert "wraps around" in result.message


def test_cross_entropy_zero_probability():
    def categorical_cross_entropy(predicted, actual):
        return float(np.mean(-np.sum(actual * np.log(predicted), axis=-1)))

    result = exercises.evaluate("categorical_cross_entropy", categorical_cross_entropy)
    assert result.case.description == "probability 0 for the true class"
    assert result.expected == pytest.approx(27.631021, abs=1e-6)
    assert not np.isfinite(result.actual)  # 0 * log(0) is nan
    assert "clip predicted" in result.message


def test_relu_in_place_is_reported():
    def relu(z):
        z[z < 0] = 0
        return z

    result = exercises.evaluate("relu", relu)
    assert result.status == "failed"
    assert "changed its argument number 1 in place" in result.message
    # The case's own array is untouched, so the next check starts clean.
    assert result.case.args[0][0] == -2.0


def test_unknown_mistake_gets_generic_message():
    result = exercises.evaluate("relu", lambda z: np.abs(z))
    assert result.bug is None
    assert result.message == "The values differ."
    assert "Hint: Keep positive values" in result.report()


def test_wrong_shape_is_reported():
    result = exercises.evaluate("one_hot", lambda labels, num_classes: labels)
    assert result.message == "Expected shape (3, 3), got shape (3,)."


def test_raised_error_is_reported_not_raised():
    def layer_output(inputs, weights, biases):
        return np.dot(weights, inputs) + biases

    result = exercises.evaluate("layer_output", layer_output)
    assert result.case.description == "a batch of 2 samples"
    assert isinstance(result.actual, ValueError)
    report = result.report()
    assert "raised:   ValueError: shapes (3,4) and (2,4) not aligned" in report
    assert "shapes in a product do not fit" in report


def test_tuple_value_is_compared_per_item():
    def neuron_backward(delta, inputs, weights, output):
        delta = delta * (output > 0)
        return delta * inputs, delta, delta * weights * 2

    result = exercises.evaluate("neuron_backward", neuron_backward)
    assert result.message.startswith("Value number 3 of the tuple is wrong.")


def ellipsis_body(z): ...


def raises_not_implemented(z):
    raise NotImplementedError("write relu here")


@pytest.mark.parametrize(
    "function", [None, ellipsis_body, raises_not_implemented, lambda z: None]
)
def test_not_attempted_is_friendly(function, capsys):
    exercises.check("relu", function)
    output = capsys.readouterr().out
    assert output.startswith("relu: not attempted yet. Write relu(z)")
    assert "exercises.hint('relu')" in output


def test_none_on_later_case_is_a_failure():
    def relu(z):
        if z.ndim == 2:
            return None
        return np.maximum(0, z)

    result = exercises.evaluate("relu", relu)
    assert result.status == "failed"
    assert result.case_number == 2
    assert "returned None" in result.message


def test_passing_report(capsys):
    exercises.check("softmax", scribble.softmax)
    assert capsys.readouterr().out == "softmax: all 6 cases pass. Well done!\n"


def test_called_value_instead_of_function():
    with pytest.raises(TypeError, match="pass the name without calling it"):
        exercises.check("softmax", scribble.softmax(np.zeros(3)))


def test_hint_and_solution_print(capsys):
    exercises.hint("normalize")
    assert capsys.readouterr().out.startswith("Hint for normalize(images): Divide by")
    exercises.solution("normalize")
    assert capsys.readouterr().out.startswith("def normalize(images):")


def test_unknown_exercise_lists_names():
    with pytest.raises(ValueError, match="no exercise named 'sofmax'.*'softmax'"):
        exercises.hint("sofmax")


def square_exercise(name, reference):
    return Exercise(
        name=name,
        signature=f"{name}(x)",
        reference=reference,
        cases=(Case("two numbers", (np.array([1.0, -3.0]),)),),
        hint="Multiply x by itself.",
        solution=f"def {name}(x):\n    return x * x\n",
        bugs=(Bug("You doubled x instead of squaring it.", lambda x: 2 * x),),
    )


def test_register_new_exercise():
    exercise = exercises.register(square_exercise("test_square", lambda x: x**2))
    try:
        assert "test_square" in exercises.exercise_names()
        result = exercises.evaluate("test_square", lambda x: 2 * x)
        assert result.message == "You doubled x instead of squaring it."
    finally:
        exercises._REGISTRY.pop(exercise.name)


def test_register_rejects_duplicate_name():
    with pytest.raises(ValueError, match="'softmax' is already registered"):
        exercises.register(square_exercise("softmax", lambda x: x**2))


def test_register_rejects_broken_reference():
    with pytest.raises(ValueError, match="is wrong: it returns None"):
        exercises.register(square_exercise("test_broken", lambda x: None))
    assert "test_broken" not in exercises.exercise_names()
