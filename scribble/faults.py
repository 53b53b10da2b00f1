"""Debug this network: cases with one injected fault each, and a checker.

Each case is a network and the training data its pipeline produced, with exactly
one classic bug somewhere: in a layer's forward or backward pass, in the loss delta
or in the data. The faults are real subclasses of :class:`~scribble.Layer` and
:class:`~scribble.NeuralNetwork` whose code is wrong, so every symptom is the
genuine one. Cases are named by letter so that the name gives nothing away::

    case = faults.make_case("C")
    health = case.train()                           # the symptom, layer by layer
    result = scribble.gradient_check(case.network, case.X[:4], case.y[:4])
    faults.diagnose("C", "summed_batch_gradient")   # is that the bug?

:data:`SUSPECTS` lists the possible answers. ``make_case(case_id, healthy=True)``
builds the same network with the same initial weights and the same data with the
fault removed, for comparison.
"""

import functools
from dataclasses import dataclass

import numpy as np

from ._random import as_generator
from .activations import activation_derivative, apply_activation
from .datasets import load_mnist
from .health import train_with_health
from .layer import Layer
from .network import NeuralNetwork
from .preprocessing import normalize

__all__ = ["CASE_IDS", "SUSPECTS", "Diagnosis", "FaultCase", "diagnose", "make_case"]

# The answers a learner can give, with what each bug is.
SUSPECTS = {
    "transposed_weights": "a layer multiplies its inputs by its weight matrix "
    "transposed, W.T x instead of W x",
    "summed_batch_gradient": "the batch gradient is the sum over the batch's samples "
    "instead of the mean",
    "relu_mask_inverted": "the ReLU derivative mask is taken on the wrong side, 1 "
    "where z <= 0 instead of where z > 0",
    "softmax_without_max": "softmax exponentiates z without subtracting its maximum "
    "first",
    "labels_not_one_hot": "the loss delta subtracts the class label itself instead "
    "of its one-hot row",
    "pixels_not_normalized": "the pixels reach the network as 0..255 instead of "
    "scaled to [0, 1]",
    "softmax_derivative_twice": "the output layer multiplies p - y by the softmax "
    "derivative p (1 - p) again",
}

# Letter -> fault, in an order unrelated to the list above.
CASE_IDS = {
    "A": "relu_mask_inverted",
    "B": "pixels_not_normalized",
    "C": "summed_batch_gradient",
    "D": "softmax_derivative_twice",
    "E": "transposed_weights",
    "F": "labels_not_one_hot",
    "G": "softmax_without_max",
}

# The symptoms of each bug, quoted when a learner names it for a case it is not.
_SIGNATURES = {
    "transposed_weights": "it needs a square weight matrix to run at all, and the "
    "gradient check then fails for that layer's weights but not its biases",
    "summed_batch_gradient": "every gradient is exactly batch_size times too large, "
    "so the gradient check passes on one sample and fails on a batch",
    "relu_mask_inverted": "the gradient check fails for the ReLU layer's weights and "
    "biases while the output layer passes",
    "softmax_without_max": "the gradient check passes on ordinary digits, and the "
    "output turns to NaN only once a logit exceeds about 709",
    "labels_not_one_hot": "the output layer fails the gradient check, and each row "
    "of the loss delta sums to 1 - 10 * label instead of 0",
    "pixels_not_normalized": "the code is right, so the gradient check passes on the "
    "same digits divided by 255, and X.max() is 255",
    "softmax_derivative_twice": "the output layer fails the gradient check, and its "
    "delta is at most a quarter of p - y",
}

# The next step to take in each case.
_HINTS = {
    "transposed_weights": "Run gradient_check and read result.failed_parameters: "
    "which layer's weights fail while its biases pass?",
    "summed_batch_gradient": "Run gradient_check on one sample, then on a batch of "
    "8, and compare.",
    "relu_mask_inverted": "Run gradient_check: which layer fails, and which "
    "activation does it use?",
    "softmax_without_max": "The gradient check passes here, so try "
    "case.network.predict_proba(1000 * case.X[:5]).",
    "labels_not_one_hot": "Print faults.output_delta_row_sums(case.network, "
    "case.X[:4], case.y[:4]), which should be 0, next to case.y[:4].",
    "pixels_not_normalized": "Look at the data before the network: print "
    "case.X.min() and case.X.max().",
    "softmax_derivative_twice": "Compare faults.measure_output_delta(case.network, "
    "case.X[:4], case.y[:4]) with p - y.",
}

# The fix of each bug.
_FIXES = {
    "transposed_weights": "compute z = inputs @ weights.T + biases, so that row i "
    "of the weights belongs to neuron i",
    "summed_batch_gradient": "divide delta.T @ inputs by the batch size, and take "
    "the mean of delta for the biases",
    "relu_mask_inverted": "multiply delta by (z > 0), the units that were active",
    "softmax_without_max": "subtract z.max(axis=-1, keepdims=True) before np.exp",
    "labels_not_one_hot": "subtract one_hot(labels, 10), not the labels",
    "pixels_not_normalized": "divide the pixels by 255 (scribble.normalize) before "
    "training",
    "softmax_derivative_twice": "use p - y as the output delta as it is: it already "
    "contains the softmax derivative",
}

