"""A layer of neurons: the course's per-neuron objects over one weight matrix.

The course explains a layer as a list of ``Neuron`` objects, each with its own
``weights`` and ``bias``. Looping over them in Python for every sample is far too
slow for MNIST, so a :class:`Layer` stores all of its parameters as one matrix and
one vector and computes with matrix products. Its neurons are views: ``neuron.weights``
is row i of ``layer.weights``, so editing neuron 3 edits the layer and vice versa.

Shapes, in named dimensions:

- ``weights``: (num_neurons, num_inputs); ``biases``: (num_neurons,)
- ``inputs``: (num_inputs,) for one sample or (batch_size, num_inputs) for a batch
- ``z``, ``output``, ``delta``: (num_neurons,) or (batch_size, num_neurons)
- ``d_weights``, ``d_biases``: like ``weights`` and ``biases``; for a batch they are
  the mean over the batch's samples.
"""

import numpy as np

from ._random import as_generator
from .activations import (
    activation_derivative,
    apply_activation,
    check_activation_name,
)

__all__ = ["Layer", "Neuron", "he_weights"]


def he_weights(num_inputs, rng):
    """Draw one neuron's weights with He initialization, standard normal * sqrt(2/n).

    He et al. (2015) chose the scale so that ReLU layers keep the variance of their
    activations from layer to layer.
    """
    return rng.standard_normal(num_inputs) * np.sqrt(2.0 / num_inputs)


def _check_count(name, value):
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be an integer >= 1, got {value!r}")
    return int(value)


