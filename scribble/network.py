"""The network: layers in order, the loss, and the training loop.

Layers are numbered from 0 (the first hidden layer) to ``len(layers) - 1`` (the output
layer), in error messages, histories and step records alike.
"""

import math

import numpy as np

from . import _engine
from ._random import as_generator
from .activations import apply_activation
from .history import History
from .layer import Layer
from .losses import (
    _unclipped_loss,
    categorical_cross_entropy,
    categorical_cross_entropy_delta,
)
from .optimizers import EarlyStopping, get_optimizer, scheduled_learning_rate
from .preprocessing import one_hot

__all__ = ["NeuralNetwork", "TrainingDivergedError"]

# Training sets at least this large get a progress bar at verbose=1.
PROGRESS_BAR_MIN_SAMPLES = 10_000


class TrainingDivergedError(FloatingPointError):
    """The loss became NaN or inf during training (usually: learning rate too high)."""


def _check_learning_rate(learning_rate, dtype):
    if isinstance(learning_rate, bool) or not isinstance(
        learning_rate, (int, float, np.floating, np.integer)
    ):
        raise TypeError(f"learning_rate must be a number, got {learning_rate!r}")
    if not math.isfinite(learning_rate) or learning_rate <= 0:
        raise ValueError(
            f"learning_rate must be a finite number > 0, got {learning_rate!r}; "
            "values between 0.001 and 0.5 are typical"
        )
    with np.errstate(over="ignore"):
        overflows = not np.isfinite(dtype.type(learning_rate))
    if overflows:
        raise ValueError(
            f"learning_rate {learning_rate:g} overflows to inf in {dtype}: "
            "use a value between 0.001 and 0.5"
        )
    return float(learning_rate)


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


