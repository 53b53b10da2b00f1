"""Loading MNIST-style datasets: the bundled sample, full MNIST and Fashion-MNIST.

Every loader returns ``(train_images, train_labels), (test_images, test_labels)``
as uint8 arrays of shape (num_samples, 28, 28) and (num_samples,), read through the
one IDX reader in :mod:`scribble.idx`. The returned pair also carries the class
names (``.classes``) and the folder it was read from (``.folder``).

Where each loader looks (see data/README.md):

- ``load_mnist()`` / ``load_mnist("sample")``: the bundled 5,000 digits in the
  repository's ``data/mnist-sample/``.
- ``load_mnist("full")``: the download cache ``data/cache/mnist/``, filled by
  :func:`download_mnist` (or ``python -m scribble download mnist``), or by hand.
- ``load_fashion_mnist()``: ``/usr/share/datasets/fashion-mnist/`` (Debian's
  ``dataset-fashion-mnist`` package), else the cache ``data/cache/fashion-mnist/``.

Set ``SCRIBBLE_DATA_DIR`` to use another data folder (its ``cache/`` then holds
the downloads). Nothing is downloaded unless ``download=True`` is passed or a
``download_*`` function is called.
"""

import os
from pathlib import Path

from .download import (
    DownloadError,
    RemoteFile,
    download_files,
    manual_instructions,
    verify_file,
)
from .idx import IMAGES_MAGIC, LABELS_MAGIC, IDXFormatError, read_idx

__all__ = [
    "DatasetChecksumError",
    "DownloadError",
    "FASHION_MNIST_CLASSES",
    "FASHION_MNIST_FILES",
    "FASHION_MNIST_MIRRORS",
    "FASHION_MNIST_SYSTEM_DIR",
    "MNIST_CLASSES",
    "MNIST_FILES",
    "MNIST_MIRRORS",
    "MNIST_REMOTE_FILES",
    "SplitDataset",
    "cache_dir",
    "data_dir",
    "download_fashion_mnist",
    "download_mnist",
    "load_fashion_mnist",
    "load_idx_dataset",
    "load_mnist",
]

# The four files of an MNIST-style dataset, in the original names.
MNIST_FILES = {
    "train_images": "train-images-idx3-ubyte.gz",
    "train_labels": "train-labels-idx1-ubyte.gz",
    "test_images": "t10k-images-idx3-ubyte.gz",
    "test_labels": "t10k-labels-idx1-ubyte.gz",
}

MNIST_CLASSES = ("0", "1", "2", "3", "4", "5", "6", "7", "8", "9")

# The original site, yann.lecun.com/exdb/mnist/, no longer serves the files.
# These two mirrors hold byte-identical copies:
MNIST_MIRRORS = (
    # torchvision.datasets.MNIST.mirrors (pytorch/vision, torchvision/datasets/mnist.py)
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    # TensorFlow Datasets' mnist builder (tensorflow/datasets,
    # tensorflow_datasets/url_checksums/mnist.txt)
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

# SHA-256 and size in bytes: tensorflow_datasets/url_checksums/mnist.txt.
# MD5: torchvision.datasets.MNIST.resources. Both describe the same gzip files.
MNIST_REMOTE_FILES = (
    RemoteFile(
        "train-images-idx3-ubyte.gz",
        sha256="440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
        md5="f68b3c2dcbeaaa9fbdd348bbdeb94873",
        size=9_912_422,
    ),
    RemoteFile(
        "train-labels-idx1-ubyte.gz",
        sha256="3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
        md5="d53e105ee54ea40749a09fcbcd1e9432",
        size=28_881,
    ),
    RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        sha256="8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
        md5="9fb629c4189551a2d022fa330f9573f3",
        size=1_648_877,
    ),
    RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        sha256="f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
        md5="ec29112dd5afa0611ce80d1b7f02629c",
        size=4_542,
    ),
)

