"""Cutting a live stream into stretches of speech for streaming transcription.

Pure and thread-free: feed it blocks of audio with the voice-activity decision of each 32 ms
frame (`feed`), and it says what to hand to the transcriber (`ChunkEvent`s):

- "chunk": a stretch of speech closed by a clear pause once it is long enough, or cut at the
  maximum length in its last pause (as the offline chunker merges stretches);
- "pause": the stretch still open, at a short pause: worth decoding early, so that little is
  left to decode when the answer ends; also every `CAPTION_EVERY_S` of speech without such a
  pause, cut at the quietest moment of its last half second, so the live caption keeps up
  with fast speech;
- "last": the stretch still open when the answer ends (`finish`).

Each event carries only the speech of its stretch with a little padding, not the silence
around it, and its offset in seconds from the start of the recording.

Stretches are long, since longer stretches decode better: closed at a clear pause once long
enough, they decode as well as the recording transcribed afterwards; cut at the longest pause
or at the first short one, worse (`python -m bench --only latency` compares the streamed and
the afterwards word error rates on the same audio).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

import numpy as np

from audio.vad import FRAME, MAX_CHUNK_S, SAMPLE_RATE

CHUNK_PAUSE_S, MIN_CHUNK_S = 0.6, 8.0  # a pause this long closes a stretch this long
CUT_PAUSE_S = 0.3  # a full-length stretch is cut in its last pause this long (the offline rule)
PAD_FRAMES = 12  # ~0.4 s of audio kept around the speech of a stretch
PAUSE_DECODE_S = 0.2  # a pause this long hands the open stretch over as a "pause" event
# Without a pause, the open stretch is handed over every this many seconds anyway: the live
# caption is then at most about this far behind, plus one decode (bench --only latency).
CAPTION_EVERY_S = 2.0
CAPTION_CUT_S = 0.5  # the cut falls at the quietest frame of this last stretch of audio


class ChunkKind(str, Enum):
    """What a `ChunkEvent` hands over; the value names the listener's method."""

    def __str__(self) -> str:
        return self.value


    CHUNK = "chunk"  # a stretch closed by a pause, or cut at the maximum length
    PAUSE = "pause"  # the stretch still open, at a short pause
    LAST = "last"  # the stretch still open when the answer ended


@dataclass(frozen=True)
class ChunkEvent:
    kind: ChunkKind
    samples: np.ndarray
    offset_s: float


class SpeechChunker:
    def __init__(self, max_chunk_s: float = MAX_CHUNK_S):
        self.max_chunk_s = max_chunk_s
        self._parts: list[np.ndarray] = []
        self._flags: list[bool] = []  # speech or not, per frame of the open stretch
        self._start = 0  # sample at which the open stretch starts
        self._has_speech = False
        self._paused = False  # the open stretch was handed over at a pause since its speech
        self._handed = 0  # frames of the open stretch when it was last handed over

    def feed(self, block: np.ndarray, flags: list[bool]) -> list[ChunkEvent]:
        """A block of audio and the speech flag of each of its frames."""
        self._parts.append(block)
        self._flags.extend(flags)
        self._has_speech = self._has_speech or any(flags)
        length = sum(part.size for part in self._parts) / SAMPLE_RATE
        pause = _trailing_silence(self._flags) * FRAME / SAMPLE_RATE
        events: list[ChunkEvent] = []
        if self._has_speech and pause >= CHUNK_PAUSE_S and length >= MIN_CHUNK_S:
            events += self._close(ChunkKind.CHUNK)
        elif length >= self.max_chunk_s:
            events += self._close(ChunkKind.CHUNK, cut=_last_pause_cut(self._flags) or
                                  _best_cut(self._flags))
        elif self._has_speech and pause >= PAUSE_DECODE_S and not self._paused:
            self._paused = True
            events.append(self._open_stretch(len(self._flags)))
        elif any(flags) and sum(self._flags[self._handed:]) * FRAME / SAMPLE_RATE >= \
                CAPTION_EVERY_S:
            events.append(self._open_stretch(_quietest_frame(self._parts, self._flags)))
        if any(flags):
            self._paused = False
        return events

    def _open_stretch(self, frames: int) -> ChunkEvent:
        """The open stretch's first `frames` frames, handed over early."""
        samples = np.concatenate(self._parts)[:frames * FRAME]
        self._handed = frames
        speech, offset = _speech_part(samples, self._flags[:frames], self._start)
        return ChunkEvent(ChunkKind.PAUSE, speech, offset)

    def finish(self) -> list[ChunkEvent]:
        """The answer ended: the open stretch, if it holds speech."""
        return self._close(ChunkKind.LAST)

    def _close(self, kind: ChunkKind, cut: int | None = None) -> list[ChunkEvent]:
        """Hand over the open stretch (up to frame `cut`; the rest starts the next one)."""
        if not self._parts:
            return []
        samples = np.concatenate(self._parts)
        keep = samples.size if cut is None else min(samples.size, cut * FRAME)
        head, tail = samples[:keep], samples[keep:]
        head_flags = self._flags if cut is None else self._flags[:cut]
        start = self._start
        self._start += head.size
        self._paused = False
        self._handed = 0
        self._parts = [tail] if tail.size else []
        self._flags = [] if cut is None else self._flags[cut:]
        self._has_speech = any(self._flags)
        if not any(head_flags):
            return []
        speech, offset = _speech_part(head, head_flags, start)
        return [ChunkEvent(kind, speech, offset)]


