"""Writing output files atomically: a temporary file in the same folder, then a rename.

On Linux the temporary file has no name while it is written (``O_TMPFILE``): a process
killed meanwhile, even by SIGKILL, leaves nothing behind; it is linked under a hidden name
only to be renamed over the target at once. Elsewhere it is a hidden ``.b12-*.tmp`` file,
removed on any error or catchable signal."""

from __future__ import annotations

import contextlib
import io
import os
import stat
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path

from .errors import OutputError

SUFFIX_FORMATS = {".json": "json", ".md": "markdown", ".markdown": "markdown", ".html": "html",
                  ".htm": "html", ".ics": "ics", ".csv": "csv", ".txt": "table"}


def chosen_format(fmt: str | None, output: str | Path | None, choices: Sequence[str],
                  default: str, command: str) -> str:
    """The view to write: ``--format`` when given, else the one ``-o``'s suffix names
    (``.json``, ``.md``, ``.html``, ``.ics``, ``.csv``, ``.txt``), else ``default``."""
    if fmt is not None:
        return fmt
    if output is None or str(output) == "-" or not Path(output).suffix:
        return default
    suffix = Path(output).suffix.lower()
    named = SUFFIX_FORMATS.get(suffix)
    if named is not None and named in choices:
        return named
    known = ", ".join(s for s, f in SUFFIX_FORMATS.items() if f in choices)
    what = f"means {named}, which `{command}` does not write" if named else "names no format"
    raise OutputError(f"{output}: the suffix {suffix} {what}",
                      f"end -o with one of {known}, or give --format "
                      f"({', '.join(choices)})")


def check_targets(outputs: Mapping[str, str | Path | None],
                  inputs: Mapping[str, str | Path | None]) -> None:
    """Refuse, before any work, outputs that are not plain files or that would overwrite an
    input of the same run or another output of it (``-`` is standard output)."""
    seen: dict[Path, str] = {}
    folders: dict[Path, str] = {}
    for option, name in inputs.items():
        if name is not None and str(name) != "-":
            key = Path(name).resolve()
            (folders if key.is_dir() else seen)[key] = option
    for option, name in outputs.items():
        if name is None or str(name) == "-":
            continue
        path = Path(name)
        check_regular(path, option)
        key = path.resolve()
        if key in seen:
            raise OutputError(f"{path}: {option} would overwrite {seen[key]} of the same run",
                              "write to another file")
        inside = next((f for f in folders if f in key.parents), None)
        if inside is not None:
            raise OutputError(f"{path}: {option} would write into {folders[inside]} "
                              f"({inside}), a folder the same run reads",
                              "write to another folder")
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


class Staged:
    """Content written and synced beside its target, not yet in place: an open unnamed file
    (``fd``) or a hidden temporary file (``name``)."""

    def __init__(self, path: Path, fd: int, name: str | None) -> None:
        self.path, self._name = path, name
        self._fd: int | None = fd
        self._unnamed = name is None

    def write(self, data: bytes, mode: int) -> None:
        assert self._fd is not None
        os.fchmod(self._fd, mode)
        view = memoryview(data)
        while view:
            view = view[os.write(self._fd, view):]
        os.fsync(self._fd)
        if not self._unnamed:
            self._close()

    def place(self) -> None:
        """Put the content at its target in one rename."""
        try:
            if self._unnamed:
                self._name = _hidden_name(self.path)
                root = os.open("/", os.O_RDONLY)
                try:   # a dir_fd makes Python use linkat(AT_SYMLINK_FOLLOW), as /proc needs
                    os.link(f"/proc/self/fd/{self._fd}", self._name, src_dir_fd=root,
                            follow_symlinks=True)
                finally:
                    os.close(root)
                self._close()
            assert self._name is not None
            os.replace(self._name, self.path)
            self._name = None
        except OSError as exc:
            self.discard()
            raise OutputError(f"{self.path}: cannot be written ({exc.strerror})") from None

    def discard(self) -> None:
        self._close()
        if self._name is not None:
            Path(self._name).unlink(missing_ok=True)
            self._name = None

    def _close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


