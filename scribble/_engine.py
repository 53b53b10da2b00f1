"""The loop behind :meth:`NeuralNetwork.train` for plain layers and plain SGD.

``NeuralNetwork._train_step`` calls every layer's ``forward``, ``backward`` and
``update``: the course's structure, which works for any Layer subclass and any
optimizer. When the network is made of plain :class:`~scribble.Layer` objects trained
with plain SGD, ``train`` runs the loop in this module instead. It computes the same
formulas with fewer temporary arrays and fewer NumPy calls:

- A mini-batch reuses arrays allocated once per ``train`` call (``matmul`` with
  ``out=``). Each operation is the one the layer methods run, in the same order, so
  the weights come out bit for bit equal to the layer-method loop.
- One sample at a time, the first layer's weight updates are deferred. Sample ``t``
  changes the weights by the rank-one matrix ``u_t x_t^T``, where
  ``u_t = learning_rate * delta_t``. With ``W`` the weights at the last flush and
  ``U``, ``P`` the pending ``u`` and ``x`` rows, the current weights are
  ``W - U^T P``. So the forward pass computes ``W x - U^T (P x)``, and every
  ``DEFERRED_SAMPLES`` samples one matrix product applies the pending updates to
  ``W``. Each sample then reads the 100,352 weights of a 784-128 layer once,
  instead of reading them twice and writing them once, plus a temporary array as
  large. The update order is the course's (every sample uses the updates of all
  samples before it), and only the rounding differs: for the course's networks the
  tests hold the weights to the per-neuron reference's within 1e-12. Deeper
  networks amplify rounding more, in the layer-method loop as well.
"""

import math

import numpy as np

from .activations import activation_derivative, apply_activation
from .losses import CLIP_EPSILON, _unclipped_loss, categorical_cross_entropy

# Samples whose first-layer updates wait for one matrix product. Larger blocks make
# the product more efficient but the per-sample correction (P x) longer.
DEFERRED_SAMPLES = 32


class Diverged(Exception):
    """Raised when a batch's loss is not finite. The weights are from before it."""

    def __init__(self, batch, loss):
        super().__init__(batch, loss)
        self.batch = batch
        self.loss = loss


def supports(network, optimizer):
    """Return True when this loop computes what ``network._train_step`` would."""
    from .layer import Layer
    from .network import NeuralNetwork
    from .optimizers import SGD

    if not getattr(network, "fast_training", True):
        return False
    if type(optimizer) is not SGD or optimizer.weight_decay:
        return False
    for name in ("calc_loss_delta", "loss", "_train_step"):
        if getattr(type(network), name) is not getattr(NeuralNetwork, name):
            return False
    layers = network.layers
    if any(type(layer) is not Layer or not layer.trainable for layer in layers):
        return False
    if layers[-1].activation_function != "softmax":
        return False
    return all(layer.activation_function != "softmax" for layer in layers[:-1])


