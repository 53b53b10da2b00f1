"""The command line: ``python -m scribble train``, ``evaluate MODEL``, ``download``.

``train --dataset sample`` (the default) trains on the bundled 5,000 digits;
``--dataset mnist`` and ``--dataset fashion-mnist`` train on the full 60,000
training images (less the validation part) and test on the 10,000 test images.
"""

import argparse
import json
import math
import sys
import time
from datetime import datetime
from pathlib import Path

import numpy as np

from ._folders import OutputDirError, RunFolder, missing_folders, remove_empty_folders

DATASETS = ("sample", "mnist", "fashion-mnist")
OPTIMIZERS = ("sgd", "momentum", "adam")

# Defaults per dataset. The sample keeps the course's float64 and a small network;
# the full sets use float32 (half the memory of float64: 54,000 x 784 x 4 bytes
# = 169 MB for the training part) and a wider network.
DEFAULTS = {
    "sample": {
        "epochs": 10,
        "learning_rate": 0.1,
        "batch_size": 32,
        "hidden": [128],
        "dtype": "float64",
        "preprocess": "normalize",
    },
    "mnist": {
        "epochs": 20,
        "learning_rate": 0.05,
        "batch_size": 64,
        "hidden": [256, 128],
        "dtype": "float32",
        "preprocess": "standardize",
    },
    "fashion-mnist": {
        "epochs": 20,
        "learning_rate": 0.05,
        "batch_size": 64,
        "hidden": [256, 128],
        "dtype": "float32",
        "preprocess": "standardize",
    },
}

# Learning rates when --learning-rate is not given. SGD's depends on the dataset
# (DEFAULTS). Momentum 0.9 takes steps up to ten times as large as SGD's, and 0.01
# is the rate that benchmarks/README.md uses with it on Fashion-MNIST. 0.001 is
# Adam's usual rate (see scribble.optimizers.Adam): `python -m scribble train
# --optimizer adam` on the bundled sample (10 epochs, seed 0) reached 0.935 test
# accuracy with 0.001 and 0.72 with 0.1.
OPTIMIZER_LEARNING_RATES = {"momentum": 0.01, "adam": 0.001}

PREPROCESSING_FILE = "preprocessing.json"
RUN_FILES = ("model.npz", "loss.png", "history.json", PREPROCESSING_FILE)


class OptionError(Exception):
    """An option value that is valid alone but not for this data; exit code 2."""


class RunSaveError(Exception):
    """The files of a finished run could not be written; exit code 1."""


def _defaults_text(option):
    """``"10 for sample, 20 for mnist and fashion-mnist"`` for an option."""
    groups = {}
    for dataset, values in DEFAULTS.items():
        value = values[option]
        text = " ".join(map(str, value)) if isinstance(value, list) else str(value)
        groups.setdefault(text, []).append(dataset)
    return "; ".join(
        f"{text} for {' and '.join(datasets)}" for text, datasets in groups.items()
    )


class _HelpFormatter(argparse.ArgumentDefaultsHelpFormatter):
    """Shows ``(default: ...)`` except for options whose default depends on the
    dataset; their help text says it instead."""

    def _get_help_string(self, action):
        if action.default is None:
            return action.help
        return super()._get_help_string(action)


def _load_raw(dataset, download=False):
    """The dataset as uint8 images and labels (see scribble.datasets)."""
    from .datasets import load_fashion_mnist, load_mnist

    if dataset == "sample":
        return load_mnist("sample")
    if dataset == "mnist":
        return load_mnist("full", download=download)
    return load_fashion_mnist(download=download)


