"""Sound in and out, and speech-to-text. Knows nothing of questions or scores.

    from audio import TextToSpeechOptions, load_text_to_speech, Speaker
    from audio import Recorder, CaptureSettings, load_audio
    from audio import SpeechToTextOptions, load_speech_to_text, StreamingTranscriber

Names are loaded on first use, so `import audio.errors` (or this package) stays cheap and heavy
libraries (sounddevice, pyttsx3, onnxruntime, faster-whisper, torch) load only when needed.
"""

from __future__ import annotations

import importlib
from typing import Any

from audio.runtime import prepare_environment, prepare_memory

# before any speech library loads: each reads these once (see audio.runtime)
prepare_environment()
prepare_memory()

_EXPORTS = {
    "CaptureSettings": "audio.capture", "CaptureStatus": "audio.capture",
    "Recorder": "audio.capture", "Recording": "audio.capture",
    "Device": "audio.devices", "find_device": "audio.devices", "list_devices": "audio.devices",
    "AudioDeviceError": "audio.errors", "AudioError": "audio.errors",
    "AudioFileError": "audio.errors", "ModelError": "audio.errors",
    "SpeechEngineError": "audio.errors",
    "SUPPORTED_FORMATS": "audio.files", "is_audio_file": "audio.files",
    "load_audio": "audio.files",
    "play": "audio.playback",
    "BACKENDS": "audio.backends", "backend_names": "audio.backends",
    "get_backend": "audio.backends",
    "SpeechToText": "audio.stt", "SpeechToTextOptions": "audio.stt",
    "load_speech_to_text": "audio.stt",
    "ArraySource": "audio.sources", "MicrophoneSource": "audio.sources",
    "StreamingTranscriber": "audio.streaming", "SAMPLE_RATE": "audio.vad",
    "Segment": "audio.transcript", "Transcript": "audio.transcript", "Word": "audio.transcript",
    "SpeechEngine": "audio.tts", "Speaker": "audio.tts", "Utterance": "audio.tts",
    "Voice": "audio.tts", "TextToSpeech": "audio.tts_pyttsx3",
    "ENGINES": "audio.tts_engines", "TextToSpeechOptions": "audio.tts_engines",
    "load_text_to_speech": "audio.tts_engines",
    "StreamingWavWriter": "audio.wav", "read_wav": "audio.wav", "write_wav": "audio.wav",
}
_RENAMED = {"SUPPORTED_FORMATS": "SUPPORTED"}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'audio' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), _RENAMED.get(name, name))
    globals()[name] = value
    return value
