"""The answer scorer: one object, configured and fitted once, scoring many answers.

    scorer = AnswerScorer().fit(bank.questions)
    report = scorer.score_text("I keep secrets in Vault ...", bank.get("devsecops-03"))
    report = scorer.score_words(recognised_words, question, duration_s=62.0)  # speech

How a score is made (the README has a worked example):

1. similarity: TF-IDF cosine between the answer and the model answer (`scoring.similarity`);
2. relevance: how far the similarity rises above what an unrelated answer gets. Each question's
   baseline is the median similarity of the *other* questions' model answers to its own, so
   ordinary shared vocabulary earns nothing; the first `dead_zone` of relevance is also
   ignored;
3. similarity part: relevance ** `curve_exponent` (a concave curve: the first steps towards the
   model answer count most, as human graders judge), times `similarity_weight` x 100;
4. coverage part: the weighted share of key concepts covered (a concept the recogniser may have
   mis-heard counts `possible_credit`; a concept that many other questions' model answers also
   mention counts less), times the remaining weight x 100;
5. caps: an answer that only lists terms is capped at `keyword_list_cap`; no words at all is 0.
"""

from __future__ import annotations

import bisect
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from scoring.concepts import DEFAULT_FUZZY_THRESHOLD, ConceptMatcher, ConceptSpec, PhraseMatch
from scoring.delivery import SINGLE_FILLERS, UNSURE_PROBABILITY, delivery_metrics
from scoring.derive import derive_concepts
from scoring.keyword_list import looks_like_keyword_list
from scoring.similarity import TfidfSimilarity, Vector, prepare, question_stems
from scoring.text import Token, tokenize
from scoring.types import (
    Band,
    ConceptResult,
    ConceptStatus,
    DeliveryReport,
    Evidence,
    ScorableQuestion,
    ScoreReport,
    TimedWord,
)

DEFAULT_BASELINE = 0.15  # used when there is no other model answer to compare with
MAX_ANSWER_CHARS = 200_000  # longer input is scored on its first part (a 1 MB paste stays fast)
SHORT_ANSWER_WORDS = 40


@dataclass
class _QuestionModel:
    """Everything about one question that does not depend on the answer."""

    question: ScorableQuestion
    drop: frozenset[str]
    reference: Vector  # TF-IDF vectors of the prepared model answer
    baseline: float
    specs: list[ConceptSpec]
    weights: list[float]  # effective weights (bank weight, discounted when shared)
    shared: list[int]
    matcher: ConceptMatcher
    derived: bool