def _preprocess(method, dtype, train, others, stats=None):
    """Flatten and scale ``train`` and each of ``others`` the same way.

    ``standardize`` uses one mean and standard deviation over all training pixels
    (from ``stats`` if given, else computed on ``train``), never the test set's.
    Returns ``(train, others, stats)`` with ``stats`` a JSON-ready dict.
    """
    from .preprocessing import flatten, normalize, standardize

    train = flatten(train)
    others = [flatten(array) for array in others]
    if method == "normalize":
        stats = {"method": "normalize", "max_value": 255}
        return (
            normalize(train, dtype=dtype),
            [normalize(array, dtype=dtype) for array in others],
            stats,
        )
    if stats is None:
        train_out, _, mean, std = standardize(train, dtype=dtype, axis=None)
        stats = {"method": "standardize", "mean": float(mean), "std": float(std)}
    else:
        train_out = _preprocess_test(stats, dtype, train)
    return train_out, [_preprocess_test(stats, dtype, a) for a in others], stats


def _preprocess_test(stats, dtype, images):
    """Apply saved preprocessing ``stats`` to test images."""
    from .preprocessing import flatten, normalize, standardize

    images = flatten(images)
    if stats["method"] == "normalize":
        return normalize(images, stats.get("max_value", 255), dtype=dtype)
    return standardize(images, mean=stats["mean"], std=stats["std"], dtype=dtype)[0]


def _shown(text):
    """Return ``text`` as an error message shows it: numbers as typed, else quoted."""
    try:
        float(text)
    except ValueError:
        return repr(text)
    return text


def _integer_at_least(text, minimum):
    try:
        value = int(text)
    except ValueError:
        value = None
    if value is None or value < minimum:
        raise argparse.ArgumentTypeError(
            f"must be an integer >= {minimum}, got {_shown(text)}"
        )
    return value


def _positive_int(text):
    return _integer_at_least(text, 1)


def _seed(text):
    return _integer_at_least(text, 0)


def _positive_float(text):
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"must be a number > 0, got {_shown(text)}"
        ) from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"must be a finite number > 0, got {text}")
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be a number > 0, got {text}")
    return value


def _fraction(text):
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not 0 <= value < 1:
        raise argparse.ArgumentTypeError(
            f"must be at least 0 and less than 1, got {_shown(text)}"
        )
    return value


def _learning_rate_defaults_text():
    """Return the --learning-rate default of each optimizer as help text."""
    rates = [f"with sgd: {_defaults_text('learning_rate')}"]
    for name, rate in OPTIMIZER_LEARNING_RATES.items():
        rates.append(f"with {name}: {rate:g}")
    return "; ".join(rates)


