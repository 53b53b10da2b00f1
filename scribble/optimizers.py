"""Ways to turn a layer's gradients into a parameter update, and to steer training.

An optimizer takes a layer whose ``backward`` has stored ``d_weights`` and
``d_biases`` and changes its ``weights`` and ``biases`` in place. :class:`SGD` with
no weight decay calls :meth:`Layer.update`, the course's own step, so the default
training path is unchanged. :class:`Momentum` and :class:`Adam` keep state per layer
(a velocity, or two moment estimates) in the optimizer object, so one optimizer
object belongs to one network for one run.

Every optimizer takes ``weight_decay`` (L2 regularization added to the gradient of
the weights, never of the biases). Learning-rate schedules (:class:`StepDecay`,
:class:`CosineDecay`, or any function of the epoch) return a factor that multiplies
the learning rate passed to :meth:`NeuralNetwork.train`. :class:`EarlyStopping`
ends training when the validation loss stops improving.

Notation in the docstrings: ``w`` is a parameter (weights or biases), ``g`` its
gradient ``d_weights`` or ``d_biases``, ``eta`` the learning rate and ``t`` the
number of steps this optimizer has taken on the layer, counting from 1.
"""

import math

import numpy as np

__all__ = [
    "SGD",
    "Adam",
    "CosineDecay",
    "EarlyStopping",
    "Momentum",
    "Optimizer",
    "StepDecay",
    "get_optimizer",
]


def _check_number(name, value, low, high=None, *, low_inclusive=True, hint=""):
    """Return ``value`` as a float if it is a number in the given range."""
    if isinstance(value, bool) or not isinstance(
        value, (int, float, np.integer, np.floating)
    ):
        raise TypeError(f"{name} must be a number, got {value!r}")
    value = float(value)
    too_low = value < low if low_inclusive else value <= low
    too_high = high is not None and value >= high
    if not math.isfinite(value) or too_low or too_high:
        low_text = f">= {low:g}" if low_inclusive else f"> {low:g}"
        range_text = low_text if high is None else f"{low_text} and < {high:g}"
        raise ValueError(
            f"{name} must be a finite number {range_text}, got {value!r}{hint}"
        )
    return value


