"""Lessons 9 and 10's checkers name the classic bug, not only that it is wrong."""

import numpy as np

from scribble import exercises


def report(name, function):
    return exercises.evaluate(name, function).report().replace("\n  ", " ")


def test_summed_batch_gradient_named():
    text = report("batch_weight_gradient", lambda delta, inputs: delta.T @ inputs)
    assert "Your batch gradient is the sum, not the mean" in text


def test_inverted_relu_mask_named():
    text = report("relu_backward", lambda gradient, z: gradient * (z <= 0))
    assert "Your ReLU mask is on the wrong side" in text


def test_swapped_center_of_mass_named():
    def column_first(image):
        image = np.asarray(image, dtype=float)
        total = image.sum()
        rows = np.arange(image.shape[0]) @ image.sum(axis=1) / total
        columns = np.arange(image.shape[1]) @ image.sum(axis=0) / total
        return columns, rows

    assert "that is (column, row)" in report("my_center_of_mass", column_first)


def test_unnamed_mistake_still_fails():
    result = exercises.evaluate("update_to_weight_ratio", lambda w, d, lr: lr * 2.0)
    assert result.status == "failed"
    assert result.bug is None
