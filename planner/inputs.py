"""Reading input files safely: regular files only (never a device or FIFO, which could
block or never end), and never more than a limit of bytes."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from .errors import DataError


class InputRefused(ValueError):
    """An input that is not a regular file, or is larger than its limit."""


def read_bounded(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; OSError as usual for a
    missing or unreadable file, InputRefused for a device, FIFO or too large a file."""
    mode = path.stat().st_mode
    if stat.S_ISDIR(mode):
        raise IsADirectoryError(21, "Is a directory", str(path))
    if not stat.S_ISREG(mode):
        raise InputRefused(f"{path}: not a regular file (a device, FIFO or socket); inputs "
                           "are read from files only")
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise InputRefused(f"{path}: file is over {limit:,} bytes; the limit is {limit:,}")
    return data


def file_sha256(path: Path | None, fallback: Path) -> str:
    """SHA-256 of a table file (DataError naming it when it cannot be read)."""
    try:
        return hashlib.sha256((path or fallback).read_bytes()).hexdigest()
    except OSError as exc:
        raise DataError(f"{path or fallback}: cannot be read ({exc.strerror})",
                        "check the path") from None
