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


class BackgroundModel:
    """Loads the speech recogniser on a thread, so the greeting and first question are spoken
    while it loads. `get()` waits for it and re-raises a loading error in the caller."""

    def __init__(self, options, on_status: Callable[[str], None] | None = None):
        self._options = options
        self._on_status = on_status
        self._model = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, name="load-model", daemon=True)
        self._thread.start()

    def _load(self) -> None:
        try:
            from audio import load_speech_to_text

            self._model = load_speech_to_text(self._options, self._on_status)
        except BaseException as error:  # re-raised in get()
            self._error = error

    @property
    def ready(self) -> bool:
        return not self._thread.is_alive()

    def get(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._model


def timed_words(transcript: Transcript) -> list[TimedWord]:
    return [TimedWord(word.text, word.start, word.end, word.probability)
            for word in transcript.words]
