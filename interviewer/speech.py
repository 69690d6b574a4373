"""Joining the settings to the audio package: the recogniser's options, and slow set-up
(loading the speech model, building the scorer) done on a thread while the interviewer
speaks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from bank import Bank
from interviewer.settings import Settings


def speech_options(settings: Settings, bank: Bank, cache_dir: Path):
    from audio import SpeechToTextOptions

    return SpeechToTextOptions(backend=settings.backend, model=settings.model,
                               glossary=bank.glossary() if settings.glossary else (),
                               cache_dir=cache_dir)


class Background:
    """Runs `function` on a thread at once, so slow set-up happens while the greeting and
    first question are spoken. `get()` waits for the result and re-raises an error in the
    caller."""

    def __init__(self, function: Callable[[], object], name: str = "background"):
        self._function = function
        self._result = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._result = self._function()
        except BaseException as error:  # re-raised in get()
            self._error = error

    def settle(self, timeout: float = 10.0) -> None:
        """Let the work end before the program exits (a thread inside a native library at
        interpreter exit can crash it)."""
        self._thread.join(timeout)

    def get(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


def load_recogniser_in_background(settings: Settings, bank: Bank, cache_dir: Path,
                                  on_status: Callable[[str], None] | None = None) -> Background:
    """The speech recogniser, loading on a thread."""
    options = speech_options(settings, bank, cache_dir)

    def load():
        from audio import load_speech_to_text

        return load_speech_to_text(options, on_status)

    return Background(load, name="load-model")
