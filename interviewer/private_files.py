"""Writing the application's files: whole or not at all, and private to the user.

Answers, recordings and reports are personal: folders the application makes are 0700 and the
files it writes 0600, whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from pathlib import Path

from interviewer.errors import UserError

PRIVATE_DIR, PRIVATE_FILE = 0o700, 0o600


def private_dir(path: Path) -> Path:
    """Create `path` (and missing parents) readable by the user only; an existing folder
    keeps its permissions unless it is the application's own."""
    path.mkdir(parents=True, exist_ok=True, mode=PRIVATE_DIR)
    with contextlib.suppress(OSError):
        path.chmod(PRIVATE_DIR)
    return path


def atomic_write(path: Path, data: str | bytes, what: str = "the file") -> Path:
    """Write `data` to `path` whole or not at all (a temporary file renamed over it), mode
    0600. UserError saying what and how to fix it when the folder cannot be written."""
    temp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, PRIVATE_FILE)
        os.replace(temp, path)
    except OSError as error:
        if temp is not None:
            Path(temp).unlink(missing_ok=True)
        raise UserError(f"{path}: cannot write {what} ({error.strerror}); check the folder, "
                        "its permissions and free space") from error
    return path


class NotAFile(Exception):
    """What the program was asked to read is not a small regular file; the message says what
    it is instead ("is a named pipe (FIFO), not a file")."""


def read_small_file(path: Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes. A FIFO, a device or a folder is
    refused without blocking (opened with O_NONBLOCK, checked with fstat before any read), and
    the limit holds even when the size the file system reports is wrong (/proc). Raises
    NotAFile, or OSError as open and read do."""
    descriptor = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) |
                         getattr(os, "O_CLOEXEC", 0))
    try:
        info = os.fstat(descriptor)
        kind = file_kind(info.st_mode)
        if kind is not None:
            raise NotAFile(f"is {kind}, not a file")
        if info.st_size > limit:
            raise NotAFile(f"is {info.st_size / 2**20:.1f} MB; at most {limit / 2**20:g} MB "
                           "is read")
    except BaseException:
        os.close(descriptor)
        raise
    with os.fdopen(descriptor, "rb") as stream:
        data = stream.read(limit + 1)
    if len(data) > limit:
        raise NotAFile(f"is over {limit / 2**20:g} MB; at most that much is read")
    return data


def file_kind(mode: int) -> str | None:
    """What a non-regular file is, in words; None for a regular file."""
    for test, kind in ((stat.S_ISDIR, "a folder"), (stat.S_ISFIFO, "a named pipe (FIFO)"),
                       (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"),
                       (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return None if stat.S_ISREG(mode) else "not a regular file"


def is_same_file(first: Path, second: Path) -> bool:
    """Whether two paths name the same file (through links, `..` or another spelling)."""
    try:
        return os.path.samefile(first, second)
    except OSError:
        return Path(os.path.abspath(first)) == Path(os.path.abspath(second))


def refuse_overwriting_inputs(out: Path, inputs: list[Path], option: str) -> None:
    """UserError when the output file `out` is one of the files read: writing it would destroy
    what is being read, which --force does not make right."""
    for source in inputs:
        if is_same_file(out, source):
            raise UserError(f"{out}: {option} names a file that is also read ({source}); "
                            f"writing it would destroy it, so choose another {option} file")
