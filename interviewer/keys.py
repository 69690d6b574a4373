"""Single key presses without blocking, so Enter can end an answer while it is recorded.

On a terminal, keys are read in cbreak mode (no Enter needed for letters, no echo); without a
terminal (piped input, CI) there is no keyboard and `poll` always returns None.
"""

from __future__ import annotations

import os
import sys

# the keys after each answer (key -> what it does); the session and `practice --help` use them
CHOICES = {"n": "next", "r": "retry", "h": "hear it again", "m": "model answer", "q": "quit"}
EDIT_CHOICE = {"e": "edit transcript"}  # spoken answers: correct what was mis-heard


def keys_help() -> str:
    """The keys of a session, for `practice --help` (a click \\b block: kept as written)."""
    after = ", ".join(f"{key} {label}" for key, label in {**CHOICES, **EDIT_CHOICE}.items())
    after = after.replace(", q", ",\n                   q")
    return ("\b\nKeys:\n"
            "  while asked:     any key skips what the interviewer says\n"
            "  while you speak: Enter (or any key but space) ends the answer\n"
            "  while you type:  an empty line ends the answer\n"
            f"  after an answer: {after}\n"
            "                   (e for spoken answers); Enter is n\n"
            "  Ctrl-C:          stops the session; what you said or typed so far is kept")


class KeyReader:
    def __init__(self) -> None:
        self.interactive = sys.stdin is not None and sys.stdin.isatty()
        self._saved = None
        self._depth = 0

    def __enter__(self) -> KeyReader:
        self._depth += 1
        if self._depth == 1 and self.interactive and os.name == "posix":
            import termios
            import tty

            fd = sys.stdin.fileno()
            self._saved = termios.tcgetattr(fd)
            tty.setcbreak(fd, termios.TCSADRAIN)  # not TCSAFLUSH: what was typed ahead stays
        return self

    def __exit__(self, *exc) -> None:
        self._depth -= 1
        if self._depth == 0 and self._saved is not None:
            import termios

            termios.tcsetattr(sys.stdin.fileno(), termios.TCSADRAIN, self._saved)
            self._saved = None

    def poll(self, timeout: float = 0.0) -> str | None:
        """A key pressed within `timeout` seconds ("\\n" for Enter), or None."""
        if not self.interactive:
            return None
        if os.name == "nt":  # pragma: no cover - Windows console
            import msvcrt
            import time

            deadline = time.monotonic() + timeout
            while True:
                if msvcrt.kbhit():
                    key = msvcrt.getwch()
                    return "\n" if key == "\r" else key
                if time.monotonic() >= deadline:
                    return None
                time.sleep(0.02)
        import select

        ready, _, _ = select.select([sys.stdin], [], [], timeout)
        if not ready:
            return None
        key = os.read(sys.stdin.fileno(), 1).decode(errors="ignore")
        return "\n" if key == "\r" else key