# Label i of Fashion-MNIST is FASHION_MNIST_CLASSES[i] (zalandoresearch/fashion-mnist,
# README.md, "Labels").
FASHION_MNIST_CLASSES = (
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
)

# Where Debian's package dataset-fashion-mnist installs the four files.
FASHION_MNIST_SYSTEM_DIR = Path("/usr/share/datasets/fashion-mnist")

FASHION_MNIST_MIRRORS = (
    # keras.datasets.fashion_mnist.load_data (keras-team/keras,
    # keras/src/datasets/fashion_mnist.py)
    "https://storage.googleapis.com/tensorflow/tf-keras-datasets/",
    # Zalando's own links (zalandoresearch/fashion-mnist README, "Get the Data"),
    # also used by torchvision.datasets.FashionMNIST and TensorFlow Datasets
    "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
)

# SHA-256 and size: tensorflow_datasets/url_checksums/fashion_mnist.txt (the same
# SHA-256 values as FILE_HASHES in keras/src/datasets/fashion_mnist.py). MD5: the
# "Get the Data" table of Zalando's README, also torchvision's FashionMNIST.resources.
FASHION_MNIST_FILES = (
    RemoteFile(
        "train-images-idx3-ubyte.gz",
        sha256="3aede38d61863908ad78613f6a32ed271626dd12800ba2636569512369268a84",
        md5="8d4fb7e6c68d591d4c3dfef9ec88bf0d",
        size=26_421_880,
    ),
    RemoteFile(
        "train-labels-idx1-ubyte.gz",
        sha256="a04f17134ac03560a47e3764e11b92fc97de4d1bfaf8ba1a3aa29af54cc90845",
        md5="25c81989df183df01b3e8a0aad5dffbe",
        size=29_515,
    ),
    RemoteFile(
        "t10k-images-idx3-ubyte.gz",
        sha256="346e55b948d973a97e58d2351dde16a484bd415d4595297633bb08f03db6a073",
        md5="bef4ecab320f06d8554ea6380940ec79",
        size=4_422_102,
    ),
    RemoteFile(
        "t10k-labels-idx1-ubyte.gz",
        sha256="67da17c76eaffca5446c3361aaab5c3cd6d1c2608764d35dfb1850b086bf8dd5",
        md5="bb300cfdad3c16e7a12a480ee83cd310",
        size=5_148,
    ),
)


class DatasetChecksumError(ValueError):
    """A dataset file in the cache is not the published file."""


class SplitDataset(tuple):
    """``((train_images, train_labels), (test_images, test_labels))``.

    A plain pair for unpacking, with two attributes: ``classes``, the class names
    in label order, and ``folder``, the folder the files were read from.
    """

    def __new__(cls, train, test, classes, folder):
        self = super().__new__(cls, (train, test))
        self.classes = tuple(classes)
        self.folder = Path(folder)
        return self

    def __repr__(self):
        (train_images, _), (test_images, _) = self
        return (
            f"SplitDataset(train={train_images.shape}, test={test_images.shape}, "
            f"classes={len(self.classes)}, folder={str(self.folder)!r})"
        )


def data_dir():
    """The data folder: ``$SCRIBBLE_DATA_DIR`` if set, else the repository's data/."""
    configured = os.environ.get("SCRIBBLE_DATA_DIR")
    if configured:
        return Path(configured)
    return Path(__file__).resolve().parent.parent / "data"


def cache_dir(name=None):
    """The download cache, ``data_dir()/cache``, or its subfolder ``name``."""
    folder = data_dir() / "cache"
    return folder if name is None else folder / name


