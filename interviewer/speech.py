"""Joining the settings to the audio package: the recogniser's and the voice's options, the
voice engines' state (for `devices` and `doctor`), and loading the speech model."""

from __future__ import annotations

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


def load_recogniser(settings: Settings, bank: Bank, cache_dir: Path,
                    on_status: Callable[[str], None] | None = None):
    """The speech recogniser the settings name (audio.SpeechToText), loaded now."""
    from audio import load_speech_to_text

    return load_speech_to_text(speech_options(settings, bank, cache_dir), on_status)


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