def build_parser():
    parser = argparse.ArgumentParser(
        prog="python -m scribble",
        description="Train and evaluate scribble's network on MNIST-style images.",
    )
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser(
        "train",
        help="train a network and save it",
        formatter_class=_HelpFormatter,
        description="Train a network and save it. Where a default depends on "
        "the dataset, the help lists the value for each.",
    )
    train.add_argument(
        "--dataset",
        choices=DATASETS,
        default="sample",
        help="training data: 'sample' is the bundled 5,000 MNIST digits; 'mnist' "
        "and 'fashion-mnist' are the full 70,000-image sets (60,000 for training, "
        "10,000 for testing)",
    )
    train.add_argument(
        "--download",
        action="store_true",
        help="download the dataset first if it is not on this machine "
        "(mnist, fashion-mnist)",
    )
    train.add_argument(
        "--epochs",
        type=_positive_int,
        default=None,
        help=f"passes over the training set (default: {_defaults_text('epochs')})",
    )
    train.add_argument(
        "--learning-rate",
        type=_positive_float,
        default=None,
        help="step size of gradient descent, unitless "
        f"(default {_learning_rate_defaults_text()})",
    )
    train.add_argument(
        "--batch-size",
        type=_positive_int,
        default=None,
        help=f"samples per weight update (default: {_defaults_text('batch_size')})",
    )
    train.add_argument(
        "--hidden",
        type=_positive_int,
        nargs="+",
        default=None,
        help="neurons per hidden layer, for example --hidden 256 128 "
        f"(default: {_defaults_text('hidden')})",
    )
    train.add_argument(
        "--seed",
        type=_seed,
        default=0,
        help="seed of the initial weights, the validation split and the shuffling, "
        "an integer >= 0",
    )
    train.add_argument(
        "--validation-fraction",
        type=_fraction,
        default=0.1,
        help="fraction of the training images held out (per class) for the "
        "validation accuracy of every epoch; 0 trains on all of them",
    )
    train.add_argument(
        "--dtype",
        choices=("float64", "float32"),
        default=None,
        help="floating-point type of weights, inputs and computation "
        f"(default: {_defaults_text('dtype')})",
    )
    train.add_argument(
        "--preprocess",
        choices=("normalize", "standardize"),
        default=None,
        help="'normalize' scales pixels to [0, 1]; 'standardize' subtracts the "
        "training pixels' mean and divides by their standard deviation "
        f"(default: {_defaults_text('preprocess')})",
    )
    train.add_argument(
        "--optimizer",
        choices=OPTIMIZERS,
        default="sgd",
        help="update rule: plain SGD as in the course, SGD with momentum 0.9, or "
        "Adam with its usual defaults (see scribble.optimizers); each has its own "
        "default --learning-rate",
    )
    train.add_argument(
        "--cosine-decay",
        action="store_true",
        help="lower the learning rate along a cosine from its full value in the "
        "first epoch to 0 after the last",
    )
    train.add_argument(
        "--output-dir",
        type=Path,
        default=None,
        help="folder for model.npz, loss.png, history.json and preprocessing.json, "
        "created if missing; files of an earlier run there are replaced "
        "(default: a new folder runs/DATASET-TIMESTAMP)",
    )
    train.add_argument("--quiet", action="store_true", help="print only the result")

    evaluate = commands.add_parser(
        "evaluate", help="report a saved model's test accuracy"
    )
    evaluate.add_argument("model", type=Path, help="a model.npz written by train")
    evaluate.add_argument(
        "--dataset",
        choices=DATASETS,
        default=None,
        help="test data to evaluate on (default: the dataset the model was trained "
        f"on, as recorded in {PREPROCESSING_FILE} beside it, else sample)",
    )

    download = commands.add_parser(
        "download",
        help="download a full dataset into the cache",
        description="Download the four files of a dataset from the mirrors the "
        "field's libraries use, check each against its published SHA-256 and MD5, "
        "and keep it in the cache (data/cache/DATASET/).",
    )
    download.add_argument("dataset", choices=("mnist", "fashion-mnist"))
    download.add_argument(
        "--dest", type=Path, default=None, help="folder instead of the cache"
    )
    download.add_argument(
        "--mirror",
        action="append",
        default=None,
        metavar="URL",
        help="base URL to try instead of the built-in mirrors; repeat for several, "
        "tried in order",
    )
    return parser


def _resolve_defaults(args):
    if args.learning_rate is None and args.optimizer in OPTIMIZER_LEARNING_RATES:
        args.learning_rate = OPTIMIZER_LEARNING_RATES[args.optimizer]
    for option, value in DEFAULTS[args.dataset].items():
        if getattr(args, option) is None:
            setattr(args, option, value)
    return args


def _open_run_folder(args):
    """Check and create the run folder before any data is loaded."""
    if args.output_dir is not None:
        return RunFolder.open(args.output_dir, RUN_FILES)
    name = f"{args.dataset}-{datetime.now().strftime('%Y%m%d-%H%M%S')}"
    return RunFolder.open_new(Path("runs"), name, RUN_FILES)


def _working_fractions(labels):
    """Return the range of fractions that leaves every class on both sides.

    The lower end is 1 / (size of the smallest class), rounded up to two
    significant digits, and the upper end is 1 minus that.
    """
    smallest = int(np.unique(labels, return_counts=True)[1].min())
    exact = 1 / smallest
    step = 10.0 ** (math.floor(math.log10(exact)) - 1)
    low = math.ceil(exact / step - 1e-9) * step
    return low, 1 - low


