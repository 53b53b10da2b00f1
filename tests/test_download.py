"""The safe download, tested for real against HTTP servers on 127.0.0.1.

Each test serves generated IDX files from a local server and points the mirrors
at it; nothing here reaches the internet. The checksums the downloader verifies
come from the served files.
"""

import hashlib
import http.server
import socket
import threading
import time

import numpy as np
import pytest

import scribble
from scribble import datasets, download
from scribble.download import DownloadError, RemoteFile, download_file, download_files
from scribble.idx import write_idx

NAMES = [
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
]


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """Four small IDX files: their bytes, their RemoteFile specs and their arrays."""
    folder = tmp_path_factory.mktemp("served")
    rng = np.random.default_rng(7)
    arrays = {
        NAMES[0]: rng.integers(0, 256, (30, 28, 28), dtype=np.uint8),
        NAMES[1]: np.arange(30, dtype=np.uint8) % 10,
        NAMES[2]: rng.integers(0, 256, (10, 28, 28), dtype=np.uint8),
        NAMES[3]: np.arange(10, dtype=np.uint8),
    }
    blobs, specs = {}, []
    for name, array in arrays.items():
        blobs[name] = write_idx(folder / name, array).read_bytes()
        specs.append(
            RemoteFile(
                name,
                sha256=hashlib.sha256(blobs[name]).hexdigest(),
                md5=hashlib.md5(blobs[name]).hexdigest(),
                size=len(blobs[name]),
            )
        )
    return blobs, specs, arrays


