"""Timings of one training epoch: scribble, its per-neuron reference, and PyTorch.

Every figure here is a median over ``repeats`` runs after one untimed warm-up run.
A comparison (scribble against PyTorch or against the reference) runs its two sides
back to back and alternates which goes first, so that a change in the machine's load
hits both sides. Its ratio is the median of the per-pair ratios.

The network is the course's 784-128-10: ReLU, softmax, cross-entropy, He
initialization, plain SGD. PyTorch gets a copy of scribble's initial weights.
"""

import gc
import os
import statistics
import time
from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

import scribble
from scribble import reference

SIZES = [784, 128, 10]
LEARNING_RATE = 0.01
SEED = 0

TORCH_INSTALL_HINT = (
    'PyTorch is not installed, so its rows are skipped: pip install -e ".[bench]" '
    "(torch==2.13.0, the CPU wheel) or make bench"
)


def load_torch():
    """Return the torch module, or None when it is not installed."""
    try:
        import torch
    except ImportError:
        return None
    return torch


@dataclass
class Timing:
    """Wall-clock seconds of repeated runs, and the CPU seconds they used."""

    wall: list = field(default_factory=list)
    cpu: list = field(default_factory=list)

    @property
    def median(self):
        return statistics.median(self.wall)

    @property
    def cpu_share(self):
        """CPU seconds per wall second; below 1 on one thread means descheduled."""
        return sum(self.cpu) / sum(self.wall)


def timed(function):
    """Run ``function()`` once and return (wall seconds, CPU seconds, its result)."""
    gc.collect()
    wall_start, cpu_start = time.perf_counter(), time.process_time()
    result = function()
    return time.perf_counter() - wall_start, time.process_time() - cpu_start, result


def alternating_runs(runners, repeats):
    """Warm up every runner once, then time them ``repeats`` times, back to back.

    Each repeat runs every runner once, the order reversed on every other repeat.
    Returns a Timing per runner name and, per repeat, a dict of the wall seconds.
    """
    for run in runners.values():
        run()  # warm-up
    timings = {name: Timing() for name in runners}
    repeats_seconds = []
    for repeat in range(repeats):
        order = list(runners) if repeat % 2 == 0 else list(reversed(runners))
        seconds = {}
        for name in order:
            wall, cpu, _ = timed(runners[name])
            timings[name].wall.append(wall)
            timings[name].cpu.append(cpu)
            seconds[name] = wall
        repeats_seconds.append(seconds)
    return timings, repeats_seconds


# -- the three implementations -----------------------------------------------------


def scribble_network(dtype):
    return scribble.NeuralNetwork.from_sizes(SIZES, rng=SEED, dtype=dtype)


def reference_network():
    # The same draws in the same order as scribble_network(np.float64).
    generator = np.random.default_rng(SEED)
    layers = [
        reference.Layer(784, 128, "relu", rng=generator),
        reference.Layer(128, 10, "softmax", rng=generator),
    ]
    return reference.NeuralNetwork(layers)


def torch_model(torch, dtype):
    """nn.Sequential 784-128-10 holding the initial weights of scribble_network."""
    source = scribble_network(dtype)
    model = torch.nn.Sequential(
        torch.nn.Linear(784, 128), torch.nn.ReLU(), torch.nn.Linear(128, 10)
    )
    torch_dtype = torch.float32 if dtype == np.float32 else torch.float64
    model = model.to(torch_dtype)
    with torch.no_grad():
        for linear, layer in zip((model[0], model[2]), source.layers):
            linear.weight.copy_(torch.from_numpy(layer.weights))
            linear.bias.copy_(torch.from_numpy(layer.biases))
    return model


def train_scribble(network, X, y, batch_size, epochs=1):
    # Batch 1 is the course's loop (samples in order); larger batches are shuffled.
    return network.train(
        X,
        y,
        epochs=epochs,
        learning_rate=LEARNING_RATE if batch_size == 1 else 10 * LEARNING_RATE,
        batch_size=batch_size,
        shuffle=batch_size > 1,
        seed=SEED,
        verbose=0,
    )


