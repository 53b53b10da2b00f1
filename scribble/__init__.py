"""scribble: a neural network built from scratch in NumPy, one neuron at a time.

The course's names (``Neuron``, ``Layer``, ``NeuralNetwork``, ``relu``, ``softmax``,
``categorical_cross_entropy``, ``one_hot``) are importable from here. The readable
per-neuron version of the same network is :mod:`scribble.reference`.
"""

from ._random import seed
from .activations import (
    linear,
    relu,
    relu_derivative,
    sigmoid,
    sigmoid_derivative,
    softmax,
    tanh,
    tanh_derivative,
)
from .datasets import load_fashion_mnist, load_mnist
from .gradcheck import GradientCheckResult, gradient_check
from .history import History
from .io import ModelFileError, load_network, save_network
from .layer import Layer, Neuron
from .losses import categorical_cross_entropy
from .network import NeuralNetwork, TrainingDivergedError
from .preprocessing import (
    flatten,
    iterate_minibatches,
    normalize,
    one_hot,
    standardize,
    train_validation_split,
)
from .records import StepRecord, record_step

__version__ = "0.1.0"

__all__ = [
    "GradientCheckResult",
    "History",
    "Layer",
    "ModelFileError",
    "NeuralNetwork",
    "Neuron",
    "StepRecord",
    "TrainingDivergedError",
    "categorical_cross_entropy",
    "gradient_check",
    "linear",
    "load_fashion_mnist",
    "load_mnist",
    "load_network",
    "flatten",
    "iterate_minibatches",
    "normalize",
    "one_hot",
    "record_step",
    "relu",
    "relu_derivative",
    "save_network",
    "seed",
    "sigmoid",
    "sigmoid_derivative",
    "softmax",
    "standardize",
    "tanh",
    "tanh_derivative",
    "train_validation_split",
]
