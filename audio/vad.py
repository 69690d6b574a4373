"""Voice-activity detection: the Silero model faster-whisper ships, with an energy fallback.

Two uses: splitting a recording into stretches of speech of at most ~15 s for decoding
(`speech_chunks`), and deciding, while the candidate speaks, whether the latest audio is speech
(`StreamingVAD`), which ends an answer after a stretch of silence.
"""

from __future__ import annotations

import math

import numpy as np

SAMPLE_RATE = 16000
FRAME = 512  # samples per decision (32 ms), what the Silero model expects at 16 kHz
# The longest stretch of speech decoded at once, offline and while streaming. Longer stretches
# decode better (bench --only asr compares 15 and 30 s), but the last one is what a candidate
# waits for after speaking, and a 30 s window was seen to make tiny.en skip speech.
MAX_CHUNK_S = 15.0
_CONTEXT = 64


def speech_chunks(audio: np.ndarray, max_chunk_s: float = MAX_CHUNK_S, min_silence_ms: int = 300,
                  speech_pad_ms: int = 200, threshold: float = 0.5) -> list[tuple[int, int]]:
    """Sample ranges of speech, each at most `max_chunk_s` long; neighbouring stretches are
    merged while they fit, so each range is a natural unit to decode on its own."""
    from faster_whisper.vad import VadOptions, get_speech_timestamps

    if audio.size < FRAME:
        return []
    options = VadOptions(threshold=threshold, min_silence_duration_ms=min_silence_ms,
                         speech_pad_ms=speech_pad_ms, max_speech_duration_s=max_chunk_s)
    stretches = get_speech_timestamps(audio, options, sampling_rate=SAMPLE_RATE)
    limit = int(max_chunk_s * SAMPLE_RATE)
    chunks: list[tuple[int, int]] = []
    for stretch in stretches:
        start, end = int(stretch["start"]), int(stretch["end"])
        if chunks and end - chunks[-1][0] <= limit:
            chunks[-1] = (chunks[-1][0], end)
        else:
            chunks.append((start, end))
    return chunks


class StreamingVAD:
    """Speech / not speech for each 32 ms frame of a live stream.

    `kind`: "silero" (the neural model; robust to noise), "energy" (loudness above an adaptive
    noise floor; no model needed), or "auto" (Silero when it loads, else energy).
    """

    def __init__(self, kind: str = "auto", threshold: float = 0.5):
        self.threshold = threshold
        # hysteresis, as in faster-whisper's offline detector: once speaking, speech continues
        # until the probability falls below this (short dips inside words are not pauses)
        self.neg_threshold = max(threshold - 0.15, 0.01)
        self._speaking = False
        self.kind = kind
        self._session = None
        if kind in ("auto", "silero"):
            try:
                from faster_whisper.vad import get_vad_model

                self._session = get_vad_model().session
                self.kind = "silero"
            except Exception:  # onnxruntime or the model missing: fall back, unless forced
                if kind == "silero":
                    raise
                self.kind = "energy"
        self._h = np.zeros((1, 1, 128), dtype=np.float32)
        self._c = np.zeros((1, 1, 128), dtype=np.float32)
        self._context = np.zeros(_CONTEXT, dtype=np.float32)
        self._pending = np.zeros(0, dtype=np.float32)
        self._noise_db = -60.0

    def process(self, block: np.ndarray) -> list[tuple[bool, float]]:
        """Feed audio (16 kHz mono float32); returns (is_speech, level in dBFS) per whole frame."""
        self._pending = np.concatenate([self._pending, np.asarray(block, np.float32).ravel()])
        results = []
        while self._pending.size >= FRAME:
            frame, self._pending = self._pending[:FRAME], self._pending[FRAME:]
            level = level_db(frame)
            results.append((self._decide(frame, level), level))
        return results

    def _decide(self, frame: np.ndarray, level: float) -> bool:
        if self._session is not None:
            window = np.concatenate([self._context, frame])[None, :]
            output, self._h, self._c = self._session.run(
                None, {"input": window, "h": self._h, "c": self._c})
            self._context = frame[-_CONTEXT:]
            probability = float(np.ravel(output)[0])
            self._speaking = probability >= (self.neg_threshold if self._speaking
                                             else self.threshold)
            return self._speaking
        # energy: louder than the running noise floor by 12 dB, and not near-silent
        speech = level > max(self._noise_db + 12.0, -50.0)
        if not speech:
            self._noise_db = 0.95 * self._noise_db + 0.05 * level
        return speech


def level_db(samples: np.ndarray) -> float:
    """Loudness in dBFS (0 is full scale; silence is -100)."""
    if samples.size == 0:
        return -100.0
    rms = float(np.sqrt(np.mean(np.square(samples, dtype=np.float64))))
    return 20 * math.log10(rms) if rms > 1e-5 else -100.0
