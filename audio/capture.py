"""Microphone capture at 16 kHz mono, written to disk as it is captured.

An answer ends when the caller calls `stop()` (the interviewer does on Enter), after a stretch
of silence once speech has started (if configured), at the time limit, or when the device
fails. Whatever the ending — Ctrl-C and a crash included — the WAV on disk holds everything
captured until then (see `audio.wav`). While recording, `status()` gives the level, elapsed and
remaining time and whether the candidate is speaking; the time before the first word is kept
apart from the answer.

For streaming transcription, a `ChunkListener` receives each stretch of speech as soon as a
pause closes it (or when it reaches `max_chunk_s`), the open stretch at shorter pauses, and the
last stretch when the answer ends, from the recorder's worker thread.
"""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from audio.devices import Device, _sounddevice, find_device
from audio.errors import AudioDeviceError
from audio.vad import FRAME, SAMPLE_RATE, StreamingVAD, level_db
from audio.wav import StreamingWavWriter

BLOCK = 1600  # 100 ms per callback
STALL_S = 3.0  # no audio for this long from a running stream: the device is gone
# Stretches of speech for streaming are long, since longer stretches decode better: they close
# at a clear pause once 8 s long, or, reaching `max_chunk_s`, are cut in their last pause of
# 0.3 s, as the offline chunker merges stretches. On 642 s of spoken answers decoded stretch by
# stretch this gave WER 0.168; cutting at the longest pause 0.177, closing at the first short
# pause 0.208; transcribing each recording afterwards 0.173. The stretch still open when the
# answer ends is mostly decoded already at its pauses (audio/streaming.py).
CHUNK_PAUSE_S, MIN_CHUNK_S = 0.6, 8.0
CUT_PAUSE_S = 0.3  # a full-length chunk is cut in its last pause this long (the offline rule)
PAD_FRAMES = 12  # ~0.4 s of audio kept around the speech of a chunk
PAUSE_DECODE_S = 0.2  # a pause this long hands the open chunk to ChunkListener.pause
MIN_SPEECH_S = 0.25  # speech must last this long before the answer counts as started

ENDED_BY = ("stopped", "silence", "time-limit", "interrupted", "device-error", "disk-error")


@dataclass(frozen=True)
class CaptureSettings:
    device: int | str | None = None
    time_limit_s: float | None = None
    warn_before_s: float = 10.0
    silence_stop_s: float | None = None  # end after this much silence once speech started
    no_speech_timeout_s: float | None = None  # end if nothing is said for this long
    vad: str = "auto"  # "silero", "energy" or "auto"
    max_chunk_s: float = 15.0


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
    ended_by: str  # one of ENDED_BY
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


class _ChunkFunction:
    def __init__(self, function: Callable[[np.ndarray, float], None]):
        self.chunk = self.last = function

    def pause(self, samples: np.ndarray, offset_s: float) -> None:
        pass


