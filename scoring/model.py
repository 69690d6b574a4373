"""Everything about one question that does not depend on the answer, prepared once.

- the model answer's TF-IDF vectors, and the similarity an unrelated answer gets at each
  length (`scoring.relevance`), from the other questions' model answers;
- with an embedder, the same for the model answer's meaning (`TextEmbedder`);
- the key concepts (curated, or derived from the model answer), their matcher, and for each
  whether the model answer says it with a negation ("secrets never go into git");
- how much each concept counts: its weight, discounted when other model answers mention it too;
- the topic words that show an answer explains what it names (`scoring.explanation`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scoring.concepts import ConceptMatcher, ConceptSpec
from scoring.derive import derive_concepts
from scoring.explanation import topic_words
from scoring.negation import find_negation
from scoring.relevance import baseline_curve
from scoring.similarity import TfidfSimilarity, Vector, prepare, question_stems
from scoring.text import tokenize
from scoring.types import ScorableQuestion


class TextEmbedder(Protocol):
    """Turns texts into unit vectors whose dot product says how alike their meanings are."""

    def embed(self, texts: list[str]) -> np.ndarray: ...


def plain_words(text: str) -> str:
    """The text an embedder sees: the answer's words, lower case, numbers spelled out."""
    return " ".join(token.norm for token in tokenize(text))


@dataclass(frozen=True)
class Meaning:
    """The model answer's embedding and the closeness of unrelated answers, by length."""

    target: np.ndarray
    baseline: list[tuple[int, float]]


@dataclass(frozen=True)
class QuestionModel:
    question: ScorableQuestion
    drop: frozenset[str]  # the question's own stems: repeating the question earns nothing
    reference: Vector  # TF-IDF vectors of the prepared model answer
    baseline: list[tuple[int, float]]  # unrelated answers' similarity by length
    meaning: Meaning | None  # with an embedder
    specs: list[ConceptSpec]
    weights: list[float]  # effective weights (bank weight, discounted when shared)
    shared: list[int]  # how many other model answers mention each concept
    matcher: ConceptMatcher
    derived: bool  # concepts derived from the model answer, not curated
    expected_negated: list[bool]  # concepts the model answer says in a negation
    topic: tuple[frozenset[str], frozenset[str]]  # topic words and term words (explanation)


def build_model(question: ScorableQuestion, similarity: TfidfSimilarity,
                references: Sequence[tuple[str, str]], idf: Callable[[str], float], *,
                fuzzy_threshold: float, shared_concept_discount: float,
                embedder: TextEmbedder | None) -> QuestionModel:
    drop = question_stems(question.text)
    reference = similarity.vectorize(prepare(question.model_answer, drop))
    others = [answer for qid, answer in references
              if answer != question.model_answer and qid != question.id]
    baseline = baseline_curve([prepare(answer, drop) for answer in others],
                              lambda texts: [similarity.cosine(similarity.vectorize(text),
                                                               reference) for text in texts])
    derived = not question.concepts
    if derived:
        specs = derive_concepts(question.model_answer, drop, idf)
    else:
        specs = [ConceptSpec(concept.name, tuple(concept.phrases), concept.weight)
                 for concept in question.concepts]
    matcher = ConceptMatcher(specs, fuzzy_threshold)
    shared = [0] * len(specs)
    for answer in others:
        for index, match in enumerate(matcher.match(tokenize(answer))):
            if match is not None:
                shared[index] += 1
    weights = [spec.weight / (1 + shared_concept_discount * count)
               for spec, count in zip(specs, shared, strict=True)]
    return QuestionModel(
        question=question, drop=drop, reference=reference, baseline=baseline,
        meaning=_meaning(question.model_answer, others, embedder), specs=specs,
        weights=weights, shared=shared, matcher=matcher, derived=derived,
        expected_negated=_expected_negation(question.model_answer, matcher, derived),
        topic=topic_words(question.model_answer, question.text,
                          [phrase for spec in specs for phrase in spec.phrases]))


def _expected_negation(model_answer: str, matcher: ConceptMatcher, derived: bool) -> list[bool]:
    """For each concept, whether the model answer says it inside a negation. Derived concepts
    are never judged by their polarity (see AnswerScorer._score)."""
    if derived:
        return [False] * len(matcher.concepts)
    tokens = tokenize(model_answer)
    found = matcher.match(tokens, negation=find_negation(model_answer, tokens))
    return [bool(match and match.negated) for match in found]


def _meaning(model_answer: str, others: list[str],
             embedder: TextEmbedder | None) -> Meaning | None:
    if embedder is None:
        return None
    target = embedder.embed([plain_words(model_answer)])[0]
    return Meaning(target, baseline_curve([plain_words(answer) for answer in others],
                                          lambda texts: closenesses(embedder, texts, target)))


def closenesses(embedder: TextEmbedder, texts: list[str], target: np.ndarray) -> list[float]:
    """Cosine of each text's embedding with `target` (0 for a text with no words), embedded
    in one batch."""
    vectors = embed(embedder, texts)
    if not vectors.shape[1]:
        return [0.0] * len(texts)
    return [float(value) for value in vectors @ target]


def embed(embedder: TextEmbedder, texts: list[str]) -> np.ndarray:
    """Unit vectors of `texts`; a text with no words gets a vector of zeros."""
    vectors = np.zeros((len(texts), 0), dtype=np.float32)
    filled = [index for index, text in enumerate(texts) if text.strip()]
    if filled:
        found = np.nan_to_num(np.asarray(embedder.embed([texts[i] for i in filled]),
                                         dtype=np.float32))
        vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)
        vectors[filled] = found
    return vectors
