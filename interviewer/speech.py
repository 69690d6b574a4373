"""Joining audio and scoring: loading the recogniser (in the background), and turning a
transcript into the words with timings the scorer reads."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from audio.transcript import Transcript
from bank import Bank
from interviewer.settings import Settings
from scoring import TimedWord


def speech_options(settings: Settings, bank: Bank, cache_dir: Path):
    from audio import SpeechToTextOptions

    return SpeechToTextOptions(backend=settings.backend, model=settings.model or None,
                               glossary=bank.glossary() if settings.glossary else (),
                               cache_dir=cache_dir)


class Background:
    """Runs `function` on a thread at once, so slow set-up (loading the speech model, building
    the scorer) happens while the greeting and first question are spoken. `get()` waits for
    the result and re-raises an error in the caller."""

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

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def settle(self, timeout: float = 10.0) -> None:
        """Let the work end before the program exits (a thread inside a native library at
        interpreter exit can crash it)."""
        self._thread.join(timeout)

    def get(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result


class BackgroundModel(Background):
    """The speech recogniser, loading on a thread."""

    def __init__(self, options, on_status: Callable[[str], None] | None = None):
        def load():
            from audio import load_speech_to_text

            return load_speech_to_text(options, on_status)

        super().__init__(load, name="load-model")


def timed_words(transcript: Transcript) -> list[TimedWord]:
    return [TimedWord(word.text, word.start, word.end, word.probability)
            for word in transcript.words]