class PacedSource:
    """Audio from an array, delivered in real time as a microphone would (for benchmarks and
    tests of the recording path without a sound device). `done` is set when it runs out."""

    name = "paced array"

    def __init__(self, samples: np.ndarray, realtime: bool = True):
        self.samples = np.asarray(samples, dtype=np.float32).ravel()
        self.realtime = realtime
        self.done = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self, callback: Callable[[np.ndarray], None]) -> None:
        def run() -> None:
            started = time.monotonic()
            for index, start in enumerate(range(0, self.samples.size, BLOCK)):
                if self._stop.is_set():
                    break
                if self.realtime:
                    delay = started + index * BLOCK / SAMPLE_RATE - time.monotonic()
                    if delay > 0:
                        time.sleep(delay)
                callback(self.samples[start:start + BLOCK])
            self.done.set()
            while not self._stop.is_set():  # then silence, like a quiet room
                if self.realtime:
                    time.sleep(BLOCK / SAMPLE_RATE)
                callback(np.zeros(BLOCK, dtype=np.float32))

        self._thread = threading.Thread(target=run, name="paced-source", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()

    def close(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()


class Recorder:
    def __init__(self, path: str | Path, settings: CaptureSettings = CaptureSettings(),
                 on_chunk: Callable[[np.ndarray, float], None] | None = None,
                 source: PacedSource | None = None, listener: ChunkListener | None = None):
        self.path = Path(path)
        self.settings = settings
        # stretches of speech go to `listener` (see ChunkListener), or just closed ones to
        # `on_chunk(samples, offset_s)`
        self.listener = listener or (_ChunkFunction(on_chunk) if on_chunk else None)
        self.source = source
        self._queue: queue.Queue[np.ndarray | None] = queue.Queue()
        self._done = threading.Event()
        self._finish_lock = threading.Lock()
        self._ended_by: str | None = None
        self._error: str | None = None
        self._stream = None
        self._worker: threading.Thread | None = None
        self._writer: StreamingWavWriter | None = None
        self._device: Device | None = None
        self._device_name = ""
        self._vad: StreamingVAD | None = None
        self._started_at = 0.0
        self._last_block_at = 0.0
        self._status = CaptureStatus(0.0, settings.time_limit_s, -100.0, False, None, False)
        self._result: Recording | None = None
        # speech tracking, in samples since the start
        self._samples = 0
        self._speech_samples = 0
        self._run_samples = 0  # length of the current run of speech frames
        self._speech_started: int | None = None
        self._last_speech_end = 0
        # streaming chunker state
        self._chunk_parts: list[np.ndarray] = []
        self._chunk_flags: list[bool] = []  # speech or not, per VAD frame of the chunk
        self._chunk_start = 0
        self._chunk_has_speech = False
        self._paused = False  # the open chunk went to listener.pause since its last speech

    # ------------------------------------------------------------------ control

    def start(self) -> Recorder:
        self._vad = StreamingVAD(self.settings.vad)
        if self.source is not None:
            self._device_name = self.source.name
            self._open_writer()
            self.source.start(lambda block: self._queue.put(np.array(block, np.float32)))
            self._stream = self.source
            self._started_at = self._last_block_at = time.monotonic()
            self._worker = threading.Thread(target=self._work, name="recorder", daemon=True)
            self._worker.start()
            return self
        sd = _sounddevice()
        self._device = find_device(self.settings.device, "input")
        self._device_name = self._device.name
        self._open_writer()

        def callback(indata, _frames, _time, _status):
            self._queue.put(indata[:, 0].copy())

        try:
            self._stream = sd.InputStream(samplerate=SAMPLE_RATE, device=self._device.index,
                                          channels=1, dtype="float32", blocksize=BLOCK,
                                          callback=callback)
            self._stream.start()
        except sd.PortAudioError as error:
            self._writer.close()
            raise AudioDeviceError(f"cannot record from '{self._device.name}': {error}; "
                                   "choose another input with --input-device (see "
                                   "'interviewer devices')") from error
        self._started_at = self._last_block_at = time.monotonic()
        self._worker = threading.Thread(target=self._work, name="recorder", daemon=True)
        self._worker.start()
        return self

    def stop(self, reason: str = "stopped") -> Recording:
        """End the answer now (idempotent) and return the recording."""
        self._request_end(reason)
        return self.wait()

    def wait(self, timeout: float | None = None) -> Recording | None:
        """Block until the answer ends (or `timeout`); the recording, or None on timeout."""
        if not self._done.wait(timeout):
            return None
        if self._worker is not None:
            self._worker.join()
        return self._result

    @property
    def finished(self) -> bool:
        return self._done.is_set()

    def status(self) -> CaptureStatus:
        return self._status

    def __enter__(self) -> Recorder:
        return self.start()

    def __exit__(self, exc_type, exc, tb) -> None:
        self._request_end("interrupted" if exc_type is not None else "stopped")
        self.wait()

    def _open_writer(self) -> None:
        try:
            self._writer = StreamingWavWriter(self.path, SAMPLE_RATE)
        except OSError as error:
            raise AudioDeviceError(f"cannot create {self.path}: {error.strerror}; check the "
                                   "data folder and free space") from error

    # ------------------------------------------------------------------ worker

    def _request_end(self, reason: str, error: str | None = None) -> None:
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
                        self._request_end("device-error", "no audio from the microphone for "
                                          f"{STALL_S:.0f} s (unplugged or taken by another "
                                          "program?)")
                if block is not None:
                    self._last_block_at = time.monotonic()
                    self._consume(block)
                if self._ended_by is not None:
                    self._drain()
                    break
        finally:
            self._close()

    def _drain(self) -> None:
        """Keep what the callback delivered before the end was requested."""
        if self._stream is not None:
            # a dead device cannot be stopped cleanly; there is nothing more to save from it
            with contextlib.suppress(Exception):
                self._stream.stop()
        while True:
            try:
                block = self._queue.get_nowait()
            except queue.Empty:
                return
            if block is not None and self._ended_by not in ("disk-error",):
                self._consume(block)

    def _consume(self, block: np.ndarray) -> None:
        assert self._writer is not None and self._vad is not None
        if self._ended_by == "disk-error":
            return
        try:
            self._writer.write(block)
        except OSError as error:
            self._request_end("disk-error", f"cannot write the recording ({error.strerror}); "
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
        self._stream_chunk(block, flags)
        self._update_status(level_db(block), speaking)
        self._check_limits()

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
            self._request_end("time-limit")
        else:
            quiet = (self._samples - self._last_speech_end) / SAMPLE_RATE
            ended_silence = self._speech_started is not None and settings.silence_stop_s and \
                quiet >= settings.silence_stop_s
            never_spoke = self._speech_started is None and settings.no_speech_timeout_s and \
                elapsed >= settings.no_speech_timeout_s
            if ended_silence or never_spoke:
                self._request_end("silence")

    # -- streaming: hand over each stretch of speech as soon as a pause closes it

    def _stream_chunk(self, block: np.ndarray, flags: list[bool]) -> None:
        if self.listener is None:
            return
        self._chunk_parts.append(block)
        self._chunk_flags.extend(flags)
        self._chunk_has_speech = self._chunk_has_speech or any(flags)
        length = sum(part.size for part in self._chunk_parts) / SAMPLE_RATE
        pause = _trailing_silence(self._chunk_flags) * FRAME / SAMPLE_RATE
        if self._chunk_has_speech and pause >= CHUNK_PAUSE_S and length >= MIN_CHUNK_S:
            self._emit_chunk()
        elif length >= self.settings.max_chunk_s:
            self._emit_chunk(cut=_last_pause_cut(self._chunk_flags) or
                             _best_cut(self._chunk_flags))
        elif self._chunk_has_speech and pause >= PAUSE_DECODE_S and not self._paused:
            self._paused = True
            head, offset = self._speech_part(np.concatenate(self._chunk_parts),
                                             self._chunk_flags, self._chunk_start)
            self._deliver(self.listener.pause, head, offset)
        if any(flags):
            self._paused = False

    def _speech_part(self, samples: np.ndarray, flags: list[bool],
                     start_sample: int) -> tuple[np.ndarray, float]:
        """The speech of a chunk with a little padding, not the silence around it (as the
        offline detector's clips are)."""
        first = flags.index(True)
        last = len(flags) - flags[::-1].index(True)
        start = max(0, (first - PAD_FRAMES) * FRAME)
        end = min(samples.size, (last + PAD_FRAMES) * FRAME)
        return samples[start:end], (start_sample + start) / SAMPLE_RATE

    def _deliver(self, method, samples: np.ndarray, offset: float) -> None:
        try:
            method(samples, offset)
        except Exception as error:  # a transcriber failure must not lose the recording
            self._error = self._error or f"streaming transcription failed: {error}"

    def _emit_chunk(self, cut: int | None = None, last: bool = False) -> None:
        """Hand over the chunk (up to frame `cut`; the rest starts the next chunk)."""
        if not self._chunk_parts:
            return
        samples = np.concatenate(self._chunk_parts)
        flags = self._chunk_flags
        keep = samples.size if cut is None else min(samples.size, cut * FRAME)
        head, tail = samples[:keep], samples[keep:]
        head_flags = flags if cut is None else flags[:cut]
        start_sample = self._chunk_start
        self._chunk_start += head.size
        self._paused = False
        self._chunk_parts = [tail] if tail.size else []
        self._chunk_flags = [] if cut is None else flags[cut:]
        self._chunk_has_speech = any(self._chunk_flags)
        if any(head_flags) and self.listener is not None:
            head, offset = self._speech_part(head, head_flags, start_sample)
            self._deliver(self.listener.last if last else self.listener.chunk, head, offset)

    def _close(self) -> None:
        if self.listener is not None:
            self._emit_chunk(last=True)
        if self._stream is not None:
            with contextlib.suppress(Exception):
                self._stream.close()
        duration = 0.0
        if self._writer is not None:
            duration = self._writer.duration
            self._writer.close()
        started = self._speech_started / SAMPLE_RATE if self._speech_started is not None \
            else None
        self._result = Recording(
            path=self.path, duration_s=round(duration, 3), ended_by=self._ended_by or "stopped",
            speech_started_s=round(started, 3) if started is not None else None,
            speech_s=round(self._speech_samples / SAMPLE_RATE, 3),
            device=self._device_name, vad=self._vad.kind if self._vad else "",
            error=self._error)
        self._done.set()


def _trailing_silence(flags: list[bool]) -> int:
    count = 0
    for flag in reversed(flags):
        if flag:
            break
        count += 1
    return count


def _last_pause_cut(flags: list[bool]) -> int | None:
    """Where to cut a chunk that reached its maximum length, as the offline chunker merges
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
    """Where to cut a chunk that reached its maximum length: the middle of the longest pause
    in its second half (not inside a word), or None to cut at the end."""
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
