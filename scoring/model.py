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

import base64
import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from scoring.concepts import ConceptMatcher, ConceptSpec
from scoring.derive import derive_concepts
from scoring.explanation import sentence_numbers, topic_words
from scoring.lexicon import is_english_word
from scoring.meaning import ConceptMeanings, build_meanings, unit_texts, units
from scoring.negation import find_negation
from scoring.phrases import names_an_absence
from scoring.relevance import baseline_curve
from scoring.similarity import TfidfSimilarity, Vector, prepare, question_stems
from scoring.text import Token, tokenize
from scoring.types import ScorableConcept, ScorableQuestion


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
    topic: tuple[frozenset[str], frozenset[str]]  # topic words and term words (explanation)
    meanings: ConceptMeanings | None = None  # with a sentence model, curated concepts only
    meaning_topic: frozenset[str] = frozenset()  # topic words and the descriptions' words


def build_model(question: ScorableQuestion, similarity: TfidfSimilarity,
                references: Sequence[tuple[str, str]], idf: Callable[[str], float], *,
                fuzzy_threshold: float, shared_concept_discount: float,
                embedder: TextEmbedder | None,
                sentences: SentenceMeanings | None = None) -> QuestionModel:
    """`sentences`: the sentence model and the embedded sentences of every model answer,
    for concepts said in other words (curated concepts only)."""
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
        specs = [concept_spec(concept) for concept in question.concepts]
    matcher = ConceptMatcher(specs, fuzzy_threshold, is_english_word)
    if not derived:  # derived concepts are never judged by their polarity
        tokens = tokenize(question.model_answer)
        matcher.learn_stances(tokens, find_negation(question.model_answer, tokens))
    shared = [0] * len(specs)
    for answer in others:
        for index, match in enumerate(matcher.match(tokenize(answer))):
            if match is not None:
                shared[index] += 1
    weights = [spec.weight / (1 + shared_concept_discount * count)
               for spec, count in zip(specs, shared, strict=True)]
    topic = topic_words(question.model_answer, question.text,
                        [phrase for spec in specs for phrase in spec.phrases])
    meanings = None
    if sentences is not None and not derived:
        unrelated = sentences.vectors_of(others)
        # a sentence of another model answer that names a concept is no unrelated sentence
        # for that concept (concepts recur across questions: OIDC, least privilege)
        mentions = np.zeros((len(unrelated), len(specs)), dtype=bool)
        for row, text in enumerate(sentences.texts_of(others)[:len(unrelated)]):
            for index, match in enumerate(matcher.match(tokenize(text))):
                mentions[row, index] = match is not None
        meanings = build_meanings(concept_targets(question.model_answer, specs, matcher),
                                  unrelated, sentences.embed, question.text,
                                  mentions=mentions)
    return QuestionModel(
        question=question, drop=drop, reference=reference, baseline=baseline,
        meaning=_meaning(question.model_answer, others, embedder), specs=specs,
        weights=weights, shared=shared, matcher=matcher, derived=derived, topic=topic,
        meanings=meanings, meaning_topic=topic[0] | frozenset(
            token.stem for spec in specs for token in tokenize(spec.description)
            if not token.is_stop))


RECENT_SENTENCES = 512


