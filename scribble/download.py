"""Downloading dataset files safely: checksums, mirrors and no half-written files.

A file is fetched into ``NAME.part`` beside its final place, hashed while it
streams, and renamed to ``NAME`` only once its size and SHA-256 (and MD5, where
published) match. So an interrupted, truncated or corrupted download never leaves
a file under a name that a loader reads. A mirror that fails (no connection, an
HTTP error such as 403 or 404, a connection cut off halfway, a wrong checksum) is
followed by the next one; when every mirror fails, :class:`DownloadError` says what
each one answered and how to put the files in place by hand.

Nothing here runs on import: a download happens only when a function of this
module is called, for example through ``scribble.datasets.download_mnist()``.
"""

import hashlib
import http.client
import os
import socket
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "DownloadError",
    "RemoteFile",
    "download_file",
    "download_files",
    "file_digests",
    "manual_instructions",
    "verify_file",
]

CHUNK_SIZE = 1 << 16  # bytes read per step while streaming
USER_AGENT = "scribble-dataset-download"


@dataclass(frozen=True)
class RemoteFile:
    """One file to download: its name on the mirrors and what it must hash to.

    ``sha256`` is required; ``md5`` and ``size`` (bytes) are checked too when given.
    """

    name: str
    sha256: str
    md5: str | None = None
    size: int | None = None


class DownloadError(RuntimeError):
    """Every mirror failed for a file; the message says why and what to do."""


def file_digests(path):
    """Return ``(size in bytes, sha256 hex, md5 hex)`` of the file at ``path``."""
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    size = 0
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            sha256.update(block)
            md5.update(block)
            size += len(block)
    return size, sha256.hexdigest(), md5.hexdigest()


def _mismatch(spec, size, sha256, md5):
    """Describe how a file's size and digests differ from ``spec``, or return None."""
    if spec.size is not None and size != spec.size:
        return f"it has {size} bytes, expected {spec.size}"
    if sha256 != spec.sha256:
        return f"its SHA-256 is {sha256}, expected {spec.sha256}"
    if spec.md5 is not None and md5 != spec.md5:
        return f"its MD5 is {md5}, expected {spec.md5}"
    return None


def verify_file(path, spec):
    """Return None if ``path`` matches ``spec``, else a sentence saying how it differs.

    A missing file gives ``"it does not exist"``.
    """
    path = Path(path)
    if not path.is_file():
        return "it does not exist"
    return _mismatch(spec, *file_digests(path))


def manual_instructions(files, dest, mirrors=()):
    """The text that tells a person how to put ``files`` into ``dest`` by hand."""
    lines = [
        f"To install the files by hand, put these {len(files)} files, unchanged "
        f"(still gzip-compressed), into {Path(dest).resolve()}:"
    ]
    for spec in files:
        size = f", {spec.size:,} bytes" if spec.size is not None else ""
        md5 = f", MD5 {spec.md5}" if spec.md5 else ""
        lines.append(f"  {spec.name}  SHA-256 {spec.sha256}{md5}{size}")
    if mirrors:
        lines.append("They are published, for example, at:")
        lines.extend(f"  {mirror}" for mirror in mirrors)
    return "\n".join(lines)


def _join(mirror, name):
    return mirror if mirror.endswith(name) else mirror.rstrip("/") + "/" + name


def _describe(error):
    """A short reason for a failed attempt, as a person would want to read it."""
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} {error.reason}"
    if isinstance(error, urllib.error.URLError):
        reason = error.reason
        if isinstance(reason, socket.gaierror):
            return f"host not found ({reason}): no network, or no DNS"
        return f"could not connect ({reason})"
    if isinstance(error, http.client.IncompleteRead):
        return (
            f"the connection closed after {len(error.partial):,} more bytes, "
            f"{error.expected:,} were still expected"
        )
    if isinstance(error, (TimeoutError, socket.timeout)):
        return "timed out"
    return f"{type(error).__name__}: {error}"