class AnswerScorer:
    """Scores answers against questions. Configure in `__init__`, `fit` once, `score` often."""

    def __init__(self, *, char_ngram_range: tuple[int, int] = (2, 5), use_words: bool = True,
                 similarity_weight: float = 0.6, derived_similarity_weight: float = 0.8,
                 curve_exponent: float = 0.5,
                 dead_zone: float = 0.05, shared_concept_discount: float = 1.0,
                 possible_credit: float = 0.5, keyword_list_cap: float = 60.0,
                 fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD):
        self.char_ngram_range = char_ngram_range
        self.use_words = use_words
        self.similarity_weight = similarity_weight
        self.derived_similarity_weight = derived_similarity_weight
        self.curve_exponent = curve_exponent
        self.dead_zone = dead_zone
        self.shared_concept_discount = shared_concept_discount
        self.possible_credit = possible_credit
        self.keyword_list_cap = keyword_list_cap
        self.fuzzy_threshold = fuzzy_threshold
        self.similarity_: TfidfSimilarity | None = None
        self.references_: list[tuple[str, str]] = []  # (question id, model answer)
        self.word_idf_: dict[str, float] = {}
        self._models: dict[tuple, _QuestionModel] = {}

    # ------------------------------------------------------------------ fitting

    def fit(self, questions: Iterable[ScorableQuestion],
            background: Iterable[ScorableQuestion] = ()) -> AnswerScorer:
        """Fit the TF-IDF vocabulary and IDF on the model answers of `questions`.

        `background`: more questions whose model answers serve as examples of unrelated answers
        and widen the IDF corpus; useful when a bank has only a few questions.
        """
        corpus = list(questions) + list(background)
        self.references_ = []
        prepared = []
        seen: set[str] = set()
        for question in corpus:
            if question.model_answer.strip() and question.model_answer not in seen:
                seen.add(question.model_answer)
                self.references_.append((question.id, question.model_answer))
                prepared.append(prepare(question.model_answer, question_stems(question.text)))
        self.similarity_ = TfidfSimilarity(self.char_ngram_range, self.use_words).fit(prepared)
        document_frequency = Counter(word for text in prepared for word in set(text.split()))
        count = max(1, len(prepared))
        self.word_idf_ = {word: math.log((1 + count) / (1 + frequency)) + 1
                          for word, frequency in document_frequency.items()}
        self._unseen_idf = math.log(1 + count) + 1
        self._models = {}
        return self

    # -- fitted state as plain data (the caller may save it: scoring does no I/O)

    def get_state(self) -> dict:
        """Everything `fit` learned, as JSON-compatible data."""
        if self.similarity_ is None:
            raise RuntimeError("AnswerScorer.fit must be called first")
        return {"config": self.get_config(), "similarity": self.similarity_.get_state(),
                "references": [list(item) for item in self.references_],
                "word_idf": self.word_idf_, "unseen_idf": self._unseen_idf}

    def set_state(self, state: dict) -> AnswerScorer:
        """Restore a state from `get_state`; fails if it was made with another configuration."""
        if state.get("config") != self.get_config():
            raise ValueError("fitted state was made with another scorer configuration")
        self.similarity_ = TfidfSimilarity.from_state(state["similarity"])
        self.references_ = [(qid, answer) for qid, answer in state["references"]]
        self.word_idf_ = dict(state["word_idf"])
        self._unseen_idf = float(state["unseen_idf"])
        self._models = {}
        return self

    def get_config(self) -> dict:
        return {"char_ngram_range": list(self.char_ngram_range), "use_words": self.use_words,
                "similarity_weight": self.similarity_weight,
                "derived_similarity_weight": self.derived_similarity_weight,
                "curve_exponent": self.curve_exponent, "dead_zone": self.dead_zone,
                "shared_concept_discount": self.shared_concept_discount,
                "possible_credit": self.possible_credit,
                "keyword_list_cap": self.keyword_list_cap,
                "fuzzy_threshold": self.fuzzy_threshold}

    def _idf(self, word_stem: str) -> float:
        return self.word_idf_.get(word_stem, self._unseen_idf)

    def _model(self, question: ScorableQuestion) -> _QuestionModel:
        # keyed by content: the same question built twice (one per JSON line) is fitted once
        key = (question.id, question.text, question.model_answer,
               tuple((c.name, tuple(c.phrases), c.weight) for c in question.concepts))
        model = self._models.get(key)
        if model is None:
            model = self._build_model(question)
            self._models[key] = model
        return model

    def _build_model(self, question: ScorableQuestion) -> _QuestionModel:
        if self.similarity_ is None:
            raise RuntimeError("AnswerScorer.fit must be called before score")
        similarity = self.similarity_
        drop = question_stems(question.text)
        reference = similarity.vectorize(prepare(question.model_answer, drop))
        others = [answer for qid, answer in self.references_
                  if answer != question.model_answer and qid != question.id]
        if others:
            values = sorted(similarity.cosine(similarity.vectorize(prepare(answer, drop)),
                                              reference) for answer in others)
            middle = len(values) // 2
            baseline = values[middle] if len(values) % 2 else \
                (values[middle - 1] + values[middle]) / 2
        else:
            baseline = DEFAULT_BASELINE
        derived = not question.concepts
        if derived:
            specs = derive_concepts(question.model_answer, drop, self._idf)
        else:
            specs = [ConceptSpec(concept.name, concept.phrases, concept.weight)
                     for concept in question.concepts]
        matcher = ConceptMatcher(specs, self.fuzzy_threshold)
        shared = [0] * len(specs)
        for answer in others:
            for index, match in enumerate(matcher.match(tokenize(answer))):
                if match is not None:
                    shared[index] += 1
        weights = [spec.weight / (1 + self.shared_concept_discount * count)
                   for spec, count in zip(specs, shared, strict=True)]
        return _QuestionModel(question, drop, reference, min(baseline, 0.95), specs, weights,
                              shared, matcher, derived)

    # ------------------------------------------------------------------ scoring

    def score_text(self, text: str, question: ScorableQuestion) -> ScoreReport:
        """Score a typed answer."""
        return self._score(text or "", question, None, [], None)

    def score_words(self, words: Sequence[TimedWord], question: ScorableQuestion,
                    duration_s: float | None = None) -> ScoreReport:
        """Score a spoken answer from the recogniser's words: evidence carries times, words the
        recogniser was unsure of make a concept only "possibly said", and delivery is measured.
        `duration_s` is the whole recording (time before the first word is the lead-in)."""
        text, spans = _join_words(words)
        return self._score(text, question, list(words) or None, spans, duration_s)

    def _score(self, answer: str, question: ScorableQuestion,
               words: list[TimedWord] | None, word_spans: list[tuple[int, int]],
               duration_s: float | None) -> ScoreReport:
        model = self._model(question)
        answer = answer[:MAX_ANSWER_CHARS]
        tokens = tokenize(answer)
        delivery = delivery_metrics(answer, words, duration_s) if (answer or words) else None
        content = [token for token in tokens if token.norm not in SINGLE_FILLERS]
        if not content:
            return self._empty(question, model, delivery, answer)

        assert self.similarity_ is not None
        answer_vector = self.similarity_.vectorize(prepare(tokens, model.drop))
        similarity = self.similarity_.cosine(answer_vector, model.reference)
        relevance = max(0.0, (similarity - model.baseline) / (1 - model.baseline))
        lifted = max(0.0, (relevance - self.dead_zone) / (1 - self.dead_zone))
        similarity_part = lifted ** self.curve_exponent

        unsure = _unsure_flags(tokens, words, word_spans) if words else None
        matches = model.matcher.match(tokens, unsure)
        results = [self._concept_result(spec, shared, match, tokens, answer, words, word_spans)
                   for spec, shared, match in zip(model.specs, model.shared, matches,
                                                  strict=True)]
        total_weight = sum(model.weights) or 1.0
        credit = {ConceptStatus.COVERED: 1.0, ConceptStatus.POSSIBLE: self.possible_credit,
                  ConceptStatus.CONTRADICTED: 0.0, ConceptStatus.MISSED: 0.0}
        coverage = sum(weight * credit[result.status]
                       for weight, result in zip(model.weights, results, strict=True)) \
            / total_weight

        # concepts guessed from the model answer deserve less say than curated ones
        weight = self.derived_similarity_weight if model.derived else self.similarity_weight
        similarity_points = 100 * weight * similarity_part
        coverage_points = 100 * (1 - weight) * coverage
        score = similarity_points + coverage_points
        named = sum(1 for result in results if result.matched)
        keyword_list = looks_like_keyword_list(answer, tokens, named)
        capped_at = None
        if keyword_list and score > self.keyword_list_cap:
            score, capped_at = self.keyword_list_cap, self.keyword_list_cap
        score = round(min(100.0, max(0.0, score)), 1)
        report = ScoreReport(
            question_id=question.id, score=score, band=Band.for_score(score),
            similarity=similarity, relevance=relevance, coverage=coverage,
            concepts=tuple(results), text=answer,
            keyword_list=keyword_list, derived_concepts=model.derived, word_count=len(tokens),
            similarity_points=similarity_points, coverage_points=coverage_points,
            capped_at=capped_at, delivery=delivery)
        return _with_feedback(report)

    def _empty(self, question: ScorableQuestion, model: _QuestionModel,
               delivery: DeliveryReport | None, text: str) -> ScoreReport:
        results = tuple(ConceptResult(spec.name, spec.weight, ConceptStatus.MISSED, None, shared)
                        for spec, shared in zip(model.specs, model.shared, strict=True))
        return ScoreReport(question_id=question.id, score=0.0, band=Band.EMPTY, similarity=0.0,
                           relevance=0.0, coverage=0.0, concepts=results, text=text,
                           derived_concepts=model.derived, delivery=delivery,
                           feedback=("No answer was heard. Answer aloud, or check the "
                                     "microphone with 'interviewer devices'.",))

    def _concept_result(self, spec: ConceptSpec, shared: int, match: PhraseMatch | None,
                        tokens: list[Token], answer: str, words: list[TimedWord] | None,
                        word_spans: list[tuple[int, int]]) -> ConceptResult:
        if match is None:
            return ConceptResult(spec.name, spec.weight, ConceptStatus.MISSED, None, shared)
        start_char, end_char = tokens[match.first].start, tokens[match.last].end
        start_time = end_time = None
        if words:
            first_word = _word_at(word_spans, start_char)
            last_word = _word_at(word_spans, max(start_char, end_char - 1))
            start_time = round(words[first_word].start, 2)
            end_time = round(words[last_word].end, 2)
        evidence = Evidence(text=answer[start_char:end_char].strip(), phrase=match.phrase,
                            start_char=start_char, end_char=end_char, start=start_time,
                            end=end_time, fuzzy=match.fuzzy)
        return ConceptResult(spec.name, spec.weight, match.status, evidence, shared)


