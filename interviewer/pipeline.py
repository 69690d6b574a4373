"""The one path every answer takes: opened, captured, transcribed (if spoken), scored, stored.

    pipeline = AnswerPipeline(store, scorer, recogniser, session_id)
    ticket = pipeline.open(question, prompt, kind="spoken", audio_path=path)
    captured = source.capture(ticket)          # interviewer.sources: microphone, typed, ...
    result = pipeline.finish(ticket, captured)
    refined = result.refinement.wait() if result.refinement else None   # streamed answers
    corrected = pipeline.correct(ticket, "what the candidate says they said", ...)

A streamed answer is scored at once from the transcript made while it was spoken; its
refinement (the stretches decoded in pieces, decoded whole again) runs on a thread, and what it
gives replaces the first result in the store. A correction keeps the recogniser's transcript
beside the candidate's text.

Practice, the demo, review and rescore all use it, so an answer is handled the same way
everywhere. The row exists before the answer is captured and is updated at each step, so a
failure leaves the recording and whatever was done, and `interviewer rescore` can finish the
rest. Without a store (`review --no-store`) nothing is written and the result is the same.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Generic, TypeVar

import numpy as np

from audio.errors import ModelError
from audio.transcript import Transcript
from bank import Bank, Question
from interviewer.corrections import corrected_words
from interviewer.storage import Store, now
from scoring import AnswerScorer, ScoreReport, TimedWord

if TYPE_CHECKING:
    from audio.streaming import StreamingTranscriber

T = TypeVar("T")


class Lazy(Generic[T]):
    """A value, or a function that returns it (it may still be being built on a thread); the
    function is called once, when the value is first needed, from whichever thread."""

    def __init__(self, value: T | Callable[[], T]):
        self._value = value
        self._resolved = not callable(value)
        self._lock = threading.Lock()

    def get(self) -> T:
        with self._lock:
            if not self._resolved:
                self._value = self._value()  # type: ignore[operator]
                self._resolved = True
        return self._value  # type: ignore[return-value]


@dataclass(frozen=True)
class AnswerTicket:
    """An answer being given: its question, and its row (None when nothing is stored)."""

    answer_id: int | None
    question: Question
    prompt: str
    attempt: int
    kind: str  # "spoken" or "typed"
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
    ended_by: str | None = None
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
    transcript_pass: str | None = None  # streamed, refined, recording (spoken answers)
    corrected: bool = False
    refinement: Refinement | None = None  # a streamed answer's refined result, coming


class Refinement:
    """A streamed answer's refined result, made on a thread: `wait()` gives the new result,
    or None when refining changed nothing or failed (`error` says why; the first result
    stands, and it is already stored)."""

    def __init__(self, work: Callable[[], AnswerResult | None]):
        self.error: BaseException | None = None
        self._result: AnswerResult | None = None
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._run, args=(work,), name="refine",
                                        daemon=True)
        self._thread.start()

    def _run(self, work: Callable[[], AnswerResult | None]) -> None:
        try:
            self._result = work()
        except Exception as error:
            self.error = error
        finally:
            self._done.set()

    @property
    def ready(self) -> bool:
        return self._done.is_set()

    def wait(self, timeout: float | None = None) -> AnswerResult | None:
        self._done.wait(timeout)
        return self._result


class AnswerPipeline:
    """`store` None: nothing is written. `recogniser` is needed for spoken answers that were
    not transcribed while spoken; `on_note` hears what the candidate should know (a fallback
    taken), `busy` wraps the waits the candidate may notice."""

    def __init__(self, store: Store | None, scorer: Lazy[AnswerScorer],
                 recogniser: Lazy | None = None, *, session_id: int | None = None,
                 bank: Bank | None = None, on_note: Callable[[str], None] | None = None,
                 busy: Callable[[str], AbstractContextManager] | None = None):
        self.store = store
        self.scorer = scorer
        self.recogniser = recogniser
        self.session_id = session_id
        self.bank = bank
        self.on_note = on_note or (lambda _note: None)
        self.busy = busy or (lambda _message: contextlib.nullcontext())

    # ------------------------------------------------------------------ the row

    def open(self, question: Question, prompt: str, *, kind: str, attempt: int = 1,
             follow_up_of: int | None = None, audio_path: Path | None = None,
             source_path: str | None = None) -> AnswerTicket:
        """An answer about to be given; its row is written now, before anything is said."""
        answer_id = None
        if self.store is not None and self.session_id is not None:
            bank = self.bank
            answer_id = self.store.start_answer(
                self.session_id, question.id, bank.id if bank else "",
                bank.version if bank else "", question.category, prompt, attempt,
                follow_up_of=follow_up_of, audio_path=audio_path, source_path=source_path,
                kind=kind)
        self._prepare(question)
        return AnswerTicket(answer_id, question, prompt, attempt, kind, audio_path)

    def _prepare(self, question: Question) -> None:
        """Build the scorer's model of the question while the answer is being given (it
        would otherwise add ~0.2 s to the wait for the first score)."""
        def prepare() -> None:
            with contextlib.suppress(Exception):  # finish() meets and reports any error
                self.scorer.get().prepare([question])

        threading.Thread(target=prepare, name="prepare-question", daemon=True).start()

    def reopen(self, answer_id: int, question: Question, prompt: str, kind: str,
               audio_path: Path | None) -> AnswerTicket:
        """A stored answer, to be finished or scored again."""
        return AnswerTicket(answer_id, question, prompt, 1, kind, audio_path)

    def update(self, ticket: AnswerTicket, **values) -> None:
        if self.store is not None and ticket.answer_id is not None:
            self.store.update_answer(ticket.answer_id, **values)

    def discard(self, ticket: AnswerTicket) -> None:
        """The source had nothing to give (typed input ended): no answer, no row."""
        if self.store is not None and ticket.answer_id is not None:
            self.store.delete_answer(ticket.answer_id)

    def fail(self, ticket: AnswerTicket, status: str, error: str | None = None,
             **values) -> None:
        self.update(ticket, status=status, error=error, ended_at=now(), **values)

    # ------------------------------------------------------------------ the answer

    def finish(self, ticket: AnswerTicket, captured: CapturedAnswer) -> AnswerResult:
        """Transcribe (unless typed or already transcribed), score and store."""
        scorer = self.scorer.get()
        if captured.text is not None:
            self.update(ticket, status="transcribed", transcript_text=captured.text)
            report = scorer.score_text(captured.text, ticket.question)
            return self._scored(ticket, report, None, text=captured.text)
        try:
            if captured.ended_by is not None:
                self.update(ticket, status="recorded", duration_s=captured.duration_s,
                            lead_in_s=captured.lead_in_s, ended_by=captured.ended_by)
            transcript, transcript_pass = captured.transcript, None  # rescoring a stored one
            if transcript is None:
                transcript, transcript_pass = self._streamed(ticket, captured), "streamed"
            if transcript is None:
                transcript, transcript_pass = self.transcribe(ticket, captured), "recording"
        finally:
            # whatever failed (a full disk, say), no decode may outlive the answer: a native
            # thread still decoding when the interpreter exits aborts it
            if captured.streamer is not None:
                captured.streamer.cancel()
        duration = captured.duration_s
        if duration is None:  # a file read in windows: its length is known now
            duration = transcript.duration
            self.update(ticket, duration_s=duration)
        report = scorer.score_words(timed_words(transcript), ticket.question, duration)
        result = self._scored(ticket, report, transcript, text=transcript.text,
                              transcript_pass=transcript_pass)
        streamer = captured.streamer
        if transcript_pass == "streamed" and streamer is not None and streamer.pieced:
            result = replace(result, refinement=Refinement(
                lambda: self._refine(ticket, streamer, transcript, duration)))
        return result

    def _refine(self, ticket: AnswerTicket, streamer: StreamingTranscriber,
                first: Transcript, duration: float | None) -> AnswerResult | None:
        """The streamed answer's stretches kept as pieces decoded whole; the new transcript
        and score are stored when the text changed."""
        transcript = streamer.refine()
        if transcript is None:
            return None
        if transcript.text.strip() == first.text.strip():
            self.update(ticket, transcript_pass="refined")
            return None
        self.save_transcript(ticket, transcript, "refined")
        report = self.scorer.get().score_words(timed_words(transcript), ticket.question,
                                               duration)
        return self._scored(ticket, report, transcript, text=transcript.text,
                            transcript_pass="refined")

    def correct(self, ticket: AnswerTicket, text: str, recognised: Transcript | None,
                recognised_text: str | None, duration_s: float | None) -> AnswerResult:
        """The candidate's own text for what they said: scored with the recording's times
        (the words they kept keep theirs), stored with the recogniser's transcript kept
        beside it. Text equal to the recogniser's removes the correction."""
        text = text.strip()
        heard = recognised.text if recognised is not None else (recognised_text or "")
        undo = text == heard.strip()
        self.update(ticket, transcript_text=text, recognised_text=None if undo else heard,
                    corrected_at=None if undo else now())
        scorer = self.scorer.get()
        if recognised is not None:
            words = corrected_words(timed_words(recognised), text)
            report = scorer.score_words(words, ticket.question, duration_s)
        else:
            report = scorer.score_text(text, ticket.question)
        return self._scored(ticket, report, recognised, text=text, corrected=not undo)

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
            self.on_note(f"live transcription failed ({error}); transcribing the recording "
                         "instead")
            return None
        self.save_transcript(ticket, transcript, "streamed")
        return transcript

    def transcribe(self, ticket: AnswerTicket, captured: CapturedAnswer) -> Transcript:
        """The whole recording, transcribed now (its row is updated either way); a file is
        read two minutes at a time, so a long one never sits in memory whole."""
        if self.recogniser is None:
            raise RuntimeError("a spoken answer needs a speech recogniser")
        try:
            with self.busy("Transcribing the answer"):
                recogniser = self.recogniser.get()
                transcript = recogniser.transcribe(captured.samples) \
                    if captured.samples is not None \
                    else recogniser.transcribe_file(captured.audio_path)
        except Exception as error:
            self.update(ticket, status="failed", error=f"transcription failed: {error}")
            raise
        self.save_transcript(ticket, transcript, "recording")
        return transcript

    def save_transcript(self, ticket: AnswerTicket, transcript: Transcript,
                        transcript_pass: str) -> None:
        self.update(ticket, status="transcribed", transcript_text=transcript.text,
                    transcript=transcript, backend=transcript.backend, model=transcript.model,
                    transcript_pass=transcript_pass)

    def _scored(self, ticket: AnswerTicket, report: ScoreReport,
                transcript: Transcript | None, **facts) -> AnswerResult:
        self.update(ticket, status="scored", score=report.score, band=report.band.value,
                    report=report, ended_at=now(), error=None)
        return AnswerResult(ticket.answer_id, ticket.question, report, transcript, **facts)



def timed_words(transcript: Transcript) -> list[TimedWord]:
    return [TimedWord(word.text, word.start, word.end, word.probability)
            for word in transcript.words]
