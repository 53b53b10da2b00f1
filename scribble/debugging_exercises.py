"""Exercises of lessons 9 (when it does not learn) and 10 (draw your own digit).

Registered in :mod:`scribble.exercises` on import, like
:mod:`scribble.exercise_library`. Each bug is one that this course's debugging
cases show at network scale (:mod:`scribble.faults`), caught here in the
learner's own small function, with a message that names it.
"""

import numpy as np

from .drawing import center_of_mass
from .exercises import Bug, Case, Exercise, register

# -- lesson 9: when it does not learn ----------------------------------------------


def _batch_weight_gradient(delta, inputs):
    return delta.T @ inputs / len(delta)


_DELTA = np.array([[0.5, -0.25, 0.1], [-0.2, 0.4, 0.0], [0.3, 0.3, -0.6]])
_INPUTS = np.array([[1.0, 2.0, 0.0], [0.5, -1.0, 3.0], [2.0, 0.0, 1.0]])

register(
    Exercise(
        name="batch_weight_gradient",
        signature="batch_weight_gradient(delta, inputs)",
        reference=_batch_weight_gradient,
        cases=(
            Case("a batch of 1", (_DELTA[:1], _INPUTS[:1, :2])),
            Case("a batch of 3, 3 neurons, 2 inputs", (_DELTA, _INPUTS[:, :2])),
            Case(
                "a batch of 3, 3 neurons, 3 inputs (a square result)", (_DELTA, _INPUTS)
            ),
            Case("a batch of 2, 3 neurons, 3 inputs", (_DELTA[:2], _INPUTS[:2])),
        ),
        hint=(
            "delta has shape (batch_size, num_neurons) and inputs (batch_size, "
            "num_inputs). The result has the weights' shape (num_neurons, "
            "num_inputs) and is the mean over the batch of each sample's outer "
            "product delta x^T."
        ),
        solution="""
def batch_weight_gradient(delta, inputs):
    # (num_neurons, batch_size) @ (batch_size, num_inputs), then the mean
    return delta.T @ inputs / len(delta)
""",
        bugs=(
            Bug(
                "Your batch gradient is the sum, not the mean: divide by the batch "
                "size, len(delta). Summed, every step is batch_size times too large.",
                lambda delta, inputs: delta.T @ inputs,
            ),
            Bug(
                "Your gradient is transposed: inputs.T @ delta has one row per input, "
                "but the weights have one row per neuron. Use delta.T @ inputs.",
                lambda delta, inputs: inputs.T @ delta / len(delta),
            ),
            Bug(
                "You divided by the number of neurons, delta.shape[1], instead of the "
                "batch size, delta.shape[0].",
                lambda delta, inputs: delta.T @ inputs / delta.shape[1],
            ),
        ),
    )
)


def _relu_backward(output_gradient, z):
    return output_gradient * (z > 0)


_Z = np.array([[1.5, -0.5, 0.0, 2.0], [-1.0, 0.25, 3.0, -2.0]])
_GRADIENT = np.array([[0.2, -0.4, 0.6, -0.8], [1.0, 0.5, -0.5, 0.25]])

register(
    Exercise(
        name="relu_backward",
        signature="relu_backward(output_gradient, z)",
        reference=_relu_backward,
        cases=(
            Case("one sample", (_GRADIENT[0], _Z[0])),
            Case("a batch of 2", (_GRADIENT, _Z)),
            Case("z exactly 0 gets derivative 0", (np.ones(3), np.zeros(3))),
        ),
        hint=(
            "ReLU's derivative is 1 where z > 0 and 0 elsewhere, so delta is the "
            "output gradient where the unit was active and 0 where it was not."
        ),
        solution="""
def relu_backward(output_gradient, z):
    return output_gradient * (z > 0)
""",
        bugs=(
            Bug(
                "Your ReLU mask is on the wrong side: it passes the gradient where "
                "z <= 0. Pass it where z > 0, through the units that were active.",
                lambda output_gradient, z: output_gradient * (z <= 0),
            ),
            Bug(
                "You multiplied by z itself. ReLU's derivative is 1 or 0, not z: "
                "multiply by (z > 0).",
                lambda output_gradient, z: output_gradient * np.maximum(0, z),
            ),
            Bug(
                "You returned the gradient without the ReLU mask, as if the layer "
                "were linear: multiply by (z > 0).",
                lambda output_gradient, z: output_gradient * 1.0,
            ),
            Bug(
                "At z = 0 you let the gradient through: with (z >= 0) a unit that is "
                "exactly off counts as active. Use (z > 0).",
                lambda output_gradient, z: output_gradient * (z >= 0),
            ),
        ),
    )
)