def train_torch(torch, model, X, y, batch_size, epochs=1):
    """The usual PyTorch loop: CrossEntropyLoss on logits, torch.optim.SGD."""
    learning_rate = LEARNING_RATE if batch_size == 1 else 10 * LEARNING_RATE
    optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
    loss_function = torch.nn.CrossEntropyLoss()
    generator = torch.Generator().manual_seed(SEED)
    for _ in range(epochs):
        if batch_size == 1:
            order = None
        else:
            order = torch.randperm(len(X), generator=generator)
        for start in range(0, len(X), batch_size):
            if order is None:
                inputs, labels = X[start : start + 1], y[start : start + 1]
            else:
                indices = order[start : start + batch_size]
                inputs, labels = X[indices], y[indices]
            optimizer.zero_grad(set_to_none=True)
            loss = loss_function(model(inputs), labels)
            loss.backward()
            optimizer.step()
    return model


def torch_accuracy(torch, model, X, y):
    with torch.no_grad():
        return float((model(X).argmax(dim=1) == y).double().mean())


# -- measurements --------------------------------------------------------------------


def epoch_pair(data, batch_size, dtype, threads, repeats, torch, num_samples):
    """Time scribble and PyTorch on one epoch of ``num_samples``, pair by pair.

    Returns a dict with both Timings (seconds for ``num_samples``) and the per-pair
    ratios scribble / PyTorch; PyTorch's entries are None without torch.
    """
    X = data["X"][dtype][:num_samples]
    y = data["y"][:num_samples]
    runners = {
        "scribble": lambda: train_scribble(scribble_network(dtype), X, y, batch_size)
    }
    if torch is not None:
        X_torch = torch.from_numpy(X)
        y_torch = torch.from_numpy(y.astype(np.int64))
        runners["torch"] = lambda: train_torch(
            torch, torch_model(torch, dtype), X_torch, y_torch, batch_size
        )
    with threadpool_limits(threads):
        if torch is not None:
            torch.set_num_threads(threads)
        timings, repeats_seconds = alternating_runs(runners, repeats)
    ratios = None
    if torch is not None:
        ratios = [seconds["scribble"] / seconds["torch"] for seconds in repeats_seconds]
    return {
        "scribble": timings["scribble"],
        "torch": timings.get("torch"),
        "ratios": ratios,
    }


def reference_pair(data, threads, repeats, num_samples):
    """Time the per-neuron reference against scribble on per-sample float64 SGD.

    Also returns the largest difference between their weights after the same
    ``num_samples`` steps from the same initial weights.
    """
    X = data["X"][np.float64][:num_samples]
    y = data["y"][:num_samples]
    Y = scribble.one_hot(y, 10)
    trained = {}

    def run_reference():
        network = reference_network()
        network.train(X, Y, epochs=1, learning_rate=LEARNING_RATE, verbose=False)
        trained["reference"] = network

    def run_scribble():
        network = scribble_network(np.float64)
        train_scribble(network, X, y, 1)
        trained["scribble"] = network

    runners = {"scribble": run_scribble, "reference": run_reference}
    with threadpool_limits(threads):
        timings, repeats_seconds = alternating_runs(runners, repeats)
    # Every run trains from the same initial weights, so all pairs end the same.
    max_difference = 0.0
    for ref_layer, layer in zip(
        trained["reference"].layers, trained["scribble"].layers
    ):
        ref_weights = np.array([neuron.weights for neuron in ref_layer.neurons])
        ref_biases = np.array([neuron.bias for neuron in ref_layer.neurons])
        max_difference = max(
            max_difference,
            float(np.abs(ref_weights - layer.weights).max()),
            float(np.abs(ref_biases - layer.biases).max()),
        )
    ratios = [seconds["reference"] / seconds["scribble"] for seconds in repeats_seconds]
    return {
        "scribble": timings["scribble"],
        "reference": timings["reference"],
        "ratios": ratios,
        "max_difference": max_difference,
    }


