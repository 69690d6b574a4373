"""Reading typed lines whole, whatever arrives: at a terminal through GNU readline (the
terminal's canonical mode would cut a line at 4095 bytes, silently), from a pipe or a file as
bytes. Bytes that are not UTF-8 are kept as U+FFFD (the replacement character), never an
error: what the candidate typed is stored, and they are told once.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator

REPLACEMENT = "\ufffd"
NOT_UTF8_WARNING = ("some of what you typed was not UTF-8 (is the terminal set to UTF-8?); "
                    f"those bytes are kept as {REPLACEMENT}")


def _readline_loaded() -> bool:
    """Import GNU readline, which Python's input() then reads a terminal line with (a line
    of any length, edited in place)."""
    try:
        import readline  # noqa: F401
    except ImportError:  # pragma: no cover - a Python built without it
        return False
    return True


def _surrogates_replaced(text: str) -> tuple[str, bool]:
    """Undecodable bytes come through as lone surrogates (surrogateescape): each becomes
    U+FFFD, which can be stored and shown. Also says whether there were any."""
    if not any("\udc80" <= char <= "\udcff" for char in text):
        return text, False
    return "".join(REPLACEMENT if "\udc80" <= char <= "\udcff" else char
                   for char in text), True


STOPPING = tuple(getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP")
                 if hasattr(signal, name))
NUDGE_S = 0.1


@contextlib.contextmanager
def _signals_reach_the_line() -> Iterator[None]:
    """Ctrl-C, SIGTERM and SIGHUP end a line being read by readline, always. Python's
    readline acts on a signal only when its select() is interrupted; one arriving while it
    handles a key (a paste, typing) is noted and left until the next key. A watcher, woken
    by the signal, interrupts the wait again until the signal's handler has run; the
    handlers act on the first of them only, while the line is read."""
    if threading.current_thread() is not threading.main_thread() or \
            not hasattr(signal, "pthread_kill"):
        yield
        return
    main = threading.main_thread().ident
    assert main is not None
    handled = threading.Event()
    originals = {number: signal.getsignal(number) for number in STOPPING}

    def once(number, frame):
        if handled.is_set():
            return
        handled.set()
        original = originals[number]
        if callable(original):
            original(number, frame)
        elif original == signal.SIG_DFL and number == signal.SIGINT:
            raise KeyboardInterrupt

    def watch() -> None:
        while True:
            try:
                data = receiver.recv(64)
            except OSError:
                return
            if not data:
                return
            number = next((byte for byte in data if byte in STOPPING), None)
            while number is not None and not handled.wait(NUDGE_S):
                with contextlib.suppress(OSError):
                    signal.pthread_kill(main, number)

    receiver, sender = socket.socketpair()
    sender.setblocking(False)
    for number in STOPPING:
        signal.signal(number, once)
    previous_fd = signal.set_wakeup_fd(sender.fileno(), warn_on_full_buffer=False)
    watcher = threading.Thread(target=watch, name="line-signals", daemon=True)
    watcher.start()
    try:
        yield
    finally:
        handled.set()
        signal.set_wakeup_fd(previous_fd)
        sender.close()  # the watcher's recv() returns
        watcher.join()
        for number, original in originals.items():
            signal.signal(number, original)
        receiver.close()


class LineReader:
    """One typed line at a time; None at the end of the input. `on_warning` hears (once) that
    bytes were replaced."""

    def __init__(self, on_warning: Callable[[str], None]):
        self.on_warning = on_warning
        self.warned = False
        stdin = sys.stdin
        self.terminal = bool(stdin is not None and stdin.isatty() and sys.stdout.isatty())
        if self.terminal:
            self.terminal = _readline_loaded()
            # input() decodes with the stream's own error handler: keep the bytes it cannot
            with contextlib.suppress(AttributeError, ValueError):
                stdin.reconfigure(errors="surrogateescape")  # type: ignore[union-attr]

    def read(self, prompt: str) -> str | None:
        if self.terminal:
            try:
                with _signals_reach_the_line():
                    text = input(prompt)
            except EOFError:
                return None
        else:
            text = self._read_piped(prompt)
            if text is None:
                return None
        text, replaced = _surrogates_replaced(text)
        if replaced and not self.warned:
            self.warned = True
            self.on_warning(NOT_UTF8_WARNING)
        return text

    def _read_piped(self, prompt: str) -> str | None:
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        stdin = sys.stdin
        if stdin is None:
            return None
        stream = getattr(stdin, "buffer", None)
        if stream is None:  # a text stream without bytes under it (a test's StringIO)
            line = stdin.readline()
            return line.rstrip("\r\n") if line else None
        data = stream.readline()
        if not data:
            return None
        return data.rstrip(b"\r\n").decode("utf-8", errors="surrogateescape")
