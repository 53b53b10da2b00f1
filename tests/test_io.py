"""Saving and loading networks, and files that are not networks."""

import os
import pickle
import zipfile

import numpy as np
import pytest

from scribble import Layer, ModelFileError, NeuralNetwork, load_network, save_network


def _network_3_4_2(dtype=np.float64):
    return NeuralNetwork(
        [
            Layer(3, 4, "tanh", rng=1, dtype=dtype),
            Layer(4, 2, "softmax", rng=2, dtype=dtype),
        ]
    )


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_round_trip_bit_for_bit(tmp_path, dtype, rng):
    network = _network_3_4_2(dtype)
    path = network.save(tmp_path / "model.npz")
    loaded = load_network(path)
    assert loaded.sizes == [3, 4, 2]
    assert [layer.activation_function for layer in loaded.layers] == ["tanh", "softmax"]
    for original, copy in zip(network.layers, loaded.layers):
        assert copy.weights.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(copy.weights, original.weights)
        np.testing.assert_array_equal(copy.biases, original.biases)
    X = rng.standard_normal((5, 3))
    np.testing.assert_array_equal(loaded.predict_proba(X), network.predict_proba(X))


def test_loaded_network_keeps_training(tmp_path, rng):
    network = _network_3_4_2()
    loaded = NeuralNetwork.load(network.save(tmp_path / "model.npz"))
    X = rng.standard_normal((4, 3))
    history = loaded.train(X, [0, 1, 0, 1], 2, 0.1, verbose=0)
    assert len(history.loss) == 2


def test_failed_save_leaves_no_file(tmp_path):
    network = _network_3_4_2()
    network.layers[0].activation_function = object()  # not JSON-serializable
    with pytest.raises(TypeError):
        save_network(network, tmp_path / "model.npz")
    assert list(tmp_path.iterdir()) == []


def test_failed_save_keeps_previous_model(tmp_path):
    path = _network_3_4_2().save(tmp_path / "model.npz")
    before = path.read_bytes()
    broken = _network_3_4_2()
    broken.layers[1].activation_function = object()
    with pytest.raises(TypeError):
        broken.save(path)
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["model.npz"]


def test_save_requires_npz_suffix(tmp_path):
    with pytest.raises(ValueError, match="end in .npz"):
        _network_3_4_2().save(tmp_path / "model.bin")


def test_load_missing_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="model file not found"):
        load_network(tmp_path / "absent.npz")


def test_load_truncated_file(tmp_path):
    path = _network_3_4_2().save(tmp_path / "model.npz")
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="not a readable scribble model"):
        load_network(path)


class _Exploit:
    def __reduce__(self):
        return (print, ("pickle executed",))


def test_load_pickle_executes_nothing(tmp_path, capsys):
    path = tmp_path / "model.npz"
    path.write_bytes(pickle.dumps(_Exploit()))
    with pytest.raises(ModelFileError):
        load_network(path)
    assert "pickle executed" not in capsys.readouterr().out


def test_load_object_array_rejected(tmp_path):
    path = tmp_path / "model.npz"
    np.savez(path, architecture=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ModelFileError):
        load_network(path)


def test_load_other_npz_rejected(tmp_path):
    path = tmp_path / "other.npz"
    np.savez(path, weights=np.zeros(3))
    with pytest.raises(ModelFileError, match="no 'architecture'"):
        load_network(path)


def test_load_text_file_rejected(tmp_path):
    path = tmp_path / "notes.npz"
    path.write_text("hello")
    with pytest.raises(ModelFileError):
        load_network(path)


def test_load_wrong_shapes_rejected(tmp_path):
    path = _network_3_4_2().save(tmp_path / "model.npz")
    with np.load(path) as archive:
        entries = dict(archive)
    entries["layer0.weights"] = np.zeros((2, 2))
    np.savez(path, **entries)
    with pytest.raises(ModelFileError, match=r"layer0.weights has shape \(2, 2\)"):
        load_network(path)


def test_model_file_is_plain_zip(tmp_path):
    path = _network_3_4_2().save(tmp_path / "model.npz")
    with zipfile.ZipFile(path) as archive:
        assert sorted(archive.namelist()) == [
            "architecture.npy",
            "layer0.biases.npy",
            "layer0.weights.npy",
            "layer1.biases.npy",
            "layer1.weights.npy",
        ]


def test_save_respects_umask(tmp_path):
    old = os.umask(0o027)
    try:
        path = _network_3_4_2().save(tmp_path / "model.npz")
    finally:
        os.umask(old)
    assert path.stat().st_mode & 0o777 == 0o640
