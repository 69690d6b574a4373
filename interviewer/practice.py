"""A spoken (or typed) mock interview: greeting, questions, answers, feedback, follow-ups.

Each answer's row and recording are written before transcription, so nothing said is lost:
Ctrl-C ends the session cleanly, keeps every answer so far (a partial one too), and says how
to finish them later (`interviewer rescore`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from audio.errors import AudioDeviceError, ModelError, SpeechEngineError
from audio.transcript import Transcript
from bank import Bank, Question
from interviewer.answering import AnswerProcessor, AnswerResult
from interviewer.storage import Store, now
from interviewer.ui import Frontend

CHOICES = {"n": "next", "r": "retry", "h": "hear it again", "m": "model answer", "q": "quit"}
NO_KEYBOARD_SILENCE_S = 3.0  # without a keyboard an answer ends after this much silence


@dataclass
class PracticeOptions:
    questions: list[Question]
    mode: str = "practice"  # "practice" (spoken) or "text" (typed answers)
    silent: bool = False  # do not speak (questions are shown only)
    time_limit: int | None = None  # overrides each question's own limit
    silence_stop: float | None = None  # end answers after this much silence
    input_device: str | None = None
    output_device: str | None = None
    follow_ups: bool = True
    spoken_summary: bool = True
    settings: dict = field(default_factory=dict)


@dataclass
class SessionSummary:
    session_id: int
    results: list[AnswerResult]
    status: str


class PracticeSession:
    def __init__(self, store: Store, bank: Bank, options: PracticeOptions, frontend: Frontend,
                 processor: AnswerProcessor, speaker=None,
                 model: Callable[[], object] | None = None):
        self.store = store
        self.bank = bank
        self.options = options
        self.ui = frontend
        self.processor = processor
        self.speaker = speaker  # None: nothing is spoken
        self.model = model  # returns the loaded speech recogniser (waits if still loading)
        self.session_id = 0
        self.results: list[AnswerResult] = []
        self._intro = ""
        self._follow_up_of: tuple[int, str] | None = None  # (answer id, concept) being asked

    # ------------------------------------------------------------------ the session

    def run(self) -> SessionSummary:
        options = self.options
        self.session_id = self.store.create_session(options.mode, self.bank.id,
                                                    self.bank.version, self.bank.source,
                                                    options.settings)
        status = "interrupted"
        try:
            self._greet()
            total = len(options.questions)
            for index, question in enumerate(options.questions, start=1):
                if not self._question(index, total, question):
                    break
            status = "completed"
        finally:
            self.store.finish_session(self.session_id, status)
            if status == "interrupted":
                self.ui.warn(f"Session {self.session_id} stopped; {len(self.results)} scored "
                             "answer(s) and any partial recording are kept. "
                             "'interviewer rescore' finishes unscored answers.")
        self._summary()
        return SessionSummary(self.session_id, self.results, status)

    def _greet(self) -> None:
        """A short welcome, spoken together with the first question (no wait before it)."""
        count = len(self.options.questions)
        self._intro = (f"Welcome. {count} question{'s' if count != 1 else ''} for the "
                       f"{self.bank.title} role. First question.")
        self.ui.heading(f"{self.bank.title} practice, session {self.session_id}")
        how = {"text": "type each answer", "demo": "a synthetic candidate answers"}.get(
            self.options.mode, "answer aloud")
        keys = (" Keys after each answer: " + ", ".join(
            f"{key} {label}" for key, label in CHOICES.items()) + ".") \
            if self.ui.interactive else ""
        self.ui.info(f"{count} question(s); {how}.{keys}")

    def _question(self, index: int, total: int, question: Question) -> bool:
        """Ask one question, with retries and a follow-up. False when the candidate quits."""
        prompt = question.text
        attempt = 1
        follow_up_concept: str | None = None
        self.ui.question(index, total, question, prompt)
        self._speak(f"{self._intro} {prompt}" if self._intro else prompt)
        self._intro = ""
        while True:
            result = self._answer(question, prompt, attempt)
            if result is None:  # nothing could be captured; the reason was shown
                return False
            choice = self.ui.choose(CHOICES, default="n")
            while choice in ("h", "m"):
                if choice == "h":
                    self._speak(prompt)
                else:
                    self.ui.console.print(f"\nModel answer:\n{question.model_answer}",
                                          markup=False, highlight=False)
                choice = self.ui.choose(CHOICES, default="n")
            if choice == "q":
                return False
            if choice == "r":
                attempt += 1
                self.ui.interviewer("Let's try that one again.")
                continue
            if follow_up_concept is not None:
                return True  # one follow-up per question
            follow_up = self._follow_up_for(question, result)
            if follow_up is None:
                return True
            follow_up_concept = follow_up.concept
            prompt = follow_up.text
            attempt += 1
            self._follow_up_of = (result.answer_id, follow_up.concept)
            self.ui.heading(f"Follow-up on {question.id} ({follow_up.concept})")
            self.ui.interviewer(prompt)
            self._speak(prompt)

    def _follow_up_for(self, question: Question, result: AnswerResult):
        if not self.options.follow_ups or result.report.band == "empty":
            return None
        missed = {concept.name for concept in result.report.missed}
        for follow in question.follow_ups:
            if follow.concept in missed:
                return follow
        return None

    # ------------------------------------------------------------------ one answer

    def _answer(self, question: Question, prompt: str, attempt: int) -> AnswerResult | None:
        if self.options.mode == "text":
            return self._typed_answer(question, prompt, attempt)
        return self._spoken_answer(question, prompt, attempt)

    def _typed_answer(self, question: Question, prompt: str, attempt: int) -> AnswerResult | None:
        text = self.ui.read_typed_answer()
        if text is None:
            self.ui.info("No more input: ending the session.")
            return None
        answer_id = self.store.start_answer(self.session_id, question.id, self.bank.id,
                                            self.bank.version, question.category, prompt,
                                            attempt, follow_up_of=self._parent())
        result = self.processor.score_typed(answer_id, question, text)
        self._after(result)
        return result

    def _spoken_answer(self, question: Question, prompt: str,
                       attempt: int) -> AnswerResult | None:
        from audio import CaptureSettings, Recorder
        from audio.streaming import StreamingTranscriber

        limit = self.options.time_limit or question.time_limit or 120
        silence = self.options.silence_stop
        if silence is None and not self.ui.interactive:
            silence = NO_KEYBOARD_SILENCE_S
        path = self.store.recording_path(self.session_id, question.id, attempt)
        answer_id = self.store.start_answer(self.session_id, question.id, self.bank.id,
                                            self.bank.version, question.category, prompt,
                                            attempt, follow_up_of=self._parent(),
                                            audio_path=path)
        settings = CaptureSettings(device=self.options.input_device or None,
                                   time_limit_s=limit, silence_stop_s=silence or None,
                                   no_speech_timeout_s=limit)
        # stretches of speech are transcribed while the candidate is still speaking
        streamer = StreamingTranscriber(self.model) if self.model else None
        recorder = Recorder(path, settings, listener=streamer)
        try:
            recorder.start()
        except AudioDeviceError as error:
            if streamer is not None:
                streamer.cancel()
            self.store.update_answer(answer_id, status="failed", error=str(error),
                                     ended_at=now())
            self.ui.warn(f"{error}. Use 'interviewer practice --text' to type answers.")
            raise
        try:
            recording = self.ui.record(
                recorder, live_text=streamer.partial_text if streamer else None)
        except KeyboardInterrupt:
            recording = recorder.stop("interrupted")  # the recording first: nothing is lost
            if streamer is not None:
                streamer.cancel()
            self.store.update_answer(answer_id, status="interrupted",
                                     duration_s=recording.duration_s if recording else None,
                                     ended_by="interrupted", ended_at=now())
            self.ui.warn(f"Partial answer kept: {path}")
            raise
        self.store.update_answer(answer_id, status="recorded", duration_s=recording.duration_s,
                                 lead_in_s=recording.speech_started_s,
                                 ended_by=recording.ended_by)
        self.ui.info(f"Recorded {recording.duration_s:.0f} s "
                     f"({_ending(recording.ended_by)}).")
        if recording.error:
            self.ui.warn(f"{recording.error}; the recording so far is kept in {path}")
        transcript = self._finish_transcript(answer_id, recording, streamer)
        self.ui.transcript(transcript.text, transcript.warnings)
        result = self.processor.score_spoken(answer_id, question, transcript,
                                             recording.duration_s)
        self._after(result)
        return result

    def _finish_transcript(self, answer_id: int, recording, streamer) -> Transcript:
        """The streamed transcript (only the last stretch is left to decode), or, if streaming
        failed, the whole recording transcribed afresh."""
        if streamer is not None:
            try:
                with self.ui.busy("Finishing the transcript"):
                    transcript = streamer.finish(recording.duration_s, recording.speech_s)
                self.processor.save_transcript(answer_id, transcript)
                return transcript
            except ModelError:
                raise  # the recogniser cannot load: transcribing afresh would fail too
            except Exception as error:  # the recording is on disk: transcribe it instead
                self.ui.warn(f"live transcription failed ({error}); transcribing the "
                             "recording instead")
        from audio import read_wav

        samples, _ = read_wav(recording.path)
        with self.ui.busy("Transcribing your answer"):
            stt = self.model() if self.model else None
            if stt is None:
                raise RuntimeError("no speech recogniser")
            return self.processor.transcribe(answer_id, samples, stt)

    def _parent(self) -> int | None:
        return self._follow_up_of[0] if self._follow_up_of else None

    def _after(self, result: AnswerResult) -> None:
        self.results.append(result)
        self.ui.feedback(result.report, result.question)
        spoken = spoken_summary(result)
        if self._follow_up_of is not None:
            concept = self._follow_up_of[1]
            now_covered = any(item.name == concept for item in result.report.covered)
            note = f"With the follow-up, '{concept}' is " + \
                ("now covered." if now_covered else "still not covered.")
            self.ui.info(note)
            spoken = note
            self._follow_up_of = None
        if self.options.spoken_summary:
            self._speak(spoken)

    # ------------------------------------------------------------------ helpers

    def _speak(self, text: str) -> None:
        if self.speaker is None:
            return
        try:
            self.speaker.say(text)
        except (AudioDeviceError, SpeechEngineError) as error:
            self.ui.warn(f"cannot speak ({error}); continuing with text only")
            self.speaker = None

    def _summary(self) -> None:
        if not self.results:
            return
        self.ui.heading("Session summary")
        for result in self.results:
            row = self.store.answer(result.answer_id)
            kind = " (follow-up)" if row.follow_up_of else \
                f" (attempt {row.attempt})" if row.attempt > 1 else ""
            self.ui.console.print(f"  {result.question.id}{kind}: {result.report.score:.0f} "
                                  f"({result.report.band})", markup=False)
        mean = sum(result.report.score for result in self.results) / len(self.results)
        self.ui.console.print(f"  average {mean:.0f} over {len(self.results)} answer(s); "
                              f"'interviewer report --out report.html' makes a report",
                              markup=False)


def _ending(ended_by: str) -> str:
    return {"stopped": "you finished", "silence": "ended after a pause",
            "time-limit": "time limit reached", "device-error": "the microphone failed",
            "disk-error": "the disk could not be written", "interrupted": "interrupted"
            }.get(ended_by, ended_by)


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