def _speech_part(samples: np.ndarray, flags: list[bool],
                 start_sample: int) -> tuple[np.ndarray, float]:
    """The speech of a stretch with a little padding, not the silence around it (as the
    offline detector's clips are), and its offset in seconds."""
    first = flags.index(True)
    last = len(flags) - flags[::-1].index(True)
    start = max(0, (first - PAD_FRAMES) * FRAME)
    end = min(samples.size, (last + PAD_FRAMES) * FRAME)
    return samples[start:end], (start_sample + start) / SAMPLE_RATE


def _quietest_frame(parts: list[np.ndarray], flags: list[bool]) -> int:
    """How many frames to hand over so that the cut falls at the quietest frame (the gap
    between two words, most likely) of the last `CAPTION_CUT_S`."""
    window = max(1, int(CAPTION_CUT_S * SAMPLE_RATE / FRAME))
    tail = np.concatenate(parts)[-window * FRAME:]
    frames = tail[:tail.size // FRAME * FRAME].reshape(-1, FRAME)
    if not frames.size:
        return len(flags)
    energy = np.square(frames, dtype=np.float64).mean(axis=1)
    quietest = int(np.argmin(energy))
    return max(1, len(flags) - len(frames) + quietest + 1)


def _trailing_silence(flags: list[bool]) -> int:
    count = 0
    for flag in reversed(flags):
        if flag:
            break
        count += 1
    return count


def _last_pause_cut(flags: list[bool]) -> int | None:
    """Where to cut a stretch that reached its maximum length, as the offline chunker merges
    stretches: in the last pause of at least CUT_PAUSE_S before the limit (None if none)."""
    needed = int(CUT_PAUSE_S * SAMPLE_RATE / FRAME)
    run_end = None
    for index in range(len(flags) - 1, 0, -1):
        if not flags[index]:
            if run_end is None:
                run_end = index + 1
        else:
            if run_end is not None and run_end - index - 1 >= needed and \
                    any(flags[:index]):
                return (index + 1 + run_end) // 2
            run_end = None
    return None


def _best_cut(flags: list[bool]) -> int | None:
    """Where to cut a stretch that reached its maximum length with no pause of CUT_PAUSE_S:
    the middle of the longest pause in its second half (not inside a word), or None to cut at
    the end."""
    best, best_length = None, 2  # at least ~0.1 s of silence
    start = None
    for index in range(len(flags) // 2, len(flags) + 1):
        silent = index < len(flags) and not flags[index]
        if silent and start is None:
            start = index
        elif not silent and start is not None:
            if index - start > best_length:
                best, best_length = (start + index) // 2, index - start
            start = None
    return best
