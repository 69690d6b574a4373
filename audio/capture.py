"""Recording an answer at 16 kHz mono, written to disk as it is captured.

An answer ends when the caller calls `stop()` (the interviewer does on Enter), after a stretch
of silence once speech has started (if configured), at the time limit, when the device fails,
or when the disk cannot be written. Whatever the ending — Ctrl-C and a crash included — the
WAV on disk holds everything captured until then (see `audio.wav`). While recording, `status()`
gives the level, elapsed and remaining time and whether the candidate is speaking; the time
before the first word is kept apart from the answer.

For streaming transcription, a `ChunkListener` receives the stretches of speech that
`audio.chunker` cuts, from the recorder's worker thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.chunker import ChunkEvent, SpeechChunker
from audio.errors import AudioDeviceError
from audio.sources import AudioSource, MicrophoneSource
from audio.vad import FRAME, MAX_CHUNK_S, SAMPLE_RATE, StreamingVAD, level_db
from audio.wav import StreamingWavWriter

STALL_S = 3.0  # no audio for this long from a running stream: the device is gone
MIN_SPEECH_S = 0.25  # speech must last this long before the answer counts as started
CLOSE_TIMEOUT_S = 10.0  # the longest `stop()` waits for the worker to save and close



class EndedBy(str, Enum):
    """How a recording ended."""

    def __str__(self) -> str:
        return self.value


    STOPPED = "stopped"  # the caller stopped it (the candidate pressed Enter)
    SILENCE = "silence"
    TIME_LIMIT = "time-limit"
    INTERRUPTED = "interrupted"
    DEVICE_ERROR = "device-error"
    DISK_ERROR = "disk-error"

    @property
    def said(self) -> str:
        """In words, for the candidate."""
        return {"stopped": "you finished", "silence": "ended after a pause",
                "time-limit": "time limit reached", "interrupted": "interrupted",
                "device-error": "the microphone failed",
                "disk-error": "the disk could not be written"}[self.value]


@dataclass(frozen=True)
class CaptureSettings:
    device: int | str | None = None
    time_limit_s: float | None = None
    warn_before_s: float = 10.0
    silence_stop_s: float | None = None  # end after this much silence once speech started
    no_speech_timeout_s: float | None = None  # end if nothing is said for this long
    vad: str = "auto"  # "silero", "energy" or "auto"
    max_chunk_s: float = MAX_CHUNK_S


@dataclass(frozen=True)
class CaptureStatus:
    elapsed_s: float
    remaining_s: float | None
    level_db: float
    speaking: bool
    speech_started_s: float | None
    near_limit: bool


@dataclass(frozen=True)
class Recording:
    path: Path
    duration_s: float
    ended_by: EndedBy
    speech_started_s: float | None  # time before the candidate started speaking
    speech_s: float  # how much of it the detector heard as speech
    device: str
    vad: str
    error: str | None = None


class ChunkListener(Protocol):
    """Receives stretches of speech while an answer is recorded (all from the recorder's
    worker thread; offsets in seconds from the start of the recording)."""

    def chunk(self, samples: np.ndarray, offset_s: float) -> None:
        """A stretch closed by a pause, or cut at the maximum length."""

    def pause(self, samples: np.ndarray, offset_s: float) -> None:
        """The open stretch so far, at a short pause: worth decoding early."""

    def last(self, samples: np.ndarray, offset_s: float) -> None:
        """The final stretch, when the answer ends."""


class Recorder:
    """`source`: where the audio comes from (default: the microphone `settings.device`)."""

    def __init__(self, path: str | Path, settings: CaptureSettings = CaptureSettings(),
                 listener: ChunkListener | None = None, source: AudioSource | None = None):
        self.path = Path(path)
        self.settings = settings
        self.listener = listener
        self.source = source
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._done = threading.Event()
        self._finish_lock = threading.Lock()
        self._ended_by: EndedBy | None = None
        self._error: str | None = None
        self._worker: threading.Thread | None = None
        self._writer: StreamingWavWriter | None = None
        self._vad: StreamingVAD | None = None
        self._chunker = SpeechChunker(settings.max_chunk_s) if listener else None
        self._last_block_at = 0.0
        self._status = CaptureStatus(0.0, settings.time_limit_s, -100.0, False, None, False)
        self._result: Recording | None = None
        # speech tracking, in samples since the start
        self._samples = 0
        self._speech_samples = 0
        self._run_samples = 0  # length of the current run of speech frames
        self._speech_started: int | None = None
        self._last_speech_end = 0

    # ------------------------------------------------------------------ control

    def start(self) -> Recorder:
        self._vad = StreamingVAD(self.settings.vad)
        if self.source is None:
            self.source = MicrophoneSource(self.settings.device)
        try:
            self._writer = StreamingWavWriter(self.path, SAMPLE_RATE)
        except OSError as error:
            raise AudioDeviceError(f"cannot create {self.path}: {error.strerror}; check the "
                                   "data folder and free space") from error
        try:
            self.source.start(lambda block: self._queue.put(np.array(block, np.float32)))
        except AudioDeviceError:
            self._writer.close()
            raise
        self._last_block_at = time.monotonic()
        self._worker = threading.Thread(target=self._work, name="recorder", daemon=True)
        self._worker.start()
        return self

    def stop(self, reason: EndedBy | str = EndedBy.STOPPED) -> Recording:
        """End the answer now (idempotent) and return the recording."""
        self._request_end(EndedBy(reason))
        recording = self.wait(CLOSE_TIMEOUT_S)
        return recording if recording is not None else self._unfinished()

    def wait(self, timeout: float | None = None) -> Recording | None:
        """Block until the answer ends (or `timeout`); the recording, or None on timeout."""
        if not self._done.wait(timeout):
            return None
        if self._worker is not None:
            self._worker.join(CLOSE_TIMEOUT_S)
        return self._result

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def status(self) -> CaptureStatus:
        return self._status

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self.stop(EndedBy.INTERRUPTED if exc_type is not None else EndedBy.STOPPED)

    def _unfinished(self) -> Recording:
        """What is known when the worker did not finish in time (it is stuck in the device
        or the disk): the file on disk is valid up to its last successful write."""
        return self._recording(self._ended_by or EndedBy.STOPPED,
                               self._error or "the recorder did not finish in time")

    # ------------------------------------------------------------------ worker

    def _request_end(self, reason: EndedBy, error: str | None = None) -> None:
        with self._finish_lock:
            if self._ended_by is None:
                self._ended_by, self._error = reason, error
        self._queue.put(None)  # wakes the worker

    def _work(self) -> None:
        try:
            while True:
                try:
                    block = self._queue.get(timeout=0.2)
                except queue.Empty:
                    block = None
                    if self._ended_by is None and \
                            time.monotonic() - self._last_block_at > STALL_S:
                        self._request_end(EndedBy.DEVICE_ERROR, "no audio from the microphone for "
                                          f"{STALL_S:.0f} s (unplugged or taken by another "
                                          "program?)")
                if block is not None:
                    self._last_block_at = time.monotonic()
                    self._consume(block)
                if self._ended_by is not None:
                    self._drain()
                    break
        except Exception as error:  # a bug must not lose the recording or hang the caller
            self._ended_by = self._ended_by or EndedBy.DEVICE_ERROR
            self._error = self._error or f"recording failed: {error}"
        finally:
            self._close()

    def _drain(self) -> None:
        """Keep what the callback delivered before the end was requested."""
        # a dead device cannot be stopped cleanly; there is nothing more to save from it
        with contextlib.suppress(Exception):
            if self.source is not None:
                self.source.stop()
        while True:
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                return
            if block is not None:
                self._consume(block)

    def _consume(self, block: np.ndarray) -> None:
        assert self._writer is not None and self._vad is not None
        if self._ended_by is EndedBy.DISK_ERROR:
            return
        try:
            self._writer.write(block)
        except OSError as error:
            self._request_end(EndedBy.DISK_ERROR, f"cannot write the recording ({error.strerror}); "
                              f"kept the first {self._writer.duration:.1f} s")
            return
        position = self._samples
        self._samples += block.size
        speaking = False
        flags = []
        for index, (is_speech, _level) in enumerate(self._vad.process(block)):
            flags.append(is_speech)
            frame_end = position + (index + 1) * FRAME
            if is_speech:
                self._run_samples += FRAME
                self._speech_samples += FRAME
                self._last_speech_end = frame_end
                if self._speech_started is None and \
                        self._run_samples >= MIN_SPEECH_S * SAMPLE_RATE:
                    self._speech_started = frame_end - self._run_samples
                speaking = True
            else:
                self._run_samples = 0
        if self._chunker is not None:
            self._deliver(self._chunker.feed(block, flags))
        self._update_status(level_db(block), speaking)
        self._check_limits()

    def _deliver(self, events: list[ChunkEvent]) -> None:
        for event in events:
            try:
                getattr(self.listener, event.kind.value)(event.samples, event.offset_s)
            except Exception as error:  # a transcriber failure must not lose the recording
                self._error = self._error or f"streaming transcription failed: {error}"

    def _update_status(self, level: float, speaking: bool) -> None:
        elapsed = self._samples / SAMPLE_RATE
        limit = self.settings.time_limit_s
        remaining = max(0.0, limit - elapsed) if limit else None
        started = self._speech_started / SAMPLE_RATE if self._speech_started is not None \
            else None
        near = remaining is not None and remaining <= self.settings.warn_before_s
        self._status = CaptureStatus(round(elapsed, 2), remaining, round(level, 1), speaking,
                                     started, near)

    def _check_limits(self) -> None:
        settings = self.settings
        elapsed = self._samples / SAMPLE_RATE
        if settings.time_limit_s and elapsed >= settings.time_limit_s:
            self._request_end(EndedBy.TIME_LIMIT)
            return
        quiet = (self._samples - self._last_speech_end) / SAMPLE_RATE
        ended_silence = self._speech_started is not None and \
            settings.silence_stop_s is not None and quiet >= settings.silence_stop_s
        never_spoke = self._speech_started is None and \
            settings.no_speech_timeout_s is not None and elapsed >= settings.no_speech_timeout_s
        if ended_silence or never_spoke:
            self._request_end(EndedBy.SILENCE)

    def _close(self) -> None:
        """Whatever happens here, the caller is released (`_done`) and the file on disk stays
        valid up to its last successful write."""
        try:
            if self._chunker is not None:
                self._deliver(self._chunker.finish())
            with contextlib.suppress(Exception):
                if self.source is not None:
                    self.source.close()
            if self._writer is not None:
                try:
                    self._writer.close()
                except OSError as error:
                    self._ended_by = EndedBy.DISK_ERROR
                    self._error = self._error or f"cannot finish the recording " \
                                                 f"({error.strerror}); what was written is kept"
            self._result = self._recording(self._ended_by or EndedBy.STOPPED, self._error)
        finally:
            self._done.set()

    def _recording(self, ended_by: EndedBy, error: str | None) -> Recording:
        duration = self._writer.duration if self._writer is not None else 0.0
        started = self._speech_started / SAMPLE_RATE if self._speech_started is not None \
            else None
        return Recording(
            path=self.path, duration_s=round(duration, 3), ended_by=ended_by,
            speech_started_s=round(started, 3) if started is not None else None,
            speech_s=round(self._speech_samples / SAMPLE_RATE, 3),
            device=self.source.name if self.source is not None else "",
            vad=self._vad.kind if self._vad else "", error=error)
