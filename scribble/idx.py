"""Reading and writing the IDX format that MNIST and Fashion-MNIST ship in.

An IDX file is a header and then the raw array, C order:

- 2 zero bytes, then 1 byte naming the element type (0x08 = uint8, ...), then
  1 byte with the number of dimensions;
- one big-endian uint32 per dimension;
- the data, big-endian, ``prod(dimensions) * itemsize`` bytes.

Read as a single big-endian uint32 the first four bytes are the "magic number":
2051 (0x00000803) for MNIST image files and 2049 (0x00000801) for label files.
Files ending in ``.gz`` are gzip-compressed; other names are read raw.
"""

import gzip
import os
import struct
from pathlib import Path

import numpy as np

from .io import _create_temporary

__all__ = ["IDXFormatError", "IMAGES_MAGIC", "LABELS_MAGIC", "read_idx", "write_idx"]

IMAGES_MAGIC = 2051
LABELS_MAGIC = 2049
GZIP_SIGNATURE = b"\x1f\x8b"

# IDX element type codes and the big-endian dtype each stands for.
IDX_DTYPES = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}
_TYPE_CODES = {dtype.newbyteorder("="): code for code, dtype in IDX_DTYPES.items()}


class IDXFormatError(ValueError):
    """A file that is not a valid IDX file, or not the one expected."""


def _read_bytes(path):
    path = Path(path)
    raw = path.read_bytes()
    is_gzip = raw[:2] == GZIP_SIGNATURE
    if path.suffix == ".gz":
        if not is_gzip:
            raise IDXFormatError(
                f"{path} is named .gz but is not gzip-compressed (it starts with "
                f"{raw[:4].hex(' ')}); rename it without .gz if it is a raw IDX file"
            )
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as error:
            raise IDXFormatError(
                f"{path} is a damaged or truncated gzip file ({error}); "
                "download it again"
            ) from error
    if is_gzip:
        raise IDXFormatError(
            f"{path} is gzip-compressed but its name does not end in .gz; "
            "rename it to end in .gz"
        )
    return raw


def read_idx(path, expected_magic=None):
    """Read an IDX file (raw, or gzip if the name ends in .gz) into a NumPy array.

    Parameters
    ----------
    path : str or Path
    expected_magic : int, optional
        For example :data:`IMAGES_MAGIC` (2051) or :data:`LABELS_MAGIC` (2049);
        any other magic number then raises.

    Returns
    -------
    array in native byte order, with the shape the header declares.

    Raises
    ------
    IDXFormatError
        Naming the file and what was found: a wrong magic number, an unknown
        element type, a compressed file read as raw or the reverse, or data shorter
        or longer than the header's dimensions require.
    """
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise IDXFormatError(
            f"{path} has {len(data)} bytes, too short for an IDX header"
        )
    (magic,) = struct.unpack(">I", data[:4])
    if expected_magic is not None and magic != expected_magic:
        raise IDXFormatError(
            f"{path} has magic number {magic} (bytes {data[:4].hex(' ')}), expected "
            f"{expected_magic}: it is not the IDX file this loader expects"
        )
    zeros, type_code, ndim = data[0:2], data[2], data[3]
    if zeros != b"\x00\x00" or type_code not in IDX_DTYPES or ndim == 0:
        raise IDXFormatError(
            f"{path} is not an IDX file: its first bytes are {data[:4].hex(' ')}, "
            "expected 00 00, a type code such as 08 and the number of dimensions"
        )
    header_size = 4 + 4 * ndim
    if len(data) < header_size:
        raise IDXFormatError(f"{path} is truncated inside its {ndim}-dimension header")
    shape = struct.unpack(f">{ndim}I", data[4:header_size])
    dtype = IDX_DTYPES[type_code]
    expected_size = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
    actual_size = len(data) - header_size
    if actual_size != expected_size:
        problem = "truncated" if actual_size < expected_size else "longer than declared"
        raise IDXFormatError(
            f"{path} is {problem}: the header declares shape {shape}, which needs "
            f"{expected_size} data bytes, but the file has {actual_size}"
        )
    array = np.frombuffer(data, dtype=dtype, offset=header_size).reshape(shape)
    return array.astype(dtype.newbyteorder("="))


def write_idx(path, array):
    """Write ``array`` as an IDX file, gzip-compressed if ``path`` ends in .gz.

    The file is written to a temporary name and renamed when complete.
    """
    path = Path(path)
    array = np.ascontiguousarray(array)
    native = array.dtype.newbyteorder("=")
    if native not in _TYPE_CODES:
        raise ValueError(f"IDX cannot store dtype {array.dtype}")
    header = struct.pack(">BBBB", 0, 0, _TYPE_CODES[native], array.ndim)
    header += struct.pack(f">{array.ndim}I", *array.shape)
    payload = header + array.astype(IDX_DTYPES[_TYPE_CODES[native]]).tobytes()
    if path.suffix == ".gz":
        # mtime=0 keeps the bytes, and so the checksum, the same on every run.
        payload = gzip.compress(payload, mtime=0)
    # The umask sets the mode, as for a file open() creates (mkstemp forces 0600).
    descriptor, temporary = _create_temporary(path)
    try:
        with os.fdopen(descriptor, "wb") as file:
            file.write(payload)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path
