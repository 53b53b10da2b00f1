"""The course's exercises for :mod:`scribble.exercises`, in lesson order.

Each exercise lists its cases, easy first and hard last, and the classic bugs it
recognises, each written as the wrong function a learner tends to write. To add one
for a later week, build an :class:`~scribble.exercises.Exercise` the same way and
pass it to :func:`~scribble.exercises.register`.
"""

import numpy as np

from . import activations, losses, preprocessing
from .exercises import Bug, Case, Exercise, register

# -- lesson 1: a neuron -------------------------------------------------------------


def _neuron_output(inputs, weights, bias):
    return np.dot(weights, inputs) + bias


register(
    Exercise(
        name="neuron_output",
        signature="neuron_output(inputs, weights, bias)",
        reference=_neuron_output,
        cases=(
            Case(
                "three inputs",
                (np.array([1.0, 2.0, 3.0]), np.array([0.2, 0.8, -0.5]), 2.0),
            ),
            Case(
                "negative bias", (np.array([0.5, -1.0]), np.array([-1.5, 0.25]), -0.75)
            ),
            Case(
                "integer pixels as inputs",
                (
                    np.array([0, 128, 255], dtype=np.uint8),
                    np.array([0.01, -0.02, 0.03]),
                    0.5,
                ),
            ),
        ),
        hint=(
            "Multiply each input by its weight, add the products up, then add the "
            "bias once: np.dot(weights, inputs) + bias."
        ),
        solution="""
def neuron_output(inputs, weights, bias):
    return np.dot(weights, inputs) + bias
""",
        bugs=(
            Bug(
                "You left out the bias: add it after the weighted sum.",
                lambda inputs, weights, bias: np.dot(weights, inputs),
            ),
            Bug(
                "You multiplied but did not add up: np.dot(weights, inputs) sums the "
                "products into one number.",
                lambda inputs, weights, bias: weights * inputs + bias,
            ),
            Bug(
                "You added the bias to every product before summing, so it counts "
                "once per input instead of once.",
                lambda inputs, weights, bias: np.sum(weights * inputs + bias),
            ),
        ),
    )
)


# -- lesson 2: a layer and a batch ----------------------------------------------------


def _layer_output(inputs, weights, biases):
    return np.dot(inputs, weights.T) + biases


_LAYER_WEIGHTS = np.array(
    [[0.2, 0.8, -0.5, 1.0], [0.5, -0.91, 0.26, -0.5], [-0.26, -0.27, 0.17, 0.87]]
)
_LAYER_BIASES = np.array([2.0, 3.0, 0.5])

register(
    Exercise(
        name="layer_output",
        signature="layer_output(inputs, weights, biases)",
        reference=_layer_output,
        cases=(
            Case(
                "one sample of 4 inputs, 3 neurons",
                (np.array([1.0, 2.0, 3.0, 2.5]), _LAYER_WEIGHTS, _LAYER_BIASES),
            ),
            Case(
                "a batch of 2 samples",
                (
                    np.array([[1.0, 2.0, 3.0, 2.5], [2.0, 5.0, -1.0, 2.0]]),
                    _LAYER_WEIGHTS,
                    _LAYER_BIASES,
                ),
            ),
            Case(
                "a batch of 4 samples, as many as inputs",
                (
                    np.arange(16, dtype=float).reshape(4, 4) / 10,
                    _LAYER_WEIGHTS,
                    _LAYER_BIASES,
                ),
            ),
        ),
        hint=(
            "weights has shape (num_neurons, num_inputs) and inputs (num_inputs,) or "
            "(batch_size, num_inputs). np.dot(inputs, weights.T) gives one row per "
            "sample and one column per neuron; then add biases."
        ),
        solution="""
def layer_output(inputs, weights, biases):
    # (batch_size, num_inputs) @ (num_inputs, num_neurons) -> (batch_size, num_neurons)
    return np.dot(inputs, weights.T) + biases
""",
        bugs=(
            Bug(
                "Your result is transposed: for a batch, put inputs first, "
                "np.dot(inputs, weights.T), so each row is one sample.",
                lambda inputs, weights, biases: (np.dot(inputs, weights.T) + biases).T,
            ),
            Bug(
                "You multiplied by weights instead of weights.T: this only works while "
                "a batch happens to have as many samples as inputs.",
                lambda inputs, weights, biases: np.dot(inputs, weights) + biases,
            ),
            Bug(
                "You left out the biases: add them after the product.",
                lambda inputs, weights, biases: np.dot(inputs, weights.T),
            ),
        ),
    )
)


# -- lesson 3: activation functions ---------------------------------------------------