_TRAIN_SIZE = 1000
_TEST_SIZE = 500


class _FaultLayer(Layer):
    """A layer whose pre-activation and activation can be overridden by a fault.

    NeuralNetwork.predict_proba calls a subclass's forward, so predictions,
    training and :func:`~scribble.gradient_check` all run the same forward pass.
    """

    def pre_activation(self, inputs):
        return inputs @ self.weights.T + self.biases

    def activate(self, z):
        return apply_activation(self.activation_function, z)

    def _forward_checked(self, inputs):
        z = self.pre_activation(inputs)
        self.inputs = inputs
        self.z = z
        self.output = self.activate(z)
        return self.output

    def delta_from_output_gradient(self, output_gradient):
        """Turn dL/d(output) into dL/dz, the step the Layer docstring calls delta."""
        derivative = activation_derivative(self.activation_function, self.output)
        return output_gradient if derivative is None else output_gradient * derivative

    def backward(self, delta, learning_rate=None):
        if self.output is None:
            raise RuntimeError(f"{self._name()}: call forward before backward")
        output_gradient = np.asarray(delta, dtype=self.dtype)
        delta = self.delta_from_output_gradient(output_gradient)
        self.delta = delta

        # dL/dW = delta x^T (averaged over a batch), dL/db = delta.
        if delta.ndim == 1:
            self.d_weights = np.outer(delta, self.inputs)
            self.d_biases = delta.copy()
            return self.weights.T @ delta
        self.d_weights = (delta.T @ self.inputs) / len(delta)
        self.d_biases = delta.mean(axis=0)
        return delta @ self.weights


class _TransposedLayer(_FaultLayer):
    # Fault: W.T x instead of W x. Runs only because the matrix is square.
    def pre_activation(self, inputs):
        return inputs @ self.weights + self.biases


class _SummedGradientLayer(_FaultLayer):
    def backward(self, delta, learning_rate=None):
        previous = super().backward(delta, learning_rate)
        if self.delta.ndim == 2:
            # Fault: the sum over the batch instead of the mean.
            self.d_weights = self.delta.T @ self.inputs
            self.d_biases = self.delta.sum(axis=0)
        return previous


class _InvertedMaskLayer(_FaultLayer):
    def delta_from_output_gradient(self, output_gradient):
        # Fault: the mask of the inactive units instead of the active ones.
        return output_gradient * (self.output <= 0)


class _NaiveSoftmaxLayer(_FaultLayer):
    def activate(self, z):
        # Fault: exp(z) without subtracting max(z) overflows once z > 709.
        with np.errstate(over="ignore", invalid="ignore"):
            exponentials = np.exp(z)
            return exponentials / exponentials.sum(axis=-1, keepdims=True)


class _SoftmaxTwiceLayer(_FaultLayer):
    def delta_from_output_gradient(self, output_gradient):
        # Fault: p - y already is dL/dz; multiplying by p (1 - p) applies the
        # softmax derivative a second time.
        return output_gradient * self.output * (1 - self.output)


class _FaultNetwork(NeuralNetwork):
    """A network of fault layers, kept as its own class for the label fault."""


class _LabelDeltaNetwork(_FaultNetwork):
    def calc_loss_delta(self, predicted_outputs, actual_outputs):
        # Fault: predicted - label, broadcast over the classes, instead of
        # predicted - one_hot(label).
        labels = np.argmax(actual_outputs, axis=-1)
        return np.asarray(predicted_outputs) - labels[..., np.newaxis]


@dataclass
class FaultCase:
    """One network to debug, with the data and settings it trains with.

    Attributes
    ----------
    case_id : str
    network : NeuralNetwork
    X, y : arrays of shape (1000, 784) and (1000,)
        Training digits as this case's pipeline prepared them, and class labels.
    X_test, y_test : arrays of shape (500, 784) and (500,)
        Test digits prepared the same way.
    learning_rate : float
    batch_size : int
    epochs : int
    healthy : bool
        Whether the fault was left out.
    """

    case_id: str
    network: NeuralNetwork
    X: np.ndarray
    y: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    learning_rate: float
    batch_size: int
    epochs: int
    healthy: bool

    def train(self, checks_per_epoch=4):
        """Train with the case's settings and return a :class:`HealthHistory`."""
        return train_with_health(
            self.network,
            self.X,
            self.y,
            epochs=self.epochs,
            learning_rate=self.learning_rate,
            batch_size=self.batch_size,
            checks_per_epoch=checks_per_epoch,
        )


@functools.lru_cache(maxsize=1)
def _digits():
    (train_images, train_labels), (test_images, test_labels) = load_mnist()
    X = train_images[:_TRAIN_SIZE].reshape(_TRAIN_SIZE, -1)  # (1000, 784) uint8
    X_test = test_images[:_TEST_SIZE].reshape(_TEST_SIZE, -1)
    return X, train_labels[:_TRAIN_SIZE], X_test, test_labels[:_TEST_SIZE]


