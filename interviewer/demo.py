"""`interviewer demo`: a complete mock interview that needs no microphone.

The interviewer speaks (to the speaker if there is one, otherwise into WAV files), a synthetic
candidate answers in a second voice, and each answer is transcribed, scored, shown and stored
exactly as a real one would be.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import yaml

from audio.playback import resample
from bank import Question
from interviewer.answering import AnswerResult
from interviewer.practice import PracticeSession
from interviewer.storage import now


@dataclass(frozen=True)
class DemoAnswer:
    question_id: str
    voice: str
    answer: str


def demo_answers() -> list[DemoAnswer]:
    text = (resources.files("interviewer.data") / "demo_answers.yaml").read_text("utf-8")
    return [DemoAnswer(**item) for item in yaml.safe_load(text)]


class DemoSession(PracticeSession):
    """A practice session whose answers come from a synthetic candidate, not a microphone."""

    def __init__(self, *args, answers: dict[str, DemoAnswer], candidate_tts, **kwargs):
        super().__init__(*args, **kwargs)
        self.answers = answers
        self.candidate_tts = candidate_tts

    def _spoken_answer(self, question: Question, prompt: str,
                       attempt: int) -> AnswerResult | None:
        from audio import write_wav

        demo = self.answers[question.id]
        path = self.store.recording_path(self.session_id, question.id, attempt)
        answer_id = self.store.start_answer(self.session_id, question.id, self.bank.id,
                                            self.bank.version, question.category, prompt,
                                            attempt, audio_path=path)
        with self.ui.busy("The candidate (a synthetic voice) is answering"):
            utterance = self.candidate_tts.synthesize(demo.answer,
                                                      path.with_suffix(".tts.wav"))
            samples = resample(utterance.samples, utterance.samplerate, 16000)
            write_wav(path, samples, 16000)
            utterance.path.unlink(missing_ok=True)
        duration = samples.size / 16000
        self.store.update_answer(answer_id, status="recorded", duration_s=duration,
                                 ended_by="stopped", ended_at=now())
        self.ui.info(f"Candidate answered ({duration:.0f} s, saved as {path}).")
        with self.ui.busy("Transcribing the answer"):
            assert self.model is not None
            transcript = self.processor.transcribe(answer_id, samples, self.model())
        self.ui.transcript(transcript.text, transcript.warnings)
        result = self.processor.score_spoken(answer_id, question, transcript, duration)
        self._after(result)
        return result