class NeuralNetwork:
    """A feed-forward network built from a list of :class:`~scribble.Layer` objects.

    The output layer is expected to use softmax, and the loss is categorical
    cross-entropy, as in the course. Each layer's ``num_inputs`` must equal the
    previous layer's ``num_neurons``.
    """

    # With plain Layers and plain SGD, train() runs the buffered loop of
    # scribble._engine. Set False to run each layer's own backward and update.
    fast_training = True

    def __init__(self, layers):
        layers = list(layers)
        if not layers:
            raise ValueError("a NeuralNetwork needs at least one Layer")
        for index, layer in enumerate(layers):
            if not isinstance(layer, Layer):
                raise TypeError(
                    f"layers[{index}] is {type(layer).__name__}, not a scribble Layer"
                )
            if index and layer.num_inputs != layers[index - 1].num_neurons:
                raise ValueError(
                    f"layer {index} has num_inputs={layer.num_inputs} but layer "
                    f"{index - 1} has num_neurons={layers[index - 1].num_neurons}: "
                    "they must be equal"
                )
            if layer.dtype != layers[0].dtype:
                raise ValueError(
                    f"layer {index} has dtype {layer.dtype} but layer 0 has "
                    f"{layers[0].dtype}: build every layer with the same dtype"
                )
            layer.index = index
        self.layers = layers

    @classmethod
    def from_sizes(cls, sizes, hidden_activation="relu", *, rng=None, dtype=np.float64):
        """Build a network from layer sizes, for example ``[784, 128, 10]``.

        Hidden layers use ``hidden_activation`` and the output layer softmax.
        """
        sizes = list(sizes)
        if len(sizes) < 2:
            raise ValueError(f"sizes needs an input and an output size, got {sizes}")
        generator = as_generator(rng)
        layers = []
        for index, (num_inputs, num_neurons) in enumerate(zip(sizes, sizes[1:])):
            is_output = index == len(sizes) - 2
            activation = "softmax" if is_output else hidden_activation
            layers.append(
                Layer(num_inputs, num_neurons, activation, rng=generator, dtype=dtype)
            )
        return cls(layers)

    def __repr__(self):
        return f"NeuralNetwork(sizes={self.sizes})"

    @property
    def sizes(self):
        """``[num_inputs, neurons of layer 0, ..., neurons of the output layer]``."""
        return [self.layers[0].num_inputs] + [
            layer.num_neurons for layer in self.layers
        ]

    @property
    def num_classes(self):
        return self.layers[-1].num_neurons

    @property
    def dtype(self):
        return self.layers[0].dtype

    # -- forward and loss ----------------------------------------------------------

    def forward(self, inputs):
        """Run every layer in order and return the output layer's output.

        Parameters
        ----------
        inputs : array of shape (num_inputs,) or (batch_size, num_inputs)

        Each layer stores its ``inputs``, ``z`` and ``output``, ready for backward.
        """
        activations = self.layers[0].check_inputs(inputs)
        for layer in self.layers:
            activations = _layer_forward(layer, activations)
        return activations

    def calc_loss_delta(self, predicted_outputs, actual_outputs):
        """Return ``predicted - actual``: dL/dz of softmax plus cross-entropy."""
        return categorical_cross_entropy_delta(predicted_outputs, actual_outputs)

    def loss(self, predicted_outputs, actual_outputs):
        """Categorical cross-entropy of one sample, or the batch mean."""
        return categorical_cross_entropy(predicted_outputs, actual_outputs)

    def targets_for(self, y):
        """Return one-hot rows for ``y``, given as class labels or one-hot rows.

        Raises ValueError for labels outside 0..num_classes-1, non-integer labels,
        and 2-D targets that are not rows of probabilities summing to 1.
        """
        y = np.asarray(y)
        if y.ndim == 2 and y.shape[1] == self.num_classes and self.num_classes > 1:
            if y.dtype.kind not in "uifb":
                raise TypeError(f"targets must be numbers, got dtype {y.dtype}")
            rows_ok = (y >= 0).all(axis=1) & (y <= 1).all(axis=1)
            rows_ok &= np.isclose(y.sum(axis=1), 1.0)
            if not rows_ok.all():
                row = int(np.argmin(rows_ok))
                raise ValueError(
                    f"target row {row} is {y[row].tolist()}, not one-hot: each row "
                    "needs a single 1 (or probabilities summing to 1); build targets "
                    f"with one_hot(labels, {self.num_classes})"
                )
            return y.astype(self.dtype)
        if y.ndim == 2 and y.shape[1] != 1:
            raise ValueError(
                f"targets have shape {y.shape}: expected class labels of shape "
                f"(num_samples,) or one-hot rows of shape (num_samples, "
                f"{self.num_classes})"
            )
        return one_hot(y, self.num_classes).astype(self.dtype)

    def sample_target(self, y):
        """Return the one-hot row for one sample's target: a label or a one-hot row."""
        if np.ndim(y) == 0:
            return self.targets_for([y])[0]
        return self.targets_for(np.asarray(y)[np.newaxis])[0]

    # -- prediction ----------------------------------------------------------------

    def predict_proba(self, X, batch_size=1024):
        """Return the output probabilities, shape (num_samples, num_classes).

        Unlike :meth:`forward` this leaves every layer's stored state untouched, and
        it works through ``X`` in chunks of ``batch_size`` rows to bound memory.
        A single sample of shape (num_inputs,) gives shape (num_classes,). A Layer
        subclass with its own ``forward`` predicts through it one sample at a time,
        as training with ``batch_size=1`` calls it.
        """
        X = np.asarray(X)
        first = self.layers[0]
        if any(type(layer).forward is not Layer.forward for layer in self.layers):
            if X.ndim == 1:
                activations = first.check_inputs(X)
                for layer in self.layers:
                    activations = _predict_layer(layer, activations)
                return activations
            rows = [self.predict_proba(sample) for sample in first.check_inputs(X)]
            if not rows:
                return np.empty((0, self.num_classes), dtype=self.dtype)
            return np.stack(rows)
        if X.ndim == 1:
            return self.predict_proba(X[np.newaxis], batch_size)[0]
        chunks = []
        for start in range(0, max(len(X), 1), batch_size):
            activations = first.check_inputs(X[start : start + batch_size])
            for layer in self.layers:
                activations = _predict_layer(layer, activations)
            chunks.append(activations)
        return np.concatenate(chunks)

    def predict(self, X):
        """Return the predicted class index of each sample."""
        return np.argmax(self.predict_proba(X), axis=-1)

    def evaluate(self, X, y):
        """Return ``{"loss": mean cross-entropy, "accuracy": fraction correct}``."""
        targets = self.targets_for(y)
        probabilities = self.predict_proba(X)
        if len(probabilities) != len(targets):
            raise ValueError(
                f"X has {len(probabilities)} samples but y has {len(targets)}"
            )
        correct = np.argmax(probabilities, axis=1) == np.argmax(targets, axis=1)
        return {
            "loss": categorical_cross_entropy(probabilities, targets),
            "accuracy": float(np.mean(correct)),
        }

    # -- training ------------------------------------------------------------------

    def train(
        self,
        X,
        y,
        epochs,
        learning_rate,
        batch_size=1,
        shuffle=False,
        validation_data=None,
        seed=None,
        verbose=1,
        record_batch_loss=False,
        optimizer=None,
        lr_schedule=None,
        early_stopping=None,
    ):
        """Train with stochastic gradient descent and return a :class:`History`.

        For every batch: a forward pass, the loss, the loss delta, then for each
        layer from the output backwards that layer's ``backward`` and then its
        ``update``. With ``batch_size=1`` (the default) and ``shuffle=False`` this is
        the course's per-sample loop, in the course's order: sample 0, 1, 2, ...
        An ``optimizer`` replaces ``layer.update`` with its own step.

        With plain :class:`~scribble.Layer` objects and plain SGD the loop runs in
        ``scribble._engine``, which computes the same steps with reused arrays:
        the same bits for mini-batches, and one sample at a time the same steps
        rounded differently (the tests find 1e-12 or less in float64 for networks of
        the course's size; deeper networks amplify rounding more). Set
        ``network.fast_training = False`` to call each layer's methods.

        Parameters
        ----------
        X : array of shape (num_samples, num_inputs)
        y : array of shape (num_samples,) with class labels, or (num_samples,
            num_classes) with one-hot rows
        epochs : int >= 1
        learning_rate : float > 0
        batch_size : int >= 1
            Samples per update; the gradients are averaged over the batch.
        shuffle : bool
            Reshuffle the samples before each epoch, with a generator from ``seed``.
        validation_data : (X_val, y_val), optional
            Evaluated after every epoch into ``val_loss`` and ``val_accuracy``.
        seed : int, numpy.random.Generator or None
            Source of the shuffling order.
        verbose : 0, 1 or 2
            0 prints nothing; 1 prints one line per epoch, plus a progress bar for
            training sets of at least 10,000 samples; 2 always shows the bar.
        record_batch_loss : bool
            Also store each batch's loss in ``history.batch_loss``.
        optimizer : None, "sgd", "momentum", "adam" or an Optimizer
            How gradients become updates; see :mod:`scribble.optimizers`. None is
            plain SGD through ``layer.update(learning_rate)``. The object keeps its
            per-layer state (velocities, moments) across calls to ``train``.
        lr_schedule : callable, optional
            ``lr_schedule(epoch)``, with epochs counted from 0, returns a factor > 0;
            epoch ``epoch`` trains at ``learning_rate * lr_schedule(epoch)``. See
            :class:`~scribble.optimizers.StepDecay` and
            :class:`~scribble.optimizers.CosineDecay`.
        early_stopping : EarlyStopping, optional
            Stops when the validation loss stops improving, and can restore the
            best epoch's parameters; needs ``validation_data``. The history then has
            fewer than ``epochs`` entries.

        Raises
        ------
        TrainingDivergedError
            When a batch's loss is NaN or inf before clipping. The network keeps the
            weights from before that batch: the updates of every earlier batch and
            none of the failing one.
        """
        epochs = _check_positive_int("epochs", epochs)
        learning_rate = _check_learning_rate(learning_rate, self.dtype)
        batch_size = _check_positive_int("batch_size", batch_size)
        if verbose not in (0, 1, 2):
            raise ValueError(f"verbose must be 0, 1 or 2, got {verbose!r}")
        X = np.asarray(X)
        if X.ndim != 2:
            raise ValueError(
                f"X must have shape (num_samples, {self.layers[0].num_inputs}), got "
                f"{X.shape}; flatten images first"
            )
        X = self.layers[0].check_inputs(X)
        targets = self.targets_for(y)
        if len(targets) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(targets)} targets")
        if len(X) == 0:
            raise ValueError("X is empty: training needs at least one sample")
        if validation_data is not None:
            X_val, y_val = validation_data
            y_val = self.targets_for(y_val)
        optimizer = get_optimizer(optimizer)
        if lr_schedule is not None and not callable(lr_schedule):
            raise TypeError(
                f"lr_schedule must be a function of the epoch, such as "
                f"scribble.optimizers.StepDecay(every=5), got {lr_schedule!r}"
            )
        if early_stopping is not None:
            if not isinstance(early_stopping, EarlyStopping):
                raise TypeError(
                    f"early_stopping must be a scribble.optimizers.EarlyStopping, "
                    f"got {early_stopping!r}"
                )
            if validation_data is None:
                raise ValueError(
                    "early_stopping watches the validation loss: pass "
                    "validation_data=(X_val, y_val) as well"
                )
            early_stopping.start()
        rng = as_generator(seed)

        history = History(
            mean_abs_delta=[[] for _ in self.layers],
            gradient_norm=[[] for _ in self.layers],
        )
        num_batches = math.ceil(len(X) / batch_size)
        show_bar = verbose == 2 or (verbose == 1 and len(X) >= PROGRESS_BAR_MIN_SAMPLES)

        trainer = None
        if _engine.supports(self, optimizer):
            trainer = _engine.Trainer(self, X, targets, batch_size)

        for epoch in range(epochs):
            epoch_learning_rate = scheduled_learning_rate(
                lr_schedule, epoch, learning_rate
            )
            order = rng.permutation(len(X)) if shuffle else None
            stats = _EpochStats(len(self.layers))
            batches = range(num_batches)
            if show_bar:
                from tqdm.auto import tqdm

                batches = tqdm(
                    batches,
                    desc=f"Epoch {epoch + 1}/{epochs}",
                    unit="batch",
                    leave=False,
                )
            batch_losses = history.batch_loss if record_batch_loss else None
            if trainer is not None:
                try:
                    trainer.run_epoch(
                        batches, order, epoch_learning_rate, stats, batch_losses
                    )
                except _engine.Diverged as diverged:
                    raise self._diverged(
                        epoch,
                        diverged.batch,
                        batch_size,
                        diverged.loss,
                        epoch_learning_rate,
                    ) from None
            else:
                self._train_epoch_by_layer_methods(
                    X,
                    targets,
                    order,
                    batches,
                    batch_size,
                    epoch,
                    epoch_learning_rate,
                    stats,
                    optimizer,
                    batch_losses,
                )

            history.loss.append(stats.loss_sum / len(X))
            history.accuracy.append(stats.correct / len(X))
            for index in range(len(self.layers)):
                history.mean_abs_delta[index].append(stats.mean_abs_delta(index))
                history.gradient_norm[index].append(
                    stats.gradient_norm_sum[index] / num_batches
                )
            line = (
                f"Epoch {epoch + 1}/{epochs}, Loss: {history.loss[-1]:.4f}, "
                f"Accuracy: {history.accuracy[-1]:.4f}"
            )
            if validation_data is not None:
                result = self.evaluate(X_val, y_val)
                history.val_loss.append(result["loss"])
                history.val_accuracy.append(result["accuracy"])
                line += (
                    f", Val loss: {result['loss']:.4f}, "
                    f"Val accuracy: {result['accuracy']:.4f}"
                )
            if verbose:
                print(line, flush=True)
            if early_stopping is not None and early_stopping.should_stop(
                self, epoch, history.val_loss[-1]
            ):
                if verbose:
                    print(_early_stopping_message(early_stopping), flush=True)
                break
        return history

    def _train_epoch_by_layer_methods(
        self,
        X,
        targets,
        order,
        batches,
        batch_size,
        epoch,
        learning_rate,
        stats,
        optimizer,
        batch_losses,
    ):
        """Train one epoch through ``_train_step``: each layer's backward and update."""
        for batch in batches:
            start = batch * batch_size
            if batch_size == 1:
                # One sample as a 1-D vector, exactly as the course passes it.
                index = start if order is None else order[start]
                inputs, target = X[index], targets[index]
            else:
                indices = slice(start, start + batch_size)
                if order is not None:
                    indices = order[indices]
                inputs, target = X[indices], targets[indices]
            loss = self._train_step(inputs, target, learning_rate, stats, optimizer)
            if not math.isfinite(loss):
                raise self._diverged(epoch, batch, batch_size, loss, learning_rate)
            if batch_losses is not None:
                batch_losses.append(loss)

    def _train_step(self, inputs, target, learning_rate, stats, optimizer):
        """One forward, backward and update on one sample or batch; returns its loss."""
        # train() has checked every input once, so the batch skips check_inputs.
        predicted = inputs
        for layer in self.layers:
            predicted = _layer_forward(layer, predicted)
        loss = _unclipped_loss(
            categorical_cross_entropy(predicted, target),
            (predicted * target).sum(axis=-1),
        )
        if not math.isfinite(loss):
            return loss  # the caller raises

        delta = self.calc_loss_delta(predicted, target)
        for index in reversed(range(len(self.layers))):
            layer = self.layers[index]
            if type(layer).backward is Layer.backward:
                # Layer.backward, minus the first layer's unused input gradient.
                delta = layer._backward(delta, input_delta=index > 0)
            else:
                # A subclass that overrides backward gets its own code called.
                delta = layer.backward(delta, learning_rate)
            optimizer.update(layer, learning_rate)
        stats.add(self.layers, predicted, target, loss)
        return loss

    def _diverged(self, epoch, batch, batch_size, loss, learning_rate):
        unit = "sample" if batch_size == 1 else "batch"
        where = f"{unit} {batch} (counting from 0)"
        return TrainingDivergedError(
            f"training diverged in epoch {epoch + 1}, {where}: the loss is {loss}. "
            f"The network keeps the weights from before that step. Lower the "
            f"learning rate (now {learning_rate:g}), for example to "
            f"{learning_rate / 10:g}"
        )

    # -- saving --------------------------------------------------------------------

    def save(self, path):
        """Save to ``path`` as .npz; see :func:`scribble.io.save_network`."""
        from .io import save_network

        return save_network(self, path)

    @classmethod
    def load(cls, path):
        """Load a network written by :meth:`save`."""
        from .io import load_network

        return load_network(path)

    def record_step(self, x, y, learning_rate, update=True):
        """Run one training step on one sample and return its StepRecord."""
        from .records import record_step

        return record_step(self, x, y, learning_rate, update=update)


