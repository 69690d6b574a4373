"""Writing the application's files: whole or not at all, and private to the user.

Answers, recordings and reports are personal: folders the application makes are 0700 and the
files it writes 0600, whatever the umask.
"""

from __future__ import annotations

import contextlib
import os
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