class _Handler(http.server.BaseHTTPRequestHandler):
    """Serves ``/MIRROR/NAME`` according to the mirror's behaviour."""

    def do_GET(self):  # noqa: N802 (the name http.server calls)
        server = self.server
        _, mirror, name = self.path.split("/", 2)
        server.log.append((mirror, name))
        behaviour = server.mirrors.get(mirror, "404")
        blob = server.blobs.get(name)
        if behaviour in ("404", "403") or blob is None:
            code = 404 if blob is None else int(behaviour)
            self.send_error(code)
            return
        if behaviour == "stall":
            time.sleep(1.5)
            return
        if behaviour == "corrupt":
            # Same length, one byte changed: only the checksum can tell.
            blob = bytes([blob[0] ^ 0xFF]) + blob[1:]
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(blob)))
        self.end_headers()
        if behaviour == "truncate":
            # Promise the whole file, send half of it, then hang up.
            self.wfile.write(blob[: len(blob) // 2])
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        self.wfile.write(blob)

    def log_message(self, *args):  # keep test output quiet
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def handle_error(self, request, client_address):
        pass  # a hung-up connection is what some tests ask for


@pytest.fixture
def server(served):
    """A server on 127.0.0.1 at a free port; set ``.mirrors`` to choose behaviours.

    ``url(mirror)`` is the base URL of a mirror; ``log`` records every request as
    ``(mirror, file name)`` in order.
    """
    blobs, _, _ = served
    httpd = _Server(("127.0.0.1", 0), _Handler)
    httpd.blobs, httpd.mirrors, httpd.log = blobs, {}, []
    httpd.url = lambda mirror: f"http://127.0.0.1:{httpd.server_port}/{mirror}/"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd
    httpd.shutdown()
    httpd.server_close()
    thread.join(timeout=5)


def _closed_port_url():
    """A URL on 127.0.0.1 where nothing listens: what no network looks like."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}/mnist/"


def _leftovers(folder):
    return sorted(path.name for path in folder.iterdir())


def test_good_mirror_fills_the_cache_with_verified_files(served, server, tmp_path):
    blobs, specs, arrays = served
    server.mirrors = {"good": "ok"}
    paths = download_files(specs, tmp_path, [server.url("good")], progress=False)
    assert _leftovers(tmp_path) == sorted(NAMES)
    for spec in specs:
        assert paths[spec.name].read_bytes() == blobs[spec.name]
    (train_images, train_labels), (test_images, _) = datasets.load_idx_dataset(tmp_path)
    np.testing.assert_array_equal(train_images, arrays[NAMES[0]])
    np.testing.assert_array_equal(train_labels, arrays[NAMES[1]])
    assert test_images.shape == (10, 28, 28)


@pytest.mark.parametrize("behaviour", ["404", "403", "corrupt", "truncate"])
def test_failed_mirror_is_followed_by_the_next(served, server, tmp_path, behaviour):
    blobs, specs, _ = served
    server.mirrors = {"bad": behaviour, "good": "ok"}
    mirrors = [server.url("bad"), server.url("good")]
    download_files(specs, tmp_path, mirrors, progress=False)
    assert _leftovers(tmp_path) == sorted(NAMES)
    for spec in specs:
        assert (tmp_path / spec.name).read_bytes() == blobs[spec.name]
    # Each file was asked of the failing mirror first, then of the good one.
    expected = [(mirror, name) for name in NAMES for mirror in ("bad", "good")]
    assert server.log == expected


@pytest.mark.parametrize(
    "behaviour, reason",
    [
        ("404", "HTTP 404"),
        ("403", "HTTP 403"),
        ("corrupt", "downloaded, but its SHA-256 is"),
        ("truncate", "the connection closed after"),
    ],
)
def test_nothing_lands_when_the_only_mirror_fails(
    served, server, tmp_path, behaviour, reason
):
    _, specs, _ = served
    server.mirrors = {"bad": behaviour}
    with pytest.raises(DownloadError) as caught:
        download_file(specs[0], tmp_path, [server.url("bad")], progress=False)
    assert reason in str(caught.value)
    assert server.url("bad") + specs[0].name in str(caught.value)
    assert _leftovers(tmp_path) == []  # neither the file nor a .part


def test_every_mirror_failing_names_each_and_how_to_fix_it(served, server, tmp_path):
    _, specs, _ = served
    server.mirrors = {"gone": "404", "forbidden": "403", "cut": "truncate"}
    mirrors = [server.url(name) for name in ("gone", "forbidden", "cut")]
    with pytest.raises(DownloadError) as caught:
        download_files(specs, tmp_path / "cache", mirrors, progress=False)
    message = str(caught.value)
    assert f"could not download {NAMES[0]}" in message
    for mirror, reason in zip(
        mirrors, ("HTTP 404", "HTTP 403", "the connection closed")
    ):
        assert f"{mirror}{NAMES[0]}: {reason}" in message
    # The manual route: every file, its checksums and the folder.
    assert str((tmp_path / "cache").resolve()) in message
    for spec in specs:
        assert spec.name in message and spec.sha256 in message and spec.md5 in message
    assert _leftovers(tmp_path / "cache") == []


def test_no_network_error_names_files_checksums_and_folder(served, tmp_path):
    _, specs, _ = served
    url = _closed_port_url()
    with pytest.raises(DownloadError) as caught:
        download_files(specs, tmp_path, [url], timeout=5, progress=False)
    message = str(caught.value)
    assert "could not connect" in message
    assert "put these 4 files" in message
    assert str(tmp_path.resolve()) in message
    for spec in specs:
        assert f"{spec.name}  SHA-256 {spec.sha256}" in message
    assert _leftovers(tmp_path) == []


def test_a_stalled_mirror_times_out_and_the_next_is_tried(served, server, tmp_path):
    blobs, specs, _ = served
    server.mirrors = {"slow": "stall", "good": "ok"}
    mirrors = [server.url("slow"), server.url("good")]
    path = download_file(specs[1], tmp_path, mirrors, timeout=0.3, progress=False)
    assert path.read_bytes() == blobs[specs[1].name]
    assert _leftovers(tmp_path) == [specs[1].name]


def test_verified_files_are_not_downloaded_again(served, server, tmp_path):
    _, specs, _ = served
    server.mirrors = {"good": "ok"}
    download_files(specs, tmp_path, [server.url("good")], progress=False)
    server.log.clear()
    download_files(specs, tmp_path, [server.url("good")], progress=False)
    assert server.log == []


def test_a_damaged_cached_file_is_replaced(served, server, tmp_path):
    blobs, specs, _ = served
    (tmp_path / specs[0].name).write_bytes(b"not the file")
    server.mirrors = {"good": "ok"}
    download_file(specs[0], tmp_path, [server.url("good")], progress=False)
    assert (tmp_path / specs[0].name).read_bytes() == blobs[specs[0].name]


def test_an_interrupted_download_leaves_no_part_file(
    served, server, tmp_path, monkeypatch
):
    _, specs, _ = served
    server.mirrors = {"good": "ok"}

    def interrupt(descriptor):
        assert (tmp_path / (specs[0].name + ".part")).exists()
        raise KeyboardInterrupt

    monkeypatch.setattr(download.os, "fsync", interrupt)
    with pytest.raises(KeyboardInterrupt):
        download_file(specs[0], tmp_path, [server.url("good")], progress=False)
    assert _leftovers(tmp_path) == []


def test_progress_bar_shows_bytes(served, server, tmp_path, capsys):
    _, specs, _ = served
    server.mirrors = {"good": "ok"}
    download_file(specs[0], tmp_path, [server.url("good")], progress=True)
    assert specs[0].name in capsys.readouterr().err


def test_download_needs_a_mirror(served, tmp_path):
    _, specs, _ = served
    with pytest.raises(ValueError, match="no mirrors given"):
        download_files(specs, tmp_path, [])


# -- the dataset functions, with the published checksums swapped for the served ones


@pytest.fixture
def as_mnist(served, monkeypatch):
    """Make the served files the published MNIST files, for this test only."""
    _, specs, _ = served
    monkeypatch.setattr(datasets, "MNIST_REMOTE_FILES", tuple(specs))
    return specs


def test_load_full_mnist_downloads_only_when_asked(as_mnist, served, server, tmp_path):
    _, _, arrays = served
    server.mirrors = {"good": "ok"}
    mirrors = [server.url("good")]
    with pytest.raises(FileNotFoundError) as caught:
        scribble.load_mnist("full", folder=tmp_path, mirrors=mirrors)
    message = str(caught.value)
    assert "python -m scribble download mnist" in message
    assert "load_mnist('full', download=True)" in message
    for spec in as_mnist:
        assert spec.sha256 in message
    assert server.log == [] and _leftovers(tmp_path) == []

    data = scribble.load_mnist("full", download=True, folder=tmp_path, mirrors=mirrors)
    (train_images, train_labels), (test_images, test_labels) = data
    np.testing.assert_array_equal(train_images, arrays[NAMES[0]])
    np.testing.assert_array_equal(test_labels, arrays[NAMES[3]])
    assert data.classes == datasets.MNIST_CLASSES
    assert data.folder == tmp_path


def test_download_mnist_defaults_to_the_cache(as_mnist, server, tmp_path, monkeypatch):
    monkeypatch.setenv("SCRIBBLE_DATA_DIR", str(tmp_path))
    server.mirrors = {"good": "ok"}
    folder = scribble.datasets.download_mnist(
        mirrors=[server.url("good")], progress=False
    )
    assert folder == tmp_path / "cache" / "mnist"
    assert _leftovers(folder) == sorted(NAMES)
    assert scribble.load_mnist("full")[0][0].shape == (30, 28, 28)


def test_load_full_mnist_rejects_a_file_that_is_not_the_published_one(
    as_mnist, served, tmp_path
):
    blobs, _, _ = served
    for name, blob in blobs.items():
        (tmp_path / name).write_bytes(blob)
    damaged = bytearray(blobs[NAMES[2]])
    damaged[len(damaged) // 2] ^= 0xFF
    (tmp_path / NAMES[2]).write_bytes(bytes(damaged))
    with pytest.raises(
        datasets.DatasetChecksumError, match="is not the published file"
    ):
        scribble.load_mnist("full", folder=tmp_path)


def test_sample_is_still_the_default():
    (train_images, _), (test_images, _) = scribble.load_mnist()
    assert train_images.shape == (4000, 28, 28) and test_images.shape == (1000, 28, 28)


def test_unknown_kind():
    with pytest.raises(ValueError, match="use 'sample' or 'full'"):
        scribble.load_mnist("fullsize")


def test_fashion_mnist_falls_back_to_the_cache_then_downloads(
    served, server, tmp_path, monkeypatch
):
    _, specs, arrays = served
    monkeypatch.setattr(datasets, "FASHION_MNIST_FILES", tuple(specs))
    server.mirrors = {"gone": "404", "good": "ok"}
    mirrors = [server.url("gone"), server.url("good")]
    empty_system_dir = tmp_path / "not-installed"
    with pytest.raises(FileNotFoundError) as caught:
        scribble.load_fashion_mnist(
            system_dir=empty_system_dir, folder=tmp_path / "cache", mirrors=mirrors
        )
    assert "apt-get install dataset-fashion-mnist" in str(caught.value)
    assert "python -m scribble download fashion-mnist" in str(caught.value)

    data = scribble.load_fashion_mnist(
        download=True,
        system_dir=empty_system_dir,
        folder=tmp_path / "cache",
        mirrors=mirrors,
    )
    np.testing.assert_array_equal(data[0][0], arrays[NAMES[0]])
    assert data.classes[0] == "T-shirt/top" and len(data.classes) == 10
    assert data.folder == tmp_path / "cache"
    # The cache is used from then on, with no request.
    server.log.clear()
    again = scribble.load_fashion_mnist(
        system_dir=empty_system_dir, folder=tmp_path / "cache", mirrors=mirrors
    )
    np.testing.assert_array_equal(again[1][1], arrays[NAMES[3]])
    assert server.log == []


def test_published_files_have_full_checksums():
    """Every published file has a SHA-256 and a size, so any mirror is checked."""
    for spec in (*datasets.MNIST_REMOTE_FILES, *datasets.FASHION_MNIST_FILES):
        assert len(spec.sha256) == 64 and len(spec.md5) == 32 and spec.size > 0
    assert len(datasets.MNIST_MIRRORS) >= 2 and len(datasets.FASHION_MNIST_MIRRORS) >= 2
