"""A mock interview: greeting, questions, answers, feedback, retries and follow-ups.

The answers come from a source (`interviewer.answer_sources`: spoken, typed, or the demo's synthetic
candidate) and go through the answer pipeline (`interviewer.pipeline`). Each answer's row and
recording are written before transcription, so nothing said is lost: Ctrl-C ends the session
cleanly, keeps every answer so far (a partial one too), and says how to finish them later
(`interviewer rescore`).
"""

from __future__ import annotations

import logging
import os
import tempfile
import threading
from concurrent.futures import Future, wait
from dataclasses import dataclass
from pathlib import Path

from audio.capture import EndedBy
from audio.errors import AudioDeviceError, SpeechEngineError
from bank import Bank, FollowUp, Question
from interviewer.answer_sources import AnswerInterrupted, AnswerSource, answer_time_limit
from interviewer.errors import UserError
from interviewer.follow_ups import follow_up_question
from interviewer.keys import CHOICES, EDIT_CHOICE
from interviewer.pipeline import AnswerPipeline, AnswerResult, AnswerTicket
from interviewer.states import AnswerKind, AnswerStatus, SessionMode, SessionStatus
from interviewer.ui import Frontend

log = logging.getLogger(__name__)
REFINE_WAIT_S = 60.0  # refining is a few seconds' work; never wait forever on it


@dataclass(frozen=True)
class SessionPlan:
    questions: list[Question]
    mode: SessionMode  # what the session is stored as
    follow_ups: bool = True
    spoken_summary: bool = True
    time_limit: int | None = None  # the candidate's own, over each question's


@dataclass
class SessionSummary:
    session_id: int
    results: list[AnswerResult]
    status: SessionStatus