def _check_case_id(case_id):
    if case_id not in CASE_IDS:
        raise ValueError(
            f"unknown case {case_id!r}: the cases are {', '.join(sorted(CASE_IDS))}"
        )
    return CASE_IDS[case_id]


def make_case(case_id, healthy=False, rng=0):
    """Build case ``case_id`` ("A" to "G"), or its healthy twin.

    Parameters
    ----------
    case_id : str
    healthy : bool
        Leave the fault out: the same sizes, initial weights, data and settings.
    rng : int or numpy.random.Generator
        Source of the initial weights.

    Returns
    -------
    FaultCase
    """
    fault = _check_case_id(case_id)
    generator = as_generator(rng)
    sizes = [784, 32, 32, 10] if fault == "transposed_weights" else [784, 32, 10]

    # Which layer class goes where: the fault's class in one spot, or none.
    classes = [_FaultLayer] * (len(sizes) - 1)
    if not healthy:
        if fault == "transposed_weights":
            classes[1] = _TransposedLayer
        elif fault == "summed_batch_gradient":
            classes = [_SummedGradientLayer] * len(classes)
        elif fault == "relu_mask_inverted":
            classes[0] = _InvertedMaskLayer
        elif fault == "softmax_without_max":
            classes[-1] = _NaiveSoftmaxLayer
        elif fault == "softmax_derivative_twice":
            classes[-1] = _SoftmaxTwiceLayer
    layers = []
    for index, layer_class in enumerate(classes):
        activation = "softmax" if index == len(classes) - 1 else "relu"
        layers.append(
            layer_class(sizes[index], sizes[index + 1], activation, rng=generator)
        )
    uses_labels = fault == "labels_not_one_hot" and not healthy
    network = (_LabelDeltaNetwork if uses_labels else _FaultNetwork)(layers)

    X, y, X_test, y_test = _digits()
    if fault == "pixels_not_normalized" and not healthy:
        X, X_test = X.astype(np.float64), X_test.astype(np.float64)
    else:
        X, X_test = normalize(X), normalize(X_test)
    return FaultCase(
        case_id=case_id,
        network=network,
        X=X,
        y=y.copy(),
        X_test=X_test,
        y_test=y_test.copy(),
        learning_rate=0.1,
        batch_size=16,
        epochs=2,
        healthy=healthy,
    )


@dataclass
class Diagnosis:
    """The checker's verdict: ``correct`` and a message saying why."""

    correct: bool
    message: str

    def __str__(self):
        return self.message

    def __repr__(self):
        return self.message

    def __bool__(self):
        return self.correct


def _suspect_key(answer):
    if not isinstance(answer, str):
        raise TypeError(f"answer must be one of SUSPECTS' names, got {answer!r}")
    key = answer.strip().lower().replace("-", "_").replace(" ", "_")
    if key not in SUSPECTS:
        names = ", ".join(repr(name) for name in SUSPECTS)
        raise ValueError(f"unknown suspect {answer!r}: answer with one of {names}")
    return key


def diagnose(case_id, answer):
    """Check a diagnosis of case ``case_id`` and explain the verdict.

    Parameters
    ----------
    case_id : str
        "A" to "G".
    answer : str or None
        A key of :data:`SUSPECTS`, such as ``"summed_batch_gradient"``; None (not
        answered yet) gets a hint instead of an error.

    Returns
    -------
    Diagnosis
        ``correct`` is True for the injected fault. A wrong answer's message says
        what that bug would show instead and where to look next.
    """
    fault = _check_case_id(case_id)
    if answer is None:
        return Diagnosis(
            False,
            f"Case {case_id}: no answer yet. Set the answer to one of the names in "
            f"faults.SUSPECTS. To start: {_HINTS[fault]}",
        )
    suspect = _suspect_key(answer)
    if suspect == fault:
        return Diagnosis(
            True,
            f"Correct: in case {case_id}, {SUSPECTS[fault]}. The fix: {_FIXES[fault]}.",
        )
    return Diagnosis(
        False,
        f"Not quite: if {SUSPECTS[suspect]}, {_SIGNATURES[suspect]}. Case {case_id} "
        f"shows something else. Next step: {_HINTS[fault]}",
    )


def output_delta_row_sums(network, x, y):
    """Return the sum of each row of the loss delta, which is 0 for one-hot targets.

    A quick probe for the loss delta: ``p - one_hot(y)`` sums to 1 - 1 = 0 in every
    row, whatever the network predicts.
    """
    targets = network.targets_for(np.atleast_1d(y))
    predicted = network.predict_proba(np.atleast_2d(x))
    return np.sum(network.calc_loss_delta(predicted, targets), axis=-1)


def measure_output_delta(network, X, y):
    """Return the output layer's delta after one forward and backward pass.

    Compare it with ``predicted - one_hot(y)``, which is what it should be.
    """
    predicted = network.forward(np.atleast_2d(X))
    delta = network.calc_loss_delta(predicted, network.targets_for(np.atleast_1d(y)))
    network.layers[-1].backward(delta)
    return network.layers[-1].delta.copy()
