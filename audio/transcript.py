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

    def to_dict(self) -> dict[str, Any]:
        """Plain data; segments keep their words, and all words are also listed flat."""
        data = asdict(self)
        data["words"] = [asdict(word) for word in self.words]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Transcript:
        segments = tuple(
            Segment(segment["start"], segment["end"], segment["text"],
                    tuple(Word(**word) for word in segment.get("words", ())),
                    segment.get("avg_logprob", 0.0), segment.get("no_speech_prob", 0.0))
            for segment in data.get("segments", ()))
        return cls(text=data.get("text", ""), segments=segments,
                   duration=data.get("duration", 0.0), backend=data.get("backend", ""),
                   model=data.get("model", ""), language=data.get("language", "en"),
                   speech_duration=data.get("speech_duration", 0.0),
                   warnings=tuple(data.get("warnings", ())),
                   removed=tuple(data.get("removed", ())))
