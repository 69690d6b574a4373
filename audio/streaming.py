"""Streaming transcription: stretches of speech are decoded while the candidate is speaking.

The recorder hands over each stretch as soon as a pause closes it, and the open stretch when the
speaker pauses briefly; a background worker decodes them with the already-loaded model. When
the answer ends, the open stretch has mostly been decoded at its last pause already: that decode
is kept and only what was said after it is decoded, so the transcript — and the feedback —
follow at once.

A stretch kept as pieces (decoded early in parts, then closed by the end of the answer) is less
accurate than one decoded whole. `refine()`, called after `finish()`, decodes those stretches
whole again, so a caller can show the fast transcript at once and replace it a second or two
later with the refined one.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audio.chunker import ChunkKind
from audio.stt import SpeechToText
from audio.transcript import Segment, Transcript
from audio.vad import SAMPLE_RATE

MAX_EXTRA_S = 0.6  # a closed stretch may end in this much more padding than its early decode
# At a pause the open stretch is decoded early: whole while it is short, then only what was
# said since the previous early decode, so the decode still running when the answer ends is
# short (a decode costs much the same however short the audio: Whisper encodes a 30 s window).
FULL_EARLY_S = 8.0
MIN_PIECE_S = 1.5
# Early decodes (for the live caption, and pieces the answer may end on) are greedy: quicker,
# so less is left running when the answer ends, and the candidate's feedback comes sooner;
# what they decode counts as pieces, decoded again whole at full beam by `refine()` (or
# while the candidate is still speaking), so the stored transcript loses nothing.
EARLY_BEAM_SIZE = 1
FINISH_TIMEOUT_S = 120.0  # the stretches left when an answer ends take seconds, not minutes


class _Cancelled(Exception):
    def __str__(self) -> str:
        return "streaming transcription was cancelled"


@dataclass
class _Job:
    samples: np.ndarray
    offset: float
    kind: ChunkKind


@dataclass
class _Stretch:
    job: _Job
    segments: list[Segment]
    whole: bool  # from one decode of the whole stretch (not pieces)


class StreamingTranscriber:
    """A `ChunkListener` for the recorder (`Recorder(listener=...)`); `finish()` returns the
    transcript.

    `model` is the recogniser, or a function returning it (it may still be loading: stretches
    wait in the queue, in order). `on_text`, if given, hears the words recognised so far after
    each decode, from the decoding thread (it must return quickly).
    """

    def __init__(self, model: SpeechToText | Callable[[], SpeechToText],
                 on_text: Callable[[str], None] | None = None):
        self._model = model
        self._on_text = on_text
        self._queue: queue.Queue[_Job | None] = queue.Queue()
        self._stretches: list[_Stretch] = []
        self._early: tuple[float, np.ndarray, list[Segment], bool] | None = None
        # what the last early decode heard after the end of a stretch that has since been
        # closed: still shown in the caption until the next early decode replaces it
        self._caption_tail: list[Segment] = []
        self._lock = threading.Lock()
        self._error: BaseException | None = None
        self._stt: SpeechToText | None = None
        self._ending = threading.Event()  # finish() was called: latency matters now
        self._redo: int | None = None  # index of a closed stretch kept as pieces
        self._lengths = (0.0, 0.0)  # (duration, speech) given to finish()
        self._worker = threading.Thread(target=self._work, name="stream-stt", daemon=True)
        self._worker.start()
        self.decoded = 0  # stretches decoded
        self.reused = 0  # closed stretches whose early decode was used

    # the recorder's ChunkListener interface

    def chunk(self, samples: np.ndarray, offset_s: float) -> None:
        """A closed stretch of speech starting `offset_s` into the recording."""
        self._put(samples, offset_s, ChunkKind.CHUNK)

    def pause(self, samples: np.ndarray, offset_s: float) -> None:
        """The open stretch at a pause: decoded early if nothing newer is waiting."""
        self._put(samples, offset_s, ChunkKind.PAUSE)

    def last(self, samples: np.ndarray, offset_s: float) -> None:
        """The stretch still open when the answer ended."""
        self._put(samples, offset_s, ChunkKind.LAST)

    def _put(self, samples: np.ndarray, offset_s: float, kind: ChunkKind) -> None:
        self._queue.put(_Job(np.asarray(samples, dtype=np.float32).copy(), offset_s, kind))

    def partial_text(self) -> str:
        """The words recognised so far (for showing them while the candidate speaks)."""
        return " ".join(segment.text.strip() for segment in self._shown()).strip()

    def partial_until_s(self) -> float:
        """How far into the recording the words recognised so far reach (seconds)."""
        ends = [word.end for segment in self._shown() for word in segment.words] or \
            [segment.end for segment in self._shown()]
        return max(ends, default=0.0)

    def _shown(self) -> list[Segment]:
        with self._lock:
            committed = [segment for stretch in self._stretches
                         for segment in stretch.segments]
            early = self._early[2] if self._early else self._caption_tail
            return committed + list(early)

    def _recogniser(self) -> SpeechToText:
        if self._stt is None:
            self._stt = self._model() if callable(self._model) else self._model
        return self._stt

    def _early_prefix(self, job: _Job) -> tuple[int, list[Segment], bool] | None:
        """(length, segments, decoded whole) of the early decode if it covers the start of
        this stretch."""
        if self._early is None:
            return None
        offset, samples, segments, whole = self._early
        if abs(offset - job.offset) < 1e-6 and samples.size <= job.samples.size and \
                np.array_equal(job.samples[:samples.size], samples):
            return samples.size, segments, whole
        return None

    def _decode(self, job: _Job) -> tuple[list[Segment], int, bool]:
        """The segments of a stretch, how many of its samples they cover, and whether they
        come from one decode of the whole of it."""
        size = job.samples.size
        quick = job.kind is ChunkKind.PAUSE
        prefix = self._early_prefix(job)
        if prefix is None:
            return self._transcribe(job.samples, job.offset, quick), size, not quick
        length, early, early_whole = prefix
        rest = job.samples[length:]
        if quick:
            if size <= FULL_EARLY_S * SAMPLE_RATE:
                # short: decoding it whole costs little more than its new part
                return self._transcribe(job.samples, job.offset, quick), size, False
            if rest.size < MIN_PIECE_S * SAMPLE_RATE:
                return early, length, early_whole  # too little new speech for a decode
        else:
            if rest.size <= MAX_EXTRA_S * SAMPLE_RATE:
                # nothing was said since the early decode: the stretch closed at a pause,
                # perhaps the end of the answer, so nothing is decoded now; pieces are decoded
                # whole again once the candidate goes on speaking (see _process)
                self.reused += 1
                return early, size, early_whole
            if job.kind is ChunkKind.CHUNK and not self._ending.is_set():
                # a closed stretch, with time to spare: decode it whole (most accurate)
                return self._transcribe(job.samples, job.offset), size, True
            self.reused += 1
        # only what is new since the early decode, so the cost stays bounded
        return early + self._transcribe(rest, job.offset + length / SAMPLE_RATE,
                                        quick=True), size, False

    def _transcribe(self, samples: np.ndarray, offset_s: float,
                    quick: bool = False) -> list[Segment]:
        self.decoded += 1
        return self._recogniser().transcribe_chunk(
            samples, offset_s, beam_size=EARLY_BEAM_SIZE if quick else None)

    def _process(self, job: _Job) -> None:
        redo, self._redo = self._redo, None
        segments, covered, whole = self._decode(job)
        self._record(job, segments, covered, whole)
        if self._on_text is not None and not self._ending.is_set():
            self._on_text(self.partial_text())
        if redo is not None:
            # after the new speech is shown: the caption does not wait for this longer decode
            self._decode_again_whole(redo)

    def _record(self, job: _Job, segments: list[Segment], covered: int, whole: bool) -> None:
        with self._lock:
            if job.kind is ChunkKind.PAUSE:
                self._early = (job.offset, job.samples[:covered], segments, whole)
                self._caption_tail = []
            else:
                if not whole and job.kind is ChunkKind.CHUNK:
                    self._redo = len(self._stretches)
                self._stretches.append(_Stretch(job, segments, whole))
                end = job.offset + job.samples.size / SAMPLE_RATE
                self._caption_tail = [segment for segment in (self._early[2] if self._early
                                                              else []) if segment.start >= end]
                self._early = None

    def _decode_again_whole(self, index: int) -> None:
        """A closed stretch kept as pieces is decoded whole (more accurate) once more speech
        has come, i.e. when the answer did not end there; once the answer has ended that is
        left to `refine()`, so the first feedback does not wait for it."""
        if self._ending.is_set():
            return
        stretch = self._stretches[index]
        segments = self._transcribe(stretch.job.samples, stretch.job.offset)
        with self._lock:
            self._stretches[index] = _Stretch(stretch.job, segments, True)

    def _work(self) -> None:
        while True:
            job = self._queue.get()
            try:
                if job is None:
                    return
                if self._error is not None:
                    continue  # keep draining; finish() reports the error
                if job.kind is ChunkKind.PAUSE and not self._queue.empty():
                    continue  # newer audio is already waiting: this early decode is stale
                self._process(job)
            except BaseException as error:  # reported by finish()
                self._error = error
            finally:
                self._queue.task_done()

    def wait_idle(self) -> None:
        """Wait until every stretch handed over so far has been dealt with."""
        self._queue.join()

    def cancel(self, timeout: float = 10.0) -> None:
        """Stop decoding (the answer was abandoned): queued stretches are dropped, and the
        decode in progress is waited for, since a thread still inside the native decoder when
        the interpreter exits can crash it."""
        self._error = self._error or _Cancelled()
        self._queue.put(None)
        self._worker.join(timeout)

    def finish(self, duration_s: float, speech_s: float,
               timeout: float = FINISH_TIMEOUT_S) -> Transcript:
        """Wait for the queued stretches, then assemble the transcript (phantoms removed).
        Raises the first decoding error — or TimeoutError when the decoder has not finished
        within `timeout` — so the caller can fall back to the recording."""
        self._ending.set()
        self._queue.put(None)
        self._worker.join(timeout)
        if self._worker.is_alive():
            raise TimeoutError(f"the live transcription did not finish within {timeout:.0f} s")
        if self._error is not None:
            raise self._error
        self._lengths = (duration_s, speech_s)
        return self._assemble()

    def _assemble(self) -> Transcript:
        with self._lock:
            segments = sorted((segment for stretch in self._stretches
                               for segment in stretch.segments),
                              key=lambda segment: segment.start)
        return self._recogniser().finish(segments, *self._lengths)

    @property
    def pieced(self) -> int:
        """How many stretches of the finished transcript were decoded in pieces."""
        with self._lock:
            return sum(not stretch.whole for stretch in self._stretches)

    def refine(self) -> Transcript | None:
        """After `finish()`: the stretches kept as pieces decoded whole, and the transcript
        assembled again; None when every stretch was already decoded whole."""
        if self._worker.is_alive():
            raise RuntimeError("refine() is for after finish()")
        pieced = [index for index, stretch in enumerate(self._stretches) if not stretch.whole]
        if not pieced:
            return None
        for index in pieced:
            job = self._stretches[index].job
            segments = self._transcribe(job.samples, job.offset)
            with self._lock:
                self._stretches[index] = _Stretch(job, segments, True)
        return self._assemble()