def _check_positive_int(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


# -- optimizers ------------------------------------------------------------------------


class Optimizer:
    """Base class: ``update(layer, learning_rate)`` changes one layer's parameters.

    Subclasses implement :meth:`_step`, which receives each parameter array with its
    gradient (weight decay already added) and changes the array in place. Frozen
    layers (``layer.trainable = False``) are left as they are.
    """

    def __init__(self, weight_decay=0.0):
        self.weight_decay = _check_number(
            "weight_decay", weight_decay, 0.0, hint="; values such as 1e-4 are typical"
        )
        # Per-layer state, keyed by the Layer object itself.
        self._state = {}

    def __repr__(self):
        return f"{type(self).__name__}({self._arguments()})"

    def _arguments(self):
        return f"weight_decay={self.weight_decay:g}"

    def update(self, layer, learning_rate):
        """Change ``layer.weights`` and ``layer.biases`` in place by one step.

        Parameters
        ----------
        layer : scribble.Layer
            A layer whose :meth:`~scribble.Layer.backward` has run, so that
            ``d_weights`` (num_neurons, num_inputs) and ``d_biases`` (num_neurons,)
            belong to the current weights.
        learning_rate : float > 0
        """
        if layer.d_weights is None:
            raise RuntimeError(f"{layer._name()}: call backward before update")
        if not layer.trainable:
            return
        state = self._state.setdefault(layer, {})
        # L2 weight decay: the loss gains (weight_decay / 2) * ||W||^2, whose
        # gradient weight_decay * W joins d_weights. Biases are not decayed.
        d_weights = layer.d_weights
        if self.weight_decay:
            d_weights = d_weights + self.weight_decay * layer.weights
        self._step(layer.weights, d_weights, learning_rate, state, "weights")
        self._step(layer.biases, layer.d_biases, learning_rate, state, "biases")

    def _step(self, parameter, gradient, learning_rate, state, name):
        raise NotImplementedError

    def reset(self):
        """Forget the per-layer state, as if no step had been taken."""
        self._state.clear()


class SGD(Optimizer):
    """Plain stochastic gradient descent: ``w <- w - eta * g``.

    With ``weight_decay = lambda`` the gradient of the weights becomes
    ``g + lambda * w``, so each step also shrinks every weight by the factor
    ``1 - eta * lambda``. Without weight decay this calls :meth:`Layer.update`, the
    course's step, and gives exactly the numbers of training without an optimizer.
    """

    def update(self, layer, learning_rate):
        if not self.weight_decay:
            layer.update(learning_rate)
            return
        super().update(layer, learning_rate)

    def _step(self, parameter, gradient, learning_rate, state, name):
        parameter -= learning_rate * gradient


class Momentum(Optimizer):
    """Gradient descent with momentum (the heavy-ball method of Polyak, 1964).

    Each parameter keeps a velocity ``v``, zero before the first step::

        v <- momentum * v + g
        w <- w - eta * v

    The velocity is a running sum of past gradients, each older one weighted by
    another factor of ``momentum``. Along a direction where the gradient keeps its
    sign the step grows towards ``eta * g / (1 - momentum)``, ten times plain SGD's
    step for ``momentum = 0.9``. Along a direction where it flips sign from step to
    step the terms cancel. This is the form PyTorch's ``SGD(momentum=...)`` uses.

    Parameters
    ----------
    momentum : float in [0, 1)
        0 gives plain SGD; 0.9 is the usual choice.
    weight_decay : float >= 0
    """

    def __init__(self, momentum=0.9, weight_decay=0.0):
        super().__init__(weight_decay)
        self.momentum = _check_number(
            "momentum", momentum, 0.0, 1.0, hint="; 0.9 is the usual choice"
        )

    def _arguments(self):
        return f"momentum={self.momentum:g}, {super()._arguments()}"

    def _step(self, parameter, gradient, learning_rate, state, name):
        velocity = state.get(name)
        if velocity is None:
            velocity = state[name] = np.zeros_like(parameter)
        velocity *= self.momentum
        velocity += gradient
        parameter -= learning_rate * velocity


class Adam(Optimizer):
    """Adam (Kingma and Ba, 2015): a step per parameter scaled by its gradient's size.

    Each parameter keeps running means of its gradient ``m`` and of its squared
    gradient ``v``, both zero before the first step. At step ``t`` (from 1)::

        m <- beta1 * m + (1 - beta1) * g
        v <- beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)          # corrects the start at zero
        v_hat = v / (1 - beta2**t)
        w <- w - eta * m_hat / (sqrt(v_hat) + epsilon)

    Every weight moves by about ``eta`` per step whatever the scale of its gradient,
    which is why Adam's usual learning rate (0.001) is smaller than SGD's. Weight
    decay here is L2 added to the gradient before the moments (PyTorch's ``Adam``,
    not the decoupled ``AdamW``).

    Parameters
    ----------
    beta1 : float in [0, 1)
    beta2 : float in [0, 1)
    epsilon : float > 0
        Keeps the division finite where ``v_hat`` is zero.
    weight_decay : float >= 0
    """

    def __init__(self, beta1=0.9, beta2=0.999, epsilon=1e-8, weight_decay=0.0):
        super().__init__(weight_decay)
        self.beta1 = _check_number("beta1", beta1, 0.0, 1.0, hint="; 0.9 is usual")
        self.beta2 = _check_number("beta2", beta2, 0.0, 1.0, hint="; 0.999 is usual")
        self.epsilon = _check_number(
            "epsilon", epsilon, 0.0, low_inclusive=False, hint="; 1e-8 is usual"
        )

    def _arguments(self):
        return (
            f"beta1={self.beta1:g}, beta2={self.beta2:g}, epsilon={self.epsilon:g}, "
            f"{super()._arguments()}"
        )

    def _step(self, parameter, gradient, learning_rate, state, name):
        if name not in state:
            state[name] = (np.zeros_like(parameter), np.zeros_like(parameter), 0)
        m, v, t = state[name]
        t += 1
        m *= self.beta1
        m += (1 - self.beta1) * gradient
        v *= self.beta2
        v += (1 - self.beta2) * gradient**2
        state[name] = (m, v, t)

        m_hat = m / (1 - self.beta1**t)
        v_hat = v / (1 - self.beta2**t)
        parameter -= learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)


_OPTIMIZERS = {"sgd": SGD, "momentum": Momentum, "adam": Adam}


def get_optimizer(optimizer):
    """Return an :class:`Optimizer` for ``optimizer``.

    None gives ``SGD()``; "sgd", "momentum" and "adam" give that optimizer with its
    default settings; an Optimizer instance is returned as it is.
    """
    if optimizer is None:
        return SGD()
    if isinstance(optimizer, Optimizer):
        return optimizer
    if isinstance(optimizer, str) and optimizer.lower() in _OPTIMIZERS:
        return _OPTIMIZERS[optimizer.lower()]()
    raise ValueError(
        f"optimizer must be None, one of {sorted(_OPTIMIZERS)} or an Optimizer such "
        f"as scribble.optimizers.Adam(), got {optimizer!r}"
    )


# -- learning-rate schedules -----------------------------------------------------------


