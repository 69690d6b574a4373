"""Diagnostics: a log file in the data folder, and more detail on stderr with --verbose.

The log keeps what helps with a bug report — which command ran, how long the model took to
load, warnings, and the traceback of a crash — and never what the candidate said or typed, nor
the command line (an answer can be given on it). It is capped and rotated (3 files of 256 KB)
and readable by the user only.
"""

from __future__ import annotations

import contextlib
import logging
import logging.handlers
import os
from pathlib import Path

MAX_BYTES, BACKUPS = 256 * 1024, 2
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
_log_file: Path | None = None


class _PrivateRotatingFile(logging.handlers.RotatingFileHandler):
    """A rotating log whose files are created 0600 whatever the umask."""

    def _open(self):
        descriptor = os.open(self.baseFilename, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        return os.fdopen(descriptor, self.mode, encoding=self.encoding, errors=self.errors)

    def handleError(self, record: logging.LogRecord) -> None:  # noqa: N802 - logging's name
        """The log became unwritable (a full disk, a read-only folder, a rotation refused):
        the command goes on without it, instead of printing logging's 30-line traceback."""
        global _log_file
        logging.getLogger().removeHandler(self)
        _log_file = None
        with contextlib.suppress(Exception):
            self.close()


def setup_logging(log_file: Path | None, verbose: int = 0) -> None:
    """Log to `log_file` (INFO and up) and, with --verbose, to stderr (-v INFO, -vv DEBUG)."""
    global _log_file
    root = logging.getLogger()
    for handler in list(root.handlers):
        root.removeHandler(handler)
        handler.close()
    root.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
    if verbose:
        stderr = logging.StreamHandler()
        stderr.setFormatter(logging.Formatter("interviewer: %(levelname)s %(name)s: "
                                              "%(message)s"))
        stderr.setLevel(logging.DEBUG if verbose > 1 else logging.INFO)
        root.addHandler(stderr)
    if log_file is not None and not _writable(log_file):
        logging.getLogger(__name__).info("the log %s cannot be written; not logging to it",
                                         log_file)
        log_file = None
    _log_file = log_file
    if log_file is not None:
        handler = _PrivateRotatingFile(log_file, maxBytes=MAX_BYTES, backupCount=BACKUPS,
                                       encoding="utf-8", delay=True)
        handler.setFormatter(logging.Formatter(FORMAT))
        handler.setLevel(logging.INFO)
        root.addHandler(handler)
    for noisy in ("faster_whisper", "numba", "urllib3", "httpx", "huggingface_hub"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def log_file() -> Path | None:
    """Where this run logs (for the one line that reports a crash)."""
    return _log_file


def _writable(path: Path) -> bool:
    """Whether the log can be appended to (an interviewer.log left by a sudo run cannot)."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    except OSError:
        return False
    return True
