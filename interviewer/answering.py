"""One answer, start to finish: transcribe (if spoken), score, and store each step.

Used by practice, demo, review and rescore, so an answer is handled the same way everywhere.
The row exists before this runs (see `Store.start_answer`); each step updates it, so a failure
leaves the recording and whatever was done, and `interviewer rescore` can finish the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from audio.transcript import Transcript
from bank import Question
from interviewer.speech import timed_words
from interviewer.storage import Store, now
from scoring import AnswerScorer, ScoreReport


@dataclass(frozen=True)
class AnswerResult:
    answer_id: int
    question: Question
    report: ScoreReport
    transcript: Transcript | None = None  # None for typed answers


class AnswerProcessor:
    """`scorer` is the scorer, or a function returning it (it may still be being built)."""

    def __init__(self, store: Store, scorer: AnswerScorer | Callable[[], AnswerScorer]):
        self.store = store
        self._scorer = scorer

    @property
    def scorer(self) -> AnswerScorer:
        if callable(self._scorer):
            self._scorer = self._scorer()
        return self._scorer

    def transcribe(self, answer_id: int, samples: np.ndarray, stt) -> Transcript:
        try:
            transcript = stt.transcribe(samples)
        except Exception as error:
            self.store.update_answer(answer_id, status="failed",
                                     error=f"transcription failed: {error}")
            raise
        self.save_transcript(answer_id, transcript)
        return transcript

    def save_transcript(self, answer_id: int, transcript: Transcript) -> None:
        self.store.update_answer(answer_id, status="transcribed",
                                 transcript_text=transcript.text,
                                 transcript_json=transcript.to_dict(),
                                 backend=transcript.backend, model=transcript.model)

    def score_spoken(self, answer_id: int, question: Question, transcript: Transcript,
                     duration_s: float | None = None) -> AnswerResult:
        report = self.scorer.score("", question, words=timed_words(transcript) or None,
                                   duration_s=duration_s if duration_s is not None
                                   else transcript.duration)
        return self._save(answer_id, question, report, transcript)

    def score_typed(self, answer_id: int, question: Question, text: str) -> AnswerResult:
        self.store.update_answer(answer_id, status="transcribed", transcript_text=text,
                                 backend="typed", model="")
        report = self.scorer.score(text, question)
        return self._save(answer_id, question, report, None)

    def _save(self, answer_id: int, question: Question, report: ScoreReport,
              transcript: Transcript | None) -> AnswerResult:
        self.store.update_answer(answer_id, status="scored", score=report.score,
                                 band=report.band, report_json=report.to_dict(),
                                 ended_at=now(), error=None)
        return AnswerResult(answer_id, question, report, transcript)
