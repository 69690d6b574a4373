"""The answer scorer: one object, configured and fitted once, scoring many answers.

    scorer = AnswerScorer(embedder=...).fit(bank.questions)
    report = scorer.score_text("I keep secrets in Vault ...", bank.get("devsecops-03"))
    report = scorer.score_words(recognised_words, question, duration_s=62.0)  # speech

How a score is made (the README has a worked example of each rule):

1. negation: which words are negated ("we don't rotate keys"; `scoring.negation`);
2. concepts: each key concept is covered, possibly said (a mis-heard word may be it),
   contradicted (said, but with the opposite polarity to the model answer) or missed; a
   covered concept counts fully only when its sentence explains something of the question
   (`scoring.explanation`), not in a bare list or in filler;
3. similarity: TF-IDF cosine between the model answer and the answer's explaining sentences
   (`scoring.similarity`), and, with an embedder, the closeness of their meanings;
4. relevance: how far each rises above what an unrelated answer *of the same length* gets
   (`scoring.relevance`), blended; the first `dead_zone` is ignored, then a concave curve;
   what the answer says against its key points earns no similarity either;
5. score: similarity part plus coverage part; an answer that only lists terms is capped at
   the top of the weak band; no words at all is 0.
"""

from __future__ import annotations

import math
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import replace

from scoring.concepts import DEFAULT_FUZZY_THRESHOLD
from scoring.delivery import SINGLE_FILLERS, delivery_metrics
from scoring.explanation import Explanation, sentence_numbers
from scoring.feedback import with_feedback
from scoring.keyword_list import looks_like_keyword_list
from scoring.meaning import unit_texts, units
from scoring.model import QuestionModel, SentenceMeanings, TextEmbedder, build_model, embed
from scoring.negation import Negation, find_negation
from scoring.reading import Analysis, read_sentences
from scoring.relevance import baseline_at
from scoring.results import concept_result
from scoring.similarity import TfidfSimilarity, prepare, question_stems
from scoring.text import tokenize
from scoring.types import (
    Band,
    ConceptResult,
    ConceptStatus,
    ScorableQuestion,
    ScoreReport,
    TimedWord,
)
from scoring.words import join_words, unsure_flags

MAX_ANSWER_CHARS = 200_000  # longer input is scored on its first part (a 1 MB paste stays fast)
CONFIG_VERSION = 2  # fitted states saved by an earlier version are refitted
EMBED_BATCH = 256