class StepDecay:
    """Learning-rate factor that drops by ``factor`` every ``every`` epochs.

    ``schedule(epoch) = factor ** (epoch // every)`` for epochs counted from 0, so
    with ``factor=0.5, every=5`` epochs 0-4 train at the full learning rate, 5-9 at
    half of it, and so on.
    """

    def __init__(self, every, factor=0.5):
        self.every = _check_positive_int("every", every)
        self.factor = _check_number(
            "factor",
            factor,
            0.0,
            1.0,
            low_inclusive=False,
            hint="; 0.5 or 0.1 is usual",
        )

    def __repr__(self):
        return f"StepDecay(every={self.every}, factor={self.factor:g})"

    def __call__(self, epoch):
        return self.factor ** (epoch // self.every)


class CosineDecay:
    """Learning-rate factor that falls from 1 along half a cosine over ``epochs``.

    ``schedule(epoch) = f + (1 - f) * (1 + cos(pi * epoch / epochs)) / 2`` with
    ``f = final_factor`` and epochs counted from 0. It starts at 1 and, after the
    last of ``epochs`` epochs, would reach ``final_factor``. Past ``epochs`` it stays
    at ``final_factor``.
    """

    def __init__(self, epochs, final_factor=0.0):
        self.epochs = _check_positive_int("epochs", epochs)
        self.final_factor = _check_number("final_factor", final_factor, 0.0, 1.0)

    def __repr__(self):
        return f"CosineDecay(epochs={self.epochs}, final_factor={self.final_factor:g})"

    def __call__(self, epoch):
        progress = min(epoch / self.epochs, 1.0)
        cosine = (1 + math.cos(math.pi * progress)) / 2
        return self.final_factor + (1 - self.final_factor) * cosine


def scheduled_learning_rate(lr_schedule, epoch, learning_rate):
    """Return ``learning_rate * lr_schedule(epoch)``; raise ValueError for a bad factor.

    A factor is invalid unless it is a finite number > 0.
    """
    if lr_schedule is None:
        return learning_rate
    factor = lr_schedule(epoch)
    if (
        isinstance(factor, bool)
        or not isinstance(factor, (int, float, np.integer, np.floating))
        or not math.isfinite(factor)
        or factor <= 0
    ):
        raise ValueError(
            f"lr_schedule({epoch}) returned {factor!r}: a schedule must return a "
            "finite factor > 0 that multiplies the learning rate"
        )
    return learning_rate * float(factor)


# -- early stopping --------------------------------------------------------------------


class EarlyStopping:
    """Stop training when the validation loss has not improved for ``patience`` epochs.

    After every epoch the validation loss is compared with the best so far. A loss
    lower than ``best - min_delta`` is an improvement, and the network's parameters
    are copied. After ``patience`` epochs in a row without one, training stops and,
    with ``restore_best_weights``, the network gets the copied parameters back, so
    it ends as it was after its best epoch.

    Attributes set by training (epochs counted from 0):

    - ``best_epoch``, ``best_loss``: the epoch with the lowest validation loss.
    - ``stopped_epoch``: the last epoch trained, or None if training ran all epochs.
    """

    def __init__(self, patience=3, min_delta=0.0, restore_best_weights=True):
        self.patience = _check_positive_int("patience", patience)
        self.min_delta = _check_number("min_delta", min_delta, 0.0)
        if not isinstance(restore_best_weights, (bool, np.bool_)):
            raise TypeError(
                f"restore_best_weights must be True or False, got "
                f"{restore_best_weights!r}"
            )
        self.restore_best_weights = bool(restore_best_weights)
        self.start()

    def __repr__(self):
        return (
            f"EarlyStopping(patience={self.patience}, min_delta={self.min_delta:g}, "
            f"restore_best_weights={self.restore_best_weights})"
        )

    def start(self):
        """Reset the state for a new training run."""
        self.best_loss = math.inf
        self.best_epoch = None
        self.stopped_epoch = None
        self._epochs_without_improvement = 0
        self._best_parameters = None

    def should_stop(self, network, epoch, val_loss):
        """Record epoch ``epoch``'s validation loss; return True when training stops."""
        if val_loss < self.best_loss - self.min_delta:
            self.best_loss = float(val_loss)
            self.best_epoch = epoch
            self._epochs_without_improvement = 0
            if self.restore_best_weights:
                self._best_parameters = [
                    (layer.weights.copy(), layer.biases.copy())
                    for layer in network.layers
                ]
            return False
        self._epochs_without_improvement += 1
        if self._epochs_without_improvement < self.patience:
            return False
        self.stopped_epoch = epoch
        if self._best_parameters is not None:
            for layer, (weights, biases) in zip(network.layers, self._best_parameters):
                layer.weights = weights
                layer.biases = biases
        return True
