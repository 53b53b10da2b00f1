"""Exercises of lesson 7 (how good is it?) and lesson 8 (learning better).

Registered with :mod:`scribble.exercises` on import, like
:mod:`scribble.exercise_library`. The learner's functions return new arrays and
leave their arguments unchanged, which the checker verifies.
"""

import math

import numpy as np

from .exercises import Bug, Case, Exercise, register

# -- lesson 7: the uncertainty of an accuracy ----------------------------------------


def _standard_error(num_correct, num_samples):
    accuracy = num_correct / num_samples
    return math.sqrt(accuracy * (1 - accuracy) / num_samples)


register(
    Exercise(
        name="standard_error",
        signature="standard_error(num_correct, num_samples)",
        reference=_standard_error,
        cases=(
            Case("90 of 100 right", (90, 100)),
            Case("912 of 1000 right", (912, 1000)),
            Case("all 10 right", (10, 10)),
            Case("counts as NumPy integers", (np.int64(37), np.int64(40))),
        ),
        hint=(
            "With p = num_correct / num_samples, the number of right answers is "
            "binomial with variance n p (1 - p), so the accuracy has variance "
            "p (1 - p) / n. The standard error is its square root."
        ),
        solution="""
def standard_error(num_correct, num_samples):
    p = num_correct / num_samples
    return np.sqrt(p * (1 - p) / num_samples)
""",
        bugs=(
            Bug(
                "You returned the variance p (1 - p) / n: take its square root.",
                lambda k, n: (k / n) * (1 - k / n) / n,
            ),
            Bug(
                "You divided by n outside the square root: the standard error is "
                "sqrt(p (1 - p) / n), which shrinks like 1 / sqrt(n), not 1 / n.",
                lambda k, n: math.sqrt((k / n) * (1 - k / n)) / n,
            ),
            Bug(
                "You left out the division by n: sqrt(p (1 - p)) is the spread of a "
                "single right-or-wrong answer, not of the accuracy over n samples.",
                lambda k, n: math.sqrt((k / n) * (1 - k / n)),
            ),
        ),
    )
)


def _confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    for true_class, predicted_class in zip(y_true, y_pred):
        matrix[true_class, predicted_class] += 1
    return matrix


def _confusion_matrix_transposed(y_true, y_pred, num_classes):
    return _confusion_matrix(y_true, y_pred, num_classes).T


def _confusion_matrix_fancy_index(y_true, y_pred, num_classes):
    # matrix[y_true, y_pred] += 1 counts a repeated (true, predicted) pair only once.
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    matrix[np.asarray(y_true), np.asarray(y_pred)] += 1
    return matrix


register(
    Exercise(
        name="confusion_matrix",
        signature="confusion_matrix(y_true, y_pred, num_classes)",
        reference=_confusion_matrix,
        cases=(
            Case(
                "three samples, all right",
                (np.array([0, 1, 2]), np.array([0, 1, 2]), 3),
            ),
            Case(
                "one 1 read as a 2",
                (np.array([0, 1, 1, 2]), np.array([0, 2, 1, 2]), 3),
            ),
            Case(
                "the same mistake twice",
                (np.array([3, 3, 0, 1]), np.array([5, 5, 0, 1]), 6),
            ),
            Case(
                "a class that never occurs",
                (np.array([0, 0, 2]), np.array([2, 0, 2]), 4),
            ),
        ),
        hint=(
            "Start from np.zeros((num_classes, num_classes), dtype=int) and add 1 to "
            "row y_true[i], column y_pred[i] for every sample i. Rows are the true "
            "classes, columns the predictions."
        ),
        solution="""
def confusion_matrix(y_true, y_pred, num_classes):
    matrix = np.zeros((num_classes, num_classes), dtype=int)
    for true_class, predicted_class in zip(y_true, y_pred):
        matrix[true_class, predicted_class] += 1
    return matrix
""",
        bugs=(
            Bug(
                "Your matrix is transposed: rows must be the true classes and columns "
                "the predictions, so index it as matrix[true, predicted].",
                _confusion_matrix_transposed,
            ),
            Bug(
                "matrix[y_true, y_pred] += 1 adds 1 only once for a pair that occurs "
                "several times, because NumPy's fancy indexing does not accumulate: "
                "loop over the samples, or use np.add.at(matrix, (y_true, y_pred), 1).",
                _confusion_matrix_fancy_index,
            ),
        ),
    )
)


# -- lesson 8: momentum and Adam -------------------------------------------------------


def _momentum_step(weights, gradient, velocity, learning_rate, momentum):
    velocity = momentum * velocity + gradient
    return weights - learning_rate * velocity, velocity


