"""The one path every answer takes: opened, captured, transcribed (if spoken), scored, stored.

    with open_session(store, SessionMode.PRACTICE, bank, settings) as session_id:
        pipeline = AnswerPipeline(store, scorer.result, recogniser.result,
                                  session_id=session_id, bank=bank, work=work)
        ticket = pipeline.open(question, prompt, kind=AnswerKind.SPOKEN, audio_path=path)
        captured = source.capture(ticket)      # interviewer.answer_sources: microphone, typed, ...
        result = pipeline.finish(ticket, captured)
        refined = result.refinement.result() if result.refinement else None   # streamed
        corrected = pipeline.correct(ticket, "what the candidate says they said", ...)

The pipeline is the only writer of answer rows. A streamed answer is scored at once from the
transcript made while it was spoken; its refinement (the stretches decoded in pieces, decoded
whole again) runs in the background, and what it gives replaces the first result in the store,
unless the candidate has corrected the transcript by then: a correction is never overwritten.
The recogniser's transcript is kept beside a correction.

Practice, the demo, review and rescore all use it, so an answer is handled the same way
everywhere. The row exists before the answer is captured and is updated at each step, so a
failure leaves the recording and whatever was done, and `interviewer rescore` can finish the
rest. Without a store (`review --no-store`) nothing is written and the result is the same.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from audio.capture import EndedBy
from audio.errors import ModelError
from audio.transcript import Transcript
from bank import Bank, Question
from interviewer.corrections import corrected_words
from interviewer.states import AnswerKind, AnswerStatus, SessionMode, SessionStatus, TranscriptPass
from interviewer.storage import Store, now
from scoring import AnswerScorer, ScoreReport, TimedWord

if TYPE_CHECKING:
    from audio.streaming import StreamingTranscriber
    from audio.stt import SpeechToText
    from interviewer.work import BackgroundWork


@contextlib.contextmanager
def open_session(store: Store | None, mode: SessionMode, bank: Bank,
                 settings: dict[str, Any]) -> Iterator[int | None]:
    """A stored session for practice, the demo or a review: its row is made now and closed
    as completed, or as interrupted when the block ends with an exception (Ctrl-C included).
    Yields the session id (None without a store: nothing is written)."""
    if store is None:
        yield None
        return
    session_id = store.create_session(mode, bank.id, bank.version, bank.source, settings)
    status = SessionStatus.INTERRUPTED
    try:
        yield session_id
        status = SessionStatus.COMPLETED
    finally:
        store.finish_session(session_id, status)


@dataclass(frozen=True)
class AnswerTicket:
    """An answer being given: its question, and its row (None when nothing is stored)."""

    answer_id: int | None
    question: Question
    prompt: str
    attempt: int
    kind: AnswerKind
    audio_path: Path | None = None


@dataclass(frozen=True)
class CapturedAnswer:
    """What a source captured: typed text, or audio (with its transcript when it was
    transcribed while it was spoken)."""

    text: str | None = None
    audio_path: Path | None = None
    samples: np.ndarray | None = None  # the audio, when already in memory
    duration_s: float | None = None
    transcript: Transcript | None = None
    # a fresh recording: how it went, and the transcriber that listened while it was spoken
    ended_by: EndedBy | None = None
    lead_in_s: float | None = None
    speech_s: float | None = None
    streamer: StreamingTranscriber | None = None


@dataclass(frozen=True)
class AnswerResult:
    answer_id: int | None
    question: Question
    report: ScoreReport
    transcript: Transcript | None = None  # None for typed answers
    text: str = ""  # what was scored: the transcript, typed or corrected text
    transcript_pass: TranscriptPass | None = None  # spoken answers
    corrected: bool = False
    # a streamed answer's refined result, coming: None when refining changed nothing
    refinement: Future[AnswerResult | None] | None = None


class AnswerPipeline:
    """The only writer of answer rows. `store` or `session_id` None: nothing is written.

    `scorer` and `recogniser` are functions returning them (they may still be loading in the
    background: called when first needed); the recogniser is needed for spoken answers that
    were not transcribed while spoken. `work` runs the background parts (preparing a
    question, refining); without it they run in the caller or not at all. `on_note` hears what
    the candidate should know (a fallback taken), `busy` wraps the waits they may notice."""

    def __init__(self, store: Store | None, scorer: Callable[[], AnswerScorer],
                 recogniser: Callable[[], SpeechToText] | None = None, *,
                 session_id: int | None = None, bank: Bank | None = None,
                 work: BackgroundWork | None = None,
                 on_note: Callable[[str], None] | None = None,
                 busy: Callable[[str], AbstractContextManager] | None = None):
        self.store = store
        self.scorer = scorer
        self.recogniser = recogniser
        self.session_id = session_id
        self.bank = bank
        self.work = work
        self.on_note = on_note or (lambda _note: None)
        self.busy = busy or (lambda _message: contextlib.nullcontext())
        # answers the candidate corrected: a refinement finishing later must not overwrite
        self._corrected: set[int] = set()
        self._rows = threading.Lock()

    # ------------------------------------------------------------------ the row

    def open(self, question: Question, prompt: str, *, kind: AnswerKind, attempt: int = 1,
             follow_up_of: int | None = None, audio_path: Path | None = None,
             source_path: str | None = None,
             source_sha256: str | None = None) -> AnswerTicket:
        """An answer about to be given; its row is written now, before anything is said. A
        reviewed file (`source_sha256`, its content) already reviewed for this question
        takes that answer's row again, so reviewing it twice never adds a row."""
        answer_id = None
        if self.store is not None and self.session_id is not None:
            bank = self.bank
            if source_sha256 is not None:
                answer_id = self.store.reviewed_answer(source_sha256, question.id)
            if answer_id is not None and audio_path is not None and source_path is not None:
                self.store.review_again(answer_id, self.session_id, prompt,
                                        bank.version if bank else "", audio_path, source_path)
            else:
                answer_id = self.store.start_answer(
                    self.session_id, question.id, bank.id if bank else "",
                    bank.version if bank else "", question.category, prompt, attempt,
                    follow_up_of=follow_up_of, audio_path=audio_path,
                    source_path=source_path, kind=kind, source_sha256=source_sha256)
        self._prepare(question)
        return AnswerTicket(answer_id, question, prompt, attempt, kind, audio_path)

    def _prepare(self, question: Question) -> None:
        """Build the scorer's model of the question while the answer is being given (it
        would otherwise add to the wait for the first score)."""
        def prepare() -> None:
            with contextlib.suppress(Exception):  # finish() meets and reports any error
                self.scorer().prepare([question])

        if self.work is not None:
            self.work.submit(prepare)

    def reopen(self, answer_id: int, question: Question, prompt: str, kind: AnswerKind,
               audio_path: Path | None) -> AnswerTicket:
        """A stored answer, to be finished or scored again."""
        return AnswerTicket(answer_id, question, prompt, 1, kind, audio_path)

    def update(self, ticket: AnswerTicket, **values) -> None:
        if self.store is not None and ticket.answer_id is not None:
            with self._rows:
                self.store.update_answer(ticket.answer_id, **values)

    def keep_typed(self, ticket: AnswerTicket, text: str) -> None:
        """A typed answer so far, stored as each line is ended: a killed process keeps it."""
        self.update(ticket, transcript_text=text)

    def discard(self, ticket: AnswerTicket) -> None:
        """The source had nothing to give (typed input ended): no answer, no row."""
        if self.store is not None and ticket.answer_id is not None:
            self.store.delete_answer(ticket.answer_id)

    def fail(self, ticket: AnswerTicket, status: AnswerStatus, error: str | None = None,
             **values) -> None:
        self.update(ticket, status=status, error=error, ended_at=now(), **values)

    # ------------------------------------------------------------------ the answer

    def finish(self, ticket: AnswerTicket, captured: CapturedAnswer) -> AnswerResult:
        """Transcribe (unless typed or already transcribed), score and store."""
        scorer = self.scorer()
        if captured.text is not None:
            self.update(ticket, status=AnswerStatus.TRANSCRIBED, transcript_text=captured.text)
            report = scorer.score_text(captured.text, ticket.question)
            return self._scored(ticket, report, None, text=captured.text)
        try:
            if captured.ended_by is not None:
                self.update(ticket, status=AnswerStatus.RECORDED,
                            duration_s=captured.duration_s, lead_in_s=captured.lead_in_s,
                            ended_by=captured.ended_by)
            transcript, transcript_pass = captured.transcript, None  # rescoring a stored one
            if transcript is None:
                transcript = self._streamed(ticket, captured)
                transcript_pass = TranscriptPass.STREAMED
            if transcript is None:
                transcript = self.transcribe(ticket, captured)
                transcript_pass = TranscriptPass.RECORDING
        except BaseException:
            # whatever failed (a full disk, say), no decode may outlive the answer: a native
            # thread still decoding when the interpreter exits aborts it
            if captured.streamer is not None:
                captured.streamer.cancel()
            raise
        duration = captured.duration_s
        if duration is None:  # a file read in windows: its length is known now
            duration = transcript.duration
            self.update(ticket, duration_s=duration)
        cut_off = captured.ended_by is EndedBy.TIME_LIMIT
        report = scorer.score_words(timed_words(transcript), ticket.question, duration,
                                    time_limit_reached=cut_off)
        result = self._scored(ticket, report, transcript, text=transcript.text,
                              transcript_pass=transcript_pass)
        streamer = captured.streamer
        if transcript_pass is TranscriptPass.STREAMED and streamer is not None and \
                streamer.pieced and self.work is not None:
            result = replace(result, refinement=self.work.submit(
                self._refine, ticket, streamer, transcript, duration, cut_off))
        return result

    def _refine(self, ticket: AnswerTicket, streamer: StreamingTranscriber,
                first: Transcript, duration: float | None,
                cut_off: bool = False) -> AnswerResult | None:
        """The streamed answer's stretches kept as pieces decoded whole; the new transcript
        and score are stored when the text changed and the candidate has not corrected it
        meanwhile (then the refined one is dropped: None)."""
        transcript = streamer.refine()
        if transcript is None:
            return None
        report = None
        changed = transcript.text.strip() != first.text.strip()
        if changed:
            report = self.scorer().score_words(timed_words(transcript), ticket.question,
                                               duration, time_limit_reached=cut_off)
        with self._rows:
            if ticket.answer_id in self._corrected:
                return None
            if not changed:
                self._write(ticket, transcript_pass=TranscriptPass.REFINED)
                return None
            self._write(ticket, **{**self._transcript_values(transcript,
                                                             TranscriptPass.REFINED),
                                   **self._score_values(report)})
        return AnswerResult(ticket.answer_id, ticket.question, report, transcript,
                            text=transcript.text, transcript_pass=TranscriptPass.REFINED)

    def correct(self, ticket: AnswerTicket, text: str, recognised: Transcript | None,
                recognised_text: str | None, duration_s: float | None,
                ended_by: EndedBy | None = None) -> AnswerResult:
        """The candidate's own text for what they said: scored with the recording's times
        (the words they kept keep theirs), stored with the recogniser's transcript kept
        beside it. Text equal to the recogniser's removes the correction. A refinement still
        being made for this answer is dropped. `ended_by`: how the recording ended."""
        text = text.strip()
        heard = recognised.text if recognised is not None else (recognised_text or "")
        undo = text == heard.strip()
        if ticket.answer_id is not None:
            self._corrected.add(ticket.answer_id)
        scorer = self.scorer()
        if recognised is not None:
            words = timed_words(recognised) if undo else \
                corrected_words(timed_words(recognised), text)
            report = scorer.score_words(words, ticket.question, duration_s,
                                        time_limit_reached=ended_by is EndedBy.TIME_LIMIT)
        else:
            report = scorer.score_text(text, ticket.question)
        # the text and its score in one write: a kill between them would leave the new text
        # beside the old score
        self.update(ticket, transcript_text=text, recognised_text=None if undo else heard,
                    corrected_at=None if undo else now(), **self._score_values(report))
        return AnswerResult(ticket.answer_id, ticket.question, report, recognised, text=text,
                            corrected=not undo)

    def _streamed(self, ticket: AnswerTicket, captured: CapturedAnswer) -> Transcript | None:
        """The transcript made while the answer was spoken (only its last stretch is left to
        decode), or None if there is none or it failed: the recording is on disk."""
        if captured.streamer is None:
            return None
        try:
            with self.busy("Finishing the transcript"):
                transcript = captured.streamer.finish(captured.duration_s or 0.0,
                                                      captured.speech_s or 0.0)
        except ModelError:
            raise  # the recogniser cannot load: transcribing afresh would fail too
        except Exception as error:
            captured.streamer.cancel()
            self.on_note(f"live transcription failed ({error}); transcribing the recording "
                         "instead")
            return None
        self.save_transcript(ticket, transcript, TranscriptPass.STREAMED)
        return transcript

    def transcribe(self, ticket: AnswerTicket, captured: CapturedAnswer) -> Transcript:
        """The whole recording, transcribed now (its row is updated either way); a file is
        read two minutes at a time, so a long one never sits in memory whole."""
        if self.recogniser is None:
            raise RuntimeError("a spoken answer needs a speech recogniser")
        try:
            with self.busy("Transcribing the answer"):
                recogniser = self.recogniser()
                transcript = recogniser.transcribe(captured.samples) \
                    if captured.samples is not None \
                    else recogniser.transcribe_file(captured.audio_path)
        except Exception as error:
            self.update(ticket, status=AnswerStatus.FAILED,
                        error=f"transcription failed: {error}")
            raise
        self.save_transcript(ticket, transcript, TranscriptPass.RECORDING)
        return transcript

    def save_transcript(self, ticket: AnswerTicket, transcript: Transcript,
                        transcript_pass: TranscriptPass) -> None:
        self.update(ticket, **self._transcript_values(transcript, transcript_pass))

    def _scored(self, ticket: AnswerTicket, report: ScoreReport,
                transcript: Transcript | None, **facts) -> AnswerResult:
        self.update(ticket, **self._score_values(report))
        return AnswerResult(ticket.answer_id, ticket.question, report, transcript, **facts)

    @staticmethod
    def _transcript_values(transcript: Transcript, transcript_pass: TranscriptPass) -> dict:
        return {"status": AnswerStatus.TRANSCRIBED, "transcript_text": transcript.text,
                "transcript": transcript, "backend": transcript.backend,
                "model": transcript.model, "transcript_pass": transcript_pass}

    @staticmethod
    def _score_values(report: ScoreReport) -> dict:
        return {"status": AnswerStatus.SCORED, "score": report.score,
                "band": report.band.value, "report": report, "ended_at": now(), "error": None}

    def _write(self, ticket: AnswerTicket, **values) -> None:
        """`update`, for callers already holding the row lock."""
        if self.store is not None and ticket.answer_id is not None:
            self.store.update_answer(ticket.answer_id, **values)


def timed_words(transcript: Transcript) -> list[TimedWord]:
    return [TimedWord(word.text, word.start, word.end, word.probability)
            for word in transcript.words]
