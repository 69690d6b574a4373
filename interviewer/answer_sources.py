"""Where answers come from in a session: typed at the keyboard, spoken into the microphone, or
spoken by the demo's synthetic candidate. Each source captures one answer for an open
`AnswerTicket` and hands it to the pipeline (`interviewer.pipeline`).

Spoken answers, the synthetic ones included, go through the same recorder: written to disk
as they are captured, and transcribed stretch by stretch while they are spoken.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from typing import Protocol

import yaml

from audio.capture import CaptureSettings, EndedBy, Recorder, Recording
from audio.errors import AudioDeviceError
from audio.sources import ArraySource, AudioSource
from interviewer.pipeline import AnswerTicket, CapturedAnswer
from interviewer.settings import Settings
from interviewer.states import AnswerKind
from interviewer.ui import Frontend

NO_KEYBOARD_SILENCE_S = 3.0  # without a keyboard an answer ends after this much silence
DEFAULT_TIME_LIMIT_S = 120
DEMO_SILENCE_S = 1.2  # the synthetic candidate has finished after this much silence


def answer_time_limit(chosen: int | None, question) -> int:
    """The seconds a spoken answer may last: the candidate's `--time-limit`, else the
    question's, else the default."""
    return chosen or question.time_limit or DEFAULT_TIME_LIMIT_S


class AnswerInterrupted(Exception):
    """Ctrl-C (or SIGTERM, SIGHUP) while an answer was being given; the recording (or the
    lines typed) so far is kept. `signal` is the KeyboardInterrupt to raise again once the
    answer is stored."""

    def __init__(self, recording: Recording | None, signal: KeyboardInterrupt,
                 text: str | None = None):
        super().__init__("interrupted")
        self.recording = recording
        self.signal = signal
        self.text = text  # a typed answer's lines so far ("" when none was ended)


class AnswerSource(Protocol):
    kind: AnswerKind  # how the answer is stored

    def capture(self, ticket: AnswerTicket,
                keep_text: Callable[[str], None] | None = None) -> CapturedAnswer | None:
        """One answer; None when there are no more (typed input ended). `keep_text` stores
        a typed answer so far, line by line. Raises AnswerInterrupted on Ctrl-C,
        AudioDeviceError when there is no microphone."""


class TypedAnswers:
    kind = AnswerKind.TYPED

    def __init__(self, ui: Frontend):
        self.ui = ui

    def capture(self, ticket: AnswerTicket,
                keep_text: Callable[[str], None] | None = None) -> CapturedAnswer | None:
        typed = [""]

        def on_line(text: str) -> None:
            typed[0] = text
            if keep_text is not None:
                keep_text(text)

        try:
            text = self.ui.read_typed_answer(on_line)
        except KeyboardInterrupt as signal:
            raise AnswerInterrupted(None, signal, text=typed[0]) from None
        return None if text is None else CapturedAnswer(text=text)


class ReadAhead:
    """While an answer is spoken, its finished sentences are read by the scorer in the
    background (`AnswerScorer.read_ahead`: closeness of meaning is the costly part of a
    score), so when the answer ends only the last sentence is left to read. One read at a
    time; a newer text waits for the next decode."""

    def __init__(self, scorer: Callable, work):
        self.scorer = scorer  # a function returning the fitted scorer (it may be loading)
        self.work = work  # interviewer.work.BackgroundWork
        self._pending = None
        self._read = ""

    def __call__(self, text: str, question) -> None:
        busy = self._pending is not None and not self._pending.done()
        if busy or len(text) <= len(self._read):
            return
        self._read = text
        self._pending = self.work.submit(self._run, text, question)

    def _run(self, text: str, question) -> None:
        self.scorer().read_ahead(text, question)