def _fetch(url, part, spec, timeout, progress):
    """Stream ``url`` into ``part``; return ``(size, sha256, md5)`` of what arrived."""
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    sha256, md5 = hashlib.sha256(), hashlib.md5(usedforsecurity=False)
    received = 0
    with urllib.request.urlopen(request, timeout=timeout) as response:
        if response.status != 200:
            raise urllib.error.HTTPError(
                url, response.status, response.reason, response.headers, None
            )
        length = response.headers.get("Content-Length")
        expected = int(length) if length and length.isdigit() else spec.size
        from tqdm.auto import tqdm

        with (
            open(part, "wb") as file,
            tqdm(
                total=expected,
                unit="B",
                unit_scale=True,
                unit_divisor=1024,
                desc=spec.name,
                disable=not progress,
                leave=False,
            ) as bar,
        ):
            while True:
                block = response.read(CHUNK_SIZE)
                if not block:
                    break
                file.write(block)
                sha256.update(block)
                md5.update(block)
                received += len(block)
                bar.update(len(block))
            file.flush()
            os.fsync(file.fileno())
        if length and length.isdigit() and received != int(length):
            # http.client normally raises IncompleteRead itself; this catches a
            # server that closes early in a way that reads as a clean end.
            raise http.client.IncompleteRead(b"x" * received, int(length) - received)
    return received, sha256.hexdigest(), md5.hexdigest()


def download_file(spec, dest, mirrors, *, timeout=30, progress=True):
    """Download one file into ``dest``, trying ``mirrors`` in order.

    Parameters
    ----------
    spec : RemoteFile
    dest : str or Path
        Folder to put the file in; created if missing.
    mirrors : sequence of str
        Base URLs such as ``"https://example.org/mnist/"``; the file's name is
        appended.
    timeout : float
        Seconds to wait for a connection or for the next bytes.
    progress : bool
        Show a tqdm progress bar while the file streams.

    Returns
    -------
    Path of the verified file. A file already there that matches ``spec`` is kept
    and nothing is downloaded.

    Raises
    ------
    DownloadError
        When no mirror delivered a file matching ``spec``. Nothing is left at the
        final path by the failed attempts, and no ``.part`` file remains.
    """
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    final = dest / spec.name
    if verify_file(final, spec) is None:
        return final
    part = dest / (spec.name + ".part")
    failures = []
    for mirror in mirrors:
        url = _join(mirror, spec.name)
        try:
            digests = _fetch(url, part, spec, timeout, progress)
        except (OSError, http.client.HTTPException, ValueError) as error:
            # OSError covers URLError, HTTPError, timeouts and connection resets.
            part.unlink(missing_ok=True)
            failures.append(f"{url}: {_describe(error)}")
            continue
        except BaseException:
            part.unlink(missing_ok=True)  # Ctrl-C or worse: leave nothing behind
            raise
        problem = _mismatch(spec, *digests)
        if problem is not None:
            part.unlink(missing_ok=True)
            failures.append(f"{url}: downloaded, but {problem}; discarded")
            continue
        os.replace(part, final)
        return final
    part.unlink(missing_ok=True)
    raise DownloadError(
        "\n".join([f"could not download {spec.name}:", *(f"  {f}" for f in failures)])
    )


def download_files(
    files, dest, mirrors, *, timeout=30, progress=True, published_at=None
):
    """Download every :class:`RemoteFile` in ``files`` into ``dest``.

    Each file is fetched with :func:`download_file`. Files already downloaded and
    verified are kept when a later one fails, so a second call resumes where the
    first stopped. ``published_at`` lists the official mirrors that the error
    message names as the files' source; by default it is ``mirrors``.

    Returns
    -------
    dict mapping each file's name to its verified Path.

    Raises
    ------
    DownloadError
        Naming what each mirror answered for the first file that no mirror
        delivered, followed by every file's name and checksums and the folder to
        put them in by hand.
    """
    files = list(files)
    mirrors = list(mirrors)
    published_at = mirrors if published_at is None else list(published_at)
    if not mirrors:
        raise ValueError("no mirrors given: pass at least one base URL")
    paths = {}
    for spec in files:
        try:
            paths[spec.name] = download_file(
                spec, dest, mirrors, timeout=timeout, progress=progress
            )
        except DownloadError as error:
            raise DownloadError(
                f"{error}\n{manual_instructions(files, dest, published_at)}"
            ) from None
    return paths