class PracticeSession:
    """`speaker` None: nothing is spoken (questions are shown only). `run(pipeline)` asks the
    questions; the pipeline, made for the stored session, writes every answer."""

    def __init__(self, bank: Bank, plan: SessionPlan, ui: Frontend, source: AnswerSource,
                 speaker=None):
        self.bank = bank
        self.plan = plan
        self.ui = ui
        self.source = source
        self.speaker = speaker
        self.pipeline: AnswerPipeline | None = None
        self.results: list[AnswerResult] = []
        self._intro = ""
        self._follow_up_of: tuple[int | None, str] | None = None  # (answer id, concept)
        self._ticket: AnswerTicket | None = None  # the latest answer's
        self._pending: Future[AnswerResult | None] | None = None  # its refinement, coming
        self._ended_by: EndedBy | None = None  # how its recording ended
        # what the interviewer is saying while the candidate may press keys, and its stop
        self._speaking: tuple[threading.Thread, threading.Event] | None = None
        spoken = source.kind is AnswerKind.SPOKEN
        self.choices = {**CHOICES, **EDIT_CHOICE} if spoken else CHOICES

    @property
    def _empty_hint(self) -> str:
        if self.source.kind is AnswerKind.SPOKEN:
            return "Nothing was heard. Answer aloud, or check the microphone with " \
                   "'interviewer devices'."
        return "Nothing was typed."

    @property
    def session_id(self) -> int:
        return (self.pipeline.session_id if self.pipeline else None) or 0

    # ------------------------------------------------------------------ the session

    def run(self, pipeline: AnswerPipeline) -> SessionSummary:
        self.pipeline = pipeline
        try:
            self._greet()
            total = len(self.plan.questions)
            for index, question in enumerate(self.plan.questions, start=1):
                if not self._question(index, total, question):
                    break
            self._hush()
        except BaseException:
            self._hush()
            self.ui.warn(f"Session {self.session_id} stopped; {len(self.results)} scored "
                         "answer(s) and any partial recording are kept. "
                         "'interviewer rescore' finishes unscored answers.")
            raise
        self._summary()
        return SessionSummary(self.session_id, self.results, SessionStatus.COMPLETED)

    def _greet(self) -> None:
        """A short welcome, spoken together with the first question (no wait before it)."""
        count = len(self.plan.questions)
        self._intro = (f"Welcome. {count} question{'s' if count != 1 else ''} for the "
                       f"{self.bank.title} role. First question.")
        self.ui.heading(f"{self.bank.title} practice, session {self.session_id}")
        how = {SessionMode.TEXT: "type each answer",
               SessionMode.DEMO: "a synthetic candidate answers"}.get(self.plan.mode,
                                                                      "answer aloud")
        keys = (" Keys after each answer: " + ", ".join(
            f"{key} {label}" for key, label in self.choices.items()) + ".") \
            if self.ui.interactive else ""
        if self.ui.interactive and self.speaker is not None:
            keys += " Any key skips what the interviewer is saying."
        self.ui.info(f"{count} question(s); {how}.{keys}")

    def _question(self, index: int, total: int, question: Question) -> bool:
        """Ask one question, with retries and a follow-up. False when the candidate quits."""
        prompt, attempt = question.text, 1
        asked, asked_follow_up = question, False  # a follow-up is scored as its own question
        self._follow_up_of = None
        self.ui.question(index, total, question, prompt, self._time_limit(question))
        self._say(f"{self._intro} {prompt}" if self._intro else prompt)
        self._intro = ""
        while True:
            result = self._answer(asked, prompt, attempt)
            if result is None:  # no more answers (typed input ended)
                return False
            choice = self._choose(asked, prompt)
            if choice == "q":
                return False
            attempt += 1
            if choice == "r":
                self.ui.interviewer("Let's try that one again.")
                continue
            # the refined or corrected result, if any
            result = self.results[-1]
            follow_up = None if asked_follow_up else self._follow_up_for(question, result)
            if follow_up is None:
                return True
            asked_follow_up, prompt = True, follow_up.text
            asked = follow_up_question(question, follow_up)
            # kept until the next question: a retry of the follow-up is a follow-up too
            self._follow_up_of = (result.answer_id, follow_up.concept)
            self.ui.heading(f"Follow-up on {question.id} ({follow_up.concept})")
            self.ui.interviewer(prompt)
            self._say(prompt)

    def _time_limit(self, question: Question) -> float | None:
        """The limit shown with the question: the one the recorder keeps to for a spoken
        answer; for a typed one, a guide."""
        if self.source.kind is AnswerKind.SPOKEN:
            return answer_time_limit(self.plan.time_limit, question)
        return self.plan.time_limit or question.time_limit

    def _choose(self, question: Question, prompt: str) -> str:
        """The candidate's next step; hearing the question, reading the model answer and
        correcting the transcript come back here. A refined transcript is shown when it
        arrives, and is always in place before the session moves on."""
        while True:
            choice = self.ui.choose(self.choices, default="n", idle=self._refinement_arrived)
            self._hush()  # the key acts now, not after the spoken summary
            self._settle()
            if choice == "h":
                self._say(prompt)
            elif choice == "m":
                self.ui.console.print(f"\nModel answer:\n{question.model_answer}",
                                      markup=False, highlight=False)
            elif choice == "e":
                self._edit(question)
            else:
                return choice

    def _refinement_arrived(self) -> bool:
        """Show the refined transcript if it is ready; True when something was shown."""
        if self._pending is None or not self._pending.done():
            return False
        return self._apply_refinement()

    def _settle(self) -> None:
        """Wait for the refined transcript (a second or two after the feedback)."""
        if self._pending is None:
            return
        if not self._pending.done():
            with self.ui.busy("Refining the transcript"):
                wait([self._pending], REFINE_WAIT_S)
        self._apply_refinement()

    def _apply_refinement(self) -> bool:
        pending, self._pending = self._pending, None
        if not pending.done():  # it took too long: the first transcript stands
            self.ui.warn("refining the transcript took too long; the first transcript is "
                         "kept")
            return True
        error = pending.exception()
        if error is not None:
            self.ui.warn(f"refining the transcript failed ({error}); the first transcript "
                         "is kept")
            return True
        refined = pending.result()
        if refined is None:
            return False  # the refined transcript said the same
        before, self.results[-1] = self.results[-1], refined
        self.ui.refined(before.report, refined.report, before.text, refined.text)
        return True

    def _edit(self, question: Question) -> None:
        """The candidate corrects the transcript; the answer is scored again from it."""
        self._pending = None  # a refinement arriving later is dropped by the pipeline
        current = self.results[-1]
        edited = self.ui.edit_text(current.text)
        if edited is None:
            self.ui.info("Transcript unchanged.")
            return
        heard = current.transcript
        result = self.pipeline.correct(self._ticket, edited, heard,
                                       None if heard else current.text,
                                       heard.duration if heard else None,
                                       ended_by=self._ended_by)
        self.results[-1] = result
        self.ui.info("Corrected; the recogniser's transcript is kept beside yours "
                     "('interviewer history --json' shows both).")
        self.ui.feedback(result.report, question, empty_hint=self._empty_hint)

    def _follow_up_for(self, question: Question, result: AnswerResult) -> FollowUp | None:
        if not self.plan.follow_ups or result.report.band == "empty":
            return None
        missed = {concept.name for concept in result.report.missed}
        return next((item for item in question.follow_ups if item.concept in missed), None)

    # ------------------------------------------------------------------ one answer

    def _answer(self, question: Question, prompt: str, attempt: int) -> AnswerResult | None:
        spoken = self.source.kind is AnswerKind.SPOKEN
        store = self.pipeline.store
        path = store.recording_path(self.session_id, question.id, attempt) \
            if spoken and store is not None else None
        ticket = self.pipeline.open(question, prompt, kind=self.source.kind, attempt=attempt,
                                    follow_up_of=self._parent(), audio_path=path)
        captured = self._capture(ticket)
        if captured is None:
            self.pipeline.discard(ticket)
            self.ui.info("No more input: ending the session.")
            return None
        try:
            result = self.pipeline.finish(ticket, captured)
        except UserError:
            if captured.text is not None:
                self._keep_typed(captured.text)
            raise
        self._ticket, self._pending = ticket, result.refinement
        self._ended_by = captured.ended_by
        if result.transcript is not None:
            self.ui.transcript(result.transcript.text, result.transcript.warnings)
        self._after(result)
        return result

    def _capture(self, ticket: AnswerTicket):
        def keep(text: str) -> None:
            try:
                self.pipeline.keep_typed(ticket, text)
            except UserError as error:
                # a full disk: typing goes on; `_keep_typed` shows and copies it at the end
                log.warning("a typed line could not be stored yet: %s", error)

        try:
            return self.source.capture(ticket, keep)
        except AudioDeviceError as error:
            self.pipeline.fail(ticket, AnswerStatus.FAILED, str(error))
            self.ui.warn(f"{error}. Use 'interviewer practice --text' to type answers.")
            raise
        except AnswerInterrupted as interrupted:
            recording = interrupted.recording
            if interrupted.text is not None:  # typed: the lines ended so far
                self.pipeline.fail(ticket, AnswerStatus.INTERRUPTED, None,
                                   ended_by=EndedBy.INTERRUPTED,
                                   transcript_text=interrupted.text)
                self.ui.warn(f"Partial answer kept (answer {ticket.answer_id}, "
                             f"{len(interrupted.text.splitlines())} line(s)); the next "
                             "'interviewer history' or 'interviewer rescore' scores it.")
                raise interrupted.signal from None
            self.pipeline.fail(ticket, AnswerStatus.INTERRUPTED, None,
                               ended_by=EndedBy.INTERRUPTED,
                               duration_s=recording.duration_s if recording else None)
            self.ui.warn(f"Partial answer kept: {ticket.audio_path}")
            raise interrupted.signal from None

    def _keep_typed(self, text: str) -> None:
        """The typed answer could not be stored (a full disk?): show it, and save a copy where
        the system keeps temporary files, so the candidate does not lose it."""
        kept = keep_elsewhere(text)
        where = f" (a copy is in {kept})" if kept else ""
        self.ui.warn(f"Your answer could not be stored{where}. Here it is, so you can keep it:")
        self.ui.console.print(text, markup=False, highlight=False, soft_wrap=True)

    def _parent(self) -> int | None:
        return self._follow_up_of[0] if self._follow_up_of else None

    def _after(self, result: AnswerResult) -> None:
        self.results.append(result)
        self.ui.feedback(result.report, result.question, empty_hint=self._empty_hint)
        spoken = spoken_summary(result)
        if self._follow_up_of is not None:
            concept = self._follow_up_of[1]
            now_covered = any(item.name == concept for item in result.report.covered)
            note = f"With the follow-up, '{concept}' is " + \
                ("now covered." if now_covered else "still not covered.")
            self.ui.info(note)
            spoken = note
        if self.plan.spoken_summary:
            if self.ui.interactive:  # spoken while the keys wait, so they act at once
                self._speak_in_background(spoken)
            else:
                self._speak(spoken)

    # ------------------------------------------------------------------ speaking

    def _say(self, text: str) -> None:
        """Speak `text`; at a keyboard, any key stops it at once (the key does nothing else)."""
        if self.speaker is None:
            return
        if not self.ui.interactive:
            self._speak(text)
            return
        self._speak_in_background(text)
        assert self._speaking is not None
        thread = self._speaking[0]
        self.ui.until_key(lambda: not thread.is_alive())
        self._hush()

    def _speak_in_background(self, text: str) -> None:
        self._hush()
        if self.speaker is None:
            return
        stop = threading.Event()
        thread = threading.Thread(target=self._speak, args=(text, stop), name="speaking",
                                  daemon=True)
        self._speaking = (thread, stop)
        thread.start()

    def _hush(self) -> None:
        """Stop what the interviewer is saying, now."""
        if self._speaking is not None:
            thread, stop = self._speaking
            stop.set()
            thread.join(5.0)
            self._speaking = None

    def _speak(self, text: str, stop: threading.Event | None = None) -> None:
        if self.speaker is None:
            return
        try:
            self.speaker.say(text, stop=stop)
        except (AudioDeviceError, SpeechEngineError) as error:
            self.ui.warn(f"cannot speak ({error}); continuing with text only")
            self.speaker = None

    # ------------------------------------------------------------------ helpers

    def _summary(self) -> None:
        if not self.results:
            return
        from interviewer.counting import summary_lines

        self.ui.heading("Session summary")
        store = self.pipeline.store
        rows = store.answers(session_id=self.session_id) if store is not None else []
        sessions = {self.session_id: store.session(self.session_id)} if rows else {}
        for line in summary_lines(rows, sessions):
            self.ui.console.print(line, markup=False)
        self.ui.console.print("  'interviewer report --out report.html' makes a report",
                              markup=False)


def keep_elsewhere(text: str) -> Path | None:
    """Save `text` to a new private file in the temporary folder; None if that fails too."""
    try:
        handle, name = tempfile.mkstemp(prefix="interviewer-unsaved-answer-", suffix=".txt")
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text + "\n")
        return Path(name)
    except OSError:
        return None


def spoken_summary(result: AnswerResult) -> str:
    report = result.report
    if report.band == "empty":
        return "I didn't hear an answer."
    covered, total = len(report.covered), len(report.concepts)
    text = f"You scored {report.score:.0f}, {report.band}. You covered {covered} of {total} " \
           "key points."
    missed = sorted(report.missed, key=lambda concept: -concept.weight)[:2]
    if missed:
        text += " Consider " + " and ".join(concept.name for concept in missed) + "."
    return text