def load_idx_dataset(folder, files=MNIST_FILES):
    """Read the four IDX files of an MNIST-style dataset from ``folder``.

    Checks the magic numbers and that each image file has as many images as its
    label file has labels.
    """
    folder = Path(folder)
    missing = [name for name in files.values() if not (folder / name).is_file()]
    if missing:
        raise FileNotFoundError(f"missing in {folder}: {', '.join(missing)}")
    arrays = {}
    for key, name in files.items():
        magic = IMAGES_MAGIC if key.endswith("images") else LABELS_MAGIC
        arrays[key] = read_idx(folder / name, expected_magic=magic)
    for part in ("train", "test"):
        images, labels = arrays[f"{part}_images"], arrays[f"{part}_labels"]
        if len(images) != len(labels):
            raise IDXFormatError(
                f"{folder / files[part + '_images']} has {len(images)} images but "
                f"{folder / files[part + '_labels']} has {len(labels)} labels"
            )
    return (
        (arrays["train_images"], arrays["train_labels"]),
        (arrays["test_images"], arrays["test_labels"]),
    )


def _split(folder, classes):
    train, test = load_idx_dataset(folder)
    return SplitDataset(train, test, classes, folder)


def _all_present(folder, files):
    return all((Path(folder) / spec.name).is_file() for spec in files)


def _check_cache(folder, files, download_hint):
    """Raise DatasetChecksumError if a cached file differs from the published one."""
    for spec in files:
        problem = verify_file(Path(folder) / spec.name, spec)
        if problem is not None:
            raise DatasetChecksumError(
                f"{Path(folder) / spec.name} is not the published file: {problem}. "
                f"Delete it and download it again ({download_hint}), or replace it "
                "by hand with the original gzip file."
            )


def download_mnist(dest=None, mirrors=MNIST_MIRRORS, *, timeout=30, progress=True):
    """Download the four full MNIST files into ``dest`` and verify them.

    Parameters
    ----------
    dest : str or Path, optional
        Default: the cache folder ``data/cache/mnist/`` (see :func:`cache_dir`).
    mirrors : sequence of str
        Base URLs tried in order for each file; by default :data:`MNIST_MIRRORS`.
    timeout : float
        Seconds to wait for a connection or for data.
    progress : bool
        Show a progress bar per file.

    Returns
    -------
    Path of the folder, which then holds the four verified files. Files already
    there and verified are not downloaded again.

    Raises
    ------
    DownloadError
        When every mirror fails for a file; the message lists what each mirror
        answered, the four files with their checksums, and the folder to put them
        in by hand.
    """
    dest = cache_dir("mnist") if dest is None else Path(dest)
    download_files(
        MNIST_REMOTE_FILES,
        dest,
        mirrors,
        timeout=timeout,
        progress=progress,
        published_at=MNIST_MIRRORS,
    )
    return dest


def download_fashion_mnist(
    dest=None, mirrors=FASHION_MNIST_MIRRORS, *, timeout=30, progress=True
):
    """Download the four Fashion-MNIST files into ``dest`` and verify them.

    The same safe download as :func:`download_mnist`; ``dest`` defaults to
    ``data/cache/fashion-mnist/`` and ``mirrors`` to :data:`FASHION_MNIST_MIRRORS`.
    """
    dest = cache_dir("fashion-mnist") if dest is None else Path(dest)
    download_files(
        FASHION_MNIST_FILES,
        dest,
        mirrors,
        timeout=timeout,
        progress=progress,
        published_at=FASHION_MNIST_MIRRORS,
    )
    return dest


def _not_found(what, folder, files, published_at, hints):
    lines = [f"{what} is not on this machine: no complete set of files in {folder}."]
    lines += hints
    lines.append(manual_instructions(files, folder, published_at))
    return FileNotFoundError("\n".join(lines))


