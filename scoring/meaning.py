"""Concepts said in other words: answer sentences compared with what each concept means in
this question, by a sentence model (`scoring.sentence_model`).

What a concept means here is read from the bank: its one-line `description`, and the model
answer's sentence where the concept is said (its phrases matched there). Each answer sentence
(a long one, as speech transcripts have, in windows of `UNIT_WORDS`) is embedded, and its
closeness to those meanings compared with how close *unrelated* sentences come: the other
questions' model answers, cut the same way. A concept no phrase matched is credited when a
sentence rises clearly above that floor:

- it must come closer than unrelated sentences do (the floor), closer than the question
  itself does by `QUESTION_MARGIN` (saying the question back is no answer), and above all
  closer to this concept than to the question's concepts on average, by `possible_margin`
  for `possible` ("perhaps: ...") and `covered_margin` for `covered`: generic talk about the
  topic ("secrets are really important") is close to every concept at once; the evidence
  quotes the sentence;
- polarity must agree: a sentence says a meaning only when both have a negation or neither
  has (a sentence model does not see "not"): a concept to avoid, described as an absence, is
  said by "nothing holds a lock on the table for long", not by "we lock the table";
- a sentence credits at most `PER_SENTENCE` concepts, its closest ones, and only a sentence
  that holds a word of the question's topic (off-topic talk stays off-topic).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from scoring.negation import find_negation
from scoring.text import Token, tokenize

UNIT_WORDS, UNIT_STRIDE, LONG_SENTENCE = 24, 12, 32
PER_SENTENCE = 2
FLOOR_QUANTILE = 0.95  # of unrelated sentences' closeness to a concept
MIN_FLOOR = 0.2
QUESTION_MARGIN = 0.1  # closer to the concept than to the question itself, by this much


@dataclass(frozen=True)
class Unit:
    """A sentence of the answer (or a window of a long one), as token indices."""

    first: int
    last: int
    negated: bool  # holds a negated word or a negation cue
    topical: bool  # holds a word of the question's topic


@dataclass(frozen=True)
class ConceptMeanings:
    """For one question: the meaning vectors of its concepts and the floors above which a
    sentence says one."""

    vectors: np.ndarray  # (targets, dim), unit length
    owner: np.ndarray  # (targets,) the concept of each target
    floor: np.ndarray  # (concepts,)
    negated: np.ndarray  # (targets,) the target says its meaning with a negation
    question: np.ndarray | None = None  # the question's own embedding

    def closeness(self, unit_vectors: np.ndarray,
                  unit_negated: np.ndarray | None = None) -> np.ndarray:
        """(units, concepts): each unit's closeness to each concept's nearest meaning; with
        `unit_negated`, only to meanings said with the same polarity (a sentence model does not
        see "not": "our nodes have public IPs" is close to "nodes without public addresses")."""
        sims = unit_vectors @ self.vectors.T
        if unit_negated is not None:
            sims = np.where(unit_negated[:, None] == self.negated[None, :], sims, -1.0)
        result = np.full((len(unit_vectors), len(self.floor)), -1.0, dtype=np.float32)
        for concept in range(len(self.floor)):
            mask = self.owner == concept
            if mask.any():
                result[:, concept] = sims[:, mask].max(axis=1)
        return result


def units(tokens: Sequence[Token], sentence_of: Sequence[int], negated: Sequence[bool],
          cues: set[int], topic: frozenset[str]) -> list[Unit]:
    """The answer's sentences, long ones cut into overlapping windows."""
    groups: dict[int, list[int]] = {}
    for token in tokens:
        groups.setdefault(sentence_of[token.index], []).append(token.index)
    found = []
    for indices in groups.values():
        if len(indices) <= LONG_SENTENCE:
            pieces = [indices]
        else:
            pieces = [indices[start:start + UNIT_WORDS]
                      for start in range(0, len(indices) - UNIT_STRIDE, UNIT_STRIDE)]
        for piece in pieces:
            found.append(Unit(piece[0], piece[-1],
                              any(negated[i] or i in cues for i in piece),
                              any(tokens[i].stem in topic and not tokens[i].is_stop
                                  for i in piece)))
    return found


