"""Writing output files atomically: a temporary file in the same folder, then a rename."""

from __future__ import annotations

import os
import stat
import sys
import tempfile
from pathlib import Path

from .errors import OutputError


def check_targets(outputs: dict[str, str | Path | None],
                  inputs: dict[str, str | Path | None]) -> None:
    """Refuse, before any work, outputs that are not plain files or that would overwrite an
    input of the same run or another output of it (``-`` is standard output)."""
    seen: dict[Path, str] = {}
    for option, name in inputs.items():
        if name is not None and str(name) != "-":
            seen[Path(name).resolve()] = option
    for option, name in outputs.items():
        if name is None or str(name) == "-":
            continue
        path = Path(name)
        check_regular(path, option)
        key = path.resolve()
        if key in seen:
            raise OutputError(f"{path}: {option} would overwrite {seen[key]} of the same run",
                              "write to another file")
        seen[key] = option


def check_regular(path: Path, option: str = "the output") -> None:
    """An output must be a regular file or not exist yet: never a device, FIFO or folder."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise OutputError(f"{path}: {option} cannot be checked ({exc.strerror})") from None
    if not stat.S_ISREG(mode):
        kind = "a folder" if stat.S_ISDIR(mode) else "not a regular file (a device or FIFO)"
        raise OutputError(f"{path}: {option} is {kind}; outputs are written to regular files "
                          "only", "name a file, or use `-o -` and redirect standard output")


def write_output(target: str | Path, content: str | bytes) -> None:
    """Write to ``target`` atomically, or to standard output when it is ``-``."""
    if str(target) == "-":
        if isinstance(content, bytes):
            sys.stdout.buffer.write(content)
        else:
            sys.stdout.write(content)
        sys.stdout.flush()
        return
    path = Path(target)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist", "create it first")
    check_regular(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    fd, tmp = tempfile.mkstemp(prefix=".b12-", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, _file_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _file_mode(path: Path) -> int:
    """The mode a plain new file gets (umask applied), or the replaced file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