class Layer:
    """A fully connected layer of ``num_neurons`` neurons.

    Parameters
    ----------
    num_inputs : int
        Inputs per sample, which is the previous layer's ``num_neurons``.
    num_neurons : int
    activation_function : str
        "relu", "sigmoid", "tanh", "linear" or "softmax". Softmax is applied across the
        whole layer's outputs and belongs on the output layer, where the loss delta
        ``predicted - actual`` already includes its derivative.
    rng : int, numpy.random.Generator or None, keyword-only
        Source of the initial weights; None uses the generator that
        :func:`scribble.seed` sets.
    dtype : numpy float dtype, keyword-only
        float64 (the default) for exact lesson numbers, float32 for speed.

    Neurons draw their parameters in order, each its weights and then its bias, as
    the course's per-neuron code does, so the same seed gives the same numbers as
    :mod:`scribble.reference`.
    """

    def __init__(
        self,
        num_inputs,
        num_neurons,
        activation_function,
        *,
        rng=None,
        dtype=np.float64,
    ):
        self.num_inputs = _check_count("num_inputs", num_inputs)
        self.num_neurons = _check_count("num_neurons", num_neurons)
        self.activation_function = check_activation_name(activation_function)
        self.dtype = np.dtype(dtype)
        if self.dtype.kind != "f":
            raise ValueError(f"dtype must be a float type, got {self.dtype}")
        # When False, update() leaves the parameters as they are (a frozen layer).
        self.trainable = True
        # Position in a NeuralNetwork, used in error messages; set by the network.
        self.index = None

        generator = as_generator(rng)
        weights = np.empty((self.num_neurons, self.num_inputs), dtype=self.dtype)
        biases = np.empty(self.num_neurons, dtype=self.dtype)
        for i in range(self.num_neurons):
            weights[i] = he_weights(self.num_inputs, generator)
            biases[i] = generator.standard_normal()
        self._weights = weights
        self._biases = biases

        self.inputs = None
        self.z = None
        self.output = None
        self.delta = None
        self.d_weights = None
        self.d_biases = None
        self._scratch = None
        self.neurons = [Neuron._view_of(self, i) for i in range(self.num_neurons)]

    @property
    def d_weights(self):
        """Loss gradient for ``weights``, shape (num_neurons, num_inputs), or None.

        After a one-sample :meth:`backward` it is ``np.outer(delta, inputs)``, built
        the first time it is read: :meth:`update` does not need the whole matrix.
        """
        if self._d_weights is None and self._outer_factors is not None:
            delta, inputs = self._outer_factors
            self._d_weights = np.outer(delta, inputs)
        return self._d_weights

    @d_weights.setter
    def d_weights(self, value):
        self._d_weights = value
        self._outer_factors = None

    # The arrays are replaced only in place, so that every Neuron view stays valid.
    @property
    def weights(self):
        """Weight matrix of shape (num_neurons, num_inputs); row i is neuron i's."""
        return self._weights

    @weights.setter
    def weights(self, value):
        self._weights[...] = self._checked_parameter("weights", value, self._weights)

    @property
    def biases(self):
        """Bias vector of shape (num_neurons,)."""
        return self._biases

    @biases.setter
    def biases(self, value):
        self._biases[...] = self._checked_parameter("biases", value, self._biases)

    def _checked_parameter(self, name, value, current):
        value = np.asarray(value)
        if value.shape != current.shape:
            raise ValueError(
                f"{self._name()}: {name} must have shape {current.shape}, "
                f"got {value.shape}"
            )
        return value

    def _name(self):
        return "layer" if self.index is None else f"layer {self.index}"

    def __repr__(self):
        return (
            f"Layer(num_inputs={self.num_inputs}, num_neurons={self.num_neurons}, "
            f"activation_function={self.activation_function!r})"
        )

    def check_inputs(self, inputs):
        """Return ``inputs`` as an array of this layer's dtype, or raise ValueError.

        Rejects a wrong number of features (naming the layer, the expected and the
        actual size), more than two dimensions, and NaN or inf values.
        """
        inputs = np.asarray(inputs)
        if inputs.ndim not in (1, 2):
            raise ValueError(
                f"{self._name()} expects one sample of shape ({self.num_inputs},) or a "
                f"batch of shape (batch_size, {self.num_inputs}), got shape "
                f"{inputs.shape}"
            )
        if inputs.shape[-1] != self.num_inputs:
            raise ValueError(
                f"{self._name()} expects {self.num_inputs} inputs per sample, got "
                f"{inputs.shape[-1]} (input shape {inputs.shape}); flatten images to "
                f"vectors or build the layer with num_inputs={inputs.shape[-1]}"
            )
        if inputs.dtype != self.dtype:
            if inputs.dtype.kind not in "uifb":
                raise TypeError(f"inputs must be numbers, got dtype {inputs.dtype}")
            inputs = inputs.astype(self.dtype)
        # A finite sum means every value is finite, and it needs no boolean copy of a
        # large X. A sum can also overflow, so only then is each value checked.
        with np.errstate(over="ignore", invalid="ignore"):
            total = np.add.reduce(inputs, axis=None)
        if not np.isfinite(total) and not np.isfinite(inputs).all():
            raise ValueError(
                f"{self._name()} received NaN or inf in its inputs: clean the data, or "
                "if this happens during training, lower the learning rate"
            )
        return inputs

    def forward(self, inputs):
        """Compute ``output = activation(weights @ inputs + biases)`` and store it.

        Parameters
        ----------
        inputs : array of shape (num_inputs,) or (batch_size, num_inputs)

        Returns
        -------
        output : array of shape (num_neurons,) or (batch_size, num_neurons)
        """
        inputs = self.check_inputs(inputs)
        return self._forward_checked(inputs)

    def _forward_checked(self, inputs):
        # z = W x + b per sample; for a batch, each row of inputs is one sample.
        if inputs.ndim == 1:
            z = self._weights @ inputs
        else:
            z = inputs @ self._weights.T
        z += self._biases
        self.inputs = inputs
        self.z = z
        self.output = apply_activation(self.activation_function, z)
        return self.output

    def backward(self, delta, learning_rate=None):
        """Compute this layer's delta and gradients, and return the previous delta.

        Parameters
        ----------
        delta : array shaped like ``output``
            The loss gradient with respect to this layer's output, as returned by the
            next layer's ``backward``. For a softmax layer it is already the gradient
            with respect to z (``predicted - actual``).
        learning_rate : float, optional
            Unused: the course's signature passes it, and :meth:`update` applies it.

        Returns
        -------
        array of shape (num_inputs,) or (batch_size, num_inputs)
            The loss gradient with respect to this layer's inputs, computed with the
            weights as they are before :meth:`update`.
        """
        return self._backward(delta)

    def _backward(self, delta, input_delta=True):
        # input_delta=False skips the returned gradient (and returns None): training
        # never needs it for the first layer, where it costs as much as the forward.
        if self.output is None:
            raise RuntimeError(f"{self._name()}: call forward before backward")
        delta = np.asarray(delta, dtype=self.dtype)
        if delta.shape != self.output.shape:
            raise ValueError(
                f"{self._name()}: delta must have the output's shape "
                f"{self.output.shape}, got {delta.shape}"
            )

        # delta = dL/dz: multiply the incoming dL/da by the activation's da/dz.
        derivative = activation_derivative(self.activation_function, self.output)
        if derivative is not None:
            delta = delta * derivative
        self.delta = delta

        # dL/dW = delta x^T (averaged over a batch), dL/db = delta. For one sample
        # the outer product is left to the d_weights property.
        if delta.ndim == 1:
            self.d_weights = None
            self._outer_factors = (delta, self.inputs)
            self.d_biases = delta.copy()
            return self._weights.T @ delta if input_delta else None
        batch_size = delta.shape[0]
        d_weights = delta.T @ self.inputs
        d_weights /= batch_size
        self.d_weights = d_weights
        self.d_biases = delta.mean(axis=0)
        return delta @ self._weights if input_delta else None

    def update(self, learning_rate):
        """Take one gradient-descent step: ``weights -= learning_rate * d_weights``."""
        if self._d_weights is None and self._outer_factors is None:
            raise RuntimeError(f"{self._name()}: call backward before update")
        if not self.trainable:
            return
        if self._d_weights is None:
            self._update_from_outer_factors(learning_rate)
        else:
            step = self._scratch_like_weights()
            np.multiply(self._d_weights, learning_rate, out=step)
            self._weights -= step
        self._biases -= learning_rate * self.d_biases

    def _update_from_outer_factors(self, learning_rate):
        # weights -= learning_rate * np.outer(delta, inputs) in two passes over a
        # reused buffer instead of three new weight-sized temporaries; einsum
        # writes an outer product faster than broadcasting multiply does.
        # NOTE: (learning_rate * delta_i) * x_j may round differently from the
        # reference's learning_rate * (delta_i * x_j) in the last bit; the tests
        # bound the drift at 1e-12.
        delta, inputs = self._outer_factors
        step = self._scratch_like_weights()
        np.einsum("i,j->ij", learning_rate * delta, inputs, out=step)
        self._weights -= step

    def _scratch_like_weights(self):
        if self._scratch is None:
            self._scratch = np.empty_like(self._weights)
        return self._scratch