def _split_validation(args, images, labels):
    """Split off the validation images; raise OptionError if a side is empty."""
    from .preprocessing import train_validation_split

    train_images, val_images, y_train, y_val = train_validation_split(
        images, labels, validation_fraction=args.validation_fraction, seed=args.seed
    )
    if len(train_images) > 0 and len(val_images) > 0:
        return train_images, val_images, y_train, y_val
    low, high = _working_fractions(labels)
    advice = (
        f"use a value from {low:g} to {high:g}, which keeps images of every class "
        "on both sides, or 0 to train on all images without validation"
        if low < high
        else "use 0 to train on all images without validation"
    )
    raise OptionError(
        f"--validation-fraction {args.validation_fraction:g} splits the "
        f"{len(labels)} {args.dataset} training images into {len(train_images)} "
        f"for training and {len(val_images)} for validation, but each side needs "
        f"at least one image; {advice}"
    )


def _prepare_data(args, dtype):
    """Load, split and preprocess the data.

    Returns ``(X_train, y_train, validation, X_test, y_test, stats)``, with
    ``validation`` an ``(X, y)`` pair or None.
    """
    data = _load_raw(args.dataset, args.download)
    (train_images, train_labels), (test_images, y_test) = data
    del data
    # Validation comes out of the training set, split while the images are still
    # uint8 (one byte per pixel); the test set is used once, at the end.
    if args.validation_fraction > 0:
        train_images, val_images, y_train, y_val = _split_validation(
            args, train_images, train_labels
        )
        others = [val_images, test_images]
    else:
        y_train, others = train_labels, [test_images]
    X_train, others, stats = _preprocess(args.preprocess, dtype, train_images, others)
    del train_images, test_images  # keep only the float copies from here on
    validation = (others[0], y_val) if args.validation_fraction > 0 else None
    return X_train, y_train, validation, others[-1], y_test, stats


def _print_start(args, sizes, dtype, X_train, validation, X_test, stats):
    validating = f"validating on {len(validation[0])}, " if validation else ""
    pixels = (
        "scaled to [0, 1]"
        if stats["method"] == "normalize"
        else f"standardized with the training mean {stats['mean']:.2f} and "
        f"standard deviation {stats['std']:.2f}"
    )
    print(
        f"Training {'-'.join(map(str, sizes))} on {len(X_train)} {args.dataset} "
        f"images ({dtype}, pixels {pixels}), {validating}testing on {len(X_test)}; "
        f"{args.epochs} epochs, optimizer {args.optimizer}, learning rate "
        f"{args.learning_rate:g}, batch size {args.batch_size}",
        flush=True,
    )


def _write_run(run, network, history, record):
    """Write the run's files into the staging folder, then move them into place."""
    import matplotlib.pyplot as plt

    from .plots import plot_loss

    try:
        network.save(run.staged("model.npz"))
        ax = plot_loss(history)
        ax.figure.savefig(run.staged("loss.png"), dpi=100, bbox_inches="tight")
        plt.close(ax.figure)
        history_text = json.dumps(history.to_dict(), indent=1)
        run.staged("history.json").write_text(history_text)
        record_text = json.dumps(record, indent=1) + "\n"
        run.staged(PREPROCESSING_FILE).write_text(record_text)
        run.commit()
    except OSError as error:
        raise RunSaveError(
            f"could not write the run's files ({error}); nothing was saved to "
            f"{run.path}"
        ) from error


def train_command(args):
    import matplotlib

    matplotlib.use("Agg")

    args = _resolve_defaults(args)
    run = _open_run_folder(args)
    try:
        return _train(args, run)
    except BaseException:
        run.discard()
        raise


def _train(args, run):
    from .network import NeuralNetwork
    from .optimizers import CosineDecay

    dtype = np.dtype(args.dtype)
    X_train, y_train, validation, X_test, y_test, stats = _prepare_data(args, dtype)
    sizes = [X_train.shape[1], *args.hidden, 10]
    rng = np.random.default_rng(args.seed)
    network = NeuralNetwork.from_sizes(sizes, rng=rng, dtype=dtype)
    if not args.quiet:
        _print_start(args, sizes, dtype, X_train, validation, X_test, stats)
    start = time.perf_counter()
    history = network.train(
        X_train,
        y_train,
        args.epochs,
        args.learning_rate,
        batch_size=args.batch_size,
        shuffle=True,
        seed=rng,
        validation_data=validation,
        verbose=0 if args.quiet else 1,
        optimizer=args.optimizer,
        lr_schedule=CosineDecay(args.epochs) if args.cosine_decay else None,
    )
    seconds = time.perf_counter() - start
    result = network.evaluate(X_test, y_test)

    record = {"dataset": args.dataset, "dtype": str(dtype), **stats}
    _write_run(run, network, history, record)
    print(
        f"Test accuracy: {result['accuracy']:.4f} (loss {result['loss']:.4f}) "
        f"after {args.epochs} epochs in {seconds:.1f} s"
    )
    print(
        f"Saved model.npz, loss.png, history.json and {PREPROCESSING_FILE} to "
        f"{run.path}"
    )
    return 0


