"""Text in, judgement out: TF-IDF similarity, key-concept coverage with evidence, delivery.

    from scoring import AnswerScorer
    scorer = AnswerScorer().fit(bank.questions)
    report = scorer.score_text(answer_text, bank.get("devsecops-03"))
    report = scorer.score_words(timed_words, question, duration_s)   # a spoken answer
    report.score, report.band, report.covered, report.missed, report.text

No audio and no I/O here: callers pass text (or, for speech, `TimedWord`s), and an optional
`TextEmbedder` they loaded. Questions are anything with the attributes of `ScorableQuestion`;
scoring imports nothing of ours.

Names are loaded on first use, so reading stored reports (`scoring.types`) does not import
the scorer and its libraries.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "AnswerScorer": "scoring.scorer", "TextEmbedder": "scoring.model",
    "delivery_metrics": "scoring.delivery",
    **{name: "scoring.types" for name in (
        "Band", "ConceptResult", "ConceptStatus", "DeliveryReport", "Evidence", "Pause",
        "ScorableConcept", "ScorableQuestion", "ScoreReport", "TimedWord", "UnsureWord")},
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'scoring' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
