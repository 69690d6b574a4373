"""Text in, judgement out: TF-IDF similarity, key-concept coverage with evidence, delivery.

    from scoring import AnswerScorer
    scorer = AnswerScorer().fit(bank.questions)
    report = scorer.score_text(answer_text, bank.get("devsecops-03"))
    report = scorer.score_words(timed_words, question, duration_s)   # a spoken answer
    report.score, report.band, report.covered, report.missed, report.text

No audio and no I/O here: callers pass text (or, for speech, `TimedWord`s), and an optional
`TextEmbedder` they loaded. Questions are anything with the attributes of `ScorableQuestion`;
scoring imports nothing of ours.
"""

from scoring.delivery import delivery_metrics
from scoring.model import TextEmbedder
from scoring.scorer import AnswerScorer
from scoring.types import (
    Band,
    ConceptResult,
    ConceptStatus,
    DeliveryReport,
    Evidence,
    Pause,
    ScorableConcept,
    ScorableQuestion,
    ScoreReport,
    TimedWord,
    UnsureWord,
)

__all__ = [
    "AnswerScorer",
    "Band",
    "ConceptResult",
    "ConceptStatus",
    "DeliveryReport",
    "Evidence",
    "Pause",
    "ScorableConcept",
    "ScorableQuestion",
    "ScoreReport",
    "TextEmbedder",
    "TimedWord",
    "UnsureWord",
    "delivery_metrics",
]