# ---------------------------------------------------------------------- helpers

def _join_words(words: Sequence[TimedWord]) -> tuple[str, list[tuple[int, int]]]:
    """The answer text made from recognised words, and each word's character span in it."""
    parts, spans, position = [], [], 0
    for word in words:
        # recognisers mark a new word with a leading space, and "-commit" continues "pre";
        # words given bare are separated
        text = word.text
        if parts and text[:1].isalnum() and parts[-1][-1:].isalnum():
            text = " " + text
        parts.append(text)
        stripped = len(text) - len(text.lstrip())
        spans.append((position + stripped, position + len(text)))
        position += len(text)
    return "".join(parts), spans


def _word_at(spans: list[tuple[int, int]], char: int) -> int:
    """Index of the word whose span holds (or first follows) character `char`."""
    ends = [end for _, end in spans]
    return min(bisect.bisect_right(ends, char), len(spans) - 1)


def _unsure_flags(tokens: list[Token], words: Sequence[TimedWord],
                  spans: list[tuple[int, int]]) -> list[bool]:
    return [words[_word_at(spans, token.start)].probability < UNSURE_PROBABILITY
            for token in tokens]


def _with_feedback(report: ScoreReport) -> ScoreReport:
    notes: list[str] = []
    if report.band is Band.OFF_TOPIC and report.covered:
        names = ", ".join(concept.name for concept in report.covered[:3])
        notes.append(f"Too little to judge: it names {names}, but does not explain the "
                     "approach; answer the question in full sentences.")
    elif report.band is Band.OFF_TOPIC:
        notes.append("This does not seem to answer the question asked; listen to it again "
                     "and answer that question.")
    if report.keyword_list:
        notes.append("This is a list of terms. Explain how they fit together: what you would "
                     "do, in what order, and why.")
    missed = sorted(report.missed, key=lambda concept: -concept.weight)
    if missed:
        names = ", ".join(concept.name for concept in missed[:4])
        more = f" (and {len(missed) - 4} more)" if len(missed) > 4 else ""
        notes.append(f"Not mentioned: {names}{more}.")
    if report.possible:
        names = ", ".join(concept.name for concept in report.possible)
        notes.append(f"Possibly said, but the recogniser was unsure: {names}.")
    if report.word_count < SHORT_ANSWER_WORDS and \
            report.band not in (Band.EMPTY, Band.OFF_TOPIC):
        notes.append(f"The answer is short ({report.word_count} words); a good spoken answer "
                     "usually takes a minute or more.")
    delivery = report.delivery
    if delivery is not None:
        if delivery.pace == "fast":
            notes.append(f"You spoke fast ({delivery.words_per_minute:.0f} words a minute); "
                         "slow down to about 140.")
        elif delivery.pace == "slow":
            notes.append(f"You spoke slowly ({delivery.words_per_minute:.0f} words a minute); "
                         "about 140 keeps listeners with you.")
        if delivery.long_pauses:
            notes.append(f"{len(delivery.long_pauses)} pause(s) over 2 s (longest "
                         f"{delivery.longest_pause_s:.1f} s).")
        if delivery.filler_count >= 3:
            notes.append(f"At least {delivery.filler_count} filler words "
                         f"({', '.join(sorted(delivery.fillers))}).")
    return replace(report, feedback=tuple(notes))