register(
    Exercise(
        name="relu",
        signature="relu(z)",
        reference=activations.relu,
        cases=(
            Case(
                "positive and negative values", (np.array([-2.0, -0.5, 0.0, 1.5, 3.0]),)
            ),
            Case(
                "a batch of 2 samples",
                (np.array([[1.0, -1.0, 2.0], [-3.0, 0.5, -0.1]]),),
            ),
            Case("all negative", (np.array([-1.0, -2.0, -1e-9]),)),
        ),
        hint="Keep positive values and replace negative ones by 0: np.maximum(0, z).",
        solution="""
def relu(z):
    return np.maximum(0, z)
""",
        bugs=(
            Bug(
                "np.max(z) returns the single largest value: use np.maximum(0, z), "
                "which compares element by element.",
                lambda z: np.max(z),
            ),
            Bug(
                "You returned the derivative (1 or 0), not the value: relu(z) keeps "
                "positive z as it is.",
                lambda z: (z > 0).astype(float),
            ),
            Bug(
                "You flipped the sign: relu keeps the positive values.",
                lambda z: np.minimum(0, z),
            ),
        ),
    )
)
# A relu that sets z[z < 0] = 0 needs no Bug entry: evaluate() reports every
# function that changes its arguments in place.

register(
    Exercise(
        name="relu_derivative",
        signature="relu_derivative(z)",
        reference=activations.relu_derivative,
        cases=(
            Case("positive and negative values", (np.array([-2.0, -0.5, 1.5, 3.0]),)),
            Case("exactly 0", (np.array([0.0, 1.0, -1.0]),)),
            Case(
                "a batch of 2 samples",
                (np.array([[1.0, -1.0, 2.0], [-3.0, 0.5, 0.0]]),),
            ),
        ),
        hint=(
            "The slope of max(0, z) is 1 where z > 0 and 0 elsewhere, and the course "
            "takes 0 at z = 0: (z > 0).astype(float)."
        ),
        solution="""
def relu_derivative(z):
    return (z > 0).astype(float)
""",
        bugs=(
            Bug(
                "At z = 0 the course takes the derivative as 0: use z > 0, not z >= 0.",
                lambda z: (z >= 0).astype(float),
            ),
            Bug(
                "You returned relu(z) itself: the derivative is 1 or 0, the slope.",
                activations.relu,
            ),
        ),
    )
)


def _softmax_overflows(z):
    exponentials = np.exp(np.asarray(z, dtype=float))
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def _softmax_sums_everything(z):
    z = np.asarray(z, dtype=float)
    exponentials = np.exp(z - np.max(z))
    return exponentials / np.sum(exponentials)


def _softmax_global_maximum(z):
    z = np.asarray(z, dtype=float)
    exponentials = np.exp(z - np.max(z))
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


def _softmax_in_integers(z):
    with np.errstate(over="ignore"):
        shifted = z - np.max(z, axis=-1, keepdims=True)
    exponentials = np.exp(shifted)
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)


register(
    Exercise(
        name="softmax",
        signature="softmax(z)",
        reference=activations.softmax,
        cases=(
            Case("three logits", (np.array([2.0, 1.0, 0.1]),)),
            Case("equal logits", (np.array([0.5, 0.5, 0.5, 0.5]),)),
            Case("large logits", (np.array([1000.0, 1000.0, 0.0]),)),
            Case(
                "a batch of 2 samples",
                (np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]]),),
            ),
            Case(
                "a batch whose rows have very different scales",
                (np.array([[1000.0, 999.0, 998.0], [0.0, -1.0, -2.0]]),),
            ),
            Case("uint8 logits", (np.array([250, 255, 0], dtype=np.uint8),)),
        ),
        hint=(
            "Subtract each sample's maximum, np.max(z, axis=-1, keepdims=True), take "
            "np.exp, and divide by the sum along the last axis with keepdims=True. "
            "Convert integer input to float first."
        ),
        solution="""
def softmax(z):
    z = np.asarray(z, dtype=float)
    exponentials = np.exp(z - np.max(z, axis=-1, keepdims=True))
    return exponentials / np.sum(exponentials, axis=-1, keepdims=True)
""",
        bugs=(
            Bug(
                "Your softmax overflows for large inputs: np.exp(1000) is inf, and "
                "inf / inf is nan. Subtract the maximum first, which cancels in the "
                "division.",
                _softmax_overflows,
            ),
            Bug(
                "For a batch you divided by the sum over the whole array: sum along "
                "the last axis, np.sum(..., axis=-1, keepdims=True), so each row sums "
                "to 1.",
                _softmax_sums_everything,
            ),
            Bug(
                "You subtracted the maximum of the whole batch: a row far below it "
                "underflows to 0 / 0. Subtract each row's own maximum, "
                "np.max(z, axis=-1, keepdims=True).",
                _softmax_global_maximum,
            ),
            Bug(
                "Subtracting in uint8 wraps around (250 - 255 is 251, not -5): convert "
                "z to float first, np.asarray(z, dtype=float).",
                _softmax_in_integers,
            ),
        ),
    )
)


