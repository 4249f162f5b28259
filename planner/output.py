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


class Outputs:
    """The files one command writes, committed together once every step has succeeded: all
    are written to temporary files first (any failure removes them all), then renamed."""

    def __init__(self) -> None:
        self.pending: list[tuple[str | Path, str | bytes]] = []

    def add(self, target: str | Path | None, content: str | bytes) -> None:
        if target is not None:
            self.pending.append((target, content))

    def commit(self) -> None:
        staged: list[tuple[str, Path]] = []
        try:
            for target, content in self.pending:
                if str(target) == "-":
                    continue
                staged.append((_stage(Path(target), content), Path(target)))
        except BaseException:
            for tmp, _ in staged:
                Path(tmp).unlink(missing_ok=True)
            raise
        for target, content in self.pending:
            if str(target) == "-":
                write_output("-", content)
        for tmp, path in staged:
            try:
                os.replace(tmp, path)
            except OSError as exc:
                for other, _ in staged:
                    Path(other).unlink(missing_ok=True)
                raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None


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
    tmp = _stage(path, content)
    try:
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None


def _stage(path: Path, content: str | bytes) -> str:
    """Write the content to a temporary file beside ``path``; return the temporary name."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist", "create it first")
    check_regular(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        fd, tmp = tempfile.mkstemp(prefix=".b12-", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    try:
        os.chmod(tmp, _file_mode(path))
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return tmp


def _file_mode(path: Path) -> int:
    """The mode a plain new file gets (umask applied), or the replaced file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