class Trainer:
    """Buffers for one ``train`` call, and the loop over one epoch's batches."""

    def __init__(self, network, X, targets, batch_size):
        self.layers = network.layers
        self.X = X
        self.targets = targets
        self.labels = targets.argmax(axis=1)
        # With exact one-hot targets the loss needs only the true class's
        # probability: the other terms of -sum(target * log(p)) are exactly 0.
        self.one_hot = bool(
            ((targets == 0) | (targets == 1)).all() and (targets.sum(axis=1) == 1).all()
        )
        self.batch_size = batch_size
        # No batch has more rows than X, however large batch_size is.
        rows = min(batch_size, len(X))
        # Offsets of each row's first class in a flattened batch of outputs.
        self.row_offsets = np.arange(rows) * targets.shape[1]
        dtype = network.dtype
        if batch_size == 1:
            first = self.layers[0]
            self.pending_u = np.empty((DEFERRED_SAMPLES, first.num_neurons), dtype)
            self.pending_x = np.empty((DEFERRED_SAMPLES, first.num_inputs), dtype)
            self.num_pending = 0
            self.steps = [np.empty_like(layer._weights) for layer in self.layers]
            return
        sizes = [layer.num_neurons for layer in self.layers]
        self.z = [np.empty((rows, size), dtype) for size in sizes]
        self.outputs = [np.empty((rows, size), dtype) for size in sizes]
        self.deltas = [np.empty((rows, size), dtype) for size in sizes]
        self.gradients = [np.empty_like(layer._weights) for layer in self.layers]
        self.steps = [np.empty_like(layer._weights) for layer in self.layers]

    def run_epoch(self, batches, order, learning_rate, stats, batch_losses):
        """Train on every batch in ``batches``, raising Diverged on a non-finite loss.

        ``batch_losses`` is a list to append each batch's loss to, or None.
        """
        if self.batch_size == 1:
            try:
                for batch in batches:
                    index = batch if order is None else order[batch]
                    loss = self._sample_step(index, learning_rate, stats)
                    if not math.isfinite(loss):
                        raise Diverged(batch, loss)
                    if batch_losses is not None:
                        batch_losses.append(loss)
            finally:
                # Also on Diverged or KeyboardInterrupt, so the weights contain
                # every update made so far, as the layer-method loop's would.
                self._flush()
            return
        for batch in batches:
            start = batch * self.batch_size
            indices = slice(start, start + self.batch_size)
            if order is not None:
                indices = order[indices]
            loss = self._batch_step(indices, learning_rate, stats)
            if not math.isfinite(loss):
                raise Diverged(batch, loss)
            if batch_losses is not None:
                batch_losses.append(loss)

    # -- one sample ----------------------------------------------------------------

    def _sample_step(self, index, learning_rate, stats):
        layers = self.layers
        x = self.X[index]
        target = self.targets[index]

        first = layers[0]
        z = first._weights @ x
        k = self.num_pending
        if k:
            z -= self.pending_u[:k].T @ (self.pending_x[:k] @ x)
        activations = x
        for layer in layers:
            if layer is not first:
                z = layer._weights @ activations
            z += layer._biases
            layer.inputs, layer.z = activations, z
            layer.output = activations = _activate(layer.activation_function, z)
        predicted = activations

        label = self.labels[index]
        if self.one_hot and predicted.dtype == np.float64:
            # Python floats: NumPy's per-call cost dominates on a single number.
            # float32 stays in NumPy, whose float32 log the layer-method loop uses.
            probability = predicted[label]
            clipped = min(max(float(probability), CLIP_EPSILON), 1 - CLIP_EPSILON)
            loss = _unclipped_loss(-math.log(clipped), probability)
        elif self.one_hot:
            loss = _one_hot_cross_entropy(predicted[label : label + 1])
        else:
            loss = _cross_entropy(predicted, target)
        if not math.isfinite(loss):
            return loss
        stats.loss_sum += loss
        stats.correct += int(predicted.argmax() == label)

        delta = predicted - target
        for position in range(len(layers) - 1, -1, -1):
            layer = layers[position]
            name = layer.activation_function
            if name == "relu":
                delta = delta * (layer.output > 0)
            elif name != "softmax":
                delta = delta * activation_derivative(name, layer.output)
            layer.delta = delta
            layer.d_weights = None
            layer._outer_factors = (delta, layer.inputs)
            layer.d_biases = delta.copy()
            _add_sample_stats(stats, position, delta, layer.inputs)

            if position == 0:
                # The bias first: an interrupt during the flush in
                # _defer_first_update then leaves the whole update applied.
                layer._biases -= learning_rate * layer.d_biases
                self._defer_first_update(delta, x, learning_rate)
            else:
                previous_delta = layer._weights.T @ delta
                step = self.steps[position]
                np.einsum("i,j->ij", learning_rate * delta, layer.inputs, out=step)
                layer._weights -= step
                layer._biases -= learning_rate * layer.d_biases
                delta = previous_delta
        return loss

    def _defer_first_update(self, delta, x, learning_rate):
        k = self.num_pending
        np.multiply(delta, learning_rate, out=self.pending_u[k])
        self.pending_x[k] = x
        self.num_pending = k + 1
        if self.num_pending == DEFERRED_SAMPLES:
            self._flush()

    def _flush(self):
        k = self.num_pending
        if k == 0:
            return
        first = self.layers[0]
        step = self.steps[0]
        np.matmul(self.pending_u[:k].T, self.pending_x[:k], out=step)
        first._weights -= step
        self.num_pending = 0

    # -- one mini-batch ------------------------------------------------------------

    def _batch_step(self, indices, learning_rate, stats):
        layers = self.layers
        # Fancy indexing copies shuffled rows faster than np.take(out=) does.
        inputs = self.X[indices]
        target = None if self.one_hot else self.targets[indices]
        labels = self.labels[indices]
        size = len(inputs)

        activations = inputs
        for position, layer in enumerate(layers):
            layer.inputs = activations
            z = np.matmul(activations, layer._weights.T, out=self.z[position][:size])
            z += layer._biases
            layer.z = z
            layer.output = activations = _activate(
                layer.activation_function, z, out=self.outputs[position][:size]
            )
        predicted = activations

        delta = self.deltas[-1][:size]
        if self.one_hot:
            true_classes = self.row_offsets[:size] + labels
            loss = _one_hot_cross_entropy(predicted.take(true_classes))
        else:
            loss = _cross_entropy(predicted, target)
        if not math.isfinite(loss):
            return loss
        stats.loss_sum += loss * size
        stats.correct += int((predicted.argmax(axis=-1) == labels).sum())

        # delta = predicted - target. For one-hot targets that is the true class's
        # probability minus 1, and the probability itself elsewhere.
        if self.one_hot:
            np.copyto(delta, predicted)
            delta.ravel()[true_classes] -= 1
        else:
            np.subtract(predicted, target, out=delta)
        for position in range(len(layers) - 1, -1, -1):
            layer = layers[position]
            name = layer.activation_function
            if name == "relu":
                np.multiply(delta, layer.output > 0, out=delta)
            elif name != "softmax":
                delta *= activation_derivative(name, layer.output)
            layer.delta = delta

            gradient = self.gradients[position]
            np.matmul(delta.T, layer.inputs, out=gradient)
            gradient /= size
            layer.d_weights = gradient
            # delta.mean(axis=0), the same arithmetic without np.mean's overhead.
            layer.d_biases = np.add.reduce(delta, axis=0) / size
            _add_batch_stats(stats, position, delta, gradient, layer.d_biases)

            if position > 0:
                previous = self.deltas[position - 1][:size]
                delta = np.matmul(delta, layer._weights, out=previous)
            step = self.steps[position]
            np.multiply(gradient, learning_rate, out=step)
            layer._weights -= step
            layer._biases -= learning_rate * layer.d_biases
        return loss


