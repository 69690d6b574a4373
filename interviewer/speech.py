"""Joining the settings to the audio package: the recogniser's options, and loading the
speech model in the background while the interviewer speaks."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

from bank import Bank
from interviewer.settings import Settings
from interviewer.work import BackgroundWork


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


def load_recogniser_in_background(settings: Settings, bank: Bank, cache_dir: Path,
                                  work: BackgroundWork,
                                  on_status: Callable[[str], None] | None = None) -> Future:
    """The speech recogniser, loading in the background."""
    return work.submit(load_recogniser, settings, bank, cache_dir, on_status)