class SpokenAnswers:
    """Answers spoken into the microphone. `settings` say when an answer ends (Enter, a
    pause, the time limit) and which microphone; `recogniser` (a function returning the
    speech model, which may still be loading) transcribes each stretch of speech while the
    candidate is still speaking."""

    kind = AnswerKind.SPOKEN

    def __init__(self, ui: Frontend, settings: Settings, recogniser: Callable | None,
                 read_ahead: ReadAhead | None = None):
        self.ui = ui
        self.settings = settings
        self.recogniser = recogniser
        self.read_ahead = read_ahead

    def capture(self, ticket: AnswerTicket,
                keep_text: Callable[[str], None] | None = None) -> CapturedAnswer:
        from audio.streaming import StreamingTranscriber

        assert ticket.audio_path is not None
        heard = None
        if self.read_ahead is not None:
            def heard(text: str) -> None:
                self.read_ahead(text, ticket.question)
        streamer = StreamingTranscriber(self.recogniser, on_text=heard) \
            if self.recogniser else None
        recorder = Recorder(ticket.audio_path, self._capture_settings(ticket),
                            listener=streamer, source=self._audio_source(ticket))
        try:
            recorder.start()
        except AudioDeviceError:
            if streamer is not None:
                streamer.cancel()
            raise
        try:
            recording = self._record(recorder, streamer)
        except KeyboardInterrupt as signal:
            recording = recorder.stop(EndedBy.INTERRUPTED)  # the recording first: nothing is lost
            if streamer is not None:
                streamer.cancel()
            raise AnswerInterrupted(recording, signal) from None
        self.ui.info(f"Recorded {recording.duration_s:.0f} s ({recording.ended_by.said}).")
        if recording.error:
            self.ui.warn(f"{recording.error}; the recording so far is kept in "
                         f"{recording.path}")
        return CapturedAnswer(audio_path=recording.path, duration_s=recording.duration_s,
                              ended_by=recording.ended_by,
                              lead_in_s=recording.speech_started_s,
                              speech_s=recording.speech_s, streamer=streamer)

    def _capture_settings(self, ticket: AnswerTicket) -> CaptureSettings:
        limit = answer_time_limit(self.settings.time_limit, ticket.question)
        silence = self.settings.silence_stop
        if silence is None and not self.ui.interactive:
            silence = NO_KEYBOARD_SILENCE_S
        return CaptureSettings(device=self.settings.input_device, time_limit_s=limit,
                               silence_stop_s=silence, no_speech_timeout_s=limit)

    def _audio_source(self, ticket: AnswerTicket) -> AudioSource | None:
        return None  # the microphone

    def _record(self, recorder: Recorder, streamer) -> Recording:
        return self.ui.record(recorder,
                              live_text=streamer.partial_text if streamer else None)


@dataclass(frozen=True)
class DemoAnswer:
    question_id: str
    voice: str
    answer: str


def demo_answers() -> list[DemoAnswer]:
    text = (resources.files("interviewer.data") / "demo_answers.yaml").read_text("utf-8")
    return [DemoAnswer(**item) for item in yaml.safe_load(text)]


class SyntheticAnswers(SpokenAnswers):
    """The demo's candidate: each answer is synthesised in a second voice and spoken into the
    recorder in real time (and through the speaker, when there is one), so it is recorded,
    streamed, transcribed, scored and stored exactly as a real answer."""

    def __init__(self, ui: Frontend, recogniser: Callable, candidate_voice, speaker=None,
                 read_ahead: ReadAhead | None = None):
        super().__init__(ui, Settings(silence_stop=DEMO_SILENCE_S), recogniser, read_ahead)
        self.answers = {item.question_id: item for item in demo_answers()}
        self.voice = candidate_voice  # an audio.tts.SpeechEngine
        self.speaker = speaker  # audio.Speaker, or None: not played aloud

    def _audio_source(self, ticket: AnswerTicket) -> AudioSource:
        from audio.playback import resample
        from audio.vad import SAMPLE_RATE

        text = self.answers[ticket.question.id].answer
        with self.ui.busy("The candidate (a synthetic voice) is thinking"):
            utterance = self.voice.render(text)  # in memory (its sentences are cached)
        samples = resample(utterance.samples, utterance.samplerate, SAMPLE_RATE)
        return ArraySource(samples, realtime=True)

    def _record(self, recorder: Recorder, streamer) -> Recording:
        if self.speaker is not None:
            self.speaker.play_in_background(recorder.source.samples)
        try:
            return super()._record(recorder, streamer)
        finally:
            if self.speaker is not None:
                self.speaker.stop_playing()