def _update_to_weight_ratio(weights, d_weights, learning_rate):
    return learning_rate * np.linalg.norm(d_weights) / np.linalg.norm(weights)


register(
    Exercise(
        name="update_to_weight_ratio",
        signature="update_to_weight_ratio(weights, d_weights, learning_rate)",
        reference=_update_to_weight_ratio,
        cases=(
            Case(
                "a 2x2 layer",
                (
                    np.array([[3.0, 0.0], [0.0, 4.0]]),
                    np.array([[0.6, 0.0], [0.8, 0.0]]),
                    0.05,
                ),
            ),
            Case("a 2x3 layer", (_INPUTS[:2], _DELTA[:2], 0.01)),
        ),
        hint=(
            "The step is learning_rate * d_weights. Divide its Frobenius norm, "
            "np.linalg.norm of the whole matrix, by the norm of the weights."
        ),
        solution="""
def update_to_weight_ratio(weights, d_weights, learning_rate):
    return learning_rate * np.linalg.norm(d_weights) / np.linalg.norm(weights)
""",
        bugs=(
            Bug(
                "You left out the learning rate: the update is learning_rate * "
                "d_weights, not the gradient alone.",
                lambda weights, d_weights, learning_rate: (
                    np.linalg.norm(d_weights) / np.linalg.norm(weights)
                ),
            ),
            Bug(
                "Your ratio is upside down: divide the update's norm by the weights' "
                "norm.",
                lambda weights, d_weights, learning_rate: (
                    np.linalg.norm(weights)
                    / (learning_rate * np.linalg.norm(d_weights))
                ),
            ),
        ),
    )
)


# -- lesson 10: draw your own digit -------------------------------------------------

_L_SHAPE = np.array([[0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.0, 0.0], [0.0, 1.0, 0.5, 0.5]])
_DOT = np.zeros((5, 7))
_DOT[1, 5] = 1.0

register(
    Exercise(
        name="my_center_of_mass",
        signature="my_center_of_mass(image)",
        reference=center_of_mass,
        cases=(
            Case("a single ink pixel at row 1, column 5", (_DOT,)),
            Case("an L of grey and black ink", (_L_SHAPE,)),
            Case("uint8 pixels, 0..255", ((_L_SHAPE * 255).astype(np.uint8),)),
        ),
        hint=(
            "Weight each pixel's row index by its ink and divide by the total ink; "
            "likewise for the column. np.arange(image.shape[0]) gives the row "
            "indices, image.sum(axis=1) the ink per row."
        ),
        solution="""
def my_center_of_mass(image):
    image = np.asarray(image, dtype=float)
    total = image.sum()
    rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
    columns = np.arange(image.shape[1]) @ image.sum(axis=0) / total
    return rows, columns
""",
        bugs=(
            Bug(
                "You returned (x, y), that is (column, row). An image is indexed "
                "image[row, column], so return the row first.",
                lambda image: center_of_mass(image)[::-1],
            ),
            Bug(
                "You averaged the positions of the inked pixels without weighting "
                "them by their ink, so grey pixels count as much as black ones.",
                lambda image: center_of_mass(np.asarray(image) > 0),
            ),
        ),
    )
)