def unit_texts(text: str, tokens: Sequence[Token], found: Sequence[Unit]) -> list[str]:
    return [text[tokens[unit.first].start:tokens[unit.last].end] for unit in found]


def build_meanings(targets: Sequence[Sequence[str]], unrelated: np.ndarray, embed,
                   question: str = "", mentions: np.ndarray | None = None
                   ) -> ConceptMeanings | None:
    """`targets[c]`: texts saying what concept c means here; `unrelated`: embeddings of
    sentences from other questions' model answers, `mentions[u, c]` whether sentence u names
    concept c; `embed`: texts -> unit vectors."""
    texts = [text for concept_texts in targets for text in concept_texts]
    if not texts:
        return None
    owner = np.array([concept for concept, concept_texts in enumerate(targets)
                      for _ in concept_texts])
    vectors = embed(texts + [question])
    question_vector = vectors[-1] if question.strip() else None
    vectors = vectors[:-1]
    negated = np.array([says_a_negation(text) for text in texts])
    floor = np.full(len(targets), MIN_FLOOR, np.float32)
    meanings = ConceptMeanings(vectors, owner, floor, negated, question_vector)
    if len(unrelated):
        reached = meanings.closeness(unrelated)
        if mentions is not None:  # sentences naming the concept are not unrelated to it
            reached = np.where(mentions, np.nan, reached)
        with np.errstate(all="ignore"):
            found = np.nanquantile(reached, FLOOR_QUANTILE, axis=0) if reached.size else floor
        floor = np.maximum(np.nan_to_num(found, nan=MIN_FLOOR), MIN_FLOOR)
    return ConceptMeanings(vectors, owner, floor.astype(np.float32), negated, question_vector)


def says_a_negation(text: str) -> bool:
    tokens = tokenize(text)
    negation = find_negation(text, tokens)
    return any(negation.negated) or any(cue is not None for cue in negation.cue)


def _lift(meanings: ConceptMeanings, unit_vectors: np.ndarray, closeness: np.ndarray,
          any_polarity: np.ndarray) -> np.ndarray:
    """(units, concepts): how clearly each sentence says each concept. It must be closer to
    the concept than unrelated sentences come (the floor), closer to it than to the question
    (saying the question back is not an answer), and closer to it than to this question's
    concepts on average: generic talk about the topic is close to all of them at once. The
    last is the one a margin is asked of."""
    specific = closeness - any_polarity.mean(axis=1, keepdims=True)
    passes = closeness >= meanings.floor[None, :]
    if meanings.question is not None:
        passes &= closeness - (unit_vectors @ meanings.question)[:, None] >= QUESTION_MARGIN
    return np.where(passes, specific, -1.0)


def credited(meanings: ConceptMeanings, found: Sequence[Unit], unit_vectors: np.ndarray,
             open_concepts: Sequence[int], possible_margin: float, covered_margin: float
             ) -> dict[int, tuple[int, float, bool]]:
    """concept -> (unit, closeness, covered?) for the concepts in `open_concepts` that some
    eligible sentence says in other words."""
    if not len(found) or not open_concepts:
        return {}
    closeness = meanings.closeness(unit_vectors, np.array([unit.negated for unit in found]))
    lift = _lift(meanings, unit_vectors, closeness, meanings.closeness(unit_vectors))
    candidates = []
    for concept in open_concepts:
        for index, unit in enumerate(found):
            if unit.topical and lift[index, concept] >= possible_margin:
                candidates.append((float(lift[index, concept]), concept, index))
    result: dict[int, tuple[int, float, bool]] = {}
    used: dict[int, int] = {}
    for value, concept, index in sorted(candidates, reverse=True):
        if concept in result or used.get(index, 0) >= PER_SENTENCE:
            continue
        used[index] = used.get(index, 0) + 1
        result[concept] = (index, float(closeness[index, concept]), value >= covered_margin)
    return result
