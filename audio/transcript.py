"""Typed results of speech-to-text: words with timings, segments, the whole transcript."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Word:
    text: str  # as the recogniser wrote it, usually with a leading space
    start: float  # seconds from the start of the recording
    end: float
    probability: float  # the recogniser's confidence, 0-1


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float = 0.0
    no_speech_prob: float = 0.0


@dataclass(frozen=True)
class Transcript:
    text: str
    segments: tuple[Segment, ...]
    duration: float  # of the audio, seconds
    backend: str  # "faster-whisper" or "openai-whisper"
    model: str  # model name or path
    language: str = "en"
    speech_duration: float = 0.0  # seconds the voice-activity detector heard as speech
    warnings: tuple[str, ...] = ()  # e.g. possibly skipped speech
    removed: tuple[str, ...] = ()  # segments dropped as phantoms ("Thank you.")

    @property
    def words(self) -> tuple[Word, ...]:
        return tuple(word for segment in self.segments for word in segment.words)

    @property
    def is_empty(self) -> bool:
        return not self.text.strip()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["words"] = [asdict(word) for word in self.words]
        for segment in data["segments"]:
            segment.pop("words", None)
        return data
