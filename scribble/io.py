"""Saving and loading networks as .npz files that load without pickle.

A model file is a NumPy .npz archive with these entries:

- ``architecture``: a 0-d unicode array holding JSON: format name, version, dtype and
  per layer ``num_inputs``, ``num_neurons``, ``activation_function``;
- ``layer{i}.weights`` and ``layer{i}.biases`` for every layer i.

It is always read with ``allow_pickle=False``, so loading a file never runs code.
"""

import json
import os
import secrets
import zipfile
from pathlib import Path

import numpy as np

from .layer import Layer
from .network import NeuralNetwork

__all__ = ["ModelFileError", "load_network", "save_network"]

FORMAT_NAME = "scribble-network"
FORMAT_VERSION = 1
# First bytes of a zip archive (an .npz) and of a .npy file.
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
NPY_MAGIC = b"\x93NUMPY"


class ModelFileError(ValueError):
    """A file that is not a readable scribble model."""


def save_network(network, path):
    """Write ``network`` to ``path`` (.npz) and return the path.

    The archive goes to a temporary file in the same folder and is renamed over
    ``path`` only when complete, so an interrupted or failed save leaves no partial
    file and keeps an older model at ``path`` intact.
    """
    path = Path(path)
    if path.suffix != ".npz":
        raise ValueError(f"model files end in .npz, got {str(path)!r}")
    architecture = {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "dtype": network.dtype.name,
        "layers": [
            {
                "num_inputs": layer.num_inputs,
                "num_neurons": layer.num_neurons,
                "activation_function": layer.activation_function,
            }
            for layer in network.layers
        ],
    }
    arrays = {"architecture": np.array(json.dumps(architecture))}
    for index, layer in enumerate(network.layers):
        arrays[f"layer{index}.weights"] = layer.weights
        arrays[f"layer{index}.biases"] = layer.biases

    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = _create_temporary(path)
    try:
        with os.fdopen(descriptor, "wb") as file:
            np.savez(file, **arrays)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def _create_temporary(path):
    """Create a new, empty ``.NAME.RANDOM.part`` file beside ``path`` and open it.

    Returns ``(descriptor, temporary path)``. Unlike tempfile.mkstemp, which always
    uses mode 0600, the file gets mode 0666 less the umask, as open() gives.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.part")
        try:
            return os.open(temporary, flags, 0o666), temporary
        except FileExistsError:
            continue
    raise FileExistsError(f"no free temporary name beside {path}")


def load_network(path):
    """Read a network written by :func:`save_network`.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    IsADirectoryError
        If ``path`` is a folder.
    ModelFileError
        If the file is not a scribble model: not an .npz archive, truncated, a
        pickle, missing entries, or arrays whose shapes disagree with the
        architecture.
    """
    path = Path(path)
    if path.is_dir():
        raise IsADirectoryError(
            f"{path} is a folder, not a model file; pass the .npz file inside it"
        )
    if not path.is_file():
        raise FileNotFoundError(f"model file not found: {path}")
    with open(path, "rb") as file:
        start = file.read(len(NPY_MAGIC))
    if not start.startswith(ZIP_MAGIC) and start != NPY_MAGIC:
        raise ModelFileError(
            f"{path} is not a readable scribble model: it is not an .npz archive. "
            "Pass a model.npz written by `python -m scribble train` or by "
            "network.save(path)"
        )
    try:
        with np.load(path, allow_pickle=False) as archive:
            if not isinstance(archive, np.lib.npyio.NpzFile):
                raise ModelFileError(
                    f"{path} is a single .npy array, not a scribble model archive"
                )
            entries = {name: archive[name] for name in archive.files}
    except ModelFileError:
        raise
    except (ValueError, OSError, EOFError, zipfile.BadZipFile, KeyError) as error:
        raise ModelFileError(
            f"{path} is not a readable scribble model ({error}); save models with "
            "network.save(path)"
        ) from error

    architecture = _read_architecture(path, entries)
    dtype = np.dtype(architecture["dtype"])
    layers = []
    for index, spec in enumerate(architecture["layers"]):
        layer = Layer(
            spec["num_inputs"],
            spec["num_neurons"],
            spec["activation_function"],
            rng=np.random.default_rng(0),
            dtype=dtype,
        )
        for name, target in (("weights", layer.weights), ("biases", layer.biases)):
            key = f"layer{index}.{name}"
            if key not in entries:
                raise ModelFileError(f"{path} has no entry {key!r}")
            if entries[key].shape != target.shape or entries[key].dtype != dtype:
                raise ModelFileError(
                    f"{path}: {key} has shape {entries[key].shape} and dtype "
                    f"{entries[key].dtype}, but the architecture needs "
                    f"{target.shape} and {dtype}"
                )
            target[...] = entries[key]
        layers.append(layer)
    return NeuralNetwork(layers)


def _read_architecture(path, entries):
    if "architecture" not in entries:
        raise ModelFileError(
            f"{path} is an .npz archive but not a scribble model (no 'architecture')"
        )
    try:
        architecture = json.loads(str(entries["architecture"]))
        valid = (
            architecture.get("format") == FORMAT_NAME
            and isinstance(architecture.get("layers"), list)
            and architecture["layers"]
        )
    except (json.JSONDecodeError, AttributeError) as error:
        raise ModelFileError(f"{path}: the architecture is not valid JSON") from error
    if not valid:
        raise ModelFileError(f"{path}: the architecture is not a {FORMAT_NAME} entry")
    if architecture.get("version") != FORMAT_VERSION:
        raise ModelFileError(
            f"{path} has format version {architecture.get('version')!r}; this scribble "
            f"reads version {FORMAT_VERSION}"
        )
    return architecture
