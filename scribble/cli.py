"""The command line: ``python -m scribble train`` and ``... evaluate MODEL``."""

import argparse
import json
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

DATASETS = ("sample",)


def _load(dataset):
    from .datasets import load_mnist
    from .preprocessing import flatten, normalize

    (train_images, train_labels), (test_images, test_labels) = load_mnist(dataset)
    return (
        (normalize(flatten(train_images)), train_labels),
        (normalize(flatten(test_images)), test_labels),
    )


def _positive_int(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be an integer >= 1, got {text}")
    return value


def _positive_float(text):
    value = float(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m scribble",
        description="Train and evaluate scribble's network on handwritten digits.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train a network and save it",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter,
    )
    train.add_argument(
        "--dataset",
        choices=DATASETS,
        default="sample",
        help="training data; 'sample' is the bundled 5,000 MNIST digits",
    )
    train.add_argument(
        "--epochs", type=_positive_int, default=10, help="passes over the training set"
    )
    train.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=0.1,
        help="step size of gradient descent (unitless)",
    )
    train.add_argument(
        "--batch-size", type=_positive_int, default=32, help="samples per weight update"
    )
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=[128],
        help="neurons per hidden layer, for example --hidden 256 128",
    )
    train.add_argument(
        "--seed",
        type=int,
        default=0,
        help="seed of the initial weights and the shuffling",
    )
    train.add_argument(
        "--validation-fraction",
        type=float,
        default=0.1,
        help="fraction of the training images held out for validation",
    )
    train.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default="float64",
        help="floating-point type of weights and computation",
    )
    train.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="folder for model.npz, loss.png and history.json "
        "(default: runs/DATASET-TIMESTAMP)",
    )
    train.add_argument("--quiet", action="store_true", help="print only the result")

    evaluate = commands.add_parser(
        "evaluate", help="report a saved model's test accuracy"
    )
    evaluate.add_argument("model", type=Path, help="a model.npz written by train")
    evaluate.add_argument(
        "--dataset", choices=DATASETS, default="sample", help="test data to evaluate on"
    )
    return parser


def train_command(args):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .network import NeuralNetwork
    from .plots import plot_loss
    from .preprocessing import train_validation_split

    (X_train, y_train), (X_test, y_test) = _load(args.dataset)
    # Validation comes out of the training set; the test set is used once, at the end.
    X_train, X_val, y_train, y_val = train_validation_split(
        X_train, y_train, validation_fraction=args.validation_fraction, seed=args.seed
    )
    sizes = [X_train.shape[1], *args.hidden, 10]
    rng = np.random.default_rng(args.seed)
    network = NeuralNetwork.from_sizes(sizes, rng=rng, dtype=np.dtype(args.dtype))
    output_dir = args.output_dir or Path("runs") / (
        f"{args.dataset}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    )
    if not args.quiet:
        print(
            f"Training {'-'.join(map(str, sizes))} on {len(X_train)} {args.dataset} "
            f"images, validating on {len(X_val)}, testing on {len(X_test)}"
        )
    start = time.perf_counter()
    history = network.train(
        X_train,
        y_train,
        args.epochs,
        args.learning_rate,
        batch_size=args.batch_size,
        shuffle=True,
        seed=rng,
        validation_data=(X_val, y_val),
        verbose=0 if args.quiet else 1,
    )
    seconds = time.perf_counter() - start
    result = network.evaluate(X_test, y_test)

    output_dir.mkdir(parents=True, exist_ok=True)
    network.save(output_dir / "model.npz")
    ax = plot_loss(history)
    ax.figure.savefig(output_dir / "loss.png", dpi=100, bbox_inches="tight")
    plt.close(ax.figure)
    (output_dir / "history.json").write_text(json.dumps(history.to_dict(), indent=1))
    print(
        f"Test accuracy: {result['accuracy']:.4f} (loss {result['loss']:.4f}) "
        f"after {args.epochs} epochs in {seconds:.1f} s"
    )
    print(f"Saved model.npz, loss.png and history.json to {output_dir}")
    return 0


def evaluate_command(args):
    from .io import load_network

    network = load_network(args.model)
    _, (X_test, y_test) = _load(args.dataset)
    result = network.evaluate(X_test, y_test)
    print(
        f"Test accuracy: {result['accuracy']:.4f} (loss {result['loss']:.4f}) on "
        f"{len(X_test)} {args.dataset} images"
    )
    return 0


def main(argv=None):
    args = build_parser().parse_args(argv)
    from .io import ModelFileError

    try:
        if args.command == "train":
            return train_command(args)
        return evaluate_command(args)
    except (FileNotFoundError, ModelFileError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
