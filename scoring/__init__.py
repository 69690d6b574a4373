"""Text in, judgement out: TF-IDF similarity, key-concept coverage with evidence, delivery.

    from scoring import AnswerScorer
    scorer = AnswerScorer().fit(bank.questions)
    report = scorer.score(answer_text, bank.get("devsecops-03"))
    report.score, report.band, report.covered, report.missed

No audio and no I/O here: callers pass text (and, for speech, `TimedWord`s).
"""

from scoring.delivery import delivery_metrics
from scoring.scorer import AnswerScorer, answer_text, band_for
from scoring.types import (
    ConceptResult,
    DeliveryReport,
    Evidence,
    Pause,
    ScoreReport,
    TimedWord,
    UnsureWord,
)

__all__ = [
    "AnswerScorer",
    "ConceptResult",
    "DeliveryReport",
    "Evidence",
    "Pause",
    "ScoreReport",
    "TimedWord",
    "UnsureWord",
    "answer_text",
    "band_for",
    "delivery_metrics",
]
