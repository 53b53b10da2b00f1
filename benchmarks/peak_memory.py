"""Peak resident memory of one float32 training run, measured in its own process.

Run as ``python -m benchmarks.peak_memory DATA_DIR EPOCHS BATCH_SIZE NUM_SAMPLES``
(NUM_SAMPLES 0 trains on every training image). Prints the peak resident set size
(VmHWM) in MB of 10^6 bytes. The images go from uint8 straight to float32:
normalize() returns float64, a 376 MB copy of Fashion-MNIST's 60,000 images.
"""

import sys
from pathlib import Path

import numpy as np

import scribble
from scribble.datasets import load_idx_dataset


def main(argv):
    data_dir, epochs, batch_size, num_samples = argv[0], *map(int, argv[1:4])
    (images, labels), _ = load_idx_dataset(data_dir)
    if num_samples:
        images, labels = images[:num_samples], labels[:num_samples]
    X = images.reshape(len(images), -1).astype(np.float32)
    del images
    X /= 255
    network = scribble.NeuralNetwork.from_sizes([784, 128, 10], rng=0, dtype=np.float32)
    network.train(
        X,
        labels,
        epochs=epochs,
        learning_rate=0.1,
        batch_size=batch_size,
        shuffle=True,
        seed=0,
        verbose=0,
    )
    print(peak_rss_bytes() / 1e6)


def peak_rss_bytes():
    """This process's peak resident set size, from /proc/self/status (Linux).

    Not getrusage's ru_maxrss: Linux keeps that across execve, so a child started
    from a big benchmark process would report the parent's size.
    """
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024  # the value is in kB
    raise OSError("/proc/self/status has no VmHWM line; peak memory needs Linux")


if __name__ == "__main__":
    main(sys.argv[1:])