def _activate(name, z, out=None):
    # The arithmetic of scribble.activations for ReLU and softmax, into ``out``
    # when given; other activations go through apply_activation.
    if name == "relu":
        return np.maximum(0, z, out=out)
    if name == "softmax":
        out = np.subtract(z, z.max(axis=-1, keepdims=True), out=out)
        np.exp(out, out=out)
        out /= out.sum(axis=-1, keepdims=True)
        return out
    if out is None:
        return apply_activation(name, z)
    out[...] = apply_activation(name, z)
    return out


def _cross_entropy(predicted, target):
    """Return the loss of any targets, or inf when it is not finite before clipping."""
    loss = categorical_cross_entropy(predicted, target)
    return _unclipped_loss(loss, (predicted * target).sum(axis=-1))


def _one_hot_cross_entropy(true_class_probability):
    """Return what _cross_entropy does, from the true classes' probabilities."""
    clipped = true_class_probability.clip(CLIP_EPSILON, 1 - CLIP_EPSILON)
    per_sample = -np.log(clipped)
    # np.mean's arithmetic (a pairwise sum, then one division) without its cost.
    loss = float(np.add.reduce(per_sample) / per_sample.size)
    return _unclipped_loss(loss, true_class_probability)


def _add_sample_stats(stats, position, delta, inputs):
    stats.abs_delta_sum[position] += float(np.add.reduce(np.abs(delta)))
    stats.delta_count[position] += delta.size
    delta_squared = float(delta @ delta)
    # |outer(delta, x)|^2 = |delta|^2 |x|^2, plus the bias gradient, which is delta.
    squared = delta_squared * float(inputs @ inputs) + delta_squared
    stats.gradient_norm_sum[position] += math.sqrt(squared)


def _add_batch_stats(stats, position, delta, gradient, bias_gradient):
    stats.abs_delta_sum[position] += float(np.abs(delta).sum())
    stats.delta_count[position] += delta.size
    flat = gradient.ravel()
    squared = float(flat @ flat) + float(bias_gradient @ bias_gradient)
    stats.gradient_norm_sum[position] += math.sqrt(squared)
