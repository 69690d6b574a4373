"""Errors of the audio layer. Each message says what is wrong and how to fix it."""

from __future__ import annotations


class AudioError(Exception):
    """Base class: something about sound in or out, or speech-to-text, cannot be done."""


class AudioDeviceError(AudioError):
    """No sound server, no such device, or the device failed."""


class AudioFileError(AudioError):
    """A recording cannot be read: missing, empty, corrupt or of an unsupported format."""


class SpeechEngineError(AudioError):
    """Text-to-speech is unavailable (no engine installed) or failed."""


class ModelError(AudioError):
    """Speech-to-text weights cannot be found, fetched, verified or loaded."""