def _layer_forward(layer, inputs):
    """Return the layer's output for checked inputs, through its own forward if any.

    A subclass that replaces ``forward`` gets it called, so that training,
    ``network.forward`` and predictions all run the learner's code.
    """
    if type(layer).forward is not Layer.forward:
        return layer.forward(inputs)
    return layer._forward_checked(inputs)


def _predict_layer(layer, inputs):
    """Return the layer's output without changing what its forward pass stored."""
    cls = type(layer)
    if cls.forward is Layer.forward and cls._forward_checked is Layer._forward_checked:
        z = inputs @ layer.weights.T + layer.biases
        return apply_activation(layer.activation_function, z)
    saved = (layer.inputs, layer.z, layer.output)
    try:
        return _layer_forward(layer, inputs)
    finally:
        layer.inputs, layer.z, layer.output = saved


def _early_stopping_message(early_stopping):
    message = (
        f"Early stopping after epoch {early_stopping.stopped_epoch + 1}: the best "
        f"val loss, {early_stopping.best_loss:.4f}, was in epoch "
        f"{early_stopping.best_epoch + 1}"
    )
    if early_stopping.restore_best_weights:
        message += ", whose weights the network now has"
    return message


class _EpochStats:
    """Running sums over one epoch, for the history."""

    def __init__(self, num_layers):
        self.loss_sum = 0.0
        self.correct = 0
        self.abs_delta_sum = [0.0] * num_layers
        self.delta_count = [0] * num_layers
        self.gradient_norm_sum = [0.0] * num_layers

    def add(self, layers, predicted, target, loss):
        batch_size = 1 if predicted.ndim == 1 else predicted.shape[0]
        self.loss_sum += loss * batch_size
        self.correct += int(
            (predicted.argmax(axis=-1) == target.argmax(axis=-1)).sum()
        )
        for index, layer in enumerate(layers):
            delta = layer.delta
            self.abs_delta_sum[index] += float(np.abs(delta).sum())
            self.delta_count[index] += delta.size
            if layer.inputs.ndim == 1:
                # |outer(delta, x)| = |delta| * |x|, without touching the matrix.
                squared = float(delta @ delta) * float(layer.inputs @ layer.inputs)
            else:
                d_weights = layer.d_weights.ravel()
                squared = float(d_weights @ d_weights)
            squared += float(layer.d_biases @ layer.d_biases)
            self.gradient_norm_sum[index] += math.sqrt(squared)

    def mean_abs_delta(self, index):
        return self.abs_delta_sum[index] / self.delta_count[index]
