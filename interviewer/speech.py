"""Joining the settings to the audio package: the recogniser's and the voice's options, the
voice engines' state (for `devices` and `doctor`), and slow set-up (loading the speech model,
building the scorer) done on a thread while the interviewer speaks."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from bank import Bank
from interviewer.settings import Settings


def speech_options(settings: Settings, bank: Bank, cache_dir: Path):
    from audio import SpeechToTextOptions

    return SpeechToTextOptions(backend=settings.backend, model=settings.model,
                               glossary=bank.glossary() if settings.glossary else (),
                               cache_dir=cache_dir)


def voice_options(settings: Settings, cache_dir: Path, out_dir: Path | None = None,
                  voice: str | None = None, rate: int | None = None,
                  second_voice: bool = False):
    """The interviewer's voice from the settings (`voice`, `rate`: another voice instead)."""
    from audio.tts_engines import TextToSpeechOptions

    return TextToSpeechOptions(voice=settings.voice if voice is None else voice,
                               rate=settings.rate if rate is None else rate,
                               volume=settings.volume, out_dir=out_dir, cache_dir=cache_dir,
                               second_voice=second_voice)


@dataclass
class EngineState:
    name: str
    summary: str
    installed: bool
    missing: str | None  # what is not installed
    install: str
    in_use: bool = False
    named: bool = False  # the voice setting names this engine
    voices: list = field(default_factory=list)  # audio.tts.Voice
    error: str | None = None  # why its voices cannot be listed


def voice_engines(settings: Settings, cache_dir: Path, list_voices: bool = False):
    """(the engine the settings choose, the line saying why the neural voice is not used or
    None, every engine's state). Raises SpeechEngineError when no engine works."""
    from audio.errors import SpeechEngineError
    from audio.tts_engines import ENGINES, load_text_to_speech, parse_voice

    notes: list[str] = []
    chosen = load_text_to_speech(voice_options(settings, cache_dir), notes.append)
    named = parse_voice(settings.voice).engine
    states = []
    for engine in ENGINES:
        state = EngineState(engine.name, engine.summary, engine.installed(), engine.missing(),
                            engine.install, in_use=engine.name == chosen.engine_name,
                            named=engine.name == named)
        if list_voices and state.installed:
            try:
                source = chosen if state.in_use else engine.load_class()(cache_dir=cache_dir)
                state.voices = source.voices()
            except SpeechEngineError as error:
                state.error = str(error)
        states.append(state)
    return chosen, (notes[0] if notes else None), states


class Background:
    """Runs `function` on a thread at once, so slow set-up happens while the greeting and
    first question are spoken. `get()` waits for the result and re-raises an error in the
    caller."""

    def __init__(self, function: Callable[[], object], name: str = "background",
                 after: threading.Event | None = None, wait_s: float = 0.0):
        self._function = function
        self._after, self._wait_s = after, wait_s
        self._result = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        if self._after is not None:  # begin once `after` is set, or after `wait_s` anyway
            self._after.wait(self._wait_s)
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
                                  on_status: Callable[[str], None] | None = None,
                                  after: threading.Event | None = None,
                                  wait_s: float = 0.0) -> Background:
    """The speech recogniser, loading on a thread (once `after` is set, or `wait_s` has
    passed)."""
    options = speech_options(settings, bank, cache_dir)

    def load():
        from audio import load_speech_to_text

        return load_speech_to_text(options, on_status)

    return Background(load, name="load-model", after=after, wait_s=wait_s)