def _check_model_path(path):
    """Raise IsADirectoryError, naming a model inside, when ``path`` is a folder."""
    if not path.is_dir():
        return
    inside = sorted(path.glob("*/model.npz"))
    if (path / "model.npz").is_file():
        hint = f"pass the model.npz inside it: {path / 'model.npz'}"
    elif inside:
        hint = f"pass a model.npz inside it, for example {inside[0]}"
    else:
        hint = "pass the model.npz that train wrote into a run folder"
    raise IsADirectoryError(f"{path} is a folder, not a model file; {hint}")


def evaluate_command(args):
    from .io import load_network

    _check_model_path(args.model)
    network = load_network(args.model)
    record_path = Path(args.model).parent / PREPROCESSING_FILE
    if record_path.is_file():
        record = json.loads(record_path.read_text())
    else:  # a model saved before preprocessing.json existed: pixels in [0, 1]
        record = {"dataset": "sample", "method": "normalize", "max_value": 255}
    dataset = args.dataset or record["dataset"]
    _, (test_images, y_test) = _load_raw(dataset)
    X_test = _preprocess_test(record, network.dtype, test_images)
    result = network.evaluate(X_test, y_test)
    print(
        f"Test accuracy: {result['accuracy']:.4f} (loss {result['loss']:.4f}) on "
        f"{len(X_test)} {dataset} images"
    )
    return 0


def download_command(args):
    from .datasets import cache_dir

    if args.dest is None:
        created = missing_folders(cache_dir(args.dataset), "the cache folder")
    else:
        created = missing_folders(args.dest, "--dest")
    try:
        return _download(args)
    except BaseException:
        remove_empty_folders(created)
        raise


def _download(args):
    from .datasets import (
        FASHION_MNIST_FILES,
        FASHION_MNIST_MIRRORS,
        FASHION_MNIST_SYSTEM_DIR,
        MNIST_MIRRORS,
        download_fashion_mnist,
        download_mnist,
    )

    if args.dataset == "mnist":
        folder = download_mnist(args.dest, args.mirror or MNIST_MIRRORS)
    else:
        installed = all(
            (FASHION_MNIST_SYSTEM_DIR / spec.name).is_file()
            for spec in FASHION_MNIST_FILES
        )
        if installed and args.dest is None:
            print(
                f"Fashion-MNIST is already installed in {FASHION_MNIST_SYSTEM_DIR} "
                "(Debian's dataset-fashion-mnist); nothing to download."
            )
            return 0
        folder = download_fashion_mnist(args.dest, args.mirror or FASHION_MNIST_MIRRORS)
    print(f"{args.dataset}: the four files are in {folder}, checksums verified")
    return 0


def main(argv=None):
    """Run the command in ``argv`` and return the exit code.

    Exit code 2 means a wrong command line: argparse's own errors and option
    values that fail only against the file system or the data. 1 means the
    command failed while it ran.
    """
    args = build_parser().parse_args(argv)
    from .download import DownloadError
    from .io import ModelFileError

    commands = {
        "train": train_command,
        "evaluate": evaluate_command,
        "download": download_command,
    }
    try:
        return commands[args.command](args)
    except (OptionError, OutputDirError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (
        FileNotFoundError,
        IsADirectoryError,
        ModelFileError,
        ValueError,
        DownloadError,
        RunSaveError,
    ) as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
