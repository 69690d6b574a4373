"""Key concepts derived from a model answer, for questions that have none curated.

The model answer's content words, minus the question's own words, ranked by how rare they are
among the bank's model answers (IDF): the distinctive words are what an answer should contain.
Measured on human-graded data, single words did better than multi-word phrases here.
"""

from __future__ import annotations

from collections.abc import Callable

from scoring.concepts import ConceptSpec
from scoring.text import tokenize

MIN_DERIVED, MAX_DERIVED = 2, 8
SHARE_KEPT = 0.6


def derive_concepts(model_answer: str, question_stems: frozenset[str],
                    idf: Callable[[str], float]) -> list[ConceptSpec]:
    first_form: dict[str, str] = {}
    for token in tokenize(model_answer):
        if not token.is_stop and token.stem not in question_stems and len(token.norm) > 1:
            first_form.setdefault(token.stem, token.norm)
    ranked = sorted(first_form.items(), key=lambda item: (-idf(item[0]), item[1]))
    count = max(MIN_DERIVED, min(MAX_DERIVED, round(len(first_form) * SHARE_KEPT)))
    return [ConceptSpec(name=word, phrases=(word,), weight=round(idf(word_stem), 3))
            for word_stem, word in ranked[:count]]