class Neuron:
    """One neuron: ``output = activation(np.dot(weights, inputs) + bias)``.

    ``Neuron(num_inputs, activation_function)`` builds a standalone neuron with
    He-initialized weights and one standard-normal bias. The neurons in
    ``layer.neurons`` are the same class but read and write the layer's arrays, so
    their ``weights``, ``bias``, ``output``, ``delta``, ``d_weights`` and ``d_bias``
    always agree with the layer's.
    """

    def __init__(self, num_inputs, activation_function, *, rng=None, dtype=np.float64):
        owner = Layer(num_inputs, 1, activation_function, rng=rng, dtype=dtype)
        owner.neurons = [self]
        self._layer = owner
        self._index = 0

    @classmethod
    def _view_of(cls, layer, index):
        neuron = cls.__new__(cls)
        neuron._layer = layer
        neuron._index = index
        return neuron

    def __repr__(self):
        return (
            f"Neuron(num_inputs={self.num_inputs}, "
            f"activation_function={self.activation_function!r})"
        )

    @property
    def num_inputs(self):
        return self._layer.num_inputs

    @property
    def activation_function(self):
        return self._layer.activation_function

    @property
    def weights(self):
        """This neuron's weights, shape (num_inputs,): a view of the layer's row."""
        return self._layer.weights[self._index]

    @weights.setter
    def weights(self, value):
        value = np.asarray(value)
        if value.shape != (self.num_inputs,):
            raise ValueError(
                f"weights must have shape ({self.num_inputs},), got {value.shape}"
            )
        self._layer.weights[self._index] = value

    @property
    def bias(self):
        return self._layer.biases[self._index]

    @bias.setter
    def bias(self, value):
        self._layer.biases[self._index] = value

    @property
    def inputs(self):
        return self._layer.inputs

    @property
    def output(self):
        return self._column(self._layer.output)

    @property
    def delta(self):
        return self._column(self._layer.delta)

    @property
    def d_weights(self):
        d_weights = self._layer.d_weights
        return None if d_weights is None else d_weights[self._index]

    @property
    def d_bias(self):
        d_biases = self._layer.d_biases
        return None if d_biases is None else d_biases[self._index]

    def _column(self, array):
        return None if array is None else array[..., self._index]

    def _state(self, name, inputs_shape):
        """Return the layer's array ``name`` for this batch shape, new if stale."""
        layer = self._layer
        shape = inputs_shape[:-1] + (layer.num_neurons,)
        array = getattr(layer, name)
        if array is None or array.shape != shape:
            array = np.zeros(shape, dtype=layer.dtype)
            setattr(layer, name, array)
        return array

    def forward(self, inputs):
        """Compute this neuron's output for one sample or a batch and store it.

        A softmax neuron stores z as its output, because softmax needs every neuron of
        the layer: :meth:`Layer.forward` applies it across them.
        """
        layer = self._layer
        inputs = layer.check_inputs(inputs)
        z = np.dot(inputs, self.weights) + self.bias
        if layer.inputs is not inputs:
            # New inputs: the layer's stored outputs belong to other inputs.
            layer.z = layer.output = None
            layer.inputs = inputs
        self._state("z", inputs.shape)[..., self._index] = z
        if self.activation_function == "softmax":
            output = z
        else:
            output = apply_activation(self.activation_function, z)
        self._state("output", inputs.shape)[..., self._index] = output
        return output

    def backward(self, delta, learning_rate=None):
        """Store this neuron's delta and gradients; return its share of the prior delta.

        ``delta`` is dL/d(output) for this neuron (a number, or one per sample of a
        batch). For "relu" it is multiplied by ``relu_derivative(output)``, and
        likewise by the derivative of the other activations, except softmax, where it
        is already dL/dz. Returns ``delta * weights``, computed with the weights from
        before :meth:`update`; ``learning_rate`` is unused here.
        """
        layer = self._layer
        if self.output is None or layer.inputs is None:
            raise RuntimeError("call forward before backward")
        delta = np.asarray(delta, dtype=layer.dtype)
        derivative = activation_derivative(self.activation_function, self.output)
        if derivative is not None:
            delta = delta * derivative
        inputs = layer.inputs
        self._state("delta", inputs.shape)[..., self._index] = delta

        if layer.d_weights is None:
            layer.d_weights = np.zeros_like(layer.weights)
            layer.d_biases = np.zeros_like(layer.biases)
        if inputs.ndim == 1:
            layer.d_weights[self._index] = delta * inputs
            layer.d_biases[self._index] = delta
            return delta * self.weights
        layer.d_weights[self._index] = delta @ inputs / inputs.shape[0]
        layer.d_biases[self._index] = np.mean(delta)
        return np.outer(delta, self.weights)

    def update(self, learning_rate):
        """Take one gradient-descent step on this neuron's weights and bias."""
        if self.d_weights is None:
            raise RuntimeError("call backward before update")
        if not self._layer.trainable:
            return
        self.weights -= learning_rate * self.d_weights
        self.bias -= learning_rate * self.d_bias