# -- lesson 4: one-hot targets and the loss -------------------------------------------


def _one_hot(labels, num_classes):
    return preprocessing.one_hot(labels, num_classes)


register(
    Exercise(
        name="one_hot",
        signature="one_hot(labels, num_classes)",
        reference=_one_hot,
        cases=(
            Case("three labels", (np.array([0, 2, 1]), 3)),
            Case("the largest class never occurs", (np.array([1, 0, 1]), 4)),
            Case(
                "uint8 labels as MNIST stores them",
                (np.array([7, 2, 9], dtype=np.uint8), 10),
            ),
        ),
        hint=(
            "Start from np.zeros((len(labels), num_classes)) and set one 1 per row: "
            "encoded[np.arange(len(labels)), labels] = 1."
        ),
        solution="""
def one_hot(labels, num_classes):
    encoded = np.zeros((len(labels), num_classes))
    encoded[np.arange(len(labels)), labels] = 1.0
    return encoded
""",
        bugs=(
            Bug(
                "Your rows are as wide as the largest label + 1: use num_classes for "
                "the width, because a batch need not contain every class.",
                lambda labels, num_classes: np.eye(int(np.max(labels)) + 1)[labels],
            ),
            Bug(
                "Your result is transposed: one row per label, one column per class.",
                lambda labels, num_classes: np.eye(num_classes)[labels].T,
            ),
        ),
    )
)


def _cross_entropy_unclipped(predicted, actual):
    per_sample = -np.sum(actual * np.log(predicted), axis=-1)
    return float(np.mean(per_sample))


def _cross_entropy_sum(predicted, actual):
    clipped = np.clip(predicted, losses.CLIP_EPSILON, 1 - losses.CLIP_EPSILON)
    return float(-np.sum(actual * np.log(clipped)))


def _cross_entropy_per_sample(predicted, actual):
    clipped = np.clip(predicted, losses.CLIP_EPSILON, 1 - losses.CLIP_EPSILON)
    return -np.sum(actual * np.log(clipped), axis=-1)


def _cross_entropy_no_minus(predicted, actual):
    return -losses.categorical_cross_entropy(predicted, actual)


def _cross_entropy_log10(predicted, actual):
    return losses.categorical_cross_entropy(predicted, actual) / np.log(10)


register(
    Exercise(
        name="categorical_cross_entropy",
        signature="categorical_cross_entropy(predicted, actual)",
        reference=losses.categorical_cross_entropy,
        cases=(
            Case("one sample", (np.array([0.7, 0.2, 0.1]), np.array([1.0, 0.0, 0.0]))),
            Case(
                "a confident right answer",
                (np.array([0.01, 0.98, 0.01]), np.array([0.0, 1.0, 0.0])),
            ),
            Case(
                "a batch of 2 samples",
                (
                    np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]]),
                    np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                ),
            ),
            Case(
                "probability 0 for the true class",
                (np.array([0.0, 1.0, 0.0]), np.array([1.0, 0.0, 0.0])),
            ),
        ),
        hint=(
            "Clip predicted to [1e-12, 1 - 1e-12] with np.clip, take "
            "-np.sum(actual * np.log(clipped), axis=-1) per sample, and return the "
            "mean over samples as a float."
        ),
        solution="""
def categorical_cross_entropy(predicted, actual):
    clipped = np.clip(predicted, 1e-12, 1 - 1e-12)
    per_sample = -np.sum(actual * np.log(clipped), axis=-1)
    return float(np.mean(per_sample))
""",
        bugs=(
            Bug(
                "A probability of 0 makes np.log return -inf: clip predicted to "
                "[1e-12, 1 - 1e-12] before the log, as scribble does.",
                _cross_entropy_unclipped,
            ),
            Bug(
                "For a batch you returned the sum over samples: return the mean, so "
                "the loss does not grow with the batch size.",
                _cross_entropy_sum,
            ),
            Bug(
                "You returned one loss per sample: return their mean as one number.",
                _cross_entropy_per_sample,
            ),
            Bug(
                "Your loss is negative: log of a probability is <= 0, so put a minus "
                "sign in front of the sum.",
                _cross_entropy_no_minus,
            ),
            Bug(
                "You used log base 10: cross-entropy uses the natural log, np.log.",
                _cross_entropy_log10,
            ),
        ),
    )
)