class Outputs:
    """The files one command writes, committed together once every step has succeeded: all
    are written to temporary files first (any failure removes them all), then renamed."""

    def __init__(self) -> None:
        self.pending: list[tuple[str | Path, str | bytes]] = []

    def add(self, target: str | Path | None, content: str | bytes) -> None:
        if target is not None:
            self.pending.append((target, content))

    def commit(self) -> None:
        staged: list[Staged] = []
        try:
            for target, content in self.pending:
                if str(target) != "-":
                    staged.append(_stage(Path(target), content))
        except BaseException:
            for done in staged:
                done.discard()
            raise
        for target, content in self.pending:
            if str(target) == "-":
                write_output("-", content)
        for number, done in enumerate(staged):
            try:
                done.place()
            except BaseException:
                for other in staged[number + 1:]:
                    other.discard()
                raise


class ClosedStdout(io.TextIOBase):
    """Standard output when the process was started with it closed (``>&-``): every write
    fails with a message instead of being lost or ending in a traceback."""

    encoding = "utf-8"

    def write(self, _text: str) -> int:
        raise OutputError("standard output is closed: nothing could be shown",
                          "run it with standard output open, or write to a file with -o")

    @property
    def buffer(self) -> ClosedStdout:   # bytes (PNG to `-`) meet the same message
        return self

    def isatty(self) -> bool:
        return False


def write_output(target: str | Path, content: str | bytes) -> None:
    """Write to ``target`` atomically, or to standard output when it is ``-``."""
    if str(target) == "-":
        try:
            if isinstance(content, bytes):
                sys.stdout.buffer.write(content)
            else:
                sys.stdout.write(content)
            sys.stdout.flush()
        except BrokenPipeError:
            _silence_stdout()
        except OSError as exc:
            _silence_stdout()
            raise OutputError(f"standard output cannot be written ({exc.strerror})",
                              "free space where it goes, or write to a file with -o") from None
        return
    _stage(Path(target), content).place()


def _silence_stdout() -> None:
    """Point standard output at /dev/null, so that the interpreter's last flush of what a
    reader refused (a closed pipe, a full disk) neither fails nor prints."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


def _stage(path: Path, content: str | bytes) -> Staged:
    """Write the content to an unnamed (or hidden) temporary file beside ``path``."""
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise OutputError(f"{path}: folder {folder} does not exist", "create it first")
    check_regular(path)
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        staged = _open_staged(folder, path)
    except OSError as exc:
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    try:
        staged.write(data, _file_mode(path))
    except OSError as exc:
        staged.discard()
        raise OutputError(f"{path}: cannot be written ({exc.strerror})") from None
    except BaseException:
        staged.discard()
        raise
    return staged


def _open_staged(folder: Path, path: Path) -> Staged:
    """An ``O_TMPFILE`` file in ``folder`` where the system has them, else a hidden one."""
    flag = getattr(os, "O_TMPFILE", 0)
    if flag and Path("/proc/self/fd").is_dir():
        try:
            return Staged(path, os.open(folder, flag | os.O_WRONLY, 0o600), None)
        except OSError:
            pass   # a file system without O_TMPFILE: a named temporary file instead
    fd, tmp = tempfile.mkstemp(prefix=".b12-", suffix=".tmp", dir=folder)
    return Staged(path, fd, tmp)


def _hidden_name(path: Path) -> str:
    folder = path.parent if str(path.parent) else Path(".")
    return str(folder / f".b12-{os.getpid()}-{os.urandom(6).hex()}.tmp")


def _file_mode(path: Path) -> int:
    """The mode a plain new file gets (umask applied), or the replaced file's mode."""
    try:
        return path.stat().st_mode & 0o777
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