def load_mnist(kind="sample", download=False, *, folder=None, mirrors=MNIST_MIRRORS):
    """Load MNIST digits.

    Parameters
    ----------
    kind : "sample" or "full"
        "sample" is the bundled 5,000 real digits: 4,000 for training and 1,000 for
        testing, 400 and 100 of each class. "full" is the whole MNIST: 60,000
        training and 10,000 test images, read from the download cache.
    download : bool
        For "full": download the files first if they are not in the cache yet.
        Nothing is downloaded without it.
    folder : str or Path, optional
        For "full": where the four files are (and go); default
        ``data/cache/mnist/``.
    mirrors : sequence of str
        For "full" with ``download=True``: base URLs tried in order.

    Returns
    -------
    ``(train_images, train_labels), (test_images, test_labels)``, uint8, with
    ``.classes`` and ``.folder`` attributes (see :class:`SplitDataset`).

    Raises
    ------
    FileNotFoundError
        For "full" when the files are missing and ``download`` is False; the
        message says how to download them or put them in place by hand.
    DatasetChecksumError
        When a cached file is not the published one.
    DownloadError
        When ``download=True`` and no mirror delivered a file.
    """
    if kind == "sample":
        return _split(data_dir() / "mnist-sample", MNIST_CLASSES)
    if kind != "full":
        raise ValueError(f"unknown kind {kind!r}: use 'sample' or 'full'")
    folder = cache_dir("mnist") if folder is None else Path(folder)
    if not _all_present(folder, MNIST_REMOTE_FILES):
        if not download:
            raise _not_found(
                "Full MNIST",
                folder,
                MNIST_REMOTE_FILES,
                MNIST_MIRRORS,
                [
                    "Download it (about 11 MB) with `python -m scribble download "
                    "mnist`, or scribble.load_mnist('full', download=True)."
                ],
            )
        download_mnist(folder, mirrors)
    _check_cache(folder, MNIST_REMOTE_FILES, "python -m scribble download mnist")
    return _split(folder, MNIST_CLASSES)


def load_fashion_mnist(
    download=False,
    *,
    system_dir=FASHION_MNIST_SYSTEM_DIR,
    folder=None,
    mirrors=FASHION_MNIST_MIRRORS,
):
    """Load Fashion-MNIST: 60,000 training and 10,000 test images of clothing.

    Looks in ``system_dir`` first (Debian's ``dataset-fashion-mnist`` package puts
    the files in /usr/share/datasets/fashion-mnist/), then in the download cache
    ``folder`` (default ``data/cache/fashion-mnist/``), and downloads into the
    cache only when ``download`` is True.

    Label i names the class ``FASHION_MNIST_CLASSES[i]``, also returned as the
    ``.classes`` attribute of the result.

    Returns
    -------
    ``(train_images, train_labels), (test_images, test_labels)``, uint8, with
    ``.classes`` and ``.folder`` attributes (see :class:`SplitDataset`).

    Raises
    ------
    FileNotFoundError
        When neither folder has the four files and ``download`` is False; the
        message names the Debian package, the download command and the files.
    DatasetChecksumError
        When a file in the download cache is not the published one.
    DownloadError
        When ``download=True`` and no mirror delivered a file.
    """
    # Debian recompressed the files, so their .gz checksums differ from the
    # published ones (their content is the same); dpkg vouches for them instead.
    if system_dir is not None and _all_present(system_dir, FASHION_MNIST_FILES):
        return _split(system_dir, FASHION_MNIST_CLASSES)
    folder = cache_dir("fashion-mnist") if folder is None else Path(folder)
    if not _all_present(folder, FASHION_MNIST_FILES):
        if not download:
            raise _not_found(
                "Fashion-MNIST",
                folder,
                FASHION_MNIST_FILES,
                FASHION_MNIST_MIRRORS,
                [
                    f"On Debian or Ubuntu, `apt-get install dataset-fashion-mnist` "
                    f"installs it in {system_dir}.",
                    "Or download it (about 30 MB) with `python -m scribble download "
                    "fashion-mnist`, or scribble.load_fashion_mnist(download=True).",
                ],
            )
        download_fashion_mnist(folder, mirrors)
    _check_cache(
        folder, FASHION_MNIST_FILES, "python -m scribble download fashion-mnist"
    )
    return _split(folder, FASHION_MNIST_CLASSES)