def gemm_rate(dtype, threads, size, repeats):
    """Median GFLOP/s of a (size x size) @ (size x size) NumPy matmul, 2 n^3 flops."""
    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((size, size)).astype(dtype)
    b = rng.standard_normal((size, size)).astype(dtype)
    with threadpool_limits(threads):
        a @ b  # warm-up
        seconds = [timed(lambda: a @ b)[0] for _ in range(max(repeats, 3))]
    return 2 * size**3 / statistics.median(seconds) / 1e9


def peak_share_pair(data, batch_size, threads, repeats, num_samples, gemm_size):
    """Time float32 training at ``batch_size`` against the square GEMM, pair by pair.

    The GEMM rate moves with the clock speed and with other processes, so each
    training run is paired with a GEMM timed right before or after it (the order
    alternates). Returns both Timings and the per-pair shares: the training's
    GFLOP/s, counted by flops_per_sample, over the GEMM's.
    """
    X = data["X"][np.float32][:num_samples]
    y = data["y"][:num_samples]
    rng = np.random.default_rng(SEED)
    a = rng.standard_normal((gemm_size, gemm_size)).astype(np.float32)
    b = rng.standard_normal((gemm_size, gemm_size)).astype(np.float32)
    runners = {
        "scribble": lambda: train_scribble(
            scribble_network(np.float32), X, y, batch_size
        ),
        "gemm": lambda: a @ b,
    }
    with threadpool_limits(threads):
        timings, repeats_seconds = alternating_runs(runners, repeats)
    shares = []
    for seconds in repeats_seconds:
        training_rate = flops_per_sample() * len(X) / seconds["scribble"]
        product_rate = 2 * gemm_size**3 / seconds["gemm"]
        shares.append(training_rate / product_rate)
    return {
        "scribble": timings["scribble"],
        "gemm": timings["gemm"],
        "shares": shares,
    }


def accuracy_after_epochs(data, epochs_list, batch_size, dtype, torch):
    """Test accuracy of scribble (and PyTorch) after each count in ``epochs_list``."""
    X, y = data["X"][dtype], data["y"]
    X_test, y_test = data["X_test"][dtype], data["y_test"]
    result = {"scribble": {}, "torch": {} if torch is not None else None}
    network = scribble_network(dtype)
    if torch is not None:
        model = torch_model(torch, dtype)
        X_torch = torch.from_numpy(X)
        y_torch = torch.from_numpy(y.astype(np.int64))
    done = 0
    for epochs in sorted(epochs_list):
        # Each stage continues the previous one with fresh shuffles from SEED, so
        # both libraries see the same number of epochs but not the same orders.
        train_scribble(network, X, y, batch_size, epochs=epochs - done)
        result["scribble"][epochs] = network.evaluate(X_test, y_test)["accuracy"]
        if torch is not None:
            train_torch(
                torch, model, X_torch, y_torch, batch_size, epochs=epochs - done
            )
            result["torch"][epochs] = torch_accuracy(
                torch,
                model,
                torch.from_numpy(X_test),
                torch.from_numpy(y_test.astype(np.int64)),
            )
        done = epochs
    return result


def flops_per_sample(sizes=SIZES):
    """Floating-point operations of scribble's training step per sample.

    Counts the matrix products only, 2 flops per multiply-add: each layer's forward
    (z = W x) and weight gradient (delta x^T), and every layer's input gradient
    (W^T delta) except the first, which training skips. Activations, the loss,
    the update and the history add O(num_weights / batch_size) more per sample,
    which this leaves out.
    """
    total = 0
    for index, (num_inputs, num_neurons) in enumerate(zip(sizes, sizes[1:])):
        products = 2 if index == 0 else 3
        total += products * 2 * num_inputs * num_neurons
    return total


def thread_environment():
    """The BLAS-related environment variables as this process sees them."""
    names = (
        "OPENBLAS_CORETYPE",
        "OPENBLAS_L2_SIZE",
        "OPENBLAS_NUM_THREADS",
        "OMP_NUM_THREADS",
        "MKL_NUM_THREADS",
    )
    return {name: os.environ.get(name) for name in names}