# -- lesson 5: backpropagation ---------------------------------------------------------


register(
    Exercise(
        name="output_delta",
        signature="output_delta(predicted, actual)",
        reference=losses.categorical_cross_entropy_delta,
        cases=(
            Case("one sample", (np.array([0.7, 0.2, 0.1]), np.array([1.0, 0.0, 0.0]))),
            Case(
                "a batch of 2 samples",
                (
                    np.array([[0.7, 0.2, 0.1], [0.1, 0.5, 0.4]]),
                    np.array([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]]),
                ),
            ),
        ),
        hint=(
            "For softmax followed by cross-entropy, dL/dz of the output layer is "
            "predicted - actual."
        ),
        solution="""
def output_delta(predicted, actual):
    return predicted - actual
""",
        bugs=(
            Bug(
                "The sign is flipped: the delta is predicted - actual, so gradient "
                "descent lowers the wrong classes' scores.",
                lambda predicted, actual: actual - predicted,
            ),
        ),
    )
)


def _neuron_backward(delta, inputs, weights, output):
    delta = delta * activations.relu_derivative(output)
    return delta * inputs, delta, delta * weights


register(
    Exercise(
        name="neuron_backward",
        signature="neuron_backward(delta, inputs, weights, output)",
        reference=_neuron_backward,
        cases=(
            Case(
                "an active ReLU neuron",
                (0.5, np.array([1.0, 2.0, -1.0]), np.array([0.2, -0.4, 0.1]), 1.3),
            ),
            Case(
                "an inactive ReLU neuron (output 0)",
                (0.5, np.array([1.0, 2.0, -1.0]), np.array([0.2, -0.4, 0.1]), 0.0),
            ),
            Case(
                "a negative delta",
                (-2.0, np.array([0.5, 0.0, 3.0]), np.array([1.0, 2.0, -0.5]), 0.7),
            ),
        ),
        hint=(
            "First turn dL/d(output) into dL/dz: delta = delta * relu_derivative"
            "(output). Then d_weights = delta * inputs, d_bias = delta, and the share "
            "passed back to the previous layer is delta * weights. Return the tuple "
            "(d_weights, d_bias, previous_delta)."
        ),
        solution="""
def neuron_backward(delta, inputs, weights, output):
    delta = delta * (output > 0)          # through the ReLU: dL/dz
    d_weights = delta * inputs
    d_bias = delta
    previous_delta = delta * weights      # this neuron's share for the layer before
    return d_weights, d_bias, previous_delta
""",
        bugs=(
            Bug(
                "You skipped the ReLU derivative: multiply delta by relu_derivative"
                "(output) first, so a neuron whose output is 0 passes no gradient.",
                lambda delta, inputs, weights, output: (
                    delta * inputs,
                    delta,
                    delta * weights,
                ),
            ),
            Bug(
                "Your previous_delta multiplies by the inputs: the delta passed back "
                "is delta * weights, and d_weights is delta * inputs.",
                lambda delta, inputs, weights, output: (
                    delta * (output > 0) * inputs,
                    delta * (output > 0),
                    delta * (output > 0) * inputs,
                ),
            ),
        ),
    )
)


# -- lesson 6: MNIST -------------------------------------------------------------------


register(
    Exercise(
        name="normalize",
        signature="normalize(images)",
        reference=preprocessing.normalize,
        cases=(
            Case("uint8 pixels", (np.array([0, 51, 255], dtype=np.uint8),)),
            Case(
                "a dark image whose brightest pixel is 200",
                (np.array([[0, 100], [150, 200]], dtype=np.uint8),),
            ),
            Case(
                "a batch of two 2x2 images",
                (np.array([[[0, 255], [128, 64]], [[1, 2], [3, 4]]], dtype=np.uint8),),
            ),
        ),
        hint=(
            "Divide by 255, the largest value a uint8 pixel can have, with / (not //), "
            "so the result is floats in [0, 1]."
        ),
        solution="""
def normalize(images):
    return images.astype(float) / 255
""",
        bugs=(
            Bug(
                "// is integer division, so every pixel below 255 becomes 0: use /.",
                lambda images: images // 255,
            ),
            Bug(
                "You divided by the largest pixel of this batch: divide by 255, the "
                "largest possible pixel value, so every image gets the same scale.",
                lambda images: images / np.max(images),
            ),
        ),
    )
)


# Lessons 7 and 8, and lessons 9 and 10, keep their exercises in modules of their own.
from . import debugging_exercises, exercise_library_weeks7_8  # noqa: E402, F401