class SentenceMeanings:
    """A sentence model, and the embedded sentences of model answers (each embedded once
    per scorer: every question's floors are measured on the others')."""

    def __init__(self, embedder: TextEmbedder):
        self.embedder = embedder
        self._units: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        # the answer's sentences, kept a while: a spoken answer is scored again when its
        # transcript is refined or corrected, and most of its sentences are unchanged
        self._recent: OrderedDict[str, np.ndarray] = OrderedDict()

    def embed(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            missing = [text for text in dict.fromkeys(texts) if text not in self._recent]
        found = dict(zip(missing, embed(self.embedder, missing), strict=True)) if missing \
            else {}
        with self._lock:
            for text in texts:
                vector = found.get(text)
                if vector is None:
                    vector = self._recent[text]
                    self._recent.move_to_end(text)
                self._recent[text] = found[text] = vector
            while len(self._recent) > RECENT_SENTENCES:
                self._recent.popitem(last=False)
        if not texts:
            return np.zeros((0, 0), np.float32)
        return np.stack([found[text] for text in texts])

    def forget(self) -> None:
        """Drop the recent answers' sentences (for timing what a new answer costs)."""
        with self._lock:
            self._recent.clear()

    def vectors_of(self, answers: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = [answer for answer in dict.fromkeys(answers) if answer not in self._units]
            pieces = {answer: answer_units(answer) for answer in missing}
            texts = [text for answer in missing for text in pieces[answer]]
            vectors = embed(self.embedder, texts) if texts else np.zeros((0, 0), np.float32)
            start = 0
            for answer in missing:
                self._units[answer] = vectors[start:start + len(pieces[answer])]
                start += len(pieces[answer])
            chosen = [self._units[answer] for answer in answers if len(self._units[answer])]
        return np.concatenate(chosen) if chosen else np.zeros((0, 1), np.float32)

    def units_state(self) -> dict | None:
        """The model answers' embedded sentences as JSON-compatible data (None when the
        embedder does not say which model it is, so they could not be safely reused)."""
        identity = getattr(self.embedder, "identity", None)
        if identity is None:
            return None
        with self._lock:
            return {"model": identity, "units": {
                answer: [base64.b64encode(np.ascontiguousarray(vectors, "<f4").tobytes())
                         .decode("ascii"), int(vectors.shape[1]) if vectors.ndim == 2 else 0]
                for answer, vectors in self._units.items()}}

    def restore_units(self, state: dict | None) -> None:
        """Take back what `units_state` gave, if it was made by the same model."""
        if not state or state.get("model") != getattr(self.embedder, "identity", None):
            return
        restored = {}
        for answer, (data, width) in state["units"].items():
            flat = np.frombuffer(base64.b64decode(data), dtype="<f4").astype(np.float32)
            restored[answer] = flat.reshape(-1, width) if width else flat.reshape(0, 0)
        with self._lock:
            self._units.update(restored)

    def texts_of(self, answers: Sequence[str]) -> list[str]:
        """The sentences `vectors_of` embeds, in the same order."""
        return [text for answer in answers for text in answer_units(answer)]


def answer_units(text: str) -> list[str]:
    """A text's sentences (long ones in windows), as `scoring.meaning.units` cuts answers."""
    tokens = tokenize(text)
    found = units(tokens, sentence_numbers(text, tokens), [False] * len(tokens), set(),
                  frozenset())
    return unit_texts(text, tokens, found)


def concept_targets(model_answer: str, specs: Sequence[ConceptSpec],
                    matcher: ConceptMatcher) -> list[list[str]]:
    """For each concept, what it means here: its description, and the model answer's
    sentence that says it."""
    tokens = tokenize(model_answer)
    sentence_of = sentence_numbers(model_answer, tokens)
    found = matcher.match(tokens, negation=find_negation(model_answer, tokens),
                          sentences=sentence_of)
    sentence_tokens: dict[int, list[Token]] = {}
    for token in tokens:
        sentence_tokens.setdefault(sentence_of[token.index], []).append(token)
    targets = []
    for spec, match in zip(specs, found, strict=True):
        texts = [spec.description] if spec.description.strip() else []
        if match is not None:
            chosen = sentence_tokens[sentence_of[match.first]]
            texts.append(model_answer[chosen[0].start:chosen[-1].end])
        targets.append(texts)
    return targets


def concept_spec(concept: ScorableConcept) -> ConceptSpec:
    """A bank concept as the matcher reads it; its polarity is the bank's, or its name's
    ("no stored keys")."""
    polarity = getattr(concept, "polarity", "practice") or "practice"
    return ConceptSpec(concept.name, tuple(concept.phrases), concept.weight,
                       avoid=polarity == "avoid" or names_an_absence(concept.name),
                       description=getattr(concept, "description", "") or "")


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
    # an embedder that says its width gives texts with no words a zero vector of that width
    # (a sentence of "¨1" is then close to nothing, instead of a matrix of the wrong shape)
    vectors = np.zeros((len(texts), getattr(embedder, "dimension", 0)), dtype=np.float32)
    filled = [index for index, text in enumerate(texts) if text.strip()]
    if filled:
        found = np.nan_to_num(np.asarray(embedder.embed([texts[i] for i in filled]),
                                         dtype=np.float32))
        vectors = np.zeros((len(texts), found.shape[1]), dtype=np.float32)
        vectors[filled] = found
    return vectors