_MOMENTUM_CASES = (
    Case(
        "first step, velocity zero",
        (np.array([1.0, -2.0]), np.array([0.5, -1.0]), np.zeros(2), 0.1, 0.9),
    ),
    Case(
        "second step, gradient changed sign",
        (np.array([0.95, -1.9]), np.array([0.5, 1.0]), np.array([0.5, -1.0]), 0.1, 0.9),
    ),
    Case(
        "a weight matrix",
        (
            np.array([[0.2, -0.4], [0.6, 0.1]]),
            np.array([[0.3, 0.3], [-0.2, 0.05]]),
            np.array([[1.0, -0.5], [0.0, 0.25]]),
            0.05,
            0.8,
        ),
    ),
)

register(
    Exercise(
        name="momentum_step",
        signature="momentum_step(weights, gradient, velocity, learning_rate, momentum)",
        reference=_momentum_step,
        cases=_MOMENTUM_CASES,
        hint=(
            "First the new velocity: momentum * velocity + gradient. Then step the "
            "weights against it: weights - learning_rate * new_velocity. Return both, "
            "as (new_weights, new_velocity)."
        ),
        solution="""
def momentum_step(weights, gradient, velocity, learning_rate, momentum):
    velocity = momentum * velocity + gradient
    return weights - learning_rate * velocity, velocity
""",
        bugs=(
            Bug(
                "Your velocity never forgets: multiply the old velocity by momentum "
                "before adding the gradient.",
                lambda w, g, v, lr, mu: (w - lr * (v + g), v + g),
            ),
            Bug(
                "You stepped the weights with the gradient, not the velocity, so "
                "momentum has no effect on them: use weights - learning_rate * "
                "new_velocity.",
                lambda w, g, v, lr, mu: (w - lr * g, mu * v + g),
            ),
            Bug(
                "You stepped the weights with the old velocity: update the velocity "
                "first, then use the new one.",
                lambda w, g, v, lr, mu: (w - lr * v, mu * v + g),
            ),
            Bug(
                "Your step goes up the gradient: subtract learning_rate * velocity "
                "from the weights.",
                lambda w, g, v, lr, mu: (w + lr * (mu * v + g), mu * v + g),
            ),
        ),
    )
)


def _adam_step(weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999):
    epsilon = 1e-8
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return weights - learning_rate * m_hat / (np.sqrt(v_hat) + epsilon), m, v


def _adam_without_bias_correction(
    weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999
):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    return weights - learning_rate * m / (np.sqrt(v) + 1e-8), m, v


def _adam_without_square(
    weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999
):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return weights - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8), m, v


def _adam_without_root(
    weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999
):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return weights - learning_rate * m_hat / (v_hat + 1e-8), m, v


register(
    Exercise(
        name="adam_step",
        signature=(
            "adam_step(weights, gradient, m, v, t, learning_rate, beta1=0.9, "
            "beta2=0.999)"
        ),
        reference=_adam_step,
        cases=(
            Case(
                "first step (t = 1)",
                (
                    np.array([1.0, -2.0]),
                    np.array([0.5, -2.0]),
                    np.zeros(2),
                    np.zeros(2),
                    1,
                    0.01,
                ),
            ),
            Case(
                "second step (t = 2)",
                (
                    np.array([0.99, -1.99]),
                    np.array([0.5, 1.0]),
                    np.array([0.05, -0.2]),
                    np.array([0.00025, 0.004]),
                    2,
                    0.01,
                ),
            ),
            Case(
                "step 10 with other betas",
                (
                    np.array([[0.3, -0.1], [0.0, 0.7]]),
                    np.array([[0.02, -0.04], [0.1, 0.0]]),
                    np.array([[0.01, -0.02], [0.05, 0.01]]),
                    np.array([[1e-4, 4e-4], [2e-3, 1e-4]]),
                    10,
                    0.001,
                ),
                {"beta1": 0.8, "beta2": 0.99},
            ),
        ),
        hint=(
            "Update m with the gradient and v with the squared gradient, each a "
            "running mean with its beta. Divide m by 1 - beta1**t and v by "
            "1 - beta2**t, then step by learning_rate * m_hat / (sqrt(v_hat) + 1e-8). "
            "Return (new_weights, new_m, new_v)."
        ),
        solution="""
def adam_step(weights, gradient, m, v, t, learning_rate, beta1=0.9, beta2=0.999):
    m = beta1 * m + (1 - beta1) * gradient
    v = beta2 * v + (1 - beta2) * gradient**2
    m_hat = m / (1 - beta1**t)
    v_hat = v / (1 - beta2**t)
    return weights - learning_rate * m_hat / (np.sqrt(v_hat) + 1e-8), m, v
""",
        bugs=(
            Bug(
                "You left out the bias correction: m and v start at zero, so in the "
                "first steps they are too small. Divide by 1 - beta1**t and "
                "1 - beta2**t.",
                _adam_without_bias_correction,
            ),
            Bug(
                "v must average the squared gradient, gradient**2, not the gradient.",
                _adam_without_square,
            ),
            Bug(
                "You divided by v_hat instead of its square root: the step is "
                "m_hat / (np.sqrt(v_hat) + epsilon).",
                _adam_without_root,
            ),
        ),
    )
)