class AnswerScorer:
    """Scores answers against questions. Configure in `__init__`, `fit` once, `score` often.

    `embedder` (optional): a `scoring.model.TextEmbedder` that adds the closeness of meaning
    to the similarity; without one, similarity is TF-IDF alone. Every other parameter was
    chosen by measurement on all the development sets at once (README, "How well the score
    agrees with humans")."""

    def __init__(self, *, char_ngram_range: tuple[int, int] = (2, 5), use_words: bool = True,
                 similarity_weight: float = 0.6, derived_similarity_weight: float = 0.8,
                 curve_exponent: float = 0.5, dead_zone: float = 0.05,
                 shared_concept_discount: float = 1.0, possible_credit: float = 0.5,
                 unexplained_credit: float = 0.5, contradiction_penalty: float = 0.5,
                 keyword_list_cap: float = 34.0, semantic_weight: float = 0.4,
                 full_coverage: float = 0.9,
                 fuzzy_threshold: float = DEFAULT_FUZZY_THRESHOLD,
                 meaning_possible_margin: float = 0.20, meaning_covered_margin: float = 0.25,
                 meaning_explain_margin: float = 0.10,
                 embedder: TextEmbedder | None = None,
                 sentence_embedder: TextEmbedder | None = None):
        self.char_ngram_range = char_ngram_range
        self.use_words = use_words
        self.similarity_weight = similarity_weight
        self.derived_similarity_weight = derived_similarity_weight
        self.curve_exponent = curve_exponent
        self.dead_zone = dead_zone
        self.shared_concept_discount = shared_concept_discount
        self.possible_credit = possible_credit
        self.unexplained_credit = unexplained_credit
        self.contradiction_penalty = contradiction_penalty
        self.keyword_list_cap = keyword_list_cap
        self.semantic_weight = semantic_weight
        self.full_coverage = full_coverage
        self.fuzzy_threshold = fuzzy_threshold
        self.embedder = embedder
        self.meaning_possible_margin = meaning_possible_margin
        self.meaning_covered_margin = meaning_covered_margin
        self.meaning_explain_margin = meaning_explain_margin
        self.sentence_embedder = sentence_embedder
        self._sentences = SentenceMeanings(sentence_embedder) if sentence_embedder else None
        self.similarity_: TfidfSimilarity | None = None
        self.references_: list[tuple[str, str]] = []  # (question id, model answer)
        self.word_idf_: dict[str, float] = {}
        self._unseen_idf = 1.0
        self._models: dict[tuple, QuestionModel] = {}
        self._building = threading.Lock()  # `prepare` may run on another thread

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
        if self._sentences is not None:
            # every question's model reads the other model answers' sentences: embedded once
            # here, so a fitted state can keep them for the next process
            self._sentences.vectors_of([answer for _, answer in self.references_])
        return self

    # -- fitted state as plain data (the caller may save it: scoring does no I/O)

    def get_state(self) -> dict:
        """Everything `fit` learned, as JSON-compatible data."""
        if self.similarity_ is None:
            raise RuntimeError("AnswerScorer.fit must be called first")
        return {"config": self.get_config(), "similarity": self.similarity_.get_state(),
                "references": [list(item) for item in self.references_],
                "word_idf": self.word_idf_, "unseen_idf": self._unseen_idf,
                "sentences": self._sentences.units_state() if self._sentences else None}

    def set_state(self, state: dict) -> AnswerScorer:
        """Restore a state from `get_state`; fails if it was made with another configuration."""
        if state.get("config") != self.get_config():
            raise ValueError("fitted state was made with another scorer configuration")
        self.similarity_ = TfidfSimilarity.from_state(state["similarity"])
        self.references_ = [(qid, answer) for qid, answer in state["references"]]
        self.word_idf_ = dict(state["word_idf"])
        self._unseen_idf = float(state["unseen_idf"])
        self._models = {}
        if self._sentences is not None:
            self._sentences.restore_units(state.get("sentences"))
        return self

    def get_config(self) -> dict:
        return {"version": CONFIG_VERSION, "char_ngram_range": list(self.char_ngram_range),
                "use_words": self.use_words, "similarity_weight": self.similarity_weight,
                "derived_similarity_weight": self.derived_similarity_weight,
                "curve_exponent": self.curve_exponent, "dead_zone": self.dead_zone,
                "shared_concept_discount": self.shared_concept_discount,
                "possible_credit": self.possible_credit,
                "unexplained_credit": self.unexplained_credit,
                "contradiction_penalty": self.contradiction_penalty,
                "keyword_list_cap": self.keyword_list_cap,
                "semantic_weight": self.semantic_weight if self.embedder else None,
                "full_coverage": self.full_coverage,
                "fuzzy_threshold": self.fuzzy_threshold,
                "meaning_margins": [self.meaning_possible_margin, self.meaning_covered_margin,
                                    self.meaning_explain_margin]
                if self.sentence_embedder else None}

    def _idf(self, word_stem: str) -> float:
        return self.word_idf_.get(word_stem, self._unseen_idf)

    def prepare(self, questions: Iterable[ScorableQuestion]) -> AnswerScorer:
        """Build what scoring these questions needs (a noticeable part of a second each), e.g.
        in the background while the answer is spoken, so its first score is not slowed."""
        for question in questions:
            self._model(question)
        return self

    def _model(self, question: ScorableQuestion) -> QuestionModel:
        # keyed by content: the same question built twice (one per JSON line) is fitted once
        key = (question.id, question.text, question.model_answer,
               tuple((c.name, tuple(c.phrases), c.weight) for c in question.concepts))
        with self._building:
            model = self._models.get(key)
            if model is None:
                if self.similarity_ is None:
                    raise RuntimeError("AnswerScorer.fit must be called before scoring")
                model = build_model(question, self.similarity_, self.references_, self._idf,
                                    fuzzy_threshold=self.fuzzy_threshold,
                                    shared_concept_discount=self.shared_concept_discount,
                                    embedder=self.embedder, sentences=self._sentences)
                self._models[key] = model
        return model

    def read_ahead(self, partial_text: str, question: ScorableQuestion) -> None:
        """Read the finished sentences of an answer still being spoken (all but the last),
        so that scoring the whole answer later embeds only what is new. Scores are the same
        with or without it."""
        model = self._model(question)
        if self._sentences is None or model.meanings is None:
            return
        tokens = tokenize(partial_text[:MAX_ANSWER_CHARS])
        if not tokens:
            return
        sentences = sentence_numbers(partial_text, tokens)
        negation = find_negation(partial_text, tokens)
        found = units(tokens, sentences, negation.negated, set(), model.meaning_topic)
        done = [unit for unit in found if sentences[unit.last] < sentences[-1]]
        if done:
            self._sentences.embed(unit_texts(partial_text, tokens, done))

    # ------------------------------------------------------------------ scoring

    def score_text(self, text: str, question: ScorableQuestion) -> ScoreReport:
        """Score a typed answer."""
        return self.score_texts([(text, question)])[0]

    def score_texts(self, answers: Sequence[tuple[str, ScorableQuestion]]) -> list[ScoreReport]:
        """Score many typed answers (text, question); the same reports as `score_text`, with
        the meanings of all the answers embedded together (several times faster)."""
        analyses = [self._analyse(text or "", question, None, [], None)
                    for text, question in answers]
        return self._finish(analyses)

    def score_words(self, words: Sequence[TimedWord], question: ScorableQuestion,
                    duration_s: float | None = None, *,
                    time_limit_reached: bool = False) -> ScoreReport:
        """Score a spoken answer from the recogniser's words: evidence carries times, words the
        recogniser was unsure of make a concept only "possibly said", and delivery is measured.
        `duration_s` is the whole recording (time before the first word is the lead-in);
        `time_limit_reached`: the answer was cut off there, so it is not called short."""
        text, ends = join_words(words, MAX_ANSWER_CHARS)  # the part scored, as for text
        return self._finish([self._analyse(text, question, list(words[:len(ends)]) or None,
                                           ends, duration_s,
                                           time_limit_reached=time_limit_reached)])[0]

    def _analyse(self, answer: str, question: ScorableQuestion,
                 words: list[TimedWord] | None, word_ends: list[int],
                 duration_s: float | None, *, time_limit_reached: bool = False) -> Analysis:
        """Everything about one answer but its closeness of meaning (embedded in batches)."""
        model = self._model(question)
        answer = answer[:MAX_ANSWER_CHARS]
        tokens = tokenize(answer)
        delivery = delivery_metrics(answer, words, duration_s) if (answer or words) else None
        if delivery is not None and time_limit_reached:
            delivery = replace(delivery, time_limit_reached=True)
        if not any(token.norm not in SINGLE_FILLERS for token in tokens):
            return Analysis(question, model, answer, tokens, [], [], delivery, empty=True)
        # Only curated concepts can be contradicted: a derived concept is one word of the model
        # answer, which correct answers often say with a negation ("no need to copy the data"
        # for "avoids copies"); judging those as contradictions lowered agreement with the
        # graders of Mohler and SemEval.
        negation = Negation.none(len(tokens)) if model.derived else \
            find_negation(answer, tokens)
        unsure = unsure_flags(tokens, words, word_ends) if words else None
        sentences = sentence_numbers(answer, tokens)
        matches = model.matcher.match(tokens, unsure, negation, sentences)
        mentions = [(match.first, match.last) for match in matches if match is not None]
        # Likewise only curated concepts must be explained: derived ones are plain words.
        explanation = None if model.derived else Explanation(answer, tokens, model.topic,
                                                             mentions)
        results = [concept_result(spec, shared, match, explanation, tokens, answer,
                                  words, word_ends)
                   for spec, shared, match in zip(model.specs, model.shared, matches,
                                                  strict=True)]
        found = []
        if model.meanings is not None:
            found = units(tokens, sentences, negation.negated,
                          {cue for cue in negation.cue if cue is not None}, model.meaning_topic)
        return Analysis(question, model, answer, tokens, results, [], delivery, units=found,
                        words=words, word_ends=word_ends, explanation=explanation,
                        mentions=mentions, clause_of=negation.clause)

    def _finish(self, analyses: list[Analysis]) -> list[ScoreReport]:
        if self._sentences is not None:
            read_sentences(self._sentences, analyses, self.meaning_possible_margin,
                           self.meaning_covered_margin, self.meaning_explain_margin)
        for analysis in analyses:
            analysis.choose_for_similarity()
        meanings: list[float | None] = [None] * len(analyses)
        if self.embedder is not None:
            wanted = [index for index, analysis in enumerate(analyses)
                      if not analysis.empty and analysis.model.meaning is not None]
            texts = [" ".join(token.norm for token in analyses[index].chosen)
                     for index in wanted]
            for start in range(0, len(wanted), EMBED_BATCH):
                batch = wanted[start:start + EMBED_BATCH]
                vectors = embed(self.embedder, texts[start:start + EMBED_BATCH])
                for index, vector in zip(batch, vectors, strict=True):
                    meaning = analyses[index].model.meaning
                    assert meaning is not None  # only such analyses were chosen
                    target = meaning.target
                    meanings[index] = float(vector @ target) if vector.size else 0.0
        return [self._empty(analysis) if analysis.empty else
                self._report(analysis, *self._relevance(analysis, meaning))
                for analysis, meaning in zip(analyses, meanings, strict=True)]

    def _relevance(self, analysis: Analysis, meaning: float | None) -> tuple[float, float]:
        """(TF-IDF similarity, relevance) of the kept tokens: relevance is the rise above an
        unrelated answer of the same length, blended with the rise in meaning."""
        assert self.similarity_ is not None
        model, length = analysis.model, max(1, len(analysis.chosen))
        vector = self.similarity_.vectorize(prepare(analysis.chosen, model.drop))
        similarity = self.similarity_.cosine(vector, model.reference)
        relevance = _rise(similarity, baseline_at(model.baseline, length))
        if meaning is not None and model.meaning is not None:
            rise = _rise(meaning, baseline_at(model.meaning.baseline, length))
            relevance = (1 - self.semantic_weight) * relevance + self.semantic_weight * rise
        return similarity, relevance

    def _report(self, analysis: Analysis, similarity: float, relevance: float) -> ScoreReport:
        model, results, tokens = analysis.model, analysis.results, analysis.tokens
        lifted = max(0.0, (relevance - self.dead_zone) / (1 - self.dead_zone))
        similarity_part = lifted ** self.curve_exponent
        # what the answer says against the key points earns no similarity either
        mentioned = sum(weight for weight, result in zip(model.weights, results, strict=True)
                        if result.evidence is not None)
        against = sum(weight for weight, result in zip(model.weights, results, strict=True)
                      if result.status is ConceptStatus.CONTRADICTED)
        if against:
            similarity_part *= 1 - against / mentioned
        coverage = self._coverage(model, results)
        # concepts guessed from the model answer deserve less say than curated ones
        weight = self.derived_similarity_weight if model.derived else self.similarity_weight
        similarity_points = 100 * weight * similarity_part
        coverage_points = 100 * (1 - weight) * coverage
        score = similarity_points + coverage_points
        keyword_list = looks_like_keyword_list(analysis.answer, tokens,
                                               sum(1 for result in results if result.matched))
        capped_at = None
        if keyword_list and score > self.keyword_list_cap:
            score, capped_at = self.keyword_list_cap, self.keyword_list_cap
        score = round(min(100.0, max(0.0, score)), 1)
        report = ScoreReport(
            question_id=analysis.question.id, score=score,
            band=_band(score, results, keyword_list),
            similarity=similarity, relevance=relevance, coverage=coverage,
            concepts=tuple(results), text=analysis.answer, keyword_list=keyword_list,
            derived_concepts=model.derived, word_count=len(tokens),
            similarity_points=similarity_points, coverage_points=coverage_points,
            capped_at=capped_at, delivery=analysis.delivery)
        return with_feedback(report)

    def _coverage(self, model: QuestionModel, results: list[ConceptResult]) -> float:
        """The weighted share of concepts covered: a possibly said concept counts
        `possible_credit`, an unexplained mention `unexplained_credit` (kept no lower than
        `possible_credit`: naming a concept must not earn less than hinting at it), and a
        contradicted one counts against (never below 0 in all)."""
        credit = {ConceptStatus.COVERED: 1.0, ConceptStatus.POSSIBLE: self.possible_credit,
                  ConceptStatus.CONTRADICTED: -self.contradiction_penalty,
                  ConceptStatus.MISSED: 0.0}
        total = sum(model.weights) or 1.0
        earned = sum(weight * credit[result.status] *
                     (1.0 if result.explained else self.unexplained_credit)
                     for weight, result in zip(model.weights, results, strict=True))
        return min(1.0, max(0.0, earned / total / self.full_coverage))

    def _empty(self, analysis: Analysis) -> ScoreReport:
        model = analysis.model
        results = tuple(ConceptResult(spec.name, spec.weight, ConceptStatus.MISSED, None, shared)
                        for spec, shared in zip(model.specs, model.shared, strict=True))
        return ScoreReport(question_id=analysis.question.id, score=0.0, band=Band.EMPTY,
                           similarity=0.0, relevance=0.0, coverage=0.0, concepts=results,
                           text=analysis.answer, derived_concepts=model.derived,
                           delivery=analysis.delivery,
                           feedback=("There was nothing to score: the answer has no "
                                     "words.",))

# ---------------------------------------------------------------------- helpers

def _band(score: float, results: list[ConceptResult], keyword_list: bool) -> Band:
    """The band of the score; but off-topic only for an answer about something else: one
    that lists the terms, rejects a practice, or says a concept of this question that other
    questions' model answers do not share is on topic, however low it scores."""
    band = Band.for_score(score)
    on_topic = keyword_list or any(
        result.status is ConceptStatus.CONTRADICTED or
        (result.evidence is not None and result.shared == 0) for result in results)
    return Band.WEAK if band is Band.OFF_TOPIC and on_topic else band


def _rise(value: float, baseline: float) -> float:
    """How far `value` rises above `baseline`, as a share of the room above it."""
    baseline = min(0.95, baseline)
    return max(0.0, (value - baseline) / (1 - baseline))
